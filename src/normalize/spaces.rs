//! Line-wrap spaces: a converter that writes each paragraph as one line (pymupdf4llm)
//! leaves a space where every printed line ended — `第十五 个五年规划` — which readers then
//! see. Those spaces are found by the printed lines' width ([`super::lineshape`]), so the
//! deliberate ones stay (`省长 任振鹤`, `记者 朱梦琪`, a headline's phrase gap, Latin text);
//! each paragraph's removals are one repair with their count.

use super::blocks::{blocks, BlockKind};
use super::lineshape::{wrap_spaces, Shape, Wrap};
use super::{head, tail, Lines, Repair};

/// Returns the number of spaces removed.
pub(crate) fn run(lines: &mut Lines, shape: &Shape, repairs: &mut Vec<Repair>) -> usize {
    if shape.wrap != Wrap::Spaces {
        return 0;
    }
    let latin = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    let mut total = 0;
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
            // Between two Latin words a wrap is a word space: it stays.
            let cut: Vec<usize> = wrap_spaces(text, shape.full)
                .into_iter()
                .filter(|&s| {
                    !(latin(text[..s].chars().next_back()) && latin(text[s + 1..].chars().next()))
                })
                .collect();
            let Some(&first) = cut.first() else {
                continue;
            };
            let mut out = String::with_capacity(text.len());
            let mut from = 0;
            for &s in &cut {
                out.push_str(&text[from..s]);
                from = s + 1;
            }
            out.push_str(&text[from..]);
            let before = format!(
                "{} {}",
                tail(&text[..first], 6),
                head(&text[first + 1..], 6)
            );
            let after = format!("{}{}", tail(&text[..first], 6), head(&text[first + 1..], 6));
            let char_at: Vec<usize> = cut.iter().map(|&s| text[..s].chars().count()).collect();
            repairs.push(Repair {
                evidence: Some(format!(
                    "{} space{} where printed lines of {} ems ended",
                    cut.len(),
                    if cut.len() == 1 { "" } else { "s" },
                    shape.full
                )),
                ..Repair::new(l.origin + 1, "line-wrap-space", before, after)
            });
            total += cut.len();
            lines.lines[i].text = out;
            lines.shift_marks(i, &char_at);
        }
    }
    total
}
