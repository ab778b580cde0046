//! bsr: log in to and out of the Buf Schema Registry without losing a byte of your netrc.
//!
//! The library holds all the logic; `main.rs` only parses arguments, calls in, prints
//! `Failure: …` and picks the exit code. Data flows one way: arguments → validated request →
//! token → verified user → netrc edit → message.

#![deny(unsafe_code)]

pub mod app;
pub mod browser;
pub mod cli;
pub mod commands;
pub mod config;
pub mod credentials;
pub mod device;
pub mod domain;
pub mod duration;
pub mod environment;
pub mod log;
pub mod netrc;
pub mod platform;
pub mod prompt;
pub mod registry;
pub mod roots;
pub mod secret;
pub mod store;
