//! The real netrc readers the models in `bsr::netrc::readers` are checked against, each asked
//! in as few processes as it allows what it hands out for each host, for many files at once.
//!
//! Each harness exposes `ask(files, hosts)`, `hosts[i]` being the hosts to ask about for
//! `files[i]` (see [`hosts_for`]): per file, the reader's rejection or what it hands out for
//! each of its hosts (`None` where it sends nothing), or `None` as a whole (a skip) where the
//! reader is not installed. A reader that cannot show every field is compared through the
//! `project` function next to its harness. [`compare`] is the differential check itself.

pub mod answer_lines;
pub mod buf;
pub mod curl;
pub mod go;
pub mod jgit;
pub mod netrc_parser;
pub mod perl;
pub mod python;
pub mod ruby;
pub mod uv;
pub mod wget;

use std::fs;
use std::path::Path;

use base64::Engine as _;
use bsr::netrc::readers::{Creds, Reads, Rejected};

/// Per file: the reader's rejection, or what it hands out for each host asked.
pub type Answers = Vec<Result<Vec<Option<Creds>>, Rejected>>;

/// A host no test file names: what a reader hands out where it has no entry.
pub const ABSENT: &[u8] = b"absent-host.example";

/// Every netrc text in tests/fixtures/netrc: the fixtures and their edited versions.
pub fn fixture_files() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/netrc");
    let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.ends_with(".netrc")
                || name.ends_with(".netrc.login")
                || name.ends_with(".netrc.logout")
        })
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    assert!(files.len() >= 30, "fixtures are missing");
    files
}

/// Whether `host` is a name a URL holds, without a port: what curl and wget look a URL's host
/// up by (they drop the port, so a machine named `host:8080` is never used).
pub fn url_host_name(host: &[u8]) -> bool {
    !host.is_empty()
        && host.len() < 200
        && host
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_')
        && !host.starts_with(b".")
        && !host.starts_with(b"-")
        && !host.ends_with(b".")
}

/// The hosts to ask about for `file`: every word that follows a `machine` keyword (split on
/// ASCII white space) and every name any reader model finds, in upper case too, `buf.build`
/// and `go.buf.build` in both cases, and a host no file names; of these, those that `can_ask`
/// says the reader can be asked about.
pub fn hosts_for(file: &[u8], can_ask: fn(&[u8]) -> bool) -> Vec<Vec<u8>> {
    let mut hosts: Vec<Vec<u8>> = Vec::new();
    let mut add = |host: Vec<u8>| {
        if !host.is_empty() && can_ask(&host) && !hosts.contains(&host) {
            hosts.push(host);
        }
    };
    for name in [&b"buf.build"[..], b"go.buf.build"] {
        add(name.to_vec());
        add(name.to_ascii_uppercase());
    }
    let words: Vec<&[u8]> = file
        .split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
        .collect();
    for pair in words.windows(2) {
        if pair[0] == b"machine" {
            add(pair[1].to_vec());
            add(pair[1].to_ascii_uppercase());
        }
    }
    for model in bsr::netrc::readers::MODELS {
        if let Ok(reads) = (model.read)(file) {
            for name in reads.names() {
                add(name.to_vec());
                add(name.to_ascii_uppercase());
            }
        }
    }
    add(ABSENT.to_vec());
    hosts
}

/// `Basic <base64>` → the credential `login:password` it carries, as [`basic`] shows it.
pub fn decode_basic(header: &[u8]) -> Creds {
    let encoded = header
        .strip_prefix(b"Basic ")
        .unwrap_or_else(|| panic!("not Basic auth: {}", show(header)));
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .unwrap_or_else(|e| panic!("bad base64 in {}: {e}", show(header)));
    Creds {
        login: Some(bytes),
        password: None,
        account: None,
    }
}

/// What a reader that sends HTTP Basic auth shows of `login` and `password`: the one string
/// `login:password` (a colon in the login cannot be told from the separator), in `login`.
pub fn basic(login: &[u8], password: &[u8]) -> Creds {
    Creds {
        login: Some([login, b":", password].concat()),
        password: None,
        account: None,
    }
}

/// A file's bytes as a Rust byte-string literal would show them, so that a failing file can
/// be copied into a test.
pub fn show(bytes: &[u8]) -> String {
    bytes.escape_ascii().to_string().replace("\\n", "\\n\n")
}

fn show_creds(creds: &Option<Creds>) -> String {
    match creds {
        None => "nothing".to_owned(),
        Some(c) => {
            let field = |v: &Option<Vec<u8>>| v.as_ref().map_or("-".to_owned(), |v| show(v));
            format!(
                "login {} password {} account {}",
                field(&c.login),
                field(&c.password),
                field(&c.account)
            )
        }
    }
}

/// Asks a reader about each file's hosts (per file, the hosts to ask about it).
pub type AskPerHost = fn(&[Vec<u8>], &[Vec<Vec<u8>>]) -> Option<Answers>;

/// A reader asked host by host: which hosts it can be asked about, how, and what it can show
/// of what the model hands out.
pub struct PerHost {
    pub name: &'static str,
    pub model: fn(&[u8]) -> Result<Reads, Rejected>,
    pub can_ask: fn(&[u8]) -> bool,
    pub ask: AskPerHost,
    pub project: fn(Option<&Creds>) -> Option<Creds>,
}

impl PerHost {
    /// Asks the reader about every host it can be asked about in each of `files` and
    /// [`compare`]s; nothing (a skip) where the reader is missing.
    pub fn check(&self, files: &[(String, Vec<u8>)]) {
        let texts: Vec<Vec<u8>> = files.iter().map(|(_, f)| f.clone()).collect();
        let hosts: Vec<Vec<Vec<u8>>> = texts.iter().map(|f| hosts_for(f, self.can_ask)).collect();
        let Some(answers) = (self.ask)(&texts, &hosts) else {
            return;
        };
        compare(self.name, self.model, self.project, files, &hosts, answers);
    }
}

/// Checks `model` against the `real` answers for `files` and `hosts`, through `project` (what
/// the real reader can show of what the model hands out), and fails on the first file where
/// they part ways, showing it in full.
pub fn compare(
    reader: &str,
    model: fn(&[u8]) -> Result<Reads, Rejected>,
    project: fn(Option<&Creds>) -> Option<Creds>,
    files: &[(String, Vec<u8>)],
    hosts: &[Vec<Vec<u8>>],
    real: Answers,
) {
    assert_eq!(real.len(), files.len(), "{reader}: one answer per file");
    for (((what, file), hosts), real) in files.iter().zip(hosts).zip(real) {
        let fail = |why: String| -> ! {
            panic!(
                "{reader}'s model and the real {reader} part ways on {what}: {why}\n--- the file, {} bytes:\n{}\n---",
                file.len(),
                show(file)
            )
        };
        match (model(file), real) {
            (Err(Rejected), Err(Rejected)) => {}
            (Ok(_), Err(Rejected)) => fail("the real reader rejects it, the model does not".into()),
            (Err(Rejected), Ok(_)) => fail("the model rejects it, the real reader does not".into()),
            (Ok(reads), Ok(answers)) => {
                assert_eq!(answers.len(), hosts.len(), "{reader}: one answer per host");
                for (host, answer) in hosts.iter().zip(answers) {
                    let modelled = project(reads.get(host));
                    if modelled != answer {
                        fail(format!(
                            "for host {} the model hands out {}, the real reader {}",
                            show(host),
                            show_creds(&modelled),
                            show_creds(&answer)
                        ));
                    }
                }
            }
        }
    }
}

/// Files that probe the quirks the models claim, each of which the generator rarely or never
/// builds (a byte right after a closing quote, NUL, `\v`, 0x85 and 0xA0, `/\`, …).
pub const PROBES: &[&[u8]] = &[
    b"machine a login \"u\"#password p\n",
    b"machine a login \"u\"x password p\n",
    b"machine a login u password a\\\n",
    b"machine a login u password a\\",
    b"machine a login u password a\\\r\n",
    b"machine a login u\0 password p\n",
    b"machine a login u password\0 p\nmachine b login v password q\n",
    b"machine a login u\n#c\npassword p\n",
    b"machine a login u #c\npassword p\n",
    b"machine a login u\x0b#c\npassword p\n",
    b"machine a login u \x0b#c\npassword p\n",
    b"machine a login u/\\\\x password p\n",
    b"machine a login u password p/\\\\x\n",
    b"machine a login \"x\\\" y\" password p\n",
    b"machine a login u password \"p q\"\n",
    b"machine a login u password \"unterminated\nmachine b login v password q\n",
    b"machine a login u password p\xa0x\n",
    b"machine a login u password p\xc2\xa0x\n",
    b"machine a\xc2\x85login u password p\n",
    b"machine caf\xc3\xa0 login u password p\n",
    b"machine a login u password p\x0cmachine b login v password q\n",
    b"macdef m\r\nmachine x login e password e\r\n\r\nmachine a login u password p\r\n",
    b"machine m macdef m\n \nmachine a login u password p\n\nmachine b login v password q\n",
    b"machine m macdef m machine x login e password e\nbody\n\nmachine a login u password p\n",
    b"macdef m\nbody\n\nmachine a login u password p\n",
    b"default login d password d\nmachine default login m password m\n",
    b"machine default login m password m\ndefault login d password d\ndefault login e password e\n",
    b"machine a login u password p default",
    b"machine a login u password p\ndefault\nmachine b login v password q\n",
    b"machine a login u password p machine",
    b"machine a login u password p machine ",
    b"machine A login u password p\nmachine a login v password q\n",
    b"login u machine a password p\n",
    b"login u password p machine a\n",
    b"machine a login u # password p\n",
    b"machine a login u password p password q\n",
    b"machine a password p login u\n",
    b"machine a login u\npassword\np\n",
    b"machine a account x login u password p port 1 force yes\n",
    b"machine a user u passwd p\n",
    b"machine a login u password p\nmachine a login v password q\n",
    b"machine a login \"\" password \"\"\n",
    b"machine \"a b\" login u password p\n",
    b"machine #c\nfoo login u password p\n",
    b"machine\n#c\nfoo password p\n",
    b"machine a login u password p\n#machine b login v password q\n",
];

/// The fixtures, the [`PROBES`] and `count` generated files, named for the failure message.
pub fn files(count: usize) -> Vec<(String, Vec<u8>)> {
    let mut files = fixture_files();
    files.extend(
        PROBES
            .iter()
            .enumerate()
            .map(|(i, f)| (format!("probe {i}"), f.to_vec())),
    );
    files.extend(
        crate::models::generate::batch(count)
            .into_iter()
            .enumerate()
            .map(|(i, f)| (format!("generated file {i}"), f)),
    );
    files
}

/// What a [`Recorder`] saw of one request: its target, its `Host` header and its
/// `Authorization` header, as raw bytes (a reader may send any byte the file held).
#[derive(Debug, Clone)]
pub struct Seen {
    pub target: Vec<u8>,
    pub host: Vec<u8>,
    pub auth: Option<Vec<u8>>,
}

/// A plain HTTP server (and proxy: it takes absolute URLs too) on loopback that records each
/// request's `Host` and `Authorization` and answers what `reply` says, closing every
/// connection after one answer.
pub struct Recorder {
    pub port: u16,
    pub seen: std::sync::Arc<std::sync::Mutex<Vec<Seen>>>,
}

impl Recorder {
    pub fn start(reply: fn(&Seen) -> &'static [u8]) -> Recorder {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = std::sync::Arc::clone(&seen);
        std::thread::spawn(move || {
            for tcp in listener.incoming() {
                let Ok(mut tcp) = tcp else { continue };
                let log = std::sync::Arc::clone(&log);
                std::thread::spawn(move || {
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") {
                        match tcp.read(&mut byte) {
                            Ok(1) => head.push(byte[0]),
                            _ => return,
                        }
                    }
                    let header = |name: &[u8]| {
                        head.split(|&b| b == b'\n').skip(1).find_map(|line| {
                            let line = line.strip_suffix(b"\r").unwrap_or(line);
                            let colon = line.iter().position(|&b| b == b':')?;
                            line[..colon]
                                .eq_ignore_ascii_case(name)
                                .then(|| line[colon + 1..].trim_ascii().to_vec())
                        })
                    };
                    let length: usize = header(b"content-length")
                        .and_then(|v| String::from_utf8(v).ok()?.parse().ok())
                        .unwrap_or(0);
                    let mut body = vec![0u8; length];
                    if tcp.read_exact(&mut body).is_err() {
                        return;
                    }
                    let request_line = head.split(|&b| b == b' ').nth(1).unwrap_or_default();
                    let request = Seen {
                        target: request_line.to_vec(),
                        host: header(b"host").unwrap_or_default(),
                        auth: header(b"authorization"),
                    };
                    let answer = reply(&request);
                    log.lock().unwrap().push(request);
                    let _ = tcp.write_all(answer);
                });
            }
        });
        Recorder { port, seen }
    }

    /// Forgets what it saw, and gives it back.
    pub fn take(&self) -> Vec<Seen> {
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

/// Whether `needle` is a part of `haystack`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}
