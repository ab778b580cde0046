//! The `go` command's reader (`cmd/go/internal/auth/netrc.go`, checked against go 1.19).
//!
//! It knows no comments, no quotes and no `account`. The file is split into lines on `\n`, each
//! line into fields on Unicode white space (Go's `strings.Fields`), and each line's fields are
//! read in pairs (a keyword and its value; an odd field left at the line's end is no keyword):
//!
//! - `machine X` starts a new entry; `login X` and `password X` fill the current one, even
//!   before any `machine`; any other word takes the next one with it, unread.
//! - An entry is kept the moment it has all three, and the next pair starts afresh: a second
//!   `password` after a complete entry belongs to no machine.
//! - `macdef X` skips every following line up to one that is exactly empty (so a `\r` line of
//!   a CRLF file does not end it); the rest of the `macdef` line is still read.
//! - `default` as a pair's first word is skipped with its value; alone as a line's odd last
//!   field it ends the reading. Go never hands out `default`'s credentials.
//!
//! Lookup: the first kept entry whose name equals the URL's host name exactly (no port).

use super::{Creds, Lookup, Model, Reads, Rejected};

pub const MODEL: Model = Model { name: "go", read };

/// What the `go` command reads from `file`. It never rejects a file.
pub fn read(file: &[u8]) -> Result<Reads, Rejected> {
    let mut machines = Vec::new();
    let (mut machine, mut login, mut password): (&[u8], &[u8], &[u8]) = (b"", b"", b"");
    let mut in_macro = false;
    for line in file.split(|&b| b == b'\n') {
        if in_macro {
            in_macro = !line.is_empty();
            continue;
        }
        let words = fields(line);
        let mut pairs = words.chunks_exact(2);
        for pair in pairs.by_ref() {
            let value = pair[1];
            match pair[0] {
                b"machine" => (machine, login, password) = (value, b"", b""),
                b"login" => login = value,
                b"password" => password = value,
                b"macdef" => in_macro = true,
                _ => {}
            }
            if !machine.is_empty() && !login.is_empty() && !password.is_empty() {
                machines.push((
                    machine.to_vec(),
                    Creds {
                        login: Some(login.to_vec()),
                        password: Some(password.to_vec()),
                        account: None,
                    },
                ));
                (machine, login, password) = (b"", b"", b"");
            }
        }
        if pairs.remainder() == [&b"default"[..]] {
            break;
        }
    }
    Ok(Reads {
        machines,
        default: None,
        lookup: Lookup {
            last_wins: false,
            ignore_case: false,
        },
    })
}

/// Go's `strings.Fields`: the runs of bytes between white space, where white space is what
/// `unicode.IsSpace` says of a well-formed UTF-8 character (a malformed byte is never space).
fn fields(line: &[u8]) -> Vec<&[u8]> {
    let mut words = Vec::new();
    let mut start = None;
    let mut i = 0;
    while i < line.len() {
        match space_len(&line[i..]) {
            0 => {
                start.get_or_insert(i);
                i += 1;
            }
            n => {
                if let Some(s) = start.take() {
                    words.push(&line[s..i]);
                }
                i += n;
            }
        }
    }
    if let Some(s) = start {
        words.push(&line[s..]);
    }
    words
}

/// The length of the white-space character `bytes` starts with, or 0. Every such character
/// starts with a byte that is not a UTF-8 continuation byte, so checking at every offset (not
/// only at character starts) finds the same ones Go finds.
fn space_len(bytes: &[u8]) -> usize {
    match bytes {
        [b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ', ..] => 1,
        // U+0085, U+00A0
        [0xc2, 0x85 | 0xa0, ..] => 2,
        // U+1680
        [0xe1, 0x9a, 0x80, ..] => 3,
        // U+2000..U+200A, U+2028, U+2029, U+202F
        [0xe2, 0x80, 0x80..=0x8a | 0xa8 | 0xa9 | 0xaf, ..] => 3,
        // U+205F
        [0xe2, 0x81, 0x9f, ..] => 3,
        // U+3000
        [0xe3, 0x80, 0x80, ..] => 3,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(file: &[u8], host: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
        let reads = read(file).unwrap();
        reads
            .get(host)
            .map(|c| (c.login.clone().unwrap(), c.password.clone().unwrap()))
    }

    #[test]
    fn an_entry_is_kept_once_complete_and_the_first_one_wins() {
        let file = b"machine a login u password p\nmachine a login v password q\n";
        assert_eq!(get(file, b"a"), Some((b"u".to_vec(), b"p".to_vec())));
        assert_eq!(get(file, b"A"), None);
        // Fields before `machine` are taken, and a password after completion is lost.
        assert_eq!(get(b"login u machine a password p", b"a"), None);
        assert_eq!(get(b"login u password p machine a", b"a"), None);
        assert_eq!(
            get(b"machine a login u password p password q\n", b"a")
                .unwrap()
                .1,
            b"p"
        );
    }

    #[test]
    fn comments_are_words_and_default_alone_stops() {
        // `#` is a keyword to Go: it takes the next word with it, and the pairs shift.
        assert_eq!(get(b"machine a login u # password p\n", b"a"), None);
        assert_eq!(get(b"# machine a login u password p\n", b"a"), None);
        assert!(get(b"machine a #\nlogin u password p\n", b"a").is_some());
        assert_eq!(get(b"default\nmachine a login u password p\n", b"a"), None);
        assert!(get(b"default x\nmachine a login u password p\n", b"a").is_some());
    }

    #[test]
    fn a_macro_ends_only_at_an_exactly_empty_line() {
        let lf = b"macdef m\nmachine x login e password e\n\nmachine a login u password p\n";
        assert!(get(lf, b"x").is_none());
        assert!(get(lf, b"a").is_some());
        let crlf = b"macdef m\r\nx\r\n\r\nmachine a login u password p\r\n";
        assert!(get(crlf, b"a").is_none());
    }

    #[test]
    fn unicode_white_space_separates_and_malformed_bytes_do_not() {
        assert!(get("machine\u{a0}a login u password p".as_bytes(), b"a").is_some());
        assert!(get(b"machine a\xa0 login u password p", b"a\xa0").is_some());
        assert!(get(b"machine a\x0blogin u\x0cpassword p", b"a").is_some());
    }
}
