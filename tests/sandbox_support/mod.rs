//! What the tests that need a sandbox share: whether a tool is there (under CI it must
//! be), and running a script against a fresh tmpfs in a user and mount namespace, so
//! read-only and full disks can be tried as root and as a user alike.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

/// Under CI (`CI=true`) a missing tool fails the test; elsewhere the test says so and skips.
pub fn tool_available(what: &str, ok: bool) -> bool {
    if ok {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{what} is required when CI=true but is not available");
    }
    eprintln!("SKIPPED: {what} is not available");
    false
}

/// Runs `script` with `sh` in a new user and mount namespace where $DIR is a fresh tmpfs
/// mounted with `opts`; $PAIBAN is the binary, and `env` sets more variables. Returns
/// (exit status, stdout, stderr); None when user namespaces are unavailable (outside CI).
pub fn in_tmpfs(opts: &str, script: &str, env: &[(&str, &Path)]) -> Option<(i32, String, String)> {
    let d = tempfile::tempdir().expect("temporary folder");
    let dir = d.path().join("mnt");
    std::fs::create_dir(&dir).expect("mount point");
    let full = format!("mount -t tmpfs -o {opts} paiban \"$DIR\" || exit 99\n{script}");
    let o = Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "sh", "-c", &full])
        .env("PAIBAN", env!("CARGO_BIN_EXE_paiban"))
        .envs(env.iter().copied())
        .env("DIR", &dir)
        .output();
    let usable = o.as_ref().is_ok_and(|o| o.status.code() != Some(99));
    if !tool_available("unshare with user namespaces (tmpfs mounts)", usable) {
        return None;
    }
    let o = o.ok()?;
    Some((
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    ))
}
