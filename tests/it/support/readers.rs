//! Other programs' reading of a netrc: Python's `netrc` module, curl, the `go` command and bsr's
//! own `whoami`, each asked which credentials it would send to each host.
//!
//! The rule every edit must keep (SPEC, "netrc file"): for every reader that accepted the file
//! before the edit, every non-BSR machine reads the same afterwards, and the BSR machines read
//! the new credentials (after logout: what any host without an entry reads).
//!
//! - Python: `netrc.netrc(path).authenticators(host)`.
//! - curl: a GET to `http://<host>/` with `--netrc-file`, connected to a loopback server that
//!   records the `Authorization` header curl sends.
//! - Go: `go mod download` through `GOPROXY=https://<host>/…` for every host, with
//!   `HTTPS_PROXY` at a loopback proxy that terminates the tunnelled TLS with a certificate from
//!   a throwaway CA and records the header (`go` only sends netrc credentials over https, and
//!   never proxies loopback hosts, so IP and `localhost` machines are not asked of it).
//! - bsr: `bsr registry whoami <domain>` for the BSR machines against a loopback registry.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;

use tempfile::TempDir;

use super::pki::Pki;
use super::{Registry, Reply, TestEnv, need};

/// The token the edits under test write, and the user they write it for.
pub const USER: &str = "alice";
pub const TOKEN: &str = "bsr-test-token-0001";
/// The machines a login for `buf.build` writes.
pub const BSR_MACHINES: [&str; 2] = ["buf.build", "go.buf.build"];
/// A host no test file names: what a reader sends where it has no entry (its `default`, or
/// nothing).
const ABSENT: &str = "absent-host.example";

/// What a reader sends to each host: `Some("login:password")`, or `None` for no credentials.
pub type Reads = BTreeMap<String, Option<String>>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    /// The reader refuses the file (with its own message).
    Rejected(String),
    Reads(Reads),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    Python,
    Curl,
    Go,
    Bsr,
}

impl Reader {
    pub fn name(self) -> &'static str {
        match self {
            Reader::Python => "python",
            Reader::Curl => "curl",
            Reader::Go => "go",
            Reader::Bsr => "bsr",
        }
    }
}

/// Which edit was made, and so what the BSR machines must read afterwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    Login,
    Logout,
}

/// The readers this machine has, and the loopback servers they talk to.
pub struct Readers {
    python: Option<PathBuf>,
    curl: Option<PathBuf>,
    go: Option<PathBuf>,
    echo: Registry,
    go_proxy: Option<TlsRecorder>,
    bsr_registry: Registry,
    env: TestEnv,
    dir: TempDir,
}

impl Readers {
    /// Finds the readers (each missing one is a skip, or a failure under `BSR_TEST_NO_SKIP`).
    /// `hosts` are the names the Go reader may be asked about (its proxy's certificate covers
    /// only those; the BSR machines are always covered).
    pub fn new(hosts: &[&str]) -> Readers {
        // The interpreter itself, not a version manager's shim (which costs 100 ms a start).
        let python = need::tool("python3", "python3").map(|shim| {
            let out = Command::new(&shim)
                .args(["-c", "import sys; print(sys.executable)"])
                .output()
                .unwrap();
            PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
        });
        let curl = need::tool("curl", "curl");
        let go = need::tool("go", "golang-go");
        let go_proxy = go.as_ref().map(|_| {
            let mut names: Vec<&str> = hosts.iter().copied().filter(|h| go_can_ask(h)).collect();
            names.extend(BSR_MACHINES);
            names.push(ABSENT);
            TlsRecorder::start(&names)
        });
        let dir = TempDir::new().unwrap();
        Readers {
            python,
            curl,
            go,
            echo: Registry::start(Reply::json(404, "")),
            go_proxy,
            bsr_registry: Registry::with_users(&[(TOKEN, USER)]),
            env: TestEnv::new(),
            dir,
        }
    }

    /// The readers present, in a fixed order.
    pub fn present(&self) -> Vec<Reader> {
        let mut readers = Vec::new();
        if self.python.is_some() {
            readers.push(Reader::Python);
        }
        if self.curl.is_some() {
            readers.push(Reader::Curl);
        }
        if self.go.is_some() {
            readers.push(Reader::Go);
        }
        readers.push(Reader::Bsr);
        readers
    }

    /// What `reader` sends to each of `hosts` (and to a host the file does not name) when the
    /// netrc holds each of `files`.
    pub fn views(&self, reader: Reader, files: &[&[u8]], hosts: &[String]) -> Vec<View> {
        let paths: Vec<PathBuf> = files
            .iter()
            .enumerate()
            .map(|(i, bytes)| {
                let path = self.dir.path().join(format!("{}-{i}.netrc", reader.name()));
                fs::write(&path, bytes).unwrap();
                path
            })
            .collect();
        let mut hosts: Vec<String> = hosts.to_vec();
        hosts.push(ABSENT.to_owned());
        match reader {
            // One interpreter for all files: starting Python costs more than reading them.
            Reader::Python => self.python_views(&paths, &hosts),
            Reader::Curl => paths.iter().map(|p| self.curl_view(p, &hosts)).collect(),
            Reader::Go => paths.iter().map(|p| self.go_view(p, &hosts)).collect(),
            Reader::Bsr => paths.iter().map(|p| self.bsr_view(p)).collect(),
        }
    }

    fn python_views(&self, paths: &[PathBuf], hosts: &[String]) -> Vec<View> {
        let script = r#"
import json, netrc, sys
request = json.load(sys.stdin)
views = []
for path in request["paths"]:
    try:
        n = netrc.netrc(path)
    except Exception as e:
        views.append({"error": f"{type(e).__name__}: {e}"})
        continue
    reads = {}
    for host in request["hosts"]:
        found = n.authenticators(host)
        reads[host] = None if found is None else f"{found[0]}:{found[2]}"
    views.append({"reads": reads})
print(json.dumps(views))
"#;
        let mut child = Command::new(self.python.as_ref().unwrap())
            .args(["-c", script])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let request = serde_json::json!({ "paths": paths, "hosts": hosts });
        child
            .stdin
            .take()
            .unwrap()
            .write_all(request.to_string().as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let values: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
        values
            .into_iter()
            .map(|value| match value.get("error") {
                Some(err) => View::Rejected(err.to_string()),
                None => View::Reads(serde_json::from_value(value["reads"].clone()).unwrap()),
            })
            .collect()
    }

    fn curl_view(&self, path: &Path, hosts: &[String]) -> View {
        // One curl for every host: it looks each URL's host up in the netrc on its own.
        let hosts: Vec<&String> = hosts.iter().filter(|h| url_host(h)).collect();
        let before = self.echo.requests().len();
        let mut cmd = Command::new(self.curl.as_ref().unwrap());
        cmd.args(["--silent", "--show-error", "--netrc-file"])
            .arg(path)
            .env_clear()
            .stdin(Stdio::null());
        for host in &hosts {
            cmd.arg("--connect-to")
                .arg(format!("{host}:80:127.0.0.1:{}", self.echo.port))
                .args(["--output", "/dev/null"])
                .arg(format!("http://{host}/probe"));
        }
        let out = cmd.output().unwrap();
        let requests = self.echo.requests();
        if !out.status.success() {
            // curl refuses the file (exit 26 for a netrc it cannot parse) before any request.
            assert_eq!(requests.len(), before);
            return View::Rejected(String::from_utf8_lossy(&out.stderr).trim().to_owned());
        }
        let requests = &requests[before..];
        assert_eq!(requests.len(), hosts.len(), "curl skipped a host");
        let mut reads = Reads::new();
        for (host, request) in hosts.into_iter().zip(requests) {
            assert_eq!(&request.headers["host"], host);
            let auth = request.headers.get("authorization");
            reads.insert(host.clone(), auth.map(|a| decode_basic(a)));
        }
        View::Reads(reads)
    }

    fn go_view(&self, path: &Path, hosts: &[String]) -> View {
        let proxy = self.go_proxy.as_ref().unwrap();
        let asked: Vec<&String> = hosts
            .iter()
            .filter(|h| go_can_ask(h) && proxy.names.contains(h))
            .collect();
        let goproxy: Vec<String> = asked.iter().map(|h| format!("https://{h}/p")).collect();
        let work = self.dir.path().join("go");
        fs::create_dir_all(&work).unwrap();
        let ca = self.dir.path().join("go-ca.pem");
        fs::write(&ca, &proxy.pki.ca_pem).unwrap();
        proxy.seen.lock().unwrap().clear();
        let out = Command::new(self.go.as_ref().unwrap())
            .args(["mod", "download", "-json", "example.com/probe@v1.0.0"])
            .current_dir(&work)
            .env_clear()
            .env("HOME", &work)
            .env("PATH", "/usr/bin:/bin")
            .env("GOPATH", work.join("gopath"))
            .env("GOMODCACHE", work.join("modcache"))
            .env("GOCACHE", work.join("cache"))
            .env("GOFLAGS", "-modcacherw")
            .env("GO111MODULE", "on")
            .env("GOSUMDB", "off")
            .env("GOPROXY", goproxy.join(","))
            .env("HTTPS_PROXY", format!("http://127.0.0.1:{}", proxy.port))
            .env("SSL_CERT_FILE", &ca)
            .env("NETRC", path)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        // Every proxy answers 404, so `go` asks each in turn and then fails; that is expected.
        let seen = proxy.seen.lock().unwrap().clone();
        let mut reads = Reads::new();
        for host in asked {
            let auth = seen
                .iter()
                .find(|(h, _)| h == host)
                .unwrap_or_else(|| {
                    panic!(
                        "go never asked {host}: {}",
                        String::from_utf8_lossy(&out.stderr)
                    )
                })
                .1
                .clone();
            reads.insert(host.clone(), auth.map(|a| decode_basic(&a)));
        }
        View::Reads(reads)
    }

    fn bsr_view(&self, path: &Path) -> View {
        let mut reads = Reads::new();
        for machine in BSR_MACHINES {
            let out = self
                .env
                .command(&["registry", "whoami", machine])
                .env("NETRC", path)
                .env(
                    "HTTP_PROXY",
                    format!("http://127.0.0.1:{}", self.bsr_registry.port),
                )
                .stdin(Stdio::null())
                .output()
                .unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout);
            let stderr = String::from_utf8_lossy(&out.stderr);
            let read = match stdout.strip_prefix("Logged in as ") {
                Some(rest) => Some(format!("{}:{TOKEN}", rest.trim_end().trim_end_matches('.'))),
                None if stderr.contains("Not currently logged in") => None,
                None => return View::Rejected(stderr.trim().to_owned()),
            };
            reads.insert(machine.to_owned(), read);
        }
        View::Reads(reads)
    }

    /// Checks the rule for each edit of `before` (an edit and the bytes after it), with every
    /// reader present, and returns the readers that accepted `before`. `exempt` lists (reader,
    /// machine) pairs whose reading may change (see the fixture's `.exempt`).
    pub fn assert_edits_agree(
        &self,
        what: &str,
        before: &[u8],
        edits: &[(Edit, Vec<u8>)],
        exempt: &[(String, String)],
    ) -> Vec<Reader> {
        let mut hosts = machine_names(before);
        for (_, after) in edits {
            for name in machine_names(after) {
                if !hosts.contains(&name) {
                    hosts.push(name);
                }
            }
        }
        for machine in BSR_MACHINES {
            if !hosts.iter().any(|h| h == machine) {
                hosts.push(machine.to_owned());
            }
        }
        let mut files: Vec<&[u8]> = vec![before];
        files.extend(edits.iter().map(|(_, after)| after.as_slice()));
        let mut accepted = Vec::new();
        for reader in self.present() {
            let started = std::time::Instant::now();
            let mut views = self.views(reader, &files, &hosts).into_iter();
            if std::env::var_os("BSR_TEST_TIMING").is_some() {
                eprintln!("{what}: {} {:?}", reader.name(), started.elapsed());
            }
            let View::Reads(was) = views.next().unwrap() else {
                continue;
            };
            accepted.push(reader);
            for ((edit, after), now) in edits.iter().zip(views) {
                let what = format!("{what} after {edit:?}");
                check_reads(&what, reader, &was, now, before, after, *edit, exempt);
            }
        }
        accepted
    }
}

/// The rule for one reader and one edit: see the module's documentation.
#[allow(clippy::too_many_arguments)]
fn check_reads(
    what: &str,
    reader: Reader,
    was: &Reads,
    now: View,
    before: &[u8],
    after: &[u8],
    edit: Edit,
    exempt: &[(String, String)],
) {
    let now = match now {
        View::Reads(now) => now,
        View::Rejected(why) => panic!(
            "{what}: {} accepted the file before the edit and rejects it after: {why}\n{}",
            reader.name(),
            String::from_utf8_lossy(after)
        ),
    };
    for (host, read) in &now {
        let is_bsr = BSR_MACHINES.contains(&host.as_str());
        // A BSR machine in another case (`BUF.BUILD`) is the entry being replaced or removed:
        // host names ignore case, and what a reader that compares them exactly reads for it
        // no client asks for.
        if !is_bsr && BSR_MACHINES.iter().any(|m| m.eq_ignore_ascii_case(host)) {
            continue;
        }
        if let Some(read) = read
            && !is_bsr
            && read.contains(TOKEN)
        {
            panic!(
                "{what}: {} sends the BSR token to {host}\n{}",
                reader.name(),
                String::from_utf8_lossy(after)
            );
        }
        let expected = match (is_bsr, edit) {
            (true, Edit::Login) => Some(format!("{USER}:{TOKEN}")),
            (true, Edit::Logout) if reader == Reader::Bsr => None,
            // After logout a BSR machine reads what any host without an entry reads.
            (true, Edit::Logout) => now.get(ABSENT).cloned().flatten(),
            (false, _) => was.get(host).cloned().flatten(),
        };
        let is_exempt = exempt.iter().any(|(r, m)| r == reader.name() && m == host);
        if !is_exempt {
            assert_eq!(
                read,
                &expected,
                "{what}: {} reads {host} as {read:?}, expected {expected:?}\nbefore:\n{}\nafter:\n{}",
                reader.name(),
                String::from_utf8_lossy(before),
                String::from_utf8_lossy(after)
            );
        }
    }
}

/// The machine names in `bytes` that a URL can hold, as our own parser finds them.
fn machine_names(bytes: &[u8]) -> Vec<String> {
    let Ok(doc) = bsr::netrc::NetrcDocument::parse(bytes.to_vec()) else {
        return Vec::new();
    };
    let mut names = Vec::new();
    for entry in doc.entries_iter() {
        if let Some(name) = entry.name()
            && let Ok(name) = String::from_utf8(name.into_owned())
            && url_host(&name)
            && !names.contains(&name)
        {
            names.push(name);
        }
    }
    names
}

/// A host name curl can be asked about in a URL.
fn url_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() < 200
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        && !host.starts_with(['.', '-'])
        && !host.ends_with(['.', '-'])
        && !host.contains("..")
}

/// A host the `go` command sends through `HTTPS_PROXY` (it never proxies loopback or IPs).
fn go_can_ask(host: &str) -> bool {
    url_host(host)
        && host.bytes().any(|b| b.is_ascii_alphabetic())
        && host.contains('.')
        && host != "localhost"
}

/// `Basic <base64>` → `login:password`.
fn decode_basic(header: &str) -> String {
    let encoded = header
        .strip_prefix("Basic ")
        .unwrap_or_else(|| panic!("not Basic auth: {header}"));
    let mut bits = 0u32;
    let mut nbits = 0;
    let mut out = Vec::new();
    for c in encoded.bytes().filter(|&c| c != b'=') {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("bad base64 in {header}"),
        };
        bits = (bits << 6) | u32::from(v);
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            out.push((bits >> nbits) as u8);
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An HTTPS proxy on loopback that accepts `CONNECT`, terminates the TLS inside with a
/// certificate for every host a test asks about, records each request's host and
/// `Authorization` header, and answers 404.
pub struct TlsRecorder {
    pub port: u16,
    /// The hosts its certificate covers.
    pub names: Vec<String>,
    pub pki: Arc<Pki>,
    /// (host from the CONNECT line, Authorization header)
    pub seen: Arc<Seen>,
}

impl TlsRecorder {
    pub fn start(names: &[&str]) -> TlsRecorder {
        let pki = Arc::new(Pki::new(names));
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        {
            let (pki, seen) = (Arc::clone(&pki), Arc::clone(&seen));
            thread::spawn(move || {
                for tcp in listener.incoming().flatten() {
                    let (pki, seen) = (Arc::clone(&pki), Arc::clone(&seen));
                    thread::spawn(move || {
                        let _ = serve_tunnel(tcp, &pki, &seen);
                    });
                }
            });
        }
        TlsRecorder {
            port,
            names: names.iter().map(|n| (*n).to_owned()).collect(),
            pki,
            seen,
        }
    }
}

pub type Seen = Mutex<Vec<(String, Option<String>)>>;

fn serve_tunnel(mut tcp: TcpStream, pki: &Pki, seen: &Seen) -> Option<()> {
    let head = read_head(&mut tcp)?;
    let target = head.first()?.split_whitespace().nth(1)?.to_owned();
    let host = target.rsplit_once(':').map_or(target.as_str(), |(h, _)| h);
    let host = host.to_owned();
    tcp.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .ok()?;
    let mut tls = pki.accept(tcp)?;
    let mut reader = BufReader::new(&mut tls);
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end().to_owned();
        if line.is_empty() {
            break;
        }
        lines.push(line);
    }
    let auth = lines.iter().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("authorization")
            .then(|| value.trim().to_owned())
    });
    seen.lock().unwrap().push((host, auth));
    drop(reader);
    tls.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        .ok()?;
    tls.flush().ok()
}

/// The request line and headers of a plain HTTP request, read byte by byte so that nothing of
/// the TLS handshake that follows is consumed.
fn read_head(tcp: &mut TcpStream) -> Option<Vec<String>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    let mut byte = [0u8; 1];
    while !bytes.ends_with(b"\r\n\r\n") {
        if tcp.read(&mut byte).ok()? == 0 {
            return None;
        }
        bytes.push(byte[0]);
    }
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Some(text.lines().map(str::to_owned).collect())
}
