//! The root `docker-compose.yml` and `Dockerfile`, checked without Docker (these machines cannot
//! pull images): the services, ports, health checks, the order setup → bot, and that the settings
//! the services hand each other agree.

use serde_json::Value;

fn compose() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docker-compose.yml");
    let text = std::fs::read_to_string(path).expect("docker-compose.yml at the repository root");
    let yaml: serde_norway::Value = serde_norway::from_str(&text).expect("valid YAML");
    serde_json::to_value(yaml).expect("string keys only")
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The value after `flag` in a command list.
fn flag<'a>(command: &'a [String], flag: &str) -> &'a str {
    let i = command
        .iter()
        .position(|a| a == flag)
        .unwrap_or_else(|| panic!("{flag} missing from {command:?}"));
    &command[i + 1]
}

#[test]
fn compose_runs_mattermost_its_database_the_bot_its_database_and_a_one_shot_setup() {
    let c = compose();
    let services = c["services"].as_object().expect("services");
    let mut names: Vec<&str> = services.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["bot", "bot-db", "mattermost", "mattermost-db", "setup"]
    );

    let mm = &c["services"]["mattermost"];
    assert!(
        mm["image"]
            .as_str()
            .unwrap()
            .starts_with("mattermost/mattermost-team-edition:")
    );
    assert!(strings(&mm["ports"]).contains(&"8065:8065".to_string()));
    for db in ["mattermost-db", "bot-db"] {
        assert!(
            c["services"][db]["image"]
                .as_str()
                .unwrap()
                .starts_with("postgres:"),
            "{db}"
        );
    }
    for name in ["mattermost", "mattermost-db", "bot-db", "bot"] {
        let test = strings(&c["services"][name]["healthcheck"]["test"]);
        assert!(test.len() >= 2, "{name} has no health check: {test:?}");
    }
    assert!(
        strings(&c["services"]["bot"]["healthcheck"]["test"]).contains(&"healthcheck".to_string())
    );
    assert!(
        strings(&mm["healthcheck"]["test"])
            .iter()
            .any(|a| a.ends_with("/api/v4/system/ping")),
        "Mattermost is healthy when it answers its ping"
    );
    // Every named volume a service mounts is declared.
    let declared = c["volumes"].as_object().expect("volumes");
    for (name, service) in services {
        for mount in strings(&service["volumes"]) {
            let source = mount.split(':').next().unwrap();
            assert!(
                declared.contains_key(source),
                "{name} mounts undeclared volume {source}"
            );
        }
    }
}

#[test]
fn setup_runs_once_mattermost_is_healthy_and_the_bot_only_after_setup_succeeded() {
    let c = compose();
    let setup = &c["services"]["setup"];
    let bot = &c["services"]["bot"];
    assert_eq!(
        setup["depends_on"]["mattermost"]["condition"],
        "service_healthy"
    );
    assert_eq!(setup["restart"], "no");
    assert_eq!(
        bot["depends_on"]["setup"]["condition"],
        "service_completed_successfully"
    );
    assert_eq!(bot["depends_on"]["bot-db"]["condition"], "service_healthy");
    for name in ["setup", "bot"] {
        assert_eq!(
            c["services"][name]["build"], ".",
            "{name} is built from ./Dockerfile"
        );
    }

    let command = strings(&setup["command"]);
    assert_eq!(command[0], "setup");
    // Setup writes the file the bot reads, on a volume both mount.
    assert_eq!(
        flag(&command, "--config"),
        bot["environment"]["LOTTO_CONFIG"]
    );
    let volume = |s: &Value| {
        strings(&s["volumes"])
            .iter()
            .map(|m| m.split(':').next().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert!(volume(setup).iter().any(|v| volume(bot).contains(v)));
    // Setup talks to Mattermost at its Site URL and registers /lotto where the bot listens.
    let env = &c["services"]["mattermost"]["environment"];
    assert_eq!(
        flag(&command, "--mattermost-url"),
        env["MM_SERVICESETTINGS_SITEURL"]
    );
    let bot_url = reqwest::Url::parse(flag(&command, "--bot-url")).unwrap();
    let listen: std::net::SocketAddr = bot["environment"]["LOTTO_LISTEN"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(bot_url.port(), Some(listen.port()));
    let allowed = env["MM_SERVICESETTINGS_ALLOWEDUNTRUSTEDINTERNALCONNECTIONS"]
        .as_str()
        .unwrap();
    assert!(
        allowed
            .split_whitespace()
            .any(|h| Some(h) == bot_url.host_str()),
        "Mattermost must be allowed to call {bot_url}: {allowed}"
    );
    // The bot and setup share Mattermost's network, so the Site URL reaches Mattermost from them.
    for name in ["setup", "bot"] {
        assert_eq!(
            c["services"][name]["network_mode"], "service:mattermost",
            "{name}"
        );
    }
    // The first admin is created on a fresh server, in a team of its own.
    for needed in [
        "--admin-username",
        "--first-admin-email",
        "--team",
        "--create-team",
    ] {
        assert!(command.contains(&needed.to_string()), "{needed}");
    }
}

#[test]
fn the_bot_uses_its_own_postgres_with_the_credentials_the_database_was_made_with() {
    let c = compose();
    let db = &c["services"]["bot-db"]["environment"];
    let url = reqwest::Url::parse(
        c["services"]["bot"]["environment"]["LOTTO_DATABASE_URL"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(url.scheme(), "postgres");
    assert_eq!(url.host_str(), Some("bot-db"));
    assert_eq!(url.username(), db["POSTGRES_USER"]);
    assert_eq!(url.password(), db["POSTGRES_PASSWORD"].as_str());
    assert_eq!(url.path().trim_start_matches('/'), db["POSTGRES_DB"]);
}

#[test]
fn the_dockerfile_builds_in_stages_and_runs_as_a_non_root_user_with_a_health_check() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Dockerfile")).unwrap();
    let froms = text.lines().filter(|l| l.starts_with("FROM ")).count();
    assert!(froms >= 2, "multi-stage: {froms} FROM lines");
    let user = text
        .lines()
        .filter_map(|l| l.strip_prefix("USER "))
        .next_back()
        .expect("a USER line");
    assert!(!matches!(user.trim(), "root" | "0"), "runs as {user}");
    assert!(text.contains("HEALTHCHECK"), "no HEALTHCHECK");
    assert!(text.contains("\"healthcheck\""));
    assert!(text.contains("COPY --from=build"));
}
