//! Where a registry token comes from: `BUF_TOKEN`, else the netrc entry for exactly the domain.
//!
//! Never the netrc's `default` entry: it holds some other service's password, and Buf 1.75 leaks
//! it to the registry as a Bearer token. The resolver reports which source it used, because a
//! stale `BUF_TOKEN` silently overriding a good netrc entry is the most common way to lose an
//! afternoon. Tokens and usernames given by people and registries are checked here, once.

use std::fmt;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::domain::Domain;
use crate::netrc::{Field, InvalidValue, Lookup, NetrcDocument, ValueProblem, validate_value};
use crate::secret::Token;

/// Why a given token cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum InvalidToken {
    #[error("token cannot be empty string")]
    Empty,
    #[error(transparent)]
    Unstorable(#[from] InvalidValue),
}

/// Why a username cannot be stored or printed, said as what is wrong with it ("contains
/// whitespace"), never its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("{0}")]
pub struct UnusableUsername(ValueProblem);

/// A username as the registry sent it, checked once: it can be stored as a netrc value and
/// printed to a terminal (no whitespace, control, format or quoting characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    /// Checks a username; the problem, never the text, is reported.
    pub fn parse(text: String) -> Result<Username, UnusableUsername> {
        validate_value(Field::Login, &text).map_err(|e| UnusableUsername(e.problem))?;
        Ok(Username(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A token as a person or a script gave it: surrounding whitespace trimmed, and refused where a
/// netrc cannot hold it (the error names the problem, never the token).
pub fn parse_token(text: &str) -> Result<Token, InvalidToken> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(InvalidToken::Empty);
    }
    validate_value(Field::Password, trimmed)?;
    Ok(Token::new(trimmed))
}

/// Where a token came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The `BUF_TOKEN` environment variable.
    BufToken,
    /// The netrc entry for the domain, in this file.
    Netrc(PathBuf),
}

/// A token and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    pub token: Token,
    pub source: Source,
}

/// A `BUF_TOKEN` that cannot be understood. The message names the variable and the problem and
/// never contains any part of a token.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "BUF_TOKEN is malformed: {reason}; it must be a single token or token1@remote1,token2@remote2"
)]
pub struct MalformedBufToken {
    pub reason: String,
}

/// What `BUF_TOKEN` says, parsed once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BufToken {
    /// Unset or empty.
    Unset,
    /// One token for every registry.
    Single(Token),
    /// Tokens for named registries, matched on the exact remote.
    PerRemote(Vec<(String, Token)>),
}

impl BufToken {
    /// Parses the value of `BUF_TOKEN` (`None` when unset).
    pub fn parse(value: Option<&str>) -> Result<BufToken, MalformedBufToken> {
        let value = value.unwrap_or_default().trim();
        if value.is_empty() {
            return Ok(BufToken::Unset);
        }
        // A token with a control character cannot be sent in a header; say so here, naming
        // BUF_TOKEN, rather than let the HTTP client fail as if the registry were unreachable.
        if !value.contains('@') && !value.contains(',') {
            if unsendable(value) {
                return Err(MalformedBufToken {
                    reason: "it contains whitespace or a control character".to_owned(),
                });
            }
            return Ok(BufToken::Single(Token::new(value)));
        }
        let malformed = |reason: String| MalformedBufToken { reason };
        let parts: Vec<&str> = value.split(',').collect();
        let count = parts.len();
        let mut pairs: Vec<(String, Token)> = Vec::with_capacity(count);
        for (index, part) in parts.into_iter().enumerate() {
            let position = format!("entry {} of {count}", index + 1);
            let part = part.trim();
            let Some((token, remote)) = part.split_once('@') else {
                return Err(malformed(if part.is_empty() {
                    format!("{position} is empty")
                } else {
                    format!("{position} has no @remote")
                }));
            };
            let (token, remote) = (token.trim(), remote.trim());
            if token.is_empty() {
                return Err(malformed(format!("{position} has no token before @")));
            }
            if unsendable(token) {
                return Err(malformed(format!(
                    "{position} contains whitespace or a control character"
                )));
            }
            if remote.is_empty() {
                return Err(malformed(format!("{position} has no remote after @")));
            }
            if remote.contains('@') {
                return Err(malformed(format!("{position} has more than one @")));
            }
            // A remote is a host name, safe to show; check it so the message can name it.
            if Domain::parse(remote).is_err() {
                return Err(malformed(format!("{position} names an invalid remote")));
            }
            if pairs.iter().any(|(seen, _)| seen == remote) {
                return Err(malformed(format!(
                    "the remote {remote} appears more than once"
                )));
            }
            pairs.push((remote.to_owned(), Token::new(token)));
        }
        Ok(BufToken::PerRemote(pairs))
    }

    /// The token `BUF_TOKEN` holds for `domain` when it is handed to another tool (`token`,
    /// `exec`, the credential helpers): a single token only for buf.build, the one registry it
    /// is meant for, so that a tool asking about some other host never gets it.
    pub fn token_to_hand_over(&self, domain: &Domain) -> Option<&Token> {
        match self {
            BufToken::Single(_) if domain.as_str() != crate::domain::DEFAULT_DOMAIN => None,
            other => other.token_for(domain),
        }
    }

    /// The token `BUF_TOKEN` holds for `domain`, if any.
    pub fn token_for(&self, domain: &Domain) -> Option<&Token> {
        match self {
            BufToken::Unset => None,
            BufToken::Single(token) => Some(token),
            BufToken::PerRemote(pairs) => pairs
                .iter()
                .find(|(remote, _)| remote == domain.as_str())
                .map(|(_, token)| token),
        }
    }
}

/// Whether a token cannot go into an HTTP header as it is.
fn unsendable(token: &str) -> bool {
    token.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// What the netrc holds for a domain, for resolution and for explaining it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetrcEntry {
    /// An entry for exactly the domain, with a password.
    Token(Token),
    /// An entry for exactly the domain whose password cannot be sent in an HTTP header (a
    /// control character or whitespace): a local problem with the file, at this line.
    Unsendable { line: Option<usize> },
    /// No such entry, but a `default` entry exists (and is deliberately not used).
    OnlyDefault,
    /// Nothing usable.
    None,
}

/// Looks up the domain in a parsed netrc.
pub fn netrc_entry(document: Option<&NetrcDocument>, domain: &Domain) -> NetrcEntry {
    let Some(document) = document else {
        return NetrcEntry::None;
    };
    match document.lookup(domain.as_str()) {
        Lookup::Machine(entry) => match entry.password().filter(|p| !p.expose().is_empty()) {
            None => NetrcEntry::None,
            Some(token) if unsendable(token.expose()) => NetrcEntry::Unsendable {
                line: document.line_of(&entry),
            },
            Some(token) => NetrcEntry::Token(token),
        },
        Lookup::Default(_) => NetrcEntry::OnlyDefault,
        Lookup::NotFound => NetrcEntry::None,
    }
}

/// What [`resolve`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    Found(Credential),
    /// The netrc's entry for the domain holds a password that cannot be sent.
    Unsendable {
        path: PathBuf,
        line: Option<usize>,
    },
    /// No token; the netrc has only a `default` entry, which is deliberately not used.
    OnlyDefault,
    NotFound,
}

/// The token for `domain`: `BUF_TOKEN` first, then the netrc entry for exactly the domain.
/// `netrc` is only called when `BUF_TOKEN` has nothing for the domain.
pub fn resolve<E>(
    buf_token: &BufToken,
    domain: &Domain,
    netrc: impl FnOnce() -> Result<NetrcEntry, E>,
    netrc_path: &Path,
) -> Result<Resolution, E> {
    resolve_from(buf_token.token_for(domain), netrc, netrc_path)
}

/// The token for `domain` as it is handed to another tool: as [`resolve`], except that a
/// single-token `BUF_TOKEN` counts only for buf.build ([`BufToken::token_to_hand_over`]).
pub fn resolve_to_hand_over<E>(
    buf_token: &BufToken,
    domain: &Domain,
    netrc: impl FnOnce() -> Result<NetrcEntry, E>,
    netrc_path: &Path,
) -> Result<Resolution, E> {
    resolve_from(buf_token.token_to_hand_over(domain), netrc, netrc_path)
}

fn resolve_from<E>(
    from_env: Option<&Token>,
    netrc: impl FnOnce() -> Result<NetrcEntry, E>,
    netrc_path: &Path,
) -> Result<Resolution, E> {
    if let Some(token) = from_env {
        return Ok(Resolution::Found(Credential {
            token: token.clone(),
            source: Source::BufToken,
        }));
    }
    Ok(match netrc()? {
        NetrcEntry::Token(token) => Resolution::Found(Credential {
            token,
            source: Source::Netrc(netrc_path.to_path_buf()),
        }),
        NetrcEntry::Unsendable { line } => Resolution::Unsendable {
            path: netrc_path.to_path_buf(),
            line,
        },
        NetrcEntry::OnlyDefault => Resolution::OnlyDefault,
        NetrcEntry::None => Resolution::NotFound,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domain(d: &str) -> Domain {
        Domain::parse(d).unwrap()
    }

    fn doc(text: &str) -> NetrcDocument {
        NetrcDocument::parse(text.as_bytes().to_vec()).unwrap()
    }

    #[test]
    fn unset_and_empty_buf_token_mean_none() {
        assert_eq!(BufToken::parse(None), Ok(BufToken::Unset));
        assert_eq!(BufToken::parse(Some("")), Ok(BufToken::Unset));
        assert_eq!(BufToken::parse(Some("  \n")), Ok(BufToken::Unset));
    }

    #[test]
    fn a_single_token_applies_to_every_remote() {
        let parsed = BufToken::parse(Some(" tok-1\n")).unwrap();
        assert_eq!(
            parsed.token_for(&domain("buf.build")).unwrap().expose(),
            "tok-1"
        );
        assert_eq!(
            parsed
                .token_for(&domain("bsr.example.com"))
                .unwrap()
                .expose(),
            "tok-1"
        );
    }

    #[test]
    fn per_remote_tokens_match_exactly() {
        let parsed = BufToken::parse(Some("t1@buf.build,t2@bsr.example.com:8443")).unwrap();
        assert_eq!(
            parsed.token_for(&domain("buf.build")).unwrap().expose(),
            "t1"
        );
        assert_eq!(
            parsed
                .token_for(&domain("bsr.example.com:8443"))
                .unwrap()
                .expose(),
            "t2"
        );
        assert!(parsed.token_for(&domain("bsr.example.com")).is_none());
        assert!(parsed.token_for(&domain("go.buf.build")).is_none());
    }

    #[test]
    fn malformed_values_name_the_problem_never_a_token() {
        let cases = [
            ("secret1@buf.build,secret2", "entry 2 of 2 has no @remote"),
            ("@buf.build", "entry 1 of 1 has no token before @"),
            ("secret1@", "entry 1 of 1 has no remote after @"),
            ("secret1@a@buf.build", "entry 1 of 1 has more than one @"),
            (
                "secret1@buf.build,,secret2@x.example",
                "entry 2 of 3 is empty",
            ),
            (
                "secret1@buf.build,secret2@buf.build",
                "the remote buf.build appears more than once",
            ),
            ("secret1@bad host", "entry 1 of 1 names an invalid remote"),
        ];
        for (value, reason) in cases {
            let err = BufToken::parse(Some(value)).unwrap_err();
            assert_eq!(err.reason, reason, "{value}");
            let message = err.to_string();
            assert!(message.starts_with("BUF_TOKEN is malformed: "), "{message}");
            assert!(!message.contains("secret"), "{message}");
        }
    }

    #[test]
    fn buf_token_wins_then_the_exact_netrc_entry() {
        let netrc = doc("machine buf.build login a password from-netrc\n");
        let path = Path::new("/home/a/.netrc");
        let d = domain("buf.build");
        let found = |buf_token: &BufToken| {
            let entry = || Ok::<_, ()>(netrc_entry(Some(&netrc), &d));
            match resolve(buf_token, &d, entry, path) {
                Ok(Resolution::Found(credential)) => credential,
                other => panic!("{other:?}"),
            }
        };
        let from_env = found(&BufToken::parse(Some("from-env")).unwrap());
        assert_eq!(from_env.token.expose(), "from-env");
        assert_eq!(from_env.source, Source::BufToken);
        let from_netrc = found(&BufToken::Unset);
        assert_eq!(from_netrc.token.expose(), "from-netrc");
        assert_eq!(from_netrc.source, Source::Netrc(path.to_path_buf()));
        // A per-remote BUF_TOKEN without this remote falls back to the netrc.
        let fallback = found(&BufToken::parse(Some("x@other.example")).unwrap());
        assert_eq!(fallback.token.expose(), "from-netrc");
        // The netrc is not even read when BUF_TOKEN answers.
        let single = BufToken::parse(Some("from-env")).unwrap();
        let unreadable = || -> Result<NetrcEntry, ()> { Err(()) };
        assert!(matches!(
            resolve(&single, &d, unreadable, path),
            Ok(Resolution::Found(_))
        ));
    }

    #[test]
    fn a_single_buf_token_is_handed_over_only_for_buf_build() {
        let single = BufToken::parse(Some("from-env")).unwrap();
        let build = domain("buf.build");
        let other = domain("bsr.example.com");
        assert_eq!(
            single.token_to_hand_over(&build).unwrap().expose(),
            "from-env"
        );
        assert!(single.token_to_hand_over(&other).is_none());
        let netrc = doc("machine bsr.example.com login a password from-netrc\n");
        let entry = || Ok::<_, ()>(netrc_entry(Some(&netrc), &other));
        match resolve_to_hand_over(&single, &other, entry, Path::new("n")) {
            Ok(Resolution::Found(c)) => assert_eq!(c.token.expose(), "from-netrc"),
            other => panic!("{other:?}"),
        }
        let per_remote = BufToken::parse(Some("t1@buf.build,t2@bsr.example.com")).unwrap();
        assert_eq!(
            per_remote.token_to_hand_over(&other).unwrap().expose(),
            "t2"
        );
    }

    #[test]
    fn the_default_entry_is_never_used() {
        let netrc =
            doc("machine github.com login g password g\ndefault login x password other-service\n");
        let d = domain("buf.build");
        assert_eq!(netrc_entry(Some(&netrc), &d), NetrcEntry::OnlyDefault);
        let entry = || Ok::<_, ()>(netrc_entry(Some(&netrc), &d));
        assert_eq!(
            resolve(&BufToken::Unset, &d, entry, Path::new("n")),
            Ok(Resolution::OnlyDefault)
        );
        assert_eq!(netrc_entry(None, &d), NetrcEntry::None);
    }
}
