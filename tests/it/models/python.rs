//! Python's `netrc` module against its model (`bsr::netrc::readers::python`).

use bsr::netrc::readers::python;

use super::against_real::{self, Reader};
use super::generate;
use crate::support::real_readers::python as real;

const READER: Reader = Reader {
    model: python::MODEL,
    ask: real::ask,
    version: real::version,
};

/// The quirks the model's doc names, which the generator seldom or never builds: comments
/// after a line end or spelt `\#`, CR line ends, macros that end on their own line or at a
/// line of spaces, `""` ending the file before text that is not UTF-8, a byte-order mark.
const QUIRKS: &[&[u8]] = &[
    b"machine a password p\n# c\n",
    b"machine a password p \n# c\n",
    b"# c\nmachine a password p\n",
    b"\n# c\nmachine a password p\n",
    b"#\nmachine a password p\n",
    b"#c x\n",
    b"machine a password p \\#x login u\nmachine b password \"#q\" login v\n",
    b"machine a password \"p\\\"\nq\" login a\\ b\n",
    b"machine a password \\",
    b"machine a password \"\\",
    b"machine a password \"open\nmachine b password q\n",
    b"macdef m\r\nbody\r\n\r\nmachine a login u\rpassword \"p\rq\"\r#c\r",
    b"macdef m\nbody\n \nmachine a password p\n",
    b"macdef m\nbody\n",
    b"macdef m \nmachine a password p\n",
    b"macdef \"m\"\nmachine a password p\n",
    b"macdef\n\nm\nbody\n\nmachine a password p\n",
    b"machine a password 1\nmachine a password 2\nmachine default password d\n",
    b"machine a password p \"\" \xf0\x9f",
    b"machine a password p \xf0\x9f",
    b"machine a password p\n\"\" \xff",
    b"machine a user u account c password p\n",
    b"machine a password p\x0blogin u\n",
    b"machine a\x0cpassword p\n",
    b"machine \"\" password p\n",
    b"machine\n",
    b"default\n",
];

/// `count` files of keywords, each followed by a value or a character the lexer treats apart,
/// sometimes glued to it: quotes and backslashes next to line ends, CRs, `#`, bytes that are
/// not UTF-8.
/// `PROPTEST_RNG_SEED` fixes it.
fn glued(count: usize) -> Vec<Vec<u8>> {
    use proptest::prelude::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, RngSeed, TestRunner};

    let keyword = prop_oneof![
        3 => Just(&b"machine"[..]),
        2 => Just(&b"login"[..]),
        2 => Just(&b"password"[..]),
        1 => Just(&b"account"[..]),
        1 => Just(&b"user"[..]),
        1 => Just(&b"default"[..]),
        1 => Just(&b"macdef"[..]),
        1 => Just(&b"#"[..]),
    ];
    let value = prop_oneof![
        4 => Just(&b"a"[..]),
        2 => Just(&b"p"[..]),
        1 => Just(&b"#"[..]),
        1 => Just(&b"#c"[..]),
        1 => Just(&b"\""[..]),
        1 => Just(&b"\"\""[..]),
        1 => Just(&b"\\"[..]),
        1 => Just(&b"\x0b"[..]),
        1 => Just(&b"\xc3\xa9"[..]),
        1 => prop_oneof![
            Just(&b"\xc3"[..]),
            Just(&b"\xff"[..]),
            Just(&b"\xed\xa0"[..]),
        ],
        1 => Just(&b""[..]),
    ];
    let gap = || {
        prop_oneof![
            1 => Just(&b""[..]),
            5 => Just(&b" "[..]),
            3 => Just(&b"\n"[..]),
            1 => Just(&b"\t"[..]),
            1 => Just(&b"\r"[..]),
            1 => Just(&b"\r\n"[..]),
            1 => Just(&b"\n\n"[..]),
        ]
    };
    let text = prop::collection::vec((keyword, gap(), value, gap()), 0..16).prop_map(|pieces| {
        // Most files start an entry first: a stray word before one refuses the whole file.
        let start: &[u8] = if pieces.len() % 4 == 0 {
            b""
        } else {
            b"machine "
        };
        let words = pieces
            .into_iter()
            .flat_map(|(keyword, gap, value, after)| [keyword, gap, value, after]);
        std::iter::once(start)
            .chain(words)
            .flatten()
            .copied()
            .collect::<Vec<u8>>()
    });
    let mut config = Config::default();
    if let Some(seed) = std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
    {
        config.rng_seed = RngSeed::Fixed(seed);
    }
    let mut runner = TestRunner::new(config);
    (0..count)
        .map(|_| text.new_tree(&mut runner).expect("generate").current())
        .collect()
}

#[test]
fn python_model_reads_the_fixtures_as_python_does() {
    against_real::check(&READER, &against_real::fixtures());
}

/// With the probes the other readers' tests share (NUL, a byte right after a closing quote, …).
#[test]
fn python_model_reads_its_quirks_as_python_does() {
    let files: Vec<Vec<u8>> = QUIRKS
        .iter()
        .chain(crate::support::real_readers::PROBES)
        .map(|f| f.to_vec())
        .collect();
    against_real::check(&READER, &files);
}

/// Python decodes 8 KiB at a time and stops reading at `""`: text that is not UTF-8 refuses
/// the file only in a chunk the reader got to.
#[test]
fn python_model_decodes_as_far_as_python_reads() {
    let mut files = Vec::new();
    for end in [8189, 8190, 8191, 8192, 16383, 16384] {
        for bad in [&b"\xff"[..], b"\xe2\x82", b"\xed\xa0\x80", b"\xf0\x9f\x98"] {
            for at in [8190, 8191, 8192, 8193, 16383, 16384] {
                let mut file = b"machine a password p\n".to_vec();
                file.resize(end - 2, b' ');
                file.extend(b"\"\"");
                if at < file.len() {
                    continue;
                }
                file.resize(at, b' ');
                file.extend(bad);
                files.push(file.clone());
                file.extend(b" x\n");
                files.push(file);
            }
        }
    }
    against_real::check(&READER, &files);
}

#[test]
fn python_model_reads_generated_files_as_python_does() {
    against_real::check(&READER, &generate::batch(generate::cases()));
}

#[test]
fn python_model_reads_unusual_files_as_python_does() {
    against_real::check(&READER, &against_real::unusual(generate::cases()));
}

#[test]
fn python_model_reads_glued_files_as_python_does() {
    against_real::check(&READER, &glued(generate::cases()));
}
