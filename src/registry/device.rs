//! Browser login: the OAuth 2.0 device authorization grant (RFC 8628) on the registry host, as
//! Buf 1.75 runs it: register a client, ask for a device code, then poll for the access token
//! while the user approves in a browser.
//!
//! The device code, the client secret and the access token are [`Token`]s: never shown, logged
//! or put in an error. Whatever else the registry sends is checked before it is used (the
//! verification URI must be http(s) and printable) and escaped where it is shown.

use std::time::{Duration, Instant};

use serde::Deserialize;
use serde::de::DeserializeOwned;
use thiserror::Error;
use zeroize::Zeroizing;

use crate::console::{Console, Stopped, Wait};
use crate::credentials::{self, InvalidToken};
use crate::registry::{Answer, Body, Registry, RegistryError};
use crate::secret::Token;
use crate::text::shown;

const REGISTRATION: &str = "/oauth2/device/registration";
const AUTHORIZATION: &str = "/oauth2/device/authorization";
const TOKEN: &str = "/oauth2/device/token";
const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// RFC 8628's default polling interval, used when the registry sends none (or 0).
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);
/// The longest first interval bsr accepts: a registry asking for more is misconfigured, and
/// the user would sit waiting long after approving.
pub const MAX_INTERVAL: Duration = Duration::from_secs(30);
/// What `slow_down` adds to the interval (RFC 8628, section 3.5).
const SLOW_DOWN: Duration = Duration::from_secs(5);
/// How long a device code lives when the registry does not say.
const DEFAULT_EXPIRY: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Error)]
pub enum DeviceError {
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error(
        "oauth2: invalid verification URI scheme: the registry at {domain} sent {uri}, which is not an http or https URL; nothing was opened"
    )]
    InvalidVerificationUri { domain: String, uri: String },
    #[error("authorization failed: the user denied the request")]
    Denied,
    #[error("authorization failed: the device code has expired; run the login again")]
    Expired,
    #[error("authorization failed: {error}{description}")]
    OAuth { error: String, description: String },
    #[error(
        "the registry at {domain} asks to be polled every {seconds} s, more than the {} s bsr waits; check the registry's OAuth settings",
        MAX_INTERVAL.as_secs()
    )]
    IntervalTooLong { domain: String, seconds: u64 },
    #[error("the registry at {domain} sent an access token bsr cannot store: {source}")]
    BadAccessToken {
        domain: String,
        #[source]
        source: InvalidToken,
    },
    /// Ctrl-C or the deadline while waiting: nothing more is sent or written.
    #[error(transparent)]
    Stopped(#[from] Stopped),
}

/// The OAuth client the registry registered for this login.
pub struct Client {
    id: String,
    secret: Option<Token>,
}

/// A device code and what the user is shown to approve it.
pub struct Authorization {
    device_code: Token,
    /// The code the user checks against the page, where the registry sends one (printable
    /// and short: escaped and cut when shown).
    pub user_code: Option<String>,
    /// `verification_uri_complete`, else `verification_uri`: an http(s) URL of printable
    /// ASCII, safe to print and to hand to a browser.
    pub url: String,
    expires_at: Instant,
    interval: Duration,
}

#[derive(Deserialize)]
struct RegistrationResponse {
    #[serde(default)]
    client_id: String,
    client_secret: Option<String>,
}

#[derive(Deserialize)]
struct AuthorizationResponse {
    #[serde(default)]
    device_code: String,
    user_code: Option<String>,
    #[serde(default)]
    verification_uri: String,
    verification_uri_complete: Option<String>,
    expires_in: Option<u64>,
    interval: Option<u64>,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// Registers a client named `client_name` (the machine's name, as Buf sends it). `None` when
/// the registry does not offer browser login: a 404, 405 or 501, or an answer that is not JSON.
pub fn register(
    registry: &Registry,
    client_name: &str,
    console: &Console,
) -> Result<Option<Client>, DeviceError> {
    let body = serde_json::json!({ "client_name": client_name }).to_string();
    let progress = format!("Asking {} for a browser login…", registry.domain());
    let answer = registry.post(
        REGISTRATION,
        Body::Json(body.as_bytes()),
        None,
        console,
        &progress,
    )?;
    if matches!(answer.status, 404 | 405 | 501) {
        return Ok(None);
    }
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(&answer.body) else {
        return Ok(None);
    };
    let ok = (200..300).contains(&answer.status);
    let response: RegistrationResponse =
        decode(registry, &answer, json, ok, "the client registration")?;
    if response.client_id.is_empty() {
        return Err(registry
            .bad_response("the client registration has no client_id".to_owned())
            .into());
    }
    Ok(Some(Client {
        id: response.client_id,
        secret: response
            .client_secret
            .filter(|s| !s.is_empty())
            .map(Token::new),
    }))
}

/// Asks for a device code and checks what the user will be shown.
pub fn authorize(
    registry: &Registry,
    client: &Client,
    console: &Console,
) -> Result<Authorization, DeviceError> {
    let body = form(&client_fields(client));
    let progress = format!("Asking {} for a device code…", registry.domain());
    let answer = registry.post(
        AUTHORIZATION,
        Body::Form(body.as_bytes()),
        None,
        console,
        &progress,
    )?;
    let json: serde_json::Value = serde_json::from_slice(&answer.body).map_err(|e| {
        registry.bad_response(format!("the device authorization is not JSON ({e})"))
    })?;
    let ok = answer.status == 200;
    let response: AuthorizationResponse =
        decode(registry, &answer, json, ok, "the device authorization")?;
    if response.device_code.is_empty() {
        return Err(registry
            .bad_response("the device authorization has no device_code".to_owned())
            .into());
    }
    let domain = registry.domain().to_string();
    let check = |uri: &str| -> Result<(), DeviceError> {
        if is_safe_http_url(uri) {
            Ok(())
        } else {
            Err(DeviceError::InvalidVerificationUri {
                domain: domain.clone(),
                uri: format!("{:?}", shown(uri)),
            })
        }
    };
    check(&response.verification_uri)?;
    let url = match response.verification_uri_complete.filter(|u| !u.is_empty()) {
        Some(complete) => {
            check(&complete)?;
            complete
        }
        None => response.verification_uri,
    };
    let interval = match response.interval {
        None | Some(0) => DEFAULT_INTERVAL,
        Some(seconds) if seconds > MAX_INTERVAL.as_secs() => {
            return Err(DeviceError::IntervalTooLong { domain, seconds });
        }
        Some(seconds) => Duration::from_secs(seconds),
    };
    let lifetime = match response.expires_in {
        None | Some(0) => DEFAULT_EXPIRY,
        Some(seconds) => Duration::from_secs(seconds.min(24 * 3600)),
    };
    Ok(Authorization {
        device_code: Token::new(response.device_code),
        user_code: response
            .user_code
            .filter(|c| !c.is_empty())
            .map(|c| shown(&c)),
        url,
        expires_at: Instant::now() + lifetime,
        interval,
    })
}

/// Polls for the access token until the user approves, denies or the code expires. The pauses
/// and the polls are waits on the console: Ctrl-C or the deadline ends them at once, and then
/// nothing more is sent.
pub fn wait_for_token(
    registry: &Registry,
    client: &Client,
    authorization: &Authorization,
    console: &Console,
) -> Result<Token, DeviceError> {
    let wait = Wait {
        // The login has said that it waits for the browser; the polls add nothing to that.
        progress: "",
        waiting_for: "the authorization in the browser",
    };
    let mut fields = client_fields(client);
    fields.push(("device_code", authorization.device_code.expose()));
    fields.push(("grant_type", GRANT_TYPE));
    let body = form(&fields);
    let mut interval = authorization.interval;
    loop {
        if Instant::now() + interval > authorization.expires_at {
            // Sleeping out the rest would only end in `expired_token`.
            return Err(DeviceError::Expired);
        }
        console.pause(interval, wait)?;
        let answer = registry.post(TOKEN, Body::Form(body.as_bytes()), None, console, "")?;
        let json: serde_json::Value = serde_json::from_slice(&answer.body)
            .map_err(|_| registry.connect_error(answer.status, &answer.body))?;
        let response: TokenResponse = serde_json::from_value(json.clone()).map_err(|e| {
            registry.bad_response(format!("the token response is not the expected JSON ({e})"))
        })?;
        // Any body with an `error` is an OAuth error, whatever the status says.
        match response.error.as_deref() {
            Some("authorization_pending") => continue,
            Some("slow_down") => {
                interval += SLOW_DOWN;
                continue;
            }
            Some("access_denied") => return Err(DeviceError::Denied),
            Some("expired_token") => return Err(DeviceError::Expired),
            Some(error) => {
                return Err(DeviceError::OAuth {
                    error: shown(error),
                    description: response
                        .error_description
                        .filter(|d| !d.is_empty())
                        .map(|d| format!(" ({})", shown(&d)))
                        .unwrap_or_default(),
                });
            }
            None => {}
        }
        if answer.status != 200 {
            return Err(registry.connect_error(answer.status, &answer.body).into());
        }
        let Some(access_token) = response.access_token.map(Zeroizing::new) else {
            return Err(registry
                .bad_response("the token response has no access_token".to_owned())
                .into());
        };
        return credentials::parse_token(&access_token).map_err(|source| {
            DeviceError::BadAccessToken {
                domain: registry.domain().to_string(),
                source,
            }
        });
    }
}

fn client_fields(client: &Client) -> Vec<(&'static str, &str)> {
    let mut fields = vec![("client_id", client.id.as_str())];
    if let Some(secret) = &client.secret {
        fields.push(("client_secret", secret.expose()));
    }
    fields
}

/// `application/x-www-form-urlencoded`, in a buffer wiped when dropped (it holds secrets).
fn form(fields: &[(&str, &str)]) -> Zeroizing<String> {
    // Sized for the worst case (every byte percent-encoded), so that no regrowth leaves a
    // copy of a secret behind.
    let size = fields
        .iter()
        .map(|(name, value)| (name.len() + value.len()) * 3 + 2)
        .sum();
    let mut out = Zeroizing::new(String::with_capacity(size));
    for (i, (name, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        encode_into(&mut out, name);
        out.push('=');
        encode_into(&mut out, value);
    }
    out
}

fn encode_into(out: &mut String, text: &str) {
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(byte));
            }
            b' ' => out.push('+'),
            _ => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.push('%');
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 0xf)]));
            }
        }
    }
}

/// A JSON answer read as `T` when its status is `ok`; otherwise the error it carries. `what`
/// names the answer in errors.
fn decode<T: DeserializeOwned>(
    registry: &Registry,
    answer: &Answer,
    json: serde_json::Value,
    ok: bool,
    what: &str,
) -> Result<T, RegistryError> {
    if !ok {
        return Err(oauth_or_connect_error(
            registry,
            answer.status,
            &answer.body,
            &json,
        ));
    }
    serde_json::from_value(json)
        .map_err(|e| registry.bad_response(format!("{what} is not the expected JSON ({e})")))
}

/// An error answer: OAuth's `{"error": …}` where there is one, else the Connect reading of it.
fn oauth_or_connect_error(
    registry: &Registry,
    status: u16,
    body: &[u8],
    json: &serde_json::Value,
) -> RegistryError {
    match json.get("error").and_then(|e| e.as_str()) {
        Some(error) => RegistryError::Server {
            domain: registry.domain().to_string(),
            code: shown(error),
            message: json
                .get("error_description")
                .and_then(|d| d.as_str())
                .map_or_else(|| format!("HTTP {status}"), shown),
        },
        None => registry.connect_error(status, body),
    }
}

/// An `http://` or `https://` URL with a host, of printable ASCII only: what may be printed on
/// a terminal and passed to a browser opener as one argument.
fn is_safe_http_url(uri: &str) -> bool {
    let lower = uri.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    rest.is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'))
        && uri.len() <= 2048
        && uri.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verification_uris_must_be_plain_http_urls() {
        assert!(is_safe_http_url("https://buf.build/device?code=AB-CD"));
        assert!(is_safe_http_url("HTTP://127.0.0.1:8080/x"));
        for bad in [
            "javascript:alert(1)",
            "file:///etc/passwd",
            "https://",
            "https:///path",
            "https://evil.example/\u{1b}]0;x\u{7}",
            "https://a.example/ b",
            "-https://a.example",
            "https://a.example/\u{202e}",
        ] {
            assert!(!is_safe_http_url(bad), "{bad:?}");
        }
    }

    #[test]
    fn forms_are_url_encoded() {
        let body = form(&[("client_id", "a b&c"), ("x", "é/~")]);
        assert_eq!(body.as_str(), "client_id=a+b%26c&x=%C3%A9%2F~");
    }
}
