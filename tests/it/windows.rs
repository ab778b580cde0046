//! bsr.exe, the Windows build, run under Wine against the loopback registry: login writes
//! `%USERPROFILE%\_netrc` keeping every byte there was, whoami reads it back, logout restores
//! it byte for byte, Buf's `%APPDATA%\buf` config is read, concurrent logins lose nothing, and
//! nothing is left beside the file.
//!
//! Needs what `scripts/windows-check.sh` prepares: `BSR_TEST_WINDOWS_EXE` (the built bsr.exe)
//! and `WINEPREFIX` (a Wine prefix that can run Rust programs). Without them each test is a
//! skip, as for any missing tool; `.ci/run` prepares both.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{Registry, TOKEN, assert_no_token, names_in, need, run_piped};

/// What the tests need: wine, the exe and the prefix; `None` is a skip.
struct Wine {
    wine: PathBuf,
    exe: PathBuf,
    prefix: PathBuf,
}

impl Wine {
    fn find() -> Option<Wine> {
        let wine = need::tool("wine", "wine")?;
        let prepared = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        let (Some(exe), Some(prefix)) = (prepared("BSR_TEST_WINDOWS_EXE"), prepared("WINEPREFIX"))
        else {
            need::skip(
                "needs the Windows build under Wine — run scripts/windows-check.sh and set the two variables it prints",
            );
            return None;
        };
        Some(Wine {
            wine,
            exe: exe.into(),
            prefix: prefix.into(),
        })
    }

    /// `%USERPROFILE%` of the prefix, seen from Linux (Wine sets it, whatever our environment
    /// says): `drive_c/users/<user>`.
    fn profile(&self) -> PathBuf {
        let users = self.prefix.join("drive_c/users");
        fs::read_dir(&users)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_name().is_some_and(|n| n != "Public") && p.join("AppData").is_dir())
            .expect("the Wine prefix has a user profile")
    }

    /// `bsr.exe args…` with `stdin` piped in; Wine's own chatter is off.
    fn run(&self, args: &[&str], envs: &[(&str, String)], stdin: &str) -> (i32, String, String) {
        let mut cmd = Command::new(&self.wine);
        cmd.arg(&self.exe)
            .args(args)
            .env("WINEPREFIX", &self.prefix)
            .env("WINEDEBUG", "-all")
            .envs(envs.iter().map(|(k, v)| (k, v)));
        let out = run_piped(&mut cmd, stdin);
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        );
        assert_no_token(&stdout);
        assert_no_token(&stderr);
        (out.status.code().unwrap_or(-1), stdout, stderr)
    }
}

/// A Linux path as the Windows program sees it (Wine maps `/` to drive Z:).
fn windows_path(path: &Path) -> String {
    format!("Z:{}", path.display()).replace('/', "\\")
}

fn plain_http_config(dir: &Path) {
    fs::create_dir_all(dir).unwrap();
    fs::write(
        dir.join("config.yaml"),
        "version: v1\ntls:\n  use: \"false\"\n",
    )
    .unwrap();
}

/// The real Windows places: `%USERPROFILE%\_netrc` and `%APPDATA%\buf\config.yaml`, with a
/// CRLF file holding someone else's credentials and comments.
#[test]
fn login_whoami_logout_round_trip_in_the_user_profile() {
    let Some(wine) = Wine::find() else { return };
    let profile = wine.profile();
    let config = profile.join("AppData/Roaming/buf");
    plain_http_config(&config);
    let netrc = profile.join("_netrc");
    let original = "# work\r\nmachine github.com\r\n  login octocat\r\n  password ghp_example # keep\r\nmachine ftp.example.com login anonymous password guest\r\n";
    fs::write(&netrc, original).unwrap();
    let registry = Registry::with_users(&[(TOKEN, "alice")]);
    let domain = registry.domain();

    let (code, stdout, stderr) =
        wine.run(&["registry", "login", &domain, "--token-stdin"], &[], TOKEN);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.starts_with("Logged in as alice. Credentials saved to C:\\users\\")
            && stdout.trim_end().ends_with("\\_netrc."),
        "{stdout}"
    );
    // The new entries end their lines in LF, as on every OS: npm's netrc-parser reads the CR
    // of a CRLF line into its last value. The user's lines keep their CRLF.
    let written = fs::read_to_string(&netrc).unwrap();
    assert_eq!(
        written,
        format!(
            "{original}machine {domain}\n  login alice\n  password {TOKEN}\nmachine go.{domain}\n  login alice\n  password {TOKEN}\n"
        )
    );

    let (code, stdout, stderr) = wine.run(&["registry", "whoami", &domain], &[], "");
    assert_eq!(
        (code, stdout.as_str()),
        (0, "Logged in as alice.\n"),
        "{stderr}"
    );

    let (code, stdout, stderr) = wine.run(&["registry", "logout", &domain], &[], "");
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.starts_with("All existing BSR credentials removed from C:\\users\\"),
        "{stdout}"
    );
    assert_eq!(
        fs::read_to_string(&netrc).unwrap(),
        original,
        "logout restores every byte"
    );
    let strays: Vec<_> = names_in(&profile)
        .into_iter()
        .filter(|n| n.contains("_netrc."))
        .collect();
    assert!(strays.is_empty(), "left beside _netrc: {strays:?}");
    fs::remove_file(&netrc).unwrap();
}

/// Six bsr.exe processes logging in to six registries at once: the lock file serializes
/// them, every entry arrives, the old bytes stay, and the lock file is gone afterwards.
#[test]
fn concurrent_logins_lose_nothing() {
    let Some(wine) = Wine::find() else { return };
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    plain_http_config(&config);
    let netrc = dir.path().join("_netrc");
    let original = "machine github.com login octocat password ghp_example\n";
    fs::write(&netrc, original).unwrap();
    let registries: Vec<_> = (0..6)
        .map(|_| Registry::with_users(&[(TOKEN, "alice")]))
        .collect();
    let envs = [
        ("NETRC", windows_path(&netrc)),
        ("BUF_CONFIG_DIR", windows_path(&config)),
    ];
    let outcomes: Vec<_> = std::thread::scope(|scope| {
        let runs: Vec<_> = registries
            .iter()
            .map(|registry| {
                let domain = registry.domain();
                let (wine, envs) = (&wine, &envs);
                scope.spawn(move || {
                    wine.run(
                        &["registry", "login", &domain, "--token-stdin"],
                        envs,
                        TOKEN,
                    )
                })
            })
            .collect();
        runs.into_iter().map(|run| run.join().unwrap()).collect()
    });
    for (code, stdout, stderr) in &outcomes {
        assert_eq!(*code, 0, "{stdout}{stderr}");
    }
    let written = fs::read_to_string(&netrc).unwrap();
    assert!(written.starts_with(original), "{written}");
    for registry in &registries {
        let domain = registry.domain();
        for machine in [domain.clone(), format!("go.{domain}")] {
            assert_eq!(
                written.matches(&format!("machine {machine}\n")).count(),
                1,
                "{machine} in:\n{written}"
            );
        }
    }
    assert_eq!(names_in(dir.path()), ["_netrc", "config"], "stray files");
}

/// No console to hide the token on: the prompt is refused before anything is asked or sent.
#[test]
fn a_prompt_without_a_console_fails_closed() {
    let Some(wine) = Wine::find() else { return };
    let dir = tempfile::tempdir().unwrap();
    plain_http_config(&dir.path().join("config"));
    let registry = Registry::with_users(&[(TOKEN, "alice")]);
    let envs = [
        ("NETRC", windows_path(&dir.path().join("_netrc"))),
        ("BUF_CONFIG_DIR", windows_path(&dir.path().join("config"))),
    ];
    let (code, stdout, stderr) = wine.run(
        &["registry", "login", &registry.domain(), "--prompt"],
        &envs,
        &format!("{TOKEN}\n"),
    );
    assert_eq!(code, 1, "{stdout}");
    assert_eq!(
        stderr,
        "Failure: cannot perform an interactive login from a non-TTY device; pipe the token into --token-stdin, or set BUF_TOKEN\n"
    );
    assert!(registry.requests().is_empty());
    assert_eq!(names_in(dir.path()), ["config"]);
}

/// Browser login by bsr.exe: the device flow, with no browser to open (a note), ends with both
/// entries saved; no secret shows.
#[test]
fn browser_login_without_a_browser() {
    use crate::support::device::{
        CLIENT_SECRET, DEVICE_CODE, Script, access_token, device_registry,
    };
    let Some(wine) = Wine::find() else { return };
    let dir = tempfile::tempdir().unwrap();
    plain_http_config(&dir.path().join("config"));
    let registry = device_registry(Script {
        polls: vec![access_token()],
        ..Script::default()
    });
    let domain = registry.domain();
    let envs = [
        ("NETRC", windows_path(&dir.path().join("_netrc"))),
        ("BUF_CONFIG_DIR", windows_path(&dir.path().join("config"))),
        (
            "BROWSER",
            windows_path(&dir.path().join("no-such-browser.exe")),
        ),
    ];
    let (code, stdout, stderr) = wine.run(&["registry", "login", &domain], &envs, "");
    for secret in [DEVICE_CODE, CLIENT_SECRET] {
        assert!(!stdout.contains(secret) && !stderr.contains(secret));
    }
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.starts_with("Opening your browser to complete authorization process.\n"),
        "{stdout}"
    );
    assert!(stdout.contains(&format!("http://{domain}/activate?user_code=")));
    assert!(
        stderr.contains("Note: no browser could be opened here"),
        "{stderr}"
    );
    let written = fs::read_to_string(dir.path().join("_netrc")).unwrap();
    assert_eq!(written, crate::support::expected_netrc(&domain, "alice"));
}

/// `bsr.exe registry exec`: the command gets the token in its environment only (BUF_TOKEN's
/// `tok@remote` form and npm's key), and bsr exits with the command's status.
#[test]
fn exec_hands_the_token_to_the_command_and_passes_on_its_status() {
    let Some(wine) = Wine::find() else { return };
    let dir = tempfile::TempDir::new().unwrap();
    let netrc = dir.path().join("handover.netrc");
    // Not one of the tokens `run` looks for: here it must reach the command's output.
    fs::write(
        &netrc,
        "machine buf.build login alice password wine-exec-token-1\r\n",
    )
    .unwrap();
    let envs = [("NETRC", windows_path(&netrc))];
    let (code, stdout, stderr) =
        wine.run(&["registry", "exec", "--", "cmd", "/c", "set"], &envs, "");
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("BUF_TOKEN=wine-exec-token-1@buf.build"),
        "{stdout}"
    );
    assert!(
        stdout.contains("npm_config_//buf.build/gen/npm/v1/:_authToken=wine-exec-token-1"),
        "{stdout}"
    );
    let (code, _, stderr) = wine.run(
        &["registry", "exec", "--", "cmd", "/c", "exit 7"],
        &envs,
        "",
    );
    assert_eq!(code, 7, "{stderr}");
    let (code, stdout, _) = wine.run(
        &[
            "registry",
            "exec",
            "--domain",
            "bsr.example.com",
            "--",
            "cmd",
            "/c",
            "exit 0",
        ],
        &envs,
        "",
    );
    assert_eq!((code, stdout.as_str()), (1, ""));
}
