//! The last log lines, kept in memory for the support packet: a capped ring of formatted lines that
//! a `tracing_subscriber::fmt` layer writes into (`main` adds it beside the console output). The
//! oldest lines go first when the cap is reached, so memory stays bounded however long the bot runs.

use std::collections::VecDeque;
use std::io;
use std::sync::{Arc, Mutex, OnceLock};

use tracing_subscriber::fmt::MakeWriter;

/// How many bytes of log lines are kept.
pub const DEFAULT_CAPACITY: usize = 1024 * 1024;

/// A capped ring of log lines. Cheap to clone; clones share the lines.
#[derive(Debug, Clone)]
pub struct LogTail {
    inner: Arc<Mutex<Ring>>,
}

#[derive(Debug)]
struct Ring {
    lines: VecDeque<String>,
    bytes: usize,
    capacity: usize,
}

impl LogTail {
    pub fn with_capacity(capacity: usize) -> Self {
        LogTail {
            inner: Arc::new(Mutex::new(Ring {
                lines: VecDeque::new(),
                bytes: 0,
                capacity,
            })),
        }
    }

    /// The process's tail, which `main`'s logging writes into.
    pub fn global() -> &'static LogTail {
        static TAIL: OnceLock<LogTail> = OnceLock::new();
        TAIL.get_or_init(|| LogTail::with_capacity(DEFAULT_CAPACITY))
    }

    fn push(&self, text: &str) {
        // A poisoned lock only means a panic elsewhere while pushing; the lines are still lines.
        let mut ring = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let capacity = ring.capacity;
        // A single line longer than the whole tail keeps only its end.
        let text = if text.len() > capacity {
            let mut start = text.len() - capacity;
            while !text.is_char_boundary(start) {
                start += 1;
            }
            &text[start..]
        } else {
            text
        };
        while ring.bytes + text.len() > capacity {
            match ring.lines.pop_front() {
                Some(old) => ring.bytes -= old.len(),
                None => break,
            }
        }
        ring.bytes += text.len();
        ring.lines.push_back(text.to_string());
    }

    /// Everything kept, oldest first.
    pub fn contents(&self) -> String {
        let ring = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = String::with_capacity(ring.bytes);
        for line in &ring.lines {
            out.push_str(line);
        }
        out
    }
}

/// One event's output; the fmt layer writes a whole formatted event per `write`.
pub struct TailWriter(LogTail);

impl io::Write for TailWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.push(&String::from_utf8_lossy(buf));
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for LogTail {
    type Writer = TailWriter;

    fn make_writer(&'a self) -> Self::Writer {
        TailWriter(self.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn the_oldest_lines_go_when_the_cap_is_reached() {
        let tail = LogTail::with_capacity(21);
        for i in 0..10 {
            tail.make_writer()
                .write_all(format!("line {i}\n").as_bytes())
                .unwrap();
        }
        assert_eq!(tail.contents(), "line 7\nline 8\nline 9\n");
        tail.make_writer()
            .write_all("x".repeat(50).as_bytes())
            .unwrap();
        assert_eq!(tail.contents(), "x".repeat(21));
    }
}
