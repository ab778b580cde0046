//! The `bsr` binary: take the environment once, parse the arguments, run the library, print
//! `Failure: …` and pick the exit code, or end by the signal that ended the command.

use std::io::{self, Write};
use std::process::ExitCode;

use bsr::console::Console;
use bsr::environment::Environment;
use bsr::{app, cli};

fn main() -> ExitCode {
    // Before anything secret is read: no core file, no peeking by other processes.
    if let Err(error) = app::keep_memory_private() {
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
            return match usage.print() {
                // Help nobody reads any more is no failure; help that cannot be written is.
                Err(error) if error.kind() != io::ErrorKind::BrokenPipe => {
                    let _ = writeln!(io::stderr(), "Failure: cannot write output: {error}");
                    ExitCode::from(1)
                }
                _ => ExitCode::from(usage.exit_code),
            };
        }
    };
    let mut console = Console::process(app::stdout_was_closed());
    match app::run(args, &env, &mut console) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            if let Some(signal) = error.signal() {
                // Everything is cleaned up (the terminal restored, nothing written): end as
                // the signal would have ended bsr, so that a calling shell loop stops too.
                drop(console);
                app::end_by_signal(signal.0);
            }
            if let Some(message) = error.failure_message() {
                let _ = writeln!(io::stderr(), "Failure: {message}");
            }
            ExitCode::from(error.exit_code())
        }
    }
}
