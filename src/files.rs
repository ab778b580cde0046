//! Reading a file that someone else may have chosen or planted: only a regular file, opened
//! without blocking (a FIFO with no writer would hang an ordinary open), and at most a cap of
//! bytes (`/dev/zero` or a sparse 1 GiB file would otherwise fill memory). The netrc, Buf's
//! `config.yaml` and every trust root file are read through [`read_regular_file`].

use std::fs;
use std::io;
use std::path::Path;

use thiserror::Error;

use crate::platform::open_for_reading;

/// Why a file was not read. The caller names the file.
#[derive(Debug, Error)]
pub enum ReadFileError {
    #[error("it is a directory")]
    IsDirectory,
    #[error("it is not a regular file (a FIFO, a device or a socket), so bsr does not read it")]
    NotRegularFile,
    #[error("it is {size} bytes, more than the {} bsr reads from such a file", human(*.cap))]
    TooLarge { size: u64, cap: u64 },
    #[error(transparent)]
    Io(#[from] io::Error),
}

impl ReadFileError {
    /// Whether the file is simply not there.
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadFileError::Io(e) if e.kind() == io::ErrorKind::NotFound)
    }
}

/// Reads `path` (links followed) if it is a regular file of at most `cap` bytes, and returns
/// its bytes with the metadata of the file that was actually open.
pub fn read_regular_file(path: &Path, cap: u64) -> Result<(Vec<u8>, fs::Metadata), ReadFileError> {
    // Judged before opening, so that a device is never opened at all.
    let meta = fs::metadata(path)?;
    if meta.is_dir() {
        return Err(ReadFileError::IsDirectory);
    }
    if !meta.is_file() {
        return Err(ReadFileError::NotRegularFile);
    }
    let file = open_for_reading(path)?;
    // The file may have been swapped since `metadata`: judge the one that is open.
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(ReadFileError::NotRegularFile);
    }
    if meta.len() > cap {
        return Err(ReadFileError::TooLarge {
            size: meta.len(),
            cap,
        });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // `take`: a file that grows while it is read still stops at the cap.
    io::Read::read_to_end(&mut io::Read::take(&file, cap + 1), &mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(ReadFileError::TooLarge {
            size: bytes.len() as u64,
            cap,
        });
    }
    Ok((bytes, meta))
}

fn human(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 && bytes.is_multiple_of(1 << 10) {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_under_the_cap_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        fs::write(&file, b"12345").unwrap();
        assert_eq!(read_regular_file(&file, 5).unwrap().0, b"12345");
        let error = read_regular_file(&file, 4).unwrap_err();
        assert_eq!(
            error.to_string(),
            "it is 5 bytes, more than the 4 bytes bsr reads from such a file"
        );
        assert!(matches!(
            read_regular_file(dir.path(), 5),
            Err(ReadFileError::IsDirectory)
        ));
        assert!(
            read_regular_file(&dir.path().join("none"), 5)
                .unwrap_err()
                .is_not_found()
        );
        #[cfg(unix)]
        assert!(matches!(
            read_regular_file(Path::new("/dev/zero"), 1 << 20),
            Err(ReadFileError::NotRegularFile)
        ));
        assert_eq!(human(64 * 1024), "64 KiB");
        assert_eq!(human(16 << 20), "16 MiB");
    }
}
