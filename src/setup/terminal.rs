//! Setup's `Ui` on a terminal: one line per step on stdout, questions only when someone can answer.

use std::io::{BufRead, IsTerminal, Write};

use super::Ui;

pub struct TerminalUi;

impl Ui for TerminalUi {
    fn say(&mut self, line: &str) {
        println!("  {line}");
    }

    fn confirm(&mut self, question: &str) -> bool {
        if !std::io::stdin().is_terminal() {
            println!("  {question} (no terminal to ask: no; --system-admin grants it)");
            return false;
        }
        print!("  {question} [y/N] ");
        let _ = std::io::stdout().flush();
        let mut answer = String::new();
        if std::io::stdin().lock().read_line(&mut answer).is_err() {
            return false;
        }
        matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
    }
}

/// Asks for a password without echoing it; `None` without a terminal.
pub fn prompt_password(prompt: &str) -> Option<String> {
    if !std::io::stdin().is_terminal() {
        return None;
    }
    rpassword::prompt_password(prompt).ok()
}
