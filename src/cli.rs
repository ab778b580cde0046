//! The command line: clap structs (their `///` comments are the help text), turned once into
//! plain [`Args`]. Nothing outside this file sees a clap type.
//!
//! Buf's variables (`BUF_DEBUG`, `BUF_TIMEOUT`, `BUF_LOG_FORMAT`) are not clap's business: clap
//! would parse them as flags and blame a flag the user never passed. The flags come out as
//! `Option`s here and `environment` fills in what the user left out.

use std::io::{self, Write};
use std::time::Duration;

use clap::error::ErrorKind;
use clap::{Args as ClapArgs, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::commands::whoami::Format;
use crate::duration::parse_go_duration;
use crate::environment::parse_go_bool;
use crate::log::LogFormat;

/// What the command line asked for.
#[derive(Debug)]
pub struct Args {
    pub globals: GlobalFlags,
    pub command: CommandArgs,
}

/// The global flags as given; `None` where the flag was not passed.
#[derive(Debug, Clone, Copy, Default)]
pub struct GlobalFlags {
    pub debug: Option<bool>,
    /// `Some(None)`: `--timeout 0`, no limit.
    pub timeout: Option<Option<Duration>>,
    pub log_format: Option<LogFormat>,
}

#[derive(Debug)]
pub enum CommandArgs {
    Login {
        domain: String,
        username: Option<String>,
        token_stdin: bool,
        prompt: bool,
    },
    Logout {
        domain: String,
    },
    Whoami {
        domain: String,
        format: Format,
    },
    Status {
        domains: Vec<String>,
        all: bool,
        offline: bool,
        format: Format,
    },
    Token {
        domain: String,
        header: bool,
        show: bool,
    },
    Exec {
        domains: Vec<String>,
        command: Vec<std::ffi::OsString>,
    },
    /// cargo's credential-provider protocol (`bsr --cargo-plugin`, as cargo runs a provider).
    CredentialCargo,
    CredentialGit {
        operation: String,
    },
    Completion(CompletionScript),
}

/// `bsr completion <shell>`: the script, written on request.
#[derive(Debug, Clone, Copy)]
pub struct CompletionScript(clap_complete::Shell);

impl CompletionScript {
    /// The script's bytes. Rendered in memory because clap_complete panics when its writer
    /// fails; the caller writes them and reports a failure as any other.
    pub fn render(self) -> Vec<u8> {
        let mut script = Vec::new();
        clap_complete::generate(self.0, &mut Cli::command(), "bsr", &mut script);
        script
    }
}

/// A command line that asks for help or the version, or that clap cannot parse: what to print,
/// where, and the exit status.
#[derive(Debug)]
pub struct Usage {
    pub text: String,
    pub to_stdout: bool,
    pub exit_code: u8,
}

/// Parses the process's arguments.
pub fn parse() -> Result<Args, Usage> {
    parse_from(std::env::args_os())
}

/// Parses `args` (the program name first).
pub fn parse_from<I, T>(args: I) -> Result<Args, Usage>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
    // cargo starts a credential provider as `<program> --cargo-plugin` and sends the rest of
    // its `credential-provider` entry (`registry credential cargo`) inside the request.
    if args.len() == 2 && args[1] == "--cargo-plugin" {
        return Ok(Args {
            globals: GlobalFlags::default(),
            command: CommandArgs::CredentialCargo,
        });
    }
    let cli = Cli::try_parse_from(args).map_err(usage)?;
    let command = match cli.command {
        Command::Completion(args) => CommandArgs::Completion(CompletionScript(args.shell)),
        Command::Registry(RegistryCommand::Login(args)) => CommandArgs::Login {
            domain: args.domain,
            username: args.username,
            token_stdin: args.token_stdin,
            prompt: args.prompt,
        },
        Command::Registry(RegistryCommand::Logout(args)) => CommandArgs::Logout {
            domain: args.domain,
        },
        Command::Registry(RegistryCommand::Token(args)) => CommandArgs::Token {
            domain: args.domain,
            header: args.header,
            show: args.show,
        },
        Command::Registry(RegistryCommand::Exec(args)) => CommandArgs::Exec {
            domains: args.domain,
            command: args.command,
        },
        Command::Registry(RegistryCommand::Credential(CredentialCommand::Cargo(_))) => {
            CommandArgs::CredentialCargo
        }
        Command::Registry(RegistryCommand::Credential(CredentialCommand::Git(args))) => {
            CommandArgs::CredentialGit {
                operation: args.operation,
            }
        }
        Command::Registry(RegistryCommand::Whoami(args)) => CommandArgs::Whoami {
            domain: args.domain,
            format: args.format.into(),
        },
        Command::Registry(RegistryCommand::Status(args)) => CommandArgs::Status {
            domains: args.domains,
            all: args.all,
            offline: args.offline,
            format: args.format.into(),
        },
    };
    Ok(Args {
        globals: GlobalFlags {
            debug: cli.global.debug,
            timeout: cli.global.timeout.map(|t| t.0),
            log_format: cli.global.log_format.map(|f| match f {
                CliLogFormat::Text => LogFormat::Text,
                CliLogFormat::Color => LogFormat::Color,
                CliLogFormat::Json => LogFormat::Json,
            }),
        },
        command,
    })
}

/// Help and version go to stdout with status 0; every other parse error is a failure with
/// status 1, as Buf reports it: the usage first, then one complete `Failure:` sentence last.
fn usage(error: clap::Error) -> Usage {
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => Usage {
            text: error.render().to_string(),
            to_stdout: true,
            exit_code: 0,
        },
        // `bsr` or `bsr registry` alone: the help, and a failure, as Buf does it.
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => Usage {
            text: format!("{}Failure: a subcommand is required\n", error.render()),
            to_stdout: false,
            exit_code: 1,
        },
        _ => {
            let rendered = error.render().to_string();
            let (message, usage) = match rendered.find("Usage:") {
                Some(at) => rendered.split_at(at),
                None => (rendered.as_str(), ""),
            };
            // The message may run over lines (an argument list, a tip); fold it into one
            // sentence.
            let mut sentence = String::new();
            for (n, paragraph) in message
                .trim()
                .strip_prefix("error:")
                .unwrap_or(message)
                .split("\n\n")
                .enumerate()
            {
                let words: Vec<&str> = paragraph.split_whitespace().collect();
                let mut text = words.join(" ");
                if let Some(tip) = text.strip_prefix("tip: ") {
                    text = tip.to_owned();
                }
                if text.is_empty() || text.starts_with("For more information") {
                    continue;
                }
                if n > 0 {
                    sentence.push_str("; ");
                }
                sentence.push_str(&text);
            }
            let usage = usage.trim_end();
            let mut text = String::new();
            if !usage.is_empty() {
                text.push_str(usage);
                text.push('\n');
            }
            text.push_str(&format!("Failure: {}\n", sentence.trim()));
            Usage {
                text,
                to_stdout: false,
                exit_code: 1,
            }
        }
    }
}

impl Usage {
    /// Prints the text where it belongs.
    pub fn print(&self) -> io::Result<()> {
        if self.to_stdout {
            let mut out = io::stdout().lock();
            out.write_all(self.text.as_bytes())?;
            out.flush()
        } else {
            io::stderr().lock().write_all(self.text.as_bytes())
        }
    }
}

/// Log in to and out of the Buf Schema Registry, without losing a byte of your netrc.
///
/// A drop-in replacement for `buf registry login`, `logout` and `whoami`.
#[derive(Debug, Parser)]
#[command(name = "bsr", version, propagate_version = true, max_term_width = 100)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

/// Flags accepted by every command, as Buf accepts them.
#[derive(Debug, ClapArgs)]
#[command(next_help_heading = "Global Flags")]
struct GlobalArgs {
    /// Turn on debug logging (requests, with the Authorization header redacted); env BUF_DEBUG
    #[arg(
        long,
        global = true,
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        value_name = "BOOL",
        value_parser = parse_bool
    )]
    debug: Option<bool>,
    /// The duration until timing out, setting it to 0 means no timeout [default: 2m]; env
    /// BUF_TIMEOUT
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_timeout)]
    timeout: Option<Timeout>,
    /// The log format [default: color]; env BUF_LOG_FORMAT
    #[arg(long, global = true, value_enum)]
    log_format: Option<CliLogFormat>,
}

/// `--timeout`'s value; `None` means no limit. (A bare `Option<Option<_>>` means something
/// else to clap.)
#[derive(Debug, Clone, Copy)]
struct Timeout(Option<Duration>);

fn parse_timeout(text: &str) -> Result<Timeout, String> {
    parse_go_duration(text).map(Timeout)
}

fn parse_bool(text: &str) -> Result<bool, String> {
    parse_go_bool(text).ok_or_else(|| {
        "must be a boolean (1, t, T, TRUE, true, True, 0, f, F, FALSE, false or False)".to_owned()
    })
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum CliLogFormat {
    Text,
    /// Text with colour when stderr is a terminal
    Color,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum CliFormat {
    Text,
    Json,
}

impl From<CliFormat> for Format {
    fn from(format: CliFormat) -> Format {
        match format {
            CliFormat::Text => Format::Text,
            CliFormat::Json => Format::Json,
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Manage your Buf Schema Registry credentials
    #[command(subcommand)]
    Registry(RegistryCommand),
    /// Generate the autocompletion script for a shell
    ///
    /// For example, bash: `source <(bsr completion bash)`; zsh: `bsr completion zsh >
    /// "${fpath[1]}/_bsr"`; fish: `bsr completion fish > ~/.config/fish/completions/bsr.fish`.
    Completion(CompletionArgs),
}

#[derive(Debug, ClapArgs)]
struct CompletionArgs {
    /// The shell to generate the script for
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

#[derive(Debug, Subcommand)]
enum RegistryCommand {
    /// Log in to the Buf Schema Registry
    ///
    /// This opens a browser to authorize bsr with the registry (the URL is printed first, so it
    /// also works where no browser can be opened), checks the token the registry issues and
    /// saves it to your .netrc file. A registry without browser login is asked for your BSR
    /// username and a BSR token instead. Use --token-stdin, --prompt or --username for the
    /// other ways of giving the token. The [DOMAIN] argument defaults to buf.build.
    Login(LoginArgs),
    /// Log out of the Buf Schema Registry
    ///
    /// This removes any BSR credentials for the domain from your .netrc file. The [DOMAIN]
    /// argument defaults to buf.build.
    Logout(LogoutArgs),
    /// Check if you are logged in to the Buf Schema Registry
    ///
    /// This asks the registry who owns the token that would be sent to it: BUF_TOKEN if it has
    /// one for the domain, else the domain's entry in your .netrc (never its default entry).
    /// The [DOMAIN] argument defaults to buf.build.
    Whoami(WhoamiArgs),
    /// Show which credential is in effect for each domain, and whether it is good
    ///
    /// For each domain: the token that Buf and bsr send (BUF_TOKEN, else the domain's .netrc
    /// entry) and what it overrides, the registry's verdict on it, what in the .netrc makes
    /// other tools read it differently, and other tools' copies of it (~/.npmrc, cargo's
    /// credentials.toml). Read-only. Exit status: 0 when every credential is good, 4 when one
    /// is missing or rejected, 1 for any other trouble. The [DOMAIN] arguments default to
    /// buf.build.
    Status(StatusArgs),
    /// Print the token in effect for a registry, for a program that reads it from a pipe
    ///
    /// The token comes from where whoami finds it: BUF_TOKEN (a single token only for
    /// buf.build), else the domain's entry in your .netrc (never its default entry). It is
    /// refused when standard output is a terminal, unless --show is given. For curl:
    /// `bsr registry token --header | curl -H @- …`, so the token is in no process's arguments.
    Token(TokenArgs),
    /// Run a command with the registry's token in its environment only
    ///
    /// COMMAND gets BUF_TOKEN (token@domain, for Buf and its plugins) and npm's
    /// npm_config_//<domain>/gen/npm/v1/:_authToken (npm reads it) for each --domain
    /// (default buf.build). No file is written; bsr exits with COMMAND's status.
    Exec(ExecArgs),
    /// Credential helpers for cargo and git (run by them, not by people)
    #[command(subcommand)]
    Credential(CredentialCommand),
}

#[derive(Debug, ClapArgs)]
struct TokenArgs {
    /// The registry domain
    #[arg(default_value = crate::domain::DEFAULT_DOMAIN)]
    domain: String,
    /// Print `Authorization: Bearer <token>`, for `curl -H @-`
    #[arg(long)]
    header: bool,
    /// Print the token even when standard output is a terminal
    #[arg(long)]
    show: bool,
}

#[derive(Debug, ClapArgs)]
struct ExecArgs {
    /// A registry whose token COMMAND gets; repeat for several
    #[arg(long, value_name = "DOMAIN", default_value = crate::domain::DEFAULT_DOMAIN)]
    domain: Vec<String>,
    /// The command and its arguments
    #[arg(
        value_name = "COMMAND",
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_parser = clap::value_parser!(std::ffi::OsString)
    )]
    command: Vec<std::ffi::OsString>,
}

#[derive(Debug, Subcommand)]
enum CredentialCommand {
    /// A cargo credential provider: `credential-provider = ["bsr", "registry", "credential",
    /// "cargo"]`
    Cargo(CargoArgs),
    /// A git credential helper: `git config credential.https://buf.build.helper '!bsr registry
    /// credential git'`
    Git(GitArgs),
}

#[derive(Debug, ClapArgs)]
struct CargoArgs {
    /// Accepted as cargo passes it
    #[arg(long, hide = true)]
    cargo_plugin: bool,
}

#[derive(Debug, ClapArgs)]
struct GitArgs {
    /// get, store or erase (git's operation; store and erase do nothing)
    operation: String,
}

#[derive(Debug, ClapArgs)]
struct WhoamiArgs {
    /// The registry domain
    #[arg(default_value = crate::domain::DEFAULT_DOMAIN)]
    domain: String,
    /// The output format; json has Buf's user fields and where the token came from
    #[arg(long, value_enum, default_value_t = CliFormat::Text)]
    format: CliFormat,
}

#[derive(Debug, ClapArgs)]
struct StatusArgs {
    /// The registry domains
    #[arg(value_name = "DOMAIN")]
    domains: Vec<String>,
    /// Also every remote in a multi-remote BUF_TOKEN and every BSR entry of the .netrc
    #[arg(long)]
    all: bool,
    /// Do not ask the registry whether the token is valid
    #[arg(long)]
    offline: bool,
    /// The output format; json is one object with a "domains" array, and never a token
    #[arg(long, value_enum, default_value_t = CliFormat::Text)]
    format: CliFormat,
}

#[derive(Debug, ClapArgs)]
struct LoginArgs {
    /// The registry domain
    #[arg(default_value = crate::domain::DEFAULT_DOMAIN)]
    domain: String,
    /// The username to expect; the username is derived from the token, and a different one is
    /// an error
    #[arg(long, value_name = "USERNAME")]
    username: Option<String>,
    /// Read the token from stdin. Exclusive with the flag --prompt
    #[arg(long)]
    token_stdin: bool,
    /// Prompt for the token. The device must be a TTY. Exclusive with the flag --token-stdin
    #[arg(long)]
    prompt: bool,
}

#[derive(Debug, ClapArgs)]
struct LogoutArgs {
    /// The registry domain
    #[arg(default_value = crate::domain::DEFAULT_DOMAIN)]
    domain: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Args, Usage> {
        parse_from(std::iter::once("bsr").chain(args.iter().copied()))
    }

    #[test]
    fn debug_takes_a_go_boolean_only_with_an_equals_sign() {
        let args = parse(&["registry", "logout", "--debug=false"]).unwrap();
        assert_eq!(args.globals.debug, Some(false));
        let args = parse(&["--debug", "registry", "logout"]).unwrap();
        assert_eq!(args.globals.debug, Some(true));
        let args = parse(&["registry", "logout"]).unwrap();
        assert_eq!(args.globals.debug, None);
    }

    #[test]
    fn a_usage_error_ends_with_one_failure_sentence() {
        let usage = parse(&["completion"]).unwrap_err();
        assert_eq!(usage.exit_code, 1);
        let last = usage.text.lines().last().unwrap();
        assert_eq!(
            last,
            "Failure: the following required arguments were not provided: <SHELL>"
        );
        assert!(
            usage.text.starts_with("Usage: bsr completion"),
            "{}",
            usage.text
        );
        let usage = parse(&["registry", "login", "--frob"]).unwrap_err();
        assert!(usage.text.starts_with("Usage: "), "{}", usage.text);
        assert_eq!(
            usage.text.lines().last().unwrap(),
            "Failure: unexpected argument '--frob' found; to pass '--frob' as a value, use '-- --frob'"
        );
    }
}
