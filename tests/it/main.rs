//! bsr's integration tests: real files, real processes, real peers on loopback.

#[cfg(unix)]
mod browser;
mod completion;
mod console;
#[cfg(unix)]
mod contract;
mod edges;
#[cfg(unix)]
mod handover;
mod interop;
mod login;
mod logout;
mod models;
mod netrc;
#[cfg(unix)]
mod prompt;
mod proxy;
mod status;
#[cfg(unix)]
mod store;
mod support;
mod tls;
mod whoami;
#[cfg(target_os = "linux")]
mod windows;
