//! The store on real files and real processes: permissions, links, odd paths, concurrent
//! writers, writers killed mid-write and a full disk.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

use bsr::netrc::{Lookup, NetrcDocument};
use bsr::secret::Token;
use bsr::store::{NetrcFile, StoreError, Written};
use tempfile::TempDir;

use crate::support::child::{self, EditError};
use crate::support::{as_nobody, deep, mode, names_in};

fn login(file: &NetrcFile, password: &str) -> Result<Written, EditError> {
    file.edit(|doc| -> Result<(), EditError> {
        for machine in ["buf.build", "go.buf.build"] {
            doc.set_machine(machine, "alice", &Token::new(password))?;
        }
        Ok(())
    })
    .map(|report| report.written)
}

fn logout(file: &NetrcFile) -> Result<usize, EditError> {
    file.edit(|doc| -> Result<usize, EditError> {
        Ok(doc.remove_machine("buf.build")? + doc.remove_machine("go.buf.build")?)
    })
    .map(|report| report.value)
}

fn password_of(bytes: Vec<u8>, machine: &str) -> Option<String> {
    match NetrcDocument::parse(bytes).unwrap().lookup(machine) {
        Lookup::Machine(entry) => entry.password().map(|p| p.expose().to_owned()),
        _ => None,
    }
}

const OTHER: &str = "# mine\nmachine github.com login octocat password ghp_example\n";

/// A temp dir holding `.netrc` with `OTHER` in it and the given mode.
fn netrc_with_mode(mode: u32) -> (TempDir, PathBuf) {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join(".netrc");
    fs::write(&path, OTHER).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
    (dir, path)
}

#[test]
fn a_new_file_is_private_and_no_stray_file_is_left() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join(".netrc");
    let file = NetrcFile::new(&path);
    assert_eq!(login(&file, "t1").unwrap(), Written::Atomically);
    assert_eq!(mode(&path), 0o600);
    assert_eq!(names_in(dir.path()), [".netrc"]);
    assert_eq!(
        password_of(fs::read(&path).unwrap(), "go.buf.build").as_deref(),
        Some("t1")
    );
}

#[test]
fn removing_from_a_missing_file_creates_nothing() {
    let dir = TempDir::new().unwrap();
    let file = NetrcFile::new(dir.path().join(".netrc"));
    assert_eq!(logout(&file).unwrap(), 0);
    assert!(names_in(dir.path()).is_empty());
}

#[test]
fn an_unchanged_edit_does_not_rewrite() {
    let (_dir, path) = netrc_with_mode(0o600);
    let inode = fs::metadata(&path).unwrap().ino();
    assert_eq!(logout(&NetrcFile::new(&path)).unwrap(), 0);
    assert_eq!(fs::metadata(&path).unwrap().ino(), inode);
    assert_eq!(fs::read_to_string(&path).unwrap(), OTHER);
}

#[test]
fn loose_permissions_are_narrowed_and_reported() {
    let (_dir, path) = netrc_with_mode(0o644);
    let report = NetrcFile::new(&path)
        .edit(|doc| -> Result<(), EditError> {
            Ok(doc.set_machine("buf.build", "alice", &Token::new("t"))?)
        })
        .unwrap();
    assert_eq!(report.narrowed_from, Some(0o644));
    assert_eq!(mode(&path), 0o600);
}

#[test]
fn a_symlinked_netrc_stays_a_symlink() {
    let dir = TempDir::new().unwrap();
    fs::create_dir(dir.path().join("dotfiles")).unwrap();
    let target = dir.path().join("dotfiles/netrc");
    fs::write(&target, OTHER).unwrap();
    let link = dir.path().join(".netrc");
    symlink("dotfiles/netrc", &link).unwrap();

    login(&NetrcFile::new(&link), "t1").unwrap();
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let content = fs::read(&target).unwrap();
    assert!(content.starts_with(OTHER.as_bytes()));
    assert_eq!(password_of(content, "buf.build").as_deref(), Some("t1"));
    assert_eq!(names_in(&dir.path().join("dotfiles")), ["netrc"]);
}

#[test]
fn a_dangling_symlink_creates_its_target() {
    let dir = TempDir::new().unwrap();
    let link = dir.path().join(".netrc");
    symlink(dir.path().join("real-netrc"), &link).unwrap();
    login(&NetrcFile::new(&link), "t1").unwrap();
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(mode(&dir.path().join("real-netrc")), 0o600);
}

#[test]
fn a_directory_in_place_of_the_file_is_an_error() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join(".netrc");
    fs::create_dir(&path).unwrap();
    let file = NetrcFile::new(&path);
    let err = login(&file, "t").unwrap_err();
    assert!(
        matches!(err, EditError::Store(StoreError::IsDirectory { .. })),
        "{err}"
    );
    assert!(err.to_string().contains(".netrc is a directory"), "{err}");
    assert!(matches!(
        file.check_writable(),
        Err(StoreError::IsDirectory { .. })
    ));
    assert!(names_in(&path).is_empty());
}

#[test]
fn a_read_only_file_is_an_error_and_stays_intact() {
    let (_dir, path) = netrc_with_mode(0o400);
    let file = NetrcFile::new(&path);
    assert!(matches!(
        file.check_writable(),
        Err(StoreError::ReadOnly { .. })
    ));
    let err = login(&file, "t").unwrap_err();
    assert!(err.to_string().contains("is read-only"), "{err}");
    assert_eq!(fs::read_to_string(&path).unwrap(), OTHER);
    assert_eq!(mode(&path), 0o400);
}

#[test]
fn a_missing_directory_is_an_error() {
    let dir = TempDir::new().unwrap();
    let file = NetrcFile::new(dir.path().join("no/such/dir/.netrc"));
    assert!(matches!(
        file.check_writable(),
        Err(StoreError::MissingDirectory { .. })
    ));
    let err = login(&file, "t").unwrap_err();
    assert!(err.to_string().contains("does not exist"), "{err}");
}

#[test]
fn an_unparsable_file_is_left_untouched_and_the_error_says_where() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join(".netrc");
    let text = "machine a login x\nmachine b password \"unclosed\n";
    fs::write(&path, text).unwrap();
    let err = login(&NetrcFile::new(&path), "t").unwrap_err().to_string();
    assert!(err.contains(&path.display().to_string()), "{err}");
    assert!(err.contains("line 2, column 20"), "{err}");
    assert!(err.contains("left untouched"), "{err}");
    assert_eq!(fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn dev_null_is_read_but_never_replaced() {
    let file = NetrcFile::new("/dev/null");
    assert!(file.read().unwrap().unwrap().source().is_empty());
    assert_eq!(logout(&file).unwrap(), 0);
    let err = login(&file, "t").unwrap_err();
    assert!(err.to_string().contains("not a regular file"), "{err}");
    let meta = fs::metadata("/dev/null").unwrap();
    assert_eq!(meta.mode() & 0o777, 0o666);
    assert!(!meta.is_file());
}

#[test]
fn a_stale_temporary_file_is_swept_away() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join(".netrc");
    fs::write(
        dir.path().join(".netrc.bsr-tmp.0123456789abcdef"),
        "half a file from a killed run",
    )
    .unwrap();
    login(&NetrcFile::new(&path), "t").unwrap();
    assert_eq!(names_in(dir.path()), [".netrc"]);
}

/// Someone else's file at a temporary file's name neither stops a login (the names cannot be
/// guessed) nor gets removed.
#[test]
fn a_planted_temporary_file_changes_nothing() {
    if !crate::support::need::root("plants a file owned by another user") {
        return;
    }
    let dir = TempDir::new().unwrap();
    let path = dir.path().join(".netrc");
    for name in [".netrc.bsr-tmp", ".netrc.bsr-tmp.0123456789abcdef"] {
        let planted = dir.path().join(name);
        fs::write(&planted, "not yours").unwrap();
        std::os::unix::fs::chown(&planted, Some(65534), Some(65534)).unwrap();
    }
    login(&NetrcFile::new(&path), "t").unwrap();
    assert_eq!(
        names_in(dir.path()),
        [
            ".netrc",
            ".netrc.bsr-tmp",
            ".netrc.bsr-tmp.0123456789abcdef"
        ]
    );
    assert_eq!(
        password_of(fs::read(&path).unwrap(), "buf.build").as_deref(),
        Some("t")
    );
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{:?} failed: {}{}",
        cmd,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn result_line(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("RESULT ").map(str::to_owned))
        .unwrap_or_else(|| panic!("no RESULT line in {}", String::from_utf8_lossy(&out.stdout)))
}

/// `cmd` as one line of a shell script (each word quoted) and the environment it sets, for a
/// script run in a private mount namespace.
fn shell_line(cmd: &Command) -> (String, Vec<(String, PathBuf)>) {
    let line: Vec<String> = std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|s| format!("'{}'", s.to_string_lossy()))
        .collect();
    let envs = cmd
        .get_envs()
        .map(|(k, v)| (k.to_string_lossy().into_owned(), PathBuf::from(v.unwrap())))
        .collect();
    (line.join(" "), envs)
}

fn helper_set(path: &Path, machine: &str, password: &str) -> Command {
    let mut cmd = child::command("set", path);
    cmd.env("BSR_HELPER_MACHINE", machine)
        .env("BSR_HELPER_LOGIN", "alice")
        .env("BSR_HELPER_PASSWORD", password);
    cmd
}

#[test]
fn a_read_only_directory_falls_back_to_an_in_place_rewrite() {
    // As an unprivileged user (root could create the temporary file anywhere): the directory
    // is root's and read-only to them, the file is theirs.
    let dir = TempDir::new().unwrap();
    let path = dir.path().join(".netrc");
    let Some(mut cmd) = as_nobody(&helper_set(&path, "buf.build", "t-in-place")) else {
        return;
    };
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    fs::write(&path, OTHER).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    std::os::unix::fs::chown(&path, Some(65534), Some(65534)).unwrap();
    let inode = fs::metadata(&path).unwrap().ino();

    let out = run(&mut cmd);
    assert_eq!(result_line(&out), "written=in-place narrowed=Some(\"644\")");
    assert_eq!(fs::metadata(&path).unwrap().ino(), inode);
    assert_eq!(mode(&path), 0o600);
    let content = fs::read(&path).unwrap();
    assert!(content.starts_with(OTHER.as_bytes()));
    assert_eq!(
        password_of(content, "buf.build").as_deref(),
        Some("t-in-place")
    );
    assert_eq!(names_in(dir.path()), [".netrc"]);
}

#[test]
fn thirty_concurrent_writers_lose_no_update() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join(".netrc");
    fs::write(&path, OTHER).unwrap();
    let children: Vec<Child> = (0..30)
        .map(|i| {
            helper_set(&path, &format!("host-{i}.example"), &format!("t{i}"))
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
    }
    let content = fs::read(&path).unwrap();
    assert!(content.starts_with(OTHER.as_bytes()));
    for i in 0..30 {
        let machine = format!("host-{i}.example");
        assert_eq!(
            password_of(content.clone(), &machine),
            Some(format!("t{i}")),
            "{machine}"
        );
    }
    assert_eq!(names_in(dir.path()), [".netrc"]);
}

/// A small deterministic generator for kill delays (no dependency needed for this).
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn a_writer_killed_at_any_instant_leaves_the_old_or_the_new_file() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join(".netrc");
    // A file large enough (about 200 KB) that kills often land during a write.
    let mut initial = String::new();
    for i in 0..3000 {
        initial.push_str(&format!(
            "machine host-{i}.example login user{i} password secret{i}\n"
        ));
    }
    fs::write(&path, &initial).unwrap();
    let state = |password: &str| {
        let mut doc = NetrcDocument::parse(initial.clone().into_bytes()).unwrap();
        doc.set_machine("buf.build", "alice", &Token::new(password))
            .unwrap();
        doc.render()
    };
    let valid = [
        initial.clone().into_bytes(),
        state("tokenA"),
        state("tokenB"),
    ];

    // Kills spread over the first few edits, however fast this build edits: time some first.
    let scratch = dir.path().join("timing.netrc");
    fs::write(&scratch, &initial).unwrap();
    let started = Instant::now();
    for round in 0..4 {
        login(
            &NetrcFile::new(&scratch),
            if round % 2 == 0 { "a" } else { "b" },
        )
        .unwrap();
    }
    fs::remove_file(&scratch).unwrap();
    let window = 2_000 + 3 * started.elapsed().as_micros() as u64 / 4;

    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut seen = [0usize; 3];
    let mut leftover = 0;
    let kills = deep::kills();
    for _ in 0..kills {
        let mut child = child::command("toggle", &path).spawn().unwrap();
        std::thread::sleep(Duration::from_micros(2_000 + rng.below(window)));
        child.kill().unwrap();
        child.wait().unwrap();
        let content = fs::read(&path).unwrap();
        let index = valid.iter().position(|v| *v == content);
        assert!(
            index.is_some(),
            "partial or foreign content after a kill ({} bytes)",
            content.len()
        );
        seen[index.unwrap()] += 1;
        // On Linux the new content has no name until it is complete, so a kill leaves a
        // temporary file only in the instant between naming it and the rename.
        let names = names_in(dir.path());
        let stray = names.len() - 1;
        assert!(
            names[0] == ".netrc" && names[1..].iter().all(|n| n.starts_with(".netrc.bsr-tmp.")),
            "{names:?}"
        );
        leftover += usize::from(stray > 0);
    }
    // The kills must have landed at different points, or this test proved nothing.
    assert!(seen[1] > 0 && seen[2] > 0, "states seen: {seen:?}");
    // The next normal run is not blocked and leaves no stray file.
    let started = Instant::now();
    logout(&NetrcFile::new(&path)).unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(names_in(dir.path()), [".netrc"]);
    // Straight to the terminal: the figure is worth seeing in a passing run.
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        format!(
            "kill loop: {kills} kills, {leftover} left a temporary file, states (initial, A, B): {seen:?}\n"
        )
        .as_bytes(),
    );
}

#[test]
fn a_full_disk_leaves_the_old_file_intact() {
    let dir = TempDir::new().unwrap();
    let mount = dir.path().join("mnt");
    fs::create_dir(&mount).unwrap();
    let original = dir.path().join("original");
    let mut text = String::from(OTHER);
    for i in 0..500 {
        text.push_str(&format!(
            "machine host-{i}.example login user{i} password secret{i}\n"
        ));
    }
    fs::write(&original, &text).unwrap();
    let after = dir.path().join("after");
    let (helper, helper_envs) =
        shell_line(&helper_set(&mount.join(".netrc"), "buf.build", "t-full"));
    let script = format!(
        r#"mount -t tmpfs -o size=128k tmpfs "$MNT"
cp "$ORIGINAL" "$MNT/.netrc"
dd if=/dev/zero of="$MNT/filler" bs=1k 2>/dev/null || true
{helper}
cp "$MNT/.netrc" "$AFTER"
ls -A "$MNT""#,
    );
    let mut envs: Vec<(&str, &Path)> =
        vec![("MNT", &mount), ("ORIGINAL", &original), ("AFTER", &after)];
    for (k, v) in &helper_envs {
        envs.push((k, v));
    }
    let Some(out) = crate::support::in_private_mount_namespace(&script, &envs) else {
        return;
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("RESULT error=no space left on the device holding"),
        "{stdout}"
    );
    assert!(stdout.contains("the file was left unchanged"), "{stdout}");
    assert_eq!(fs::read_to_string(&after).unwrap(), text);
    // No temporary file is left on the full disk either.
    assert!(stdout.ends_with(".netrc\nfiller\n"), "{stdout}");
}

/// Without /proc (a chroot, some sandboxes) a file made with `O_TMPFILE` cannot be named, so
/// the edit goes through a named temporary file instead; before, every edit failed there.
#[test]
fn without_proc_the_edit_goes_through_a_named_temporary_file() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join(".netrc");
    fs::write(&path, OTHER).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    let (helper, helper_envs) = shell_line(&helper_set(&path, "buf.build", "t-no-proc"));
    // And with /proc gone, `/dev/stdout` (a link to /proc/self/fd/1) is still no netrc: nothing
    // is created where /proc belongs.
    let script = format!(
        "mount -t tmpfs none /proc\ntest ! -e /proc/self/fd\n{helper}\nBSR_HELPER_NETRC=/dev/stdout {helper}\ntest ! -e /proc/self"
    );
    let envs: Vec<(&str, &Path)> = helper_envs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_path()))
        .collect();
    let Some(out) = crate::support::in_private_mount_namespace(&script, &envs) else {
        return;
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let results: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("RESULT "))
        .collect();
    assert_eq!(
        results,
        [
            "written=atomically narrowed=None",
            "error=/dev/stdout is not a regular file, so bsr will not read or rewrite it"
        ],
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let content = fs::read(&path).unwrap();
    assert!(content.starts_with(OTHER.as_bytes()));
    assert_eq!(
        password_of(content, "buf.build").as_deref(),
        Some("t-no-proc")
    );
    assert_eq!(names_in(dir.path()), [".netrc"]);
}

/// A `0460` file of one's own is read-only to its owner: login's early check refused it while
/// logout replaced it. Now both refuse it and leave it as it was.
#[test]
fn a_file_its_owner_may_not_write_is_read_only_to_login_and_logout_alike() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join(".netrc");
    let text = "machine buf.build login alice password old\n";
    fs::write(&path, text).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o460)).unwrap();
    // Root may write any file: judged as nobody, who owns the file and its directory.
    // A file the test made is owned by the user the test runs as.
    let as_root = fs::metadata(&path).unwrap().uid() == 0;
    if as_root {
        std::os::unix::fs::chown(dir.path(), Some(65534), Some(65534)).unwrap();
        std::os::unix::fs::chown(&path, Some(65534), Some(65534)).unwrap();
    }
    let mut outcomes = Vec::new();
    for op in ["check", "logout"] {
        let cmd = child::command(op, &path);
        let mut cmd = if as_root {
            match as_nobody(&cmd) {
                Some(cmd) => cmd,
                None => return,
            }
        } else {
            cmd
        };
        outcomes.push(result_line(&run(&mut cmd)));
    }
    for outcome in &outcomes {
        assert!(
            outcome.starts_with("error=") && outcome.contains("is read-only"),
            "{outcomes:?}"
        );
    }
    assert_eq!(fs::read_to_string(&path).unwrap(), text);
    assert_eq!(mode(&path), 0o460);
}

/// `sudo -E bsr registry login` keeps the user's HOME; the user's `~/.netrc` is a link into a
/// directory only root may enter. Root follows no link another user owns, so the token does
/// not land in root's file there.
#[test]
fn root_never_follows_a_link_another_user_owns() {
    if !crate::support::need::root("acts as root on a user's home") {
        return;
    }
    let root_only = TempDir::new().unwrap();
    fs::set_permissions(root_only.path(), fs::Permissions::from_mode(0o700)).unwrap();
    let roots_file = root_only.path().join("netrc");
    let text = "machine root.example login root password r00t\n";
    fs::write(&roots_file, text).unwrap();
    let home = TempDir::new().unwrap();
    std::os::unix::fs::chown(home.path(), Some(65534), Some(65534)).unwrap();
    let link = home.path().join(".netrc");
    symlink(&roots_file, &link).unwrap();
    std::os::unix::fs::lchown(&link, Some(65534), Some(65534)).unwrap();

    let file = NetrcFile::new(&link);
    let err = file.check_writable().unwrap_err();
    assert!(
        matches!(err, StoreError::ForeignOwner { owner: 65534, .. }),
        "{err}"
    );
    let err = login(&file, "t-deputy").unwrap_err().to_string();
    assert!(
        err.contains("is a symbolic link owned by another user (uid 65534)"),
        "{err}"
    );
    assert_eq!(fs::read_to_string(&roots_file).unwrap(), text);
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

/// A read-only directory (in-place rewrite) whose owner, a neighbour, swaps the netrc for a
/// link to a file of theirs and back as fast as they can: the rewrite opens the file it read
/// (no link followed, same device and inode) or nothing, so the token never lands in theirs.
#[test]
fn a_link_swapped_in_before_the_in_place_rewrite_is_never_followed() {
    const NEIGHBOUR: u32 = 4242;
    let dir = TempDir::new().unwrap();
    let path = dir.path().join(".netrc");
    let Some(_) = as_nobody(&helper_set(&path, "buf.build", "x")) else {
        return;
    };
    fs::write(&path, OTHER).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    std::os::unix::fs::chown(&path, Some(65534), Some(65534)).unwrap();
    std::os::unix::fs::chown(dir.path(), Some(NEIGHBOUR), Some(NEIGHBOUR)).unwrap();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let theirs = TempDir::new().unwrap();
    let victim = theirs.path().join("catch");
    fs::write(&victim, "").unwrap();
    fs::set_permissions(&victim, fs::Permissions::from_mode(0o666)).unwrap();
    std::os::unix::fs::chown(&victim, Some(NEIGHBOUR), Some(NEIGHBOUR)).unwrap();
    fs::set_permissions(theirs.path(), fs::Permissions::from_mode(0o755)).unwrap();

    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let swapper = {
        let (stop, path, victim) = (stop.clone(), path.clone(), victim.clone());
        let aside = dir.path().join("aside");
        std::thread::spawn(move || {
            let mut swaps = 0usize;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                if fs::rename(&path, &aside).is_ok() {
                    let _ = symlink(&victim, &path);
                    let _ = std::os::unix::fs::lchown(&path, Some(NEIGHBOUR), Some(NEIGHBOUR));
                    std::thread::yield_now();
                    let _ = fs::rename(&aside, &path);
                    swaps += 1;
                }
                std::thread::yield_now();
            }
            swaps
        })
    };
    let mut results = Vec::new();
    for i in 0..deep::race_tries() {
        let mut cmd = as_nobody(&helper_set(&path, "buf.build", &format!("t-race-{i}"))).unwrap();
        results.push(result_line(&cmd.output().unwrap()));
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let swaps = swapper.join().unwrap();
    assert_eq!(
        fs::read_to_string(&victim).unwrap(),
        "",
        "the token went into the neighbour's file"
    );
    assert!(swaps > 0, "the swapper never swapped");
    assert!(
        results
            .iter()
            .all(|r| r.starts_with("written=in-place") || r.starts_with("error=")),
        "{results:?}"
    );
    // The race ran on the path it is about: without the swapper the same edit goes through,
    // in place (nobody cannot create a temporary file in the neighbour's directory).
    let mut calm = as_nobody(&helper_set(&path, "buf.build", "t-calm")).unwrap();
    assert_eq!(
        result_line(&calm.output().unwrap()),
        "written=in-place narrowed=None"
    );
    let content = fs::read(&path).unwrap();
    assert!(content.starts_with(OTHER.as_bytes()));
    assert_eq!(password_of(content, "buf.build").as_deref(), Some("t-calm"));
}

/// A link among the directories on the way to the netrc is held to the same rule as a link
/// in its place: one that another user owns is not followed.
#[test]
fn a_directory_link_another_user_owns_is_not_followed() {
    if !crate::support::need::root("owns a link as another user") {
        return;
    }
    let dir = TempDir::new().unwrap();
    let real = dir.path().join("real");
    fs::create_dir(&real).unwrap();
    let link = dir.path().join("via");
    symlink(&real, &link).unwrap();
    std::os::unix::fs::lchown(&link, Some(4242), Some(4242)).unwrap();
    let file = NetrcFile::new(link.join(".netrc"));
    let err = login(&file, "t-via").unwrap_err().to_string();
    assert!(
        err.contains("via is a symbolic link owned by another user (uid 4242)"),
        "{err}"
    );
    assert!(names_in(&real).is_empty());
}
