//! Warnings, no change: a Latin function word inside Chinese text (the sample's ` and `
//! where `和` belongs), and a paragraph that ends without punctuation but was not joined.

use super::blocks::{blocks, BlockKind};
use super::{Lines, NormWarning};
use crate::cjk::{is_byline, is_cjk, is_han, paragraph_kind};
use crate::model::ParaKind;

/// English words that have no business between two Chinese characters.
const FUNCTION_WORDS: &[&str] = &[
    "and", "or", "the", "of", "to", "in", "on", "at", "by", "for", "with", "from", "is", "are",
    "was", "as",
];

/// Latin function words whose nearest non-space neighbours on both sides are Chinese.
fn stray_words(line: &str) -> Vec<String> {
    let cs: Vec<char> = line.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < cs.len() {
        if !cs[i].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let start = i;
        while i < cs.len() && cs[i].is_ascii_alphabetic() {
            i += 1;
        }
        let word: String = cs[start..i].iter().collect();
        // Lower case and set off by spaces, as a stray English word is (`5A级`, `A股` are not).
        let spaced = start > 0
            && cs[start - 1].is_whitespace()
            && cs.get(i).is_some_and(|c| c.is_whitespace());
        if !spaced || !FUNCTION_WORDS.contains(&word.as_str()) {
            continue;
        }
        let left = cs[..start].iter().rev().find(|c| !c.is_whitespace());
        let right = cs[i..].iter().find(|c| !c.is_whitespace());
        if left.is_some_and(|&c| is_han(c)) && right.is_some_and(|&c| is_cjk(c)) {
            out.push(word);
        }
    }
    out
}

pub(crate) fn run(lines: &Lines, warnings: &mut Vec<NormWarning>) {
    for b in blocks(lines) {
        if b.kind != BlockKind::Paragraph {
            continue;
        }
        let kept: Vec<_> = lines.lines[b.start..b.end]
            .iter()
            .filter(|l| !l.removed)
            .collect();
        for l in &kept {
            let unreadable = l
                .text
                .match_indices('?')
                .filter(|&(i, _)| super::punctuation::unreadable(&l.text, i))
                .count();
            if unreadable > 0 {
                warnings.push(NormWarning {
                    line: l.origin + 1,
                    kind: "unreadable-character",
                    message: format!(
                        "`?` between two Chinese characters ({unreadable}×) stands for a character the converter could not read: left as it is"
                    ),
                });
            }
            for w in stray_words(&l.text) {
                warnings.push(NormWarning {
                    line: l.origin + 1,
                    kind: "latin-word",
                    message: format!(
                        "the Latin word `{w}` stands inside Chinese text (a conversion error? `and` is usually `和`)"
                    ),
                });
            }
        }
        let Some(last) = kept.last() else { continue };
        let text = last.text.trim_end();
        let Some(end) = text.chars().next_back() else {
            continue;
        };
        let first = kept.first().map_or("", |l| l.text.as_str());
        // Only running text is expected to end in punctuation; titles, names and
        // labels (short, no clause punctuation) are left alone.
        let running = text.chars().count() > 40 || text.contains(['，', '。', ',']);
        if (is_han(end) || end.is_ascii_alphanumeric())
            && running
            && paragraph_kind(first) == ParaKind::Body
            && !is_byline(first)
        {
            warnings.push(NormWarning {
                line: last.origin + 1,
                kind: "unterminated-paragraph",
                message: "the paragraph ends without punctuation but was not joined to the next (a page break the normalizer could not prove?)".into(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stray_latin() {
        assert_eq!(stray_words("党的二十大精神 and 习近平"), vec!["and"]);
        assert!(stray_words("使用 AI and ML 技术").is_empty());
        assert!(stray_words("GDP增长").is_empty());
        assert!(stray_words("5A级景区 A 股").is_empty());
    }
}
