//! The `go` command's model (`bsr::netrc::readers::go`) against `go mod download` itself.
//!
//! `go` is slow to ask (one process and a TLS handshake per host for each file), so this runs
//! a third of the generated files the other readers get: 100, 1,000 under `BSR_TEST_DEEP`.

use bsr::netrc::readers::go;

use crate::support::real_readers::{self, go as real};

#[test]
fn go_model_agrees_with_the_go_command() {
    let files = real_readers::files(super::generate::cases() / 3);
    real_readers::PerHost {
        name: "go",
        model: go::read,
        can_ask: real::can_ask,
        ask: real::ask,
        project: real::project,
    }
    .check(&files);
}
