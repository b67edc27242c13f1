//! The profile writes and their record. What the bot is about to show is recorded BEFORE it writes
//! to Mattermost (`applying`), and confirmed after: a process that dies between a write and a record
//! made after it would leave the next engine holder believing the original is shown, so a later
//! clear or expiry would not restore it (issue 12). Claiming early is safe for restoring, since
//! restoring an original that was never replaced changes nothing; a write Mattermost refused puts
//! the record back, so `profile show` does not claim a preset that is not shown.

use chrono::{DateTime, Utc};

use super::apply::{ApplyError, DEFAULT_PICTURE};
use crate::lottery::UserId;
use crate::mattermost::{MattermostError, User};
use crate::shared::Shared;
use crate::store;
use crate::store::profile::{self as presets, ProfileState, Shown};

/// A picture to show.
pub(super) enum Picture {
    Upload {
        png: Vec<u8>,
        sha: String,
    },
    /// Mattermost's generated default.
    Default,
}

impl Picture {
    pub(super) fn sha(&self) -> &str {
        match self {
            Picture::Upload { sha, .. } => sha,
            Picture::Default => DEFAULT_PICTURE,
        }
    }

    async fn show(self, shared: &Shared, id: &UserId) -> Result<(), MattermostError> {
        match self {
            Picture::Upload { png, .. } => shared.mm.set_profile_image(id, png).await,
            Picture::Default => shared.mm.reset_profile_image(id).await,
        }
    }
}

/// Writes the nickname and picture, recording `shown` as `applying` BEFORE the first write and as
/// done after the last (a restore forgets it instead, so it leaves it `applying`). A process that
/// dies between a write and its record thus leaves the next engine holder a record that still
/// restores the original; restoring an original that was never replaced changes nothing. Returns
/// how many writes were made.
pub(super) async fn write(
    shared: &Shared,
    user: &User,
    before: &ProfileState,
    shown: Shown<'_>,
    nickname: Option<String>,
    picture: Option<Picture>,
    now: DateTime<Utc>,
) -> Result<usize, ApplyError> {
    let id = &user.id;
    if nickname.is_none() && picture.is_none() {
        if !shown.applying {
            record(shared, id, shown, now).await?;
        }
        return Ok(0);
    }
    record(
        shared,
        id,
        Shown {
            applying: true,
            ..shown
        },
        now,
    )
    .await?;
    let mut writes = 0;
    let result = async {
        if let Some(nickname) = &nickname {
            shared.mm.patch_nickname(id, nickname).await?;
            writes += 1;
        }
        if let Some(picture) = picture {
            picture.show(shared, id).await?;
            writes += 1;
        }
        Ok::<_, MattermostError>(())
    }
    .await;
    if let Err(error) = result {
        if writes == 0 && refused(&error) {
            // Mattermost turned the first write down, so nothing changed there: the record goes
            // back to what it said, and `profile show` does not claim a preset that is not shown.
            let was = Shown {
                emoji: before.applied_emoji.as_deref(),
                sha256: before.applied_sha256.as_deref(),
                expires_at: before.expires_at,
                applying: before.applying,
            };
            record(shared, id, was, now).await?;
        }
        // Otherwise a write may have happened (a timeout, a 5xx whose work was done, a second write
        // failing): the record stays `applying`, and the retry or a later restore writes again.
        return Err(error.into());
    }
    if !shown.applying {
        record(shared, id, shown, now).await?;
    }
    Ok(writes)
}

/// Mattermost answered with a refusal that it gives before acting (4xx, 429 included), or the
/// request was never sent: the write surely did not happen.
fn refused(error: &MattermostError) -> bool {
    matches!(error, MattermostError::InvalidRequest(_))
        || error.status().is_some_and(|s| s.is_client_error())
}

async fn record(
    shared: &Shared,
    id: &UserId,
    shown: Shown<'_>,
    now: DateTime<Utc>,
) -> Result<(), ApplyError> {
    let mut tx = shared.db.begin_write().await?;
    presets::set_shown(&mut tx, id, shown, now).await?;
    store::commit(tx).await?;
    Ok(())
}
