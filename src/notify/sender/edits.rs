//! The outbox entries that change something instead of posting: an edit of an earlier post (see
//! [`rich_post`]) and a custom-status change (see [`status_op`]).

use super::{Claim, Outcome, Sender, classify};
use crate::lottery::UserId;
use crate::notify::{rich_post, status_op};
use crate::store::{StoreError, outbox};

impl Sender {
    /// An update of an earlier post (see [`rich_post`]): once that post exists, its text and
    /// props are replaced; repeating the same update is harmless.
    pub(super) async fn update_post(
        &self,
        m: &outbox::Pending,
        claim: &Claim,
    ) -> Result<Outcome, StoreError> {
        let Some(update) = rich_post::parse_update(&m.message) else {
            return Ok(Outcome::Permanent("not a post update".into()));
        };
        let target = {
            let mut conn = self.db.read().await?;
            outbox::delivery(&mut conn, &update.target_key).await?
        };
        let post_id = match target {
            outbox::Delivery::Posted(Some(id)) => id,
            // Nothing to update: the post never was (or its id was never known).
            outbox::Delivery::Unknown
            | outbox::Delivery::Failed
            | outbox::Delivery::Posted(None) => return Ok(Outcome::Sent),
            outbox::Delivery::Pending => {
                return Ok(Outcome::Retry(
                    "the post to update is not delivered yet".into(),
                    None,
                ));
            }
        };
        if !self.renew(claim).await? {
            return Ok(Outcome::Lost);
        }
        Ok(
            match self
                .mm
                .patch_post(&post_id, &update.message, &update.props)
                .await
            {
                Ok(_) => Outcome::Sent,
                Err(e) => classify(e),
            },
        )
    }

    /// A custom-status change instead of a post (see [`status_op`]); repeating one is harmless.
    pub(super) async fn change_status(
        &self,
        m: &outbox::Pending,
        claim: &Claim,
    ) -> Result<Outcome, StoreError> {
        let Some(op) = status_op::parse(&m.message) else {
            return Ok(Outcome::Permanent("not a custom status change".into()));
        };
        if !self.renew(claim).await? {
            return Ok(Outcome::Lost);
        }
        let user = UserId::new(m.user_id.clone());
        Ok(
            match status_op::apply(&self.mm, &user, &op, self.now()).await {
                Ok(()) => Outcome::Sent,
                Err(e) => classify(e),
            },
        )
    }
}
