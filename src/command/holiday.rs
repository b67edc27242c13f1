//! `/lotto holiday …`: days when shifts are skipped or moved, as each rotation says.
//!
//! ```text
//! holiday add <date> [--name "…"] [--rotation <rot>]
//! holiday remove <date> [--rotation <rot>]
//! holiday list [--rotation <rot>]
//! holiday feed <url>|off [--rotation <rot>]
//! ```
//! Without `--rotation` a holiday is everyone's; dates are `YYYY-MM-DD` on each rotation's wall clock.
//! A feed is a published calendar (public holidays) whose whole-day entries become holidays.

use chrono::NaiveDate;

use super::Command;
use super::args::Args;
use super::error::ParseError;
use super::lexer::shorten;
use super::rotation::q;
use super::spec::{FlagSpec, Group, Leaf, Node};
use super::values::{IcsUrl, RotationName, Summary};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HolidayCommand {
    Add {
        day: NaiveDate,
        name: Option<Summary>,
        rotation: Option<RotationName>,
    },
    Remove {
        day: NaiveDate,
        rotation: Option<RotationName>,
    },
    List {
        rotation: Option<RotationName>,
    },
    /// Take holidays from a published calendar (`Some`), or stop (`None`).
    Feed {
        url: Option<IcsUrl>,
        rotation: Option<RotationName>,
    },
}

pub const GROUP: Node = Node::Group(Group {
    name: "holiday",
    summary: "Add, remove and list holidays, when shifts are skipped or moved.",
    children: &[ADD, REMOVE, LIST, FEED],
});

const FOR_ROTATION: FlagSpec = FlagSpec::value(
    "rotation",
    "<rotation>",
    "Only for this rotation (its owners may change it). Default: every rotation (bot admins).",
)
.short('r');

const ADD: Node = Node::Leaf(Leaf {
    name: "add",
    args: "<date>",
    summary: "Make a day a holiday.",
    details: "The date is `YYYY-MM-DD`, on each rotation's own wall clock. What a rotation does with a shift starting that day is `rotation set holidays` (default: skip it).",
    flags: &[
        FlagSpec::value("name", "<text>", "What the holiday is called."),
        FOR_ROTATION,
    ],
    build: |a| {
        let day = day(a, "add")?;
        let name = a.value("name", Summary::parse)?;
        let rotation = rotation(a)?;
        Ok(Command::Holiday(HolidayCommand::Add {
            day,
            name,
            rotation,
        }))
    },
});

const REMOVE: Node = Node::Leaf(Leaf {
    name: "remove",
    args: "<date>",
    summary: "Make a holiday a working day again.",
    details: "",
    flags: &[FOR_ROTATION],
    build: |a| {
        let day = day(a, "remove")?;
        let rotation = rotation(a)?;
        Ok(Command::Holiday(HolidayCommand::Remove { day, rotation }))
    },
});

const LIST: Node = Node::Leaf(Leaf {
    name: "list",
    args: "",
    summary: "List the coming holidays.",
    details: "With `--rotation`, those that hold for it (its own and everyone's).",
    flags: &[FlagSpec::value(
        "rotation",
        "<rotation>",
        "Only those that hold for this rotation.",
    )
    .short('r')],
    build: |a| {
        let rotation = rotation(a)?;
        Ok(Command::Holiday(HolidayCommand::List { rotation }))
    },
});

const FEED: Node = Node::Leaf(Leaf {
    name: "feed",
    args: "<url>|off",
    summary: "Take holidays from a published calendar (e.g. your country's public holidays), or stop.",
    details: "Every day the calendar's entries cover whole becomes a holiday; it is read now and every 6 hours, so holidays it adds, moves or drops follow. Days typed with `holiday add` stay as they are. `off` removes the holidays it gave. One feed for every rotation (bot admins) and one per rotation (its owners).",
    flags: &[FOR_ROTATION],
    build: |a| {
        let tok = a.required(
            "the calendar's link, or `off`",
            "/lotto holiday feed https://calendar.example.com/holidays.ics",
        )?;
        let url = if tok.text.eq_ignore_ascii_case("off") {
            None
        } else {
            Some(IcsUrl::parse(&tok.text).map_err(|e| a.bad_value("the link", e))?)
        };
        let rotation = rotation(a)?;
        Ok(Command::Holiday(HolidayCommand::Feed { url, rotation }))
    },
});

fn day(a: &mut Args, verb: &str) -> Result<NaiveDate, ParseError> {
    let tok = a.required("a date", &format!("/lotto holiday {verb} 2026-12-25"))?;
    parse_day(&tok.text).map_err(|e| a.bad_value("the date", e))
}

/// A calendar date, `YYYY-MM-DD`.
pub fn parse_day(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        format!(
            "`{}` is not a date: write it as YYYY-MM-DD, e.g. `2026-12-25`",
            shorten(s)
        )
    })
}

fn rotation(a: &mut Args) -> Result<Option<RotationName>, ParseError> {
    a.value("rotation", RotationName::parse)
}

impl HolidayCommand {
    /// The canonical command text (without `/lotto `), which parses back to this command.
    pub fn to_input(&self) -> String {
        let rot = |r: &Option<RotationName>| {
            r.as_ref()
                .map(|r| format!(" --rotation {r}"))
                .unwrap_or_default()
        };
        match self {
            HolidayCommand::Add {
                day,
                name,
                rotation,
            } => format!(
                "holiday add {day}{}{}",
                name.as_ref()
                    .map(|n| format!(" --name {}", q(n.as_str())))
                    .unwrap_or_default(),
                rot(rotation)
            ),
            HolidayCommand::Remove { day, rotation } => {
                format!("holiday remove {day}{}", rot(rotation))
            }
            HolidayCommand::List { rotation } => format!("holiday list{}", rot(rotation)),
            HolidayCommand::Feed { url, rotation } => format!(
                "holiday feed {}{}",
                url.as_ref()
                    .map_or_else(|| "off".to_string(), |u| super::lexer::quote(u.as_str())),
                rot(rotation)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    fn holiday(text: &str) -> HolidayCommand {
        match parse(text).unwrap().command {
            Command::Holiday(h) => h,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn holidays_take_a_date_a_name_and_a_rotation() {
        let h = holiday("holiday add 2026-12-25 --name \"Christmas Day\" -r ICE");
        assert_eq!(
            h,
            HolidayCommand::Add {
                day: "2026-12-25".parse().unwrap(),
                name: Some(Summary::parse("Christmas Day").unwrap()),
                rotation: Some(RotationName::parse("ICE").unwrap()),
            }
        );
        assert_eq!(holiday(&h.to_input()), h);
        assert_eq!(
            holiday("holiday remove 2026-12-25"),
            HolidayCommand::Remove {
                day: "2026-12-25".parse().unwrap(),
                rotation: None
            }
        );
        assert_eq!(
            holiday("holiday list"),
            HolidayCommand::List { rotation: None }
        );
    }

    #[test]
    fn a_feed_takes_a_link_or_off_and_refuses_anything_else() {
        let h = holiday("holiday feed webcal://example.com/h.ics?k=1 -r ICE");
        assert_eq!(
            h,
            HolidayCommand::Feed {
                url: Some(IcsUrl::parse("webcal://example.com/h.ics?k=1").unwrap()),
                rotation: Some(RotationName::parse("ICE").unwrap()),
            }
        );
        assert_eq!(holiday(&h.to_input()), h);
        let off = holiday("holiday feed OFF");
        assert_eq!(
            off,
            HolidayCommand::Feed {
                url: None,
                rotation: None
            }
        );
        assert_eq!(holiday(&off.to_input()), off);
        for bad in [
            "holiday feed",
            "holiday feed ftp://example.com/x.ics",
            "holiday feed nope",
        ] {
            let e = parse(bad).unwrap_err().to_string();
            assert!(e.contains("link") || e.contains("URL"), "{bad}: {e}");
        }
    }

    #[test]
    fn dates_that_do_not_parse_say_how_to_write_them() {
        for bad in [
            "holiday add 2026-13-01",
            "holiday add 25.12.2026",
            "holiday add",
            "holiday remove tomorrowish",
        ] {
            let e = parse(bad).unwrap_err().to_string();
            assert!(e.contains("2026-12-25"), "{bad}: {e}");
        }
    }
}
