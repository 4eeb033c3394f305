//! Writing outputs atomically: a temporary file in the target folder, then a rename,
//! so a reader never sees a half-written EPUB or PDF.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A backend's output: the file's bytes and its warnings (unsupported elements, missing
/// glyphs, …). Here, beside the writing of files, so a backend needs nothing of `lib.rs`.
pub struct Rendered {
    pub bytes: Vec<u8>,
    pub diagnostics: Vec<crate::diagnostics::Diagnostic>,
}

/// Writes `bytes` to `path` through a temporary file in the same folder. A `path` that is
/// a device or pipe (`/dev/stdout`) is written directly: renaming over it would replace it.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_all_atomic(&[(path, bytes)])
}

/// Writes several files all or nothing: every file goes to a temporary file first, and only
/// when all of them are written (a full disk shows here) are they renamed into place. On
/// failure the temporary files are removed and the old outputs stay as they were, so an
/// issue never ends up with a new EPUB beside an old or missing PDF.
pub fn write_all_atomic(files: &[(&Path, &[u8])]) -> Result<()> {
    let mut staged = Staged::default();
    for (path, bytes) in files {
        staged.stage(path, bytes)?;
    }
    staged.commit()
}

/// Outputs written to temporary files one by one as they are made (so a build need not
/// hold every format's bytes at once), renamed into place together by [`Staged::commit`];
/// dropped uncommitted, the temporaries are removed and the old outputs stay.
#[derive(Default)]
pub struct Staged {
    files: Vec<(PathBuf, PathBuf)>,
}

impl Staged {
    /// Writes `bytes` to a temporary file beside `path` (a device or pipe directly).
    pub fn stage(&mut self, path: &Path, bytes: &[u8]) -> Result<()> {
        if let Some(tmp) = stage(path, bytes)? {
            self.files.push((tmp, path.to_path_buf()));
        }
        Ok(())
    }

    /// Renames every staged file into place, in the order staged.
    pub fn commit(mut self) -> Result<()> {
        for i in 0..self.files.len() {
            let (tmp, path) = &self.files[i];
            std::fs::rename(tmp, path).map_err(|e| Error::io(path, e))?;
            // Renamed: no longer ours to remove.
            self.files[i].0 = PathBuf::new();
        }
        self.files.clear();
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        for (tmp, _) in &self.files {
            if !tmp.as_os_str().is_empty() {
                let _ = std::fs::remove_file(tmp);
            }
        }
    }
}

/// Writes `bytes` to a temporary file beside `path` and returns it; or writes a device or
/// pipe directly and returns None.
fn stage(path: &Path, bytes: &[u8]) -> Result<Option<PathBuf>> {
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|mut f| f.write_all(bytes).and_then(|()| f.flush()))
            .map_err(|e| Error::io(path, e))?;
        return Ok(None);
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if let Some(blocker) = dir.ancestors().find(|a| a.is_file()) {
        return Err(Error::NotAFolder {
            path: blocker.to_path_buf(),
        });
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let name = path
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(temp_name(&name));
    let written = std::fs::File::create(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    match written {
        Ok(()) => Ok(Some(tmp)),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(Error::io(path, e))
        }
    }
}

/// The temporary file name for `name`: `.<name>.<pid>@<host>.tmp`. The host makes it
/// unique on a file system shared by cluster nodes (two nodes' processes can have the
/// same pid), and lets a sweep tell its own host's dead runs from other nodes' live ones.
pub fn temp_name(name: &str) -> String {
    format!(".{name}.{}@{}.tmp", std::process::id(), host())
}

/// Who wrote a temporary file named by [`temp_name`]: its pid and host. Names of older
/// versions, `.<name>.<pid>.tmp`, give no host.
pub fn temp_owner(file_name: &str) -> Option<(u32, Option<&str>)> {
    let inner = file_name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let name_and_pid = |s: &str| -> Option<u32> {
        let (name, pid) = s.rsplit_once('.')?;
        (!name.is_empty()).then_some(())?;
        pid.parse().ok()
    };
    if let Some((rest, host)) = inner.rsplit_once('@') {
        if !host.is_empty() {
            if let Some(pid) = name_and_pid(rest) {
                return Some((pid, Some(host)));
            }
        }
    }
    name_and_pid(inner).map(|pid| (pid, None))
}

/// This machine's name as it goes into temporary file names: letters, digits, `-` and
/// `.` only (at most 64), `localhost` when the system gives none.
pub fn host() -> &'static str {
    static HOST: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HOST.get_or_init(|| {
        let raw = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .or_else(|| std::env::var("HOSTNAME").ok())
            .unwrap_or_default();
        let clean: String = raw
            .trim()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '.')
            .take(64)
            .collect();
        if clean.is_empty() {
            "localhost".into()
        } else {
            clean
        }
    })
}

/// Hands freed memory back to the system (see [`crate::heap`]: a batch keeps some).
pub use crate::heap::release_free_memory;

/// A file name that stays inside its folder: no path separators, no `..`, no control
/// characters, not empty.
pub fn safe_file_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c == '/' || c == '\\' || c.is_control() || c == ':' {
                '_'
            } else {
                c
            }
        })
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.');
    let mut out: String = trimmed.chars().take(120).collect();
    if out.is_empty() {
        out = "issue".to_string();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_names() {
        assert_eq!(safe_file_name("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(safe_file_name("/abs"), "_abs");
        assert_eq!(safe_file_name(".."), "issue");
        assert_eq!(safe_file_name("武进-2023-12-29"), "武进-2023-12-29");
    }

    #[test]
    fn atomic_write_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.bin");
        write_atomic(&p, b"abc").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"abc");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
