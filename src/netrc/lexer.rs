//! Byte-level scanning of netrc text: tokens, comments and macdef bodies.
//!
//! The lexer works on bytes, not strings, because a real netrc may hold anything (Latin-1
//! passwords, binary junk in a macro) and the bytes we do not touch must survive untouched.

use std::borrow::Cow;
use std::ops::Range;

use super::SyntaxError;

/// One whitespace-separated token, as a span of the text it was read from. Offsets are `u32`
/// (the parser refuses larger files) so that a document of 100,000 entries stays small.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tok {
    pub start: u32,
    pub end: u32,
    /// Written as a double-quoted string (the span includes both quotes).
    pub quoted: bool,
}

impl Tok {
    fn new(start: usize, end: usize, quoted: bool) -> Tok {
        // The parser checks up front that every offset fits.
        Tok {
            start: start as u32,
            end: end as u32,
            quoted,
        }
    }

    pub fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    pub fn shifted(self, by: usize) -> Tok {
        Tok::new(self.range().start - by, self.range().end - by, self.quoted)
    }

    /// The token's value: quotes removed and `\x` escapes resolved, as Python's `netrc` and
    /// curl read it.
    pub fn decode(self, src: &[u8]) -> Cow<'_, [u8]> {
        let raw = &src[self.range()];
        if !self.quoted {
            return Cow::Borrowed(raw);
        }
        let inner = &raw[1..raw.len() - 1];
        if !inner.contains(&b'\\') {
            return Cow::Borrowed(inner);
        }
        let mut out = Vec::with_capacity(inner.len());
        let mut bytes = inner.iter();
        while let Some(&b) = bytes.next() {
            if b == b'\\' {
                if let Some(&escaped) = bytes.next() {
                    out.push(escaped);
                }
            } else {
                out.push(b);
            }
        }
        Cow::Owned(out)
    }
}

/// The separators of the netrc grammar (the same set as Python's `netrc` module).
pub(crate) fn is_separator(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

pub(crate) struct Lexer<'a> {
    src: &'a [u8],
    pos: usize,
}

impl<'a> Lexer<'a> {
    pub fn new(src: &'a [u8]) -> Self {
        Lexer { src, pos: 0 }
    }

    /// The next token, or `None` at the end of the text.
    pub fn next_token(&mut self) -> Result<Option<Tok>, SyntaxError> {
        let src = self.src;
        let mut i = self.pos;
        while i < src.len() && is_separator(src[i]) {
            i += 1;
        }
        if i == src.len() {
            self.pos = i;
            return Ok(None);
        }
        let start = i;
        if src[i] == b'"' {
            i += 1;
            loop {
                match src.get(i) {
                    None => {
                        return Err(SyntaxError::at(
                            src,
                            start,
                            "a quoted value is never closed (missing '\"')",
                        ));
                    }
                    Some(b'"') => break,
                    Some(b'\\') => i += 2,
                    Some(_) => i += 1,
                }
            }
            // A quoted token ends at its closing quote, whatever follows (Python does the same).
            self.pos = i + 1;
            return Ok(Some(Tok::new(start, i + 1, true)));
        }
        while i < src.len() && !is_separator(src[i]) {
            i += 1;
        }
        self.pos = i;
        Ok(Some(Tok::new(start, i, false)))
    }

    /// The next token, without moving past it.
    pub fn peek_token(&self) -> Result<Option<Tok>, SyntaxError> {
        Lexer {
            src: self.src,
            pos: self.pos,
        }
        .next_token()
    }

    /// Moves past `tok`, a token [`peek_token`](Self::peek_token) returned.
    pub fn skip(&mut self, tok: Tok) {
        self.pos = tok.range().end;
    }

    /// Where the lexer stands.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Moves to the end of the current line (before its line feed).
    pub fn skip_rest_of_line(&mut self) {
        self.pos = line_end(self.src, self.pos);
    }

    /// Skips a macro body: the rest of the `macdef NAME` line, then every line up to and
    /// including the next empty one. Returns whether that empty line was found (otherwise the
    /// body runs to the end of the text).
    pub fn skip_macdef_body(&mut self) -> bool {
        let src = self.src;
        let mut i = line_end(src, self.pos);
        while i < src.len() {
            // `i` is at a line feed; the next line starts after it.
            i += 1;
            let line_start = i;
            let end = line_end(src, line_start);
            let content = &src[line_start..end];
            if content.is_empty() || content == b"\r" {
                self.pos = (end + 1).min(src.len());
                return end < src.len();
            }
            i = end;
        }
        self.pos = src.len();
        false
    }
}

/// The offset of the line feed that ends the line holding `from`, or the end of the text.
pub(crate) fn line_end(src: &[u8], from: usize) -> usize {
    src[from..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(src.len(), |n| from + n)
}

/// The offset where the line holding `at` begins.
pub(crate) fn line_start(src: &[u8], at: usize) -> usize {
    src[..at]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |n| n + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(src: &[u8]) -> Vec<(&[u8], bool)> {
        let mut lexer = Lexer::new(src);
        let mut out = Vec::new();
        while let Some(tok) = lexer.next_token().unwrap() {
            out.push((&src[tok.range()], tok.quoted));
        }
        out
    }

    #[test]
    fn splits_on_spaces_tabs_and_line_ends() {
        let toks = tokens(b"  machine\ta\r\nlogin  b\n");
        let words: Vec<_> = toks.iter().map(|t| t.0).collect();
        assert_eq!(words, [&b"machine"[..], b"a", b"login", b"b"]);
    }

    #[test]
    fn quoted_values_keep_spaces_and_escapes() {
        let src = br#"password "a b\"c\\d" next"#;
        let mut lexer = Lexer::new(src);
        lexer.next_token().unwrap();
        let tok = lexer.next_token().unwrap().unwrap();
        assert!(tok.quoted);
        assert_eq!(tok.decode(src).as_ref(), br#"a b"c\d"#);
        assert_eq!(&src[lexer.next_token().unwrap().unwrap().range()], b"next");
    }

    #[test]
    fn unterminated_quote_is_an_error_with_its_position() {
        let err = Lexer::new(b"machine a\npassword \"abc")
            .next_token()
            .and_then(|_| {
                let mut l = Lexer::new(b"machine a\npassword \"abc");
                l.next_token()?;
                l.next_token()?;
                l.next_token()?;
                l.next_token()
            })
            .unwrap_err();
        assert_eq!((err.line, err.column), (2, 10));
    }

    #[test]
    fn macdef_body_ends_at_an_empty_line() {
        let src = b"macdef init\ncd /\n  \nls\n\nmachine x";
        let mut lexer = Lexer::new(src);
        lexer.next_token().unwrap();
        lexer.next_token().unwrap();
        assert!(lexer.skip_macdef_body());
        assert_eq!(&src[lexer.pos..], b"machine x");
    }

    #[test]
    fn macdef_body_ends_at_an_empty_crlf_line() {
        let src = b"macdef init\r\ncd /\r\n\r\nmachine x";
        let mut lexer = Lexer::new(src);
        lexer.next_token().unwrap();
        lexer.next_token().unwrap();
        assert!(lexer.skip_macdef_body());
        assert_eq!(&src[lexer.pos..], b"machine x");
    }

    #[test]
    fn macdef_body_may_run_to_the_end() {
        let src = b"macdef init\ncd /\nmachine x login y";
        let mut lexer = Lexer::new(src);
        lexer.next_token().unwrap();
        lexer.next_token().unwrap();
        assert!(!lexer.skip_macdef_body());
        assert_eq!(lexer.next_token().unwrap(), None);
    }
}
