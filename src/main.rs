//! The `solar-lottery` binary: reads settings, sets up logging, and runs a subcommand.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use secrecy::SecretString;
use solar_lottery::app;
use solar_lottery::config::Settings;
use solar_lottery::setup::{self, AdminCredentials, SetupOptions, SystemAdminChoice};

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
    /// Exit 0 when this machine's bot answers /healthz (for container health checks).
    Healthcheck,
    /// Set up Mattermost for the bot (bot account, token, /lotto in each team) and write the
    /// settings file (--config, default ./solar-lottery.toml). Safe to run again: it changes only
    /// what is missing or out of date.
    Setup(SetupArgs),
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

#[derive(clap::Args)]
struct SetupArgs {
    /// The Mattermost site URL, e.g. https://chat.example.com.
    #[arg(long, env = "LOTTO_MATTERMOST_URL")]
    mattermost_url: String,
    /// A system admin's personal access token.
    #[arg(
        long,
        env = "LOTTO_SETUP_ADMIN_TOKEN",
        hide_env_values = true,
        required_unless_present = "admin_username",
        conflicts_with = "admin_username"
    )]
    admin_token: Option<String>,
    /// Log in as this system admin instead (the password is asked for, or read from
    /// LOTTO_SETUP_ADMIN_PASSWORD).
    #[arg(long)]
    admin_username: Option<String>,
    /// On a brand-new Mattermost with no accounts: create --admin-username as the first account
    /// (Mattermost makes it a system admin) with this email address.
    #[arg(long, requires = "admin_username")]
    first_admin_email: Option<String>,
    /// A team (its URL name) to register /lotto in; repeat for several. Default: every team.
    #[arg(long = "team", value_name = "NAME")]
    teams: Vec<String>,
    /// Create the named teams that do not exist yet.
    #[arg(long, requires = "teams")]
    create_team: bool,
    /// Where Mattermost reaches the bot; /lotto will call <URL>/slash.
    #[arg(
        long,
        env = "LOTTO_PUBLIC_URL",
        default_value = "http://localhost:8088"
    )]
    bot_url: String,
    /// Make the bot a system admin without asking (needed for the calendar status features).
    #[arg(long, conflicts_with = "no_system_admin")]
    system_admin: bool,
    /// Leave the bot a plain bot without asking.
    #[arg(long)]
    no_system_admin: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // Setup writes the settings file, so it must not need one to exist.
    let command = match cli.command.unwrap_or(Cmd::Serve) {
        Cmd::Setup(args) => return setup(args, cli.config).await,
        other => other,
    };
    // After `setup`, `serve` finds its settings without being told where.
    let config = cli.config.or_else(|| {
        let default = PathBuf::from(setup::DEFAULT_CONFIG_FILE);
        default.exists().then_some(default)
    });
    let settings = match Settings::load(config.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    init_tracing(settings.log_json);
    match command {
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
                eprintln!("could not bring the database up to date: {e}");
                ExitCode::FAILURE
            }
        },
        Cmd::Setup(args) => setup(args, config).await,
        Cmd::Healthcheck => healthcheck(settings.listen).await,
    }
}

/// GETs `/healthz` on the address `serve` listens on (the loopback one when it listens on all).
async fn healthcheck(listen: std::net::SocketAddr) -> ExitCode {
    let ip = match listen.ip() {
        std::net::IpAddr::V4(ip) if ip.is_unspecified() => std::net::Ipv4Addr::LOCALHOST.into(),
        std::net::IpAddr::V6(ip) if ip.is_unspecified() => std::net::Ipv6Addr::LOCALHOST.into(),
        ip => ip,
    };
    let url = format!(
        "http://{}/healthz",
        std::net::SocketAddr::new(ip, listen.port())
    );
    let client = match reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(4))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("healthcheck: {e}");
            return ExitCode::FAILURE;
        }
    };
    match client.get(&url).send().await {
        Ok(r) if r.status().is_success() => ExitCode::SUCCESS,
        Ok(r) => {
            eprintln!("{url} answered {}", r.status());
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("{url}: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn setup(args: SetupArgs, config: Option<PathBuf>) -> ExitCode {
    let admin = match (args.admin_token, args.admin_username) {
        (Some(token), _) => AdminCredentials::Token(SecretString::from(token)),
        (None, Some(username)) => {
            let password = std::env::var("LOTTO_SETUP_ADMIN_PASSWORD")
                .ok()
                .filter(|p| !p.is_empty())
                .or_else(|| {
                    setup::terminal::prompt_password(&format!("Password of @{username}: "))
                });
            let Some(password) = password else {
                eprintln!(
                    "setup needs the password of @{username}: type it at the prompt, or set LOTTO_SETUP_ADMIN_PASSWORD"
                );
                return ExitCode::from(2);
            };
            AdminCredentials::Password {
                username,
                password: SecretString::from(password),
                first_admin_email: args.first_admin_email,
            }
        }
        (None, None) => {
            eprintln!("setup needs --admin-token or --admin-username");
            return ExitCode::from(2);
        }
    };
    let options = SetupOptions {
        mattermost_url: args.mattermost_url.trim().trim_end_matches('/').to_string(),
        admin,
        teams: args.teams,
        create_teams: args.create_team,
        bot_url: args.bot_url,
        config_path: config.unwrap_or_else(|| PathBuf::from(setup::DEFAULT_CONFIG_FILE)),
        system_admin: if args.system_admin {
            SystemAdminChoice::Grant
        } else if args.no_system_admin {
            SystemAdminChoice::Skip
        } else {
            SystemAdminChoice::Ask
        },
        timeout: solar_lottery::mattermost::DEFAULT_REQUEST_TIMEOUT,
    };
    println!("Setting up Mattermost for solar-lottery:");
    match setup::run(&options, &mut setup::terminal::TerminalUi).await {
        Ok(outcome) => {
            println!(
                "Done. Start the bot with: solar-lottery --config {} serve",
                outcome.config_path.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("setup stopped: {e}");
            ExitCode::FAILURE
        }
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
        websocket: Default::default(),
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
