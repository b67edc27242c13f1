//! Keeping text within what Mattermost accepts in one post (`MAX_POST_MESSAGE_CHARS` runes, counted
//! as Rust `char`s, which are Go runes): long replies are split into several posts at line breaks,
//! long DMs are shortened with a note.
//!
//! A split never cuts a fenced code block in a way that breaks rendering: a part that ends inside a
//! ``` block closes it, and the next part reopens it with the same fence line, so a long `--json`
//! reply arrives as several complete code blocks whose contents, joined, are the JSON.

use super::post::MAX_POST_MESSAGE_CHARS;

/// Room kept for the fence lines a split adds around a part.
const FENCE_ROOM: usize = 32;

/// Splits `text` into parts of at most `max` chars each (at least one part, even for empty text).
/// Breaks at line ends where it can, and inside a line only when that line alone is too long.
pub fn split(text: &str, max: usize) -> Vec<String> {
    let max = max.max(FENCE_ROOM * 4);
    if text.chars().count() <= max {
        return vec![text.to_string()];
    }
    let budget = max - FENCE_ROOM;
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut current_len = 0usize;
    // The opening fence line of the code block the current position is in, if any.
    let mut open_fence: Option<String> = None;
    let flush = |current: &mut String,
                 current_len: &mut usize,
                 parts: &mut Vec<String>,
                 open_fence: &Option<String>| {
        let mut part = std::mem::take(current);
        if open_fence.is_some() {
            if !part.ends_with('\n') {
                part.push('\n');
            }
            part.push_str("```");
        }
        parts.push(part.trim_end_matches('\n').to_string());
        *current_len = 0;
        if let Some(fence) = open_fence {
            current.push_str(fence);
            current.push('\n');
            *current_len = fence.chars().count() + 1;
        }
    };
    for line in text.split_inclusive('\n') {
        let mut rest = line;
        loop {
            let len = rest.chars().count();
            if current_len + len <= budget {
                current.push_str(rest);
                current_len += len;
                break;
            }
            if current_len > fence_len(&open_fence) {
                flush(&mut current, &mut current_len, &mut parts, &open_fence);
                continue;
            }
            // A single line longer than a whole part: cut it.
            let room = budget.saturating_sub(current_len).max(1);
            let cut = rest
                .char_indices()
                .nth(room)
                .map(|(i, _)| i)
                .unwrap_or(rest.len());
            current.push_str(&rest[..cut]);
            current_len += room;
            rest = &rest[cut..];
            flush(&mut current, &mut current_len, &mut parts, &open_fence);
            if rest.is_empty() {
                break;
            }
        }
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            open_fence = match open_fence {
                Some(_) => None,
                None => Some(trimmed.trim_end().to_string()),
            };
        }
    }
    if current_len > fence_len(&open_fence) || parts.is_empty() {
        // The text's own closing fence is already in `current`; don't add another.
        let part = std::mem::take(&mut current);
        parts.push(part.trim_end_matches('\n').to_string());
    }
    parts
}

fn fence_len(open_fence: &Option<String>) -> usize {
    open_fence.as_ref().map_or(0, |f| f.chars().count() + 1)
}

/// `text` as one post: unchanged when it fits, otherwise cut at a line break and ended with a note
/// saying where to see the rest.
pub fn shorten(text: &str, see_all: &str) -> String {
    if text.chars().count() <= MAX_POST_MESSAGE_CHARS {
        return text.to_string();
    }
    let note = format!("\n\n… (shortened: {see_all})");
    let keep = MAX_POST_MESSAGE_CHARS - note.chars().count() - FENCE_ROOM;
    let mut cut: String = text.chars().take(keep).collect();
    if let Some(i) = cut.rfind('\n') {
        cut.truncate(i);
    }
    if cut.matches("```").count() % 2 == 1 {
        cut.push_str("\n```");
    }
    cut + &note
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_one_part() {
        assert_eq!(split("hello", 1000), vec!["hello"]);
        assert_eq!(split("", 1000), vec![""]);
    }

    #[test]
    fn long_text_splits_at_line_breaks_within_the_limit() {
        let text: String = (0..2000).map(|i| format!("- line {i}\n")).collect();
        let parts = split(&text, 1000);
        assert!(parts.len() > 10);
        for p in &parts {
            assert!(p.chars().count() <= 1000, "{}", p.chars().count());
            assert!(p.starts_with("- line "), "{p}");
        }
        let joined = parts.join("\n") + "\n";
        assert_eq!(joined, text);
    }

    #[test]
    fn a_split_code_block_is_closed_and_reopened() {
        let body: String = (0..500).map(|i| format!("  \"k{i}\": {i},\n")).collect();
        let text = format!("```json\n{{\n{body}}}\n```");
        let parts = split(&text, 2000);
        assert!(parts.len() > 2);
        let mut inner = String::new();
        for p in &parts {
            assert!(p.chars().count() <= 2000);
            assert!(p.starts_with("```json\n"), "{p}");
            assert!(p.ends_with("```"), "{p}");
            inner.push_str(&p["```json\n".len()..p.len() - 3]);
        }
        assert_eq!(
            inner.replace('\n', ""),
            format!("{{\n{body}}}").replace('\n', "")
        );
    }

    #[test]
    fn a_line_longer_than_a_part_is_cut() {
        let text = "x".repeat(5000);
        let parts = split(&text, 1000);
        assert!(parts.iter().all(|p| p.chars().count() <= 1000));
        assert_eq!(parts.concat(), text);
    }

    #[test]
    fn multibyte_text_counts_chars_not_bytes() {
        let text = "ü".repeat(3000);
        let parts = split(&text, 1000);
        assert!(parts.iter().all(|p| p.chars().count() <= 1000));
        assert_eq!(parts.concat(), text);
    }

    #[test]
    fn shortening_keeps_a_post_within_the_limit_and_says_so() {
        let long: String = (0..5000).map(|i| format!("- @user{i}\n")).collect();
        let s = shorten(&long, "see `/lotto rotation show ICE`");
        assert!(s.chars().count() <= MAX_POST_MESSAGE_CHARS);
        assert!(s.ends_with("(shortened: see `/lotto rotation show ICE`)"));
        assert_eq!(shorten("short", "x"), "short");
    }
}
