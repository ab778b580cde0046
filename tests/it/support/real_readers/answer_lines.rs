//! The batch protocol between the differential tests and the real readers' helper programs
//! (a Ruby script, a Java class, a node script): files and hosts go through a temp dir, never
//! through arguments, and the answers come back one line per file.
//!
//! - The dir holds `0.netrc`, `1.netrc`, … and `hosts`: one host a line, hex-encoded.
//! - The program prints, per file, `rejected` or one answer per host, separated by spaces:
//!   `-` for no entry, else `login,password,account`, each `~` when the reader has no value and
//!   `x` followed by the value's UTF-8 bytes in hex otherwise.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use tempfile::TempDir;

use bsr::netrc::readers::{Creds, Rejected};

/// One file's answers: per host, what the reader hands out.
pub type Answers = Result<Vec<Option<Creds>>, Rejected>;

/// Writes `files` and `hosts` into `dir` (files readable by their owner only, as a netrc is).
pub fn write_batch(dir: &Path, files: &[Vec<u8>], hosts: &[Vec<u8>]) {
    for (i, file) in files.iter().enumerate() {
        let path = dir.join(format!("{i}.netrc"));
        fs::write(&path, file).unwrap();
        #[cfg(unix)]
        crate::support::set_mode(&path, 0o600);
    }
    let hosts: String = hosts.iter().map(|h| hex(h) + "\n").collect();
    fs::write(dir.join("hosts"), hosts).unwrap();
}

/// A temp dir holding the batch (see [`write_batch`]) and, as `name`, the helper script that
/// reads it; the script's path.
pub fn batch_with_script(
    files: &[Vec<u8>],
    hosts: &[Vec<u8>],
    name: &str,
    script: &str,
) -> (TempDir, PathBuf) {
    let dir = TempDir::new().unwrap();
    write_batch(dir.path(), files, hosts);
    let path = dir.path().join(name);
    fs::write(&path, script).unwrap();
    (dir, path)
}

/// The output of `helper`, which must have succeeded.
pub fn stdout_of(output: Output, helper: &str) -> Vec<u8> {
    assert!(
        output.status.success(),
        "{helper} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// Reads a helper program's output for `files` files of `hosts` hosts each.
pub fn parse(stdout: &[u8], files: usize, hosts: usize) -> Vec<Answers> {
    let text = String::from_utf8(stdout.to_vec()).expect("answers are ASCII");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), files, "one answer line per file:\n{text}");
    lines
        .into_iter()
        .map(|line| {
            if line == "rejected" {
                return Err(Rejected);
            }
            let answers: Vec<Option<Creds>> = line
                .split(' ')
                .filter(|a| !a.is_empty())
                .map(creds)
                .collect();
            assert_eq!(answers.len(), hosts, "one answer per host: {line}");
            Ok(answers)
        })
        .collect()
}

fn creds(answer: &str) -> Option<Creds> {
    if answer == "-" {
        return None;
    }
    let fields: Vec<Option<Vec<u8>>> = answer.split(',').map(value).collect();
    let [login, password, account] = <[_; 3]>::try_from(fields).expect("three fields");
    Some(Creds {
        login,
        password,
        account,
    })
}

fn value(field: &str) -> Option<Vec<u8>> {
    if field == "~" {
        return None;
    }
    let digits = field.strip_prefix('x').expect("a value starts with x");
    Some(unhex(digits))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(digits: &str) -> Vec<u8> {
    (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).expect("hex"))
        .collect()
}
