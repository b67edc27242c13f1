//! `rotation stats <rot> [--since T]`: services and hours per member as `task show` reports them,
//! the coefficient of variation, and the chart as a PNG in a DM.

use std::collections::BTreeMap;

use chrono::DateTime;
use serde_json::Value;

use crate::commands_helpers::*;
use crate::support::app::TestApp;

/// ICE with ann, bob and cat, one person a shift; shifts 0–2 filled and scheduled, shift 0 started
/// late and finished early (so its hours are its actual ones), shift 3 only created (pending).
async fn ice_with_history() -> TestApp {
    let t = team().await;
    weekly_ice(&t).await;
    run(&t, "admin", "user join ICE @ann @bob @cat").await;
    run(&t, "admin", "user qualify @ann @bob --skills webapp-2").await;
    run(&t, "admin", "rotation set require ICE --count 1").await;
    for n in 0..3 {
        run(&t, "admin", &format!("task new shift ICE --number {n}")).await;
        let out = run(&t, "admin", &format!("task fill ICE#{n}")).await;
        assert!(out.contains("The lottery picked"), "{out}");
        run(&t, "admin", &format!("task schedule ICE#{n}")).await;
    }
    run(&t, "admin", "task start ICE#0 --now 2030-03-04T10:00Z").await;
    run(&t, "admin", "task finish ICE#0 --now 2030-03-08T10:00Z").await;
    run(&t, "admin", "task new shift ICE --number 3").await;
    t.deliver().await;
    t
}

/// Services and hours per username from `task show --json` of each task.
async fn from_task_show(t: &TestApp, tasks: &[&str]) -> BTreeMap<String, (u32, f64)> {
    let mut out = BTreeMap::new();
    for task in tasks {
        let json = json_of(&run(t, "admin", &format!("task show {task} --json")).await);
        let start = DateTime::parse_from_rfc3339(json["start"].as_str().unwrap()).unwrap();
        let finish = DateTime::parse_from_rfc3339(json["finish"].as_str().unwrap()).unwrap();
        let hours = (finish - start).num_seconds() as f64 / 3600.0;
        for u in json["users"].as_array().unwrap() {
            let e = out
                .entry(u["username"].as_str().unwrap().to_string())
                .or_insert((0, 0.0));
            e.0 += 1;
            e.1 += hours;
        }
    }
    out
}

fn member<'a>(json: &'a Value, who: &str) -> &'a Value {
    json["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["username"] == who)
        .unwrap_or_else(|| panic!("no {who} in {json}"))
}

#[tokio::test]
async fn the_numbers_are_task_shows_and_the_variation_is_computed_over_every_member() {
    let t = ice_with_history().await;
    let json = json_of(&run(&t, "admin", "rotation stats ICE --json").await);
    let expected = from_task_show(&t, &["ICE#0", "ICE#1", "ICE#2"]).await;
    assert_eq!(json["tasks"], 3, "pending ICE#3 is not counted: {json}");
    let mut counts = Vec::new();
    for who in ["ann", "bob", "cat"] {
        let (n, h) = expected.get(who).copied().unwrap_or((0, 0.0));
        let m = member(&json, who);
        assert_eq!(m["services"], n, "{who}: {json}");
        assert!(
            (m["hours"].as_f64().unwrap() - h).abs() < 0.05,
            "{who}: {json}"
        );
        counts.push(f64::from(n));
    }
    let mean = counts.iter().sum::<f64>() / 3.0;
    let sd = (counts.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / 3.0).sqrt();
    let cv = json["cv_services"].as_f64().unwrap();
    assert!(
        (cv - sd / mean).abs() < 0.001,
        "cv {cv}, expected {}",
        sd / mean
    );
    assert!((json["mean_services"].as_f64().unwrap() - 1.0).abs() < 1e-9);
    // Shift 0 ran 96 hours, not its planned week.
    let total: f64 = json["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["hours"].as_f64().unwrap())
        .sum();
    assert!((total - (96.0 + 168.0 + 168.0)).abs() < 0.05, "{json}");
    // Per skill: ann and bob have webapp.
    let webapp = &json["skills"][0];
    assert_eq!(webapp["skill"], "webapp");
    assert_eq!(webapp["members"], 2);
    for m in json["members"].as_array().unwrap() {
        let n = m["services"].as_f64().unwrap();
        let standing = m["standing"].as_str().unwrap();
        let want = if n > mean {
            "above"
        } else if n < mean {
            "below"
        } else {
            "even"
        };
        assert_eq!(standing, want, "{m}");
    }
}

#[tokio::test]
async fn the_chart_arrives_as_a_png_in_a_dm_and_the_reply_has_the_table() {
    let t = ice_with_history().await;
    let before = delivered_snapshot(&t).await;
    let out = run(&t, "admin", "rotation stats ICE --now 2030-03-20T12:00Z").await;
    assert!(out.starts_with("#### Fairness of ICE"), "{out}");
    assert!(out.contains("| member | services | hours |"), "{out}");
    assert!(out.contains("| @ann |"), "{out}");
    assert!(out.contains("coefficient of variation"), "{out}");
    assert!(
        out.contains("The chart (ICE-stats-2030-03-20.png) is in your direct messages."),
        "{out}"
    );
    let files = t.mm.dm_files_to("admin");
    assert_eq!(files.len(), 1, "one chart");
    let file = &files[0];
    assert_eq!(file.name, "ICE-stats-2030-03-20.png");
    assert_eq!(file.mime_type, "image/png");
    assert_eq!(&file.bytes[..8], b"\x89PNG\r\n\x1a\n");
    let decoder = png::Decoder::new(std::io::Cursor::new(file.bytes.as_slice()));
    let mut reader = decoder.read_info().expect("a PNG that decodes");
    let (w, h) = (reader.info().width, reader.info().height);
    assert_eq!(w, 800);
    assert!(h > 120 + 3 * 20, "a bar per member: {h}");
    let mut px = vec![0; reader.output_buffer_size().unwrap()];
    reader.next_frame(&mut px).expect("its pixels");
    assert_eq!(
        bars_in(&px, w as usize),
        3,
        "one bar for each of ann, bob and cat"
    );
    let dm = t.mm.dms_to("admin");
    assert!(dm.iter().any(|m| m.contains("Fairness of ICE")), "{dm:?}");
    assert_eq!(
        delivered_snapshot(&t).await,
        before,
        "stats wrote something"
    );
}

#[tokio::test]
async fn without_file_sharing_the_reply_still_has_the_numbers_and_says_why_no_chart() {
    let t = ice_with_history().await;
    t.mm.set_file_attachments_enabled(false);
    let out = run(&t, "admin", "rotation stats ICE").await;
    assert!(out.contains("| @bob |"), "{out}");
    assert!(
        out.contains("No chart this time: Mattermost has file attachments turned off."),
        "{out}"
    );
    assert!(t.mm.dm_files_to("admin").is_empty());
}

#[tokio::test]
async fn since_counts_only_tasks_starting_from_then() {
    let t = ice_with_history().await;
    let json = json_of(
        &run(
            &t,
            "admin",
            "rotation stats ICE --since 2030-03-10T00:00 --json",
        )
        .await,
    );
    assert_eq!(json["tasks"], 2, "{json}");
    let expected = from_task_show(&t, &["ICE#1", "ICE#2"]).await;
    for (who, (n, _)) in expected {
        assert_eq!(member(&json, &who)["services"], n, "{json}");
    }
}

#[tokio::test]
async fn bad_input_gets_a_clear_answer_and_changes_nothing() {
    let t = ice_with_history().await;
    let out = fails_unchanged(&t, "admin", "rotation stats ICE --since someday").await;
    assert!(out.contains("--since"), "{out}");
    let out = fails_unchanged(&t, "admin", "rotation stats NOPE").await;
    assert!(out.contains("NOPE"), "{out}");
    assert!(t.mm.dm_files_to("admin").is_empty());
}

/// How many bars (runs of rows holding the bar colour) an RGB chart shows.
fn bars_in(rgb: &[u8], width: usize) -> usize {
    let has_bar = |row: &[u8]| row.chunks(3).any(|p| p == [0x1c, 0x58, 0xd9]);
    let rows: Vec<bool> = rgb.chunks(width * 3).map(has_bar).collect();
    rows.windows(2).filter(|w| w[1] && !w[0]).count() + usize::from(rows.first() == Some(&true))
}
