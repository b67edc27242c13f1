//! `/lotto calendar …`: connecting a calendar, its status settings, what the bot sees, and the admin
//! commands (run the sync now, the Graph admin-consent link).
//!
//! Everyone manages their own connection; bot admins may manage anyone's (`@user`). Reading someone
//! else's calendar is an admin thing too: it is more private than rotations.

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};

use super::context::Ctx;
use super::render::rfc3339;
use super::{Output, Result, ServiceError, format};
use crate::calendar::rules::{
    BusyStatus, CustomStatusChange, Decision, Settings, StatusKind, StatusWrite,
    UnavailabilityChange,
};
use crate::calendar::sync::{self as job, Change, Part, SyncError, SyncReport};
use crate::calendar::view::Run;
use crate::calendar::{CalendarView, Source, SourceError, admin_consent_url, ics};
use crate::command::{BusyMode, CalendarCommand, CalendarSource, UserRef};
use crate::lottery::Interval;
use crate::store::calendar::Connection;
use crate::store::unavailability::Stored;
use crate::store::users::User;
use crate::store::{self};

/// Where Microsoft sends the admin back after consenting when `LOTTO_PUBLIC_URL` is not set: the
/// standard redirect of native apps, which every app registration can list.
const FALLBACK_CONSENT_REDIRECT: &str =
    "https://login.microsoftonline.com/common/oauth2/nativeclient";
/// People listed by `calendar sync` before "and N more".
const SYNC_LINES: usize = 30;
/// People listed by `calendar sync --json`.
const SYNC_JSON_PEOPLE: usize = 50;
/// Upcoming calendar entries listed by `calendar show`.
const SHOW_BLOCKS: usize = 6;

pub async fn handle(ctx: &Ctx, cmd: CalendarCommand) -> Result<Output> {
    use CalendarCommand as C;
    match cmd {
        C::Connect { source, user } => connect(ctx, source, user).await,
        C::Disconnect { user } => disconnect(ctx, user).await,
        C::Show { user } => show(ctx, user).await,
        C::SetBusy { mode, user } => {
            let busy = match mode {
                BusyMode::Dnd => BusyStatus::Dnd,
                BusyMode::Away => BusyStatus::Away,
                BusyMode::Off => BusyStatus::Off,
            };
            change_settings(ctx, user, "change calendar settings", |s, _| {
                s.busy_status = busy;
                match busy {
                    BusyStatus::Dnd => "While the calendar says busy, the status will be **Do Not Disturb** until the busy time ends.".into(),
                    BusyStatus::Away => "While the calendar says busy, the status will be **Away**.".into(),
                    BusyStatus::Off => "The status is left alone while busy (out-of-office custom status and rotations still follow the calendar).".into(),
                }
            })
            .await
        }
        C::SetNotices { on, user } => {
            change_settings(ctx, user, "change calendar settings", |s, _| {
                s.notices = on;
                if on {
                    "The bot will send a DM each time it changes the status.".into()
                } else {
                    "The bot will change the status without a DM.".into()
                }
            })
            .await
        }
        C::SetCustomStatus { on, user } => {
            change_settings(ctx, user, "change calendar settings", |s, _| {
                s.custom_status = on;
                if on {
                    "Out of office or working elsewhere in the calendar will show as a custom status (only over no custom status or the bot's own).".into()
                } else {
                    "The bot will not set custom statuses (and clears its own next run).".into()
                }
            })
            .await
        }
        C::Pause { duration, user } => {
            let until = ctx.now.checked_add_signed(duration).ok_or_else(|| {
                ServiceError::invalid("That pause is too long; try days or weeks, e.g. `2w`.")
            })?;
            let tz = ctx.tz();
            change_settings(ctx, user, "pause the calendar", |s, them| {
                s.paused_until = Some(until);
                format!(
                    "Paused until {}: the bot changes no status or custom status until then. Out-of-office time still keeps rotations from picking {them}. `/lotto calendar resume` ends the pause early.",
                    format::time(until, tz),
                )
            })
            .await
        }
        C::Resume { user } => {
            change_settings(ctx, user, "resume the calendar", |s, _| {
                s.paused_until = None;
                "Resumed: from the next run the status follows the calendar again.".into()
            })
            .await
        }
        C::Sync => sync(ctx).await,
        C::ConsentUrl => consent_url(ctx),
    }
}

/// The person a command is about: the actor, or (for bot admins) the mentioned user.
async fn target(ctx: &Ctx, user: Option<UserRef>, what: &str) -> Result<User> {
    let Some(name) = user else {
        return Ok(ctx.actor.user.clone());
    };
    let person = ctx
        .users(std::slice::from_ref(&name))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| ServiceError::NotFound(format!("Mattermost has no active user @{name}.")))?;
    if person.id != ctx.actor.user.id && !ctx.actor.is_bot_admin {
        return Err(ServiceError::Forbidden(format!(
            "Only bot admins can {what} for someone else. For your own calendar, leave out @{name}."
        )));
    }
    Ok(person)
}

/// `your` for the actor, `@bob's` for someone else.
fn whose(ctx: &Ctx, person: &User) -> String {
    if person.id == ctx.actor.user.id {
        "your".into()
    } else {
        format!("@{}'s", person.username)
    }
}

/// `you` for the actor, `@bob` for someone else.
fn them(ctx: &Ctx, person: &User) -> String {
    if person.id == ctx.actor.user.id {
        "you".into()
    } else {
        format!("@{}", person.username)
    }
}

async fn connection_of(ctx: &Ctx, person: &User) -> Result<Connection> {
    let mut conn = ctx.read().await?;
    store::calendar::get(&mut conn, &person.id)
        .await?
        .ok_or_else(|| {
            let whom = if person.id == ctx.actor.user.id {
                "You have".to_string()
            } else {
                format!("@{} has", person.username)
            };
            ServiceError::NotFound(format!(
                "{whom} no calendar connected. Connect one with `/lotto calendar connect graph [email]` (Microsoft 365) or `/lotto calendar connect ics <url>`."
            ))
        })
}

fn describe_source(source: &Source) -> String {
    match source {
        Source::Graph { email } => format!("Microsoft 365 calendar (`{email}`)"),
        Source::Ics { url } => format!("ICS feed (`{}`)", ics::redact(url)),
    }
}

fn source_json(source: &Source) -> Value {
    match source {
        Source::Graph { email } => json!({"kind": "graph", "email": email}),
        Source::Ics { url } => json!({"kind": "ics", "url": ics::redact(url)}),
    }
}

/// Errors about what the person typed (or their address), which a connection would keep hitting;
/// anything else (Graph down, throttled, consent not given yet) may pass and is retried by the job.
fn refuses_connection(e: &SourceError) -> bool {
    match e {
        SourceError::UnknownAddress { .. }
        | SourceError::BadUrl { .. }
        | SourceError::InvalidIcs(_)
        | SourceError::TooLarge { .. }
        | SourceError::GraphNotConfigured => true,
        SourceError::Http { status } => (400..500).contains(status) && *status != 429,
        _ => false,
    }
}

async fn connect(ctx: &Ctx, source: CalendarSource, user: Option<UserRef>) -> Result<Output> {
    let person = target(ctx, user, "connect a calendar").await?;
    let source = match source {
        CalendarSource::Graph { email } => {
            if ctx.svc.deps.calendar.graph().is_none() {
                return Err(ServiceError::invalid(format!(
                    "{} Nothing was connected.",
                    SourceError::GraphNotConfigured
                )));
            }
            let email = match email {
                Some(e) => e.as_str().to_string(),
                None => default_email(ctx, &person).await?,
            };
            Source::Graph { email }
        }
        CalendarSource::Ics { url } => Source::Ics {
            url: url.as_str().to_string(),
        },
    };
    let tz = person.zone();
    let check = job::fetch_one(ctx.svc.calendar(), &source, tz, ctx.now).await;
    if let Err(e) = &check
        && refuses_connection(e)
    {
        return Err(ServiceError::invalid(format!(
            "{e}\n\nNothing was connected."
        )));
    }
    let mut tx = ctx.begin().await?;
    let replaced =
        store::calendar::connect(&mut tx, &person.id, &source, &ctx.actor.user.id, ctx.now).await?;
    ctx.commit(tx).await?;

    let reader = ctx.tz();
    let mut lines = vec![format!(
        "Connected {} {}{}.",
        whose(ctx, &person),
        describe_source(&source),
        if replaced.is_some() {
            " (it replaces the calendar connected before)"
        } else {
            ""
        }
    )];
    match &check {
        Ok(blocks) => {
            let view = CalendarView::at(blocks, ctx.now);
            lines.push(format!(
                "Right now it shows: {}.",
                describe_now(&view, reader)
            ));
        }
        Err(e) => lines.push(format!(
            "It could not be read just now, so the bot will keep trying: {e}"
        )),
    }
    let them = them(ctx, &person);
    lines.push(format!(
        "From the next sync, busy time sets **Do Not Disturb** until it ends, out-of-office time sets an \"Out of office\" custom status and keeps rotations from picking {them}, and a DM says what changed. Change this with `/lotto calendar set busy dnd|away|off`, `set notices on|off`, `set custom-status on|off`; take the wheel with `/lotto calendar pause 2h`."
    ));
    Ok(Output::new(
        lines.join("\n"),
        json!({
            "user": person.username,
            "source": source_json(&source),
            "replaced": replaced.as_ref().map(source_json),
            "readable": check.is_ok(),
            "error": check.as_ref().err().map(ToString::to_string),
        }),
    ))
}

async fn default_email(ctx: &Ctx, person: &User) -> Result<String> {
    if let Some(email) = person.email.clone().filter(|e| !e.is_empty()) {
        return Ok(email);
    }
    let profile = ctx.svc.mattermost().get_user(&person.id).await?;
    if profile.email.trim().is_empty() {
        return Err(ServiceError::invalid(format!(
            "Mattermost shows the bot no e-mail address for @{} (the server may hide addresses: System Console → Site Configuration → Users and Teams → Show Email Address). Type it instead: `/lotto calendar connect graph name@example.com`.",
            person.username
        )));
    }
    Ok(profile.email.trim().to_string())
}

async fn disconnect(ctx: &Ctx, user: Option<UserRef>) -> Result<Output> {
    let person = target(ctx, user, "disconnect a calendar").await?;
    let connection = connection_of(ctx, &person).await?;
    // Hand back what the bot set and is still in place; if Mattermost can't be reached, disconnect
    // anyway and say so.
    let released = job::release(ctx.svc.calendar(), &connection, person.zone(), ctx.now).await;
    let mut tx = ctx.begin().await?;
    store::calendar::disconnect(&mut tx, &person.id).await?;
    let removed = store::unavailability::clear(
        &mut tx,
        &person.id,
        Stored::Calendar,
        Some(Interval {
            start: ctx.now,
            finish: ctx.now + TimeDelta::days(36_500),
        }),
    )
    .await?;
    ctx.commit(tx).await?;

    let mut lines = vec![format!(
        "Disconnected {} {}: the bot no longer changes that status.",
        whose(ctx, &person),
        describe_source(&connection.source)
    )];
    let mut handed_back = Vec::new();
    match &released {
        Ok(r) => {
            if let (Some(write), Part::Written) = (r.decision.status, &r.applied.status) {
                handed_back.push(format!(
                    "put the status back to **{}**",
                    write.kind().describe()
                ));
            }
            if let (Some(CustomStatusChange::Clear), Part::Written) =
                (&r.decision.custom_status, &r.applied.custom_status)
            {
                handed_back.push("cleared the custom status it had set".into());
            }
            for part in [&r.applied.status, &r.applied.custom_status] {
                if let Part::Failed(f) = part {
                    lines.push(format!(
                        "The bot could not undo its own change: {}",
                        f.describe()
                    ));
                }
            }
        }
        Err(e) => lines.push(format!(
            "The bot could not check the Mattermost status to undo its own changes ({e}); change it by hand if needed."
        )),
    }
    if removed > 0 {
        handed_back.push(format!(
            "removed {removed} out-of-office {} from the lottery",
            if removed == 1 { "entry" } else { "entries" }
        ));
    }
    if !handed_back.is_empty() {
        lines.push(format!("It also {}.", format::people(&handed_back)));
    }
    Ok(Output::new(
        lines.join("\n"),
        json!({
            "user": person.username,
            "source": source_json(&connection.source),
            "status_restored": released.as_ref().ok().and_then(|r| match (r.decision.status, &r.applied.status) {
                (Some(w), Part::Written) => Some(w.kind()),
                _ => None,
            }),
            "unavailability_removed": removed,
        }),
    ))
}

async fn change_settings(
    ctx: &Ctx,
    user: Option<UserRef>,
    what: &str,
    change: impl FnOnce(&mut Settings, &str) -> String,
) -> Result<Output> {
    let person = target(ctx, user, what).await?;
    let connection = connection_of(ctx, &person).await?;
    let mut settings = connection.settings.clone();
    let them = them(ctx, &person);
    let said = change(&mut settings, &them);
    let mut tx = ctx.begin().await?;
    store::calendar::set_settings(&mut tx, &person.id, &settings).await?;
    ctx.commit(tx).await?;
    let subject = if person.id == ctx.actor.user.id {
        String::new()
    } else {
        format!("For @{}: ", person.username)
    };
    Ok(Output::new(
        format!("{subject}{said}"),
        json!({"user": person.username, "settings": settings_json(&settings)}),
    ))
}

fn settings_json(s: &Settings) -> Value {
    json!({
        "busy_status": s.busy_status.to_string(),
        "notices": s.notices,
        "custom_status": s.custom_status,
        "paused_until": s.paused_until.map(rfc3339),
    })
}

fn describe_settings(s: &Settings, now: DateTime<Utc>, tz: Tz) -> String {
    let busy = match s.busy_status {
        BusyStatus::Dnd => "busy → Do Not Disturb",
        BusyStatus::Away => "busy → Away",
        BusyStatus::Off => "busy → status left alone",
    };
    let on_off = |b: bool| if b { "on" } else { "off" };
    let mut text = format!(
        "{busy} · notices {} · custom status {}",
        on_off(s.notices),
        on_off(s.custom_status)
    );
    if let Some(until) = s.paused_until.filter(|_| s.is_paused(now)) {
        text.push_str(&format!(" · **paused until {}**", format::time(until, tz)));
    }
    text
}

/// `busy until Mon 2026-03-02 15:00 CET`, several kinds joined, or `free`.
fn describe_now(view: &CalendarView, tz: Tz) -> String {
    let run = |word: &str, run: &Run| format!("{word} until {}", format::time(run.end(), tz));
    let parts: Vec<String> = [
        view.out_of_office().map(|r| run("out of office", r)),
        view.busy().map(|r| run(r.availability().describe(), r)),
        view.working_elsewhere()
            .map(|r| run("working elsewhere", r)),
    ]
    .into_iter()
    .flatten()
    .collect();
    if parts.is_empty() {
        "free".into()
    } else {
        format::people(&parts)
    }
}

fn describe_status(
    kind: StatusKind,
    manual: bool,
    dnd_end: Option<DateTime<Utc>>,
    tz: Tz,
) -> String {
    let mut s = format!("**{}**", kind.describe());
    if let (StatusKind::Dnd, Some(end)) = (kind, dnd_end) {
        s.push_str(&format!(" until {}", format::time(end, tz)));
    }
    if manual && kind != StatusKind::Dnd {
        s.push_str(" (set by hand)");
    }
    s
}

/// What a decision would do, one phrase per change; `them` is who rotations would not pick.
fn describe_decision(d: &Decision, them: &str, tz: Tz) -> Vec<String> {
    let mut out = Vec::new();
    match d.status {
        Some(StatusWrite::Dnd { until: Some(t) }) => out.push(format!(
            "set the status to **Do Not Disturb** until {}",
            format::time(t, tz)
        )),
        Some(w) => out.push(format!("set the status to **{}**", w.kind().describe())),
        None => {}
    }
    match &d.custom_status {
        Some(CustomStatusChange::Set(c)) => out.push(format!(
            "set the custom status “{}”{}",
            c.text,
            c.expires_at
                .map(|t| format!(" until {}", format::time(t, tz)))
                .unwrap_or_default()
        )),
        Some(CustomStatusChange::Clear) => out.push("clear the custom status it had set".into()),
        None => {}
    }
    match d.unavailability {
        Some(UnavailabilityChange::Upsert { span, .. }) => out.push(format!(
            "keep rotations from picking {them} from {} to {}",
            format::time(span.start(), tz),
            format::time(span.end(), tz)
        )),
        Some(UnavailabilityChange::Remove { span }) => out.push(format!(
            "let rotations pick {them} again in {} – {}",
            format::time(span.start(), tz),
            format::time(span.end(), tz)
        )),
        None => {}
    }
    out
}

async fn show(ctx: &Ctx, user: Option<UserRef>) -> Result<Output> {
    let person = target(ctx, user, "see the calendar").await?;
    let connection = connection_of(ctx, &person).await?;
    let alerts = {
        let mut conn = ctx.read().await?;
        store::calendar::alerts(&mut conn).await?
    };
    let preview = job::preview(ctx.svc.calendar(), &connection, person.zone(), ctx.now).await?;
    let tz = ctx.tz();
    let own = person.id == ctx.actor.user.id;
    let mut lines = vec![
        format!(
            "**{} calendar**: {} · {}",
            format::capitalise(&whose(ctx, &person)),
            describe_source(&connection.source),
            describe_settings(&connection.settings, ctx.now, tz)
        ),
        format!(
            "Mattermost now: {}{}",
            describe_status(
                preview.status.kind,
                preview.status.manual,
                preview.status.dnd_end_time,
                tz
            ),
            preview
                .custom_status
                .as_ref()
                .filter(|c| c.is_visible(ctx.now))
                .map(|c| format!(", custom status “{}”", c.text))
                .unwrap_or_default()
        ),
    ];
    let mut upcoming_json = Vec::new();
    match (&preview.blocks, &preview.view) {
        (Ok(blocks), Some(view)) => {
            lines.push(format!(
                "The calendar now ({}): {}.",
                tz.name(),
                describe_now(view, tz)
            ));
            let mut upcoming: Vec<_> = blocks.iter().filter(|b| b.end() > ctx.now).collect();
            upcoming.sort_by_key(|b| (b.start(), b.end()));
            upcoming.truncate(SHOW_BLOCKS);
            for b in &upcoming {
                // Subjects only to their owner, and never of private entries (sources drop those).
                let subject = b.subject().filter(|_| own);
                lines.push(format!(
                    "- {} → {}: {}{}",
                    format::time(b.start(), tz),
                    format::time(b.end(), tz),
                    b.availability().describe(),
                    subject.map(|s| format!(" · {s}")).unwrap_or_default()
                ));
                upcoming_json.push(json!({
                    "start": rfc3339(b.start()),
                    "end": rfc3339(b.end()),
                    "availability": b.availability(),
                    "private": b.is_private(),
                    "subject": subject,
                }));
            }
        }
        (Err(e), _) => lines.push(format!("The calendar could not be read just now: {e}")),
        (Ok(_), None) => {}
    }
    let would = preview
        .decision
        .as_ref()
        .map(|d| describe_decision(d, if own { "you" } else { "them" }, tz))
        .unwrap_or_default();
    lines.push(if would.is_empty() {
        if connection.settings.is_paused(ctx.now) {
            "What the bot would do now: nothing in Mattermost while paused.".into()
        } else {
            "What the bot would do now: nothing; Mattermost already shows what the calendar calls for (or a change made by hand, which wins).".into()
        }
    } else {
        format!("What the bot would do now: {}.", format::people(&would))
    });
    lines.push(match connection.synced_at {
        Some(t) => format!("Last read by the sync: {}.", format::relative(t, ctx.now)),
        None => "Not read by the sync yet.".into(),
    });
    if let Some(p) = &connection.problem {
        lines.push(format!(
            "Problem since {}: {}",
            format::time(p.since, tz),
            p.message
        ));
    }
    for (_, message) in &alerts {
        lines.push(format!("Server problem: {message}"));
    }
    Ok(Output::new(
        lines.join("\n"),
        json!({
            "user": person.username,
            "source": source_json(&connection.source),
            "settings": settings_json(&connection.settings),
            "mattermost": {
                "status": preview.status.kind,
                "manual": preview.status.manual,
                "dnd_end_time": preview.status.dnd_end_time.map(rfc3339),
                "custom_status": preview.custom_status.as_ref().map(|c| json!({
                    "emoji": c.emoji, "text": c.text, "expires_at": c.expires_at.map(rfc3339)})),
            },
            "now": preview.view.as_ref().map(|v| json!({
                "availability": v.availability(),
                "busy_until": v.busy().map(|r| rfc3339(r.end())),
                "out_of_office_until": v.out_of_office().map(|r| rfc3339(r.end())),
                "working_elsewhere_until": v.working_elsewhere().map(|r| rfc3339(r.end())),
            })),
            "upcoming": upcoming_json,
            "error": preview.blocks.as_ref().err().map(ToString::to_string),
            "would": would,
            "synced_at": connection.synced_at.map(rfc3339),
            "problem": connection.problem.as_ref().map(|p| p.message.clone()),
        }),
    ))
}

async fn sync(ctx: &Ctx) -> Result<Output> {
    ctx.require_admin("run the calendar sync")?;
    let report = ctx.svc.calendar().run(ctx.now).await.map_err(|e| match e {
        SyncError::Store(e) => ServiceError::Store(e),
        SyncError::ReadStatuses(e) | SyncError::ReadProfiles(e) => ServiceError::Mattermost(e),
        SyncError::BadTime(_) => ServiceError::invalid(e.to_string()),
    })?;
    let mut json = serde_json::to_value(&report).unwrap_or(Value::Null);
    // A reply must fit in one Mattermost post: list the first people, count the rest.
    if let Some(list) = json
        .get_mut("people_changed")
        .and_then(Value::as_array_mut)
        .filter(|l| l.len() > SYNC_JSON_PEOPLE)
    {
        list.truncate(SYNC_JSON_PEOPLE);
        json["people_not_listed"] = json!(report.people_changed.len() - SYNC_JSON_PEOPLE);
    }
    Ok(Output::new(sync_text(&report, ctx.tz()), json))
}

fn sync_text(r: &SyncReport, tz: Tz) -> String {
    let mut lines = vec![format!(
        "Calendar sync as of {}: {} connected, {} read, {} could not be read; {} status and {} custom-status {}, {} lottery {}, {} {} queued.",
        format::time(r.at, tz),
        r.people,
        r.read,
        r.failed_sources,
        r.status_writes,
        r.custom_status_writes,
        if r.custom_status_writes == 1 {
            "change"
        } else {
            "changes"
        },
        r.unavailability_changes,
        if r.unavailability_changes == 1 {
            "change"
        } else {
            "changes"
        },
        r.messages,
        if r.messages == 1 {
            "message"
        } else {
            "messages"
        },
    )];
    if r.people_changed.is_empty() {
        lines.push("Nothing needed changing.".into());
    }
    for p in r.people_changed.iter().take(SYNC_LINES) {
        let what: Vec<String> = p.changes.iter().map(|c| describe_change(c, tz)).collect();
        lines.push(format!("- @{}: {}", p.username, what.join("; ")));
    }
    if r.people_changed.len() > SYNC_LINES {
        lines.push(format!(
            "…and {} more.",
            r.people_changed.len() - SYNC_LINES
        ));
    }
    lines.join("\n")
}

fn describe_change(c: &Change, tz: Tz) -> String {
    match c {
        Change::Status { status } => match status {
            StatusWrite::Dnd { until: Some(t) } => {
                format!("status → Do Not Disturb until {}", format::time(*t, tz))
            }
            w => format!("status → {}", w.kind().describe()),
        },
        Change::CustomStatus { custom_status } => match custom_status {
            CustomStatusChange::Set(cs) => format!("custom status → “{}”", cs.text),
            CustomStatusChange::Clear => "custom status cleared".into(),
        },
        Change::Unavailability { unavailability } => match unavailability {
            UnavailabilityChange::Upsert { span, .. } => format!(
                "unavailable {} → {}",
                format::time(span.start(), tz),
                format::time(span.end(), tz)
            ),
            UnavailabilityChange::Remove { span } => format!(
                "unavailability {} → {} removed",
                format::time(span.start(), tz),
                format::time(span.end(), tz)
            ),
        },
        Change::WriteFailed { what, error } => format!("{what} not changed: {error}"),
        Change::SourceFailed { error } => format!("calendar not read: {error}"),
        Change::Skipped { reason } => format!("skipped: {reason}"),
    }
}

fn consent_url(ctx: &Ctx) -> Result<Output> {
    ctx.require_admin("get the Microsoft Graph admin-consent link")?;
    let Some(graph) = ctx.svc.deps.calendar.graph() else {
        return Err(ServiceError::invalid(
            "Microsoft Graph is not configured. Register an app in Microsoft Entra ID (App registrations → New registration) with the application permission Calendars.ReadBasic (or Calendars.Read) for Microsoft Graph, create a client secret, then set LOTTO_GRAPH_TENANT (the directory/tenant id), LOTTO_GRAPH_CLIENT_ID (the application id) and LOTTO_GRAPH_CLIENT_SECRET, restart the bot and run this again.",
        ));
    };
    let (redirect, fallback) = match &ctx.svc.deps.public_url {
        Some(url) => (url.clone(), false),
        None => (FALLBACK_CONSENT_REDIRECT.to_string(), true),
    };
    let url = admin_consent_url(&graph.tenant, &graph.client_id, &redirect).map_err(|e| {
        ServiceError::invalid(format!("The admin-consent link could not be made: {e}."))
    })?;
    let mut text = format!(
        "A Microsoft 365 admin of tenant `{}` opens this link and accepts, which grants the calendar app its permissions (no trip through the Azure portal):\n{url}\n\nAfterwards Microsoft sends the browser to `{redirect}`; that address must be listed as a redirect URI of the app registration (Authentication → Add a platform → Web).",
        graph.tenant
    );
    if fallback {
        text.push_str(" LOTTO_PUBLIC_URL is not set, so the standard native-client address is used; set LOTTO_PUBLIC_URL to send the admin back to this bot instead.");
    }
    Ok(Output::new(
        text,
        json!({"url": url, "tenant": graph.tenant, "client_id": graph.client_id, "redirect_uri": redirect}),
    ))
}
