//! The authority on every edit: before anything is written, each reader model (`readers`) reads
//! the file before and after the edit, and the edit stands only where every model that accepted
//! the file before still accepts it, reads every other machine (and `default`) as before, and
//! reads ours as meant: with the new login and password, or not at all. A reader that misread
//! a machine before may read it as its own entry says instead, and one that read an old BSR
//! password for it may read anything but a BSR token; a reader that refused the file before
//! and takes it after must read ours as meant and give our token to no other host.
//!
//! Reading a large file ten times per edit would cost more than the edit itself, so each model
//! reads only a window around the bytes that changed (SPEC's linear-time target). The window
//! starts where the file before it is plain (`plain`): every reader is known to read those
//! entries as it reads each alone and to start afresh at the `machine` line that follows. It
//! ends with the first two plain entries of the plain tail that follow the change; where a
//! model reads the window as the window without them plus each as read alone, it reads the
//! rest of the tail the same way too. The entries outside the window matter only through their
//! names (the first or last of a name wins), so those that share a name with one the window
//! holds are read alone and put in their places. Where a model does not read the closing
//! entries that way, or rejects a window that they close, it reads both whole files instead.

use std::collections::HashMap;
use std::ops::Range;

use super::plain::{self, PlainMap};
use super::readers::{Creds, MODELS, Model, Reads, Rejected};

/// The text of a machine's own entry (`None`: the `default` entry) in the edited file.
pub(super) type OwnEntry<'a> = dyn Fn(Option<&[u8]>) -> Option<Vec<u8>> + 'a;

/// What a model hands out for a machine reading only its own entry.
type AsWritten<'a> = dyn Fn(Option<&[u8]>) -> Option<Option<Creds>> + 'a;

/// How many bytes `a` and `b` share at their start, compared a block at a time (a 1 MB file's
/// bytes are compared twice per edit).
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 256;
    let len = a.len().min(b.len());
    let mut at = 0;
    while at + BLOCK <= len && a[at..at + BLOCK] == b[at..at + BLOCK] {
        at += BLOCK;
    }
    at + a[at..len]
        .iter()
        .zip(&b[at..len])
        .take_while(|(x, y)| x == y)
        .count()
}

/// How many bytes `a` and `b` share at their end.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 256;
    let len = a.len().min(b.len());
    let (a, b) = (&a[a.len() - len..], &b[b.len() - len..]);
    let mut shared = 0;
    while shared + BLOCK <= len
        && a[len - shared - BLOCK..len - shared] == b[len - shared - BLOCK..len - shared]
    {
        shared += BLOCK;
    }
    shared
        + a[..len - shared]
            .iter()
            .rev()
            .zip(b[..len - shared].iter().rev())
            .take_while(|(x, y)| x == y)
            .count()
}

/// A model's readings of a window before and after the edit.
type Pair = (Result<Reads, Rejected>, Result<Reads, Rejected>);

/// An edit, as the stretch of the file before that it replaced and the bytes that stand there
/// after it: the file after is never built whole unless a model must read all of it.
pub(super) struct Edited {
    pub replaced: Range<usize>,
    pub with: Vec<u8>,
}

impl Edited {
    /// The edit with the bytes it leaves as they were at either end of the stretch taken off,
    /// so that the stretch starts at the first byte that differs and ends after the last.
    fn narrowed(&self, old: &[u8]) -> Edited {
        let r = &self.replaced;
        let prefix = common_prefix(&old[r.clone()], &self.with);
        let suffix = common_suffix(&old[r.start + prefix..r.end], &self.with[prefix..]);
        Edited {
            replaced: r.start + prefix..r.end - suffix,
            with: self.with[prefix..self.with.len() - suffix].to_vec(),
        }
    }

    /// The bytes of the file after the edit that stand where `old[range]` stood; `range`
    /// holds the replaced stretch.
    fn text(&self, old: &[u8], range: Range<usize>) -> Vec<u8> {
        let r = &self.replaced;
        debug_assert!(range.start <= r.start && r.end <= range.end);
        [
            &old[range.start..r.start],
            &self.with,
            &old[r.end..range.end],
        ]
        .concat()
    }

    /// The whole file after the edit.
    fn whole(&self, old: &[u8]) -> Vec<u8> {
        self.text(old, 0..old.len())
    }
}

/// A machine of ours (its name in lower case) and what the edit means it to read as.
#[derive(Clone, Copy)]
pub(super) struct Target<'a> {
    pub machine: &'a [u8],
    pub meant: Meant<'a>,
}

/// What the edit means a machine of ours to read as.
#[derive(Clone, Copy)]
pub(super) enum Meant<'a> {
    /// The machine hands out this login and password; `retired` are the passwords our
    /// entries held before.
    Set {
        login: &'a [u8],
        password: &'a [u8],
        retired: &'a [Vec<u8>],
    },
    /// No entry of ours names the machine: a reader may still read something for it (a
    /// `machine` line inside a macro, which only Buf reads, is no entry to remove), but never
    /// a removed password or another machine's.
    Gone { removed: &'a [Vec<u8>] },
    /// The machine is edited next, so what it reads now does not matter.
    Later,
}

/// What one model should read for a machine of ours after the edit.
#[derive(Clone)]
enum Expected<'a> {
    /// What the model reads from a lone entry with the new values: readers hand out different
    /// parts of an entry (Buf only the password, Ruby a lone password as the login).
    Creds(Option<Creds>, &'a [Vec<u8>]),
    Gone(&'a [Vec<u8>]),
    Later,
}

impl<'a> Meant<'a> {
    fn as_read_by(self, model: &Model, machine: &[u8]) -> Expected<'a> {
        match self {
            Meant::Gone { removed } => Expected::Gone(removed),
            Meant::Later => Expected::Later,
            Meant::Set {
                login,
                password,
                retired,
            } => {
                let entry = [
                    &b"machine "[..],
                    machine,
                    b" login ",
                    login,
                    b" password ",
                    password,
                    b"\n",
                ]
                .concat();
                let creds = (model.read)(&entry)
                    .ok()
                    .and_then(|reads| reads.machines.into_iter().next())
                    .map(|(_, creds)| creds);
                Expected::Creds(creds, retired)
            }
        }
    }
}

/// The first reader that would read the edited file differently, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Disagreement {
    /// The reader's name, as SPEC lists it.
    pub reader: &'static str,
    pub differs: Differs,
}

/// The file as it was before the edit, with what is worth computing once for every candidate
/// edit of it.
pub(super) struct Before<'a> {
    text: &'a [u8],
    plain: PlainMap,
    /// Each model's reading of the whole file, read only when a window does not do.
    whole: Vec<Option<Result<Reads, Rejected>>>,
}

impl<'a> Before<'a> {
    pub fn new(text: &'a [u8]) -> Self {
        Before {
            text,
            plain: plain::scan(text),
            whole: vec![None; MODELS.len()],
        }
    }

    /// The start of the first line of the file that is not plain.
    pub fn first_unplain(&self) -> Option<usize> {
        self.plain.first_unplain
    }

    fn whole(&mut self, i: usize) -> &Result<Reads, Rejected> {
        let text = self.text;
        self.whole[i].get_or_insert_with(|| (MODELS[i].read)(text))
    }
}

/// Checks `edited`, an edit of `before` for `machine` (its name in lower case), against every
/// model. `focus` is a stretch of `before` to look at even where no byte changed (the entry a
/// repeated login leaves as it was).
pub(super) fn check(
    before: &mut Before<'_>,
    edited: &Edited,
    targets: &[Target<'_>],
    focus: Option<Range<usize>>,
    own: &OwnEntry,
) -> Result<(), Disagreement> {
    let old = before.text;
    let edited = edited.narrowed(old);
    let window = Window::of(before, &edited, focus);
    let window_after = edited.text(old, window.start..window.end_before);
    // The models' readings of the two windows; `None` where the model reads the whole files.
    let mut windows: Vec<Option<Pair>> = Vec::with_capacity(MODELS.len());
    for model in MODELS {
        windows.push(window.read(model, old, &window_after));
    }
    // The names the windows hold, which entries outside them may share.
    let mut names: Vec<Vec<u8>> = targets.iter().map(|t| t.machine.to_vec()).collect();
    for (reads_before, reads_after) in windows.iter().flatten() {
        for reads in [reads_before, reads_after].into_iter().flatten() {
            for name in reads.names() {
                let bare = plain::unquoted(name).to_ascii_lowercase();
                if !names.contains(&bare) {
                    names.push(bare);
                }
            }
        }
    }
    let outside = window.outside(old, &before.plain, &names);
    // Built only for a model that must read the whole file after the edit.
    let mut whole_after: Option<Vec<u8>> = None;

    for (i, model) in MODELS.iter().enumerate() {
        let verdict = match &windows[i] {
            Some((reads_before, reads_after)) => {
                let around = |reads: &Result<Reads, Rejected>| match reads {
                    Ok(reads) => Ok(outside.around(model, reads)),
                    Err(rejected) => Err(*rejected),
                };
                agrees(
                    &around(reads_before),
                    &around(reads_after),
                    &expected(model, targets),
                    &|name| as_written(model, own, name),
                )
            }
            None => {
                let after = whole_after.get_or_insert_with(|| edited.whole(old));
                let reads_after = (model.read)(after);
                agrees(
                    before.whole(i),
                    &reads_after,
                    &expected(model, targets),
                    &|name| as_written(model, own, name),
                )
            }
        };
        if let Err(differs) = verdict {
            return Err(Disagreement {
                reader: model.name,
                differs,
            });
        }
    }
    Ok(())
}

/// What `model` should read for each of our machines.
fn expected<'a>(model: &Model, targets: &[Target<'a>]) -> Vec<(&'a [u8], Expected<'a>)> {
    targets
        .iter()
        .map(|t| (t.machine, t.meant.as_read_by(model, t.machine)))
        .collect()
}

/// What `model` hands out for `name` (`None`: the default entry) reading only that machine's
/// own entry as the file holds it after the edit; `None` where the file has no one entry for it.
fn as_written(model: &Model, own: &OwnEntry, name: Option<&[u8]>) -> Option<Option<Creds>> {
    let text = own(name)?;
    let reads = (model.read)(&text).ok()?;
    Some(match name {
        None => reads.default,
        Some(name) => Index::of(&reads).hands_out(name).cloned(),
    })
}

/// Whether a model reads the edit as meant, given its readings of the file before and after;
/// if not, what it would read differently.
///
/// Another machine (or `default`) reads as before, or else, where the reader misread it before
/// (a BSR entry took its name or lent it fields, or `default` counted only in some places), as
/// its own entry alone reads: what the user wrote for it, never a BSR token.
fn agrees(
    before: &Result<Reads, Rejected>,
    after: &Result<Reads, Rejected>,
    ours: &[(&[u8], Expected<'_>)],
    as_written: &AsWritten,
) -> Result<(), Differs> {
    let Ok(after) = after else {
        return if before.is_ok() {
            Err(Differs::Refuses)
        } else {
            Ok(())
        };
    };
    let Ok(before) = before else {
        // A reader that refused the file before has no other machine's reading to lose, but
        // one that reads it now must read ours as meant and hand our token to no other host.
        return ours_as_meant(
            after,
            &Reads {
                machines: Vec::new(),
                ..after.clone()
            },
            ours,
        )
        .and_then(|()| token_stays_home(after, ours));
    };
    // Our passwords, before and after: a machine that read one of the old ones before read
    // a BSR entry, and may read anything after but one of ours.
    let retired: Vec<&Vec<u8>> = ours
        .iter()
        .flat_map(|(_, e)| match e {
            Expected::Gone(r) | Expected::Creds(_, r) => r.iter().collect(),
            Expected::Later => Vec::new(),
        })
        .collect();
    let holds = |c: Option<&Creds>, any: &dyn Fn(&Vec<u8>) -> bool| {
        c.and_then(|c| c.password.as_ref()).is_some_and(any)
    };
    let held_ours = |c: Option<&Creds>| holds(c, &|p| retired.contains(&p));
    let holds_ours_now = |c: Option<&Creds>| {
        held_ours(c)
            || holds(c, &|p| {
                ours.iter().any(|(_, e)| {
                    matches!(e, Expected::Creds(Some(w), _) if w.password.as_ref() == Some(p))
                })
            })
    };
    let repaired = |old: Option<&Creds>, new: Option<&Creds>, name: Option<&[u8]>| {
        (held_ours(old) && !holds_ours_now(new))
            || as_written(name)
                .is_some_and(|written| old != written.as_ref() && new == written.as_ref())
    };
    if before.default != after.default
        && !repaired(before.default.as_ref(), after.default.as_ref(), None)
    {
        return Err(Differs::Default);
    }
    let is_ours = |name: &[u8]| ours.iter().any(|(m, _)| name.eq_ignore_ascii_case(m));
    let (old, new) = (Index::of(before), Index::of(after));
    // Every other machine either reader names, that a client could ask for, hands out what it
    // did. Names of our machine in another case are the entries being replaced or removed.
    let mut others = before
        .names()
        .chain(after.names())
        .filter(|n| !is_ours(n) && askable(n));
    let differs = |name: &&[u8]| {
        let (was, is) = (old.hands_out(name), new.hands_out(name));
        was != is && !repaired(was, is, Some(name))
    };
    if let Some(name) = others.find(differs) {
        return Err(Differs::Machine(name.to_vec()));
    }
    ours_as_meant(after, before, ours)
}

/// Whether each of our machines reads as meant in `after` (`before`: the reading before the
/// edit, for what a removal may leave).
fn ours_as_meant(
    after: &Reads,
    before: &Reads,
    ours: &[(&[u8], Expected<'_>)],
) -> Result<(), Differs> {
    let is_ours = |name: &[u8]| ours.iter().any(|(m, _)| name.eq_ignore_ascii_case(m));
    let new = Index::of(after);
    for (machine, expected) in ours {
        let found = new.get(machine);
        let as_meant = match (expected, found) {
            (Expected::Later, _) | (Expected::Gone(_), None) => true,
            // What a reader still reads for the machine is none of ours (an entry inside a
            // macro that only Buf reads, say), as long as it holds neither a removed password
            // nor another machine's.
            (Expected::Gone(removed), Some(creds)) => creds.password.as_ref().is_none_or(|p| {
                !removed.contains(p)
                    && !before
                        .machines
                        .iter()
                        .any(|(name, c)| !is_ours(name) && c.password.as_ref() == Some(p))
            }),
            (Expected::Creds(Some(wanted), _), Some(creds)) => {
                creds.login == wanted.login && creds.password == wanted.password
            }
            // A reader that does not read even a lone entry for the machine (curl keeps no
            // `host:port` name) is never asked for it.
            (Expected::Creds(None, _), _) => true,
            (Expected::Creds(..), None) => false,
        };
        if !as_meant {
            return Err(Differs::Ours(machine.to_vec()));
        }
    }
    Ok(())
}

/// Whether no machine but ours (and no `default`) hands out the password we set.
fn token_stays_home(after: &Reads, ours: &[(&[u8], Expected<'_>)]) -> Result<(), Differs> {
    let is_ours = |name: &[u8]| ours.iter().any(|(m, _)| name.eq_ignore_ascii_case(m));
    let ours_password = |p: &Vec<u8>| {
        ours.iter().any(
            |(_, e)| matches!(e, Expected::Creds(Some(c), _) if c.password.as_ref() == Some(p)),
        )
    };
    let leaks = |c: &Creds| c.password.as_ref().is_some_and(ours_password);
    if after.default.as_ref().is_some_and(leaks) {
        return Err(Differs::Default);
    }
    match after
        .machines
        .iter()
        .find(|(name, c)| !is_ours(name) && leaks(c))
    {
        Some((name, _)) => Err(Differs::Machine(name.clone())),
        None => Ok(()),
    }
}

/// What a reader would read differently after an edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Differs {
    /// It would refuse the file.
    Refuses,
    /// It would hand out another `default` (to every host without an entry).
    Default,
    /// It would hand out something else for this machine.
    Machine(Vec<u8>),
    /// It would not read this machine of ours as meant.
    Ours(Vec<u8>),
}

impl std::fmt::Display for Differs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Differs::Refuses => f.write_str("would refuse the file"),
            Differs::Default => f.write_str("would read the default entry differently"),
            Differs::Machine(name) => {
                write!(f, "would read {} differently", name.escape_ascii())
            }
            Differs::Ours(name) => write!(f, "would not read {} as meant", name.escape_ascii()),
        }
    }
}

/// Whether a client could ask a reader for `name`: a URL's host holds no white space, quote,
/// `#`, `/`, `?`, `@` or backslash, so a name with one (Go keeps the quotes of `"b"`) is never
/// looked up, whatever it reads as.
fn askable(name: &[u8]) -> bool {
    !name.is_empty()
        && name
            .iter()
            .all(|&b| b > b' ' && b != 0x7f && !b"\"#/?@\\'`<>{}|^".contains(&b))
}

/// A reading's machines by name, as its reader looks them up.
struct Index<'r> {
    reads: &'r Reads,
    by_name: HashMap<Vec<u8>, &'r Creds>,
}

impl<'r> Index<'r> {
    fn of(reads: &'r Reads) -> Self {
        let mut by_name = HashMap::with_capacity(reads.machines.len());
        for (name, creds) in &reads.machines {
            let key = reads.key(name);
            if reads.lookup.last_wins {
                by_name.insert(key, creds);
            } else {
                by_name.entry(key).or_insert(creds);
            }
        }
        Index { reads, by_name }
    }

    /// The machine entry the reader hands out for `name`, not counting `default`.
    fn get(&self, name: &[u8]) -> Option<&'r Creds> {
        self.by_name.get(&self.reads.key(name)).copied()
    }

    /// What the reader hands out for `name`, `default` included; an entry with no field at
    /// all hands out nothing, as no entry does.
    fn hands_out(&self, name: &[u8]) -> Option<&'r Creds> {
        self.get(name)
            .or(self.reads.default.as_ref())
            .filter(|c| c.login.is_some() || c.password.is_some() || c.account.is_some())
    }
}

impl Reads {
    fn key(&self, name: &[u8]) -> Vec<u8> {
        if self.lookup.ignore_case {
            name.to_ascii_lowercase()
        } else {
            name.to_vec()
        }
    }
}

/// Where the models read: `before[start..end_before]` and what stands there after the edit,
/// and the plain entries that close both, when there are any.
struct Window {
    start: usize,
    end_before: usize,
    /// The closing plain entries (the first two of the plain tail after the change, or the
    /// one there is), all they span, in `before`.
    closing: Option<Range<usize>>,
    closing_entries: Vec<Range<usize>>,
}

impl Window {
    fn of(before: &Before<'_>, edited: &Edited, focus: Option<Range<usize>>) -> Window {
        let old = before.text;
        // The changed bytes, in `before`: `changed.start` is the first byte that differs, and
        // from `changed.end` on both files are the same.
        let mut changed = edited.replaced.clone();
        if let Some(focus) = focus {
            changed = changed.start.min(focus.start)..changed.end.max(focus.end);
        }
        // The window starts at a line every reader starts afresh at, which begins with
        // `machine` and a name in both files.
        let fresh = &before.plain.fresh;
        let shared = |f: usize| plain::fresh_len(&old[f..]).is_some_and(|n| f + n <= changed.start);
        let start = fresh[..fresh.partition_point(|&f| f < changed.start)]
            .iter()
            .rev()
            .copied()
            .find(|&f| shared(f))
            .unwrap_or(0);
        // The closing entry lies in the plain tail, past the changed bytes and the line end
        // before it, so that it starts a line in both files.
        let entries = &before.plain.entries;
        let from = changed.end.max(before.plain.tail);
        let first = entries.partition_point(|e| e.span.start <= from);
        let closing_entries: Vec<Range<usize>> = entries[first..]
            .iter()
            .take(2)
            .filter(|e| e.span.start > changed.end)
            .map(|e| e.span.clone())
            .collect();
        let closing = match closing_entries.as_slice() {
            [] => None,
            [one] => Some(one.clone()),
            [one, .., last] => Some(one.start..last.end),
        };
        let end_before = closing.as_ref().map_or(old.len(), |c| c.end);
        Window {
            start,
            end_before,
            closing,
            closing_entries,
        }
    }

    /// `model`'s readings of the window before and after (`after`: the window's text after
    /// the edit), or `None` where it must read the whole files.
    fn read(&self, model: &Model, old: &[u8], after: &[u8]) -> Option<Pair> {
        let before = &old[self.start..self.end_before];
        let reads_before = (model.read)(before);
        let reads_after = (model.read)(after);
        let Some(closing) = &self.closing else {
            // The window runs to the end of the file: all that stands before it is read as it
            // reads alone, a refusal included.
            return Some((reads_before, reads_after));
        };
        // Each closing entry as read alone: one machine, no `default`.
        let mut alone = Vec::with_capacity(2);
        for entry in &self.closing_entries {
            let reads = (model.read)(&old[entry.clone()]).ok()?;
            let [machine] = <[_; 1]>::try_from(reads.machines).ok()?;
            if reads.default.is_some() {
                return None;
            }
            alone.push(machine);
        }
        // The window read with its closing entries is the window read without them, then the
        // entries as read alone: they are read on their own, nothing before reached into them,
        // and no field of theirs is held over (JGit, storing an entry only when a field comes
        // twice, can be one password behind through any number of entries; the second
        // closing entry shows it).
        let closes = |text: &[u8], reads: &Result<Reads, Rejected>| {
            let Ok(reads) = reads else { return false };
            let Ok(open) = (model.read)(&text[..text.len() - closing.len()]) else {
                return false;
            };
            reads.default == open.default
                && reads.machines.len() == open.machines.len() + alone.len()
                && reads.machines[..open.machines.len()] == open.machines[..]
                && reads.machines[open.machines.len()..] == alone[..]
        };
        let ok = closes(before, &reads_before) && closes(after, &reads_after);
        ok.then_some((reads_before, reads_after))
    }

    /// The plain entries outside the window whose names, without quotes and in lower case,
    /// are among `names`.
    fn outside<'t>(&self, text: &'t [u8], plain: &PlainMap, names: &[Vec<u8>]) -> Outside<'t> {
        // Every plain entry's name is asked about: a few of its bytes tell nearly all of them
        // apart before the rest are compared.
        let keys: Vec<(usize, u64)> = names.iter().map(|n| plain::name_key(n)).collect();
        let wanted = |name: &Range<usize>| {
            let bare = plain::unquoted(&text[name.clone()]);
            let bare_key = plain::name_key(bare);
            keys.iter()
                .zip(names)
                .any(|(k, n)| *k == bare_key && n.eq_ignore_ascii_case(bare))
        };
        let before_end = plain.entries.partition_point(|e| e.span.end <= self.start);
        let after_start = self.closing.as_ref().map_or(plain.entries.len(), |c| {
            plain.entries.partition_point(|e| e.span.start < c.end)
        });
        let pick = |range: &[plain::PlainEntry]| -> Vec<&'t [u8]> {
            range
                .iter()
                .filter(|e| wanted(&e.name))
                .map(|e| &text[e.span.clone()])
                .collect()
        };
        Outside {
            before: pick(&plain.entries[..before_end]),
            after: if self.closing.is_some() {
                pick(&plain.entries[after_start..])
            } else {
                Vec::new()
            },
        }
    }
}

/// Entries outside the window that matter to the names in it: their texts, in file order.
struct Outside<'t> {
    before: Vec<&'t [u8]>,
    after: Vec<&'t [u8]>,
}

impl Outside<'_> {
    /// A reading of the window with these entries around it, each as the model reads it alone.
    fn around(&self, model: &Model, window: &Reads) -> Reads {
        if self.before.is_empty() && self.after.is_empty() {
            return window.clone();
        }
        let alone = |text: &&[u8]| {
            (model.read)(text)
                .ok()
                .map(|r| r.machines)
                .unwrap_or_default()
        };
        let mut machines: Vec<(Vec<u8>, Creds)> = self.before.iter().flat_map(alone).collect();
        machines.extend(window.machines.iter().cloned());
        machines.extend(self.after.iter().flat_map(alone));
        Reads {
            machines,
            default: window.default.clone(),
            lookup: window.lookup,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{common_prefix, common_suffix};

    #[test]
    fn shared_ends_are_found_across_blocks() {
        let a: Vec<u8> = (0..2000u32).map(|i| (i % 251) as u8).collect();
        for at in [0, 1, 255, 256, 257, 1000, 1999] {
            let mut b = a.clone();
            b[at] ^= 0xff;
            assert_eq!(common_prefix(&a, &b), at);
            assert_eq!(common_suffix(&a, &b), a.len() - at - 1);
        }
        assert_eq!(common_prefix(&a, &a[..700]), 700);
        assert_eq!(common_suffix(&a, &a[1300..]), 700);
        assert_eq!(common_prefix(b"", b"x"), 0);
    }
}
