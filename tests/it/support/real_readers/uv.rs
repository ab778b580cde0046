//! uv's netrc reader, the `rust-netrc` crate (a dev-dependency), called in-process as uv
//! calls it: `Netrc::from_file(path)`, then `hosts.get(host).or_else(|| hosts.get("default"))`.

use tempfile::TempDir;

use super::answer_lines::{self, Answers};
use bsr::netrc::readers::{Creds, Rejected};

/// The crate's answers for each file and host; never a skip (the crate is always built).
pub fn ask(files: &[Vec<u8>], hosts: &[Vec<u8>]) -> Option<Vec<Answers>> {
    let dir = TempDir::new().unwrap();
    answer_lines::write_batch(dir.path(), files, hosts);
    let hosts: Vec<&str> = hosts
        .iter()
        .map(|h| std::str::from_utf8(h).expect("hosts are text"))
        .collect();
    let answers = (0..files.len())
        .map(|i| {
            let netrc = match netrc::Netrc::from_file(&dir.path().join(format!("{i}.netrc"))) {
                Ok(netrc) => netrc,
                Err(netrc::Error::Parsing { .. }) => return Err(Rejected),
                Err(e) => panic!("reading a test file: {e}"),
            };
            Ok(hosts
                .iter()
                .map(|&host| {
                    let entry = netrc
                        .hosts
                        .get(host)
                        .or_else(|| netrc.hosts.get("default"))?;
                    Some(Creds {
                        login: Some(entry.login.clone().into_bytes()),
                        password: Some(entry.password.clone().into_bytes()),
                        account: Some(entry.account.clone().into_bytes()),
                    })
                })
                .collect())
        })
        .collect();
    Some(answers)
}

pub fn version() -> String {
    "rust-netrc 0.1.2".to_owned()
}
