//! The `bsr` binary: take the environment once, parse the arguments, run the library, print
//! `Failure: …` and pick the exit code.

use std::io::{self, Write};
use std::process::ExitCode;

use bsr::environment::Environment;
use bsr::{app, cli};

fn main() -> ExitCode {
    // Before anything secret is read: no core file, no peeking by other processes.
    if let Err(error) = bsr::app::keep_memory_private() {
        let _ = writeln!(
            io::stderr(),
            "Failure: cannot keep bsr's memory private (no core files): {error}"
        );
        return ExitCode::from(1);
    }
    let env = Environment::capture();
    let args = match cli::parse() {
        Ok(args) => args,
        Err(usage) => {
            usage.print();
            return ExitCode::from(usage.exit_code);
        }
    };
    let mut out: Box<dyn Write> = if !bsr::app::stdout_was_closed() {
        Box::new(io::stdout().lock())
    } else {
        Box::new(ClosedStdout)
    };
    let mut err = io::stderr();
    match app::run(args, &env, &mut out, &mut err) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            if let Some(message) = error.failure_message() {
                let _ = writeln!(io::stderr(), "Failure: {message}");
            }
            ExitCode::from(error.exit_code())
        }
    }
}

/// Standard output when it was closed at start (std reopens it on `/dev/null`, which would make
/// `bsr registry whoami >&-` look like success): every write fails, saying so.
struct ClosedStdout;

impl Write for ClosedStdout {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::other("standard output is closed"))
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
