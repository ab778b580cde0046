//! A child process for tests that need several processes editing one netrc, or one that is
//! killed mid-write: this test binary re-runs itself with `BSR_HELPER` set, and the ignored
//! test below performs the requested edit through the library.

use std::path::Path;
use std::process::{Command, Stdio};

use bsr::secret::Token;
use bsr::store::{NetrcFile, StoreError, Written};

/// A failed edit through the library: the store's error or the document's.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Edit(#[from] bsr::netrc::EditError),
}

/// Runs this test binary as a helper that performs `op` on the netrc at `path`.
#[cfg_attr(not(unix), allow(dead_code))] // its users are Unix-only tests
pub fn command(op: &str, path: &Path) -> Command {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--exact",
        "support::child::helper_process",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
        "-q",
    ])
    .env("BSR_HELPER", op)
    .env("BSR_HELPER_NETRC", path)
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    cmd
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is set by the parent test"))
}

#[test]
#[ignore = "run by other tests as a child process"]
fn helper_process() {
    let Ok(op) = std::env::var("BSR_HELPER") else {
        return;
    };
    let file = NetrcFile::new(env("BSR_HELPER_NETRC"));
    match op.as_str() {
        // One edit: set MACHINE to LOGIN/PASSWORD and report how it was written.
        "set" => {
            let machine = env("BSR_HELPER_MACHINE");
            let token = Token::new(env("BSR_HELPER_PASSWORD"));
            let report = file
                .edit(|doc| -> Result<(), EditError> {
                    Ok(doc.set_machine(&machine, &env("BSR_HELPER_LOGIN"), &token)?)
                })
                .map_err(|e| e.to_string());
            match report {
                Ok(report) => println!(
                    "RESULT written={} narrowed={:?}",
                    match report.written {
                        Written::Unchanged => "unchanged",
                        Written::Atomically => "atomically",
                        Written::InPlace => "in-place",
                    },
                    report.narrowed_from.map(|m| format!("{m:o}"))
                ),
                Err(e) => println!("RESULT error={e}"),
            }
        }
        // login's early check that an edit could be written.
        "check" => match file.check_writable() {
            Ok(()) => println!("RESULT writable"),
            Err(e) => println!("RESULT error={e}"),
        },
        // Remove buf.build and go.buf.build, as logout does.
        "logout" => {
            let report = file.edit(|doc| -> Result<usize, EditError> {
                Ok(doc.remove_machine("buf.build")? + doc.remove_machine("go.buf.build")?)
            });
            match report {
                Ok(report) => println!("RESULT removed={}", report.value),
                Err(e) => println!("RESULT error={e}"),
            }
        }
        // Flip buf.build's password between two values until killed.
        "toggle" => {
            for round in 0u64.. {
                let token = Token::new(if round % 2 == 0 { "tokenA" } else { "tokenB" });
                file.edit(|doc| -> Result<(), EditError> {
                    Ok(doc.set_machine("buf.build", "alice", &token)?)
                })
                .unwrap();
            }
        }
        other => panic!("unknown helper op {other}"),
    }
}
