//! Every call into the operating system that std does not wrap: the terminal or console (echo
//! off, Ctrl-C, raw reads), the edit lock, replacing a file, file modes and preallocation,
//! effective-uid access checks, opening a file without following a link or blocking on a
//! FIFO, the descriptors a started program must not inherit, and whether standard output was
//! open when the process started.
//! Unix and Windows each have a file here (`unix.rs`, `windows.rs`) with the same functions;
//! the shared types are below. Pure logic stays outside this fence (`crate::os`,
//! `crate::line_editor`).
//!
//! The rest of the crate has `#![deny(unsafe_code)]`; the `unsafe` that remains here (a signal
//! handler, a constructor that runs before std, and `fcntl` on descriptors bsr inherited) has a `SAFETY:` comment on each block, and
//! every return code is checked. Where a guarantee cannot be had, the caller is told, never
//! assumed: a terminal whose echo cannot be turned off is reported, not used.
#![allow(unsafe_code)]

#[cfg(unix)]
mod unix;
#[cfg(unix)]
pub use unix::*;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub use windows::*;

/// The number of the signal Ctrl-C sends (Windows reports its Ctrl-C under the same number).
#[cfg(unix)]
pub const SIGINT: i32 = libc::SIGINT;
#[cfg(windows)]
pub const SIGINT: i32 = 2;

/// The longest answer a prompt reads (a token is under 100 bytes): the buffer is allocated at
/// this size once, so that no copy of a secret is left behind by a regrowth.
pub const MAX_LINE: usize = 16 * 1024;

/// Why a line could not be read from the terminal.
#[derive(Debug)]
pub enum ReadLineError {
    /// Ctrl-C, or another signal a [`SignalCatch`] catches (its number).
    Interrupted(i32),
    /// Longer than [`MAX_LINE`].
    TooLong,
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
    /// The file system cannot lock (some network shares; on Windows the lock is a file, which
    /// any file system can hold).
    #[cfg(unix)]
    Unsupported(std::io::Error),
    Io(std::io::Error),
}

/// Why a finished temporary file could not replace the netrc.
#[derive(Debug)]
pub enum ReplaceError {
    /// Another program kept the netrc open without letting it be replaced (Windows), for
    /// longer than bsr waits.
    #[cfg(windows)]
    InUse(std::io::Error),
    Io(std::io::Error),
}
#[cfg(not(any(unix, windows)))]
compile_error!("bsr supports Unix-like systems and Windows");
