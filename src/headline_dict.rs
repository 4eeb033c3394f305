//! jieba's dictionary as a table built ahead of time (`data/headline_dict.bin`, written by
//! `benches/make_headline_dict.py` from jieba-rs's own `dict.txt`): words sorted by their
//! UTF-8 bytes, searched in place. A headline needs only the dictionary words that occur
//! in it, so instead of loading all 349,045 words into jieba-rs per process (0.1–0.2 s of
//! CPU) [`segmenter_for`] gives jieba-rs just those, with the whole dictionary's total
//! frequency, and its segmentation is the same as with the full dictionary.

use std::sync::OnceLock;

static BLOB: &[u8] = include_bytes!("../data/headline_dict.bin");

/// A word that never occurs in text (two Unicode noncharacters): it carries the frequency
/// of the words left out, so jieba's log-probabilities keep the full dictionary's total.
const REST: &str = "\u{FDD0}\u{FDD1}";

struct Table {
    total: u64,
    /// The number of words (the tests check the table against it).
    #[cfg_attr(not(test), allow(dead_code))]
    n: usize,
    max_chars: usize,
    tags: Vec<&'static str>,
    /// Where each block of front-coded records starts in `records`.
    blocks: &'static [u8],
    nblocks: usize,
    records: &'static [u8],
}

fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

/// One record of a block: the word (rebuilt into `word`), its frequency and tag index;
/// returns the position after it.
fn record(r: &[u8], mut p: usize, word: &mut Vec<u8>) -> (usize, u32, u8) {
    let (shared, len) = (r[p] as usize, r[p + 1] as usize);
    word.truncate(shared);
    word.extend_from_slice(&r[p + 2..p + 2 + len]);
    p += 2 + len;
    let mut freq = 0u32;
    let mut shift = 0;
    loop {
        let byte = r[p];
        p += 1;
        freq |= u32::from(byte & 0x7F) << shift;
        shift += 7;
        if byte & 0x80 == 0 {
            break;
        }
    }
    (p + 1, freq, r[p])
}

impl Table {
    /// Reads the header; the blocks are used where they lie. The blob is ours, built with
    /// the binary, so a malformed one is a build defect (checked by the tests).
    fn parse(b: &'static [u8]) -> Table {
        assert_eq!(
            &b[..8],
            b"PBJD0002",
            "data/headline_dict.bin: not a headline dictionary"
        );
        let total = u64::from_le_bytes(b[8..16].try_into().expect("8 bytes"));
        let n = u32_at(b, 16) as usize;
        let ntags = u32_at(b, 20) as usize;
        let max_chars = u32_at(b, 24) as usize;
        let nblocks = u32_at(b, 32) as usize;
        let mut p = 36;
        let mut tags = Vec::with_capacity(ntags);
        for _ in 0..ntags {
            let len = b[p] as usize;
            tags.push(std::str::from_utf8(&b[p + 1..p + 1 + len]).expect("ASCII tag"));
            p += 1 + len;
        }
        let blocks = &b[p..p + 4 * nblocks];
        p += 4 * nblocks;
        Table {
            total,
            n,
            max_chars,
            tags,
            blocks,
            nblocks,
            records: &b[p..],
        }
    }

    fn block_start(&self, k: usize) -> usize {
        u32_at(self.blocks, 4 * k) as usize
    }

    /// The frequency and tag index of `w`, if it is a word of the dictionary.
    fn find(&self, w: &[u8]) -> Option<(u32, u8)> {
        self.find_extending(w).0
    }

    /// [`Table::find`], and whether any longer word starts with `w` (the next word in
    /// sorted order does, if any does), so a caller trying ever longer substrings knows
    /// when to stop.
    fn find_extending(&self, w: &[u8]) -> (Option<(u32, u8)>, bool) {
        // The last block whose first word is not after `w`.
        let first = |k: usize| {
            let p = self.block_start(k);
            &self.records[p + 2..p + 2 + self.records[p + 1] as usize]
        };
        let (mut lo, mut hi) = (0, self.nblocks);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if first(mid) <= w {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        // Blocks lie end to end and each starts a fresh word, so the scan runs on into the
        // next block when the word after `w` is there.
        let mut p = lo.checked_sub(1).map_or(0, |k| self.block_start(k));
        let mut word = Vec::with_capacity(64);
        let mut found = None;
        while p < self.records.len() {
            let (next, freq, tag) = record(self.records, p, &mut word);
            match word.as_slice().cmp(w) {
                std::cmp::Ordering::Less => {}
                std::cmp::Ordering::Equal => found = Some((freq, tag)),
                std::cmp::Ordering::Greater => return (found, word.starts_with(w)),
            }
            p = next;
        }
        (found, false)
    }

    /// Every word in order (for the tests).
    #[cfg(test)]
    fn words(&self) -> Vec<Vec<u8>> {
        let mut out = Vec::with_capacity(self.n);
        let mut word = Vec::new();
        let mut p = 0;
        while p < self.records.len() {
            let (next, _, _) = record(self.records, p, &mut word);
            out.push(word.clone());
            p = next;
        }
        out
    }
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| Table::parse(BLOB))
}

/// Is `word` in jieba's dictionary? (Its frequency and tag.)
pub fn lookup(word: &str) -> Option<(u32, &'static str)> {
    let t = table();
    t.find(word.as_bytes())
        .map(|(freq, tag)| (freq, t.tags[tag as usize]))
}

/// A jieba-rs segmenter that cuts and tags `text` exactly as one with the full default
/// dictionary would: it holds every dictionary word occurring in `text` (the only words its
/// DAG, route and tags can use) and the full dictionary's total frequency.
pub fn segmenter_for(text: &str) -> jieba_rs::Jieba {
    let t = table();
    let mut jieba = jieba_rs::Jieba::empty();
    let mut seen = 0u64;
    let starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    for (k, &s) in starts.iter().enumerate() {
        for len in 1..=t.max_chars {
            let e = match starts.get(k + len) {
                Some(&e) => e,
                None if k + len == starts.len() => text.len(),
                None => break,
            };
            let w = &text[s..e];
            let (found, longer) = t.find_extending(w.as_bytes());
            if let Some((freq, tag)) = found {
                if !jieba.has_word(w) {
                    jieba.add_word(w, Some(freq as usize), Some(t.tags[tag as usize]));
                    seen += u64::from(freq);
                }
            }
            // No dictionary word starts with `w`: none is longer either.
            if !longer {
                break;
            }
        }
    }
    let rest = t.total.saturating_sub(seen);
    jieba.add_word(REST, Some(rest as usize), Some("x"));
    jieba
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_holds_jiebas_dictionary() {
        let t = table();
        assert_eq!(t.n, 349_045);
        assert!(t.total > 60_000_000);
        let words = t.words();
        assert_eq!(words.len(), t.n);
        // Sorted by bytes, so every word is found where the search looks.
        assert!(words.windows(2).all(|w| w[0] < w[1]));
        for (i, w) in words.iter().enumerate() {
            assert!(std::str::from_utf8(w).is_ok());
            if i % 97 == 0 || i + 1 == words.len() {
                assert!(t.find(w).is_some(), "{}", String::from_utf8_lossy(w));
                let mut after = w.clone();
                after.push(0xFF);
                assert!(t.find(&after).is_none());
            }
        }
        assert!(t.find(b"").is_none());
        assert!(lookup("中国").is_some_and(|(f, tag)| f > 1000 && tag == "ns"));
        assert!(lookup("反腐败").is_some());
        assert_eq!(lookup("\u{FDD0}"), None);
    }

    /// Every heading of the test fixtures and the examples: cut and tagged exactly
    /// as jieba-rs with its full default dictionary does.
    #[test]
    fn knows_whether_a_longer_word_starts_with_a_prefix() {
        let t = table();
        // 中华 is a word and begins 中华人民共和国; 华人民 is no word and begins none.
        let (found, longer) = t.find_extending("中华".as_bytes());
        assert!(found.is_some() && longer);
        assert_eq!(t.find_extending("华人民".as_bytes()), (None, false));
        // 中华人民共 is no word but begins one.
        assert!(t.find_extending("中华人民共".as_bytes()).1);
        // The last word of the table has nothing after it.
        let last = t.words().pop().expect("words");
        assert!(!t.find_extending(&last).1);
    }

    #[test]
    fn cuts_like_the_full_dictionary() {
        let full = jieba_rs::Jieba::new();
        let mut texts: Vec<String> = [
            "研究部署党风廉政建设和反腐败工作",
            "学习《习近平著作选读》",
            "勇挑大梁走在前 勇攀新高再出发 奋力推进中国式现代化湖北实践",
            "奋楫扬帆启新程",
            "中国共产党第二十届中央委员会第二次全体会议决议",
            "习近平主持会议",
            "乔俊杰当选2026年湖北省政府工作报告T恤",
            "2026年1月14日在浙江省第十四届人民代表大会第四次会议上",
            "加快建成社会主义现代化国际大都市返京途中在江苏盐城考察",
            "加快建成社会主义现代化国际大都市 返京途中在江苏盐城考察",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut stack = vec![dir];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).expect("fixtures").flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "md") {
                    let text = std::fs::read_to_string(&p).unwrap_or_default();
                    texts.extend(
                        text.lines()
                            .filter(|l| l.starts_with('#'))
                            .map(|l| l.trim_start_matches('#').trim().to_string()),
                    );
                }
            }
        }
        assert!(texts.len() > 50, "fixture headings: {}", texts.len());
        for text in &texts {
            let ours = segmenter_for(text);
            let a: Vec<(&str, &str)> = ours
                .tag(text, true)
                .iter()
                .map(|t| (t.word, t.tag))
                .collect();
            let b: Vec<(&str, &str)> = full
                .tag(text, true)
                .iter()
                .map(|t| (t.word, t.tag))
                .collect();
            assert_eq!(a, b, "{text}");
        }
    }
}
