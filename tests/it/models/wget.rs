//! wget's model (`bsr::netrc::readers::wget`) against GNU Wget itself, one `wget` per
//! file (about 10 ms each), so this runs a third of the generated files the other readers
//! get: 100, 1,000 under `BSR_TEST_DEEP`.

use bsr::netrc::readers::wget;

use crate::support::real_readers::{self, wget as real};

#[test]
fn wget_model_agrees_with_wget() {
    let files = real_readers::files(super::generate::cases() / 3);
    let texts: Vec<Vec<u8>> = files.iter().map(|(_, f)| f.clone()).collect();
    let hosts: Vec<Vec<Vec<u8>>> = texts
        .iter()
        .map(|f| real_readers::hosts_for(f, real::can_ask))
        .collect();
    let Some(answers) = real::ask(&texts, &hosts) else {
        return;
    };
    real_readers::compare("wget", wget::read, real::project, &files, &hosts, answers);
}
