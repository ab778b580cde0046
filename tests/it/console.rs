//! Whole commands run in-process on a scripted console: the prompts answered by a script, a
//! Ctrl-C sent from another thread, stdout and stderr captured.

use std::time::{Duration, Instant};

use bsr::console::{Answer, Script};

use crate::support::{Registry, Reply, TOKEN, TestEnv, expected_netrc};

fn typed(answers: &[&str]) -> Script {
    Script {
        answers: answers
            .iter()
            .map(|a| Answer::Line((*a).to_owned()))
            .collect(),
        ..Script::default()
    }
}

#[test]
fn a_prompted_login_runs_in_process() {
    let env = TestEnv::new();
    let registry = Registry::with_users(&[(TOKEN, "alice")]);
    let domain = registry.domain();
    let (code, captured) =
        env.run_in_process(&["registry", "login", &domain], typed(&["alice", TOKEN]));
    assert_eq!(code, 0, "{}", captured.err());
    assert_eq!(
        env.filter(&captured.out()),
        format!(
            "Log in with your Buf Schema Registry username. If you don't have a username, create one at https://{domain}.\n\nUsername: alice\nToken: \nLogged in as alice. Credentials saved to ~/.netrc.\n"
        )
    );
    assert_eq!(captured.err(), "");
    assert_eq!(env.netrc(), expected_netrc(&domain, "alice"));
}

#[test]
fn ctrl_c_at_the_token_prompt_sends_and_writes_nothing() {
    let env = TestEnv::new();
    let registry = Registry::with_users(&[(TOKEN, "alice")]);
    let script = Script {
        answers: vec![Answer::Line("alice".to_owned()), Answer::Interrupt],
        ..Script::default()
    };
    let (code, captured) = env.run_in_process(&["registry", "login", &registry.domain()], script);
    assert_eq!(code, 130);
    assert!(captured.out().ends_with("Token: \n"), "{}", captured.out());
    assert_eq!(captured.err(), "", "no Failure line after Ctrl-C");
    assert!(!env.netrc_path().exists());
    assert!(
        registry
            .requests()
            .iter()
            .all(|r| !r.headers.contains_key("authorization"))
    );
}

/// Ctrl-C while the registry takes its time to check the token: the command ends at once,
/// without waiting for the answer, and writes nothing.
#[test]
fn ctrl_c_mid_request_ends_the_login_at_once() {
    let env = TestEnv::new();
    let registry = Registry::start(Reply::user("alice").delayed(Duration::from_secs(20)));
    let script = Script {
        stdin: TOKEN.as_bytes().to_vec(),
        ..Script::default()
    };
    let (console_env, domain) = (&env, registry.domain());
    let requests = || {
        registry
            .requests()
            .iter()
            .filter(|r| r.headers.contains_key("authorization"))
            .count()
    };
    let (code, elapsed) = std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::channel();
        let run = scope.spawn(move || {
            let args = ["registry", "login", domain.as_str(), "--token-stdin"];
            let (code, captured) = console_env.run_in_process_with(&args, script, |captured| {
                tx.send(captured.clone()).unwrap();
            });
            (code, captured, Instant::now())
        });
        let captured = rx.recv().unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while requests() == 0 {
            assert!(Instant::now() < deadline, "the token was never sent");
            std::thread::sleep(Duration::from_millis(10));
        }
        let sent = Instant::now();
        captured.interrupt();
        let (code, captured, ended) = run.join().unwrap();
        assert_eq!(captured.err(), "");
        (code, ended - sent)
    });
    assert_eq!(code, 130);
    assert!(elapsed < Duration::from_millis(100), "{elapsed:?}");
    assert!(!env.netrc_path().exists());
}

/// Before: a notice after the save that could not be written (stderr on a full disk) was
/// reported as `cannot write output`, as if nothing had been saved.
#[test]
fn a_notice_that_cannot_be_written_after_the_save_says_the_credentials_were_saved() {
    let env = TestEnv::new();
    let registry = Registry::with_users(&[(TOKEN, "alice")]);
    let domain = registry.domain();
    // BUF_TOKEN for the domain: login warns on stderr, after the save, that it wins.
    let vars = [("HOME", env.home().to_str().unwrap()), ("BUF_TOKEN", TOKEN)];
    let environment = bsr::environment::Environment::from_vars(vars, None);
    let args =
        bsr::cli::parse_from(["bsr", "registry", "login", &domain, "--token-stdin"]).unwrap();
    let (mut console, captured) = bsr::console::Console::scripted(Script {
        stdin: TOKEN.as_bytes().to_vec(),
        stderr_full: true,
        ..Script::default()
    });
    let error = bsr::app::run(args, &environment, &mut console).unwrap_err();
    assert_eq!(error.exit_code(), 1);
    let message = env.filter(&error.failure_message().unwrap());
    assert!(
        message.starts_with(
            "the credentials were saved to ~/.netrc, but the message saying so could not be written: "
        ),
        "{message}"
    );
    assert!(captured.out().contains("Logged in as alice."));
    assert_eq!(env.netrc(), expected_netrc(&domain, "alice"));
}

/// Ctrl-C while another bsr holds the netrc's lock, after the registry has answered: the
/// moment just before the write. The wait ends at once and nothing is written.
#[cfg(unix)]
#[test]
fn ctrl_c_while_waiting_for_the_lock_writes_nothing() {
    use std::os::fd::AsRawFd;

    let env = TestEnv::new();
    env.write_netrc("machine github.com login octocat password ghp_example\n");
    // Slow enough for the test to take the lock between the question and the answer.
    let registry = Registry::start(Reply::user("alice").delayed(Duration::from_millis(300)));
    let domain = registry.domain();
    let script = Script {
        stdin: TOKEN.as_bytes().to_vec(),
        ..Script::default()
    };
    let home = std::fs::File::open(env.home()).unwrap();
    let (code, waited) = std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::channel();
        let run = scope.spawn(|| {
            let args = ["registry", "login", domain.as_str(), "--token-stdin"];
            env.run_in_process_with(&args, script, move |captured| {
                tx.send(captured.clone()).unwrap();
            })
        });
        let captured = rx.recv().unwrap();
        // Locked once the token has been checked (the check before it takes the lock too).
        let deadline = Instant::now() + Duration::from_secs(10);
        while registry.requests().is_empty() {
            assert!(Instant::now() < deadline, "the token was never sent");
            std::thread::sleep(Duration::from_millis(1));
        }
        // SAFETY: flock on a descriptor we own; the return code is checked.
        assert_eq!(unsafe { libc::flock(home.as_raw_fd(), libc::LOCK_EX) }, 0);
        // The answer has come by now, and bsr waits for the lock.
        std::thread::sleep(Duration::from_millis(700));
        let sent = Instant::now();
        captured.interrupt();
        let (code, _) = run.join().unwrap();
        (code, sent.elapsed())
    });
    assert_eq!(code, 130);
    assert!(waited < Duration::from_millis(100), "{waited:?}");
    assert_eq!(
        env.netrc(),
        "machine github.com login octocat password ghp_example\n"
    );
}
