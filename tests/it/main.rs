//! bsr's integration tests: real files, real processes, real peers on loopback.

mod completion;
mod edges;
mod interop;
mod login;
mod logout;
mod netrc;
mod prompt;
mod store;
mod support;
mod tls;
mod whoami;
