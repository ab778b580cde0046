//! `bsr registry whoami`: every token source and every way it can fail.

use crate::support::{OTHER_TOKEN, Registry, Reply, TOKEN, TestEnv, netrc_for};
use crate::{assert_snapshot, assert_transcript};

fn whoami<'a>(domain: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["registry", "whoami", domain];
    args.extend_from_slice(extra);
    args
}

#[test]
fn the_netrc_entry_is_used_and_named_in_json() {
    let env = TestEnv::new();
    let registry = Registry::with_users(&[(TOKEN, "alice")]);
    let domain = registry.domain();
    env.write_netrc(&netrc_for(&domain, "alice", TOKEN));
    let out = env.run(&whoami(&domain, &[]), "");
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (0, "Logged in as alice.\n", "")
    );
    let out = env.run(&whoami(&domain, &["--format", "json"]), "");
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["username"], "alice");
    assert_eq!(json["source"], env.netrc_path().display().to_string());

    let request = &registry.requests()[0];
    assert_eq!(
        request.target, "/buf.registry.owner.v1.UserService/GetCurrentUser",
        "the v1 call, as Buf 1.75 makes it"
    );
    assert_eq!(request.headers["authorization"], format!("Bearer {TOKEN}"));
    assert_eq!(request.headers["content-type"], "application/json");
    assert_eq!(request.headers["connect-protocol-version"], "1");
    assert_eq!(request.body, "{}");
    assert_eq!(
        registry.requests().len(),
        2,
        "one call per run, no fallback"
    );
}

/// Buf 1.75's fields in its order (checked against Buf 1.75.0 itself), then `source`.
#[test]
fn json_has_buf_175_fields_in_its_order() {
    let mut env = TestEnv::new();
    let registry = Registry::serve(|_| {
        Reply::json(
            200,
            r#"{"user":{"id":"0123abcd","createTime":"2024-01-02T03:04:05.120Z","updateTime":"2025-01-01T00:00:00Z","name":"alice","type":"USER_TYPE_STANDARD","state":"USER_STATE_ACTIVE","description":"d","url":"u","verificationStatus":"USER_VERIFICATION_STATUS_UNVERIFIED"}}"#,
        )
    });
    env.env("BUF_TOKEN", TOKEN);
    let out = env.run(&whoami(&registry.domain(), &["--format", "json"]), "");
    assert_snapshot!(out.stdout, @r#"{"id":"0123abcd","remote":"127.0.0.1:[PORT]","username":"alice","create_time":"2024-01-02T03:04:05.12Z","type":"USER_TYPE_STANDARD","state":"USER_STATE_ACTIVE","source":"BUF_TOKEN"}"#);

    // proto3 leaves defaults out; Buf prints them as the zero values.
    let registry = Registry::serve(|_| Reply::json(200, r#"{"user":{"name":"alice"}}"#));
    let out = env.run(&whoami(&registry.domain(), &["--format", "json"]), "");
    assert_snapshot!(out.stdout, @r#"{"id":"","remote":"127.0.0.1:[PORT]","username":"alice","create_time":"0001-01-01T00:00:00Z","type":"USER_TYPE_UNSPECIFIED","state":"USER_STATE_UNSPECIFIED","source":"BUF_TOKEN"}"#);
}

/// A registry without the v1 service (404, or `unimplemented`): whoami asks the alpha one,
/// where Buf 1.75 fails; the JSON then has only what the alpha user carries.
#[test]
fn without_the_v1_service_whoami_falls_back_to_the_alpha_call() {
    for v1_answer in [
        Reply::json(404, "404 page not found"),
        Reply::error(404, "unimplemented", "no such procedure"),
    ] {
        let mut env = TestEnv::new();
        let registry = Registry::serve(move |request| {
            if request.target.contains(".v1.UserService/") {
                v1_answer.clone()
            } else {
                Reply::json(
                    200,
                    r#"{"user":{"id":"a1","username":"alice","createTime":"2024-01-01T00:00:00Z"}}"#,
                )
            }
        });
        env.env("BUF_TOKEN", TOKEN);
        let out = env.run(&whoami(&registry.domain(), &["--format", "json"]), "");
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert_eq!(
            out.stdout.replace(&registry.domain(), "R"),
            "{\"id\":\"a1\",\"remote\":\"R\",\"username\":\"alice\",\"create_time\":\"2024-01-01T00:00:00Z\",\"source\":\"BUF_TOKEN\"}\n"
        );
        let targets: Vec<_> = registry.requests().into_iter().map(|r| r.target).collect();
        assert_eq!(
            targets,
            [
                "/buf.registry.owner.v1.UserService/GetCurrentUser",
                "/buf.alpha.registry.v1alpha1.AuthnService/GetCurrentUser"
            ]
        );
    }
    // Any other v1 failure is reported, not papered over by the alpha call.
    let mut env = TestEnv::new();
    let registry = Registry::start(Reply::error(500, "internal", "boom"));
    env.env("BUF_TOKEN", TOKEN);
    let out = env.run(&whoami(&registry.domain(), &[]), "");
    assert_transcript!(out, @"
    exit: 1
    --- stderr
    Failure: the registry at 127.0.0.1:[PORT] answered with error internal: boom
    ");
    assert_eq!(registry.requests().len(), 1);
}

#[test]
fn buf_token_overrides_the_netrc() {
    let mut env = TestEnv::new();
    let registry = Registry::with_users(&[(TOKEN, "alice"), (OTHER_TOKEN, "bob")]);
    let domain = registry.domain();
    env.write_netrc(&netrc_for(&domain, "alice", TOKEN));
    env.env("BUF_TOKEN", OTHER_TOKEN);
    let out = env.run(&whoami(&domain, &["--format", "json"]), "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        (json["username"].as_str(), json["source"].as_str()),
        (Some("bob"), Some("BUF_TOKEN"))
    );
}

#[test]
fn a_wrong_buf_token_says_it_overrides_a_good_netrc() {
    let mut env = TestEnv::new();
    let registry = Registry::with_users(&[(TOKEN, "alice")]);
    let domain = registry.domain();
    env.write_netrc(&netrc_for(&domain, "alice", TOKEN));
    env.env("BUF_TOKEN", OTHER_TOKEN);
    let out = env.run(&whoami(&domain, &[]), "");
    assert_transcript!(out, @"
    exit: 1
    --- stderr
    Failure: Not currently logged in for 127.0.0.1:[PORT]. The token in BUF_TOKEN was rejected, and BUF_TOKEN overrides the credentials for 127.0.0.1:[PORT] in ~/.netrc; unset BUF_TOKEN to use them.
    ");
    assert_eq!(out.stdout, "");
}

#[test]
fn a_wrong_buf_token_without_a_netrc_entry() {
    let mut env = TestEnv::new();
    let registry = Registry::with_users(&[(TOKEN, "alice")]);
    let domain = registry.domain();
    env.env("BUF_TOKEN", OTHER_TOKEN);
    let out = env.run(&whoami(&domain, &[]), "");
    assert_transcript!(out, @"
    exit: 1
    --- stderr
    Failure: Not currently logged in for 127.0.0.1:[PORT]. The token in BUF_TOKEN was rejected.
    ");
}

#[test]
fn a_rejected_netrc_token_suggests_logging_in_again() {
    let env = TestEnv::new();
    let registry = Registry::with_users(&[(TOKEN, "alice")]);
    let domain = registry.domain();
    env.write_netrc(&netrc_for(&domain, "alice", OTHER_TOKEN));
    let out = env.run(&whoami(&domain, &[]), "");
    assert_transcript!(out, @"
    exit: 1
    --- stderr
    Failure: Not currently logged in for 127.0.0.1:[PORT]. The token for 127.0.0.1:[PORT] in ~/.netrc was rejected; run `bsr registry login 127.0.0.1:[PORT]` to replace it.
    ");
}

#[test]
fn an_empty_buf_token_falls_back_to_the_netrc() {
    let mut env = TestEnv::new();
    let registry = Registry::with_users(&[(TOKEN, "alice")]);
    let domain = registry.domain();
    env.write_netrc(&netrc_for(&domain, "alice", TOKEN));
    env.env("BUF_TOKEN", "");
    let out = env.run(&whoami(&domain, &[]), "");
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "Logged in as alice.\n")
    );
}

#[test]
fn per_remote_buf_token_matches_the_exact_remote() {
    let registry = Registry::with_users(&[(TOKEN, "alice"), (OTHER_TOKEN, "bob")]);
    let domain = registry.domain();
    let mut env = TestEnv::new();
    env.write_netrc(&netrc_for(&domain, "alice", TOKEN));
    env.env(
        "BUF_TOKEN",
        &format!("{TOKEN}@buf.build,{OTHER_TOKEN}@{domain}"),
    );
    let out = env.run(&whoami(&domain, &[]), "");
    assert_eq!(out.stdout, "Logged in as bob.\n");

    // No entry for this remote: the netrc is used.
    let mut env = TestEnv::new();
    env.write_netrc(&netrc_for(&domain, "alice", TOKEN));
    env.env("BUF_TOKEN", &format!("{OTHER_TOKEN}@buf.build"));
    let out = env.run(&whoami(&domain, &[]), "");
    assert_eq!(out.stdout, "Logged in as alice.\n");
}

#[test]
fn a_malformed_buf_token_is_an_error_without_token_text() {
    let registry = Registry::with_users(&[(TOKEN, "alice")]);
    let domain = registry.domain();
    let mut transcripts = String::new();
    for value in [
        format!("{TOKEN}@{domain},{OTHER_TOKEN}"),
        format!("{TOKEN}@"),
        format!("{TOKEN}@{domain},{OTHER_TOKEN}@{domain}"),
    ] {
        let mut env = TestEnv::new();
        env.env("BUF_TOKEN", &value);
        // `run` fails the test if any token text reaches the output.
        transcripts += &env.run(&whoami(&domain, &[]), "").transcript();
    }
    assert_snapshot!(transcripts, @"
    exit: 1
    --- stderr
    Failure: BUF_TOKEN is malformed: entry 2 of 2 has no @remote; it must be a single token or token1@remote1,token2@remote2
    exit: 1
    --- stderr
    Failure: BUF_TOKEN is malformed: entry 1 of 1 has no remote after @; it must be a single token or token1@remote1,token2@remote2
    exit: 1
    --- stderr
    Failure: BUF_TOKEN is malformed: the remote 127.0.0.1:[PORT] appears more than once; it must be a single token or token1@remote1,token2@remote2
    ");
    assert!(registry.requests().is_empty());
}

#[test]
fn a_default_entry_is_never_sent() {
    let env = TestEnv::new();
    let registry = Registry::with_users(&[(TOKEN, "alice")]);
    let domain = registry.domain();
    env.write_netrc(&format!(
        "machine github.com login octocat password ghp_example\ndefault login anonymous password {OTHER_TOKEN}\n"
    ));
    let out = env.run(&whoami(&domain, &[]), "");
    assert_transcript!(out, @"
    exit: 1
    --- stderr
    Failure: Not currently logged in for 127.0.0.1:[PORT]. The default entry in ~/.netrc is not sent to the registry; run `bsr registry login 127.0.0.1:[PORT]`.
    ");
    assert!(
        registry.requests().is_empty(),
        "no request may carry the default password"
    );
}

#[test]
fn no_credentials_at_all() {
    let env = TestEnv::new();
    let registry = Registry::with_users(&[(TOKEN, "alice")]);
    let out = env.run(&whoami(&registry.domain(), &[]), "");
    assert_transcript!(out, @"
    exit: 1
    --- stderr
    Failure: Not currently logged in for 127.0.0.1:[PORT]. Run `bsr registry login 127.0.0.1:[PORT]` to log in.
    ");
    assert!(registry.requests().is_empty());
}

#[test]
fn registry_failures_are_reported_as_such() {
    let env = TestEnv::new();
    let registry = Registry::start(Reply::error(500, "internal", "down for maintenance"));
    let domain = registry.domain();
    env.write_netrc(&netrc_for(&domain, "alice", TOKEN));
    let out = env.run(&whoami(&domain, &[]), "");
    assert_transcript!(out, @"
    exit: 1
    --- stderr
    Failure: the registry at 127.0.0.1:[PORT] answered with error internal: down for maintenance
    ");
    let hostile = Registry::start(Reply::user("\\u001b]0;pwned\\u0007alice"));
    let hostile_domain = hostile.domain();
    env.write_netrc(&netrc_for(&hostile_domain, "alice", TOKEN));
    let out = env.run(&whoami(&hostile_domain, &[]), "");
    assert_eq!(out.code, 1);
    assert!(!out.stdout.contains('\u{1b}') && !out.stderr.contains('\u{1b}'));
    assert!(
        out.stderr.contains("contains a control character"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_no_user_answer_is_not_a_rejection() {
    let env = TestEnv::new();
    let registry = Registry::start(Reply::json(200, "{}"));
    let domain = registry.domain();
    env.write_netrc(&netrc_for(&domain, "alice", TOKEN));
    let out = env.run(&whoami(&domain, &[]), "");
    assert_transcript!(out, @"
    exit: 1
    --- stderr
    Failure: no user found for provided token
    ");
}

#[test]
fn the_default_domain_and_invalid_domains() {
    let registry = Registry::with_users(&[(TOKEN, "alice")]);
    let mut env = TestEnv::new();
    env.env("HTTP_PROXY", &format!("http://127.0.0.1:{}", registry.port));
    env.write_netrc(&netrc_for("buf.build", "alice", TOKEN));
    let out = env.run(&["registry", "whoami"], "");
    assert_eq!(out.stdout, "Logged in as alice.\n", "{}", out.stderr);
    assert_eq!(
        registry.requests()[0].tunnel.as_deref(),
        Some("buf.build:80")
    );
    let out = env.run(&["registry", "whoami", "a..b"], "");
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("invalid domain name \"a..b\""));
    let out = env.run(&["registry", "whoami", "--format", "yaml"], "");
    assert_eq!(out.code, 1);
}

#[test]
fn an_unparsable_netrc_cannot_be_read_and_nothing_is_sent() {
    let env = TestEnv::new();
    let registry = Registry::with_users(&[(TOKEN, "alice")]);
    env.write_netrc("machine github.com login octocat password \"unclosed\n");
    let out = env.run(&whoami(&registry.domain(), &[]), "");
    assert_transcript!(out, @r#"
    exit: 1
    --- stderr
    Failure: cannot read ~/.netrc: line 1, column 43: a quoted value is never closed (missing '"'); fix that line and try again
    "#);
    assert!(registry.requests().is_empty());
}

/// A netrc password that no HTTP header can carry is the file's problem, said with its file
/// and line, and nothing is sent; before, it read "could not reach the registry".
#[test]
fn a_netrc_password_with_a_control_character_is_a_local_problem_at_its_line() {
    let env = TestEnv::new();
    let registry = Registry::with_users(&[(TOKEN, "alice")]);
    let domain = registry.domain();
    env.write_netrc(&format!(
        "machine github.com login o password p\n\nmachine {domain}\n  login alice\n  password \"bad\u{1}token\"\n"
    ));
    let out = env.run(&whoami(&domain, &[]), "");
    assert_eq!(out.code, 1);
    assert_eq!(
        env.filter(&out.stderr),
        format!(
            "Failure: the password for {domain} in ~/.netrc (the entry at line 3) contains a control character or whitespace, so it cannot be sent to the registry; fix that entry, or run `bsr registry login {domain}` to replace it\n"
        )
    );
    assert!(registry.requests().is_empty());
}
