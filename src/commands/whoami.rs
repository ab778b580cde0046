//! `bsr registry whoami [domain] [--format text|json]`: who the registry says you are, and
//! which credential told it.

use super::report;
use super::{CommandError, Context};
use crate::console::Console;
use crate::credentials::{self, BufToken, NetrcEntry, Resolution, Source};
use crate::domain::Domain;
use crate::registry::{Registry, RegistryError, UserInfo};
use crate::store::StoreError;

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Text,
    Json,
}

/// Asks the registry who owns the token that bsr (and Buf) would send to `domain`.
pub fn whoami(
    domain: &Domain,
    format: Format,
    buf_token: &BufToken,
    ctx: &Context,
    console: &mut Console,
) -> Result<(), CommandError> {
    let path = ctx.netrc.path();
    // whoami reads the file and never edits it, so a file it cannot parse is "cannot read".
    let netrc_entry = || -> Result<NetrcEntry, CommandError> {
        let document = ctx.netrc.read().map_err(|e| match e {
            StoreError::Syntax { path, source } => CommandError::UnreadableNetrc { path, source },
            other => other.into(),
        })?;
        Ok(credentials::netrc_entry(document.as_ref(), domain))
    };
    let not_logged_in = |hint: String| CommandError::NotLoggedIn {
        domain: domain.to_string(),
        hint,
    };
    let credential = match credentials::resolve(buf_token, domain, netrc_entry, path)? {
        Resolution::Found(credential) => credential,
        Resolution::Unsendable { path, line } => {
            return Err(CommandError::UnsendableNetrcToken {
                domain: domain.to_string(),
                path,
                line: line.map_or_else(String::new, |line| format!(" (the entry at line {line})")),
            });
        }
        Resolution::OnlyDefault => {
            return Err(not_logged_in(format!(
                " The default entry in {} is not sent to the registry; run `bsr registry login {domain}`.",
                path.display()
            )));
        }
        Resolution::NotFound => {
            return Err(not_logged_in(format!(
                " Run `bsr registry login {domain}` to log in."
            )));
        }
    };

    let registry = Registry::new(domain, &ctx.client)?;
    let rejected_hint = || match &credential.source {
        Source::BufToken => {
            // Only to explain the rejection: an unreadable netrc just means no mention of it.
            let overridden = matches!(netrc_entry(), Ok(NetrcEntry::Token(_)));
            if overridden {
                format!(
                    " The token in BUF_TOKEN was rejected, and BUF_TOKEN overrides the credentials for {domain} in {}; unset BUF_TOKEN to use them.",
                    path.display()
                )
            } else {
                " The token in BUF_TOKEN was rejected.".to_owned()
            }
        }
        Source::Netrc(file) => format!(
            " The token for {domain} in {} was rejected; run `bsr registry login {domain}` to replace it.",
            file.display()
        ),
    };
    let user = match registry.user_info(&credential.token, console) {
        Ok(Some(user)) => user,
        // A 200 without a user is no rejection: the registry accepted the token and named no one.
        Ok(None) => return Err(CommandError::NoUser),
        Err(RegistryError::Rejected { .. }) => {
            return Err(not_logged_in(rejected_hint()));
        }
        Err(other) => return Err(other.into()),
    };

    let out = console.out();
    match format {
        Format::Text => report!(out, "Logged in as {}.", user.username)?,
        Format::Json => {
            let source = match &credential.source {
                Source::BufToken => "BUF_TOKEN".to_owned(),
                Source::Netrc(file) => file.display().to_string(),
            };
            report!(out, "{}", json_line(&user, domain, &source))?;
        }
    }
    out.flush().map_err(CommandError::Report)
}

/// Buf 1.75's JSON line, in its field order (`id`, `remote`, `username`, `create_time`,
/// `type`, `state`; the last two only from the v1 call), then bsr's `source`.
fn json_line(user: &UserInfo, domain: &Domain, source: &str) -> String {
    // Written field by field: serde_json's map would sort the keys.
    let mut fields = Vec::new();
    let mut put = |key: &str, value: &str| {
        fields.push(format!("\"{key}\":{}", serde_json::Value::from(value)));
    };
    put("id", &user.id);
    put("remote", domain.as_str());
    put("username", user.username.as_str());
    put("create_time", &user.create_time);
    if let Some((kind, state)) = &user.type_and_state {
        put("type", kind);
        put("state", state);
    }
    put("source", source);
    format!("{{{}}}", fields.join(","))
}
