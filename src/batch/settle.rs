//! `--settle`: an issue is converted only once its files have stopped changing, so a
//! file copied in several writes is never converted (and published) from its first half.
//!
//! An issue is settled when its files' content hashes have been the same for the settle
//! time (measured on this process's monotonic clock, from the pass that first saw them),
//! or when every file was last modified longer ago than that (so a finished file moved
//! in with `mv` is taken at once).

use super::inputs::Hashes;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

pub struct Settle {
    time: Duration,
    /// Per issue: the hashes last seen and when they were first seen.
    seen: Mutex<HashMap<String, (Hashes, Instant)>>,
}

impl Settle {
    pub fn new(time: Duration) -> Settle {
        Settle {
            time,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// None when the issue may be converted now; else how much longer to wait.
    pub fn wait(&self, key: &str, sources: &Hashes, files: &[PathBuf]) -> Option<Duration> {
        if self.time.is_zero() {
            return None;
        }
        let now = Instant::now();
        let since = {
            let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
            match seen.get(key) {
                Some((h, t)) if h == sources => *t,
                _ => {
                    seen.insert(key.to_string(), (sources.clone(), now));
                    now
                }
            }
        };
        let unchanged_for = now.duration_since(since).max(untouched_for(files));
        self.time
            .checked_sub(unchanged_for)
            .filter(|d| !d.is_zero())
    }

    /// Forgets an issue once converted (its next change starts a new wait).
    pub fn done(&self, key: &str) {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        seen.remove(key);
    }
}

/// How long ago the most recently modified of `files` was modified (zero when unknown
/// or in the future: then only the content decides).
fn untouched_for(files: &[PathBuf]) -> Duration {
    let now = SystemTime::now();
    files
        .iter()
        .map(|f| {
            std::fs::metadata(f)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| now.duration_since(t).ok())
                .unwrap_or(Duration::ZERO)
        })
        .min()
        .unwrap_or(Duration::ZERO)
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
            .wait("a.md", &hashes("1"), &files)
            .expect("fresh file waits");
        assert!(first <= Duration::from_millis(300));
        std::thread::sleep(Duration::from_millis(150));
        // The second half arrives: the wait starts again.
        std::fs::write(&f, "half and the rest").unwrap();
        let again = s
            .wait("a.md", &hashes("2"), &files)
            .expect("changed, waits");
        assert!(again > Duration::from_millis(200), "{again:?}");
        std::thread::sleep(Duration::from_millis(320));
        assert_eq!(s.wait("a.md", &hashes("2"), &files), None);
        // No settle time: never waits.
        assert_eq!(
            Settle::new(Duration::ZERO).wait("a.md", &hashes("3"), &files),
            None
        );
    }
}
