//! `/lotto calendar …`: connecting calendars and the status settings.

use super::context::Ctx;
use super::{Output, Result, ServiceError};
use crate::command::CalendarCommand;

pub async fn handle(_ctx: &Ctx, _cmd: CalendarCommand) -> Result<Output> {
    Err(ServiceError::invalid(
        "Calendar-driven status is not available in this build yet.".to_string(),
    ))
}
