//! Usage texts, rendered from the command tree as Mattermost markdown: a group lists its commands,
//! one line each; a command shows its full syntax and every flag.

use super::spec::{self, FlagSpec, Group, Leaf, Node, ROOT};

const GLOBAL_NOTE: &str = "Every command also accepts `--json` (the result as JSON) and `--now=<datetime>` (act as if it were that time; bot admins only). Quote values with spaces: `--summary \"disk full\"`.";

const DATETIME_NOTE: &str = "Datetimes are read in your Mattermost time zone unless you add one: `2026-03-01`, `2026-03-01T09:00`, `2026-03-01T09:00Z`, `2026-03-01T09:00+02:00`, `2026-03-01T09:00[Europe/Berlin]`, `today`, `tomorrow`, `now`. Durations: `30m`, `1h30m`, `300h`, `3d`, `2w`.";

/// The usage text for a command path (`[]` = top level, `["rotation", "set"]`, ...), or `None` if
/// there is no such command.
pub fn usage_text(path: &[&str]) -> Option<String> {
    if path.is_empty() {
        return Some(render_group(&ROOT, path));
    }
    let canonical = canonical_path(path)?;
    let refs: Vec<&str> = canonical.to_vec();
    match spec::find(path)? {
        Node::Group(g) => Some(render_group(g, &refs)),
        Node::Leaf(l) => Some(render_leaf(l, &refs)),
    }
}

/// The path with each word spelled as in the tree.
fn canonical_path(path: &[&str]) -> Option<Vec<&'static str>> {
    (1..=path.len())
        .map(|n| spec::find(&path[..n]).map(Node::name))
        .collect()
}

fn render_group(group: &Group, path: &[&str]) -> String {
    let here = spec::command_line(path);
    let mut out = if path.is_empty() {
        format!("**Solar Lottery** (`/lotto`): {}\n\n", group.summary)
    } else {
        format!("**`{here}`**: {}\n\n", group.summary)
    };
    for child in group.children {
        let line = match child {
            Node::Group(_) => format!("{here} {} …", child.name()),
            Node::Leaf(l) => syntax_short(l, &here),
        };
        out.push_str(&format!("- `{line}`: {}\n", child.summary()));
    }
    if path.is_empty() {
        out.push_str("- `/lotto help [command…]`: Show help, e.g. `/lotto help rotation new`.\n");
    }
    let example = if path.is_empty() {
        "rotation".to_string()
    } else {
        format!("{} <command>", path.join(" "))
    };
    out.push_str(&format!(
        "\nType `/lotto help {example}` or add `--help` to a command for its details. {GLOBAL_NOTE}"
    ));
    out
}

fn syntax_short(leaf: &Leaf, prefix: &str) -> String {
    let mut s = format!("{prefix} {}", leaf.name);
    if !leaf.args.is_empty() {
        s.push(' ');
        s.push_str(leaf.args);
    }
    if leaf.flags.iter().any(|f| f.required) {
        for f in leaf.flags.iter().filter(|f| f.required) {
            s.push(' ');
            s.push_str(&flag_syntax(f));
        }
    }
    if leaf
        .flags
        .iter()
        .any(|f| !f.required && f.long != "rotation")
    {
        s.push_str(" [flags]");
    }
    s
}

fn flag_syntax(f: &FlagSpec) -> String {
    let name = match f.short {
        Some(c) if f.required => format!("-{c}"),
        _ => format!("--{}", f.long),
    };
    match f.value {
        Some(v) => format!("{name} {v}"),
        None => name,
    }
}

fn render_leaf(leaf: &Leaf, path: &[&str]) -> String {
    let here = spec::command_line(path);
    let mut syntax = here.clone();
    if !leaf.args.is_empty() {
        syntax.push(' ');
        syntax.push_str(leaf.args);
    }
    for f in leaf.flags.iter().filter(|f| f.long != "rotation") {
        let s = flag_syntax(f);
        if f.required {
            syntax.push_str(&format!(" {s}"));
        } else {
            syntax.push_str(&format!(" [{s}]"));
        }
    }
    let mut out = format!("**`{syntax}`**\n{}", leaf.summary);
    if !leaf.details.is_empty() {
        out.push(' ');
        out.push_str(leaf.details);
    }
    out.push('\n');
    if !leaf.flags.is_empty() {
        out.push_str("\nFlags:\n");
        for f in leaf.flags {
            let mut names = String::new();
            if let Some(c) = f.short {
                names.push_str(&format!("-{c}, "));
            }
            names.push_str(&format!("--{}", f.long));
            if let Some(v) = f.value {
                names.push_str(&format!(" {v}"));
            }
            let alias = f
                .alias
                .map(|a| format!(" (also `--{a}`)"))
                .unwrap_or_default();
            let repeat = if f.repeatable {
                " May be repeated."
            } else {
                ""
            };
            out.push_str(&format!("- `{names}`{alias}: {}{repeat}\n", f.help));
        }
    }
    out.push_str(&format!("\n{GLOBAL_NOTE}"));
    if mentions_time(leaf) {
        out.push_str(&format!(" {DATETIME_NOTE}"));
    }
    out
}

/// Whether a command takes a datetime or duration, so its help explains how to write them.
fn mentions_time(leaf: &Leaf) -> bool {
    leaf.flags
        .iter()
        .filter_map(|f| f.value)
        .chain(std::iter::once(leaf.args))
        .any(|v| v.contains("datetime") || v.contains("duration"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_group_lists_each_child_on_its_own_line() {
        let text = usage_text(&["rotation"]).unwrap();
        for word in [
            "new",
            "list",
            "show",
            "archive",
            "autopilot",
            "set",
            "owner",
        ] {
            assert!(
                text.lines()
                    .any(|l| l.starts_with(&format!("- `/lotto rotation {word}"))),
                "{word} missing from:\n{text}"
            );
        }
    }

    #[test]
    fn a_leaf_shows_its_syntax_and_every_flag() {
        let text = usage_text(&["rotation", "new"]).unwrap();
        assert!(
            text.starts_with("**`/lotto rotation new <name> [--period <period>]"),
            "{text}"
        );
        for flag in [
            "--period",
            "--beginning",
            "--task-type",
            "--seed",
            "--fuzz",
            "--tz",
            "--fill-type",
        ] {
            assert!(
                text.contains(&format!("- `{flag}")),
                "{flag} missing from:\n{text}"
            );
        }
        assert!(text.contains("Datetimes are read in your Mattermost time zone"));
    }

    #[test]
    fn paths_are_case_insensitive_and_unknown_ones_are_none() {
        assert_eq!(
            usage_text(&["Rotation", "SET"]),
            usage_text(&["rotation", "set"])
        );
        assert!(
            usage_text(&["rotation", "set"])
                .unwrap()
                .starts_with("**`/lotto rotation set`**")
        );
        assert_eq!(usage_text(&["nope"]), None);
        assert_eq!(usage_text(&["info", "extra"]), None);
    }

    #[test]
    fn the_top_level_lists_groups_and_help() {
        let text = usage_text(&[]).unwrap();
        for word in [
            "info",
            "rotation …",
            "task …",
            "user …",
            "skill …",
            "calendar …",
            "help",
        ] {
            assert!(
                text.contains(&format!("`/lotto {word}")),
                "{word} missing from:\n{text}"
            );
        }
    }
}
