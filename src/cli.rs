//! The command line, as clap structs. The `///` comments are the help text.

use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::commands::whoami::Format;
use crate::duration::parse_go_duration;
use crate::log::LogFormat;

/// Log in to and out of the Buf Schema Registry, without losing a byte of your netrc.
///
/// A drop-in replacement for `buf registry login`, `logout` and `whoami`.
#[derive(Debug, Parser)]
#[command(name = "bsr", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags accepted by every command, as Buf accepts them.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global Flags")]
pub struct GlobalArgs {
    /// Turn on debug logging (requests, with the Authorization header redacted)
    #[arg(long, global = true, env = "BUF_DEBUG")]
    pub debug: bool,
    /// The duration until timing out, setting it to 0 means no timeout
    #[arg(
        long,
        global = true,
        env = "BUF_TIMEOUT",
        default_value = "2m",
        value_name = "DURATION",
        value_parser = parse_timeout
    )]
    pub timeout: Timeout,
    /// The log format
    #[arg(long, global = true, env = "BUF_LOG_FORMAT", value_enum, default_value_t = LogFormat::Color)]
    pub log_format: LogFormat,
}

/// `--timeout`: `None` means no limit.
#[derive(Debug, Clone, Copy)]
pub struct Timeout(pub Option<Duration>);

fn parse_timeout(text: &str) -> Result<Timeout, String> {
    parse_go_duration(text).map(Timeout)
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Manage your Buf Schema Registry credentials
    #[command(subcommand)]
    Registry(RegistryCommand),
    /// Generate the autocompletion script for a shell
    ///
    /// For example, bash: `source <(bsr completion bash)`; zsh: `bsr completion zsh >
    /// "${fpath[1]}/_bsr"`; fish: `bsr completion fish > ~/.config/fish/completions/bsr.fish`.
    Completion(CompletionArgs),
}

#[derive(Debug, Args)]
pub struct CompletionArgs {
    /// The shell to generate the script for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Subcommand)]
pub enum RegistryCommand {
    /// Log in to the Buf Schema Registry
    ///
    /// This prompts for your BSR username and a BSR token, checks the token with the registry
    /// and saves it to your .netrc file. Use --prompt or --token-stdin for the other ways of
    /// giving the token. The [DOMAIN] argument defaults to buf.build.
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
}

#[derive(Debug, Args)]
pub struct WhoamiArgs {
    /// The registry domain
    #[arg(default_value = crate::domain::DEFAULT_DOMAIN)]
    pub domain: String,
    /// The output format; json adds where the token came from
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The registry domain
    #[arg(default_value = crate::domain::DEFAULT_DOMAIN)]
    pub domain: String,
    /// The username to expect; the username is derived from the token, and a different one is
    /// an error
    #[arg(long, value_name = "USERNAME")]
    pub username: Option<String>,
    /// Read the token from stdin. Exclusive with the flag --prompt
    #[arg(long)]
    pub token_stdin: bool,
    /// Prompt for the token. The device must be a TTY. Exclusive with the flag --token-stdin
    #[arg(long)]
    pub prompt: bool,
}

#[derive(Debug, Args)]
pub struct LogoutArgs {
    /// The registry domain
    #[arg(default_value = crate::domain::DEFAULT_DOMAIN)]
    pub domain: String,
}
