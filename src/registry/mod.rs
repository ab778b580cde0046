//! The registry's HTTP surface. This file is the client: one configured agent per domain
//! (trust roots, proxy, timeout), one POST, and the mapping of every way a call can fail to an
//! honest message (an unreachable registry is never reported as an invalid token). The calls
//! live beside it: `user.rs` (the `GetCurrentUser` calls of login and whoami) and `device.rs`
//! (the OAuth device flow of a browser login).

use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Deserialize;
use thiserror::Error;
use ureq::tls::{Certificate, RootCerts, TlsConfig, TlsProvider};
use zeroize::Zeroizing;

use crate::config::{ChosenProxy, ClientConfig, ProxyEnv, Tls};
use crate::console::{Console, Stopped, Wait};
use crate::domain::Domain;
use crate::files::read_regular_file;
use crate::log::Logger;
use crate::roots::{CertEnv, MAX_TRUST_FILE_BYTES, system_roots};
use crate::secret::Token;
use crate::text::shown;

pub mod device;
mod user;

pub use user::{CurrentUser, UserInfo};

/// No real answer is anywhere near this; a larger one is not read.
const MAX_RESPONSE_BYTES: u64 = 1 << 20;

#[derive(Debug, Error)]
pub enum RegistryError {
    /// The registry refused the token (`unauthenticated` or `permission_denied`).
    #[error("invalid token provided for {domain}")]
    Rejected { domain: String, code: String },
    #[error("could not reach the registry at {domain}: {reason}")]
    Unreachable { domain: String, reason: String },
    /// The proxy in the environment could not be reached, or would not open the tunnel: the
    /// registry itself was never asked.
    #[error(
        "could not reach the registry at {domain} through the proxy {proxy} (from {variable}): {reason}; check {variable}, or list the registry in NO_PROXY"
    )]
    ProxyFailed {
        domain: String,
        proxy: String,
        variable: &'static str,
        reason: String,
    },
    #[error("the registry at {domain} answered with error {code}: {message}")]
    Server {
        domain: String,
        code: String,
        message: String,
    },
    #[error("the registry at {domain} sent a response bsr cannot understand: {reason}")]
    BadResponse { domain: String, reason: String },
    #[error("cannot load the trusted certificates from {path}: {reason}")]
    RootCerts { path: PathBuf, reason: String },
    #[error(
        "the registry at {domain} returned a username that {problem}, which bsr will not store or print"
    )]
    UnsafeUsername {
        domain: String,
        problem: crate::credentials::UnusableUsername,
    },
    /// Found before anything is sent: no registry takes a header this long.
    #[error(
        "the token is {length} bytes long; bsr sends tokens of at most {MAX_TOKEN_BYTES} bytes (BSR tokens are far shorter: check what was given)"
    )]
    TokenTooLong { length: usize },
    /// Ctrl-C or the deadline while waiting for an answer.
    #[error(transparent)]
    Stopped(#[from] Stopped),
}

/// The longest token bsr sends. BSR tokens are under 100 bytes; the request, headers and all,
/// must fit the client's 8 KiB output buffer.
pub const MAX_TOKEN_BYTES: usize = 4096;

/// Settings for [`Registry::new`].
#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub config: ClientConfig,
    pub proxies: ProxyEnv,
    /// `SSL_CERT_FILE` and `SSL_CERT_DIR`.
    pub certs: CertEnv,
    /// `None`: no limit (`--timeout 0`).
    pub timeout: Option<Duration>,
}

/// A client for one registry domain.
pub struct Registry {
    domain: Domain,
    agent: ureq::Agent,
    /// `https://<authority>` (or `http://` under `tls.use: "false"`).
    base: String,
    proxy: Option<ChosenProxy>,
    /// Where Buf's `config.yaml` is (or would be), for the hint about `tls.use`.
    config_file: Option<PathBuf>,
}

/// A request body and how it is framed.
pub(crate) enum Body<'a> {
    /// A Connect unary call with the JSON codec.
    Connect(&'a [u8]),
    /// Plain JSON (OAuth dynamic client registration).
    Json(&'a [u8]),
    /// `application/x-www-form-urlencoded` (the OAuth token endpoints).
    Form(&'a [u8]),
}

/// How a request on the waiting thread failed: before an answer came, or while reading it.
enum Failure {
    Send(ureq::Error),
    Read(u16, ureq::Error),
}

/// What came back from one POST.
pub(crate) struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
    location: Option<String>,
}

#[derive(Deserialize)]
struct ConnectError {
    code: Option<String>,
    message: Option<String>,
}

impl Registry {
    pub fn new(domain: &Domain, options: &ClientOptions) -> Result<Registry, RegistryError> {
        let https = options.config.tls != Tls::Disabled;
        let scheme = if https { "https" } else { "http" };
        let base = format!("{scheme}://{}", domain.authority());
        let proxy = options
            .proxies
            .proxy_for(https, domain.host(), domain.port());
        let proxy_config = match &proxy {
            None => None,
            Some(proxy) => {
                Some(
                    ureq_proxy(proxy).map_err(|reason| RegistryError::ProxyFailed {
                        domain: domain.to_string(),
                        proxy: shown(&redact_userinfo(&proxy.url)),
                        variable: proxy.variable,
                        reason,
                    })?,
                )
            }
        };
        let mut config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(options.timeout)
            // ureq zero-fills 128 KiB buffers each way by default, a quarter of bsr's
            // instructions and dozens of page faults for an answer of a few hundred bytes.
            .max_response_header_size(32 * 1024)
            .input_buffer_size(32 * 1024)
            .output_buffer_size(8 * 1024)
            .user_agent(concat!("bsr/", env!("CARGO_PKG_VERSION")))
            .proxy(proxy_config);
        if let Tls::Enabled {
            system_roots,
            root_cert_files,
        } = &options.config.tls
        {
            config = config.tls_config(tls_config(
                system_roots.then_some(&options.certs),
                root_cert_files,
            )?);
        }
        Ok(Registry {
            domain: domain.clone(),
            agent: config.build().new_agent(),
            base,
            proxy,
            config_file: options.config.source.clone(),
        })
    }

    /// The domain this client talks to.
    pub fn domain(&self) -> &Domain {
        &self.domain
    }

    /// POSTs `body` to `path` on the registry host, with the token as a Bearer credential if
    /// one is given, and reads the answer (at most 1 MiB; a redirect is refused, never
    /// followed). The request runs on a thread of its own that the console waits on, so that
    /// Ctrl-C and the deadline end the wait at once ([`Console::wait`]); `progress` is what a
    /// terminal shows when it takes over a second. `--debug` logs the method, URL, status and
    /// duration, never a body or token.
    pub(crate) fn post(
        &self,
        path: &str,
        body: Body<'_>,
        bearer: Option<&Token>,
        console: &Console,
        progress: &str,
    ) -> Result<Answer, RegistryError> {
        let url = format!("{}{path}", self.base);
        let started = Instant::now();
        let (content_type, connect, body) = match body {
            Body::Connect(body) => ("application/json", true, body),
            Body::Json(body) => ("application/json", false, body),
            Body::Form(body) => ("application/x-www-form-urlencoded", false, body),
        };
        // The thread owns copies; the token's is wiped when the thread is done with it.
        let body = Zeroizing::new(body.to_vec());
        let credential = bearer.map(|token| Zeroizing::new(format!("Bearer {}", token.expose())));
        let agent = self.agent.clone();
        let target = url.clone();
        let waiting_for = format!("the registry at {}", self.domain);
        let wait = Wait {
            progress,
            waiting_for: &waiting_for,
        };
        let outcome = console.wait(wait, move || {
            let mut request = agent
                .post(&target)
                .header("Accept", "application/json")
                .header("Content-Type", content_type);
            if connect {
                request = request.header("Connect-Protocol-Version", "1");
            }
            if let Some(credential) = &credential {
                request = request.header("Authorization", credential.as_str());
            }
            let mut response = request.send(&body[..]).map_err(Failure::Send)?;
            let status = response.status().as_u16();
            let location = response
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let body = response
                .body_mut()
                .with_config()
                .limit(MAX_RESPONSE_BYTES)
                .read_to_vec()
                .map_err(|e| Failure::Read(status, e))?;
            Ok(Answer {
                status,
                body,
                location,
            })
        })?;
        let elapsed = started.elapsed();
        let authorization = if bearer.is_some() {
            "Bearer [REDACTED]"
        } else {
            "none"
        };
        let log = console.log();
        let answer = match outcome {
            Ok(answer) => answer,
            Err(Failure::Send(error)) => {
                log.debug(
                    "request failed",
                    &[
                        ("method", "POST"),
                        ("url", &url),
                        ("authorization", authorization),
                        ("error", &error.to_string()),
                        ("duration", &format!("{elapsed:.1?}")),
                    ],
                );
                return Err(self.transport_error(error));
            }
            Err(Failure::Read(status, error)) => {
                self.log_request(log, &url, authorization, status, elapsed);
                return Err(match error {
                    // The deadline or the connection gave out while the answer came: a
                    // transport failure like any other, not a strange answer.
                    ureq::Error::Timeout(_) | ureq::Error::Io(_) => self.transport_error(error),
                    other => self.bad_response(format!("cannot read the response body: {other}")),
                });
            }
        };
        let status = answer.status;
        self.log_request(log, &url, authorization, status, elapsed);
        if (300..400).contains(&status) {
            return Err(self.bad_response(format!(
                "it redirected (HTTP {status}) to {}; bsr does not follow redirects {}",
                answer
                    .location
                    .as_deref()
                    .map_or("nowhere".to_owned(), shown),
                if bearer.is_some() {
                    "with a token"
                } else {
                    "with credentials"
                }
            )));
        }
        Ok(answer)
    }

    fn log_request(
        &self,
        log: &Logger,
        url: &str,
        authorization: &str,
        status: u16,
        elapsed: Duration,
    ) {
        log.debug(
            "request",
            &[
                ("method", "POST"),
                ("url", url),
                ("authorization", authorization),
                (
                    "proxy",
                    &self
                        .proxy
                        .as_ref()
                        .map_or("none".to_owned(), |p| redact_userinfo(&p.url)),
                ),
                ("status", &status.to_string()),
                ("duration", &format!("{elapsed:.1?}")),
            ],
        );
    }

    /// An HTTPS request answered in plain HTTP: the fix is Buf's `tls.use: "false"`, not a CA.
    fn plain_http_hint(&self) -> String {
        let file = self.config_file.as_ref().map_or_else(
            || "Buf's config.yaml".to_owned(),
            |path| path.display().to_string(),
        );
        format!(
            "it answered in plain HTTP, not TLS; if this registry serves http://, set tls.use: \"false\" in {file}"
        )
    }

    pub(crate) fn bad_response(&self, reason: String) -> RegistryError {
        RegistryError::BadResponse {
            domain: self.domain.to_string(),
            reason,
        }
    }

    /// A Connect error: the JSON body's code when there is one, else the code the HTTP status
    /// maps to in the Connect protocol.
    pub(crate) fn connect_error(&self, status: u16, body: &[u8]) -> RegistryError {
        let parsed: Option<ConnectError> = serde_json::from_slice(body).ok();
        let (code, message) = match parsed {
            Some(ConnectError {
                code: Some(code),
                message,
            }) => (code, message.unwrap_or_default()),
            _ => (code_for_status(status).to_owned(), format!("HTTP {status}")),
        };
        let domain = self.domain.to_string();
        // Whatever the registry says is shown with its control characters escaped and cut to
        // a sane length: a hostile one could otherwise retitle or clear the user's terminal.
        let (code, message) = (shown(&code), shown(&message));
        match code.as_str() {
            "unauthenticated" | "permission_denied" => RegistryError::Rejected { domain, code },
            "unavailable" => RegistryError::Unreachable {
                domain,
                reason: if message.is_empty() {
                    "it is unavailable".to_owned()
                } else {
                    format!("it is unavailable ({message})")
                },
            },
            _ => RegistryError::Server {
                domain,
                code,
                message: if message.is_empty() {
                    format!("HTTP {status}")
                } else {
                    message
                },
            },
        }
    }

    fn transport_error(&self, error: ureq::Error) -> RegistryError {
        // Through an HTTP proxy bsr neither resolves nor connects to the registry itself: a
        // name that does not resolve or a connection that fails is the proxy's.
        if let Some(proxy) = &self.proxy {
            let reason = match &error {
                ureq::Error::HostNotFound => Some("its host name could not be resolved".to_owned()),
                ureq::Error::ConnectionFailed => Some("the connection to it failed".to_owned()),
                ureq::Error::Io(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
                    Some("it refused the connection".to_owned())
                }
                ureq::Error::ConnectProxyFailed(e) => {
                    Some(format!("it would not open a tunnel ({})", shown(e)))
                }
                _ => None,
            };
            if let Some(reason) = reason {
                return RegistryError::ProxyFailed {
                    domain: self.domain.to_string(),
                    proxy: shown(&redact_userinfo(&proxy.url)),
                    variable: proxy.variable,
                    reason,
                };
            }
        }
        let reason = match &error {
            ureq::Error::Timeout(_) => "the request timed out (see --timeout)".to_owned(),
            ureq::Error::HostNotFound => "the host name could not be resolved".to_owned(),
            ureq::Error::ConnectionFailed => "the connection failed".to_owned(),
            ureq::Error::Io(e) if e.get_ref().is_some_and(|inner| inner.is::<rustls::Error>()) => {
                match e
                    .get_ref()
                    .and_then(|inner| inner.downcast_ref::<rustls::Error>())
                {
                    Some(tls) if speaks_plain_http(tls) => self.plain_http_hint(),
                    _ => tls_failure(e),
                }
            }
            ureq::Error::Io(e) => match e.kind() {
                io::ErrorKind::ConnectionRefused => "the connection was refused".to_owned(),
                io::ErrorKind::TimedOut => "the request timed out (see --timeout)".to_owned(),
                io::ErrorKind::ConnectionReset | io::ErrorKind::UnexpectedEof => {
                    "the connection was closed before an answer came".to_owned()
                }
                _ => shown(&e.to_string()),
            },
            ureq::Error::Tls(e) => tls_failure(e),
            ureq::Error::Rustls(e) if speaks_plain_http(e) => self.plain_http_hint(),
            ureq::Error::Rustls(e) => tls_failure(e),
            other => shown(&other.to_string()),
        };
        RegistryError::Unreachable {
            domain: self.domain.to_string(),
            reason,
        }
    }
}

/// The proxy as ureq takes it. Go reads a proxy without a scheme as `http://`, and speaks
/// HTTP(S) CONNECT and SOCKS5; bsr's client speaks the first two, and says so about the other
/// rather than go around the proxy.
fn ureq_proxy(proxy: &ChosenProxy) -> Result<ureq::Proxy, String> {
    let url = if proxy.url.contains("://") {
        proxy.url.clone()
    } else {
        format!("http://{}", proxy.url)
    };
    let scheme = url
        .split("://")
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Err(format!(
            "bsr speaks to http:// and https:// proxies, not {scheme}://"
        ));
    }
    ureq::Proxy::new(&url).map_err(|e| format!("the setting is not a valid proxy URL ({e})"))
}

/// A proxy URL with any `user:password@` replaced, fit for logs and errors.
fn redact_userinfo(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (format!("{scheme}://"), rest),
        None => (String::new(), url),
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}[REDACTED]@{}", &rest[at + 1..]),
        None => url.to_owned(),
    }
}

/// What rustls says when the first bytes back are no TLS record: `HTTP/1.1 400 …` from a
/// server that speaks plain HTTP.
fn speaks_plain_http(error: &rustls::Error) -> bool {
    matches!(
        error,
        rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType)
    )
}

fn tls_failure(error: &dyn std::fmt::Display) -> String {
    format!(
        "TLS failed: {error} (a registry with a private CA needs it in tls.root_cert_file_paths of Buf's config.yaml, or in SSL_CERT_FILE)"
    )
}

/// The Connect protocol's mapping of an HTTP status to an error code, for error responses
/// without a Connect JSON body (a proxy's or load balancer's page, say).
fn code_for_status(status: u16) -> &'static str {
    match status {
        400 => "internal",
        401 => "unauthenticated",
        403 => "permission_denied",
        404 => "unimplemented",
        429 | 502 | 503 | 504 => "unavailable",
        _ => "unknown",
    }
}

/// The trust roots: the system's (`SSL_CERT_FILE` and `SSL_CERT_DIR` honoured, as curl and Go
/// honour them) when `system` is given, and the config's files.
fn tls_config(system: Option<&CertEnv>, files: &[PathBuf]) -> Result<TlsConfig, RegistryError> {
    let mut roots: Vec<Certificate<'static>> = Vec::new();
    if let Some(env) = system {
        let system = system_roots(env).map_err(|e| RegistryError::RootCerts {
            path: e.path,
            reason: e.reason,
        })?;
        roots.extend(
            system
                .iter()
                .map(|der| Certificate::from_der(der).to_owned()),
        );
    }
    for path in files {
        let root_error = |reason: String| RegistryError::RootCerts {
            path: path.clone(),
            reason,
        };
        let (pem, _) =
            read_regular_file(path, MAX_TRUST_FILE_BYTES).map_err(|e| root_error(e.to_string()))?;
        let before = roots.len();
        for item in ureq::tls::parse_pem(&pem) {
            match item.map_err(|e| root_error(e.to_string()))? {
                ureq::tls::PemItem::Certificate(cert) => roots.push(cert),
                _ => continue,
            }
        }
        if roots.len() == before {
            return Err(root_error("the file holds no PEM certificate".to_owned()));
        }
    }
    Ok(TlsConfig::builder()
        .provider(TlsProvider::Rustls)
        .unversioned_rustls_crypto_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .root_certs(RootCerts::Specific(Arc::new(roots)))
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_userinfo_is_redacted() {
        assert_eq!(
            redact_userinfo("http://bob:s3cret@proxy.example:3128"),
            "http://[REDACTED]@proxy.example:3128"
        );
        assert_eq!(
            redact_userinfo("bob:pw@host:1/x@y"),
            "[REDACTED]@host:1/x@y"
        );
        assert_eq!(redact_userinfo("http://proxy:3128"), "http://proxy:3128");
    }

    #[test]
    fn status_codes_map_as_connect_defines() {
        assert_eq!(code_for_status(401), "unauthenticated");
        assert_eq!(code_for_status(403), "permission_denied");
        assert_eq!(code_for_status(503), "unavailable");
        assert_eq!(code_for_status(500), "unknown");
    }
}
