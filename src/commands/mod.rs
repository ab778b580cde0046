//! The commands: plain functions that take resolved values, talk to the outside world through
//! `store`, `registry` and the [`Console`] (output, prompts, waits), and print their result.

pub mod credential;
pub mod exec;
pub mod handover;
pub mod login;
pub mod logout;
pub mod status;
pub mod token;
pub mod whoami;

use std::io::{self, Write};
use std::time::Duration;

use thiserror::Error;

use crate::config::ConfigError;
use crate::console::{Console, Signal, SignalGuard, Stopped, Wait};
use crate::domain::DomainError;
use crate::netrc::{EditError, InvalidValue, NetrcDocument};
use crate::prompt::PromptError;
use crate::registry::device::DeviceError;
use crate::registry::{ClientOptions, RegistryError};
use crate::store::{EditReport, NetrcFile, StoreError, Written};

/// Everything a command needs from the environment, resolved once by the binary. (The
/// `--debug` logger and the deadline are the console's: `console.log()`.)
pub struct Context {
    pub netrc: NetrcFile,
    pub client: ClientOptions,
}

/// Every failure a command can report. The binary prints it as `Failure: <message>`.
#[derive(Debug, Error)]
pub enum CommandError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error(transparent)]
    Prompt(#[from] PromptError),
    #[error(transparent)]
    Device(#[from] DeviceError),
    /// Ctrl-C, SIGTERM or SIGHUP in a wait, or the deadline.
    #[error(transparent)]
    Stopped(#[from] Stopped),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Value(#[from] InvalidValue),
    #[error("cannot edit {path}: {source}; the file was left untouched")]
    Edit {
        path: std::path::PathBuf,
        #[source]
        source: EditError,
    },
    /// An edit refused before the file's path was known; see [`CommandError::naming`].
    #[error(transparent)]
    Unnamed(EditError),
    #[error("cannot use both --token-stdin and --prompt flags")]
    ConflictingTokenFlags,
    #[error(transparent)]
    InvalidToken(#[from] crate::credentials::InvalidToken),
    #[error("cannot read the token from standard input: {0}")]
    StdinUnreadable(io::Error),
    #[error("standard input holds more than {limit_kib} KiB; --token-stdin expects only the token")]
    StdinTooLarge { limit_kib: usize },
    #[error("the token on standard input is not valid UTF-8")]
    StdinNotUtf8,
    #[error("no user found for provided token")]
    NoUser,
    #[error("the username associated with the provided token does not match the provided username")]
    UsernameMismatch,
    #[error(transparent)]
    BufToken(#[from] crate::credentials::MalformedBufToken),
    #[error(transparent)]
    Environment(#[from] crate::environment::InvalidVariable),
    #[error("cannot read {path}: {source}; fix that line and try again")]
    UnreadableNetrc {
        path: std::path::PathBuf,
        #[source]
        source: crate::netrc::SyntaxError,
    },
    /// A local problem with the netrc, not the registry's: nothing was sent.
    #[error(
        "the password for {domain} in {path}{line} contains a control character or whitespace, so it cannot be sent to the registry; fix that entry, or run `bsr registry login {domain}` to replace it"
    )]
    UnsendableNetrcToken {
        domain: String,
        path: std::path::PathBuf,
        line: String,
    },
    #[error("Not currently logged in for {domain}.{hint}")]
    NotLoggedIn { domain: String, hint: String },
    #[error("no BSR credential for {domain}{why}; run `bsr registry login {domain}`")]
    NoCredential { domain: String, why: String },
    #[error(
        "the token for {domain} from {origin} contains characters no tool can be handed; run `bsr registry login {domain}` to replace it"
    )]
    UnsendableToken { domain: String, origin: String },
    #[error(
        "refusing to print the token for {domain} on a terminal, where it stays on screen and in the scrollback; pipe it into the program that needs it, or pass --show"
    )]
    TokenToTerminal { domain: String },
    /// A token (or a credential protocol's answer) could not be written: unlike a report, this
    /// output is the work itself, so a reader that went away is a failure.
    #[error("cannot write the credential to standard output: {0}")]
    TokenNotWritten(io::Error),
    #[error("cannot read the request on standard input: {0}")]
    RequestUnreadable(String),
    /// `exec`'s command could not be started (exit 127 when it was not found, else 126, as
    /// `env` and the shells report it).
    #[error("cannot run {program}: {source}")]
    CannotRun {
        program: String,
        #[source]
        source: io::Error,
    },
    /// A credential helper with nothing for the host: exit 1 and nothing said, so that git
    /// asks its next helper without a line of noise for every other host.
    #[error("no credential for this request")]
    NothingToHandOver,
    /// `status` found a domain without a good credential (exit 4) or other trouble (exit 1);
    /// the report on stdout has the details.
    #[error("not every credential checks out: {summary}")]
    Status { code: u8, summary: String },
    /// Standard output or error could not be written (a closed descriptor, a full disk) while
    /// the command was still at work: a failure, a broken pipe included.
    #[error("cannot write output: {0}")]
    Output(io::Error),
    /// A finished command's report could not be written; a broken pipe (nobody reads it any
    /// more) is no failure.
    #[error("cannot write output: {0}")]
    Report(io::Error),
    /// The netrc was saved, but the message saying so could not be written.
    #[error(
        "the credentials were saved to {path}, but the message saying so could not be written: {source}"
    )]
    SavedButUnreported {
        path: std::path::PathBuf,
        #[source]
        source: io::Error,
    },
}

impl From<EditError> for CommandError {
    fn from(error: EditError) -> Self {
        match error {
            EditError::Value(invalid) => CommandError::Value(invalid),
            other => CommandError::Unnamed(other),
        }
    }
}

impl CommandError {
    /// The process's exit status: 128 + the signal for Ctrl-C (130) and the like, though the
    /// binary ends by the signal itself ([`CommandError::signal`]); 0 when the only trouble is
    /// a reader that went away once the work was done (a broken pipe: nobody is listening, as
    /// ripgrep treats it in its printing loop); 1 for every other failure, including output
    /// that could not be written for another reason (`whoami >&-` must not look like success).
    pub fn exit_code(&self) -> u8 {
        if let Some(Signal(signal)) = self.signal() {
            u8::try_from(128 + signal).unwrap_or(130)
        } else if let CommandError::Status { code, .. } = self {
            *code
        } else if let CommandError::CannotRun { source, .. } = self {
            if source.kind() == io::ErrorKind::NotFound {
                127
            } else {
                126
            }
        } else if self.is_broken_pipe() {
            0
        } else {
            1
        }
    }

    fn is_broken_pipe(&self) -> bool {
        let (CommandError::Report(e) | CommandError::SavedButUnreported { source: e, .. }) = self
        else {
            return false;
        };
        e.kind() == io::ErrorKind::BrokenPipe
    }

    /// The text of the `Failure:` line, or `None` where nothing more is to be said: Ctrl-C
    /// (the prompt already ended its line) and a closed output (nobody is reading).
    pub fn failure_message(&self) -> Option<String> {
        match self {
            _ if self.signal().is_some() || self.is_broken_pipe() => None,
            CommandError::NothingToHandOver => None,
            other => Some(other.to_string()),
        }
    }

    /// Names the netrc in an edit's refusal.
    pub fn naming(self, file: &NetrcFile) -> CommandError {
        match self {
            CommandError::Unnamed(source) => CommandError::Edit {
                path: file.path().to_owned(),
                source,
            },
            other => other,
        }
    }

    /// The signal (Ctrl-C, SIGTERM, SIGHUP) that ended the command, at a prompt or in a wait:
    /// no `Failure:` line, and the binary ends by that signal.
    pub fn signal(&self) -> Option<Signal> {
        let stopped = match self {
            CommandError::Prompt(PromptError::Interrupted(signal)) => return Some(*signal),
            CommandError::Stopped(stopped)
            | CommandError::Registry(RegistryError::Stopped(stopped))
            | CommandError::Device(
                DeviceError::Stopped(stopped)
                | DeviceError::Registry(RegistryError::Stopped(stopped)),
            ) => stopped,
            _ => return None,
        };
        match stopped {
            Stopped::Signal(signal) => Some(*signal),
            _ => None,
        }
    }
}

/// `writeln!` whose failure is a [`CommandError::Output`]: each I/O failure is mapped where its
/// meaning is known, none by a catch-all conversion.
macro_rules! say {
    ($out:expr, $($arg:tt)*) => {
        writeln!($out, $($arg)*).map_err($crate::commands::CommandError::Output)
    };
}
pub(crate) use say;

/// `writeln!` for a finished command's report, whose failure is a [`CommandError::Report`]:
/// a broken pipe there is success.
macro_rules! report {
    ($out:expr, $($arg:tt)*) => {
        writeln!($out, $($arg)*).map_err($crate::commands::CommandError::Report)
    };
}
pub(crate) use report;

/// What a wait for another bsr's lock on the netrc does each few milliseconds: end on a
/// signal or at the deadline, and say on a terminal, once, after a second, what it waits for.
fn lock_waiter<'a>(
    console: &'a Console,
    guard: &'a SignalGuard,
    netrc: &NetrcFile,
) -> impl FnMut(Duration) -> Result<(), CommandError> + 'a {
    let path = netrc.path().display();
    let progress = format!("Waiting for another bsr to finish editing {path}…");
    let waiting_for = format!("another bsr to finish editing {path}");
    let mut shown = false;
    move |waited| {
        guard.check(Wait {
            progress: &progress,
            waiting_for: &waiting_for,
        })?;
        if !shown && console.stderr_is_terminal() && waited >= Duration::from_secs(1) {
            shown = true;
            let _ = writeln!(console.err(), "{progress}");
        }
        Ok(())
    }
}

/// [`NetrcFile::check_writable`] with the lock wait guarded and shown ([`lock_waiter`]).
fn check_writable(console: &Console, netrc: &NetrcFile) -> Result<(), CommandError> {
    let guard = console.catch_signals()?;
    netrc.check_writable_waiting(&mut lock_waiter(console, &guard, netrc))
}

/// Edits the netrc with Ctrl-C (SIGTERM, SIGHUP) caught from the lock wait to the end of the
/// write: a signal before the edit has changed anything ends it with nothing written; one
/// during the write lets the write finish (a half-written netrc is the one thing worse), and
/// the returned guard tells the command to end by it once it has reported. A wait for another
/// bsr's lock says so on a terminal after a second.
fn guarded_edit<T>(
    console: &Console,
    netrc: &NetrcFile,
    edit: impl FnOnce(&mut NetrcDocument) -> Result<T, CommandError>,
) -> Result<(EditReport<T>, SignalGuard), CommandError> {
    let guard = console.catch_signals()?;
    let report = netrc.edit_waiting(&mut lock_waiter(console, &guard, netrc), |doc| {
        // The last moment a signal leaves the file as it was.
        guard.check(Wait {
            progress: "",
            waiting_for: "the netrc",
        })?;
        edit(doc)
    });
    Ok((report.map_err(|e| e.naming(netrc))?, guard))
}

/// Ends the command by a signal that came during the write ([`guarded_edit`]), now that its
/// report is out.
fn end_if_signalled(guard: SignalGuard) -> Result<(), CommandError> {
    match guard.caught() {
        Some(signal) => Err(Stopped::Signal(signal).into()),
        None => Ok(()),
    }
}

/// The one-line notices an edit may call for, on stderr.
fn print_notices<T>(
    report: &EditReport<T>,
    file: &NetrcFile,
    console: &Console,
) -> Result<(), CommandError> {
    let path = file.path().display();
    let mut err = console.err();
    if let Some(mode) = report.narrowed_from {
        say!(
            err,
            "Notice: {path} was accessible to group or others (mode {mode:04o}); its mode is now 0600."
        )?;
    }
    if report.written == Written::InPlace {
        say!(
            err,
            "Notice: {path} was rewritten in place because its directory is not writable; this write was not crash-safe."
        )?;
    }
    Ok(())
}
