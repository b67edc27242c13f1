//! The `solar-lottery` binary as a separate process: spawned with a clean environment, its log lines
//! collected, its listening address read from its log.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc::UnboundedReceiver;

pub const BIN: &str = env!("CARGO_BIN_EXE_solar-lottery");

/// A running `serve` and what it has logged so far; `rx` carries the lines still to come.
pub struct Serving {
    pub child: Child,
    pub addr: String,
    pub log: Vec<String>,
    pub rx: UnboundedReceiver<String>,
}

/// Spawns `cmd` (a `serve` with `LOTTO_LOG_FORMAT=json`) and waits until it listens.
pub async fn serve(mut cmd: Command) -> Serving {
    let mut child = cmd.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    for stream in [
        Box::new(stdout) as Box<dyn tokio::io::AsyncRead + Unpin + Send>,
        Box::new(stderr),
    ] {
        let tx = tx.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(stream).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let _ = tx.send(line);
            }
        });
    }
    drop(tx);
    let mut log = Vec::new();
    let addr = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = rx.recv().await {
            log.push(line.clone());
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line)
                && v["fields"]["message"] == "solar-lottery is listening"
            {
                return v["fields"]["addr"].as_str().unwrap().to_string();
            }
        }
        panic!("the bot exited before listening: {log:#?}");
    })
    .await
    .expect("the bot starts within 30 s");
    Serving {
        child,
        addr,
        log,
        rx,
    }
}

/// The binary with an empty environment (but PATH) in a temp directory.
pub fn bare(dir: &tempfile::TempDir) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    cmd
}
