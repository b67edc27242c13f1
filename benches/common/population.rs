//! The 10,000-person calendar population both calendar benchmarks use, so their figures compare.

use chrono::{DateTime, TimeDelta, Utc};

use crate::support::fake_graph::FakeItem;

pub fn email(i: usize) -> String {
    format!("person{i:05}@contoso.example")
}

/// A quarter busy now, a quarter out of office, a quarter with a meeting later, a quarter empty.
pub fn calendar(i: usize, now: DateTime<Utc>) -> Vec<FakeItem> {
    let h = |n: i64| now + TimeDelta::hours(n);
    match i % 4 {
        0 => vec![
            FakeItem::new("busy", h(-1), h(1)),
            FakeItem::new("tentative", h(1), h(2)),
        ],
        1 => vec![FakeItem::new("oof", h(-10), h(72))],
        2 => vec![FakeItem::new("busy", h(3), h(4)).subject("Planning")],
        _ => vec![],
    }
}
