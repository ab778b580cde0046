//! `bsr registry logout` as a process.

use std::fs;

use crate::support::{Registry, Reply, TOKEN, TestEnv};

#[test]
fn without_a_netrc_nothing_is_created() {
    let env = TestEnv::new();
    let out = env.run(&["registry", "logout"], "");
    assert_eq!(
        (
            out.code,
            env.filter(&out.stdout).as_str(),
            out.stderr.as_str()
        ),
        (
            0,
            "No BSR credentials found in ~/.netrc; you are already logged out\n",
            ""
        )
    );
    assert!(!env.netrc_path().exists());
}

#[test]
fn removes_both_machines_and_nothing_else() {
    let env = TestEnv::new();
    env.write_netrc(
        "# mine\nmachine github.com login octocat password ghp_example\nmachine buf.build\n\tlogin alice\n\tpassword x\nmachine other.example login o password o\nmachine go.buf.build login alice password x\nmachine buf.build login dup password dup\n",
    );
    let out = env.run(&["registry", "logout"], "");
    assert_eq!(
        (out.code, env.filter(&out.stdout).as_str()),
        (0, "All existing BSR credentials removed from ~/.netrc\n")
    );
    assert_eq!(
        env.netrc(),
        "# mine\nmachine github.com login octocat password ghp_example\nmachine other.example login o password o\n"
    );
    let again = env.run(&["registry", "logout"], "");
    assert_eq!(
        env.filter(&again.stdout),
        "No BSR credentials found in ~/.netrc; you are already logged out\n"
    );
}

#[test]
fn logs_out_of_the_named_domain_only() {
    let env = TestEnv::new();
    env.write_netrc("machine buf.build login a password b\nmachine bsr.example.com:8443 login a password b\nmachine go.bsr.example.com:8443 login a password b\n");
    let out = env.run(&["registry", "logout", "bsr.example.com:8443"], "");
    assert_eq!(out.code, 0);
    assert_eq!(env.netrc(), "machine buf.build login a password b\n");
}

#[test]
fn after_login_logout_restores_the_file() {
    let env = TestEnv::new();
    let original = "machine github.com login octocat password ghp_example\n# end\n";
    env.write_netrc(original);
    let registry = Registry::start(Reply::user("alice"));
    let domain = registry.domain();
    assert_eq!(env.login(&domain, &[], TOKEN).code, 0);
    assert_ne!(env.netrc(), original);
    assert_eq!(env.run(&["registry", "logout", &domain], "").code, 0);
    assert_eq!(env.netrc(), original);
}

#[test]
fn an_unparsable_netrc_is_left_alone_with_its_position() {
    let env = TestEnv::new();
    let text = "machine buf.build login a password \"unclosed\n";
    env.write_netrc(text);
    let out = env.run(&["registry", "logout"], "");
    assert_eq!(out.code, 1);
    assert_eq!(
        env.filter(&out.stderr),
        "Failure: cannot edit ~/.netrc: line 1, column 36: a quoted value is never closed (missing '\"'); the file was left untouched\n"
    );
    assert_eq!(env.netrc(), text);
}

#[test]
fn invalid_domain_and_bad_paths_fail() {
    let env = TestEnv::new();
    let out = env.run(&["registry", "logout", "a..b"], "");
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .starts_with("Failure: must either be a valid IP address or domain name")
    );
    fs::create_dir(env.netrc_path()).unwrap();
    let out = env.run(&["registry", "logout"], "");
    assert_eq!(
        env.filter(&out.stderr),
        "Failure: ~/.netrc is a directory, not a netrc file\n"
    );
    let out = env.run(&["registry", "logout", "x.example", "y.example"], "");
    assert_eq!(out.code, 1);
}

#[test]
fn netrc_variable_works_without_home() {
    let env = TestEnv::new();
    let path = env.home().join("elsewhere");
    fs::write(&path, "machine buf.build login a password b\n").unwrap();
    let out = env
        .command(&["registry", "logout"])
        .env_remove("HOME")
        .env("NETRC", &path)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), "");
}

#[test]
fn a_broken_buf_config_does_not_stop_a_logout() {
    let env = TestEnv::with_config(Some("tls: [unclosed"));
    env.write_netrc("machine buf.build login a password b\n");
    let out = env.run(&["registry", "logout"], "");
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));
    assert_eq!(env.netrc(), "");
    // Login does need it, and says which file is wrong.
    let out = env.login("buf.build", &[], TOKEN);
    assert_eq!(out.code, 1);
    assert!(
        env.filter(&out.stderr)
            .starts_with("Failure: the Buf configuration ~/.config/buf/config.yaml is not valid: "),
        "{}",
        out.stderr
    );
}

#[test]
fn help_on_every_level_and_version() {
    let env = TestEnv::new();
    for args in [
        &["--help"][..],
        &["registry", "--help"],
        &["registry", "login", "--help"],
        &["registry", "logout", "--help"],
        &["registry", "whoami", "--help"],
        &["registry", "token", "--help"],
        &["registry", "exec", "--help"],
        &["registry", "credential", "--help"],
        &["completion", "--help"],
    ] {
        let out = env.run(args, "");
        let name = format!("help {}", args.join(" ")).replace(' ', "_");
        insta::assert_snapshot!(name, out.transcript());
    }
    // `help <command>` is the same text as `<command> --help`.
    assert_eq!(
        env.run(&["help", "registry", "login"], "").stdout,
        env.run(&["registry", "login", "--help"], "").stdout
    );
    let out = env.run(&["--version"], "");
    assert_eq!(out.stdout, format!("bsr {}\n", env!("CARGO_PKG_VERSION")));
    for args in [&[][..], &["registry"]] {
        let out = env.run(args, "");
        assert_eq!(out.code, 1, "{args:?}");
        assert!(out.stderr.contains("Usage: bsr"), "{}", out.stderr);
        assert!(
            out.stderr.ends_with("Failure: a subcommand is required\n"),
            "{}",
            out.stderr
        );
    }
}

#[cfg(unix)]
#[test]
fn a_full_disk_fails_clearly_and_keeps_the_old_file() {
    let env = TestEnv::new();
    let mnt = env.home().join("mnt");
    fs::create_dir(&mnt).unwrap();
    let mut original = String::from("machine buf.build login alice password old\n");
    for i in 0..500 {
        original.push_str(&format!(
            "machine host-{i}.example login user{i} password secret{i}\n"
        ));
    }
    let original_path = env.home().join("original");
    fs::write(&original_path, &original).unwrap();
    let (after, stderr) = (env.home().join("after"), env.home().join("stderr"));
    // A tmpfs in a private mount namespace: it never outlives the test or shows up elsewhere.
    let script = r#"mount -t tmpfs -o size=128k tmpfs "$MNT"
cp "$ORIGINAL" "$MNT/.netrc" && chmod 600 "$MNT/.netrc"
dd if=/dev/zero of="$MNT/filler" bs=1k 2>/dev/null || true
code=0; HOME="$MNT" "$BSR" registry logout 2> "$STDERR" || code=$?
cp "$MNT/.netrc" "$AFTER"
ls -A "$MNT"
exit $code"#;
    let bsr = std::path::Path::new(env!("CARGO_BIN_EXE_bsr"));
    let Some(out) = crate::support::in_private_mount_namespace(
        script,
        &[
            ("MNT", &mnt),
            ("ORIGINAL", &original_path),
            ("AFTER", &after),
            ("STDERR", &stderr),
            ("BSR", bsr),
        ],
    ) else {
        return;
    };
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        fs::read_to_string(&stderr).unwrap(),
        format!(
            "Failure: no space left on the device holding {}/.netrc; the file was left unchanged\n",
            mnt.display()
        )
    );
    assert_eq!(fs::read_to_string(&after).unwrap(), original);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        ".netrc\nfiller\n",
        "no stray file"
    );
}

/// Buf's variables are read as Buf reads them, by every command: Go booleans, an empty variable
/// as unset, and a bad value named by its variable (never as a flag the user did not pass).
#[test]
fn buf_variables_are_read_as_buf_reads_them() {
    let mut transcripts = String::new();
    for (name, value) in [
        ("BUF_DEBUG", "1"),
        ("BUF_DEBUG", "True"),
        ("BUF_DEBUG", ""),
        ("BUF_TIMEOUT", ""),
        ("BUF_LOG_FORMAT", ""),
        ("BUF_DEBUG", "yes"),
        ("BUF_TIMEOUT", "soon"),
        ("BUF_LOG_FORMAT", "xml"),
    ] {
        transcripts += &logout_with(name, value);
    }
    let env = TestEnv::new();
    let out = env.run(&["registry", "logout", "--debug=false"], "");
    transcripts += &format!("$ bsr registry logout --debug=false\n{}", out.transcript());
    crate::assert_snapshot!(transcripts, @r#"
    $ BUF_DEBUG="1" bsr registry logout
    exit: 0
    --- stdout
    No BSR credentials found in ~/.netrc; you are already logged out
    $ BUF_DEBUG="True" bsr registry logout
    exit: 0
    --- stdout
    No BSR credentials found in ~/.netrc; you are already logged out
    $ BUF_DEBUG="" bsr registry logout
    exit: 0
    --- stdout
    No BSR credentials found in ~/.netrc; you are already logged out
    $ BUF_TIMEOUT="" bsr registry logout
    exit: 0
    --- stdout
    No BSR credentials found in ~/.netrc; you are already logged out
    $ BUF_LOG_FORMAT="" bsr registry logout
    exit: 0
    --- stdout
    No BSR credentials found in ~/.netrc; you are already logged out
    $ BUF_DEBUG="yes" bsr registry logout
    exit: 1
    --- stderr
    Failure: invalid value "yes" for BUF_DEBUG: must be a boolean (1, t, T, TRUE, true, True, 0, f, F, FALSE, false or False)
    $ BUF_TIMEOUT="soon" bsr registry logout
    exit: 1
    --- stderr
    Failure: invalid value "soon" for BUF_TIMEOUT: must be a duration such as 30s, 2m or 1h30m (0 means no timeout)
    $ BUF_LOG_FORMAT="xml" bsr registry logout
    exit: 1
    --- stderr
    Failure: invalid value "xml" for BUF_LOG_FORMAT: must be text, color or json
    $ bsr registry logout --debug=false
    exit: 0
    --- stdout
    No BSR credentials found in ~/.netrc; you are already logged out
    "#);
}

#[test]
fn a_missing_home_or_netrc_directory_means_already_logged_out() {
    let mut transcripts = String::new();
    for (name, value) in [
        ("HOME", "/nonexistent/home"),
        ("NETRC", "/nonexistent/dir/netrc"),
    ] {
        transcripts += &logout_with(name, value);
    }
    crate::assert_snapshot!(transcripts, @r#"
    $ HOME="/nonexistent/home" bsr registry logout
    exit: 0
    --- stdout
    No BSR credentials found in /nonexistent/home/.netrc; you are already logged out
    $ NETRC="/nonexistent/dir/netrc" bsr registry logout
    exit: 0
    --- stdout
    No BSR credentials found in /nonexistent/dir/netrc; you are already logged out
    "#);
    assert!(!std::path::Path::new("/nonexistent").exists());
}

/// `bsr registry logout` with one variable set, as a transcript headed by the command line.
fn logout_with(name: &str, value: &str) -> String {
    let mut env = TestEnv::new();
    env.env(name, value);
    let out = env.run(&["registry", "logout"], "");
    format!(
        "$ {name}={value:?} bsr registry logout\n{}",
        out.transcript()
    )
}

/// After logout Buf and bsr still send `BUF_TOKEN`: logout says so on stderr, for the domain
/// it holds a token for and only then.
#[test]
fn logout_says_when_buf_token_still_holds_a_token_for_the_domain() {
    let mut env = TestEnv::new();
    env.write_netrc("machine buf.build login alice password x\n");
    env.env("BUF_TOKEN", &format!("{TOKEN}@buf.build"));
    let out = env.run(&["registry", "logout"], "");
    assert_eq!(out.code, 0);
    assert_eq!(
        out.stderr,
        "Notice: BUF_TOKEN still holds a token for buf.build; Buf and bsr keep sending it while it is set (unset BUF_TOKEN to log out there too).\n"
    );
    let out = env.run(&["registry", "logout", "other.example"], "");
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));
}
