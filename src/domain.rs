//! The registry domain: validated once, with Buf 1.75's rules and messages.

use std::fmt;
use std::net::IpAddr;

use thiserror::Error;

/// The default registry.
pub const DEFAULT_DOMAIN: &str = "buf.build";

/// A registry address that passed validation: a host name or IP address with an optional port,
/// exactly as the user typed it (that is also its netrc machine name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain {
    text: String,
    /// The host part is an IPv6 address given without brackets (`::1`).
    bare_ipv6: bool,
}

/// Why a domain was refused. The messages are Buf 1.75's, so scripts that match them still work.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    #[error("must be at least 2 and at most 254 characters")]
    Length,
    #[error(
        "must either be a valid IP address or domain name: invalid domain name {domain:?}, {reason}"
    )]
    Invalid { domain: String, reason: String },
}

impl Domain {
    pub fn parse(text: &str) -> Result<Domain, DomainError> {
        let length = text.chars().count();
        if !(2..=254).contains(&length) {
            return Err(DomainError::Length);
        }
        let host = split_port(text).unwrap_or(text);
        if let Ok(ip) = host.parse::<IpAddr>() {
            let bare_ipv6 = ip.is_ipv6() && host == text;
            return Ok(Domain {
                text: text.to_owned(),
                bare_ipv6,
            });
        }
        check_host_name(host).map_err(|reason| DomainError::Invalid {
            domain: text.to_owned(),
            reason,
        })?;
        Ok(Domain {
            text: text.to_owned(),
            bare_ipv6: false,
        })
    }

    /// The domain as typed, which is also its netrc machine name.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The host without its port or IPv6 brackets (`::1` for `[::1]:9000`), for `NO_PROXY`.
    pub fn host(&self) -> &str {
        split_port(&self.text)
            .unwrap_or(&self.text)
            .trim_start_matches('[')
            .trim_end_matches(']')
    }

    /// The port, when the domain names one (`8443` of `bsr.example.com:8443`).
    pub fn port(&self) -> Option<&str> {
        split_port(&self.text)?;
        self.text.rsplit_once(':').map(|(_, port)| port)
    }

    /// The netrc machine that `go` reads for this registry's module proxy.
    pub fn go_machine(&self) -> String {
        format!("go.{}", self.text)
    }

    /// The `host[:port]` part of a URL for this domain (IPv6 addresses get their brackets).
    pub fn authority(&self) -> String {
        if self.bare_ipv6 {
            format!("[{}]", self.text)
        } else {
            self.text.clone()
        }
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The host of `host:port` or `[host]:port` when the port is a number from 0 to 65535, as Go's
/// `net.SplitHostPort` reads it; `None` when there is no valid port.
fn split_port(text: &str) -> Option<&str> {
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        (host, after.strip_prefix(':')?)
    } else {
        let (host, port) = text.rsplit_once(':')?;
        if host.contains(':') {
            return None;
        }
        (host, port)
    };
    let valid_port = !port.is_empty()
        && port.bytes().all(|b| b.is_ascii_digit())
        && port.parse::<u32>().is_ok_and(|p| p <= 65535);
    valid_port.then_some(host)
}

/// Buf's host-name rules, checked left to right so the first problem is the one reported.
fn check_host_name(host: &str) -> Result<(), String> {
    let mut previous: Option<char> = None;
    let mut segment_length = 0;
    let mut has_non_digit = false;
    for c in host.chars() {
        let allowed = c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_');
        if !allowed {
            return Err(format!(
                "included invalid character {c:?}, must only contain letters, digits, periods (.), hyphens (-), or underscores (_)"
            ));
        }
        match c {
            '.' if matches!(previous, None | Some('.')) => {
                return Err("cannot contain two periods (.) in a row".into());
            }
            '.' if previous == Some('-') => {
                return Err("cannot have a hyphen (-) immediately before a period (.)".into());
            }
            '-' if matches!(previous, None | Some('.')) => {
                return Err("cannot begin a segment after a period (.) with a hyphen (-)".into());
            }
            _ => {}
        }
        if c == '.' {
            segment_length = 0;
        } else {
            segment_length += 1;
            if segment_length > 63 {
                return Err(
                    "cannot have segments greater than 63 characters between periods (.)".into(),
                );
            }
        }
        has_non_digit |= !c.is_ascii_digit() && c != '.';
        previous = Some(c);
    }
    if previous == Some('-') {
        return Err("cannot have a hyphen (-) as the final character".into());
    }
    if !has_non_digit {
        return Err("must have at least one non-numeric character".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(text: &str) -> String {
        match Domain::parse(text) {
            Ok(_) => "ok".into(),
            Err(DomainError::Length) => "length".into(),
            Err(DomainError::Invalid { domain, reason }) => {
                assert_eq!(domain, text);
                reason
            }
        }
    }

    #[test]
    fn accepts_what_buf_accepts() {
        for ok in [
            "buf.build",
            "bsr.example.com:8443",
            "127.0.0.1:9000",
            "[::1]:9000",
            "::1",
            "ab",
            "a.com.",
            "ex_ample.com",
            "Ex.COM",
            "localhost",
            "a.com:0",
            "[a.com]:80",
            "1.2.3.4",
            "a:80",
            "_ab",
            "1a",
        ] {
            assert_eq!(reason(ok), "ok", "{ok}");
        }
    }

    /// Each reason as Buf 1.75 prints it for the same input.
    #[test]
    fn refuses_what_buf_refuses_with_its_reason() {
        let invalid_char = |c: &str| {
            format!(
                "included invalid character {c}, must only contain letters, digits, periods (.), hyphens (-), or underscores (_)"
            )
        };
        let cases = [
            ("a", "length".to_owned()),
            (".", "length".to_owned()),
            (&"abcdefghi.".repeat(26), "length".to_owned()),
            ("a..b", "cannot contain two periods (.) in a row".into()),
            (".a.com", "cannot contain two periods (.) in a row".into()),
            ("a..-b", "cannot contain two periods (.) in a row".into()),
            (
                "-a.com",
                "cannot begin a segment after a period (.) with a hyphen (-)".into(),
            ),
            (
                "a.-b",
                "cannot begin a segment after a period (.) with a hyphen (-)".into(),
            ),
            (
                "a-.com",
                "cannot have a hyphen (-) immediately before a period (.)".into(),
            ),
            (
                "a-..b",
                "cannot have a hyphen (-) immediately before a period (.)".into(),
            ),
            (
                "ab-",
                "cannot have a hyphen (-) as the final character".into(),
            ),
            ("123", "must have at least one non-numeric character".into()),
            (
                "999.1.1.1",
                "must have at least one non-numeric character".into(),
            ),
            (
                "12:80",
                "must have at least one non-numeric character".into(),
            ),
            (
                &format!("{}.com", "a".repeat(64)),
                "cannot have segments greater than 63 characters between periods (.)".into(),
            ),
            ("bad domain!", invalid_char("' '")),
            ("a.com:99999", invalid_char("':'")),
            ("a.com:", invalid_char("':'")),
            ("[::1]", invalid_char("'['")),
            ("a/b", invalid_char("'/'")),
            ("é.com", invalid_char("'é'")),
            ("[fe80::1%eth0]:80", invalid_char("':'")),
        ];
        for (text, want) in cases {
            assert_eq!(reason(text), want, "{text}");
        }
    }

    #[test]
    fn messages_match_buf() {
        assert_eq!(
            Domain::parse("a..b").unwrap_err().to_string(),
            r#"must either be a valid IP address or domain name: invalid domain name "a..b", cannot contain two periods (.) in a row"#
        );
        assert_eq!(
            Domain::parse("a").unwrap_err().to_string(),
            "must be at least 2 and at most 254 characters"
        );
    }

    #[test]
    fn authority_brackets_bare_ipv6() {
        assert_eq!(Domain::parse("::1").unwrap().authority(), "[::1]");
        assert_eq!(
            Domain::parse("[::1]:9000").unwrap().authority(),
            "[::1]:9000"
        );
        assert_eq!(
            Domain::parse("buf.build").unwrap().go_machine(),
            "go.buf.build"
        );
    }

    #[test]
    fn host_drops_port_and_brackets() {
        for (text, host) in [
            ("buf.build", "buf.build"),
            ("bsr.example.com:8443", "bsr.example.com"),
            ("[::1]:9000", "::1"),
            ("::1", "::1"),
            ("127.0.0.1:9000", "127.0.0.1"),
        ] {
            assert_eq!(Domain::parse(text).unwrap().host(), host);
        }
    }
}
