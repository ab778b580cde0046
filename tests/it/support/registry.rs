//! A Connect registry on 127.0.0.1, started inside the test: it records every request and
//! answers with a scripted reply. It also serves as an HTTP proxy (`CONNECT` tunnels), so
//! `bsr registry login` against the default `buf.build` can be tested through `HTTP_PROXY`.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// The request target: a path, or an absolute URL when it came through as a proxy.
    pub target: String,
    /// Header names lowercased.
    pub headers: BTreeMap<String, String>,
    pub body: String,
    /// The `CONNECT` target when the request came through a proxy tunnel.
    pub tunnel: Option<String>,
    /// When the request had been read (the browser tests, Unix-only, time the polls).
    #[cfg_attr(not(unix), allow(dead_code))]
    pub at: std::time::Instant,
}

/// What the server answers.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub delay: Duration,
    pub extra_headers: Vec<(String, String)>,
}

impl Reply {
    /// A `GetCurrentUser` answer that both APIs read: the alpha `username` and the v1 `name`,
    /// `type` and `state`.
    pub fn user(username: &str) -> Reply {
        Reply::json(
            200,
            &format!(
                r#"{{"user":{{"id":"u1","username":"{username}","name":"{username}","createTime":"2024-01-01T00:00:00Z","type":"USER_TYPE_STANDARD","state":"USER_STATE_ACTIVE"}}}}"#
            ),
        )
    }

    pub fn json(status: u16, body: &str) -> Reply {
        Reply {
            status,
            body: body.to_owned(),
            delay: Duration::ZERO,
            extra_headers: Vec::new(),
        }
    }

    pub fn error(status: u16, code: &str, message: &str) -> Reply {
        Reply::json(
            status,
            &format!(r#"{{"code":"{code}","message":"{message}"}}"#),
        )
    }

    pub fn delayed(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.extra_headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

pub struct Registry {
    pub port: u16,
    requests: Arc<Mutex<Vec<Request>>>,
}

/// A stream the server can read and write: plain TCP, or TLS over it.
pub trait Stream: Read + Write + Send {}
impl<T: Read + Write + Send> Stream for T {}

impl Registry {
    pub fn start(reply: Reply) -> Registry {
        Registry::start_with(reply, |tcp| Some(Box::new(tcp) as Box<dyn Stream>))
    }

    /// A registry that knows `users` (token, username) and answers `unauthenticated` to any
    /// other token, as the real one does.
    pub fn with_users(users: &[(&str, &str)]) -> Registry {
        let users: Vec<(String, String)> = users
            .iter()
            .map(|(token, user)| (format!("Bearer {token}"), (*user).to_owned()))
            .collect();
        Registry::serve_with(
            move |request| {
                if let Some(reply) = no_browser_login(request) {
                    return reply;
                }
                let auth = request.headers.get("authorization");
                match users.iter().find(|(bearer, _)| Some(bearer) == auth) {
                    Some((_, user)) => Reply::user(user),
                    None => Reply::error(401, "unauthenticated", "invalid token"),
                }
            },
            |tcp| Some(Box::new(tcp) as Box<dyn Stream>),
        )
    }

    /// Starts a server whose connections go through `wrap` (a TLS handshake, say); `wrap`
    /// returns `None` for a connection it rejects.
    pub fn start_with(
        reply: Reply,
        wrap: impl Fn(TcpStream) -> Option<Box<dyn Stream>> + Send + Sync + 'static,
    ) -> Registry {
        Registry::serve_with(
            move |request| no_browser_login(request).unwrap_or_else(|| reply.clone()),
            wrap,
        )
    }

    /// A registry whose answer depends on the request (its path, its body).
    pub fn serve(reply: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Registry {
        Registry::serve_with(reply, |tcp| Some(Box::new(tcp) as Box<dyn Stream>))
    }

    fn serve_with(
        reply: impl Fn(&Request) -> Reply + Send + Sync + 'static,
        wrap: impl Fn(TcpStream) -> Option<Box<dyn Stream>> + Send + Sync + 'static,
    ) -> Registry {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let reply: Arc<Responder> = Arc::new(reply);
        let wrap = Arc::new(wrap);
        {
            let requests = Arc::clone(&requests);
            let reply = Arc::clone(&reply);
            thread::spawn(move || {
                for tcp in listener.incoming() {
                    let Ok(tcp) = tcp else { continue };
                    let requests = Arc::clone(&requests);
                    let reply = Arc::clone(&reply);
                    let wrap = Arc::clone(&wrap);
                    thread::spawn(move || {
                        if let Some(stream) = wrap(tcp) {
                            serve(stream, &requests, reply.as_ref());
                        }
                    });
                }
            });
        }
        Registry { port, requests }
    }

    /// The domain `bsr` is given to reach this server.
    pub fn domain(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

/// The scripted registries know only the Connect calls, as registries before browser login
/// did: the OAuth endpoints answer 404 (tests/it/browser.rs scripts them).
fn no_browser_login(request: &Request) -> Option<Reply> {
    request
        .target
        .starts_with("/oauth2/")
        .then(|| Reply::json(404, "404 page not found"))
}

type Responder = dyn Fn(&Request) -> Reply + Send + Sync;

fn serve(stream: Box<dyn Stream>, requests: &Mutex<Vec<Request>>, reply: &Responder) {
    let mut reader = BufReader::new(stream);
    let mut tunnel = None;
    loop {
        match serve_one(&mut reader, requests, reply, &mut tunnel) {
            Some(true) => continue,
            _ => return,
        }
    }
}

/// Serves one request; `Some(true)` when it opened a proxy tunnel and the real request follows.
fn serve_one(
    reader: &mut BufReader<Box<dyn Stream>>,
    requests: &Mutex<Vec<Request>>,
    reply: &Responder,
    tunnel: &mut Option<String>,
) -> Option<bool> {
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();
    let mut headers = BTreeMap::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 {
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
    if method == "CONNECT" {
        *tunnel = Some(target);
        let stream = reader.get_mut();
        stream
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .ok()?;
        return Some(true);
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let request = Request {
        method,
        target,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        tunnel: tunnel.clone(),
        at: std::time::Instant::now(),
    };
    let reply = reply(&request);
    requests.lock().unwrap().push(request);
    thread::sleep(reply.delay);
    let mut response = format!(
        "HTTP/1.1 {} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        reply.status,
        reply.body.len()
    );
    for (name, value) in &reply.extra_headers {
        response.push_str(&format!("{name}: {value}\r\n"));
    }
    response.push_str("\r\n");
    response.push_str(&reply.body);
    let stream = reader.get_mut();
    let _ = stream.write_all(response.as_bytes());
    let _ = stream.flush();
    Some(false)
}
