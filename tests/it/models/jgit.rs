//! JGit's NetRC against its model (`bsr::netrc::readers::jgit`).

use bsr::netrc::readers::jgit;

use super::against_real::{self, Reader};
use super::generate;
use crate::support::real_readers::jgit as real;

const READER: Reader = Reader {
    model: jgit::MODEL,
    ask: real::ask,
    version: real::version,
};

#[test]
fn jgit_model_reads_the_fixtures_as_jgit_does() {
    against_real::check(&READER, &against_real::fixtures());
}

#[test]
fn jgit_model_reads_generated_files_as_jgit_does() {
    against_real::check(&READER, &generate::batch(generate::cases()));
}

#[test]
fn jgit_model_reads_unusual_files_as_jgit_does() {
    against_real::check(&READER, &against_real::unusual(generate::cases()));
}
