//! Warnings, no change: a Latin function word inside Chinese text (the sample's ` and `
//! where `和` belongs), a paragraph that ends without punctuation but was not joined, and
//! what the normalizer could not recover of the original's structure: a paragraph longer
//! than any a newspaper prints, and a numbered section head (`二、`, `（三）`, `第一章`)
//! inside a paragraph.

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
    let mut out = Vec::new();
    // Most lines hold no Latin letter at all.
    if !line.bytes().any(|b| b.is_ascii_alphabetic()) {
        return out;
    }
    let cs: Vec<char> = line.chars().collect();
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

/// Longest paragraph a newspaper prints, in characters (white space not counted). The
/// longest of the 41 original texts the normalizer is developed on is 1,494 characters
/// (an obituary's biography), the median 154: past this, paragraphs were run together.
pub(crate) const MAX_PARAGRAPH_CHARS: usize = 1_500;

const NUMERALS: &str = "一二三四五六七八九十";

/// The numbered head that starts `cs` (`二、`, `（三）`, `(四)`, `第一章`, `第二部分`),
/// as its length in characters. `一、二、三产业` is a list of numbers, not a head.
fn numbered_head(cs: &[char]) -> Option<usize> {
    let numeral = |from: usize| {
        cs[from.min(cs.len())..]
            .iter()
            .take(3)
            .take_while(|c| NUMERALS.contains(**c))
            .count()
    };
    let n = numeral(0);
    if n > 0 && cs.get(n) == Some(&'、') {
        let again = numeral(n + 1);
        return (again == 0 || cs.get(n + 1 + again) != Some(&'、')).then_some(n + 1);
    }
    if let Some(close) = match cs.first() {
        Some('（') => Some('）'),
        Some('(') => Some(')'),
        _ => None,
    } {
        let n = numeral(1);
        return (n > 0 && cs.get(1 + n) == Some(&close)).then_some(n + 2);
    }
    if cs.first() == Some(&'第') {
        let n = cs[1..]
            .iter()
            .take(4)
            .take_while(|c| NUMERALS.contains(**c) || matches!(c, '百' | '零' | '〇'))
            .count();
        let rest = &cs[(1 + n).min(cs.len())..];
        if n > 0 {
            if matches!(rest.first(), Some('章' | '节' | '篇')) {
                return Some(n + 2);
            }
            if rest.starts_with(&['部', '分']) {
                return Some(n + 3);
            }
        }
    }
    None
}

/// Numbered heads standing inside a paragraph, after a sentence's end (`……增长。二、今年的
/// 主要任务`, the head often on a printed line of its own): (index of the line among
/// `texts`, the head with the words after it). The paragraph's own first words never
/// count: a run-in `（一）……。` begins its paragraph.
fn heads_inside(texts: &[&str]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut after_end = false;
    let mut at_start = true;
    for (k, t) in texts.iter().enumerate() {
        for (i, c) in t.char_indices() {
            if crate::normalize::lineshape::space_or_star(c) {
                continue;
            }
            // Only a numeral, a bracket or `第` can begin a head: the characters are read
            // there only (a head and the words after it are under 24 characters).
            let may_open = |c: char| NUMERALS.contains(c) || matches!(c, '（' | '(' | '第');
            if after_end && !at_start && may_open(c) {
                let cs: Vec<char> = t[i..].chars().take(24).collect();
                if let Some(n) = numbered_head(&cs) {
                    // The head and what follows it, to the next mark.
                    let words = cs[n..]
                        .iter()
                        .take(10)
                        .take_while(|c| !crate::cjk::is_cjk_punct(**c) && **c != '*')
                        .count();
                    out.push((k, cs[..n + words].iter().collect()));
                }
            }
            at_start = false;
            after_end = matches!(c, '。' | '！' | '？' | '!' | '?')
                || (after_end && crate::cjk::is_trailing_closer(c));
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
        structure(&kept, warnings);
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

/// What the normalizer could not recover of one paragraph's structure.
fn structure(kept: &[&super::Line], warnings: &mut Vec<NormWarning>) {
    // A character takes a byte at least: most paragraphs are too short to count.
    let bytes: usize = kept.iter().map(|l| l.text.len()).sum();
    let chars: usize = if bytes > MAX_PARAGRAPH_CHARS {
        kept.iter()
            .map(|l| l.text.chars().filter(|c| !c.is_whitespace()).count())
            .sum()
    } else {
        0
    };
    if chars > MAX_PARAGRAPH_CHARS {
        warnings.push(NormWarning {
            line: kept[0].origin + 1,
            kind: "overlong-paragraph",
            message: format!(
                "the paragraph is {chars} characters long, longer than any a newspaper prints ({MAX_PARAGRAPH_CHARS}): paragraphs the converter ran together?"
            ),
        });
    }
    let texts: Vec<&str> = kept.iter().map(|l| l.text.as_str()).collect();
    for (k, head) in heads_inside(&texts) {
        warnings.push(NormWarning {
            line: kept[k].origin + 1,
            kind: "numbered-head-inside",
            message: format!(
                "the numbered head `{head}` stands inside a paragraph: a section head the converter ran into the text?"
            ),
        });
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

    #[test]
    fn numbered_heads() {
        let h = |s: &str| numbered_head(&s.chars().collect::<Vec<_>>());
        assert_eq!(h("二、今年"), Some(2));
        assert_eq!(h("十二、附则"), Some(3));
        assert_eq!(h("（三）加快"), Some(3));
        assert_eq!(h("(四)加快"), Some(3));
        assert_eq!(h("第一章 总则"), Some(3));
        assert_eq!(h("第二部分"), Some(4));
        assert_eq!(h("一、二、三产业融合"), None);
        assert_eq!(h("一是"), None);
        assert_eq!(h("第一次"), None);
    }

    #[test]
    fn heads_inside_a_paragraph() {
        let found =
            |t: &[&str]| -> Vec<String> { heads_inside(t).into_iter().map(|x| x.1).collect() };
        // Run into the text after a sentence, or on a printed line of its own.
        assert_eq!(
            found(&["增长百分之五。二、今年的主要任务。今年是"]),
            vec!["二、今年的主要任务"]
        );
        assert_eq!(
            found(&["生活水平不断提高。", "三、加强政府自身建设", "各级政府要"]),
            vec!["三、加强政府自身建设"]
        );
        assert_eq!(
            found(&["完成任务。”（二）扩大内需"]),
            vec!["（二）扩大内需"]
        );
        // A run-in head at the paragraph's start is how such paragraphs begin.
        assert!(found(&["（一）坚持稳中求进。经济运行总体平稳。"]).is_empty());
        assert!(found(&["**一、总体要求**", "坚持稳中求进。"]).is_empty());
        // Enumerations inside a sentence are no heads.
        assert!(found(&["推动一、二、三产业融合发展。一、二、三产业"]).is_empty());
        assert!(found(&["主要包括：（一）规划；（二）实施。"]).is_empty());
    }
}
