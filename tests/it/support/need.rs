//! What a test needs from the machine, and the skip when it is missing.
//!
//! A test that needs a program (zsh, curl, python3, …) or root asks here first. When the need is
//! met it runs as usual. When it is not, the test prints one line on the terminal
//! (`skipped: needs zsh — apt-get install zsh (completion::zsh_…)`), returns without failing, and
//! the run ends with a summary of every skip. With `BSR_TEST_NO_SKIP=1` (set by `.ci/run`, which
//! installs everything) a skip is a failure instead, so CI can never pass a test that did not run.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;
#[cfg(unix)]
use std::sync::Once;

/// The variable that turns every skip into a failure.
pub const NO_SKIP: &str = "BSR_TEST_NO_SKIP";

static SKIPPED: Mutex<Vec<String>> = Mutex::new(Vec::new());
#[cfg(unix)]
static SUMMARY: Once = Once::new();

/// The absolute path of `program` on `PATH`, or a skip naming the Debian `package` that has it.
/// Use as `let Some(zsh) = need::tool("zsh", "zsh") else { return };`.
pub fn tool(program: &str, package: &str) -> Option<PathBuf> {
    match find_on_path(program) {
        Some(path) => Some(path),
        None => {
            skip(&format!("needs {program} — apt-get install {package}"));
            None
        }
    }
}

/// Whether the test runs as root (it mounts a file system, or acts as another user), else a
/// skip. Use as `if !need::root("mounts a full tmpfs") { return; }`.
#[cfg(unix)]
pub fn root(why: &str) -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } == 0 {
        return true;
    }
    skip(&format!("needs root ({why}) — run the tests as root"));
    false
}

/// Whether `program` runs here, for things a PATH lookup cannot tell (a user namespace that the
/// kernel refuses, say), else a skip with `why`.
#[cfg(unix)]
pub fn works(program: &str, args: &[&str], why: &str) -> bool {
    let ok = std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        skip(&format!("needs {why}"));
    }
    ok
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &std::path::Path) -> bool {
    path.is_file() || path.with_extension("exe").is_file()
}

/// Records a skip of the running test, or fails it under [`NO_SKIP`].
pub fn skip(reason: &str) {
    let test = std::thread::current()
        .name()
        .unwrap_or("(unnamed test)")
        .to_owned();
    if std::env::var_os(NO_SKIP).is_some_and(|v| !v.is_empty() && v != "0") {
        panic!("{test}: {reason}; {NO_SKIP} is set, so nothing may be skipped");
    }
    // Straight to the terminal: the test harness captures `eprintln!` of passing tests.
    let _ = writeln!(std::io::stderr(), "skipped: {reason} ({test})");
    SKIPPED.lock().unwrap().push(format!("{test}: {reason}"));
    #[cfg(unix)]
    SUMMARY.call_once(|| {
        // SAFETY: `print_summary` is an `extern "C" fn()` that does not unwind (it catches
        // nothing and only writes to stderr); registering it has no other precondition.
        let registered = unsafe { libc::atexit(print_summary) };
        assert_eq!(registered, 0, "atexit failed");
    });
}

/// Runs when the test binary exits, after the harness's own summary.
#[cfg(unix)]
extern "C" fn print_summary() {
    let skipped = match SKIPPED.lock() {
        Ok(skipped) => skipped,
        Err(poisoned) => poisoned.into_inner(),
    };
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(
        stderr,
        "\n{} test(s) skipped for want of a tool or root (set {NO_SKIP}=1 to make this fail):",
        skipped.len()
    );
    for line in skipped.iter() {
        let _ = writeln!(stderr, "  {line}");
    }
}
