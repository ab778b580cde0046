//! Perl's `Net::Netrc` (libnet; checked against 3.14, Perl 5.36).
//!
//! It reads the file line by line and knows no comments:
//!
//! - A line exactly `\n` ends a macro; until then every line after a `macdef NAME` is skipped
//!   (so a CRLF file's `\r\n` never ends one). The rest of the `macdef` line is still read.
//! - Each other line is cut into words: a `"…"` string runs to the next `"` (a `\"` inside
//!   does not stop it from ending there), else a word is a run of non-space bytes where `\x`
//!   takes any byte x along (`a\ b` is one word). `\x` becomes x in every word. A line whose
//!   rest is a lone `\` makes the word loop spin forever: Perl never returns from reading.
//! - The words of all lines form one stream: a keyword at a line's end takes its value from
//!   the next line, and one left at the end of the file is dropped.
//! - `default` (also alone) starts the default entry, replacing any earlier one; `machine X`
//!   starts an entry for X (`machine default` joins the default's list); `login`, `password`,
//!   `account` set the current entry's field (the last one wins) and are skipped, without
//!   their value, before any entry; `macdef X` starts a macro, likewise. Any other word is
//!   skipped alone, so a word of a `#` comment is read like any other.
//! - A value holding `/\` (after unescaping) is lost: a substitution meant to drop the `/`
//!   clears the captured field name, and the value is stored under no field.
//!
//! Lookup: the first entry of the exact name, else the default list's first entry.

use std::collections::VecDeque;

use super::{Creds, Lookup, Model, Reads, Rejected};

pub const MODEL: Model = Model { name: "perl", read };

/// What `Net::Netrc` reads from `file`; a file it never finishes reading is rejected.
pub fn read(file: &[u8]) -> Result<Reads, Rejected> {
    let mut entries: Vec<Creds> = Vec::new();
    let mut machines: Vec<(Vec<u8>, usize)> = Vec::new();
    let mut defaults: Vec<usize> = Vec::new();
    let mut current: Option<usize> = None;
    let mut words: VecDeque<Vec<u8>> = VecDeque::new();
    let mut in_macro = false;
    let mut rest = file;
    while !rest.is_empty() {
        let (line, ended) = match rest.iter().position(|&b| b == b'\n') {
            Some(n) => (&rest[..n], true),
            None => (rest, false),
        };
        rest = &rest[(line.len() + usize::from(ended)).min(rest.len())..];
        if line.is_empty() && ended {
            in_macro = false;
        }
        if in_macro {
            continue;
        }
        split_words(line, &mut words)?;
        loop {
            if words.front().is_some_and(|w| w == b"default") {
                words.pop_front();
                entries.push(Creds::default());
                defaults = vec![entries.len() - 1];
                current = Some(entries.len() - 1);
                continue;
            }
            if words.len() < 2 {
                break;
            }
            let word = words.pop_front().unwrap_or_default();
            match word.as_slice() {
                b"machine" => {
                    let host = words.pop_front().unwrap_or_default();
                    entries.push(Creds::default());
                    let at = entries.len() - 1;
                    if host == b"default" {
                        defaults.push(at);
                    } else {
                        machines.push((host, at));
                    }
                    current = Some(at);
                }
                b"login" | b"password" | b"account" => {
                    let Some(at) = current else { continue };
                    let value = words.pop_front().unwrap_or_default();
                    if value.windows(2).any(|w| w == b"/\\") {
                        continue;
                    }
                    let creds = &mut entries[at];
                    let field = match word.as_slice() {
                        b"login" => &mut creds.login,
                        b"password" => &mut creds.password,
                        _ => &mut creds.account,
                    };
                    *field = Some(value);
                }
                b"macdef" => {
                    if current.is_none() {
                        continue;
                    }
                    words.pop_front();
                    in_macro = true;
                }
                _ => {}
            }
        }
    }
    Ok(Reads {
        machines: machines
            .into_iter()
            .map(|(name, at)| (name, entries[at].clone()))
            .collect(),
        default: defaults.first().map(|&at| entries[at].clone()),
        lookup: Lookup {
            last_wins: false,
            ignore_case: false,
        },
    })
}

/// Perl's `\s` on bytes.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// Appends the words of one line (without its `\n`) to `words`; a lone `\` left over is the
/// endless loop.
fn split_words(line: &[u8], words: &mut VecDeque<Vec<u8>>) -> Result<(), Rejected> {
    let skip_space = |s: &[u8]| s.iter().position(|&b| !is_space(b)).unwrap_or(s.len());
    let mut rest = &line[skip_space(line)..];
    while !rest.is_empty() {
        if rest == b"\\" {
            return Err(Rejected);
        }
        let quoted = (rest[0] == b'"')
            .then(|| rest[1..].iter().position(|&b| b == b'"'))
            .flatten();
        let (raw, len) = match quoted {
            Some(q) => (&rest[1..1 + q], q + 2),
            None => {
                let mut i = 0;
                while i < rest.len() {
                    if rest[i] == b'\\' && i + 1 < rest.len() {
                        i += 2;
                    } else if rest[i] != b'\\' && !is_space(rest[i]) {
                        i += 1;
                    } else {
                        break;
                    }
                }
                (&rest[..i], i)
            }
        };
        words.push_back(unescape(raw));
        rest = &rest[len..];
        rest = &rest[skip_space(rest)..];
    }
    Ok(())
}

/// `s/\\(.)/$1/g`: a backslash gives way to the byte after it (a last lone one stays).
fn unescape(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'\\' && i + 1 < raw.len() {
            out.push(raw[i + 1]);
            i += 2;
        } else {
            out.push(raw[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(file: &[u8], host: &[u8]) -> Option<Creds> {
        read(file).unwrap().get(host).cloned()
    }

    fn login(file: &[u8], host: &[u8]) -> Option<Vec<u8>> {
        get(file, host)?.login
    }

    #[test]
    fn words_flow_across_lines_and_comments_are_words() {
        assert_eq!(login(b"machine a login\nu\n", b"a").unwrap(), b"u");
        assert_eq!(login(b"# machine a login u\n", b"a").unwrap(), b"u");
        assert_eq!(login(b"machine a # login u\n", b"a").unwrap(), b"u");
        assert_eq!(login(b"machine a login", b"a"), None);
    }

    #[test]
    fn quotes_end_at_the_next_quote_and_backslashes_escape() {
        assert_eq!(login(b"machine a login \"q u\"", b"a").unwrap(), b"q u");
        assert_eq!(login(b"machine a login \"x\\\" y\"", b"a").unwrap(), b"x\\");
        assert_eq!(login(b"machine a login a\\ b", b"a").unwrap(), b"a b");
        assert_eq!(read(b"machine a login a\\\n"), Err(Rejected));
        assert_eq!(read(b"machine a login a\\"), Err(Rejected));
        assert!(read(b"machine a login a\\\r\n").is_ok());
    }

    #[test]
    fn a_value_holding_slash_backslash_is_lost() {
        assert_eq!(login(b"machine a login u/\\\\x", b"a"), None);
        assert_eq!(login(b"machine a login u/x", b"a").unwrap(), b"u/x");
    }

    #[test]
    fn the_last_default_wins_and_machine_default_joins_it() {
        let file = b"machine default login m\ndefault login d1\ndefault login d2\nmachine default login x\n";
        assert_eq!(login(file, b"zzz").unwrap(), b"d2");
        assert_eq!(login(b"machine default login m\n", b"zzz").unwrap(), b"m");
        assert_eq!(login(b"default", b"zzz"), None);
        assert!(get(b"default", b"zzz").is_some());
    }

    #[test]
    fn a_macro_ends_at_an_exactly_empty_line() {
        let file = b"machine a macdef m\nmachine b login e\n\nmachine c login c\n";
        assert!(get(file, b"b").is_none());
        assert!(get(file, b"c").is_some());
        let crlf = b"machine a macdef m\r\nx\r\n\r\nmachine c login c\r\n";
        assert!(get(crlf, b"c").is_none());
        // Without an entry, `macdef` is skipped and its name is read as a keyword.
        assert_eq!(login(b"macdef machine a login u\n", b"a").unwrap(), b"u");
    }
}
