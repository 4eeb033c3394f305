//! OpenCC's Simplified → Traditional conversion, as the `opencc` command (1.1) does it:
//! the text is first cut into segments by longest match against `STPhrases` (OpenCC's
//! "mmseg" segmentation), then every stage of the chain converts each segment on its own,
//! by longest match against its dictionaries (in a group, the first dictionary that
//! matches wins). The dictionaries are OpenCC 1.1.6's (`data/opencc/`), compiled in as
//! sorted tables by `build.rs` and searched in place.
//!
//! ferrous-opencc 0.4 was tried first: it skips the segmentation (a later stage's phrase
//! may then match across two segments, `讨论通过了` → `討論透過了` where OpenCC keeps
//! `通過`) and ships newer dictionaries (`万里` → `萬里`, OpenCC 1.1.6 `萬裏`), so its output
//! differed from Debian's `opencc` in 12 of the 38 golden texts (tests/editions.rs).

use std::borrow::Cow;
use std::cmp::Ordering;

/// One OpenCC dictionary as the build script (`build.rs`) writes it: entries sorted by the
/// key's bytes, each key's first candidate, and the run of entries of each first
/// character; searched where it lies in the binary, nothing parsed or allocated.
#[derive(Clone, Copy)]
pub struct Dict {
    /// One bit per character below U+10000: does a key begin with it? (u64 words)
    bmp_first: &'static [u8],
    /// For each word of `bmp_first`, the bits set in the words before it.
    bmp_rank: &'static [u8],
    /// The distinct first characters, ascending.
    first: &'static [u8],
    /// Where each first character's run starts (one more: the number of entries).
    first_start: &'static [u8],
    key_end: &'static [u8],
    value_end: &'static [u8],
    keys: &'static [u8],
    values: &'static [u8],
}

#[inline]
fn u32_at(b: &[u8], i: usize) -> usize {
    u32::from_le_bytes([b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]]) as usize
}

impl Dict {
    /// Reads the table's header (the table is built with the binary; the tests check it).
    fn open(b: &'static [u8]) -> Dict {
        let (n, f) = (u32_at(b, 0), u32_at(b, 1));
        let (bmp_first, b) = b[8..].split_at(0x10000 / 8);
        let (bmp_rank, b) = b.split_at(4 * 0x10000 / 64);
        let (first, b) = b.split_at(4 * f);
        let (first_start, b) = b.split_at(4 * (f + 1));
        let (key_end, b) = b.split_at(4 * n);
        let (value_end, b) = b.split_at(4 * n);
        let keys_len = n.checked_sub(1).map_or(0, |last| u32_at(key_end, last));
        let (keys, values) = b.split_at(keys_len);
        Dict {
            bmp_first,
            bmp_rank,
            first,
            first_start,
            key_end,
            value_end,
            keys,
            values,
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.key_end.len() / 4
    }

    #[inline]
    fn key(&self, i: usize) -> &'static [u8] {
        let start = i.checked_sub(1).map_or(0, |p| u32_at(self.key_end, p));
        &self.keys[start..u32_at(self.key_end, i)]
    }

    fn value(&self, i: usize) -> &'static str {
        let start = i.checked_sub(1).map_or(0, |p| u32_at(self.value_end, p));
        let bytes = &self.values[start..u32_at(self.value_end, i)];
        // The build script wrote whole strings; a value is one of them.
        std::str::from_utf8(bytes).expect("build.rs writes UTF-8 values")
    }

    /// The entries whose key starts with `c`: a range of indices.
    fn run_of(&self, c: char) -> Option<(usize, usize)> {
        let c = u32::from(c) as usize;
        let run = |k: usize| (u32_at(self.first_start, k), u32_at(self.first_start, k + 1));
        if c < 0x10000 {
            // The run's number: the bits set before this character's.
            let w = c / 64;
            let word = u64::from_le_bytes(self.bmp_first[8 * w..8 * w + 8].try_into().ok()?);
            let bit = 1u64 << (c % 64);
            if word & bit == 0 {
                return None;
            }
            let k = u32_at(self.bmp_rank, w) + (word & (bit - 1)).count_ones() as usize;
            return Some(run(k));
        }
        let (mut lo, mut hi) = (0, self.first.len() / 4);
        while lo < hi {
            let mid = (lo + hi) / 2;
            match u32_at(self.first, mid).cmp(&c) {
                Ordering::Less => lo = mid + 1,
                Ordering::Greater => hi = mid,
                Ordering::Equal => return Some(run(mid)),
            }
        }
        None
    }

    /// The longest key that `s` starts with: its length in bytes and its value.
    ///
    /// The keys starting with the first k characters of `s` are one run of the sorted
    /// table (the key equal to them, if any, first), and the run for k + 1 lies inside it:
    /// the run is narrowed a character at a time, comparing only that character's bytes,
    /// until it is empty.
    fn match_prefix(&self, s: &str) -> Option<(usize, &'static str)> {
        let c = s.chars().next()?;
        let (mut lo, mut hi) = self.run_of(c)?;
        let bytes = s.as_bytes();
        let mut start = c.len_utf8();
        let mut best = None;
        loop {
            // `lo..hi` holds the keys starting with `s[..start]`, and is not empty.
            if self.key(lo).len() == start {
                best = Some((start, self.value(lo)));
                lo += 1;
            }
            let Some(next) = s[start..].chars().next() else {
                break;
            };
            let piece = &bytes[start..start + next.len_utf8()];
            let at = |i: usize| next_piece(&self.key(i)[start..], piece);
            lo += partition(lo, hi, |i| at(i) == Ordering::Less);
            // Few keys go on with the same character: gallop from `lo` for the end.
            hi = lo + gallop(lo, hi, |i| at(i) == Ordering::Equal);
            if lo == hi {
                break;
            }
            start += piece.len();
        }
        best
    }
}

/// How a key's rest compares with the next character's bytes: Equal when it starts
/// with them (a short loop: the slices are 1–4 bytes, not worth a memcmp call).
fn next_piece(rest: &[u8], piece: &[u8]) -> Ordering {
    for (a, b) in rest.iter().zip(piece) {
        if a != b {
            return a.cmp(b);
        }
    }
    if rest.len() < piece.len() {
        Ordering::Less
    } else {
        Ordering::Equal
    }
}

/// As [`partition`], for a count expected to be small: probes 1, 2, 4 … ahead of `lo`,
/// then bisects the last step.
fn gallop(lo: usize, hi: usize, pred: impl Fn(usize) -> bool) -> usize {
    let mut step = 1;
    let mut known = lo; // every index before `known` satisfies `pred`
    while known < hi && pred(known) {
        known += 1;
        let probe = known + step;
        if probe >= hi || !pred(probe) {
            return partition(known, probe.min(hi), &pred) + known - lo;
        }
        known = probe + 1;
        step *= 2;
    }
    known - lo
}

/// How many of the indices `lo..hi` (a prefix of them) satisfy `pred`.
fn partition(lo: usize, hi: usize, pred: impl Fn(usize) -> bool) -> usize {
    let (mut a, mut b) = (lo, hi);
    while a < b {
        let mid = a + (b - a) / 2;
        if pred(mid) {
            a = mid + 1;
        } else {
            b = mid;
        }
    }
    a - lo
}

macro_rules! dict {
    ($name:literal) => {
        Dict::open(include_bytes!(concat!(
            env!("OUT_DIR"),
            "/opencc_",
            $name,
            ".bin"
        )))
    };
}

/// A conversion chain: OpenCC's `s2t.json`, `s2twp.json` or `s2hk.json`. Each begins with
/// the segmentation by STPhrases and the stage [STPhrases, STCharacters]; `after` holds the
/// stages that follow.
pub struct Chain {
    phrases: Dict,
    characters: Dict,
    after: Vec<Dict>,
}

/// The OpenCC configurations paiban's editions use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Config {
    S2t,
    S2twp,
    S2hk,
}

impl Chain {
    /// The chain of `config` (its tables are in the binary: nothing to load).
    pub fn new(config: Config) -> Chain {
        let after = match config {
            Config::S2t => vec![],
            Config::S2twp => vec![dict!("TWPhrases"), dict!("TWVariants")],
            Config::S2hk => vec![dict!("HKVariants")],
        };
        Chain {
            phrases: dict!("STPhrases"),
            characters: dict!("STCharacters"),
            after,
        }
    }

    pub fn convert(&self, text: &str) -> String {
        // The first stage follows from the segmentation: a segment that is a phrase of
        // STPhrases becomes its value, and in the text between phrases no phrase starts
        // anywhere (each position was tried), so STCharacters alone converts it.
        let mut segments: Vec<Cow<'_, str>> = segment(&self.phrases, text)
            .into_iter()
            .map(|(s, phrase)| match phrase {
                Some(value) => Cow::Borrowed(value),
                None => convert_segment(&self.characters, s),
            })
            .collect();
        for stage in &self.after {
            for s in &mut segments {
                let changed = match convert_segment(stage, s) {
                    Cow::Owned(o) => Some(o),
                    Cow::Borrowed(_) => None,
                };
                if let Some(o) = changed {
                    *s = Cow::Owned(o);
                }
            }
        }
        segments.concat()
    }
}

/// OpenCC's max-match segmentation: each match is a segment (with its value), and the
/// text between matches one segment.
fn segment<'a>(dict: &Dict, text: &'a str) -> Vec<(&'a str, Option<&'static str>)> {
    let mut out = Vec::new();
    let (mut i, mut gap) = (0, 0);
    while i < text.len() {
        let rest = &text[i..];
        match dict.match_prefix(rest) {
            Some((len, value)) => {
                if gap < i {
                    out.push((&text[gap..i], None));
                }
                out.push((&text[i..i + len], Some(value)));
                i += len;
                gap = i;
            }
            None => i += rest.chars().next().map_or(1, char::len_utf8),
        }
    }
    if gap < text.len() {
        out.push((&text[gap..], None));
    }
    out
}

/// One segment through one dictionary: longest matches replaced, the rest kept (borrowed
/// when nothing matched).
fn convert_segment<'a>(dict: &Dict, s: &'a str) -> Cow<'a, str> {
    let mut out = String::new();
    let (mut i, mut copied) = (0, 0);
    while i < s.len() {
        let rest = &s[i..];
        match dict.match_prefix(rest) {
            Some((len, value)) => {
                out.push_str(&s[copied..i]);
                out.push_str(value);
                i += len;
                copied = i;
            }
            None => i += rest.chars().next().map_or(1, char::len_utf8),
        }
    }
    if copied == 0 {
        return Cow::Borrowed(s);
    }
    out.push_str(&s[copied..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_then_converts_stage_by_stage() {
        // `过了` is a phrase of STPhrases, so `通过` is no segment and TWPhrases does not
        // turn it into `透過` (as the opencc command).
        assert_eq!(
            Chain::new(Config::S2twp).convert("讨论通过了"),
            "討論通過了"
        );
        assert_eq!(
            Chain::new(Config::S2twp).convert("软件和鼠标"),
            "軟體和滑鼠"
        );
        assert_eq!(Chain::new(Config::S2t).convert("长风几万里"), "長風幾萬裏");
        assert_eq!(Chain::new(Config::S2hk).convert(""), "");
    }

    /// A text dictionary read as OpenCC reads it: the text, a tab, the candidates (the
    /// first is used); a repeated text keeps its last line.
    fn text_dictionary(name: &str) -> std::collections::BTreeMap<String, String> {
        let path = format!("{}/data/opencc/{name}.txt", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).expect("the vendored dictionary");
        let mut out = std::collections::BTreeMap::new();
        for line in text.lines() {
            if let Some((key, values)) = line.split_once('\t') {
                let first = values.split(' ').next().unwrap_or(values);
                if !key.is_empty() {
                    out.insert(key.to_string(), first.to_string());
                }
            }
        }
        out
    }

    fn tables() -> Vec<(&'static str, Dict)> {
        vec![
            ("STPhrases", dict!("STPhrases")),
            ("STCharacters", dict!("STCharacters")),
            ("TWPhrases", dict!("TWPhrases")),
            ("TWVariants", dict!("TWVariants")),
            ("HKVariants", dict!("HKVariants")),
        ]
    }

    #[test]
    fn the_tables_hold_the_text_dictionaries() {
        for (name, table) in tables() {
            let text = text_dictionary(name);
            assert!(text.len() > 30, "{name}: {} entries", text.len());
            let entries: Vec<(String, String)> = (0..table.len())
                .map(|i| {
                    let key = std::str::from_utf8(table.key(i)).unwrap().to_string();
                    (key, table.value(i).to_string())
                })
                .collect();
            let expected: Vec<(String, String)> = text.into_iter().collect();
            assert_eq!(entries, expected, "{name}");
        }
    }

    /// The longest key `s` starts with, by trying every prefix against the text dictionary.
    fn longest_by_brute_force(
        dict: &std::collections::BTreeMap<String, String>,
        s: &str,
    ) -> Option<(usize, String)> {
        let ends = s.char_indices().map(|(i, _)| i).skip(1).chain([s.len()]);
        ends.filter_map(|e| dict.get(&s[..e]).map(|v| (e, v.clone())))
            .last()
    }

    #[test]
    fn the_search_finds_the_longest_key() {
        for (name, table) in tables() {
            let text = text_dictionary(name);
            let keys: Vec<&String> = text.keys().collect();
            // Every key followed by the next key, by its last character, by a character of
            // no key, and cut short by a character: matches of every length, near misses.
            for (i, k) in keys.iter().enumerate() {
                let next = keys[(i + 1) % keys.len()];
                let last = k.chars().last().unwrap();
                let short = &k[..k.char_indices().last().unwrap().0];
                for s in [
                    format!("{k}{next}"),
                    format!("{k}{last}"),
                    format!("{k}☃"),
                    format!("{short}☃"),
                ] {
                    let found = table.match_prefix(&s).map(|(e, v)| (e, v.to_string()));
                    assert_eq!(found, longest_by_brute_force(&text, &s), "{name}: {s}");
                }
            }
            assert_eq!(table.match_prefix(""), None);
            assert_eq!(table.match_prefix("☃"), None);
        }
    }
}
