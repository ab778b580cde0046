//! curl as the reader: one `curl --netrc-file` per file, fetching `http://<host>/<n>` for
//! every host, every connection sent to a loopback [`Recorder`] (`--connect-to`), which
//! records the `Authorization` curl sends. `--write-out` gives each transfer's exit code: 26 is
//! curl's "`.netrc` parser error", which it reports per host, before any request.

use std::fs;
use std::process::{Command, Stdio};

use bsr::netrc::readers::{Creds, Rejected};
use tempfile::TempDir;

use super::{Answers, Recorder, basic, decode_basic};
use crate::support::need;

/// Whether curl can be asked about `host`: a name a URL holds, without a port (curl looks the
/// URL's host name up, so a machine named `host:8080` is never used).
pub fn can_ask(host: &[u8]) -> bool {
    super::url_host_name(host)
}

/// curl sends `login:password` as Basic auth (see [`basic`]): an empty login where it has
/// only a password, and nothing where it has neither.
pub fn project(creds: Option<&Creds>) -> Option<Creds> {
    let creds = creds?;
    if creds.login.is_none() && creds.password.is_none() {
        return None;
    }
    Some(basic(
        creds.login.as_deref().unwrap_or_default(),
        creds.password.as_deref().unwrap_or_default(),
    ))
}

/// Per file: rejected if curl failed to read it for any host asked (the model rejects a file
/// on which any lookup fails), else what it sent to each host.
pub fn ask(files: &[Vec<u8>], hosts: &[Vec<Vec<u8>>]) -> Option<Answers> {
    let curl = need::tool("curl", "curl")?;
    let recorder =
        Recorder::start(|_| b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    let home = TempDir::new().unwrap();
    let netrc = home.path().join("netrc");
    let mut answers = Answers::new();
    for (file, hosts) in files.iter().zip(hosts) {
        fs::write(&netrc, file).unwrap();
        let mut cmd = Command::new(&curl);
        cmd.args(["-q", "--silent", "--show-error", "--netrc-file"])
            .arg(&netrc)
            .arg("--connect-to")
            .arg(format!("::127.0.0.1:{}", recorder.port))
            .args(["--write-out", "%{exitcode}\\n"])
            .env_clear()
            .env("HOME", home.path())
            .stdin(Stdio::null());
        for (i, host) in hosts.iter().enumerate() {
            assert!(can_ask(host), "curl cannot be asked about {host:?}");
            cmd.args(["--output", "/dev/null"])
                .arg(format!("http://{}/{i}", String::from_utf8_lossy(host)));
        }
        let out = cmd.output().unwrap();
        let seen = recorder.take();
        let codes: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(codes.len(), hosts.len(), "one exit code per host: {stderr}");
        if codes.contains(&"26") {
            answers.push(Err(Rejected));
            continue;
        }
        let reads = (0..hosts.len())
            .map(|i| {
                assert_eq!(codes[i], "0", "curl failed for host {i}: {stderr}");
                let target = format!("/{i}");
                let mine: Vec<_> = seen
                    .iter()
                    .filter(|s| s.target == target.as_bytes())
                    .collect();
                assert_eq!(mine.len(), 1, "curl asked for {target} once: {stderr}");
                assert!(mine[0].host.eq_ignore_ascii_case(&hosts[i]));
                mine[0].auth.as_deref().map(decode_basic)
            })
            .collect();
        answers.push(Ok(reads));
    }
    Some(answers)
}
