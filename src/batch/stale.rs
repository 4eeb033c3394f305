//! Removing the temporary files a killed run left behind. `output::write_atomic` names
//! them `.<name>.<pid>@<host>.tmp`; one whose process is gone will never be renamed. Only
//! this host's files are judged: another node's pid says nothing here (its file may be
//! live), so on a shared file system each node sweeps its own.

use std::path::{Path, PathBuf};

/// Deletes, under `outdir` (recursively), every `.*.<pid>@<host>.tmp` file of this host
/// (or of no host: older versions' `.*.<pid>.tmp`) whose process is no longer running.
/// Returns the files removed.
pub fn remove_stale_temps(outdir: &Path) -> Vec<PathBuf> {
    let mut removed = Vec::new();
    sweep(outdir, &mut removed);
    removed.sort();
    removed
}

fn sweep(dir: &Path, removed: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            sweep(&path, removed);
        } else if ft.is_file() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(pid) = ours(&name) {
                if !alive(pid) && std::fs::remove_file(&path).is_ok() {
                    removed.push(path);
                }
            }
        }
    }
}

/// Deletes the temporaries of `target` (`.<name>.<pid>@<host>.tmp` beside it, this host's)
/// whose process is gone: what a `build` killed between writing and renaming left (only
/// this file's, so a build into a large folder does not walk it).
pub fn remove_stale_temps_of(target: &Path) {
    let (Some(dir), Some(name)) = (target.parent(), target.file_name()) else {
        return;
    };
    let prefix = format!(".{}.", name.to_string_lossy());
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        // Exactly this file's: `<pid>` or `<pid>@<host>` after the prefix, nothing between.
        let own = n
            .strip_prefix(&prefix)
            .and_then(|r| r.strip_suffix(".tmp"))
            .map(|r| r.split_once('@').map_or(r, |(pid, _)| pid))
            .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()));
        let pid = if own { ours(&n) } else { None };
        if pid.is_some_and(|p| !alive(p)) && e.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// The process id of a temporary file this host wrote (or an older version, without a host).
fn ours(name: &str) -> Option<u32> {
    match crate::output::temp_owner(name)? {
        (pid, None) => Some(pid),
        (pid, Some(h)) => (h == crate::output::host()).then_some(pid),
    }
}

#[cfg(target_os = "linux")]
fn alive(pid: u32) -> bool {
    pid == std::process::id() || Path::new("/proc").join(pid.to_string()).exists()
}

/// Without /proc there is no cheap portable check: only our own files count as live
/// (two batch runs into one OUTDIR at once are not supported there).
#[cfg(not(target_os = "linux"))]
fn alive(pid: u32) -> bool {
    pid == std::process::id()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn names() {
        let me = crate::output::host();
        assert_eq!(ours(".a.epub.123.tmp"), Some(123));
        assert_eq!(ours(".人民日报.pdf.9.tmp"), Some(9));
        assert_eq!(ours(&format!(".a.epub.77@{me}.tmp")), Some(77));
        assert_eq!(ours(".a.epub.77@another-node.example.tmp"), None);
        assert_eq!(ours("a.epub.123.tmp"), None);
        assert_eq!(ours(".a.epub.tmp"), None);
        assert_eq!(ours(".a.epub.12x.tmp"), None);
    }

    #[test]
    fn removes_only_dead_runs_temps() {
        let t = tempfile::tempdir().unwrap();
        let sub = t.path().join("2024/01");
        fs::create_dir_all(&sub).unwrap();
        // A pid that cannot be running: above Linux's pid_max (4194304).
        let me = crate::output::host();
        let dead = sub.join(format!(".a.epub.4294967@{me}.tmp"));
        let old_dead = sub.join(".c.epub.4294967.tmp");
        let mine = sub.join(crate::output::temp_name("b.pdf"));
        // Another node's file on a shared file system: its pid means nothing here.
        let other = sub.join(".d.pdf.4294967@some-other-node.tmp");
        let keep = sub.join("a.epub");
        for p in [&dead, &old_dead, &mine, &other, &keep] {
            fs::write(p, b"x").unwrap();
        }
        let mut gone = vec![dead.clone(), old_dead.clone()];
        gone.sort();
        assert_eq!(remove_stale_temps(t.path()), gone);
        assert!(!dead.exists() && !old_dead.exists());
        assert!(mine.exists() && other.exists() && keep.exists());
    }
}
