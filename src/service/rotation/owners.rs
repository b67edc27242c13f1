//! `rotation owner add|remove`.

use super::for_owner;
use crate::command::{RotationName, UserRef};
use crate::lottery::{HistoryEvent, Person};
use crate::service::Result;
use crate::service::context::Ctx;
use crate::service::views::OwnersView;
use crate::store;

pub async fn change(
    ctx: &Ctx,
    name: &RotationName,
    users: &[UserRef],
    add: bool,
) -> Result<OwnersView> {
    let people = ctx.users(users).await?;
    let (mut tx, r) = for_owner(ctx, name, "change its owners").await?;
    let mut changed = Vec::new();
    let mut whom = Vec::new();
    for u in &people {
        let did = if add {
            store::members::add_owner(&mut tx, r.id, &u.id).await?
        } else {
            store::members::remove_owner(&mut tx, r.id, &u.id).await?
        };
        if did {
            changed.push(format!("@{}", u.username));
            whom.push(Person::new(u.id.clone(), &u.username));
        }
    }
    if !whom.is_empty() {
        let event = if add {
            HistoryEvent::OwnersAdded { people: whom }
        } else {
            HistoryEvent::OwnersRemoved { people: whom }
        };
        ctx.record(&mut tx, Some(r.id), None, event).await?;
    }
    let owners = crate::service::ops::owners_text(&mut tx, r.id).await?;
    ctx.commit(tx).await?;
    Ok(OwnersView {
        rotation: r.name,
        owners,
        changed,
        added: add,
    })
}
