//! OpenCC's Simplified → Traditional conversion, as the `opencc` command (1.1) does it:
//! the text is first cut into segments by longest match against `STPhrases` (OpenCC's
//! "mmseg" segmentation), then every stage of the chain converts each segment on its own,
//! by longest match against its dictionaries (in a group, the first dictionary that
//! matches wins). The dictionaries are OpenCC 1.1.6's, compiled in (`data/opencc/`).
//!
//! ferrous-opencc 0.4 was tried first: it skips the segmentation (a later stage's phrase
//! may then match across two segments, `讨论通过了` → `討論透過了` where OpenCC keeps
//! `通過`) and ships newer dictionaries (`万里` → `萬里`, OpenCC 1.1.6 `萬裏`), so its output
//! differed from Debian's `opencc` in 12 of the 38 golden texts (tests/editions.rs).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

/// One OpenCC dictionary: text → its first candidate, and the longest key (in characters)
/// for each first character, which bounds the longest-match search.
pub struct Dict {
    entries: HashMap<&'static str, &'static str>,
    longest: HashMap<char, usize>,
}

impl Dict {
    fn parse(text: &'static str) -> Dict {
        let mut entries = HashMap::new();
        let mut longest: HashMap<char, usize> = HashMap::new();
        for line in text.lines() {
            let Some((key, values)) = line.split_once('\t') else {
                continue;
            };
            let Some(first) = key.chars().next() else {
                continue;
            };
            let value = values.split(' ').next().unwrap_or(values);
            entries.insert(key, value);
            let n = key.chars().count();
            let l = longest.entry(first).or_insert(0);
            *l = (*l).max(n);
        }
        Dict { entries, longest }
    }

    /// The longest key that `s` starts with: its length in bytes and its value.
    fn match_prefix(&self, s: &str) -> Option<(usize, &'static str)> {
        let first = s.chars().next()?;
        let max = *self.longest.get(&first)?;
        // The ends after 1..=max characters, longest first, without a list per position
        // (this runs at every character of the issue).
        let bound = s.char_indices().nth(max).map_or(s.len(), |(i, _)| i);
        let shorter = s[..bound].char_indices().rev().map(|(i, _)| i);
        std::iter::once(bound)
            .chain(shorter.take_while(|&i| i > 0))
            .find_map(|end| self.entries.get(&s[..end]).map(|v| (end, *v)))
    }
}

/// A stage's dictionaries: the first that matches at a position wins.
fn match_group(group: &[&Dict], s: &str) -> Option<(usize, &'static str)> {
    group.iter().find_map(|d| d.match_prefix(s))
}

macro_rules! dict {
    ($name:literal) => {{
        static D: OnceLock<Dict> = OnceLock::new();
        D.get_or_init(|| Dict::parse(include_str!(concat!("../../data/opencc/", $name, ".txt"))))
    }};
}

/// A conversion chain: OpenCC's `s2t.json`, `s2twp.json` or `s2hk.json`.
pub struct Chain {
    stages: Vec<Vec<&'static Dict>>,
}

/// The OpenCC configurations paiban's editions use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Config {
    S2t,
    S2twp,
    S2hk,
}

impl Chain {
    /// The chain of `config`; its dictionaries are parsed on first use (about 1 MB of
    /// text, once per process) and shared.
    pub fn new(config: Config) -> Chain {
        let st = vec![dict!("STPhrases"), dict!("STCharacters")];
        let stages = match config {
            Config::S2t => vec![st],
            Config::S2twp => vec![st, vec![dict!("TWPhrases")], vec![dict!("TWVariants")]],
            Config::S2hk => vec![st, vec![dict!("HKVariants")]],
        };
        Chain { stages }
    }

    pub fn convert(&self, text: &str) -> String {
        let mut segments: Vec<Cow<'_, str>> = segment(dict!("STPhrases"), text)
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
fn convert_segment(group: &[&Dict], s: &str) -> String {
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
}
