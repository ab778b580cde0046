//! The netrc engine on whole files: before/after fixtures, other readers' view of what we
//! write, and properties over generated files.

use std::fs;
use std::path::Path;

use bsr::netrc::{EditError, Lookup, NetrcDocument};
use bsr::secret::Token;
use proptest::prelude::*;

use crate::support::deep;
use crate::support::fixtures::{fixtures, login, logout, outcome, try_login, try_logout};
use crate::support::readers::{BSR_MACHINES, TOKEN, USER};

const MACHINES: [&str; 2] = BSR_MACHINES;

/// Compares with `<fixture>.<suffix>`; `BLESS=1` writes the file instead (review the diff).
fn check_expected(fixture: &Path, suffix: &str, actual: &[u8]) {
    let expected_path = fixture.with_extension(format!("netrc.{suffix}"));
    if std::env::var_os("BLESS").is_some() {
        fs::write(&expected_path, actual).unwrap();
        return;
    }
    let expected = fs::read(&expected_path)
        .unwrap_or_else(|_| panic!("{} is missing; run with BLESS=1", expected_path.display()));
    assert_eq!(
        String::from_utf8_lossy(actual),
        String::from_utf8_lossy(&expected),
        "{}",
        expected_path.display()
    );
    assert_eq!(actual, expected, "{}", expected_path.display());
}

#[test]
fn unedited_fixtures_render_byte_for_byte() {
    for fixture in fixtures() {
        let bytes = fs::read(&fixture).unwrap();
        let doc = NetrcDocument::parse(bytes.clone()).unwrap();
        assert_eq!(doc.render(), bytes, "{}", fixture.display());
    }
}

#[test]
fn fixtures_after_login_and_logout() {
    for fixture in fixtures() {
        let before = fs::read(&fixture).unwrap();
        let after_login = try_login(&before);
        check_expected(&fixture, "login", &outcome(&after_login));
        check_expected(&fixture, "logout", &outcome(&try_logout(&before)));
        // A refused login leaves nothing more to check.
        let Ok(after_login) = after_login else {
            continue;
        };
        // Logging in twice changes nothing; logging out after logging in leaves no BSR entry.
        assert_eq!(login(&after_login), after_login, "{}", fixture.display());
        let doc = NetrcDocument::parse(logout(&after_login)).unwrap();
        for machine in MACHINES {
            assert!(!matches!(doc.lookup(machine), Lookup::Machine(_)));
        }
    }
}

#[test]
fn netrc_rs_reads_what_we_meant_to_write() {
    let mut checked = 0;
    for fixture in fixtures() {
        let before = fs::read(&fixture).unwrap();
        let Ok(text) = String::from_utf8(before.clone()) else {
            continue;
        };
        if netrc_rs::Netrc::parse(&text, true).is_err() {
            continue;
        }
        let after = String::from_utf8(login(&before)).unwrap();
        let parsed = netrc_rs::Netrc::parse(&after, true)
            .unwrap_or_else(|e| panic!("{}: netrc-rs fails after edit: {e:?}", fixture.display()));
        for machine in MACHINES {
            let found: Vec<_> = parsed
                .machines
                .iter()
                .filter(|m| m.name.as_deref() == Some(machine))
                .collect();
            assert_eq!(found.len(), 1, "{} {machine}", fixture.display());
            assert_eq!(
                found[0].login.as_deref(),
                Some(USER),
                "{}",
                fixture.display()
            );
            assert_eq!(
                found[0].password.as_deref(),
                Some(TOKEN),
                "{}",
                fixture.display()
            );
        }
        checked += 1;
    }
    assert!(checked >= 8, "netrc-rs could read only {checked} fixtures");
}

/// Netrc-shaped text: keywords, names, values, comments and separators in any order.
fn netrc_text() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(&b"machine"[..]),
        Just(&b"default"[..]),
        Just(&b"login"[..]),
        Just(&b"password"[..]),
        Just(&b"account"[..]),
        Just(&b"macdef"[..]),
        Just(&b"buf.build"[..]),
        Just(&b"go.buf.build"[..]),
        Just(&b"example.com"[..]),
        Just(&b"x"[..]),
        Just(&b"#"[..]),
        Just(&b"# a comment"[..]),
        Just(&b"\"quoted \\\" value\""[..]),
        Just(&b"caf\xe9"[..]),
        Just(&b" "[..]),
        Just(&b"\t"[..]),
        Just(&b"\n"[..]),
        Just(&b"\r\n"[..]),
        Just(&b"\n\n"[..]),
        // What other readers disagree on: `#`-leading values, keywords without values, NUL
        // and other control bytes next to values, quoted keywords.
        Just(&b"#log"[..]),
        Just(&b"login #x"[..]),
        Just(&b"password\n"[..]),
        Just(&b"\0"[..]),
        Just(&b"x\x01"[..]),
        Just(&b"\"password\""[..]),
        Just(&b"\"p\"\0"[..]),
        // Whole phrases, so that entries for the edited machine with quoted values, and entries
        // after `default`, are common.
        Just(&b"default login d password d\nmachine buf.build login o password p\n"[..]),
        Just(&b"machine buf.build login #x password"[..]),
        Just(&b"machine buf.build"[..]),
        Just(&b"login \"q u\""[..]),
        Just(&b"password \"p w\""[..]),
        Just(&b"login x"[..]),
        Just(&b"password y"[..]),
    ];
    // `glue` sometimes leaves out the separator, as in `"quoted"next` (a fuzzer find).
    prop::collection::vec((piece, prop::bool::weighted(0.1)), 0..60).prop_map(|pieces| {
        let mut text = Vec::new();
        for (piece, glue) in pieces {
            let needs_space = !glue
                && !text.is_empty()
                && !matches!(text.last(), Some(b' ' | b'\t' | b'\n'))
                && !matches!(piece[0], b' ' | b'\t' | b'\n' | b'\r');
            if needs_space {
                text.push(b' ');
            }
            text.extend_from_slice(piece);
        }
        text
    })
}

fn any_text() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![netrc_text(), prop::collection::vec(any::<u8>(), 0..200)]
}

/// Every entry other than `machine`'s, as (name, login, password, account).
type View = Vec<(
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Option<String>,
    Option<Vec<u8>>,
)>;

/// Every entry but `machine`'s, and but those named in `unsettled`.
fn others(doc: &NetrcDocument, machine: &str, unsettled: &[Option<Vec<u8>>]) -> View {
    doc.entries_iter()
        .filter(|e| e.name().as_deref() != Some(machine.as_bytes()))
        .filter(|e| !unsettled.contains(&e.name().map(|n| n.into_owned())))
        .map(|e| {
            (
                e.name().map(|n| n.into_owned()),
                e.login().map(|l| l.into_owned()),
                e.password().map(|p| p.expose().to_owned()),
                e.account().map(|a| a.into_owned()),
            )
        })
        .collect()
}

/// The entries whose last keyword has no value right before an entry for `machine`: whatever
/// follows becomes that value once `machine`'s entry moves or goes (curl and Python took
/// `machine` itself as the value before), so no edit keeps their reading.
fn unsettled(doc: &NetrcDocument, machine: &str) -> Vec<Option<Vec<u8>>> {
    let entries: Vec<_> = doc.entries_iter().collect();
    entries
        .windows(2)
        .filter(|pair| {
            pair[0].awaits_value() && pair[1].name().as_deref() == Some(machine.as_bytes())
        })
        .map(|pair| pair[0].name().map(|n| n.into_owned()))
        .collect()
}

/// Sets buf.build, or returns `false` where the file leaves no place every reader agrees on
/// (generated junk can do that); the document must then be unchanged.
fn set(doc: &mut NetrcDocument, token: &str) -> bool {
    let before = doc.render();
    match doc.set_machine("buf.build", USER, &Token::new(token)) {
        Ok(()) => true,
        Err(EditError::NoSafePlace(_) | EditError::Entangled(_) | EditError::Disagreement(_)) => {
            assert_eq!(doc.render(), before, "a failed edit changed the document");
            false
        }
        Err(other) => panic!("{other}"),
    }
}

/// `after` is `before` with nothing but line-break bytes (at most four: the one that keeps a
/// new entry off the previous token, or the empty line that closes a macro) inserted at one
/// place.
fn only_line_breaks_inserted(before: &[u8], after: &[u8]) -> bool {
    if after.len() < before.len() || after.len() - before.len() > 4 {
        return false;
    }
    let prefix = before.iter().zip(after).take_while(|(x, y)| x == y).count();
    let inserted = after.len() - before.len();
    after[..prefix] == before[..prefix]
        && after[prefix + inserted..] == before[prefix..]
        && after[prefix..prefix + inserted]
            .iter()
            .all(|&c| c == b'\n' || c == b'\r')
}

/// Whether `after` is `before` with some bytes deleted and line breaks inserted: nothing
/// foreign came in.
fn only_deleted_or_line_breaks(before: &[u8], after: &[u8]) -> bool {
    let mut rest = before.iter();
    after.iter().all(|&b| b == b'\n' || rest.any(|&a| a == b))
}

#[test]
fn line_break_check_is_strict() {
    assert!(only_line_breaks_inserted(b"a b", b"a \nb"));
    assert!(only_line_breaks_inserted(b"ab", b"ab"));
    assert!(!only_line_breaks_inserted(b"a b", b"a \nc"));
    assert!(!only_line_breaks_inserted(b"a b", b"a x b"));
    assert!(!only_line_breaks_inserted(b"a b", b"a b\n\n\n\n\n"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(deep::proptest_cases()))]

    #[test]
    fn render_of_parse_is_identity(text in any_text()) {
        if let Ok(doc) = NetrcDocument::parse(text.clone()) {
            prop_assert_eq!(doc.render(), text);
        }
    }

    #[test]
    fn set_changes_only_the_edited_entry(text in netrc_text()) {
        let Ok(doc) = NetrcDocument::parse(text.clone()) else { return Ok(()) };
        let mut edited = doc.clone();
        if !set(&mut edited, "tok1") {
            return Ok(());
        }
        let rendered = edited.render();
        let reparsed = NetrcDocument::parse(rendered.clone()).expect("our output parses");
        // As bsr reads the file, the other machines read as before, unless every reader model
        // took the edit (which they judge, as SPEC asks) while bsr's own reading of a machine
        // of the BSR domain or of a file the models refuse moved.
        let unsettled = unsettled(&doc, "buf.build");
        let bsr_domain = |view: View| -> View {
            view.into_iter()
                .filter(|(name, ..)| name.as_deref() != Some(&b"go.buf.build"[..]))
                .collect()
        };
        let accepted_by_all = bsr::netrc::readers::MODELS
            .iter()
            .all(|m| (m.read)(&text).is_ok());
        if accepted_by_all {
            prop_assert_eq!(
                bsr_domain(others(&reparsed, "buf.build", &unsettled)),
                bsr_domain(others(&doc, "buf.build", &unsettled))
            );
        }
        let Lookup::Machine(entry) = reparsed.lookup("buf.build") else {
            return Err(TestCaseError::fail("buf.build is missing after set"));
        };
        prop_assert_eq!(entry.login().map(|l| l.into_owned()), Some(USER.as_bytes().to_vec()));
        prop_assert_eq!(entry.password().map(|p| p.expose().to_owned()), Some("tok1".to_owned()));

        // Bytes: with buf.build removed from both, the only differences allowed are the line
        // break that keeps a new entry off the previous token; where one of the removals had to
        // drop comments (a reader would read one left alone as words), what is left is the
        // original file with bytes taken out and line breaks put in.
        let mut a = doc.clone();
        let mut b = edited.clone();
        // (Either removal may be refused where a reader would read another machine differently
        // without it; a refusal changes nothing.)
        if a.remove_machine("buf.build").is_ok() && b.remove_machine("buf.build").is_ok() {
            prop_assert!(
                only_line_breaks_inserted(&a.render(), &b.render())
                    || only_deleted_or_line_breaks(&text, &b.render())
            );
        }
    }

    #[test]
    fn set_then_remove_leaves_the_original(text in netrc_text()) {
        let Ok(doc) = NetrcDocument::parse(text.clone()) else { return Ok(()) };
        if !matches!(doc.lookup("buf.build"), Lookup::Machine(_)) {
            let mut edited = doc.clone();
            if !set(&mut edited, "tok1") {
                return Ok(());
            }
            // A removal may be refused where the new entry let a reader read another machine
            // as the file writes it, and taking it out would undo that; a refusal changes
            // nothing.
            let set_once = edited.render();
            match edited.remove_machine("buf.build") {
                Ok(n) => {
                    prop_assert_eq!(n, 1);
                    prop_assert!(only_line_breaks_inserted(&text, &edited.render()));
                }
                Err(_) => prop_assert_eq!(edited.render(), set_once),
            }
        }
    }

    #[test]
    fn set_is_idempotent(text in netrc_text()) {
        // On a file some reader refuses, bsr's own reading of its output may hold entries the
        // first edit did not see (and a second edit then tidies); where every reader model
        // takes the file, a second login writes nothing.
        if !bsr::netrc::readers::MODELS.iter().all(|m| (m.read)(&text).is_ok()) {
            return Ok(());
        }
        let Ok(mut doc) = NetrcDocument::parse(text) else { return Ok(()) };
        if !set(&mut doc, "tok1") {
            return Ok(());
        }
        let once = doc.render();
        prop_assert!(set(&mut doc, "tok1"), "a second set found no place");
        prop_assert_eq!(doc.render(), once.clone());
        let mut reparsed = NetrcDocument::parse(once.clone()).unwrap();
        prop_assert!(set(&mut reparsed, "tok1"));
        prop_assert!(!reparsed.is_modified());
        prop_assert_eq!(reparsed.rendered_len(), once.len());
        prop_assert_eq!(reparsed.render(), once);
    }
}
