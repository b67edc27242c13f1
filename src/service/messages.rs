//! Message texts, rendered from the files in `templates/` (compiled into the binary, so a deployed bot
//! needs no template directory). Every DM the bot sends goes through here.

use std::sync::OnceLock;

use minijinja::Environment;
use serde::Serialize;

const TEMPLATES: &[(&str, &str)] = &[
    (
        "welcome_rotation",
        include_str!("../../templates/welcome_rotation.md"),
    ),
    (
        "removed_rotation",
        include_str!("../../templates/removed_rotation.md"),
    ),
    ("scheduled", include_str!("../../templates/scheduled.md")),
    ("started", include_str!("../../templates/started.md")),
    ("finished", include_str!("../../templates/finished.md")),
    ("unassigned", include_str!("../../templates/unassigned.md")),
    (
        "remind_start",
        include_str!("../../templates/remind_start.md"),
    ),
    (
        "remind_finish",
        include_str!("../../templates/remind_finish.md"),
    ),
    (
        "fill_failed",
        include_str!("../../templates/fill_failed.md"),
    ),
    (
        "delivery_failed",
        include_str!("../../templates/delivery_failed.md"),
    ),
    (
        "calendar_notice",
        include_str!("../../templates/calendar_notice.md"),
    ),
    (
        "calendar_source_failed",
        include_str!("../../templates/calendar_source_failed.md"),
    ),
    (
        "calendar_forbidden",
        include_str!("../../templates/calendar_forbidden.md"),
    ),
    (
        "calendar_admin_alert",
        include_str!("../../templates/calendar_admin_alert.md"),
    ),
    (
        "calendar_owner_oof",
        include_str!("../../templates/calendar_owner_oof.md"),
    ),
];

fn env() -> &'static Environment<'static> {
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
        for (name, src) in TEMPLATES {
            // The templates ship with the binary and are covered by tests, so a syntax error here is a
            // build defect; log it rather than panic, and `render` reports the missing template.
            if let Err(e) = env.add_template(name, src) {
                tracing::error!(template = name, error = %e, "template does not compile");
            }
        }
        env
    })
}

/// Renders a template with a serializable context. Rendering can only fail on a template defect, in
/// which case the message still says what happened, plainly.
pub fn render<T: Serialize>(name: &str, ctx: &T) -> String {
    let result = env()
        .get_template(name)
        .and_then(|t| t.render(minijinja::Value::from(minijinja::value::Serde(ctx))));
    match result {
        Ok(s) => tidy(&s),
        Err(e) => {
            tracing::error!(template = name, error = %e, "template failed to render");
            format!(
                "(Solar Lottery: the `{name}` message could not be rendered; please tell your admin.)"
            )
        }
    }
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

/// The report to a rotation's owners when a DM can never be delivered.
pub fn delivery_failed(recipient: &str, kind: &str, error: &str) -> String {
    #[derive(Serialize)]
    struct Ctx<'a> {
        recipient: &'a str,
        kind: String,
        error: &'a str,
    }
    render(
        "delivery_failed",
        &Ctx {
            recipient,
            kind: kind.replace('_', " "),
            error,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles() {
        for (name, _) in TEMPLATES {
            assert!(env().get_template(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn delivery_failure_names_recipient_and_reason() {
        let m = delivery_failed("@alice", "remind_start", "403 user is deactivated");
        assert!(
            m.contains("@alice") && m.contains("remind start") && m.contains("deactivated"),
            "{m}"
        );
    }
}
