//! `solar-lottery setup` against the fake Mattermost: what it creates, that a second run changes
//! nothing, that a session without permissions changes nothing and names them, and that `serve`
//! with the written file answers `/lotto` through the registered command.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use secrecy::SecretString;
use solar_lottery::setup::{
    self, AdminCredentials, SetupError, SetupOptions, SystemAdminChoice, Ui,
};

use crate::support::fake_mattermost::{FakeMattermost, RouteKind};
use crate::support::wait::eventually;

const BIN: &str = env!("CARGO_BIN_EXE_solar-lottery");

/// The routes that change something in Mattermost.
const WRITES: [RouteKind; 7] = [
    RouteKind::CreateBot,
    RouteKind::EnableBot,
    RouteKind::CreateUserAccessToken,
    RouteKind::UpdateUserRoles,
    RouteKind::CreateCommand,
    RouteKind::UpdateCommand,
    RouteKind::CreateTeam,
];

/// Records what setup says; answers its question with `answer`.
#[derive(Default)]
struct Recorder {
    lines: Vec<String>,
    answer: bool,
    asked: Vec<String>,
}

impl Ui for Recorder {
    fn say(&mut self, line: &str) {
        self.lines.push(line.to_string());
    }
    fn confirm(&mut self, question: &str) -> bool {
        self.asked.push(question.to_string());
        self.answer
    }
}

impl Recorder {
    fn said(&self, needle: &str) -> bool {
        self.lines.iter().any(|l| l.contains(needle))
    }
}

fn options(mm: &FakeMattermost, token: &str, config: &Path) -> SetupOptions {
    SetupOptions {
        mattermost_url: mm.base_url().to_string(),
        admin: AdminCredentials::Token(SecretString::from(token.to_string())),
        teams: Vec::new(),
        create_teams: false,
        bot_url: "http://bot.internal:8088".to_string(),
        config_path: config.to_path_buf(),
        system_admin: SystemAdminChoice::Grant,
        timeout: Duration::from_secs(5),
    }
}

fn writes(mm: &FakeMattermost) -> Vec<usize> {
    WRITES.iter().map(|k| mm.request_count(*k)).collect()
}

fn read_config(path: &Path) -> toml_edit::DocumentMut {
    std::fs::read_to_string(path).unwrap().parse().unwrap()
}

#[tokio::test]
async fn setup_creates_the_bot_its_token_and_lotto_in_every_team_and_writes_an_owner_only_file() {
    let (mm, token) = FakeMattermost::start_without_bot().await;
    mm.add_team("moon");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lotto.toml");
    let mut ui = Recorder::default();

    setup::run(&options(&mm, &token, &path), &mut ui)
        .await
        .unwrap();

    assert!(
        ui.said("bot account @solar-lottery: created"),
        "{:#?}",
        ui.lines
    );
    assert!(
        ui.said("@solar-lottery is now a system admin"),
        "{:#?}",
        ui.lines
    );
    assert!(
        ui.said("/lotto in team `moon`: registered"),
        "{:#?}",
        ui.lines
    );
    let admin = solar_lottery::mattermost::MattermostClient::new(
        mm.base_url(),
        SecretString::from(token.clone()),
        Duration::from_secs(5),
    )
    .unwrap();
    let bot_user = admin.get_user(&mm.bot().user_id()).await.unwrap();
    assert!(
        bot_user.is_bot && bot_user.is_system_admin(),
        "{bot_user:?}"
    );
    let commands = mm.commands_with_trigger("lotto");
    assert_eq!(commands.len(), 2, "{commands:#?}");
    for c in &commands {
        assert_eq!(c["url"], "http://bot.internal:8088/slash");
        assert_eq!(c["method"], "P");
        assert_eq!(c["auto_complete"], true);
        assert!(!c["auto_complete_hint"].as_str().unwrap().is_empty());
        assert!(!c["auto_complete_desc"].as_str().unwrap().is_empty());
    }

    let config = read_config(&path);
    assert_eq!(config["mattermost_url"].as_str(), Some(mm.base_url()));
    let bot_token = config["bot_token"].as_str().unwrap().to_string();
    let me = solar_lottery::mattermost::MattermostClient::new(
        mm.base_url(),
        SecretString::from(bot_token),
        Duration::from_secs(5),
    )
    .unwrap()
    .get_me()
    .await
    .unwrap();
    assert_eq!(me.username, "solar-lottery");
    let mut slash: Vec<&str> = config["slash_tokens"]
        .as_str()
        .unwrap()
        .split(',')
        .collect();
    slash.sort_unstable();
    let mut registered: Vec<&str> = commands
        .iter()
        .map(|c| c["token"].as_str().unwrap())
        .collect();
    registered.sort_unstable();
    assert_eq!(slash, registered);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

#[tokio::test]
async fn running_setup_again_changes_nothing_and_duplicates_nothing() {
    let (mm, token) = FakeMattermost::start_without_bot().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lotto.toml");
    setup::run(&options(&mm, &token, &path), &mut Recorder::default())
        .await
        .unwrap();
    let file_before = std::fs::read_to_string(&path).unwrap();
    let commands_before = mm.commands_with_trigger("lotto");
    let writes_before = writes(&mm);
    let users_before = mm.user_count();
    let tokens_before = mm.token_count("solar-lottery");

    let mut ui = Recorder::default();
    let outcome = setup::run(&options(&mm, &token, &path), &mut ui)
        .await
        .unwrap();

    assert_eq!(outcome.written, setup::Written::Unchanged);
    assert_eq!(writes(&mm), writes_before, "{:#?}", ui.lines);
    assert_eq!(mm.commands_with_trigger("lotto"), commands_before);
    assert_eq!(mm.user_count(), users_before);
    assert_eq!(mm.token_count("solar-lottery"), tokens_before);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), file_before);
    for said in [
        "bot account @solar-lottery: exists, kept",
        "is a system admin already",
        "still works, kept",
        "/lotto in team `solar`: up to date",
        "already up to date",
    ] {
        assert!(ui.said(said), "{said}: {:#?}", ui.lines);
    }
}

#[tokio::test]
async fn a_token_without_the_permissions_gets_them_named_and_nothing_is_written() {
    let (mm, _) = FakeMattermost::start_without_bot().await;
    let pat = mm.add_user("pat").access_token();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lotto.toml");
    let mut ui = Recorder::default();

    let err = setup::run(&options(&mm, &pat, &path), &mut ui)
        .await
        .unwrap_err();

    assert!(
        matches!(err, SetupError::MissingPermissions { .. }),
        "{err:?}"
    );
    let text = err.to_string();
    for needed in [
        "create_bot: to create the bot account @solar-lottery",
        "create_user_access_token",
        "manage_slash_commands: to register /lotto in team `solar`",
        "manage_roles",
        "nothing was changed",
    ] {
        assert!(text.contains(needed), "{needed}: {text}");
    }
    assert!(writes(&mm).iter().all(|n| *n == 0), "{:?}", writes(&mm));
    assert!(mm.commands_with_trigger("lotto").is_empty());
    assert_eq!(mm.token_count("solar-lottery"), 0);
    assert!(!path.exists());
}

#[tokio::test]
async fn a_plain_bot_is_kept_when_the_admin_says_no_and_a_new_bot_url_updates_lotto_keeping_its_token()
 {
    let (mm, token) = FakeMattermost::start_without_bot().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lotto.toml");
    let mut opts = options(&mm, &token, &path);
    opts.system_admin = SystemAdminChoice::Ask;
    let mut ui = Recorder::default();
    setup::run(&opts, &mut ui).await.unwrap();
    assert_eq!(ui.asked.len(), 1, "{:#?}", ui.asked);
    assert!(ui.said("--system-admin"), "{:#?}", ui.lines);
    assert_eq!(mm.request_count(RouteKind::UpdateUserRoles), 0);
    let before = mm.commands_with_trigger("lotto");

    opts.bot_url = "https://lotto.example.com/".to_string();
    opts.system_admin = SystemAdminChoice::Skip;
    let mut ui = Recorder::default();
    setup::run(&opts, &mut ui).await.unwrap();

    let after = mm.commands_with_trigger("lotto");
    assert_eq!(after.len(), 1);
    assert_eq!(after[0]["url"], "https://lotto.example.com/slash");
    assert_eq!(after[0]["token"], before[0]["token"]);
    assert!(
        ui.said("/lotto in team `solar`: updated"),
        "{:#?}",
        ui.lines
    );
    assert_eq!(
        read_config(&path)["slash_tokens"].as_str(),
        before[0]["token"].as_str()
    );
}

#[tokio::test]
async fn on_a_brand_new_server_setup_creates_the_first_admin_and_the_named_team() {
    let mm = FakeMattermost::start_empty().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lotto.toml");
    let mut opts = options(&mm, "", &path);
    opts.admin = AdminCredentials::Password {
        username: "admin".into(),
        password: SecretString::from("admin-password-1".to_string()),
        first_admin_email: Some("admin@example.com".into()),
    };
    opts.teams = vec!["crew".into()];
    opts.create_teams = true;
    let mut ui = Recorder::default();
    setup::run(&opts, &mut ui).await.unwrap();
    assert!(ui.said("account @admin: created"), "{:#?}", ui.lines);
    assert!(ui.said("team `crew`: created"), "{:#?}", ui.lines);
    assert!(mm.team_names().contains(&"crew".to_string()));

    let writes_before = writes(&mm);
    let mut ui = Recorder::default();
    setup::run(&opts, &mut ui).await.unwrap();
    assert_eq!(writes(&mm), writes_before, "{:#?}", ui.lines);
    assert_eq!(mm.request_count(RouteKind::CreateUser), 1);
}

#[tokio::test]
async fn a_wrong_admin_token_or_a_missing_team_stops_setup_before_anything_changes() {
    let (mm, token) = FakeMattermost::start_without_bot().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lotto.toml");
    let err = setup::run(
        &options(&mm, "not-a-token", &path),
        &mut Recorder::default(),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("refused the admin token"), "{err}");
    let mut opts = options(&mm, &token, &path);
    opts.teams = vec!["nowhere".into()];
    let err = setup::run(&opts, &mut Recorder::default())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no team named `nowhere`"), "{err}");
    mm.set_bot_creation_enabled(false);
    let err = setup::run(&options(&mm, &token, &path), &mut Recorder::default())
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("Bot creation has been disabled"),
        "{err}"
    );
    assert!(!path.exists());
}

/// A port nothing listens on right now, for a bot whose URL must be known before it starts.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn bare(dir: &Path) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(BIN);
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    cmd
}

#[tokio::test]
async fn after_the_setup_command_serve_answers_lotto_through_the_registered_command() {
    let (mm, token) = FakeMattermost::start_without_bot().await;
    mm.add_user("ann");
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let out = bare(dir.path())
        .args(["setup", "--mattermost-url", mm.base_url(), "--bot-url"])
        .arg(format!("http://127.0.0.1:{port}"))
        .args(["--no-system-admin"])
        .env("LOTTO_SETUP_ADMIN_TOKEN", &token)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("/lotto in team `solar`: registered"),
        "{stdout}"
    );
    assert!(
        !stdout.contains(&token),
        "the admin token was printed: {stdout}"
    );
    let config: PathBuf = dir.path().join(setup::DEFAULT_CONFIG_FILE);
    assert!(config.exists());

    // `serve` finds ./solar-lottery.toml by itself.
    let mut child = bare(dir.path())
        .arg("serve")
        .env("LOTTO_LISTEN", format!("127.0.0.1:{port}"))
        .env("LOTTO_DATABASE_URL", "sqlite://bot.db")
        .env("LOTTO_CALENDAR_INTERVAL", "0")
        .env("LOTTO_AUTOPILOT_INTERVAL", "0")
        .spawn()
        .unwrap();
    let health = format!("http://127.0.0.1:{port}/healthz");
    eventually("the bot answers /healthz", async || {
        reqwest::get(&health)
            .await
            .ok()
            .filter(|r| r.status().is_success())
    })
    .await;
    let reply = mm.type_command("ann", "rotation new ICE").await;
    assert!(
        reply.text().contains("Created rotation **ICE**"),
        "{}",
        reply.text()
    );
    let _ = child.start_kill();
    let _ = child.wait().await;
}

#[tokio::test]
async fn the_fake_refuses_what_mattermost_refuses_on_the_admin_routes() {
    use solar_lottery::mattermost::{MattermostClient, NewBot};
    let (mm, token) = FakeMattermost::start_without_bot().await;
    let client = |t: &str| {
        MattermostClient::new(
            mm.base_url(),
            SecretString::from(t.to_string()),
            Duration::from_secs(5),
        )
        .unwrap()
    };
    let admin = client(&token);
    let team = admin.get_team_by_name("solar").await.unwrap();
    let mut command = solar_lottery::mattermost::SlashCommandDef {
        team_id: team.id.clone(),
        trigger: "lotto".into(),
        method: "P".into(),
        url: "ftp://bot/slash".into(),
        ..Default::default()
    };
    let id = |e: solar_lottery::mattermost::MattermostError| {
        (
            e.status().map(|s| s.as_u16()),
            e.app_error_id().unwrap_or("").to_string(),
        )
    };
    let err = admin.create_command(&command).await.unwrap_err();
    assert_eq!(
        id(err),
        (
            Some(400),
            "model.command.is_valid.url_http.app_error".into()
        )
    );
    command.url = "http://bot/slash".into();
    let created = admin.create_command(&command).await.unwrap();
    assert_eq!(created.token.len(), 26);
    let err = admin.create_command(&command).await.unwrap_err();
    assert_eq!(
        id(err),
        (Some(400), "api.command.duplicate_trigger.app_error".into())
    );

    let pat = client(&mm.add_user("pat").access_token());
    let err = pat.create_command(&command).await.unwrap_err();
    assert_eq!(
        id(err),
        (Some(403), "api.context.permissions.app_error".into())
    );
    let err = pat.list_team_commands(&team.id).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
    let bot = NewBot {
        username: "helper",
        display_name: "Helper",
        description: "",
    };
    let err = pat.create_bot(&bot).await.unwrap_err();
    assert_eq!(
        id(err),
        (Some(403), "api.context.permissions.app_error".into())
    );
    let made = admin.create_bot(&bot).await.unwrap();
    let err = admin.create_bot(&bot).await.unwrap_err();
    assert_eq!(
        id(err),
        (Some(400), "app.user.save.username_exists.app_error".into())
    );
    let err = pat
        .create_user_access_token(&made.user_id, "x")
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
    let err = admin
        .update_user_roles(&made.user_id, "system_user wizard")
        .await
        .unwrap_err();
    assert_eq!(
        id(err),
        (Some(400), "api.context.invalid_body_param.app_error".into())
    );
    let err = pat
        .update_user_roles(&made.user_id, "system_user system_admin")
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
}
