//! `bsr registry login [domain] [--username U] [--token-stdin | --prompt]`.

use std::io::{self, IsTerminal, Read, Write};
use std::time::{Duration, Instant};

use super::say;
use super::{CommandError, Context, print_notices};
use crate::browser::{self, Opened, OpenerEnv};
use crate::credentials::{self, BufToken};
use crate::device::{self, DeviceError};
use crate::domain::Domain;
use crate::netrc::{EditError, NetrcDocument};
use crate::platform;
use crate::prompt;
use crate::registry::{CurrentUser, Registry};
use crate::secret::Token;

/// The most bytes `--token-stdin` reads; a BSR token is well under 100.
pub const MAX_STDIN_TOKEN: usize = 64 * 1024;

/// Where the token comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSource {
    /// `--token-stdin`: all of standard input.
    Stdin,
    /// `--prompt`: a hidden `Token:` prompt.
    Prompt,
    /// `--username` without a token flag: `Token:`.
    Interactive,
    /// No flag at all: browser login (the OAuth device flow) where the registry offers it,
    /// else `Username:` then `Token:`.
    Browser,
}

/// A validated login request.
#[derive(Debug, Clone)]
pub struct LoginRequest {
    pub domain: Domain,
    pub username: Option<String>,
    pub source: TokenSource,
    /// What `BUF_TOKEN` holds (`None` when it cannot be parsed), to warn that it overrides the
    /// token being saved.
    pub buf_token: Option<BufToken>,
    /// The name a browser login registers its OAuth client under (the machine's name).
    pub client_name: String,
    /// Where a browser login looks for a browser.
    pub opener: OpenerEnv,
}

pub fn login(
    request: &LoginRequest,
    ctx: &Context,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), CommandError> {
    let domain = &request.domain;
    // Fail on a netrc that cannot be written or understood before asking for a token, and so
    // before the token is sent anywhere.
    ctx.netrc.check_writable()?;
    if let Some(mut doc) = ctx.netrc.read()? {
        // A rehearsal with stand-in values: a file with no place where every reader would see
        // a new entry fails now, not after the registry has seen the token.
        set_both(
            &mut doc,
            domain,
            "bsr-rehearsal",
            &Token::new("bsr-rehearsal"),
        )
        .map_err(|e| CommandError::from(e).naming(&ctx.netrc))?;
    }
    // Build the client (configuration, trusted roots) before prompting, for the same reason.
    let registry = Registry::new(domain, &ctx.client)?;

    let mut username = request.username.clone();
    let mut by_browser = false;
    let token = match request.source {
        TokenSource::Stdin => read_stdin_token()?,
        TokenSource::Prompt => {
            prompt::require_terminal()?;
            say!(
                out,
                "Enter the BSR token created at https://{domain}/settings/user.\n"
            )?;
            out.flush().map_err(CommandError::Output)?;
            prompt::ask_hidden("Token: ")?
        }
        TokenSource::Interactive => ask_username_and_token(domain, &mut username, out)?,
        TokenSource::Browser => {
            match device::register(&registry, &request.client_name, &ctx.log)? {
                Some(client) => {
                    by_browser = true;
                    browser_token(&registry, &client, &request.opener, ctx, out, err)?
                }
                // The registry has no browser login: the prompts, as before Buf 1.75.
                None => ask_username_and_token(domain, &mut username, out)?,
            }
        }
    };
    let token = credentials::parse_token(token.expose())?;

    let user = match registry.current_user(&token, &ctx.log)? {
        CurrentUser::User(user) => user,
        CurrentUser::NoUser => return Err(CommandError::NoUser),
    };
    if username
        .as_ref()
        .is_some_and(|given| given != user.as_str())
    {
        return Err(CommandError::UsernameMismatch);
    }

    let report = ctx
        .netrc
        .edit(|doc| -> Result<(), CommandError> {
            Ok(set_both(doc, domain, user.as_str(), &token)?)
        })
        .map_err(|e| e.naming(&ctx.netrc))?;
    // From here on the credentials are saved: a failure to say so must say that they were.
    let saved = |source: io::Error| CommandError::SavedButUnreported {
        path: ctx.netrc.path().to_owned(),
        source,
    };
    let reported = print_notices(&report, &ctx.netrc, err).and_then(|()| {
        if by_browser {
            // Buf 1.75 leaves a blank line after the URL block.
            say!(out, "")?;
        }
        say!(
            out,
            "Logged in as {user}. Credentials saved to {}.",
            ctx.netrc.path().display()
        )
    });
    if let Err(CommandError::Output(source)) = reported {
        return Err(saved(source));
    }
    // gh warns the same way about GH_TOKEN: a stale variable silently wins over the file.
    if request
        .buf_token
        .as_ref()
        .is_some_and(|t| t.token_for(domain).is_some())
    {
        say!(
            err,
            "Notice: BUF_TOKEN holds a token for {domain}; while it is set, Buf and bsr send that token, not the one just saved."
        )?;
    }
    Ok(())
}

/// `Username:` (unless one was given) and `Token:`.
fn ask_username_and_token(
    domain: &Domain,
    username: &mut Option<String>,
    out: &mut dyn Write,
) -> Result<Token, CommandError> {
    prompt::require_terminal()?;
    if username.is_none() {
        say!(
            out,
            "Log in with your Buf Schema Registry username. If you don't have a username, create one at https://{domain}.\n"
        )?;
        out.flush().map_err(CommandError::Output)?;
        *username = Some(prompt::ask_visible("Username: ")?);
    }
    Ok(prompt::ask_hidden("Token: ")?)
}

/// The device flow's user side: the URL printed first (Buf 1.75's text, on stdout), the user
/// code and notes on stderr, a browser opened if one can be, then the wait for approval, which
/// Ctrl-C ends with nothing sent after it.
fn browser_token(
    registry: &Registry,
    client: &device::Client,
    opener: &OpenerEnv,
    ctx: &Context,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Token, CommandError> {
    let authorization = device::authorize(registry, client, &ctx.log)?;
    // From here on Ctrl-C ends the login cleanly (also while the opener starts). Catching it
    // cannot fail in practice; if it did, Ctrl-C would still end bsr, by default.
    let _ = platform::catch_interrupts();
    say!(
        out,
        "Opening your browser to complete authorization process.\n\nIf your browser doesn't open automatically, please open this URL in a browser to complete the process:\n\n{}",
        authorization.url
    )?;
    out.flush().map_err(CommandError::Output)?;
    if let Some(code) = &authorization.user_code {
        say!(
            err,
            "Your one-time code is {code}; check that the page in the browser shows the same code."
        )?;
    }
    match browser::open(&authorization.url, opener) {
        Opened::Started => {}
        Opened::NoOpener => say!(
            err,
            "Note: no browser could be opened here (none of {} was found); open the URL above in a browser on any device.",
            browser::opener_names()
        )?,
        Opened::Failed { opener, reason } => say!(
            err,
            "Note: {opener} could not open a browser ({reason}); open the URL above in a browser on any device."
        )?,
    }
    let on_terminal = io::stderr().is_terminal();
    if on_terminal {
        say!(
            err,
            "Waiting for the authorization in the browser (press Ctrl-C to cancel)..."
        )?;
    }
    let mut wait = |pause: Duration| {
        let until = Instant::now() + pause;
        while Instant::now() < until {
            if platform::interrupted() {
                return false;
            }
            std::thread::sleep((until - Instant::now()).min(Duration::from_millis(50)));
        }
        !platform::interrupted()
    };
    match device::wait_for_token(registry, client, &authorization, &ctx.log, &mut wait) {
        // A Ctrl-C that came during the last poll counts too: nothing is done with its answer.
        Ok(_) | Err(_) if platform::interrupted() => {
            Err(CommandError::Device(DeviceError::Interrupted))
        }
        Ok(token) => Ok(token),
        Err(e) => Err(e.into()),
    }
    .inspect_err(|e| {
        if e.is_interrupt() && on_terminal {
            // The cursor is after the terminal's `^C`.
            let _ = writeln!(err);
        }
    })
}

/// Sets the domain's two machines, `<domain>` and `go.<domain>`.
fn set_both(
    doc: &mut NetrcDocument,
    domain: &Domain,
    user: &str,
    token: &Token,
) -> Result<(), EditError> {
    doc.set_machine(domain.as_str(), user, token)?;
    doc.set_machine(&domain.go_machine(), user, token)
}

fn read_stdin_token() -> Result<Token, CommandError> {
    let mut bytes = Vec::new();
    io::stdin()
        .lock()
        .take(MAX_STDIN_TOKEN as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(CommandError::StdinUnreadable)?;
    if bytes.len() > MAX_STDIN_TOKEN {
        return Err(CommandError::StdinTooLarge {
            limit_kib: MAX_STDIN_TOKEN / 1024,
        });
    }
    let text = String::from_utf8(bytes).map_err(|_| CommandError::StdinNotUtf8)?;
    Ok(Token::new(text))
}
