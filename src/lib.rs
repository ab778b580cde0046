//! bsr: log in to and out of the Buf Schema Registry without losing a byte of your netrc.
//!
//! The library holds all the logic; `main.rs` only parses arguments, calls in, prints
//! `Failure: …` and picks the exit code. Data flows one way: arguments → validated request →
//! token → verified user → netrc edit → message.

#![deny(unsafe_code)]

pub mod app;
pub(crate) mod browser;
pub mod cli;
pub(crate) mod commands;
pub(crate) mod config;
pub mod console;
pub(crate) mod copies;
pub(crate) mod credentials;
pub(crate) mod domain;
pub(crate) mod duration;
pub mod environment;
pub(crate) mod files;
#[cfg(any(windows, test))]
pub(crate) mod line_editor;
pub(crate) mod log;
pub mod netrc;
pub(crate) mod os;
pub(crate) mod platform;
pub(crate) mod prompt;
pub(crate) mod registry;
pub(crate) mod roots;
pub mod secret;
pub mod store;
pub mod text;
