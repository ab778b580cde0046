//! Ruby's `netrc` gem (0.11, Debian `ruby-netrc`): what `Netrc.read(path)[host]` hands out.
//!
//! The gem keeps a file's formatting so it can write it back, and reads it in two passes:
//!
//! - It lexes each line on its own. The first `#` in a line, wherever it stands (also inside a
//!   word), starts a comment that takes the spaces before it and the rest of the line, and
//!   becomes a token of its own. Other tokens are runs of whitespace (`[ \t\n\v\f\r]`) or of
//!   anything else; whitespace that follows a comment's line end joins the comment.
//! - It then cuts the tokens into entries at each `machine` or `default` token. The name is
//!   the next token that does not start a line with whitespace (so a comment can be a name). An
//!   entry takes the value after the next `login` token *anywhere after it in the file*, then
//!   the value after the next `password` token, skipping whatever lies between: an entry
//!   without fields takes the next entry's fields and swallows that entry. Of the two values,
//!   the first is handed out as the login and the second as the password, so an entry with a
//!   password and no login hands out its password as the login. There is no `account`.
//! - A `machine` or field keyword with no value after it raises ("unexpected EOF"); so does a
//!   file that is not valid UTF-8 (the lexer's regex raises `ArgumentError`, in a UTF-8
//!   locale, as users run it). `default` counts only as the last entry of the file; names
//!   compare exactly, and the first entry of a name wins.

use super::{Creds, Lookup, Model, Reads, Rejected};

pub const MODEL: Model = Model { name: "ruby", read };

/// Ruby's `/\s/`: ASCII whitespace, vertical tab and form feed included.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// `/^\s/` in Ruby, where `^` is the start of any line of the token.
fn is_skipped(token: &[u8]) -> bool {
    token.first().is_some_and(|&b| is_space(b))
        || token
            .windows(2)
            .any(|pair| pair[0] == b'\n' && is_space(pair[1]))
}

/// The gem's tokens, as ranges of the file: every byte belongs to exactly one.
fn lex(file: &[u8]) -> Vec<&[u8]> {
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    while start < file.len() {
        let end = file[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(file.len(), |i| start + i + 1);
        let line = &file[start..end];
        // `line.split(/(\s*#.*)/m)`: the comment starts with the whitespace before the first `#`.
        let comment = line.iter().position(|&b| b == b'#').map(|hash| {
            let spaces = line[..hash]
                .iter()
                .rev()
                .take_while(|&&b| is_space(b))
                .count();
            hash - spaces
        });
        let content_end = start + comment.unwrap_or(line.len());
        for i in start..content_end {
            match ranges.last_mut() {
                Some(last) if is_space(file[last.1 - 1]) == is_space(file[i]) => last.1 = i + 1,
                _ => ranges.push((i, i + 1)),
            }
        }
        if content_end < end {
            ranges.push((content_end, end));
        }
        start = end;
    }
    ranges.into_iter().map(|(s, e)| &file[s..e]).collect()
}

/// For each token index, the index of the first token at or after it that `is` picks out.
fn next_where(tokens: &[&[u8]], is: impl Fn(&[u8]) -> bool) -> Vec<usize> {
    let mut next = vec![tokens.len(); tokens.len() + 1];
    for i in (0..tokens.len()).rev() {
        next[i] = if is(tokens[i]) { i } else { next[i + 1] };
    }
    next
}

/// One entry as the gem cuts it: its name (`None` for `default`) and the values it took, in
/// order.
type Item = (Option<Vec<u8>>, Vec<Vec<u8>>);

pub fn read(file: &[u8]) -> Result<Reads, Rejected> {
    if std::str::from_utf8(file).is_err() {
        return Err(Rejected);
    }
    let tokens = lex(file);
    let n = tokens.len();
    let starts = |t: &[u8]| t == b"machine" || t == b"default";
    // `ts.include?('login')` looks at every token left; these make each look O(1).
    let next_start = next_where(&tokens, starts);
    let next_login = next_where(&tokens, |t| t == b"login");
    let next_password = next_where(&tokens, |t| t == b"password");
    // `ts.take` after skipping whitespace and line-leading comments: a missing token raises.
    let take = |pos: &mut usize| -> Result<Vec<u8>, Rejected> {
        while *pos < n && is_skipped(tokens[*pos]) {
            *pos += 1;
        }
        let token = tokens.get(*pos).ok_or(Rejected)?;
        *pos += 1;
        Ok(token.to_vec())
    };

    let mut items: Vec<Item> = Vec::new();
    let mut pos = next_start[0];
    while pos < n {
        let name = if tokens[pos] == b"default" {
            pos += 1;
            None
        } else {
            pos += 1;
            Some(take(&mut pos)?)
        };
        let mut values = Vec::new();
        for next in [&next_login, &next_password] {
            if next[pos] < n {
                pos = next[pos] + 1;
                values.push(take(&mut pos)?);
            }
        }
        pos = next_start[pos];
        items.push((name, values));
    }

    let creds = |values: Vec<Vec<u8>>| {
        let mut values = values.into_iter();
        Creds {
            login: values.next(),
            password: values.next(),
            account: None,
        }
    };
    // Only a last `default` is the default; one in mid-file is an entry named "", which no
    // host matches.
    let default = match items.last() {
        Some((None, _)) => items.pop().map(|(_, values)| creds(values)),
        _ => None,
    };
    let machines = items
        .into_iter()
        .filter_map(|(name, values)| Some((name?, creds(values))))
        .collect();
    Ok(Reads {
        machines,
        default,
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
        let text = |v: &Option<Vec<u8>>| v.as_ref().map(|v| String::from_utf8(v.clone()).unwrap());
        reads
            .get(host.as_bytes())
            .map(|c| (text(&c.login), text(&c.password)))
    }

    fn pair(login: &str, password: &str) -> Option<(Option<String>, Option<String>)> {
        Some((Some(login.into()), Some(password.into())))
    }

    #[test]
    fn an_entry_without_fields_takes_the_next_entrys_and_swallows_it() {
        let file = "machine foo.com\nmachine buf.build login alice password tok\n";
        assert_eq!(get(file, "foo.com"), pair("alice", "tok"));
        assert_eq!(get(file, "buf.build"), None);
    }

    #[test]
    fn a_password_without_login_is_handed_out_as_the_login() {
        let file = "machine a password p\n";
        assert_eq!(get(file, "a"), Some((Some("p".into()), None)));
    }

    #[test]
    fn a_hash_anywhere_starts_a_comment_and_a_line_leading_comment_is_a_value() {
        let glued = "machine a login u#x password p\n";
        assert_eq!(get(glued, "a"), Some((Some("u".into()), None)));
        let file = "machine a login\n#c\npassword p\n";
        assert_eq!(
            get(file, "a"),
            Some((Some("#c\n".into()), Some("p".into())))
        );
    }

    #[test]
    fn default_counts_only_at_the_end() {
        assert_eq!(get("default login d password e\n", "x"), pair("d", "e"));
        let mid = "default login d password e\nmachine m login l password q\n";
        assert_eq!(get(mid, "x"), None);
        assert_eq!(get(mid, "m"), pair("l", "q"));
    }

    #[test]
    fn a_keyword_without_value_or_invalid_utf8_is_refused() {
        assert_eq!(read(b"machine"), Err(Rejected));
        assert_eq!(read(b"machine a login"), Err(Rejected));
        assert_eq!(read(b"machine a login \xff password p\n"), Err(Rejected));
    }
}
