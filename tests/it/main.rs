//! bsr's integration tests: real files, real processes, real peers on loopback.

mod helper;
mod netrc;
mod store;
