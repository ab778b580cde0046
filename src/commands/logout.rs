//! `bsr registry logout [domain]`.

use std::io::Write;

use super::say;
use super::{CommandError, print_notices};
use crate::domain::Domain;
use crate::store::{NetrcFile, StoreError};

/// Removes every `machine <domain>` and `machine go.<domain>` entry. A missing netrc is not
/// created. Logging out needs no registry, so no client configuration is read: a broken Buf
/// `config.yaml` cannot stand in the way of removing credentials.
pub fn logout(
    domain: &Domain,
    netrc: &NetrcFile,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), CommandError> {
    let go_machine = domain.go_machine();
    let edited = netrc
        .edit(|doc| -> Result<usize, CommandError> {
            let removed = doc.remove_machine(domain.as_str())? + doc.remove_machine(&go_machine)?;
            Ok(removed)
        })
        .map_err(|e| e.naming(netrc));
    let removed = match edited {
        Ok(report) => {
            print_notices(&report, netrc, err)?;
            report.value
        }
        // No directory, so no file and no credentials: logged out already, as Buf says it.
        Err(CommandError::Store(StoreError::MissingDirectory { .. })) => 0,
        Err(other) => return Err(other),
    };
    let path = netrc.path().display();
    if removed > 0 {
        say!(out, "All existing BSR credentials removed from {path}")?;
    } else {
        say!(
            out,
            "No BSR credentials found in {path}; you are already logged out"
        )?;
    }
    Ok(())
}
