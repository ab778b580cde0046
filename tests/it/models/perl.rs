//! Perl's model (`bsr::netrc::readers::perl`) against `Net::Netrc` itself, all files in one
//! `perl` process.

use bsr::netrc::readers::perl;

use crate::support::real_readers::{self, perl as real};

#[test]
fn perl_model_agrees_with_net_netrc() {
    let files = real_readers::files(super::generate::cases());
    let texts: Vec<Vec<u8>> = files.iter().map(|(_, f)| f.clone()).collect();
    let hosts: Vec<Vec<Vec<u8>>> = texts
        .iter()
        .map(|f| real_readers::hosts_for(f, real::can_ask))
        .collect();
    let Some(answers) = real::ask(&texts, &hosts) else {
        return;
    };
    real_readers::compare("perl", perl::read, real::project, &files, &hosts, answers);
}
