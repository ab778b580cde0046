//! `bsr registry status`: each verdict, each finding and each exit code, against the loopback
//! registry (reached as `buf.build` through it as an HTTP proxy, so the outputs read as a user's
//! would), and the proof that it never writes and never shows a token.

use std::fs;

use bsr::console::Script;

use crate::support::{OTHER_TOKEN, Outcome, Registry, Reply, TOKEN, TestEnv, netrc_for};

/// Tokens the fixtures below hold besides `TOKEN` and `OTHER_TOKEN`; none may reach any output.
const STALE_TOKEN: &str = "bsr-test-stale-copy-5f0e1d2c3b4a";
const GO_TOKEN: &str = "bsr-test-go-entry-a1b2c3d4e5f6";
const DEFAULT_PASSWORD: &str = "bsr-test-default-password-0f9e8d";
const GITHUB_PASSWORD: &str = "bsr-test-github-password-7a6b5c";
const FIXTURE_TOKENS: [&str; 6] = [
    TOKEN,
    OTHER_TOKEN,
    STALE_TOKEN,
    GO_TOKEN,
    DEFAULT_PASSWORD,
    GITHUB_PASSWORD,
];

/// A HOME whose `buf.build` is the loopback registry (through it as a proxy), which knows
/// `TOKEN` as alice.
fn setup() -> (TestEnv, Registry) {
    let registry = Registry::with_users(&[(TOKEN, "alice")]);
    let mut env = TestEnv::new();
    env.env("HTTP_PROXY", &format!("http://127.0.0.1:{}", registry.port));
    (env, registry)
}

/// `bsr registry status …`, its outputs scanned for every token in the fixtures.
fn status(env: &TestEnv, args: &[&str]) -> Outcome {
    let mut all = vec!["registry", "status"];
    all.extend_from_slice(args);
    let out = env.run(&all, "");
    for token in FIXTURE_TOKENS {
        assert!(
            !out.stdout.contains(token) && !out.stderr.contains(token),
            "a token leaked:\n{}",
            out.transcript()
        );
    }
    out
}

/// The `Authorization` headers the registry saw, with the host each request was for.
fn calls(registry: &Registry) -> Vec<(String, String)> {
    registry
        .requests()
        .into_iter()
        .map(|r| {
            let auth = r.headers.get("authorization").cloned().unwrap_or_default();
            let auth = auth
                .replace(TOKEN, "TOKEN")
                .replace(OTHER_TOKEN, "OTHER_TOKEN");
            (r.tunnel.unwrap_or_default(), auth)
        })
        .collect()
}

/// The buf.build cargo registry (`[registries.buf]`) in `$HOME/.cargo`, with `credentials`.
fn write_cargo(env: &TestEnv, credentials: &str) {
    let cargo = env.home().join(".cargo");
    fs::create_dir_all(&cargo).unwrap();
    fs::write(
        cargo.join("config.toml"),
        "[registries.buf]\nindex = \"sparse+https://buf.build/gen/cargo/\"\n[registries.crates-mirror]\nindex = \"sparse+https://mirror.example/\"\n",
    )
    .unwrap();
    fs::write(cargo.join("credentials.toml"), credentials).unwrap();
}

fn write_npmrc(env: &TestEnv, text: &str) {
    fs::write(env.home().join(".npmrc"), text).unwrap();
}

/// The files status reads besides the netrc.
#[cfg(unix)]
fn tool_files(env: &TestEnv) -> [std::path::PathBuf; 3] {
    [
        env.home().join(".npmrc"),
        env.home().join(".cargo/config.toml"),
        env.home().join(".cargo/credentials.toml"),
    ]
}

fn json(out: &Outcome) -> serde_json::Value {
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stdout))
}

#[test]
fn a_good_netrc_login_exits_0_after_one_call_to_that_domain() {
    let (env, registry) = setup();
    env.write_netrc(&netrc_for("buf.build", "alice", TOKEN));
    let out = status(&env, &[]);
    crate::assert_snapshot!("status_good_text", out.transcript());
    assert_eq!(
        calls(&registry),
        [("buf.build:80".to_owned(), "Bearer TOKEN".to_owned())]
    );
    let out = status(&env, &["--format", "json"]);
    assert_eq!(out.code, 0);
    crate::assert_snapshot!("status_good_json", out.transcript());
    let report = json(&out);
    assert_eq!(report["domains"][0]["verdict"]["username"], "alice");
    assert_eq!(report["exit_code"], 0);
}

#[test]
fn a_stale_buf_token_beating_a_good_netrc_exits_4_and_says_so() {
    let (mut env, registry) = setup();
    env.write_netrc(&netrc_for("buf.build", "alice", TOKEN));
    env.env("BUF_TOKEN", OTHER_TOKEN);
    let out = status(&env, &[]);
    crate::assert_snapshot!("status_stale_buf_token", out.transcript());
    // Only BUF_TOKEN's token was sent: status asks about the credential in effect.
    assert_eq!(
        calls(&registry),
        [("buf.build:80".to_owned(), "Bearer OTHER_TOKEN".to_owned())]
    );
    let report = json(&status(&env, &["--format", "json"]));
    let domain = &report["domains"][0];
    assert_eq!(domain["state"], "not_logged_in");
    assert_eq!(domain["credential"]["source"], "BUF_TOKEN");
    assert_eq!(domain["shadows"][0]["line"], 1);
    assert_eq!(domain["shadows"][0]["same_token"], false);
}

#[test]
fn an_expired_netrc_token_is_rejected_with_exit_4() {
    let (env, _registry) = setup();
    env.write_netrc(&netrc_for("buf.build", "alice", OTHER_TOKEN));
    let out = status(&env, &[]);
    crate::assert_snapshot!("status_expired", out.transcript());
}

#[test]
fn no_credential_exits_4_and_a_default_password_is_never_sent() {
    let (env, registry) = setup();
    let out = status(&env, &[]);
    crate::assert_snapshot!("status_none", out.transcript());
    env.write_netrc(&format!(
        "machine github.com login octocat password {GITHUB_PASSWORD}\ndefault login anonymous password {DEFAULT_PASSWORD}\n"
    ));
    let out = status(&env, &[]);
    crate::assert_snapshot!("status_only_default", out.transcript());
    assert!(registry.requests().is_empty(), "{:?}", calls(&registry));
}

#[test]
fn an_unreachable_registry_exits_1() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let domain = format!("127.0.0.1:{port}");
    let mut env = TestEnv::new();
    env.env("BUF_TOKEN", &format!("{TOKEN}@{domain}"));
    let out = status(&env, &[&domain]);
    crate::assert_snapshot!("status_unreachable", out.transcript());
}

/// Registry answers that are neither a user nor a rejection exit 1.
#[test]
fn registry_errors_and_a_missing_user_exit_1() {
    let mut transcripts = String::new();
    for reply in [
        crate::support::Reply::error(500, "internal", "down for maintenance"),
        crate::support::Reply::json(200, "{}"),
    ] {
        let registry = Registry::start(reply);
        let mut env = TestEnv::new();
        env.env("HTTP_PROXY", &format!("http://127.0.0.1:{}", registry.port));
        env.env("BUF_TOKEN", TOKEN);
        transcripts += &status(&env, &[]).transcript();
    }
    crate::assert_snapshot!("status_registry_errors", transcripts);
}

/// `--timeout` bounds the whole run: a slow first registry leaves no time for the second.
#[test]
fn the_timeout_bounds_the_whole_run() {
    let slow = Registry::start(
        crate::support::Reply::user("alice").delayed(std::time::Duration::from_secs(3)),
    );
    let (a, b) = (slow.domain(), "127.0.0.1:9".to_owned());
    let mut env = TestEnv::new();
    env.env("BUF_TOKEN", &format!("{TOKEN}@{a},{OTHER_TOKEN}@{b}"));
    let started = std::time::Instant::now();
    let out = status(&env, &["--timeout", "1s", &a, &b]);
    assert!(started.elapsed() < std::time::Duration::from_millis(2500));
    crate::assert_snapshot!("status_timeout", out.transcript());
}

/// A reader that goes away before the report is written, or a stdout closed from the start,
/// is a finished report nobody reads: exit 0 and no message (SPEC "Output and exit codes"),
/// whatever the verdict would have been.
#[cfg(unix)]
#[test]
fn a_reader_gone_ends_the_report_quietly() {
    let (env, _registry) = setup();
    for netrc in ["", netrc_for("buf.build", "alice", TOKEN).as_str()] {
        env.write_netrc(netrc);
        // The pipe's reader (`true`) is long gone when status writes: the sleep lets it exit.
        for script in [
            "{ sleep 0.3; \"$BSR\" registry status; echo \"code=$?\" >&2; } | true",
            "{ \"$BSR\" registry status >&-; echo \"code=$?\" >&2; }",
        ] {
            let out = env.shell(script).output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(stderr, "code=0\n", "{script}");
        }
    }
}

#[test]
fn offline_asks_no_registry_and_needs_no_config() {
    let (env, registry) = setup();
    env.write_netrc(&netrc_for("buf.build", "alice", TOKEN));
    // A config that would fail any command that reads it.
    fs::write(env.home().join(".config/buf/config.yaml"), "tls: [").unwrap();
    let out = status(&env, &["--offline"]);
    crate::assert_snapshot!("status_offline", out.transcript());
    fs::remove_file(env.netrc_path()).unwrap();
    let out = status(&env, &["--offline", "--format", "json"]);
    assert_eq!(out.code, 4, "{}", out.transcript());
    assert_eq!(
        json(&out)["domains"][0]["credential"],
        serde_json::Value::Null
    );
    assert!(registry.requests().is_empty());
}

/// The netrc findings that are warnings: a valid login still exits 0.
#[cfg(unix)]
#[test]
fn mode_default_and_host_port_are_warnings() {
    let (env, _registry) = setup();
    env.write_netrc(&format!(
        "machine github.com login octocat password {GITHUB_PASSWORD}\n{}machine bsr.example.com:8443 login bob password {OTHER_TOKEN}\ndefault login anonymous password {DEFAULT_PASSWORD}\n",
        netrc_for("buf.build", "alice", TOKEN)
    ));
    crate::support::set_mode(&env.netrc_path(), 0o644);
    let out = status(&env, &[]);
    crate::assert_snapshot!("status_warnings", out.transcript());
    let report = json(&status(&env, &["--format", "json", "--offline"]));
    let kinds: Vec<_> = report["domains"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["kind"].as_str().unwrap(), f["line"].clone()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("mode", serde_json::Value::Null),
            ("default_entry", 9.into()),
        ]
    );
    // For the registry with a port, the entry in effect is one Go, curl and Python cannot match.
    let out = status(&env, &["bsr.example.com:8443", "--offline"]);
    crate::assert_snapshot!("status_host_port", out.transcript());
    assert_eq!(out.code, 0, "{}", out.transcript());
    let text = env.filter(&out.stdout);
    assert!(
        text.contains(
            "! ~/.netrc:8: `machine bsr.example.com:8443` names a port: Buf reads it, but Go, curl and Python match host names without the port"
        ),
        "{text}"
    );
}

/// The reader models' findings name the readers: a password without a value makes Python and uv reject
/// the file, two readers read on into the next entry and hand the token to github.com, three
/// find nothing for buf.build; five readers keep the quotes of a quoted token as part of it. An
/// unreadable copy of another tool is a warning.
#[test]
fn the_reader_models_findings_name_the_readers() {
    let (env, _registry) = setup();
    env.write_netrc(&format!(
        "machine github.com login octocat password\n{}",
        netrc_for("buf.build", "alice", TOKEN)
    ));
    let mut transcripts = status(&env, &[]).transcript();
    env.write_netrc(&format!(
        "machine buf.build login alice password \"{TOKEN}\"\nmachine go.buf.build login alice password {TOKEN}\n"
    ));
    write_cargo(&env, "[registries.buf\n");
    transcripts.push_str(&status(&env, &[]).transcript());
    crate::assert_snapshot!("status_readers", transcripts);
    let report = json(&status(&env, &["--format", "json", "--offline"]));
    let kinds: Vec<_> = report["domains"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["readers_differ", "unreadable_copy"]);
}

/// Findings that make tools disagree on the credential are errors: exit 1 though the registry
/// takes the token.
#[test]
fn duplicates_and_a_differing_go_entry_are_errors() {
    let (env, _registry) = setup();
    env.write_netrc(&format!(
        "machine buf.build login alice password {TOKEN}\nmachine go.buf.build login alice password {GO_TOKEN}\nmachine buf.build login alice password {STALE_TOKEN}\n"
    ));
    let out = status(&env, &[]);
    crate::assert_snapshot!("status_netrc_errors", out.transcript());
    // The same entry twice is only a warning; a missing go entry too.
    env.write_netrc(&format!(
        "machine buf.build login alice password {TOKEN}\nmachine buf.build login alice password {TOKEN}\n"
    ));
    let out = status(&env, &[]);
    crate::assert_snapshot!("status_netrc_warnings", out.transcript());
}

/// A netrc password no header can carry is not sent: no credential to check (exit 4, login
/// replaces it), and the finding names the entry's line.
#[test]
fn an_unsendable_netrc_password_is_a_finding_at_its_line_and_nothing_is_sent() {
    let (env, registry) = setup();
    env.write_netrc("machine github.com login o password p\n\nmachine buf.build\n  login alice\n  password \"bad\u{1}token\"\n");
    let out = status(&env, &[]);
    crate::assert_snapshot!("status_unsendable_password", out.transcript());
    assert!(registry.requests().is_empty(), "{:?}", calls(&registry));
}

#[test]
fn an_unreadable_netrc_is_an_error_even_with_a_good_buf_token() {
    let (mut env, _registry) = setup();
    env.write_netrc("machine github.com login octocat password \"unclosed\n");
    let out = status(&env, &[]);
    assert_eq!(out.code, 1, "without BUF_TOKEN nothing can be told");
    env.env("BUF_TOKEN", TOKEN);
    let out = status(&env, &[]);
    crate::assert_snapshot!("status_unreadable_netrc", out.transcript());
}

#[test]
fn other_tools_copies_are_compared_with_the_token_in_effect() {
    let (env, _registry) = setup();
    env.write_netrc(&netrc_for("buf.build", "alice", TOKEN));
    write_npmrc(
        &env,
        &format!(
            "@buf:registry=https://buf.build/gen/npm/v1/\n//buf.build/gen/npm/v1/:_authToken={STALE_TOKEN}\n//buf.build/gen/npm/v2/:_authToken=\"${{NPM_TOKEN}}\"\n//registry.npmjs.org/:_authToken={OTHER_TOKEN}\n"
        ),
    );
    write_cargo(
        &env,
        &format!(
            "[registries.buf]\ntoken = \"Bearer {TOKEN}\"\n\n[registries.crates-mirror]\ntoken = \"{OTHER_TOKEN}\"\n"
        ),
    );
    let cargo = env.home().join(".cargo");
    let out = status(&env, &[]);
    crate::assert_snapshot!("status_copies", out.transcript());
    // NPM_CONFIG_USERCONFIG and CARGO_HOME move the files, as they move them for npm and cargo.
    let mut moved = env;
    let elsewhere = moved.home().join("elsewhere");
    fs::create_dir_all(&elsewhere).unwrap();
    fs::rename(moved.home().join(".npmrc"), elsewhere.join("npmrc")).unwrap();
    fs::rename(&cargo, elsewhere.join("cargo")).unwrap();
    let out = status(&moved, &["--offline"]);
    assert!(!out.stdout.contains("npmrc"), "{}", out.stdout);
    let npmrc = elsewhere.join("npmrc").display().to_string();
    let cargo_home = elsewhere.join("cargo").display().to_string();
    moved.env("NPM_CONFIG_USERCONFIG", &npmrc);
    moved.env("CARGO_HOME", &cargo_home);
    let out = status(&moved, &["--offline"]);
    let text = moved.filter(&out.stdout);
    assert!(
        text.contains(
            "! ~/elsewhere/npmrc:2 (npm, //buf.build/gen/npm/v1/:_authToken): different token"
        ) && text.contains("- ~/elsewhere/cargo/credentials.toml:2 (cargo, buf): same token"),
        "{text}"
    );
    let env = moved;
    let report = json(&status(&env, &["--format", "json"]));
    let copies: Vec<_> = report["domains"][0]["copies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["tool"].as_str().unwrap(),
                c["line"].as_u64().unwrap(),
                c["match"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        copies,
        [
            ("npm", 2, "different"),
            ("npm", 3, "placeholder"),
            ("cargo", 2, "same")
        ]
    );
}

#[test]
fn all_covers_every_remote_and_every_bsr_machine() {
    let registry = Registry::with_users(&[(TOKEN, "alice"), (OTHER_TOKEN, "bob")]);
    let mut env = TestEnv::new();
    env.env("HTTP_PROXY", &format!("http://127.0.0.1:{}", registry.port));
    env.env(
        "BUF_TOKEN",
        &format!("{OTHER_TOKEN}@bsr.example.com,{STALE_TOKEN}@stale.example.com"),
    );
    env.write_netrc(&format!(
        "machine github.com login octocat password {GITHUB_PASSWORD}\n{}{}",
        netrc_for("buf.build", "alice", TOKEN),
        netrc_for("team.example.com", "alice", TOKEN),
    ));
    let out = status(&env, &["--all"]);
    crate::assert_snapshot!("status_all", out.transcript());
    let mut seen = calls(&registry);
    seen.sort();
    let stale = format!("Bearer {STALE_TOKEN}");
    assert_eq!(
        seen,
        [
            (
                "bsr.example.com:80".to_owned(),
                "Bearer OTHER_TOKEN".to_owned()
            ),
            ("buf.build:80".to_owned(), "Bearer TOKEN".to_owned()),
            ("stale.example.com:80".to_owned(), stale),
            ("team.example.com:80".to_owned(), "Bearer TOKEN".to_owned()),
        ],
        "one call per domain, each with that domain's own token; github.com is no registry"
    );
    let report = json(&status(&env, &["--all", "--format", "json"]));
    let domains: Vec<_> = report["domains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["domain"].as_str().unwrap())
        .collect();
    assert_eq!(
        domains,
        [
            "bsr.example.com",
            "stale.example.com",
            "buf.build",
            "team.example.com"
        ]
    );
}

/// Buf sends a single-token `BUF_TOKEN` to every registry; `token`, `exec` and the credential
/// helpers keep it for buf.build. Status says what they hand out instead, and it is what
/// `bsr registry token` prints.
#[test]
fn a_single_buf_token_elsewhere_is_not_what_the_handover_commands_give() {
    let (mut env, registry) = setup();
    env.env("BUF_TOKEN", TOKEN);
    env.write_netrc(&netrc_for("bsr.example.com", "bob", OTHER_TOKEN));
    let mut transcripts = status(&env, &["bsr.example.com"]).transcript();
    let token = || {
        let out = env
            .command(&["registry", "token", "bsr.example.com"])
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8(out.stdout).unwrap())
    };
    assert_eq!(
        token(),
        (Some(0), format!("{OTHER_TOKEN}\n")),
        "the netrc entry, as status says"
    );
    fs::remove_file(env.netrc_path()).unwrap();
    transcripts.push_str(&status(&env, &["bsr.example.com"]).transcript());
    let handed = env.run(&["registry", "token", "bsr.example.com"], "");
    assert_eq!(
        (handed.code, handed.stdout.as_str()),
        (1, ""),
        "nothing, as status says"
    );
    crate::assert_snapshot!("status_single_buf_token_elsewhere", transcripts);
    let report = json(&status(&env, &["bsr.example.com", "--format", "json"]));
    let finding = &report["domains"][0]["findings"][0];
    assert_eq!(
        (&finding["kind"], &finding["severity"], &finding["path"]),
        (
            &serde_json::json!("handover_differs"),
            &serde_json::json!("warning"),
            &serde_json::json!("BUF_TOKEN")
        )
    );
    assert_eq!(report["exit_code"], 0, "a warning");
    assert!(
        calls(&registry)
            .iter()
            .all(|(host, auth)| host == "bsr.example.com:80" && auth == "Bearer TOKEN"),
        "{:?}",
        calls(&registry)
    );
}

#[test]
fn bad_arguments_and_a_malformed_buf_token_exit_1() {
    let (mut env, registry) = setup();
    let out = status(&env, &["a..b"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("invalid domain name \"a..b\""));
    env.env("BUF_TOKEN", &format!("{TOKEN}@buf.build,{OTHER_TOKEN}"));
    let out = status(&env, &[]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("BUF_TOKEN is malformed"),
        "{}",
        out.stderr
    );
    assert!(registry.requests().is_empty());
}

/// Every output form, `--debug` too, for every fixture with a token in it: no token text.
#[test]
fn no_output_ever_holds_a_token() {
    let (mut env, _registry) = setup();
    env.write_netrc(&format!(
        "machine buf.build login alice password {TOKEN}\nmachine go.buf.build login alice password {GO_TOKEN}\nmachine buf.build login alice password {STALE_TOKEN}\nmachine github.com login octocat password {GITHUB_PASSWORD}\ndefault login anonymous password {DEFAULT_PASSWORD}\n"
    ));
    write_npmrc(
        &env,
        &format!("//buf.build/gen/npm/v1/:_authToken={STALE_TOKEN}\n"),
    );
    env.env("BUF_TOKEN", OTHER_TOKEN);
    let mut seen_debug = false;
    for format in ["text", "json"] {
        for extra in [&[][..], &["--debug"], &["--offline"], &["--all", "--debug"]] {
            let mut args = vec!["--format", format];
            args.extend_from_slice(extra);
            // `status` scans stdout and stderr for every fixture token.
            let out = status(&env, &args);
            assert_ne!(out.code, 0, "{}", out.transcript());
            seen_debug |= out.stderr.contains("Bearer [REDACTED]");
        }
    }
    assert!(seen_debug, "--debug logged the requests");
}

/// The netrc's bytes and mode, each file's bytes and modification time, the names in HOME.
#[cfg(unix)]
type Untouched = (
    Vec<u8>,
    u32,
    Vec<(Vec<u8>, std::time::SystemTime)>,
    Vec<String>,
);

/// What status must leave as it was: the netrc and the other tools' files it reads.
#[cfg(unix)]
fn snapshot_of(env: &TestEnv) -> Untouched {
    let path = env.netrc_path();
    let files = [[path.clone()].as_slice(), &tool_files(env)].concat();
    (
        fs::read(&path).unwrap(),
        crate::support::mode(&path),
        files
            .iter()
            .map(|file| {
                (
                    fs::read(file).unwrap(),
                    fs::metadata(file).unwrap().modified().unwrap(),
                )
            })
            .collect(),
        crate::support::names_in(env.home()),
    )
}

#[cfg(unix)]
#[test]
fn status_never_writes() {
    let (mut env, _registry) = setup();
    // A file login would rewrite (a duplicate, a stale go entry) and narrow (0644).
    env.write_netrc(&format!(
        "machine buf.build login alice password {TOKEN}\r\nmachine go.buf.build login alice password {GO_TOKEN}\nmachine buf.build login alice password {STALE_TOKEN}"
    ));
    // And copies that differ from the token in effect, which a careless tool would "fix".
    write_npmrc(
        &env,
        &format!("//buf.build/gen/npm/v1/:_authToken={STALE_TOKEN}\n"),
    );
    write_cargo(
        &env,
        &format!("[registries.buf]\ntoken = \"Bearer {STALE_TOKEN}\"\n"),
    );
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for path in [[env.netrc_path()].as_slice(), &tool_files(&env)].concat() {
        let file = fs::File::options().append(true).open(path).unwrap();
        file.set_modified(old).unwrap();
    }
    for mode in [0o600, 0o644] {
        crate::support::set_mode(&env.netrc_path(), mode);
        let before = snapshot_of(&env);
        for args in [&[][..], &["--offline"], &["--all", "--format", "json"]] {
            status(&env, args);
        }
        env.env("BUF_TOKEN", OTHER_TOKEN);
        status(&env, &[]);
        assert_eq!(snapshot_of(&env), before, "mode {mode:o}");
        assert_eq!(before.1, mode);
    }
}

#[test]
fn help() {
    let env = TestEnv::new();
    let out = env.run(&["registry", "status", "--help"], "");
    crate::assert_snapshot!("status_help", out.transcript());
}

/// Ctrl-C while a registry takes its time: status ends at once by the signal (130), with no
/// half a report and no `Failure:` line, as every other command does.
#[test]
fn ctrl_c_mid_check_ends_status_at_once() {
    use std::time::{Duration, Instant};
    let env = TestEnv::new();
    let registry = Registry::start(Reply::user("alice").delayed(Duration::from_secs(20)));
    let domain = registry.domain();
    env.write_netrc(&netrc_for(&domain, "alice", TOKEN));
    let (code, captured, elapsed) = std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::channel();
        let (env, domain) = (&env, domain.as_str());
        let run = scope.spawn(move || {
            let args = ["registry", "status", domain];
            let (code, captured) = env.run_in_process_with(&args, Script::default(), |c| {
                tx.send(c.clone()).unwrap();
            });
            (code, captured, Instant::now())
        });
        let captured = rx.recv().unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while registry.requests().is_empty() {
            assert!(Instant::now() < deadline, "the registry was never asked");
            std::thread::sleep(Duration::from_millis(10));
        }
        let sent = Instant::now();
        captured.interrupt();
        let (code, captured, ended) = run.join().unwrap();
        (code, captured, ended - sent)
    });
    assert_eq!(code, 130);
    assert!(elapsed < Duration::from_millis(100), "{elapsed:?}");
    assert_eq!(
        (captured.out(), captured.err()),
        (String::new(), String::new())
    );
}
