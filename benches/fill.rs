//! One fill in a rotation of 1,000 and of 10,000 members, with 20 needs and 5 limits.
//! Targets: under 0.5 ms and 5 ms median. Run with `cargo bench --bench fill`.

use chrono::{TimeDelta, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use solar_lottery::lottery::*;
use std::hint::black_box;

const SKILLS: usize = 25;

fn skill(i: usize) -> SkillName {
    format!("skill{i:02}").parse().unwrap()
}

fn level(l: u8) -> Level {
    Level::from_value(l).unwrap()
}

/// A rotation of `members` people, each with 3 of 25 skills, a past service, and a couple of
/// unavailability entries (about one in ten overlaps the task), plus 20 needs and 5 limits.
fn request(members: usize) -> FillRequest {
    let mut rng = ChaCha8Rng::seed_from_u64(members as u64);
    let t0 = Utc.with_ymd_and_hms(2026, 6, 1, 9, 0, 0).unwrap();
    let interval = Interval::starting_at(t0, TimeDelta::weeks(1));
    let candidates = (0..members)
        .map(|i| {
            let skills: Skills = (0..3)
                .map(|_| {
                    (
                        skill(rng.random_range(0..SKILLS)),
                        level(rng.random_range(1..=4)),
                    )
                })
                .collect();
            let unavailable = (0..2)
                .map(|k| {
                    let start = t0 + TimeDelta::hours(rng.random_range(-24 * 60..24 * 60));
                    let reason = match k {
                        0 => Reason::Personal,
                        _ => Reason::Grace {
                            rotation: RotationId(1),
                            task: TaskId(i as i64),
                        },
                    };
                    Unavailability::new(Interval::starting_at(start, TimeDelta::hours(12)), reason)
                })
                .collect();
            Candidate {
                user: UserId::new(format!("user{i:05}")),
                skills,
                last_served: Some(t0 - TimeDelta::hours(rng.random_range(1..24 * 365))),
                joined_at: t0 - TimeDelta::days(400),
                unavailable,
            }
        })
        .collect();
    let mut require: Needs = (0..19)
        .map(|i| {
            (
                SkillLevel::new(skill(i), level(1 + (i % 2) as u8)),
                1 + (i % 2) as u32,
            )
        })
        .collect();
    require.set(SkillLevel::Any, 40);
    let limit: Needs = (19..24)
        .map(|i| (SkillLevel::new(skill(i), level(1)), 3))
        .collect();
    FillRequest {
        rotation: RotationId(1),
        task: TaskId(7),
        seed: 3_131_961_071,
        fuzz: DEFAULT_FUZZ,
        period: Period::Weekly,
        beginning: t0 - TimeDelta::days(400),
        interval,
        for_time: t0,
        require,
        limit,
        assigned: Vec::new(),
        candidates,
    }
}

fn bench_fill(c: &mut Criterion) {
    let mut group = c.benchmark_group("fill");
    for members in [1_000, 10_000] {
        let req = request(members);
        let out = fill(&req).expect("the benchmark rotation can be filled");
        assert!(out.picked.len() >= 40);
        group.bench_function(format!("{members}_members_20_needs_5_limits"), |b| {
            b.iter(|| fill(black_box(&req)))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    // No plots: with plotters' `ab_glyph` feature (the `rotation stats` chart) criterion's plots
    // find no font and panic; the figures are what count.
    config = Criterion::default().without_plots();
    targets = bench_fill
}
criterion_main!(benches);
