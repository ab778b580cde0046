//! npm's `netrc-parser`, asked through `ask.js`: `new Netrc(file).loadSync()` and
//! `netrc.machines[host]` for every file of a batch in one node process. The package comes
//! from `npm install --prefix target/npm-readers netrc-parser@3.1.6` (as `.ci/run` does).

use std::path::{Path, PathBuf};
use std::process::Command;

use super::answer_lines::{self, Answers};
use crate::support::need;

const SCRIPT: &str = include_str!("ask.js");
/// The version the model was written from and is checked against.
pub const PINNED: &str = "3.1.6";

fn module() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/npm-readers/node_modules/netrc-parser")
}

/// The package's answers for each file and host, or `None` (a skip) without node or it.
/// A file it is still reading after 20 s fails the test: such a file must not be asked.
pub fn ask(files: &[Vec<u8>], hosts: &[Vec<u8>]) -> Option<Vec<Answers>> {
    let stdout = run(files, hosts, 20_000)?;
    if let Some(i) = stdout.split(|&b| b == b'\n').position(|l| l == b"hang") {
        panic!(
            "netrc-parser hangs on file {i}:\n{}",
            files[i].escape_ascii()
        );
    }
    Some(answer_lines::parse(&stdout, files.len(), hosts.len()))
}

/// Whether the package is still reading `file` after `millis`, or `None` (a skip).
pub fn hangs(file: &[u8], millis: u32) -> Option<bool> {
    let stdout = run(&[file.to_vec()], &[], millis)?;
    Some(stdout == b"hang\n")
}

fn run(files: &[Vec<u8>], hosts: &[Vec<u8>], millis: u32) -> Option<Vec<u8>> {
    let node = need::tool("node", "nodejs")?;
    if !module().join("package.json").is_file() {
        need::skip(&format!(
            "needs npm's netrc-parser — npm install --prefix target/npm-readers netrc-parser@{PINNED}"
        ));
        return None;
    }
    let (dir, script) = answer_lines::batch_with_script(files, hosts, "ask.js", SCRIPT);
    let output = Command::new(node)
        .arg(&script)
        .arg(module())
        .arg(dir.path())
        .arg(files.len().to_string())
        .arg(millis.to_string())
        .env_remove("DEBUG")
        .output()
        .unwrap();
    Some(answer_lines::stdout_of(output, "ask.js"))
}

/// The installed version, for a failing test's message.
pub fn version() -> String {
    let manifest = std::fs::read_to_string(module().join("package.json")).unwrap_or_default();
    let version = manifest
        .lines()
        .find_map(|l| l.trim().strip_prefix("\"version\": \""))
        .and_then(|v| v.split('"').next())
        .unwrap_or("?");
    format!("netrc-parser {version}")
}
