//! Calendar-driven status: read people's calendars (Microsoft Graph free/busy or an ICS feed), decide
//! what their Mattermost status should be, and feed out-of-office time to the lottery.
//!
//! - [`model`] and [`view`]: blocks from any source, and what they mean at one instant;
//! - [`graph`] and [`ics`]: the sources; a new source is a new module plus a [`fetch::Source`] variant;
//! - [`fetch`]: fetches everyone at once, each person's failure kept to that person;
//! - [`rules`]: the pure status rules the sync job applies;
//! - [`sync`]: the sync itself (Mattermost reads and writes, memory, unavailability, notices) and
//!   the one-person helpers the `/lotto calendar` commands use;
//! - [`job`]: the background job that runs the sync every `LOTTO_CALENDAR_INTERVAL`.
//!
//! One sync run, as the job is meant to drive it:
//! 1. `Fetcher::fetch_all(requests, Span [now, now + 12h])`: a window reaching past now lets
//!    back-to-back meetings merge, so DND ends when the whole busy stretch does;
//! 2. per person with `Ok(blocks)`: `CalendarView::at(&blocks, now)` and [`decide`] with their
//!    settings, status, custom status and stored [`rules::Memory`];
//! 3. apply the decision's writes; store its memory only if they succeeded; send its notice;
//! 4. an `Err` keeps the old memory and is retried next run (tell the person once).

pub mod error;
pub mod fetch;
pub mod graph;
pub mod holidays;
pub mod ics;
pub mod job;
pub mod model;
pub mod rules;
pub mod sync;
pub mod tz;
pub mod view;

pub use error::SourceError;
pub use fetch::{FetchRequest, Fetcher, Source};
pub use graph::{GraphClient, GraphConfig, GraphLimits, admin_consent_url};
pub use ics::{AddressPolicy, IcsClient, blocks_in};
pub use model::{Availability, Block, EmptySpan, Span};
pub use rules::{Decision, RuleInput, decide};
pub use view::{CalendarView, Run, RunKey, RunKind};
