//! How the `go` command reads a netrc, so that edits can be placed where it agrees with us.
//!
//! Go's reader (`cmd/go/internal/auth/netrc.go`) knows no comments and no quotes. It splits the
//! file into lines on `\n`, each line into fields on white space, and reads each line's fields
//! in pairs: `machine X`, `login X` and `password X` fill an entry, which is complete (and the
//! next one begins) as soon as all three are set; `macdef` at a pair's first place skips every
//! following line up to an exactly empty one (a `\r` line does not end it); a `default` left
//! over at a line's end, or alone on its line, stops the reading. So a comment can hide a
//! keyword from us but not from Go, and a CRLF macro never ends for Go.

use std::ops::Range;

/// An entry Go completed, as the spans of its three values.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct GoEntry {
    pub machine: Range<usize>,
    pub login: Range<usize>,
    pub password: Range<usize>,
}

/// What Go makes of a text.
#[derive(Debug, Default)]
pub(crate) struct GoReading {
    pub entries: Vec<GoEntry>,
    /// Where Go and we part ways: the start of the line that opened a macro only one of us
    /// skips (or that we end at different lines), or of the line where Go stopped reading.
    pub diverges_at: Option<usize>,
    /// Go is inside a macro at the end of the text, so anything appended is part of it.
    pub in_macro_at_end: bool,
}

/// Reads `src` as Go does. `our_macro_lines` are the byte ranges of the macro bodies we found
/// (each from the line after `macdef` up to and including the empty line that ends it).
pub(crate) fn read(src: &[u8], our_macro_lines: &[Range<usize>]) -> GoReading {
    let mut reading = GoReading::default();
    // The bodies come in file order, so the one that may hold `at` is found by bisection.
    let in_our_macro = |at: usize| {
        let i = our_macro_lines.partition_point(|r| r.start <= at);
        i > 0 && our_macro_lines[i - 1].contains(&at)
    };
    let mut in_macro = false;
    let mut go_macro_line = 0;
    let mut fields = Vec::new();
    let (mut machine, mut login, mut password) = (None, None, None);
    let mut line_start = 0;
    while line_start <= src.len() {
        let line_end = src[line_start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(src.len(), |n| line_start + n);
        let line = &src[line_start..line_end];
        if line_start == src.len() && line.is_empty() {
            break;
        }
        fields_of(line, line_start, &mut fields);
        // A line with no fields is nothing to either reader, whoever skips it.
        if !fields.is_empty() && in_macro != in_our_macro(line_start) {
            // The line that opened the macro is where the readings part.
            let opened = if in_macro {
                go_macro_line
            } else {
                our_macro_lines
                    .iter()
                    .rev()
                    .find(|r| r.contains(&line_start))
                    .map_or(line_start, |r| super::lexer::line_start(src, r.start - 1))
            };
            reading.diverges_at = Some(opened);
            return reading;
        }
        if in_macro {
            in_macro = !line.is_empty();
        } else {
            let mut i = 0;
            while i + 1 < fields.len() {
                let value = fields[i + 1].clone();
                match &src[fields[i].clone()] {
                    b"machine" => {
                        (machine, login, password) = (Some(value), None, None);
                    }
                    b"login" => login = Some(value),
                    b"password" => password = Some(value),
                    b"macdef" => {
                        in_macro = true;
                        go_macro_line = line_start;
                    }
                    _ => {}
                }
                if let (Some(m), Some(l), Some(p)) = (&machine, &login, &password) {
                    reading.entries.push(GoEntry {
                        machine: m.clone(),
                        login: l.clone(),
                        password: p.clone(),
                    });
                    (machine, login, password) = (None, None, None);
                }
                i += 2;
            }
            if fields.get(i).is_some_and(|f| &src[f.clone()] == b"default") {
                reading.diverges_at = Some(line_start);
                return reading;
            }
        }
        if line_end == src.len() {
            break;
        }
        line_start = line_end + 1;
    }
    reading.in_macro_at_end = in_macro;
    reading
}

/// The white-space-separated fields of one line, as absolute spans (Go's `strings.Fields`:
/// Unicode white space; bytes that are not UTF-8 are never space), into `fields`.
fn fields_of(line: &[u8], offset: usize, fields: &mut Vec<Range<usize>>) {
    fields.clear();
    let mut start = None;
    let mut i = 0;
    while i < line.len() {
        let b = line[i];
        // Most bytes are printable ASCII: no decoding for them.
        let (is_space, width) = if b > b' ' && b < 0x7f {
            (false, 1)
        } else {
            space_at(&line[i..])
        };
        match (is_space, start) {
            (true, Some(s)) => {
                fields.push(offset + s..offset + i);
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
        i += width;
    }
    if let Some(s) = start {
        fields.push(offset + s..offset + line.len());
    }
}

/// Whether the character at the start of `bytes` is white space, and its width in bytes.
fn space_at(bytes: &[u8]) -> (bool, usize) {
    let b = bytes[0];
    if b.is_ascii() {
        return (matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c), 1);
    }
    let width = match b {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => return (false, 1),
    };
    match bytes
        .get(..width)
        .and_then(|c| std::str::from_utf8(c).ok())
        .and_then(|s| s.chars().next())
    {
        Some(c) => (c.is_whitespace(), width),
        None => (false, 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(src: &str) -> Vec<&str> {
        read(src.as_bytes(), &[])
            .entries
            .iter()
            .map(|e| &src[e.machine.clone()])
            .collect()
    }

    #[test]
    fn reads_pairs_per_line_and_completes_entries_early() {
        assert_eq!(
            names("machine a login x password y\nmachine b\n login x\n password y\n"),
            ["a", "b"]
        );
        // A quoted value with a space shifts the pairs: Go never sees this password.
        assert!(names("machine a login \"x y\" password p\n").is_empty());
    }

    #[test]
    fn a_comment_is_fields_to_go() {
        let src = "# x machine evil login l password p\nmachine a login x password y\n";
        assert_eq!(names(src), ["evil", "a"]);
    }

    #[test]
    fn a_leftover_default_stops_the_reading() {
        let reading = read(
            b"machine a login x password y\n# see default\nmachine b",
            &[],
        );
        assert_eq!(reading.diverges_at, Some(29));
        assert_eq!(reading.entries.len(), 1);
    }

    #[test]
    fn a_crlf_macro_never_ends_for_go() {
        let src = b"macdef m\r\nls\r\n\r\nmachine a login x password y\r\n";
        // We end the macro at the `\r` line (bytes 10..16 are the body and its end).
        let reading = read(src, &[10..16, 99..100]);
        assert_eq!(reading.diverges_at, Some(0));
        let lf = b"macdef m\nls\n\nmachine a login x password y\n";
        let reading = read(lf, &[9..13, 99..100]);
        assert_eq!(reading.diverges_at, None);
        assert_eq!(reading.entries.len(), 1);
    }
}
