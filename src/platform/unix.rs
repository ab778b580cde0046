//! The Unix half of [`crate::platform`]: termios, signals, `flock`, `O_TMPFILE`, `O_NOFOLLOW`,
//! `faccessat`, `fallocate`, close-on-exec for inherited descriptors and the closed-stdout
//! check that runs before std.

use std::fs::{self, File, OpenOptions, Permissions};
use std::io;
use std::os::fd::AsFd;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Mutex, PoisonError};

use rustix::fs::{Access, AtFlags, CWD};
use rustix::termios::{LocalModes, OptionalActions, Termios, tcgetattr, tcsetattr};

use zeroize::Zeroizing;

use super::{MAX_LINE, ReadLineError};

// ---- files -------------------------------------------------------------------------------

/// Creates `path`, which must not exist, readable and writable by its owner only.
pub fn create_private(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

/// Opens a file for reading without blocking on it (a FIFO with no writer would hang an
/// ordinary open).
pub fn open_for_reading(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
        .open(path)
}

/// The permission bits of a file.
pub fn mode_of(meta: &fs::Metadata) -> u32 {
    meta.mode() & 0o7777
}

/// Opens an existing file for an in-place rewrite without following a symbolic link in
/// its last component (`O_NOFOLLOW`), and without blocking on a FIFO swapped in.
pub fn open_for_rewrite(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .write(true)
        .custom_flags((rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK).bits() as i32)
        .open(path)
}

/// Whether an open failed because the path is a symbolic link (`ELOOP` under `O_NOFOLLOW`).
pub fn is_link_refused(error: &io::Error) -> bool {
    error.raw_os_error() == Some(libc::ELOOP)
}

/// Narrows an open file to its owner (`fchmod`: the file that is open, not a path).
pub fn set_private_open(file: &File) -> io::Result<()> {
    file.set_permissions(Permissions::from_mode(0o600))
}

/// The device and inode of a file: what two links to one file share.
pub fn file_identity(meta: &fs::Metadata) -> Option<(u64, u64)> {
    Some((meta.dev(), meta.ino()))
}

/// The user who owns a file, or `None` where the system has no such notion.
pub fn owner_of(meta: &fs::Metadata) -> Option<u32> {
    Some(meta.uid())
}

/// The user this process acts as.
pub fn effective_uid() -> Option<u32> {
    Some(rustix::process::geteuid().as_raw())
}

/// A new file in `dir` with no name yet (Linux `O_TMPFILE`): a run killed while writing
/// leaves nothing behind. `None` where the system or file system cannot do that.
pub fn create_unnamed_in(dir: &Path) -> Option<File> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use rustix::fs::{Mode, OFlags};
        let fd = rustix::fs::open(
            dir,
            OFlags::TMPFILE | OFlags::WRONLY | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o600),
        )
        .ok()?;
        let file = File::from(fd);
        // It can only be named through /proc (`linkat` of /proc/self/fd/N); without /proc
        // (a chroot, some sandboxes) the caller falls back to a named temporary file.
        use std::os::fd::AsRawFd;
        let named = Path::new("/proc/self/fd").join(file.as_raw_fd().to_string());
        fs::symlink_metadata(named).is_ok().then_some(file)
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        let _ = dir;
        None
    }
}

/// Gives a file made by [`create_unnamed_in`] the name `path` (which must not exist).
pub fn name_unnamed(file: &File, path: &Path) -> io::Result<()> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use std::os::fd::AsRawFd;
        let proc_path = format!("/proc/self/fd/{}", file.as_raw_fd());
        rustix::fs::linkat(CWD, proc_path.as_str(), CWD, path, AtFlags::SYMLINK_FOLLOW)?;
        Ok(())
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        let _ = (file, path);
        Err(io::Error::from(io::ErrorKind::Unsupported))
    }
}

/// Narrows a file to its owner.
pub fn set_private(path: &Path) -> io::Result<()> {
    fs::set_permissions(path, Permissions::from_mode(0o600))
}

/// A replacement file belongs to whoever ran bsr; when that is root editing a user's
/// netrc (`sudo` keeping `HOME`), give it back to the user so they can still read it.
pub fn keep_owner(file: &File, old: &Path) {
    if let Ok(meta) = fs::metadata(old) {
        let _ = std::os::unix::fs::fchown(file, Some(meta.uid()), Some(meta.gid()));
    }
}

/// Reserves `len` bytes for `file` before an in-place rewrite, so that a full disk fails
/// before the first byte is overwritten.
#[cfg(not(target_vendor = "apple"))]
pub fn reserve(file: &File, len: usize) -> io::Result<()> {
    match rustix::fs::fallocate(file, rustix::fs::FallocateFlags::empty(), 0, len as u64) {
        Ok(()) => Ok(()),
        // Some file systems cannot preallocate; the write goes ahead without the guarantee.
        Err(rustix::io::Errno::OPNOTSUPP | rustix::io::Errno::INVAL) => Ok(()),
        Err(errno) => Err(errno.into()),
    }
}

/// macOS has no `posix_fallocate` and APFS does not reserve blocks for a file's length, so
/// there the in-place rewrite goes ahead without the guarantee (its notice says the write
/// was not crash-safe).
#[cfg(target_vendor = "apple")]
pub fn reserve(_file: &File, _len: usize) -> io::Result<()> {
    Ok(())
}

/// Whether this process may write `file`, judged with its effective uid and gids
/// (`faccessat(AT_EACCESS)`): a `0460` file of one's own is read-only to its owner even
/// though its group may write it.
pub fn is_writable_file(file: &Path) -> bool {
    rustix::fs::accessat(CWD, file, Access::WRITE_OK, AtFlags::EACCESS).is_ok()
}

/// Whether this process may create files in `dir`, judged with its effective uid and gids
/// (`faccessat(AT_EACCESS)`), as the kernel will judge the creation.
pub fn is_writable_dir(dir: &Path) -> bool {
    rustix::fs::accessat(
        CWD,
        dir,
        Access::WRITE_OK | Access::EXEC_OK,
        AtFlags::EACCESS,
    )
    .is_ok()
}

// ---- the edit lock and the replacing rename ------------------------------------------

/// Takes the `flock` on `dir` without waiting. `_name` (the netrc's file name) is only
/// needed where the lock is a file of its own.
pub fn try_lock(dir: &Path, _name: &std::ffi::OsStr) -> Result<super::EditLock, super::LockError> {
    use super::LockError;
    let handle = File::open(dir).map_err(LockError::Io)?;
    match handle.try_lock() {
        Ok(()) => Ok(super::EditLock { handle }),
        Err(fs::TryLockError::WouldBlock) => Err(LockError::Busy),
        Err(fs::TryLockError::Error(e))
            if matches!(
                e.raw_os_error(),
                Some(code) if code == libc::ENOTSUP || code == libc::EOPNOTSUPP || code == libc::ENOLCK
            ) =>
        {
            Err(LockError::Unsupported(e))
        }
        Err(fs::TryLockError::Error(e)) => Err(LockError::Io(e)),
    }
}

impl super::EditLock {
    /// Flushes the directory entry of a rename to disk.
    pub fn sync_dir(&self) -> io::Result<()> {
        self.handle.sync_all()
    }
}

/// Renames `temp` over `target`; on Unix a rename never waits on other programs.
pub fn replace(temp: &Path, target: &Path) -> Result<(), super::ReplaceError> {
    fs::rename(temp, target).map_err(super::ReplaceError::Io)
}

// ---- the process ------------------------------------------------------------------------

/// The machine's node name (`uname -n`).
pub fn host_name() -> Option<String> {
    let name = rustix::system::uname();
    Some(name.nodename().to_string_lossy().into_owned()).filter(|n| !n.is_empty())
}

/// Replaces this process with `command` (execve), so its exit status, its signals and its
/// process id are the command's by construction. Returns only when it could not be started.
/// The kernel makes the new program dumpable again (execve resets `PR_SET_DUMPABLE` for a
/// readable, non-set-id program); the core size limit of 0 stays, as rlimits do.
pub fn exec(command: &mut std::process::Command) -> io::Error {
    use std::os::unix::process::CommandExt;
    command.exec()
}

/// Marks every descriptor above standard error close-on-exec, so that a program bsr starts
/// (the browser) inherits none of them. std opens bsr's own files that way already; this is
/// for descriptors bsr itself inherited (a shell's `exec 5<file`), which would otherwise
/// pass through to a browser that keeps them for its lifetime.
pub fn close_on_exec_above_stderr() -> io::Result<()> {
    let listed: Option<Vec<libc::c_int>> = fs::read_dir("/dev/fd").ok().map(|entries| {
        entries
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse().ok())
            .collect()
    });
    let candidates: Vec<libc::c_int> = match listed {
        Some(fds) => fds,
        // No /dev/fd (a chroot without /proc): every number the limit allows, bounded.
        None => {
            let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile)
                .current
                .unwrap_or(1024)
                .min(65536);
            (3..limit as libc::c_int).collect()
        }
    };
    for fd in candidates.into_iter().filter(|&fd| fd > 2) {
        // SAFETY: F_GETFD takes no pointer and is defined for any integer: -1 with EBADF
        // for one that is not open (such as the listing's own, closed since).
        let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
        if flags < 0 || flags & libc::FD_CLOEXEC != 0 {
            continue;
        }
        // SAFETY: as above; F_SETFD only sets the descriptor's flags.
        if unsafe { libc::fcntl(fd, libc::F_SETFD, flags | libc::FD_CLOEXEC) } < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Makes the process keep its memory to itself for its whole life: no core file (it would
/// hold the token) and no ptrace or /proc/<pid>/mem access by other processes of the same
/// user, as ssh-agent and gpg-agent do. On Linux `PR_SET_DUMPABLE` 0 does both; elsewhere
/// a core size limit of 0 at least keeps the token off the disk.
pub fn keep_memory_private() -> io::Result<()> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable)?;
    let none = rustix::process::Rlimit {
        current: Some(0),
        maximum: Some(0),
    };
    rustix::process::setrlimit(rustix::process::Resource::Core, none)?;
    Ok(())
}

// ---- standard output --------------------------------------------------------------------

static STDOUT_CLOSED_AT_START: AtomicBool = AtomicBool::new(false);

/// Runs before std's runtime, which would otherwise reopen a closed standard descriptor on
/// `/dev/null` and so make `bsr registry whoami >&-` look like `>/dev/null`.
#[cfg(target_os = "linux")]
extern "C" fn note_closed_stdout() {
    let closed = rustix::io::fcntl_getfd(rustix::stdio::stdout()).is_err();
    STDOUT_CLOSED_AT_START.store(closed, Ordering::SeqCst);
}

// SAFETY: a function pointer in `.init_array` is called once by the dynamic loader before
// `main` with no arguments; `note_closed_stdout` takes none, touches only an atomic and
// one `fcntl`, and cannot unwind.
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static NOTE_CLOSED_STDOUT: extern "C" fn() = note_closed_stdout;

/// Whether standard output was closed when the process started (known on Linux; elsewhere
/// always `false`).
pub fn stdout_was_closed() -> bool {
    STDOUT_CLOSED_AT_START.load(Ordering::SeqCst)
}

// ---- signals ------------------------------------------------------------------------------

/// The signals a [`SignalCatch`] turns into a clean end: Ctrl-C, and the two a terminal or a
/// service manager sends when it goes away or stops bsr.
const CAUGHT_SIGNALS: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

/// The signal that came while a catch was in place (0: none).
static CAUGHT: AtomicI32 = AtomicI32::new(0);

/// How many catches are alive, and the dispositions the first one replaced.
static CATCHES: Mutex<(usize, Vec<(libc::c_int, libc::sigaction)>)> = Mutex::new((0, Vec::new()));

extern "C" fn on_signal(signal: libc::c_int) {
    // The first signal wins; a second Ctrl-C does not turn a SIGTERM into an interrupt.
    let _ = CAUGHT.compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst);
}

/// SIGINT, SIGTERM and SIGHUP caught for as long as the value lives: a blocked read returns
/// `EINTR` (no `SA_RESTART`), and [`SignalCatch::caught`] says which one came. Catches nest;
/// the last one dropped puts back the dispositions the first one found. A signal the process
/// was started with ignored (`nohup`, a background job of a script) stays ignored.
#[derive(Debug)]
pub struct SignalCatch {
    _private: (),
}

impl SignalCatch {
    pub fn install() -> io::Result<SignalCatch> {
        let mut catches = CATCHES.lock().unwrap_or_else(PoisonError::into_inner);
        if catches.0 == 0 {
            CAUGHT.store(0, Ordering::SeqCst);
            let mut replaced = Vec::new();
            for signal in CAUGHT_SIGNALS {
                match catch(signal) {
                    Ok(Some(old)) => replaced.push((signal, old)),
                    Ok(None) => {}
                    Err(e) => {
                        restore(&replaced);
                        return Err(e);
                    }
                }
            }
            catches.1 = replaced;
        }
        catches.0 += 1;
        Ok(SignalCatch { _private: () })
    }

    /// The signal that came since the first live catch was installed.
    pub fn caught(&self) -> Option<i32> {
        Some(CAUGHT.load(Ordering::SeqCst)).filter(|&s| s != 0)
    }
}

impl Drop for SignalCatch {
    fn drop(&mut self) {
        let mut catches = CATCHES.lock().unwrap_or_else(PoisonError::into_inner);
        catches.0 -= 1;
        if catches.0 == 0 {
            restore(&catches.1);
            catches.1.clear();
        }
    }
}

/// Installs [`on_signal`] for `signal`; returns the disposition it replaced, or `None` (and
/// nothing changed) when the signal was ignored.
fn catch(signal: libc::c_int) -> io::Result<Option<libc::sigaction>> {
    // SAFETY: both structures are plain C data for which all-zero bytes are a valid value;
    // `sigemptyset` gets a pointer to a live `sigset_t`; `on_signal` is an `extern "C"`
    // function that only touches an atomic, which is async-signal-safe. No SA_RESTART: a
    // blocked read must return EINTR so that the prompt can clean up.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_signal as *const () as libc::sighandler_t;
        action.sa_flags = 0;
        if libc::sigemptyset(&mut action.sa_mask) != 0 {
            return Err(io::Error::last_os_error());
        }
        let mut old: libc::sigaction = std::mem::zeroed();
        if libc::sigaction(signal, &action, &mut old) != 0 {
            return Err(io::Error::last_os_error());
        }
        if old.sa_sigaction == libc::SIG_IGN {
            if libc::sigaction(signal, &old, std::ptr::null_mut()) != 0 {
                return Err(io::Error::last_os_error());
            }
            return Ok(None);
        }
        Ok(Some(old))
    }
}

fn restore(replaced: &[(libc::c_int, libc::sigaction)]) {
    for (signal, old) in replaced {
        // SAFETY: `old` is the disposition `sigaction` returned for `signal` in `catch`;
        // restoring it takes no pointer but that valid one.
        let rc = unsafe { libc::sigaction(*signal, old, std::ptr::null_mut()) };
        debug_assert_eq!(rc, 0, "restoring a signal disposition failed");
    }
}

/// Ends the process by `signal` itself, as fd does after Ctrl-C: the default disposition back,
/// the signal unblocked and raised, so that a calling shell sees an interrupted child (`$?` is
/// 128 + the signal). Should the signal not end the process, it exits with that status.
pub fn end_by_signal(signal: i32) -> ! {
    // SAFETY: `action` is zeroed plain C data with SIG_DFL as its handler; the set is a live
    // `sigset_t` initialised by `sigemptyset`; `raise` takes a plain number. Each return code
    // is checked: if any call fails, the exit below still gives the shell the same status.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = libc::SIG_DFL;
        let mut set: libc::sigset_t = std::mem::zeroed();
        if libc::sigemptyset(&mut action.sa_mask) == 0
            && libc::sigaction(signal, &action, std::ptr::null_mut()) == 0
            && libc::sigemptyset(&mut set) == 0
            && libc::sigaddset(&mut set, signal) == 0
            && libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut()) == 0
        {
            libc::raise(signal);
        }
    }
    std::process::exit(128 + signal)
}

// ---- terminal ---------------------------------------------------------------------------

/// Puts the terminal settings back however the read ends.
struct Restore {
    termios: Option<Termios>,
}

impl Drop for Restore {
    fn drop(&mut self) {
        if let Some(termios) = &self.termios {
            // Nothing more can be done if this fails; the shell's `reset` restores echo.
            let _ = tcsetattr(io::stdin(), OptionalActions::Now, termios);
        }
    }
}

/// Reads one line from the terminal on stdin, byte by byte so that nothing past the line
/// is consumed, and returns it without its line end, in memory that is wiped when dropped
/// (allocated once: a line longer than [`MAX_LINE`] is refused, never copied by a regrowth).
/// With `echo` false, neither the text nor the Enter is shown (the caller ends the line). A
/// signal `catch` catches returns [`ReadLineError::Interrupted`] with the terminal restored.
pub fn read_line(echo: bool, catch: &SignalCatch) -> Result<Zeroizing<Vec<u8>>, ReadLineError> {
    let saved = tcgetattr(io::stdin()).ok();
    let restore = Restore {
        termios: saved.clone(),
    };
    if !echo {
        // Fail closed: no secret is read from a terminal that would show it.
        let Some(mut hidden) = saved else {
            return Err(ReadLineError::CannotHide(io::Error::other(
                "its settings cannot be read",
            )));
        };
        hidden.local_modes -= LocalModes::ECHO | LocalModes::ECHONL;
        tcsetattr(io::stdin(), OptionalActions::Now, &hidden)
            .map_err(|e| ReadLineError::CannotHide(e.into()))?;
    }

    let stdin = io::stdin();
    let mut line = Zeroizing::new(Vec::with_capacity(MAX_LINE));
    loop {
        // A signal that came before this read (while the prompt was printed) counts too.
        if let Some(signal) = catch.caught() {
            drop(restore);
            return Err(ReadLineError::Interrupted(signal));
        }
        let mut byte = Zeroizing::new([0u8; 1]);
        match rustix::io::read(stdin.as_fd(), &mut *byte) {
            _ if catch.caught().is_some() => continue,
            Ok(1) if byte[0] == b'\n' => break,
            Ok(1) if line.len() == MAX_LINE => return Err(ReadLineError::TooLong),
            Ok(1) => line.push(byte[0]),
            Ok(_) => return Err(ReadLineError::EndOfInput),
            Err(rustix::io::Errno::INTR) => continue,
            Err(errno) => return Err(ReadLineError::Io(errno.into())),
        }
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(line)
}
