//! The `solar-lottery` binary as an admin runs it: what `serve` says when settings are missing,
//! that it starts, answers, shuts down on SIGTERM, and never logs a token.

use std::time::Duration;

use crate::support::fake_mattermost::{FakeMattermost, RouteKind};
use crate::support::process::{Serving, bare, serve};

#[tokio::test]
async fn serve_without_mattermost_settings_says_what_to_set_and_how() {
    let dir = tempfile::tempdir().unwrap();
    let out = bare(&dir).arg("serve").output().await.unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    for (var, how) in [
        ("LOTTO_MATTERMOST_URL", "Site URL"),
        ("LOTTO_BOT_TOKEN", "Bot Accounts"),
        ("LOTTO_SLASH_TOKENS", "Slash Commands"),
    ] {
        let line = err
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{var}:")))
            .unwrap_or_else(|| panic!("{var} is not named: {err}"));
        assert!(line.contains(how), "{var}: {line}");
    }
    assert!(
        err.contains("solar-lottery setup --mattermost-url"),
        "{err}"
    );
    // `serve` is the default subcommand.
    let out = bare(&dir).output().await.unwrap();
    assert_eq!(out.status.code(), Some(2));
    // Only what is missing is listed.
    let out = bare(&dir)
        .env("LOTTO_MATTERMOST_URL", "https://chat.example.com")
        .env("LOTTO_BOT_TOKEN", "abc")
        .arg("serve")
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("LOTTO_SLASH_TOKENS:"), "{err}");
    assert!(
        !err.contains("LOTTO_BOT_TOKEN:") && !err.contains("LOTTO_MATTERMOST_URL:"),
        "{err}"
    );
    assert!(!err.contains("abc"), "{err}");
    // Nothing was created on the way out.
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
}

#[tokio::test]
async fn a_bad_setting_names_its_variable() {
    let dir = tempfile::tempdir().unwrap();
    let out = bare(&dir)
        .env("LOTTO_LISTEN", "everywhere")
        .output()
        .await
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("LOTTO_LISTEN") && err.contains("everywhere"),
        "{err}"
    );
}

#[tokio::test]
async fn a_wrong_bot_token_is_reported_without_printing_it() {
    let mm = FakeMattermost::start().await;
    let dir = tempfile::tempdir().unwrap();
    let secret = "wrongbottoken1234567890abc";
    let out = bare(&dir)
        .env("LOTTO_MATTERMOST_URL", mm.base_url())
        .env("LOTTO_BOT_TOKEN", secret)
        .env("LOTTO_SLASH_TOKENS", "slashsecret0987654321zyxwv")
        .env("LOTTO_LISTEN", "127.0.0.1:0")
        .env("LOTTO_DATABASE_URL", "sqlite://bot.db")
        .env("LOTTO_LOG", "trace")
        .output()
        .await
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(all.contains("LOTTO_BOT_TOKEN"), "{all}");
    assert!(!all.contains(secret), "the token leaked: {all}");
    assert!(!all.contains("slashsecret0987654321zyxwv"), "{all}");
}

#[tokio::test]
async fn serve_answers_slash_commands_stops_on_sigterm_and_never_logs_tokens() {
    let mm = FakeMattermost::start().await;
    mm.add_user("admin").time_zone("UTC");
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = bare(&dir);
    cmd.env("LOTTO_MATTERMOST_URL", mm.base_url())
        .env("LOTTO_BOT_TOKEN", mm.bot_token())
        .env(
            "LOTTO_SLASH_TOKENS",
            format!("other-team-token,{}", mm.slash_token()),
        )
        .env("LOTTO_ADMINS", "admin")
        .env("LOTTO_LISTEN", "127.0.0.1:0")
        .env("LOTTO_DATABASE_URL", "sqlite://bot.db")
        .env("LOTTO_CALENDAR_INTERVAL", "0")
        .env("LOTTO_LOG_FORMAT", "json")
        .env("LOTTO_LOG", "debug");
    let Serving {
        mut child,
        addr,
        mut log,
        mut rx,
    } = serve(cmd).await;

    let url = format!("http://{addr}/slash");
    let reply = mm.slash(&url, "admin", "rotation new ICE").await;
    assert!(
        reply.text().contains("Created rotation **ICE**"),
        "{}",
        reply.text()
    );
    let reply = mm.slash_get(&url, "admin", "rotation list").await;
    assert!(reply.text().contains("- **ICE**: "), "{}", reply.text());
    let reply = mm
        .slash_with_token(&url, "admin", "info", "guessed-token-123")
        .await;
    assert_eq!(reply.status, Some(401));
    let health = reqwest::get(format!("http://{addr}/healthz"))
        .await
        .unwrap();
    assert_eq!(health.status().as_u16(), 200);

    let pid = child.id().unwrap();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = tokio::time::timeout(Duration::from_secs(20), child.wait())
        .await
        .expect("stops within 20 s of SIGTERM")
        .unwrap();
    assert!(status.success(), "graceful shutdown exits 0: {status:?}");
    while let Some(line) = rx.recv().await {
        log.push(line);
    }
    let all = log.join("\n");
    assert!(all.contains("shutting down"), "{all}");
    assert!(
        all.contains("/slash"),
        "requests are logged (by path): {all}"
    );
    for secret in [mm.bot_token(), mm.slash_token(), reply.hook_id.clone()] {
        let leaks: Vec<&String> = log.iter().filter(|l| l.contains(&secret)).collect();
        assert!(
            leaks.is_empty(),
            "a secret reached the log: {secret} in {leaks:#?}"
        );
    }
}

#[tokio::test]
async fn exec_runs_one_command_without_http() {
    let mm = FakeMattermost::start().await;
    mm.add_user("admin").time_zone("UTC");
    mm.add_user("ann").time_zone("Europe/Berlin");
    let dir = tempfile::tempdir().unwrap();
    let exec = |args: &[&str]| {
        let mut cmd = bare(&dir);
        cmd.env("LOTTO_MATTERMOST_URL", mm.base_url())
            .env("LOTTO_BOT_TOKEN", mm.bot_token())
            .env("LOTTO_SLASH_TOKENS", mm.slash_token())
            .env("LOTTO_ADMINS", "admin")
            .env("LOTTO_DATABASE_URL", "sqlite://bot.db")
            .env("LOTTO_LOG", "warn")
            .arg("exec")
            .args(args);
        cmd
    };
    let out = exec(&["--as", "admin", "rotation", "new", "ICE"])
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("Created rotation **ICE**"));
    let out = exec(&["--as", "@admin", "user join ICE @ann"])
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    // exec delivers the DMs it queued before exiting.
    assert_eq!(mm.dms_to("ann").len(), 1);
    let out = exec(&["--as", "ann", "rotation archive ICE"])
        .output()
        .await
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "a refused command exits non-zero"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Only owners of ICE"));
    let out = exec(&["--as", "ghost", "info"]).output().await.unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("ghost"));
}

/// Waits until `done` holds, polling; panics with `what` after `deadline`.
async fn eventually(what: &str, deadline: Duration, mut done: impl AsyncFnMut() -> bool) {
    let end = tokio::time::Instant::now() + deadline;
    while !done().await {
        assert!(
            tokio::time::Instant::now() < end,
            "timed out waiting: {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_dm_in_flight_when_the_bot_is_killed_arrives_once_soon_after_restart() {
    let mm = FakeMattermost::start().await;
    mm.add_user("admin").time_zone("UTC");
    mm.add_user("ann").time_zone("Europe/Berlin");
    let dir = tempfile::tempdir().unwrap();
    let bot = || {
        let mut cmd = bare(&dir);
        cmd.env("LOTTO_MATTERMOST_URL", mm.base_url())
            .env("LOTTO_BOT_TOKEN", mm.bot_token())
            .env("LOTTO_SLASH_TOKENS", mm.slash_token())
            .env("LOTTO_ADMINS", "admin")
            .env("LOTTO_LISTEN", "127.0.0.1:0")
            .env("LOTTO_DATABASE_URL", "sqlite://bot.db")
            .env("LOTTO_AUTOPILOT_INTERVAL", "0")
            .env("LOTTO_CALENDAR_INTERVAL", "0")
            .env("LOTTO_LOG_FORMAT", "json")
            .env("LOTTO_LOG", "info");
        cmd
    };
    // Mattermost holds every new post open, as an overloaded server would.
    mm.delay(RouteKind::CreatePost, Duration::from_secs(3600));
    let mut first = serve(bot()).await;
    let url = format!("http://{}/slash", first.addr);
    let reply = mm.slash(&url, "admin", "rotation new ICE").await;
    assert!(
        reply.text().contains("Created rotation"),
        "{}",
        reply.text()
    );
    let reply = mm.slash(&url, "admin", "user join ICE @ann").await;
    assert!(reply.text().contains("Added @ann"), "{}", reply.text());
    eventually(
        "the welcome DM is posted",
        Duration::from_secs(30),
        async || mm.request_count(RouteKind::CreatePost) == 1,
    )
    .await;
    // kill -9 (`start_kill` is SIGKILL) while the post is in flight.
    first.child.start_kill().unwrap();
    first.child.wait().await.unwrap();
    mm.delay(RouteKind::CreatePost, Duration::ZERO);
    assert!(mm.dms_to("ann").is_empty());

    let mut second = serve(bot()).await;
    // The dead process's claim lapses one request timeout plus a margin after its last request
    // (15 s); this deadline is generous for that, and shorter than the minute DMs used to wait.
    eventually(
        "the DM arrives after the restart",
        Duration::from_secs(45),
        async || !mm.dms_to("ann").is_empty(),
    )
    .await;
    let db_url = format!("sqlite://{}", dir.path().join("bot.db").display());
    let db = sqlx::SqlitePool::connect(&db_url).await.unwrap();
    eventually(
        "the outbox records it",
        Duration::from_secs(30),
        async || {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL")
                .fetch_one(&db)
                .await
                .unwrap()
                == 1
        },
    )
    .await;
    let dms = mm.dms_to("ann");
    assert_eq!(dms.len(), 1, "{dms:#?}");
    assert!(dms[0].contains("Welcome to ICE"), "{}", dms[0]);
    second.child.start_kill().unwrap();
    second.child.wait().await.unwrap();
}

#[tokio::test]
async fn migrate_brings_a_postgres_database_up_to_date_and_never_prints_its_password() {
    let database = crate::support::db::fresh_postgres().await;
    // Trust auth ignores the password, which lets the test show it is masked everywhere.
    let url = database.url.replacen(
        "postgres://postgres@",
        "postgres://postgres:hunter2secret@",
        1,
    );
    let dir = tempfile::tempdir().unwrap();
    let out = bare(&dir)
        .env("LOTTO_DATABASE_URL", &url)
        .arg("migrate")
        .output()
        .await
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{all}");
    assert!(all.contains("postgres://postgres:****@"), "{all}");
    assert!(!all.contains("hunter2secret"), "{all}");
    let db = crate::support::db::pool(&database.url).await;
    let tables: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM information_schema.tables
         WHERE table_name IN ('rotations', 'tasks', 'outbox', 'leases', 'calendar_connections')",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(tables, 5);

    // A database that does not exist: said so, with the password masked, and a failure status.
    let missing = url.rsplit_once('/').unwrap().0.to_string() + "/lotto_no_such_database";
    let out = bare(&dir)
        .env("LOTTO_DATABASE_URL", &missing)
        .arg("migrate")
        .output()
        .await
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("lotto_no_such_database") && err.contains("does not exist"),
        "{err}"
    );
    assert!(!err.contains("hunter2secret"), "{err}");
}
