//! What the handover tests need around the real clients: a loopback HTTP server that serves
//! bytes (a crate, a tarball, git's CGI), records each request's `Authorization` and looks at
//! the client processes while they wait for its answer; and a watcher of every process's
//! arguments.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

/// One request as the server read it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub target: String,
    /// Names lowercased.
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn authorization(&self) -> Option<&str> {
        self.headers.get("authorization").map(String::as_str)
    }
}

/// What the server answers.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Answer {
        Answer {
            status: 200,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
        }
    }

    pub fn status(status: u16) -> Answer {
        Answer {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn with_status(mut self, status: u16) -> Answer {
        self.status = status;
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Answer {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// A request and the environments of the marked client processes at the moment it came.
#[derive(Debug, Clone)]
pub struct Seen {
    pub request: Request,
    pub environs: Vec<String>,
}

pub struct Server {
    pub port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
}

type Handler = dyn Fn(&Request) -> Answer + Send + Sync;

impl Server {
    /// Serves `handler`; at each request it reads the environment of every process whose
    /// environment holds `marker` (the client and whatever it started).
    pub fn start(
        marker: &str,
        handler: impl Fn(&Request) -> Answer + Send + Sync + 'static,
    ) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let marker = marker.to_owned();
        {
            let seen = Arc::clone(&seen);
            thread::spawn(move || {
                for stream in listener.incoming() {
                    let Ok(stream) = stream else { continue };
                    let (seen, handler, marker) =
                        (Arc::clone(&seen), Arc::clone(&handler), marker.clone());
                    thread::spawn(move || {
                        let mut reader = BufReader::new(stream);
                        while let Some(request) = read_request(&mut reader) {
                            let environs = marked_environs(&marker);
                            let answer = handler(&request);
                            seen.lock().unwrap().push(Seen { request, environs });
                            let mut head = format!(
                                "HTTP/1.1 {} X\r\nContent-Length: {}\r\n",
                                answer.status,
                                answer.body.len()
                            );
                            for (name, value) in &answer.headers {
                                head.push_str(&format!("{name}: {value}\r\n"));
                            }
                            head.push_str("\r\n");
                            let stream = reader.get_mut();
                            if stream.write_all(head.as_bytes()).is_err()
                                || stream.write_all(&answer.body).is_err()
                            {
                                return;
                            }
                        }
                    });
                }
            });
        }
        Server { port, seen }
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn domain(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// Every `Authorization` header the server was sent.
    pub fn authorizations(&self) -> Vec<String> {
        self.seen()
            .into_iter()
            .filter_map(|s| s.request.authorization().map(str::to_owned))
            .collect()
    }
}

fn read_request(reader: &mut BufReader<std::net::TcpStream>) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let mut headers = BTreeMap::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 {
            return None;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
    }
    let mut body = Vec::new();
    if headers
        .get("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
    {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).ok()?;
            let size = usize::from_str_radix(size.trim().split(';').next()?, 16).ok()?;
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).ok()?;
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    } else {
        let length: usize = headers
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        body.resize(length, 0);
        reader.read_exact(&mut body).ok()?;
    }
    Some(Request {
        method,
        target,
        headers,
        body,
    })
}

/// The environments (NUL-separated, as /proc has them) of the processes whose environment
/// holds `marker`. bsr itself is not dumpable, so its environment cannot be read; the clients'
/// can.
fn marked_environs(marker: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        if !entry
            .file_name()
            .to_string_lossy()
            .bytes()
            .all(|b| b.is_ascii_digit())
        {
            continue;
        }
        if let Ok(environ) = std::fs::read(entry.path().join("environ")) {
            let environ = String::from_utf8_lossy(&environ).into_owned();
            if environ.contains(marker) {
                found.push(environ);
            }
        }
    }
    found
}

/// Watches every process's arguments (`/proc/<pid>/cmdline`, readable for all processes)
/// until stopped, for any of the given secrets.
pub struct ArgumentWatch {
    stop: Arc<AtomicBool>,
    thread: thread::JoinHandle<(Vec<String>, Vec<String>)>,
}

impl ArgumentWatch {
    pub fn start(secrets: &[&str]) -> ArgumentWatch {
        let secrets: Vec<String> = secrets.iter().map(|s| (*s).to_owned()).collect();
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = Arc::clone(&stop);
            thread::spawn(move || {
                let (mut leaks, mut programs) = (Vec::new(), Vec::new());
                while !stop.load(Ordering::SeqCst) {
                    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
                        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
                            continue;
                        };
                        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
                        if secrets.iter().any(|s| cmdline.contains(s.as_str())) {
                            leaks.push(cmdline.clone());
                        }
                        if let Some(program) = cmdline.split(' ').next() {
                            let name = Path::new(program)
                                .file_name()
                                .map(|n| n.to_string_lossy().into_owned())
                                .unwrap_or_default();
                            if !programs.contains(&name) {
                                programs.push(name);
                            }
                        }
                    }
                }
                (leaks, programs)
            })
        };
        ArgumentWatch { stop, thread }
    }

    /// Stops watching: fails on any leak, and returns the names of the programs seen.
    pub fn finish(self) -> Vec<String> {
        self.stop.store(true, Ordering::SeqCst);
        let (leaks, programs) = self.thread.join().unwrap();
        assert!(
            leaks.is_empty(),
            "a token in a process's arguments: {leaks:?}"
        );
        programs
    }
}
