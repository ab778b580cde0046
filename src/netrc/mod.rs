//! A lossless netrc reader and editor.
//!
//! [`NetrcDocument`] parses any netrc that people and tools write (comments, `macdef` bodies,
//! quoted values, CRLF, unknown tokens, invalid UTF-8) and remembers the exact bytes of
//! everything. Editing one machine rewrites only that machine's bytes; rendering an unedited
//! document gives back its input byte for byte. Where the file lives and how it is written
//! safely is `crate::store`'s job.

mod agreement;
mod document;
mod go_reader;
mod lexer;
mod placement;
mod plain;
pub mod readers;
mod rewrite;
mod scan;
mod value;

pub use document::{EntryView, Lookup, NetrcDocument};
pub use value::{Field, InvalidValue, ValueProblem, validate_value};

use thiserror::Error;

/// The plain stretches of `text` as the agreement check sees them: every plain entry's byte
/// range, the starts where every reader starts afresh, and where the plain tail begins. For
/// the tests that check, for every reader model, what the check assumes of them.
#[doc(hidden)]
pub fn plain_stretches(text: &[u8]) -> (Vec<std::ops::Range<usize>>, Vec<usize>, usize) {
    let map = plain::scan(text);
    let entries = map.entries.into_iter().map(|e| e.span).collect();
    (entries, map.fresh, map.tail)
}

/// Why a machine cannot be set.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EditError {
    /// A value a netrc cannot hold.
    #[error(transparent)]
    Value(#[from] InvalidValue),
    /// Readers part ways so early in the file that no place exists where all of them would see
    /// a new entry as its own (a stray field before the first machine, say).
    #[error(
        "{0}; there is no place before it where every netrc reader would read a new entry the same way"
    )]
    NoSafePlace(SyntaxError),
    /// An entry to be taken out stands right after a keyword without a value, and what would
    /// follow that keyword instead is a comment or a word that readers would take as its value.
    #[error(
        "{0}; taking the entry out would give that keyword a new value in netrc readers, so add the missing value (or remove the keyword) and try again"
    )]
    Entangled(SyntaxError),
    /// No candidate edit passes the reader models' check: wherever the entry went, some reader
    /// would read it, another machine or the file differently.
    #[error(transparent)]
    Disagreement(Box<Refusal>),
    /// The edited text no longer parses (a bug; the file is not written).
    #[error(transparent)]
    Syntax(#[from] SyntaxError),
}

/// Why an edit was refused after every candidate failed the reader models' check.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "line {}, column {}: there is no place in this file where every netrc reader would read the entry for {machine} as meant (wherever it went, {reader} {differs}); fix or remove what stands there and try again",
    at.line,
    at.column
)]
pub struct Refusal {
    /// Where the trouble is: the entry being edited, else the first line that is not plain.
    pub at: SyntaxError,
    /// The machine being edited.
    pub machine: String,
    /// The reader (SPEC's name) that disagreed with the last candidate.
    pub reader: &'static str,
    /// What it would have read differently, said as the end of a sentence.
    pub differs: String,
}

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
