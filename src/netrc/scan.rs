//! The netrc grammar over tokens: which tokens make up which entry, which are fields, values,
//! comments and macro bodies, and what in an entry makes other readers disagree with us.

use std::ops::Range;

use super::SyntaxError;
use super::lexer::{Lexer, Tok, line_end};

/// A field keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    Login,
    /// Python's synonym for `login`; no other reader knows it.
    User,
    Password,
    Account,
}

/// One field: its keyword and its value, `None` where the keyword has no value (it is last in
/// the file, or another keyword follows it).
#[derive(Debug, Clone, Copy)]
pub(crate) struct FieldTok {
    pub key: Key,
    pub keyword: Tok,
    pub value: Option<Tok>,
}

impl FieldTok {
    /// Where the field ends: after its value, or after its keyword when it has none.
    pub fn end(&self) -> usize {
        self.value.unwrap_or(self.keyword).range().end
    }
}

/// Something in an entry that makes some mainstream reader read the bytes after it differently
/// from us, so that nothing may be placed after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Risk {
    pub at: usize,
    pub why: &'static str,
}

/// An entry as the scanner finds it, with spans into the scanned text.
#[derive(Debug)]
pub(crate) struct ScannedEntry {
    pub first: usize,
    pub last_end: usize,
    /// The machine name; `None` for the `default` entry.
    pub name: Option<Tok>,
    /// Collected only in detail mode.
    pub fields: Vec<FieldTok>,
    /// The comments inside the entry, each from its `#` token to the end of its line (a quoted
    /// `"#…"` token may itself run over lines); collected only in detail mode.
    pub comments: Vec<Range<usize>>,
    /// The first thing in the entry other readers disagree on; detail mode only.
    pub risk: Option<Risk>,
}

/// What the scan found outside the entries.
#[derive(Debug, Default)]
pub(crate) struct ScanReport {
    /// The text ends inside a `macdef` body that no empty line closes.
    pub ends_in_open_macdef: bool,
    /// Each macro body, from the line after `macdef NAME` up to and including the empty line
    /// that ends it; detail mode only.
    pub macro_bodies: Vec<Range<usize>>,
    /// The text ends with a field keyword that has no value (in an entry or outside one), so
    /// whatever is put after the text becomes its value.
    pub dangling: Option<Tok>,
}

const KEYWORDS: [&[u8]; 7] = [
    b"machine",
    b"default",
    b"macdef",
    b"login",
    b"user",
    b"password",
    b"account",
];

/// Whether an unquoted token is a keyword, and so never a value.
pub(crate) fn is_keyword(src: &[u8], tok: Tok) -> bool {
    !tok.quoted && KEYWORDS.contains(&&src[tok.range()])
}

/// A byte no reader treats as part of an ordinary word: curl's C strings end at NUL, and the
/// other control characters are where readers' notions of white space differ.
fn has_control_byte(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .any(|&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7f)
}

/// Finds the entries, handing each to `on_entry` as soon as it ends; the scan stops early when
/// `on_entry` returns `false` (the report then covers the text up to there). In `detail` mode it
/// also collects fields, comments, risks and macro bodies (the editor needs them; parsing a
/// large file does not).
pub(crate) fn scan(
    src: &[u8],
    detail: bool,
    mut on_entry: impl FnMut(ScannedEntry) -> bool,
) -> Result<ScanReport, SyntaxError> {
    let mut lexer = Lexer::new(src);
    let mut current: Option<ScannedEntry> = None;
    let mut report = ScanReport::default();

    let required = |lexer: &mut Lexer<'_>, after: Tok, message| -> Result<Tok, SyntaxError> {
        lexer
            .next_token()?
            .ok_or_else(|| SyntaxError::at(src, after.range().start, message))
    };
    let new_entry = |first: Tok, name: Option<Tok>| {
        let mut entry = ScannedEntry {
            first: first.range().start,
            last_end: name.unwrap_or(first).range().end,
            name,
            fields: Vec::new(),
            comments: Vec::new(),
            risk: None,
        };
        if detail {
            entry.risk = token_risk(src, first, true).or_else(|| {
                name.and_then(|name| {
                    token_risk(src, name, false).or_else(|| {
                        (!name.quoted && src[name.range()].starts_with(b"#")).then_some(Risk {
                            at: name.range().start,
                            why: "a machine name that curl reads as a comment",
                        })
                    })
                })
            });
            if name.is_none() {
                entry.risk = Some(Risk {
                    at: first.range().start,
                    why: "the default entry, where curl stops reading",
                });
            }
        }
        entry
    };

    while let Some(tok) = lexer.next_token()? {
        let word = tok.decode(src);
        if word.first() == Some(&b'#') {
            lexer.skip_rest_of_line();
            if detail && let Some(entry) = &mut current {
                entry.comments.push(tok.range().start..lexer.position());
            }
            continue;
        }
        match word.as_ref() {
            b"machine" => {
                // A bare `machine` that ends the file names nothing; readers that take it for
                // an entry find no fields in it (SPEC: such a file is edited, not refused). It
                // stays a word of whatever stands before it, where the rules place nothing
                // after it and the reader models judge what goes before.
                let Some(name) = lexer.next_token()? else {
                    if let Some(entry) = &mut current {
                        entry.last_end = tok.range().end;
                        if detail && entry.risk.is_none() {
                            entry.risk = Some(Risk {
                                at: tok.range().start,
                                why: "a 'machine' without a name at the end of the file",
                            });
                        }
                    }
                    continue;
                };
                if let Some(done) = current.replace(new_entry(tok, Some(name)))
                    && !on_entry(done)
                {
                    return Ok(report);
                }
            }
            b"default" => {
                if let Some(done) = current.replace(new_entry(tok, None))
                    && !on_entry(done)
                {
                    return Ok(report);
                }
            }
            b"macdef" => {
                required(&mut lexer, tok, "'macdef' is not followed by a name")?;
                let body_start = (line_end(src, lexer.position()) + 1).min(src.len());
                report.ends_in_open_macdef = !lexer.skip_macdef_body();
                if detail {
                    report.macro_bodies.push(body_start..lexer.position());
                }
                if let Some(done) = current.take()
                    && !on_entry(done)
                {
                    return Ok(report);
                }
            }
            b"login" | b"user" | b"password" | b"account" => {
                let key = match word.as_ref() {
                    b"login" => Key::Login,
                    b"user" => Key::User,
                    b"password" => Key::Password,
                    _ => Key::Account,
                };
                // A keyword with nothing after it, or another keyword, has an empty value
                // (Python, curl and Go all read such files); a keyword is never a value.
                let value = match lexer.peek_token()? {
                    Some(next) if !is_keyword(src, next) => {
                        lexer.skip(next);
                        Some(next)
                    }
                    Some(_) => None,
                    None => {
                        report.dangling = Some(tok);
                        None
                    }
                };
                let field = FieldTok {
                    key,
                    keyword: tok,
                    value,
                };
                // A stray field before the first machine or after a macro is skipped: curl and
                // Go skip it too (Go's next `machine` starts afresh); Python rejects the file.
                if let Some(entry) = &mut current {
                    entry.last_end = field.end();
                    if detail {
                        if entry.risk.is_none() {
                            entry.risk = field_risk(src, &field);
                        }
                        entry.fields.push(field);
                    }
                }
            }
            _ => {
                if let Some(entry) = &mut current {
                    entry.last_end = tok.range().end;
                    if detail && entry.risk.is_none() {
                        entry.risk = token_risk(src, tok, false);
                    }
                }
            }
        }
    }
    if let Some(done) = current {
        on_entry(done);
    }
    Ok(report)
}

/// What in one token readers disagree on.
fn token_risk(src: &[u8], tok: Tok, keyword: bool) -> Option<Risk> {
    let bytes = &src[tok.range()];
    let why = if has_control_byte(bytes) {
        "a control character, where curl's reading ends or readers split words differently"
    } else if tok.quoted && bytes.iter().any(|&b| b == b'\n' || b == b'\r') {
        "a quoted value across lines, which line-based readers split"
    } else if tok.quoted && keyword {
        "a quoted keyword, which Go does not read as one"
    } else {
        return None;
    };
    Some(Risk {
        at: tok.range().start,
        why,
    })
}

/// What in one field readers disagree on.
fn field_risk(src: &[u8], field: &FieldTok) -> Option<Risk> {
    if let Some(risk) = token_risk(src, field.keyword, true) {
        return Some(risk);
    }
    let Some(value) = field.value else {
        return Some(Risk {
            at: field.keyword.range().start,
            why: "a keyword without a value, where curl takes the next word as its value",
        });
    };
    if !value.quoted && src[value.range()].starts_with(b"#") {
        return Some(Risk {
            at: value.range().start,
            why: "a value starting with '#', which curl reads as a comment",
        });
    }
    token_risk(src, value, false)
}
