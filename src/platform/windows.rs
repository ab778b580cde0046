//! The Windows half of [`crate::platform`]: console modes, Ctrl-C handlers, the lock file and
//! the replacing rename that waits for other programs.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::windows::fs::OpenOptionsExt;
use std::os::windows::io::AsRawHandle;
use std::path::Path;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Mutex, PoisonError};

use std::time::{Duration, Instant};
use zeroize::Zeroizing;

use windows_sys::Win32::Foundation::{
    ERROR_ACCESS_DENIED, ERROR_LOCK_VIOLATION, ERROR_SHARING_VIOLATION, GENERIC_READ,
    GENERIC_WRITE, HANDLE,
};
use windows_sys::Win32::Storage::FileSystem::{DELETE, FILE_FLAG_DELETE_ON_CLOSE};
use windows_sys::Win32::System::Console::{
    CONSOLE_MODE, CTRL_BREAK_EVENT, CTRL_C_EVENT, ENABLE_ECHO_INPUT, ENABLE_LINE_INPUT,
    ENABLE_PROCESSED_INPUT, GetConsoleMode, ReadConsoleW, SetConsoleCtrlHandler, SetConsoleMode,
};

use super::{EditLock, LockError, ReadLineError, ReplaceError};
use crate::line_editor::{Keyed, LineEditor};

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

pub fn set_private_open(_file: &File) -> io::Result<()> {
    Ok(())
}

/// Windows opens the link's target; the caller compares what it opened (by path, as
/// `file_identity` is not known here) with what it read.
pub fn open_for_rewrite(path: &Path) -> io::Result<File> {
    OpenOptions::new().write(true).open(path)
}

pub fn is_link_refused(_error: &io::Error) -> bool {
    false
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

/// The read-only attribute; the access list is proved by opening the file for writing.
pub fn is_writable_file(file: &Path) -> bool {
    fs::metadata(file).is_ok_and(|m| !m.permissions().readonly())
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
        Err(e) if e.raw_os_error() == Some(ERROR_SHARING_VIOLATION as i32) => Err(LockError::Busy),
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

/// Runs `command` and ends bsr with its exit status; returns only when it could not be
/// started. Ctrl-C reaches every process on the console: bsr only notes it and waits, and
/// the command decides what it means.
pub fn exec(command: &mut std::process::Command) -> io::Error {
    let _catch = match SignalCatch::install() {
        Ok(catch) => catch,
        Err(error) => return error,
    };
    match command.spawn().and_then(|mut child| child.wait()) {
        Ok(status) => std::process::exit(status.code().unwrap_or(1)),
        Err(error) => error,
    }
}

/// Handles a child gets are only the ones marked inheritable, which bsr never marks.
pub fn close_on_exec_above_stderr() -> io::Result<()> {
    Ok(())
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
pub fn read_line(echo: bool, _catch: &SignalCatch) -> Result<Zeroizing<Vec<u8>>, ReadLineError> {
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
    let mut editor = LineEditor::with_capacity(super::MAX_LINE);
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
        if editor.len() == super::MAX_LINE {
            return Err(ReadLineError::TooLong);
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
                return Err(ReadLineError::Interrupted(super::SIGINT));
            }
            Keyed::EndOfInput => return Err(ReadLineError::EndOfInput),
        }
    }
    drop(restore);
    Ok(editor.finish())
}

/// A visible answer from a stdin that is no console (a Unix terminal emulator under Wine, or
/// mintty): the console's own line editing is not there to turn off.
fn read_piped_line() -> Result<Zeroizing<Vec<u8>>, ReadLineError> {
    let mut line = Zeroizing::new(String::new());
    match io::stdin().read_line(&mut line) {
        Ok(0) => Err(ReadLineError::EndOfInput),
        Ok(_) => Ok(Zeroizing::new(
            line.trim_end_matches(['\r', '\n']).as_bytes().to_vec(),
        )),
        Err(e) => Err(ReadLineError::Io(e)),
    }
}

// ---- Ctrl-C while waiting -----------------------------------------------------------------

/// The signal number a Ctrl-C or Ctrl-Break is reported as (0: none came).
static CAUGHT: AtomicI32 = AtomicI32::new(0);

/// How many catches are alive.
static CATCHES: Mutex<usize> = Mutex::new(0);

unsafe extern "system" fn on_ctrl(kind: u32) -> i32 {
    if kind == CTRL_C_EVENT || kind == CTRL_BREAK_EVENT {
        let _ = CAUGHT.compare_exchange(0, super::SIGINT, Ordering::SeqCst, Ordering::SeqCst);
        1
    } else {
        0
    }
}

/// Ctrl-C (and Ctrl-Break) caught for as long as the value lives; catches nest, and the last
/// one dropped removes the handler, so that Ctrl-C ends the process again.
#[derive(Debug)]
pub struct SignalCatch {
    _private: (),
}

impl SignalCatch {
    pub fn install() -> io::Result<SignalCatch> {
        let mut catches = CATCHES.lock().unwrap_or_else(PoisonError::into_inner);
        if *catches == 0 {
            CAUGHT.store(0, Ordering::SeqCst);
            // SAFETY: `on_ctrl` is an `extern "system"` routine with the HandlerRoutine
            // signature that only touches an atomic; it stays valid for the life of the process.
            if unsafe { SetConsoleCtrlHandler(Some(on_ctrl), 1) } == 0 {
                return Err(io::Error::last_os_error());
            }
        }
        *catches += 1;
        Ok(SignalCatch { _private: () })
    }

    pub fn caught(&self) -> Option<i32> {
        Some(CAUGHT.load(Ordering::SeqCst)).filter(|&s| s != 0)
    }
}

impl Drop for SignalCatch {
    fn drop(&mut self) {
        let mut catches = CATCHES.lock().unwrap_or_else(PoisonError::into_inner);
        *catches -= 1;
        if *catches == 0 {
            // SAFETY: removes the routine `install` added; no pointer but that one is passed.
            let ok = unsafe { SetConsoleCtrlHandler(Some(on_ctrl), 0) };
            debug_assert_ne!(ok, 0, "removing the console control handler failed");
        }
    }
}

/// Windows has no signal to re-raise: exit with the status a Unix shell would show.
pub fn end_by_signal(signal: i32) -> ! {
    std::process::exit(128 + signal)
}
