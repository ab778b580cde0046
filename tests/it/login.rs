//! `bsr registry login` as a process against a loopback Connect registry.

use std::fs;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use crate::assert_snapshot;
use crate::support::{Registry, Reply, TOKEN, TestEnv, expected_netrc, feed, spawn_piped};
#[cfg(unix)]
use crate::support::{as_nobody, mode, run_piped, set_mode};

const PATH: &str = "/buf.alpha.registry.v1alpha1.AuthnService/GetCurrentUser";

#[test]
fn token_stdin_logs_in_and_saves_both_machines() {
    let env = TestEnv::new();
    let registry = Registry::start(Reply::user("alice"));
    let domain = registry.domain();
    let out = env.login(&domain, &[], &format!("{TOKEN}\n"));
    assert_eq!(
        (
            out.code,
            env.filter(&out.stdout).as_str(),
            out.stderr.as_str()
        ),
        (
            0,
            "Logged in as alice. Credentials saved to ~/.netrc.\n",
            ""
        )
    );
    assert_eq!(env.netrc(), expected_netrc(&domain, "alice"));
    #[cfg(unix)]
    assert_eq!(mode(&env.netrc_path()), 0o600);

    let requests = registry.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(
        (request.method.as_str(), request.target.as_str()),
        ("POST", PATH)
    );
    assert_eq!(request.headers["content-type"], "application/json");
    assert_eq!(request.headers["connect-protocol-version"], "1");
    assert_eq!(request.headers["authorization"], format!("Bearer {TOKEN}"));
    assert_eq!(
        request.headers["user-agent"],
        format!("bsr/{}", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(request.body, "{}");
}

#[test]
fn a_matching_username_is_accepted() {
    let env = TestEnv::new();
    let registry = Registry::start(Reply::user("alice"));
    let domain = registry.domain();
    let out = env.login(&domain, &["--username", "alice"], TOKEN);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(env.netrc(), expected_netrc(&domain, "alice"));
}

#[test]
fn a_different_username_is_refused_and_nothing_is_written() {
    let env = TestEnv::new();
    let registry = Registry::start(Reply::user("alice"));
    let domain = registry.domain();
    let out = env.login(&domain, &["--username", "bob"], TOKEN);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr,
        "Failure: the username associated with the provided token does not match the provided username\n"
    );
    assert!(!env.netrc_path().exists());
}

/// Each refusal and failure class, with what it says. Nothing is written for any.
#[test]
fn every_failure_has_its_own_honest_message() {
    let replies = [
        Reply::error(401, "unauthenticated", "bad token"),
        Reply::error(403, "permission_denied", "nope"),
        Reply::json(401, "<html>Unauthorized</html>"),
        Reply::error(500, "internal", "database on fire"),
        Reply::json(500, "oops"),
        Reply::error(503, "unavailable", "maintenance"),
        Reply::json(502, "bad gateway"),
        Reply::json(200, "{}"),
        Reply::json(200, r#"{"user":{"id":"x"}}"#),
        Reply::json(200, "not json"),
        Reply::json(307, "").header("Location", "http://elsewhere.example/steal"),
        Reply::user("alice\\nmachine evil.example"),
        Reply::user("al\\\"ice"),
    ];
    let mut transcripts = String::new();
    for reply in replies {
        let env = TestEnv::new();
        env.write_netrc("machine github.com login octocat password ghp_example\n");
        let registry = Registry::start(reply);
        let out = env.login(&registry.domain(), &[], TOKEN);
        transcripts += &out.transcript();
        assert_eq!(
            env.netrc(),
            "machine github.com login octocat password ghp_example\n"
        );
        assert_eq!(registry.requests().len(), 1, "redirects are not followed");
    }
    assert_snapshot!(transcripts, @r#"
    exit: 1
    --- stderr
    Failure: invalid token provided for 127.0.0.1:[PORT]
    exit: 1
    --- stderr
    Failure: invalid token provided for 127.0.0.1:[PORT]
    exit: 1
    --- stderr
    Failure: invalid token provided for 127.0.0.1:[PORT]
    exit: 1
    --- stderr
    Failure: the registry at 127.0.0.1:[PORT] answered with error internal: database on fire
    exit: 1
    --- stderr
    Failure: the registry at 127.0.0.1:[PORT] answered with error unknown: HTTP 500
    exit: 1
    --- stderr
    Failure: could not reach the registry at 127.0.0.1:[PORT]: it is unavailable (maintenance)
    exit: 1
    --- stderr
    Failure: could not reach the registry at 127.0.0.1:[PORT]: it is unavailable (HTTP 502)
    exit: 1
    --- stderr
    Failure: no user found for provided token
    exit: 1
    --- stderr
    Failure: no user found for provided token
    exit: 1
    --- stderr
    Failure: the registry at 127.0.0.1:[PORT] sent a response bsr cannot understand: the response is not the expected JSON (expected ident at line 1 column 2)
    exit: 1
    --- stderr
    Failure: the registry at 127.0.0.1:[PORT] sent a response bsr cannot understand: it redirected (HTTP 307) to http://elsewhere.example/steal; bsr does not follow redirects with a token
    exit: 1
    --- stderr
    Failure: the registry at 127.0.0.1:[PORT] returned a username that contains whitespace, which bsr will not store or print
    exit: 1
    --- stderr
    Failure: the registry at 127.0.0.1:[PORT] returned a username that contains a double quote ("), which bsr will not store or print
    "#);
}

#[test]
fn connection_refused_is_unreachable_not_an_invalid_token() {
    let env = TestEnv::new();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let domain = format!("127.0.0.1:{port}");
    let out = env.login(&domain, &[], TOKEN);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr,
        format!("Failure: could not reach the registry at {domain}: the connection was refused\n")
    );
    assert!(!env.netrc_path().exists());
}

#[test]
fn a_slow_registry_times_out_per_timeout_flag_and_env() {
    let registry = Registry::start(Reply::user("alice").delayed(Duration::from_secs(5)));
    let domain = registry.domain();
    let expected = |limit: &str| {
        format!(
            "Failure: context deadline exceeded: timed out after {limit} waiting for the registry at {domain} (the limit --timeout or BUF_TIMEOUT sets for the whole command)\n"
        )
    };
    let env = TestEnv::new();
    let started = Instant::now();
    let out = env.run(
        &[
            "--timeout",
            "500ms",
            "registry",
            "login",
            &domain,
            "--token-stdin",
        ],
        TOKEN,
    );
    assert!(started.elapsed() < Duration::from_secs(4));
    assert_eq!((out.code, out.stderr), (1, expected("500ms")));

    let mut env = TestEnv::new();
    env.env("BUF_TIMEOUT", "1s");
    let started = Instant::now();
    let out = env.login(&domain, &[], TOKEN);
    assert!(started.elapsed() < Duration::from_secs(4));
    assert_eq!((out.code, out.stderr), (1, expected("1s")));
    assert!(!env.netrc_path().exists());
}

#[test]
fn invalid_domains_fail_before_any_file_or_network() {
    let env = TestEnv::new();
    for (domain, reason) in [
        ("a", None),
        (
            "bad domain!",
            Some(
                "included invalid character ' ', must only contain letters, digits, periods (.), hyphens (-), or underscores (_)",
            ),
        ),
        ("a..b", Some("cannot contain two periods (.) in a row")),
        ("123", Some("must have at least one non-numeric character")),
        (
            "a.com:99999",
            Some(
                "included invalid character ':', must only contain letters, digits, periods (.), hyphens (-), or underscores (_)",
            ),
        ),
    ] {
        let out = env.login(domain, &[], TOKEN);
        let expected = match reason {
            None => "Failure: must be at least 2 and at most 254 characters\n".to_owned(),
            Some(reason) => format!(
                "Failure: must either be a valid IP address or domain name: invalid domain name {domain:?}, {reason}\n"
            ),
        };
        assert_eq!(
            (out.code, out.stderr.as_str()),
            (1, expected.as_str()),
            "{domain}"
        );
    }
    assert!(!env.netrc_path().exists());
}

#[test]
fn usage_errors_exit_1() {
    let env = TestEnv::new();
    let mut transcripts = String::new();
    for args in [
        &["registry", "login", "--token-stdin", "--prompt"][..],
        &["registry", "login", "a.example", "b.example"],
        &["registry", "login", "--bogus"],
        &["registry", "login", "--username", "alice"],
        &["registry", "login", "--prompt"],
        &["completion"],
        &["registry", "logout", "--log-format", "xml"],
    ] {
        transcripts += &format!(
            "$ bsr {}\n{}",
            args.join(" "),
            env.run(args, "").transcript()
        );
    }
    assert_snapshot!(transcripts, @"
    $ bsr registry login --token-stdin --prompt
    exit: 1
    --- stderr
    Failure: cannot use both --token-stdin and --prompt flags
    $ bsr registry login a.example b.example
    exit: 1
    --- stderr
    Usage: bsr registry login [OPTIONS] [DOMAIN]

    For more information, try '--help'.
    Failure: unexpected argument 'b.example' found
    $ bsr registry login --bogus
    exit: 1
    --- stderr
    Usage: bsr registry login [OPTIONS] [DOMAIN]

    For more information, try '--help'.
    Failure: unexpected argument '--bogus' found; to pass '--bogus' as a value, use '-- --bogus'
    $ bsr registry login --username alice
    exit: 1
    --- stderr
    Failure: cannot perform an interactive login from a non-TTY device; pipe the token into --token-stdin, or set BUF_TOKEN
    $ bsr registry login --prompt
    exit: 1
    --- stderr
    Failure: cannot perform an interactive login from a non-TTY device; pipe the token into --token-stdin, or set BUF_TOKEN
    $ bsr completion
    exit: 1
    --- stderr
    Usage: bsr completion <SHELL>

    For more information, try '--help'.
    Failure: the following required arguments were not provided: <SHELL>
    $ bsr registry logout --log-format xml
    exit: 1
    --- stderr
    Failure: invalid value 'xml' for '--log-format <LOG_FORMAT>' [possible values: text, color, json]
    ");
}

#[test]
fn bad_tokens_are_refused_without_being_shown_or_sent() {
    let env = TestEnv::new();
    let registry = Registry::start(Reply::user("alice"));
    let domain = registry.domain();
    let big = "x".repeat(64 * 1024 + 1);
    let cases = [
        "",
        "  \n\t\n",
        "bsr-test-token-0123456789abcdef extra",
        "bsr-test-token-0123456789abcdef#x",
        big.as_str(),
    ];
    let mut transcripts = String::new();
    for stdin in cases {
        transcripts += &env.login(&domain, &[], stdin).transcript();
    }
    assert_snapshot!(transcripts, @"
    exit: 1
    --- stderr
    Failure: token cannot be empty string
    exit: 1
    --- stderr
    Failure: token cannot be empty string
    exit: 1
    --- stderr
    Failure: the token contains whitespace, so it cannot be stored in a netrc file
    exit: 1
    --- stderr
    Failure: the token contains '#', which netrc readers take as the start of a comment, so it cannot be stored in a netrc file
    exit: 1
    --- stderr
    Failure: standard input holds more than 64 KiB; --token-stdin expects only the token
    ");
    assert!(registry.requests().is_empty());
}

#[test]
fn surrounding_whitespace_is_trimmed() {
    let env = TestEnv::new();
    let registry = Registry::start(Reply::user("alice"));
    let domain = registry.domain();
    let out = env.login(&domain, &[], &format!("  {TOKEN}\r\n\n"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(env.netrc(), expected_netrc(&domain, "alice"));
}

#[cfg(unix)]
#[test]
fn an_unwritable_netrc_fails_before_the_token_is_sent() {
    let env = TestEnv::new();
    env.write_netrc("machine github.com login octocat password ghp_example\n");
    set_mode(&env.netrc_path(), 0o400);
    let registry = Registry::start(Reply::user("alice"));
    let domain = registry.domain();
    let out = env.login(&domain, &[], TOKEN);
    assert_eq!(out.code, 1);
    assert_eq!(
        env.filter(&out.stderr),
        "Failure: ~/.netrc is read-only; make it writable (chmod u+w) and try again\n"
    );
    assert!(registry.requests().is_empty());

    let env = TestEnv::new();
    fs::create_dir(env.netrc_path()).unwrap();
    let out = env.login(&domain, &[], TOKEN);
    assert_eq!(
        env.filter(&out.stderr),
        "Failure: ~/.netrc is a directory, not a netrc file\n"
    );
    assert!(registry.requests().is_empty());
}

#[test]
fn an_unparsable_netrc_fails_before_the_token_is_sent() {
    let env = TestEnv::new();
    let text = "machine github.com login octocat password \"unclosed\n";
    env.write_netrc(text);
    let registry = Registry::start(Reply::user("alice"));
    let out = env.login(&registry.domain(), &[], TOKEN);
    assert_eq!(out.code, 1);
    assert_eq!(
        env.filter(&out.stderr),
        "Failure: cannot edit ~/.netrc: line 1, column 43: a quoted value is never closed (missing '\"'); the file was left untouched\n"
    );
    assert!(registry.requests().is_empty());
    assert_eq!(env.netrc(), text);
}

#[test]
fn an_existing_netrc_keeps_every_other_byte() {
    let env = TestEnv::new();
    let registry = Registry::start(Reply::user("alice"));
    let domain = registry.domain();
    let before = format!(
        "# personal\r\nmachine github.com login octocat password ghp_example\r\n\r\nmachine {domain}\r\n  login old # keep\r\n  password stale\r\nmacdef init\r\nls\r\n\r\ndefault login anonymous password guest\r\n"
    );
    env.write_netrc(&before);
    let out = env.login(&domain, &[], TOKEN);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // The new go. entry goes before the macro: Go ends a macro only at an exactly empty line,
    // so in a CRLF file it would never read what follows one. Our entries' lines end in LF:
    // npm's netrc-parser reads the CR of a CRLF line into its last value.
    let after = format!(
        "# personal\r\nmachine github.com login octocat password ghp_example\r\n\r\nmachine {domain}\n  login alice # keep\n  password {TOKEN}\nmachine go.{domain}\n  login alice\n  password {TOKEN}\nmacdef init\r\nls\r\n\r\ndefault login anonymous password guest\r\n"
    );
    assert_eq!(env.netrc(), after);
}

#[cfg(unix)]
#[test]
fn loose_permissions_are_narrowed_with_a_notice() {
    let env = TestEnv::new();
    env.write_netrc("machine github.com login octocat password ghp_example\n");
    set_mode(&env.netrc_path(), 0o644);
    let registry = Registry::start(Reply::user("alice"));
    let out = env.login(&registry.domain(), &[], TOKEN);
    assert_eq!(out.code, 0);
    assert_eq!(
        env.filter(&out.stderr),
        "Notice: ~/.netrc was accessible to group or others (mode 0644); its mode is now 0600.\n"
    );
    assert_eq!(mode(&env.netrc_path()), 0o600);
}

#[test]
fn netrc_variable_chooses_the_file() {
    let mut env = TestEnv::new();
    let custom = env.home().join("custom-netrc");
    env.env("NETRC", custom.to_str().unwrap());
    let registry = Registry::start(Reply::user("alice"));
    let out = env.login(&registry.domain(), &[], TOKEN);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        env.filter(&out.stdout)
            .ends_with("Credentials saved to ~/custom-netrc.\n")
    );
    assert!(custom.exists());
    assert!(!env.netrc_path().exists());
}

#[test]
fn the_default_domain_is_buf_build_reached_through_http_proxy() {
    let registry = Registry::start(Reply::user("alice"));
    let mut env = TestEnv::new();
    env.env("HTTP_PROXY", &format!("http://127.0.0.1:{}", registry.port));
    let out = env.run(&["registry", "login", "--token-stdin"], TOKEN);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let request = &registry.requests()[0];
    assert_eq!(request.tunnel.as_deref(), Some("buf.build:80"));
    assert_eq!(request.target, PATH);
    assert_eq!(request.headers["host"], "buf.build");
    assert_eq!(env.netrc(), expected_netrc("buf.build", "alice"));
}

#[test]
fn debug_shows_the_request_with_authorization_redacted() {
    let env = TestEnv::new();
    let registry = Registry::start(Reply::user("alice"));
    let domain = registry.domain();
    let out = env.run(
        &[
            "registry",
            "login",
            &domain,
            "--token-stdin",
            "--debug",
            "--log-format",
            "text",
        ],
        TOKEN,
    );
    assert_eq!(out.code, 0);
    let line = out
        .stderr
        .lines()
        .find(|l| l.starts_with("DEBUG\trequest"))
        .expect(&out.stderr);
    for part in [
        "method=POST".to_owned(),
        format!("url=http://{domain}{PATH}"),
        "authorization=Bearer [REDACTED]".to_owned(),
        "status=200".to_owned(),
        "duration=".to_owned(),
    ] {
        assert!(line.contains(&part), "{part} missing from {line}");
    }

    let mut env = TestEnv::new();
    env.env("BUF_DEBUG", "true").env("BUF_LOG_FORMAT", "json");
    let out = env.login(&domain, &[], TOKEN);
    let entry: serde_json::Value =
        serde_json::from_str(out.stderr.lines().next().unwrap()).unwrap();
    assert_eq!(entry["level"], "debug");
    assert_eq!(entry["authorization"], "Bearer [REDACTED]");
    assert_eq!(entry["status"], "200");

    // Without --debug, nothing.
    let env = TestEnv::new();
    let out = env.login(&domain, &[], TOKEN);
    assert_eq!(out.stderr, "");
}

#[test]
fn the_token_is_in_no_argument_list_or_environment() {
    let env = TestEnv::new();
    let registry = Registry::start(Reply::user("alice").delayed(Duration::from_millis(1500)));
    let mut child =
        spawn_piped(&mut env.command(&["registry", "login", &registry.domain(), "--token-stdin"]));
    feed(&mut child, TOKEN);
    // While bsr waits for the registry, look at what every process can see of it.
    let deadline = Instant::now() + Duration::from_secs(5);
    while registry.requests().is_empty() {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(10));
    }
    for what in ["cmdline", "environ"] {
        // bsr is not dumpable, so a process of the same (non-root) user may not even read its
        // environ: that shows nothing either.
        let bytes = match fs::read(format!("/proc/{}/{what}", child.id())) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => continue,
            Err(e) => panic!("/proc/pid/{what}: {e}"),
        };
        assert!(
            !String::from_utf8_lossy(&bytes).contains(TOKEN),
            "token in /proc/pid/{what}"
        );
    }
    assert!(child.wait().unwrap().success());
}

#[cfg(unix)]
#[test]
fn a_read_only_home_with_a_writable_netrc_is_rewritten_in_place_with_a_notice() {
    // As an unprivileged user: root could create the temporary file anywhere.
    let env = TestEnv::new();
    let registry = Registry::start(Reply::user("alice"));
    let domain = registry.domain();
    let Some(mut cmd) = as_nobody(&env.command(&["registry", "login", &domain, "--token-stdin"]))
    else {
        return;
    };
    set_mode(env.home(), 0o755);
    env.write_netrc("machine github.com login octocat password ghp_example\n");
    std::os::unix::fs::chown(env.netrc_path(), Some(65534), Some(65534)).unwrap();
    let out = run_piped(&mut cmd, TOKEN);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(
        env.filter(&stderr),
        "Notice: ~/.netrc was rewritten in place because its directory is not writable; this write was not crash-safe.\n"
    );
    assert_eq!(
        env.netrc(),
        format!(
            "machine github.com login octocat password ghp_example\n{}",
            expected_netrc(&domain, "alice")
        )
    );
}

#[test]
fn login_says_when_buf_token_overrides_the_saved_token() {
    let registry = Registry::start(Reply::user("alice"));
    let domain = registry.domain();
    let mut env = TestEnv::new();
    env.env(
        "BUF_TOKEN",
        &format!("{}@{domain}", crate::support::OTHER_TOKEN),
    );
    let out = env.login(&domain, &[], TOKEN);
    assert_snapshot!(out.transcript(), @"
    exit: 0
    --- stdout
    Logged in as alice. Credentials saved to ~/.netrc.
    --- stderr
    Notice: BUF_TOKEN holds a token for 127.0.0.1:[PORT]; while it is set, Buf and bsr send that token, not the one just saved.
    ");
    // A BUF_TOKEN for another remote says nothing.
    let mut env = TestEnv::new();
    env.env(
        "BUF_TOKEN",
        &format!("{}@buf.build", crate::support::OTHER_TOKEN),
    );
    assert_eq!(env.login(&domain, &[], TOKEN).stderr, "");
}
