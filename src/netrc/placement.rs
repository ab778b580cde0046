//! Where an entry may stand so that every mainstream reader (curl, Python's `netrc`, Go) sees
//! it as an entry of its own with the values we wrote.
//!
//! Readers agree on most files but part ways at some constructs: curl stops at `default`; a
//! `#`-leading value is a comment to curl and a value to Python; after a keyword without a value
//! curl takes the next word, even `machine`, as that value; NUL ends curl's line; Go reads
//! comments and quotes as plain fields, never ends a macro at a `\r` line, and stops at a
//! leftover `default`. From the first such place on, what follows may belong to something else
//! in some reader, so nothing of ours goes after it: a new entry is placed before it (before
//! the entry that holds it), and an existing entry after it is moved there.

use super::go_reader::{self, GoEntry};
use super::lexer::{Lexer, line_end};
use super::scan::{Key, Risk, ScannedEntry, scan};
use super::{EditError, SyntaxError};

/// The readers' agreement over one state of a document.
pub(super) struct Placement {
    /// The rendered text the analysis was made on.
    text: Vec<u8>,
    /// Where each item starts in `text`.
    starts: Vec<usize>,
    /// Per item: whether it begins with an entry or a macro (or nothing), so that what follows
    /// a new entry put before it is never a stray field.
    clean_starts: Vec<bool>,
    /// Our macro bodies, for asking Go about a prefix of `text`.
    macro_bodies: Vec<std::ops::Range<usize>>,
    /// The first place readers part ways: the item it is in, and what it is.
    barrier: Option<(usize, Risk)>,
    /// The first entry for our machine that only Go sees: the item it is in, and where.
    phantom: Option<(usize, Risk)>,
    /// Per item: an entry that every reader reads exactly as we do, with one `login` and one
    /// `password`.
    clean: Vec<bool>,
}

impl Placement {
    /// The analysis of `doc` for setting `machine`. It reads only as far as it must: to the
    /// first place readers part ways, or, when `keep` names the item of an entry that may stay,
    /// to the end of that entry.
    pub(super) fn of(
        layout: Layout,
        machine: &str,
        keep: Option<usize>,
    ) -> Result<Placement, EditError> {
        let Layout {
            text,
            starts,
            clean_starts,
        } = layout;
        let offset = text.len();
        let enough_after =
            keep.map_or(usize::MAX, |i| starts.get(i + 1).copied().unwrap_or(offset));
        let mut entries: Vec<ScannedEntry> = Vec::new();
        let mut limit = text.len();
        let report = scan(&text, true, |entry| {
            let go_on = entry.risk.is_none() && entry.first < enough_after;
            if entry.first >= enough_after {
                limit = entry.first;
            } else {
                if entry.risk.is_some() {
                    limit = entry.first;
                }
                entries.push(entry);
            }
            go_on
        })?;
        // Go reads on to the end of the line where we stopped, so that a macro it alone is in
        // at that line shows.
        let go_limit = (line_end(&text, limit) + 1).min(text.len());
        let go = go_reader::read(&text[..go_limit], &report.macro_bodies);

        // A place at the very end (Go in a macro there) lies past every item: it keeps new
        // entries from the end of the file, but no existing entry from staying.
        let item_at = |at: usize| {
            if at >= text.len() {
                starts.len()
            } else {
                starts.partition_point(|&s| s <= at).saturating_sub(1)
            }
        };
        let mut first_risk: Option<Risk> = None;
        let mut note = |risk: Risk| {
            if first_risk.is_none_or(|r| risk.at < r.at) {
                first_risk = Some(risk);
            }
        };
        if go_limit == text.len() && go.in_macro_at_end && !report.ends_in_open_macdef {
            note(Risk {
                at: text.len(),
                why: "the end of a macro that Go never ends, so Go would not see an entry added here",
            });
        }
        if let Some(at) = go.diverges_at {
            note(Risk {
                at,
                why: "a line Go reads differently (a macro it does not end, or a leftover 'default')",
            });
        }
        // An entry only Go sees matters where it names our machine and comes before ours: Go
        // takes the first match.
        // Both lists are in file order, so lookups bisect.
        let our_names: Vec<usize> = entries
            .iter()
            .filter_map(|e| e.name.map(|n| n.range().start))
            .collect();
        let phantom = go
            .entries
            .iter()
            .filter(|g| {
                text[g.machine.clone()] == *machine.as_bytes()
                    && our_names.binary_search(&g.machine.start).is_err()
            })
            .map(|g| g.machine.start)
            .min();
        let mut go_entries: Vec<&GoEntry> = go.entries.iter().collect();
        go_entries.sort_unstable_by_key(|g| g.machine.start);
        let mut clean = vec![false; starts.len()];
        for entry in &entries {
            if let Some(risk) = entry.risk {
                // Nothing goes after the entry, so the barrier is where the entry starts.
                note(Risk {
                    at: entry.first,
                    why: risk.why,
                });
            } else if go_agrees(entry, &go_entries) {
                clean[item_at(entry.first)] = true;
            }
        }
        let barrier = first_risk.map(|risk| (item_at(risk.at), risk));
        let phantom = phantom.map(|at| {
            let risk = Risk {
                at,
                why: "a machine entry that only Go sees (in a comment or a quoted value)",
            };
            (item_at(at), risk)
        });
        Ok(Placement {
            text,
            starts,
            clean_starts,
            macro_bodies: report.macro_bodies,
            barrier,
            phantom,
            clean,
        })
    }

    /// Whether the entry at item `i` may stay where it is: every reader reads it as ours, and
    /// it comes before the first place where readers part ways.
    pub(super) fn keeps_in_place(&self, i: usize) -> bool {
        self.clean[i]
            && self.barrier.is_none_or(|(b, _)| i < b)
            && self.phantom.is_none_or(|(_, p)| self.starts[i] < p.at)
    }

    /// The item before which a new entry goes: the last place before the barrier where the
    /// next thing is an entry or a macro (never a stray field, which curl would give to the new
    /// entry), or the end of the file when readers agree throughout.
    pub(super) fn insertion_point(&self) -> Result<usize, EditError> {
        let first = match (self.barrier, self.phantom) {
            (Some(b), Some(p)) => Some(if p.1.at < b.1.at { p } else { b }),
            (b, p) => b.or(p),
        };
        let Some((barrier, risk)) = first else {
            return Ok(self.starts.len());
        };
        if self.starts.is_empty() {
            return Ok(0);
        }
        (0..=barrier.min(self.starts.len().saturating_sub(1)))
            .rev()
            .find(|&i| {
                // Go must be reading normally where the new lines begin: after the text before
                // the item, whose last line a new entry ends.
                self.clean_starts[i] && {
                    let go = go_reader::read(&self.text[..self.starts[i]], &self.macro_bodies);
                    !go.in_macro_at_end && go.diverges_at.is_none()
                }
            })
            .ok_or_else(|| {
                let at = risk.at.min(self.text.len());
                EditError::NoSafePlace(SyntaxError::at(&self.text, at, risk.why))
            })
    }
}

/// A document as the analysis needs it: its text, where each item starts, and which items begin
/// cleanly (with an entry or a macro, or hold no token).
pub(super) struct Layout {
    pub text: Vec<u8>,
    pub starts: Vec<usize>,
    pub clean_starts: Vec<bool>,
}

/// Whether a raw gap starts (after comments) with a macro or holds no token at all.
pub(super) fn starts_cleanly(bytes: &[u8]) -> bool {
    let mut lexer = Lexer::new(bytes);
    loop {
        match lexer.next_token() {
            Ok(Some(tok)) if bytes[tok.range()].starts_with(b"#") => lexer.skip_rest_of_line(),
            Ok(Some(tok)) => return &bytes[tok.range()] == b"macdef",
            Ok(None) => return true,
            Err(_) => return false,
        }
    }
}

/// Whether Go reads `entry` as one entry with our login and password: exactly one `login` and
/// one `password`, both with values, at the spans Go takes them from.
fn go_agrees(entry: &ScannedEntry, go: &[&GoEntry]) -> bool {
    let (Some(name), false) = (entry.name, entry.fields.iter().any(|f| f.key == Key::User)) else {
        return false;
    };
    let single = |key: Key| {
        let mut fields = entry.fields.iter().filter(|f| f.key == key);
        match (fields.next(), fields.next()) {
            (Some(field), None) => field.value,
            _ => None,
        }
    };
    let (Some(login), Some(password)) = (single(Key::Login), single(Key::Password)) else {
        return false;
    };
    // Go keeps the quotes of a quoted word as part of it.
    if name.quoted || login.quoted || password.quoted {
        return false;
    }
    let wanted = GoEntry {
        machine: name.range(),
        login: login.range(),
        password: password.range(),
    };
    let from = go.partition_point(|g| g.machine.start < wanted.machine.start);
    go[from..]
        .iter()
        .take_while(|g| g.machine.start == wanted.machine.start)
        .any(|g| **g == wanted)
}
