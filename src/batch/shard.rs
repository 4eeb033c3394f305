//! `--shard I/N`: a stable split of the issues by a hash of their relative path, so
//! machines can share an archive with no coordination beyond agreeing on N.

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
