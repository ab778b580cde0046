//! The token type: a credential that never shows up in logs, errors or debug output.

use std::fmt;

use thiserror::Error;
use zeroize::Zeroize;

use crate::netrc::{Field, InvalidValue, ValueProblem, validate_value};

/// A BSR token (or any password read from a netrc).
///
/// `Debug` prints `Token(REDACTED)`; there is deliberately no `Display`. The only way to the
/// text is [`Token::expose`], so every place that sends or stores the secret is easy to find.
/// The bytes are overwritten when the value is dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Wraps a token. The caller is responsible for having trimmed and validated it.
    pub fn new(text: impl Into<String>) -> Self {
        Token(text.into())
    }

    /// A token as a person or a script gave it: surrounding whitespace trimmed, and refused
    /// where a netrc cannot hold it (the error names the problem, never the token).
    pub fn parse(text: &str) -> Result<Token, InvalidToken> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(InvalidToken::Empty);
        }
        validate_value(Field::Password, trimmed)?;
        Ok(Token::new(trimmed))
    }

    /// The token's text, for the two places that need it: the `Authorization` header and the
    /// netrc `password` field.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Why a given token cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum InvalidToken {
    #[error("token cannot be empty string")]
    Empty,
    #[error(transparent)]
    Unstorable(#[from] InvalidValue),
}

/// A username as the registry sent it, checked once: it can be stored as a netrc value and
/// printed to a terminal (no whitespace, control, format or quoting characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    /// Checks a username; the problem, never the text, is reported.
    pub fn parse(text: String) -> Result<Username, ValueProblem> {
        validate_value(Field::Login, &text).map_err(|e| e.problem)?;
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

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(REDACTED)")
    }
}

impl Drop for Token {
    fn drop(&mut self) {
        // Best effort: the allocation may have been copied before (by the reader or by a
        // reallocation), but this keeps the final copy from lingering in freed memory.
        self.0.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_the_token() {
        let token = Token::new("s3cr3t-value");
        let shown = format!("{token:?} {:#?}", Some(&token));
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("REDACTED"));
        assert_eq!(token.expose(), "s3cr3t-value");
    }
}
