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

/// Whether `b` may stand in a plain word: printable ASCII but `"`, `#`, `'`, `` ` `` and `\\`.
#[cfg(test)]
fn is_word_byte(b: u8) -> bool {
    b.wrapping_sub(0x21) < 0x5e && !matches!(b, b'"' | b'#' | b'\'' | b'`' | b'\\')
}

/// The scan asks of every byte of a large file whether it ends a word and whether it is an
/// `m`; [`Classes`] answers both for the whole text up front, a bit per byte, 64 bytes at a
/// time in a form the compiler turns into vector instructions.
const BLOCK: usize = 64;

/// Two bitmaps of one block: the bytes that are not plain word bytes, and the `m` and `M`s.
fn classify(block: &[u8; BLOCK]) -> (u64, u64) {
    let mut ends = [0u8; BLOCK];
    let mut m = [0u8; BLOCK];
    for ((&b, end), m) in block.iter().zip(&mut ends).zip(&mut m) {
        // Not short-circuiting (`|`, not `||`), so that the loop has no branches.
        *end = u8::from(
            (b.wrapping_sub(0x21) >= 0x5e)
                | (b == b'"')
                | (b == b'#')
                | (b == b'\'')
                | (b == b'`')
                | (b == b'\\'),
        );
        *m = u8::from(b | 0x20 == b'm');
    }
    (pack(&ends), pack(&m))
}

/// A block's 0-or-1 bytes as the bits of one word, byte `i` in bit `i`.
fn pack(flags: &[u8; BLOCK]) -> u64 {
    // From the last eight bytes to the first, each shifting the ones before it up.
    flags.chunks_exact(8).rev().fold(0, |out, eight| {
        let eight = u64::from_le_bytes(eight.try_into().expect("eight bytes"));
        // The multiplication gathers the low bit of each byte into the top byte.
        out << 8 | eight.wrapping_mul(0x0102_0408_1020_4080) >> 56
    })
}

/// Per byte of a text, whether it ends a plain word (is no word byte) and whether it is `m`.
struct Classes {
    /// Per block of 64 bytes: the bytes that end a word (the bytes past the end of the text,
    /// in the last block, included), and the `m` bytes.
    blocks: Vec<(u64, u64)>,
    len: usize,
}

impl Classes {
    fn of(text: &[u8]) -> Self {
        let chunks = text.chunks_exact(BLOCK);
        let rest = chunks.remainder();
        let mut blocks: Vec<(u64, u64)> = chunks
            .map(|block| classify(block.try_into().expect("a whole block")))
            .collect();
        if !rest.is_empty() {
            // Zero bytes past the end: no word byte, so every word ends at the end.
            let mut last = [0; BLOCK];
            last[..rest.len()].copy_from_slice(rest);
            blocks.push(classify(&last));
        }
        Classes {
            blocks,
            len: text.len(),
        }
    }

    /// Where the word starting at `from` ends: the first byte from there that is no word byte,
    /// or the end of the text.
    #[inline]
    fn word_end(&self, from: usize) -> usize {
        let mut k = from / BLOCK;
        let Some(&(first, _)) = self.blocks.get(k) else {
            return self.len;
        };
        let mut bits = first & (!0 << (from % BLOCK));
        while bits == 0 {
            k += 1;
            match self.blocks.get(k) {
                Some(&(ends, _)) => bits = ends,
                None => return self.len,
            }
        }
        (k * BLOCK + bits.trailing_zeros() as usize).min(self.len)
    }

    /// Whether `text[from..to]`, a word, holds `machine` in any case, trying only its `m`s.
    #[inline]
    fn holds_machine(&self, text: &[u8], from: usize, to: usize) -> bool {
        let Some(last) = to.checked_sub(7).filter(|&last| last >= from) else {
            return false;
        };
        let mut k = from / BLOCK;
        let mut bits = self.blocks[k].1 & (!0 << (from % BLOCK));
        loop {
            while bits != 0 {
                let at = k * BLOCK + bits.trailing_zeros() as usize;
                if at > last {
                    return false;
                }
                if folded(text, at, 7) == MACHINE {
                    return true;
                }
                bits &= bits - 1;
            }
            k += 1;
            if k * BLOCK > last {
                return false;
            }
            bits = self.blocks[k].1;
        }
    }
}

/// `n` (up to eight) bytes of `text` from `at` as one number, lower case: for word bytes,
/// setting the 0x20 bit turns only upper-case letters into other letters, so the number equals
/// a lower-case keyword's exactly when the bytes are that keyword in any case.
fn folded(text: &[u8], at: usize, n: usize) -> u64 {
    let keep = if n >= 8 { !0 } else { (1 << (8 * n)) - 1 };
    let word = match text.get(at..at + 8) {
        Some(eight) => u64::from_le_bytes(eight.try_into().expect("eight bytes")),
        None => {
            let mut eight = [0; 8];
            eight[..n].copy_from_slice(&text[at..at + n]);
            u64::from_le_bytes(eight)
        }
    };
    (word | 0x2020_2020_2020_2020) & keep
}

/// A keyword as [`folded`] gives it.
const fn keyword(word: &[u8]) -> u64 {
    let mut eight = [0; 8];
    let mut i = 0;
    while i < word.len() {
        eight[i] = word[i];
        i += 1;
    }
    u64::from_le_bytes(eight)
}

/// `machine`, as [`folded`] gives it: the keyword, and what a word must not hold.
const MACHINE: u64 = keyword(b"machine");

/// Whether the word `text[at..at + len]` is any reader's keyword (`machine`, `login`,
/// `password`, `account`, `macdef`, `default`, `user`, `passwd`, `port`, `force`) in any case.
/// The scan asks this of every word of a large file. A word that holds `machine`
/// ([`Classes::holds_machine`]) is no plain word either: npm's netrc-parser takes any line that
/// holds it, in a longer word or a comment too, for a machine line.
fn is_keyword(text: &[u8], at: usize, len: usize) -> bool {
    const USER: u64 = keyword(b"user");
    const PORT: u64 = keyword(b"port");
    const LOGIN: u64 = keyword(b"login");
    const FORCE: u64 = keyword(b"force");
    const MACDEF: u64 = keyword(b"macdef");
    const PASSWD: u64 = keyword(b"passwd");
    const ACCOUNT: u64 = keyword(b"account");
    const DEFAULT: u64 = keyword(b"default");
    const PASSWORD: u64 = keyword(b"password");
    if !(4..=8).contains(&len) {
        return false;
    }
    matches!(
        (len, folded(text, at, len)),
        (4, USER | PORT)
            | (5, LOGIN | FORCE)
            | (6, MACDEF | PASSWD)
            | (7, MACHINE | ACCOUNT | DEFAULT)
            | (8, PASSWORD)
    )
}

/// A cheap key of a name: two names that are equal ignoring ASCII case have the same key (and
/// most that are not, different keys). From its length and three eight-byte stretches (the
/// first, middle and last), each [`folded`].
pub(super) fn name_key(name: &[u8]) -> (usize, u64) {
    let len = name.len();
    let key = if len <= 8 {
        folded(name, 0, len)
    } else {
        folded(name, 0, 8)
            ^ folded(name, (len - 8) / 2, 8).rotate_left(21)
            ^ folded(name, len - 8, 8).rotate_left(42)
    };
    (len, key)
}

/// A cursor over one text.
struct Cursor<'a> {
    text: &'a [u8],
    classes: &'a Classes,
    at: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    #[inline]
    fn blanks(&mut self) -> usize {
        let from = self.at;
        while self.peek().is_some_and(is_blank) {
            self.at += 1;
        }
        self.at - from
    }

    /// A line end (LF or CRLF), or the end of the text.
    #[inline]
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
    #[inline]
    fn word(&mut self) -> Option<Range<usize>> {
        let from = self.at;
        self.at = self.classes.word_end(from);
        let len = self.at - from;
        let keyword = is_keyword(self.text, from, len)
            || (len >= 7 && self.classes.holds_machine(self.text, from, self.at));
        (len > 0 && !keyword).then_some(from..self.at)
    }

    /// A plain word or plain words in quotes, followed by a blank or a line end.
    #[inline]
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

    fn keyword<const N: usize>(&mut self, keyword: &[u8; N]) -> Option<()> {
        let rest = &self.text[self.at..];
        (rest.get(..N) == Some(keyword) && rest.get(N).copied().is_some_and(is_blank))
            .then(|| self.at += N)
    }

    /// `keyword VALUE` on one line.
    fn pair<const N: usize>(&mut self, keyword: &[u8; N]) -> Option<Range<usize>> {
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
    #[inline]
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
    let classes = Classes::of(text);
    let classes = &classes;
    let mut at = 0;
    // Everything before `at` is plain.
    let mut all_plain = true;
    // Whether a comment line here is read as one by every reader: at the very start, after a
    // comment, or after an entry whose last value ends its line with LF; never after a blank
    // line.
    let mut comment_ok = true;
    while at < text.len() {
        let mut cursor = Cursor { text, classes, at };
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
        let mut cursor = Cursor { text, classes, at };
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
    use super::{BLOCK, Classes, is_keyword, is_word_byte, name_key};

    #[test]
    fn the_bitmaps_mark_every_byte_as_the_byte_tests_do() {
        // Every byte value in every place of a block, and texts that end inside a block.
        let mut text: Vec<u8> = (0..=255u8).cycle().take(256 * 65 + 37).collect();
        text.rotate_left(5);
        let classes = Classes::of(&text);
        for (at, &b) in text.iter().enumerate() {
            let (ends, m) = classes.blocks[at / BLOCK];
            let bit = 1 << (at % BLOCK);
            assert_eq!(ends & bit != 0, !is_word_byte(b), "byte {b:#04x} at {at}");
            assert_eq!(m & bit != 0, b | 0x20 == b'm', "byte {b:#04x} at {at}");
        }
        // Past the end, every byte ends a word.
        let (ends, _) = classes.blocks[text.len() / BLOCK];
        assert_eq!(ends >> (text.len() % BLOCK), !0 >> (text.len() % BLOCK));
    }

    #[test]
    fn names_equal_but_for_case_have_one_key() {
        for name in [
            "",
            "a",
            "Host",
            "buf.build",
            "GO.Buf.Build",
            "host-004999.example.com",
        ] {
            let upper = name.to_ascii_uppercase();
            let lower = name.to_ascii_lowercase();
            assert_eq!(
                name_key(upper.as_bytes()),
                name_key(lower.as_bytes()),
                "{name}"
            );
        }
        let keys: std::collections::HashSet<_> = (4990..5010)
            .map(|i| name_key(format!("host-{i:06}.example.com").as_bytes()))
            .collect();
        assert_eq!(keys.len(), 20);
    }

    #[test]
    fn keywords_are_found_in_any_case_and_nothing_else_is() {
        let keywords = [
            "machine", "login", "password", "account", "macdef", "default", "user", "passwd",
            "port", "force",
        ];
        let mut words: Vec<String> = keywords.iter().map(|k| k.to_string()).collect();
        words.extend(keywords.iter().map(|k| k.to_uppercase()));
        words.push("LoGiN".into());
        for word in &words {
            // At the end of the text and with more after it.
            for text in [word.clone(), format!("{word} x")] {
                assert!(is_keyword(text.as_bytes(), 0, word.len()), "{word}");
            }
        }
        for word in [
            "logins",
            "logi",
            "machines",
            "passwor",
            "passwords",
            "usr",
            "@ccount",
            "[ort",
            "p0rt",
            "default_",
            "x",
            "",
        ] {
            assert!(!is_keyword(word.as_bytes(), 0, word.len()), "{word}");
        }
        let text = b"xx login";
        assert!(is_keyword(text, 3, 5));
        assert!(!is_keyword(text, 2, 6));
    }

    #[test]
    fn words_end_and_hold_machine_across_blocks() {
        for at in [0, 1, 56, 57, 58, 63, 64, 65, 120, 127] {
            let mut text = vec![b'a'; 200];
            text[at..at + 7].copy_from_slice(b"MacHine");
            text[150] = b' ';
            let classes = Classes::of(&text);
            assert_eq!(classes.word_end(0), 150);
            assert_eq!(classes.word_end(at), 150);
            assert_eq!(classes.word_end(151), 200);
            assert!(classes.holds_machine(&text, 0, 150), "at {at}");
            assert!(classes.holds_machine(&text, at, at + 7), "at {at}");
            assert!(!classes.holds_machine(&text, at, at + 6), "at {at}");
            assert!(!classes.holds_machine(&text, at + 1, 150), "at {at}");
        }
        let text = b"machine";
        assert_eq!(Classes::of(&text[..0]).word_end(0), 0);
        assert_eq!(Classes::of(text).word_end(3), 7);
        assert!(Classes::of(text).holds_machine(text, 0, 7));
    }
}
