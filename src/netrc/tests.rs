//! Grammar and edit cases, one behaviour each. Whole-file before/after fixtures and the
//! cross-checks against other readers live in `tests/it/netrc.rs`.

use super::*;
use crate::secret::Token;

fn parse(text: &str) -> NetrcDocument {
    NetrcDocument::parse(text.as_bytes().to_vec()).unwrap()
}

fn render(doc: &NetrcDocument) -> String {
    String::from_utf8(doc.render()).unwrap()
}

fn set(doc: &mut NetrcDocument, machine: &str, login: &str, password: &str) {
    doc.set_machine(machine, login, &Token::new(password))
        .unwrap();
}

fn login_of(doc: &NetrcDocument, machine: &str) -> Option<String> {
    match doc.lookup(machine) {
        Lookup::Machine(entry) => entry
            .login()
            .map(|l| String::from_utf8(l.into_owned()).unwrap()),
        _ => None,
    }
}

fn password_of(doc: &NetrcDocument, machine: &str) -> Option<String> {
    match doc.lookup(machine) {
        Lookup::Machine(entry) => entry.password().map(|p| p.expose().to_owned()),
        _ => None,
    }
}

#[test]
fn reads_machines_across_layouts() {
    let doc = parse(
        "machine a login la password pa\nmachine b\n\tlogin lb\r\n\tpassword pb account ab\n",
    );
    assert_eq!(login_of(&doc, "a").as_deref(), Some("la"));
    assert_eq!(password_of(&doc, "b").as_deref(), Some("pb"));
    let Lookup::Machine(b) = doc.lookup("b") else {
        panic!()
    };
    assert_eq!(b.account().as_deref(), Some(&b"ab"[..]));
}

#[test]
fn comments_after_values_are_not_values() {
    let doc = parse("machine a login la # note\n password pa #another\n");
    assert_eq!(login_of(&doc, "a").as_deref(), Some("la"));
    assert_eq!(password_of(&doc, "a").as_deref(), Some("pa"));
}

#[test]
fn comment_hides_a_machine_keyword() {
    let doc = parse("# machine hidden login x password y\nmachine shown login a password b\n");
    assert!(matches!(doc.lookup("hidden"), Lookup::NotFound));
    assert_eq!(login_of(&doc, "shown").as_deref(), Some("a"));
}

#[test]
fn hash_inside_a_token_is_not_a_comment() {
    let doc = parse("machine a login l password ab#cd\n");
    assert_eq!(password_of(&doc, "a").as_deref(), Some("ab#cd"));
}

#[test]
fn quoted_values_are_decoded() {
    let doc = parse(r#"machine "a" login "x y" password "p\"q\\r""#);
    assert_eq!(login_of(&doc, "a").as_deref(), Some("x y"));
    assert_eq!(password_of(&doc, "a").as_deref(), Some(r#"p"q\r"#));
}

#[test]
fn macdef_body_is_opaque() {
    let doc =
        parse("macdef init\nmachine fake login f password f\n\nmachine real login r password r\n");
    assert!(matches!(doc.lookup("fake"), Lookup::NotFound));
    assert_eq!(login_of(&doc, "real").as_deref(), Some("r"));
}

#[test]
fn macdef_ends_the_current_entry() {
    let doc = parse("machine a login x\nmacdef m\nlogin y\n\n");
    assert_eq!(login_of(&doc, "a").as_deref(), Some("x"));
}

#[test]
fn lookup_says_when_only_default_matched() {
    let doc = parse("machine github.com login g password g\ndefault login d password secret\n");
    let Lookup::Default(entry) = doc.lookup("buf.build") else {
        panic!("expected the default entry")
    };
    assert_eq!(entry.name(), None);
    assert!(matches!(doc.lookup("github.com"), Lookup::Machine(_)));
    assert!(matches!(parse("").lookup("x"), Lookup::NotFound));
}

#[test]
fn lookup_takes_the_first_duplicate() {
    let doc = parse("machine a login first\nmachine a login second\n");
    assert_eq!(login_of(&doc, "a").as_deref(), Some("first"));
}

#[test]
fn machine_names_match_ignoring_case_only() {
    let doc = parse("machine BUF.BUILD login a password b\nmachine go.buf.build.evil login c\n");
    assert_eq!(login_of(&doc, "buf.build").as_deref(), Some("a"));
    assert!(matches!(doc.lookup("go.buf.build"), Lookup::NotFound));
}

#[test]
fn an_entry_in_another_case_is_the_one_replaced() {
    // curl, git and wget match names ignoring case: a `BUF.BUILD` entry left behind would
    // keep handing them the old token.
    let mut doc = parse("machine a login x password y\nmachine BUF.BUILD login old password o\n");
    set(&mut doc, "buf.build", "alice", "tok");
    assert_eq!(
        render(&doc),
        "machine a login x password y\nmachine buf.build\n  login alice\n  password tok\n"
    );
    assert_eq!(doc.remove_machine("buf.build"), Ok(1));
    assert_eq!(render(&doc), "machine a login x password y\n");
}

#[test]
fn syntax_errors_say_where() {
    let cases = [
        ("machine a\nlogin x\npassword \"open", 3, 10, "never closed"),
        ("macdef", 1, 1, "'macdef' is not followed by a name"),
        ("machine é password \"x", 1, 20, "never closed"),
    ];
    for (text, line, column, message) in cases {
        let err = NetrcDocument::parse(text.as_bytes().to_vec()).unwrap_err();
        assert_eq!((err.line, err.column), (line, column), "{text:?}");
        assert!(err.to_string().contains(message), "{err}");
    }
}

#[test]
fn a_bare_machine_at_the_end_is_edited_not_refused() {
    // Most readers take such a file (SPEC: a keyword without a value is edited); a new entry
    // goes before it, where no reader reads the `machine` as its own.
    let mut doc = parse("machine a login x password y\nmachine");
    set(&mut doc, "buf.build", "alice", "tok");
    assert_eq!(
        render(&doc),
        "machine buf.build\n  login alice\n  password tok\nmachine a login x password y\nmachine"
    );
}

#[test]
fn unknown_tokens_are_kept() {
    let text = "junk\nmachine a port 21 login x password y\n";
    let doc = parse(text);
    assert_eq!(render(&doc), text);
    assert_eq!(password_of(&doc, "a").as_deref(), Some("y"));
}

#[test]
fn set_replaces_values_in_place() {
    let mut doc = parse("# top\nmachine a\n\tlogin old # who\n\tpassword oldpw\n# end\n");
    set(&mut doc, "a", "new", "newpw");
    assert_eq!(
        render(&doc),
        "# top\nmachine a\n\tlogin new # who\n\tpassword newpw\n# end\n"
    );
}

#[test]
fn set_writes_bare_words_even_over_quoted_values() {
    let mut doc = parse("machine a login \"old\" password \"old pw\"\n");
    set(&mut doc, "a", "new", "newpw");
    assert_eq!(render(&doc), "machine a login new password newpw\n");
}

#[test]
fn set_adds_missing_fields_after_the_name() {
    for (text, expected) in [
        ("machine a\n", "machine a login la password pa\n"),
        (
            "machine a account acc\n",
            "machine a login la password pa account acc\n",
        ),
        ("machine a login c\n", "machine a login la password pa\n"),
    ] {
        let mut doc = parse(text);
        set(&mut doc, "a", "la", "pa");
        assert_eq!(render(&doc), expected);
    }
}

#[test]
fn an_entry_without_fields_never_lends_a_neighbour_its_token() {
    // Ruby's netrc gem gives an entry without fields the next entry's login and password:
    // after `machine a` (or one without a password), a new entry would hand a the token, so
    // it goes before.
    for text in [
        "machine a\n",
        "machine a login x\r\n",
        "machine a login x\n\ndefault login d\n",
    ] {
        let mut doc = parse(text);
        set(&mut doc, "buf.build", "alice", "tok");
        assert!(render(&doc).starts_with("machine buf.build\n  login alice\n  password tok\n"));
        assert!(render(&doc).ends_with(text), "{}", render(&doc));
    }
}

#[test]
fn set_collapses_duplicates_into_the_first() {
    let mut doc = parse(
        "machine a login 1 password q\nmachine b login b password b\nmachine a login 2 password r\nmachine a login 3 password s\n",
    );
    set(&mut doc, "a", "n", "p");
    assert_eq!(
        render(&doc),
        "machine a login n password p\nmachine b login b password b\n"
    );
}

#[test]
fn set_appends_on_its_own_line() {
    let mut doc = parse("machine a login x password y");
    set(&mut doc, "buf.build", "alice", "tok");
    assert_eq!(
        render(&doc),
        "machine a login x password y\nmachine buf.build\n  login alice\n  password tok\n"
    );
}

#[test]
fn set_inserts_before_default() {
    let mut doc = parse("machine a login x password y\n\ndefault login d password d\n");
    set(&mut doc, "buf.build", "alice", "tok");
    set(&mut doc, "go.buf.build", "alice", "tok");
    assert_eq!(
        render(&doc),
        "machine a login x password y\n\nmachine buf.build\n  login alice\n  password tok\nmachine go.buf.build\n  login alice\n  password tok\ndefault login d password d\n"
    );
}

#[test]
fn set_inserts_before_a_default_sharing_a_line() {
    let mut doc = parse("machine a login x password y default login d\n");
    set(&mut doc, "b", "l", "p");
    assert_eq!(
        render(&doc),
        "machine a login x password y \nmachine b\n  login l\n  password p\ndefault login d\n"
    );
}

#[test]
fn set_closes_an_open_macdef_before_appending() {
    let mut doc = parse("macdef init\ncd /pub");
    set(&mut doc, "b", "l", "p");
    assert_eq!(
        render(&doc),
        "macdef init\ncd /pub\n\nmachine b\n  login l\n  password p\n"
    );
    let mut doc = parse("macdef init\ncd /pub\n");
    set(&mut doc, "b", "l", "p");
    assert_eq!(
        render(&doc),
        "macdef init\ncd /pub\n\nmachine b\n  login l\n  password p\n"
    );
    let reparsed = NetrcDocument::parse(doc.render()).unwrap();
    assert_eq!(login_of(&reparsed, "b").as_deref(), Some("l"));
}

#[test]
fn set_writes_lf_lines_in_crlf_files() {
    // npm's netrc-parser reads the CR of a CRLF line into its last value, and no field of an
    // entry over several CRLF lines: a new entry in CRLF would not be read as written.
    let mut doc = parse("machine a login x password y\r\n");
    set(&mut doc, "b", "l", "p");
    assert_eq!(
        render(&doc),
        "machine a login x password y\r\nmachine b\n  login l\n  password p\n"
    );
    // An entry of ours in CRLF is rewritten where it stands, its lines ending in LF.
    let mut doc = parse("machine b login o password q\r\nmachine a login x password y\r\n");
    set(&mut doc, "b", "l", "p");
    assert_eq!(
        render(&doc),
        "machine b login l password p\nmachine a login x password y\r\n"
    );
}

#[test]
fn set_refuses_values_a_netrc_cannot_hold() {
    let mut doc = parse("machine a login x\n");
    let cases = [
        ("a", "alice\nmachine evil.example", "tok", Field::Login),
        ("a", "alice", "to ken", Field::Password),
        ("a", "", "tok", Field::Login),
        ("a", "alice", "", Field::Password),
        ("a b", "alice", "tok", Field::Machine),
        ("a", "al\"ice", "tok", Field::Login),
        ("a", "alice", "#tok", Field::Password),
    ];
    for (machine, login, password, field) in cases {
        let EditError::Value(err) = doc
            .set_machine(machine, login, &Token::new(password))
            .unwrap_err()
        else {
            panic!("expected an invalid value")
        };
        assert_eq!(err.field, field, "{machine:?} {login:?}");
        if !password.is_empty() {
            assert!(!err.to_string().contains(password));
        }
    }
    assert_eq!(render(&doc), "machine a login x\n");
}

#[test]
fn remove_takes_whole_lines() {
    let mut doc = parse("# keep\nmachine a\n  login x # mine\n  password y\n\nmachine b login b\n");
    assert_eq!(doc.remove_machine("a"), Ok(1));
    // The comment on the entry's line stays; everything else of it goes.
    assert_eq!(render(&doc), "# keep\n# mine\n\nmachine b login b\n");
}

#[test]
fn remove_within_a_shared_line_keeps_the_neighbours() {
    let mut doc = parse(
        "machine a login x password p machine b login y password q machine c login z password r\n",
    );
    assert_eq!(doc.remove_machine("b"), Ok(1));
    assert_eq!(
        render(&doc),
        "machine a login x password p machine c login z password r\n"
    );
    // npm's netrc-parser gives a the last login of its line, b's; without b it reads a as a's
    // entry says.
    let mut doc = parse("machine a login x password p machine b login y password q\n");
    assert_eq!(doc.remove_machine("b"), Ok(1));
    assert_eq!(login_of(&doc, "a").as_deref(), Some("x"));
    assert!(matches!(doc.lookup("b"), Lookup::NotFound));
}

#[test]
fn remove_counts_duplicates_and_spares_default() {
    let mut doc =
        parse("machine a login 1 password p\nmachine A login 2 password q\ndefault login d\n");
    assert_eq!(doc.remove_machine("a"), Ok(2));
    assert_eq!(doc.remove_machine("a"), Ok(0));
    assert_eq!(render(&doc), "default login d\n");
}

#[test]
fn a_removal_may_let_a_reader_read_default_as_written() {
    // Ruby's netrc gem counts `default` only as the last entry: once the entry after it is
    // gone, Ruby reads the default the file holds, as every other reader already does.
    let mut doc =
        parse("machine b login 1 password p\ndefault login d\nmachine a login 2 password q\n");
    assert_eq!(doc.remove_machine("a"), Ok(1));
    assert_eq!(
        render(&doc),
        "machine b login 1 password p\ndefault login d\n"
    );
}

#[test]
fn a_removal_that_would_hand_a_neighbour_other_values_is_refused() {
    // curl and wget take the `machine` after an empty `password` for its value, and the login
    // that follows for a's: whichever entry follows, what they read for a would change.
    let text = "machine a login x password\nmachine buf.build login l\nmachine c\n";
    let mut doc = parse(text);
    let err = doc.remove_machine("buf.build").unwrap_err();
    assert!(
        matches!(&err, EditError::Disagreement(r) if r.reader == "wget"),
        "{err}"
    );
    assert!(err.to_string().starts_with("line 2, column 1:"), "{err}");
    assert_eq!(render(&doc), text);
}

#[test]
fn set_then_remove_restores_the_original() {
    let text = "machine a login x password y\n# c\n";
    let mut doc = parse(text);
    set(&mut doc, "buf.build", "alice", "tok");
    assert_eq!(doc.remove_machine("buf.build"), Ok(1));
    assert_eq!(render(&doc), text);
}

#[test]
fn user_is_a_synonym_for_login() {
    let mut doc = parse("machine a user old password p\n");
    assert_eq!(login_of(&doc, "a").as_deref(), Some("old"));
    set(&mut doc, "a", "new", "q");
    // One `login` (curl and Go read no `user`), as SPEC asks of a BSR entry.
    assert_eq!(render(&doc), "machine a login new password q\n");
}

#[test]
fn a_bare_word_never_glues_onto_a_following_token() {
    // Found by the fuzzer: a quoted token ends at its closing quote, so `"old"next` is two
    // tokens, and a bare replacement must keep them apart.
    let mut doc = parse("machine a login l password \"p\"port 21\n");
    set(&mut doc, "a", "l2", "p2");
    assert_eq!(render(&doc), "machine a login l2 password p2 port 21\n");
    // wget and Buf read `"p"machine` as one word, so b is no entry to them: where the edit
    // lets them read b as its own entry reads, that is allowed (they read what the file says),
    // and a moves to lines of its own.
    let mut doc = parse("machine a login l password \"p\"machine b login m\n");
    set(&mut doc, "a", "l2", "p2");
    assert_eq!(
        render(&doc),
        "machine a\n  login l2\n  password p2\nmachine b login m\n"
    );
}

#[test]
fn an_entry_other_readers_cannot_read_as_ours_is_replaced() {
    // Go pairs `login new port password …` wrongly, and keeps the quotes of `"b"`: the edited
    // entries would not be read as ours, so each is taken out and written afresh.
    let mut doc = parse("machine a login \"old\"port password \"pw\"x\nmachine \"b\"account c\n");
    set(&mut doc, "a", "new", "newpw");
    set(&mut doc, "b", "lb", "pb");
    assert_eq!(
        render(&doc),
        "machine a\n  login new\n  password newpw\nmachine b\n  login lb\n  password pb\n  account c\n"
    );
}

#[test]
fn modified_only_when_the_bytes_change() {
    let mut doc = parse("machine a login l password p\nmachine b login x\n");
    assert!(!doc.is_modified());
    set(&mut doc, "a", "l", "p");
    assert!(!doc.is_modified(), "same values, same bytes");
    assert_eq!(doc.remove_machine("zzz"), Ok(0));
    assert!(!doc.is_modified());
    set(&mut doc, "a", "l", "p2");
    assert!(doc.is_modified());

    let mut doc = parse("machine a login l password p\nmachine a login l password p\n");
    set(&mut doc, "a", "l", "p");
    assert!(doc.is_modified(), "a duplicate was removed");
    let mut doc = parse("");
    set(&mut doc, "a", "l", "p");
    assert!(doc.is_modified());
    assert_eq!(doc.rendered_len(), doc.render().len());
}

#[test]
fn a_keyword_without_a_value_has_an_empty_one() {
    // CPython's own tests read these files; so do curl and Go.
    let doc = parse("machine host.domain.com login");
    assert_eq!(login_of(&doc, "host.domain.com").as_deref(), Some(""));
    let doc = parse("machine a login password p\nmachine b login lb password pb\n");
    assert_eq!(login_of(&doc, "a").as_deref(), Some(""));
    assert_eq!(password_of(&doc, "a").as_deref(), Some("p"));
    assert_eq!(login_of(&doc, "b").as_deref(), Some("lb"));
}

#[test]
fn a_new_entry_goes_before_what_readers_disagree_on() {
    // curl reads `#log …` as a comment and would give the next word, our `machine`, to `login`.
    let mut doc = parse("machine a login x password y\nmachine h login #log password p\n");
    set(&mut doc, "buf.build", "alice", "tok");
    assert_eq!(
        render(&doc),
        "machine a login x password y\nmachine buf.build\n  login alice\n  password tok\nmachine h login #log password p\n"
    );
}

#[test]
fn an_empty_field_is_filled_not_overwritten_with_the_next_keyword() {
    let mut doc = parse("machine a\n  login old\n  password\n");
    set(&mut doc, "a", "new", "tok");
    assert_eq!(render(&doc), "machine a\n  login new\n  password tok\n");
    // With an entry after it, wget takes `machine` for the password and gives a that entry's
    // login: once the field is filled, wget reads b as b's entry says, which is allowed.
    let mut doc = parse("machine a\n  login old\n  password\nmachine b login lb password pb\n");
    set(&mut doc, "a", "new", "tok");
    assert_eq!(
        render(&doc),
        "machine a\n  login new\n  password tok\nmachine b login lb password pb\n"
    );
}

#[test]
fn removing_an_entry_that_a_comment_would_replace_is_refused() {
    // Once `machine buf.build …` is gone, `# note` would follow `password` and become its value
    // (and Python would read the comment's words as entries).
    let text = "machine a login x password\nmachine buf.build login l password p\n# note\n";
    let mut doc = parse(text);
    let err = doc.remove_machine("buf.build").unwrap_err();
    assert!(matches!(err, EditError::Entangled(_)), "{err}");
    assert!(err.to_string().starts_with("line 1, column 19:"), "{err}");
    assert_eq!(render(&doc), text);
    // With a keyword after it instead, curl and wget take that keyword for the password
    // whichever entry it starts: what they read for a or c would change, so this is refused
    // too, by the models.
    let text = "machine a login x password\nmachine buf.build login l\nmachine c\n";
    let mut doc = parse(text);
    let err = doc.remove_machine("buf.build").unwrap_err();
    assert!(matches!(err, EditError::Disagreement(_)), "{err}");
    assert!(err.to_string().starts_with("line 2, column 1:"), "{err}");
    assert_eq!(render(&doc), text);
}

#[test]
fn a_quoted_comment_over_lines_stays_whole_when_its_entry_goes() {
    // `"#…"` decodes to a comment (as Python reads it) that may run over lines; what stays of
    // a removed entry must keep it whole, or the file would end inside a quote.
    let mut doc =
        parse("machine a login x\nmachine buf.build login l \"#c\nd\" tail\nmachine b login y\n");
    assert_eq!(doc.remove_machine("buf.build"), Ok(1));
    let rendered = doc.render();
    assert_eq!(
        String::from_utf8_lossy(&rendered),
        "machine a login x\n\"#c\nd\" tail\nmachine b login y\n"
    );
    assert!(NetrcDocument::parse(rendered).is_ok());
}

#[test]
fn a_removed_duplicate_never_leaves_a_field_waiting_for_the_next_line() {
    // Taking out the second `login` would leave `account` without a value, and the comment on
    // the next line would become it (and `machine` after it a new entry): the entry moves.
    let text = "machine buf.build login o password p\naccount login buf.build\n# note\n";
    let mut doc = parse(text);
    set(&mut doc, "buf.build", "alice", "tok");
    let rendered = doc.render();
    let reparsed = NetrcDocument::parse(rendered.clone()).unwrap();
    assert_eq!(login_of(&reparsed, "buf.build").as_deref(), Some("alice"));
    // Perl reads the words of a comment as tokens: after `# machine`, no place reads as ours.
    let text = "machine buf.build login o password p\naccount login buf.build\n# machine\n";
    let mut doc = parse(text);
    let err = doc
        .set_machine("buf.build", "alice", &Token::new("tok"))
        .unwrap_err();
    assert!(
        matches!(&err, EditError::Disagreement(r) if r.reader == "perl"),
        "{err}"
    );
    assert_eq!(render(&doc), text);
}

/// The check reads windows in the middle of a large file and puts the entries outside them in
/// their places; every model reading both whole files must agree with what it let through.
#[test]
fn edits_in_the_middle_of_a_large_file_read_as_the_whole_files_do() {
    let plain = |from: usize, to: usize| -> String {
        (from..to)
            .map(|i| format!("machine host{i}.example.com login user{i} password pw{i}\n"))
            .collect()
    };
    let middles = [
        "machine buf.build login old password oldpw\nmachine go.buf.build login old password oldpw\n",
        "machine BUF.BUILD\n\tlogin old\n\tpassword oldpw\n",
        "machine host7.example.com login again password twice\n",
        "# a comment line\nmacdef init\ncd /pub\n\nmachine m login l password p\n",
        "machine PEERS2-NEW.EXAMPLE login upper password upperpw\n",
        "",
    ];
    let bsr = |name: &[u8]| {
        name.eq_ignore_ascii_case(b"buf.build") || name.eq_ignore_ascii_case(b"go.buf.build")
    };
    for middle in middles {
        let before = format!("{}{middle}{}", plain(0, 40), plain(40, 80));
        for logout in [false, true] {
            let mut doc = parse(&before);
            if logout {
                doc.remove_machines(&["buf.build", "go.buf.build"]).unwrap();
            } else {
                doc.set_machines(&["buf.build", "go.buf.build"], "alice", &Token::new("tok"))
                    .unwrap();
            }
            let after = doc.render();
            for model in readers::MODELS {
                let Ok(was) = (model.read)(before.as_bytes()) else {
                    continue;
                };
                let is = (model.read)(&after)
                    .unwrap_or_else(|_| panic!("{} refuses after {middle:?}", model.name));
                let others = |reads: &readers::Reads| -> Vec<_> {
                    reads
                        .machines
                        .iter()
                        .filter(|(name, _)| !bsr(name))
                        .cloned()
                        .collect()
                };
                assert_eq!(others(&was), others(&is), "{} after {middle:?}", model.name);
                assert_eq!(was.default, is.default, "{} after {middle:?}", model.name);
            }
        }
    }
}
