//! The domain: every scheduling rule as plain types and functions.
//!
//! No I/O, no async, no clock reads: time and randomness come in as parameters, so every rule is
//! unit-testable and the command layer, the autopilot and the benchmarks share one implementation.

pub mod assign;
pub mod duration;
pub mod fairness;
pub mod fill;
pub mod forecast;
pub mod history;
pub mod holiday;
pub mod ids;
pub mod interval;
pub mod local_time;
pub mod needs;
pub mod period;
pub mod service_record;
pub mod settings;
pub mod shift;
pub mod simulate;
pub mod skill;
pub mod swap;
pub mod task_state;
pub mod unavailability;
pub mod weight;

pub use assign::{
    AssignError, ScheduleError, check_assign, check_assign_limits, check_fill, check_schedule,
    check_unassign,
};
pub use duration::{DurationError, format_duration, parse_duration};
pub use fill::{
    Absence, Assigned, Candidate, Excluded, Exclusion, FillError, FillOutcome, FillRequest, Namer,
    Pick, Shortfall, fill, fill_rng,
};
pub use history::{HistoryActor, HistoryEntry, HistoryEvent, Person};
pub use holiday::{HolidayPolicy, ShiftOnHoliday};
pub use ids::{RotationId, TaskId, UserId};
pub use interval::Interval;
pub use needs::Needs;
pub use period::{Period, PeriodError};
pub use service_record::{ServiceRecord, service_record, task_interval};
pub use settings::{AutopilotChange, AutopilotSettings, AutopilotUpdate, TaskTimes, TaskType};
pub use shift::{ShiftSchedule, shift_interval};
pub use simulate::{SimMember, SimReport, Simulation, simulate};
pub use skill::{Level, SkillError, SkillLevel, SkillName, Skills};
pub use swap::{SwapError, check_replacement};
pub use task_state::{TaskState, TransitionError};
pub use unavailability::{Reason, Unavailability};
pub use weight::{
    DEFAULT_FUZZ, NEGLIGIBLE_LOG2_WEIGHT, doubling, log2_weight, waiting_since, weight,
};
