//! Perl's model (`bsr::netrc::readers::perl`) against `Net::Netrc` itself, all files in one
//! `perl` process.

use bsr::netrc::readers::perl;

use crate::support::real_readers::{self, perl as real};

#[test]
fn perl_model_agrees_with_net_netrc() {
    let files = real_readers::files(super::generate::cases());
    real_readers::PerHost {
        name: "perl",
        model: perl::read,
        can_ask: real::can_ask,
        ask: real::ask,
        project: real::project,
    }
    .check(&files);
}
