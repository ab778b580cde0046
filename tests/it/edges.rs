//! The edges of the program: bad values in the environment, tokens that cannot be sent, a
//! deadline that runs out mid-answer, and output that cannot be written.

use std::process::{Command, Stdio};
use std::time::Duration;

use crate::assert_snapshot;
use crate::support::{Registry, Reply, TOKEN, TestEnv, netrc_for};

#[test]
fn a_buf_token_with_a_control_character_is_named_not_sent() {
    let registry = Registry::with_users(&[(TOKEN, "alice")]);
    let domain = registry.domain();
    let mut transcripts = String::new();
    for value in [format!("{TOKEN}\u{7}x"), format!("{TOKEN}\u{1b}@{domain}")] {
        let mut env = TestEnv::new();
        env.env("BUF_TOKEN", &value);
        transcripts += &env.run(&["registry", "whoami", &domain], "").transcript();
    }
    assert_snapshot!(transcripts, @"
    exit: 1
    --- stderr
    Failure: BUF_TOKEN is malformed: it contains whitespace or a control character; it must be a single token or token1@remote1,token2@remote2
    exit: 1
    --- stderr
    Failure: BUF_TOKEN is malformed: entry 1 of 1 contains whitespace or a control character; it must be a single token or token1@remote1,token2@remote2
    ");
    assert!(registry.requests().is_empty());
}

#[test]
fn a_token_too_long_to_send_is_refused_before_the_network() {
    let registry = Registry::start(Reply::user("alice"));
    let env = TestEnv::new();
    let long = "t".repeat(9 * 1024);
    let out = env.login(&registry.domain(), &[], &long);
    assert_snapshot!(out.transcript(), @"
    exit: 1
    --- stderr
    Failure: the token is 9216 bytes long; bsr sends tokens of at most 4096 bytes (BSR tokens are far shorter: check what was given)
    ");
    assert!(registry.requests().is_empty());
    assert!(!env.netrc_path().exists());
}

#[test]
fn a_deadline_that_runs_out_is_always_a_timeout() {
    let registry = Registry::start(Reply::user("alice").delayed(Duration::from_millis(50)));
    let env = TestEnv::new();
    for timeout in ["1ms", "5ms", "20ms", "40ms"] {
        let out = env.run(
            &[
                "--timeout",
                timeout,
                "registry",
                "login",
                &registry.domain(),
                "--token-stdin",
            ],
            TOKEN,
        );
        assert_eq!(out.code, 1, "{timeout}");
        assert!(
            out.stderr
                .ends_with("the request timed out (see --timeout)\n"),
            "{timeout}: {}",
            out.stderr
        );
    }
}

/// Runs `bsr` through `sh` so that its standard output can be closed or sent to a full device.
fn with_stdout(env: &TestEnv, args: &str, redirect: &str) -> (i32, String) {
    let bsr = env!("CARGO_BIN_EXE_bsr");
    let mut cmd = env.command(&[]);
    let envs: Vec<(String, String)> = cmd
        .get_envs()
        .filter_map(|(k, v)| Some((k.to_str()?.to_owned(), v?.to_str()?.to_owned())))
        .collect();
    cmd = Command::new("/bin/sh");
    cmd.env_clear()
        .envs(envs)
        .args([
            "-c",
            &format!("printf %s {TOKEN} | \"$BSR\" {args} {redirect}"),
        ])
        .env("BSR", bsr)
        .stdin(Stdio::null());
    let out = cmd.output().unwrap();
    let stderr = env.filter(&String::from_utf8_lossy(&out.stderr));
    crate::support::assert_no_token(&stderr);
    (out.status.code().unwrap_or(-1), stderr)
}

#[test]
fn output_that_cannot_be_written_is_a_failure_that_says_what_was_done() {
    let registry = Registry::with_users(&[(TOKEN, "alice")]);
    let domain = registry.domain();
    let env = TestEnv::new();
    let mut transcripts = String::new();
    // Saved, then the message cannot be written: it says the credentials were saved.
    let (code, stderr) = with_stdout(
        &env,
        &format!("registry login {domain} --token-stdin"),
        ">/dev/full",
    );
    transcripts += &format!("$ login >/dev/full\nexit: {code}\n{stderr}");
    assert_eq!(env.netrc(), netrc_for(&domain, "alice", TOKEN));
    // A closed stdout is no success.
    let (code, stderr) = with_stdout(&env, &format!("registry whoami {domain}"), ">&-");
    transcripts += &format!("$ whoami >&-\nexit: {code}\n{stderr}");
    // A reader that went away is: the work is done and nobody listens (ripgrep's choice).
    let (code, stderr) = with_stdout(&env, &format!("registry whoami {domain}"), "| true");
    transcripts += &format!("$ whoami | true\nexit: {code}\n{stderr}");
    assert_snapshot!(transcripts, @"
    $ login >/dev/full
    exit: 1
    Failure: the credentials were saved to ~/.netrc, but the message saying so could not be written: No space left on device (os error 28)
    $ whoami >&-
    exit: 1
    Failure: cannot write output: standard output is closed
    $ whoami | true
    exit: 0
    ");
}
