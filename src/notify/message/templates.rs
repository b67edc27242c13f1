//! The message templates: one file per kind in `templates/`, compiled into the binary (a deployed bot
//! needs no template directory) and loaded once into a shared minijinja environment.

use std::sync::OnceLock;

use minijinja::Environment;
use serde::Serialize;

/// One file of `templates/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Template {
    pub name: &'static str,
    source: &'static str,
}

macro_rules! template {
    ($name:literal) => {
        Template {
            name: $name,
            source: include_str!(concat!("../../../templates/", $name, ".md")),
        }
    };
}

impl Template {
    pub const WELCOME: Template = template!("welcome");
    pub const REMOVED: Template = template!("removed");
    pub const SCHEDULED: Template = template!("scheduled");
    pub const STARTED: Template = template!("started");
    pub const FINISHED: Template = template!("finished");
    pub const UNASSIGNED: Template = template!("unassigned");
    pub const REMIND_START: Template = template!("remind_start");
    pub const REMIND_FINISH: Template = template!("remind_finish");
    pub const FILL_FAILED: Template = template!("fill_failed");
    pub const DELIVERY_FAILED: Template = template!("delivery_failed");
    pub const CALENDAR_NOTICE: Template = template!("calendar_notice");
    pub const CALENDAR_SOURCE_FAILED: Template = template!("calendar_source_failed");
    pub const CALENDAR_FORBIDDEN: Template = template!("calendar_forbidden");
    pub const CALENDAR_ADMIN_ALERT: Template = template!("calendar_admin_alert");
    pub const CALENDAR_OWNER_OOF: Template = template!("calendar_owner_oof");
    pub const PRESENCE_ABSENT: Template = template!("presence_absent");
    pub const PRESENCE_BACK: Template = template!("presence_back");
    pub const SWAP_INVITE: Template = template!("swap_invite");
    pub const SWAP_CLOSED: Template = template!("swap_closed");
    pub const SWAP_ACCEPTED: Template = template!("swap_accepted");
    pub const SWAP_DECLINED: Template = template!("swap_declined");
    pub const SWAP_EXPIRED: Template = template!("swap_expired");
    pub const OVERRIDDEN: Template = template!("overridden");

    pub const PROFILE_UNMANAGEABLE: Template = template!("profile_unmanageable");
    pub const HOLIDAY_FEED_FAILED: Template = template!("holiday_feed_failed");

    /// Every template, loaded together at first use.
    pub const ALL: [Template; 25] = [
        Template::WELCOME,
        Template::REMOVED,
        Template::SCHEDULED,
        Template::STARTED,
        Template::FINISHED,
        Template::UNASSIGNED,
        Template::REMIND_START,
        Template::REMIND_FINISH,
        Template::FILL_FAILED,
        Template::DELIVERY_FAILED,
        Template::CALENDAR_NOTICE,
        Template::CALENDAR_SOURCE_FAILED,
        Template::CALENDAR_FORBIDDEN,
        Template::CALENDAR_ADMIN_ALERT,
        Template::CALENDAR_OWNER_OOF,
        Template::PRESENCE_ABSENT,
        Template::PRESENCE_BACK,
        Template::SWAP_INVITE,
        Template::SWAP_CLOSED,
        Template::SWAP_ACCEPTED,
        Template::SWAP_DECLINED,
        Template::SWAP_EXPIRED,
        Template::OVERRIDDEN,
        Template::PROFILE_UNMANAGEABLE,
        Template::HOLIDAY_FEED_FAILED,
    ];

    /// Renders this template with its context. Rendering can only fail on a template defect (the
    /// snapshot tests render every kind), in which case the recipient still learns, plainly, that
    /// there was a message.
    pub fn render<T: Serialize>(self, ctx: &T) -> String {
        let result = env()
            .get_template(self.name)
            .and_then(|t| t.render(minijinja::Value::from(minijinja::value::Serde(ctx))));
        match result {
            Ok(s) => tidy(&s),
            Err(e) => {
                tracing::error!(template = self.name, error = %e, "template failed to render");
                format!(
                    "(Solar Lottery: the `{}` message could not be rendered; please tell your admin.)",
                    self.name
                )
            }
        }
    }
}

pub(super) fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        // Block tags on their own lines leave no blank lines behind.
        match minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
        {
            Ok(syntax) => env.set_syntax(syntax),
            Err(e) => tracing::error!(error = %e, "template syntax settings rejected"),
        }
        for t in Template::ALL {
            // The templates ship with the binary and are covered by tests, so a syntax error here is a
            // build defect; log it rather than panic, and `render` reports the missing template.
            if let Err(e) = env.add_template(t.name, t.source) {
                tracing::error!(template = t.name, error = %e, "template does not compile");
            }
        }
        env
    })
}

/// Collapses the blank lines left by template conditionals.
fn tidy(s: &str) -> String {
    let mut out = String::new();
    let mut blank = 0;
    for line in s.trim().lines() {
        if line.trim().is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.trim_end().to_string()
}
