//! The lossless document: a netrc split into machine entries and the bytes between them.
//!
//! Like `toml_edit`, every piece remembers the exact text it came from. The file is partitioned
//! into items: entries (`machine …` or `default …`, together with the indentation and line end
//! of the lines they occupy alone) and raw gaps (blank lines, comments, macros, unknown tokens).
//! An edit replaces one entry's text with owned bytes; everything else is rendered from the
//! original buffer, so untouched bytes (CRLF, odd quoting, invalid UTF-8) come back unchanged.
//!
//! Where an edit may go is decided with the other readers in mind (`placement`): curl, Python
//! and Go read some files differently from us, and a new entry must stand where all of them see
//! it as an entry of its own.

use std::borrow::Cow;
use std::io::{self, Write};
use std::ops::Range;
use std::sync::Arc;

use super::agreement::{Before, Disagreement, Edited, Meant, Target, check};
use super::lexer::{is_separator, line_end, line_start};
use super::placement::{Layout, Placement, starts_cleanly};
use super::rewrite::{plain_account, residue, scan_entry, set_credentials};
use super::scan::{Key, ScannedEntry, is_keyword, scan};
use super::value::{Field, validate_value};
use super::{EditError, Refusal, SyntaxError};
use crate::secret::Token;

/// How many places before existing entries a new entry is tried at, when neither the rules'
/// place nor the entry's own passes the check; past them only the end is tried. Each try
/// costs the models a read of the window (of the whole file where it is not plain), so this
/// keeps a refusal on a large hostile file within seconds.
const MAX_FRESH_PLACES: usize = 64;

/// What each of `keys` (machines in lower case, edited in order) should read once the `i`th is
/// edited: the edited ones `meant`, the ones still to come anything.
fn targets<'a>(keys: &'a [String], i: usize, meant: Meant<'a>) -> Vec<Target<'a>> {
    keys.iter()
        .enumerate()
        .map(|(j, key)| Target {
            machine: key.as_bytes(),
            meant: if j <= i { meant } else { Meant::Later },
        })
        .collect()
}

/// One way to make an edit, for [`NetrcDocument::edit_checked`].
#[derive(Debug, Clone, Copy)]
enum Candidate {
    /// Nothing: the file as it is.
    Keep,
    /// What the rules (`placement`) choose.
    Rules,
    /// The same with LF line ends in a CRLF file.
    RulesLf,
    /// The entry rewritten where it stands; for a removal, taken out without the rules'
    /// refusal.
    InPlace,
    /// The same with LF line ends in the entry, in a CRLF file.
    InPlaceLf,
    /// A fresh entry before the `n`th remaining entry (`usize::MAX`: at the end).
    Fresh(usize),
    /// The same with LF line ends in a CRLF file.
    FreshLf(usize),
    /// A fresh entry as `Fresh`, the old entries' comments dropped.
    FreshBare(usize),
    /// For a removal: taken out with the comments on its lines.
    Bare,
}

/// What taking entries out leaves and refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TakeOut {
    /// Comments stay; refused where a keyword would gain a value (the rules).
    Strict,
    /// Comments stay; never refused.
    Lenient,
    /// Nothing stays.
    Bare,
}

/// A parsed netrc that can be edited without disturbing the bytes it does not change.
#[derive(Debug, Clone)]
pub struct NetrcDocument {
    /// Shared, so that the check can hold the text before an edit without copying it.
    source: Arc<Vec<u8>>,
    items: Vec<Item>,
    /// New lines are written with CRLF when the file already uses it.
    crlf: bool,
    /// The text ends inside a `macdef` body that no empty line closes, so anything appended
    /// would become part of the macro.
    ends_in_open_macdef: bool,
    /// An edit changed the bytes; an unmodified document renders as its source.
    modified: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Text {
    /// A span of the source, as `start..end`.
    Source(u32, u32),
    Owned(Box<[u8]>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Raw(Text),
    Entry(Entry),
}

/// One `machine` or `default` entry; the name's span is relative to the start of `text`.
/// Its fields are lexed again from `text` when they are needed (only for the one or two
/// entries a command looks at), which keeps a parsed 100,000-entry file small.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    text: Text,
    /// The machine name; `None` for the `default` entry.
    name: Option<super::lexer::Tok>,
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

    /// The `login` value (the last one if the entry repeats it, as Python reads it); empty
    /// where the keyword has no value.
    pub fn login(&self) -> Option<Cow<'a, [u8]>> {
        self.value(Key::Login).or_else(|| self.value(Key::User))
    }

    /// The `password` value, as a [`Token`] so it cannot be printed by accident. `None` when
    /// missing, empty or not UTF-8 (no BSR token is).
    pub fn password(&self) -> Option<Token> {
        let bytes = self.value(Key::Password)?;
        if bytes.is_empty() {
            return None;
        }
        String::from_utf8(bytes.into_owned()).ok().map(Token::new)
    }

    /// Whether the entry ends with a keyword that has no value: readers may take whatever
    /// follows the entry (even a comment, once the next entry is gone) as that value.
    pub fn awaits_value(&self) -> bool {
        ends_without_value(self.text)
    }

    /// The `account` value.
    pub fn account(&self) -> Option<Cow<'a, [u8]>> {
        self.value(Key::Account)
    }

    fn value(&self, key: Key) -> Option<Cow<'a, [u8]>> {
        let text = self.text;
        let entry = scan_entry(text)?;
        let field = entry.fields.into_iter().rev().find(|f| f.key == key)?;
        Some(
            field
                .value
                .map_or(Cow::Borrowed(&b""[..]), |tok| tok.decode(text)),
        )
    }
}

impl NetrcDocument {
    /// Parses a netrc. Fails only where the structure is ambiguous (an unclosed quote, a
    /// `machine` or `macdef` with nothing after it); unknown tokens are kept, not rejected, and
    /// a keyword without a value has an empty one.
    pub fn parse(source: Vec<u8>) -> Result<Self, SyntaxError> {
        if u32::try_from(source.len()).is_err() {
            return Err(SyntaxError {
                line: 1,
                column: 1,
                message: "the file is larger than 4 GiB, which no netrc is",
            });
        }
        let mut partition = Partition::new(&source);
        let report = scan(&source, false, |entry| {
            partition.push(entry);
            true
        })?;
        let items = partition.finish();
        let crlf = source
            .iter()
            .position(|&b| b == b'\n')
            .is_some_and(|n| n > 0 && source[n - 1] == b'\r');
        Ok(NetrcDocument {
            source: Arc::new(source),
            items,
            crlf,
            ends_in_open_macdef: report.ends_in_open_macdef,
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

    /// The 1-based line where `entry` begins in the file as it was read (`None` for an entry
    /// an edit wrote), for messages that point at it.
    pub fn line_of(&self, entry: &EntryView<'_>) -> Option<usize> {
        let Text::Source(start, _) = entry.entry.text else {
            return None;
        };
        let leading = entry.text.iter().take_while(|b| b.is_ascii_whitespace());
        let newlines = self.source[..start as usize]
            .iter()
            .chain(leading)
            .filter(|&&b| b == b'\n')
            .count();
        Some(1 + newlines)
    }

    /// Finds the entry for `machine` (host names compare ignoring ASCII case), or else reports
    /// the `default` entry.
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

    /// Where `entry`'s `machine` or `default` keyword starts in the source, for messages that
    /// name its line; `None` for an entry an edit wrote.
    pub fn entry_offset(&self, entry: &EntryView<'_>) -> Option<usize> {
        let Text::Source(start, _) = entry.entry.text else {
            return None;
        };
        let lead = entry.text.iter().take_while(|&&b| is_separator(b)).count();
        Some(start as usize + lead)
    }

    /// Every `machine` and `default` entry, in file order.
    pub fn entries_iter(&self) -> impl Iterator<Item = EntryView<'_>> {
        self.entries().map(|entry| self.view(entry))
    }

    /// Makes `machine` hold exactly one `login` and one `password` with these values, where
    /// every netrc reader (curl, Python, Go) sees them as that machine's.
    ///
    /// The first entry for the machine is rewritten where it stands (only its credentials
    /// change; comments, `account` and layout stay) and any later duplicates are removed,
    /// leaving their comments. Where readers would not see the entry where it stands (it comes
    /// after `default`, or after an entry they read differently, or itself holds something
    /// they read differently), it moves. A new or moved entry goes before the first place
    /// where the readers part ways, or else at the end, always on lines of its own.
    pub fn set_machine(
        &mut self,
        machine: &str,
        login: &str,
        password: &Token,
    ) -> Result<(), EditError> {
        self.set_machines(&[machine], login, password)
    }

    /// [`set_machine`](Self::set_machine) for several machines that belong together (a BSR
    /// domain's two): while one is edited, what the others read may change, as they are
    /// edited too; in the end all of them read as set. A refusal leaves the document as it was.
    pub fn set_machines(
        &mut self,
        machines: &[&str],
        login: &str,
        password: &Token,
    ) -> Result<(), EditError> {
        for machine in machines {
            validate_value(Field::Machine, machine)?;
        }
        validate_value(Field::Login, login)?;
        validate_value(Field::Password, password.expose())?;
        let retired = self.passwords_of(machines);
        let meant = Meant::Set {
            login: login.as_bytes(),
            password: password.expose().as_bytes(),
            retired: &retired,
        };
        let keys: Vec<String> = machines.iter().map(|m| m.to_ascii_lowercase()).collect();
        let saved = (self.items.clone(), self.modified, self.ends_in_open_macdef);
        // Nearly always the rules' choice for every machine passes: checked once, on the
        // whole edit.
        let all = targets(&keys, keys.len(), meant);
        let found: Vec<usize> = machines
            .iter()
            .filter_map(|m| self.matching(m).first().copied())
            .collect();
        let focus = self.span_of(&found);
        let rules = |doc: &mut Self| {
            machines
                .iter()
                .try_for_each(|m| doc.place_credentials(m, login, password.expose()))
        };
        if self.rules_pass(&saved.0, &all, focus, rules) {
            return Ok(());
        }
        (self.items, self.modified, self.ends_in_open_macdef) = saved.clone();
        for (i, machine) in machines.iter().enumerate() {
            let targets = targets(&keys, i, meant);
            let set = self.set_one(machine, login, password, &targets);
            if set.is_err() {
                (self.items, self.modified, self.ends_in_open_macdef) = saved;
                return set;
            }
        }
        Ok(())
    }

    fn set_one(
        &mut self,
        machine: &str,
        login: &str,
        password: &Token,
        targets: &[Target<'_>],
    ) -> Result<(), EditError> {
        self.edit_checked(machine, targets, |doc, candidate| match candidate {
            Candidate::Keep => Ok(()),
            Candidate::Rules | Candidate::RulesLf => {
                doc.place_credentials(machine, login, password.expose())
            }
            Candidate::InPlace => doc.rewrite_in_place(machine, login, password.expose()),
            Candidate::InPlaceLf => doc
                .rewrite_in_place(machine, login, password.expose())
                .map(|()| doc.entry_to_lf(machine)),
            Candidate::Fresh(n) | Candidate::FreshLf(n) => {
                doc.place_fresh(machine, login, password.expose(), n, TakeOut::Lenient)
            }
            Candidate::FreshBare(n) => {
                doc.place_fresh(machine, login, password.expose(), n, TakeOut::Bare)
            }
            Candidate::Bare => Err(EditError::Syntax(SyntaxError {
                line: 1,
                column: 1,
                message: "not a candidate for setting a machine",
            })),
        })
    }

    /// [`set_machine`](Self::set_machine) as the rules alone place it, without the reader
    /// models' check: what the engine did before the check, for the benchmark that holds the
    /// check's cost to SPEC's bound. Not for writing a file.
    #[doc(hidden)]
    pub fn set_machine_by_rules(
        &mut self,
        machine: &str,
        login: &str,
        password: &Token,
    ) -> Result<(), EditError> {
        self.place_credentials(machine, login, password.expose())
    }

    /// [`remove_machine`](Self::remove_machine) by the rules alone, as
    /// [`set_machine_by_rules`](Self::set_machine_by_rules).
    #[doc(hidden)]
    pub fn remove_machine_by_rules(&mut self, machine: &str) -> Result<usize, EditError> {
        let matches = self.matching(machine);
        self.take_out(&matches)?;
        Ok(matches.len())
    }

    /// Tries `apply`'s candidates in order, each on the document as it was, and keeps the
    /// first whose result every reader model reads as `meant` (`agreement`); where none does,
    /// the document stays as it was and the refusal names the reader that disagreed last.
    fn edit_checked(
        &mut self,
        machine: &str,
        targets: &[Target<'_>],
        mut apply: impl FnMut(&mut Self, Candidate) -> Result<(), EditError>,
    ) -> Result<(), EditError> {
        let text = self.render();
        let mut before = Before::new(&text);
        let focus = self.matching(machine).first().map(|&i| self.item_range(i));
        let saved = (self.items.clone(), self.modified, self.ends_in_open_macdef);
        let removal = targets
            .iter()
            .any(|t| matches!(t.meant, Meant::Gone { .. }));
        let candidates = self.candidates(machine, removal, targets);
        let refusal_at = self.refusal_point(&text, machine, &before);
        let crlf = self.crlf;
        let mut refusal: Option<EditError> = None;
        let mut rules_refusal: Option<EditError> = None;
        for candidate in candidates {
            // New lines in a CRLF file are tried with CRLF first, then with LF: npm's
            // netrc-parser reads a CR into the last value of a line, and cannot read an entry
            // over several CRLF lines.
            self.crlf = crlf && !matches!(candidate, Candidate::RulesLf | Candidate::FreshLf(_));
            let applied = apply(self, candidate);
            self.crlf = crlf;
            match applied {
                Ok(()) => {
                    let edited = self.edited_since(&saved.0);
                    let own = |name: Option<&[u8]>| self.own_entry(name);
                    match check(&mut before, &edited, targets, focus.clone(), &own) {
                        Ok(()) => return Ok(()),
                        Err(Disagreement { reader, differs }) => {
                            refusal = Some(EditError::Disagreement(Box::new(Refusal {
                                at: refusal_at.clone(),
                                machine: machine.to_owned(),
                                reader,
                                differs: differs.to_string(),
                            })));
                        }
                    }
                }
                // The rules' own refusal names the construct at fault, so it is the one shown
                // when nothing else passes either.
                Err(err) if matches!(candidate, Candidate::Rules) => rules_refusal = Some(err),
                Err(err) => {
                    refusal.get_or_insert(err);
                }
            }
            (self.items, self.modified, self.ends_in_open_macdef) = saved.clone();
        }
        Err(rules_refusal
            .or(refusal)
            .expect("there is always a candidate"))
    }

    /// The edits worth trying, in order: the rules' choice first (it nearly always passes),
    /// then the entry rewritten where it stands, then a fresh entry where it stood, at the end
    /// of the file and before each entry (up to [`MAX_FRESH_PLACES`] of them); for a removal,
    /// the entries taken out by the rules, then without the rules' refusal, then without their
    /// comments.
    fn candidates(&self, machine: &str, removal: bool, targets: &[Target<'_>]) -> Vec<Candidate> {
        if removal {
            return vec![Candidate::Rules, Candidate::InPlace, Candidate::Bare];
        }
        // After the rules' choice, a file that every reader already reads as meant is left as
        // it is (so a repeated login writes nothing even where the rules would move an entry).
        let mut candidates = vec![Candidate::Rules, Candidate::Keep];
        if self.crlf {
            candidates.push(Candidate::RulesLf);
        }
        let matches = self.matching(machine);
        if !matches.is_empty() {
            candidates.push(Candidate::InPlace);
            if self.crlf {
                candidates.push(Candidate::InPlaceLf);
            }
        }
        // After the entries are taken out, a new one goes where the first of them stood, else
        // at the end, else before any entry up to `default` (curl reads nothing after it).
        let entries_before = |i: usize| {
            self.items[..i]
                .iter()
                .filter(|item| matches!(item, Item::Entry(_)))
                .count()
        };
        let own = matches.first().map(|&i| entries_before(i));
        // Right after a machine set before it in the same edit (`go.buf.build` after
        // `buf.build`), where it has an entry.
        let sibling = targets
            .iter()
            .filter(|t| matches!(t.meant, Meant::Set { .. }))
            .filter_map(|t| std::str::from_utf8(t.machine).ok())
            .filter(|m| !m.eq_ignore_ascii_case(machine))
            .find_map(|m| self.matching(m).first().map(|&i| entries_before(i) + 1));
        let places = entries_before(self.items.len()).min(MAX_FRESH_PLACES);
        let mut tried = Vec::new();
        for n in own
            .into_iter()
            .chain(sibling)
            .chain([usize::MAX])
            .chain(0..places)
        {
            if tried.contains(&n) {
                continue;
            }
            tried.push(n);
            candidates.push(Candidate::Fresh(n));
            if self.crlf {
                candidates.push(Candidate::FreshLf(n));
            }
        }
        // Last, the old entries' comments go too, where a reader would read one left on its
        // own as words (Python and uv after a blank line), where it stood and at the end.
        if !matches.is_empty() {
            for n in own.into_iter().chain([usize::MAX]) {
                candidates.push(Candidate::FreshBare(n));
            }
        }
        candidates
    }

    /// Where a refusal points: the entry being edited, else the first line that is not plain
    /// (where readers may start to part ways), else the end of the file.
    fn refusal_point(&self, text: &[u8], machine: &str, before: &Before<'_>) -> SyntaxError {
        let at = self
            .matching(machine)
            .first()
            .map(|&i| self.item_range(i).start)
            .or_else(|| before.first_unplain())
            .unwrap_or(text.len());
        let at = at.min(text.len());
        let lead = text[at..].iter().take_while(|&&b| is_separator(b)).count();
        SyntaxError::at(text, (at + lead).min(text.len()), "")
    }

    /// The non-empty passwords of the entries for `machines`.
    fn passwords_of(&self, machines: &[&str]) -> Vec<Vec<u8>> {
        self.passwords_at(machines.iter().flat_map(|m| self.matching(m)))
    }

    /// The non-empty passwords of the entries at `indices`.
    fn passwords_at(&self, indices: impl Iterator<Item = usize>) -> Vec<Vec<u8>> {
        indices
            .filter_map(|i| match &self.items[i] {
                Item::Entry(entry) => self.view(entry).value(Key::Password),
                Item::Raw(_) => None,
            })
            .map(|p| p.into_owned())
            .filter(|p| !p.is_empty())
            .collect()
    }

    /// The text of the one entry named exactly `name` (the `default` entry for `None`), where
    /// the document holds exactly one.
    fn own_entry(&self, name: Option<&[u8]>) -> Option<Vec<u8>> {
        let mut found = self.entries().filter(|entry| match (entry.name, name) {
            (None, None) => true,
            (Some(tok), Some(name)) => tok.decode(self.text(&entry.text)).as_ref() == name,
            _ => false,
        });
        let entry = found.next()?;
        found
            .next()
            .is_none()
            .then(|| self.text(&entry.text).to_vec())
    }

    /// Item `i`'s text (an entry) with exactly one `login` and one `password` of these
    /// values; `None` where it would not stay one entry.
    fn credentials_set_in(&self, i: usize, login: &str, password: &str) -> Option<Vec<u8>> {
        let Item::Entry(entry) = &self.items[i] else {
            unreachable!("matches holds entry indices")
        };
        let next_byte = self
            .items
            .get(i + 1)
            .and_then(|item| self.item_bytes(item).first().copied());
        set_credentials(self.text(&entry.text), next_byte, login, password)
    }

    /// Whether item `i`'s bytes are `text`.
    fn is_text_of(&self, i: usize, text: &[u8]) -> bool {
        self.item_bytes(&self.items[i]) == text
    }

    /// The first entry for `machine` with LF for each of its CRLF line ends (only its own
    /// bytes): npm's netrc-parser reads a CR into the last value of a line.
    fn entry_to_lf(&mut self, machine: &str) {
        let Some(&i) = self.matching(machine).first() else {
            return;
        };
        let Item::Entry(entry) = &self.items[i] else {
            return;
        };
        let text = self.text(&entry.text);
        if !text.windows(2).any(|w| w == b"\r\n") {
            return;
        }
        let mut lf = Vec::with_capacity(text.len());
        for (j, &b) in text.iter().enumerate() {
            if !(b == b'\r' && text.get(j + 1) == Some(&b'\n')) {
                lf.push(b);
            }
        }
        self.items[i] = Item::Entry(reparse_entry(lf));
        self.modified = true;
    }

    /// The byte range of item `i` in the rendered document.
    fn item_range(&self, i: usize) -> Range<usize> {
        let start: usize = self.items[..i]
            .iter()
            .map(|item| self.item_bytes(item).len())
            .sum();
        start..start + self.item_bytes(&self.items[i]).len()
    }

    /// The first entry for `machine` rewritten where it stands (only its credentials change)
    /// and the others taken out, whatever the rules think of the place.
    fn rewrite_in_place(
        &mut self,
        machine: &str,
        login: &str,
        password: &str,
    ) -> Result<(), EditError> {
        let matches = self.matching(machine);
        let Some((&first, duplicates)) = matches.split_first() else {
            return Err(EditError::Syntax(SyntaxError {
                line: 1,
                column: 1,
                message: "no entry to rewrite",
            }));
        };
        let rewritten =
            self.credentials_set_in(first, login, password)
                .ok_or(EditError::Syntax(SyntaxError {
                    line: 1,
                    column: 1,
                    message: "the entry would not stay one entry",
                }))?;
        if !self.is_text_of(first, &rewritten) {
            self.items[first] = Item::Entry(reparse_entry(rewritten));
            self.modified = true;
        }
        self.take_out_with(duplicates, TakeOut::Lenient)
    }

    /// Every entry for `machine` taken out (comments stay) and a fresh one put before the
    /// `n`th entry that remains (at the end for `usize::MAX` or past the last).
    fn place_fresh(
        &mut self,
        machine: &str,
        login: &str,
        password: &str,
        n: usize,
        take_out: TakeOut,
    ) -> Result<(), EditError> {
        let matches = self.matching(machine);
        let account = matches.first().and_then(|&i| match &self.items[i] {
            Item::Entry(entry) => plain_account(self.text(&entry.text)),
            Item::Raw(_) => None,
        });
        self.take_out_with(&matches, take_out)?;
        // A bare take-out in a CRLF file writes LF, as the comments it drops leave no CRLF of
        // ours behind to match.
        if take_out == TakeOut::Bare {
            self.crlf = false;
        }
        let mut entries = self
            .items
            .iter()
            .enumerate()
            .filter(|(_, item)| matches!(item, Item::Entry(_)));
        let at = entries.nth(n).map_or(self.items.len(), |(i, _)| i);
        // Never after `default`: curl reads nothing after it.
        let after_default = self.items[..at]
            .iter()
            .any(|item| matches!(item, Item::Entry(Entry { name: None, .. })));
        if after_default {
            return Err(EditError::Syntax(SyntaxError {
                line: 1,
                column: 1,
                message: "after default",
            }));
        }
        // The partition puts an entry sharing a line with text before it right after that
        // text, so a new entry before it starts on a line of its own.
        self.insert_entry(at, machine, login, password, account.as_deref());
        Ok(())
    }

    fn place_credentials(
        &mut self,
        machine: &str,
        login: &str,
        password: &str,
    ) -> Result<(), EditError> {
        let matches = self.matching(machine);
        let Some((&first, duplicates)) = matches.split_first() else {
            let at = Placement::of(self.layout(), machine, None)?.insertion_point()?;
            self.insert_entry(at, machine, login, password, None);
            return Ok(());
        };

        let saved = (self.items.clone(), self.modified);
        let Item::Entry(entry) = &self.items[first] else {
            unreachable!("matches holds entry indices")
        };
        // `None`: the edit would not stay one entry (a removed field let a comment become a
        // value), so the entry moves instead; so does an entry whose name is in another case
        // (readers that compare names exactly would not find it).
        let same_name = entry
            .name
            .is_some_and(|tok| tok.decode(self.text(&entry.text)).as_ref() == machine.as_bytes());
        let rewritten = same_name
            .then(|| self.credentials_set_in(first, login, password))
            .flatten();
        if let Some(rewritten) = rewritten {
            if !self.is_text_of(first, &rewritten) {
                self.items[first] = Item::Entry(reparse_entry(rewritten));
                self.modified = true;
            }
            // After the rewrite, which has filled the first entry's empty fields. Anything
            // short of a clear yes (a refusal, text that no longer parses) means: move it.
            let kept = self.take_out(duplicates).is_ok()
                && Placement::of(self.layout(), machine, Some(first))
                    .is_ok_and(|p| p.keeps_in_place(first));
            if kept {
                return Ok(());
            }
        }

        // Readers would not all see the entry where it stands: take it out (its comments
        // stay) and write a fresh one where they do.
        (self.items, self.modified) = saved;
        let Item::Entry(entry) = &self.items[first] else {
            unreachable!("matches holds entry indices")
        };
        let account = plain_account(self.text(&entry.text));
        self.take_out(&matches)?;
        let at = Placement::of(self.layout(), machine, None)?.insertion_point()?;
        self.insert_entry(at, machine, login, password, account.as_deref());
        Ok(())
    }

    /// Removes every entry for `machine` (in any case) and returns how many there were.
    /// Comments on the removed entries' lines stay where every reader model still reads the
    /// file as before without them; where none of the ways to take the entries out passes that
    /// check, the document is unchanged and the refusal says which reader disagreed.
    pub fn remove_machine(&mut self, machine: &str) -> Result<usize, EditError> {
        self.remove_machines(&[machine])
    }

    /// [`remove_machine`](Self::remove_machine) for several machines that belong together,
    /// as [`set_machines`](Self::set_machines); returns how many entries went.
    pub fn remove_machines(&mut self, machines: &[&str]) -> Result<usize, EditError> {
        let found: Vec<Vec<usize>> = machines.iter().map(|m| self.matching(m)).collect();
        let count: usize = found.iter().map(Vec::len).sum();
        if count == 0 {
            return Ok(0);
        }
        // The passwords being removed, which no reader may still hand out afterwards.
        let removed = self.passwords_at(found.iter().flatten().copied());
        let keys: Vec<String> = machines.iter().map(|m| m.to_ascii_lowercase()).collect();
        let saved = (self.items.clone(), self.modified, self.ends_in_open_macdef);
        let all = targets(&keys, keys.len(), Meant::Gone { removed: &removed });
        let mut every: Vec<usize> = found.iter().flatten().copied().collect();
        every.sort_unstable();
        every.dedup();
        let focus = self.span_of(&every);
        if self.rules_pass(&saved.0, &all, focus, |doc| doc.take_out(&every)) {
            return Ok(count);
        }
        (self.items, self.modified, self.ends_in_open_macdef) = saved.clone();
        for (i, machine) in machines.iter().enumerate() {
            let matches = self.matching(machine);
            if matches.is_empty() {
                continue;
            }
            let targets = targets(&keys, i, Meant::Gone { removed: &removed });
            let taken = self.edit_checked(machine, &targets, |doc, candidate| match candidate {
                Candidate::Rules => doc.take_out_with(&matches, TakeOut::Strict),
                Candidate::InPlace => doc.take_out_with(&matches, TakeOut::Lenient),
                _ => doc.take_out_with(&matches, TakeOut::Bare),
            });
            if let Err(err) = taken {
                (self.items, self.modified, self.ends_in_open_macdef) = saved;
                return Err(err);
            }
        }
        Ok(count)
    }

    /// Applies `rule` to the document, which holds `saved`, and checks the result once against
    /// every reader model; `false` where the rule refuses or the check fails (the caller puts
    /// the document back).
    fn rules_pass(
        &mut self,
        saved: &[Item],
        targets: &[Target<'_>],
        focus: Option<Range<usize>>,
        rule: impl FnOnce(&mut Self) -> Result<(), EditError>,
    ) -> bool {
        // An unedited document's text is its source, shared rather than copied.
        let text = if self.modified {
            Arc::new(self.render())
        } else {
            Arc::clone(&self.source)
        };
        rule(self).is_ok() && {
            let edited = self.edited_since(saved);
            let mut before = Before::new(&text);
            let own = |name: Option<&[u8]>| self.own_entry(name);
            check(&mut before, &edited, targets, focus, &own).is_ok()
        }
    }

    /// What an edit changed since the document held `saved`: the stretch of its text then
    /// that the items which differ covered, and the bytes of the items that stand there now.
    fn edited_since(&self, saved: &[Item]) -> Edited {
        let shared = saved.len().min(self.items.len());
        let front = saved
            .iter()
            .zip(&self.items)
            .take_while(|(was, is)| was == is)
            .count();
        let back = saved[front..]
            .iter()
            .rev()
            .zip(self.items[front..].iter().rev())
            .take(shared - front)
            .take_while(|(was, is)| was == is)
            .count();
        let len =
            |items: &[Item]| -> usize { items.iter().map(|i| self.item_bytes(i).len()).sum() };
        let start = len(&saved[..front]);
        let replaced = start..start + len(&saved[front..saved.len() - back]);
        let mut with = Vec::new();
        for item in &self.items[front..self.items.len() - back] {
            with.extend_from_slice(self.item_bytes(item));
        }
        Edited { replaced, with }
    }

    /// The stretch of the rendered document from the first to the last of the items at
    /// `indices`: what a check looks at where no byte changes (a repeated login).
    fn span_of(&self, indices: &[usize]) -> Option<Range<usize>> {
        let (first, last) = (indices.iter().min()?, indices.iter().max()?);
        let mut start = 0;
        let mut offset = 0;
        for (i, item) in self.items.iter().enumerate().take(last + 1) {
            if i == *first {
                start = offset;
            }
            offset += self.item_bytes(item).len();
        }
        Some(start..offset)
    }

    /// The document as the placement analysis reads it.
    fn layout(&self) -> Layout {
        let mut starts = Vec::with_capacity(self.items.len());
        let mut clean_starts = Vec::with_capacity(self.items.len());
        let mut offset = 0;
        for item in &self.items {
            starts.push(offset);
            offset += self.item_bytes(item).len();
            clean_starts.push(match item {
                Item::Entry(_) => true,
                Item::Raw(_) => starts_cleanly(self.item_bytes(item)),
            });
        }
        Layout {
            text: self.render(),
            starts,
            clean_starts,
        }
    }

    /// The bytes of one item.
    fn item_bytes<'a>(&'a self, item: &'a Item) -> &'a [u8] {
        match item {
            Item::Raw(text) | Item::Entry(Entry { text, .. }) => self.text(text),
        }
    }

    /// Indices of the items that are entries for `machine`, in any case.
    fn matching(&self, machine: &str) -> Vec<usize> {
        self.items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| match item {
                Item::Entry(entry) if entry.name.is_some() && self.is_named(entry, machine) => {
                    Some(i)
                }
                _ => None,
            })
            .collect()
    }

    /// Takes out the entries at `indices` (ascending), leaving their comments (each with its
    /// line end) in their places. Refused where an entry follows a keyword that has no value
    /// and a comment or a word would come to follow that keyword instead: it would become the
    /// keyword's value, and a comment's words would become entries to Python.
    fn take_out(&mut self, indices: &[usize]) -> Result<(), EditError> {
        self.take_out_with(indices, TakeOut::Strict)
    }

    /// [`take_out`](Self::take_out), with or without its refusal and the comments it leaves.
    fn take_out_with(&mut self, indices: &[usize], how: TakeOut) -> Result<(), EditError> {
        let mut kept: Vec<Vec<u8>> = Vec::with_capacity(indices.len());
        for &i in indices {
            let Item::Entry(entry) = &self.items[i] else {
                unreachable!("only entries are taken out")
            };
            kept.push(match how {
                TakeOut::Bare => Vec::new(),
                TakeOut::Strict | TakeOut::Lenient => residue(self.text(&entry.text)),
            });
        }
        let gone = |j: usize| {
            indices
                .iter()
                .position(|&r| r == j)
                .is_some_and(|n| kept[n].is_empty())
        };
        for (n, &i) in indices.iter().enumerate() {
            if how != TakeOut::Strict {
                break;
            }
            let Some(dangling) = self.dangling_field_before(i, &gone) else {
                continue;
            };
            let next_is_a_word = !kept[n].is_empty()
                || (i + 1..self.items.len())
                    .filter(|&j| !gone(j))
                    .map(|j| self.item_bytes(&self.items[j]))
                    .find(|bytes| !bytes.iter().all(|&b| is_separator(b)))
                    .is_some_and(|bytes| !starts_with_keyword(bytes));
            if next_is_a_word {
                return Err(EditError::Entangled(dangling));
            }
        }
        for (&i, comments) in indices.iter().zip(kept).rev() {
            if comments.is_empty() {
                self.items.remove(i);
            } else {
                self.items[i] = Item::Raw(Text::Owned(comments.into()));
            }
        }
        self.modified |= !indices.is_empty();
        Ok(())
    }

    /// Where the keyword is, when the last token before item `i` (items for which `gone` holds
    /// left out) is a keyword waiting for its value.
    fn dangling_field_before(
        &self,
        i: usize,
        gone: &impl Fn(usize) -> bool,
    ) -> Option<SyntaxError> {
        let j = (0..i).rev().find(|&j| {
            !gone(j)
                && !self
                    .item_bytes(&self.items[j])
                    .iter()
                    .all(|&b| is_separator(b))
        })?;
        // A field keyword that ends the item has no value (an entry for a machine follows it),
        // whether it ends an entry or stands outside one.
        let keyword = scan(self.item_bytes(&self.items[j]), false, |_| true)
            .ok()?
            .dangling?;
        let offset: usize = self.items[..j]
            .iter()
            .map(|item| self.item_bytes(item).len())
            .sum();
        let rendered = self.render();
        Some(SyntaxError::at(
            &rendered,
            offset + keyword.range().start,
            "a keyword without a value right before the entry to be taken out",
        ))
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

    /// Whether `entry` is for `machine`: host names compare ignoring ASCII case.
    fn is_named(&self, entry: &Entry, machine: &str) -> bool {
        entry.name.is_some_and(|tok| {
            // A name's value is never longer than its text: most names are told apart by
            // length alone, without decoding them.
            tok.range().len() >= machine.len()
                && tok
                    .decode(self.text(&entry.text))
                    .eq_ignore_ascii_case(machine.as_bytes())
        })
    }

    fn text<'a>(&'a self, text: &'a Text) -> &'a [u8] {
        match text {
            Text::Source(start, end) => &self.source[*start as usize..*end as usize],
            Text::Owned(bytes) => bytes,
        }
    }

    fn newline(&self) -> &'static [u8] {
        if self.crlf { b"\r\n" } else { b"\n" }
    }

    /// Inserts a new entry before item `at` (or at the end), on lines of its own.
    fn insert_entry(
        &mut self,
        at: usize,
        machine: &str,
        login: &str,
        password: &str,
        account: Option<&[u8]>,
    ) {
        let nl = self.newline();
        let mut text = [
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
        if let Some(account) = account {
            text.extend_from_slice(&[b"  account ", account, nl].concat());
        }
        let before = self.items[..at]
            .iter()
            .rev()
            .find_map(|item| self.item_bytes(item).last().copied());

        let mut prefix = Vec::new();
        if at == self.items.len() && self.ends_in_open_macdef {
            // Close the macro with an empty line, or the new entry would be part of its body.
            // A bare `\n` even in a CRLF file: Go ends a macro only at an exactly empty line.
            if before != Some(b'\n') {
                prefix.extend_from_slice(nl);
            }
            prefix.push(b'\n');
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
        self.modified = true;
    }
}

/// Whether `bytes` begin (after white space) with a netrc keyword, which never becomes a value.
fn starts_with_keyword(bytes: &[u8]) -> bool {
    match super::lexer::Lexer::new(bytes).next_token() {
        Ok(Some(tok)) => is_keyword(bytes, tok),
        _ => true,
    }
}

/// Whether an entry's last field is a keyword with no value.
fn ends_without_value(text: &[u8]) -> bool {
    scan_entry(text).is_some_and(|entry| {
        entry
            .fields
            .last()
            .is_some_and(|f| f.value.is_none() && f.end() == entry.last_end)
    })
}

/// Turns the text of one entry (built from validated values) back into an [`Entry`].
fn reparse_entry(text: Vec<u8>) -> Entry {
    let mut found = Vec::new();
    scan(&text, false, |entry: ScannedEntry| {
        found.push(entry.name);
        true
    })
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
