//! The `solar-lottery` binary: reads settings, sets up logging, and runs a subcommand.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use solar_lottery::app;
use solar_lottery::config::Settings;

#[derive(Parser)]
#[command(
    name = "solar-lottery",
    version,
    about = "The /lotto bot for Mattermost: rotations by solar lottery"
)]
struct Cli {
    /// A TOML file with settings (keys as the LOTTO_* variables, lowercase, without the prefix).
    #[arg(long, global = true, env = "LOTTO_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run the bot: HTTP server for /lotto, autopilot and calendar jobs (the default).
    Serve,
    /// Run one /lotto command as a Mattermost user, without HTTP, and print the reply.
    Exec {
        /// Username of the acting user.
        #[arg(long = "as")]
        as_user: String,
        /// The command text, as typed after /lotto.
        text: Vec<String>,
    },
    /// Create the database if needed and apply migrations, then exit.
    Migrate,
    /// Write the support packet (a zip of diagnostics, counts, settings without secrets) to a file.
    SupportPacket {
        /// Where to write it (default: `lotto_support_packet_<YYYY-MM-DDTHH-MM>.zip` here).
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
        /// Leave the log lines out.
        #[arg(long)]
        no_logs: bool,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    init_tracing(settings.log_json);
    match cli.command.unwrap_or(Cmd::Serve) {
        Cmd::Serve => serve(settings).await,
        Cmd::Exec { as_user, text } => exec(settings, &as_user, &text.join(" ")).await,
        Cmd::SupportPacket { output, no_logs } => support_packet(settings, output, !no_logs).await,
        Cmd::Migrate => match solar_lottery::store::Db::connect(&settings.database_url).await {
            Ok(_) => {
                println!(
                    "database {} is up to date",
                    solar_lottery::store::redact_url(&settings.database_url)
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("migration failed: {e}");
                ExitCode::FAILURE
            }
        },
    }
}

/// Logs to the console, and into the in-memory tail the support packet includes.
fn init_tracing(json: bool) {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let filter = tracing_subscriber::EnvFilter::try_from_env("LOTTO_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let console_json = json.then(|| tracing_subscriber::fmt::layer().json());
    let console_text = (!json).then(tracing_subscriber::fmt::layer);
    let tail = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_writer(solar_lottery::support::LogTail::global().clone());
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(console_json)
        .with(console_text)
        .with(tail)
        .try_init();
}

async fn serve(settings: Settings) -> ExitCode {
    if let Err(e) = settings.mattermost() {
        eprintln!("{e}");
        return ExitCode::from(2);
    }
    let listener = match tokio::net::TcpListener::bind(settings.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "could not listen on {} (LOTTO_LISTEN): {e}",
                settings.listen
            );
            return ExitCode::FAILURE;
        }
    };
    let running = match app::launch(settings, listener, app::Options::default()).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("solar-lottery could not start: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    shutdown_signal().await;
    tracing::info!("shutting down");
    running.shutdown().await;
    ExitCode::SUCCESS
}

async fn exec(settings: Settings, as_user: &str, text: &str) -> ExitCode {
    let (service, sender) = match app::service_only(&settings).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e:#}");
            return ExitCode::FAILURE;
        }
    };
    let reply = service
        .execute_as_username(as_user.trim_start_matches('@'), text)
        .await;
    println!("{}", reply.text);
    if let Err(e) = sender.deliver_due().await {
        eprintln!("some messages could not be delivered yet: {e}");
    }
    if reply.is_error {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// The support packet from the command line: the configured database, and Mattermost when its
/// settings are there; this process has no job runs, so `jobs.yaml` is empty.
async fn support_packet(settings: Settings, output: Option<PathBuf>, logs: bool) -> ExitCode {
    use solar_lottery::support;
    let db = match solar_lottery::store::Db::connect(&settings.database_url).await {
        Ok(db) => db,
        Err(e) => {
            eprintln!(
                "could not open the database {}: {e}",
                support::sanitize::redact_url(&settings.database_url)
            );
            return ExitCode::FAILURE;
        }
    };
    let mm = settings.mattermost().ok().and_then(|m| {
        solar_lottery::mattermost::MattermostClient::new(
            &m.url,
            m.bot_token,
            solar_lottery::mattermost::DEFAULT_REQUEST_TIMEOUT,
        )
        .ok()
    });
    let sources = support::Sources {
        settings,
        db,
        mm,
        runs: Default::default(),
        logs: Some(support::LogTail::global().clone()),
        started: std::time::Instant::now(),
        instance: format!("{}-cli", std::process::id()),
    };
    let packet = support::generate(&sources, support::Options { logs }, chrono::Utc::now()).await;
    let path = output.unwrap_or_else(|| PathBuf::from(&packet.filename));
    if let Err(e) = std::fs::write(&path, &packet.bytes) {
        eprintln!("could not write {}: {e}", path.display());
        return ExitCode::FAILURE;
    }
    for w in &packet.warnings {
        eprintln!("warning: {w}");
    }
    println!("wrote {} ({} bytes)", path.display(), packet.bytes.len());
    ExitCode::SUCCESS
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
