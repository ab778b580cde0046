//! Terminal prompts: `Username:` (echoed) and `Token:` (not echoed).
//!
//! The terminal stays in canonical mode, so the kernel does the line editing (backspace,
//! Ctrl-U) and Ctrl-D ends input. For the hidden prompt `ECHO` and `ECHONL` are turned off and
//! bsr ends the line itself once an answer came, so that an empty answer reads
//! `Token: No answer was provided…` on one line, as Buf prints it. A terminal whose echo cannot
//! be turned off is not asked for a token at all (fail closed). Ctrl-C, SIGTERM and SIGHUP are
//! caught for the length of a prompt (`Console::read_line`): the terminal is restored, a
//! newline printed, and bsr ends by that signal having written nothing. Answers are read into
//! wiped memory allocated once, and a hidden one is copied only into its `Token`.

use std::io;

use thiserror::Error;
use zeroize::Zeroizing;

use crate::console::{Console, Signal};
use crate::platform::{MAX_LINE, ReadLineError};
use crate::secret::Token;

/// How many empty answers are allowed before giving up (Buf's number).
pub const ATTEMPTS: usize = 3;

#[derive(Debug, Error)]
pub enum PromptError {
    #[error(
        "cannot perform an interactive login from a non-TTY device; pipe the token into --token-stdin, or set BUF_TOKEN"
    )]
    NotATerminal,
    #[error("did not receive an answer in {ATTEMPTS} attempts")]
    NoAnswer,
    #[error("input ended (Ctrl-D) before an answer was given; nothing was saved")]
    EndOfInput,
    /// Ctrl-C (or SIGTERM, SIGHUP); the binary ends by that signal.
    #[error("interrupted")]
    Interrupted(Signal),
    #[error("the answer is not valid UTF-8")]
    NotUtf8,
    #[error("the answer is longer than {} KiB; nothing was saved", MAX_LINE / 1024)]
    TooLong,
    #[error(
        "cannot turn off echo on this terminal ({0}), so the token would be shown; pipe it in with --token-stdin instead"
    )]
    CannotHide(io::Error),
    #[error("cannot use the terminal: {0}")]
    Io(#[from] io::Error),
}

/// Fails unless standard input is a terminal.
pub fn require_terminal(console: &Console) -> Result<(), PromptError> {
    if console.stdin_is_terminal() {
        Ok(())
    } else {
        Err(PromptError::NotATerminal)
    }
}

/// Asks for a visible answer until a non-empty one comes, at most [`ATTEMPTS`] times.
pub fn ask_visible(console: &mut Console, prompt: &str) -> Result<String, PromptError> {
    ask_required(console, prompt, true).map(|answer| answer.trim().to_owned())
}

/// Asks for a hidden answer (a token) until a non-empty one comes. The answer is read into
/// wiped memory and copied once, trimmed, into the [`Token`].
pub fn ask_hidden(console: &mut Console, prompt: &str) -> Result<Token, PromptError> {
    ask_required(console, prompt, false).map(|answer| Token::new(answer.trim()))
}

fn ask_required(
    console: &mut Console,
    prompt: &str,
    echo: bool,
) -> Result<Zeroizing<String>, PromptError> {
    for attempt in 1..=ATTEMPTS {
        let answer = ask(console, prompt, echo)?;
        let given = !answer.trim().is_empty();
        let out = console.out();
        if !echo && (given || attempt == ATTEMPTS) {
            // The hidden prompt does not echo the Enter; end its line here.
            writeln!(out)?;
        }
        if given {
            out.flush()?;
            return Ok(answer);
        }
        if attempt < ATTEMPTS {
            writeln!(out, "No answer was provided. Please try again.")?;
        }
        out.flush()?;
    }
    Err(PromptError::NoAnswer)
}

fn ask(console: &mut Console, prompt: &str, echo: bool) -> Result<Zeroizing<String>, PromptError> {
    let out = console.out();
    out.write_all(prompt.as_bytes())?;
    out.flush()?;
    let mut line = console.read_line(echo).map_err(|e| {
        let ends_line = matches!(e, ReadLineError::Interrupted(_) | ReadLineError::EndOfInput);
        if ends_line {
            // The cursor is still on the prompt's line.
            let out = console.out();
            let _ = writeln!(out).and_then(|()| out.flush());
        }
        match e {
            ReadLineError::Interrupted(signal) => PromptError::Interrupted(Signal(signal)),
            ReadLineError::EndOfInput => PromptError::EndOfInput,
            ReadLineError::TooLong => PromptError::TooLong,
            ReadLineError::CannotHide(e) => PromptError::CannotHide(e),
            ReadLineError::Io(e) => PromptError::Io(e),
        }
    })?;
    // The same allocation moves into the string (no copy); a failed check hands it back to
    // be wiped.
    match String::from_utf8(std::mem::take(&mut *line)) {
        Ok(text) => Ok(Zeroizing::new(text)),
        Err(error) => {
            drop(Zeroizing::new(error.into_bytes()));
            Err(PromptError::NotUtf8)
        }
    }
}
