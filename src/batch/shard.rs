//! `--shard I/N` or `--shard auto`: a stable split of the issues by a hash of their
//! relative path, so machines can share an archive with no coordination beyond agreeing
//! on N; `auto` takes I and N from the index a cluster scheduler hands each task (Slurm
//! arrays, Kubernetes Indexed Jobs, AWS Batch arrays, Cloud Run jobs).

use super::error::{BatchError, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based index of this shard.
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// Parses `I/N`.
    pub fn parse(spec: &str) -> Result<Shard> {
        let bad = |reason| BatchError::BadShard {
            spec: spec.to_string(),
            reason,
        };
        let (i, n) = spec.trim().split_once('/').ok_or_else(|| bad("no `/`"))?;
        let index: u64 = i.trim().parse().map_err(|_| bad("I is not a number"))?;
        let count: u64 = n.trim().parse().map_err(|_| bad("N is not a number"))?;
        if count == 0 {
            return Err(bad("N must be at least 1"));
        }
        if index == 0 || index > count {
            return Err(bad("I must be between 1 and N"));
        }
        Ok(Shard { index, count })
    }

    /// Whether the issue at `key` (its path relative to INDIR, `/`-separated) is ours.
    /// blake3, not std's hasher: the split must be identical on every machine and version.
    pub fn contains(&self, key: &str) -> bool {
        shard_of(key, self.count) == self.index
    }

    /// A name suffix for files this shard owns alone (its manifest).
    pub fn suffix(&self) -> String {
        format!("shard-{}-of-{}", self.index, self.count)
    }
}

/// The 1-based shard that `key` falls into among `count`.
pub fn shard_of(key: &str, count: u64) -> u64 {
    let h = blake3::hash(key.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&h.as_bytes()[..8]);
    u64::from_le_bytes(first) % count.max(1) + 1
}

/// The environment variables that carry a scheduler's task index, in the order they are
/// looked at: (index variable, count variable, scheduler).
const SCHEDULERS: [(&str, Option<&str>, &str); 4] = [
    (
        "SLURM_ARRAY_TASK_ID",
        Some("SLURM_ARRAY_TASK_COUNT"),
        "Slurm array",
    ),
    ("JOB_COMPLETION_INDEX", None, "Kubernetes Indexed Job"),
    (
        "AWS_BATCH_JOB_ARRAY_INDEX",
        Some("AWS_BATCH_JOB_ARRAY_SIZE"),
        "AWS Batch array",
    ),
    (
        "CLOUD_RUN_TASK_INDEX",
        Some("CLOUD_RUN_TASK_COUNT"),
        "Cloud Run job",
    ),
];

/// Where a shard came from, for the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assigned {
    pub shard: Shard,
    /// `SLURM_ARRAY_TASK_ID=3`, or `--shard 2/4`.
    pub from: String,
}

/// Whether any scheduler's index variable is set (then `--shard auto` is the default).
pub fn scheduler_present(env: &dyn Fn(&str) -> Option<String>) -> bool {
    SCHEDULERS.iter().any(|(var, _, _)| env(var).is_some())
}

/// `--shard auto`: this task's shard from the scheduler's environment. `shards` is the
/// count given by `--shards N` or `PAIBAN_SHARDS` (Kubernetes gives none); with it, the
/// scheduler's index is the 0-based shard itself (so one Slurm index can be resubmitted
/// alone), without it the scheduler's own count is used (for Slurm, the index is counted
/// from `SLURM_ARRAY_TASK_MIN` in steps of `SLURM_ARRAY_TASK_STEP`).
pub fn from_scheduler(
    env: &dyn Fn(&str) -> Option<String>,
    shards: Option<u64>,
) -> Result<Assigned> {
    let Some((var, count_var, who)) = SCHEDULERS.iter().find(|(v, _, _)| env(v).is_some()) else {
        return Err(BatchError::NoScheduler {
            vars: SCHEDULERS.map(|s| s.0).join(", "),
        });
    };
    let bad = |reason: String| BatchError::SchedulerIndex {
        scheduler: who,
        reason,
    };
    let number = |name: &str| -> Result<Option<u64>> {
        match env(name) {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse::<u64>()
                .map(Some)
                .map_err(|_| bad(format!("{name}=`{v}` is not a whole number"))),
        }
    };
    let raw = number(var)?.unwrap_or(0);
    let (index, count) = match shards {
        Some(n) => (raw, n),
        None => {
            let Some(cv) = count_var else {
                return Err(bad(format!(
                    "{var}={raw} gives this task's index but not how many there are: \
                     give --shards N or PAIBAN_SHARDS=N (the job's completions)"
                )));
            };
            let Some(count) = number(cv)? else {
                return Err(bad(format!(
                    "{var}={raw} is set but {cv} is not: give --shards N or PAIBAN_SHARDS=N"
                )));
            };
            if *var == "SLURM_ARRAY_TASK_ID" {
                let min = number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
                let step = number("SLURM_ARRAY_TASK_STEP")?.unwrap_or(1).max(1);
                if raw < min || (raw - min) % step != 0 {
                    return Err(bad(format!(
                        "SLURM_ARRAY_TASK_ID={raw} is not in the array starting at \
                         SLURM_ARRAY_TASK_MIN={min} in steps of {step}"
                    )));
                }
                ((raw - min) / step, count)
            } else {
                (raw, count)
            }
        }
    };
    if count == 0 {
        return Err(bad("the number of shards is 0".into()));
    }
    if index >= count {
        return Err(bad(format!(
            "{var}={raw} makes shard {index} (counted from 0), out of range for {count} shards"
        )));
    }
    Ok(Assigned {
        shard: Shard {
            index: index + 1,
            count,
        },
        from: format!("{var}={raw}"),
    })
}

/// How evenly `keys` spread over `count` shards: the issues in each (shard 1 first).
pub fn sizes<'a>(keys: impl IntoIterator<Item = &'a str>, count: u64) -> Vec<usize> {
    let mut sizes = vec![0usize; count.clamp(1, 1 << 20) as usize];
    for k in keys {
        let i = (shard_of(k, count) - 1) as usize;
        if let Some(s) = sizes.get_mut(i) {
            *s += 1;
        }
    }
    sizes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        assert_eq!(Shard::parse("2/4").unwrap(), Shard { index: 2, count: 4 });
        assert_eq!(Shard::parse("1/1").unwrap(), Shard { index: 1, count: 1 });
        for bad in ["0/4", "5/4", "1/0", "a/2", "3", "", "1/-2"] {
            assert!(Shard::parse(bad).is_err(), "{bad} accepted");
        }
    }

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    fn auto(vars: &[(&str, &str)], shards: Option<u64>) -> Result<Shard> {
        from_scheduler(&env(vars), shards).map(|a| a.shard)
    }

    #[test]
    fn scheduler_indexes_map_to_shards() {
        let s = |index, count| Shard { index, count };
        // Slurm: counted from the array's first index, in its steps.
        let slurm = [
            ("SLURM_ARRAY_TASK_ID", "3"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
        ];
        assert_eq!(auto(&slurm, None).unwrap(), s(4, 4));
        let from_one = [
            ("SLURM_ARRAY_TASK_ID", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
        ];
        assert_eq!(auto(&from_one, None).unwrap(), s(1, 4));
        let stepped = [
            ("SLURM_ARRAY_TASK_ID", "6"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
            ("SLURM_ARRAY_TASK_STEP", "2"),
        ];
        assert_eq!(auto(&stepped, None).unwrap(), s(4, 4));
        // One index resubmitted alone (--array=2): the count from PAIBAN_SHARDS, the id is the shard.
        let alone = [
            ("SLURM_ARRAY_TASK_ID", "2"),
            ("SLURM_ARRAY_TASK_COUNT", "1"),
            ("SLURM_ARRAY_TASK_MIN", "2"),
        ];
        assert_eq!(auto(&alone, Some(4)).unwrap(), s(3, 4));
        // Kubernetes gives the index only.
        assert_eq!(
            auto(&[("JOB_COMPLETION_INDEX", "0")], Some(8)).unwrap(),
            s(1, 8)
        );
        assert_eq!(
            auto(&[("JOB_COMPLETION_INDEX", "7")], Some(8)).unwrap(),
            s(8, 8)
        );
        assert_eq!(
            auto(
                &[
                    ("AWS_BATCH_JOB_ARRAY_INDEX", "9"),
                    ("AWS_BATCH_JOB_ARRAY_SIZE", "10")
                ],
                None
            )
            .unwrap(),
            s(10, 10)
        );
        assert_eq!(
            auto(
                &[("CLOUD_RUN_TASK_INDEX", "0"), ("CLOUD_RUN_TASK_COUNT", "3")],
                None
            )
            .unwrap(),
            s(1, 3)
        );
        let a = from_scheduler(&env(&[("JOB_COMPLETION_INDEX", "5")]), Some(8)).unwrap();
        assert_eq!(a.from, "JOB_COMPLETION_INDEX=5");
        assert!(scheduler_present(&env(&[("CLOUD_RUN_TASK_INDEX", "0")])));
        assert!(!scheduler_present(&env(&[("PAIBAN_SHARDS", "4")])));
    }

    #[test]
    fn scheduler_errors_say_what_is_missing() {
        let err = |vars: &[(&str, &str)], shards| auto(vars, shards).unwrap_err().to_string();
        let e = err(&[("JOB_COMPLETION_INDEX", "2")], None);
        assert!(
            e.contains("Kubernetes") && e.contains("PAIBAN_SHARDS"),
            "{e}"
        );
        let e = err(&[("JOB_COMPLETION_INDEX", "8")], Some(8));
        assert!(e.contains("out of range for 8 shards"), "{e}");
        let e = err(&[("AWS_BATCH_JOB_ARRAY_INDEX", "1")], None);
        assert!(e.contains("AWS_BATCH_JOB_ARRAY_SIZE is not"), "{e}");
        let e = err(
            &[
                ("SLURM_ARRAY_TASK_ID", "x"),
                ("SLURM_ARRAY_TASK_COUNT", "2"),
            ],
            None,
        );
        assert!(e.contains("not a whole number"), "{e}");
        let e = err(
            &[
                ("SLURM_ARRAY_TASK_ID", "0"),
                ("SLURM_ARRAY_TASK_COUNT", "2"),
                ("SLURM_ARRAY_TASK_MIN", "1"),
            ],
            None,
        );
        assert!(e.contains("not in the array"), "{e}");
        let e = err(&[("CLOUD_RUN_TASK_INDEX", "0")], Some(0));
        assert!(e.contains("is 0"), "{e}");
        let e = err(&[], Some(4));
        assert!(
            e.contains("no scheduler index") && e.contains("SLURM_ARRAY_TASK_ID"),
            "{e}"
        );
    }

    #[test]
    fn adding_issues_moves_no_other_issue() {
        let keys: Vec<String> = (0..300).map(|i| format!("2024/{i:03}.md")).collect();
        let before: Vec<u64> = keys.iter().map(|k| shard_of(k, 4)).collect();
        let mut more = keys.clone();
        more.extend((0..100).map(|i| format!("2025/{i:03}.md")));
        for (k, b) in keys.iter().zip(&before) {
            assert_eq!(shard_of(k, 4), *b, "{k} moved");
        }
        let sz = sizes(more.iter().map(String::as_str), 4);
        assert_eq!(sz.iter().sum::<usize>(), 400);
    }

    #[test]
    fn every_key_in_exactly_one_shard() {
        let keys: Vec<String> = (0..500)
            .map(|i| format!("{}/人民日报-{i:04}.md", i % 7))
            .collect();
        for count in 1..=6 {
            let shards: Vec<Shard> = (1..=count).map(|index| Shard { index, count }).collect();
            let mut sizes = vec![0usize; count as usize];
            for k in &keys {
                let owners: Vec<_> = shards.iter().filter(|s| s.contains(k)).collect();
                assert_eq!(owners.len(), 1, "{k} in {} shards of {count}", owners.len());
                sizes[owners[0].index as usize - 1] += 1;
            }
            // A hash split of 500 keys leaves no shard empty or hugely oversized.
            for s in &sizes {
                assert!(
                    *s * count as usize > 250 && *s * (count as usize) < 1000,
                    "{sizes:?}"
                );
            }
        }
    }
}
