//! The interactive prompts, in a real pseudo-terminal.

use crate::assert_snapshot;
use crate::support::pty::Pty;
use crate::support::{Registry, Reply, TOKEN, TestEnv, assert_no_token, ended_by_ctrl_c};

fn login_in_pty(env: &TestEnv, args: &[&str]) -> Pty {
    Pty::spawn(env.command(args))
}

#[test]
fn username_and_token_prompts_log_in_without_echoing_the_token() {
    let env = TestEnv::new();
    let registry = Registry::start(Reply::user("alice"));
    let domain = registry.domain();
    let mut pty = login_in_pty(&env, &["registry", "login", &domain]);
    pty.expect("Username: ");
    pty.send("alice\r");
    pty.expect("Token: ");
    pty.send(&format!("{TOKEN}\r"));
    let status = pty.wait();
    let screen = env.filter(&pty.screen()).replace("\r\n", "\n");
    assert_no_token(&screen);
    assert_snapshot!(screen, @"
    Log in with your Buf Schema Registry username. If you don't have a username, create one at https://127.0.0.1:[PORT].

    Username: alice
    Token: 
    Logged in as alice. Credentials saved to ~/.netrc.
    ");
    assert!(status.success());
    assert!(env.netrc().contains(&format!("password {TOKEN}")));
    assert!(pty.echo_enabled());
}

#[test]
fn prompt_flag_asks_only_for_the_token() {
    let env = TestEnv::new();
    let registry = Registry::start(Reply::user("alice"));
    let domain = registry.domain();
    let mut pty = login_in_pty(&env, &["registry", "login", &domain, "--prompt"]);
    pty.expect("Token: ");
    pty.send(&format!("{TOKEN}\r"));
    assert!(pty.wait().success());
    let screen = env.filter(&pty.screen()).replace("\r\n", "\n");
    assert_snapshot!(screen, @"
    Enter the BSR token created at https://127.0.0.1:[PORT]/settings/user.

    Token: 
    Logged in as alice. Credentials saved to ~/.netrc.
    ");
}

#[test]
fn a_given_username_skips_its_prompt_and_is_checked() {
    let env = TestEnv::new();
    let registry = Registry::start(Reply::user("alice"));
    let domain = registry.domain();
    let mut pty = login_in_pty(&env, &["registry", "login", &domain, "--username", "bob"]);
    pty.expect("Token: ");
    pty.send(&format!("{TOKEN}\r"));
    assert_eq!(pty.wait().code(), Some(1));
    let screen = pty.screen().replace("\r\n", "\n");
    assert_snapshot!(screen, @"
    Token: 
    Failure: the username associated with the provided token does not match the provided username
    ");
    assert!(!env.netrc_path().exists());
}

#[test]
fn three_empty_answers_give_up() {
    let env = TestEnv::new();
    let registry = Registry::start(Reply::user("alice"));
    let mut pty = login_in_pty(&env, &["registry", "login", &registry.domain(), "--prompt"]);
    for n in 1..=3 {
        pty.expect_nth("Token: ", n);
        pty.send("\r");
    }
    assert_eq!(pty.wait().code(), Some(1));
    let screen = pty.screen().replace("\r\n", "\n");
    assert_snapshot!(screen, @"
    Enter the BSR token created at https://127.0.0.1:[PORT]/settings/user.

    Token: No answer was provided. Please try again.
    Token: No answer was provided. Please try again.
    Token: 
    Failure: did not receive an answer in 3 attempts
    ");
    assert!(no_token_was_sent(&registry));
}

#[test]
fn an_empty_answer_can_be_followed_by_a_real_one() {
    let env = TestEnv::new();
    let registry = Registry::start(Reply::user("alice"));
    let mut pty = login_in_pty(&env, &["registry", "login", &registry.domain()]);
    pty.expect("Username: ");
    pty.send("\r");
    pty.expect("No answer was provided. Please try again.");
    pty.send("alice\r");
    pty.expect("Token: ");
    pty.send(&format!("{TOKEN}\r"));
    assert!(pty.wait().success(), "{}", pty.screen());
}

#[test]
fn ctrl_d_fails_cleanly_and_writes_nothing() {
    let env = TestEnv::new();
    let registry = Registry::start(Reply::user("alice"));
    let mut pty = login_in_pty(&env, &["registry", "login", &registry.domain()]);
    pty.expect("Username: ");
    pty.send("alice\r");
    pty.expect("Token: ");
    pty.send("\x04");
    assert_eq!(pty.wait().code(), Some(1));
    assert_snapshot!(pty.screen().replace("\r\n", "\n"), @"
    Log in with your Buf Schema Registry username. If you don't have a username, create one at https://127.0.0.1:[PORT].

    Username: alice
    Token: 
    Failure: input ended (Ctrl-D) before an answer was given; nothing was saved
    ");
    assert!(pty.echo_enabled());
    assert!(!env.netrc_path().exists());
    assert!(no_token_was_sent(&registry));
}

#[test]
fn ctrl_c_restores_the_terminal_and_exits_130() {
    for (at, typed) in [("Token: ", "half-a-tok"), ("Username: ", "ali")] {
        let env = TestEnv::new();
        env.write_netrc("machine github.com login octocat password ghp_example\n");
        let registry = Registry::start(Reply::user("alice"));
        let mut pty = login_in_pty(&env, &["registry", "login", &registry.domain()]);
        if at == "Token: " {
            pty.expect("Username: ");
            pty.send("alice\r");
        }
        pty.expect(at);
        pty.send(typed);
        std::thread::sleep(std::time::Duration::from_millis(100));
        assert_eq!(
            pty.echo_enabled(),
            at != "Token: ",
            "echo is off only for the token"
        );
        pty.send("\x03");
        let status = pty.wait();
        assert!(
            ended_by_ctrl_c(&status),
            "{at}: {status:?} {}",
            pty.screen()
        );
        assert!(
            pty.echo_enabled(),
            "echo must be restored after Ctrl-C at {at}"
        );
        let screen = pty.screen().replace("\r\n", "\n");
        assert!(
            screen.ends_with('\n') && !screen.contains("Failure"),
            "{screen:?}"
        );
        assert!(!screen.contains("half-a-tok"));
        assert_eq!(
            env.netrc(),
            "machine github.com login octocat password ghp_example\n"
        );
        assert!(no_token_was_sent(&registry));
    }
}

/// Only the browser-login probe (`/oauth2/device/registration`, which these registries answer
/// with 404) went out: no call carried a token.
fn no_token_was_sent(registry: &Registry) -> bool {
    registry.requests().iter().all(|r| {
        r.target == "/oauth2/device/registration" && !r.headers.contains_key("authorization")
    })
}
