//! What `token`, `exec` and the credential helpers share: the credential for a host, resolved as
//! whoami resolves it (`BUF_TOKEN`, then the netrc entry for exactly that host; never `default`),
//! except that a single-token `BUF_TOKEN` is handed over only for buf.build.

use std::cell::OnceCell;

use super::CommandError;
use crate::config::Tls;
use crate::credentials::{self, BufToken, NetrcEntry, Resolution, Source};
use crate::domain::Domain;
use crate::netrc::{Lookup, NetrcDocument};
use crate::secret::Token;
use crate::store::{NetrcFile, StoreError};

/// A credential to hand to another tool.
#[derive(Debug)]
pub struct Handed {
    pub token: Token,
    /// The netrc entry's `login` for the host, where it has a usable one (git asks for a
    /// username; the registry goes by the token).
    pub username: Option<String>,
}

/// Finds credentials by host, reading the netrc at most once (not at all when the caller has
/// read it already).
pub struct Credentials<'a> {
    buf_token: &'a BufToken,
    netrc: &'a NetrcFile,
    document: OnceCell<Option<NetrcDocument>>,
    /// The netrc as the caller read it (`None` inside: there is none), used instead of reading.
    given: Option<Option<&'a NetrcDocument>>,
}

impl<'a> Credentials<'a> {
    pub fn new(buf_token: &'a BufToken, netrc: &'a NetrcFile) -> Credentials<'a> {
        Credentials {
            buf_token,
            netrc,
            document: OnceCell::new(),
            given: None,
        }
    }

    /// For a caller that has read `netrc` already (status): the same answers, from that
    /// reading, so the file is read once and both see the same bytes.
    pub fn with_document(
        buf_token: &'a BufToken,
        netrc: &'a NetrcFile,
        document: Option<&'a NetrcDocument>,
    ) -> Credentials<'a> {
        Credentials {
            given: Some(document),
            ..Credentials::new(buf_token, netrc)
        }
    }

    fn document(&self) -> Result<Option<&NetrcDocument>, CommandError> {
        if let Some(given) = self.given {
            return Ok(given);
        }
        if self.document.get().is_none() {
            let read = self.netrc.read().map_err(|e| match e {
                StoreError::Syntax { path, source } => {
                    CommandError::UnreadableNetrc { path, source }
                }
                other => other.into(),
            })?;
            let _ = self.document.set(read);
        }
        Ok(self.document.get().and_then(Option::as_ref))
    }

    /// The credential for `domain`: `Ok(Ok(_))`, or `Ok(Err(_))` saying why there is none (a
    /// refusal that the credential helpers keep to themselves); `Err` when the netrc cannot be
    /// read or the token cannot be handed over.
    pub fn find(&self, domain: &Domain) -> Result<Result<Handed, CommandError>, CommandError> {
        let path = self.netrc.path();
        let entry = || -> Result<NetrcEntry, CommandError> {
            Ok(credentials::netrc_entry(self.document()?, domain))
        };
        let missing = |why: String| CommandError::NoCredential {
            domain: domain.to_string(),
            why,
        };
        let credential = match credentials::resolve_to_hand_over(
            self.buf_token,
            domain,
            entry,
            path,
        )? {
            Resolution::Found(credential) => credential,
            Resolution::Unsendable { path, line } => {
                return Err(CommandError::UnsendableToken {
                    domain: domain.to_string(),
                    origin: match line {
                        Some(line) => format!("{} (the entry at line {line})", path.display()),
                        None => path.display().to_string(),
                    },
                });
            }
            Resolution::OnlyDefault => {
                return Ok(Err(missing(format!(
                    ": {} has only a default entry, which bsr never hands out",
                    path.display()
                ))));
            }
            Resolution::NotFound => {
                let why = if matches!(self.buf_token, BufToken::Single(_)) {
                    format!(
                        ": a single-token BUF_TOKEN is handed only to buf.build (name the remote: BUF_TOKEN=<token>@{domain}), and {} has no entry for it",
                        path.display()
                    )
                } else {
                    format!(" in BUF_TOKEN or {}", path.display())
                };
                return Ok(Err(missing(why)));
            }
        };
        // A header, a JSON string or git's line protocol cannot carry these; a netrc can, in
        // quotes. Refuse rather than hand over something that changes meaning on the way.
        if credential
            .token
            .expose()
            .chars()
            .any(|c| c.is_control() || c.is_whitespace())
        {
            return Err(CommandError::UnsendableToken {
                domain: domain.to_string(),
                origin: match &credential.source {
                    Source::BufToken => "BUF_TOKEN".to_owned(),
                    Source::Netrc(path) => path.display().to_string(),
                },
            });
        }
        let username = self.login(domain)?;
        Ok(Ok(Handed {
            token: credential.token,
            username,
        }))
    }

    /// The credential for `domain`; none is an error that says how to get one.
    pub fn require(&self, domain: &Domain) -> Result<Handed, CommandError> {
        self.find(domain)?
    }

    fn login(&self, domain: &Domain) -> Result<Option<String>, CommandError> {
        let Some(document) = self.document()? else {
            return Ok(None);
        };
        let Lookup::Machine(entry) = document.lookup(domain.as_str()) else {
            return Ok(None);
        };
        Ok(entry
            .login()
            .and_then(|login| String::from_utf8(login.into_owned()).ok())
            .and_then(|login| credentials::Username::parse(login).ok())
            .map(|login| login.as_str().to_owned()))
    }
}

/// The scheme bsr uses for the registry (and so the one a credential is handed over for):
/// `https`, or `http` under `tls.use: "false"`.
pub fn scheme(tls: &Tls) -> &'static str {
    match tls {
        Tls::Disabled => "http",
        Tls::Enabled { .. } => "https",
    }
}
