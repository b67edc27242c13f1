//! The one place where the Mattermost client's types meet the status rules' own types, both ways:
//! what the job reads (status, custom status) and what it writes back.

use chrono::DateTime;

use crate::calendar::rules::{self, MattermostStatus, StatusKind, StatusWrite};
use crate::mattermost::{self, StatusValue};

/// A status from `POST /users/status/ids`. `ooo` (the auto-responder) is out of office; a value the
/// bot does not know (a newer server) reads as offline, which the rules leave alone. A
/// `dnd_end_time` of 0 means "no end".
pub fn status(s: &mattermost::Status) -> MattermostStatus {
    let kind = match &s.status {
        StatusValue::Kind(mattermost::StatusKind::Online) => StatusKind::Online,
        StatusValue::Kind(mattermost::StatusKind::Away) => StatusKind::Away,
        StatusValue::Kind(mattermost::StatusKind::Dnd) => StatusKind::Dnd,
        StatusValue::Kind(mattermost::StatusKind::Offline) => StatusKind::Offline,
        StatusValue::Other(other) if other == "ooo" => StatusKind::OutOfOffice,
        StatusValue::Other(_) => StatusKind::Offline,
    };
    let dnd_end_time = (s.dnd_end_time > 0)
        .then(|| DateTime::from_timestamp(s.dnd_end_time, 0))
        .flatten();
    MattermostStatus {
        kind,
        manual: s.manual,
        dnd_end_time,
    }
}

/// The custom status in a user's profile (`props.customStatus`), expired or not: the rules tell an
/// expired one from a visible one themselves.
pub fn custom_status(user: &mattermost::User) -> Option<rules::CustomStatus> {
    user.custom_status().map(|c| rules::CustomStatus {
        emoji: c.emoji,
        text: c.text,
        expires_at: c.expires_at,
    })
}

/// What to send to `PUT /users/{id}/status`: the kind and, for Do Not Disturb, its end in epoch
/// seconds (`None` leaves it open).
pub fn status_write(write: StatusWrite) -> (mattermost::StatusKind, Option<i64>) {
    match write {
        StatusWrite::Online => (mattermost::StatusKind::Online, None),
        StatusWrite::Away => (mattermost::StatusKind::Away, None),
        StatusWrite::Dnd { until } => (mattermost::StatusKind::Dnd, until.map(|t| t.timestamp())),
    }
}

/// What to send to `PUT /users/{id}/status/custom`: a status with an end is "until date and time".
pub fn custom_status_write(c: &rules::CustomStatus) -> mattermost::CustomStatus {
    match c.expires_at {
        Some(until) => mattermost::CustomStatus::until(&c.emoji, &c.text, until),
        None => mattermost::CustomStatus {
            emoji: c.emoji.clone(),
            text: c.text.clone(),
            ..mattermost::CustomStatus::default()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lottery::UserId;

    fn wire(json: &str) -> mattermost::Status {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn reads_statuses_with_ooo_and_open_dnd() {
        let s = status(&wire(
            r#"{"user_id":"u","status":"dnd","manual":true,"dnd_end_time":1772445600}"#,
        ));
        assert_eq!(s.kind, StatusKind::Dnd);
        assert!(s.manual);
        assert_eq!(s.dnd_end_time.map(|t| t.timestamp()), Some(1_772_445_600));
        let open = status(&wire(r#"{"user_id":"u","status":"dnd","dnd_end_time":0}"#));
        assert_eq!(open.dnd_end_time, None);
        assert_eq!(
            status(&wire(r#"{"user_id":"u","status":"ooo"}"#)).kind,
            StatusKind::OutOfOffice
        );
        assert_eq!(
            status(&wire(r#"{"user_id":"u","status":"beamed-up"}"#)).kind,
            StatusKind::Offline
        );
    }

    #[test]
    fn writes_dnd_with_its_end_and_custom_statuses_until_their_end() {
        let until = DateTime::from_timestamp(1_772_445_600, 0).unwrap();
        assert_eq!(
            status_write(StatusWrite::Dnd { until: Some(until) }),
            (mattermost::StatusKind::Dnd, Some(1_772_445_600))
        );
        assert_eq!(
            status_write(StatusWrite::Online),
            (mattermost::StatusKind::Online, None)
        );
        let c = custom_status_write(&rules::CustomStatus::out_of_office(until));
        assert_eq!(
            c.duration,
            Some(mattermost::CustomStatusDuration::DateAndTime)
        );
        assert_eq!(c.expires_at, Some(until));
        // And it reads back as the same rules value.
        let user: mattermost::User = serde_json::from_value(serde_json::json!({
            "id": UserId::new("u"), "username": "u",
            "props": {"customStatus": serde_json::to_string(&c).unwrap()}
        }))
        .unwrap();
        assert_eq!(
            custom_status(&user),
            Some(rules::CustomStatus::out_of_office(until))
        );
    }
}
