//! The `bsr` binary: parse arguments, resolve the environment, call the library, print
//! `Failure: …` and pick the exit code.

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::Result;
use bsr::cli::{Cli, Command, LoginArgs, RegistryCommand};
use bsr::commands::login::{LoginRequest, TokenSource, login};
use bsr::commands::logout::logout;
use bsr::commands::whoami::whoami;
use bsr::commands::{CommandError, Context};
use bsr::config::{self, ConfigEnv, ProxyEnv};
use bsr::credentials::{BufToken, MalformedBufToken};
use bsr::domain::Domain;
use bsr::log::Logger;
use bsr::registry::ClientOptions;
use bsr::store::{NetrcFile, Os, PathEnv, netrc_path};
use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_error(error),
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            if let Some(command_error) = error.downcast_ref::<CommandError>() {
                if command_error.is_interrupt() {
                    return ExitCode::from(130);
                }
                if let CommandError::Output(e) = command_error
                    && e.kind() == io::ErrorKind::BrokenPipe
                {
                    return ExitCode::from(1);
                }
            }
            let _ = writeln!(io::stderr(), "Failure: {error}");
            ExitCode::from(1)
        }
    }
}

/// Help and version go to stdout with status 0; every other parse error is a failure with
/// status 1, as Buf reports it (usage first, then `Failure:`).
fn usage_error(error: clap::Error) -> ExitCode {
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = error.print();
            ExitCode::SUCCESS
        }
        // `bsr` or `bsr registry` alone: the help goes to stderr and it is a failure, as Buf
        // does it ("Sub-command required").
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let mut stderr = io::stderr().lock();
            let _ = write!(stderr, "{}", error.render());
            let _ = writeln!(stderr, "Failure: a subcommand is required");
            ExitCode::from(1)
        }
        _ => {
            let rendered = error.render().to_string();
            let mut lines = rendered.lines();
            let first = lines.next().unwrap_or_default();
            let message = first.strip_prefix("error: ").unwrap_or(first);
            let rest: Vec<&str> = lines.collect();
            let mut stderr = io::stderr().lock();
            let rest = rest.join("\n");
            let _ = writeln!(stderr, "{}", rest.trim_matches('\n'));
            let _ = writeln!(stderr, "Failure: {message}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    let log = Logger::new(cli.global.debug, cli.global.log_format);
    let mut out = io::stdout().lock();
    let mut err = io::stderr();
    let command = match cli.command {
        Command::Registry(command) => command,
        Command::Completion(args) => {
            clap_complete::generate(args.shell, &mut Cli::command(), "bsr", &mut out);
            return Ok(());
        }
    };
    match command {
        RegistryCommand::Login(args) => {
            let request = login_request(args)?;
            let ctx = context(cli.global.timeout.0, log)?;
            login(&request, &ctx, &mut out, &mut err)?;
        }
        RegistryCommand::Logout(args) => {
            let domain = Domain::parse(&args.domain).map_err(CommandError::from)?;
            logout(&domain, &netrc_file()?, &mut out, &mut err)?;
        }
        RegistryCommand::Whoami(args) => {
            let domain = Domain::parse(&args.domain).map_err(CommandError::from)?;
            let buf_token = buf_token().map_err(CommandError::from)?;
            let ctx = context(cli.global.timeout.0, log)?;
            whoami(&domain, args.format, &buf_token, &ctx, &mut out)?;
        }
    }
    Ok(())
}

fn buf_token() -> Result<BufToken, MalformedBufToken> {
    match std::env::var_os("BUF_TOKEN") {
        None => Ok(BufToken::Unset),
        Some(value) => match value.to_str() {
            Some(value) => BufToken::parse(Some(value)),
            None => Err(MalformedBufToken {
                reason: "it is not valid UTF-8".to_owned(),
            }),
        },
    }
}

fn login_request(args: LoginArgs) -> Result<LoginRequest, CommandError> {
    let domain = Domain::parse(&args.domain)?;
    let source = match (args.token_stdin, args.prompt) {
        (true, true) => return Err(CommandError::ConflictingTokenFlags),
        (true, false) => TokenSource::Stdin,
        (false, true) => TokenSource::Prompt,
        (false, false) => TokenSource::Interactive,
    };
    Ok(LoginRequest {
        domain,
        username: args.username,
        source,
    })
}

fn netrc_file() -> Result<NetrcFile, CommandError> {
    Ok(NetrcFile::new(netrc_path(
        &PathEnv::from_process(),
        Os::current(),
    )?))
}

fn context(timeout: Option<std::time::Duration>, log: Logger) -> Result<Context, CommandError> {
    let netrc = netrc_file()?;
    let config_dir = config::config_dir(&ConfigEnv::from_process());
    let config = config::load(config_dir.as_deref())?;
    Ok(Context {
        netrc,
        client: ClientOptions {
            config,
            proxies: ProxyEnv::from_process(),
            timeout,
        },
        log,
    })
}
