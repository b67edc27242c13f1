//! `profile preset add|remove`, `profile show`, `profile restore`.

use serde::Serialize;

use super::{Reader, View};
use crate::store::profile::{PresetInfo, ProfileState};

#[derive(Debug, Clone, Serialize)]
pub struct PresetView {
    /// Without colons, as Mattermost stores it.
    pub emoji: String,
    pub nickname: Option<String>,
    /// Where the picture came from (it was downloaded once, when the preset was added).
    pub image_url: Option<String>,
    /// The stored 128×128 PNG's SHA-256.
    pub image_sha256: Option<String>,
}

impl PresetView {
    fn from_info(p: PresetInfo) -> Self {
        PresetView {
            emoji: p.emoji,
            nickname: p.nickname,
            image_url: p.image_url,
            image_sha256: p.image_sha256,
        }
    }

    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(n) = &self.nickname {
            parts.push(format!("nickname **{n}**"));
        }
        if self.image_sha256.is_some() {
            parts.push(match &self.image_url {
                Some(url) => format!("picture from {url}"),
                None => "a picture".to_string(),
            });
        }
        parts.join(" and ")
    }
}

/// `profile preset add|remove`.
#[derive(Debug, Clone, Serialize)]
pub struct PresetChangedView {
    /// Whose preset (username).
    pub user: String,
    #[serde(skip)]
    pub is_self: bool,
    pub preset: PresetView,
    pub added: bool,
    /// An existing preset for the emoji was replaced.
    pub replaced: bool,
}

impl View for PresetChangedView {
    fn markdown(&self, _: &Reader) -> String {
        let (whose, has) = if self.is_self {
            ("your".to_string(), "you set".to_string())
        } else {
            (format!("@{}'s", self.user), format!("@{} sets", self.user))
        };
        let emoji = format!(":{}:", self.preset.emoji);
        if self.added {
            format!(
                "{} preset for {emoji}: {}. Whenever {has} the custom status {emoji}, the bot shows it (within seconds); {} own nickname and picture come back when the status is cleared or expires.",
                if self.replaced {
                    "Replaced the"
                } else {
                    "Added a"
                },
                self.preset.describe(),
                if self.is_self { "your" } else { "their" },
            )
        } else {
            format!(
                "Removed {whose} preset for {emoji}. If it was shown, the original nickname and picture come back within seconds."
            )
        }
    }
}

/// What is shown now, as `profile show` says it.
#[derive(Debug, Clone, Serialize)]
pub struct OriginalView {
    pub nickname: Option<String>,
    pub image_sha256: Option<String>,
}

/// `profile show`.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileShowView {
    pub user: String,
    #[serde(skip)]
    pub is_self: bool,
    pub presets: Vec<PresetView>,
    /// The nickname and picture saved before the bot's first change (`None` when nothing is saved:
    /// the person's own profile is shown).
    pub original: Option<OriginalView>,
    /// The emoji whose preset is shown now (`None`: the person's own profile).
    pub applied: Option<String>,
    /// The bot's writes for `applied` are not confirmed yet (in flight, or being retried).
    pub applying: bool,
    /// Why Mattermost refuses to let the bot change this profile, if it does.
    pub unmanageable: Option<String>,
    /// `profile restore` while this emoji was set: its preset waits until the emoji changes.
    pub held: Option<String>,
}

impl ProfileShowView {
    pub fn new(user: String, is_self: bool, presets: Vec<PresetInfo>, state: ProfileState) -> Self {
        ProfileShowView {
            user,
            is_self,
            presets: presets.into_iter().map(PresetView::from_info).collect(),
            original: state.original_saved.then(|| OriginalView {
                nickname: state.original_nickname.clone(),
                image_sha256: state.original_sha256.clone(),
            }),
            applied: state.applied_emoji,
            applying: state.applying,
            unmanageable: state.unmanageable,
            held: state.held_emoji,
        }
    }
}

impl View for ProfileShowView {
    fn markdown(&self, _: &Reader) -> String {
        let whose = if self.is_self {
            "Your".to_string()
        } else {
            format!("@{}'s", self.user)
        };
        if self.presets.is_empty() {
            return format!(
                "{whose} profile has no presets. Add one with `/lotto profile preset add :palm_tree: --nickname \"Ann (on vacation)\" --image https://…`."
            );
        }
        let mut out = format!("{whose} profile presets:\n");
        for p in &self.presets {
            out.push_str(&format!("- :{}: → {}\n", p.emoji, p.describe()));
        }
        out.push_str(&match &self.applied {
            Some(e) if self.applying => format!(
                "Shown now: the preset for :{e}:, unless the bot's last change has not reached Mattermost (it checks again)."
            ),
            Some(e) => format!("Shown now: the preset for :{e}:."),
            None => "Shown now: the original nickname and picture.".to_string(),
        });
        if let Some(o) = &self.original {
            let nickname = match o.nickname.as_deref() {
                Some("") | None => "no nickname".to_string(),
                Some(n) => format!("nickname **{n}**"),
            };
            out.push_str(&format!(
                "\nSaved original: {nickname} and the picture from before the first change."
            ));
        }
        if let Some(h) = &self.held {
            out.push_str(&format!(
                "\nThe preset for :{h}: waits until the status emoji changes (`profile restore`)."
            ));
        }
        if let Some(why) = &self.unmanageable {
            out.push_str(&format!(
                "\n:warning: Mattermost does not let the bot change this profile ({why}). Adding a preset tries again."
            ));
        }
        out
    }
}

/// `profile restore`.
#[derive(Debug, Clone, Serialize)]
pub struct RestoreView {
    pub user: String,
    #[serde(skip)]
    pub is_self: bool,
    /// False when the original was already shown.
    pub restoring: bool,
    /// The emoji whose preset was shown.
    pub emoji: Option<String>,
}

impl View for RestoreView {
    fn markdown(&self, _: &Reader) -> String {
        let whose = if self.is_self {
            "Your".to_string()
        } else {
            format!("@{}'s", self.user)
        };
        match (&self.emoji, self.restoring) {
            (Some(e), true) => format!(
                "{whose} own nickname and picture come back within seconds. The preset for :{e}: applies again when the status emoji changes."
            ),
            _ => format!("{whose} own nickname and picture are already shown; nothing to restore."),
        }
    }
}
