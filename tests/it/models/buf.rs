//! Buf's model (`bsr::netrc::readers::buf`) against Buf 1.75.0's `buf registry whoami`.
//!
//! Buf is asked one host at a time (a process of ~20 ms each), so this runs a tenth of the
//! generated files the other readers get: 30, 300 under `BSR_TEST_DEEP`.

use bsr::netrc::readers::buf;

use crate::support::real_readers::{self, buf as real};

#[test]
fn buf_model_agrees_with_buf_1_75() {
    let files = real_readers::files(super::generate::cases() / 10);
    real_readers::PerHost {
        name: "buf",
        model: buf::read,
        can_ask: real::can_ask,
        ask: real::ask,
        project: real::project,
    }
    .check(&files);
}
