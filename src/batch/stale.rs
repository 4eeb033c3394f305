//! Removing the temporary files a killed run left behind. `output::write_atomic` names
//! them `.<name>.<pid>.tmp`; one whose process is gone will never be renamed.

use std::path::{Path, PathBuf};

/// Deletes, under `outdir` (recursively), every `.*.<pid>.tmp` file whose process is
/// no longer running. Returns the files removed.
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
            if let Some(pid) = temp_owner(&name) {
                if !alive(pid) && std::fs::remove_file(&path).is_ok() {
                    removed.push(path);
                }
            }
        }
    }
}

/// Deletes the temporaries of `target` (`.<name>.<pid>.tmp` beside it) whose process is
/// gone: what a `build` killed between writing and renaming left (only this file's, so a
/// build into a large folder does not walk it).
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
        let pid = n
            .strip_prefix(&prefix)
            .and_then(|r| r.strip_suffix(".tmp"))
            .and_then(|p| p.parse::<u32>().ok());
        if pid.is_some_and(|p| !alive(p)) && e.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// The process id in a temporary file's name `.<name>.<pid>.tmp`.
fn temp_owner(name: &str) -> Option<u32> {
    let inner = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (_, pid) = inner.rsplit_once('.')?;
    pid.parse().ok()
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
        assert_eq!(temp_owner(".a.epub.123.tmp"), Some(123));
        assert_eq!(temp_owner(".人民日报.pdf.9.tmp"), Some(9));
        assert_eq!(temp_owner("a.epub.123.tmp"), None);
        assert_eq!(temp_owner(".a.epub.tmp"), None);
        assert_eq!(temp_owner(".a.epub.12x.tmp"), None);
    }

    #[test]
    fn removes_only_dead_runs_temps() {
        let t = tempfile::tempdir().unwrap();
        let sub = t.path().join("2024/01");
        fs::create_dir_all(&sub).unwrap();
        // A pid that cannot be running: above Linux's pid_max (4194304).
        let dead = sub.join(".a.epub.4294967.tmp");
        let mine = sub.join(format!(".b.pdf.{}.tmp", std::process::id()));
        let keep = sub.join("a.epub");
        for p in [&dead, &mine, &keep] {
            fs::write(p, b"x").unwrap();
        }
        assert_eq!(remove_stale_temps(t.path()), vec![dead.clone()]);
        assert!(!dead.exists() && mine.exists() && keep.exists());
    }
}
