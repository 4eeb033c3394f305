//! The structure a converter lost: paragraph ends and headings recovered from the shape
//! of the printed lines (hard-wrapped text: pdftotext, markitdown). Each change is a
//! repair with its evidence, and can be vetoed like a join.

mod headings;
mod marked;
mod paragraphs;
mod printed;

pub(crate) use headings::run as mark_headings;
pub(crate) use marked::run as fix_marked_headings;
pub(crate) use paragraphs::run as split_paragraphs;

/// The last printed line of these text lines (pieces put back together).
pub(crate) fn last_printed(texts: &[&str], full: f32) -> String {
    printed::printed_lines(texts, full)
        .pop()
        .map(|p| p.text.into_owned())
        .unwrap_or_default()
}

/// The first printed line of these text lines.
pub(crate) fn first_printed(texts: &[&str], full: f32) -> String {
    printed::printed_lines(texts, full)
        .into_iter()
        .next()
        .map(|p| p.text.into_owned())
        .unwrap_or_default()
}

use super::blocks::{blocks, BlockKind};
use super::Lines;
use std::collections::HashSet;

/// Input lines that begin a block of text as the converter gave it (after a blank line,
/// i.e. a vertical gap in print, or a page break). A printed heading has space above it;
/// a numbered paragraph set as body text has none.
pub(crate) fn gap_origins(lines: &Lines) -> HashSet<usize> {
    blocks(lines)
        .iter()
        .filter(|b| b.kind == BlockKind::Paragraph)
        .filter_map(|b| (b.start..b.end).find(|&i| !lines.lines[i].removed))
        .map(|i| lines.lines[i].origin)
        .collect()
}

/// The text inside one pair of round brackets that opens and closes `t`, if it does.
pub(crate) fn in_brackets(t: &str) -> Option<&str> {
    t.strip_prefix(['（', '('])
        .and_then(|r| r.strip_suffix(['）', ')']))
}

/// Names set apart by spaces (`湖北省人民政府省长 李殿勋`, `中共中央 国务院`): short Han
/// words, nothing else.
pub(crate) fn name_line(t: &str) -> bool {
    let t = t.trim();
    // No space between words: one word (most lines).
    if !t.contains(' ') && !t.contains('\u{3000}') {
        return false;
    }
    let words: Vec<&str> = t
        .split([' ', '\u{3000}'])
        .filter(|s| !s.is_empty())
        .collect();
    words.len() >= 2
        && words.iter().all(|w| {
            w.chars().count() <= 12 && w.chars().all(|c| crate::cjk::is_han(c) || c == '·')
        })
        && t.chars().count() <= 40
}
