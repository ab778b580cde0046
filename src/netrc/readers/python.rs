//! Python's `netrc` module (CPython 3.11, `Lib/netrc.py`; pip, Poetry and httpx read netrc
//! through it): what `netrc.netrc(path).authenticators(host)` hands out, the path given
//! explicitly as those tools give it, so the module's owner and mode check (made only for the
//! implicit `~/.netrc`) does not apply.
//!
//! The module reads the file as text, one character at a time:
//!
//! - It decodes UTF-8 strictly (no byte-order mark is taken off, so one makes the first word
//!   unknown), falling back to the locale's encoding, which in a UTF-8 locale (as users run it,
//!   and as the tests do) is UTF-8 again: invalid UTF-8 refuses the file. The text is decoded
//!   in chunks of 8 KiB as the reader goes, so bytes beyond the chunk where it stops reading
//!   (see the empty token below) are never looked at; a sequence cut short by the end of the
//!   file refuses it only once the reader asks for more. Universal newlines turn `\r\n` and
//!   a lone `\r` into `\n` before anything else sees them.
//! - A token is a double-quoted string, which may span lines and ends at the next `"`
//!   (an unclosed one runs to the end of the file), or a run of anything but space, tab and line
//!   end (`"` is an ordinary character there). A backslash, inside quotes or out, takes the
//!   next character as it is (nothing at the end of the file). An unquoted token takes the
//!   space or line end after it along; a quoted one stops at its closing quote. An empty
//!   token — the end of the file, or `""` — ends the whole file.
//! - A token whose text starts with `#` (also `"#…"` or `\#…`) is a comment. Inside an entry
//!   it takes the rest of its line along, but only if reading it went past no line end (so
//!   `p\n# c` drops `c` and `p \n# c` reads `c` as a token). Between entries (before the
//!   first one, after a macro) only a lone `#` does, on the same condition; `#word x` leaves
//!   `x` to be read, which refuses the file.
//! - `machine NAME`, `default` and `macdef NAME` start entries, NAME being the next token
//!   whatever it is; any other token there refuses the file, as does `machine` without a name. An entry takes `login` (or `user`),
//!   `password` and `account`, each the next token whatever it is (a keyword, a comment);
//!   any other token refuses the file. The entry ends at the next `machine`, `default`,
//!   `macdef` or empty token.
//! - `macdef` skips whole lines, starting with what follows its name on the same line, up to
//!   one that is empty (a line of spaces is not); a file that ends first is refused.
//! - Every field is handed out, `''` when the entry has none. Entries land in a dict, so the
//!   last entry of a name wins, names compare exactly, and `machine default` is the same
//!   entry as `default`.

use super::{Creds, Lookup, Model, Reads, Rejected};

pub const MODEL: Model = Model {
    name: "python",
    read,
};

/// The size of the chunks Python's text layer decodes at a time (the C `TextIOWrapper`'s
/// `_CHUNK_SIZE`, as measured against the real reader on files of 8 to 32 KiB).
const CHUNK: usize = 8192;

/// Where strict decoding of the file fails.
enum Decoding {
    Valid,
    /// The byte at which the decoder sees that the text is not UTF-8.
    InvalidAt(usize),
    /// A sequence cut short by the end of the file: seen only at the end of the file.
    CutShort,
}

fn decode(file: &[u8]) -> (usize, Decoding) {
    match std::str::from_utf8(file) {
        Ok(_) => (file.len(), Decoding::Valid),
        Err(e) => {
            let start = e.valid_up_to();
            let decoding = match e.error_len() {
                None => Decoding::CutShort,
                // A byte that cannot start a character is seen at once; a sequence that
                // started well is seen to be wrong at the byte that does not continue it.
                // CPython takes `\xed` and a second byte of a surrogate as the start of a
                // character too, and sees the error only at the third byte.
                Some(_)
                    if file[start] == 0xed && matches!(file.get(start + 1), Some(0xa0..=0xbf)) =>
                {
                    if start + 2 < file.len() {
                        Decoding::InvalidAt(start + 2)
                    } else {
                        Decoding::CutShort
                    }
                }
                Some(len) => {
                    let starts_well = matches!(file[start], 0xc2..=0xf4);
                    Decoding::InvalidAt(start + if starts_well { len } else { 0 })
                }
            };
            (start, decoding)
        }
    }
}

struct Lexer<'a> {
    /// The file up to where decoding fails.
    text: &'a [u8],
    pos: usize,
    /// Line ends read one character at a time (`_netrclex.lineno`; `readline` leaves it be).
    lines: usize,
    /// Whether the reader asked for more than `text` holds.
    past_end: bool,
    pushed_back: Option<Vec<u8>>,
}

impl Lexer<'_> {
    /// The next character, a line end as universal newlines make it.
    fn char(&mut self) -> Option<u8> {
        let Some(&b) = self.text.get(self.pos) else {
            self.past_end = true;
            return None;
        };
        self.pos += 1;
        let b = if b == b'\r' {
            if self.text.get(self.pos) == Some(&b'\n') {
                self.pos += 1;
            }
            b'\n'
        } else {
            b
        };
        self.lines += usize::from(b == b'\n');
        Some(b)
    }

    /// What a backslash stands for: the next character, or nothing at the end of the file.
    fn escaped(&mut self, token: &mut Vec<u8>) {
        token.extend(self.char());
    }

    fn token(&mut self) -> Vec<u8> {
        if let Some(token) = self.pushed_back.take() {
            return token;
        }
        let mut token = Vec::new();
        while let Some(c) = self.char() {
            match c {
                b' ' | b'\t' | b'\n' => continue,
                b'"' => {
                    while let Some(c) = self.char() {
                        match c {
                            b'"' => return token,
                            b'\\' => self.escaped(&mut token),
                            c => token.push(c),
                        }
                    }
                    return token;
                }
                c => {
                    let mut c = Some(c);
                    while let Some(b) = c {
                        match b {
                            b' ' | b'\t' | b'\n' => return token,
                            b'\\' => self.escaped(&mut token),
                            b => token.push(b),
                        }
                        c = self.char();
                    }
                    return token;
                }
            }
        }
        token
    }

    /// The next token, and whether reading it went past a line end.
    fn token_on_line(&mut self) -> (Vec<u8>, bool) {
        let before = self.lines;
        let token = self.token();
        (token, self.lines != before)
    }

    /// The rest of the current line with its line end; `None` at the end of the file.
    fn line(&mut self) -> Option<Vec<u8>> {
        let mut line = Vec::new();
        loop {
            // Lines read whole do not count in `lines`, as in Python.
            let before = self.lines;
            let c = self.char();
            self.lines = before;
            match c {
                Some(c) => {
                    line.push(c);
                    if c == b'\n' {
                        return Some(line);
                    }
                }
                None => return (!line.is_empty()).then_some(line),
            }
        }
    }
}

pub fn read(file: &[u8]) -> Result<Reads, Rejected> {
    let (valid, decoding) = decode(file);
    let mut lexer = Lexer {
        text: &file[..valid],
        pos: 0,
        lines: 0,
        past_end: false,
        pushed_back: None,
    };
    let hosts = parse(&mut lexer)?;
    // Reading on past the valid text meets the decoding error; stopping at `""` before it
    // meets it only if the chunk that holds it was decoded.
    let seen = match decoding {
        Decoding::Valid => false,
        _ if lexer.past_end => true,
        Decoding::CutShort => false,
        Decoding::InvalidAt(at) => at < (lexer.pos.saturating_sub(1) / CHUNK + 1) * CHUNK,
    };
    if seen {
        return Err(Rejected);
    }
    let default = hosts
        .iter()
        .rev()
        .find(|(name, _)| name == b"default")
        .map(|(_, creds)| creds.clone());
    let machines = hosts
        .into_iter()
        .filter(|(name, _)| name != b"default")
        .collect();
    Ok(Reads {
        machines,
        default,
        lookup: Lookup {
            last_wins: true,
            ignore_case: false,
        },
    })
}

/// The entries of the file in order, `default` under its name.
fn parse(lexer: &mut Lexer<'_>) -> Result<Vec<(Vec<u8>, Creds)>, Rejected> {
    let mut hosts = Vec::new();
    loop {
        let (word, crossed) = lexer.token_on_line();
        let name = match word.as_slice() {
            b"" => return Ok(hosts),
            [b'#', ..] => {
                if !crossed && word == b"#" {
                    lexer.line();
                }
                continue;
            }
            b"machine" => lexer.token(),
            b"default" => b"default".to_vec(),
            b"macdef" => {
                lexer.token();
                loop {
                    match lexer.line() {
                        None => return Err(Rejected),
                        Some(line) if line == b"\n" => break,
                        Some(_) => {}
                    }
                }
                continue;
            }
            _ => return Err(Rejected),
        };
        if name.is_empty() {
            return Err(Rejected);
        }
        let (mut login, mut password, mut account) = (Vec::new(), Vec::new(), Vec::new());
        loop {
            let (word, crossed) = lexer.token_on_line();
            if word.starts_with(b"#") {
                if !crossed {
                    lexer.line();
                }
                continue;
            }
            match word.as_slice() {
                b"" | b"machine" | b"default" | b"macdef" => {
                    lexer.pushed_back = Some(word);
                    break;
                }
                b"login" | b"user" => login = lexer.token(),
                b"account" => account = lexer.token(),
                b"password" => password = lexer.token(),
                _ => return Err(Rejected),
            }
        }
        let creds = Creds {
            login: Some(login),
            password: Some(password),
            account: Some(account),
        };
        hosts.push((name, creds));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(file: &[u8], host: &str) -> Option<(String, String, String)> {
        let reads = read(file).unwrap();
        let creds = reads.get(host.as_bytes())?;
        let text = |v: &Option<Vec<u8>>| String::from_utf8(v.clone().unwrap()).unwrap();
        Some((
            text(&creds.login),
            text(&creds.password),
            text(&creds.account),
        ))
    }

    fn password(file: &[u8], host: &str) -> Option<String> {
        fields(file, host).map(|(_, password, _)| password)
    }

    #[test]
    fn a_comment_takes_its_line_along_only_if_no_line_end_was_read_before_it() {
        assert_eq!(
            password(b"machine a password p\n# c\n", "a").as_deref(),
            Some("p")
        );
        assert_eq!(read(b"machine a password p \n# c\n"), Err(Rejected));
        assert_eq!(
            password(b"# c\nmachine a password p\n", "a").as_deref(),
            Some("p")
        );
        assert_eq!(read(b"\n# c\nmachine a password p\n"), Err(Rejected));
        assert_eq!(read(b"#c x\n"), Err(Rejected));
    }

    #[test]
    fn a_token_that_reads_as_hash_is_a_comment() {
        let file = b"machine a password p \\#x login u\nmachine b password \"#q\" login v\n";
        assert_eq!(password(file, "a").as_deref(), Some("p"));
        assert_eq!(
            fields(file, "b"),
            Some(("v".into(), "#q".into(), String::new()))
        );
    }

    #[test]
    fn quotes_span_lines_backslashes_escape_and_an_empty_token_ends_the_file() {
        let file = b"machine a password \"p\\\"\nq\" login a\\ b\nmachine b password \"\" \"\"\nmachine c password c\n";
        assert_eq!(
            fields(file, "a"),
            Some(("a b".into(), "p\"\nq".into(), String::new()))
        );
        assert_eq!(password(file, "b").as_deref(), Some(""));
        assert_eq!(password(file, "c"), None);
        assert_eq!(password(b"machine a password \\", "a").as_deref(), Some(""));
    }

    #[test]
    fn carriage_returns_are_line_ends() {
        let file = b"macdef m\r\nbody\r\n\r\nmachine a login u\rpassword \"p\rq\"\r#c\r";
        assert_eq!(password(file, "a").as_deref(), Some("p\nq"));
    }

    #[test]
    fn a_macro_ends_only_at_an_empty_line_and_may_end_on_its_own_line() {
        assert_eq!(
            read(b"macdef m\nbody\n \nmachine a password p\n"),
            Err(Rejected)
        );
        assert_eq!(read(b"macdef m\nbody\n"), Err(Rejected));
        let file = b"macdef m \nmachine a password p\n";
        assert_eq!(password(file, "a").as_deref(), Some("p"));
    }

    #[test]
    fn the_last_entry_wins_and_machine_default_is_the_default() {
        let file = b"machine a password 1\nmachine a password 2\nmachine default password d\n";
        assert_eq!(password(file, "a").as_deref(), Some("2"));
        assert_eq!(password(file, "A").as_deref(), Some("d"));
    }

    #[test]
    fn invalid_utf8_refuses_the_file_once_the_reader_decodes_it() {
        assert_eq!(read(b"machine a password \xffp\n"), Err(Rejected));
        assert_eq!(read(b"\xef\xbb\xbfmachine a password p\n"), Err(Rejected));
        assert_eq!(read(b"machine a password p \xf0\x9f"), Err(Rejected));
        let cut_short = b"machine a password p \"\" \xf0\x9f";
        assert_eq!(password(cut_short, "a").as_deref(), Some("p"));
        // Past `""` the reader decodes no further than the chunk it stopped in.
        let mut far = b"machine a password p \"\"".to_vec();
        far.resize(CHUNK - 1, b' ');
        let mut near = far.clone();
        far.extend(b" \xff");
        near.push(0xff);
        assert_eq!(password(&far, "a").as_deref(), Some("p"));
        assert_eq!(read(&near), Err(Rejected));
    }
}
