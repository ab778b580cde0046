//! The console: everything a command says, asks and waits for goes through one value, as gh's
//! `IOStreams` and uv's `Printer` do it. It owns standard output, standard error and standard
//! input, knows which of them are terminals, runs the prompts, carries the `--debug` logger's
//! output, and guards every wait against Ctrl-C and the command's deadline. Commands own no
//! globals; a test builds a [`Console::scripted`] one and runs a whole login in-process.
//!
//! How a command uses it:
//! - **Print**: `say!(console.out(), "…")?` for the result (stdout), `say!(console.err(), "…")?`
//!   for notes (stderr). Both map a failed write to `CommandError::Output`; a command's final
//!   report uses `report!`, whose broken pipe counts as success (`commands::report`).
//! - **Prompt**: `prompt::ask_visible(console, "Username: ")`, `prompt::ask_hidden(console,
//!   "Token: ")`; `console.stdin_is_terminal()` says whether one may be asked.
//! - **Wait**: anything that blocks on the outside world (a request, the pause between polls)
//!   goes through [`Console::wait`] or [`Console::pause`]. For exactly as long as the wait, Ctrl-C
//!   (and SIGTERM, SIGHUP) are caught; the wait ends within 20 ms of one, or of the deadline
//!   (`--timeout`), with [`Stopped`], and the process does not wait for the request it left
//!   running. On a terminal, a wait over a second says what it waits for, on stderr. Outside a
//!   wait a signal keeps its default effect: the process ends at once, having written nothing.
//! - **Guard a longer stretch**: [`Console::catch_signals`] returns a guard that catches for as
//!   long as it lives (a browser login holds one from the printed URL to the token), with
//!   [`SignalGuard::check`] at the points that can stop.

use std::collections::VecDeque;
use std::io::{self, IsTerminal, Read, Write};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use thiserror::Error;
use zeroize::Zeroizing;

use crate::duration::go_duration;
use crate::log::{LogFormat, Logger};
use crate::platform::{self, ReadLineError, SignalCatch};

/// How often a wait looks at the signal flag and the deadline: well within the 100 ms a
/// Ctrl-C may take.
const TICK: Duration = Duration::from_millis(20);
/// How long a wait may be silent on a terminal before it says what it waits for.
const SILENT_FOR: Duration = Duration::from_secs(1);

/// A signal that ended a command (Ctrl-C is `SIGINT`); the binary ends by it in turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signal(pub i32);

impl Signal {
    pub const INTERRUPT: Signal = Signal(platform::SIGINT);
}

/// Why a wait ended without its result.
#[derive(Debug, Error)]
pub enum Stopped {
    /// Ctrl-C (or SIGTERM, SIGHUP): nothing more is sent or written.
    #[error("interrupted")]
    Signal(Signal),
    /// The command's deadline passed. Buf 1.75 says `context deadline exceeded`; bsr says it
    /// too, and what it was waiting for.
    #[error(
        "context deadline exceeded: timed out after {limit} waiting for {waiting_for} (the limit --timeout or BUF_TIMEOUT sets for the whole command)"
    )]
    TimedOut { limit: String, waiting_for: String },
    #[error("cannot start a thread to wait on: {0}")]
    Thread(io::Error),
}

/// The deadline `--timeout` (or `BUF_TIMEOUT`) sets when given: the whole command must end
/// by then.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    at: Instant,
    limit: Duration,
}

impl Deadline {
    /// `limit` from now.
    pub fn after(limit: Duration) -> Deadline {
        Deadline {
            at: Instant::now() + limit,
            limit,
        }
    }

    /// The time left, zero once it has passed.
    pub fn remaining(&self) -> Duration {
        self.at.saturating_duration_since(Instant::now())
    }
}

/// What a wait is for: the line a terminal shows after a silent second (`Checking the token
/// with buf.build…`), and how a timeout names it (`the registry at buf.build`).
#[derive(Debug, Clone, Copy)]
pub struct Wait<'a> {
    pub progress: &'a str,
    pub waiting_for: &'a str,
}

/// Standard error, shared with the logger (which may write from a waiting thread).
type Shared = Arc<Mutex<Box<dyn Write + Send>>>;

/// Where the input comes from.
enum Input {
    /// The process's standard input and terminal.
    Process,
    /// A test's script.
    Scripted {
        answers: VecDeque<Answer>,
        stdin: Vec<u8>,
        signal: Arc<AtomicI32>,
    },
}

/// One scripted answer to a prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A typed line (without its Enter).
    Line(String),
    /// Ctrl-C at the prompt.
    Interrupt,
    /// Ctrl-D at the prompt.
    EndOfInput,
}

/// The console a command talks through.
pub struct Console {
    out: Box<dyn Write + Send>,
    err: Shared,
    input: Input,
    stdin_terminal: bool,
    stderr_terminal: bool,
    deadline: Option<Deadline>,
    log: Logger,
}

impl Console {
    /// The process's own streams. `stdout_closed`: standard output was closed at start (std
    /// reopens it on `/dev/null`, which would make `bsr registry whoami >&-` look like
    /// success), so every write to it fails, saying so.
    pub fn process(stdout_closed: bool) -> Console {
        let out: Box<dyn Write + Send> = if stdout_closed {
            Box::new(ClosedStdout)
        } else {
            Box::new(io::stdout())
        };
        let err: Shared = Arc::new(Mutex::new(Box::new(io::stderr())));
        Console {
            out,
            log: Logger::off(Arc::clone(&err)),
            err,
            input: Input::Process,
            stdin_terminal: io::stdin().is_terminal(),
            stderr_terminal: io::stderr().is_terminal(),
            deadline: None,
        }
    }

    /// A console for a test: stdin is a terminal that gives the `answers` in turn (or, with
    /// no answers, a pipe that holds `stdin`), stdout and stderr are captured.
    pub fn scripted(script: Script) -> (Console, Captured) {
        let out = Capture::default();
        let err = Capture::default();
        let signal = Arc::new(AtomicI32::new(0));
        let err_shared: Shared = if script.stderr_full {
            Arc::new(Mutex::new(Box::new(Full)))
        } else {
            Arc::new(Mutex::new(Box::new(err.clone())))
        };
        let console = Console {
            out: Box::new(out.clone()),
            log: Logger::off(Arc::clone(&err_shared)),
            err: err_shared,
            stdin_terminal: !script.answers.is_empty(),
            stderr_terminal: script.stderr_terminal,
            input: Input::Scripted {
                answers: script.answers.into(),
                stdin: script.stdin,
                signal: Arc::clone(&signal),
            },
            deadline: None,
        };
        (console, Captured { out, err, signal })
    }

    /// Standard output: what the command reports.
    pub fn out(&mut self) -> &mut dyn Write {
        &mut self.out
    }

    /// Standard error: notes, notices and progress.
    pub fn err(&self) -> impl Write + '_ {
        Locked(self.err.lock().unwrap_or_else(PoisonError::into_inner))
    }

    pub fn stdin_is_terminal(&self) -> bool {
        self.stdin_terminal
    }

    pub fn stderr_is_terminal(&self) -> bool {
        self.stderr_terminal
    }

    /// Turns on `--debug` output in `format`, written to this console's stderr.
    pub fn enable_debug(&mut self, format: LogFormat) {
        let color = format == LogFormat::Color && self.stderr_terminal;
        self.log = Logger::on(Arc::clone(&self.err), format, color);
    }

    /// The `--debug` logger (off unless enabled); clones write to the same stderr.
    pub fn log(&self) -> &Logger {
        &self.log
    }

    /// Sets the command's deadline (`--timeout` given).
    pub fn set_deadline(&mut self, deadline: Option<Deadline>) {
        self.deadline = deadline;
    }

    /// All of standard input, at most `limit` bytes (more: `Ok(None)`), in memory that is
    /// wiped when dropped and allocated once (no regrowth leaves a copy of a token behind).
    pub fn read_stdin(&mut self, limit: usize) -> io::Result<Option<Zeroizing<Vec<u8>>>> {
        // One byte over the limit tells "too much" apart, one more keeps the reader from
        // probing past a full buffer.
        let mut bytes = Zeroizing::new(Vec::with_capacity(limit + 2));
        match &mut self.input {
            Input::Process => {
                io::stdin()
                    .lock()
                    .take(limit as u64 + 1)
                    .read_to_end(&mut bytes)?;
            }
            Input::Scripted { stdin, .. } => {
                bytes.extend_from_slice(&stdin[..stdin.len().min(limit + 1)]);
            }
        }
        Ok((bytes.len() <= limit).then_some(bytes))
    }

    /// Reads one line at a prompt (already printed), with Ctrl-C caught for the read.
    pub(crate) fn read_line(&mut self, echo: bool) -> Result<Zeroizing<Vec<u8>>, ReadLineError> {
        match &mut self.input {
            Input::Process => {
                let catch = SignalCatch::install().map_err(ReadLineError::Io)?;
                platform::read_line(echo, &catch)
            }
            Input::Scripted { answers, .. } => match answers.pop_front() {
                Some(Answer::Line(line)) => {
                    if echo {
                        let _ = writeln!(self.out, "{line}");
                    }
                    Ok(Zeroizing::new(line.into_bytes()))
                }
                Some(Answer::Interrupt) => Err(ReadLineError::Interrupted(platform::SIGINT)),
                Some(Answer::EndOfInput) | None => Err(ReadLineError::EndOfInput),
            },
        }
    }

    /// Catches Ctrl-C (SIGTERM, SIGHUP) until the guard is dropped.
    pub fn catch_signals(&self) -> Result<SignalGuard, Stopped> {
        Ok(SignalGuard {
            catch: match &self.input {
                Input::Process => Catch::Process(SignalCatch::install().map_err(Stopped::Thread)?),
                Input::Scripted { signal, .. } => Catch::Scripted(Arc::clone(signal)),
            },
            deadline: self.deadline,
        })
    }

    /// Runs `work` (a blocking request) on a thread of its own and waits for it, ending early
    /// on a signal or at the deadline; the thread is then left behind, and what it does after
    /// is never looked at. A result that comes with a signal counts as the signal.
    pub fn wait<T: Send + 'static>(
        &self,
        what: Wait<'_>,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Stopped> {
        let guard = self.catch_signals()?;
        guard.check(what)?;
        let started = Instant::now();
        let worker = std::thread::Builder::new()
            .name("bsr-wait".to_owned())
            .spawn(work)
            .map_err(Stopped::Thread)?;
        let mut shown = false;
        loop {
            if worker.is_finished() {
                let result = worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                guard.check(what)?;
                return Ok(result);
            }
            guard.check(what)?;
            if !shown
                && self.stderr_terminal
                && !what.progress.is_empty()
                && started.elapsed() >= SILENT_FOR
            {
                shown = true;
                let _ = writeln!(self.err(), "{}", what.progress);
            }
            std::thread::sleep(TICK);
        }
    }

    /// Sleeps for `pause` (between polls), ending early on a signal or at the deadline.
    pub fn pause(&self, pause: Duration, what: Wait<'_>) -> Result<(), Stopped> {
        let guard = self.catch_signals()?;
        let until = Instant::now() + pause;
        loop {
            guard.check(what)?;
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(());
            }
            std::thread::sleep(left.min(TICK));
        }
    }
}

/// Signals caught for as long as this lives ([`Console::catch_signals`]).
pub struct SignalGuard {
    catch: Catch,
    deadline: Option<Deadline>,
}

enum Catch {
    Process(SignalCatch),
    Scripted(Arc<AtomicI32>),
}

impl SignalGuard {
    /// The signal caught so far, if any.
    pub fn caught(&self) -> Option<Signal> {
        match &self.catch {
            Catch::Process(catch) => catch.caught().map(Signal),
            Catch::Scripted(signal) => Some(signal.load(Ordering::SeqCst))
                .filter(|&s| s != 0)
                .map(Signal),
        }
    }

    /// `Err` once a signal came or the deadline passed.
    pub fn check(&self, what: Wait<'_>) -> Result<(), Stopped> {
        if let Some(signal) = self.caught() {
            return Err(Stopped::Signal(signal));
        }
        match self.deadline {
            Some(deadline) if deadline.remaining().is_zero() => Err(Stopped::TimedOut {
                limit: go_duration(deadline.limit),
                waiting_for: what.waiting_for.to_owned(),
            }),
            _ => Ok(()),
        }
    }
}

/// What a [`Console::scripted`] console is given.
#[derive(Debug, Clone, Default)]
pub struct Script {
    /// The answers typed at the prompts, in order (stdin is then a terminal).
    pub answers: Vec<Answer>,
    /// Standard input when no answers are given (a pipe).
    pub stdin: Vec<u8>,
    /// Whether stderr is a terminal (progress lines are shown).
    pub stderr_terminal: bool,
    /// Every write to stderr fails as on a full disk.
    pub stderr_full: bool,
}

/// What a scripted console's command wrote, and a way to send it Ctrl-C from another thread.
#[derive(Clone)]
pub struct Captured {
    out: Capture,
    err: Capture,
    signal: Arc<AtomicI32>,
}

impl Captured {
    pub fn out(&self) -> String {
        self.out.text()
    }

    pub fn err(&self) -> String {
        self.err.text()
    }

    /// Ctrl-C, as a waiting command sees it.
    pub fn interrupt(&self) {
        self.signal.store(platform::SIGINT, Ordering::SeqCst);
    }
}

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Capture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
    }
}

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

struct Locked<'a>(MutexGuard<'a, Box<dyn Write + Send>>);

impl Write for Locked<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// A stream on a full disk.
struct Full;

impl Write for Full {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::from(io::ErrorKind::StorageFull))
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Standard output that was closed at start: every write fails as a pipe whose reader went away
/// does, since for SPEC both mean nobody is listening (a finished report ends with 0, silently).
struct ClosedStdout;

impl Write for ClosedStdout {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::new(
            io::ErrorKind::BrokenPipe,
            "standard output is closed",
        ))
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WAIT: Wait<'static> = Wait {
        progress: "Checking…",
        waiting_for: "the test",
    };

    #[test]
    fn a_wait_ends_at_ctrl_c_without_waiting_for_the_work() {
        let (console, captured) = Console::scripted(Script::default());
        let interrupter = captured.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            interrupter.interrupt();
        });
        let started = Instant::now();
        let result = console.wait(WAIT, || std::thread::sleep(Duration::from_secs(30)));
        assert!(matches!(result, Err(Stopped::Signal(Signal::INTERRUPT))));
        assert!(started.elapsed() < Duration::from_secs(1));
    }

    #[test]
    fn a_wait_ends_at_the_deadline_naming_it() {
        let (mut console, _) = Console::scripted(Script::default());
        console.set_deadline(Some(Deadline::after(Duration::from_millis(100))));
        let error = console
            .wait(WAIT, || std::thread::sleep(Duration::from_secs(30)))
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "context deadline exceeded: timed out after 100ms waiting for the test (the limit --timeout or BUF_TIMEOUT sets for the whole command)"
        );
        let error = console.pause(Duration::from_secs(30), WAIT).unwrap_err();
        assert!(matches!(error, Stopped::TimedOut { .. }));
    }

    #[test]
    fn a_slow_wait_says_what_it_waits_for_on_a_terminal_only() {
        for terminal in [true, false] {
            let (console, captured) = Console::scripted(Script {
                stderr_terminal: terminal,
                ..Script::default()
            });
            let value = console
                .wait(WAIT, || {
                    std::thread::sleep(Duration::from_millis(1200));
                    7
                })
                .unwrap();
            assert_eq!(value, 7);
            let expected = if terminal { "Checking…\n" } else { "" };
            assert_eq!(captured.err(), expected);
        }
    }

    #[test]
    fn stdin_over_the_limit_is_refused() {
        let (mut console, _) = Console::scripted(Script {
            stdin: b"12345".to_vec(),
            ..Script::default()
        });
        assert!(console.read_stdin(4).unwrap().is_none());
        assert_eq!(&**console.read_stdin(5).unwrap().unwrap(), b"12345");
    }
}
