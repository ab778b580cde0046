//! GNU Wget as the reader: one `wget` per file (it reads only `$HOME/.netrc`), fetching
//! `http://<host>/<n>` for every host through a loopback [`Recorder`] as its proxy. The
//! recorder answers a request without credentials with a Basic challenge (wget sends netrc
//! credentials only after one) and records the `Authorization` of the retry.

use std::fs;
use std::process::{Command, Stdio};

use bsr::netrc::readers::Creds;
use tempfile::TempDir;

use super::{Answers, Recorder, basic, decode_basic};
use crate::support::need;

/// Whether wget can be asked about `host`: a name a URL holds, without a port (wget looks the
/// URL's host up without its port, so a machine named `host:8080` is never used).
pub fn can_ask(host: &[u8]) -> bool {
    super::url_host_name(host)
}

/// Over HTTP wget sends `login:password` as Basic auth (see [`basic`]), and only when the
/// entry has both.
pub fn project(creds: Option<&Creds>) -> Option<Creds> {
    let creds = creds?;
    Some(basic(creds.login.as_deref()?, creds.password.as_deref()?))
}

pub fn ask(files: &[Vec<u8>], hosts: &[Vec<Vec<u8>>]) -> Option<Answers> {
    let wget = need::tool("wget", "wget")?;
    let recorder = Recorder::start(|seen| {
        if seen.auth.is_some() {
            b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        } else {
            b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"r\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        }
    });
    let home = TempDir::new().unwrap();
    let netrc = home.path().join(".netrc");
    let mut answers = Answers::new();
    for (file, hosts) in files.iter().zip(hosts) {
        fs::write(&netrc, file).unwrap();
        let mut cmd = Command::new(&wget);
        cmd.args(["--no-config", "--quiet", "--tries=1", "--max-redirect=0"])
            .args(["--output-document", "/dev/null"])
            .args(["-e", "use_proxy=on", "-e"])
            .arg(format!("http_proxy=http://127.0.0.1:{}", recorder.port))
            .env_clear()
            .env("HOME", home.path())
            .env("PATH", "/usr/bin:/bin")
            .stdin(Stdio::null());
        for (i, host) in hosts.iter().enumerate() {
            assert!(can_ask(host), "wget cannot be asked about {host:?}");
            cmd.arg(format!("http://{}/{i}", String::from_utf8_lossy(host)));
        }
        let out = cmd.output().unwrap();
        let seen = recorder.take();
        let reads = (0..hosts.len())
            .map(|i| {
                let suffix = format!("/{i}");
                let mine: Vec<_> = seen
                    .iter()
                    .filter(|s| s.target.ends_with(suffix.as_bytes()))
                    .collect();
                assert!(
                    !mine.is_empty(),
                    "wget never asked for {}: {}",
                    String::from_utf8_lossy(&hosts[i]),
                    String::from_utf8_lossy(&out.stderr)
                );
                mine.iter()
                    .find_map(|s| s.auth.as_deref())
                    .map(decode_basic)
            })
            .collect();
        answers.push(Ok(reads));
    }
    Some(answers)
}
