//! `bsr registry exec [--domain D ...] -- COMMAND [ARG ...]`: COMMAND with the registries'
//! credentials in its environment and nowhere else: `BUF_TOKEN` in the multi-remote form (Buf
//! and its plugins) and npm's per-registry `npm_config_//D/gen/npm/v1/:_authToken` (npm reads
//! it; pnpm 9 and Yarn 1 rewrite such a variable's name and do not). No file is written. On Unix bsr becomes COMMAND (execve), so its exit status and
//! the signals sent to it are COMMAND's by construction.

use std::ffi::OsString;
use std::process::Command;

use zeroize::Zeroizing;

use super::CommandError;
use super::handover::Credentials;
use crate::domain::Domain;

/// A resolved `exec` request.
#[derive(Debug)]
pub struct ExecRequest {
    /// At least one; each once.
    pub domains: Vec<Domain>,
    /// The program and its arguments; never empty.
    pub command: Vec<OsString>,
}

/// The variables `exec` adds, for the given (domain, token) pairs: `BUF_TOKEN` first.
pub fn child_variables(pairs: &[(&Domain, &str)]) -> Vec<(String, Zeroizing<String>)> {
    let buf_token = pairs
        .iter()
        .map(|(domain, token)| format!("{token}@{domain}"))
        .collect::<Vec<_>>()
        .join(",");
    let mut vars = vec![("BUF_TOKEN".to_owned(), Zeroizing::new(buf_token))];
    for (domain, token) in pairs {
        vars.push((
            format!("npm_config_//{}/gen/npm/v1/:_authToken", domain.authority()),
            Zeroizing::new((*token).to_owned()),
        ));
    }
    vars
}

/// Runs the command; returns only when it could not be started.
pub fn exec(request: &ExecRequest, credentials: &Credentials<'_>) -> Result<(), CommandError> {
    let mut handed = Vec::with_capacity(request.domains.len());
    for domain in &request.domains {
        let credential = credentials.require(domain)?;
        // `tok@remote,…` has no quoting: a token with either separator would be read wrongly.
        if credential.token.expose().contains(['@', ',']) {
            return Err(CommandError::UnsendableToken {
                domain: domain.to_string(),
                origin: "where bsr found it (it holds an @ or a comma, which BUF_TOKEN's tok@remote form cannot carry)".to_owned(),
            });
        }
        handed.push((domain, credential.token));
    }
    let pairs: Vec<(&Domain, &str)> = handed.iter().map(|(d, t)| (*d, t.expose())).collect();
    let (program, args) = request
        .command
        .split_first()
        .expect("clap requires a command");
    let mut command = Command::new(program);
    command.args(args);
    for (name, value) in child_variables(&pairs) {
        command.env(name, value.as_str());
    }
    let source = crate::platform::exec(&mut command);
    Err(CommandError::CannotRun {
        program: program.to_string_lossy().into_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_domain_gets_its_own_npm_key_and_one_buf_token_entry() {
        let a = Domain::parse("buf.build").unwrap();
        let b = Domain::parse("::1").unwrap();
        let vars = child_variables(&[(&a, "t1"), (&b, "t2")]);
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(
            vars,
            [
                ("BUF_TOKEN", "t1@buf.build,t2@::1"),
                ("npm_config_//buf.build/gen/npm/v1/:_authToken", "t1"),
                ("npm_config_//[::1]/gen/npm/v1/:_authToken", "t2"),
            ]
        );
    }
}
