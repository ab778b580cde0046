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
    let line = platform::read_line(echo)?;
    String::from_utf8(line).map_err(|_| PromptError::NotUtf8)
}

#[cfg(unix)]
mod platform {
    use std::io::{self, Write};
    use std::mem::MaybeUninit;
    use std::sync::atomic::{AtomicBool, Ordering};

    use super::PromptError;

    static INTERRUPTED: AtomicBool = AtomicBool::new(false);

    extern "C" fn on_sigint(_: libc::c_int) {
        INTERRUPTED.store(true, Ordering::SeqCst);
    }

    /// Restores the terminal settings and the SIGINT disposition however the prompt ends.
    struct Guard {
        termios: Option<libc::termios>,
        old_action: libc::sigaction,
    }

    impl Drop for Guard {
        fn drop(&mut self) {
            // SAFETY: restoring values obtained from the same calls in `read_line`.
            unsafe {
                if let Some(termios) = &self.termios {
                    libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, termios);
                }
                libc::sigaction(libc::SIGINT, &self.old_action, std::ptr::null_mut());
            }
        }
    }

    /// Reads one line from the terminal on stdin, byte by byte so nothing past the line is
    /// consumed. Returns the line without its line end.
    pub fn read_line(echo: bool) -> Result<Vec<u8>, PromptError> {
        INTERRUPTED.store(false, Ordering::SeqCst);
        // SAFETY: plain libc calls on stdin with properly initialised structures.
        let guard = unsafe {
            let mut action: libc::sigaction = MaybeUninit::zeroed().assume_init();
            action.sa_sigaction = on_sigint as *const () as libc::sighandler_t;
            // No SA_RESTART: the blocked read must return EINTR so we can clean up.
            action.sa_flags = 0;
            libc::sigemptyset(&mut action.sa_mask);
            let mut old_action: libc::sigaction = MaybeUninit::zeroed().assume_init();
            libc::sigaction(libc::SIGINT, &action, &mut old_action);

            let mut termios: libc::termios = MaybeUninit::zeroed().assume_init();
            let saved = if libc::tcgetattr(libc::STDIN_FILENO, &mut termios) == 0 {
                Some(termios)
            } else {
                None
            };
            let guard = Guard {
                termios: saved,
                old_action,
            };
            if !echo {
                // Fail closed: no token is asked for on a terminal that would show it.
                let Some(mut hidden) = saved else {
                    return Err(PromptError::CannotHide(io::Error::last_os_error()));
                };
                hidden.c_lflag &= !(libc::ECHO | libc::ECHONL);
                if libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &hidden) != 0 {
                    return Err(PromptError::CannotHide(io::Error::last_os_error()));
                }
            }
            guard
        };

        let mut line = Vec::new();
        loop {
            // A Ctrl-C that came before the read (while the prompt was printed) counts too.
            if INTERRUPTED.load(Ordering::SeqCst) {
                drop(guard);
                println!();
                let _ = io::stdout().flush();
                return Err(PromptError::Interrupted);
            }
            let mut byte = 0u8;
            // SAFETY: reading one byte into a valid buffer.
            let n = unsafe { libc::read(libc::STDIN_FILENO, (&mut byte as *mut u8).cast(), 1) };
            if INTERRUPTED.load(Ordering::SeqCst) {
                drop(guard);
                println!();
                let _ = io::stdout().flush();
                return Err(PromptError::Interrupted);
            }
            match n {
                1 if byte == b'\n' => break,
                1 => line.push(byte),
                0 => {
                    drop(guard);
                    println!();
                    return Err(PromptError::EndOfInput);
                }
                _ => {
                    let error = io::Error::last_os_error();
                    if error.kind() == io::ErrorKind::Interrupted {
                        continue;
                    }
                    return Err(PromptError::Io(error));
                }
            }
        }
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        Ok(line)
    }
}

#[cfg(not(unix))]
mod platform {
    use super::PromptError;

    pub fn read_line(_echo: bool) -> Result<Vec<u8>, PromptError> {
        let mut line = String::new();
        if std::io::stdin().read_line(&mut line)? == 0 {
            return Err(PromptError::EndOfInput);
        }
        Ok(line.trim_end_matches(['\r', '\n']).as_bytes().to_vec())
    }
}
