//! `bsr registry login [domain] [--username U] [--token-stdin | --prompt]`.

use std::io::Write;

use super::say;
use super::{CommandError, Context, check_writable, end_if_signalled, guarded_edit, print_notices};
use crate::browser::{self, Opened, OpenerEnv};
use crate::console::{Console, SignalGuard, Wait};
use crate::credentials::{self, BufToken};
use crate::domain::Domain;
use crate::netrc::{EditError, NetrcDocument};
use crate::prompt;
use crate::registry::device;
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
    console: &mut Console,
) -> Result<(), CommandError> {
    let domain = &request.domain;
    // Fail on a netrc that cannot be written or understood before asking for a token, and so
    // before the token is sent anywhere.
    check_writable(console, &ctx.netrc)?;
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
        TokenSource::Stdin => read_stdin_token(console)?,
        TokenSource::Prompt => {
            prompt::require_terminal(console)?;
            let out = console.out();
            say!(
                out,
                "Enter the BSR token created at https://{domain}/settings/user.\n"
            )?;
            out.flush().map_err(CommandError::Output)?;
            prompt::ask_hidden(console, "Token: ")?
        }
        TokenSource::Interactive => ask_username_and_token(domain, &mut username, console)?,
        TokenSource::Browser => {
            match device::register(&registry, &request.client_name, console)? {
                Some(client) => {
                    by_browser = true;
                    browser_token(&registry, &client, &request.opener, console)?
                }
                // The registry has no browser login: the prompts, as before Buf 1.75.
                None => ask_username_and_token(domain, &mut username, console)?,
            }
        }
    };
    let token = credentials::parse_token(token.expose())?;

    let user = match registry.current_user(&token, console)? {
        CurrentUser::User(user) => user,
        CurrentUser::NoUser => return Err(CommandError::NoUser),
    };
    if username
        .as_ref()
        .is_some_and(|given| given != user.as_str())
    {
        return Err(CommandError::UsernameMismatch);
    }

    let (report, guard) = guarded_edit(console, &ctx.netrc, |doc| {
        Ok(set_both(doc, domain, user.as_str(), &token)?)
    })?;
    // From here on the credentials are saved: a failure to say so must say that they were.
    let saved = |error: CommandError| match error {
        CommandError::Output(source) | CommandError::Report(source) => {
            CommandError::SavedButUnreported {
                path: ctx.netrc.path().to_owned(),
                source,
            }
        }
        other => other,
    };
    print_notices(&report, &ctx.netrc, console).map_err(saved)?;
    let out = console.out();
    if by_browser {
        // Buf 1.75 leaves a blank line after the URL block.
        say!(out, "").map_err(saved)?;
    }
    say!(
        out,
        "Logged in as {user}. Credentials saved to {}.",
        ctx.netrc.path().display()
    )
    .and_then(|()| out.flush().map_err(CommandError::Output))
    .map_err(saved)?;
    // gh warns the same way about GH_TOKEN: a stale variable silently wins over the file.
    if request
        .buf_token
        .as_ref()
        .is_some_and(|t| t.token_for(domain).is_some())
    {
        say!(
            console.err(),
            "Notice: BUF_TOKEN holds a token for {domain}; while it is set, Buf and bsr send that token, not the one just saved."
        )
        .map_err(saved)?;
    }
    end_if_signalled(guard)
}

/// `Username:` (unless one was given) and `Token:`.
fn ask_username_and_token(
    domain: &Domain,
    username: &mut Option<String>,
    console: &mut Console,
) -> Result<Token, CommandError> {
    prompt::require_terminal(console)?;
    if username.is_none() {
        let out = console.out();
        say!(
            out,
            "Log in with your Buf Schema Registry username. If you don't have a username, create one at https://{domain}.\n"
        )?;
        out.flush().map_err(CommandError::Output)?;
        *username = Some(prompt::ask_visible(console, "Username: ")?);
    }
    Ok(prompt::ask_hidden(console, "Token: ")?)
}

/// The device flow's user side: the URL printed first (Buf 1.75's text, on stdout), the user
/// code and notes on stderr, a browser opened if one can be, then the wait for approval. From
/// the URL to the token Ctrl-C is caught, and ends the login with nothing sent after it.
fn browser_token(
    registry: &Registry,
    client: &device::Client,
    opener: &OpenerEnv,
    console: &mut Console,
) -> Result<Token, CommandError> {
    let authorization = device::authorize(registry, client, console)?;
    let guard = console.catch_signals()?;
    let steps = browser_steps(registry, client, &authorization, opener, console, &guard);
    if steps.as_ref().is_err_and(|e| e.signal().is_some()) && console.stderr_is_terminal() {
        // The cursor is after the terminal's `^C`.
        let _ = writeln!(console.err());
    }
    steps
}

fn browser_steps(
    registry: &Registry,
    client: &device::Client,
    authorization: &device::Authorization,
    opener: &OpenerEnv,
    console: &mut Console,
    guard: &SignalGuard,
) -> Result<Token, CommandError> {
    let wait = Wait {
        progress: "",
        waiting_for: "the authorization in the browser",
    };
    let out = console.out();
    // The URL is where the user goes next: a stdout nobody reads (a closed pipe) fails the
    // login here, before anything is saved.
    say!(
        out,
        "Opening your browser to complete authorization process.\n\nIf your browser doesn't open automatically, please open this URL in a browser to complete the process:\n\n{}",
        authorization.url
    )?;
    out.flush().map_err(CommandError::Output)?;
    if let Some(code) = &authorization.user_code {
        say!(
            console.err(),
            "Your one-time code is {code}; check that the page in the browser shows the same code."
        )?;
    }
    let opened = browser::open(&authorization.url, opener, &|| guard.check(wait).is_err());
    guard.check(wait)?;
    match opened {
        Opened::Started => {}
        Opened::NoOpener => say!(
            console.err(),
            "Note: no browser could be opened here (none of {} was found); open the URL above in a browser on any device.",
            browser::opener_names()
        )?,
        Opened::Failed { opener, reason } => say!(
            console.err(),
            "Note: {opener} could not open a browser ({reason}); open the URL above in a browser on any device."
        )?,
    }
    if console.stderr_is_terminal() {
        say!(
            console.err(),
            "Waiting for the authorization in the browser (press Ctrl-C to cancel)..."
        )?;
    }
    Ok(device::wait_for_token(
        registry,
        client,
        authorization,
        console,
    )?)
}

/// Sets the domain's two machines, `<domain>` and `go.<domain>`.
fn set_both(
    doc: &mut NetrcDocument,
    domain: &Domain,
    user: &str,
    token: &Token,
) -> Result<(), EditError> {
    doc.set_machines(&[domain.as_str(), &domain.go_machine()], user, token)
}

fn read_stdin_token(console: &mut Console) -> Result<Token, CommandError> {
    let bytes = console
        .read_stdin(MAX_STDIN_TOKEN)
        .map_err(CommandError::StdinUnreadable)?
        .ok_or(CommandError::StdinTooLarge {
            limit_kib: MAX_STDIN_TOKEN / 1024,
        })?;
    let text = std::str::from_utf8(&bytes).map_err(|_| CommandError::StdinNotUtf8)?;
    // One copy, into the token (wiped when dropped); `bytes` is wiped here.
    Ok(Token::new(text))
}
