//! The end of a run: what was converted, skipped and failed (each failure with its file
//! and reason), the time taken and the rate, as text and as JSON.

use super::opds::FeedReport;
use super::shard::Shard;
use serde::Serialize;

/// What happened to one issue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// The issue's path relative to INDIR.
    pub input: String,
    #[serde(flatten)]
    pub status: Status,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Status {
    Converted {
        /// Relative to OUTDIR.
        outputs: Vec<String>,
        seconds: f64,
        warnings: usize,
    },
    Skipped,
    /// Its files changed less than the settle time ago (`--watch`): converted in a
    /// later pass, once they stop changing.
    Waiting {
        /// How much longer, at the time of the pass.
        seconds: f64,
    },
    Failed {
        reason: String,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub converted: usize,
    pub skipped: usize,
    pub failed: usize,
    pub waiting: usize,
    pub seconds: f64,
    /// Issues converted or failed (the ones that did work) per second of the run.
    pub issues_per_second: f64,
    /// Every issue, sorted by input path.
    pub issues: Vec<Outcome>,
    /// The OPDS feed written after the pass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feed: Option<FeedReport>,
    /// Why the feed could not be written (the run then fails, though every issue was
    /// converted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feed_error: Option<String>,
    /// This run's shard and how evenly the issues spread over the shards.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shard: Option<ShardReport>,
}

/// Which shard ran, and the spread of all issues over the shards.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShardReport {
    /// 1-based.
    pub index: u64,
    pub count: u64,
    /// Issues in this shard, of `total`.
    pub issues: usize,
    pub total: usize,
    pub smallest: usize,
    pub largest: usize,
    /// The largest shard over the mean (1.0 is perfectly even): the array's wall time
    /// is set by its largest task.
    pub largest_over_mean: f64,
}

impl ShardReport {
    pub fn new(s: Shard, sizes: &[usize]) -> ShardReport {
        let total: usize = sizes.iter().sum();
        let largest = sizes.iter().copied().max().unwrap_or(0);
        let mean = total as f64 / sizes.len().max(1) as f64;
        ShardReport {
            index: s.index,
            count: s.count,
            issues: sizes.get(s.index as usize - 1).copied().unwrap_or(0),
            total,
            smallest: sizes.iter().copied().min().unwrap_or(0),
            largest,
            largest_over_mean: if mean > 0.0 {
                (largest as f64 / mean * 1000.0).round() / 1000.0
            } else {
                1.0
            },
        }
    }
}

impl Summary {
    pub fn new(mut issues: Vec<Outcome>, seconds: f64) -> Summary {
        issues.sort_by(|a, b| a.input.cmp(&b.input));
        let count = |f: fn(&Status) -> bool| issues.iter().filter(|o| f(&o.status)).count();
        let converted = count(|s| matches!(s, Status::Converted { .. }));
        let skipped = count(|s| matches!(s, Status::Skipped));
        let failed = count(|s| matches!(s, Status::Failed { .. }));
        let waiting = count(|s| matches!(s, Status::Waiting { .. }));
        let worked = (converted + failed) as f64;
        Summary {
            converted,
            skipped,
            failed,
            waiting,
            seconds,
            issues_per_second: if seconds > 0.0 { worked / seconds } else { 0.0 },
            issues,
            feed: None,
            feed_error: None,
            shard: None,
        }
    }

    /// Whether the run failed: an issue failed, or the feed could not be written.
    pub fn is_failure(&self) -> bool {
        self.failed > 0 || self.feed_error.is_some()
    }

    pub fn failures(&self) -> impl Iterator<Item = (&str, &str)> {
        self.issues.iter().filter_map(|o| match &o.status {
            Status::Failed { reason } => Some((o.input.as_str(), reason.as_str())),
            _ => None,
        })
    }

    pub fn to_json(&self) -> String {
        // Serializing plain strings and numbers cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The closing lines for the terminal.
    pub fn to_text(&self) -> String {
        let waiting = if self.waiting > 0 {
            format!(", {} waiting for files to settle", self.waiting)
        } else {
            String::new()
        };
        let mut s = format!(
            "{} converted, {} skipped, {} failed{waiting} in {:.2} s ({:.1} issues/s)\n",
            self.converted, self.skipped, self.failed, self.seconds, self.issues_per_second
        );
        for (input, reason) in self.failures() {
            s.push_str(&format!("failed: {input}: {reason}\n"));
        }
        if let Some(f) = &self.feed {
            s.push_str(&format!(
                "OPDS catalog: {} ({} issues, {} page{})\n",
                f.path,
                f.entries,
                f.pages,
                if f.pages == 1 { "" } else { "s" }
            ));
        }
        if let Some(r) = &self.shard {
            s.push_str(&format!(
                "shard {} of {}: {} of {} issues (shards hold {}–{}, largest {:.2}× the mean); \
                 the catalog is written by `paiban catalog OUTDIR`\n",
                r.index, r.count, r.issues, r.total, r.smallest, r.largest, r.largest_over_mean
            ));
        }
        if let Some(e) = &self.feed_error {
            s.push_str(&format!("failed: OPDS feed: {e}\n"));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_sorts_and_serializes() {
        let s = Summary::new(
            vec![
                Outcome {
                    input: "b.md".into(),
                    status: Status::Failed {
                        reason: "b.md:3: invalid UTF-8 at byte 7".into(),
                    },
                },
                Outcome {
                    input: "a.md".into(),
                    status: Status::Converted {
                        outputs: vec!["a.epub".into()],
                        seconds: 0.5,
                        warnings: 1,
                    },
                },
                Outcome {
                    input: "c.md".into(),
                    status: Status::Skipped,
                },
            ],
            2.0,
        );
        assert_eq!((s.converted, s.skipped, s.failed), (1, 1, 1));
        assert_eq!(s.issues_per_second, 1.0);
        assert_eq!(s.issues[0].input, "a.md");
        let v: serde_json::Value = serde_json::from_str(&s.to_json()).unwrap();
        assert_eq!(v["failed"], 1);
        assert_eq!(v["issues"][1]["status"], "failed");
        assert_eq!(v["issues"][1]["reason"], "b.md:3: invalid UTF-8 at byte 7");
        assert_eq!(v["issues"][0]["outputs"][0], "a.epub");
        assert_eq!(v["issues"][2]["status"], "skipped");
        let text = s.to_text();
        assert!(text.starts_with("1 converted, 1 skipped, 1 failed in 2.00 s"));
        assert!(text.contains("failed: b.md: b.md:3: invalid UTF-8"));
    }
}
