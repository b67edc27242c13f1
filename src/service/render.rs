//! How rotations, tasks and people read in `--json`: full objects with stable field names (times
//! RFC 3339 UTC). Their Markdown helpers are in `format`.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};

use super::format;
use crate::lottery::{SkillLevel, Skills};
use crate::store::rotations::Rotation;
use crate::store::tasks::Task;

/// `ops.rs` (being split on another branch) still names these here.
pub use super::format::{needs, task_ref};

pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub fn skills_json(s: &Skills) -> Value {
    Value::Object(
        s.iter()
            .map(|(k, l)| (k.to_string(), json!(l.value())))
            .collect(),
    )
}

pub fn needs_json(n: &[(SkillLevel, u32)]) -> Value {
    Value::Array(
        n.iter()
            .map(|(sl, c)| json!({ "skill_level": sl.to_input(), "count": c }))
            .collect(),
    )
}

/// A person as JSON: id and username.
pub fn person_json(id: &str, username: &str) -> Value {
    json!({ "id": id, "username": username })
}

/// People as JSON from their ids and `@names` (as `Ctx::names` gives them).
pub fn people_json(ids: &[crate::lottery::UserId], names: &[String]) -> Value {
    Value::Array(
        ids.iter()
            .zip(names)
            .map(|(id, n)| person_json(id.as_str(), n.trim_start_matches('@')))
            .collect(),
    )
}

pub fn rotation_json(r: &Rotation) -> Value {
    json!({
        "id": r.id.0,
        "name": r.name,
        "time_zone": r.tz.name(),
        "task_type": r.task_type.as_str(),
        "period": r.period.to_input(),
        "beginning": rfc3339(r.beginning),
        "seed": r.seed,
        "fuzz": r.fuzz,
        "task_duration": crate::lottery::format_duration(r.task_duration),
        "grace": crate::lottery::format_duration(r.grace),
        "autopilot": {
            "on": r.autopilot.is_on(),
            "settings": serde_json::to_value(r.autopilot).unwrap_or(Value::Null),
            "description": r.autopilot.describe(),
        },
        "archived": r.archived_at.is_some(),
        "created_at": rfc3339(r.created_at),
    })
}

pub fn task_json(
    rotation: &str,
    t: &Task,
    users: Value,
    require: &[(SkillLevel, u32)],
    limit: &[(SkillLevel, u32)],
) -> Value {
    let (start, finish) = t.times.span();
    json!({
        "id": task_ref(rotation, t),
        "rotation": rotation,
        "number": t.number,
        "type": t.kind.as_str(),
        "state": t.state.to_string(),
        "summary": t.summary,
        "start": rfc3339(start),
        "finish": rfc3339(finish),
        "expected_start": rfc3339(t.times.expected_start),
        "expected_duration": crate::lottery::format_duration(t.times.expected_duration),
        "actual_start": t.times.actual_start.map(rfc3339),
        "actual_finish": t.times.actual_finish.map(rfc3339),
        "grace": crate::lottery::format_duration(t.grace),
        "require": needs_json(require),
        "limit": needs_json(limit),
        "users": users,
        "reminded_start": t.reminded_start,
        "reminded_finish": t.reminded_finish,
    })
}

/// `Mon 2026-03-02 09:00 → Mon 2026-03-09 09:00 CET`, in the reader's zone.
pub fn span(t: &Task, tz: Tz) -> String {
    let (s, f) = t.times.span();
    format!("{} → {}", format::time(s, tz), format::time(f, tz))
}
