//! Rebuilds when a migration or template is added, so `sqlx::migrate!` embeds it. Records the commit
//! the binary is built from (`LOTTO_GIT_HASH`, shown in the support packet), and rebuilds when it
//! changes. Outside a git checkout (a crate tarball) the hash is simply absent.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!text.is_empty()).then_some(text)
}

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=templates");
    println!("cargo:rerun-if-env-changed=LOTTO_GIT_HASH");
    if let Ok(hash) = std::env::var("LOTTO_GIT_HASH") {
        println!("cargo:rustc-env=LOTTO_GIT_HASH={hash}");
        return;
    }
    // HEAD moves on commit and checkout; the branch's ref file (or packed-refs) on commit.
    for path in ["HEAD", "packed-refs"] {
        if let Some(p) = git(&["rev-parse", "--git-path", path]) {
            println!("cargo:rerun-if-changed={p}");
        }
    }
    if let Some(reference) = git(&["symbolic-ref", "-q", "HEAD"])
        && let Some(p) = git(&["rev-parse", "--git-path", &reference])
    {
        println!("cargo:rerun-if-changed={p}");
    }
    if let Some(hash) = git(&["rev-parse", "--short=12", "HEAD"]) {
        println!("cargo:rustc-env=LOTTO_GIT_HASH={hash}");
    }
}
