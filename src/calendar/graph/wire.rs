//! Graph's JSON shapes for `$batch` and `getSchedule` (docs: json-batching, calendar-getschedule).

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, Serialize)]
pub struct BatchRequest<'a> {
    pub requests: Vec<BatchItem<'a>>,
}

#[derive(Debug, Serialize)]
pub struct BatchItem<'a> {
    pub id: String,
    pub method: &'static str,
    pub url: String,
    pub headers: ItemHeaders,
    pub body: ScheduleRequest<'a>,
}

/// A body needs its Content-Type; the Prefer header makes Graph answer in UTC.
#[derive(Debug, Serialize)]
pub struct ItemHeaders {
    #[serde(rename = "Content-Type")]
    pub content_type: &'static str,
    #[serde(rename = "Prefer")]
    pub prefer: &'static str,
}

impl ItemHeaders {
    pub const JSON_UTC: ItemHeaders = ItemHeaders {
        content_type: "application/json",
        prefer: "outlook.timezone=\"UTC\"",
    };
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleRequest<'a> {
    pub schedules: &'a [String],
    pub start_time: DateTimeTimeZone,
    pub end_time: DateTimeTimeZone,
    pub availability_view_interval: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DateTimeTimeZone {
    pub date_time: String,
    #[serde(default)]
    pub time_zone: Option<String>,
}

impl DateTimeTimeZone {
    pub fn utc(t: DateTime<Utc>) -> Self {
        Self {
            // chrono has no 7-digit fraction; Graph's ticks are 100 ns.
            date_time: format!(
                "{}.{:07}",
                t.format("%Y-%m-%dT%H:%M:%S"),
                t.timestamp_subsec_nanos() / 100
            ),
            time_zone: Some("UTC".into()),
        }
    }

    /// Graph writes 7 fractional digits (`2019-03-15T12:00:00.0000000`) in the zone named beside it
    /// (UTC when we ask for it; other zone names are resolved just in case).
    pub fn to_utc(&self) -> Option<DateTime<Utc>> {
        let naive = NaiveDateTime::parse_from_str(
            self.date_time.trim_end_matches('Z'),
            "%Y-%m-%dT%H:%M:%S%.f",
        )
        .ok()?;
        match self.time_zone.as_deref().map(str::trim) {
            None | Some("") | Some("UTC") | Some("utc") => Some(naive.and_utc()),
            Some(name) => crate::calendar::tz::resolve_tz(name)
                .map(|tz| crate::calendar::tz::local_to_utc(tz, naive)),
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct BatchResponse {
    #[serde(default)]
    pub responses: Vec<BatchItemResponse>,
}

#[derive(Debug, Deserialize)]
pub struct BatchItemResponse {
    pub id: String,
    pub status: u16,
    #[serde(default)]
    pub headers: HashMap<String, String>,
    #[serde(default)]
    pub body: serde_json::Value,
}

impl BatchItemResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Deserialize)]
pub struct ScheduleResponse {
    #[serde(default)]
    pub value: Vec<ScheduleInformation>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleInformation {
    pub schedule_id: String,
    #[serde(default)]
    pub schedule_items: Vec<ScheduleItem>,
    #[serde(default)]
    pub error: Option<FreeBusyError>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleItem {
    #[serde(default)]
    pub is_private: bool,
    pub status: String,
    #[serde(default)]
    pub subject: Option<String>,
    pub start: DateTimeTimeZone,
    pub end: DateTimeTimeZone,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FreeBusyError {
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub response_code: Option<String>,
}

/// Graph's error body: `{"error":{"code":…,"message":…}}`.
#[derive(Debug, Default, Deserialize)]
pub struct GraphErrorBody {
    #[serde(default)]
    pub error: GraphError,
}

#[derive(Debug, Default, Deserialize)]
pub struct GraphError {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
}

impl GraphErrorBody {
    pub fn from_value(value: &serde_json::Value) -> Self {
        serde_json::from_value(value.clone()).unwrap_or_default()
    }
}

#[derive(Debug, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    #[serde(default)]
    pub expires_in: Option<u64>,
}

/// The token endpoint's error body (`error`, `error_description`).
#[derive(Debug, Default, Deserialize)]
pub struct TokenError {
    #[serde(default)]
    pub error: String,
    #[serde(default)]
    pub error_description: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn graph_times_have_seven_fraction_digits_both_ways() {
        let t = Utc.with_ymd_and_hms(2019, 3, 15, 12, 0, 0).unwrap()
            + chrono::TimeDelta::milliseconds(250);
        let wire = DateTimeTimeZone::utc(t);
        assert_eq!(wire.date_time, "2019-03-15T12:00:00.2500000");
        assert_eq!(wire.to_utc(), Some(t));
        let pacific = DateTimeTimeZone {
            date_time: "2019-03-15T09:00:00.0000000".into(),
            time_zone: Some("Pacific Standard Time".into()),
        };
        assert_eq!(
            pacific.to_utc(),
            Utc.with_ymd_and_hms(2019, 3, 15, 16, 0, 0).single()
        );
    }
}
