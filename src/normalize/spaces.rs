//! Line-wrap spaces: a converter that writes each paragraph as one line (pymupdf4llm)
//! leaves a space where every printed line ended — `第十五 个五年规划` — which readers then
//! see. Those spaces are found by the printed lines' width ([`super::lineshape`]), so the
//! deliberate ones stay (`省长 任振鹤`, `记者 朱梦琪`, a headline's phrase gap, Latin text);
//! each removal is a repair, so each can be shown where it stood. Where such a converter ran
//! two paragraphs into one line (`……护航。 各位代表！`), the line is split in two.

use super::blocks::{blocks, BlockKind};
use super::lineshape::{width, wrap_spaces, Shape, Wrap};
use super::{head, tail, Lines, Repair};

/// Returns the number of spaces removed.
pub(crate) fn run(lines: &mut Lines, shape: &Shape, repairs: &mut Vec<Repair>) -> usize {
    if shape.wrap != Wrap::Spaces {
        return 0;
    }
    let latin = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    let mut total = 0;
    let mut splits: Vec<(usize, Vec<usize>)> = Vec::new();
    for b in blocks(lines) {
        if !matches!(b.kind, BlockKind::Paragraph | BlockKind::List) {
            continue;
        }
        for i in b.start..b.end {
            let l = &lines.lines[i];
            if l.removed {
                continue;
            }
            let text = &l.text;
            let wraps = wrap_spaces(text, shape.full);
            let ends = paragraph_ends(text, &wraps, shape.full);
            // Between two Latin words a wrap is a word space: it stays.
            let cut: Vec<usize> = wraps
                .iter()
                .copied()
                .filter(|&s| {
                    !(latin(text[..s].chars().next_back()) && latin(text[s + 1..].chars().next()))
                        && ends.binary_search(&s).is_err()
                })
                .collect();
            if let Some(&e) = ends.first() {
                repairs.push(Repair {
                    evidence: Some(format!(
                        "a sentence ends short of the {} ems of a printed line and the next \
                         begins: the converter ran paragraphs into one line",
                        shape.full
                    )),
                    ..Repair::new(
                        l.origin + 1,
                        "paragraph-split",
                        format!("{} {}", tail(&text[..e], 6), head(&text[e + 1..], 6)),
                        format!("{}⏎⏎{}", tail(&text[..e], 6), head(&text[e + 1..], 6)),
                    )
                });
            }
            // Where the paragraph breaks go once the wrap spaces are out (in characters).
            let gone_before = |s: usize| cut.partition_point(|&c| c < s);
            let end_chars: Vec<usize> = ends
                .iter()
                .map(|&e| text[..e].chars().count() - gone_before(e))
                .collect();
            if !end_chars.is_empty() {
                splits.push((i, end_chars));
            }
            if cut.is_empty() {
                continue;
            }
            let mut out = String::with_capacity(text.len());
            let mut from = 0;
            for &s in &cut {
                out.push_str(&text[from..s]);
                from = s + 1;
            }
            out.push_str(&text[from..]);
            // Each removed space is a repair of its own, so the review page marks every
            // one where it stood (an unmarked removal can hide a false merge).
            for &s in &cut {
                repairs.push(Repair {
                    evidence: Some(format!(
                        "a printed line of {} ems ended here: the converter's line-wrap space",
                        shape.full
                    )),
                    ..Repair::new(
                        l.origin + 1,
                        "line-wrap-space",
                        format!("{} {}", tail(&text[..s], 4), head(&text[s + 1..], 4)),
                        format!("{}{}", tail(&text[..s], 4), head(&text[s + 1..], 4)),
                    )
                });
            }
            let char_at: Vec<usize> = cut.iter().map(|&s| text[..s].chars().count()).collect();
            total += cut.len();
            lines.lines[i].text = out;
            lines.shift_marks(i, &char_at);
        }
    }
    lines.split_at_spaces(&splits);
    total
}

/// Spaces where one paragraph ends and the next begins on the same text line: after a
/// sentence's end (`。`, `！`, `？`, a closing quote after them) or a bold run-in heading
/// (`**……** 2025年是`), where the text since the last space is short of a printed line
/// (a paragraph's last line, not a wrap).
fn paragraph_ends(line: &str, wraps: &[usize], full: f32) -> Vec<usize> {
    let mut out = Vec::new();
    let mut prev = 0;
    for (i, c) in line.char_indices() {
        if c != ' ' {
            continue;
        }
        let seg_start = prev;
        prev = i + 1;
        if i + 1 >= line.len() || !line.is_char_boundary(i + 1) {
            continue;
        }
        let before = line[..i].trim_end_matches(['”', '’', '」', '』']);
        let after = line[i + 1..].chars().next();
        // A bold run-in heading ends its own paragraph wherever it falls in the line.
        let run_in = before.ends_with("**")
            && line.starts_with("**")
            && line[2..i].matches("**").count() == 1;
        let sentence = before.ends_with(['。', '！', '？'])
            && wraps.binary_search(&i).is_err()
            && width(&line[seg_start..i]) < full - 2.5;
        if (sentence || run_in) && after.is_some_and(|c| !c.is_whitespace()) {
            out.push(i);
        }
    }
    out
}
