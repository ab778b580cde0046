//! The edges of the program: bad values in the environment, tokens that cannot be sent, a
//! deadline that runs out mid-answer, and output that cannot be written.

use std::process::Command;
#[cfg(unix)]
use std::process::Stdio;
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
            out.stderr.starts_with(&format!(
                "Failure: context deadline exceeded: timed out after {timeout} waiting for "
            )),
            "{timeout}: {}",
            out.stderr
        );
    }
}

/// Runs `bsr` through `sh` so that its standard output can be closed or sent to a full device.
fn with_stdout(env: &TestEnv, args: &str, redirect: &str) -> (i32, String) {
    let mut cmd = env.shell(&format!("printf %s {TOKEN} | \"$BSR\" {args} {redirect}"));
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
    // A closed stdout and a reader that went away are success once the work is done and the
    // output is its report: nobody listens (ripgrep's choice; SPEC "Output and exit codes").
    let (code, stderr) = with_stdout(&env, &format!("registry whoami {domain}"), ">&-");
    transcripts += &format!("$ whoami >&-\nexit: {code}\n{stderr}");
    let (code, stderr) = with_stdout(&env, &format!("registry whoami {domain}"), "| true");
    transcripts += &format!("$ whoami | true\nexit: {code}\n{stderr}");
    assert_snapshot!(transcripts, @"
    $ login >/dev/full
    exit: 1
    Failure: the credentials were saved to ~/.netrc, but the message saying so could not be written: No space left on device (os error 28)
    $ whoami >&-
    exit: 0
    $ whoami | true
    exit: 0
    ");
}

/// A hostile registry: its text reaches the terminal escaped and cut, and a disguised username
/// is neither stored nor printed.
#[test]
fn what_a_hostile_registry_says_is_escaped_and_cut() {
    let env = TestEnv::new();
    let mut transcripts = String::new();
    let huge = "A".repeat(900 * 1024);
    for reply in [
        Reply::error(500, "\\u001b]0;pwned\\u0007", "\\u001b[2Jcleared"),
        Reply::error(500, "internal", &huge),
        Reply::user("alice\\u202egnp.exe"),
    ] {
        let registry = Registry::start(reply);
        let out = env.login(&registry.domain(), &[], TOKEN);
        assert!(!out.stderr.contains('\u{1b}') && !out.stderr.contains('\u{202e}'));
        assert!(out.stderr.len() < 1024, "{} bytes", out.stderr.len());
        transcripts += &out.transcript();
    }
    assert_snapshot!(transcripts, @r"
    exit: 1
    --- stderr
    Failure: the registry at 127.0.0.1:[PORT] answered with error \u{1b}]0;pwned\u{7}: \u{1b}[2Jcleared
    exit: 1
    --- stderr
    Failure: the registry at 127.0.0.1:[PORT] answered with error internal: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA…
    exit: 1
    --- stderr
    Failure: the registry at 127.0.0.1:[PORT] returned a username that contains an invisible formatting character (such as a bidirectional override), which bsr will not store or print
    ");
    assert!(!env.netrc_path().exists());
}

#[test]
fn a_proxy_password_is_never_shown() {
    let registry = Registry::start(Reply::user("alice"));
    let mut env = TestEnv::new();
    env.env(
        "HTTP_PROXY",
        &format!("http://bob:pr0xy-s3cret@127.0.0.1:{}", registry.port),
    );
    let out = env.run(&["--debug", "registry", "login", "--token-stdin"], TOKEN);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("[REDACTED]@127.0.0.1"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("pr0xy-s3cret"), "{}", out.stderr);
    let mut env = TestEnv::new();
    env.env("HTTP_PROXY", "http://bob:pr0xy-s3cret@[not a host");
    let out = env.run(&["registry", "login", "--token-stdin"], TOKEN);
    assert_eq!(out.code, 1);
    assert!(!out.stderr.contains("pr0xy-s3cret"), "{}", out.stderr);
}

/// While bsr holds a token, its memory stays private: no core file can be written, and (seen
/// from outside, as another process of the same user) it is not dumpable, so its /proc files
/// belong to root.
#[cfg(unix)]
#[test]
fn the_process_keeps_its_memory_private() {
    use std::os::unix::fs::MetadataExt;

    let env = TestEnv::new();
    let registry = Registry::start(Reply::user("alice"));
    let login = env.command(&["registry", "login", &registry.domain(), "--token-stdin"]);
    let (mut cmd, as_nobody) = match crate::support::as_nobody(&login) {
        Some(cmd) => (cmd, true),
        None => (
            env.command(&["registry", "login", &registry.domain(), "--token-stdin"]),
            false,
        ),
    };
    if as_nobody {
        crate::support::set_mode(env.home(), 0o777);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // bsr waits for the end of its standard input; look at it meanwhile.
    let proc = std::path::PathBuf::from(format!("/proc/{}", child.id()));
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let limits = loop {
        let limits = std::fs::read_to_string(proc.join("limits")).unwrap();
        let status = std::fs::read_to_string(proc.join("status")).unwrap();
        if status.contains("State:\tS") || std::time::Instant::now() > deadline {
            break limits;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap();
    assert!(
        core.split_whitespace().filter(|w| *w == "0").count() >= 2,
        "{core}"
    );
    if as_nobody {
        // The process runs as nobody, yet its /proc files are root's: it is not dumpable.
        assert_eq!(std::fs::metadata(proc.join("environ")).unwrap().uid(), 0);
    }
    crate::support::feed(&mut child, TOKEN);
    child.wait().unwrap();
}

/// Odd files where the netrc should be: a FIFO with no writer, an endless device and a sparse
/// 1 GiB file. Each is refused at once, without blocking or reading it, and none is rewritten.
#[test]
fn a_netrc_that_is_no_regular_file_of_sane_size_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    let status = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(status.success());
    let sparse = dir.path().join("sparse");
    std::fs::File::create(&sparse)
        .unwrap()
        .set_len(1 << 30)
        .unwrap();
    let registry = Registry::with_users(&[(TOKEN, "alice")]);
    let domain = registry.domain();
    let mut transcripts = String::new();
    for path in [
        fifo.as_path(),
        std::path::Path::new("/dev/zero"),
        sparse.as_path(),
    ] {
        for args in [
            vec!["registry", "logout"],
            vec!["registry", "whoami", &domain],
            vec!["registry", "login", &domain, "--token-stdin"],
        ] {
            let mut env = TestEnv::new();
            env.env("NETRC", path.to_str().unwrap());
            let started = std::time::Instant::now();
            let out = env.run(&args, TOKEN);
            assert!(started.elapsed() < Duration::from_secs(5), "{args:?}");
            let shown = out
                .transcript()
                .replace(&dir.path().display().to_string(), "<dir>");
            transcripts += &format!(
                "$ NETRC={} bsr {}\n{shown}",
                path.file_name().unwrap().to_string_lossy(),
                args[1]
            );
        }
    }
    assert_snapshot!(transcripts, @"
    $ NETRC=fifo bsr logout
    exit: 1
    --- stderr
    Failure: <dir>/fifo is not a regular file, so bsr will not read or rewrite it
    $ NETRC=fifo bsr whoami
    exit: 1
    --- stderr
    Failure: <dir>/fifo is not a regular file, so bsr will not read or rewrite it
    $ NETRC=fifo bsr login
    exit: 1
    --- stderr
    Failure: <dir>/fifo is not a regular file, so bsr will not read or rewrite it
    $ NETRC=zero bsr logout
    exit: 1
    --- stderr
    Failure: /dev/zero is not a regular file, so bsr will not read or rewrite it
    $ NETRC=zero bsr whoami
    exit: 1
    --- stderr
    Failure: /dev/zero is not a regular file, so bsr will not read or rewrite it
    $ NETRC=zero bsr login
    exit: 1
    --- stderr
    Failure: /dev/zero is not a regular file, so bsr will not read or rewrite it
    $ NETRC=sparse bsr logout
    exit: 1
    --- stderr
    Failure: <dir>/sparse is 1073741824 bytes, more than the 16 MiB bsr reads; a netrc is far smaller, so check that NETRC names the right file
    $ NETRC=sparse bsr whoami
    exit: 1
    --- stderr
    Failure: <dir>/sparse is 1073741824 bytes, more than the 16 MiB bsr reads; a netrc is far smaller, so check that NETRC names the right file
    $ NETRC=sparse bsr login
    exit: 1
    --- stderr
    Failure: <dir>/sparse is 1073741824 bytes, more than the 16 MiB bsr reads; a netrc is far smaller, so check that NETRC names the right file
    ");
    assert_eq!(std::fs::metadata(&sparse).unwrap().len(), 1 << 30);
    assert!(registry.requests().is_empty(), "no token left the machine");
}

/// Another user's link or file where the netrc should be (say, planted in a shared sticky
/// directory): bsr refuses it before the token leaves the machine, and writes nothing.
#[cfg(unix)]
#[test]
fn another_users_link_or_file_is_refused_before_the_token_is_sent() {
    if !crate::support::need::root("plants files owned by another user") {
        return;
    }
    let shared = tempfile::tempdir().unwrap();
    crate::support::set_mode(shared.path(), 0o1777);
    let theirs = shared.path().join("theirs");
    std::fs::write(
        &theirs,
        "machine their.example login them password theirs\n",
    )
    .unwrap();
    crate::support::set_mode(&theirs, 0o666);
    std::os::unix::fs::chown(&theirs, Some(65534), Some(65534)).unwrap();
    let link = shared.path().join("netrc");
    std::os::unix::fs::symlink(&theirs, &link).unwrap();
    std::os::unix::fs::lchown(&link, Some(65534), Some(65534)).unwrap();

    let registry = Registry::with_users(&[(TOKEN, "alice")]);
    let mut transcripts = String::new();
    for netrc in [&link, &theirs] {
        let mut env = TestEnv::new();
        env.env("NETRC", netrc.to_str().unwrap());
        let out = env.login(&registry.domain(), &[], TOKEN);
        transcripts += &out
            .transcript()
            .replace(&shared.path().display().to_string(), "<shared>");
    }
    assert_snapshot!(transcripts, @"
    exit: 1
    --- stderr
    Failure: <shared>/netrc is a symbolic link owned by another user (uid 65534); bsr only follows and writes what belongs to you (or to root), so that nobody can redirect your token
    exit: 1
    --- stderr
    Failure: <shared>/theirs is a file owned by another user (uid 65534); bsr only follows and writes what belongs to you (or to root), so that nobody can redirect your token
    ");
    assert!(registry.requests().is_empty(), "the token left the machine");
    assert_eq!(
        std::fs::read_to_string(&theirs).unwrap(),
        "machine their.example login them password theirs\n"
    );
}

/// A lock on the netrc's directory that is never released (anyone who can open a 0755 home
/// can take one): bsr waits a bounded time, says so, and has not sent the token.
#[test]
fn a_lock_held_forever_is_waited_for_a_bounded_time_before_anything_is_sent() {
    let env = TestEnv::new();
    let holder = std::fs::File::open(env.home()).unwrap();
    holder.lock().unwrap();
    let registry = Registry::with_users(&[(TOKEN, "alice")]);
    let started = std::time::Instant::now();
    let out = env.login(&registry.domain(), &[], TOKEN);
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(4) && waited < Duration::from_secs(10),
        "{waited:?}"
    );
    assert_snapshot!(out.transcript(), @"
    exit: 1
    --- stderr
    Failure: ~ stayed locked for 5 s, so ~/.netrc could not be edited; another bsr may be running, or another process holds a lock on that directory: try again
    ");
    assert!(registry.requests().is_empty(), "the token left the machine");
    drop(holder);
}

/// A `config.yaml` alias bomb ("billion laughs") under a 512 MiB address-space limit: refused
/// at once, naming the line, instead of allocating until the process dies.
#[test]
fn a_config_alias_bomb_is_refused_without_expanding_it() {
    let mut bomb = String::from(
        "version: v1\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
    for pair in names.windows(2) {
        let (prev, name) = (pair[0], pair[1]);
        let refs = vec![format!("*{prev}"); 9].join(",");
        bomb.push_str(&format!("{name}: &{name} [{refs}]\n"));
    }
    let env = TestEnv::with_config(Some(&bomb));
    let out = env
        .shell("ulimit -v 524288; exec \"$BSR\" registry whoami 127.0.0.1:9")
        .output()
        .unwrap();
    let stderr = env.filter(&String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_snapshot!(stderr, @"Failure: the Buf configuration ~/.config/buf/config.yaml is not valid: line 3: it uses a YAML alias (*name), which a Buf client config has no need for and bsr does not expand");
}

/// `tls.use` is read as Buf reads it: trimmed and in any case, so these all mean plain http.
#[test]
fn tls_use_false_is_read_in_any_spelling() {
    let registry = Registry::start(Reply::user("alice"));
    for spelling in ["FALSE", "False", "\" false\""] {
        let env = TestEnv::with_config(Some(&format!("version: v1\ntls:\n  use: {spelling}\n")));
        let out = env.login(&registry.domain(), &[], TOKEN);
        assert_eq!(out.code, 0, "{spelling}: {}", out.stderr);
    }
    assert_eq!(registry.requests().len(), 3);
}

/// Go reads `+0` (and `-0`, `-0s`) as zero, so Buf takes `--timeout +0` as "no timeout"; so
/// does bsr.
#[test]
fn timeout_plus_zero_is_no_timeout_as_in_go() {
    let registry = Registry::start(Reply::user("alice"));
    let mut env = TestEnv::new();
    let out = env.run(
        &[
            "--timeout",
            "+0",
            "registry",
            "login",
            &registry.domain(),
            "--token-stdin",
        ],
        TOKEN,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    for zero in ["-0", "-0s"] {
        env.env("BUF_TIMEOUT", zero);
        let out = env.run(
            &["registry", "login", &registry.domain(), "--token-stdin"],
            TOKEN,
        );
        assert_eq!(out.code, 0, "BUF_TIMEOUT={zero}: {}", out.stderr);
    }
}

/// `NETRC=/dev/stdout` leads through `/proc/self/fd/1` to whatever stdout is (here a file the
/// token would have landed in): refused, as everything under /proc is.
#[cfg(target_os = "linux")]
#[test]
fn netrc_pointing_at_a_descriptor_is_refused() {
    let registry = Registry::with_users(&[(TOKEN, "alice")]);
    let mut env = TestEnv::new();
    let out_file = env.home().join("captured");
    for netrc in ["/dev/stdout", "/proc/self/fd/1", "/dev/fd/1"] {
        env.env("NETRC", netrc);
        for args in [
            "registry logout".to_owned(),
            format!("registry login {} --token-stdin", registry.domain()),
        ] {
            let output = env
                .shell(&format!(
                    "echo {TOKEN} | \"$BSR\" {args} > '{}'",
                    out_file.display()
                ))
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(1), "{netrc} {args}: {stderr}");
            assert_eq!(
                stderr,
                format!(
                    "Failure: {netrc} is not a regular file, so bsr will not read or rewrite it\n"
                )
            );
            assert!(!std::fs::read_to_string(&out_file).unwrap().contains(TOKEN));
        }
    }
    assert!(registry.requests().is_empty());
}

/// `sudo -E bsr registry …` runs as root with the user's HOME. When the user's `~/.netrc` is a
/// link the user owns into a directory only root may enter, root must not follow it: login
/// would write the token into root's file there, logout would edit it, whoami would send
/// root's password. Each fails at once, naming the link, and nothing is sent.
#[cfg(unix)]
#[test]
fn as_root_with_a_users_home_a_link_the_user_owns_is_not_followed() {
    use std::os::unix::fs::{chown, lchown, symlink};
    if !crate::support::need::root("runs bsr as root with another user's HOME, as sudo -E does") {
        return;
    }
    let registry = Registry::with_users(&[(TOKEN, "alice"), ("r00t-token", "root")]);
    let domain = registry.domain();
    let root_only = tempfile::TempDir::new().unwrap();
    crate::support::set_mode(root_only.path(), 0o700);
    let roots_file = root_only.path().join("netrc");
    let text = format!("machine {domain} login root password r00t-token\n");
    std::fs::write(&roots_file, &text).unwrap();
    crate::support::set_mode(&roots_file, 0o600);
    let env = TestEnv::new();
    chown(env.home(), Some(65534), Some(65534)).unwrap();
    symlink(&roots_file, env.netrc_path()).unwrap();
    lchown(env.netrc_path(), Some(65534), Some(65534)).unwrap();

    let expected = "Failure: ~/.netrc is a symbolic link owned by another user (uid 65534); bsr only follows and writes what belongs to you (or to root), so that nobody can redirect your token\n";
    for (args, stdin) in [
        (vec!["registry", "login", &domain, "--token-stdin"], TOKEN),
        (vec!["registry", "logout", &domain], ""),
        (vec!["registry", "whoami", &domain], ""),
    ] {
        let out = env.run(&args, stdin);
        assert_eq!(
            (out.code, env.filter(&out.stderr).as_str()),
            (1, expected),
            "{args:?}"
        );
    }
    assert_eq!(std::fs::read_to_string(&roots_file).unwrap(), text);
    assert!(registry.requests().is_empty(), "a token was sent");

    // A plain netrc of the user's own, in the user's home, is root's to edit (that is what
    // `sudo -E bsr registry login` is for), and the new file goes back to the user.
    std::fs::remove_file(env.netrc_path()).unwrap();
    env.write_netrc("machine github.com login octocat password ghp_example\n");
    chown(env.netrc_path(), Some(65534), Some(65534)).unwrap();
    let out = env.login(&domain, &[], TOKEN);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let meta = std::fs::metadata(env.netrc_path()).unwrap();
    use std::os::unix::fs::MetadataExt;
    assert_eq!(
        (meta.uid(), meta.gid(), meta.mode() & 0o7777),
        (65534, 65534, 0o600)
    );
    assert!(env.netrc().ends_with(&netrc_for(&domain, "alice", TOKEN)));
}
