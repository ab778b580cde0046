//! Browser login (the OAuth device flow): against a registry that offers it, one that does not,
//! and one that misbehaves; with a browser opener, without one and with a failing one; on a
//! terminal and off it; interrupted. Every output is checked for the access token, the device
//! code and the client secret.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::assert_snapshot;
use crate::support::device::{
    CLIENT_ID, CLIENT_SECRET, DEVICE_CODE, Script, USER_CODE, access_token, device_registry,
    oauth_error, stub_opener,
};
use crate::support::pty::Pty;
use crate::support::{
    Outcome, Registry, Reply, TOKEN, TestEnv, assert_no_token, ended_by_ctrl_c, expected_netrc,
};

/// A test HOME whose PATH holds only a directory of stub programs (no real browser opener).
fn env_with_bin() -> (TestEnv, std::path::PathBuf) {
    let mut env = TestEnv::new();
    let bin = env.home().join("bin");
    std::fs::create_dir(&bin).unwrap();
    env.env("PATH", bin.to_str().unwrap());
    (env, bin)
}

fn login(env: &TestEnv, registry: &Registry) -> Outcome {
    let out = env.run(&["registry", "login", &registry.domain()], "");
    assert_no_secret(&out.stdout);
    assert_no_secret(&out.stderr);
    out
}

fn assert_no_secret(text: &str) {
    assert_no_token(text);
    for secret in [DEVICE_CODE, CLIENT_SECRET] {
        assert!(!text.contains(secret), "a secret leaked:\n{text}");
    }
}

fn targets(registry: &Registry) -> Vec<String> {
    registry.requests().into_iter().map(|r| r.target).collect()
}

/// The whole flow with a browser: Buf 1.75's text on stdout before anything is opened, the
/// opener given only the URL, the requests as RFC 8628 and Buf send them, and a token that is
/// verified on its own (a stale BUF_TOKEN plays no part) and saved in both entries.
#[test]
fn a_browser_approves_and_both_entries_are_saved() {
    let (mut env, bin) = env_with_bin();
    stub_opener(&bin, "xdg-open", 0);
    env.env("BUF_TOKEN", "stale-token-from-another-day");
    let registry = device_registry(Script::default());
    let domain = registry.domain();
    let out = login(&env, &registry);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = env.filter(&out.stdout).replace(&domain, "[DOMAIN]");
    assert_snapshot!(text, @"
    Opening your browser to complete authorization process.

    If your browser doesn't open automatically, please open this URL in a browser to complete the process:

    http://[DOMAIN]/activate?user_code=WDJB-MJHT

    Logged in as alice. Credentials saved to ~/.netrc.
    ");
    assert_eq!(
        out.stderr,
        format!(
            "Your one-time code is {USER_CODE}; check that the page in the browser shows the same code.\nNotice: BUF_TOKEN holds a token for {domain}; while it is set, Buf and bsr send that token, not the one just saved.\n"
        )
    );
    let opened = std::fs::read_to_string(bin.join("opened")).unwrap();
    assert_eq!(
        opened,
        format!("http://{domain}/activate?user_code={USER_CODE}\n")
    );
    assert_eq!(env.netrc(), expected_netrc(&domain, "alice"));

    let requests = registry.requests();
    let registration = &requests[0];
    assert_eq!(registration.target, "/oauth2/device/registration");
    assert_eq!(registration.headers["content-type"], "application/json");
    let body: serde_json::Value = serde_json::from_str(&registration.body).unwrap();
    assert!(
        body["client_name"].as_str().is_some_and(|n| !n.is_empty()),
        "{body}"
    );
    let authorization = &requests[1];
    assert_eq!(authorization.target, "/oauth2/device/authorization");
    assert_eq!(
        authorization.headers["content-type"],
        "application/x-www-form-urlencoded"
    );
    assert_eq!(
        authorization.body,
        format!("client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}")
    );
    let polls: Vec<_> = requests
        .iter()
        .filter(|r| r.target == "/oauth2/device/token")
        .collect();
    assert!(!polls.is_empty());
    for poll in &polls {
        assert_eq!(
            poll.body,
            format!(
                "client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}&device_code={DEVICE_CODE}&grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code"
            )
        );
        assert!(!poll.headers.contains_key("authorization"));
    }
    // The first poll waits the interval (1 s here), as RFC 8628 asks.
    assert!(polls[0].at - authorization.at >= Duration::from_millis(950));
    let verify = requests.last().unwrap();
    assert_eq!(
        verify.target,
        "/buf.alpha.registry.v1alpha1.AuthnService/GetCurrentUser"
    );
    assert_eq!(verify.headers["authorization"], format!("Bearer {TOKEN}"));
    assert!(
        requests.iter().all(|r| !r.body.contains("stale-token")
            && r.headers
                .get("authorization")
                .is_none_or(|a| !a.contains("stale"))),
        "BUF_TOKEN plays no part in a browser login"
    );
}

/// No browser anywhere (an SSH session, a container, CI): a one-line note, and the login goes
/// on with the URL already printed; Buf 1.75 fails here (bufbuild/buf#4173). Also with
/// `--debug`, which must show no secret either.
#[test]
fn without_a_browser_it_is_a_note_and_the_login_goes_on() {
    let (env, _bin) = env_with_bin();
    let registry = device_registry(Script {
        polls: vec![oauth_error("authorization_pending"), access_token()],
        ..Script::default()
    });
    let out = env.run(&["registry", "login", &registry.domain(), "--debug"], "");
    assert_no_secret(&out.stdout);
    assert_no_secret(&out.stderr);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.ends_with(
            "Logged in as alice. Credentials saved to ~/.netrc.\n"
                .replace('~', &env.home().display().to_string())
                .as_str()
        )
    );
    let notes: Vec<_> = out
        .stderr
        .lines()
        .filter(|l| l.starts_with("Note:"))
        .collect();
    assert_eq!(
        notes,
        [
            "Note: no browser could be opened here (none of $BROWSER, xdg-open, x-www-browser, www-browser, wslview was found); open the URL above in a browser on any device."
        ]
    );
    assert!(
        out.stderr.contains("/oauth2/device/token"),
        "--debug logs the polls"
    );
    assert_eq!(env.netrc(), expected_netrc(&registry.domain(), "alice"));
}

/// `$BROWSER` wins over the system's openers; one that fails is a note, not a failure.
#[test]
fn a_failing_browser_is_a_note() {
    let (mut env, bin) = env_with_bin();
    stub_opener(&bin, "xdg-open", 0);
    let failing = stub_opener(&bin, "my-browser", 3);
    env.env("BROWSER", failing.to_str().unwrap());
    let registry = device_registry(Script {
        polls: vec![access_token()],
        ..Script::default()
    });
    let out = login(&env, &registry);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "Note: {} could not open a browser (it exited with exit status: 3); open the URL above in a browser on any device.",
            failing.display()
        )),
        "{}",
        out.stderr
    );
    // Only $BROWSER was tried.
    let opened = std::fs::read_to_string(bin.join("opened")).unwrap();
    assert_eq!(opened.lines().count(), 1);
}

/// Each way the wait can end without a token has its own message, and nothing is written.
#[test]
fn denied_expired_and_strange_answers_end_it_with_their_own_message() {
    let cases = [
        (
            "denied",
            Script {
                polls: vec![
                    oauth_error("authorization_pending"),
                    oauth_error("access_denied"),
                ],
                ..Script::default()
            },
        ),
        (
            "expired",
            Script {
                polls: vec![oauth_error("expired_token")],
                ..Script::default()
            },
        ),
        // Nobody approves within expires_in: bsr stops before a pointless poll.
        (
            "deadline",
            Script {
                expires_in: 2,
                ..Script::default()
            },
        ),
        // An error body is an OAuth error whatever the status.
        (
            "other",
            Script {
                polls: vec![Reply::json(
                    200,
                    r#"{"error":"invalid_grant","error_description":"the \u001b[31mcode"}"#,
                )],
                ..Script::default()
            },
        ),
        (
            "hostile-uri",
            Script {
                authorization: Some(Reply::json(
                    200,
                    &format!(
                        r#"{{"device_code":"{DEVICE_CODE}","user_code":"X","verification_uri":"javascript:alert(1)","expires_in":60,"interval":1}}"#
                    ),
                )),
                ..Script::default()
            },
        ),
        (
            "interval",
            Script {
                interval: 31,
                ..Script::default()
            },
        ),
        (
            "registration-error",
            Script {
                registration: Some(Reply::error(500, "internal", "database down")),
                ..Script::default()
            },
        ),
    ];
    let mut transcripts = String::new();
    for (name, script) in cases {
        let (env, bin) = env_with_bin();
        stub_opener(&bin, "xdg-open", 3);
        let registry = device_registry(script);
        let out = login(&env, &registry);
        let stderr = out
            .stderr
            .lines()
            .filter(|l| l.starts_with("Failure:"))
            .collect::<Vec<_>>()
            .join("\n");
        transcripts += &format!(
            "{name}: exit {}: {}\n",
            out.code,
            stderr.replace(&registry.domain(), "[DOMAIN]")
        );
        assert!(!env.netrc_path().exists(), "{name}: nothing is written");
        assert!(
            !targets(&registry)
                .iter()
                .any(|t| t.contains("GetCurrentUser")),
            "{name}: no token was verified"
        );
        if name == "hostile-uri" {
            assert!(
                !bin.join("opened").exists(),
                "a hostile URI is never opened"
            );
            assert_eq!(out.stdout, "", "nor printed");
        }
    }
    assert_snapshot!(transcripts, @r#"
    denied: exit 1: Failure: authorization failed: the user denied the request
    expired: exit 1: Failure: authorization failed: the device code has expired; run the login again
    deadline: exit 1: Failure: authorization failed: the device code has expired; run the login again
    other: exit 1: Failure: authorization failed: invalid_grant (the \u{1b}[31mcode)
    hostile-uri: exit 1: Failure: oauth2: invalid verification URI scheme: the registry at [DOMAIN] sent "javascript:alert(1)", which is not an http or https URL; nothing was opened
    interval: exit 1: Failure: the registry at [DOMAIN] asks to be polled every 31 s, more than the 30 s bsr waits; check the registry's OAuth settings
    registration-error: exit 1: Failure: the registry at [DOMAIN] answered with error internal: database down
    "#);
}

/// A registry without browser login (404, 405, 501, or an answer that is not JSON) gets the
/// prompts, as before Buf 1.75; off a terminal they refuse, as they always did.
#[test]
fn without_the_device_endpoints_the_prompts_take_over() {
    for registration in [
        Reply::json(404, "404 page not found"),
        Reply::json(405, ""),
        Reply::json(501, "{}"),
        Reply::json(200, "<html>a login page</html>"),
    ] {
        let (env, _bin) = env_with_bin();
        let registry = device_registry(Script {
            registration: Some(registration.clone()),
            ..Script::default()
        });
        let out = login(&env, &registry);
        assert_eq!(
            (out.code, out.stderr.as_str()),
            (
                1,
                "Failure: cannot perform an interactive login from a non-TTY device; pipe the token into --token-stdin, or set BUF_TOKEN\n"
            ),
            "{}",
            registration.status
        );
        assert_eq!(targets(&registry), ["/oauth2/device/registration"]);
    }

    // On a terminal: the Username: and Token: prompts, and the login completes.
    let env = TestEnv::new();
    let registry = device_registry(Script {
        registration: Some(Reply::json(404, "404 page not found")),
        ..Script::default()
    });
    let mut pty = Pty::spawn(env.command(&["registry", "login", &registry.domain()]));
    pty.expect("Username: ");
    pty.send("alice\r");
    pty.expect("Token: ");
    pty.send(&format!("{TOKEN}\r"));
    assert_eq!(pty.wait().code(), Some(0), "{}", pty.screen());
    assert_eq!(env.netrc(), expected_netrc(&registry.domain(), "alice"));
}

/// An unreachable registry fails before any prompt or URL, saying so.
#[test]
fn an_unreachable_registry_fails_before_anything_is_asked() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let env = TestEnv::new();
    let out = env.run(&["registry", "login", &format!("127.0.0.1:{port}")], "");
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        format!(
            "Failure: could not reach the registry at 127.0.0.1:{port}: the connection was refused\n"
        )
    );
}

/// `slow_down` adds 5 s to the interval (RFC 8628 section 3.5).
#[test]
fn slow_down_lengthens_the_interval() {
    let (env, _bin) = env_with_bin();
    let registry = device_registry(Script {
        polls: vec![oauth_error("slow_down"), access_token()],
        ..Script::default()
    });
    let out = login(&env, &registry);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let polls: Vec<Instant> = registry
        .requests()
        .into_iter()
        .filter(|r| r.target == "/oauth2/device/token")
        .map(|r| r.at)
        .collect();
    assert_eq!(polls.len(), 2);
    let gap = polls[1] - polls[0];
    assert!(gap >= Duration::from_millis(5900), "{gap:?}");
}

/// Ctrl-C while waiting, off a terminal (SIGINT) and on one: exit 130, no `Failure:`, nothing
/// written, no request after it. On a terminal the wait says how to cancel.
#[test]
fn ctrl_c_while_waiting_exits_130_and_sends_nothing_more() {
    // Off a terminal.
    let (env, _bin) = env_with_bin();
    env.write_netrc("machine github.com login octocat password ghp_example\n");
    let registry = device_registry(Script::default());
    let child = env
        .command(&["registry", "login", &registry.domain()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let polls = |registry: &Registry| {
        targets(registry)
            .iter()
            .filter(|t| *t == "/oauth2/device/token")
            .count()
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while polls(&registry) == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    // SAFETY: kill has no memory preconditions; the pid is our own child's.
    let rc = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    assert_eq!(rc, 0);
    let sent = registry.requests().len();
    let output = child.wait_with_output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert_no_secret(&stdout);
    assert_no_secret(&stderr);
    assert!(
        ended_by_ctrl_c(&output.status),
        "{:?} {stderr}",
        output.status
    );
    assert!(!stderr.contains("Failure"), "{stderr}");
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(registry.requests().len(), sent, "no request after Ctrl-C");
    assert_eq!(
        env.netrc(),
        "machine github.com login octocat password ghp_example\n"
    );

    // On a terminal.
    let env = TestEnv::new();
    let registry = device_registry(Script::default());
    let mut pty = Pty::spawn(env.command(&["registry", "login", &registry.domain()]));
    pty.expect("press Ctrl-C to cancel");
    pty.send("\x03");
    let status = pty.wait();
    assert!(ended_by_ctrl_c(&status), "{status:?} {}", pty.screen());
    let screen = pty.screen().replace("\r\n", "\n");
    assert!(
        screen.ends_with('\n') && !screen.contains("Failure"),
        "{screen:?}"
    );
    assert_no_secret(&screen);
    assert!(!env.netrc_path().exists());
}

/// On a terminal: the same text, the waiting line on stderr, and the login completes when the
/// browser (the stub) approves.
#[test]
fn on_a_terminal_the_wait_is_shown_and_the_login_completes() {
    let (env, bin) = env_with_bin();
    stub_opener(&bin, "xdg-open", 0);
    let registry = device_registry(Script::default());
    let domain = registry.domain();
    let mut pty = Pty::spawn(env.command(&["registry", "login", &domain]));
    assert_eq!(pty.wait().code(), Some(0), "{}", pty.screen());
    let screen = env
        .filter(&pty.screen())
        .replace("\r\n", "\n")
        .replace(&domain, "[DOMAIN]");
    assert_no_secret(&screen);
    assert_snapshot!(screen, @"
    Opening your browser to complete authorization process.

    If your browser doesn't open automatically, please open this URL in a browser to complete the process:

    http://[DOMAIN]/activate?user_code=WDJB-MJHT
    Your one-time code is WDJB-MJHT; check that the page in the browser shows the same code.
    Waiting for the authorization in the browser (press Ctrl-C to cancel)...

    Logged in as alice. Credentials saved to ~/.netrc.
    ");
    assert_eq!(env.netrc(), expected_netrc(&domain, "alice"));
}

/// The opener is looked up in PATH's absolute entries only (an empty entry means the working
/// directory, where anyone may have planted an `xdg-open`), starts without `BUF_TOKEN` in its
/// environment (a browser keeps it for its lifetime and hands it to everything it starts),
/// and inherits no open file beyond 0-2.
#[test]
fn the_opener_is_found_on_absolute_path_entries_and_gets_no_secret_or_stray_file() {
    let (mut env, bin) = env_with_bin();
    let planted = env.home().join("cwd");
    std::fs::create_dir(&planted).unwrap();
    let marker = env.home().join("planted-ran");
    std::fs::write(
        planted.join("xdg-open"),
        format!("#!/bin/sh\n: > '{}'\n", marker.display()),
    )
    .unwrap();
    crate::support::set_mode(&planted.join("xdg-open"), 0o755);
    let seen = env.home().join("seen");
    let recorder = stub_opener(&bin, "www-browser", 0);
    let script = std::fs::read_to_string(&recorder).unwrap().replacen(
        "\n",
        &format!(
            "\nPATH=/usr/bin:/bin\n{{ env | grep -c '^BUF_TOKEN=' ; [ -e /proc/$$/fd/5 ] && echo fd5; }} >> '{}'\n",
            seen.display()
        ),
        1,
    );
    std::fs::write(&recorder, script).unwrap();
    env.env("PATH", &format!(":{}:.:cwd", bin.display()));
    env.env("BUF_TOKEN", &format!("{TOKEN}@other.example"));
    let registry = device_registry(Script::default());
    let output = env
        .shell(&format!(
            "exec 5</dev/null; exec \"$BSR\" registry login {}",
            registry.domain()
        ))
        .current_dir(&planted)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !marker.exists(),
        "the xdg-open planted in the working directory ran"
    );
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let seen = std::fs::read_to_string(&seen).unwrap_or_default();
    assert_eq!(seen, "0\n", "BUF_TOKEN or fd 5 reached the browser");
}
