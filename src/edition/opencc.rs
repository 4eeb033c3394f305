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
    /// The distinct first characters, ascending.
    first: &'static [u8],
    /// Where each first character's run starts (one more: the number of entries).
    first_start: &'static [u8],
    key_end: &'static [u8],
    value_end: &'static [u8],
    keys: &'static [u8],
    values: &'static [u8],
}

fn u32_at(b: &[u8], i: usize) -> usize {
    u32::from_le_bytes([b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]]) as usize
}

impl Dict {
    /// Reads the table's header (the table is built with the binary; the tests check it).
    fn open(b: &'static [u8]) -> Dict {
        let (n, f) = (u32_at(b, 0), u32_at(b, 1));
        let (first, b) = b[8..].split_at(4 * f);
        let (first_start, b) = b.split_at(4 * (f + 1));
        let (key_end, b) = b.split_at(4 * n);
        let (value_end, b) = b.split_at(4 * n);
        let keys_len = n.checked_sub(1).map_or(0, |last| u32_at(key_end, last));
        let (keys, values) = b.split_at(keys_len);
        Dict {
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
        let (mut lo, mut hi) = (0, self.first.len() / 4);
        while lo < hi {
            let mid = (lo + hi) / 2;
            match u32_at(self.first, mid).cmp(&c) {
                Ordering::Less => lo = mid + 1,
                Ordering::Greater => hi = mid,
                Ordering::Equal => {
                    return Some((
                        u32_at(self.first_start, mid),
                        u32_at(self.first_start, mid + 1),
                    ))
                }
            }
        }
        None
    }

    /// The longest key that `s` starts with: its length in bytes and its value.
    ///
    /// The keys starting with `s`'s first k characters are one run of the sorted table,
    /// and the run for k + 1 lies inside it; the run is narrowed a character at a time
    /// until it is empty, and a run whose first key is the prefix itself is a match.
    fn match_prefix(&self, s: &str) -> Option<(usize, &'static str)> {
        let mut chars = s.char_indices();
        let (_, c) = chars.next()?;
        let (mut lo, mut hi) = self.run_of(c)?;
        let mut best = None;
        let bytes = s.as_bytes();
        let ends = chars.map(|(i, _)| i).chain(std::iter::once(s.len()));
        for end in ends {
            let p = &bytes[..end];
            if end > c.len_utf8() {
                // The first key not before `p`, then the first after it without its prefix.
                lo += partition(lo, hi, |i| self.key(i) < p);
                hi = lo + partition(lo, hi, |i| self.key(i).starts_with(p));
                if lo == hi {
                    break;
                }
            }
            if self.key(lo) == p {
                best = Some((end, self.value(lo)));
            }
        }
        best
    }
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

/// A stage's dictionaries: the first that matches at a position wins.
fn match_group(group: &[Dict], s: &str) -> Option<(usize, &'static str)> {
    group.iter().find_map(|d| d.match_prefix(s))
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

/// A conversion chain: OpenCC's `s2t.json`, `s2twp.json` or `s2hk.json`.
pub struct Chain {
    /// The segmentation's dictionary (STPhrases, as in every configuration).
    segments: Dict,
    stages: Vec<Vec<Dict>>,
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
        let st = vec![dict!("STPhrases"), dict!("STCharacters")];
        let stages = match config {
            Config::S2t => vec![st],
            Config::S2twp => vec![st, vec![dict!("TWPhrases")], vec![dict!("TWVariants")]],
            Config::S2hk => vec![st, vec![dict!("HKVariants")]],
        };
        Chain {
            segments: dict!("STPhrases"),
            stages,
        }
    }

    pub fn convert(&self, text: &str) -> String {
        let mut segments: Vec<Cow<'_, str>> = segment(&self.segments, text)
            .into_iter()
            .map(Cow::Borrowed)
            .collect();
        for stage in &self.stages {
            for s in &mut segments {
                *s = Cow::Owned(convert_segment(stage, s));
            }
        }
        segments.concat()
    }
}

/// OpenCC's max-match segmentation: each match is a segment, and the text between
/// matches one segment.
fn segment<'a>(dict: &Dict, text: &'a str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let (mut i, mut gap) = (0, 0);
    while i < text.len() {
        let rest = &text[i..];
        match dict.match_prefix(rest) {
            Some((len, _)) => {
                if gap < i {
                    out.push(&text[gap..i]);
                }
                out.push(&text[i..i + len]);
                i += len;
                gap = i;
            }
            None => i += rest.chars().next().map_or(1, char::len_utf8),
        }
    }
    if gap < text.len() {
        out.push(&text[gap..]);
    }
    out
}

/// One segment through one stage: longest matches replaced, the rest kept.
fn convert_segment(group: &[Dict], s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        match match_group(group, rest) {
            Some((len, value)) => {
                out.push_str(value);
                i += len;
            }
            None => {
                let c = rest.chars().next().unwrap_or('\u{fffd}');
                out.push(c);
                i += c.len_utf8().max(1);
            }
        }
    }
    out
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
