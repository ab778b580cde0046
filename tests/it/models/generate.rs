//! Netrc files for differential tests: the shapes readers part ways on, glued in any order.
//!
//! Real readers are slow to start (a JVM, a Ruby interpreter), so a differential test should
//! hand one reader process many files at once; [`batch`] gives a fixed-size list of them.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};

/// Netrc-shaped text: keywords, names, values, comments and separators in any order, with the
/// constructs readers disagree on (values that start with `#`, keywords without values,
/// backslashes, quotes, macros, `default` in mid-file, names in other cases, CRLF, no final
/// newline).
pub fn netrc_text() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        8 => prop_oneof![
            Just(&b"machine"[..]),
            Just(&b"default"[..]),
            Just(&b"login"[..]),
            Just(&b"password"[..]),
            Just(&b"account"[..]),
            Just(&b"macdef"[..]),
        ],
        6 => prop_oneof![
            Just(&b"buf.build"[..]),
            Just(&b"go.buf.build"[..]),
            Just(&b"BUF.Build"[..]),
            Just(&b"example.com"[..]),
            Just(&b"127.0.0.1"[..]),
            Just(&b"host:8080"[..]),
            Just(&b"x"[..]),
            Just(&b"alice"[..]),
            Just(&b"s3cret"[..]),
        ],
        5 => prop_oneof![
            Just(&b" "[..]),
            Just(&b"  "[..]),
            Just(&b"\t"[..]),
            Just(&b"\n"[..]),
            Just(&b"\r\n"[..]),
            Just(&b"\n\n"[..]),
            Just(&b"\n  "[..]),
        ],
        3 => prop_oneof![
            Just(&b"#"[..]),
            Just(&b"# a comment"[..]),
            Just(&b"#glued"[..]),
            Just(&b"\"quoted \\\" value\""[..]),
            Just(&b"\"q u\""[..]),
            Just(&b"\"\""[..]),
            Just(&b"a\\"[..]),
            Just(&b"a\\ b"[..]),
            Just(&b"\\#x"[..]),
            Just(&b"caf\xc3\xa9"[..]),
            Just(&b"user"[..]),
            Just(&b"port"[..]),
        ],
        3 => prop_oneof![
            Just(&b"machine example.com login u password p\n"[..]),
            Just(&b"machine buf.build login o password p\n"[..]),
            Just(&b"default login d password d\n"[..]),
            Just(&b"macdef init\ncd /pub\n\n"[..]),
            Just(&b"macdef m\nmachine evil login e password e\n"[..]),
            Just(&b"machine foo.com\n"[..]),
            Just(&b"machine m\n  login l # comment\n"[..]),
            Just(&b"machine 127.0.0.1\npassword TOKEN\n"[..]),
        ],
    ];
    prop::collection::vec(piece, 0..40).prop_map(|pieces| {
        let mut text: Vec<u8> = Vec::new();
        for piece in pieces {
            let separated = text.is_empty()
                || matches!(text.last(), Some(b' ' | b'\t' | b'\n'))
                || matches!(piece[0], b' ' | b'\t' | b'\n' | b'\r');
            if !separated {
                text.push(b' ');
            }
            text.extend_from_slice(piece);
        }
        text
    })
}

/// `count` generated files from a fixed seed (`PROPTEST_RNG_SEED` when set), for one batch run
/// of a real reader.
pub fn batch(count: usize) -> Vec<Vec<u8>> {
    let mut config = Config::default();
    if let Some(seed) = std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
    {
        config.rng_seed = proptest::test_runner::RngSeed::Fixed(seed);
    }
    let mut runner = TestRunner::new(config);
    let strategy = netrc_text();
    (0..count)
        .map(|_| strategy.new_tree(&mut runner).expect("generate").current())
        .collect()
}

/// How many generated files a differential test runs: 300, 3,000 under `BSR_TEST_DEEP=1`,
/// or `BSR_MODEL_CASES`.
pub fn cases() -> usize {
    if let Some(n) = std::env::var("BSR_MODEL_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        return n;
    }
    if std::env::var_os("BSR_TEST_DEEP").is_some() {
        3000
    } else {
        300
    }
}
