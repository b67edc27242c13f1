//! `/lotto profile …`: presets that switch a person's nickname and picture when they set a custom
//! status emoji (issue 12).
//!
//! ```text
//! profile preset add :emoji: [--nickname "…"] [--image https://…] [@user]
//! profile preset remove :emoji: [@user]
//! profile show [@user]
//! profile restore [@user]
//! ```
//! Without `@user` the command is about the acting user; bot admins may name someone else.

use std::fmt;

use super::Command;
use super::args::Args;
use super::error::ParseError;
use super::lexer::shorten;
use super::rotation::q;
use super::spec::{FlagSpec, Group, Leaf, Node};
use super::values::UserRef;

/// Mattermost's limit on a nickname, in characters (`model.UserNicknameMaxRunes`).
pub const MAX_NICKNAME_CHARS: usize = 64;
/// Mattermost's limit on an emoji name (`model.EmojiNameMaxLength`).
pub const MAX_EMOJI_NAME_LEN: usize = 64;
/// The longest picture link accepted.
pub const MAX_IMAGE_URL_LEN: usize = 2048;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileCommand {
    PresetAdd {
        emoji: EmojiName,
        nickname: Option<Nickname>,
        image: Option<ImageUrl>,
        user: Option<UserRef>,
    },
    PresetRemove {
        emoji: EmojiName,
        user: Option<UserRef>,
    },
    Show {
        user: Option<UserRef>,
    },
    Restore {
        user: Option<UserRef>,
    },
}

/// An emoji name as Mattermost stores it in a custom status: without colons, e.g. `palm_tree`.
/// Typed with colons (`:palm_tree:`), as people see them in Mattermost.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmojiName(String);

impl EmojiName {
    pub fn parse(s: &str) -> Result<Self, String> {
        let inner = s
            .strip_prefix(':')
            .and_then(|r| r.strip_suffix(':'))
            .filter(|r| !r.is_empty())
            .ok_or_else(|| {
                format!(
                    "`{}` is not an emoji: write it between colons, as Mattermost shows it, e.g. `:palm_tree:`",
                    shorten(s)
                )
            })?;
        let valid = inner.len() <= MAX_EMOJI_NAME_LEN
            && inner
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+'));
        if !valid {
            return Err(format!(
                "`{}` is not an emoji name: use the name from Mattermost's emoji picker, e.g. `:palm_tree:`",
                shorten(s)
            ));
        }
        Ok(Self(inner.to_ascii_lowercase()))
    }

    /// The name without colons.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmojiName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, ":{}:", self.0)
    }
}

/// A nickname: at most 64 characters (Mattermost's limit), no line breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nickname(String);

impl Nickname {
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let len = s.chars().count();
        if len == 0 {
            return Err("the nickname is empty: write it in quotes, e.g. `--nickname \"Ann (on vacation)\"`".into());
        }
        if len > MAX_NICKNAME_CHARS {
            return Err(format!(
                "the nickname is {len} characters long; Mattermost allows {MAX_NICKNAME_CHARS}"
            ));
        }
        if s.chars().any(char::is_control) {
            return Err("the nickname must be one line of text".into());
        }
        Ok(Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A picture link: absolute `http`/`https` with a host. Where it points is checked when the bot
/// fetches it (private addresses are refused unless allowed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageUrl(String);

impl ImageUrl {
    pub fn parse(s: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "`{}` is not a picture link: it must start with `https://` or `http://`",
                shorten(s)
            )
        };
        let len = s.chars().count();
        if len > MAX_IMAGE_URL_LEN {
            return Err(format!(
                "the link is {len} characters long; the limit is {MAX_IMAGE_URL_LEN}"
            ));
        }
        let url = reqwest::Url::parse(s).map_err(|_| bad())?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
            return Err(bad());
        }
        Ok(Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub const GROUP: Node = Node::Group(Group {
    name: "profile",
    summary: "Presets: your custom status emoji switches your nickname and picture, and back.",
    children: &[PRESET, SHOW, RESTORE],
});

const PRESET: Node = Node::Group(Group {
    name: "preset",
    summary: "Add or remove a preset for an emoji.",
    children: &[ADD, REMOVE],
});

const ADD: Node = Node::Leaf(Leaf {
    name: "add",
    args: ":emoji: [@user]",
    summary: "When your custom status has this emoji, show this nickname and/or picture.",
    details: "The picture is downloaded once, now, and kept as a 128×128 PNG (PNG, JPEG, GIF or WebP; at most 5 MB). Your own nickname and picture are saved before the first change and come back when you clear the status, it expires, or you pick an emoji without a preset. Adding a preset for an emoji that has one replaces it. Bot admins may add presets for `@user`.",
    flags: &[
        FlagSpec::value(
            "nickname",
            "<text>",
            "The nickname to show (at most 64 characters).",
        ),
        FlagSpec::value("image", "<https://…>", "A link to the picture to show."),
    ],
    build: |a| {
        let emoji = emoji(a, "add")?;
        let nickname = a.value("nickname", Nickname::parse)?;
        let image = a.value("image", ImageUrl::parse)?;
        if nickname.is_none() && image.is_none() {
            return Err(a.bad_value(
                "the preset",
                "give it a `--nickname \"…\"`, an `--image https://…`, or both",
            ));
        }
        let user = a.one_mention()?;
        Ok(Command::Profile(ProfileCommand::PresetAdd {
            emoji,
            nickname,
            image,
            user,
        }))
    },
});

const REMOVE: Node = Node::Leaf(Leaf {
    name: "remove",
    args: ":emoji: [@user]",
    summary: "Remove the preset for an emoji.",
    details: "If it is shown now, your own nickname and picture come back.",
    flags: &[],
    build: |a| {
        let emoji = emoji(a, "remove")?;
        let user = a.one_mention()?;
        Ok(Command::Profile(ProfileCommand::PresetRemove {
            emoji,
            user,
        }))
    },
});

const SHOW: Node = Node::Leaf(Leaf {
    name: "show",
    args: "[@user]",
    summary: "Your presets, the saved original and what is shown now.",
    details: "",
    flags: &[],
    build: |a| {
        let user = a.one_mention()?;
        Ok(Command::Profile(ProfileCommand::Show { user }))
    },
});

const RESTORE: Node = Node::Leaf(Leaf {
    name: "restore",
    args: "[@user]",
    summary: "Show your own nickname and picture again now.",
    details: "The preset applies again the next time you change your status emoji.",
    flags: &[],
    build: |a| {
        let user = a.one_mention()?;
        Ok(Command::Profile(ProfileCommand::Restore { user }))
    },
});

fn emoji(a: &mut Args, verb: &str) -> Result<EmojiName, ParseError> {
    let tok = a.required(
        "an emoji",
        &format!("/lotto profile preset {verb} :palm_tree:"),
    )?;
    EmojiName::parse(&tok.text).map_err(|e| a.bad_value("the emoji", e))
}

impl ProfileCommand {
    /// The canonical command text (without `/lotto `), which parses back to this command.
    pub fn to_input(&self) -> String {
        let user = |u: &Option<UserRef>| u.as_ref().map(|u| format!(" @{u}")).unwrap_or_default();
        match self {
            ProfileCommand::PresetAdd {
                emoji,
                nickname,
                image,
                user: u,
            } => format!(
                "profile preset add {emoji}{}{}{}",
                nickname
                    .as_ref()
                    .map(|n| format!(" --nickname {}", q(n.as_str())))
                    .unwrap_or_default(),
                image
                    .as_ref()
                    .map(|i| format!(" --image {}", q(i.as_str())))
                    .unwrap_or_default(),
                user(u)
            ),
            ProfileCommand::PresetRemove { emoji, user: u } => {
                format!("profile preset remove {emoji}{}", user(u))
            }
            ProfileCommand::Show { user: u } => format!("profile show{}", user(u)),
            ProfileCommand::Restore { user: u } => format!("profile restore{}", user(u)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    fn profile(text: &str) -> ProfileCommand {
        match parse(text).unwrap().command {
            Command::Profile(p) => p,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn presets_take_an_emoji_a_nickname_a_picture_and_a_person() {
        let p = profile(
            "profile preset add :palm_tree: --nickname \"Ann (away)\" --image https://example.com/a.png @ann",
        );
        assert_eq!(
            p,
            ProfileCommand::PresetAdd {
                emoji: EmojiName::parse(":palm_tree:").unwrap(),
                nickname: Some(Nickname::parse("Ann (away)").unwrap()),
                image: Some(ImageUrl::parse("https://example.com/a.png").unwrap()),
                user: Some(UserRef::parse("ann").unwrap()),
            }
        );
        assert_eq!(profile(&p.to_input()), p);
        assert_eq!(
            profile("profile preset remove :+1:"),
            ProfileCommand::PresetRemove {
                emoji: EmojiName::parse(":+1:").unwrap(),
                user: None
            }
        );
        assert_eq!(profile("profile show"), ProfileCommand::Show { user: None });
        assert_eq!(
            profile("profile restore"),
            ProfileCommand::Restore { user: None }
        );
    }

    #[test]
    fn bad_presets_say_what_is_wrong() {
        let long = "x".repeat(65);
        for (bad, says) in [
            (
                "profile preset add palm_tree --nickname A",
                "between colons",
            ),
            (
                "profile preset add :palm tree: --nickname A",
                "between colons",
            ),
            ("profile preset add :palm_tree:", "--nickname"),
            (
                &format!("profile preset add :palm_tree: --nickname {long}") as &str,
                "65 characters",
            ),
            (
                "profile preset add :palm_tree: --image ftp://x/a.png",
                "https://",
            ),
            (
                "profile preset add :palm_tree: --image not-a-link",
                "https://",
            ),
            ("profile preset remove", ":palm_tree:"),
            ("profile show @ann @bob", "@bob"),
        ] {
            let e = parse(bad).unwrap_err().to_string();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }
}
