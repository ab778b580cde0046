//! Which values a netrc can hold unambiguously.
//!
//! Readers disagree on quoting and escapes (curl, Python's `netrc`, Go's `cmd/go` and Buf's own
//! parser each do something different), so bsr only writes values that every one of them reads
//! the same way: a single bare word with no quote, comment or escape character in it.

use std::fmt;

use thiserror::Error;

/// The netrc field a value is meant for; named in errors instead of the value itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Machine,
    Login,
    Password,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Field::Machine => "machine name",
            Field::Login => "username",
            Field::Password => "token",
        })
    }
}

/// Why a value cannot be written to a netrc.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueProblem {
    Empty,
    Whitespace,
    ControlCharacter,
    /// Bidirectional overrides and zero-width characters: invisible, and able to make a name
    /// read as another (`alice\u{202e}gnp.exe` shows as `aliceexe.png`).
    FormatCharacter,
    Quote,
    Hash,
    Backslash,
}

impl fmt::Display for ValueProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValueProblem::Empty => "is empty",
            ValueProblem::Whitespace => "contains whitespace",
            ValueProblem::ControlCharacter => "contains a control character",
            ValueProblem::FormatCharacter => {
                "contains an invisible formatting character (such as a bidirectional override)"
            }
            ValueProblem::Quote => "contains a double quote (\")",
            ValueProblem::Hash => {
                "contains '#', which netrc readers take as the start of a comment"
            }
            ValueProblem::Backslash => {
                "contains a backslash, which netrc readers unescape differently"
            }
        })
    }
}

/// A value that a netrc cannot hold. The message names the field and the problem, never the
/// value: it may be a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("the {field} {problem}, so it cannot be stored in a netrc file")]
pub struct InvalidValue {
    pub field: Field,
    pub problem: ValueProblem,
}

/// Checks that `value` can be written as a bare netrc word that every reader parses the same.
pub fn validate_value(field: Field, value: &str) -> Result<(), InvalidValue> {
    let problem = if value.is_empty() {
        Some(ValueProblem::Empty)
    } else {
        value.chars().find_map(|c| match c {
            c if c.is_whitespace() => Some(ValueProblem::Whitespace),
            c if c.is_control() => Some(ValueProblem::ControlCharacter),
            c if crate::text::is_format_character(c) => Some(ValueProblem::FormatCharacter),
            '"' => Some(ValueProblem::Quote),
            '#' => Some(ValueProblem::Hash),
            '\\' => Some(ValueProblem::Backslash),
            _ => None,
        })
    };
    match problem {
        None => Ok(()),
        Some(problem) => Err(InvalidValue { field, problem }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(value: &str) -> Option<ValueProblem> {
        validate_value(Field::Password, value)
            .err()
            .map(|e| e.problem)
    }

    #[test]
    fn accepts_ordinary_tokens_and_usernames() {
        assert_eq!(problem("a1b2c3d4e5f6"), None);
        assert_eq!(problem("alice-smith_2"), None);
        assert_eq!(problem("bsr_ABC.def/+=~"), None);
        assert_eq!(problem("jürgen"), None);
    }

    #[test]
    fn rejects_what_a_netrc_cannot_hold() {
        assert_eq!(problem(""), Some(ValueProblem::Empty));
        assert_eq!(problem("a b"), Some(ValueProblem::Whitespace));
        assert_eq!(
            problem("alice\nmachine evil.example"),
            Some(ValueProblem::Whitespace)
        );
        assert_eq!(problem("a\u{a0}b"), Some(ValueProblem::Whitespace));
        assert_eq!(problem("a\u{7}b"), Some(ValueProblem::ControlCharacter));
        assert_eq!(problem("a\"b"), Some(ValueProblem::Quote));
        assert_eq!(problem("#abc"), Some(ValueProblem::Hash));
        assert_eq!(problem("a\\b"), Some(ValueProblem::Backslash));
        assert_eq!(
            problem("alice\u{202e}gnp.exe"),
            Some(ValueProblem::FormatCharacter)
        );
        assert_eq!(problem("a\u{200b}b"), Some(ValueProblem::FormatCharacter));
    }

    #[test]
    fn message_names_the_field_not_the_value() {
        let err = validate_value(Field::Password, "top secret").unwrap_err();
        let message = err.to_string();
        assert_eq!(
            message,
            "the token contains whitespace, so it cannot be stored in a netrc file"
        );
        assert!(!message.contains("secret"));
    }
}
