//! The text form: one block per domain, for people — the verdict first, then where the
//! credential came from, then each finding as a sentence with its fix (gh's `auth status` is the
//! model).

use super::{DomainReport, InEffect, Severity, Verdict};

pub(super) fn render_text(reports: &[DomainReport]) -> String {
    let mut text = String::new();
    for (n, report) in reports.iter().enumerate() {
        if n > 0 {
            text.push('\n');
        }
        render_domain(report, &mut text);
    }
    text
}

fn render_domain(r: &DomainReport, text: &mut String) {
    text.push_str(&r.domain);
    text.push('\n');
    let domain = &r.domain;
    let headline = match (&r.credential, &r.verdict) {
        _ if r.unknown => {
            format!("X Cannot tell which credential {domain} gets: the netrc cannot be read")
        }
        (None, _) => format!("X Not logged in to {domain}"),
        (Some(c), Some(Verdict::Valid { username })) => {
            format!("✓ Logged in to {domain} as {username} ({})", c.short())
        }
        (Some(c), Some(Verdict::NotChecked)) => format!(
            "✓ A token for {domain} is in effect ({}); not checked with the registry (--offline)",
            c.short()
        ),
        (Some(c), Some(Verdict::Rejected)) => {
            format!(
                "X The registry at {domain} rejected the token from {}",
                c.short()
            )
        }
        (Some(_), Some(Verdict::NoUser)) => {
            format!("X The registry at {domain} accepted the token but named no user")
        }
        (Some(_), _) => format!("X Could not check the token with {domain}"),
    };
    text_line(text, &headline);
    let mut line = |s: String| text_line(text, &format!("- {s}"));
    if let Some(credential) = &r.credential {
        line(match credential {
            InEffect::BufToken {
                form: "single",
                fingerprint,
            } => format!("Credential: BUF_TOKEN (one token for every registry), {fingerprint}"),
            InEffect::BufToken { fingerprint, .. } => {
                format!("Credential: BUF_TOKEN (its entry for {domain}), {fingerprint}")
            }
            InEffect::Netrc {
                location,
                fingerprint,
                ..
            } => format!("Credential: {}, {fingerprint}", location.shown()),
        });
    }
    for shadowed in &r.shadows {
        line(format!(
            "Shadows: the netrc entry at {} is not used while BUF_TOKEN is set ({})",
            shadowed.location.shown(),
            if shadowed.same_token {
                "the same token".to_owned()
            } else {
                format!("a different token, {}", shadowed.fingerprint)
            }
        ));
    }
    if let Some(username) = &r.username {
        line(match r.username_from {
            Some("netrc") => format!("User: {username} (the netrc entry's login, not checked)"),
            _ => format!("User: {username}"),
        });
    }
    if let Some(verdict) = &r.verdict {
        line(format!("Registry: {}", verdict.shown()));
    }
    if let Some(fix) = fix(r) {
        line(format!("To fix: {fix}"));
    }
    for finding in &r.findings {
        let mark = match finding.severity {
            Severity::Error => "X",
            Severity::Warning => "!",
        };
        text_line(
            text,
            &format!("{mark} {}: {}", finding.location.shown(), finding.message),
        );
    }
    for copy in &r.copies {
        let at = format!("{} ({}, {})", copy.location.shown(), copy.tool, copy.key);
        let fix = match copy.tool {
            "cargo" => format!(
                "run `cargo login --registry {}` with the token in effect",
                copy.key
            ),
            _ => "update it to the token in effect or remove the line".to_owned(),
        };
        let shown = match copy.matches {
            "same" => format!("- {at}: same token"),
            "different" => format!("! {at}: different token (a stale copy?); {fix}"),
            "placeholder" => format!(
                "- {at}: a {} placeholder, filled in from the environment when npm runs",
                copy.placeholder.as_deref().unwrap_or_default()
            ),
            _ => format!("- {at}: a token (no credential in effect to compare it with)"),
        };
        text_line(text, &shown);
    }
}

fn text_line(text: &mut String, line: &str) {
    text.push_str("  ");
    text.push_str(line);
    text.push('\n');
}

/// What to do about the credential itself, in one sentence.
fn fix(r: &DomainReport) -> Option<String> {
    let domain = &r.domain;
    let login = format!("run `bsr registry login {domain}`");
    if r.unknown {
        return Some("fix the netrc (below) and run status again".to_owned());
    }
    let Some(credential) = &r.credential else {
        return Some(match &r.only_default {
            Some(default) => format!(
                "{login}; the default entry at {} is never sent to the registry",
                default.shown()
            ),
            None => login,
        });
    };
    match (&r.verdict, credential) {
        (Some(Verdict::Rejected), InEffect::BufToken { .. }) => Some(match r.shadows.first() {
            Some(shadowed) if !shadowed.same_token => format!(
                "unset BUF_TOKEN to use the netrc entry at {}, or set BUF_TOKEN to a valid token",
                shadowed.location.shown()
            ),
            _ => format!("set BUF_TOKEN to a valid token, or unset it and {login}"),
        }),
        (Some(Verdict::Rejected), InEffect::Netrc { .. }) => Some(format!(
            "{login} to replace it (an expired or revoked token is rejected)"
        )),
        (
            Some(Verdict::Unreachable {
                timed_out: true, ..
            }),
            _,
        ) => Some(
            "give it more time with --timeout (or BUF_TIMEOUT), or run with --debug to see the request; --offline skips this check".to_owned(),
        ),
        (Some(Verdict::Unreachable { .. }), _) => Some(
            "check the network, the proxy settings and Buf's config.yaml, or run with --debug to see the request; --offline skips this check".to_owned(),
        ),
        (Some(Verdict::Error { .. } | Verdict::NoUser), _) => {
            Some("try again later, or run with --debug to see the request".to_owned())
        }
        _ => None,
    }
}
