//! The lossless document: a netrc split into machine entries and the bytes between them.
//!
//! Like `toml_edit`, every piece remembers the exact text it came from. The file is partitioned
//! into items: entries (`machine …` or `default …`, together with the indentation and line end
//! of the lines they occupy alone) and raw gaps (blank lines, comments, macros, unknown tokens).
//! An edit replaces one entry's text with owned bytes; everything else is rendered from the
//! original buffer, so untouched bytes (CRLF, odd quoting, invalid UTF-8) come back unchanged.

use std::borrow::Cow;
use std::io::{self, Write};
use std::ops::Range;

use super::SyntaxError;
use super::lexer::{Lexer, Tok, is_separator, line_end, line_start};
use super::value::{Field, InvalidValue, validate_value};
use crate::secret::Token;

/// A parsed netrc that can be edited without disturbing the bytes it does not change.
#[derive(Debug, Clone)]
pub struct NetrcDocument {
    source: Vec<u8>,
    items: Vec<Item>,
    /// New lines are written with CRLF when the file already uses it.
    crlf: bool,
    /// The text ends inside a `macdef` body that no empty line closes, so anything appended
    /// would become part of the macro.
    ends_in_open_macdef: bool,
    /// An edit changed the bytes; an unmodified document renders as its source.
    modified: bool,
}

#[derive(Debug, Clone)]
enum Text {
    /// A span of the source, as `start..end`.
    Source(u32, u32),
    Owned(Box<[u8]>),
}

#[derive(Debug, Clone)]
enum Item {
    Raw(Text),
    Entry(Entry),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Login,
    /// Python's synonym for `login`; no other reader knows it.
    User,
    Password,
    Account,
}

/// One `machine` or `default` entry; the name's span is relative to the start of `text`.
/// Its fields are lexed again from `text` when they are needed (only for the one or two
/// entries a command looks at), which keeps a parsed 100,000-entry file small.
#[derive(Debug, Clone)]
struct Entry {
    text: Text,
    /// The machine name; `None` for the `default` entry.
    name: Option<Tok>,
}

/// An entry as the scanner finds it, with spans into the whole text.
struct ScannedEntry {
    first: usize,
    last_end: usize,
    name: Option<Tok>,
    /// Only collected when asked for.
    fields: Vec<(Key, Tok)>,
}

/// The result of looking up a machine.
#[derive(Debug)]
pub enum Lookup<'a> {
    /// An entry names the machine exactly (the first one, as curl and Go pick it).
    Machine(EntryView<'a>),
    /// No entry names the machine; this is the `default` entry. Its credentials belong to
    /// whatever service the user wrote it for, so a BSR token must never be taken from it.
    Default(EntryView<'a>),
    /// Neither.
    NotFound,
}

/// Read access to one entry's values.
#[derive(Debug, Clone, Copy)]
pub struct EntryView<'a> {
    text: &'a [u8],
    entry: &'a Entry,
}

impl<'a> EntryView<'a> {
    /// The machine name, or `None` for the `default` entry.
    pub fn name(&self) -> Option<Cow<'a, [u8]>> {
        self.entry.name.map(|tok| tok.decode(self.text))
    }

    /// The `login` value (the last one if the entry repeats it, as Python and Go read it).
    pub fn login(&self) -> Option<Cow<'a, [u8]>> {
        self.value(Key::Login).or_else(|| self.value(Key::User))
    }

    /// The `password` value, as a [`Token`] so it cannot be printed by accident. `None` when
    /// missing or not UTF-8 (no BSR token is).
    pub fn password(&self) -> Option<Token> {
        let bytes = self.value(Key::Password)?;
        String::from_utf8(bytes.into_owned()).ok().map(Token::new)
    }

    /// The `account` value.
    pub fn account(&self) -> Option<Cow<'a, [u8]>> {
        self.value(Key::Account)
    }

    fn value(&self, key: Key) -> Option<Cow<'a, [u8]>> {
        let text = self.text;
        entry_fields(text)
            .into_iter()
            .rev()
            .find(|(k, _)| *k == key)
            .map(|(_, tok)| tok.decode(text))
    }
}

impl NetrcDocument {
    /// Parses a netrc. Fails only where the structure is ambiguous (an unclosed quote, a keyword
    /// with nothing after it); unknown tokens are kept, not rejected.
    pub fn parse(source: Vec<u8>) -> Result<Self, SyntaxError> {
        if u32::try_from(source.len()).is_err() {
            return Err(SyntaxError {
                line: 1,
                column: 1,
                message: "the file is larger than 4 GiB, which no netrc is",
            });
        }
        let mut partition = Partition::new(&source);
        let ends_in_open_macdef = scan(&source, false, |entry| partition.push(entry))?;
        let items = partition.finish();
        let crlf = source
            .iter()
            .position(|&b| b == b'\n')
            .is_some_and(|n| n > 0 && source[n - 1] == b'\r');
        Ok(NetrcDocument {
            source,
            items,
            crlf,
            ends_in_open_macdef,
            modified: false,
        })
    }

    /// The document's bytes: the original input if nothing was edited.
    pub fn render(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.rendered_len());
        self.write_to(&mut out)
            .expect("writing to a Vec cannot fail");
        out
    }

    /// The length of [`render`](Self::render)'s output, without building it.
    pub fn rendered_len(&self) -> usize {
        self.items
            .iter()
            .map(|item| self.item_bytes(item).len())
            .sum()
    }

    /// Writes the document's bytes, in as few writes as the edits allow: untouched stretches of
    /// the source go out as one slice each, so a large file is never copied in memory.
    pub fn write_to(&self, out: &mut impl Write) -> io::Result<()> {
        let mut pending: Option<Range<usize>> = None;
        for item in &self.items {
            match item {
                Item::Raw(Text::Source(start, end))
                | Item::Entry(Entry {
                    text: Text::Source(start, end),
                    ..
                }) => {
                    let (start, end) = (*start as usize, *end as usize);
                    pending = match pending {
                        Some(run) if run.end == start => Some(run.start..end),
                        Some(run) => {
                            out.write_all(&self.source[run])?;
                            Some(start..end)
                        }
                        None => Some(start..end),
                    };
                }
                Item::Raw(Text::Owned(bytes))
                | Item::Entry(Entry {
                    text: Text::Owned(bytes),
                    ..
                }) => {
                    if let Some(run) = pending.take() {
                        out.write_all(&self.source[run])?;
                    }
                    out.write_all(bytes)?;
                }
            }
        }
        if let Some(run) = pending {
            out.write_all(&self.source[run])?;
        }
        Ok(())
    }

    /// Whether an edit changed the bytes (setting a machine to the values it already has does
    /// not).
    pub fn is_modified(&self) -> bool {
        self.modified
    }

    /// The bytes the document was parsed from.
    pub fn source(&self) -> &[u8] {
        &self.source
    }

    /// Finds the entry for `machine` by exact name, or else reports the `default` entry.
    pub fn lookup(&self, machine: &str) -> Lookup<'_> {
        let mut default = None;
        for entry in self.entries() {
            match entry.name {
                Some(_) if self.is_named(entry, machine) => {
                    return Lookup::Machine(self.view(entry));
                }
                None if default.is_none() => default = Some(self.view(entry)),
                _ => {}
            }
        }
        default.map_or(Lookup::NotFound, Lookup::Default)
    }

    /// Every `machine` and `default` entry, in file order.
    pub fn entries_iter(&self) -> impl Iterator<Item = EntryView<'_>> {
        self.entries().map(|entry| self.view(entry))
    }

    /// Makes `machine` hold exactly this login and password.
    ///
    /// The first entry for the machine is rewritten in place (only its `login` and `password`
    /// values change; comments, `account` and layout stay) and any later duplicates are removed.
    /// A new entry goes before the `default` entry, which curl treats as the end of the file,
    /// or else at the end, always starting on a line of its own.
    pub fn set_machine(
        &mut self,
        machine: &str,
        login: &str,
        password: &Token,
    ) -> Result<(), InvalidValue> {
        validate_value(Field::Machine, machine)?;
        validate_value(Field::Login, login)?;
        validate_value(Field::Password, password.expose())?;

        let matches: Vec<usize> = self
            .items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| match item {
                Item::Entry(entry) if entry.name.is_some() && self.is_named(entry, machine) => {
                    Some(i)
                }
                _ => None,
            })
            .collect();
        match matches.split_first() {
            Some((&first, duplicates)) => {
                for &i in duplicates.iter().rev() {
                    self.items.remove(i);
                    self.modified = true;
                }
                let Item::Entry(entry) = &self.items[first] else {
                    unreachable!("matches holds entry indices")
                };
                let next_byte = self
                    .items
                    .get(first + 1)
                    .and_then(|item| self.item_bytes(item).first().copied());
                let rewritten = self.rewrite_entry(entry, next_byte, login, password.expose());
                if self.text(&rewritten.text) != self.text(&entry.text) {
                    self.modified = true;
                }
                self.items[first] = Item::Entry(rewritten);
            }
            None => {
                self.insert_entry(machine, login, password.expose());
                self.modified = true;
            }
        }
        Ok(())
    }

    /// Removes every entry for `machine` and returns how many there were.
    pub fn remove_machine(&mut self, machine: &str) -> usize {
        let before = self.items.len();
        let items = std::mem::take(&mut self.items);
        self.items = items
            .into_iter()
            .filter(|item| match item {
                Item::Entry(entry) => entry.name.is_none() || !self.is_named(entry, machine),
                Item::Raw(_) => true,
            })
            .collect();
        let removed = before - self.items.len();
        self.modified |= removed > 0;
        removed
    }

    fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.items.iter().filter_map(|item| match item {
            Item::Entry(entry) => Some(entry),
            Item::Raw(_) => None,
        })
    }

    fn view<'a>(&'a self, entry: &'a Entry) -> EntryView<'a> {
        EntryView {
            text: self.text(&entry.text),
            entry,
        }
    }

    fn is_named(&self, entry: &Entry, machine: &str) -> bool {
        entry
            .name
            .is_some_and(|tok| tok.decode(self.text(&entry.text)).as_ref() == machine.as_bytes())
    }

    fn text<'a>(&'a self, text: &'a Text) -> &'a [u8] {
        match text {
            Text::Source(start, end) => &self.source[*start as usize..*end as usize],
            Text::Owned(bytes) => bytes,
        }
    }

    fn item_bytes<'a>(&'a self, item: &'a Item) -> &'a [u8] {
        match item {
            Item::Raw(text) | Item::Entry(Entry { text, .. }) => self.text(text),
        }
    }

    fn newline(&self) -> &'static [u8] {
        if self.crlf { b"\r\n" } else { b"\n" }
    }

    /// The entry with its `login` and `password` values replaced (or added after the machine
    /// name when missing), every other byte kept. `next_byte` is the first byte after the entry.
    fn rewrite_entry(
        &self,
        entry: &Entry,
        next_byte: Option<u8>,
        login: &str,
        password: &str,
    ) -> Entry {
        let old = self.text(&entry.text);
        let name_end = entry.name.map_or(0, |tok| tok.range().end);
        let mut splices: Vec<(Range<usize>, Vec<u8>)> = Vec::new();
        let mut first_login_end = None;
        let mut has_password = false;
        for (key, tok) in entry_fields(old) {
            let value = match key {
                Key::Login => {
                    first_login_end.get_or_insert(tok.range().end);
                    login
                }
                // Replaced so that Python agrees, but it does not count as a login: curl and
                // Go only read `login`, which is added if missing.
                Key::User => login,
                Key::Password => {
                    has_password = true;
                    password
                }
                Key::Account => continue,
            };
            // Always a bare word, even where the old value was quoted: Go's `cmd/go` reader does
            // not understand quotes, and our values never need them.
            splices.push((tok.range(), value.as_bytes().to_vec()));
        }
        if first_login_end.is_none() {
            splices.push((name_end..name_end, [b" login ", login.as_bytes()].concat()));
        }
        if !has_password {
            let at = first_login_end.unwrap_or(name_end);
            splices.push((at..at, [b" password ", password.as_bytes()].concat()));
        }
        // Stable: two insertions at the same place keep the order they were pushed in.
        splices.sort_by_key(|(range, _)| range.start);

        let mut text = Vec::with_capacity(old.len() + login.len() + password.len() + 20);
        let mut at = 0;
        let mut splices = splices.into_iter().peekable();
        while let Some((range, replacement)) = splices.next() {
            text.extend_from_slice(&old[at..range.start]);
            text.extend_from_slice(&replacement);
            // A quoted token ends at its closing quote even when a token follows without a
            // separator (`"old"next`); a bare word in its place must not glue onto `next`.
            let last_here = splices.peek().is_none_or(|(r, _)| r.start != range.end);
            let following = old.get(range.end).copied().or(next_byte);
            if last_here && following.is_some_and(|b| !is_separator(b)) {
                text.push(b' ');
            }
            at = range.end;
        }
        text.extend_from_slice(&old[at..]);
        reparse_entry(text)
    }

    fn insert_entry(&mut self, machine: &str, login: &str, password: &str) {
        let nl = self.newline();
        let text = [
            b"machine ",
            machine.as_bytes(),
            nl,
            b"  login ",
            login.as_bytes(),
            nl,
            b"  password ",
            password.as_bytes(),
            nl,
        ]
        .concat();
        let at = self
            .items
            .iter()
            .position(|item| matches!(item, Item::Entry(Entry { name: None, .. })))
            .unwrap_or(self.items.len());
        let before = self.items[..at]
            .iter()
            .rev()
            .find_map(|item| self.item_bytes(item).last().copied());

        let mut prefix = Vec::new();
        if at == self.items.len() && self.ends_in_open_macdef {
            // Close the macro with an empty line, or the new entry would be part of its body.
            if before != Some(b'\n') {
                prefix.extend_from_slice(nl);
            }
            prefix.extend_from_slice(nl);
            self.ends_in_open_macdef = false;
        } else if before.is_some_and(|b| b != b'\n') {
            // Never glue the entry onto the previous token (Buf does, corrupting a password).
            prefix.extend_from_slice(nl);
        }

        let entry = Item::Entry(reparse_entry(text));
        if prefix.is_empty() {
            self.items.insert(at, entry);
        } else {
            self.items
                .splice(at..at, [Item::Raw(Text::Owned(prefix.into())), entry]);
        }
    }
}

/// Turns the text of one entry (built from validated values) back into an [`Entry`].
fn reparse_entry(text: Vec<u8>) -> Entry {
    let mut found = Vec::new();
    scan(&text, false, |entry| found.push(entry.name))
        .expect("an entry built from validated values lexes");
    assert!(
        found.len() == 1,
        "an edited entry must stay one entry, found {}",
        found.len()
    );
    Entry {
        text: Text::Owned(text.into()),
        name: found[0],
    }
}

/// The fields of the one entry in `text`, with spans relative to `text`.
fn entry_fields(text: &[u8]) -> Vec<(Key, Tok)> {
    let mut fields = Vec::new();
    // The text was lexed before as part of the whole file, so it lexes again.
    let _ = scan(text, true, |entry| {
        if fields.is_empty() {
            fields = entry.fields;
        }
    });
    fields
}

/// Finds the entries, handing each to `on_entry` as soon as it ends, and returns whether the
/// text ends inside an unclosed macro. Fields are collected only when `collect_fields` is set.
fn scan(
    src: &[u8],
    collect_fields: bool,
    mut on_entry: impl FnMut(ScannedEntry),
) -> Result<bool, SyntaxError> {
    let mut lexer = Lexer::new(src);
    let mut current: Option<ScannedEntry> = None;
    let mut ends_in_open_macdef = false;

    let required = |lexer: &mut Lexer<'_>, after: Tok, message| -> Result<Tok, SyntaxError> {
        lexer
            .next_token()?
            .ok_or_else(|| SyntaxError::at(src, after.range().start, message))
    };

    while let Some(tok) = lexer.next_token()? {
        let word = tok.decode(src);
        if word.first() == Some(&b'#') {
            lexer.skip_rest_of_line();
            continue;
        }
        match word.as_ref() {
            b"machine" => {
                let name = required(&mut lexer, tok, "'machine' is not followed by a name")?;
                if let Some(done) = current.replace(ScannedEntry {
                    first: tok.range().start,
                    last_end: name.range().end,
                    name: Some(name),
                    fields: Vec::new(),
                }) {
                    on_entry(done);
                }
            }
            b"default" => {
                if let Some(done) = current.replace(ScannedEntry {
                    first: tok.range().start,
                    last_end: tok.range().end,
                    name: None,
                    fields: Vec::new(),
                }) {
                    on_entry(done);
                }
            }
            b"macdef" => {
                required(&mut lexer, tok, "'macdef' is not followed by a name")?;
                ends_in_open_macdef = !lexer.skip_macdef_body();
                if let Some(done) = current.take() {
                    on_entry(done);
                }
            }
            // Python's reader takes `user` as a synonym for `login`; so do we, so that
            // replacing the login also replaces it.
            b"login" | b"user" | b"password" | b"account" => {
                let key = match word.as_ref() {
                    b"login" => Key::Login,
                    b"user" => Key::User,
                    b"password" => Key::Password,
                    _ => Key::Account,
                };
                let value = required(&mut lexer, tok, "this keyword is not followed by a value")?;
                if let Some(entry) = &mut current {
                    if collect_fields {
                        entry.fields.push((key, value));
                    }
                    entry.last_end = value.range().end;
                }
            }
            _ => {
                if let Some(entry) = &mut current {
                    entry.last_end = tok.range().end;
                }
            }
        }
    }
    if let Some(done) = current {
        on_entry(done);
    }
    Ok(ends_in_open_macdef)
}

/// Splits the text into entries and the raw gaps between them, one entry at a time.
///
/// An entry that has its lines to itself owns them whole (indentation, a trailing comment and
/// the line end), so removing it removes those lines. An entry that shares a line with another
/// owns only its own tokens and the separator after them.
struct Partition<'a> {
    src: &'a [u8],
    cursor: usize,
    items: Vec<Item>,
}

impl<'a> Partition<'a> {
    fn new(src: &'a [u8]) -> Self {
        Partition {
            src,
            cursor: 0,
            items: Vec::new(),
        }
    }

    fn push(&mut self, entry: ScannedEntry) {
        let src = self.src;
        let line = line_start(src, entry.first);
        let owns_line_start = line >= self.cursor
            && src[line..entry.first]
                .iter()
                .all(|&b| b == b' ' || b == b'\t');
        let start = if owns_line_start { line } else { entry.first };

        let mut j = entry.last_end;
        while j < src.len() && (src[j] == b' ' || src[j] == b'\t') {
            j += 1;
        }
        if src.get(j) == Some(&b'#') {
            j = line_end(src, j);
        }
        let end = match &src[j..] {
            [] => j,
            [b'\n', ..] if owns_line_start => j + 1,
            [b'\r', b'\n', ..] if owns_line_start => j + 2,
            [b'\n', ..] | [b'\r', b'\n', ..] => j,
            // Another token follows on the same line: it is not ours, the separator before it is.
            [b'\r', ..] => entry.last_end,
            _ => j,
        };

        if start > self.cursor {
            self.items.push(Item::Raw(span(self.cursor, start)));
        }
        self.items.push(Item::Entry(Entry {
            text: span(start, end),
            name: entry.name.map(|tok| tok.shifted(start)),
        }));
        self.cursor = end;
    }

    fn finish(mut self) -> Vec<Item> {
        if self.cursor < self.src.len() {
            self.items
                .push(Item::Raw(span(self.cursor, self.src.len())));
        }
        self.items
    }
}

fn span(start: usize, end: usize) -> Text {
    // `parse` refuses texts whose offsets do not fit.
    Text::Source(start as u32, end as u32)
}
