//! The commands: plain functions that take resolved values, talk to the outside world through
//! `store`, `registry` and `prompt`, and print their result.

pub mod login;
pub mod logout;
pub mod whoami;

use std::io::{self, Write};

use thiserror::Error;

use crate::config::ConfigError;
use crate::domain::DomainError;
use crate::log::Logger;
use crate::netrc::{EditError, InvalidValue};
use crate::prompt::PromptError;
use crate::registry::{ClientOptions, RegistryError};
use crate::store::{EditReport, NetrcFile, StoreError, Written};

/// Everything a command needs from the environment, resolved once by the binary.
pub struct Context {
    pub netrc: NetrcFile,
    pub client: ClientOptions,
    pub log: Logger,
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
    Device(#[from] crate::device::DeviceError),
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
    #[error("Not currently logged in for {domain}.{hint}")]
    NotLoggedIn { domain: String, hint: String },
    /// Standard output or error could not be written (a closed descriptor, a full disk).
    #[error("cannot write output: {0}")]
    Output(io::Error),
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
    /// The process's exit status: 130 for Ctrl-C at a prompt; 0 when the only trouble is a
    /// reader that went away (a broken pipe: the work is done and nobody is listening, as
    /// ripgrep treats it); 1 for every other failure, including output that could not be
    /// written for another reason (`whoami >&-` must not look like success).
    pub fn exit_code(&self) -> u8 {
        if self.is_interrupt() {
            130
        } else if self.is_broken_pipe() {
            0
        } else {
            1
        }
    }

    fn is_broken_pipe(&self) -> bool {
        let (CommandError::Output(e) | CommandError::SavedButUnreported { source: e, .. }) = self
        else {
            return false;
        };
        e.kind() == io::ErrorKind::BrokenPipe
    }

    /// The text of the `Failure:` line, or `None` where nothing more is to be said: Ctrl-C
    /// (the prompt already ended its line) and a closed output (nobody is reading).
    pub fn failure_message(&self) -> Option<String> {
        match self {
            _ if self.is_interrupt() || self.is_broken_pipe() => None,
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

    /// Ctrl-C at a prompt or while waiting for a browser login: exit 130 without a
    /// `Failure:` line.
    pub fn is_interrupt(&self) -> bool {
        matches!(
            self,
            CommandError::Prompt(PromptError::Interrupted)
                | CommandError::Device(crate::device::DeviceError::Interrupted)
        )
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

/// The one-line notices an edit may call for, on stderr.
fn print_notices<T>(
    report: &EditReport<T>,
    file: &NetrcFile,
    err: &mut dyn Write,
) -> Result<(), CommandError> {
    let path = file.path().display();
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
