//! `bsr registry logout [domain]`.

use std::io::Write;

use super::{CommandError, Context, print_notices};
use crate::domain::Domain;

/// Removes every `machine <domain>` and `machine go.<domain>` entry. A missing netrc is not
/// created.
pub fn logout(
    domain: &Domain,
    ctx: &Context,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), CommandError> {
    let go_machine = domain.go_machine();
    let report = ctx.netrc.edit(|doc| -> Result<usize, CommandError> {
        Ok(doc.remove_machine(domain.as_str()) + doc.remove_machine(&go_machine))
    })?;
    print_notices(&report, &ctx.netrc, err)?;
    let path = ctx.netrc.path().display();
    if report.value > 0 {
        writeln!(out, "All existing BSR credentials removed from {path}")?;
    } else {
        writeln!(
            out,
            "No BSR credentials found in {path}; you are already logged out"
        )?;
    }
    Ok(())
}
