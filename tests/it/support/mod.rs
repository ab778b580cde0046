//! The test environment: a temp HOME with a Buf config, the built `bsr` binary, a loopback
//! Connect registry and a pseudo-terminal.

pub mod child;
pub mod deep;
#[cfg(unix)]
pub mod device;
pub mod fixtures;
pub mod need;
pub mod pki;
pub mod proxy;
#[cfg(unix)]
pub mod pty;
pub mod readers;
pub mod real_readers;
pub mod registry;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use bsr::console::{Captured, Console, Script};
use tempfile::TempDir;

pub use registry::{Registry, Reply};

/// The tokens tests use. `TestEnv::run` fails a test if any of them shows up in any output.
pub const TOKEN: &str = "bsr-test-token-0123456789abcdef";
pub const OTHER_TOKEN: &str = "bsr-test-token-fedcba9876543210";
const ALL_TOKENS: [&str; 2] = [TOKEN, OTHER_TOKEN];

/// What a finished `bsr` process did.
#[derive(Debug)]
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// The temp HOME, shown as `~` in [`Outcome::transcript`].
    home: PathBuf,
}

impl Outcome {
    /// Exit code, stdout and stderr in one text, with the temp HOME shown as `~`: what the
    /// `assert_transcript!` snapshots hold.
    pub fn transcript(&self) -> String {
        let home = self.home.display().to_string();
        let mut text = format!("exit: {}\n", self.code);
        for (name, stream) in [("stdout", &self.stdout), ("stderr", &self.stderr)] {
            if !stream.is_empty() {
                text.push_str(&format!("--- {name}\n{}", stream.replace(&home, "~")));
                if !stream.ends_with('\n') {
                    text.push_str("\n[no final newline]\n");
                }
            }
        }
        text
    }
}

/// Snapshot filters for what changes from run to run: loopback ports.
pub const FILTERS: &[(&str, &str)] = &[(r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]")];

/// Compares text with a reviewed snapshot, ports filtered: `assert_snapshot!(text, @"…")`.
/// A wording change is then one reviewed diff (`cargo insta review`, or
/// `INSTA_UPDATE=always cargo test` and `git diff`).
#[macro_export]
macro_rules! assert_snapshot {
    ($($arg:tt)*) => {
        insta::with_settings!(
            { filters => $crate::support::FILTERS.to_vec(), prepend_module_to_snapshot => false },
            { insta::assert_snapshot!($($arg)*) }
        )
    };
}

/// Snapshots a whole [`Outcome`]: exit code, stdout and stderr.
#[macro_export]
macro_rules! assert_transcript {
    ($outcome:expr, $($arg:tt)*) => {
        $crate::assert_snapshot!($outcome.transcript(), $($arg)*)
    };
}

pub struct TestEnv {
    home: TempDir,
    /// Extra environment for every run.
    envs: Vec<(String, String)>,
}

impl TestEnv {
    /// A HOME whose Buf config says `tls.use: "false"`, so `bsr` talks plain HTTP.
    pub fn new() -> TestEnv {
        TestEnv::with_config(Some("version: v1\ntls:\n  use: \"false\"\n"))
    }

    pub fn with_config(config: Option<&str>) -> TestEnv {
        let home = TempDir::new().unwrap();
        if let Some(config) = config {
            let dir = home.path().join(".config/buf");
            fs::create_dir_all(&dir).unwrap();
            fs::write(dir.join("config.yaml"), config).unwrap();
        }
        TestEnv {
            home,
            envs: Vec::new(),
        }
    }

    pub fn home(&self) -> &Path {
        self.home.path()
    }

    pub fn netrc_path(&self) -> PathBuf {
        self.home().join(".netrc")
    }

    pub fn netrc(&self) -> String {
        fs::read_to_string(self.netrc_path()).unwrap()
    }

    pub fn write_netrc(&self, text: &str) {
        fs::write(self.netrc_path(), text).unwrap();
        #[cfg(unix)]
        set_mode(&self.netrc_path(), 0o600);
    }

    pub fn env(&mut self, key: &str, value: &str) -> &mut Self {
        self.envs.push((key.to_owned(), value.to_owned()));
        self
    }

    /// `bsr` with a clean environment: only this HOME, no proxy, no BUF_* variable.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_bsr"));
        cmd.args(args)
            .env_clear()
            .env("HOME", self.home())
            .env("PATH", "/usr/bin:/bin");
        for (key, value) in &self.envs {
            cmd.env(key, value);
        }
        cmd
    }

    /// `/bin/sh -c script` with the environment `command` gives `bsr`, and `$BSR` naming the
    /// binary: for redirections and limits only a shell sets up (`>&-`, `ulimit -v`).
    pub fn shell(&self, script: &str) -> Command {
        let envs: Vec<(std::ffi::OsString, std::ffi::OsString)> = self
            .command(&[])
            .get_envs()
            .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned())))
            .collect();
        let mut cmd = Command::new("/bin/sh");
        cmd.env_clear()
            .envs(envs)
            .env("BSR", env!("CARGO_BIN_EXE_bsr"))
            .args(["-c", script])
            .stdin(Stdio::null());
        cmd
    }

    /// Runs `bsr` with `stdin` piped in and checks that no token leaked into its output.
    pub fn run(&self, args: &[&str], stdin: &str) -> Outcome {
        let output = run_piped(&mut self.command(args), stdin);
        let outcome = Outcome {
            code: shell_status(&output.status),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            home: self.home().to_owned(),
        };
        assert_no_token(&outcome.stdout);
        assert_no_token(&outcome.stderr);
        outcome
    }

    /// `bsr registry login <domain> --token-stdin [extra…]` with `stdin` piped in.
    pub fn login(&self, domain: &str, extra: &[&str], stdin: &str) -> Outcome {
        let mut args = vec!["registry", "login", domain, "--token-stdin"];
        args.extend_from_slice(extra);
        self.run(&args, stdin)
    }

    /// Runs `bsr args…` inside the test process on a scripted console (typed answers, or a
    /// piped stdin), as `main` would: the exit status, and stdout and stderr with the
    /// `Failure:` line `main` prints.
    pub fn run_in_process(&self, args: &[&str], script: Script) -> (i32, Captured) {
        self.run_in_process_with(args, script, |_| {})
    }

    /// [`TestEnv::run_in_process`], handing `started` the console's captures (to send it a
    /// Ctrl-C from another thread) before the command runs.
    pub fn run_in_process_with(
        &self,
        args: &[&str],
        script: Script,
        started: impl FnOnce(&Captured),
    ) -> (i32, Captured) {
        let home = self.home().display().to_string();
        let mut vars = vec![("HOME", home.as_str())];
        vars.extend(self.envs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let env = bsr::environment::Environment::from_vars(vars, None);
        let args = bsr::cli::parse_from(std::iter::once("bsr").chain(args.iter().copied()))
            .expect("the arguments parse");
        let (mut console, captured) = Console::scripted(script);
        started(&captured);
        let code = match bsr::app::run(args, &env, &mut console) {
            Ok(()) => 0,
            Err(error) => {
                if let Some(message) = error.failure_message() {
                    use std::io::Write;
                    let _ = writeln!(console.err(), "Failure: {message}");
                }
                i32::from(error.exit_code())
            }
        };
        assert_no_token(&captured.out());
        assert_no_token(&captured.err());
        (code, captured)
    }

    /// Replaces the temp HOME in `text` with `~`, so expected outputs can be written literally.
    pub fn filter(&self, text: &str) -> String {
        text.replace(&self.home().display().to_string(), "~")
    }
}

/// Runs `script` with bash, as root, in a private mount namespace, so a test file system never
/// outlives the test or shows up elsewhere. `None` (a skip) where the machine cannot do that.
#[cfg(unix)]
pub fn in_private_mount_namespace(
    script: &str,
    envs: &[(&str, &Path)],
) -> Option<std::process::Output> {
    const UNSHARE: [&str; 4] = ["--mount", "--propagation", "private", "bash"];
    if !need::root("mounts a tmpfs in a private mount namespace") {
        return None;
    }
    need::tool("unshare", "util-linux")?;
    if !need::works(
        "unshare",
        &[&UNSHARE[..], &["-c", "true"]].concat(),
        "a private mount namespace (unshare --mount), which this machine refuses",
    ) {
        return None;
    }
    let output = Command::new("unshare")
        .args(UNSHARE)
        .args(["-euc", script])
        .envs(envs.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap();
    Some(output)
}

/// `cmd` run as the unprivileged user `nobody` (uid and gid 65534) through `setpriv`, for what
/// root could do anyway, with only the environment `cmd` sets. `None` (a skip) unless the tests
/// run as root and have setpriv.
#[cfg(unix)]
pub fn as_nobody(cmd: &Command) -> Option<Command> {
    if !need::root("acts as the unprivileged user nobody") {
        return None;
    }
    let setpriv = need::tool("setpriv", "util-linux")?;
    let mut wrapped = Command::new(setpriv);
    wrapped
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .env_clear()
        .envs(cmd.get_envs().filter_map(|(k, v)| Some((k, v?))));
    Some(wrapped)
}

/// Starts `cmd` with its three standard streams piped.
pub fn spawn_piped(cmd: &mut Command) -> Child {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Writes `text` to the child's standard input and closes it. A child that exited before
/// reading (say, on a bad config) is no error.
pub fn feed(child: &mut Child, text: &str) {
    match child.stdin.take().unwrap().write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.unwrap(),
    }
}

/// Runs `cmd` to its end with `stdin` fed to it and its output collected.
pub fn run_piped(cmd: &mut Command, stdin: &str) -> Output {
    let mut child = spawn_piped(cmd);
    feed(&mut child, stdin);
    child.wait_with_output().unwrap()
}

/// The names in `dir`, sorted: a test's way of seeing stray files.
#[cfg_attr(not(unix), allow(dead_code))] // its users are Unix-only tests
pub fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The two entries a login for `domain` writes into an empty netrc, with [`TOKEN`].
pub fn expected_netrc(domain: &str, user: &str) -> String {
    netrc_for(domain, user, TOKEN)
}

/// A netrc holding `domain`'s two BSR entries, as bsr writes them.
pub fn netrc_for(domain: &str, user: &str, token: &str) -> String {
    format!(
        "machine {domain}\n  login {user}\n  password {token}\nmachine go.{domain}\n  login {user}\n  password {token}\n"
    )
}

pub fn assert_no_token(text: &str) {
    for token in ALL_TOKENS {
        assert!(!text.contains(token), "a token leaked into output:\n{text}");
    }
}

#[cfg(unix)]
pub fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(unix)]
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::MetadataExt;
    fs::metadata(path).unwrap().mode() & 0o777
}

/// The status as a shell's `$?` shows it: the exit code, or 128 + the signal that ended the
/// process.
pub fn shell_status(status: &std::process::ExitStatus) -> i32 {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return 128 + signal;
        }
    }
    status.code().unwrap_or(-1)
}

/// Whether bsr ended as SPEC wants after Ctrl-C: by SIGINT itself (re-raised, so a calling
/// shell loop stops), which a shell shows as `$?` 130.
#[cfg(unix)]
pub fn ended_by_ctrl_c(status: &std::process::ExitStatus) -> bool {
    use std::os::unix::process::ExitStatusExt;
    status.signal() == Some(libc::SIGINT)
}
