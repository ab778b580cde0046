//! Plain stretches of a netrc: lines that every modelled reader reads the same way whatever
//! follows them, so that the agreement check (`agreement`) need not run the models over them.
//!
//! A *plain entry* starts a line with `machine NAME`, then `login VALUE` and `password VALUE`,
//! each keyword and its value on one line, the pairs separated by blanks or by one line end;
//! after the password may stand a comment (`#` and plain words) to the end of its line. A name
//! or value is a *plain word* (printable ASCII without `"`, `#`, `'`, `` ` `` or `\`, and not a
//! keyword of any reader in any case) or such words in double quotes. Between entries stand
//! blank lines and comment lines of plain words; lines end in LF or CRLF.
//!
//! What the check relies on, and `tests/it/models/plain.rs` tests for every model on generated
//! files: a reader that has read a plain run from the start of the file has read each of its
//! entries as it reads that entry alone, and the next `machine` line starts afresh; and once a
//! reader has read a plain entry as it reads it alone, the plain lines after it are read the
//! same way.

use std::ops::Range;

/// What [`scan`] found.
#[derive(Debug, Default)]
pub(super) struct PlainMap {
    /// Every plain entry, in file order: where it starts (its line) and ends (after its line
    /// end), and its name as written (quotes and all).
    pub entries: Vec<PlainEntry>,
    /// Where each reader is known to start afresh: the starts of the entries before which
    /// everything is plain, and of the first line that is not plain when it begins with
    /// `machine`. In file order.
    pub fresh: Vec<usize>,
    /// Where the plain tail begins: every line from here to the end of the file is plain.
    pub tail: usize,
    /// The start of the first line that is not plain.
    pub first_unplain: Option<usize>,
}

#[derive(Debug, Clone)]
pub(super) struct PlainEntry {
    pub span: Range<usize>,
    pub name: Range<usize>,
}

/// A name or value without the quotes around it, if it has them.
pub(super) fn unquoted(word: &[u8]) -> &[u8] {
    match word {
        [b'"', inner @ .., b'"'] => inner,
        _ => word,
    }
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// The bytes of a plain word, as a table: the scan looks up every byte of a large file.
const WORD_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0x21;
    while b <= 0x7e {
        table[b] = !matches!(b as u8, b'"' | b'#' | b'\'' | b'`' | b'\\');
        b += 1;
    }
    table
};

fn is_word_byte(b: u8) -> bool {
    WORD_BYTE[b as usize]
}

/// Whether all eight bytes of `chunk` are plain word bytes and none is `m` or `M` (SWAR: each
/// test sets a byte's high bit where the byte fails it).
fn all_plain_without_m(chunk: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let below_0x21 = chunk.wrapping_sub(ONES * 0x21) & !chunk & HIGH;
    // Adding 1 carries 0x7f into the high bit; bytes from 0x80 have it already.
    let above_0x7e = (chunk.wrapping_add(ONES) | chunk) & HIGH;
    let special = [b'"', b'#', b'\'', b'`', b'\\']
        .iter()
        .fold(0, |acc, &c| acc | zero_byte(chunk ^ (ONES * u64::from(c))));
    let m = zero_byte((chunk | (ONES * 0x20)) ^ (ONES * u64::from(b'm')));
    below_0x21 | above_0x7e | special | m == 0
}

/// Any reader's keyword (`machine`, `login`, `password`, `account`, `macdef`, `default`, `user`,
/// `passwd`, `port`, `force`) in any case. The scan asks this of every word of a large file, so
/// it looks at the first byte first. A word that holds `machine` ([`holds_machine`]) is no
/// plain word either: npm's netrc-parser takes any line that holds it, in a longer word or a
/// comment too, for a machine line.
fn is_keyword(word: &[u8]) -> bool {
    let candidates: &[&[u8]] = match word.first().map(|b| b | 0x20) {
        Some(b'm') => &[b"machine", b"macdef"],
        Some(b'l') => &[b"login"],
        Some(b'p') => &[b"password", b"passwd", b"port"],
        Some(b'a') => &[b"account"],
        Some(b'd') => &[b"default"],
        Some(b'u') => &[b"user"],
        Some(b'f') => &[b"force"],
        _ => &[],
    };
    candidates.iter().any(|k| k.eq_ignore_ascii_case(word))
}

/// Whether `word` holds `machine` in any case.
fn holds_machine(word: &[u8]) -> bool {
    word.len() >= 7
        && word[..word.len() - 6]
            .iter()
            .enumerate()
            .any(|(i, &b)| b | 0x20 == b'm' && word[i..i + 7].eq_ignore_ascii_case(b"machine"))
}

/// A cursor over one text.
struct Cursor<'a> {
    text: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn blanks(&mut self) -> usize {
        let from = self.at;
        while self.peek().is_some_and(is_blank) {
            self.at += 1;
        }
        self.at - from
    }

    /// A line end (LF or CRLF), or the end of the text.
    fn line_end(&mut self) -> bool {
        match &self.text[self.at..] {
            [] => true,
            [b'\n', ..] => {
                self.at += 1;
                true
            }
            [b'\r', b'\n', ..] => {
                self.at += 2;
                true
            }
            _ => false,
        }
    }

    /// A plain word, not a keyword.
    fn word(&mut self) -> Option<Range<usize>> {
        let from = self.at;
        let rest = &self.text[from..];
        // One pass over the bytes, noting the first `m` for the `machine` check. Eight bytes
        // at a time while they are all plain and hold no `m`: the scan reads every word of a
        // large file.
        let mut first_m = None;
        let mut len = rest.len();
        let mut i = 0;
        while let Some(chunk) = rest.get(i..i + 8) {
            let chunk = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
            if !all_plain_without_m(chunk) {
                break;
            }
            i += 8;
        }
        for (j, &b) in rest[i..].iter().enumerate() {
            if !is_word_byte(b) {
                len = i + j;
                break;
            }
            if first_m.is_none() && b | 0x20 == b'm' {
                first_m = Some(i + j);
            }
        }
        self.at += len;
        let word = &rest[..len];
        let keyword = !word.is_empty()
            && (is_keyword(word) || first_m.is_some_and(|m| holds_machine(&word[m..])));
        (!word.is_empty() && !keyword).then_some(from..self.at)
    }

    /// A plain word or plain words in quotes, followed by a blank or a line end.
    fn value(&mut self) -> Option<Range<usize>> {
        let from = self.at;
        if self.peek() == Some(b'"') {
            self.at += 1;
            let mut words = 0;
            loop {
                self.blanks();
                if self.peek() == Some(b'"') {
                    break;
                }
                self.word()?;
                words += 1;
            }
            self.at += 1;
            if words == 0 {
                return None;
            }
        } else {
            self.word()?;
        }
        let ends = self
            .peek()
            .is_none_or(|b| is_blank(b) || b == b'\n' || b == b'\r');
        ends.then_some(from..self.at)
    }

    fn keyword(&mut self, keyword: &[u8]) -> Option<()> {
        let rest = &self.text[self.at..];
        (rest.starts_with(keyword) && rest.get(keyword.len()).copied().is_some_and(is_blank))
            .then(|| self.at += keyword.len())
    }

    /// `keyword VALUE` on one line.
    fn pair(&mut self, keyword: &[u8]) -> Option<Range<usize>> {
        self.keyword(keyword)?;
        self.blanks();
        self.value()
    }

    /// What separates two pairs: blanks, or one line end with blanks around it.
    fn between_pairs(&mut self) -> Option<()> {
        let blanks = self.blanks();
        self.peek()?;
        let from = self.at;
        if self.line_end() && self.at > from {
            self.blanks();
            return Some(());
        }
        (blanks > 0).then_some(())
    }

    /// `#` and plain words, to the end of the line (which it takes).
    fn comment_to_line_end(&mut self) -> Option<()> {
        if self.peek() != Some(b'#') {
            return None;
        }
        self.at += 1;
        loop {
            let blanks = self.blanks();
            if self.line_end() {
                return Some(());
            }
            if blanks == 0 {
                return None;
            }
            self.word()?;
        }
    }

    /// A blank or comment line from the start of a line.
    fn blank_or_comment_line(&mut self) -> Option<Line> {
        self.blanks();
        self.peek()?;
        if self.line_end() {
            return Some(Line::Blank);
        }
        self.comment_to_line_end().map(|()| Line::Comment)
    }

    /// A plain entry from the start of a line (`machine` in its first column: netrc-parser
    /// reads an indented `machine NAME` line as a field of the entry before): its name, and
    /// whether a comment line may follow it (see [`scan`]).
    fn entry(&mut self) -> Option<(Range<usize>, bool)> {
        let name = self.pair(b"machine")?;
        self.between_pairs()?;
        self.pair(b"login")?;
        self.between_pairs()?;
        self.pair(b"password")?;
        if self.blanks() > 0 && self.peek() == Some(b'#') {
            return self.comment_to_line_end().map(|()| (name, true));
        }
        let value_end = self.at;
        let quoted = self.text[value_end - 1] == b'"';
        (self.line_end() && self.at > value_end).then(|| {
            // Only an unquoted value followed by LF itself: uv and Python read the byte that
            // ends a bare word with it (not a closing quote), so after a CR, a blank, a quote
            // or a blank line they read the words of a comment line that follows as tokens.
            let lf_only = !quoted && self.text.get(value_end) == Some(&b'\n');
            (name, lf_only)
        })
    }
}

enum Line {
    Blank,
    Comment,
}

/// Whether the line starting at `at` begins with `machine` and a blank.
fn starts_with_machine(text: &[u8], at: usize) -> bool {
    fresh_len(&text[at..]).is_some()
}

/// How much of a line must stand as it is for readers to start afresh there: `machine`,
/// blanks and the first byte of a name on the same line (Go, pairing the words of a line,
/// resets only at a `machine` with a name). `None` when the line does not begin so.
pub(super) fn fresh_len(line: &[u8]) -> Option<usize> {
    let rest = line.strip_prefix(b"machine")?;
    let blanks = rest.iter().take_while(|&&b| is_blank(b)).count();
    let name = rest.get(blanks)?;
    (blanks > 0 && *name != b'\n' && *name != b'\r').then_some(7 + blanks + 1)
}

/// Reads `text` line by line and finds its plain stretches.
pub(super) fn scan(text: &[u8]) -> PlainMap {
    // About one entry per 80 bytes in a typical file: one allocation instead of many.
    let mut map = PlainMap {
        entries: Vec::with_capacity(text.len() / 80),
        ..PlainMap::default()
    };
    let mut at = 0;
    // Everything before `at` is plain.
    let mut all_plain = true;
    // Whether a comment line here is read as one by every reader: at the very start, after a
    // comment, or after an entry whose last value ends its line with LF; never after a blank
    // line.
    let mut comment_ok = true;
    while at < text.len() {
        let mut cursor = Cursor { text, at };
        let line = cursor.blank_or_comment_line();
        match line {
            Some(Line::Blank) => {
                // uv and Python read a `#` after a skipped line end as the start of words.
                comment_ok = false;
                at = cursor.at;
                continue;
            }
            Some(Line::Comment) if comment_ok => {
                at = cursor.at;
                continue;
            }
            _ => {}
        }
        let mut cursor = Cursor { text, at };
        if let Some((name, then_comment_ok)) = cursor.entry().filter(|_| line.is_none()) {
            comment_ok = then_comment_ok;
            if all_plain {
                map.fresh.push(at);
            }
            map.entries.push(PlainEntry {
                span: at..cursor.at,
                name,
            });
            at = cursor.at;
            continue;
        }
        // Not plain: the tail starts after this line at the earliest.
        if all_plain && starts_with_machine(text, at) {
            map.fresh.push(at);
        }
        all_plain = false;
        comment_ok = false;
        map.first_unplain.get_or_insert(at);
        at = text[at..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(text.len(), |i| at + i + 1);
        map.tail = at;
    }
    map
}

#[cfg(test)]
mod tests {
    use super::{all_plain_without_m, is_word_byte};

    #[test]
    fn the_eight_byte_test_matches_the_byte_test() {
        // Every byte in every place of a chunk of otherwise plain bytes.
        for place in 0..8 {
            for b in 0..=255u8 {
                let mut bytes = *b"abcdxyz0";
                bytes[place] = b;
                let expected = bytes.iter().all(|&b| is_word_byte(b) && b | 0x20 != b'm');
                assert_eq!(
                    all_plain_without_m(u64::from_le_bytes(bytes)),
                    expected,
                    "byte {b:#04x} at {place}"
                );
            }
        }
    }
}
