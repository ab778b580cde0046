//! The `go` command's model (`bsr::netrc::readers::go`) against `go mod download` itself.
//!
//! `go` is slow to ask (one process and a TLS handshake per host for each file), so this runs
//! a third of the generated files the other readers get: 100, 1,000 under `BSR_TEST_DEEP`.

use bsr::netrc::readers::go;

use crate::support::real_readers::{self, go as real};

#[test]
fn go_model_agrees_with_the_go_command() {
    let files = real_readers::files(super::generate::cases() / 3);
    let texts: Vec<Vec<u8>> = files.iter().map(|(_, f)| f.clone()).collect();
    let hosts: Vec<Vec<Vec<u8>>> = texts
        .iter()
        .map(|f| real_readers::hosts_for(f, real::can_ask))
        .collect();
    let Some(answers) = real::ask(&texts, &hosts) else {
        return;
    };
    real_readers::compare("go", go::read, real::project, &files, &hosts, answers);
}
