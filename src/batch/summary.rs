//! The end of a run: what was converted, skipped and failed (each failure with its file
//! and reason), the time taken and the rate, as text and as JSON.

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
    Failed {
        reason: String,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub converted: usize,
    pub skipped: usize,
    pub failed: usize,
    pub seconds: f64,
    /// Issues converted or failed (the ones that did work) per second of the run.
    pub issues_per_second: f64,
    /// Every issue, sorted by input path.
    pub issues: Vec<Outcome>,
}

impl Summary {
    pub fn new(mut issues: Vec<Outcome>, seconds: f64) -> Summary {
        issues.sort_by(|a, b| a.input.cmp(&b.input));
        let count = |f: fn(&Status) -> bool| issues.iter().filter(|o| f(&o.status)).count();
        let converted = count(|s| matches!(s, Status::Converted { .. }));
        let skipped = count(|s| matches!(s, Status::Skipped));
        let failed = count(|s| matches!(s, Status::Failed { .. }));
        let worked = (converted + failed) as f64;
        Summary {
            converted,
            skipped,
            failed,
            seconds,
            issues_per_second: if seconds > 0.0 { worked / seconds } else { 0.0 },
            issues,
        }
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
        let mut s = format!(
            "{} converted, {} skipped, {} failed in {:.2} s ({:.1} issues/s)\n",
            self.converted, self.skipped, self.failed, self.seconds, self.issues_per_second
        );
        for (input, reason) in self.failures() {
            s.push_str(&format!("failed: {input}: {reason}\n"));
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
