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

/// One OpenCC dictionary as the build script (`build.rs`) writes it: a double-array trie of
/// the keys, each leading to its entry's index, and the entries' values (each key's first
/// candidate); searched where it lies in the binary, nothing parsed or allocated.
#[derive(Clone, Copy)]
pub struct Dict {
    trie: &'static yada::DoubleArray<&'static [u8]>,
    value_end: &'static [u8],
    values: &'static [u8],
}

#[inline]
fn u32_at(b: &[u8], i: usize) -> usize {
    let word: [u8; 4] = b[4 * i..4 * i + 4].try_into().expect("four bytes");
    u32::from_le_bytes(word) as usize
}

impl Dict {
    /// Reads the values' header (the tables are built with the binary; the tests check them).
    fn open(trie: &'static yada::DoubleArray<&'static [u8]>, b: &'static [u8]) -> Dict {
        let n = u32_at(b, 0);
        let (value_end, values) = b[4..].split_at(4 * n);
        Dict {
            trie,
            value_end,
            values,
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.value_end.len() / 4
    }

    fn value(&self, i: usize) -> &'static str {
        let start = i.checked_sub(1).map_or(0, |p| u32_at(self.value_end, p));
        let bytes = &self.values[start..u32_at(self.value_end, i)];
        // The build script wrote whole strings; a value is one of them.
        std::str::from_utf8(bytes).expect("build.rs writes UTF-8 values")
    }

    /// The longest key that `s` starts with: its length in bytes and its value. The keys
    /// are whole UTF-8 strings, so a key's bytes end on a character boundary of `s`.
    fn match_prefix(&self, s: &str) -> Option<(usize, &'static str)> {
        let (index, len) = self.trie.common_prefix_search(s.as_bytes()).last()?;
        Some((len, self.value(index as usize)))
    }
}

macro_rules! dict {
    ($name:literal) => {{
        // Taken as they are, not through `DoubleArray::new`, which would read the whole
        // trie (most of a megabyte) to convert a page: build.rs wrote them with yada's own
        // builder at this build, and `tries_are_valid_double_arrays` checks them with `new`.
        static TRIE: yada::DoubleArray<&[u8]> = yada::DoubleArray(include_bytes!(concat!(
            env!("OUT_DIR"),
            "/opencc_",
            $name,
            ".trie"
        )));
        Dict::open(
            &TRIE,
            include_bytes!(concat!(env!("OUT_DIR"), "/opencc_", $name, ".bin")),
        )
    }};
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
            assert_eq!(table.len(), text.len(), "{name}");
            // Every key of the text leads to its own value (and there are no other entries).
            for (key, value) in &text {
                let index = table.trie.exact_match_search(key.as_bytes());
                let found = index.map(|i| table.value(i as usize));
                assert_eq!(found, Some(value.as_str()), "{name}: {key}");
            }
        }
    }

    #[test]
    fn tries_are_valid_double_arrays() {
        for (name, table) in tables() {
            let bytes: &[u8] = table.trie.0;
            assert!(yada::DoubleArray::new(bytes).is_ok(), "{name}");
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
