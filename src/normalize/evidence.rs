//! Evidence from the issue itself: which character sequences occur in its text. Used to
//! tell a word cut by a page break from two paragraphs that merely touch, and a repeated
//! overlap from a real reduplication, without a dictionary (a per-run CLI cannot afford
//! to load one; see the README).

use std::cell::{Cell, OnceCell, RefCell};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

pub(crate) struct Evidence<'a> {
    text: &'a str,
    /// Built on first use: the text folded (see [`fold`]) and every bigram of it (no
    /// whitespace) with its byte offset, sorted — bigram counts and substring look-ups
    /// in O(log n + hits) instead of a scan of the whole issue per question.
    index: OnceCell<Index>,
    /// Text created by joins since the evidence was built: the excerpt around each
    /// junction (folded), and the junction bigrams. Lets later join rounds see the text
    /// as it now stands without re-reading the whole issue.
    junction_text: RefCell<String>,
    junction_bigrams: RefCell<HashMap<u64, usize>>,
    /// Questions asked so far: a caller tells from it whether a decision read the
    /// evidence (and may change when later joins add to it).
    asked: Cell<usize>,
}

struct Index {
    folded: String,
    /// Byte offsets in `folded` of every bigram without whitespace, grouped by bigram
    /// (a counting sort: 4 bytes per character; (key, offset) pairs took 16, and a 50 MB
    /// issue's index alone outgrew the memory budget).
    positions: Vec<u32>,
    /// Each bigram's slice of `positions`: (start, length).
    ranges: HashMap<u64, (u32, u32), BuildHasherDefault<KeyHasher>>,
}

impl Index {
    fn new(text: &str) -> Self {
        let folded = fold_digits(text);
        // Offsets fit u32: inputs are limited to 256 MiB (issue::MAX_INPUT_BYTES).
        // Each character decoded and tested for whitespace once, not once per side.
        let pairs = || {
            let mut cs = folded.char_indices();
            let mut prev = cs.next().map(|(i, c)| (i, c, c.is_whitespace()));
            std::iter::from_fn(move || loop {
                let (i, x, x_space) = prev?;
                prev = cs.next().map(|(j, c)| (j, c, c.is_whitespace()));
                let (_, y, y_space) = prev?;
                if !x_space && !y_space {
                    return Some((key(x, y), i as u32));
                }
            })
        };
        // Two hash look-ups per bigram and no per-character scratch (a 50 MB issue's
        // index must stay within the memory budget): count, then place each offset at its
        // bigram's moving cursor.
        let mut ranges: HashMap<u64, (u32, u32), _> = HashMap::default();
        for (k, _) in pairs() {
            ranges.entry(k).or_insert((0, 0)).1 += 1;
        }
        let mut total = 0u32;
        for r in ranges.values_mut() {
            *r = (total, r.1);
            total += r.1;
        }
        let mut positions = vec![0u32; total as usize];
        for (k, i) in pairs() {
            if let Some(r) = ranges.get_mut(&k) {
                positions[r.0 as usize] = i;
                r.0 += 1;
            }
        }
        // Each cursor ended one past its slice: back to the start.
        for r in ranges.values_mut() {
            r.0 -= r.1;
        }
        Index {
            folded,
            positions,
            ranges,
        }
    }

    /// The offsets of bigram `k`, in text order.
    fn range(&self, k: u64) -> &[u32] {
        self.ranges.get(&k).map_or(&[], |&(start, len)| {
            &self.positions[start as usize..(start + len) as usize]
        })
    }

    /// Does the folded needle occur? Checks only where its rarest bigram occurs.
    fn contains(&self, s: &str) -> bool {
        let pairs: Vec<(usize, u64)> = s
            .char_indices()
            .zip(s.chars().skip(1))
            .map(|((i, x), y)| (i, key(x, y)))
            .collect();
        if pairs.is_empty() || s.chars().any(char::is_whitespace) {
            return self.folded.contains(s);
        }
        let Some((off, hits)) = pairs
            .iter()
            .map(|&(i, k)| (i, self.range(k)))
            .min_by_key(|(_, r)| r.len())
        else {
            return false;
        };
        hits.iter().any(|&pos| {
            (pos as usize)
                .checked_sub(off)
                .and_then(|start| self.folded.get(start..start + s.len()))
                == Some(s)
        })
    }
}

fn key(a: char, b: char) -> u64 {
    (u64::from(u32::from(a)) << 32) | u64::from(u32::from(b))
}

/// A fast hasher for bigram keys (two code points): hashing 17 million of them with the
/// default SipHash would dominate building the index of a large issue.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        // The table picks its bucket by the low bits, and a product's low bits depend on
        // the key's low bits only (the second character's): the high half folded in
        // spreads the keys (without it, look-ups probed long chains: a third as fast).
        self.0 ^ (self.0 >> 32)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, k: u64) {
        // Fibonacci hashing, mixed so both code points reach the high bits.
        self.0 = (self.0.rotate_left(5) ^ k).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// Digits as one class, ASCII punctuation as the full-width form the punctuation pass
/// may give it (so evidence reads the same before and after that pass).
fn fold(c: char) -> char {
    match c {
        '0'..='9' => '0',
        c => super::punctuation::full_width(c).unwrap_or(c),
    }
}

fn fold_digits(s: &str) -> String {
    // `fold` changes only ASCII characters, so the bytes of every other character are
    // copied as they stand, a run at a time.
    let folded = |b: u8| fold(char::from(b));
    let grows: usize = s
        .bytes()
        .filter(u8::is_ascii)
        .map(|b| folded(b).len_utf8() - 1)
        .sum();
    let mut out = String::with_capacity(s.len() + grows);
    let mut run = 0;
    for (i, b) in s.bytes().enumerate() {
        if b.is_ascii() && folded(b) != char::from(b) {
            out.push_str(&s[run..i]);
            out.push(folded(b));
            run = i + 1;
        }
    }
    out.push_str(&s[run..]);
    out
}

impl<'a> Evidence<'a> {
    pub fn new(text: &'a str) -> Self {
        Evidence {
            text,
            index: OnceCell::new(),
            junction_text: RefCell::new(String::new()),
            junction_bigrams: RefCell::new(HashMap::new()),
            asked: Cell::new(0),
        }
    }

    fn index(&self) -> &Index {
        self.index.get_or_init(|| Index::new(self.text))
    }

    /// How often the two-character sequence `ab` occurs in the issue.
    pub fn bigram_count(&self, a: char, b: char) -> usize {
        self.asked.set(self.asked.get() + 1);
        let k = key(fold(a), fold(b));
        let extra = self.junction_bigrams.borrow().get(&k).copied().unwrap_or(0);
        self.index().range(k).len() + extra
    }

    /// Does `s` occur anywhere in the issue (digits compared as a class)?
    pub fn has(&self, s: &str) -> bool {
        self.asked.set(self.asked.get() + 1);
        if s.is_empty() {
            return false;
        }
        let s = fold_digits(s);
        self.index().contains(&s) || self.junction_text.borrow().contains(&s)
    }

    /// How many questions have been asked (compare before and after a decision).
    pub fn asked(&self) -> usize {
        self.asked.get()
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
        assert!(e.has("区委常委会主持会议。"));
        assert!(e.has("会"));
        assert!(!e.has("会议全"));
        assert!(e.has("亿元"));
    }
}
