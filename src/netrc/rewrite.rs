//! Byte edits inside one entry: give it exactly one `login` and one `password` with new values,
//! or take it out leaving its comments behind.

use std::ops::Range;

use super::lexer::{is_separator, line_start};
use super::scan::{FieldTok, Key, ScannedEntry, scan};

/// The one entry in `text` (an entry's own bytes), scanned in detail.
pub(super) fn scan_entry(text: &[u8]) -> Option<ScannedEntry> {
    let mut found = None;
    // The text was lexed before as part of the whole file, so it lexes again.
    let _ = scan(text, true, |entry| {
        found.get_or_insert(entry);
        false
    });
    found
}

enum Change {
    /// A value written by us: replaced, or inserted (an empty range). Kept apart from its
    /// neighbours by white space.
    Value(Vec<u8>),
    /// Other bytes (a keyword) replaced as they are.
    Text(Vec<u8>),
    Remove,
}

/// The entry with exactly one `login` (value `login`) and one `password` (value `password`):
/// the first of each is given the new value where it stands (a `user` becomes `login`, an empty
/// field gets its value), later ones are removed, and missing ones are added after the machine
/// name. Every other byte stays. `next_byte` is the first byte after the entry in the file.
/// `None` when the result would not read as one entry.
pub(super) fn set_credentials(
    text: &[u8],
    next_byte: Option<u8>,
    login: &str,
    password: &str,
) -> Option<Vec<u8>> {
    let entry = scan_entry(text).expect("an entry's text holds the entry");
    let name_end = entry.name.map_or(entry.first, |n| n.range().end);
    let mut changes: Vec<(Range<usize>, Change)> = Vec::new();
    let mut first_login_end = None;
    let mut has_password = false;

    let set_value = |changes: &mut Vec<(Range<usize>, Change)>, field: &FieldTok, value: &str| {
        let end = field.keyword.range().end;
        let (range, bytes) = match field.value {
            Some(tok) => (tok.range(), value.as_bytes().to_vec()),
            None => (end..end, [b" ", value.as_bytes()].concat()),
        };
        changes.push((range, Change::Value(bytes)));
    };
    for field in &entry.fields {
        match field.key {
            Key::Login | Key::User if first_login_end.is_none() => {
                first_login_end = Some(field.end());
                if field.key == Key::User {
                    // curl and Go read only `login`.
                    changes.push((field.keyword.range(), Change::Text(b"login".to_vec())));
                }
                set_value(&mut changes, field, login);
            }
            Key::Password if !has_password => {
                has_password = true;
                set_value(&mut changes, field, password);
            }
            Key::Login | Key::User | Key::Password => {
                changes.push((removal_range(text, field), Change::Remove));
            }
            Key::Account => {}
        }
    }
    if first_login_end.is_none() {
        changes.push((
            name_end..name_end,
            Change::Value([b" login ", login.as_bytes()].concat()),
        ));
    }
    if !has_password {
        let at = first_login_end.unwrap_or(name_end);
        changes.push((
            at..at,
            Change::Value([b" password ", password.as_bytes()].concat()),
        ));
    }
    // Stable: two insertions at one place keep the order they were pushed in.
    changes.sort_by_key(|(range, _)| range.start);
    let rewritten = apply(text, changes, next_byte);
    let mut entries = 0;
    let report = scan(&rewritten, false, |_| {
        entries += 1;
        true
    })
    .ok()?;
    // A field left without a value at the end (an `account` whose value was the removed
    // duplicate `login`) would take whatever follows the entry as its value.
    let dangled_before = || scan(text, false, |_| true).is_ok_and(|r| r.dangling.is_some());
    if report.dangling.is_some() && !dangled_before() {
        return None;
    }
    (entries == 1).then_some(rewritten)
}

/// The bytes a field takes with it when removed: the field and the blanks before it, or its
/// whole line when it stands alone on a line of the entry.
fn removal_range(text: &[u8], field: &FieldTok) -> Range<usize> {
    let start = field.keyword.range().start;
    let end = field.end();
    let line = line_start(text, start);
    let mut after = end;
    while after < text.len() && matches!(text[after], b' ' | b'\t') {
        after += 1;
    }
    let alone_before = line > 0 && text[line..start].iter().all(|&b| b == b' ' || b == b'\t');
    match &text[after..] {
        [b'\n', ..] if alone_before => line..after + 1,
        [b'\r', b'\n', ..] if alone_before => line..after + 2,
        [] if alone_before => line..after,
        // A token glued to the value (`"old"next`) keeps the blanks before the field.
        [b, ..] if !is_separator(*b) => start..end,
        _ => {
            let mut blank = start;
            while blank > line && matches!(text[blank - 1], b' ' | b'\t') {
                blank -= 1;
            }
            blank..end
        }
    }
}

fn apply(text: &[u8], changes: Vec<(Range<usize>, Change)>, next_byte: Option<u8>) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 64);
    let mut values: Vec<Range<usize>> = Vec::new();
    let mut removals: Vec<usize> = Vec::new();
    let mut at = 0;
    for (range, change) in changes {
        let start = range.start.max(at);
        out.extend_from_slice(&text[at..start]);
        match change {
            Change::Value(bytes) => {
                values.push(out.len()..out.len() + bytes.len());
                out.extend_from_slice(&bytes);
            }
            Change::Text(bytes) => out.extend_from_slice(&bytes),
            Change::Remove => removals.push(out.len()),
        }
        at = range.end.max(start);
    }
    out.extend_from_slice(&text[at..]);
    // Nor does anything meet across a removed field (`x "password"` before a glued `machine`).
    for at in removals.into_iter().rev() {
        let before = at.checked_sub(1).map(|i| out[i]);
        let after = out.get(at).copied().or(next_byte);
        if before.is_some_and(|b| !is_separator(b)) && after.is_some_and(|b| !is_separator(b)) {
            out.insert(at, b' ');
            for value in &mut values {
                if value.start >= at {
                    *value = value.start + 1..value.end + 1;
                }
            }
        }
    }
    // A value we write never touches another token, whatever odd bytes stood around it.
    for value in values.into_iter().rev() {
        let after = out.get(value.end).copied().or(next_byte);
        if after.is_some_and(|b| !is_separator(b)) {
            out.insert(value.end, b' ');
        }
        let glued_before = value.start > 0
            && !is_separator(out[value.start - 1])
            && !is_separator(out[value.start]);
        if glued_before {
            out.insert(value.start, b' ');
        }
    }
    out
}

/// What stays of an entry that is taken out: its comments, each with its line end.
pub(super) fn residue(text: &[u8]) -> Vec<u8> {
    let Some(entry) = scan_entry(text) else {
        return Vec::new();
    };
    let mut kept = Vec::new();
    for comment in entry.comments {
        kept.extend_from_slice(&text[comment.clone()]);
        if comment.end < text.len() {
            kept.push(b'\n');
        }
    }
    kept
}

/// The entry's `account` value, where it is a plain word worth carrying to a new place.
pub(super) fn plain_account(text: &[u8]) -> Option<Vec<u8>> {
    let entry = scan_entry(text)?;
    let field = entry.fields.iter().rev().find(|f| f.key == Key::Account)?;
    let value = field.value?;
    let bytes = &text[value.range()];
    let plain = !value.quoted
        && !bytes.is_empty()
        && !bytes.starts_with(b"#")
        && bytes
            .iter()
            .all(|&b| b > b' ' && b != 0x7f && b != b'"' && b != b'\\');
    plain.then(|| bytes.to_vec())
}
