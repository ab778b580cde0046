//! JGit's `NetRC` (Debian `libjgit-java`), asked through `Ask.java`: `new NetRC(file)` and
//! `getEntry(host)` for every file of a batch in one JVM. The class is compiled once per test
//! run. Files are decoded as UTF-8, as JGit 5 and later always do (4.x uses the platform
//! charset, which `-Dfile.encoding` sets).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use tempfile::TempDir;

use super::answer_lines::{self, Answers};
use crate::support::need;

const SOURCE: &str = include_str!("Ask.java");
/// Where Debian's `libjgit-java` puts JGit.
const JAR: &str = "/usr/share/java/org.eclipse.jgit.jar";

/// JGit's answers for each file and host, or `None` (a skip) without a JDK or JGit.
pub fn ask(files: &[Vec<u8>], hosts: &[Vec<u8>]) -> Option<Vec<Answers>> {
    let dir = TempDir::new().unwrap();
    answer_lines::write_batch(dir.path(), files, hosts);
    let output = run_ask(&[dir.path().as_os_str(), files.len().to_string().as_ref()])?;
    Some(answer_lines::parse(&output, files.len(), hosts.len()))
}

/// JGit's version, for a failing test's message.
pub fn version() -> String {
    let version = run_ask(&["--version".as_ref()]).unwrap_or_default();
    format!("JGit {}", String::from_utf8_lossy(&version))
}

/// `java Ask ARGS…`'s output, or `None` (a skip) without a JDK or JGit.
fn run_ask(args: &[&OsStr]) -> Option<Vec<u8>> {
    let java = need::tool("java", "default-jdk-headless")?;
    let classes = compiled()?;
    let classpath = std::env::join_paths([classes.as_path(), Path::new(JAR)]).unwrap();
    let output = Command::new(java)
        .arg("-Dfile.encoding=UTF-8")
        .arg("-cp")
        .arg(classpath)
        .arg("Ask")
        .args(args)
        .output()
        .unwrap();
    Some(answer_lines::stdout_of(output, "Ask.java"))
}

/// The directory holding `Ask.class`, compiled on first use.
fn compiled() -> Option<PathBuf> {
    static CLASSES: OnceLock<Option<PathBuf>> = OnceLock::new();
    CLASSES
        .get_or_init(|| {
            let javac = need::tool("javac", "default-jdk-headless")?;
            if !Path::new(JAR).is_file() {
                need::skip("needs JGit — apt-get install libjgit-java");
                return None;
            }
            let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("jgit-ask");
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("Ask.java"), SOURCE).unwrap();
            let status = Command::new(javac)
                .args(["-nowarn", "-cp", JAR, "-d"])
                .arg(&dir)
                .arg(dir.join("Ask.java"))
                .status()
                .unwrap();
            assert!(status.success(), "javac Ask.java failed");
            Some(dir)
        })
        .clone()
}
