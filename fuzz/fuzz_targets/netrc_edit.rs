//! Parse, render and edit arbitrary bytes: whatever parses must render back unchanged, and
//! every edit must produce a file that parses and holds exactly what was written.
#![no_main]

use bsr::netrc::{Lookup, NetrcDocument};
use bsr::secret::Token;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the machine, so that both new and existing entries get edited.
    let Some((&pick, text)) = data.split_first() else { return };
    let machine = ["buf.build", "go.buf.build", "x", "machine"][usize::from(pick % 4)];
    let Ok(doc) = NetrcDocument::parse(text.to_vec()) else { return };
    assert_eq!(doc.render(), text, "render(parse(x)) != x");

    let token = Token::new("fuzz-token");
    let mut edited = doc.clone();
    // Junk can leave no place every reader agrees on; the document must then be unchanged.
    if edited.set_machine(machine, "alice", &token).is_err() {
        assert_eq!(edited.render(), text, "a refused edit changed the document");
        return;
    }
    let once = edited.render();
    let reparsed = NetrcDocument::parse(once.clone()).expect("our own output parses");
    match reparsed.lookup(machine) {
        Lookup::Machine(entry) => {
            assert_eq!(entry.login().as_deref(), Some(&b"alice"[..]));
            assert_eq!(entry.password(), Some(token.clone()));
        }
        _ => panic!("the machine we set is missing"),
    }
    edited.set_machine(machine, "alice", &token).unwrap();
    assert_eq!(edited.render(), once, "set is not idempotent");

    // Taking the entry out again is refused only where a keyword without a value stands just
    // before it; the document is then unchanged.
    match edited.remove_machine(machine) {
        Ok(count) => assert_eq!(count, 1),
        Err(bsr::netrc::EditError::Entangled(_)) => {
            assert_eq!(edited.render(), once, "a refused removal changed the document");
            return;
        }
        Err(other) => panic!("{other}"),
    }
    let removed = NetrcDocument::parse(edited.render()).expect("output after removal parses");
    assert!(!matches!(removed.lookup(machine), Lookup::Machine(_)));
});
