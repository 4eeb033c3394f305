//! `--settle`: an issue is converted only once its files have stopped changing, so a
//! folder copied in page by page, or a file copied in several writes, is never converted
//! (and published) from its first part.
//!
//! What decides is what paiban itself has seen: the files — their set, content
//! hashes, sizes and change times — unchanged across the settle time, measured on this
//! process's monotonic clock from the pass that first saw them as they are. File times
//! alone prove nothing (`cp -p` and `rsync -t` keep old ones), so an old modification
//! time never shortens the wait.
//!
//! A folder issue may declare itself complete with a `.ready` file (created last, after
//! every page): an issue whose `.ready` appeared or was touched after the last change
//! paiban saw is converted at once. A page changed after that waits again.

use super::inputs::Hashes;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

/// The completeness marker of a folder issue.
pub const READY: &str = ".ready";

/// Size, modification and status-change time of a file (None: gone).
type Stamp = Option<(u64, Option<SystemTime>, i64, i64)>;

fn stamp(path: &Path) -> Stamp {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path).ok()?;
    Some((m.len(), m.modified().ok(), m.ctime(), m.ctime_nsec()))
}

struct Seen {
    files: (Hashes, Vec<Stamp>),
    since: Instant,
    ready: Stamp,
    ready_since: Instant,
}

pub struct Settle {
    time: Duration,
    /// Per issue: what was last seen of its files and marker, and since when. Kept after
    /// a conversion, so a later change is measured from when it was seen.
    seen: Mutex<HashMap<String, Seen>>,
}

impl Settle {
    pub fn new(time: Duration) -> Settle {
        Settle {
            time,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// None when the issue may be converted now; else how much longer to wait.
    /// `sources` are the content hashes of `files`; `ready` the issue's `.ready` marker
    /// (folder issues).
    pub fn wait(
        &self,
        key: &str,
        sources: &Hashes,
        files: &[PathBuf],
        ready: Option<&Path>,
    ) -> Option<Duration> {
        let now = Instant::now();
        let files_now = (sources.clone(), files.iter().map(|f| stamp(f)).collect());
        let ready_now = ready.and_then(stamp);
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let s = seen.entry(key.to_string()).or_insert_with(|| Seen {
            files: files_now.clone(),
            since: now,
            ready: ready_now,
            ready_since: now,
        });
        if s.files != files_now {
            s.files = files_now;
            s.since = now;
        }
        if s.ready != ready_now {
            s.ready = ready_now;
            s.ready_since = now;
        }
        if s.ready.is_some() && s.ready_since >= s.since {
            return None;
        }
        self.time
            .checked_sub(now.duration_since(s.since))
            .filter(|d| !d.is_zero())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hashes(v: &str) -> Hashes {
        Hashes::from([("a.md".to_string(), v.to_string())])
    }

    #[test]
    fn waits_until_unchanged_for_the_settle_time() {
        let t = tempfile::tempdir().unwrap();
        let f = t.path().join("a.md");
        std::fs::write(&f, "half").unwrap();
        let files = [f.clone()];
        let s = Settle::new(Duration::from_millis(300));
        let first = s
            .wait("a.md", &hashes("1"), &files, None)
            .expect("fresh file waits");
        assert!(first <= Duration::from_millis(300));
        std::thread::sleep(Duration::from_millis(150));
        // The second half arrives: the wait starts again.
        std::fs::write(&f, "half and the rest").unwrap();
        let again = s
            .wait("a.md", &hashes("2"), &files, None)
            .expect("changed, waits");
        assert!(again > Duration::from_millis(200), "{again:?}");
        std::thread::sleep(Duration::from_millis(320));
        assert_eq!(s.wait("a.md", &hashes("2"), &files, None), None);
        // No settle time: never waits.
        assert_eq!(
            Settle::new(Duration::ZERO).wait("a.md", &hashes("3"), &files, None),
            None
        );
    }

    #[test]
    fn an_old_modification_time_does_not_shorten_the_wait() {
        let t = tempfile::tempdir().unwrap();
        let f = t.path().join("a.md");
        std::fs::write(&f, "page one").unwrap();
        let old = std::fs::File::options().write(true).open(&f).unwrap();
        old.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000))
            .unwrap();
        let s = Settle::new(Duration::from_secs(5));
        assert!(s.wait("a", &hashes("1"), &[f], None).is_some());
    }

    #[test]
    fn a_ready_marker_made_after_the_last_change_ends_the_wait() {
        let t = tempfile::tempdir().unwrap();
        let f = t.path().join("01.md");
        let ready = t.path().join(READY);
        std::fs::write(&f, "page").unwrap();
        let s = Settle::new(Duration::from_secs(60));
        let files = [f.clone()];
        assert!(s.wait("i", &hashes("1"), &files, Some(&ready)).is_some());
        std::fs::write(&ready, "").unwrap();
        assert_eq!(s.wait("i", &hashes("1"), &files, Some(&ready)), None);
        // A page changed after the marker: wait again.
        std::fs::write(&f, "page, edited").unwrap();
        assert!(s.wait("i", &hashes("2"), &files, Some(&ready)).is_some());
    }
}
