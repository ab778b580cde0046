//! Where the netrc lives and how it is changed without ever leaving it half-written.
//!
//! Every edit runs under an exclusive lock: an `flock` on the file's directory on Unix (the file
//! itself may not exist yet, and it is replaced by rename, so its inode is no stable thing to
//! lock), a delete-on-close lock file beside it on Windows. The new content goes to a temporary
//! file beside the netrc, created `0600`, is fsynced and renamed over the old file, and the
//! directory is fsynced. The system drops the lock when a process dies, so a killed run never
//! blocks the next one; temporary files carry a known prefix, so the next run sweeps away
//! whatever a killed one left.

use std::ffi::{OsStr, OsString};
use std::fs::{self, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::files::{ReadFileError, read_regular_file};
use crate::netrc::{NetrcDocument, SyntaxError};
use crate::os::Os;
use crate::platform::{
    EditLock, LockError, ReplaceError, create_private, create_unnamed_in, effective_uid,
    file_identity, is_link_refused, is_writable_dir, is_writable_file, keep_owner, mode_of,
    name_unnamed, open_for_rewrite, owner_of, replace, reserve, set_private, set_private_open,
    try_lock,
};

/// The largest netrc bsr reads: 16 MiB, over 150,000 entries (the engine is linear and handles
/// that in about a tenth of a second); a file larger than that is not a netrc.
pub const MAX_NETRC_BYTES: u64 = 16 * 1024 * 1024;

/// The inputs that decide where the netrc is, so that [`netrc_path`] stays a pure function.
#[derive(Debug, Clone, Default)]
pub struct PathEnv {
    /// `$NETRC`.
    pub netrc: Option<OsString>,
    /// `$HOME`.
    pub home: Option<OsString>,
    /// `%USERPROFILE%`, the home Buf and Go use on Windows.
    pub user_profile: Option<OsString>,
    /// The platform's idea of the home directory, used when `$HOME` is unset or empty.
    pub platform_home: Option<PathBuf>,
}

/// Where the netrc is: `$NETRC` if set and non-empty, else `.netrc` in `$HOME` on Unix, and
/// `_netrc` in `%USERPROFILE%` on Windows (where Buf and the `go` command look; `%HOME%` only
/// when `%USERPROFILE%` is unset), failing those in the platform's home directory.
pub fn netrc_path(env: &PathEnv, os: Os) -> Result<PathBuf, StoreError> {
    let non_empty = |v: &Option<OsString>| v.clone().filter(|v| !v.is_empty());
    if let Some(netrc) = non_empty(&env.netrc) {
        return Ok(PathBuf::from(netrc));
    }
    let home = match os {
        Os::Unix => non_empty(&env.home),
        Os::Windows => non_empty(&env.user_profile).or_else(|| non_empty(&env.home)),
    };
    let home = home
        .or_else(|| env.platform_home.clone().map(PathBuf::into_os_string))
        .filter(|home| !home.is_empty())
        .ok_or(StoreError::NoHome)?;
    // Joined by hand with the target's separator, so both platforms are testable anywhere.
    let (separator, name) = match os {
        Os::Unix => ("/", ".netrc"),
        Os::Windows => ("\\", "_netrc"),
    };
    let mut path = home;
    let text = path.to_string_lossy();
    let has_separator = text.ends_with('/') || (os == Os::Windows && text.ends_with('\\'));
    if !has_separator {
        path.push(separator);
    }
    path.push(name);
    Ok(PathBuf::from(path))
}

/// How an edit reached the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// The edit changed nothing; the file was not rewritten (or created).
    Unchanged,
    /// Written to a temporary file and renamed over the old one.
    Atomically,
    /// No temporary file could be created beside the netrc (a read-only directory holding a
    /// writable file), so the file was rewritten in place. A crash during this write could have
    /// left it partial; callers say so.
    InPlace,
}

/// What [`NetrcFile::edit`] did besides the edit itself.
#[derive(Debug)]
pub struct EditReport<T> {
    /// What the edit function returned.
    pub value: T,
    pub written: Written,
    /// The old mode when the file was readable or writable by group or others and has been
    /// narrowed to `0600`.
    pub narrowed_from: Option<u32>,
}

/// Failures of finding, reading, locking and writing the netrc. Each names the file.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error(
        "cannot find the netrc file: HOME is not set and the home directory is unknown; set NETRC to the file's path"
    )]
    NoHome,
    #[error("cannot edit {path}: {source}; the file was left untouched")]
    Syntax {
        path: PathBuf,
        #[source]
        source: SyntaxError,
    },
    #[error("{path} is a directory, not a netrc file")]
    IsDirectory { path: PathBuf },
    #[error("{path} is not a regular file, so bsr will not read or rewrite it")]
    NotRegularFile { path: PathBuf },
    #[error(
        "{path} is {size} bytes, more than the 16 MiB bsr reads; a netrc is far smaller, so check that NETRC names the right file"
    )]
    TooLarge { path: PathBuf, size: u64 },
    #[cfg_attr(
        unix,
        error("{path} is read-only; make it writable (chmod u+w) and try again")
    )]
    #[cfg_attr(
        windows,
        error("{path} is read-only; clear its read-only attribute (attrib -r) and try again")
    )]
    ReadOnly { path: PathBuf },
    #[error("the directory {dir} for {path} does not exist")]
    MissingDirectory { path: PathBuf, dir: PathBuf },
    #[error("cannot write {path}: the directory {dir} is not writable")]
    DirectoryNotWritable { path: PathBuf, dir: PathBuf },
    #[error("no space left on the device holding {path}; the file was left unchanged")]
    DiskFull { path: PathBuf },
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot write {path}: {source}; the file was left unchanged")]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(
        "{path} is {what} owned by another user (uid {owner}); bsr only follows and writes what belongs to you (or to root), so that nobody can redirect your token"
    )]
    ForeignOwner {
        path: PathBuf,
        what: &'static str,
        owner: u32,
    },
    #[error(
        "{dir} stayed locked for {seconds} s, so {path} could not be edited; another bsr may be running, or another process holds a lock on that directory: try again"
    )]
    LockTimeout {
        path: PathBuf,
        dir: PathBuf,
        seconds: u64,
    },
    #[error("cannot create the temporary file {temp} beside {path}: {source}")]
    TempFile {
        path: PathBuf,
        temp: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(
        "rewriting {path} in place failed part way ({source}); the file may be incomplete, so check it before using it"
    )]
    InPlaceFailed {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(
        "cannot lock {dir} to edit {path}: its file system does not support locks ({source}); set NETRC to a file on a local disk"
    )]
    LockUnsupported {
        path: PathBuf,
        dir: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(
        "cannot replace {path}: another program keeps it open ({source}); close that program and try again; the file was left unchanged"
    )]
    InUse {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(
        "{path} was replaced by another file or a link while bsr was editing it, so it was not written; check who else can rename files in its directory"
    )]
    Swapped { path: PathBuf },
    #[error("cannot lock {path} for editing: {source}")]
    Lock {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// The user's netrc file.
#[derive(Debug, Clone)]
pub struct NetrcFile {
    path: PathBuf,
}

impl NetrcFile {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        NetrcFile { path: path.into() }
    }

    /// The path as the user knows it (before following symbolic links), for messages.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads and parses the file; `None` when it does not exist. Needs no lock: writers replace
    /// the file by rename, so a reader sees the old or the new content whole.
    pub fn read(&self) -> Result<Option<NetrcDocument>, StoreError> {
        let target = self.resolve()?;
        match self.read_existing(&target)? {
            None => Ok(None),
            Some((bytes, _)) => self.parse(bytes).map(Some),
        }
    }

    /// Like [`read`](Self::read), also giving the file's permission bits (`None` for what is
    /// not a regular file, such as `/dev/null`), taken from the same look at the file.
    pub fn read_with_mode(&self) -> Result<Option<(NetrcDocument, Option<u32>)>, StoreError> {
        let target = self.resolve()?;
        match self.read_existing(&target)? {
            None => Ok(None),
            Some((bytes, meta)) => {
                let mode = meta.is_file().then(|| mode_of(&meta));
                Ok(Some((self.parse(bytes)?, mode)))
            }
        }
    }

    /// Checks, without changing anything, that an edit could be written: the file is a
    /// writable regular file, or it does not exist and its directory is writable. `login` calls
    /// this before the token leaves the machine.
    pub fn check_writable(&self) -> Result<(), StoreError> {
        self.check_writable_waiting(&mut |_| Ok(()))
    }

    /// [`NetrcFile::check_writable`], with `waiting` called while another process holds the
    /// lock, as in [`NetrcFile::edit_waiting`].
    pub fn check_writable_waiting<E: From<StoreError>>(
        &self,
        waiting: &mut dyn FnMut(std::time::Duration) -> Result<(), E>,
    ) -> Result<(), E> {
        let target = self.resolve()?;
        // The lock must be takeable now, not only after the registry has seen the token.
        if let Ok(meta) = fs::metadata(parent_dir(&target))
            && meta.is_dir()
        {
            drop(self.lock(parent_dir(&target), waiting)?);
        }
        Ok(self.check_file(&target)?)
    }

    fn check_file(&self, target: &Path) -> Result<(), StoreError> {
        match fs::metadata(target) {
            Ok(meta) => {
                self.check_kind(&meta)?;
                if meta.permissions().readonly() || !is_writable_file(target) {
                    return Err(StoreError::ReadOnly {
                        path: self.path.clone(),
                    });
                }
                OpenOptions::new()
                    .write(true)
                    .open(target)
                    .map(drop)
                    .map_err(|source| self.write_error(source))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let dir = parent_dir(target);
                match fs::metadata(dir) {
                    Ok(meta) if meta.is_dir() => {
                        if is_writable_dir(dir) {
                            Ok(())
                        } else {
                            Err(StoreError::DirectoryNotWritable {
                                path: self.path.clone(),
                                dir: dir.to_path_buf(),
                            })
                        }
                    }
                    _ => Err(StoreError::MissingDirectory {
                        path: self.path.clone(),
                        dir: dir.to_path_buf(),
                    }),
                }
            }
            Err(source) => Err(StoreError::Read {
                path: self.path.clone(),
                source,
            }),
        }
    }

    /// Locks the file, parses it (an empty document when it does not exist), runs `edit` on it
    /// and, if the bytes changed, writes the result safely. A file that does not exist is only
    /// created when the edit adds something. An existing file that group or others can access
    /// is narrowed to `0600`.
    pub fn edit<T, E>(
        &self,
        edit: impl FnOnce(&mut NetrcDocument) -> Result<T, E>,
    ) -> Result<EditReport<T>, E>
    where
        E: From<StoreError>,
    {
        self.edit_waiting(&mut |_| Ok(()), edit)
    }

    /// [`NetrcFile::edit`], calling `waiting` with the time waited so far every few
    /// milliseconds while another process holds the lock: it may say so, or end the wait with
    /// an error (Ctrl-C), and then nothing is written.
    pub fn edit_waiting<T, E>(
        &self,
        waiting: &mut dyn FnMut(std::time::Duration) -> Result<(), E>,
        edit: impl FnOnce(&mut NetrcDocument) -> Result<T, E>,
    ) -> Result<EditReport<T>, E>
    where
        E: From<StoreError>,
    {
        let target = self.resolve()?;
        let dir = parent_dir(&target);
        let lock = self.lock(dir, waiting)?;

        let existing = self.read_existing(&target)?;
        let (bytes, meta) = match existing {
            Some((bytes, meta)) => (bytes, Some(meta)),
            None => (Vec::new(), None),
        };
        // Only a regular file is ever narrowed or rewritten (`NETRC=/dev/null` is common).
        let mode = meta.as_ref().filter(|meta| meta.is_file()).map(mode_of);
        let mut document = self.parse(bytes)?;
        let value = edit(&mut document)?;
        let narrowed_from = mode.filter(|mode| mode & 0o077 != 0);

        if !document.is_modified() {
            if narrowed_from.is_some() {
                set_private(&target).map_err(|source| self.write_error(source))?;
            }
            return Ok(EditReport {
                value,
                written: Written::Unchanged,
                narrowed_from,
            });
        }
        if let Some(meta) = &meta {
            self.check_kind(meta)?;
        }
        // Read-only is what the kernel says for this user, as login's early check judges it:
        // a `0460` file of one's own is not replaced by logout either.
        if mode.is_some_and(|mode| mode & 0o222 == 0)
            || (mode.is_some() && !is_writable_file(&target))
        {
            return Err(StoreError::ReadOnly {
                path: self.path.clone(),
            }
            .into());
        }
        let identity = meta.as_ref().and_then(file_identity);
        let written = self.write(&target, dir, &lock, &document, identity, mode.is_some())?;
        Ok(EditReport {
            value,
            written,
            narrowed_from,
        })
    }

    fn parse(&self, bytes: Vec<u8>) -> Result<NetrcDocument, StoreError> {
        NetrcDocument::parse(bytes).map_err(|source| StoreError::Syntax {
            path: self.path.clone(),
            source,
        })
    }

    /// Follows symbolic links so that the link stays and its target is rewritten, refusing
    /// a link or a file that belongs to another user (ssh's rule for its config files): in a
    /// shared directory such as /tmp, someone else's link could send the token into their
    /// file or into another file of yours.
    fn resolve(&self) -> Result<PathBuf, StoreError> {
        let mut path = self.path.clone();
        for _ in 0..40 {
            // `/dev/stdout` leads to `/proc/self/fd/1` (`/dev/fd/1` on macOS), whatever file
            // that is (an unlinked one, someone else's); nothing under /proc is a netrc.
            if names_a_descriptor(&path) {
                return Err(StoreError::NotRegularFile {
                    path: self.path.clone(),
                });
            }
            // A link among the directories on the way is followed by the kernel: it must be
            // trusted as the last component's link is.
            for dir in path.ancestors().skip(1) {
                if let Ok(meta) = fs::symlink_metadata(dir)
                    && meta.file_type().is_symlink()
                {
                    self.check_owner(dir, &meta, "a symbolic link")?;
                }
            }
            match fs::symlink_metadata(&path) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    self.check_owner(&path, &meta, "a symbolic link")?;
                    let link = fs::read_link(&path).map_err(|source| self.read_error(source))?;
                    path = parent_dir(&path).join(link);
                }
                Ok(meta) => {
                    if meta.is_file() {
                        self.check_owner(&path, &meta, "a file")?;
                    }
                    return Ok(path);
                }
                _ => return Ok(path),
            }
        }
        Err(self.read_error(io::Error::other("too many levels of symbolic links")))
    }

    /// Allows what the process's user or root owns, and (for root editing a user's file, as
    /// with `sudo` keeping HOME) a file, never a link, that the owner of its directory owns:
    /// root following a user's link would write wherever the user points it, root's own files
    /// included (`fs.protected_symlinks` refuses the same in sticky directories).
    fn check_owner(
        &self,
        path: &Path,
        meta: &fs::Metadata,
        what: &'static str,
    ) -> Result<(), StoreError> {
        let (Some(owner), Some(me)) = (owner_of(meta), effective_uid()) else {
            return Ok(());
        };
        let dir_owner = fs::metadata(parent_dir(path))
            .ok()
            .and_then(|m| owner_of(&m));
        let link = meta.file_type().is_symlink();
        if owner == me || owner == 0 || (me == 0 && !link && Some(owner) == dir_owner) {
            return Ok(());
        }
        Err(StoreError::ForeignOwner {
            path: path.to_path_buf(),
            what,
            owner,
        })
    }

    fn lock<E: From<StoreError>>(
        &self,
        dir: &Path,
        waiting: &mut dyn FnMut(std::time::Duration) -> Result<(), E>,
    ) -> Result<EditLock, E> {
        let name = self.path.file_name().unwrap_or(OsStr::new("netrc"));
        // Bounded: anyone who can open a 0755 home can lock it, and must not be able to make
        // bsr wait forever.
        let started = std::time::Instant::now();
        let deadline = started + LOCK_WAIT;
        loop {
            match try_lock(dir, name) {
                Ok(lock) => return Ok(lock),
                Err(LockError::Busy) if std::time::Instant::now() < deadline => {
                    waiting(started.elapsed())?;
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(LockError::Busy) => {
                    return Err(StoreError::LockTimeout {
                        path: self.path.clone(),
                        dir: dir.to_path_buf(),
                        seconds: LOCK_WAIT.as_secs(),
                    }
                    .into());
                }
                #[cfg(unix)]
                Err(LockError::Unsupported(source)) => {
                    return Err(StoreError::LockUnsupported {
                        path: self.path.clone(),
                        dir: dir.to_path_buf(),
                        source,
                    }
                    .into());
                }
                Err(LockError::Io(source)) if source.kind() == io::ErrorKind::NotFound => {
                    return Err(StoreError::MissingDirectory {
                        path: self.path.clone(),
                        dir: dir.to_path_buf(),
                    }
                    .into());
                }
                Err(LockError::Io(source)) => {
                    return Err(StoreError::Lock {
                        path: self.path.clone(),
                        source,
                    }
                    .into());
                }
            }
        }
    }

    fn check_kind(&self, meta: &fs::Metadata) -> Result<(), StoreError> {
        if meta.is_dir() {
            Err(StoreError::IsDirectory {
                path: self.path.clone(),
            })
        } else if !meta.is_file() {
            Err(StoreError::NotRegularFile {
                path: self.path.clone(),
            })
        } else {
            Ok(())
        }
    }

    fn write(
        &self,
        target: &Path,
        dir: &Path,
        lock: &EditLock,
        document: &NetrcDocument,
        identity: Option<(u64, u64)>,
        exists: bool,
    ) -> Result<Written, StoreError> {
        // A run killed mid-write may have left a temporary file; we hold the lock, so any of
        // ours is stale.
        sweep_stale_temps(target);
        let temp = temp_path(target);
        // On Linux the new content is written to a file with no name, named only once it is
        // complete (just before the rename), so a kill leaves nothing behind.
        let unnamed = create_unnamed_in(dir);
        let named = unnamed.is_some();
        let created = match unnamed {
            Some(file) => Ok(file),
            None => create_private(&temp),
        };
        let mut file = match created {
            Ok(file) => file,
            Err(e) if exists && is_permission_error(&e) => {
                self.write_in_place(target, document, identity)?;
                return Ok(Written::InPlace);
            }
            Err(e) if is_permission_error(&e) => {
                return Err(StoreError::DirectoryNotWritable {
                    path: self.path.clone(),
                    dir: dir.to_path_buf(),
                });
            }
            Err(source) => {
                return Err(StoreError::TempFile {
                    path: self.path.clone(),
                    temp,
                    source,
                });
            }
        };
        let result = (|| {
            let mut writer = BufWriter::with_capacity(64 * 1024, &mut file);
            document.write_to(&mut writer)?;
            writer.flush()?;
            drop(writer);
            keep_owner(&file, target);
            file.sync_all()?;
            if named {
                name_unnamed(&file, &temp)?;
            }
            drop(file);
            Ok(())
        })();
        let result = result
            .map_err(ReplaceError::Io)
            .and_then(|()| replace(&temp, target));
        if let Err(error) = result {
            let _ = fs::remove_file(&temp);
            return Err(match error {
                #[cfg(windows)]
                ReplaceError::InUse(source) => StoreError::InUse {
                    path: self.path.clone(),
                    source,
                },
                ReplaceError::Io(source) => self.write_error(source),
            });
        }
        // The rename is done; a failed directory fsync cannot be undone and only matters for
        // a power cut, so it is not reported as a failed write.
        let _ = lock.sync_dir();
        Ok(Written::Atomically)
    }

    /// Rewrites the file that was read, in place. It is opened without following a link and
    /// must be the same file (device and inode) that was read: whoever can rename in the
    /// directory could otherwise have swapped in a link to a file of theirs since.
    fn write_in_place(
        &self,
        target: &Path,
        document: &NetrcDocument,
        identity: Option<(u64, u64)>,
    ) -> Result<(), StoreError> {
        let swapped = || StoreError::Swapped {
            path: self.path.clone(),
        };
        let mut file = open_for_rewrite(target).map_err(|source| {
            if is_link_refused(&source) {
                swapped()
            } else {
                self.write_error(source)
            }
        })?;
        let now = file.metadata().map_err(|source| self.write_error(source))?;
        if !now.is_file() || file_identity(&now) != identity {
            return Err(swapped());
        }
        // Reserve the space first, so that a full disk fails before the old bytes are touched.
        let len = document.rendered_len();
        reserve(&file, len).map_err(|source| self.write_error(source))?;
        // From the first byte on, the old content is being overwritten: a failure now must
        // not claim the file was left unchanged.
        (|| {
            let mut writer = BufWriter::with_capacity(64 * 1024, &mut file);
            document.write_to(&mut writer)?;
            writer.flush()?;
            drop(writer);
            file.set_len(len as u64)?;
            file.sync_all()?;
            set_private_open(&file)
        })()
        .map_err(|source| StoreError::InPlaceFailed {
            path: self.path.clone(),
            source,
        })
    }

    /// Reads the netrc: only a regular file (opened without blocking, so a FIFO cannot hang
    /// bsr) of at most [`MAX_NETRC_BYTES`]; `/dev/null` reads as empty, as `NETRC=/dev/null`
    /// means "no credentials" to every tool.
    fn read_existing(&self, target: &Path) -> Result<Option<(Vec<u8>, fs::Metadata)>, StoreError> {
        match read_regular_file(target, MAX_NETRC_BYTES) {
            Ok(read) => Ok(Some(read)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(ReadFileError::IsDirectory) => Err(StoreError::IsDirectory {
                path: self.path.clone(),
            }),
            Err(ReadFileError::NotRegularFile) if target == Path::new("/dev/null") => {
                let meta = fs::metadata(target).map_err(|source| self.read_error(source))?;
                Ok(Some((Vec::new(), meta)))
            }
            Err(ReadFileError::NotRegularFile) => Err(StoreError::NotRegularFile {
                path: self.path.clone(),
            }),
            Err(ReadFileError::TooLarge { size, .. }) => Err(StoreError::TooLarge {
                path: self.path.clone(),
                size,
            }),
            Err(ReadFileError::Io(source)) => Err(self.read_error(source)),
        }
    }

    fn read_error(&self, source: io::Error) -> StoreError {
        StoreError::Read {
            path: self.path.clone(),
            source,
        }
    }

    fn write_error(&self, source: io::Error) -> StoreError {
        let path = self.path.clone();
        match source.kind() {
            io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => {
                StoreError::DiskFull { path }
            }
            io::ErrorKind::IsADirectory => StoreError::IsDirectory { path },
            _ => StoreError::Write { path, source },
        }
    }
}

/// Whether `path` lies under /proc or /dev/fd (macOS's descriptor file system, where
/// `/dev/stdout` leads): as written (also where /proc is not mounted, so that nothing is ever
/// created there), or its directory with links resolved.
fn names_a_descriptor(path: &Path) -> bool {
    let special = |path: &Path| path.starts_with("/proc") || path.starts_with("/dev/fd");
    cfg!(unix) && (special(path) || fs::canonicalize(parent_dir(path)).is_ok_and(|d| special(&d)))
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// How long bsr waits for the directory lock before giving up.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// The prefix of every temporary file for `target`: `<name>.bsr-tmp.`.
fn temp_prefix(target: &Path) -> std::ffi::OsString {
    let mut prefix = target
        .file_name()
        .unwrap_or(OsStr::new("netrc"))
        .to_os_string();
    prefix.push(".bsr-tmp.");
    prefix
}

/// A temporary file name beside `target` that nobody can guess: a planted file at a fixed
/// name would otherwise make every login fail.
fn temp_path(target: &Path) -> PathBuf {
    use std::hash::{BuildHasher, Hasher};
    // The standard library seeds each RandomState from the operating system.
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    let mut name = temp_prefix(target);
    name.push(format!("{:016x}", hasher.finish()));
    parent_dir(target).join(name)
}

/// Removes temporary files a killed run of ours left beside `target` (never another user's).
fn sweep_stale_temps(target: &Path) {
    let prefix = temp_prefix(target);
    let prefix = prefix.as_encoded_bytes();
    let Ok(entries) = fs::read_dir(parent_dir(target)) else {
        return;
    };
    let me = effective_uid();
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.as_encoded_bytes().starts_with(prefix) {
            continue;
        }
        let ours = entry
            .metadata()
            .is_ok_and(|m| m.is_file() && (me.is_none() || owner_of(&m) == me));
        if ours {
            let _ = fs::remove_file(entry.path());
        }
    }
}

fn is_permission_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(netrc: Option<&str>, home: Option<&str>, platform_home: Option<&str>) -> PathEnv {
        PathEnv {
            netrc: netrc.map(OsString::from),
            home: home.map(OsString::from),
            user_profile: None,
            platform_home: platform_home.map(PathBuf::from),
        }
    }

    #[test]
    fn netrc_variable_wins() {
        let path = netrc_path(&env(Some("/x/my-netrc"), Some("/home/a"), None), Os::Unix);
        assert_eq!(path.unwrap(), PathBuf::from("/x/my-netrc"));
    }

    #[test]
    fn empty_netrc_variable_is_ignored() {
        let path = netrc_path(&env(Some(""), Some("/home/a"), None), Os::Unix);
        assert_eq!(path.unwrap(), PathBuf::from("/home/a/.netrc"));
    }

    #[test]
    fn home_then_platform_home() {
        let from_home = netrc_path(&env(None, Some("/home/a/"), Some("/p")), Os::Unix);
        assert_eq!(from_home.unwrap(), PathBuf::from("/home/a/.netrc"));
        let from_platform = netrc_path(&env(None, Some(""), Some("/p")), Os::Unix);
        assert_eq!(from_platform.unwrap(), PathBuf::from("/p/.netrc"));
    }

    #[test]
    fn windows_uses_underscore_netrc() {
        let path = netrc_path(&env(None, Some(r"C:\Users\ann"), None), Os::Windows);
        assert_eq!(path.unwrap(), PathBuf::from(r"C:\Users\ann\_netrc"));
        let trailing = netrc_path(&env(None, Some(r"C:\Users\ann\"), None), Os::Windows);
        assert_eq!(trailing.unwrap(), PathBuf::from(r"C:\Users\ann\_netrc"));
    }

    #[test]
    fn windows_prefers_the_user_profile_as_buf_does() {
        let mut both = env(None, Some(r"D:\msys\home\ann"), Some(r"C:\p"));
        both.user_profile = Some(OsString::from(r"C:\Users\ann"));
        let path = netrc_path(&both, Os::Windows).unwrap();
        assert_eq!(path, PathBuf::from(r"C:\Users\ann\_netrc"));
        // Unix ignores it; Windows without it falls back to HOME.
        assert_eq!(
            netrc_path(&both, Os::Unix).unwrap(),
            PathBuf::from(r"D:\msys\home\ann/.netrc")
        );
        both.user_profile = None;
        let path = netrc_path(&both, Os::Windows).unwrap();
        assert_eq!(path, PathBuf::from(r"D:\msys\home\ann\_netrc"));
    }

    #[test]
    fn no_home_at_all_is_an_error() {
        let err = netrc_path(&env(None, None, None), Os::Unix).unwrap_err();
        assert!(matches!(err, StoreError::NoHome));
        assert!(err.to_string().contains("set NETRC"));
    }

    // ---- the edit lock and the replace, on real files (also run under Wine by CI) ----------

    use crate::netrc::{EditError, Lookup};
    use crate::secret::Token;

    #[derive(Debug)]
    enum TestError {
        #[allow(dead_code)]
        Store(StoreError),
        #[allow(dead_code)]
        Edit(EditError),
    }
    impl From<StoreError> for TestError {
        fn from(e: StoreError) -> Self {
            TestError::Store(e)
        }
    }

    fn set(file: &NetrcFile, host: &str) -> Result<EditReport<()>, TestError> {
        file.edit(|doc| {
            doc.set_machine(host, "ann", &Token::new("t0k3n"))
                .map_err(TestError::Edit)
        })
    }

    #[test]
    fn concurrent_edits_lose_nothing_and_leave_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("netrc");
        fs::write(
            &path,
            "# keep me\nmachine other.example login o password p\n",
        )
        .unwrap();
        let threads: Vec<_> = (0..8)
            .map(|i| {
                let file = NetrcFile::new(&path);
                std::thread::spawn(move || {
                    for round in 0..3 {
                        set(&file, &format!("host{i}-{round}.example")).unwrap();
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        let document = NetrcFile::new(&path).read().unwrap().unwrap();
        for i in 0..8 {
            for round in 0..3 {
                let host = format!("host{i}-{round}.example");
                assert!(
                    matches!(document.lookup(&host), Lookup::Machine(_)),
                    "{host} was lost"
                );
            }
        }
        assert!(
            document
                .source()
                .starts_with(b"# keep me\nmachine other.example")
        );
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, [OsString::from("netrc")], "stray files were left");
    }

    #[test]
    fn the_lock_is_exclusive_until_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let name = OsStr::new("netrc");
        let first = try_lock(dir.path(), name).unwrap();
        assert!(matches!(try_lock(dir.path(), name), Err(LockError::Busy)));
        drop(first);
        let again = try_lock(dir.path(), name);
        assert!(again.is_ok(), "{again:?}");
        drop(again);
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            0,
            "the lock left a file"
        );
    }

    #[cfg(windows)]
    fn hold_without_delete_sharing(path: &Path) -> fs::File {
        use std::os::windows::fs::OpenOptionsExt;
        // FILE_SHARE_READ only: as an editor or scanner that keeps the file open.
        OpenOptions::new()
            .read(true)
            .share_mode(windows_sys::Win32::Storage::FileSystem::FILE_SHARE_READ)
            .open(path)
            .unwrap()
    }

    #[cfg(windows)]
    #[test]
    fn replace_waits_for_a_program_that_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("_netrc");
        fs::write(&path, "machine a login b password c\n").unwrap();
        let holder = hold_without_delete_sharing(&path);
        let release = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(300));
            drop(holder);
        });
        let report = set(&NetrcFile::new(&path), "buf.build").unwrap();
        release.join().unwrap();
        assert_eq!(report.written, Written::Atomically);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("machine a login b password c\n"), "{text}");
        assert!(text.contains("machine buf.build"), "{text}");
    }

    #[cfg(windows)]
    #[test]
    fn replace_gives_up_on_a_program_that_holds_on_and_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("_netrc");
        let old = "machine a login b password c\n";
        fs::write(&path, old).unwrap();
        let holder = hold_without_delete_sharing(&path);
        let error = set(&NetrcFile::new(&path), "buf.build").unwrap_err();
        drop(holder);
        let TestError::Store(error) = error else {
            panic!("{error:?}")
        };
        assert!(matches!(error, StoreError::InUse { .. }), "{error:?}");
        assert!(error.to_string().contains("another program keeps it open"));
        assert_eq!(fs::read_to_string(&path).unwrap(), old);
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "stray files were left"
        );
    }
}
