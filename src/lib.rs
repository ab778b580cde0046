//! bsr: log in to and out of the Buf Schema Registry without losing a byte of your netrc.
//!
//! The library holds all the logic; `main.rs` only parses arguments, calls in, prints
//! `Failure: …` and picks the exit code.

pub mod netrc;
pub mod secret;
pub mod store;
