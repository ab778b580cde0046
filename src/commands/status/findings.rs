//! What in the netrc makes some tool read a domain's credential differently, or hands it (or
//! another service's password) where it does not belong: the file's own findings and those of
//! the reader models.

use std::path::Path;

use super::{Finding, Location, NetrcState, Severity};
use crate::credentials::Credential;
use crate::domain::Domain;
use crate::netrc::readers::{Creds, MODELS, Model, Reads, Rejected};
use crate::netrc::{EntryView, NetrcDocument};
use crate::secret::Token;

/// What in the netrc makes some tool read this domain's credential differently, or hands it
/// (or another service's password) where it does not belong.
pub(super) fn netrc_findings(
    domain: &Domain,
    path: &Path,
    netrc: &NetrcState,
    credential: Option<&Credential>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let shown_path = path.display();
    let (doc, mode, readings) = match netrc {
        NetrcState::Missing => return findings,
        NetrcState::Unreadable { line, message } => {
            findings.push(Finding {
                kind: "netrc_unreadable",
                severity: Severity::Error,
                location: Location::new(path, *line),
                message: message.clone(),
            });
            return findings;
        }
        NetrcState::Read {
            doc,
            mode,
            readings,
            ..
        } => (doc, *mode, readings),
    };
    let at = |entry: &EntryView<'_>| Location::new(path, netrc.line_of(entry));
    let find = |kind, severity, location, message| Finding {
        kind,
        severity,
        location,
        message,
    };

    if let Some(mode) = mode
        && cfg!(unix)
        && mode & 0o777 & !0o600 != 0
    {
        findings.push(find(
            "mode",
            Severity::Warning,
            Location::new(path, None),
            format!(
                "its mode is {mode:04o}, wider than 0600, so others on this machine may read your tokens; run `chmod 600 {shown_path}`"
            ),
        ));
    }

    if let Some(default) = doc.entries_iter().find(|e| e.name().is_none()) {
        // Both keep `default`; where they have no model, that is all that is said of them.
        let mut keeping = unmodelled(&["curl", "python"]);
        keeping.extend(
            accepted(readings)
                .filter(|(_, reads)| reads.default.is_some())
                .map(|(name, _)| name),
        );
        findings.push(find(
            "default_entry",
            Severity::Warning,
            at(&default),
            format!(
                "a `default` entry: {} hand its password to every host without an entry of its own, and Buf 1.75 sends it to the registry (bsr never does); give each host its own `machine` entry and remove `default`",
                names(&keeping),
            ),
        ));
    }

    let named = |name: &str| -> Vec<EntryView<'_>> {
        doc.entries_iter()
            .filter(|e| {
                e.name()
                    .is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()))
            })
            .collect()
    };
    let host = domain.host();
    for entry in doc.entries_iter() {
        let Some(name) = entry.name() else { continue };
        let name = String::from_utf8_lossy(&name).into_owned();
        let port_of = |machine: &str| {
            let (h, port) = machine.rsplit_once(':')?;
            let h = h.trim_start_matches('[').trim_end_matches(']');
            (h.eq_ignore_ascii_case(host) && port.chars().all(|c| c.is_ascii_digit())).then_some(())
        };
        if port_of(&name).is_some() || port_of(name.strip_prefix("go.").unwrap_or("")).is_some() {
            let bare = if name.starts_with("go.") {
                format!("go.{host}")
            } else {
                host.to_owned()
            };
            findings.push(find(
                "host_port",
                Severity::Warning,
                at(&entry),
                format!(
                    "`machine {name}` names a port: Buf reads it, but Go, curl and Python match host names without the port, so those tools get nothing from it; if they need the token, add an entry for `{bare}` as well"
                ),
            ));
        }
    }

    let go_machine = domain.go_machine();
    for machine in [domain.as_str(), go_machine.as_str()] {
        let entries = named(machine);
        if entries.len() < 2 {
            continue;
        }
        let differ = entries
            .windows(2)
            .any(|w| w[0].password() != w[1].password() || w[0].login() != w[1].login());
        let lines: Vec<String> = entries
            .iter()
            .filter_map(|e| netrc.line_of(e))
            .map(|l| l.to_string())
            .collect();
        // curl takes the first, Python's dict the last; the models say for the others. Which
        // entry each model takes shows only where the entries differ.
        let (mut first, mut last) = (unmodelled(&["curl"]), unmodelled(&["python"]));
        let (first_token, last_token) =
            (entries[0].password(), entries[entries.len() - 1].password());
        if first_token != last_token {
            let bytes =
                |token: &Option<Token>| token.as_ref().map(|t| t.expose().as_bytes().to_vec());
            let (first_bytes, last_bytes) = (bytes(&first_token), bytes(&last_token));
            for (name, reads) in accepted(readings) {
                let handed = machine_only(reads, machine).and_then(|c| c.password.clone());
                if handed.is_some() && handed == first_bytes {
                    first.push(name);
                } else if handed.is_some() && handed == last_bytes {
                    last.push(name);
                }
            }
        } else {
            (first, last) = (vec!["curl", "go", "buf"], vec!["python"]);
        }
        last.sort_by_key(|name| READERS.iter().position(|reader| reader == name));
        findings.push(find(
            "duplicate",
            if differ { Severity::Error } else { Severity::Warning },
            at(&entries[0]),
            format!(
                "{} entries for `{machine}` (lines {}){}: {} take the first, {} the last; run `bsr registry login {domain}` to keep one",
                entries.len(),
                lines.join(", "),
                if differ { " with different credentials" } else { "" },
                names(&first),
                names(&last),
            ),
        ));
    }

    let own = named(domain.as_str()).into_iter().next();
    let own_token = own.as_ref().and_then(|e| e.password());
    let go = named(&go_machine).into_iter().next();
    match (&own_token, &go) {
        (Some(token), Some(go)) if go.password().as_ref() != Some(token) => {
            findings.push(find(
                "go_entry_differs",
                Severity::Error,
                at(go),
                format!(
                    "the `{go_machine}` entry holds a different token than `{domain}`'s, so the go command fetches modules with another credential; run `bsr registry login {domain}` to write both"
                ),
            ));
        }
        (Some(_), None) => {
            findings.push(find(
                "go_entry_missing",
                Severity::Warning,
                at(own.as_ref().expect("the token came from it")),
                format!(
                    "no `{go_machine}` entry, so the go command gets no token for {domain}'s Go module proxy; run `bsr registry login {domain}` to write both"
                ),
            ));
        }
        _ => {}
    }

    findings.extend(reader_findings(
        readings,
        doc,
        domain,
        credential.map(|c| &c.token),
        &|entry| at(entry),
    ));
    findings
}

/// The login and password a reader hands out for a host, if any.
type Handed<'a> = Option<(&'a [u8], &'a [u8])>;

/// The reader models' findings: a model that rejects the whole file, models that hand out
/// different credentials for the domain's machines, and any model that hands the token in
/// effect to a host whose entry does not hold it. `at` places an entry of `doc`.
fn reader_findings(
    readings: &[Reading],
    doc: &NetrcDocument,
    domain: &Domain,
    token: Option<&Token>,
    at: &dyn Fn(&EntryView<'_>) -> Location,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let accepted: Vec<(&'static str, &Reads)> = accepted(readings).collect();
    let rejecting: Vec<&str> = readings
        .iter()
        .filter(|(_, read)| read.is_err())
        .map(|(name, _)| *name)
        .collect();
    // The first entry of the file for a machine (`None`: the `default` entry).
    let entry_for = |name: Option<&[u8]>| {
        doc.entries_iter().find(|entry| match (entry.name(), name) {
            (Some(own), Some(name)) => own.eq_ignore_ascii_case(name),
            (None, None) => true,
            _ => false,
        })
    };
    let file = || {
        let mut location = at(&doc.entries_iter().next().expect("only called with entries"));
        location.line = None;
        location
    };
    if !rejecting.is_empty() && doc.entries_iter().next().is_some() {
        let shown: Vec<String> = rejecting.iter().map(|name| with_tools(name)).collect();
        findings.push(Finding {
            kind: "readers_reject",
            severity: Severity::Error,
            location: file(),
            message: format!(
                "{} {} the whole file, so those tools get no credentials from it at all; look for a keyword without a value or an unclosed quote, and fix it",
                names(&shown.iter().map(String::as_str).collect::<Vec<_>>()),
                if rejecting.len() == 1 { "rejects" } else { "reject" },
            ),
        });
    }
    let go_machine = domain.go_machine();
    for machine in [domain.as_str(), go_machine.as_str()] {
        // Tools ask for bare host names: a `host:port` machine is Buf's alone (the `host_port`
        // finding says so), and curl does not even keep one.
        if machine.contains(':') {
            continue;
        }
        // Two entries for the machine: the `duplicate` finding names who takes which.
        if doc
            .entries_iter()
            .filter(|e| {
                e.name()
                    .is_some_and(|n| n.eq_ignore_ascii_case(machine.as_bytes()))
            })
            .nth(1)
            .is_some()
        {
            continue;
        }
        // Models grouped by the password they hand out for the machine, and when they all
        // agree on it, the models that read a login grouped by login and password (`account`
        // is no BSR credential, and curl does not read it at all).
        let by_password = group(&accepted, machine, false);
        let on_password = by_password.len() > 1;
        let groups = if on_password {
            by_password
        } else {
            group(&accepted, machine, true)
        };
        // What bsr itself reads there, to say how the others differ from it.
        let own = entry_for(Some(machine.as_bytes()))
            .and_then(|entry| entry.password())
            .map(|token| token.expose().as_bytes().to_vec());
        let quoted = own.as_ref().map(|own| [&b"\""[..], own, b"\""].concat());
        if groups.len() < 2 {
            continue;
        }
        let parts: Vec<String> = groups
            .iter()
            .enumerate()
            .map(|(n, (creds, members))| {
                let what = match (creds, n) {
                    (None, _) => "nothing",
                    (Some(_), 0) if !on_password => "one login",
                    (Some(_), _) if !on_password => "a different login",
                    (Some((_, password)), _) if own.as_deref() == Some(*password) => {
                        "the password bsr reads"
                    }
                    (Some((_, password)), _) if quoted.as_deref() == Some(*password) => {
                        "the password bsr reads with its quotes as part of it"
                    }
                    (Some(_), 0) => "one password",
                    (Some(_), _) => "a different one",
                };
                let members: Vec<String> = members.iter().map(|name| with_tools(name)).collect();
                format!(
                    "{} {what}",
                    names(&members.iter().map(String::as_str).collect::<Vec<_>>())
                )
            })
            .collect();
        findings.push(Finding {
            kind: "readers_differ",
            severity: Severity::Error,
            location: entry_for(Some(machine.as_bytes()))
                .map_or_else(file, |entry| at(&entry)),
            message: format!(
                "netrc readers read `{machine}` differently: {}, so those tools send different credentials; run `bsr registry login {domain}` to rewrite the entry where every reader reads it alike",
                parts.join(", "),
            ),
        });
    }
    let Some(token) = token else {
        return findings;
    };
    // Where the file itself puts the token (the domain's entries, another registry the user
    // logged in to with the same token, a `default` the user wrote), a reader that hands it
    // out reads the file right; anywhere else it has misread the file.
    let meant = |name: Option<&[u8]>| {
        name.is_some_and(|name| {
            name.eq_ignore_ascii_case(domain.as_str().as_bytes())
                || name.eq_ignore_ascii_case(go_machine.as_bytes())
        }) || entry_for(name)
            .and_then(|entry| entry.password())
            .is_some_and(|own| own == *token)
    };
    let mut leaks: Vec<(Option<Vec<u8>>, Vec<&str>)> = Vec::new();
    for (model, reads) in &accepted {
        let holds = |creds: &Creds| creds.password.as_deref() == Some(token.expose().as_bytes());
        let mut hosts: Vec<Option<Vec<u8>>> = reads
            .machines
            .iter()
            .filter(|(name, creds)| holds(creds) && !meant(Some(name)))
            .map(|(name, _)| Some(name.clone()))
            .collect();
        if reads.default.as_ref().is_some_and(holds) && !meant(None) {
            hosts.push(None);
        }
        for host in hosts {
            match leaks.iter_mut().find(|(h, _)| *h == host) {
                Some((_, models)) => models.push(model),
                None => leaks.push((host, vec![model])),
            }
        }
    }
    for (host, models) in leaks {
        let shown = match &host {
            Some(name) => format!("`{}`", String::from_utf8_lossy(name)),
            None => "every host without an entry (as `default`)".to_owned(),
        };
        findings.push(Finding {
            kind: "token_elsewhere",
            severity: Severity::Error,
            location: entry_for(host.as_deref()).map_or_else(file, |entry| at(&entry)),
            message: format!(
                "{} {} the token for {domain} to {shown}, whose entry does not hold it: {} {} on into the next entry (a keyword without a value there, say); complete or remove that entry",
                names(&models.iter().map(|name| with_tools(name)).collect::<Vec<_>>().iter().map(String::as_str).collect::<Vec<_>>()),
                if models.len() == 1 { "hands" } else { "hand" },
                if models.len() == 1 { "it reads" } else { "they read" },
                if host.is_some() { "from there" } else { "from an entry before it" },
            ),
        });
    }
    findings
}

/// The readers in SPEC's order ("netrc file"), the order messages name them in.
const READERS: [&str; 10] = [
    "curl",
    "python",
    "go",
    "buf",
    "wget",
    "perl",
    "ruby",
    "uv",
    "jgit",
    "netrc-parser",
];

/// Buf hands out only the password (its bearer token) and never reads `login`, so its model
/// has none to compare.
const PASSWORD_ONLY: &[&str] = &["buf"];

/// The models in `accepted` grouped by what they hand out for `machine`: the password, or
/// (`with_login`) the login and password, of the models that read a login.
fn group<'a>(
    accepted: &[(&'static str, &'a Reads)],
    machine: &str,
    with_login: bool,
) -> Vec<(Handed<'a>, Vec<&'static str>)> {
    let mut groups: Vec<(Handed<'_>, Vec<&str>)> = Vec::new();
    for (name, reads) in accepted {
        if with_login && PASSWORD_ONLY.contains(name) {
            continue;
        }
        let creds = machine_only(reads, machine).map(|creds| {
            let login = creds.login.as_deref().filter(|_| with_login);
            (
                login.unwrap_or_default(),
                creds.password.as_deref().unwrap_or_default(),
            )
        });
        match groups.iter_mut().find(|(c, _)| *c == creds) {
            Some((_, members)) => members.push(name),
            None => groups.push((creds, vec![name])),
        }
    }
    groups
}

/// One reader model's reading of the whole netrc.
pub(super) type Reading = (&'static str, Result<Reads, Rejected>);

/// What every reader model makes of `doc`.
pub(super) fn read_with_models(doc: &NetrcDocument) -> Vec<Reading> {
    read_with(MODELS, doc)
}

fn read_with(models: &[Model], doc: &NetrcDocument) -> Vec<Reading> {
    models
        .iter()
        .map(|model| (model.name, (model.read)(doc.source())))
        .collect()
}

/// Of `readers`, those without a model in [`MODELS`], which findings name from what is known
/// of them.
fn unmodelled(readers: &[&'static str]) -> Vec<&'static str> {
    readers
        .iter()
        .copied()
        .filter(|reader| MODELS.iter().all(|model| model.name != *reader))
        .collect()
}

/// The models that accept the file, with their readings.
fn accepted(readings: &[Reading]) -> impl Iterator<Item = (&'static str, &Reads)> {
    readings
        .iter()
        .filter_map(|(name, read)| read.as_ref().ok().map(|reads| (*name, reads)))
}

/// What `reads` hands out for `machine` from a machine entry: a fallback to `default` is the
/// `default_entry` finding's business.
fn machine_only<'a>(reads: &'a Reads, machine: &str) -> Option<&'a Creds> {
    reads.get(machine.as_bytes()).filter(|creds| {
        !reads
            .default
            .as_ref()
            .is_some_and(|d| std::ptr::eq(*creds, d))
    })
}

/// A reader's name with the tools it serves (SPEC, "netrc file"): `curl (git, CMake)`.
fn with_tools(reader: &str) -> String {
    let tools = match reader {
        "curl" => "git, CMake",
        "python" => "pip, Poetry, httpx",
        "go" => "the go command",
        "buf" => "Buf",
        "perl" => "Net::Netrc",
        "ruby" => "the netrc gem",
        "jgit" => "Eclipse, Gradle",
        "netrc-parser" => "oclif, Heroku",
        _ => return reader.to_owned(),
    };
    format!("{reader} ({tools})")
}

/// `curl`, `curl and python`, `curl, go and python`.
fn names(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netrc::readers::{Lookup as ReadLookup, Reads, Rejected};

    fn reads(password: &str) -> Reads {
        let creds = |p: &str| Creds {
            login: Some(b"alice".to_vec()),
            password: Some(p.as_bytes().to_vec()),
            account: None,
        };
        Reads {
            machines: vec![
                (b"buf.build".to_vec(), creds(password)),
                (b"go.buf.build".to_vec(), creds("tok")),
                // The token in effect, handed to a host it does not belong to.
                (b"github.com".to_vec(), creds("tok")),
            ],
            default: None,
            lookup: ReadLookup {
                last_wins: false,
                ignore_case: false,
            },
        }
    }

    const FIRST: Model = Model {
        name: "first",
        read: |_| Ok(reads("tok")),
    };
    const SECOND: Model = Model {
        name: "second",
        read: |_| Ok(reads("tok")),
    };
    const OTHER: Model = Model {
        name: "other",
        read: |_| Ok(reads("something-else")),
    };
    const PICKY: Model = Model {
        name: "picky",
        read: |_| Err(Rejected),
    };

    fn findings(models: &[Model]) -> Vec<(&'static str, Option<usize>, String)> {
        let domain = Domain::parse("buf.build").unwrap();
        let doc = NetrcDocument::parse(
            b"machine buf.build login alice password tok\nmachine github.com login octocat password other\n".to_vec(),
        )
        .unwrap();
        let at = |entry: &EntryView<'_>| {
            let line = if entry.name().as_deref() == Some(&b"github.com"[..]) {
                2
            } else {
                1
            };
            Location::new(Path::new("n"), Some(line))
        };
        reader_findings(
            &read_with(models, &doc),
            &doc,
            &domain,
            Some(&Token::new("tok")),
            &at,
        )
        .into_iter()
        .map(|f| (f.kind, f.location.line, f.message))
        .collect()
    }

    #[test]
    fn models_that_agree_find_nothing_but_a_token_handed_elsewhere() {
        let found = findings(&[FIRST, SECOND]);
        assert_eq!(found.len(), 1, "{found:?}");
        let (kind, line, message) = &found[0];
        assert_eq!((*kind, *line), ("token_elsewhere", Some(2)));
        assert!(
            message.starts_with(
                "first and second hand the token for buf.build to `github.com`, whose entry does not hold it"
            ),
            "{message}"
        );
    }

    #[test]
    fn models_that_part_ways_or_reject_are_named() {
        let found = findings(&[FIRST, OTHER, SECOND, PICKY]);
        let kinds: Vec<_> = found.iter().map(|(kind, line, _)| (*kind, *line)).collect();
        assert_eq!(
            kinds,
            [
                ("readers_reject", None),
                ("readers_differ", Some(1)),
                ("token_elsewhere", Some(2))
            ]
        );
        assert!(
            found[0]
                .2
                .starts_with("picky rejects the whole file, so those tools get no credentials"),
            "{}",
            found[0].2
        );
        assert!(
            found[1].2.starts_with(
                "netrc readers read `buf.build` differently: first and second the password bsr reads, other a different one, so"
            ),
            "{}",
            found[1].2
        );
    }

    #[test]
    fn a_login_counts_only_among_the_readers_that_read_one() {
        let with_login = |login: &'static [u8]| Reads {
            machines: vec![(
                b"buf.build".to_vec(),
                Creds {
                    login: Some(login.to_vec()),
                    password: Some(b"tok".to_vec()),
                    account: None,
                },
            )],
            ..reads("tok")
        };
        let accepted = vec![
            ("first", with_login(b"alice")),
            // Buf's model never has a login: no difference.
            (
                "buf",
                Reads {
                    machines: vec![(
                        b"buf.build".to_vec(),
                        Creds {
                            password: Some(b"tok".to_vec()),
                            ..Creds::default()
                        },
                    )],
                    ..reads("tok")
                },
            ),
            ("second", with_login(b"alice")),
        ];
        assert_eq!(group(&borrowed(&accepted), "buf.build", false).len(), 1);
        assert_eq!(group(&borrowed(&accepted), "buf.build", true).len(), 1);
        let mut split = accepted;
        split[2].1 = with_login(b"bob");
        let groups = group(&borrowed(&split), "buf.build", true);
        let members: Vec<_> = groups.iter().map(|(_, m)| m.clone()).collect();
        assert_eq!(members, [vec!["first"], vec!["second"]]);
    }

    #[test]
    fn every_real_model_reads_a_file_bsr_writes_alike() {
        let doc = NetrcDocument::parse(
            b"machine buf.build\n  login alice\n  password tok\nmachine go.buf.build\n  login alice\n  password tok\n".to_vec(),
        )
        .unwrap();
        let domain = Domain::parse("buf.build").unwrap();
        let at = |_: &EntryView<'_>| Location::new(Path::new("n"), Some(1));
        let found = reader_findings(
            &read_with_models(&doc),
            &doc,
            &domain,
            Some(&Token::new("tok")),
            &at,
        );
        assert!(found.is_empty(), "{found:?}");
    }

    fn borrowed<'a>(all: &'a [(&'static str, Reads)]) -> Vec<(&'static str, &'a Reads)> {
        all.iter().map(|(name, reads)| (*name, reads)).collect()
    }
}
