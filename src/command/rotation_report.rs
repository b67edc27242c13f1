//! `/lotto rotation forecast|stats`: the read-only reports on a rotation (who is likely next, and
//! how fair it has been so far).
//!
//! ```text
//! rotation forecast <rot> [--shifts N]        N from 1 to 52, default 4
//! rotation stats <rot> [--since <datetime>]
//! ```

use super::Command;
use super::rotation::RotationCommand;
use super::spec::{FlagSpec, Leaf, Node, ROTATION_FLAG};
use super::values::RotationName;

/// Shifts a forecast covers unless `--shifts` says otherwise.
pub const DEFAULT_FORECAST_SHIFTS: u32 = 4;
/// Most shifts one forecast covers (a year of weekly shifts).
pub const MAX_FORECAST_SHIFTS: u32 = 52;

pub const FORECAST: Node = Node::Leaf(Leaf {
    name: "forecast",
    args: "<rotation>",
    summary: "Who is likely to serve on the next shifts, and how likely; changes nothing.",
    details: "Runs the lottery 1,000 times over the rotation as it is now (members, skills, limits, grace, time off, holidays and the tasks already made) and shows, per shift, the people most likely to serve with their chances.",
    flags: &[
        ROTATION_FLAG,
        FlagSpec::value(
            "shifts",
            "<1-52>",
            "How many upcoming shifts to forecast. Default 4.",
        ),
    ],
    build: |a| {
        let rotation = a.rotation()?;
        let shifts = a
            .number("shifts", 1, MAX_FORECAST_SHIFTS)?
            .unwrap_or(DEFAULT_FORECAST_SHIFTS);
        Ok(Command::Rotation(RotationCommand::Forecast {
            rotation,
            shifts,
        }))
    },
});

pub const STATS: Node = Node::Leaf(Leaf {
    name: "stats",
    args: "<rotation>",
    summary: "How fair the rotation has been: services and hours per member, with a chart.",
    details: "Counts the tasks each member served on (scheduled, started or finished), their hours as `task show` reports them, per skill too, the coefficient of variation, and who is above or below the average. The chart comes as a direct message.",
    flags: &[
        ROTATION_FLAG,
        FlagSpec::value(
            "since",
            "<datetime>",
            "Count only tasks starting at or after this time. Default: all of them.",
        ),
    ],
    build: |a| {
        let rotation = a.rotation()?;
        let since = a.datetime("since")?;
        Ok(Command::Rotation(RotationCommand::Stats {
            rotation,
            since,
        }))
    },
});

/// `to_input` for the report commands.
pub(super) fn to_input(rotation: &RotationName, cmd: &RotationCommand) -> Option<String> {
    match cmd {
        RotationCommand::Forecast { shifts, .. } => {
            Some(format!("rotation forecast {rotation} --shifts {shifts}"))
        }
        RotationCommand::Stats { since, .. } => Some(match since {
            Some(t) => format!("rotation stats {rotation} --since {t}"),
            None => format!("rotation stats {rotation}"),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::command::{Command, RotationCommand, parse};

    fn command(text: &str) -> Command {
        parse(text).expect(text).command
    }

    #[test]
    fn forecast_takes_a_rotation_and_a_shift_count_up_to_52() {
        let Command::Rotation(RotationCommand::Forecast { rotation, shifts }) =
            command("rotation forecast ICE")
        else {
            panic!("not a forecast");
        };
        assert_eq!((rotation.as_str(), shifts), ("ICE", 4));
        assert!(matches!(
            command("rotation forecast -r ICE --shifts 52"),
            Command::Rotation(RotationCommand::Forecast { shifts: 52, .. })
        ));
        let err = parse("rotation forecast ICE --shifts 53")
            .unwrap_err()
            .to_string();
        assert!(err.contains("from 1 to 52"), "{err}");
        assert!(parse("rotation forecast ICE --shifts 0").is_err());
        assert!(parse("rotation forecast").is_err());
    }

    #[test]
    fn stats_reads_since_as_a_datetime_and_round_trips() {
        for text in [
            "rotation stats ICE",
            "rotation stats ICE --since 2026-03-01T09:00",
            "rotation forecast ICE --shifts 12",
        ] {
            let c = command(text);
            assert_eq!(command(&c.to_input()), c, "{text}");
        }
        let err = parse("rotation stats ICE --since yesterday-ish")
            .unwrap_err()
            .to_string();
        assert!(err.contains("--since"), "{err}");
    }
}
