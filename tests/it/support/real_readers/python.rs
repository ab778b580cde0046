//! Python's `netrc` module, asked through `ask.py`: `netrc.netrc(path).authenticators(host)`
//! for every file of a batch in one `python3` process, in a UTF-8 locale as users run it.

use std::process::Command;

use super::answer_lines::{self, Answers};
use crate::support::need;

const SCRIPT: &str = include_str!("ask.py");

/// The module's answers for each file and host, or `None` (a skip) without `python3`.
pub fn ask(files: &[Vec<u8>], hosts: &[Vec<u8>]) -> Option<Vec<Answers>> {
    let python = need::tool("python3", "python3")?;
    let (dir, script) = answer_lines::batch_with_script(files, hosts, "ask.py", SCRIPT);
    // `-I`: no PYTHON* variables, no user site, nothing but the standard library's module.
    let output = Command::new(python)
        .arg("-I")
        .arg(&script)
        .arg(dir.path())
        .arg(files.len().to_string())
        .env("LC_ALL", "C.UTF-8")
        .output()
        .unwrap();
    let stdout = answer_lines::stdout_of(output, "ask.py");
    Some(answer_lines::parse(&stdout, files.len(), hosts.len()))
}

/// The version checked against, for a failing test's message.
pub fn version() -> String {
    let out = Command::new("python3")
        .args([
            "-I",
            "-c",
            "import sys; print(sys.version.split()[0], end='')",
        ])
        .output()
        .unwrap();
    format!("Python {}", String::from_utf8_lossy(&out.stdout))
}
