//! The differential check each reader model goes through: the model and the real reader read
//! the same files, and for every host named in a file (also in upper case), the BSR machines
//! and a host no file names, the model must hand out what the reader hands out.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use bsr::netrc::readers::{Creds, Model};

use crate::support::real_readers::answer_lines::Answers;

/// A real reader's `ask`: its answers for a batch of files and hosts.
pub type Ask = fn(&[Vec<u8>], &[Vec<u8>]) -> Option<Vec<Answers>>;

/// A real reader and its model.
pub struct Reader {
    pub model: Model,
    /// The real reader's answers for a batch, or `None` (a skip) where it is not installed.
    pub ask: Ask,
    /// The real reader's name and version, for a failure's message.
    pub version: fn() -> String,
}

/// Every file in tests/fixtures/netrc (the inputs and the expected results of edits), then the
/// hand-written files below.
pub fn fixtures() -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/netrc");
    let mut paths: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains(".netrc"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 30, "fixtures are missing");
    let mut files: Vec<Vec<u8>> = paths.iter().map(|p| fs::read(p).unwrap()).collect();
    files.extend(HANDWRITTEN.iter().map(|f| f.to_vec()));
    files
}

/// Text encodings and separators the generator does not make: invalid UTF-8 of each kind
/// (each reader either refuses it or decodes it with U+FFFD, and the models must agree on
/// which and how many), a byte-order mark, and whitespace that only some readers know.
const HANDWRITTEN: &[&[u8]] = &[
    b"machine a login l\xff password p\n",
    b"machine a login \xc3 password p\n",
    b"machine a login \xe2\x82 password p\nmachine b login m password q\n",
    b"machine a login \xed\xa0\x80x password p\n",
    b"machine a login \xc0\x80 password \xf4\x90\x80\x80\n",
    b"machine a login \xf0\x9f\x98 password p\n",
    b"machine \xff login l password p\n",
    b"\xef\xbb\xbfmachine a login l password p\n",
    b"machine a\xc2\xa0login l password p\n",
    b"machine a\x0blogin l\x0cpassword p\n",
    b"machine a login l password p\xe2\x80\xa8machine b login m password q\n",
    b"machine a\r\n  login l\r\n  password p\r\n",
    b"machine a\n\tlogin l\n\tpassword p # c\n",
    b"machine a login l password p\rmachine b login m password q\r",
    b"macdef m\n\tmachine x login y password z\n\nmachine a login l password p\n",
    b"machine a login l password p\nmacdef m \nmachine b login m password q\n",
    b"MACHINE a LOGIN l PASSWORD p\n",
    b"machine a login l password \"p q\" account c\n",
    // The quirks the models' own unit tests name, checked against every real reader.
    b"machine foo.com\nmachine buf.build login alice password tok\n",
    b"machine 127.0.0.1\npassword TOKEN\nmachine buf.build login alice password new\n",
    b"machine a password p\n# c\n",
    b"machine a password p \n# c\n",
    b"#c machine a login l password p\n",
    b"# machine a login l password p\n",
    b"machine a login u#x password p\n",
    b"machine a login\n#c\npassword p\n",
    b"machine a  login l password p\nmachine a login m password q\n",
    b"machine a\n  login l\npassword p\n  machine b login m password q\n",
    b"machine a password a\\ b\nmachine b password \"\" \"\"\nmachine c password c\n",
    b"default login d password e\nmachine m login l password q\n",
];

/// Generated files with what the shared generator leaves out and some readers take apart:
/// keywords in other cases, a lone quote, a backslash before a line end, vertical tab, form
/// feed, NBSP, `machine` inside a word, a bare CR, indented keywords, `user`, a `macdef` line
/// ending in a space; mixed with a few names and values. `PROPTEST_RNG_SEED` fixes it.
pub fn unusual(count: usize) -> Vec<Vec<u8>> {
    use proptest::prelude::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, RngSeed, TestRunner};

    let piece = prop_oneof![
        Just(&b"MACHINE"[..]),
        Just(&b"Login"[..]),
        Just(&b"PASSWORD"[..]),
        Just(&b"Default"[..]),
        Just(&b"machine"[..]),
        Just(&b"login"[..]),
        Just(&b"password"[..]),
        Just(&b"account"[..]),
        Just(&b"user"[..]),
        Just(&b"default"[..]),
        Just(&b"macdef m \n"[..]),
        Just(&b"\""[..]),
        Just(&b"a\\\n"[..]),
        Just(&b"\x0b"[..]),
        Just(&b"\x0c"[..]),
        Just(&b"\xc2\xa0"[..]),
        Just(&b"mymachine"[..]),
        Just(&b"\r"[..]),
        Just(&b"\r\n  "[..]),
        Just(&b"\n\t"[..]),
        Just(&b"#"[..]),
        Just(&b"# c"[..]),
        Just(&b"buf.build"[..]),
        Just(&b"a"[..]),
        Just(&b"p"[..]),
    ];
    let gap = prop_oneof![Just(&b" "[..]), Just(&b"\n"[..])];
    let text = prop::collection::vec((piece, gap), 0..30).prop_map(|pieces| {
        pieces
            .into_iter()
            .flat_map(|(piece, gap)| [piece, gap])
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
    let mut files: Vec<Vec<u8>> = (0..count)
        .map(|_| text.new_tree(&mut runner).expect("generate").current())
        .collect();
    // A strict reader (Python) may reject every generated file of a small batch, or hand
    // nothing out from those it takes; one file that every reader reads keeps the check that
    // the reader was asked at all from hinging on the seed.
    files.push(b"machine a login l password p\n".to_vec());
    files
}

/// The hosts to ask about in a batch: every word of any file (so every name a reader might
/// keep, whatever it takes for a name), every name the model kept (with the spaces or quotes
/// some readers keep in one), all of them in upper case too, the BSR machines and an absent
/// host.
fn hosts(reader: &Reader, files: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let mut hosts: BTreeSet<Vec<u8>> = BTreeSet::new();
    for file in files {
        let words = file.split(|b| b.is_ascii_whitespace());
        hosts.extend(words.filter(|w| !w.is_empty()).map(<[u8]>::to_vec));
        if let Ok(reads) = (reader.model.read)(file) {
            hosts.extend(reads.names().map(<[u8]>::to_vec));
        }
    }
    for host in [&b"buf.build"[..], b"go.buf.build", b"absent-host.example"] {
        hosts.insert(host.to_vec());
    }
    let upper: Vec<Vec<u8>> = hosts.iter().map(|h| h.to_ascii_uppercase()).collect();
    hosts.extend(upper);
    // A host name is text; one that is not UTF-8 cannot be asked of a reader that decodes.
    hosts
        .into_iter()
        .filter(|h| !h.is_empty() && std::str::from_utf8(h).is_ok())
        .collect()
}

/// Checks the model against the real reader on `files`. Returns how many files were checked
/// (0 when the reader is missing and the test was skipped).
pub fn check(reader: &Reader, files: &[Vec<u8>]) -> usize {
    let hosts = hosts(reader, files);
    let Some(real) = (reader.ask)(files, &hosts) else {
        return 0;
    };
    assert_eq!(real.len(), files.len());
    let mut accepted = 0;
    let mut handed_out = 0;
    for (file, real) in files.iter().zip(&real) {
        let model = (reader.model.read)(file);
        let disagreement = match (&model, real) {
            (Err(_), Err(_)) => None,
            (Ok(_), Err(_)) => Some("the reader rejects the file; the model accepts it".to_owned()),
            (Err(_), Ok(_)) => Some("the reader accepts the file; the model rejects it".to_owned()),
            (Ok(reads), Ok(answers)) => {
                accepted += 1;
                let mut wrong = String::new();
                for (host, answer) in hosts.iter().zip(answers) {
                    handed_out += usize::from(answer.is_some());
                    let modelled = reads.get(host);
                    if modelled != answer.as_ref() {
                        let _ = writeln!(
                            wrong,
                            "  host {}: reader {}, model {}",
                            host.escape_ascii(),
                            show(answer.as_ref()),
                            show(modelled)
                        );
                    }
                }
                (!wrong.is_empty()).then_some(wrong)
            }
        };
        if let Some(disagreement) = disagreement {
            panic!(
                "the {} model disagrees with {} on this file:\n---\n{}\n---\n{}",
                reader.model.name,
                (reader.version)(),
                file.escape_ascii(),
                disagreement
            );
        }
    }
    // A batch that the reader refuses whole, or where it hands nothing out, shows nothing.
    assert!(accepted > 0, "the reader rejected every file");
    assert!(handed_out > 0, "the reader handed out nothing");
    files.len()
}

/// Test credentials shown in full (they are made up), each field escaped.
fn show(creds: Option<&Creds>) -> String {
    let field = |v: &Option<Vec<u8>>| match v {
        None => "~".to_owned(),
        Some(v) => format!("{:?}", v.escape_ascii().to_string()),
    };
    match creds {
        None => "nothing".to_owned(),
        Some(c) => format!(
            "login {} password {} account {}",
            field(&c.login),
            field(&c.password),
            field(&c.account)
        ),
    }
}
