//! Ruby's netrc gem against its model (`bsr::netrc::readers::ruby`).

use bsr::netrc::readers::ruby;

use super::against_real::{self, Reader};
use super::generate;
use crate::support::real_readers::ruby as real;

const READER: Reader = Reader {
    model: ruby::MODEL,
    ask: real::ask,
    version: real::version,
};

#[test]
fn ruby_model_reads_the_fixtures_as_the_gem_does() {
    against_real::check(&READER, &against_real::fixtures());
}

#[test]
fn ruby_model_reads_generated_files_as_the_gem_does() {
    against_real::check(&READER, &generate::batch(generate::cases()));
}

#[test]
fn ruby_model_reads_unusual_files_as_the_gem_does() {
    against_real::check(&READER, &against_real::unusual(generate::cases()));
}
