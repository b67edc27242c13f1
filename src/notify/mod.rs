//! The DMs: what they say ([`message`]: one [`Message`] variant per kind, queued with [`queue`] in
//! the transaction of their cause) and their delivery ([`Sender`]), for the commands, the autopilot and
//! the calendar job alike.
//!
//! Each message is posted as `POST /channels/direct` then `POST /posts` with the message's idempotency key
//! as `pending_post_id`, so a retry after an unknown outcome (timeout, crash before `mark_sent`) does not
//! produce a second post. Timeouts, transport errors, 5xx and 429 are retried with exponential backoff and
//! jitter (429's `Retry-After` is honoured); other 4xx are permanent: recorded and reported to the
//! rotation's owners, never retried forever. A user's messages go out in order; users are served
//! concurrently.

pub mod message;
mod sender;

pub use message::{Message, Queued, queue};
pub use sender::{DeliveryReport, RetryPolicy, Sender};
