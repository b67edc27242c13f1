//! One set of queries for both backends. The store's SQL is written once, in the common subset of
//! SQLite and Postgres, except for SQLite's JSON1 functions, which the busiest reads use to return
//! many rows as one (see the module doc of `store`). For Postgres, [`translate`] rewrites those into
//! their Postgres forms, once per statement (the [`portable!`] macro at the statement):
//!
//! | SQLite | Postgres |
//! |---|---|
//! | `json_group_array(x)` | `COALESCE(json_agg(x)::text, '[]')` (SQLite gives `[]` for no rows) |
//! | `json_array(a, b)` | `json_build_array(a, b)` |
//! | `json_each($1)` (a JSON array of strings) | `json_array_elements_text($1::json) AS json_each(value)` |
//!
//! Everything else is portable by construction: `$N` parameters, `RETURNING id`, `ON CONFLICT …
//! excluded.…`, integers for times and flags (compared with `<> 0`, never used as booleans), a
//! `NOCASE` collation on both (SQLite's built-in; a case-insensitive ICU collation of that name in
//! the Postgres schema), and `rowid` (SQLite's implicit column; an identity column of that name in
//! the Postgres schema where insertion order matters).

/// The database engine behind a URL or a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// `sqlite:…` or `postgres://…` / `postgresql://…`; anything else is not ours to open.
    pub fn of_url(url: &str) -> Option<Backend> {
        let scheme = url.split(':').next()?.to_ascii_lowercase();
        match scheme.as_str() {
            "sqlite" => Some(Backend::Sqlite),
            "postgres" | "postgresql" => Some(Backend::Postgres),
            _ => None,
        }
    }

    pub fn of(conn: &sqlx::AnyConnection) -> Backend {
        if conn.backend_name() == "PostgreSQL" {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    /// The name shown to admins.
    pub fn label(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// The statement `$sql` (a string literal using SQLite's JSON1 functions) for `$conn`'s backend:
/// as written on SQLite, [`translate`]d once per call site on Postgres.
macro_rules! portable {
    ($conn:expr, $sql:expr) => {{
        static POSTGRES: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        match $crate::store::Backend::of(&*$conn) {
            $crate::store::Backend::Sqlite => $sql,
            $crate::store::Backend::Postgres => POSTGRES
                .get_or_init(|| $crate::store::dialect::translate($sql))
                .as_str(),
        }
    }};
}
pub(crate) use portable;

/// Rewrites SQLite's JSON1 calls (see the module doc).
pub fn translate(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 64);
    let mut rest = sql;
    while let Some((at, name)) = next_call(rest) {
        out.push_str(&rest[..at]);
        let open = at + name.len() + 1;
        let Some(close) = matching_paren(rest, open) else {
            // Unbalanced: leave the text alone and let the database report it.
            out.push_str(&rest[at..]);
            return out;
        };
        let inner = translate(&rest[open..close]);
        match name {
            "json_group_array" => {
                out.push_str(&format!("COALESCE(json_agg({inner})::text, '[]')"));
            }
            "json_array" => out.push_str(&format!("json_build_array({inner})")),
            _ => out.push_str(&format!(
                "json_array_elements_text(({inner})::json) AS json_each(value)"
            )),
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// The next JSON1 call in `s`: its byte offset and function name.
fn next_call(s: &str) -> Option<(usize, &'static str)> {
    ["json_group_array", "json_array", "json_each"]
        .into_iter()
        .filter_map(|name| {
            let pattern = format!("{name}(");
            let mut from = 0;
            while let Some(i) = s[from..].find(&pattern) {
                let at = from + i;
                // A whole word only: not the tail of another identifier.
                let before = s[..at].chars().next_back();
                if !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                    return Some((at, name));
                }
                from = at + pattern.len();
            }
            None
        })
        .min_by_key(|(at, _)| *at)
}

/// The index of the `)` closing the `(` just before `open`, skipping quoted strings.
fn matching_paren(s: &str, open: usize) -> Option<usize> {
    let mut depth = 1usize;
    let mut quoted = false;
    for (i, c) in s[open..].char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + i);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_backend() {
        assert_eq!(Backend::of_url("sqlite://lotto.db"), Some(Backend::Sqlite));
        assert_eq!(Backend::of_url("sqlite::memory:"), Some(Backend::Sqlite));
        assert_eq!(
            Backend::of_url("postgres://u:p@h/db"),
            Some(Backend::Postgres)
        );
        assert_eq!(
            Backend::of_url("PostgreSQL://h/db"),
            Some(Backend::Postgres)
        );
        assert_eq!(Backend::of_url("mysql://h/db"), None);
        assert_eq!(Backend::of_url("lotto.db"), None);
    }

    #[test]
    fn json_aggregates_become_postgres_json_text() {
        assert_eq!(
            translate("SELECT json_group_array(json_array(a, lower(b))) FROM t WHERE x = $1"),
            "SELECT COALESCE(json_agg(json_build_array(a, lower(b)))::text, '[]') FROM t WHERE x = $1"
        );
    }

    #[test]
    fn json_each_becomes_a_set_of_text_values() {
        assert_eq!(
            translate("WHERE id IN (SELECT value FROM json_each($2))"),
            "WHERE id IN (SELECT value FROM json_array_elements_text(($2)::json) AS json_each(value))"
        );
    }

    #[test]
    fn other_sql_and_lookalike_names_are_left_alone() {
        let s = "SELECT my_json_array(x), ')' FROM t ORDER BY rowid";
        assert_eq!(translate(s), s);
        let nested = "SELECT (SELECT json_group_array(json_array(id, '(x')) FROM u), 1";
        assert_eq!(
            translate(nested),
            "SELECT (SELECT COALESCE(json_agg(json_build_array(id, '(x'))::text, '[]') FROM u), 1"
        );
    }
}
