//! uv's netrc reader, the `rust-netrc` crate (0.1.2; uv up to 0.11.14): what
//! `Netrc::from_file(path)` keeps in `hosts`, and what uv then looks up,
//! `hosts.get(host).or_else(|| hosts.get("default"))`.
//!
//! The crate is a translation of Python's `netrc` module, with its own quirks:
//!
//! - The file is decoded with U+FFFD for invalid UTF-8, so it is never refused for that.
//! - A token is a double-quoted string (a backslash escapes the next character, and an
//!   unclosed quote runs to the end of the file) or a run of anything but space, tab, CR and
//!   LF (a backslash escapes the next character there too). A backslash at the end of the
//!   file stands for a space. An empty token, `""` included, ends the whole file.
//! - A token starting with `#` is a comment, and it takes the rest of its line along only if
//!   reading it skipped no line end. The character that ends a token is read with it, so in
//!   `b\n# c` the comment counts as on `b`'s line and `c` is skipped, while in `b \n# c`
//!   `c` is read as a token (and refuses the file). Between entries (before the first one,
//!   after a macro) only a lone `#` takes its line along; `#word x` leaves `x` to be read.
//! - `machine NAME`, `default` and `macdef NAME` start entries; `macdef` skips lines up to one
//!   that is blank (which may be the rest of the `macdef` line itself). An entry takes `login`
//!   (or `user`), `password` and `account` values, each the next token whatever it is. Any
//!   other token refuses the file, as does `machine` without a name.
//! - Every field is handed out, empty when the file has none; the last entry of a name wins,
//!   and `machine default` is the same entry as `default`.
//!
//! uv 0.11.15 and later vendor the crate as `uv-netrc`, with one change: between entries a
//! `#word` takes its line along as a lone `#` does. This
//! model keeps the crates.io reader: `uv-netrc` needs Rust 1.93, above bsr's minimum, so the
//! tests could not check a model of it against the real thing.

use super::{Creds, Lookup, Model, Reads, Rejected};

pub const MODEL: Model = Model { name: "uv", read };

fn is_space(c: char) -> bool {
    matches!(c, '\n' | '\t' | '\r' | ' ')
}

struct Lexer<'a> {
    rest: std::str::Chars<'a>,
    pushed_back: Option<String>,
    /// Whether a line end was read since the last token began.
    crossed: bool,
}

impl Lexer<'_> {
    fn next(&mut self) -> Option<char> {
        let c = self.rest.next();
        self.crossed |= c == Some('\n');
        c
    }

    /// The next token, and whether reading it went past a line end (the crate compares line
    /// numbers before and after).
    fn token(&mut self) -> (String, bool) {
        if let Some(token) = self.pushed_back.take() {
            return (token, false);
        }
        self.crossed = false;
        let mut token = String::new();
        while let Some(c) = self.next() {
            if is_space(c) {
                continue;
            }
            if c == '"' {
                while let Some(c) = self.next() {
                    match c {
                        '"' => return (token, self.crossed),
                        '\\' => token.push(self.next().unwrap_or(' ')),
                        c => token.push(c),
                    }
                }
                break;
            }
            let mut c = c;
            loop {
                if c == '\\' {
                    c = self.next().unwrap_or(' ');
                }
                token.push(c);
                match self.next() {
                    Some(after) if !is_space(after) => c = after,
                    _ => return (token, self.crossed),
                }
            }
        }
        (token, self.crossed)
    }

    /// The rest of the current line, its line end consumed.
    fn line(&mut self) -> String {
        self.rest.by_ref().take_while(|&c| c != '\n').collect()
    }
}

pub fn read(file: &[u8]) -> Result<Reads, Rejected> {
    let text = String::from_utf8_lossy(file);
    let mut lexer = Lexer {
        rest: text.chars(),
        pushed_back: None,
        crossed: false,
    };
    let mut hosts: Vec<(String, Creds)> = Vec::new();
    loop {
        let (word, crossed) = lexer.token();
        if word.is_empty() {
            break;
        }
        if word.starts_with('#') {
            if !crossed && word == "#" {
                lexer.line();
            }
            continue;
        }
        let name = match word.as_str() {
            "machine" => lexer.token().0,
            "default" => "default".to_owned(),
            "macdef" => {
                lexer.token();
                while !lexer.line().trim().is_empty() {}
                continue;
            }
            _ => return Err(Rejected),
        };
        if name.is_empty() {
            return Err(Rejected);
        }
        let (mut login, mut password, mut account) = (String::new(), String::new(), String::new());
        loop {
            let (word, crossed) = lexer.token();
            if word.starts_with('#') {
                if !crossed {
                    lexer.line();
                }
                continue;
            }
            match word.as_str() {
                "" | "machine" | "default" | "macdef" => {
                    lexer.pushed_back = Some(word);
                    break;
                }
                "login" | "user" => login = lexer.token().0,
                "account" => account = lexer.token().0,
                "password" => password = lexer.token().0,
                _ => return Err(Rejected),
            }
        }
        let creds = Creds {
            login: Some(login.into_bytes()),
            password: Some(password.into_bytes()),
            account: Some(account.into_bytes()),
        };
        hosts.push((name, creds));
    }
    let default = hosts
        .iter()
        .rev()
        .find(|(name, _)| name == "default")
        .map(|(_, creds)| creds.clone());
    let machines = hosts
        .into_iter()
        .filter(|(name, _)| name != "default")
        .map(|(name, creds)| (name.into_bytes(), creds))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn password(file: &[u8], host: &str) -> Option<String> {
        let reads = read(file).unwrap();
        let creds = reads.get(host.as_bytes())?;
        Some(String::from_utf8(creds.password.clone().unwrap()).unwrap())
    }

    #[test]
    fn a_glued_comment_between_entries_leaves_its_words_to_be_read() {
        let file = b"#c machine a login l password p\n";
        assert_eq!(password(file, "a").as_deref(), Some("p"));
        assert_eq!(read(b"#c x\n"), Err(Rejected));
        assert_eq!(
            read(b"# machine a login l password p\n").unwrap().machines,
            []
        );
    }

    #[test]
    fn a_comment_takes_its_line_along_only_if_no_line_end_was_skipped_before_it() {
        assert_eq!(
            password(b"machine a password p\n# c\n", "a").as_deref(),
            Some("p")
        );
        assert_eq!(read(b"machine a password p \n# c\n"), Err(Rejected));
    }

    #[test]
    fn backslashes_escape_and_an_empty_token_ends_the_file() {
        let file =
            b"machine a password a\\ b\nmachine b password \"\" \"\"\nmachine c password c\n";
        assert_eq!(password(file, "a").as_deref(), Some("a b"));
        assert_eq!(password(file, "b").as_deref(), Some(""));
        assert_eq!(password(file, "c"), None);
        assert_eq!(
            password(b"machine a password a\\", "a").as_deref(),
            Some("a ")
        );
    }

    #[test]
    fn the_last_entry_wins_and_machine_default_is_the_default() {
        let file = b"machine a password 1\nmachine a password 2\nmachine default password d\n";
        assert_eq!(password(file, "a").as_deref(), Some("2"));
        assert_eq!(password(file, "x").as_deref(), Some("d"));
    }

    #[test]
    fn invalid_utf8_is_read_as_replacement_characters() {
        let file = b"machine a password \xffp\n";
        assert_eq!(password(file, "a").as_deref(), Some("\u{fffd}p"));
    }
}
