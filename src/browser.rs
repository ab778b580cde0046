//! Opening the verification URL in the user's browser, without ever depending on it: the URL
//! is printed first, an opener that is missing, fails or hangs is a one-line note, and bsr
//! waits for the opener only a moment (it goes on polling whatever the opener does).

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long an opener gets to fail before bsr assumes it is showing the page.
const MOMENT: Duration = Duration::from_millis(1500);

/// What became of the attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// The opener was started and did not fail within a moment.
    Started,
    /// It could not be started, or it failed.
    Failed { opener: String, reason: String },
    /// No opener exists here.
    NoOpener,
}

/// Where to look for an opener: `$BROWSER` and `$PATH` from the environment snapshot.
#[derive(Debug, Clone, Default)]
pub struct OpenerEnv {
    pub browser: Option<OsString>,
    pub path: Option<OsString>,
}

/// The openers tried on this system, after `$BROWSER`.
#[cfg(target_os = "macos")]
const SYSTEM_OPENERS: &[&str] = &["open"];
#[cfg(windows)]
const SYSTEM_OPENERS: &[&str] = &["rundll32"];
#[cfg(not(any(target_os = "macos", windows)))]
const SYSTEM_OPENERS: &[&str] = &["xdg-open", "x-www-browser", "www-browser", "wslview"];

/// The variables that hold BSR secrets, kept out of the opener's environment.
const SECRET_VARIABLES: &[&str] = &["BUF_TOKEN"];

/// The names a note lists when nothing was found.
pub fn opener_names() -> String {
    let mut names = vec!["$BROWSER".to_owned()];
    names.extend(SYSTEM_OPENERS.iter().map(|s| (*s).to_owned()));
    names.join(", ")
}

/// Opens `url` (an http(s) URL of printable ASCII, checked by the caller) with the first opener
/// found: each program in `$BROWSER` (separated as `PATH` is, by the usual convention), else the
/// system's. The URL is the opener's one argument; no shell is involved. The moment given to the
/// opener ends early once `stop` says so (Ctrl-C).
pub fn open(url: &str, env: &OpenerEnv, stop: &dyn Fn() -> bool) -> Opened {
    let Some(program) = find_opener(env) else {
        return Opened::NoOpener;
    };
    let opener = program.display().to_string();
    // Fail closed: a browser that would inherit bsr's stray descriptors is not started.
    if let Err(e) = crate::platform::close_on_exec_above_stderr() {
        return Opened::Failed {
            opener,
            reason: format!("its open files could not be kept from it ({e})"),
        };
    }
    let mut command = Command::new(&program);
    if cfg!(windows) && env.browser.is_none() {
        // The shell's URL handler, without cmd.exe (which would read `&` in the URL).
        command.arg("url.dll,FileProtocolHandler");
    }
    // A browser keeps its environment for its lifetime and hands it to every process it
    // starts: no BSR secret goes into it.
    for secret in SECRET_VARIABLES {
        command.env_remove(secret);
    }
    let started = command
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let mut child = match started {
        Ok(child) => child,
        Err(e) => {
            return Opened::Failed {
                opener,
                reason: e.to_string(),
            };
        }
    };
    let deadline = Instant::now() + MOMENT;
    while Instant::now() < deadline && !stop() {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Opened::Started,
            Ok(Some(status)) => {
                return Opened::Failed {
                    opener,
                    reason: format!("it exited with {status}"),
                };
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(_) => break,
        }
    }
    // Still running: a browser in the foreground, most likely. It is not waited for.
    Opened::Started
}

fn find_opener(env: &OpenerEnv) -> Option<PathBuf> {
    let path = env.path.as_deref().unwrap_or_default();
    if let Some(browser) = env.browser.as_deref().filter(|b| !b.is_empty()) {
        return std::env::split_paths(browser)
            .find_map(|entry| find_program(entry.as_os_str(), path));
    }
    SYSTEM_OPENERS
        .iter()
        .find_map(|name| find_program(OsStr::new(name), path))
}

/// `program` itself when it names a path, else the first match on `path`'s absolute entries:
/// an empty or relative entry means the working directory, where anyone may have left a
/// program of that name, so it is skipped, as Go's `exec.LookPath` refuses an implicit `./`.
fn find_program(program: &OsStr, path: &OsStr) -> Option<PathBuf> {
    let as_path = Path::new(program);
    if as_path.components().count() > 1 {
        return is_program(as_path).then(|| as_path.to_path_buf());
    }
    std::env::split_paths(path)
        .filter(|dir| dir.is_absolute())
        .find_map(|dir| {
            let candidate = dir.join(program);
            if is_program(&candidate) {
                return Some(candidate);
            }
            let exe = candidate.with_extension("exe");
            (cfg!(windows) && is_program(&exe)).then_some(exe)
        })
}

#[cfg(unix)]
fn is_program(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_program(path: &Path) -> bool {
    path.is_file()
}
