//! The shape of the printed lines, as converters keep it: hard wraps (pdftotext,
//! markitdown: one printed line per text line) or a space at each wrap (pymupdf4llm: one
//! paragraph per line). Justified Chinese lines hold nearly the same width, the first
//! line of a paragraph is two ems shorter (its indent), the last is usually shorter
//! still — so a page or column that ends on a full line ends in mid-paragraph, and a line
//! of full width at the top of the next is no paragraph's first line. This module
//! measures the full width from the issue and answers those questions.

use super::blocks::{blocks, BlockKind};
use super::Lines;
use crate::cjk::{is_cjk, is_cjk_punct};
use std::collections::HashMap;

/// How the converter wrapped the printed lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wrap {
    /// No wrapped paragraphs to learn from.
    Unknown,
    /// One text line per printed line.
    Hard,
    /// One text line per paragraph, a space where each printed line ended.
    Spaces,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Shape {
    pub wrap: Wrap,
    /// Width of a full printed line, in ems.
    pub full: f32,
    /// Paragraphs run on without blank lines between them (pdftotext): a blank line in
    /// the text is then a page break's, not a paragraph's end.
    pub unseparated: bool,
}

/// Width of text in ems as a CJK face sets it: ideographs and full-width marks one em,
/// Latin letters and digits about 0.43, and a quarter-em-plus gap where Chinese and
/// Latin meet; `*` (Markdown emphasis) takes none (measured on the round-trip corpus: residual under 1.5 ems on 95% of lines).
pub(crate) fn width(s: &str) -> f32 {
    let mut w = 0.0;
    let mut prev: Option<bool> = None;
    for c in s.chars() {
        add_width(&mut w, &mut prev, c);
    }
    w
}

/// One character's share of [`width`]: `prev` is whether the last one counted was wide.
#[inline]
fn add_width(w: &mut f32, prev: &mut Option<bool>, c: char) {
    // Emphasis marks are Markdown, not print.
    if space_or_star(c) {
        return;
    }
    // The code point test first: it settles every ideograph without the class look-ups.
    let wide = (c as u32) > 0x2E80 || is_cjk(c);
    *w += if wide { 1.0 } else { 0.43 };
    if prev.is_some_and(|p| p != wide) {
        *w += 0.37;
    }
    *prev = Some(wide);
}

/// `char::is_whitespace`, with an ideograph settled without the Unicode table: above
/// U+2E80 the only white space is the ideographic space.
#[inline]
pub(crate) fn is_space(c: char) -> bool {
    if (c as u32) > 0x2E80 {
        c == '\u{3000}'
    } else {
        c.is_whitespace()
    }
}

/// White space or `*`: what a width does not count.
#[inline]
pub(crate) fn space_or_star(c: char) -> bool {
    is_space(c) || c == '*'
}

/// A Chinese mark (what [`squeeze`] counts); the common ideographs settled first.
#[inline]
fn is_mark(c: char) -> bool {
    !matches!(c as u32, 0x4E00..=0x9FFF) && is_cjk_punct(c)
}

/// Ideographs and marks only: such a line's width is exact.
pub(crate) fn pure(s: &str) -> bool {
    s.chars().all(|c| !c.is_ascii())
}

/// The full width: the width most lines measure. Justification moves a line off it by
/// about an em either way — shorter when a mark may not start the next line (the line
/// is stretched), longer when marks are set half width — but most lines hold it exactly.
fn full_width(ws: &[(f32, f32, bool)]) -> Option<f32> {
    let pick = |exact: bool| {
        let mut count: HashMap<i32, usize> = HashMap::new();
        for &(w, _, e) in ws {
            if w >= 8.0 && (e || !exact) {
                *count.entry(w.round() as i32).or_default() += 1;
            }
        }
        count
            .into_iter()
            .max_by_key(|&(n, c)| (c, n))
            .filter(|&(_, c)| c >= 5)
            .map(|(n, _)| n as f32)
    };
    pick(true).or_else(|| pick(false))
}

/// A line's width, its possible squeeze, and whether the width is exact (no Latin).
fn measured(s: &str) -> (f32, f32, bool) {
    // One pass: the same sums as `width`, `squeeze` and `pure`.
    let (mut w, mut prev, mut marks, mut pure) = (0.0, None, 0usize, true);
    for c in s.chars() {
        pure &= !c.is_ascii();
        marks += usize::from(is_mark(c));
        add_width(&mut w, &mut prev, c);
    }
    (w, 0.5 * marks as f32, pure)
}

/// The spaces of a one-line paragraph that stand where printed lines ended: the text
/// between two of them fills a line (the first line less its two-em indent, or a full
/// one). Byte offsets of those spaces.
pub(crate) fn wrap_spaces(line: &str, full: f32) -> Vec<usize> {
    let fits = |seg: &str, first: bool| {
        let w = width(seg);
        let tol = if pure(seg) { 0.6 } else { 1.6 };
        // Up to two ems short (a line stretched where a mark or a Latin word could not
        // be split) to a few marks long (squeezed ones).
        let ok = |target: f32| w >= target - 2.0 - tol && w <= target + tol + squeeze(seg);
        ok(full) || (first && ok(full - 2.0))
    };
    let mut out = Vec::new();
    // Where the current printed line began: after the last wrap found (or a line's worth
    // counted off when a wrap had no space), and after the last space of any kind.
    let mut seg_start = 0;
    let mut after_space = 0;
    let mut first = true;
    for (i, c) in line.char_indices() {
        if c != ' ' {
            continue;
        }
        // Longer than a line: a wrap with no space (two pages' lines joined, or a wrap we
        // missed). Count whole lines off the front until at most one is left.
        let seg = &line[seg_start..i];
        let tol = if pure(seg) { 0.6 } else { 1.6 };
        if width(seg) > full + tol + squeeze(seg) {
            seg_start += whole_lines(seg, full, first, tol);
            first = false;
        }
        // A short unpunctuated tail (`省长 任振鹤`) is a name, not a paragraph's last line
        // (which ends in a mark): the space before it is deliberate.
        let rest = &line[i + 1..];
        let name_tail = !rest.contains(' ')
            && rest.chars().count() <= 4
            && rest.chars().all(crate::cjk::is_han);
        // From the last wrap, or — when a wrap was missed and the count drifted — from
        // the last space.
        if !name_tail
            && (fits(&line[seg_start..i], first) || fits(&line[after_space..i], after_space == 0))
        {
            out.push(i);
            seg_start = i + 1;
            first = false;
        }
        after_space = i + 1;
    }
    out
}

/// Half an em for each Chinese mark: adjacent or line-final marks may be set half width.
pub(crate) fn squeeze(s: &str) -> f32 {
    0.5 * s.chars().filter(|&c| is_mark(c)).count() as f32
}

/// Bytes of `s` that fill whole printed lines (the first `first` lines two ems short),
/// leaving at most a line's width: one pass over `s` (characters counted without the
/// Chinese–Latin gaps; this only finds where to count afresh).
fn whole_lines(s: &str, full: f32, first: bool, tol: f32) -> usize {
    let (total, total_sq) = (width(s), squeeze(s));
    let mut target = if first { full - 2.0 } else { full };
    let (mut acc, mut consumed, mut consumed_sq, mut cut) = (0.0, 0.0, 0.0, 0);
    for (i, c) in s.char_indices() {
        acc += width(&s[i..i + c.len_utf8()]);
        if is_cjk_punct(c) {
            consumed_sq += 0.5;
        }
        if acc >= target - 0.3 {
            cut = i + c.len_utf8();
            consumed += acc;
            acc = 0.0;
            target = full;
            if total - consumed <= full + tol + (total_sq - consumed_sq) {
                break;
            }
        }
    }
    cut.max(s.chars().next().map_or(0, char::len_utf8))
}

impl Shape {
    pub(crate) fn measure(lines: &Lines) -> Shape {
        let mut hard: Vec<(f32, f32, bool)> = Vec::new();
        let mut segs: Vec<(f32, f32, bool)> = Vec::new();
        let mut paragraphs = 0usize;
        let mut blocks_seen = 0usize;
        let mut inner_ends: Vec<f32> = Vec::new();
        for b in blocks(lines) {
            if b.kind != BlockKind::Paragraph {
                continue;
            }
            blocks_seen += 1;
            let kept: Vec<&str> = lines.lines[b.start..b.end]
                .iter()
                .filter(|l| !l.removed)
                .map(|l| l.text.trim())
                .collect();
            if let [body @ .., _last] = kept.as_slice() {
                for (k, l) in body.iter().enumerate() {
                    let w = measured(l);
                    hard.push(w);
                    // A line inside a block that ends a sentence: maybe a paragraph's end.
                    if k + 1 < kept.len() && l.ends_with(['。', '！', '？', '”']) {
                        inner_ends.push(w.0);
                    }
                }
            }
            for l in &kept {
                // Two spaces at least (most lines have none).
                if l.bytes().filter(|&b| b == b' ').nth(1).is_none() {
                    continue;
                }
                let parts: Vec<&str> = l.split(' ').collect();
                if parts.len() >= 3 {
                    paragraphs += 1;
                    for p in &parts[1..parts.len() - 1] {
                        segs.push(measured(p));
                    }
                }
            }
        }
        let hard_full = full_width(&hard);
        let seg_full = full_width(&segs);
        let near = |ws: &[(f32, f32, bool)], full: f32| {
            ws.iter()
                .filter(|(w, sq, _)| *w >= full - 1.6 && *w <= full + 1.6 + sq)
                .count()
        };
        let (wrap, full) = match (hard_full, seg_full) {
            (Some(h), _) if near(&hard, h) * 5 >= hard.len() * 2 && hard.len() >= 10 => {
                (Wrap::Hard, h)
            }
            (_, Some(s)) if near(&segs, s) * 2 >= segs.len() && paragraphs >= 3 => {
                (Wrap::Spaces, s)
            }
            _ => (Wrap::Unknown, 0.0),
        };
        // Paragraph ends inside blocks (a short line closing a sentence, then more text)
        // outnumbering the blocks: the converter runs paragraphs together.
        let short_ends = inner_ends
            .iter()
            .filter(|&&w| wrap == Wrap::Hard && w < full - 2.5)
            .count();
        Shape {
            wrap,
            full,
            unseparated: wrap == Wrap::Hard && short_ends >= 3 && short_ends > blocks_seen,
        }
    }

    /// Does this printed line reach the right margin? `first` when it is also its
    /// paragraph's first line (two ems of indent).
    pub(crate) fn is_full(&self, line: &str, first: bool) -> bool {
        if self.wrap == Wrap::Unknown {
            return false;
        }
        let w = width(line);
        let tol = if pure(line) { 0.6 } else { 1.3 };
        // A full line can hold an em less (stretched) or more marks than ems (squeezed).
        let fits = |target: f32| w >= target - 1.0 - tol && w <= target + tol + squeeze(line);
        fits(self.full) || (first && fits(self.full - 2.0))
    }

    /// Is this the full width, not a paragraph's indented first line (two ems short)? An
    /// indented line can still hold a full line's characters when four marks or more are
    /// set half wide (`各位代表！事惟经过，方知艰辛。“十四五”…`): no evidence then.
    pub(crate) fn is_unindented(&self, line: &str) -> bool {
        let tol = if pure(line) { 0.3 } else { 0.8 };
        self.wrap != Wrap::Unknown
            && width(line) >= self.full - tol
            && width(line) - squeeze(line) > self.full - 2.0 + tol
    }

    /// Is this printed line clearly short of the margin (a paragraph's last line)?
    pub(crate) fn is_short(&self, line: &str, first: bool) -> bool {
        if self.wrap != Wrap::Hard {
            return false;
        }
        let indent = if first { 2.0 } else { 0.0 };
        width(line) < self.full - indent - 2.5
    }

    /// A block's last printed line — the text after its last space in spaces mode (a
    /// deliberate space there only makes it look shorter: never a false "full") — and
    /// whether it is also the block's first.
    pub(crate) fn last_printed<'a>(&self, last_line: &'a str) -> (&'a str, bool) {
        match (self.wrap, last_line.rfind(' ')) {
            (Wrap::Spaces, Some(i)) => (&last_line[i + 1..], false),
            _ => (last_line, true),
        }
    }

    /// A block's first printed line (before its first space, in spaces mode).
    pub(crate) fn first_printed<'a>(&self, first_line: &'a str) -> &'a str {
        match (self.wrap, first_line.find(' ')) {
            (Wrap::Spaces, Some(i)) => &first_line[..i],
            _ => first_line,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths() {
        assert_eq!(width("目标任务"), 4.0);
        assert!((width("达到13697.5") - (2.0 + 7.0 * 0.43 + 0.37)).abs() < 1e-4);
    }

    #[test]
    fn an_indented_line_squeezed_full_is_no_evidence() {
        let shape = Shape {
            wrap: Wrap::Hard,
            full: 32.0,
            unseparated: false,
        };
        // 32 characters, six marks: two ems in, with four marks set half wide.
        assert!(
            !shape.is_unindented("各位代表！事惟经过，方知艰辛。“十四五”时期是天津爬坡过坎、积势")
        );
        // 32 characters, one mark: it can only be a full line.
        assert!(
            shape.is_unindented("在真抓实干中勇毅前行在积蓄成势中锐意进取知恩感恩知重负重汇聚起，")
        );
    }

    #[test]
    fn wrap_spaces_found_by_width() {
        // Lines of 10 ems: an 8-em first line (indent), then 10, then the rest; the
        // space in `省长 任振鹤` falls short of a line and stays.
        let t = "一二三四五六七八 一二三四五六七八九十 省长 任振鹤";
        let w = wrap_spaces(t, 10.0);
        assert_eq!(w.len(), 2);
        assert_eq!(&t[w[0]..w[0] + 1], " ");
        assert!(t[w[1] + 1..].starts_with("省长"));
    }
}
