use super::*;
use secrecy::ExposeSecret;

#[test]
fn defaults_apply_when_nothing_is_set() {
    let s = Settings::from_pairs([]).unwrap();
    assert_eq!(s.listen.to_string(), DEFAULT_LISTEN);
    assert_eq!(s.database_url, DEFAULT_DATABASE_URL);
    assert_eq!(s.autopilot_interval, Some(Duration::from_secs(60)));
    assert_eq!(s.calendar_interval, Some(Duration::from_secs(300)));
    assert!(s.graph.is_none());
    assert!(!s.allow_private_urls);
}

#[test]
fn private_urls_are_an_explicit_opt_in_under_either_name() {
    let s = Settings::from_pairs([("ics_allow_private", "TRUE")]).unwrap();
    assert!(s.allow_private_urls);
    let s = Settings::from_pairs([("allow_private_urls", "on")]).unwrap();
    assert!(s.allow_private_urls);
    let s = Settings::from_pairs([
        ("allow_private_urls", "false"),
        ("ics_allow_private", "true"),
    ])
    .unwrap();
    assert!(!s.allow_private_urls, "the new name wins");
    let e = Settings::from_pairs([("allow_private_urls", "maybe")])
        .unwrap_err()
        .to_string();
    assert!(e.contains("LOTTO_ALLOW_PRIVATE_URLS"), "{e}");
    let e = Settings::from_pairs([("ics_allow_private", "maybe")])
        .unwrap_err()
        .to_string();
    assert!(e.contains("LOTTO_ICS_ALLOW_PRIVATE"), "{e}");
}

#[test]
fn missing_mattermost_settings_are_all_named_with_instructions() {
    let s = Settings::from_pairs([("bot_token", "x")]).unwrap();
    let msg = s.mattermost().unwrap_err().to_string();
    assert!(msg.contains("LOTTO_MATTERMOST_URL"));
    assert!(msg.contains("LOTTO_SLASH_TOKENS"));
    assert!(!msg.contains("LOTTO_BOT_TOKEN:"));
    assert!(msg.contains("Slash Commands"));
}

#[test]
fn zero_interval_turns_jobs_off_and_tokens_split_on_commas() {
    let s = Settings::from_pairs([
        ("autopilot_interval", "0"),
        ("calendar_interval", "2m"),
        ("slash_tokens", "a, b,,c"),
        ("admins", "@alice, bob"),
    ])
    .unwrap();
    assert_eq!(s.autopilot_interval, None);
    assert_eq!(s.calendar_interval, Some(Duration::from_secs(120)));
    let toks: Vec<_> = s
        .slash_tokens
        .iter()
        .map(|t| t.expose_secret().to_string())
        .collect();
    assert_eq!(toks, ["a", "b", "c"]);
    assert_eq!(s.admins, ["alice", "bob"]);
}

#[test]
fn bad_values_name_the_variable() {
    let e = Settings::from_pairs([("listen", "nope")])
        .unwrap_err()
        .to_string();
    assert!(e.contains("LOTTO_LISTEN"), "{e}");
    let e = Settings::from_pairs([("autopilot_interval", "soon")])
        .unwrap_err()
        .to_string();
    assert!(e.contains("LOTTO_AUTOPILOT_INTERVAL"), "{e}");
    let e = Settings::from_pairs([("graph_tenant", "t")])
        .unwrap_err()
        .to_string();
    assert!(e.contains("LOTTO_GRAPH_CLIENT_ID"), "{e}");
}

#[test]
fn anyone_creates_rotations_unless_the_admins_are_named_as_creators() {
    let s = Settings::from_pairs([]).unwrap();
    assert_eq!(s.rotation_creators, RotationCreators::Everyone);
    let s = Settings::from_pairs([("rotation_creators", "Admins")]).unwrap();
    assert_eq!(s.rotation_creators, RotationCreators::Admins);
    let e = Settings::from_pairs([("rotation_creators", "owners")])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("LOTTO_ROTATION_CREATORS") && e.contains("everyone or admins"),
        "{e}"
    );
}

#[test]
fn secrets_do_not_show_in_debug_output() {
    let s = Settings::from_pairs([
        ("bot_token", "supersecret"),
        ("slash_tokens", "slashsecret"),
    ])
    .unwrap();
    let dbg = format!("{s:?}");
    assert!(
        !dbg.contains("supersecret") && !dbg.contains("slashsecret"),
        "{dbg}"
    );
}

#[test]
fn history_is_kept_a_year_unless_set_and_zero_keeps_it_forever() {
    let s = Settings::from_pairs([]).unwrap();
    assert_eq!(s.history_retention, Some(chrono::TimeDelta::days(365)));
    let s = Settings::from_pairs([("history_retention", "26w")]).unwrap();
    assert_eq!(s.history_retention, Some(chrono::TimeDelta::weeks(26)));
    let s = Settings::from_pairs([("history_retention", "0")]).unwrap();
    assert_eq!(s.history_retention, None);
    let e = Settings::from_pairs([("history_retention", "a while")])
        .unwrap_err()
        .to_string();
    assert!(e.contains("LOTTO_HISTORY_RETENTION"), "{e}");
}

#[test]
fn the_websocket_listener_is_on_unless_turned_off() {
    assert!(Settings::from_pairs([]).unwrap().websocket);
    assert!(
        Settings::from_pairs([("websocket", "ON")])
            .unwrap()
            .websocket
    );
    assert!(
        !Settings::from_pairs([("websocket", "off")])
            .unwrap()
            .websocket
    );
    let e = Settings::from_pairs([("websocket", "sometimes")])
        .unwrap_err()
        .to_string();
    assert!(e.contains("LOTTO_WEBSOCKET"), "{e}");
}
