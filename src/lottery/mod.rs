//! The domain: every scheduling rule as plain types and functions.
//!
//! No I/O, no async, no clock reads: time and randomness come in as parameters, so every rule is
//! unit-testable and the command layer, the autopilot and the benchmarks share one implementation.

pub mod duration;
pub mod ids;
pub mod period;
pub mod settings;
pub mod skill;

pub use duration::{DurationError, format_duration, parse_duration};
pub use ids::{RotationId, TaskId, UserId};
pub use period::{Period, PeriodError};
pub use settings::{AutopilotChange, AutopilotSettings, TaskTimes, TaskType};
pub use skill::{Level, SkillError, SkillLevel, SkillName, Skills};
