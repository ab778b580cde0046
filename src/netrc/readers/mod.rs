//! Models of the netrc readers that bsr's users' tools run on (SPEC, "netrc file"): what each
//! one hands out for each host after reading a file, or that it rejects the file.
//!
//! Each model is its own small module, written from that reader's source and behaviour rather
//! than from a shared grammar, and is checked against the real reader on generated files
//! (`tests/it/models/`). A model that disagrees with its reader on any file is a bug in the
//! model. Edits are checked against all of them before anything is written.

pub mod buf;
pub mod curl;
pub mod go;
pub mod jgit;
pub mod netrc_parser;
pub mod perl;
pub mod python;
pub mod ruby;
pub mod uv;
pub mod wget;

use std::fmt;

/// What one reader hands out for one machine (or for `default`).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Creds {
    pub login: Option<Vec<u8>>,
    pub password: Option<Vec<u8>>,
    pub account: Option<Vec<u8>>,
}

/// Passwords are secrets: `Debug` shows only their length and a short fingerprint-free marker,
/// so a failed assertion in a test can tell values apart without printing a user's password.
impl fmt::Debug for Creds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown =
            |v: &Option<Vec<u8>>| v.as_ref().map(|v| String::from_utf8_lossy(v).into_owned());
        f.debug_struct("Creds")
            .field("login", &shown(&self.login))
            .field(
                "password",
                &self
                    .password
                    .as_ref()
                    .map(|p| format!("<{} bytes>", p.len())),
            )
            .field("account", &shown(&self.account))
            .finish()
    }
}

/// How a reader picks among entries when asked for a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lookup {
    /// Of several entries for one name, the last one counts (Python's dict) rather than the
    /// first (curl, Go).
    pub last_wins: bool,
    /// Names are compared ignoring ASCII case (curl, wget).
    pub ignore_case: bool,
}

/// One reader's reading of a whole file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reads {
    /// The machine entries the reader kept, in file order.
    pub machines: Vec<(Vec<u8>, Creds)>,
    /// The `default` entry the reader kept, if any.
    pub default: Option<Creds>,
    pub lookup: Lookup,
}

impl Reads {
    /// What the reader hands out when asked for `host`: the matching machine's credentials,
    /// else `default`'s, else nothing.
    pub fn get(&self, host: &[u8]) -> Option<&Creds> {
        let matches = |name: &Vec<u8>| {
            if self.lookup.ignore_case {
                name.eq_ignore_ascii_case(host)
            } else {
                name.as_slice() == host
            }
        };
        let mut found = self.machines.iter().filter(|(name, _)| matches(name));
        let hit = if self.lookup.last_wins {
            found.next_back()
        } else {
            found.next()
        };
        hit.map(|(_, creds)| creds).or(self.default.as_ref())
    }

    /// Every machine name the reader kept.
    pub fn names(&self) -> impl Iterator<Item = &[u8]> {
        self.machines.iter().map(|(name, _)| name.as_slice())
    }
}

/// The reader refuses the file (raises, returns an error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rejected;

/// One reader's model.
#[derive(Clone, Copy)]
pub struct Model {
    /// The reader's name as SPEC lists it (`curl`, `python`, `go`, `buf`, `wget`, `perl`,
    /// `ruby`, `uv`, `jgit`, `netrc-parser`).
    pub name: &'static str,
    pub read: fn(&[u8]) -> Result<Reads, Rejected>,
}

impl fmt::Debug for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

/// Every model, in SPEC's order. Models are added here as they land.
pub const MODELS: &[Model] = &[
    curl::MODEL,
    python::MODEL,
    go::MODEL,
    buf::MODEL,
    wget::MODEL,
    perl::MODEL,
    ruby::MODEL,
    uv::MODEL,
    jgit::MODEL,
    netrc_parser::MODEL,
];
