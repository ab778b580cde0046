//! What the agreement check assumes of every reader model over the plain stretches of a file
//! (`bsr::netrc::plain_stretches`), checked on generated files: the plain entries before a
//! fresh start are read as each is read alone, whatever follows; and once a model reads two
//! plain entries of the plain tail as it reads each alone, appended to what it read before
//! them, it reads the rest of the tail that way.
//! A counterexample here is a file on which windowed checking could be wrong.

use bsr::netrc::plain_stretches;
use bsr::netrc::readers::{Creds, MODELS, Model, Reads};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngSeed, TestRunner};

use super::generate::{cases, netrc_text};

/// A word of printable ASCII as the plain grammar takes it, sometimes a keyword in another case
/// or a byte it does not take, so that the scanner's edges are exercised too.
fn word() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        6 => prop::collection::vec(
            prop_oneof![
                8 => prop::sample::select(b"abcxyz019.-_@:/+=%~".to_vec()),
                1 => 0x21u8..=0x7e,
            ],
            1..6
        ),
        1 => prop::sample::select(vec![
            b"Machine".to_vec(),
            b"LOGIN".to_vec(),
            b"defaulT".to_vec(),
            b"macdef".to_vec(),
            b"user".to_vec(),
            b"port".to_vec(),
            b"buf.build".to_vec(),
            b"BUF.BUILD".to_vec(),
            b"#".to_vec(),
            b"xmachine".to_vec(),
            b"Machiney".to_vec(),
        ]),
    ]
}

fn value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => word(),
        1 => prop::collection::vec(word(), 1..3).prop_map(|words| {
            let mut quoted = b"\"".to_vec();
            quoted.extend(words.join(&b' '));
            quoted.push(b'"');
            quoted
        }),
    ]
}

/// Lines the plain grammar takes, and some it does not quite.
fn plain_line() -> impl Strategy<Value = Vec<u8>> {
    let eol = prop_oneof![Just(&b"\n"[..]), Just(&b"\r\n"[..])];
    let sep = prop_oneof![
        Just(&b" "[..]),
        Just(&b"\t"[..]),
        Just(&b"\n  "[..]),
        Just(&b"\r\n\t"[..]),
        Just(&b"\n"[..])
    ];
    let lead = prop_oneof![8 => Just(&b""[..]), 1 => Just(&b" "[..]), 1 => Just(&b"\t"[..])];
    let entry = (
        lead,
        value(),
        value(),
        value(),
        sep.clone(),
        sep,
        prop::option::of(prop::collection::vec(word(), 0..3)),
        eol.clone(),
    )
        .prop_map(|(lead, name, login, password, s1, s2, comment, eol)| {
            let mut line = [
                lead,
                &b"machine "[..],
                &name,
                s1,
                b"login ",
                &login,
                s2,
                b"password ",
                &password,
            ]
            .concat();
            if let Some(words) = comment {
                line.extend_from_slice(b" #");
                for word in words {
                    line.push(b' ');
                    line.extend(word);
                }
            }
            line.extend_from_slice(eol);
            line
        });
    let comment = (prop::collection::vec(word(), 0..4), eol.clone()).prop_map(|(words, eol)| {
        let mut line = b"#".to_vec();
        if words.len() == 3 {
            line.insert(0, b' ');
        }
        for word in words {
            line.push(b' ');
            line.extend(word);
        }
        line.extend_from_slice(eol);
        line
    });
    prop_oneof![
        6 => entry,
        1 => comment,
        1 => eol.prop_map(<[u8]>::to_vec),
    ]
}

fn plain_run() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(plain_line(), 0..6).prop_map(|lines| lines.concat())
}

fn runner() -> TestRunner {
    let mut config = Config::default();
    if let Some(seed) = std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
    {
        config.rng_seed = RngSeed::Fixed(seed);
    }
    TestRunner::new(config)
}

/// What `model` reads from each of `entries` alone, in order.
fn each(model: &Model, text: &[u8], entries: &[std::ops::Range<usize>]) -> Vec<(Vec<u8>, Creds)> {
    entries
        .iter()
        .flat_map(|e| {
            (model.read)(&text[e.clone()])
                .map(|r| r.machines)
                .unwrap_or_default()
        })
        .collect()
}

/// Whether two readings hand out the same for every name either holds, and the same `default`.
fn same(
    a: &Result<Reads, bsr::netrc::readers::Rejected>,
    b: &Result<Reads, bsr::netrc::readers::Rejected>,
) -> bool {
    match (a, b) {
        (Ok(a), Ok(b)) => {
            a.default == b.default
                && a.lookup == b.lookup
                && a.names()
                    .chain(b.names())
                    .all(|name| a.get(name) == b.get(name))
        }
        (a, b) => a.is_err() && b.is_err(),
    }
}

fn fail(model: &Model, what: &str, text: &[u8]) -> ! {
    panic!(
        "the {} model breaks the plain-stretch assumption ({what}) on:\n---\n{}\n---",
        model.name,
        text.escape_ascii()
    )
}

#[test]
fn plain_entries_before_a_fresh_start_read_as_alone() {
    let mut runner = runner();
    let strategy = (plain_run(), netrc_text());
    let mut checked = 0;
    for _ in 0..cases() * 3 {
        let (plain, rest) = strategy.new_tree(&mut runner).unwrap().current();
        let text = [&plain[..], b"machine ", &rest].concat();
        let (entries, fresh, _) = plain_stretches(&text);
        for &start in &fresh {
            let before: Vec<_> = entries.iter().filter(|e| e.end <= start).cloned().collect();
            for model in MODELS {
                let whole = (model.read)(&text);
                let from_fresh = (model.read)(&text[start..]);
                let composed = from_fresh.map(|r| Reads {
                    machines: [each(model, &text, &before), r.machines].concat(),
                    ..r
                });
                if !same(&whole, &composed) {
                    fail(model, &format!("fresh start at byte {start}"), &text);
                }
            }
            checked += 1;
        }
    }
    assert!(
        checked > cases(),
        "too few fresh starts were generated: {checked}"
    );
}

#[test]
fn the_plain_tail_reads_as_alone_once_an_entry_of_it_does() {
    let mut runner = runner();
    let strategy = (netrc_text(), plain_run());
    let mut synced = 0;
    for _ in 0..cases() * 3 {
        let (hostile, plain) = strategy.new_tree(&mut runner).unwrap().current();
        let text = [&hostile[..], b"\n", &plain].concat();
        let (entries, _, tail) = plain_stretches(&text);
        for i in (0..entries.len()).filter(|&i| entries[i].start >= tail) {
            // The check closes its window with two plain entries (one where only one is left).
            let closing = &entries[i..entries.len().min(i + 2)];
            let (start, end) = (closing[0].start, closing[closing.len() - 1].end);
            for model in MODELS {
                let alone: Option<Vec<(Vec<u8>, Creds)>> = closing
                    .iter()
                    .map(|e| {
                        let reads = (model.read)(&text[e.clone()]).ok()?;
                        if reads.default.is_some() || reads.machines.len() != 1 {
                            return None;
                        }
                        reads.machines.into_iter().next()
                    })
                    .collect();
                let Some(alone) = alone else { continue };
                let (Ok(head), Ok(open)) =
                    ((model.read)(&text[..end]), (model.read)(&text[..start]))
                else {
                    continue;
                };
                let closes = head.default == open.default
                    && head.machines == [open.machines.clone(), alone].concat();
                if !closes {
                    continue;
                }
                let composed = Reads {
                    machines: [
                        head.machines.clone(),
                        each(model, &text, &entries[i + closing.len()..]),
                    ]
                    .concat(),
                    ..head
                };
                if !same(&(model.read)(&text), &Ok(composed)) {
                    fail(model, &format!("closing entries at byte {start}"), &text);
                }
                synced += 1;
            }
        }
    }
    assert!(
        synced > cases(),
        "too few closing entries were generated: {synced}"
    );
}
