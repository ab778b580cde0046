//! The test environment: a temp HOME with a Buf config, the built `bsr` binary, a loopback
//! Connect registry and a pseudo-terminal.

pub mod pty;
pub mod registry;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

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

    /// Runs `bsr` with `stdin` piped in and checks that no token leaked into its output.
    pub fn run(&self, args: &[&str], stdin: &str) -> Outcome {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // bsr may exit (say, on a bad config) before it reads its input.
        match child.stdin.take().unwrap().write_all(stdin.as_bytes()) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            other => other.unwrap(),
        }
        let output = child.wait_with_output().unwrap();
        let outcome = Outcome {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
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

    /// Replaces the temp HOME in `text` with `~`, so expected outputs can be written literally.
    pub fn filter(&self, text: &str) -> String {
        text.replace(&self.home().display().to_string(), "~")
    }
}

/// Runs `script` with bash, as root, in a private mount namespace, so a test file system never
/// outlives the test or shows up elsewhere.
pub fn in_private_mount_namespace(script: &str, envs: &[(&str, &Path)]) -> std::process::Output {
    Command::new("unshare")
        .args([
            "--mount",
            "--propagation",
            "private",
            "bash",
            "-euc",
            script,
        ])
        .envs(envs.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap()
}

pub fn assert_no_token(text: &str) {
    for token in ALL_TOKENS {
        assert!(!text.contains(token), "a token leaked into output:\n{text}");
    }
}

pub fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::MetadataExt;
    fs::metadata(path).unwrap().mode() & 0o777
}
