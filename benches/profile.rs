//! The profile-preset engine against the tests' fake Mattermost, database included (SQLite):
//!
//! - `burst`: one person changes their status 50 times within a second. Target: at most 2 profile
//!   writes (nickname + picture), and the final state shown.
//! - `crowd`: 1,000 people with presets set their status at once (far more than the queue's 10 + 10:
//!   the rest are marked for reconciliation and read back). Target: everyone reaches their final
//!   state.
//!
//! Prints the figures and the peak RSS (`VmHWM`). Run: `cargo bench --bench profile`.

#[expect(
    dead_code,
    reason = "this bench uses only the fake Mattermost of the tests' support code"
)]
#[path = "../tests/it/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use secrecy::SecretString;
use solar_lottery::lottery::UserId;
use solar_lottery::mattermost::MattermostClient;
use solar_lottery::profile::signal::{self, ProfileSignal, SignalSender};
use solar_lottery::profile::{EngineOptions, ProfileEngine};
use solar_lottery::service::profile::picture;
use solar_lottery::shared::Shared;
use solar_lottery::store::{self, profile as presets, users::User};
use support::fake_mattermost::{FakeMattermost, FakeUser, RouteKind};

const CROWD: usize = 1_000;

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_string))
        })
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn writes(mm: &FakeMattermost) -> usize {
    mm.request_count(RouteKind::PatchUser) + mm.request_count(RouteKind::SetProfileImage)
}

async fn send(mm: &FakeMattermost, client: &MattermostClient, to: &SignalSender, who: &FakeUser) {
    let user = client.get_user(&who.user_id()).await.unwrap();
    to.send(ProfileSignal::UserUpdated(Box::new(user)))
        .await
        .unwrap();
    let _ = mm;
}

async fn wait_for(what: &str, mut done: impl FnMut() -> bool) -> Duration {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "gave up waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    started.elapsed()
}

fn main() {
    // The fake runs on its own runtime, like a server elsewhere.
    let fake_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let mm = fake_rt.block_on(FakeMattermost::start());
    mm.bot().system_admin();
    let people: Vec<FakeUser> = (0..CROWD)
        .map(|i| mm.add_user(&format!("p{i:05}")))
        .collect();
    for p in &people {
        mm.set_nickname_as_user(&p.username, &p.username);
    }

    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let client = MattermostClient::new(
        mm.base_url(),
        SecretString::from(mm.bot_token()),
        Duration::from_secs(30),
    )
    .unwrap();
    let beach = {
        let img = image::RgbaImage::from_pixel(400, 300, image::Rgba([250, 200, 40, 255]));
        let mut out = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        picture::normalise(&out).unwrap()
    };

    rt.block_on(async {
        let db = store::Db::connect(&db_url).await.unwrap();
        let mut tx = db.begin_write().await.unwrap();
        for p in &people {
            let user = User {
                id: p.user_id(),
                username: p.username.clone(),
                tz: None,
                email: None,
                is_admin: false,
                refreshed_at: 0,
            };
            store::users::upsert(&mut tx, &user, Utc::now()).await.unwrap();
            presets::put_preset(
                &mut tx,
                &p.user_id(),
                "palm_tree",
                Some(&format!("{} (away)", p.username)),
                Some(presets::NewImage {
                    png: &beach.png,
                    sha256: &beach.sha256,
                    url: "https://example.com/beach.png",
                }),
                Utc::now(),
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();

        let shared = Arc::new(Shared {
            db,
            mm: client.clone(),
            bot_id: UserId::new(mm.bot().id()),
            admins: vec![],
            sender: None,
        });
        let (signals, inbox) = signal::channel();
        let (_stop, shutdown) = tokio::sync::watch::channel(false);
        let engine = ProfileEngine::new(shared, EngineOptions::default());
        let stats = engine.stats();
        let task = engine.spawn(inbox, shutdown);
        // The start-up check reads everyone once (nothing to change yet).
        wait_for("the start-up check", || stats.borrow().applied >= CROWD as u64).await;

        // 1. One person, 50 changes within a second, ending on the preset's emoji.
        let ann = &people[0];
        let before = writes(&mm);
        let started = Instant::now();
        for i in 0..50 {
            if i % 2 == 0 {
                ann.clone().custom_status("palm_tree", "Beach", None);
            } else {
                ann.clone().custom_status("coffee", "Break", None);
            }
            if i == 49 {
                ann.clone().custom_status("palm_tree", "Beach", None);
            }
            send(&mm, &client, &signals, ann).await;
            tokio::time::sleep(Duration::from_millis(19)).await;
        }
        let sent_in = started.elapsed();
        let shown_after = wait_for("the burst's final state", || {
            mm.nickname_of(&ann.username) == format!("{} (away)", ann.username)
                && mm.picture_of(&ann.username) == beach.png
        })
        .await;
        let burst_writes = writes(&mm) - before;
        println!(
            "burst: 50 status changes in {sent_in:.2?}; final state shown {shown_after:.2?} after the last; {burst_writes} profile writes (target ≤ 2)"
        );
        assert!(burst_writes <= 2, "{burst_writes} writes");

        // 2. Everyone else at once.
        let before = writes(&mm);
        let started = Instant::now();
        for p in &people[1..] {
            p.clone().custom_status("palm_tree", "Beach", None);
        }
        for p in &people[1..] {
            send(&mm, &client, &signals, p).await;
        }
        let all = wait_for("everyone's final state", || {
            people[1..]
                .iter()
                .all(|p| mm.nickname_of(&p.username).ends_with("(away)"))
        })
        .await;
        let total = started.elapsed();
        let s = stats.borrow().clone();
        println!(
            "crowd: {} people changed at once; all shown after {total:.2?} ({all:.2?} after the last signal); {} profile writes; {} overflowed into reconciliation; {:.1} ms per person",
            CROWD - 1,
            writes(&mm) - before,
            s.overflowed,
            total.as_secs_f64() * 1000.0 / (CROWD - 1) as f64
        );
        println!("peak RSS (VmHWM): {} MiB", peak_rss_kib() / 1024);
        task.abort();
    });
}
