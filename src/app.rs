//! One run of bsr: the parsed arguments and the environment snapshot, resolved into a request
//! and a context, and the command that serves it. Data flows one way: arguments and environment
//! → request → command → output.

use crate::cli::{Args, CommandArgs, GlobalFlags};
use crate::commands::credential;
use crate::commands::exec::{ExecRequest, exec};
use crate::commands::handover::{self, Credentials};
use crate::commands::login::{LoginRequest, TokenSource, login};
use crate::commands::logout::logout;
use crate::commands::status::{StatusInputs, StatusRequest, status};
use crate::commands::token::{TokenRequest, token};
use crate::commands::whoami::whoami;
use crate::commands::{CommandError, Context};
use crate::config;
use crate::console::{Console, Deadline};
use crate::copies::ToolFiles;
use crate::domain::Domain;
use crate::environment::Environment;
use crate::os::Os;
use crate::registry::ClientOptions;
use crate::store::{NetrcFile, netrc_path};

/// What the binary does to the process before anything else and at its very end
/// (`crate::platform`'s).
pub use crate::platform::{end_by_signal, keep_memory_private, stdout_was_closed};

/// Runs the command `args` ask for, with the environment `env`, talking through `console`.
pub fn run(args: Args, env: &Environment, console: &mut Console) -> Result<(), CommandError> {
    // Buf reads its variables for every command, so a bad one fails every command alike.
    let globals = Globals::resolve(args.globals, env)?;
    if globals.debug {
        console.enable_debug(globals.log_format);
    }
    console.set_deadline(globals.deadline);
    match args.command {
        CommandArgs::Completion(script) => {
            let out = console.out();
            out.write_all(&script.render())
                .and_then(|()| out.flush())
                .map_err(CommandError::Report)
        }
        CommandArgs::Logout { domain } => {
            let domain = Domain::parse(&domain)?;
            let buf_token = env.buf_token().ok();
            logout(&domain, &netrc_file(env)?, buf_token.as_ref(), console)
        }
        CommandArgs::Login {
            domain,
            username,
            token_stdin,
            prompt,
        } => {
            let domain = Domain::parse(&domain)?;
            let source = match (token_stdin, prompt) {
                (true, true) => return Err(CommandError::ConflictingTokenFlags),
                (true, false) => TokenSource::Stdin,
                (false, true) => TokenSource::Prompt,
                (false, false) if username.is_some() => TokenSource::Interactive,
                (false, false) => TokenSource::Browser,
            };
            let request = LoginRequest {
                domain,
                username,
                source,
                buf_token: env.buf_token().ok(),
                client_name: env.host_name(),
                opener: env.opener_env(),
            };
            login(&request, &context(env, globals)?, console)
        }
        CommandArgs::Token {
            domain,
            header,
            show,
        } => {
            let domain = Domain::parse(&domain)?;
            let (buf_token, netrc) = (env.buf_token()?, netrc_file(env)?);
            let request = TokenRequest {
                header,
                show,
                stdout_is_terminal: std::io::IsTerminal::is_terminal(&std::io::stdout()),
            };
            token(
                &domain,
                request,
                &Credentials::new(&buf_token, &netrc),
                console.out(),
            )
        }
        CommandArgs::Exec { domains, command } => {
            let mut parsed: Vec<Domain> = Vec::new();
            for domain in domains {
                let domain = Domain::parse(&domain)?;
                if !parsed.contains(&domain) {
                    parsed.push(domain);
                }
            }
            let (buf_token, netrc) = (env.buf_token()?, netrc_file(env)?);
            let request = ExecRequest {
                domains: parsed,
                command,
            };
            exec(&request, &Credentials::new(&buf_token, &netrc))
        }
        CommandArgs::CredentialCargo | CommandArgs::CredentialGit { .. } => {
            let (buf_token, ctx) = (env.buf_token()?, context(env, globals)?);
            let credentials = Credentials::new(&buf_token, &ctx.netrc);
            let scheme = handover::scheme(&ctx.client.config.tls);
            let mut stdin = std::io::stdin().lock();
            match args.command {
                CommandArgs::CredentialGit { operation } => {
                    credential::git(&operation, &credentials, scheme, &mut stdin, console.out())
                }
                _ => credential::cargo(&credentials, scheme, &mut stdin, console.out()),
            }
        }
        CommandArgs::Whoami { domain, format } => {
            let domain = Domain::parse(&domain)?;
            let buf_token = env.buf_token()?;
            whoami(
                &domain,
                format,
                &buf_token,
                &context(env, globals)?,
                console,
            )
        }
        CommandArgs::Status {
            domains,
            all,
            offline,
            format,
        } => {
            let request = StatusRequest {
                domains: domains
                    .iter()
                    .map(|d| Domain::parse(d))
                    .collect::<Result<_, _>>()?,
                all,
                format,
            };
            let buf_token = env.buf_token()?;
            // Offline, no registry is asked, so Buf's client config is not even read.
            let ctx = if offline {
                None
            } else {
                Some(context(env, globals)?)
            };
            let inputs = StatusInputs {
                buf_token: &buf_token,
                netrc: &netrc_file(env)?,
                client: ctx.as_ref().map(|ctx| &ctx.client),
                tools: &ToolFiles::load(&env.copies_env()),
            };
            status(&request, &inputs, console)
        }
    }
}

/// The global settings, flags over variables.
#[derive(Debug, Clone, Copy)]
struct Globals {
    debug: bool,
    log_format: crate::log::LogFormat,
    /// Each request's limit (the default two minutes unless one was given; `None`: none).
    timeout: Option<std::time::Duration>,
    /// The whole command's, when `--timeout` or `BUF_TIMEOUT` gave one, counted from now.
    deadline: Option<Deadline>,
}

impl Globals {
    fn resolve(flags: GlobalFlags, env: &Environment) -> Result<Globals, CommandError> {
        let given = flags.timeout.is_some() || env.get("BUF_TIMEOUT").is_some();
        let timeout = env.timeout(flags.timeout)?;
        Ok(Globals {
            debug: env.debug(flags.debug)?,
            log_format: env.log_format(flags.log_format)?,
            timeout,
            deadline: timeout.filter(|_| given).map(Deadline::after),
        })
    }
}

fn netrc_file(env: &Environment) -> Result<NetrcFile, CommandError> {
    Ok(NetrcFile::new(netrc_path(&env.path_env(), Os::current())?))
}

fn context(env: &Environment, globals: Globals) -> Result<Context, CommandError> {
    let netrc = netrc_file(env)?;
    let config_dir = config::config_dir(&env.config_env(), Os::current());
    let config = config::load(config_dir.as_deref())?;
    Ok(Context {
        netrc,
        client: ClientOptions {
            config,
            proxies: env.proxy_env(),
            certs: env.cert_env(),
            timeout: globals.timeout,
        },
    })
}
