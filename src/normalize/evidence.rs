//! Evidence from the issue itself: which character sequences occur in its text. Used to
//! tell a word cut by a page break from two paragraphs that merely touch, and a repeated
//! overlap from a real reduplication, without a dictionary (a per-run CLI cannot afford
//! to load one; see the README).

use std::cell::OnceCell;

pub(crate) struct Evidence<'a> {
    text: &'a str,
    /// Every bigram of the text (no whitespace), sorted, built on first use.
    bigrams: OnceCell<Vec<u64>>,
    /// The text with ASCII digits folded to `0` (numbers differ; `8亿元` ≈ `0亿元`), built on
    /// first use.
    folded: OnceCell<String>,
}

fn key(a: char, b: char) -> u64 {
    (u64::from(u32::from(a)) << 32) | u64::from(u32::from(b))
}

fn fold_digits(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_digit() { '0' } else { c })
        .collect()
}

impl<'a> Evidence<'a> {
    pub fn new(text: &'a str) -> Self {
        Evidence {
            text,
            bigrams: OnceCell::new(),
            folded: OnceCell::new(),
        }
    }

    /// How often the two-character sequence `ab` occurs in the issue.
    pub fn bigram_count(&self, a: char, b: char) -> usize {
        let set = self.bigrams.get_or_init(|| {
            let mut v: Vec<u64> = self
                .text
                .chars()
                .zip(self.text.chars().skip(1))
                .filter(|(x, y)| !x.is_whitespace() && !y.is_whitespace())
                .map(|(x, y)| key(x, y))
                .collect();
            v.sort_unstable();
            v
        });
        let k = key(a, b);
        set.partition_point(|&x| x <= k) - set.partition_point(|&x| x < k)
    }

    /// Does `s` occur anywhere in the issue (digits compared as a class)?
    pub fn has(&self, s: &str) -> bool {
        if s.is_empty() {
            return false;
        }
        self.folded
            .get_or_init(|| fold_digits(self.text))
            .contains(&fold_digits(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        let e = Evidence::new("区委常委会主持会议。\n\n全年1042亿元");
        assert_eq!(e.bigram_count('委', '会'), 1);
        assert_eq!(e.bigram_count('会', '议'), 1);
        assert_eq!(e.bigram_count('议', '全'), 0);
        assert_eq!(e.bigram_count('0', '4'), 1);
        assert!(e.has("8亿元"));
        assert!(!e.has("亿亿"));
        assert!(!e.has(""));
    }
}
