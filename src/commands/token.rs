//! `bsr registry token [domain] [--header] [--show]`: the token in effect for a registry, on
//! standard output only, for a program that reads it from a pipe (`curl -H @-`).

use std::io::Write;

use zeroize::Zeroizing;

use super::CommandError;
use super::handover::Credentials;
use crate::domain::Domain;

/// What `token` prints.
#[derive(Debug, Clone, Copy)]
pub struct TokenRequest {
    /// `Authorization: Bearer <token>` instead of the bare token.
    pub header: bool,
    /// Print even to a terminal.
    pub show: bool,
    pub stdout_is_terminal: bool,
}

pub fn token(
    domain: &Domain,
    request: TokenRequest,
    credentials: &Credentials<'_>,
    out: &mut dyn Write,
) -> Result<(), CommandError> {
    // Checked first: a terminal refusal should not depend on whether a token exists.
    if request.stdout_is_terminal && !request.show {
        return Err(CommandError::TokenToTerminal {
            domain: domain.to_string(),
        });
    }
    let handed = credentials.require(domain)?;
    let line = Zeroizing::new(if request.header {
        format!("Authorization: Bearer {}\n", handed.token.expose())
    } else {
        format!("{}\n", handed.token.expose())
    });
    // The output is the whole point here, so a reader that went away is a failure.
    out.write_all(line.as_bytes())
        .and_then(|()| out.flush())
        .map_err(CommandError::TokenNotWritten)
}
