//! Buf's own reader: Buf 1.75 reads the netrc with `github.com/jdx/go-netrc` v1.0.0 (not
//! bgentry's `go-netrc`, which Buf used up to 2023 and Debian packages: a different parser).
//!
//! jdx's reader knows no grammar; it cuts the file into tokens and counts positions:
//!
//! - A token is a run of white space or a run of anything else, where white space is a byte
//!   that Go's `unicode.IsSpace` calls space when taken as a character on its own (so the
//!   bytes 0x85 and 0xA0 split a word, even inside a UTF-8 character).
//! - A `#` that starts a token begins a comment token, which runs to the end of the line and
//!   takes all the white space after it. White space right before such a `#` joins the
//!   comment token too, unless it holds a line end or a character that Go's regexp `\s` does
//!   not match (`\v`, 0x85, 0xA0): then it stays a token of its own. A `#` inside a word is
//!   part of the word.
//! - Every token that is exactly `machine` or `default`, wherever it stands (also in a value's
//!   place), starts a new group. A `machine` group's name is the token two places on, whatever
//!   it is (white space, a comment, `default`); if there is none, Buf panics. A `default`
//!   group is named `default`.
//! - A field is read by position: in a `machine` group, the tokens at places 4, 8, 12, … are
//!   keys and the token two places after each is its value; in a `default` group places 2, 6,
//!   10, …. The first key equal to `password` gives the password. A comment token without
//!   white space of its own before it shifts the places.
//!
//! Lookup (Buf's `GetMachineForNameAndFilePath`): the first group whose name equals the host
//! exactly, else the first group named `default` (a `default` group or a `machine default`).
//! Buf hands out only the password (its bearer token); an empty one is no token. It never
//! reads `login` or `account` for authentication, so the model leaves them out.

use super::{Creds, Lookup, Model, Reads, Rejected};

pub const MODEL: Model = Model { name: "buf", read };

/// What Buf 1.75 reads from `file`; a file on which Buf panics is rejected.
pub fn read(file: &[u8]) -> Result<Reads, Rejected> {
    let tokens = tokens(file);
    let mut groups: Vec<Group> = Vec::new();
    for (i, &token) in tokens.iter().enumerate() {
        match token {
            b"machine" => {
                let name = tokens.get(i + 2).ok_or(Rejected)?;
                groups.push(Group {
                    name,
                    first_key: 4,
                    tokens: Vec::new(),
                });
            }
            b"default" => groups.push(Group {
                name: b"default",
                first_key: 2,
                tokens: Vec::new(),
            }),
            _ => {}
        }
        if let Some(group) = groups.last_mut() {
            group.tokens.push(token);
        }
    }
    let machines: Vec<(Vec<u8>, Creds)> = groups
        .iter()
        .map(
            |Group {
                 name,
                 first_key,
                 tokens,
             }| {
                let password = tokens
                    .iter()
                    .enumerate()
                    .skip(*first_key)
                    .step_by(4)
                    .take_while(|(i, _)| i + 2 < tokens.len())
                    .find(|(_, key)| **key == b"password")
                    .map(|(i, _)| tokens[i + 2].to_vec());
                (
                    name.to_vec(),
                    Creds {
                        login: None,
                        password,
                        account: None,
                    },
                )
            },
        )
        .collect();
    let default = machines
        .iter()
        .find(|(name, _)| name == b"default")
        .map(|(_, creds)| creds.clone());
    Ok(Reads {
        machines,
        default,
        lookup: Lookup {
            last_wins: false,
            ignore_case: false,
        },
    })
}

/// The tokens from one `machine` or `default` token up to the next, and where its first key is.
struct Group<'a> {
    name: &'a [u8],
    first_key: usize,
    tokens: Vec<&'a [u8]>,
}

/// `unicode.IsSpace(rune(b))` for one byte.
fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' | 0x85 | 0xa0)
}

/// Go's regexp `\s`.
fn is_regexp_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0c | b'\r' | b' ')
}

/// The file cut into tokens as jdx's lexer cuts it (see the module's documentation).
fn tokens(file: &[u8]) -> Vec<&[u8]> {
    let mut tokens = Vec::new();
    let mut start = 0;
    while start < file.len() {
        let len = token_len(&file[start..]);
        tokens.push(&file[start..start + len]);
        start += len;
    }
    tokens
}

/// The length of the token `data` starts with (`data` is not empty).
fn token_len(data: &[u8]) -> usize {
    let in_space = is_space(data[0]);
    for (i, &c) in data.iter().enumerate() {
        if c == b'#' {
            // A comment starts here if the token so far is nothing or regexp white space.
            let comment = i == 0 || (in_space && data[..i].iter().all(|&b| is_regexp_space(b)));
            if comment {
                let mut end = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
                while end < data.len() && is_space(data[end]) {
                    end += 1;
                }
                return end;
            }
        }
        if is_space(c) != in_space {
            return i;
        }
    }
    data.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn password(file: &[u8], host: &[u8]) -> Option<Vec<u8>> {
        read(file).unwrap().get(host)?.password.clone()
    }

    #[test]
    fn fields_are_read_by_position() {
        let file = b"machine a login u password p\nmachine b password q\n";
        assert_eq!(password(file, b"a").unwrap(), b"p");
        assert_eq!(password(file, b"b").unwrap(), b"q");
        assert_eq!(password(file, b"A"), None);
        // A comment after a line end shifts the places: the password is lost.
        let shifted = b"machine a\n# c\npassword p\n";
        assert_eq!(password(shifted, b"a"), None);
        // One on the entry's own line replaces the white space: nothing shifts.
        let kept = b"machine a # c\npassword p\n";
        assert_eq!(password(kept, b"a").unwrap(), b"p");
    }

    #[test]
    fn machine_and_default_anywhere_start_a_group() {
        let file = b"machine a password default\nmachine b password q\n";
        assert_eq!(password(file, b"a"), None);
        // The `default` in a value's place is the fallback now.
        assert_eq!(password(file, b"zzz"), None);
        let file = b"default password d\nmachine default password m\n";
        assert_eq!(password(file, b"zzz").unwrap(), b"d");
        assert_eq!(read(b"machine a password p machine").unwrap_err(), Rejected);
        assert_eq!(
            read(b"machine a password p machine ").unwrap_err(),
            Rejected
        );
        assert!(read(b"machine a password p machine x").is_ok());
    }

    #[test]
    fn a_glued_hash_is_part_of_a_word_and_0xa0_splits_one() {
        assert_eq!(password(b"machine a password p#x\n", b"a").unwrap(), b"p#x");
        assert_eq!(
            password(b"machine a password p\xa0x\n", b"a").unwrap(),
            b"p"
        );
        assert_eq!(password(b"machine a password #p\n", b"a"), None);
    }
}
