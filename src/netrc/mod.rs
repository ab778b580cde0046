//! A lossless netrc reader and editor.
//!
//! [`NetrcDocument`] parses any netrc that people and tools write (comments, `macdef` bodies,
//! quoted values, CRLF, unknown tokens, invalid UTF-8) and remembers the exact bytes of
//! everything. Editing one machine rewrites only that machine's bytes; rendering an unedited
//! document gives back its input byte for byte. Where the file lives and how it is written
//! safely is `crate::store`'s job.

mod document;
mod lexer;
mod value;

pub use document::{EntryView, Lookup, NetrcDocument};
pub use value::{Field, InvalidValue, ValueProblem, validate_value};

use thiserror::Error;

/// A netrc that cannot be understood well enough to edit safely.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("line {line}, column {column}: {message}")]
pub struct SyntaxError {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// What is wrong there.
    pub message: &'static str,
}

impl SyntaxError {
    pub(crate) fn at(src: &[u8], offset: usize, message: &'static str) -> Self {
        let line_start = lexer::line_start(src, offset);
        let line = 1 + src[..line_start].iter().filter(|&&b| b == b'\n').count();
        // Count characters, not bytes, so the column matches what an editor shows for UTF-8.
        let column = 1 + src[line_start..offset]
            .iter()
            .filter(|&&b| (b & 0xC0) != 0x80)
            .count();
        SyntaxError {
            line,
            column,
            message,
        }
    }
}

#[cfg(test)]
mod tests;
