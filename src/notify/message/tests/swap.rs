//! Swaps and overrides: the invitation, what its post says once answered, the news of a decided
//! request, and an override.

use insta::assert_snapshot;

use super::shown;
use crate::lottery::{TaskId, UserId};
use crate::notify::message::*;

fn news(audience: Audience, other: Option<&str>) -> SwapNews {
    SwapNews {
        request_id: 5,
        decided_by: None,
        audience,
        requester: "@ann".into(),
        other: other.map(Into::into),
        task: "ICE#3".into(),
        rotation: "ICE".into(),
        start: "Mon 2030-03-04 09:00 CET".into(),
        finish: "Mon 2030-03-11 09:00 CET".into(),
        zone: "Europe/Berlin".into(),
        still_open: false,
    }
}

fn closed(outcome: SwapOutcome) -> SwapClosed {
    SwapClosed {
        request_id: 5,
        outcome,
        requester: "@ann".into(),
        task: "ICE#3".into(),
        acceptor: Some("@cat".into()),
    }
}

#[test]
fn swap_invite() {
    assert_snapshot!(
        "swap_invite",
        shown(Message::SwapInvite(SwapInvite {
            request_id: 5,
            requester: "@ann".into(),
            task: "ICE#3".into(),
            rotation: "ICE".into(),
            start: "Mon 2030-03-04 09:00 CET".into(),
            finish: "Mon 2030-03-11 09:00 CET".into(),
            zone: "Europe/Berlin".into(),
            starts_in: "in 2 days".into(),
            invited: "@bob and @cat".into(),
        }))
    );
}

#[test]
fn swap_closed_for_each_outcome() {
    for (name, outcome) in [
        ("swap_closed_you_took_it", SwapOutcome::YouTookIt),
        ("swap_closed_taken", SwapOutcome::TakenBySomeoneElse),
        ("swap_closed_you_declined", SwapOutcome::YouDeclined),
        ("swap_closed_expired", SwapOutcome::Expired),
    ] {
        assert_snapshot!(name, shown(Message::SwapClosed(closed(outcome))));
    }
}

#[test]
fn swap_news_for_each_reader() {
    assert_snapshot!(
        "swap_accepted_requester",
        shown(Message::SwapAccepted(news(
            Audience::Requester,
            Some("@bob")
        )))
    );
    assert_snapshot!(
        "swap_accepted_acceptor",
        shown(Message::SwapAccepted(news(
            Audience::Acceptor,
            Some("@bob")
        )))
    );
    assert_snapshot!(
        "swap_accepted_owner",
        shown(Message::SwapAccepted(news(Audience::Owner, Some("@bob"))))
    );
    let mut declined = news(Audience::Requester, Some("@bob"));
    declined.decided_by = Some(UserId::new("u-bob"));
    declined.still_open = true;
    assert_snapshot!("swap_declined", shown(Message::SwapDeclined(declined)));
    assert_snapshot!(
        "swap_expired",
        shown(Message::SwapExpired(news(Audience::Requester, None)))
    );
}

#[test]
fn overridden_for_each_reader() {
    for audience in ["from", "to", "owner"] {
        let dm = OverrideDm {
            override_id: 9,
            task_id: TaskId(42),
            audience,
            actor: "@olga".into(),
            from: "@ann".into(),
            to: "@bob".into(),
            task: "ICE#3".into(),
            rotation: "ICE".into(),
            start: "Tue 2030-03-05 09:00 CET".into(),
            finish: "Wed 2030-03-06 09:00 CET".into(),
            zone: "Europe/Berlin".into(),
            whole: audience == "owner",
        };
        assert_snapshot!(
            format!("overridden_{audience}"),
            shown(Message::Overridden(dm))
        );
    }
}
