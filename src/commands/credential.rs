//! `bsr registry credential cargo|git`: the one login handed to cargo and git by their own
//! credential protocols, only for an exact host that has a credential, never from `default`.
//!
//! cargo gets a credential provider in cargo's versioned JSON protocol (`{"v":[1]}`), not
//! `cargo:token-from-stdout`: the protocol names the index in each request, so bsr answers only
//! for a BSR registry and says `url-not-supported` or `not-found` otherwise, which lets cargo
//! ask its next provider (any failure of a `token-from-stdout` program stops cargo), and it
//! lets bsr answer cargo's login and logout with what to run instead.

use std::io::{BufRead, Read, Write};

use serde_json::{Value, json};
use zeroize::Zeroizing;

use super::CommandError;
use super::handover::Credentials;
use crate::domain::Domain;

/// The most bytes of one request bsr reads (git's and cargo's are a few hundred).
const REQUEST_LIMIT: u64 = 64 * 1024;

/// Where the BSR serves its Cargo registry on a host.
const CARGO_INDEX_PATH: &str = "/gen/cargo/";

/// The arguments a `credential-provider` entry may give bsr (cargo passes them in the request,
/// not on the command line, which is only `--cargo-plugin`).
const CARGO_ARGS: [&str; 3] = ["registry", "credential", "cargo"];

/// Serves cargo: the hello, then one answer per request line, until cargo closes stdin.
pub fn cargo(
    credentials: &Credentials<'_>,
    scheme: &str,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<(), CommandError> {
    let mut send = |answer: &str| -> Result<(), CommandError> {
        out.write_all(answer.as_bytes())
            .and_then(|()| out.write_all(b"\n"))
            .and_then(|()| out.flush())
            .map_err(CommandError::TokenNotWritten)
    };
    send(r#"{"v":[1]}"#)?;
    loop {
        let mut line = String::new();
        let read = input
            .take(REQUEST_LIMIT)
            .read_line(&mut line)
            .map_err(|e| CommandError::RequestUnreadable(e.to_string()))?;
        if read == 0 {
            return Ok(());
        }
        if line.trim().is_empty() {
            continue;
        }
        let answer = Zeroizing::new(cargo_answer(credentials, scheme, &line)?);
        send(&answer)?;
    }
}

/// cargo's `Err` answer: `kind` alone, or with a message cargo shows the user.
fn cargo_error(kind: &str, message: Option<String>) -> String {
    let mut error = json!({ "kind": kind });
    if let Some(message) = message {
        error["message"] = Value::from(message);
        error["caused-by"] = json!([]);
    }
    json!({ "Err": error }).to_string()
}

/// The answer to one request line.
fn cargo_answer(
    credentials: &Credentials<'_>,
    scheme: &str,
    line: &str,
) -> Result<String, CommandError> {
    let other = |message: String| Ok(cargo_error("other", Some(message)));
    let Ok(request) = serde_json::from_str::<Value>(line) else {
        return other("bsr could not read cargo's request (not JSON)".to_owned());
    };
    if request["v"] != 1 {
        return other(format!(
            "bsr speaks version 1 of cargo's credential protocol, not {}",
            request["v"]
        ));
    }
    let args: Vec<&str> = request["args"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if !args.is_empty() && args != CARGO_ARGS {
        return other(format!(
            "unexpected arguments {args:?} for bsr; the provider is `bsr registry credential cargo`"
        ));
    }
    let Some(domain) = request["registry"]["index-url"]
        .as_str()
        .and_then(|url| bsr_index_domain(url, scheme))
    else {
        return Ok(cargo_error("url-not-supported", None));
    };
    match request["kind"].as_str() {
        // A netrc that cannot be read is said in the protocol, where cargo shows it; an exit
        // status would only make cargo report that bsr failed.
        Some("get") => match credentials.find(&domain) {
            Err(error) => other(error.to_string()),
            Ok(Ok(handed)) => {
                let token = Zeroizing::new(format!("Bearer {}", handed.token.expose()));
                Ok(json!({ "Ok": {
                    "kind": "get",
                    "token": token.as_str(),
                    "cache": "session",
                    "operation_independent": true,
                }})
                .to_string())
            }
            Ok(Err(_)) => Ok(cargo_error("not-found", None)),
        },
        // `other`, not `operation-not-supported`: cargo shows only the former's message.
        Some("login") => Ok(cargo_error(
            "other",
            Some(format!(
                "bsr hands cargo the token of your BSR login and stores none of its own; run `bsr registry login {domain}` instead"
            )),
        )),
        Some("logout") => Ok(cargo_error(
            "other",
            Some(format!(
                "bsr hands cargo the token of your BSR login and stores none of its own; run `bsr registry logout {domain}` instead"
            )),
        )),
        _ => Ok(cargo_error("operation-not-supported", None)),
    }
}

/// The registry host of a sparse index on a BSR (`sparse+https://buf.build/gen/cargo/`), in
/// the scheme bsr uses for it; `None` for any other index.
fn bsr_index_domain(url: &str, scheme: &str) -> Option<Domain> {
    let rest = url.strip_prefix("sparse+")?.strip_prefix(scheme)?;
    let rest = rest.strip_prefix("://")?;
    let (authority, path) = rest.split_at(rest.find('/')?);
    // A user name in the URL would make the host something else than it looks.
    if authority.contains('@') || !path.starts_with(CARGO_INDEX_PATH) {
        return None;
    }
    Domain::parse(authority).ok()
}

/// Serves git: `get` answers `username` and `password` for an exact host of the registry's
/// scheme that has a credential and nothing otherwise (exit 1, so git asks its next helper);
/// `store` and `erase` (and any operation git adds later) do nothing.
pub fn git(
    operation: &str,
    credentials: &Credentials<'_>,
    scheme: &str,
    input: &mut dyn Read,
    out: &mut dyn Write,
) -> Result<(), CommandError> {
    let mut request = Vec::new();
    input
        .take(REQUEST_LIMIT)
        .read_to_end(&mut request)
        .map_err(|e| CommandError::RequestUnreadable(e.to_string()))?;
    if operation != "get" {
        return Ok(());
    }
    let request = String::from_utf8_lossy(&request);
    let mut protocol = None;
    let mut host = None;
    for line in request.lines() {
        if line.is_empty() {
            break;
        }
        match line.split_once('=') {
            Some(("protocol", value)) => protocol = Some(value),
            Some(("host", value)) => host = Some(value),
            _ => {}
        }
    }
    if protocol != Some(scheme) {
        return Err(CommandError::NothingToHandOver);
    }
    let Some(domain) = host.and_then(|h| Domain::parse(h).ok()) else {
        return Err(CommandError::NothingToHandOver);
    };
    let Ok(handed) = credentials.find(&domain)? else {
        return Err(CommandError::NothingToHandOver);
    };
    let answer = Zeroizing::new(format!(
        "username={}\npassword={}\n",
        handed.username.as_deref().unwrap_or("token"),
        handed.token.expose()
    ));
    out.write_all(answer.as_bytes())
        .and_then(|()| out.flush())
        .map_err(CommandError::TokenNotWritten)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_sparse_bsr_index_in_the_registry_scheme_is_served() {
        let host = |url: &str, scheme: &str| bsr_index_domain(url, scheme).map(|d| d.to_string());
        assert_eq!(
            host("sparse+https://buf.build/gen/cargo/", "https").as_deref(),
            Some("buf.build")
        );
        assert_eq!(
            host("sparse+http://127.0.0.1:8080/gen/cargo/", "http").as_deref(),
            Some("127.0.0.1:8080")
        );
        for (url, scheme) in [
            ("sparse+http://buf.build/gen/cargo/", "https"),
            ("https://buf.build/gen/cargo/", "https"),
            ("sparse+https://index.crates.io/", "https"),
            ("sparse+https://evil@buf.build/gen/cargo/", "https"),
            ("sparse+https://buf.build/gen/npm/v1/", "https"),
            ("sparse+https://buf.build", "https"),
        ] {
            assert_eq!(host(url, scheme), None, "{url}");
        }
    }
}
