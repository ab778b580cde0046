//! JGit's `org.eclipse.jgit.transport.NetRC` (4.11 through 7.x; Debian `libjgit-java`): what
//! `new NetRC(file).getEntry(host)` hands out (Git over HTTP in Eclipse, Gerrit's tools and
//! other JVM programs read a netrc through it).
//!
//! JGit reads line by line (lines end at LF, CR or CRLF) with a small state machine that never
//! refuses a file:
//!
//! - A line's words are runs of anything but space, tab, vertical tab and form feed. A word in
//!   keyword position is matched ignoring case; one starting with `#` ends the line's reading.
//!   Unknown words are skipped.
//! - `machine`, `login`, `password`, `account` and `macdef` take the next word *on the same
//!   line*, whatever it is; at the end of a line they take nothing. `default` is an entry
//!   named `default`, which is also what any host without an entry gets.
//! - Fields gather into one entry, which is stored only once it has a machine, a login and a
//!   password, and only when a keyword comes whose field it already has (or the file ends).
//!   Until then a new `machine` renames the entry it is gathering: `machine a password p`
//!   followed by `machine b login l password q` gives `b` the login `l` and the password
//!   `p`, and `a` nothing.
//! - After `macdef NAME`, the lines up to an empty one are the macro's body, not read; a
//!   second `macdef` in the same entry has no body.
//! - The last stored entry of a name wins; names compare exactly. Invalid UTF-8 is read as
//!   U+FFFD, as Java's decoder places it (JGit 5 and later decode UTF-8; 4.x the platform
//!   charset, UTF-8 on today's systems).

use super::{Creds, Lookup, Model, Reads, Rejected};

pub const MODEL: Model = Model { name: "jgit", read };

/// Java's `\s` within a line (CR and LF end lines before words are looked for).
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{b}' | '\u{c}' | '\r' | '\n')
}

#[derive(Default)]
struct Entry {
    machine: Option<String>,
    login: Option<String>,
    password: Option<String>,
    account: Option<String>,
    macdef: bool,
    macro_body_read: bool,
}

impl Entry {
    fn complete(&self) -> bool {
        self.machine.is_some() && self.login.is_some() && self.password.is_some()
    }
}

/// The file as Java's UTF-8 decoder reads it. Java replaces invalid UTF-8 with U+FFFD as Rust
/// does, except for an encoded surrogate (`ED A0..BF`), which Java takes as one malformed
/// sequence of three bytes (two when the third is no continuation byte) and Rust as one per
/// byte. `ED` never continues a sequence, so splitting the file at those places leaves the rest
/// decoded as Rust decodes it.
fn decode(file: &[u8]) -> String {
    let is_surrogate = |rest: &[u8]| matches!(rest, [0xed, 0xa0..=0xbf, ..]);
    let mut text = String::with_capacity(file.len());
    let mut rest = file;
    while !rest.is_empty() {
        if is_surrogate(rest) {
            text.push(char::REPLACEMENT_CHARACTER);
            let third_continues = matches!(rest.get(2), Some(0x80..=0xbf));
            rest = &rest[if third_continues { 3 } else { 2 }..];
            continue;
        }
        let plain = (1..rest.len())
            .find(|&i| is_surrogate(&rest[i..]))
            .unwrap_or(rest.len());
        text.push_str(&String::from_utf8_lossy(&rest[..plain]));
        rest = &rest[plain..];
    }
    text
}

/// `BufferedReader.readLine`: lines end at LF, CR or CRLF; a final line end adds no line.
fn lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        match rest.find(['\n', '\r']) {
            None => {
                lines.push(rest);
                break;
            }
            Some(end) => {
                lines.push(&rest[..end]);
                let skip = if rest[end..].starts_with("\r\n") {
                    2
                } else {
                    1
                };
                rest = &rest[end + skip..];
            }
        }
    }
    lines
}

pub fn read(file: &[u8]) -> Result<Reads, Rejected> {
    let text = decode(file);
    let mut stored: Vec<(String, Creds)> = Vec::new();
    let mut entry = Entry::default();
    let store = |entry: Entry, stored: &mut Vec<(String, Creds)>| {
        if let (Some(machine), Some(login), Some(password)) =
            (entry.machine, entry.login, entry.password)
        {
            let creds = Creds {
                login: Some(login.into_bytes()),
                password: Some(password.into_bytes()),
                account: entry.account.map(String::into_bytes),
            };
            stored.push((machine, creds));
        }
    };
    for line in lines(&text) {
        if entry.macdef && !entry.macro_body_read {
            entry.macro_body_read = line.is_empty();
            continue;
        }
        let mut words = line.split(is_space).filter(|w| !w.is_empty());
        while let Some(word) = words.next() {
            if word.starts_with('#') {
                break;
            }
            let keyword = [
                "machine", "login", "password", "account", "macdef", "default",
            ]
            .into_iter()
            .find(|k| word.eq_ignore_ascii_case(k));
            let Some(keyword) = keyword else { continue };
            // Storing the entry gathered so far, once it is complete and already has the field
            // this keyword sets.
            let has = match keyword {
                "machine" | "default" => entry.machine.is_some(),
                "login" => entry.login.is_some(),
                "password" => entry.password.is_some(),
                "account" => entry.account.is_some(),
                _ => entry.macdef,
            };
            if has && entry.complete() {
                store(std::mem::take(&mut entry), &mut stored);
            }
            if keyword == "default" {
                entry.machine = Some("default".to_owned());
                continue;
            }
            let Some(value) = words.next() else { continue };
            let value = Some(value.to_owned());
            match keyword {
                "machine" => entry.machine = value,
                "login" => entry.login = value,
                "password" => entry.password = value,
                "account" => entry.account = value,
                _ => entry.macdef = true,
            }
        }
    }
    store(entry, &mut stored);

    let default = stored
        .iter()
        .rev()
        .find(|(name, _)| name == "default")
        .map(|(_, creds)| creds.clone());
    let machines = stored
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

    fn get(file: &str, host: &str) -> Option<(String, String)> {
        let reads = read(file.as_bytes()).unwrap();
        let creds = reads.get(host.as_bytes())?;
        let text = |v: &Option<Vec<u8>>| String::from_utf8(v.clone().unwrap()).unwrap();
        Some((text(&creds.login), text(&creds.password)))
    }

    fn pair(login: &str, password: &str) -> Option<(String, String)> {
        Some((login.to_owned(), password.to_owned()))
    }

    #[test]
    fn an_incomplete_entry_is_renamed_by_the_next_machine() {
        let file =
            "machine 127.0.0.1\npassword TOKEN\nmachine buf.build login alice password new\n";
        assert_eq!(get(file, "buf.build"), pair("alice", "TOKEN"));
        assert_eq!(get(file, "127.0.0.1"), None);
    }

    #[test]
    fn values_are_taken_from_the_same_line_only() {
        let file = "machine a login\nl password p\nmachine b login m password q\n";
        assert_eq!(get(file, "a"), None);
        assert_eq!(get(file, "b"), pair("m", "p"));
    }

    #[test]
    fn keywords_ignore_case_and_the_last_entry_wins() {
        let file = "MACHINE a LOGIN l PASSWORD p\nmachine a login m password q\n";
        assert_eq!(get(file, "a"), pair("m", "q"));
    }

    #[test]
    fn default_is_an_entry_of_its_own_name() {
        let file = "default login d password e\nmachine a login l password p\n";
        assert_eq!(get(file, "x"), pair("d", "e"));
        assert_eq!(get(file, "default"), pair("d", "e"));
    }

    #[test]
    fn a_macro_body_is_skipped_up_to_an_empty_line() {
        let file = "macdef m\nmachine x login y password z\n\nmachine a login l password p\n";
        assert_eq!(get(file, "x"), None);
        assert_eq!(get(file, "a"), pair("l", "p"));
    }
}
