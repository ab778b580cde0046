//! wget's model (`bsr::netrc::readers::wget`) against GNU Wget itself, one `wget` per
//! file (about 10 ms each), so this runs a third of the generated files the other readers
//! get: 100, 1,000 under `BSR_TEST_DEEP`.

use bsr::netrc::readers::wget;

use crate::support::real_readers::{self, wget as real};

#[test]
fn wget_model_agrees_with_wget() {
    let files = real_readers::files(super::generate::cases() / 3);
    real_readers::PerHost {
        name: "wget",
        model: wget::read,
        can_ask: real::can_ask,
        ask: real::ask,
        project: real::project,
    }
    .check(&files);
}
