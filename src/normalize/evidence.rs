//! Evidence from the issue itself: which character sequences occur in its text. Used to
//! tell a word cut by a page break from two paragraphs that merely touch, and a repeated
//! overlap from a real reduplication, without a dictionary (a per-run CLI cannot afford
//! to load one; see the README).

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;

pub(crate) struct Evidence<'a> {
    text: &'a str,
    /// Every bigram of the text (no whitespace), sorted, built on first use.
    bigrams: OnceCell<Vec<u64>>,
    /// The text with ASCII digits folded to `0` (numbers differ; `8亿元` ≈ `0亿元`), built on
    /// first use.
    folded: OnceCell<String>,
    /// Text created by joins since the evidence was built: the excerpt around each
    /// junction (folded), and the junction bigrams. Lets later join rounds see the text
    /// as it now stands without re-reading the whole issue.
    junction_text: RefCell<String>,
    junction_bigrams: RefCell<HashMap<u64, usize>>,
}

fn key(a: char, b: char) -> u64 {
    (u64::from(u32::from(a)) << 32) | u64::from(u32::from(b))
}

/// Digits as one class, ASCII punctuation as the full-width form the punctuation pass
/// may give it (so evidence reads the same before and after that pass).
fn fold(c: char) -> char {
    match c {
        '0'..='9' => '0',
        ',' => '，',
        ';' => '；',
        ':' => '：',
        '(' => '（',
        ')' => '）',
        '?' => '？',
        '!' => '！',
        c => c,
    }
}

fn fold_digits(s: &str) -> String {
    s.chars().map(fold).collect()
}

impl<'a> Evidence<'a> {
    pub fn new(text: &'a str) -> Self {
        Evidence {
            text,
            bigrams: OnceCell::new(),
            folded: OnceCell::new(),
            junction_text: RefCell::new(String::new()),
            junction_bigrams: RefCell::new(HashMap::new()),
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
                .map(|(x, y)| key(fold(x), fold(y)))
                .collect();
            v.sort_unstable();
            v
        });
        let k = key(fold(a), fold(b));
        let extra = self.junction_bigrams.borrow().get(&k).copied().unwrap_or(0);
        set.partition_point(|&x| x <= k) - set.partition_point(|&x| x < k) + extra
    }

    /// Does `s` occur anywhere in the issue (digits compared as a class)?
    pub fn has(&self, s: &str) -> bool {
        if s.is_empty() {
            return false;
        }
        let s = fold_digits(s);
        self.folded
            .get_or_init(|| fold_digits(self.text))
            .contains(&s)
            || self.junction_text.borrow().contains(&s)
    }

    /// Records a join: `left` now runs straight into `right`.
    pub fn add_junction(&self, left: &str, right: &str) {
        if let (Some(a), Some(b)) = (left.chars().next_back(), right.chars().next()) {
            if !a.is_whitespace() && !b.is_whitespace() {
                *self
                    .junction_bigrams
                    .borrow_mut()
                    .entry(key(fold(a), fold(b)))
                    .or_insert(0) += 1;
            }
        }
        let mut t = self.junction_text.borrow_mut();
        t.push_str(&fold_digits(super::tail(left, 6)));
        t.push_str(&fold_digits(super::head(right, 6)));
        t.push('\n');
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
        assert_eq!(e.bigram_count('0', '4'), 3); // digits are one class
        assert!(e.has("8亿元"));
        assert!(!e.has("亿亿"));
        assert!(!e.has(""));
        assert!(e.has("0亿元"));
        e.add_junction("常委", "会今年");
        assert_eq!(e.bigram_count('委', '会'), 2);
        assert!(e.has("委会今"));
    }
}
