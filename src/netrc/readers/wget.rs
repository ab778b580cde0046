//! GNU Wget's reader (`src/netrc.c`, checked against wget 1.21.3), as wget uses it for
//! HTTP(S).
//!
//! It reads the file line by line, each line as a C string (a NUL byte ends it):
//!
//! - Words are separated by white space; a `#` where a word would start ends the line (also
//!   in a value's place: the keyword then takes the next line's first word). A keyword at a
//!   line's end likewise takes its value from the next line.
//! - A word starting with `"` runs to the next unescaped `"` (without one, to the line's end,
//!   its line end included), and the byte right after the closing quote is dropped. In any
//!   word a `\` takes the next byte along whatever it is (`a\ b` is one word; `a\` at a line's
//!   end takes the line end into the value).
//! - `macdef` ends the line and skips every following line up to one that is empty or only
//!   white space (`\r\n` too).
//! - `machine X` and `default` start an entry; `login`, `password` set its fields (the last
//!   one wins); `account`, `port`, `force` take a value and drop it; other words are skipped.
//! - An entry without a `login` is dropped when the next entry starts or the file ends.
//!
//! Lookup: the first kept machine whose name equals the host ignoring ASCII case. Over HTTP
//! wget never uses `default` (only FTP does) and sends credentials only when the entry has
//! both a login and a password.

use super::{Creds, Lookup, Model, Reads, Rejected};

pub const MODEL: Model = Model { name: "wget", read };

#[derive(Clone, Copy, PartialEq, Eq)]
enum Pending {
    Nothing,
    Login,
    Password,
    Machine,
    Ignored,
    Macdef,
}

/// An entry being read: `None` as its name for `default`.
struct Entry {
    name: Option<Vec<u8>>,
    login: Option<Vec<u8>>,
    password: Option<Vec<u8>>,
}

/// What wget reads from `file`. It never rejects a file.
pub fn read(file: &[u8]) -> Result<Reads, Rejected> {
    let mut kept: Vec<Entry> = Vec::new();
    let mut current: Option<Entry> = None;
    let mut pending = Pending::Nothing;
    let start_entry = |current: &mut Option<Entry>, kept: &mut Vec<Entry>| {
        if let Some(entry) = current.take()
            && entry.login.is_some()
        {
            kept.push(entry);
        }
        *current = Some(Entry {
            name: None,
            login: None,
            password: None,
        });
    };
    let mut lines = file.split_inclusive(|&b| b == b'\n');
    for line in lines.by_ref() {
        let line = line.split(|&b| b == 0).next().unwrap_or_default();
        let mut i = skip_space(line, 0);
        if pending == Pending::Macdef && i == line.len() {
            pending = Pending::Nothing;
        }
        while i < line.len() && pending != Pending::Macdef {
            i = skip_space(line, i);
            if i == line.len() || line[i] == b'#' {
                break;
            }
            let quoted = line[i] == b'"';
            if quoted {
                i += 1;
            }
            let mut word = Vec::new();
            while i < line.len()
                && (if quoted {
                    line[i] != b'"'
                } else {
                    !is_space(line[i])
                })
            {
                if line[i] == b'\\' {
                    i += 1;
                    if i == line.len() {
                        break;
                    }
                }
                word.push(line[i]);
                i += 1;
            }
            if quoted && i < line.len() {
                // The closing quote.
                i += 1;
            }
            if i < line.len() {
                // The byte that ends the word (or follows the closing quote).
                i += 1;
            }
            match pending {
                Pending::Login => {
                    if let Some(entry) = current.as_mut() {
                        entry.login = Some(word);
                    }
                }
                Pending::Password => {
                    if let Some(entry) = current.as_mut() {
                        entry.password = Some(word);
                    }
                }
                Pending::Machine => {
                    start_entry(&mut current, &mut kept);
                    if let Some(entry) = current.as_mut() {
                        entry.name = Some(word);
                    }
                }
                Pending::Ignored | Pending::Macdef => {}
                Pending::Nothing => {
                    pending = match word.as_slice() {
                        b"login" => Pending::Login,
                        b"password" => Pending::Password,
                        b"machine" => Pending::Machine,
                        b"macdef" => Pending::Macdef,
                        b"account" | b"port" | b"force" => Pending::Ignored,
                        b"default" => {
                            start_entry(&mut current, &mut kept);
                            Pending::Nothing
                        }
                        _ => Pending::Nothing,
                    };
                    continue;
                }
            }
            pending = Pending::Nothing;
        }
    }
    if let Some(entry) = current
        && entry.login.is_some()
    {
        kept.push(entry);
    }
    Ok(Reads {
        machines: kept
            .into_iter()
            .filter_map(|e| {
                Some((
                    e.name?,
                    Creds {
                        login: e.login,
                        password: e.password,
                        account: None,
                    },
                ))
            })
            .collect(),
        default: None,
        lookup: Lookup {
            last_wins: false,
            ignore_case: true,
        },
    })
}

/// C's `isspace` in the C locale.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn skip_space(line: &[u8], mut i: usize) -> usize {
    while i < line.len() && is_space(line[i]) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    type Field = Option<Vec<u8>>;

    fn get(file: &[u8], host: &[u8]) -> Option<(Field, Field)> {
        let reads = read(file).unwrap();
        reads
            .get(host)
            .map(|c| (c.login.clone(), c.password.clone()))
    }

    #[test]
    fn names_match_ignoring_case_and_entries_need_a_login() {
        let file = b"machine A.example login u password p\nmachine b password q\n";
        assert_eq!(
            get(file, b"a.EXAMPLE"),
            Some((Some(b"u".to_vec()), Some(b"p".to_vec())))
        );
        assert_eq!(get(file, b"b"), None);
        assert_eq!(get(b"default login d password d\n", b"x"), None);
    }

    #[test]
    fn a_hash_ends_the_line_and_values_wait_for_the_next_line() {
        let file = b"machine a login u password # c\np\n";
        assert_eq!(get(file, b"a").unwrap().1.unwrap(), b"p");
        assert_eq!(
            get(b"machine a login u#x\n", b"a").unwrap().0.unwrap(),
            b"u#x"
        );
    }

    #[test]
    fn quotes_and_backslashes() {
        let file = b"machine a login \"q u\"x password a\\ b\n";
        let (login, password) = get(file, b"a").unwrap();
        assert_eq!(login.unwrap(), b"q u");
        assert_eq!(password.unwrap(), b"a b");
        // The byte after a closing quote is dropped: here the `#` that would start a comment.
        let glued = b"machine a login \"u\"#password p\n";
        assert_eq!(get(glued, b"a").unwrap().1.unwrap(), b"p");
        assert_eq!(
            get(b"machine a login u password a\\\n", b"a")
                .unwrap()
                .1
                .unwrap(),
            b"a\n"
        );
        assert_eq!(
            get(b"machine a login u password a\\", b"a")
                .unwrap()
                .1
                .unwrap(),
            b"a"
        );
    }

    #[test]
    fn a_macro_ends_at_a_blank_line_and_nul_ends_a_line() {
        let file = b"macdef m x\nmachine b login e\n \r\nmachine c login c\n";
        assert!(get(file, b"b").is_none());
        assert!(get(file, b"c").is_some());
        assert_eq!(
            get(b"machine a login u\0 password p\n", b"a").unwrap().1,
            None
        );
    }
}
