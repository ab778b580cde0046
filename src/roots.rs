//! The system's trusted roots, loaded as curl loads them: the bundle file when there is one, a
//! directory only when there is no bundle or `SSL_CERT_DIR` names one, and each certificate
//! once. (Debian's `/etc/ssl/certs` holds every certificate twice, as a `.pem` link and a hash
//! link, next to the bundle that already has them all: reading the directory as well cost
//! about 5 ms of CPU on every HTTPS login.) macOS and Windows keep their own trust stores,
//! asked through `rustls-native-certs`, unless `SSL_CERT_FILE` or `SSL_CERT_DIR` is set.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use base64::Engine;

use crate::files::{ReadFileError, read_regular_file};
use crate::platform::file_identity;

/// The largest trust file bsr reads: a bundle of every public root is about 220 KB, so 8 MiB
/// leaves room for any private collection and still stops `/dev/zero` or a sparse file.
pub const MAX_TRUST_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// `SSL_CERT_FILE` and `SSL_CERT_DIR`, from the environment snapshot.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CertEnv {
    pub file: Option<PathBuf>,
    /// One or more directories, separated as `PATH` is.
    pub dir: Option<std::ffi::OsString>,
}

/// Where Unix-like systems keep the bundle, in the order OpenSSL's probes try them.
const BUNDLES: [&str; 8] = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
    "/usr/local/share/certs/ca-root-nss.crt",
    "/etc/openssl/certs/ca-certificates.crt",
    "/usr/local/etc/openssl/cert.pem",
];

/// Directories of single certificates, used only where no bundle exists.
const DIRECTORIES: [&str; 3] = [
    "/etc/ssl/certs",
    "/etc/pki/tls/certs",
    "/system/etc/security/cacerts",
];

/// Why a root store could not be had.
#[derive(Debug)]
pub struct RootsError {
    pub path: PathBuf,
    pub reason: String,
}

/// The system roots as DER certificates, each once.
pub fn system_roots(env: &CertEnv) -> Result<Vec<Vec<u8>>, RootsError> {
    if cfg!(any(target_os = "macos", target_os = "ios", windows))
        && env.file.is_none()
        && env.dir.is_none()
    {
        return Ok(platform_store());
    }
    let mut roots = Roots::default();
    let file = match &env.file {
        Some(file) => Some(file.clone()),
        None if cfg!(unix) => BUNDLES.iter().map(PathBuf::from).find(|p| p.is_file()),
        None => None,
    };
    if let Some(file) = &file {
        // A bundle named by SSL_CERT_FILE must be there; curl fails the same way.
        let (pem, _) = read_regular_file(file, MAX_TRUST_FILE_BYTES).map_err(|e| RootsError {
            path: file.clone(),
            reason: e.to_string(),
        })?;
        roots.add_pem(&pem);
    }
    let dirs: Vec<PathBuf> = match &env.dir {
        Some(dirs) => std::env::split_paths(dirs).collect(),
        None if file.is_none() && cfg!(unix) => DIRECTORIES.iter().map(PathBuf::from).collect(),
        None => Vec::new(),
    };
    for dir in dirs {
        roots.add_dir(&dir)?;
    }
    Ok(roots.into_unique())
}

#[cfg(any(target_os = "macos", target_os = "ios", windows))]
fn platform_store() -> Vec<Vec<u8>> {
    rustls_native_certs::load_native_certs()
        .certs
        .into_iter()
        .map(|der| der.as_ref().to_vec())
        .collect()
}

#[cfg(not(any(target_os = "macos", target_os = "ios", windows)))]
fn platform_store() -> Vec<Vec<u8>> {
    Vec::new()
}

#[derive(PartialEq, Eq, Hash)]
enum Identity {
    Inode((u64, u64)),
    Path(PathBuf),
}

#[derive(Default)]
struct Roots {
    certs: Vec<Vec<u8>>,
}

impl Roots {
    /// Adds every `CERTIFICATE` block of a PEM text. The blocks are framed and decoded here with
    /// the `base64` crate: rustls-pki-types' constant-time decoder, right for private keys, took
    /// 40 % of an HTTPS login's instructions for ~140 public certificates.
    fn add_pem(&mut self, pem: &[u8]) {
        const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
        const END: &str = "-----END CERTIFICATE-----";
        // PEM is ASCII; `str::find` scans with memchr, far faster than a byte loop.
        let text = String::from_utf8_lossy(pem);
        let mut rest: &str = &text;
        let mut base64 = Vec::new();
        while let Some(start) = rest.find(BEGIN) {
            let body = &rest[start + BEGIN.len()..];
            let Some(end) = body.find(END) else { break };
            base64.clear();
            for line in body[..end].lines() {
                base64.extend_from_slice(line.trim().as_bytes());
            }
            if let Ok(der) = base64::engine::general_purpose::STANDARD.decode(&base64) {
                self.certs.push(der);
            }
            rest = &body[end + END.len()..];
        }
    }

    /// The certificates, each once.
    fn into_unique(mut self) -> Vec<Vec<u8>> {
        self.certs.sort_unstable();
        self.certs.dedup();
        self.certs
    }

    /// Every regular file of `dir` (links followed), each file read once however many links
    /// point at it; unreadable files and non-certificates are passed over, as OpenSSL does. A
    /// FIFO, a device or a huge file there is refused, naming it: someone put it there, and
    /// reading it would hang bsr or fill its memory.
    fn add_dir(&mut self, dir: &Path) -> Result<(), RootsError> {
        let Ok(entries) = fs::read_dir(dir) else {
            return Ok(());
        };
        let mut files = HashSet::new();
        for entry in entries.flatten() {
            // One stat through the links names the file; a second link to it is skipped.
            let Ok(meta) = fs::metadata(entry.path()) else {
                continue;
            };
            if meta.is_dir() {
                continue;
            }
            let identity = file_identity(&meta).map_or_else(
                || fs::canonicalize(entry.path()).ok().map(Identity::Path),
                |id| Some(Identity::Inode(id)),
            );
            if !identity.is_some_and(|id| files.insert(id)) {
                continue;
            }
            match read_regular_file(&entry.path(), MAX_TRUST_FILE_BYTES) {
                Ok((pem, _)) => self.add_pem(&pem),
                Err(ReadFileError::Io(_)) => {}
                Err(e) => {
                    return Err(RootsError {
                        path: entry.path(),
                        reason: e.to_string(),
                    });
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pem(der_seed: u8) -> String {
        // Not a real certificate: parse_pem only frames it, which is all these tests need.
        use std::fmt::Write;
        let body: Vec<u8> = (0..48).map(|i| der_seed.wrapping_add(i)).collect();
        let mut text = String::from("-----BEGIN CERTIFICATE-----\n");
        let b64 = base64(&body);
        for chunk in b64.as_bytes().chunks(64) {
            writeln!(text, "{}", std::str::from_utf8(chunk).unwrap()).unwrap();
        }
        text.push_str("-----END CERTIFICATE-----\n");
        text
    }

    fn base64(bytes: &[u8]) -> String {
        const TABLE: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        bytes
            .chunks(3)
            .flat_map(|c| {
                let n = (u32::from(c[0]) << 16)
                    | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
                    | u32::from(*c.get(2).unwrap_or(&0));
                (0..4).map(move |i| {
                    if i > c.len() {
                        '='
                    } else {
                        TABLE[(n >> (18 - 6 * i) & 63) as usize] as char
                    }
                })
            })
            .collect()
    }

    #[test]
    fn the_bundle_alone_and_each_certificate_once() {
        let dir = tempfile::tempdir().unwrap();
        let bundle = dir.path().join("bundle.pem");
        fs::write(&bundle, format!("{}{}{}", pem(1), pem(2), pem(1))).unwrap();
        let certs = dir.path().join("certs");
        fs::create_dir(&certs).unwrap();
        fs::write(certs.join("three.pem"), pem(3)).unwrap();

        let env = CertEnv {
            file: Some(bundle.clone()),
            dir: None,
        };
        assert_eq!(
            system_roots(&env).unwrap().len(),
            2,
            "the bundle only, no duplicate"
        );

        // SSL_CERT_DIR adds its directory; a certificate already loaded is not added again.
        fs::write(certs.join("one-again.pem"), pem(1)).unwrap();
        let env = CertEnv {
            file: Some(bundle),
            dir: Some(certs.clone().into_os_string()),
        };
        assert_eq!(system_roots(&env).unwrap().len(), 3);
    }

    #[cfg(unix)]
    #[test]
    fn a_directory_reads_each_file_once_through_its_links() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.pem"), pem(7)).unwrap();
        std::os::unix::fs::symlink("a.pem", dir.path().join("5a3f0c2e.0")).unwrap();
        let mut roots = Roots::default();
        roots.add_dir(dir.path()).unwrap();
        assert_eq!(roots.into_unique().len(), 1);
    }

    #[test]
    fn a_missing_ssl_cert_file_is_an_error_naming_it() {
        let env = CertEnv {
            file: Some(PathBuf::from("/nonexistent/bundle.pem")),
            dir: None,
        };
        let error = system_roots(&env).unwrap_err();
        assert_eq!(error.path, PathBuf::from("/nonexistent/bundle.pem"));
    }
}
