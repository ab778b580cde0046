//! npm's `netrc-parser` (3.1; oclif's and Heroku's CLIs): what `netrc.machines[host]` holds
//! after `loadSync()`, its `login`, `password` and `account`.
//!
//! The package reads a netrc with two regular expressions, line by line (lines end at LF only,
//! so a CR stays part of the line), and never refuses a file:
//!
//! - A line is a machine line if it holds `machine`, anywhere (in a comment or a longer word
//!   too), then whitespace and a word, and what follows the first `#` after that holds no CR
//!   (or U+2028, U+2029). "Whitespace" is JavaScript's: also NBSP, U+FEFF and the other
//!   Unicode spaces. Any other line is not read at all: there is no `default`, no `macdef`.
//! - The line's rest up to that `#` is cut at single spaces. If a space stands before its last
//!   word, the first piece is the host and the pieces after it pair up as `key value` (two
//!   spaces in a row make an empty piece and shift the pairs; a key without a value has
//!   none). Otherwise the rest is the host (a tab or trailing CR included), and the lines that
//!   follow, while each is indented and holds exactly `key value` (and maybe ` #comment`),
//!   are its fields; in a CRLF file none is.
//! - Of several entries for a host the first counts; names compare exactly. Invalid UTF-8 is
//!   read as U+FFFD, as Node decodes it.
//!
//! Where a machine line's comment holds a CR, the regex fails only after trying every way to
//! cut the line's words into pieces: time doubles with each letter, and on a realistic CRLF
//! line with a comment the package never returns. The model reads such a line as the regex
//! would in the end (as no machine); [`backtracking`] tells how long the package takes there.

use std::collections::{HashMap, HashSet};

use super::{Creds, Lookup, Model, Reads, Rejected};

pub const MODEL: Model = Model {
    name: "netrc-parser",
    read,
};

/// JavaScript's `\s` (and what `trim` removes).
fn is_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

/// What JavaScript's `.` does not match.
fn ends_line(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

/// Whether `rest` is empty or, after whitespace (`leading_space`: at least one), a `#` and
/// then no line terminator: `(\s+#.*)?$` or `(#.*)?$`.
fn ends_in_comment(rest: &str, leading_space: bool) -> bool {
    if rest.is_empty() {
        return true;
    }
    let comment = rest.trim_start_matches(is_space);
    (!leading_space || comment.len() < rest.len())
        && comment.starts_with('#')
        && !comment.chars().any(ends_line)
}

/// `line.match(/machine\s+((?:[^#\s]+[\s]*)+)(#.*)?$/)`: the machine line's first group.
fn machine_body(line: &str) -> Option<&str> {
    // One pass over the line however many `machine`s it holds: a body runs to the first `#`
    // after its start, and that comment fails if a line terminator comes after it.
    let last_terminator = line.rfind(ends_line);
    let mut hashes = line.match_indices('#').map(|(at, _)| at).peekable();
    line.match_indices("machine").find_map(|(at, keyword)| {
        let rest = &line[at + keyword.len()..];
        let body = rest.trim_start_matches(is_space);
        if body.len() == rest.len() || body.is_empty() || body.starts_with('#') {
            return None;
        }
        let start = line.len() - body.len();
        while hashes.next_if(|&hash| hash < start).is_some() {}
        let hash = hashes.peek().copied().unwrap_or(line.len());
        let comment_holds = last_terminator.is_none_or(|end| end < hash);
        comment_holds.then_some(&line[start..hash])
    })
}

/// How many times over the package's regex cuts words on the file's worst failing machine line,
/// as a power of two (0 where no machine line fails after its words): each word of `n`
/// letters can be cut in `2^(n-1)` ways, and the package tries them all. Past 30 or so it
/// runs for minutes; a 40-letter token makes it hang for good.
pub fn backtracking(file: &[u8]) -> u32 {
    let text = String::from_utf8_lossy(file);
    let failing = |line: &str| -> u32 {
        line.match_indices("machine")
            .filter_map(|(at, keyword)| {
                let rest = &line[at + keyword.len()..];
                let body = rest.trim_start_matches(is_space);
                if body.len() == rest.len() || body.is_empty() || body.starts_with('#') {
                    return None;
                }
                let hash = body.find('#').unwrap_or(body.len());
                if ends_in_comment(&body[hash..], false) {
                    return None;
                }
                let cuts = body[..hash]
                    .split(is_space)
                    .filter(|w| !w.is_empty())
                    .map(|w| w.chars().count() as u32 - 1)
                    .sum();
                Some(cuts)
            })
            .max()
            .unwrap_or(0)
    };
    text.split('\n').map(failing).max().unwrap_or(0)
}

/// `line.match(/^(\s+)([\S]+)\s+([\S]+)(\s+#.*)?$/)`: an indented field line's key and value.
fn field(line: &str) -> Option<(&str, &str)> {
    let key = line.trim_start_matches(is_space);
    if key.len() == line.len() {
        return None;
    }
    let key_end = key.find(is_space)?;
    let value = key[key_end..].trim_start_matches(is_space);
    if value.is_empty() {
        return None;
    }
    let value_end = value.find(is_space).unwrap_or(value.len());
    ends_in_comment(&value[value_end..], true).then_some((&key[..key_end], &value[..value_end]))
}

pub fn read(file: &[u8]) -> Result<Reads, Rejected> {
    let text = String::from_utf8_lossy(file);
    let mut lines = text.split('\n').peekable();
    let mut machines: Vec<(Vec<u8>, Creds)> = Vec::new();
    let mut hosts: HashSet<&str> = HashSet::new();
    while let Some(line) = lines.next() {
        let Some(body) = machine_body(line) else {
            continue;
        };
        let mut pieces = body.split(' ');
        let host = pieces.next().unwrap_or_default();
        let mut fields: HashMap<&str, Option<&str>> = HashMap::new();
        if body.trim_matches(is_space).contains(' ') {
            let pieces: Vec<&str> = pieces.collect();
            for pair in pieces.chunks(2) {
                fields.insert(pair[0], pair.get(1).copied());
            }
        } else {
            while let Some((key, value)) = lines.peek().and_then(|line| field(line)) {
                fields.insert(key, Some(value));
                lines.next();
            }
        }
        if !hosts.insert(host) {
            continue;
        }
        let value = |key: &str| {
            fields
                .get(key)
                .copied()
                .flatten()
                .map(|v| v.as_bytes().to_vec())
        };
        let creds = Creds {
            login: value("login"),
            password: value("password"),
            account: value("account"),
        };
        machines.push((host.as_bytes().to_vec(), creds));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn get(file: &str, host: &str) -> Option<(Option<String>, Option<String>)> {
        let reads = read(file.as_bytes()).unwrap();
        let creds = reads.get(host.as_bytes())?;
        let text = |v: &Option<Vec<u8>>| v.as_ref().map(|v| String::from_utf8(v.clone()).unwrap());
        Some((text(&creds.login), text(&creds.password)))
    }

    fn pair(login: &str, password: &str) -> Option<(Option<String>, Option<String>)> {
        Some((Some(login.to_owned()), Some(password.to_owned())))
    }

    #[test]
    fn inline_and_indented_entries() {
        let file = "machine a login l password p\nmachine b\n  login m\n  password q # c\n";
        assert_eq!(get(file, "a"), pair("l", "p"));
        assert_eq!(get(file, "b"), pair("m", "q"));
    }

    #[test]
    fn machine_counts_anywhere_in_a_line_even_in_a_comment() {
        assert_eq!(get("# machine a login l password p\n", "a"), pair("l", "p"));
        assert_eq!(get("default login d password e\n", "x"), None);
    }

    #[test]
    fn a_field_line_that_is_not_exactly_key_value_ends_the_entry() {
        let file = "machine a\n  login l\npassword p\n  machine b login m password q\n";
        assert_eq!(get(file, "a"), Some((Some("l".into()), None)));
        assert_eq!(get(file, "b"), pair("m", "q"));
        let indented = "machine a\n  login l\n  machine b\n";
        assert_eq!(get(indented, "b"), None);
    }

    #[test]
    fn crlf_keeps_the_cr_in_names_and_values() {
        let file = "machine a\r\n  login l\r\nmachine b login m password q\r\n";
        assert_eq!(get(file, "a"), None);
        assert_eq!(get(file, "a\r"), Some((None, None)));
        assert_eq!(get(file, "b"), pair("m", "q\r"));
    }

    #[test]
    fn a_failing_comment_is_no_machine_and_makes_the_regex_backtrack() {
        let file = "machine example.com login alice # c\r\n";
        assert_eq!(get(file, "example.com"), None);
        assert_eq!(backtracking(file.as_bytes()), 10 + 4 + 4);
        assert_eq!(backtracking(b"machine a login l # c\n"), 0);
    }

    #[test]
    fn two_spaces_shift_the_pairs_and_the_first_entry_wins() {
        let file = "machine a  login l password p\nmachine a login m password q\n";
        assert_eq!(get(file, "a"), Some((None, None)));
    }
}
