//! The DMs: what they say ([`message`]: one [`Message`] variant per kind, queued with [`queue`] in
//! the transaction of their cause) and their delivery ([`Sender`]), for the commands, the autopilot and
//! the calendar job alike.
//!
//! Each message is posted as `POST /channels/direct` then `POST /posts` with the message's idempotency
//! key as `pending_post_id`, so a retry after an unknown outcome (timeout, crash before `mark_sent`)
//! does not produce a second post. Timeouts, transport errors, 5xx and 429 are retried with
//! exponential backoff and jitter (429's `Retry-After` is honoured), and so is any failure of the
//! look-up for an earlier post (it says nothing about the DM itself); other 4xx answers to the DM's
//! own requests are permanent: recorded and reported to the rotation's owners, never retried forever.
//! A user's messages go out in order; users are served concurrently.
//!
//! A sender claims a message in its row before an attempt and renews the claim before each request,
//! for one request timeout plus a margin (`RetryPolicy::claim_ttl`): several processes can share the
//! database without two of them posting the same message, and a message whose sender was killed
//! mid-request is taken over as soon as that sender can no longer be waiting for Mattermost.

pub mod message;
mod policy;
pub mod rich_post;
mod sender;
pub mod status_op;

pub use message::{Message, Queued, queue, queue_in_channel};
pub use policy::{MIN_CLAIM_MARGIN, RetryPolicy};
pub use sender::{Clock, DeliveryReport, Sender};
