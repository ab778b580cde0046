//! Buf 1.75.0 itself as the reader: `buf registry whoami <host>` with the netrc in `NETRC`,
//! plain HTTP (`tls.use: "false"`) through `HTTP_PROXY` at a loopback [`Recorder`], which
//! records the `Authorization: Bearer <password>` Buf sends. One process per host and file
//! (about 20 ms each); a panic while reading the netrc is the file's rejection.
//!
//! Buf 1.75 reads the netrc with `github.com/jdx/go-netrc`, which no package registry reached
//! here carries, so the real reader is the released Buf binary (npm
//! `@bufbuild/buf-linux-x64@1.75.0`, named by `BSR_TEST_BUF`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use bsr::netrc::readers::{Creds, Rejected};
use tempfile::TempDir;

use super::{ABSENT, Answers, Recorder, contains};
use crate::support::need;

/// The variable naming the Buf 1.75.0 binary (`package/bin/buf` of the npm package).
pub const BUF_VAR: &str = "BSR_TEST_BUF";

/// What stands for a password that Go's HTTP client refuses to put in a header (it holds a
/// control character, say a comment's line end): Buf then sends no request at all and says
/// the server is unavailable.
pub const UNSENDABLE: &[u8] = b"(a password no HTTP header can carry)";

/// Buf 1.75.0, or a skip.
pub fn binary() -> Option<PathBuf> {
    const HOW: &str =
        "npm pack @bufbuild/buf-linux-x64@1.75.0 and set BSR_TEST_BUF to its package/bin/buf";
    let Some(path) = std::env::var_os(BUF_VAR).filter(|p| !p.is_empty()) else {
        need::skip(&format!("needs Buf 1.75.0 — {HOW}"));
        return None;
    };
    let path = PathBuf::from(path);
    let version = Command::new(&path)
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    if version != "1.75.0" {
        need::skip(&format!(
            "needs Buf 1.75.0, and {} is {version:?} — {HOW}",
            path.display()
        ));
        return None;
    }
    Some(path)
}

/// Whether Buf takes `host` as a domain and sends its request through the proxy (Go never
/// proxies loopback hosts): a host name, an optional port.
pub fn can_ask(host: &[u8]) -> bool {
    let (name, port) = match host.iter().rposition(|&b| b == b':') {
        Some(colon) => (&host[..colon], &host[colon + 1..]),
        None => (host, &b"80"[..]),
    };
    (2..=200).contains(&name.len())
        && !port.is_empty()
        && port.iter().all(u8::is_ascii_digit)
        && name
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_')
        && !name.starts_with(b".")
        && !name.ends_with(b".")
        && !name.starts_with(b"-")
        && !name.ends_with(b"-")
        && !contains(name, b"..")
        && name.iter().any(|b| b.is_ascii_alphabetic())
        && !name.eq_ignore_ascii_case(b"localhost")
}

/// What the server can see of what Buf hands out: the password only (Buf sends no login),
/// with the white space around it dropped (HTTP drops it from a header value), and a
/// password Go refuses to send shown as [`UNSENDABLE`]. An empty password is no token.
pub fn project(creds: Option<&Creds>) -> Option<Creds> {
    let password = creds?.password.as_ref()?;
    let sendable = password
        .iter()
        .all(|&b| (b >= b' ' || b == b'\t') && b != 0x7f);
    let password = if sendable {
        password.trim_ascii().to_vec()
    } else {
        UNSENDABLE.to_vec()
    };
    Some(Creds {
        login: None,
        password: Some(password),
        account: None,
    })
}

pub fn ask(files: &[Vec<u8>], hosts: &[Vec<Vec<u8>>]) -> Option<Answers> {
    let buf = binary()?;
    for host in hosts.iter().flatten() {
        assert!(can_ask(host), "Buf cannot be asked about {host:?}");
    }
    // A Buf process mostly waits on its own start-up: a few at once take less time in all.
    let chunk = files.len().div_ceil(WORKERS).max(1);
    let answers = std::thread::scope(|scope| {
        let workers: Vec<_> = files
            .chunks(chunk)
            .zip(hosts.chunks(chunk))
            .map(|(files, hosts)| scope.spawn(|| ask_files(&buf, files, hosts)))
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    Some(answers)
}

const WORKERS: usize = 2;

fn ask_files(buf: &Path, files: &[Vec<u8>], hosts: &[Vec<Vec<u8>>]) -> Answers {
    let recorder = Recorder::start(|_| {
        b"HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: 42\r\nConnection: close\r\n\r\n{\"code\":\"unauthenticated\",\"message\":\"no\"}"
    });
    let home = TempDir::new().unwrap();
    let config = home.path().join(".config/buf");
    fs::create_dir_all(&config).unwrap();
    fs::write(
        config.join("config.yaml"),
        "version: v1\ntls:\n  use: \"false\"\n",
    )
    .unwrap();
    let netrc = home.path().join("netrc");
    let mut answers = Answers::new();
    for (file, hosts) in files.iter().zip(hosts) {
        fs::write(&netrc, file).unwrap();
        // Buf looks a host up by equality with a token of the file, else takes `default`: a
        // host that is no part of the file reads as the absent host does, without asking.
        let Some(absent) = ask_one(buf, home.path(), &netrc, &recorder, ABSENT) else {
            answers.push(Err(Rejected));
            continue;
        };
        let mut reads = Vec::new();
        for host in hosts {
            if host == ABSENT || !contains(file, host) {
                reads.push(absent.clone());
                continue;
            }
            match ask_one(buf, home.path(), &netrc, &recorder, host) {
                Some(read) => reads.push(read),
                None => panic!("Buf panicked for one host of a file it read for another"),
            }
        }
        answers.push(Ok(reads));
    }
    answers
}

/// What Buf sends to `host`, or `None` if it panics reading the netrc.
fn ask_one(
    buf: &Path,
    home: &Path,
    netrc: &Path,
    recorder: &Recorder,
    host: &[u8],
) -> Option<Option<Creds>> {
    let host_arg = String::from_utf8(host.to_vec()).unwrap();
    let out = Command::new(buf)
        .args(["registry", "whoami", &host_arg])
        .env_clear()
        .env("HOME", home)
        .env("PATH", "/usr/bin:/bin")
        .env("NETRC", netrc)
        .env("HTTP_PROXY", format!("http://127.0.0.1:{}", recorder.port))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let seen = recorder.take();
    if stderr.contains("panic: ") {
        assert!(seen.is_empty(), "Buf panicked after sending a request");
        return None;
    }
    let password = |auth: &[u8]| {
        let token = auth
            .strip_prefix(b"Bearer")
            .unwrap_or_else(|| panic!("Buf sent {:?}", String::from_utf8_lossy(auth)));
        token.trim_ascii().to_vec()
    };
    let read = match seen.as_slice() {
        [one] => {
            assert_eq!(one.host, host, "Buf asked another host");
            one.auth.as_deref().map(password)
        }
        // Go's HTTP client refuses such a header before connecting, and Buf (through
        // connect-go) reports that as the server being unavailable.
        [] if stderr.contains("the server hosted at that remote is unavailable") => {
            Some(UNSENDABLE.to_vec())
        }
        _ => panic!(
            "Buf sent {} requests for {host_arg}: {stderr}\n--- the netrc:\n{}",
            seen.len(),
            super::show(&fs::read(netrc).unwrap())
        ),
    };
    Some(read.map(|password| Creds {
        login: None,
        password: Some(password),
        account: None,
    }))
}
