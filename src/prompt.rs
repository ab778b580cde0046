//! Terminal prompts: `Username:` (echoed) and `Token:` (not echoed).
//!
//! The terminal stays in canonical mode, so the kernel does the line editing (backspace,
//! Ctrl-U) and Ctrl-D ends input. For the hidden prompt `ECHO` and `ECHONL` are turned off and
//! bsr ends the line itself once an answer came, so that an empty answer reads
//! `Token: No answer was provided…` on one line, as Buf prints it. A terminal whose echo cannot
//! be turned off is not asked for a token at all (fail closed). Ctrl-C is caught for the length
//! of a prompt: the terminal is restored, a newline printed, and the caller exits with 130
//! having written nothing.

use std::io::{self, IsTerminal, Write};

use thiserror::Error;

use crate::platform::{self, ReadLineError};
use crate::secret::Token;

/// How many empty answers are allowed before giving up (Buf's number).
pub const ATTEMPTS: usize = 3;

#[derive(Debug, Error)]
pub enum PromptError {
    #[error("cannot perform an interactive login from a non-TTY device")]
    NotATerminal,
    #[error("did not receive an answer in {ATTEMPTS} attempts")]
    NoAnswer,
    #[error("input ended (Ctrl-D) before an answer was given; nothing was saved")]
    EndOfInput,
    /// Ctrl-C; the caller exits with status 130.
    #[error("interrupted")]
    Interrupted,
    #[error("the answer is not valid UTF-8")]
    NotUtf8,
    #[error(
        "cannot turn off echo on this terminal ({0}), so the token would be shown; pipe it in with --token-stdin instead"
    )]
    CannotHide(io::Error),
    #[error("cannot use the terminal: {0}")]
    Io(#[from] io::Error),
}

/// Fails unless standard input is a terminal.
pub fn require_terminal() -> Result<(), PromptError> {
    if io::stdin().is_terminal() {
        Ok(())
    } else {
        Err(PromptError::NotATerminal)
    }
}

/// Asks for a visible answer until a non-empty one comes, at most [`ATTEMPTS`] times.
pub fn ask_visible(prompt: &str) -> Result<String, PromptError> {
    ask_required(prompt, true).map(|answer| answer.trim().to_owned())
}

/// Asks for a hidden answer (a token) until a non-empty one comes.
pub fn ask_hidden(prompt: &str) -> Result<Token, PromptError> {
    ask_required(prompt, false).map(|answer| Token::new(answer.trim()))
}

fn ask_required(prompt: &str, echo: bool) -> Result<String, PromptError> {
    for attempt in 1..=ATTEMPTS {
        let answer = ask(prompt, echo)?;
        let given = !answer.trim().is_empty();
        if !echo && (given || attempt == ATTEMPTS) {
            // The hidden prompt does not echo the Enter; end its line here.
            println!();
        }
        if given {
            return Ok(answer);
        }
        if attempt < ATTEMPTS {
            println!("No answer was provided. Please try again.");
        }
    }
    Err(PromptError::NoAnswer)
}

fn ask(prompt: &str, echo: bool) -> Result<String, PromptError> {
    let mut stdout = io::stdout().lock();
    stdout.write_all(prompt.as_bytes())?;
    stdout.flush()?;
    drop(stdout);
    let line = platform::read_line(echo).map_err(|e| {
        let ends_line = matches!(e, ReadLineError::Interrupted | ReadLineError::EndOfInput);
        if ends_line {
            // The cursor is still on the prompt's line.
            println!();
            let _ = io::stdout().flush();
        }
        match e {
            ReadLineError::Interrupted => PromptError::Interrupted,
            ReadLineError::EndOfInput => PromptError::EndOfInput,
            ReadLineError::CannotHide(e) => PromptError::CannotHide(e),
            ReadLineError::Io(e) => PromptError::Io(e),
        }
    })?;
    String::from_utf8(line).map_err(|_| PromptError::NotUtf8)
}
