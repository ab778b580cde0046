//! uv's netrc reader (the `rust-netrc` crate) against its model (`bsr::netrc::readers::uv`).

use bsr::netrc::readers::uv;

use super::against_real::{self, Reader};
use super::generate;
use crate::support::real_readers::uv as real;

const READER: Reader = Reader {
    model: uv::MODEL,
    ask: real::ask,
    version: real::version,
};

#[test]
fn uv_model_reads_the_fixtures_as_rust_netrc_does() {
    against_real::check(&READER, &against_real::fixtures());
}

#[test]
fn uv_model_reads_generated_files_as_rust_netrc_does() {
    against_real::check(&READER, &generate::batch(generate::cases()));
}

#[test]
fn uv_model_reads_unusual_files_as_rust_netrc_does() {
    against_real::check(&READER, &against_real::unusual(generate::cases()));
}
