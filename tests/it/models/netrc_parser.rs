//! npm's netrc-parser against its model (`bsr::netrc::readers::netrc_parser`).

use bsr::netrc::readers::netrc_parser;

use super::against_real::{self, Reader};
use super::generate;
use crate::support::real_readers::netrc_parser as real;

const READER: Reader = Reader {
    model: netrc_parser::MODEL,
    ask: real::ask,
    version: real::version,
};

/// Files on which the package's regex backtracks for more than 2^16 cuts take it seconds to
/// forever; those are left out (and shown to hang below), the others are all asked.
fn askable(files: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    files
        .into_iter()
        .filter(|f| netrc_parser::backtracking(f) <= 16)
        .collect()
}

#[test]
fn netrc_parser_model_reads_the_fixtures_as_the_package_does() {
    against_real::check(&READER, &askable(against_real::fixtures()));
}

#[test]
fn netrc_parser_model_reads_generated_files_as_the_package_does() {
    let files = generate::batch(generate::cases());
    let asked = askable(files.clone());
    // The generator makes CRLF lines with comments, but most files stay askable.
    assert!(
        asked.len() * 10 >= files.len() * 8,
        "{} of {}",
        asked.len(),
        files.len()
    );
    against_real::check(&READER, &asked);
}

#[test]
fn netrc_parser_model_reads_unusual_files_as_the_package_does() {
    against_real::check(&READER, &askable(against_real::unusual(generate::cases())));
}

/// What the model's `backtracking` stands for: a CRLF machine line with a comment, as an
/// editor on Windows writes it, keeps the package busy for good.
#[test]
fn netrc_parser_hangs_on_a_crlf_machine_line_with_a_comment() {
    let file = b"machine example.com login alice password s3cret-token # work\r\n";
    assert!(netrc_parser::backtracking(file) > 30);
    let Some(hangs) = real::hangs(file, 1000) else {
        return;
    };
    assert!(hangs, "netrc-parser read the file within a second");
    let short = b"machine x # c\r\n";
    assert_eq!(netrc_parser::backtracking(short), 0);
    assert_eq!(real::hangs(short, 1000), Some(false));
}
