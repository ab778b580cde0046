//! `bsr registry status [domain ...] [--all] [--offline] [--format text|json]`: which credential
//! is in effect for each domain, where it came from and what it shadows, whether the registry
//! takes it, what in the netrc will make some tool read it differently, and which other tools
//! hold a copy of it. Read-only: it never writes a file.
//!
//! The credential is resolved exactly as whoami resolves it (`credentials::resolve`), and the
//! registry is asked with whoami's call, once per domain, with that domain's own token only.
//! What `token`, `exec` and the credential helpers would hand over instead is asked of their
//! own resolver (`handover::Credentials`), never worked out again here.

use std::collections::HashSet;
use std::io;
use std::path::Path;

use serde::Serialize;

mod findings;
mod text;

use super::CommandError;
use crate::commands::handover::Credentials;
use crate::commands::whoami::Format;
use crate::console::{Console, Stopped};
use crate::copies::{Held, ToolFiles};
use crate::credentials::{self, BufToken, Credential, NetrcEntry, Resolution, Source};
use crate::domain::{DEFAULT_DOMAIN, Domain};
use crate::netrc::{EntryView, Lookup, NetrcDocument};
use crate::registry::{ClientOptions, Registry, RegistryError};
use crate::secret::Token;
use crate::store::{NetrcFile, StoreError};

/// What was asked.
#[derive(Debug, Clone)]
pub struct StatusRequest {
    /// The domains named on the command line, validated.
    pub domains: Vec<Domain>,
    /// `--all`: add every remote of a multi-remote `BUF_TOKEN` and every BSR machine of the
    /// netrc.
    pub all: bool,
    pub format: Format,
}

/// What status reads.
pub struct StatusInputs<'a> {
    pub buf_token: &'a BufToken,
    pub netrc: &'a NetrcFile,
    /// The registry client's settings; `None` with `--offline` (no registry is asked).
    pub client: Option<&'a ClientOptions>,
    pub tools: &'a ToolFiles,
}

/// Reports on every domain asked about and ends with `gh auth status`'s exit codes: `Ok` when
/// every credential checks out, [`CommandError::Status`] (4 or 1) otherwise.
pub fn status(
    request: &StatusRequest,
    inputs: &StatusInputs<'_>,
    console: &mut Console,
) -> Result<(), CommandError> {
    let netrc = NetrcState::load(inputs.netrc);
    let domains = domains(request, inputs.buf_token, &netrc);
    // What the handover commands would hand out, from the reading above (an unreadable file is
    // left to them to read and refuse, as they would).
    let handover = match &netrc {
        NetrcState::Read { doc, .. } => {
            Credentials::with_document(inputs.buf_token, inputs.netrc, Some(doc))
        }
        NetrcState::Missing => Credentials::with_document(inputs.buf_token, inputs.netrc, None),
        NetrcState::Unreadable { .. } => Credentials::new(inputs.buf_token, inputs.netrc),
    };
    // `--timeout` bounds the whole command (the console's deadline), however many domains are
    // asked about: once it has passed, the rest are not asked.
    let mut timed_out = false;
    let mut reports: Vec<DomainReport> = Vec::with_capacity(domains.len());
    for domain in &domains {
        let report = report(domain, inputs, &netrc, &handover, console, timed_out)?;
        timed_out |= matches!(
            report.verdict,
            Some(Verdict::Unreachable {
                timed_out: true,
                ..
            })
        );
        reports.push(report);
    }
    let code = exit_code(&reports);
    let text = match request.format {
        Format::Text => text::render_text(&reports),
        Format::Json => {
            let json = serde_json::to_string(&JsonReport {
                domains: &reports,
                exit_code: code,
            })
            .map_err(|e| CommandError::Output(io::Error::other(e)))?;
            format!("{json}\n")
        }
    };
    let out = console.out();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        // A reader that went away (or a stdout closed from the start) has what it wanted: the
        // work is done and the output is its report, which SPEC counts as success, silently.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(()),
        Err(e) => return Err(CommandError::Report(e)),
        Ok(()) => {}
    }
    if code == 0 {
        return Ok(());
    }
    let troubled: Vec<String> = reports
        .iter()
        .filter_map(|r| r.trouble().map(|why| format!("{} ({why})", r.domain)))
        .collect();
    Err(CommandError::Status {
        code,
        summary: troubled.join(", "),
    })
}

/// The domains to report on, in order, each once: those named, then (`--all`) the remotes of
/// a multi-remote `BUF_TOKEN` and the netrc machines that have a `go.` sibling or are
/// `buf.build`; `buf.build` when that leaves none.
fn domains(request: &StatusRequest, buf_token: &BufToken, netrc: &NetrcState) -> Vec<Domain> {
    let mut domains: Vec<Domain> = request.domains.clone();
    if request.all {
        if let BufToken::PerRemote(pairs) = buf_token {
            domains.extend(
                pairs
                    .iter()
                    .filter_map(|(remote, _)| Domain::parse(remote).ok()),
            );
        }
        if let NetrcState::Read { doc, .. } = netrc {
            let names: Vec<String> = doc
                .entries_iter()
                .filter_map(|entry| entry.name())
                .filter_map(|name| String::from_utf8(name.into_owned()).ok())
                .collect();
            let known: HashSet<&str> = names.iter().map(String::as_str).collect();
            for name in &names {
                let is_bsr =
                    name == DEFAULT_DOMAIN || known.contains(format!("go.{name}").as_str());
                if is_bsr && let Ok(domain) = Domain::parse(name) {
                    domains.push(domain);
                }
            }
        }
    }
    if domains.is_empty() {
        domains.push(Domain::parse(DEFAULT_DOMAIN).expect("the default domain is valid"));
    }
    let mut seen = HashSet::new();
    domains.retain(|domain| seen.insert(domain.as_str().to_owned()));
    domains
}

/// The netrc as status sees it: read once for every domain.
enum NetrcState {
    Missing,
    Read {
        doc: NetrcDocument,
        mode: Option<u32>,
        /// Offsets of the line ends, for line numbers.
        newlines: Vec<usize>,
        /// What each reader model makes of the file, read once for every domain.
        readings: Vec<findings::Reading>,
    },
    /// Cannot be read or parsed; the line where parsing stopped, if that was the trouble.
    Unreadable {
        line: Option<usize>,
        message: String,
    },
}

impl NetrcState {
    fn load(file: &NetrcFile) -> NetrcState {
        match file.read_with_mode() {
            Ok(None) => NetrcState::Missing,
            Ok(Some((doc, mode))) => {
                let newlines = doc
                    .source()
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| **b == b'\n')
                    .map(|(i, _)| i)
                    .collect();
                NetrcState::Read {
                    readings: findings::read_with_models(&doc),
                    doc,
                    mode,
                    newlines,
                }
            }
            Err(StoreError::Syntax { source, .. }) => NetrcState::Unreadable {
                line: Some(source.line),
                message: format!(
                    "cannot be read (column {}: {}); bsr takes no credential from it and other tools may read it differently, so fix that line",
                    source.column, source.message
                ),
            },
            Err(e) => NetrcState::Unreadable {
                line: None,
                message: format!("cannot be read: {e}"),
            },
        }
    }

    fn line_of(&self, entry: &EntryView<'_>) -> Option<usize> {
        let NetrcState::Read { doc, newlines, .. } = self else {
            return None;
        };
        let offset = doc.entry_offset(entry)?;
        Some(1 + newlines.partition_point(|&n| n < offset))
    }
}

/// Where a credential lives, as the report names it.
#[derive(Debug, Clone, Serialize)]
struct Location {
    path: String,
    line: Option<usize>,
}

impl Location {
    fn new(path: &Path, line: Option<usize>) -> Location {
        Location {
            path: path.display().to_string(),
            line,
        }
    }

    fn shown(&self) -> String {
        match self.line {
            Some(line) => format!("{}:{line}", self.path),
            None => self.path.clone(),
        }
    }
}

/// The credential in effect.
#[derive(Debug, Serialize)]
#[serde(tag = "source")]
enum InEffect {
    /// From `BUF_TOKEN`; `form` is `single` (one token for every registry) or `per_remote`.
    #[serde(rename = "BUF_TOKEN")]
    BufToken {
        form: &'static str,
        fingerprint: String,
    },
    #[serde(rename = "netrc")]
    Netrc {
        #[serde(flatten)]
        location: Location,
        login: Option<String>,
        fingerprint: String,
    },
}

impl InEffect {
    fn short(&self) -> String {
        match self {
            InEffect::BufToken { .. } => "BUF_TOKEN".to_owned(),
            InEffect::Netrc { location, .. } => location.shown(),
        }
    }
}

/// A netrc entry the credential in effect shadows.
#[derive(Debug, Serialize)]
struct Shadowed {
    #[serde(flatten)]
    location: Location,
    fingerprint: String,
    same_token: bool,
}

/// The registry's word on the token.
#[derive(Debug, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
enum Verdict {
    Valid {
        username: String,
    },
    Rejected,
    Unreachable {
        cause: String,
        /// The command's deadline (`--timeout`) passed.
        #[serde(skip)]
        timed_out: bool,
    },
    /// The registry answered, but with an error other than a rejection.
    Error {
        cause: String,
    },
    /// A 200 without a user.
    NoUser,
    /// `--offline`.
    NotChecked,
}

impl Verdict {
    fn shown(&self) -> String {
        match self {
            Verdict::Valid { username } => format!("valid ({username})"),
            Verdict::Rejected => "rejected".to_owned(),
            Verdict::Unreachable { cause, .. } => format!("unreachable: {cause}"),
            Verdict::Error { cause } => format!("error: {cause}"),
            Verdict::NoUser => "no user (the registry accepted the token but named no user)".into(),
            Verdict::NotChecked => "not checked (--offline)".to_owned(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Severity {
    /// Some tool gets a different credential than the one in effect, or none can be told.
    Error,
    Warning,
}

/// One thing found about the netrc or another tool's file, with the fix.
#[derive(Debug, Serialize)]
struct Finding {
    kind: &'static str,
    severity: Severity,
    #[serde(flatten)]
    location: Location,
    message: String,
}

/// Another tool's copy of a token for the domain.
#[derive(Debug, Serialize)]
struct CopyReport {
    tool: &'static str,
    #[serde(flatten)]
    location: Location,
    key: String,
    /// `same`, `different`, `placeholder`, or `unchecked` (no credential in effect).
    #[serde(rename = "match")]
    matches: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    placeholder: Option<String>,
}

/// Everything status says about one domain.
#[derive(Debug, Serialize)]
struct DomainReport {
    domain: String,
    /// `ok`, `not_logged_in` (exit 4) or `error` (exit 1).
    state: &'static str,
    credential: Option<InEffect>,
    /// The netrc could not be read, so whether it holds a credential is unknown.
    #[serde(skip)]
    unknown: bool,
    /// The `default` entry that is deliberately not used, when it is all the netrc has.
    #[serde(skip)]
    only_default: Option<Location>,
    shadows: Vec<Shadowed>,
    username: Option<String>,
    /// `registry` (the verdict) or `netrc` (the entry's login, not checked).
    username_from: Option<&'static str>,
    verdict: Option<Verdict>,
    findings: Vec<Finding>,
    copies: Vec<CopyReport>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    domains: &'a [DomainReport],
    exit_code: u8,
}

impl DomainReport {
    fn not_logged_in(&self) -> bool {
        !self.unknown
            && (self.credential.is_none() || matches!(self.verdict, Some(Verdict::Rejected)))
    }

    /// Why this domain does not check out, in a few words; `None` when it does.
    fn trouble(&self) -> Option<String> {
        if self.unknown {
            return Some("the netrc cannot be read".to_owned());
        }
        if self.credential.is_none() {
            return Some("no credential".to_owned());
        }
        match &self.verdict {
            Some(Verdict::Rejected) => return Some("rejected".to_owned()),
            Some(Verdict::Unreachable {
                timed_out: true, ..
            }) => return Some("timed out".to_owned()),
            Some(Verdict::Unreachable { .. }) => return Some("unreachable".to_owned()),
            Some(Verdict::Error { .. }) => return Some("not checked: registry error".to_owned()),
            Some(Verdict::NoUser) => return Some("no user".to_owned()),
            _ => {}
        }
        let errors = self
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        match errors {
            0 => None,
            1 => Some("an error in the findings".to_owned()),
            n => Some(format!("{n} errors in the findings")),
        }
    }
}

/// `gh auth status`'s codes: 4 when a domain has no credential or it was rejected, else 1 for
/// any other trouble, else 0.
fn exit_code(reports: &[DomainReport]) -> u8 {
    if reports.iter().any(DomainReport::not_logged_in) {
        4
    } else if reports.iter().any(|r| r.trouble().is_some()) {
        1
    } else {
        0
    }
}

fn report(
    domain: &Domain,
    inputs: &StatusInputs<'_>,
    netrc: &NetrcState,
    handover: &Credentials<'_>,
    console: &Console,
    timed_out: bool,
) -> Result<DomainReport, CommandError> {
    let path = inputs.netrc.path();
    // The netrc's entry, exactly as whoami looks it up; an unreadable netrc holds nothing
    // usable, which `unknown` records.
    let netrc_entry = || -> Result<NetrcEntry, ()> {
        match netrc {
            NetrcState::Read { doc, .. } => Ok(credentials::netrc_entry(Some(doc), domain)),
            NetrcState::Missing => Ok(NetrcEntry::None),
            NetrcState::Unreadable { .. } => Err(()),
        }
    };
    let resolution = credentials::resolve(inputs.buf_token, domain, netrc_entry, path);
    let doc = match netrc {
        NetrcState::Read { doc, .. } => Some(doc),
        _ => None,
    };
    // The entry for exactly this machine (the one Buf reads), with its line.
    let own_entry = doc.and_then(|doc| match doc.lookup(domain.as_str()) {
        Lookup::Machine(entry) => Some(entry),
        _ => None,
    });
    let own_location = own_entry
        .as_ref()
        .map(|entry| Location::new(path, netrc.line_of(entry)));

    let mut report = DomainReport {
        domain: domain.to_string(),
        state: "ok",
        credential: None,
        unknown: false,
        only_default: None,
        shadows: Vec::new(),
        username: None,
        username_from: None,
        verdict: None,
        findings: Vec::new(),
        copies: Vec::new(),
    };
    let mut unsendable = None;
    let credential: Option<Credential> = match resolution {
        Ok(Resolution::Found(credential)) => Some(credential),
        Ok(Resolution::OnlyDefault) => {
            report.only_default = doc.and_then(|doc| {
                doc.entries_iter()
                    .find(|e| e.name().is_none())
                    .map(|e| Location::new(path, netrc.line_of(&e)))
            });
            None
        }
        Ok(Resolution::NotFound) => None,
        // Nothing to check with the registry: no header can carry it. Like no credential (exit
        // 4: `bsr registry login` replaces the entry), with the entry's line as the reason.
        Ok(Resolution::Unsendable { path, line }) => {
            unsendable = Some(Finding {
                kind: "unsendable_password",
                severity: Severity::Error,
                location: Location::new(&path, line),
                message: format!(
                    "the password for {domain} contains a control character or whitespace, so it cannot be sent to the registry; fix that entry, or run `bsr registry login {domain}` to replace it"
                ),
            });
            None
        }
        Err(()) => {
            report.unknown = true;
            None
        }
    };

    if let Some(credential) = &credential {
        let fingerprint = credential.token.fingerprint();
        report.credential = Some(match &credential.source {
            Source::BufToken => InEffect::BufToken {
                form: match inputs.buf_token {
                    BufToken::PerRemote(_) => "per_remote",
                    _ => "single",
                },
                fingerprint,
            },
            Source::Netrc(_) => InEffect::Netrc {
                location: own_location
                    .clone()
                    .unwrap_or_else(|| Location::new(path, None)),
                login: own_entry
                    .as_ref()
                    .and_then(|e| e.login())
                    .map(|l| String::from_utf8_lossy(&l).into_owned())
                    .filter(|l| !l.is_empty()),
                fingerprint,
            },
        });
        if credential.source == Source::BufToken
            && let (Some(entry), Some(location)) = (&own_entry, &own_location)
            && let Some(shadowed) = entry.password()
        {
            report.shadows.push(Shadowed {
                location: location.clone(),
                fingerprint: shadowed.fingerprint(),
                same_token: shadowed == credential.token,
            });
        }
        report.verdict = Some(match inputs.client {
            None => Verdict::NotChecked,
            Some(_) if timed_out => Verdict::Unreachable {
                cause: "not asked: the time --timeout gives the whole command ran out".to_owned(),
                timed_out: true,
            },
            Some(client) => verdict(domain, &credential.token, client, console)?,
        });
        match (&report.verdict, &report.credential) {
            (Some(Verdict::Valid { username }), _) => {
                report.username = Some(username.clone());
                report.username_from = Some("registry");
            }
            (
                Some(Verdict::NotChecked),
                Some(InEffect::Netrc {
                    login: Some(login), ..
                }),
            ) => {
                report.username = Some(login.clone());
                report.username_from = Some("netrc");
            }
            _ => {}
        }
    }

    report.findings = findings::netrc_findings(domain, path, netrc, credential.as_ref());
    report.findings.extend(unsendable);
    if let Some(credential) = &credential {
        report.findings.extend(handover_finding(
            domain,
            credential,
            handover,
            &own_location,
        ));
    }
    let token = credential.as_ref().map(|c| &c.token);
    let (copies, unreadable) = inputs.tools.copies(domain);
    for unreadable in unreadable {
        report.findings.push(Finding {
            kind: "unreadable_copy",
            severity: Severity::Warning,
            location: Location::new(&unreadable.path, None),
            message: format!(
                "cannot be read ({}), so its copies of tokens were not compared; fix or remove it",
                unreadable.reason
            ),
        });
    }
    report.copies = copies
        .into_iter()
        .map(|copy| {
            let (matches, placeholder) = match (&copy.held, token) {
                (Held::Placeholder(names), _) => ("placeholder", Some(names.clone())),
                (Held::Token(_), None) => ("unchecked", None),
                (Held::Token(held), Some(token)) if held == token => ("same", None),
                (Held::Token(_), Some(_)) => ("different", None),
            };
            CopyReport {
                tool: copy.tool.name(),
                location: Location::new(&copy.path, Some(copy.line)),
                key: copy.key,
                matches,
                placeholder,
            }
        })
        .collect();
    report.state = if report.not_logged_in() {
        "not_logged_in"
    } else if report.trouble().is_some() {
        "error"
    } else {
        "ok"
    };
    Ok(report)
}

/// Where `token`, `exec` and the credential helpers hand npm, cargo and git something else
/// than the credential Buf sends (`handover.rs` resolves it; this only compares): a single-token
/// `BUF_TOKEN`, which they keep for buf.build, or a token they cannot hand over at all.
fn handover_finding(
    domain: &Domain,
    credential: &Credential,
    handover: &Credentials<'_>,
    own_location: &Option<Location>,
) -> Option<Finding> {
    let buf_token = || Location {
        path: "BUF_TOKEN".to_owned(),
        line: None,
    };
    let single = "`bsr registry token`, `exec` and the credential helpers hand a single-token BUF_TOKEN only to buf.build, so the tools they serve (npm, cargo, git) get";
    let name_it =
        format!("name the remote (BUF_TOKEN=<token>@{domain}) to give every tool the same token");
    let (location, message) = match handover.find(domain) {
        // The netrc cannot be read: its own finding says so.
        Err(CommandError::UnreadableNetrc { .. } | CommandError::Store(_)) => return None,
        Err(CommandError::UnsendableToken { .. }) => (
            own_location.clone().unwrap_or_else(buf_token),
            format!(
                "the token contains white space or a control character, which `bsr registry token`, `exec` and the credential helpers refuse to hand over; run `bsr registry login {domain}` to replace it"
            ),
        ),
        Err(_) => return None,
        Ok(Ok(handed)) if handed.token == credential.token => return None,
        Ok(Ok(_)) => (
            buf_token(),
            format!(
                "{single} the netrc entry at {} instead, a different token; {name_it}",
                own_location
                    .as_ref()
                    .map_or_else(String::new, Location::shown)
            ),
        ),
        Ok(Err(_)) => (
            buf_token(),
            format!("{single} nothing for {domain}; {name_it}"),
        ),
    };
    Some(Finding {
        kind: "handover_differs",
        severity: Severity::Warning,
        location,
        message,
    })
}

/// One `GetCurrentUser` call to `domain` with `domain`'s token, as whoami makes it. Ctrl-C
/// (SIGTERM, SIGHUP) ends the command; every other failure is the verdict.
fn verdict(
    domain: &Domain,
    token: &Token,
    client: &ClientOptions,
    console: &Console,
) -> Result<Verdict, CommandError> {
    let answer =
        Registry::new(domain, client).and_then(|registry| registry.user_info(token, console));
    Ok(match answer {
        Ok(Some(user)) => Verdict::Valid {
            username: user.username.to_string(),
        },
        Ok(None) => Verdict::NoUser,
        Err(RegistryError::Rejected { .. }) => Verdict::Rejected,
        Err(RegistryError::Unreachable { reason, .. }) => Verdict::Unreachable {
            cause: reason,
            timed_out: false,
        },
        Err(RegistryError::Stopped(stopped @ Stopped::TimedOut { .. })) => Verdict::Unreachable {
            cause: stopped.to_string(),
            timed_out: true,
        },
        Err(RegistryError::Stopped(stopped)) => return Err(stopped.into()),
        Err(other) => Verdict::Error {
            cause: other.to_string(),
        },
    })
}
