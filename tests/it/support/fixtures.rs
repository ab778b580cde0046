//! The netrc fixtures (`tests/fixtures/netrc/*.netrc`) and the two edits made to them through
//! the library: a login and a logout for `buf.build`.

use std::fs;
use std::path::{Path, PathBuf};

use bsr::netrc::NetrcDocument;
use bsr::secret::Token;

use super::readers::{BSR_MACHINES, TOKEN, USER};

/// Every `*.netrc` fixture, sorted.
pub fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/netrc");
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "netrc"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 15, "fixtures are missing");
    paths
}

/// `bytes` after a login for `buf.build` as [`USER`] with [`TOKEN`], or why bsr refused it.
pub fn try_login(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut doc = NetrcDocument::parse(bytes.to_vec()).unwrap();
    match doc.set_machines(&BSR_MACHINES, USER, &Token::new(TOKEN)) {
        Ok(()) => Ok(doc.render()),
        Err(err) => {
            assert_eq!(doc.render(), bytes, "a refused login changed the document");
            Err(err.to_string())
        }
    }
}

/// `bytes` after a logout from `buf.build`, or why bsr refused it.
pub fn try_logout(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut doc = NetrcDocument::parse(bytes.to_vec()).unwrap();
    match doc.remove_machines(&BSR_MACHINES) {
        Ok(_) => Ok(doc.render()),
        Err(err) => {
            assert_eq!(doc.render(), bytes, "a refused logout changed the document");
            Err(err.to_string())
        }
    }
}

/// `bytes` after a login that must succeed.
pub fn login(bytes: &[u8]) -> Vec<u8> {
    try_login(bytes).unwrap()
}

/// `bytes` after a logout that must succeed.
pub fn logout(bytes: &[u8]) -> Vec<u8> {
    try_logout(bytes).unwrap()
}

/// What a fixture's expected-result file holds for an edit: the edited file, or `refused: `
/// and the refusal's message on a line.
pub fn outcome(edit: &Result<Vec<u8>, String>) -> Vec<u8> {
    match edit {
        Ok(bytes) => bytes.clone(),
        Err(message) => format!("refused: {message}\n").into_bytes(),
    }
}

/// The (reader, machine) pairs a fixture's `<name>.exempt` file lists: readings allowed to
/// change because that reader took part of a BSR entry as the machine's value. One pair a
/// line, `reader machine`, then a `#` and why.
pub fn exemptions(fixture: &Path) -> Vec<(String, String)> {
    let Ok(text) = fs::read_to_string(fixture.with_extension("exempt")) else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|line| {
            let line = line.split('#').next().unwrap().trim();
            let (reader, machine) = line.split_once(' ')?;
            Some((reader.to_owned(), machine.trim().to_owned()))
        })
        .collect()
}
