//! `admin support-packet`.

use serde::Serialize;

use super::{Reader, View};

/// The support packet went to the admin's DM.
#[derive(Debug, Clone, Serialize)]
pub struct SupportPacketView {
    pub filename: String,
    pub bytes: usize,
    pub logs: bool,
    /// The parts that could not be gathered (also in the zip's `warning.txt`).
    pub warnings: Vec<String>,
}

impl SupportPacketView {
    fn size(&self) -> String {
        if self.bytes >= 1024 * 1024 {
            format!("{:.1} MiB", self.bytes as f64 / (1024.0 * 1024.0))
        } else {
            format!("{} KiB", self.bytes.div_ceil(1024))
        }
    }

    fn warning_lines(&self) -> String {
        if self.warnings.is_empty() {
            return String::new();
        }
        let mut out =
            String::from("\nSome parts could not be gathered (see `warning.txt` in the zip):");
        for w in &self.warnings {
            out.push_str(&format!("\n- {w}"));
        }
        out
    }

    /// The DM that carries the zip.
    pub fn dm_text(&self) -> String {
        format!(
            "Here is the Solar Lottery support packet, `{}` ({}): diagnostics, counts, recent job runs, \
             the settings{}. Secrets in it are replaced by asterisks and ICS feed links show only their \
             host, so it can go to support as it is.{}",
            self.filename,
            self.size(),
            if self.logs {
                " and the recent log lines"
            } else {
                " (no log lines)"
            },
            self.warning_lines(),
        )
    }
}

impl View for SupportPacketView {
    fn markdown(&self, _: &Reader) -> String {
        format!(
            "The support packet `{}` ({}) is in your direct messages with the bot.{}",
            self.filename,
            self.size(),
            self.warning_lines()
        )
    }
}
