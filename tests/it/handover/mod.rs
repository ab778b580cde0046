//! Handing the one login to other tools, with the real clients: cargo with bsr as its
//! credential provider, git with bsr as its credential helper, npm and Buf 1.75 under
//! `bsr registry exec`, pnpm and Yarn 1 with `bsr registry token`, each against a loopback
//! registry that demands the token and records what it got. Each also with no credential (the
//! client is told nothing and falls through) and with a token only for another host. Every
//! output and the clients' environments are scanned for tokens meant for other hosts, and every
//! process's arguments for any token while the clients run.

// The client tests watch every process's arguments in /proc, which only Linux has; elsewhere
// only the terminal and exit-status tests run, and the clients' helpers stand unused.
#![cfg_attr(not(target_os = "linux"), allow(dead_code))]

mod server;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use base64::Engine;

use crate::assert_transcript;
use crate::support::{TestEnv, need, netrc_for};
use server::{Answer, ArgumentWatch, Server};

/// The token for the registry under test, and one for another host: unique to these tests, so
/// the argument watch cannot mistake another test's process for a leak.
const TOKEN: &str = "bsr-handover-token-4d1f0b7e9a2c";
const OTHER: &str = "bsr-handover-other-8e3c5a1d6f0b";

fn bsr() -> &'static str {
    env!("CARGO_BIN_EXE_bsr")
}

/// A temp HOME with `tls.use: "false"`; bsr's netrc is at `NETRC=<home>/bsr.netrc`, where
/// libcurl (git) does not look, so git can only get a credential from the helper.
struct Setup {
    env: TestEnv,
    marker: String,
}

impl Setup {
    fn new(name: &str) -> Setup {
        let mut env = TestEnv::new();
        let netrc = env.home().join("bsr.netrc");
        env.env("NETRC", netrc.to_str().unwrap());
        Setup {
            env,
            marker: format!("BSR_HANDOVER_MARK={name}-{}", std::process::id()),
        }
    }

    fn home(&self) -> &Path {
        self.env.home()
    }

    fn write_netrc(&self, text: &str) {
        let path = self.home().join("bsr.netrc");
        fs::write(&path, text).unwrap();
        crate::support::set_mode(&path, 0o600);
    }

    /// A client command with the test's environment, its marker and `PATH` as the test has it
    /// (the clients live in many places).
    fn client(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = self.env.command(&[]);
        let template: Vec<_> = cmd
            .get_envs()
            .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned())))
            .collect();
        cmd = Command::new(program);
        cmd.env_clear().envs(template);
        cmd.env("PATH", std::env::var_os("PATH").unwrap());
        let (name, value) = self.marker.split_once('=').unwrap();
        cmd.env(name, value).stdin(Stdio::null());
        cmd
    }
}

/// Runs `cmd` while watching every process's arguments; returns its output and the programs
/// the watch saw.
fn run_watched(cmd: &mut Command) -> (Output, Vec<String>) {
    let watch = ArgumentWatch::start(&[TOKEN, OTHER]);
    let output = cmd.output().unwrap();
    (output, watch.finish())
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Neither output holds any of `tokens`.
fn assert_outputs_clean(output: &Output, tokens: &[&str]) {
    for stream in [&output.stdout, &output.stderr] {
        for token in tokens {
            assert!(
                !text(stream).contains(token),
                "a token in the output:\n{}",
                text(stream)
            );
        }
    }
}

/// The ways to have nothing for the registry under test, as (netrc, BUF_TOKEN): nothing at all;
/// tokens only for another host (its netrc entry, a `default` entry and its `tok@remote` in
/// BUF_TOKEN); a single-token BUF_TOKEN, which is handed over only for buf.build.
fn nothing_for_the_registry() -> [(String, Option<String>); 3] {
    [
        (String::new(), None),
        (
            format!(
                "machine other.example login bob password {OTHER}\ndefault login x password {OTHER}\n"
            ),
            Some(format!("{OTHER}@other.example")),
        ),
        (String::new(), Some(OTHER.to_owned())),
    ]
}

/// The files below `dir` that hold `needle` (searched here, not by grep: the needle would be
/// in grep's arguments).
fn files_holding(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            found.extend(files_holding(&path, needle));
        } else if kind.is_file()
            && fs::read(&path)
                .is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
        {
            found.push(path);
        }
    }
    found
}

fn basic(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

// ---- token ------------------------------------------------------------------------------

#[test]
fn token_prints_the_token_in_effect_to_a_pipe_and_the_header_for_curl() {
    let setup = Setup::new("token");
    setup.write_netrc(&format!(
        "{}default login x password {OTHER}\n",
        netrc_for("bsr.example.com", "alice", TOKEN)
    ));
    let run = |args: &[&str], buf_token: Option<&str>| {
        let mut cmd = setup.env.command(args);
        if let Some(value) = buf_token {
            cmd.env("BUF_TOKEN", value);
        }
        cmd.stdin(Stdio::null()).output().unwrap()
    };
    let out = run(&["registry", "token", "bsr.example.com"], None);
    assert_eq!(
        (out.status.code(), text(&out.stdout)),
        (Some(0), format!("{TOKEN}\n"))
    );
    let out = run(&["registry", "token", "bsr.example.com", "--header"], None);
    assert_eq!(
        text(&out.stdout),
        format!("Authorization: Bearer {TOKEN}\n")
    );

    // Never the default entry; a single-token BUF_TOKEN only for buf.build.
    let out = run(&["registry", "token", "other.example"], None);
    assert_eq!(
        (out.status.code(), out.stdout.as_slice()),
        (Some(1), &b""[..])
    );
    assert_outputs_clean(&out, &[TOKEN, OTHER]);
    let out = run(&["registry", "token", "other.example"], Some(OTHER));
    assert_eq!(
        (out.status.code(), out.stdout.as_slice()),
        (Some(1), &b""[..])
    );
    assert_outputs_clean(&out, &[TOKEN, OTHER]);
    let out = run(&["registry", "token"], Some(OTHER));
    assert_eq!(text(&out.stdout), format!("{OTHER}\n"));
    // It overrides the netrc for its remote, as whoami reads it.
    let per_remote = format!("{OTHER}@bsr.example.com");
    let out = run(&["registry", "token", "bsr.example.com"], Some(&per_remote));
    assert_eq!(text(&out.stdout), format!("{OTHER}\n"));
}

#[test]
fn token_explains_what_is_missing() {
    let setup = Setup::new("token-missing");
    setup.write_netrc("default login x password elsewhere\n");
    let out = setup.env.run(&["registry", "token", "bsr.example.com"], "");
    assert_transcript!(out, @r"
    exit: 1
    --- stderr
    Failure: no BSR credential for bsr.example.com: ~/bsr.netrc has only a default entry, which bsr never hands out; run `bsr registry login bsr.example.com`
    ");
    // A password no header can carry is the file's problem, at its line, and nothing is printed.
    setup.write_netrc("\nmachine bsr.example.com login x password \"bad\u{7}token\"\n");
    let out = setup.env.run(&["registry", "token", "bsr.example.com"], "");
    assert_transcript!(out, @r"
    exit: 1
    --- stderr
    Failure: the token for bsr.example.com from ~/bsr.netrc (the entry at line 2) contains characters no tool can be handed; run `bsr registry login bsr.example.com` to replace it
    ");
    setup.write_netrc("");
    let mut env = TestEnv::new();
    env.env("NETRC", setup.home().join("bsr.netrc").to_str().unwrap());
    env.env("BUF_TOKEN", "single-token");
    let out = env.run(&["registry", "token", "bsr.example.com"], "");
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains(
            "a single-token BUF_TOKEN is handed only to buf.build (name the remote: BUF_TOKEN=<token>@bsr.example.com)"
        ),
        "{}",
        out.stderr
    );
}

/// The README's curl line: the header comes through the pipe, never as an argument.
#[cfg(target_os = "linux")]
#[test]
fn token_header_feeds_curl_through_a_pipe() {
    let Some(curl) = need::tool("curl", "curl") else {
        return;
    };
    let setup = Setup::new("token-curl");
    let server = Server::start(&setup.marker, |_| Answer::ok("text/plain", "ok"));
    let domain = server.domain();
    setup.write_netrc(&netrc_for(&domain, "alice", TOKEN));
    let script = format!(
        "\"$BSR\" registry token --header {domain} | '{}' -sS -H @- {}/api",
        curl.display(),
        server.base()
    );
    let (out, _) = run_watched(setup.env.shell(&script).env("PATH", "/usr/bin:/bin"));
    assert_eq!(text(&out.stdout), "ok", "{}", text(&out.stderr));
    assert_outputs_clean(&out, &[TOKEN, OTHER]);
    assert_eq!(server.authorizations(), [format!("Bearer {TOKEN}")]);
}

#[cfg(unix)]
#[test]
fn token_is_refused_on_a_terminal_unless_shown() {
    use crate::support::pty::Pty;
    let setup = Setup::new("token-tty");
    setup.write_netrc(&netrc_for("buf.build", "alice", TOKEN));
    let mut pty = Pty::spawn(setup.env.command(&["registry", "token"]));
    let status = pty.wait();
    assert_eq!(status.code(), Some(1));
    let screen = pty.expect("refusing to print the token for buf.build on a terminal");
    assert!(!screen.contains(TOKEN), "{screen}");
    let mut pty = Pty::spawn(setup.env.command(&["registry", "token", "--show"]));
    assert_eq!(pty.wait().code(), Some(0));
    pty.expect(TOKEN);
}

// ---- cargo ------------------------------------------------------------------------------

/// A sparse registry at `/gen/cargo/` marked `auth-required`, holding one crate `bsrdemo`
/// 0.1.0; every request without `Authorization: Bearer <TOKEN>` gets a 401.
fn cargo_registry(setup: &Setup) -> Server {
    let dir = setup.home().join("crate-src");
    fs::create_dir_all(dir.join("bsrdemo-0.1.0/src")).unwrap();
    fs::write(
        dir.join("bsrdemo-0.1.0/Cargo.toml"),
        "[package]\nname = \"bsrdemo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    fs::write(dir.join("bsrdemo-0.1.0/src/lib.rs"), "pub fn demo() {}\n").unwrap();
    let crate_file = dir.join("bsrdemo-0.1.0.crate");
    let status = Command::new("tar")
        .arg("-czf")
        .arg(&crate_file)
        .arg("-C")
        .arg(&dir)
        .arg("bsrdemo-0.1.0")
        .status()
        .unwrap();
    assert!(status.success());
    let bytes = fs::read(&crate_file).unwrap();
    let sum = Command::new("sha256sum").arg(&crate_file).output().unwrap();
    let cksum = text(&sum.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let entry = format!(
        r#"{{"name":"bsrdemo","vers":"0.1.0","deps":[],"cksum":"{cksum}","features":{{}},"yanked":false}}"#
    );
    let port = std::sync::Arc::new(std::sync::OnceLock::<u16>::new());
    let server = {
        let port = std::sync::Arc::clone(&port);
        Server::start(&setup.marker, move |request| {
            if request.authorization() != Some(&format!("Bearer {TOKEN}")) {
                return Answer::status(401).header("WWW-Authenticate", "Cargo");
            }
            match request.target.as_str() {
                "/gen/cargo/config.json" => Answer::ok(
                    "application/json",
                    format!(
                        r#"{{"dl":"http://127.0.0.1:{0}/gen/cargo/dl","api":"http://127.0.0.1:{0}/gen/cargo/api","auth-required":true}}"#,
                        port.get().unwrap()
                    ),
                ),
                "/gen/cargo/bs/rd/bsrdemo" => Answer::ok("text/plain", entry.clone()),
                "/gen/cargo/dl/bsrdemo/0.1.0/download" => {
                    Answer::ok("application/octet-stream", bytes.clone())
                }
                _ => Answer::status(404),
            }
        })
    };
    port.set(server.port).unwrap();
    server
}

/// A project that depends on `bsrdemo` from the registry `buf`, with bsr as its provider, in
/// a temp CARGO_HOME.
fn cargo_project(setup: &Setup, registry: &Server) -> Command {
    let cargo_home = setup.home().join("cargo-home");
    fs::create_dir_all(&cargo_home).unwrap();
    fs::write(
        cargo_home.join("config.toml"),
        format!(
            "[registries.buf]\nindex = \"sparse+{}/gen/cargo/\"\ncredential-provider = [\"{}\", \"registry\", \"credential\", \"cargo\"]\n[net]\nretry = 0\n",
            registry.base(),
            bsr()
        ),
    )
    .unwrap();
    let project = setup.home().join("project");
    fs::create_dir_all(project.join("src")).unwrap();
    fs::write(
        project.join("Cargo.toml"),
        "[package]\nname = \"consumer\"\nversion = \"0.0.0\"\nedition = \"2021\"\n[dependencies]\nbsrdemo = { version = \"0.1\", registry = \"buf\" }\n",
    )
    .unwrap();
    fs::write(project.join("src/lib.rs"), "").unwrap();
    let mut cmd = setup.client(env!("CARGO"));
    cmd.current_dir(&project)
        .env("CARGO_HOME", &cargo_home)
        .env("CARGO_TERM_COLOR", "never");
    for name in ["RUSTUP_HOME", "RUSTUP_TOOLCHAIN"] {
        if let Some(value) = std::env::var_os(name) {
            cmd.env(name, value);
        }
    }
    cmd
}

#[cfg(target_os = "linux")]
#[test]
fn cargo_fetches_from_an_auth_required_registry_with_bsr_as_its_provider() {
    let setup = Setup::new("cargo");
    let registry = cargo_registry(&setup);
    setup.write_netrc(&format!(
        "{}machine other.example login bob password {OTHER}\n",
        netrc_for(&registry.domain(), "alice", TOKEN)
    ));
    let mut cmd = cargo_project(&setup, &registry);
    cmd.arg("fetch")
        .env("BUF_TOKEN", format!("{OTHER}@other.example"));
    let (out, programs) = run_watched(&mut cmd);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(programs.iter().any(|p| p == "cargo"), "{programs:?}");
    assert_outputs_clean(&out, &[TOKEN, OTHER]);
    let downloaded = registry
        .seen()
        .iter()
        .any(|s| s.request.target.ends_with("/download") && s.request.authorization().is_some());
    assert!(downloaded, "the crate was fetched with the token");
    for authorization in registry.authorizations() {
        assert_eq!(authorization, format!("Bearer {TOKEN}"));
    }
    assert!(!setup.home().join("cargo-home/credentials.toml").exists());

    // cargo login and logout are answered with what to run instead; nothing is written.
    for (action, instead) in [
        ("login", "bsr registry login"),
        ("logout", "bsr registry logout"),
    ] {
        let mut cmd = cargo_project(&setup, &registry);
        cmd.args([action, "--registry", "buf"]);
        let out = crate::support::run_piped(&mut cmd, "some-token\n");
        assert!(!out.status.success());
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(&format!("run `{instead} {}` instead", registry.domain())),
            "{stderr}"
        );
        assert!(!setup.home().join("cargo-home/credentials.toml").exists());
    }
}

#[cfg(target_os = "linux")]
#[test]
fn cargo_without_a_credential_for_the_index_host_is_told_nothing() {
    let setup = Setup::new("cargo-none");
    let registry = cargo_registry(&setup);
    for (netrc, buf_token) in nothing_for_the_registry() {
        setup.write_netrc(&netrc);
        let mut cmd = cargo_project(&setup, &registry);
        cmd.arg("fetch");
        if let Some(value) = &buf_token {
            cmd.env("BUF_TOKEN", value);
        }
        let (out, _) = run_watched(&mut cmd);
        assert!(!out.status.success());
        let stderr = text(&out.stderr);
        // bsr said not-found, so cargo went on to report the missing token itself.
        assert!(stderr.contains("no token found for `buf`"), "{stderr}");
        assert_outputs_clean(&out, &[TOKEN, OTHER]);
        assert!(
            registry.authorizations().is_empty(),
            "{:?}",
            registry.authorizations()
        );
    }
}

/// The protocol itself, as cargo speaks it: the hello, then one answer per request line.
#[test]
fn cargo_protocol_answers_by_index_and_says_errors_in_the_protocol() {
    let setup = Setup::new("cargo-protocol");
    setup.write_netrc(&netrc_for("bsr.example.com", "alice", TOKEN));
    let request = |url: &str, args: &str| {
        format!(
            r#"{{"v":1,"registry":{{"index-url":"{url}","name":"buf"}},"kind":"get","operation":"read","args":{args}}}"#
        ) + "\n"
    };
    let stdin = [
        request(
            "sparse+http://bsr.example.com/gen/cargo/",
            r#"["registry","credential","cargo"]"#,
        ),
        request("sparse+https://bsr.example.com/gen/cargo/", "[]"),
        request("sparse+http://index.crates.io/", "[]"),
        request("sparse+http://other.example/gen/cargo/", "[]"),
        request("sparse+http://bsr.example.com/gen/cargo/", r#"["--frob"]"#),
    ]
    .concat();
    let out = crate::support::run_piped(&mut setup.env.command(&["--cargo-plugin"]), &stdin);
    assert_eq!(out.status.code(), Some(0));
    let lines: Vec<String> = text(&out.stdout).lines().map(str::to_owned).collect();
    let expected = [
        r#"{"v":[1]}"#.to_owned(),
        format!(
            r#"{{"Ok":{{"cache":"session","kind":"get","operation_independent":true,"token":"Bearer {TOKEN}"}}}}"#
        ),
        r#"{"Err":{"kind":"url-not-supported"}}"#.to_owned(),
        r#"{"Err":{"kind":"url-not-supported"}}"#.to_owned(),
        r#"{"Err":{"kind":"not-found"}}"#.to_owned(),
        r#"{"Err":{"caused-by":[],"kind":"other","message":"unexpected arguments [\"--frob\"] for bsr; the provider is `bsr registry credential cargo`"}}"#.to_owned(),
    ];
    assert_eq!(lines, expected);
    // A netrc bsr cannot read is said in the protocol, where cargo shows it.
    setup.write_netrc("machine \"bsr.example.com\n");
    let out = crate::support::run_piped(
        &mut setup.env.command(&["--cargo-plugin"]),
        &request("sparse+http://bsr.example.com/gen/cargo/", "[]"),
    );
    let answer = text(&out.stdout);
    assert!(
        answer.contains(r#""kind":"other","message":"cannot read "#),
        "{answer}"
    );
    assert_eq!(out.status.code(), Some(0));
}

// ---- git --------------------------------------------------------------------------------

/// A bare repository with one commit, served by `git http-backend` behind Basic auth that
/// wants `<any user>:<TOKEN>`.
fn git_server(setup: &Setup, git: &Path) -> Server {
    let root = setup.home().join("git-root");
    let work = setup.home().join("git-work");
    fs::create_dir_all(&work).unwrap();
    let sh = |args: &[&str], dir: &Path| {
        let out = Command::new(git)
            .args(args)
            .current_dir(dir)
            .env("HOME", setup.home())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
    };
    sh(&["init", "-q", "-b", "main"], &work);
    fs::write(work.join("hello.txt"), "hello\n").unwrap();
    sh(&["add", "hello.txt"], &work);
    sh(&["commit", "-q", "-m", "one"], &work);
    fs::create_dir_all(&root).unwrap();
    sh(
        &["clone", "-q", "--bare", work.to_str().unwrap(), "repo.git"],
        &root,
    );
    let exec_path = Command::new(git).arg("--exec-path").output().unwrap();
    let backend = PathBuf::from(text(&exec_path.stdout).trim()).join("git-http-backend");
    Server::start(&setup.marker, move |request| {
        let Some(authorization) = request.authorization() else {
            return Answer::status(401).header("WWW-Authenticate", "Basic realm=\"bsr-test\"");
        };
        let decoded = authorization
            .strip_prefix("Basic ")
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
            .map(|b| text(&b))
            .unwrap_or_default();
        if decoded.split_once(':').map(|(_, p)| p) != Some(TOKEN) {
            return Answer::status(401).header("WWW-Authenticate", "Basic realm=\"bsr-test\"");
        }
        cgi(&backend, &root, request)
    })
}

/// Runs git's CGI for one request and turns its output into an answer.
fn cgi(backend: &Path, root: &Path, request: &server::Request) -> Answer {
    let (path, query) = request
        .target
        .split_once('?')
        .unwrap_or((&request.target, ""));
    let mut cmd = Command::new(backend);
    cmd.env_clear()
        .env("GIT_PROJECT_ROOT", root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("REQUEST_METHOD", &request.method)
        .env("PATH_INFO", path.strip_prefix("/git").unwrap_or(path))
        .env("QUERY_STRING", query)
        .env("CONTENT_LENGTH", request.body.len().to_string())
        .env("REMOTE_USER", "tester")
        .env("REMOTE_ADDR", "127.0.0.1");
    for (header, var) in [
        ("content-type", "CONTENT_TYPE"),
        ("git-protocol", "GIT_PROTOCOL"),
        ("content-encoding", "HTTP_CONTENT_ENCODING"),
    ] {
        if let Some(value) = request.headers.get(header) {
            cmd.env(var, value);
        }
    }
    let mut child = crate::support::spawn_piped(&mut cmd);
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&request.body)
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let split = out
        .stdout
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|at| (at, 4))
        .or_else(|| {
            out.stdout
                .windows(2)
                .position(|w| w == b"\n\n")
                .map(|at| (at, 2))
        })
        .expect("CGI headers");
    let mut answer = Answer::status(200);
    for line in text(&out.stdout[..split.0]).lines() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        if name.eq_ignore_ascii_case("status") {
            answer.status = value.trim()[..3].parse().unwrap();
        } else {
            answer = answer.header(name.trim(), value.trim());
        }
    }
    answer.body = out.stdout[split.0 + split.1..].to_vec();
    answer
}

/// git with bsr as its first credential helper and, after it, one that answers `fallback`:
/// the second is asked only when bsr has nothing.
fn git_client(setup: &Setup, git: &Path, args: &[&str]) -> Command {
    let mut cmd = setup.client(git);
    cmd.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .args(["-c", "credential.helper="])
        .arg("-c")
        .arg(format!("credential.helper=!'{}' registry credential git", bsr()))
        .args([
            "-c",
            "credential.helper=!f() { test \"$1\" = get && echo username=fallback && echo password=not-a-bsr-token; }; f",
        ])
        .args(args)
        .current_dir(setup.home());
    cmd
}

#[cfg(target_os = "linux")]
#[test]
fn git_ls_remote_and_clone_over_http_with_bsr_as_the_credential_helper() {
    let Some(git) = need::tool("git", "git") else {
        return;
    };
    let setup = Setup::new("git");
    let server = git_server(&setup, &git);
    let url = format!("{}/git/repo.git", server.base());
    setup.write_netrc(&format!(
        "{}machine other.example login bob password {OTHER}\n",
        netrc_for(&server.domain(), "alice", TOKEN)
    ));
    let (out, programs) = run_watched(
        git_client(&setup, &git, &["ls-remote", &url])
            .env("BUF_TOKEN", format!("{OTHER}@other.example")),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("refs/heads/main"),
        "{}",
        text(&out.stdout)
    );
    assert!(programs.iter().any(|p| p == "git"), "{programs:?}");
    assert_outputs_clean(&out, &[TOKEN, OTHER]);
    let (out, _) = run_watched(&mut git_client(
        &setup,
        &git,
        &["clone", "-q", &url, "cloned"],
    ));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        fs::read_to_string(setup.home().join("cloned/hello.txt")).unwrap(),
        "hello\n"
    );
    // The netrc's login is the username; the fallback helper was never needed.
    let sent: Vec<String> = server.authorizations();
    assert!(sent.contains(&basic("alice", TOKEN)), "{sent:?}");
    assert!(sent.iter().all(|a| *a == basic("alice", TOKEN)), "{sent:?}");

    // From a per-remote BUF_TOKEN (no netrc entry): git gets it too.
    setup.write_netrc("");
    let domain = server.domain();
    let (out, _) = run_watched(git_client(&setup, &git, &["ls-remote", &url]).env(
        "BUF_TOKEN",
        format!("{TOKEN}@{domain},{OTHER}@other.example"),
    ));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_outputs_clean(&out, &[TOKEN, OTHER]);
}

#[cfg(target_os = "linux")]
#[test]
fn git_asks_its_next_helper_when_bsr_has_nothing_for_the_host() {
    let Some(git) = need::tool("git", "git") else {
        return;
    };
    let setup = Setup::new("git-none");
    let server = git_server(&setup, &git);
    let url = format!("{}/git/repo.git", server.base());
    for (netrc, buf_token) in nothing_for_the_registry() {
        setup.write_netrc(&netrc);
        let mut cmd = git_client(&setup, &git, &["ls-remote", &url]);
        if let Some(value) = &buf_token {
            cmd.env("BUF_TOKEN", value);
        }
        let (out, _) = run_watched(&mut cmd);
        // The fallback's password is refused by the server: git fails, having been told
        // nothing by bsr, and bsr said nothing either.
        assert!(!out.status.success());
        let stderr = text(&out.stderr);
        assert!(!stderr.contains("Failure:"), "{stderr}");
        assert_outputs_clean(&out, &[TOKEN, OTHER]);
        let sent = server.authorizations();
        assert!(
            sent.contains(&basic("fallback", "not-a-bsr-token")),
            "{sent:?}"
        );
        assert!(
            sent.iter().all(|a| !a.contains(&basic("bob", OTHER)[6..])),
            "{sent:?}"
        );
        for authorization in &sent {
            assert_eq!(authorization, &basic("fallback", "not-a-bsr-token"));
        }
    }
}

#[test]
fn git_helper_answers_only_the_exact_host_in_the_registry_scheme() {
    let setup = Setup::new("git-helper");
    setup.write_netrc(&netrc_for("bsr.example.com", "alice", TOKEN));
    let ask = |operation: &str, request: &str| {
        setup
            .env
            .run(&["registry", "credential", "git", operation], request)
    };
    // tls.use "false": the registry is spoken to over http, so only http is answered.
    let raw = |operation: &str, request: &str| {
        crate::support::run_piped(
            &mut setup
                .env
                .command(&["registry", "credential", "git", operation]),
            request,
        )
    };
    let out = raw("get", "protocol=http\nhost=bsr.example.com\n\n");
    assert_eq!(
        (out.status.code(), text(&out.stdout)),
        (Some(0), format!("username=alice\npassword={TOKEN}\n"))
    );
    for request in [
        "protocol=https\nhost=bsr.example.com\n\n",
        "protocol=http\nhost=bsr.example.com:8443\n\n",
        "protocol=http\nhost=example.com\n\n",
        "protocol=http\nhost=www.bsr.example.com\n\n",
        "protocol=http\n\n",
    ] {
        let out = ask("get", request);
        assert_eq!(
            (out.code, out.stdout.as_str(), out.stderr.as_str()),
            (1, "", ""),
            "{request}"
        );
    }
    for operation in ["store", "erase", "something-new"] {
        let out = ask(
            operation,
            "protocol=http\nhost=bsr.example.com\nusername=a\npassword=b\n\n",
        );
        assert_eq!((out.code, out.stdout.as_str()), (0, ""), "{operation}");
    }
    assert_eq!(
        fs::read_to_string(setup.home().join("bsr.netrc")).unwrap(),
        netrc_for("bsr.example.com", "alice", TOKEN)
    );
}

// ---- npm under exec ---------------------------------------------------------------------

/// A stub npm registry at `/gen/npm/v1/` with `@buf/demo` 1.0.0 that wants `Bearer <TOKEN>`.
fn npm_registry(setup: &Setup) -> Server {
    let dir = setup.home().join("npm-src/package");
    fs::create_dir_all(&dir).unwrap();
    fs::write(
        dir.join("package.json"),
        r#"{"name":"@buf/demo","version":"1.0.0","main":"index.js"}"#,
    )
    .unwrap();
    fs::write(dir.join("index.js"), "module.exports = 42;\n").unwrap();
    let tarball = setup.home().join("npm-src/demo-1.0.0.tgz");
    let status = Command::new("tar")
        .arg("-czf")
        .arg(&tarball)
        .arg("-C")
        .arg(setup.home().join("npm-src"))
        .arg("package")
        .status()
        .unwrap();
    assert!(status.success());
    let bytes = fs::read(&tarball).unwrap();
    // Yarn 1 insists on the SHA-1 that the npm registry lists.
    let sum = Command::new("sha1sum").arg(&tarball).output().unwrap();
    let shasum = text(&sum.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let port = std::sync::Arc::new(std::sync::OnceLock::<u16>::new());
    let server = {
        let port = std::sync::Arc::clone(&port);
        Server::start(&setup.marker, move |request| {
            if request.authorization() != Some(&format!("Bearer {TOKEN}")) {
                return Answer::status(401);
            }
            let base = format!("http://127.0.0.1:{}/gen/npm/v1", port.get().unwrap());
            match request.target.as_str() {
                "/gen/npm/v1/@buf%2fdemo" | "/gen/npm/v1/@buf%2Fdemo" => Answer::ok(
                    "application/json",
                    format!(
                        r#"{{"name":"@buf/demo","dist-tags":{{"latest":"1.0.0"}},"versions":{{"1.0.0":{{"name":"@buf/demo","version":"1.0.0","dist":{{"tarball":"{base}/@buf/demo/-/demo-1.0.0.tgz","shasum":"{shasum}"}}}}}}}}"#
                    ),
                ),
                "/gen/npm/v1/@buf/demo/-/demo-1.0.0.tgz" => {
                    Answer::ok("application/octet-stream", bytes.clone())
                }
                _ => Answer::status(404),
            }
        })
    };
    port.set(server.port).unwrap();
    server
}

/// `bsr registry exec --domain <registry> -- npm ARGS` in a project whose `.npmrc` names the
/// registry for `@buf` and holds no token.
fn npm_under_exec(setup: &Setup, registry: &Server, npm: &Path, args: &[&str]) -> Command {
    let project = setup.home().join("npm-project");
    fs::create_dir_all(&project).unwrap();
    fs::write(
        project.join(".npmrc"),
        format!("@buf:registry={}/gen/npm/v1/\n", registry.base()),
    )
    .unwrap();
    fs::write(
        project.join("package.json"),
        r#"{"name":"consumer","version":"0.0.0"}"#,
    )
    .unwrap();
    let mut cmd = setup.client(bsr());
    cmd.args(["registry", "exec", "--domain", &registry.domain(), "--"])
        .arg(npm)
        .args(args)
        .current_dir(&project)
        .env("npm_config_cache", setup.home().join("npm-cache"))
        .env("npm_config_update_notifier", "false")
        .env("npm_config_audit", "false")
        .env("npm_config_fund", "false");
    cmd
}

#[cfg(target_os = "linux")]
#[test]
fn npm_view_and_install_under_exec_with_no_token_in_any_npmrc() {
    let Some(npm) = need::tool("npm", "npm") else {
        return;
    };
    let setup = Setup::new("npm");
    let registry = npm_registry(&setup);
    let domain = registry.domain();
    setup.write_netrc(&format!(
        "{}machine other.example login bob password {OTHER}\n",
        netrc_for(&domain, "alice", TOKEN)
    ));
    let (out, programs) = run_watched(
        npm_under_exec(&setup, &registry, &npm, &["view", "@buf/demo", "version"])
            .env("BUF_TOKEN", format!("{OTHER}@other.example")),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "1.0.0");
    assert!(
        programs.iter().any(|p| p == "npm" || p == "node"),
        "{programs:?}"
    );
    assert_outputs_clean(&out, &[TOKEN, OTHER]);
    let (out, _) = run_watched(&mut npm_under_exec(
        &setup,
        &registry,
        &npm,
        &["install", "--no-save", "@buf/demo"],
    ));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_outputs_clean(&out, &[TOKEN, OTHER]);
    let installed = setup
        .home()
        .join("npm-project/node_modules/@buf/demo/index.js");
    assert!(installed.exists());
    for authorization in registry.authorizations() {
        assert_eq!(authorization, format!("Bearer {TOKEN}"));
    }
    // What npm had in its environment: the token for this registry in both forms, and
    // nothing for the other host, although BUF_TOKEN and the netrc held one.
    let environs: Vec<String> = registry
        .seen()
        .into_iter()
        .flat_map(|s| s.environs)
        .collect();
    assert!(!environs.is_empty());
    for environ in &environs {
        let vars: Vec<&str> = environ.split('\0').collect();
        assert!(
            vars.contains(&format!("BUF_TOKEN={TOKEN}@{domain}").as_str()),
            "{vars:?}"
        );
        let npm_key = format!("npm_config_//{domain}/gen/npm/v1/:_authToken={TOKEN}");
        assert!(vars.contains(&npm_key.as_str()));
        assert!(!environ.contains(OTHER));
    }
    // No file holds the token: not the project, not npm's cache or config.
    let (netrc, files): (Vec<PathBuf>, Vec<PathBuf>) = files_holding(setup.home(), TOKEN)
        .into_iter()
        .partition(|f| f.ends_with("bsr.netrc"));
    assert_eq!(netrc.len(), 1, "the search finds the netrc itself");
    assert!(files.is_empty(), "the token was written to {files:?}");

    // The `.npmrc` line as Buf's docs print it, without the `:` before `_authToken`: npm does
    // not take it as a credential and sends nothing.
    let (before, requests) = (registry.authorizations().len(), registry.seen().len());
    let project = setup.home().join("npm-project");
    fs::write(
        project.join(".npmrc"),
        format!(
            "@buf:registry={}/gen/npm/v1/\n//{domain}/gen/npm/v1/_authToken={TOKEN}\n",
            registry.base()
        ),
    )
    .unwrap();
    let out = setup
        .client(&npm)
        .args(["view", "@buf/demo", "version"])
        .current_dir(&project)
        .env("npm_config_cache", setup.home().join("npm-cache-2"))
        .env("npm_config_update_notifier", "false")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(registry.seen().len() > requests, "npm asked the registry");
    assert_eq!(
        registry.authorizations().len(),
        before,
        "npm sent a credential"
    );
}

/// pnpm 9 and Yarn 1 from `BSR_TEST_JS_CLIENTS` or `target/js-clients` (where `.ci/run`
/// installs them with npm), else a skip.
fn js_client(name: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("BSR_TEST_JS_CLIENTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/js-clients"));
    let path = dir.join("node_modules/.bin").join(name);
    if path.is_file() {
        Some(path)
    } else {
        need::skip(&format!(
            "needs {name} — npm install --prefix target/js-clients pnpm@9 yarn@1, as .ci/run does"
        ));
        None
    }
}

/// pnpm 9 and Yarn 1 do not read npm's per-registry key from the environment (both rewrite the
/// variable's name, `_authToken` included), so `exec` alone gets them nothing: the README's
/// recipe for them is an `.npmrc` line that names a variable, filled from `bsr registry token`
/// by the shell, so the token is in no file and no argument.
#[cfg(target_os = "linux")]
#[test]
fn pnpm_and_yarn_1_take_the_token_from_an_npmrc_variable_filled_by_bsr() {
    for client in ["pnpm", "yarn"] {
        let Some(program) = js_client(client) else {
            continue;
        };
        let setup = Setup::new(client);
        let registry = npm_registry(&setup);
        let domain = registry.domain();
        setup.write_netrc(&format!(
            "{}machine other.example login bob password {OTHER}\n",
            netrc_for(&domain, "alice", TOKEN)
        ));
        let project = setup.home().join("npm-project");
        fs::create_dir_all(&project).unwrap();
        fs::write(
            project.join("package.json"),
            r#"{"name":"consumer","version":"0.0.0","dependencies":{"@buf/demo":"1.0.0"}}"#,
        )
        .unwrap();
        let caches = |cmd: &mut Command| {
            cmd.current_dir(&project)
                .env("PATH", std::env::var_os("PATH").unwrap())
                .env("BUF_TOKEN", format!("{OTHER}@other.example"))
                .env("npm_config_store_dir", setup.home().join("pnpm-store"))
                .env("npm_config_cache", setup.home().join("npm-cache"))
                .env("YARN_CACHE_FOLDER", setup.home().join("yarn-cache"));
        };

        // Under exec alone: the client sends no token.
        let npmrc = format!("@buf:registry={}/gen/npm/v1/\n", registry.base());
        fs::write(project.join(".npmrc"), &npmrc).unwrap();
        let mut cmd = setup.env.shell(&format!(
            "\"$BSR\" registry exec --domain {domain} -- '{}' install",
            program.display()
        ));
        caches(&mut cmd);
        let (out, _) = run_watched(&mut cmd);
        assert!(!out.status.success(), "{client}");
        assert_outputs_clean(&out, &[TOKEN, OTHER]);
        assert!(registry.authorizations().is_empty(), "{client}");

        // The recipe.
        fs::write(
            project.join(".npmrc"),
            format!("{npmrc}//{domain}/gen/npm/v1/:_authToken=${{BSR_NPM_TOKEN}}\n"),
        )
        .unwrap();
        let mut cmd = setup.env.shell(&format!(
            "BSR_NPM_TOKEN=\"$(\"$BSR\" registry token {domain})\" exec '{}' install",
            program.display()
        ));
        caches(&mut cmd);
        let (out, _) = run_watched(&mut cmd);
        assert!(
            out.status.success(),
            "{client}: {}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        assert_outputs_clean(&out, &[TOKEN, OTHER]);
        assert!(
            project.join("node_modules/@buf/demo/index.js").exists(),
            "{client}"
        );
        let sent = registry.authorizations();
        assert!(!sent.is_empty(), "{client}");
        assert!(
            sent.iter().all(|a| *a == format!("Bearer {TOKEN}")),
            "{client}: {sent:?}"
        );
    }
}

#[cfg(target_os = "linux")]
#[test]
fn exec_without_a_credential_runs_nothing() {
    let setup = Setup::new("exec-none");
    let ran = setup.home().join("ran");
    for (netrc, buf_token) in nothing_for_the_registry() {
        setup.write_netrc(&netrc);
        let mut cmd = setup.client(bsr());
        cmd.args([
            "registry",
            "exec",
            "--domain",
            "bsr.example.com",
            "--",
            "touch",
        ])
        .arg(&ran);
        if let Some(value) = &buf_token {
            cmd.env("BUF_TOKEN", value);
        }
        let out = cmd.output().unwrap();
        assert_eq!(
            (out.status.code(), out.stdout.as_slice()),
            (Some(1), &b""[..])
        );
        assert!(text(&out.stderr).starts_with("Failure: no BSR credential for bsr.example.com"));
        assert_outputs_clean(&out, &[TOKEN, OTHER]);
        assert!(!ran.exists(), "the command ran");
    }
}

#[cfg(unix)]
#[test]
fn exec_passes_on_the_exit_status_and_signals() {
    use std::os::unix::process::ExitStatusExt;
    let setup = Setup::new("exec-status");
    setup.write_netrc(&netrc_for("buf.build", "alice", TOKEN));
    let run = |script: &str| {
        setup
            .client(bsr())
            .args(["registry", "exec", "--", "/bin/sh", "-c", script])
            .output()
            .unwrap()
    };
    assert_eq!(run("exit 7").status.code(), Some(7));
    assert_eq!(run("kill -TERM $$").status.signal(), Some(libc::SIGTERM));
    // A signal sent to bsr's process reaches the command: it is the command.
    let mut child = setup
        .client(bsr())
        .args([
            "registry",
            "exec",
            "--",
            "/bin/sh",
            "-c",
            "trap 'exit 42' USR1; echo ready; while :; do sleep 0.01; done",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.as_mut().unwrap()),
        &mut line,
    )
    .unwrap();
    assert_eq!(line, "ready\n");
    // SAFETY: kill with a live child's pid and a valid signal number has no other precondition.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGUSR1) }, 0);
    assert_eq!(child.wait().unwrap().code(), Some(42));
    // bsr ignores SIGPIPE, as every Rust program does; the command starts with it restored.
    let out = setup
        .client(bsr())
        .args([
            "registry",
            "exec",
            "--",
            "grep",
            "SigIgn",
            "/proc/self/status",
        ])
        .output()
        .unwrap();
    let ignored = text(&out.stdout);
    let mask =
        u64::from_str_radix(ignored.trim().trim_start_matches("SigIgn:").trim(), 16).unwrap();
    assert_eq!(mask & (1 << (libc::SIGPIPE - 1)), 0, "{ignored}");
    // execve makes the command dumpable again; the core-file limit of 0 stays.
    let out = run("ulimit -c");
    assert_eq!(text(&out.stdout), "0\n");
    if let Some(python) = need::tool("python3", "python3") {
        let out = setup
            .client(bsr())
            .args(["registry", "exec", "--"])
            .arg(python)
            .args([
                "-c",
                "import ctypes; print(ctypes.CDLL(None).prctl(3, 0, 0, 0, 0))",
            ])
            .output()
            .unwrap();
        assert_eq!(text(&out.stdout), "1\n", "PR_GET_DUMPABLE under exec");
    }
    let out = setup
        .client(bsr())
        .args(["registry", "exec", "--", "no-such-program-here"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(127));
}

// ---- Buf 1.75 under exec ----------------------------------------------------------------

/// Buf 1.75.0 from `BSR_TEST_BUF` or `target/buf-1.75.0/package/bin/buf` (where `.ci/run`
/// unpacks `npm pack @bufbuild/buf-linux-x64@1.75.0`), else a skip.
fn buf_175() -> Option<PathBuf> {
    let path = std::env::var_os("BSR_TEST_BUF")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("target/buf-1.75.0/package/bin/buf")
        });
    if path.is_file() {
        Some(path)
    } else {
        need::skip(
            "needs Buf 1.75.0 — (cd target/buf-1.75.0 && npm pack @bufbuild/buf-linux-x64@1.75.0 && tar xzf bufbuild-buf-linux-x64-1.75.0.tgz), as .ci/run does",
        );
        None
    }
}

/// A registry that answers Buf's `UserService/GetCurrentUser` (protobuf codec, as Buf 1.75
/// sends it) for `Bearer <TOKEN>` with the user `alice`, and `unauthenticated` otherwise.
fn buf_registry(setup: &Setup) -> Server {
    Server::start(&setup.marker, |request| {
        if request.authorization() != Some(&format!("Bearer {TOKEN}")) {
            return Answer::ok(
                "application/json",
                r#"{"code":"unauthenticated","message":"invalid token"}"#,
            )
            .with_status(401);
        }
        // GetCurrentUserResponse { user: User { id: "u1" (1), name: "alice" (4) } }.
        let user = [&[0x0a, 2][..], b"u1", &[0x22, 5], b"alice"].concat();
        let body = [&[0x0a, user.len() as u8][..], &user].concat();
        Answer::ok("application/proto", body)
    })
}

#[cfg(target_os = "linux")]
#[test]
fn buf_175_whoami_under_exec_gets_the_token_from_buf_token_only() {
    let Some(buf) = buf_175() else { return };
    let setup = Setup::new("buf");
    let registry = buf_registry(&setup);
    let domain = registry.domain();
    setup.write_netrc(&format!(
        "{}machine other.example login bob password {OTHER}\n",
        netrc_for(&domain, "alice", TOKEN)
    ));
    // Buf reads NETRC too; pointed at nothing, it can only use what exec put in BUF_TOKEN.
    let whoami = |buf_token: Option<String>| {
        let mut cmd = setup.client(bsr());
        cmd.args([
            "registry",
            "exec",
            "--domain",
            &domain,
            "--",
            "env",
            "NETRC=/nonexistent",
        ])
        .arg(&buf)
        .args(["registry", "whoami", &domain]);
        if let Some(value) = buf_token {
            cmd.env("BUF_TOKEN", value);
        }
        run_watched(&mut cmd)
    };
    for buf_token in [format!("{OTHER}@other.example"), OTHER.to_owned()] {
        let (out, programs) = whoami(Some(buf_token));
        assert_eq!(
            (out.status.code(), text(&out.stdout).as_str()),
            (Some(0), "Logged in as alice.\n"),
            "{}",
            text(&out.stderr)
        );
        assert!(programs.iter().any(|p| p == "buf"), "{programs:?}");
        assert_outputs_clean(&out, &[TOKEN, OTHER]);
    }
    let seen = registry.seen();
    assert!(!seen.is_empty());
    for seen in &seen {
        assert_eq!(
            seen.request.authorization(),
            Some(format!("Bearer {TOKEN}").as_str())
        );
        for environ in &seen.environs {
            let vars: Vec<&str> = environ.split('\0').collect();
            assert!(
                vars.contains(&format!("BUF_TOKEN={TOKEN}@{domain}").as_str()),
                "{vars:?}"
            );
            assert!(!environ.contains(OTHER));
        }
    }
    // Without a credential for the registry, Buf is not run at all.
    setup.write_netrc(&format!(
        "machine other.example login bob password {OTHER}\n"
    ));
    let (out, _) = whoami(Some(format!("{OTHER}@other.example")));
    assert_eq!(
        (out.status.code(), out.stdout.as_slice()),
        (Some(1), &b""[..])
    );
    assert_outputs_clean(&out, &[TOKEN, OTHER]);
    assert_eq!(registry.seen().len(), seen.len());
}

/// The argument watch is no test that cannot fail: a process with a token in its arguments,
/// alive for a moment, is caught.
#[cfg(target_os = "linux")]
#[test]
fn the_argument_watch_catches_a_token_in_a_process_s_arguments() {
    let watch = ArgumentWatch::start(&["bsr-handover-watch-probe-5b2e"]);
    let status = Command::new("/bin/sh")
        .args(["-c", "sleep 0.05", "bsr-handover-watch-probe-5b2e"])
        .status()
        .unwrap();
    assert!(status.success());
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| watch.finish()));
    assert!(
        caught.is_err(),
        "the watch missed a token in a process's arguments"
    );
}
