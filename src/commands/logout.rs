//! `bsr registry logout [domain]`.

use std::io::Write;

use super::{CommandError, end_if_signalled, guarded_edit, print_notices, report, say};
use crate::console::Console;
use crate::credentials::BufToken;
use crate::domain::Domain;
use crate::store::{NetrcFile, StoreError};

/// Removes every `machine <domain>` and `machine go.<domain>` entry. A missing netrc is not
/// created. Logging out needs no registry, so no client configuration is read: a broken Buf
/// `config.yaml` cannot stand in the way of removing credentials. A `BUF_TOKEN` that still
/// holds a token for the domain is pointed out: Buf and bsr keep sending it.
pub fn logout(
    domain: &Domain,
    netrc: &NetrcFile,
    buf_token: Option<&BufToken>,
    console: &mut Console,
) -> Result<(), CommandError> {
    let go_machine = domain.go_machine();
    let edited = guarded_edit(console, netrc, |doc| {
        Ok(doc.remove_machines(&[domain.as_str(), &go_machine])?)
    });
    let (removed, guard) = match edited {
        Ok((edit, guard)) => {
            print_notices(&edit, netrc, console)?;
            (edit.value, Some(guard))
        }
        // No directory, so no file and no credentials: logged out already, as Buf says it.
        Err(CommandError::Store(StoreError::MissingDirectory { .. })) => (0, None),
        Err(other) => return Err(other),
    };
    let path = netrc.path().display();
    let out = console.out();
    if removed > 0 {
        report!(out, "All existing BSR credentials removed from {path}")?;
    } else {
        report!(
            out,
            "No BSR credentials found in {path}; you are already logged out"
        )?;
    }
    out.flush().map_err(CommandError::Report)?;
    if buf_token.is_some_and(|t| t.token_for(domain).is_some()) {
        let mut err = console.err();
        say!(
            err,
            "Notice: BUF_TOKEN still holds a token for {domain}; Buf and bsr keep sending it while it is set (unset BUF_TOKEN to log out there too)."
        )?;
    }
    guard.map_or(Ok(()), end_if_signalled)
}
