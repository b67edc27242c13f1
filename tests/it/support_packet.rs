//! The support packet (`/lotto admin support-packet`, `GET /admin/support-packet`, `solar-lottery
//! support-packet`) and `GET /metrics`.

use std::io::Read;

use crate::support::app::{Spawn, TestApp, spawn_app, spawn_app_with, start};
use crate::support::db::on_postgres;

const PARTS: [&str; 6] = [
    "metadata.yaml",
    "diagnostics.yaml",
    "stats.yaml",
    "jobs.yaml",
    "sanitized_config.json",
    "lotto.log",
];
const ADMIN_TOKEN: &str = "admintoken-5ecret-0123456789";

/// The zip's files, in order, with their contents.
fn unzip(bytes: &[u8]) -> Vec<(String, String)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).expect("a file");
            let mut text = String::new();
            file.read_to_string(&mut text).expect("text");
            (file.name().expect("a name").to_string(), text)
        })
        .collect()
}

fn names(files: &[(String, String)]) -> Vec<&str> {
    files.iter().map(|(n, _)| n.as_str()).collect()
}

fn part<'a>(files: &'a [(String, String)], name: &str) -> &'a str {
    files
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, t)| t.as_str())
        .unwrap_or_else(|| panic!("no {name} in {:?}", names(files)))
}

async fn download(app: &TestApp, token: Option<&str>, query: &str) -> reqwest::Response {
    let mut request =
        reqwest::Client::new().get(format!("{}/admin/support-packet{query}", app.url));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("the bot answers")
}

fn with_admin_token() -> Spawn {
    Spawn {
        settings: vec![("admin_token", ADMIN_TOKEN)],
        ..Spawn::default()
    }
}

#[tokio::test]
async fn an_admin_gets_the_packet_as_a_dm_attachment_with_every_part_in_a_fixed_order() {
    let app = spawn_app().await;
    app.run("admin", "rotation new ICE").await;
    let reply = app.run("admin", "admin support-packet").await;
    assert!(reply.contains("in your direct messages"), "{reply}");
    let files = app.mm.dm_files_to("admin");
    assert_eq!(files.len(), 1, "one zip attached to one DM");
    let file = &files[0];
    assert!(
        file.name.starts_with("lotto_support_packet_") && file.name.ends_with(".zip"),
        "{}",
        file.name
    );
    assert_eq!(
        file.name.len(),
        "lotto_support_packet_2026-03-02T09-00.zip".len()
    );
    assert_eq!(file.mime_type, "application/zip");
    let dm = app.mm.dms_to("admin");
    assert!(dm[0].contains(&file.name), "{dm:?}");
    let zip = unzip(&file.bytes);
    assert_eq!(names(&zip), PARTS, "no warning.txt: nothing failed");
    let metadata = part(&zip, "metadata.yaml");
    assert!(metadata.contains("type: lotto-packet"), "{metadata}");
    assert!(metadata.contains("server_id:"), "{metadata}");
    let diagnostics = part(&zip, "diagnostics.yaml");
    let backend = if on_postgres() { "postgres" } else { "sqlite" };
    assert!(
        diagnostics.contains(&format!("type: {backend}")),
        "{diagnostics}"
    );
    assert!(
        diagnostics.contains(&format!("schema_version: '{}'", latest_migration()))
            || diagnostics.contains(&format!("schema_version: \"{}\"", latest_migration())),
        "{diagnostics}"
    );
    assert!(
        diagnostics.contains("server_version: 10.11.0.0.fake.false"),
        "{diagnostics}"
    );
    assert!(diagnostics.contains("status: OK"), "{diagnostics}");
    let stats = part(&zip, "stats.yaml");
    assert!(stats.contains("active: 1"), "{stats}");
    let config: serde_json::Value =
        serde_json::from_str(part(&zip, "sanitized_config.json")).expect("JSON");
    assert_eq!(config["bot_token"], "*".repeat(32));
    assert_eq!(config["admins"], serde_json::json!(["admin"]));
}

#[tokio::test]
async fn someone_who_is_not_a_bot_admin_is_refused_and_nothing_is_uploaded() {
    let app = spawn_app().await;
    app.mm.add_user("ann");
    let reply = app.run("ann", "admin support-packet").await;
    assert!(reply.contains("Only bot admins"), "{reply}");
    assert!(app.mm.files().is_empty());
    assert!(app.mm.dms_to("ann").is_empty());
}

#[tokio::test]
async fn no_logs_leaves_the_log_tail_out() {
    let app = spawn_app().await;
    app.run("admin", "admin support-packet --no-logs").await;
    let zip = unzip(&app.mm.dm_files_to("admin")[0].bytes);
    assert_eq!(names(&zip), &PARTS[..5]);
}

#[tokio::test]
async fn with_file_attachments_off_the_admin_is_told_how_to_get_the_packet() {
    let app = spawn_app().await;
    app.mm.set_file_attachments_enabled(false);
    let reply = app.run("admin", "admin support-packet").await;
    assert!(reply.contains("file attachments turned off"), "{reply}");
    assert!(reply.contains("GET /admin/support-packet"), "{reply}");
    assert!(app.mm.dms_to("admin").is_empty());
}

#[tokio::test]
async fn the_download_needs_the_admin_token_and_does_not_exist_without_one() {
    let app = spawn_app().await;
    assert_eq!(download(&app, Some("anything"), "").await.status(), 404);

    let app = spawn_app_with(with_admin_token()).await;
    assert_eq!(download(&app, None, "").await.status(), 401);
    assert_eq!(
        download(&app, Some("admintoken-5ecret-012345678"), "")
            .await
            .status(),
        401
    );
    let response = download(&app, Some(ADMIN_TOKEN), "").await;
    assert_eq!(response.status(), 200);
    let header = |name: &str| {
        response.headers()[name]
            .to_str()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(header("content-type"), "application/zip");
    assert!(
        header("content-disposition").starts_with("attachment; filename=lotto_support_packet_")
    );
    assert!(header("cache-control").contains("no-store"));
    let zip = unzip(&response.bytes().await.unwrap());
    assert_eq!(names(&zip), PARTS);
    let zip = unzip(
        &download(&app, Some(ADMIN_TOKEN), "?logs=false")
            .await
            .bytes()
            .await
            .unwrap(),
    );
    assert_eq!(names(&zip), &PARTS[..5]);
}

#[tokio::test]
async fn a_failing_part_is_listed_in_warning_txt_and_the_rest_still_arrives() {
    let app = spawn_app_with(with_admin_token()).await;
    sqlx::query("DROP TABLE installation")
        .execute(&app.db)
        .await
        .unwrap();
    let response = download(&app, Some(ADMIN_TOKEN), "").await;
    assert_eq!(response.status(), 200);
    let zip = unzip(&response.bytes().await.unwrap());
    assert_eq!(
        names(&zip),
        [
            "diagnostics.yaml",
            "stats.yaml",
            "jobs.yaml",
            "sanitized_config.json",
            "lotto.log",
            "warning.txt"
        ]
    );
    let warning = part(&zip, "warning.txt");
    assert!(warning.starts_with("metadata.yaml: "), "{warning}");
}

#[tokio::test]
async fn nothing_secret_leaves_in_the_packet() {
    let feed_secret = "private/7f3c9e1a2b4d6f80/basic.ics";
    let feed = format!("https://calendar.example.com/{feed_secret}?token=feedtok-9876543210");
    let graph_secret = "graph-client-s3cret-value-42";
    let spawn = || {
        let mut spawn = with_admin_token();
        spawn.settings.extend([
            ("graph_tenant", "contoso"),
            ("graph_client_id", "app-id-1"),
            ("graph_client_secret", graph_secret),
            // Unreachable on purpose: the check fails, and its error must not carry the secret.
            ("graph_token_url", "http://127.0.0.1:9/token"),
            ("public_url", "https://bot:publicpw-31415@bot.example.com/"),
        ]);
        spawn
    };
    let app = spawn_app_with(spawn()).await;
    let mut secrets = vec![
        app.mm.bot_token(),
        app.mm.slash_token(),
        ADMIN_TOKEN.to_string(),
        graph_secret.to_string(),
        "publicpw-31415".to_string(),
        feed_secret.to_string(),
        "feedtok-9876543210".to_string(),
    ];
    // On Postgres, a second bot process on a URL with a password (trust auth ignores it).
    let db_password = "pg-pa55word-2718";
    let app = if on_postgres() {
        let url = app.db_url.replacen(
            "postgres://postgres@",
            &format!("postgres://postgres:{db_password}@"),
            1,
        );
        assert!(url.contains(db_password), "{url}");
        secrets.push(db_password.to_string());
        let mut app = app;
        let bot = start(&app.mm, &url, &spawn()).await;
        app.url = format!("http://{}", bot.addr);
        if let Some(old) = app.app.replace(bot) {
            old.shutdown().await;
        }
        app
    } else {
        app
    };
    app.mm.add_user("ann");
    app.run("ann", "info").await;
    sqlx::query(
        "INSERT INTO calendar_connections (user_id, source_kind, source, connected_by, connected_at, problem_kind, problem, problem_since)
         SELECT id, 'ics', $1, id, 0, 'source', $2, 0 FROM users WHERE username = 'ann'",
    )
    .bind(&feed)
    .bind(format!("could not read {feed}: 404"))
    .execute(&app.db)
    .await
    .unwrap();
    let holiday_secret = "hol-s3cret-1618";
    secrets.push(holiday_secret.to_string());
    sqlx::query(
        "INSERT INTO holiday_feeds (rotation_id, url, created_by, created_at, failed_at, error)
         VALUES (NULL, $1, 'admin', 0, 0, 'The calendar server answered HTTP 503')",
    )
    .bind(format!("https://holidays.example.org/{holiday_secret}.ics"))
    .execute(&app.db)
    .await
    .unwrap();
    app.run("admin", "admin support-packet").await;
    let dm_zip = app.mm.dm_files_to("admin")[0].bytes.clone();
    let http_zip = download(&app, Some(ADMIN_TOKEN), "")
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    for zip in [dm_zip, http_zip] {
        let files = unzip(&zip);
        let all_text: String = files.iter().map(|(_, t)| t.as_str()).collect();
        for secret in &secrets {
            assert!(
                !zip.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{secret} in the zip's bytes"
            );
            assert!(
                !all_text.contains(secret.as_str()),
                "{secret} in {all_text}"
            );
        }
        let config: serde_json::Value =
            serde_json::from_str(part(&files, "sanitized_config.json")).unwrap();
        for key in ["bot_token", "admin_token", "graph_client_secret"] {
            assert_eq!(config[key], "*".repeat(32), "{key}");
        }
        assert_eq!(config["slash_tokens"], serde_json::json!(["*".repeat(32)]));
        assert_eq!(config["public_url"], "https://****:****@bot.example.com/");
        let diagnostics = part(&files, "diagnostics.yaml");
        assert!(
            diagnostics.contains("host: calendar.example.com"),
            "{diagnostics}"
        );
        assert!(diagnostics.contains("failing: 1"), "{diagnostics}");
        assert!(
            diagnostics.contains("holiday_feeds:")
                && diagnostics.contains("host: holidays.example.org")
                && diagnostics.contains("error: The calendar server answered HTTP 503"),
            "{diagnostics}"
        );
        assert!(part(&files, "stats.yaml").contains("ics: 1"));
    }
}

#[tokio::test]
async fn the_command_line_writes_the_packet_to_a_file() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_solar-lottery"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("LOTTO_DATABASE_URL", &app.db_url)
        .env("LOTTO_MATTERMOST_URL", app.mm.base_url())
        .env("LOTTO_BOT_TOKEN", app.mm.bot_token())
        .env("LOTTO_SLASH_TOKENS", app.mm.slash_token())
        .env("LOTTO_LOG", "warn")
        .current_dir(dir.path())
        .args(["support-packet", "-o", "packet.zip"])
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let bytes = std::fs::read(dir.path().join("packet.zip")).unwrap();
    let zip = unzip(&bytes);
    assert_eq!(names(&zip), PARTS);
    assert!(part(&zip, "diagnostics.yaml").contains("status: OK"));
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains(&app.mm.bot_token()));
}

#[tokio::test]
async fn metrics_are_served_in_prometheus_text_format() {
    let app = spawn_app().await;
    app.run("admin", "rotation new ICE").await;
    app.slash("admin", "rotation bogus").await;
    app.mm
        .slash_with_token(&app.slash_url(), "admin", "info", "wrong-token")
        .await;
    let response = reqwest::get(format!("{}/metrics", app.url)).await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = response.text().await.unwrap();
    for expected in [
        "# TYPE lotto_slash_requests_total counter",
        "lotto_slash_requests_total{outcome=\"ok\"}",
        "lotto_slash_requests_total{outcome=\"error\"}",
        "lotto_slash_requests_total{outcome=\"unauthorized\"}",
        "# TYPE lotto_slash_request_duration_seconds histogram",
        "lotto_slash_request_duration_seconds_bucket{le=\"0.5\"}",
        "lotto_outbox_messages{state=\"pending\"}",
        // Process-wide: another test's app may have its WebSocket open right now.
        "# TYPE lotto_websocket_connected gauge",
        "lotto_build_info{",
    ] {
        assert!(text.contains(expected), "{expected} missing from\n{text}");
    }
}

/// The newest migration's version, as `0004`: the packet reports what the database has applied.
fn latest_migration() -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite");
    std::fs::read_dir(dir)
        .expect("the migrations")
        .filter_map(|e| e.ok()?.file_name().to_str()?.get(..4).map(str::to_string))
        .max()
        .expect("at least one migration")
}
