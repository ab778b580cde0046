//! The `go` command as a netrc reader: one `go mod download` per file, with `GOPROXY` listing
//! every host asked as `https://<host>/p` (each answers 404, so `go` asks the next), through
//! `HTTPS_PROXY` at a loopback proxy that terminates the TLS and records the `Authorization`
//! header (see `support::readers`). `go` only sends netrc credentials over https.

use std::fs;
use std::process::{Command, Stdio};

use bsr::netrc::readers::Creds;
use tempfile::TempDir;

use super::{ABSENT, Answers, basic, contains, decode_basic};
use crate::support::need;
use crate::support::readers::TlsRecorder;

/// Whether `go` can be asked about `host`: a name a URL holds, with a dot and a letter (`go`
/// never sends loopback hosts or IP addresses through a proxy), and no port (the lookup is by
/// the URL's host name without its port, so a machine named `host:8080` is never used).
pub fn can_ask(host: &[u8]) -> bool {
    let Ok(host) = std::str::from_utf8(host) else {
        return false;
    };
    !host.is_empty()
        && host.len() < 200
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        && !host.starts_with(['.', '-'])
        && !host.ends_with(['.', '-'])
        && !host.contains("..")
        && host.contains('.')
        && host.bytes().any(|b| b.is_ascii_alphabetic())
        && !host.eq_ignore_ascii_case("localhost")
}

/// `go` sends `login:password` as Basic auth (see [`basic`]), and reads no `account`.
pub fn project(creds: Option<&Creds>) -> Option<Creds> {
    let creds = creds?;
    Some(basic(creds.login.as_deref()?, creds.password.as_deref()?))
}

pub fn ask(files: &[Vec<u8>], hosts: &[Vec<Vec<u8>>]) -> Option<Answers> {
    let go = need::tool("go", "golang-go")?;
    let hosts: Vec<Vec<String>> = hosts
        .iter()
        .map(|hosts| {
            hosts
                .iter()
                .map(|h| {
                    assert!(can_ask(h), "go cannot be asked about {h:?}");
                    String::from_utf8(h.clone()).unwrap()
                })
                .collect()
        })
        .collect();
    let mut names: Vec<String> = hosts
        .iter()
        .flatten()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    names.sort();
    names.dedup();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let proxy = TlsRecorder::start(&names);
    let dir = TempDir::new().unwrap();
    let ca = dir.path().join("ca.pem");
    fs::write(&ca, &proxy.pki.ca_pem).unwrap();
    let netrc = dir.path().join("netrc");
    let mut answers = Answers::new();
    for (file, hosts) in files.iter().zip(&hosts) {
        // `go` hands out a machine's credentials only for a host equal to a word of the file,
        // so a host that is no part of the file reads as nothing without asking (each host
        // asked costs a TLS handshake). The host no file names is still asked every time.
        let asked: Vec<&String> = hosts
            .iter()
            .filter(|h| h.as_bytes() == ABSENT || contains(file, h.as_bytes()))
            .collect();
        let goproxy: Vec<String> = asked.iter().map(|h| format!("https://{h}/p")).collect();
        fs::write(&netrc, file).unwrap();
        proxy.seen.lock().unwrap().clear();
        let out = Command::new(&go)
            .args(["mod", "download", "-json", "example.com/probe@v1.0.0"])
            .current_dir(dir.path())
            .env_clear()
            .env("HOME", dir.path())
            .env("PATH", "/usr/bin:/bin")
            .env("GOPATH", dir.path().join("gopath"))
            .env("GOMODCACHE", dir.path().join("modcache"))
            .env("GOCACHE", dir.path().join("cache"))
            .env("GOFLAGS", "-modcacherw")
            .env("GO111MODULE", "on")
            .env("GOSUMDB", "off")
            .env("GOPROXY", goproxy.join(","))
            .env("HTTPS_PROXY", format!("http://127.0.0.1:{}", proxy.port))
            .env("SSL_CERT_FILE", &ca)
            .env("NETRC", &netrc)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        // Every proxy answers 404, so `go` asks each in turn and then fails; that is expected.
        let seen = proxy.seen.lock().unwrap().clone();
        let reads = hosts
            .iter()
            .map(|host| {
                if !asked.contains(&host) {
                    return None;
                }
                let (_, auth) = seen.iter().find(|(h, _)| h == host).unwrap_or_else(|| {
                    panic!(
                        "go never asked {host}: {}",
                        String::from_utf8_lossy(&out.stderr)
                    )
                });
                auth.as_deref().map(|a| decode_basic(a.as_bytes()))
            })
            .collect();
        answers.push(Ok(reads));
    }
    Some(answers)
}
