//! The `tipline` command: parses the command line, loads the configuration
//! and calls into the library. Every failure ends with one line on stderr and
//! exit status 1.

#![forbid(unsafe_code)]

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use tipline::commands::{self, SpecFormat};
use tipline::config::{self, Overrides, Settings};
use tipline::domain::Role;

/// Citizen tip reporting: photos, places and contacts in; verified leads out
/// to the unit responsible.
///
/// With no command, serves. With no configuration, keeps everything under
/// ./data (SQLite and local files). Configuration: defaults, then --config
/// FILE (TOML), then TIPLINE_* environment variables, then flags.
#[derive(Parser)]
#[command(name = "tipline", version)]
struct Cli {
    /// A TOML file of settings (keys as in README.md, Configuration).
    #[arg(long, global = true, env = config::CONFIG_FILE_ENV, value_name = "FILE")]
    config: Option<PathBuf>,

    /// Where the embedded database, photos and signing key live.
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API until SIGINT or SIGTERM (the default command).
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI spec; needs no database or network.
    Openapi {
        #[arg(long, value_enum, default_value = "yaml")]
        format: SpecFormat,
    },
    /// List the configuration keys (file names, environment variables,
    /// defaults); needs no configuration.
    Config {
        /// As the Markdown table README.md holds.
        #[arg(long)]
        markdown: bool,
    },
    /// Administration tasks.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// The audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Fill an empty database with made-up tips (for benchmarks and demos).
    Seed {
        /// How many tips.
        #[arg(long, default_value_t = 10_000)]
        tips: u64,
        /// The random seed; the same seed makes the same tips.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Add to a database that already has tips.
        #[arg(long)]
        append: bool,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the hash chain of the audit log and check it against the signed
    /// checkpoints; exit non-zero naming the first broken event or the
    /// checkpoint the chain contradicts.
    Verify,
    /// Seal what is committed and sign a checkpoint of the whole chain now.
    Checkpoint,
    /// Print a new checkpoint signing key (keep it out of the database and
    /// the same on every node).
    Keygen,
}

#[derive(Args, Default)]
struct ServeArgs {
    /// Address and port to listen on [default: 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR")]
    bind: Option<SocketAddr>,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a staff account (admin or moderator).
    CreateUser {
        #[arg(long)]
        username: String,
        /// admin or moderator.
        #[arg(long)]
        role: Role,
        /// Read the password from standard input (the only way: a password
        /// on the command line would show in process lists).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line, the causes joined by ": ".
            let line = format!("{e:#}").replace('\n', " ");
            let _ = writeln!(std::io::stderr(), "tipline: error: {line}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let command = cli.command.unwrap_or(Command::Serve(ServeArgs::default()));
    if let Command::Openapi { format } = command {
        print!("{}", commands::openapi(format));
        return Ok(());
    }
    if let Command::Config { markdown } = command {
        if markdown {
            print!("{}", config::markdown_table());
        } else {
            print!("{}", config::plain_listing());
        }
        return Ok(());
    }
    if let Command::Audit(AuditCommand::Keygen) = command {
        print!("{}", commands::audit_keygen()?);
        return Ok(());
    }
    let bind = match &command {
        Command::Serve(args) => args.bind,
        _ => None,
    };
    let overrides = Overrides {
        bind,
        data_dir: cli.data_dir,
    };
    let settings: Settings = config::load(cli.config.as_deref(), std::env::vars(), &overrides)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        match command {
            Command::Serve(_) => commands::serve(settings).await,
            Command::Migrate => commands::migrate(settings).await,
            Command::Admin(AdminCommand::CreateUser { username, role, .. }) => {
                commands::create_user(settings, &username, role, std::io::stdin()).await
            }
            Command::Audit(AuditCommand::Verify) => commands::audit_verify(settings).await,
            Command::Audit(AuditCommand::Checkpoint) => commands::audit_checkpoint(settings).await,
            Command::Audit(AuditCommand::Keygen) => unreachable!("answered before the settings"),
            Command::Seed { tips, seed, append } => {
                let options = tipline::seed::SeedOptions {
                    tips,
                    seed,
                    append,
                    progress: true,
                };
                commands::seed(settings, &options).await
            }
            Command::Openapi { .. } | Command::Config { .. } => {
                unreachable!("handled before the runtime starts")
            }
        }
    })
}
