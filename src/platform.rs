//! Every call into the operating system that std does not wrap: the terminal or console (echo
//! off, Ctrl-C, raw reads), the edit lock, replacing a file, file modes and preallocation,
//! effective-uid access checks, and whether standard output was open when the process started.
//! Unix and Windows each have an `imp` module with the same functions.
//!
//! The rest of the crate has `#![deny(unsafe_code)]`; the `unsafe` that remains here (a signal
//! handler, and a constructor that runs before std) has a `SAFETY:` comment on each block, and
//! every return code is checked. Where a guarantee cannot be had, the caller is told, never
//! assumed: a terminal whose echo cannot be turned off is reported, not used.
#![allow(unsafe_code)]

pub use imp::*;

/// The operating system family, which decides where Buf keeps its files. A value rather than
/// a `cfg`, so that both rules are testable on any system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Unix,
    Windows,
}

impl Os {
    pub fn current() -> Os {
        if cfg!(windows) { Os::Windows } else { Os::Unix }
    }
}

/// Why a line could not be read from the terminal.
#[derive(Debug)]
pub enum ReadLineError {
    /// Ctrl-C.
    Interrupted,
    /// Ctrl-D, or the terminal went away.
    EndOfInput,
    /// Echo could not be turned off; nothing was read.
    CannotHide(std::io::Error),
    Io(std::io::Error),
}

/// The edit lock on a netrc's directory, held until dropped. On Unix it is an `flock` on the
/// directory itself; on Windows, where a directory cannot be locked, a lock file beside the
/// netrc that only one process can have open and that the system deletes when it is closed
/// (also when the process is killed), so a normal run leaves nothing behind.
#[derive(Debug)]
pub struct EditLock {
    #[cfg_attr(windows, allow(dead_code))]
    handle: std::fs::File,
}

/// Why the edit lock was not taken.
#[derive(Debug)]
pub enum LockError {
    /// Another process holds it now.
    Busy,
    /// The file system cannot lock (some network shares).
    Unsupported(std::io::Error),
    Io(std::io::Error),
}

/// Why a finished temporary file could not replace the netrc.
#[derive(Debug)]
pub enum ReplaceError {
    /// Another program kept the netrc open without letting it be replaced (Windows), for
    /// longer than bsr waits.
    InUse(std::io::Error),
    Io(std::io::Error),
}

/// What one key typed at a raw console prompt does ([`LineEditor::feed`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyed {
    /// A character was added (to be echoed on a visible prompt).
    Added,
    /// The last character was erased.
    Erased,
    /// Nothing changed (an erase on an empty line, an end-of-input key within a line).
    Nothing,
    /// Enter.
    Done,
    /// Ctrl-C.
    Interrupted,
    /// Ctrl-D or Ctrl-Z on an empty line.
    EndOfInput,
}

/// The line editing a raw console prompt does itself (Windows, where echo and Ctrl-C are only
/// under the program's control with line input off): UTF-16 units in, one line out.
#[derive(Debug, Default)]
#[cfg_attr(not(windows), allow(dead_code))]
pub struct LineEditor {
    units: Vec<u16>,
}

#[cfg_attr(not(windows), allow(dead_code))]
impl LineEditor {
    pub fn feed(&mut self, unit: u16) -> Keyed {
        match unit {
            0x0d | 0x0a => Keyed::Done,
            0x03 => Keyed::Interrupted,
            0x04 | 0x1a if self.units.is_empty() => Keyed::EndOfInput,
            0x04 | 0x1a => Keyed::Nothing,
            0x08 | 0x7f => match self.units.pop() {
                None => Keyed::Nothing,
                Some(low) => {
                    // A character outside the BMP is two units; erase both.
                    if (0xdc00..0xe000).contains(&low)
                        && self
                            .units
                            .last()
                            .is_some_and(|u| (0xd800..0xdc00).contains(u))
                    {
                        self.units.pop();
                    }
                    Keyed::Erased
                }
            },
            unit => {
                self.units.push(unit);
                Keyed::Added
            }
        }
    }

    /// The line as UTF-8 (unpaired surrogates, which no keyboard sends, become U+FFFD), and
    /// the typed units wiped.
    pub fn finish(mut self) -> Vec<u8> {
        let line = String::from_utf16_lossy(&self.units).into_bytes();
        zeroize::Zeroize::zeroize(&mut self.units);
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(keys: &str) -> (Vec<Keyed>, LineEditor) {
        let mut editor = LineEditor::default();
        let steps = keys.encode_utf16().map(|u| editor.feed(u)).collect();
        (steps, editor)
    }

    #[test]
    fn console_line_editing() {
        let (steps, editor) = typed("ab\u{8}c\r");
        assert_eq!(
            steps,
            [
                Keyed::Added,
                Keyed::Added,
                Keyed::Erased,
                Keyed::Added,
                Keyed::Done
            ]
        );
        assert_eq!(editor.finish(), b"ac");

        let (_, editor) = typed("x\u{1F600}\u{7f}y");
        assert_eq!(
            editor.finish(),
            b"xy",
            "an erase takes the whole surrogate pair"
        );

        let (steps, _) = typed("\u{8}\u{4}");
        assert_eq!(steps, [Keyed::Nothing, Keyed::EndOfInput]);
        let (steps, _) = typed("a\u{1a}\u{3}");
        assert_eq!(steps, [Keyed::Added, Keyed::Nothing, Keyed::Interrupted]);
    }
}

#[cfg(unix)]
mod imp {
    use std::fs::{self, File, OpenOptions, Permissions};
    use std::io;
    use std::os::fd::AsFd;
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
    use std::path::Path;
    use std::sync::atomic::{AtomicBool, Ordering};

    use rustix::fs::{Access, AtFlags, CWD};
    use rustix::termios::{LocalModes, OptionalActions, Termios, tcgetattr, tcsetattr};

    use super::ReadLineError;

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
            Some(File::from(fd))
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
    pub fn try_lock(
        dir: &Path,
        _name: &std::ffi::OsStr,
    ) -> Result<super::EditLock, super::LockError> {
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

    // ---- terminal ---------------------------------------------------------------------------

    static INTERRUPTED: AtomicBool = AtomicBool::new(false);

    extern "C" fn on_sigint(_: libc::c_int) {
        INTERRUPTED.store(true, Ordering::SeqCst);
    }

    /// Puts the terminal settings and the SIGINT disposition back however the read ends.
    struct Restore {
        termios: Option<Termios>,
        old_action: libc::sigaction,
    }

    impl Drop for Restore {
        fn drop(&mut self) {
            if let Some(termios) = &self.termios {
                // Nothing more can be done if this fails; the shell's `reset` restores echo.
                let _ = tcsetattr(io::stdin(), OptionalActions::Now, termios);
            }
            // SAFETY: `old_action` is the disposition `sigaction` returned for SIGINT in
            // `read_line`; restoring it takes no pointer but that valid one.
            let rc =
                unsafe { libc::sigaction(libc::SIGINT, &self.old_action, std::ptr::null_mut()) };
            debug_assert_eq!(rc, 0, "restoring SIGINT failed");
        }
    }

    /// Reads one line from the terminal on stdin, byte by byte so that nothing past the line
    /// is consumed, and returns it without its line end. With `echo` false, neither the text
    /// nor the Enter is shown (the caller ends the line). Ctrl-C (caught for the length of the
    /// read) returns [`ReadLineError::Interrupted`] with the terminal restored.
    pub fn read_line(echo: bool) -> Result<Vec<u8>, ReadLineError> {
        INTERRUPTED.store(false, Ordering::SeqCst);
        let old_action = catch_sigint().map_err(ReadLineError::Io)?;
        let saved = tcgetattr(io::stdin()).ok();
        let restore = Restore {
            termios: saved.clone(),
            old_action,
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
        let mut line = Vec::new();
        loop {
            // A Ctrl-C that came before this read (while the prompt was printed) counts too.
            if INTERRUPTED.load(Ordering::SeqCst) {
                drop(restore);
                return Err(ReadLineError::Interrupted);
            }
            let mut byte = [0u8; 1];
            match rustix::io::read(stdin.as_fd(), &mut byte) {
                _ if INTERRUPTED.load(Ordering::SeqCst) => {
                    drop(restore);
                    return Err(ReadLineError::Interrupted);
                }
                Ok(1) if byte[0] == b'\n' => break,
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

    /// Catches Ctrl-C for the rest of the process, so that a wait can end cleanly;
    /// [`interrupted`] tells whether one came.
    pub fn catch_interrupts() -> io::Result<()> {
        INTERRUPTED.store(false, Ordering::SeqCst);
        catch_sigint().map(drop)
    }

    pub fn interrupted() -> bool {
        INTERRUPTED.load(Ordering::SeqCst)
    }

    /// Installs the SIGINT handler for a prompt and returns the disposition it replaced.
    fn catch_sigint() -> io::Result<libc::sigaction> {
        // SAFETY: both structures are plain C data for which all-zero bytes are a valid value;
        // `sigemptyset` gets a pointer to a live `sigset_t`; `on_sigint` is an `extern "C"`
        // function that only stores to an atomic, which is async-signal-safe. No SA_RESTART:
        // the blocked read must return EINTR so that the prompt can clean up.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_sigint as *const () as libc::sighandler_t;
            action.sa_flags = 0;
            if libc::sigemptyset(&mut action.sa_mask) != 0 {
                return Err(io::Error::last_os_error());
            }
            let mut old_action: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(libc::SIGINT, &action, &mut old_action) != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(old_action)
        }
    }
}

#[cfg(windows)]
mod imp {
    use std::fs::{self, File, OpenOptions};
    use std::io::{self, Write};
    use std::os::windows::fs::OpenOptionsExt;
    use std::os::windows::io::AsRawHandle;
    use std::path::Path;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::{Duration, Instant};

    use windows_sys::Win32::Foundation::{
        ERROR_ACCESS_DENIED, ERROR_LOCK_VIOLATION, ERROR_SHARING_VIOLATION, GENERIC_READ,
        GENERIC_WRITE, HANDLE,
    };
    use windows_sys::Win32::Storage::FileSystem::{DELETE, FILE_FLAG_DELETE_ON_CLOSE};
    use windows_sys::Win32::System::Console::{
        CONSOLE_MODE, CTRL_BREAK_EVENT, CTRL_C_EVENT, ENABLE_ECHO_INPUT, ENABLE_LINE_INPUT,
        ENABLE_PROCESSED_INPUT, GetConsoleMode, ReadConsoleW, SetConsoleCtrlHandler,
        SetConsoleMode,
    };

    use super::{EditLock, Keyed, LineEditor, LockError, ReadLineError, ReplaceError};

    // ---- files -------------------------------------------------------------------------------

    /// Creates `path`, which must not exist. A new file inherits its directory's access list,
    /// which for a user profile lets only the user (and administrators) in.
    pub fn create_private(path: &Path) -> io::Result<File> {
        OpenOptions::new().write(true).create_new(true).open(path)
    }

    pub fn open_for_reading(path: &Path) -> io::Result<File> {
        File::open(path)
    }

    /// Not known from metadata on Windows (std keeps the file index unstable); callers compare
    /// canonical paths instead.
    pub fn file_identity(_meta: &fs::Metadata) -> Option<(u64, u64)> {
        None
    }

    /// Windows has no owner uid that bsr checks; access lists guard the profile.
    pub fn owner_of(_meta: &fs::Metadata) -> Option<u32> {
        None
    }

    pub fn effective_uid() -> Option<u32> {
        None
    }

    /// Windows has no unnamed files; the temporary file is named from the start.
    pub fn create_unnamed_in(_dir: &Path) -> Option<File> {
        None
    }

    pub fn name_unnamed(_file: &File, _path: &Path) -> io::Result<()> {
        Err(io::Error::from(io::ErrorKind::Unsupported))
    }

    /// The read-only attribute as a mode: `0o400` or `0o600`; there are no group or other bits
    /// to narrow.
    pub fn mode_of(meta: &fs::Metadata) -> u32 {
        if meta.permissions().readonly() {
            0o400
        } else {
            0o600
        }
    }

    pub fn set_private(_path: &Path) -> io::Result<()> {
        Ok(())
    }

    pub fn keep_owner(_file: &File, _old: &Path) {}

    /// Sets the length first, which on NTFS allocates the clusters, so a full disk fails
    /// before the old bytes are overwritten.
    pub fn reserve(file: &File, len: usize) -> io::Result<()> {
        let current = file.metadata()?.len();
        if (len as u64) > current {
            file.set_len(len as u64)?;
        }
        Ok(())
    }

    /// A directory's read-only attribute does not stop files being created in it on Windows;
    /// the access list decides, and the lock file proves it before any token is sent.
    pub fn is_writable_dir(dir: &Path) -> bool {
        fs::metadata(dir).is_ok_and(|m| m.is_dir())
    }

    // ---- the edit lock and the replacing rename ------------------------------------------

    /// Creates `<dir>\<name>.bsr-lock` open to nobody else (share mode 0) and deleted when its
    /// handle closes, whether bsr ends normally or is killed. A second run fails to open it
    /// with a sharing violation (or access denied while the deletion is pending): busy.
    pub fn try_lock(dir: &Path, name: &std::ffi::OsStr) -> Result<EditLock, LockError> {
        let mut file_name = name.to_os_string();
        file_name.push(".bsr-lock");
        let path = dir.join(file_name);
        let opened = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .access_mode(GENERIC_READ | GENERIC_WRITE | DELETE)
            .share_mode(0)
            .custom_flags(FILE_FLAG_DELETE_ON_CLOSE)
            .open(&path);
        match opened {
            Ok(handle) => Ok(EditLock { handle }),
            Err(e) if e.raw_os_error() == Some(ERROR_SHARING_VIOLATION as i32) => {
                Err(LockError::Busy)
            }
            // A lock file whose deletion is pending refuses every open with access denied;
            // a directory we may not write to refuses the same way, but then no file is there.
            Err(e)
                if e.raw_os_error() == Some(ERROR_ACCESS_DENIED as i32)
                    && !matches!(fs::symlink_metadata(&path), Err(ref m) if m.kind() == io::ErrorKind::NotFound) =>
            {
                Err(LockError::Busy)
            }
            Err(e) => Err(LockError::Io(e)),
        }
    }

    impl EditLock {
        /// Windows cannot flush a directory; `MoveFileEx` records the rename in the file
        /// system's journal (NTFS), which is what a directory fsync gives on Unix.
        pub fn sync_dir(&self) -> io::Result<()> {
            Ok(())
        }
    }

    /// How long a replace waits for a program that holds the netrc open without delete
    /// sharing (an editor, a virus scanner, a backup tool) to let go.
    const REPLACE_WAIT: Duration = Duration::from_secs(2);

    /// Renames `temp` over `target`, retrying while another program holds `target` open.
    pub fn replace(temp: &Path, target: &Path) -> Result<(), ReplaceError> {
        let deadline = Instant::now() + REPLACE_WAIT;
        let mut pause = Duration::from_millis(10);
        loop {
            match fs::rename(temp, target) {
                Ok(()) => return Ok(()),
                Err(e) if is_in_use(&e) && Instant::now() < deadline => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(200));
                }
                Err(e) if is_in_use(&e) => return Err(ReplaceError::InUse(e)),
                Err(e) => return Err(ReplaceError::Io(e)),
            }
        }
    }

    fn is_in_use(e: &io::Error) -> bool {
        [
            ERROR_ACCESS_DENIED,
            ERROR_SHARING_VIOLATION,
            ERROR_LOCK_VIOLATION,
        ]
        .iter()
        .any(|&code| e.raw_os_error() == Some(code as i32))
    }

    // ---- the process ------------------------------------------------------------------------

    pub fn stdout_was_closed() -> bool {
        false
    }

    /// Windows writes no core files, and other users' processes cannot open ours; nothing to do.
    pub fn keep_memory_private() -> io::Result<()> {
        Ok(())
    }

    // ---- console ----------------------------------------------------------------------------

    /// Puts the console mode back however the read ends.
    struct Restore {
        handle: HANDLE,
        mode: CONSOLE_MODE,
    }

    impl Drop for Restore {
        fn drop(&mut self) {
            // SAFETY: `handle` is this process's standard input console handle, valid for the
            // life of the process; the mode is the one GetConsoleMode gave for it.
            let ok = unsafe { SetConsoleMode(self.handle, self.mode) };
            debug_assert_ne!(ok, 0, "restoring the console mode failed");
        }
    }

    /// Reads one line from the console. Line input, echo and Ctrl-C processing are turned off
    /// for the read, so bsr sees every key: it echoes a visible answer itself, shows nothing
    /// of a hidden one, and reads Ctrl-C as a key (the console mode is restored before the
    /// caller exits with 130). A console whose mode cannot be changed is not asked for a
    /// hidden answer (fail closed).
    pub fn read_line(echo: bool) -> Result<Vec<u8>, ReadLineError> {
        let handle = io::stdin().as_raw_handle() as HANDLE;
        let mut original: CONSOLE_MODE = 0;
        // SAFETY: `handle` is the standard input handle std holds for the process; `original`
        // is a live CONSOLE_MODE the call writes to. A zero return means "not a console".
        if unsafe { GetConsoleMode(handle, &mut original) } == 0 {
            let error = io::Error::last_os_error();
            if !echo {
                return Err(ReadLineError::CannotHide(error));
            }
            return read_piped_line();
        }
        let raw = original & !(ENABLE_ECHO_INPUT | ENABLE_LINE_INPUT | ENABLE_PROCESSED_INPUT);
        // SAFETY: as above; `raw` is the console's own mode with three input flags cleared.
        if unsafe { SetConsoleMode(handle, raw) } == 0 {
            return Err(ReadLineError::CannotHide(io::Error::last_os_error()));
        }
        let restore = Restore {
            handle,
            mode: original,
        };
        let mut editor = LineEditor::default();
        let mut out = io::stdout();
        loop {
            let mut unit = [0u16; 1];
            let mut read = 0u32;
            // SAFETY: `unit` is a live buffer of one UTF-16 unit and the length passed is 1;
            // `read` is a live u32; no input control structure is passed (null).
            let ok = unsafe {
                ReadConsoleW(
                    handle,
                    unit.as_mut_ptr().cast(),
                    1,
                    &mut read,
                    std::ptr::null(),
                )
            };
            if ok == 0 {
                return Err(ReadLineError::Io(io::Error::last_os_error()));
            }
            if read == 0 {
                return Err(ReadLineError::EndOfInput);
            }
            match editor.feed(unit[0]) {
                Keyed::Added if echo => {
                    let mut buf = [0u8; 4];
                    let text = char::from_u32(u32::from(unit[0]))
                        .map(|c| c.encode_utf8(&mut buf).to_owned())
                        .unwrap_or_default();
                    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
                }
                Keyed::Erased if echo => {
                    let _ = out.write_all(b"\x08 \x08").and_then(|()| out.flush());
                }
                Keyed::Added | Keyed::Erased | Keyed::Nothing => {}
                Keyed::Done => {
                    if echo {
                        let _ = out.write_all(b"\r\n").and_then(|()| out.flush());
                    }
                    break;
                }
                Keyed::Interrupted => {
                    drop(restore);
                    return Err(ReadLineError::Interrupted);
                }
                Keyed::EndOfInput => return Err(ReadLineError::EndOfInput),
            }
        }
        drop(restore);
        Ok(editor.finish())
    }

    fn read_piped_line() -> Result<Vec<u8>, ReadLineError> {
        let mut line = String::new();
        match io::stdin().read_line(&mut line) {
            Ok(0) => Err(ReadLineError::EndOfInput),
            Ok(_) => Ok(line.trim_end_matches(['\r', '\n']).as_bytes().to_vec()),
            Err(e) => Err(ReadLineError::Io(e)),
        }
    }

    // ---- Ctrl-C while waiting -----------------------------------------------------------------

    static INTERRUPTED: AtomicBool = AtomicBool::new(false);

    unsafe extern "system" fn on_ctrl(kind: u32) -> i32 {
        if kind == CTRL_C_EVENT || kind == CTRL_BREAK_EVENT {
            INTERRUPTED.store(true, Ordering::SeqCst);
            1
        } else {
            0
        }
    }

    /// Catches Ctrl-C (and Ctrl-Break) for the rest of the process, so that a wait can end
    /// cleanly; [`interrupted`] tells whether one came.
    pub fn catch_interrupts() -> io::Result<()> {
        // SAFETY: `on_ctrl` is an `extern "system"` routine with the HandlerRoutine signature
        // that only stores to an atomic; it stays valid for the life of the process.
        if unsafe { SetConsoleCtrlHandler(Some(on_ctrl), 1) } == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    pub fn interrupted() -> bool {
        INTERRUPTED.load(Ordering::SeqCst)
    }
}

#[cfg(not(any(unix, windows)))]
compile_error!("bsr supports Unix-like systems and Windows");
