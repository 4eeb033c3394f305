//! Paragraph ends inside hard-wrapped blocks. pdftotext prints every printed line as a
//! line and leaves no blank line between paragraphs; markitdown leaves one only between
//! some blocks. Justified Chinese lines all hold the column's measure, so where the text
//! does not say, the lines' widths do: a paragraph's last line stops short of the
//! measure, the next paragraph's first line is two ems in, and a title, name or head is
//! a short line of its own without a stop. Where the evidence is only a stop at the
//! measure with no indent after it, the lines stay joined (precision first).

use super::printed::{printed_lines, Printed};
use crate::cjk::{is_numbered_head, text_ends_sentence};
use crate::normalize::blocks::{blocks, BlockKind};
use crate::normalize::evidence::Evidence;
use crate::normalize::lineshape::{Shape, Wrap};
use crate::normalize::{head, tail, Lines, Repair};

/// Marks that close a block of text other than a sentence: `各位代表：`, a list item's `；`.
pub(crate) fn ends_block(text: &str) -> bool {
    text_ends_sentence(text)
        || text
            .trim_end()
            .trim_end_matches(['”', '’', '」', '』', '）', ')', '》', '】'])
            .ends_with(['：', ':', '；', ';'])
}

/// Ends in a mark that leaves the sentence open (`，` `、` `——`) or opens something.
fn ends_open(text: &str) -> bool {
    text.trim_end()
        .chars()
        .next_back()
        .is_some_and(|c| "，,、（(《「『【“‘—-·".contains(c) || crate::cjk::is_opening_punct(c))
}

/// The whole text in one pair of brackets: `（……通过）`, not `（一）……（二）`.
fn bracketed(text: &str) -> bool {
    let Some(inner) = super::in_brackets(text) else {
        return false;
    };
    let mut depth = 0i32;
    for c in inner.chars() {
        match c {
            '（' | '(' => depth += 1,
            '）' | ')' => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return false;
        }
    }
    depth == 0 && inner.chars().count() >= 4
}

/// Widths of heading lines that recur: a headline set larger wraps at a measure of its
/// own, so a line at that width that is followed by a short one is one heading wrapped.
pub(crate) fn heading_measures<'a, 'b: 'a>(
    all: impl Iterator<Item = &'a Printed<'b>>,
    full: f32,
) -> Vec<f32> {
    let mut ws: Vec<f32> = all
        .filter(|p| p.width >= 6.0 && p.width < full - 2.5 && p.exact() && !ends_block(&p.text))
        .map(|p| p.width)
        .collect();
    ws.sort_by(f32::total_cmp);
    let mut out: Vec<f32> = Vec::new();
    for w in ws.windows(2) {
        if (w[1] - w[0]).abs() < 0.3 && out.last().is_none_or(|&l| (w[0] - l).abs() >= 0.3) {
            out.push(w[0]);
        }
    }
    out
}

/// Why printed line `j` ends its paragraph, if the evidence says so. `first`: the line
/// may be its paragraph's first (two ems in).
fn end_after(
    printed: &[Printed<'_>],
    j: usize,
    first: bool,
    full: f32,
    heads: &[f32],
    ev: &Evidence,
) -> Option<String> {
    let p = &printed[j];
    let n = &printed[j + 1];
    let text = p.text.trim_end();
    let indent = if first { 2.0 } else { 0.0 };
    let short_by = full - indent - p.width;
    let tol = p.tolerance();
    let next_is_last = j + 2 == printed.len();
    if ends_block(text) {
        if short_by >= 0.4 + tol {
            return Some(format!(
                "the line ends {:.0} ems short of the {full:.0}-em measure after a stop",
                short_by.max(1.0)
            ));
        }
        // At the measure: only the next line's indent says a paragraph ends here.
        // A first line one character short, whose last character was pushed down because
        // the mark after it may not begin a line (`……领航掌` / `舵，在于……`).
        let pushed = printed.get(j + 2).is_some_and(|m| {
            let mut cs = m.text.chars();
            cs.next().is_some_and(crate::cjk::is_han)
                && cs.next().is_some_and(crate::cjk::is_closing_punct)
        });
        let indented = !next_is_last
            && n.exact()
            && ((n.width - (full - 2.0)).abs() <= 0.6
                || pushed && (n.width - (full - 3.0)).abs() <= 0.6);
        if indented {
            return Some(format!(
                "the line ends at the {full:.0}-em measure after a stop and the next is indented two ems"
            ));
        }
        let numbered = is_numbered_head(&n.text)
            && !ends_block(&n.text)
            && n.width < full - 2.5
            && n.text.chars().count() <= 40;
        if numbered {
            return Some("the next line is a numbered head standing alone".to_string());
        }
        // A run-in head in another face opens only a paragraph.
        if n.run_in {
            return Some("a stop, and the next line opens with a run-in head".to_string());
        }
        // `（17）坚决破除……`, `二、……`, `11月28日，……` after a stop: a new point opens.
        if crate::normalize::joins::opens_point(&n.text) {
            return Some("a stop, and the next line opens a numbered point".to_string());
        }
        return None;
    }
    // `（2025年10月23日……全体会议通过）`: a note in brackets standing alone under a title.
    if bracketed(text) && full - p.width >= 0.4 + tol {
        return Some("a note in brackets on a line of its own".to_string());
    }
    if ends_open(text) {
        return None;
    }
    // A name line (`省长 李炳军`) under a dateline that reaches the measure.
    if super::name_line(&n.text) && !super::name_line(text) {
        return Some("the next line is a name standing alone".to_string());
    }
    // `……的说明` / `习近平` / `同志们：`: the speaker's name under a title at the measure,
    // before the salutation (the characters across it are no word of the issue).
    // (`河北省人民政府省长` / `王正谱`: an office and its holder stay one line.)
    let office = text.ends_with(['长', '记', '席', '任', '员', '理']);
    let speaker = !office
        && (2..=4).contains(&n.text.chars().count())
        && n.text.chars().all(crate::cjk::is_han)
        && printed.get(j + 2).is_some_and(|m| {
            m.text.chars().count() <= 12 && m.text.trim_end().ends_with(['：', ':'])
        })
        && match (text.chars().next_back(), n.text.chars().next()) {
            (Some(a), Some(b)) => ev.bigram_count(a, b) < 2,
            _ => false,
        };
    if speaker {
        return Some("the next line is a speaker's name before the salutation".to_string());
    }
    if short_by < 2.5 + tol {
        return None;
    }
    // A line set short before a Latin word or number that would not fit (stretched by
    // about the word's width).
    let word = n
        .text
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || ".,%-".contains(*c))
        .count() as f32;
    if word > 0.0 && short_by <= 0.5 * word + 1.5 {
        return None;
    }
    // `坚定不移贯彻总体国` / `家安全观`: the line ends inside a word the issue uses
    // elsewhere (a first line short of its indent, a line set loose before a quote).
    let inside_word = match (text.chars().next_back(), n.text.trim_start().chars().next()) {
        (Some(a), Some(b)) => {
            crate::cjk::is_han(a) && crate::cjk::is_han(b) && ev.bigram_count(a, b) >= 2
        }
        _ => false,
    };
    if inside_word {
        return None;
    }
    // The first line of a headline wrapped at its own measure.
    let heading_wrap = heads.iter().any(|&h| (p.width - h).abs() < 0.3)
        && !ends_block(&n.text)
        && n.width < p.width
        && n.text.chars().count() <= 40;
    if heading_wrap {
        return None;
    }
    Some(format!(
        "the line stops {:.0} ems short of the {full:.0}-em measure without a stop: a line of its own",
        short_by
    ))
}

/// Splits hard-wrapped blocks where paragraphs end. Returns the number of splits.
pub(crate) fn run(
    lines: &mut Lines,
    shape: &Shape,
    ev: &Evidence,
    repairs: &mut Vec<Repair>,
) -> usize {
    if shape.wrap != Wrap::Hard || shape.full < 4.0 {
        return 0;
    }
    let full = shape.full;
    let mut found: Vec<(Vec<usize>, Vec<Printed<'_>>)> = Vec::new();
    for b in blocks(lines) {
        if b.kind != BlockKind::Paragraph {
            continue;
        }
        let idx: Vec<usize> = (b.start..b.end)
            .filter(|&i| !lines.lines[i].removed)
            .collect();
        if idx.len() < 2 {
            continue;
        }
        let texts: Vec<&str> = idx.iter().map(|&i| lines.lines[i].text.as_str()).collect();
        let printed = printed_lines(&texts, full);
        found.push((idx, printed));
    }
    let heads = heading_measures(found.iter().flat_map(|(_, p)| p), full);
    let mut cuts: Vec<usize> = Vec::new();
    for (idx, printed) in &found {
        let mut first = true;
        for j in 0..printed.len().saturating_sub(1) {
            let at = idx[printed[j].last];
            let next = idx[printed[j + 1].first];
            let vetoed = lines.vetoed(at, next)
                || lines
                    .veto_texts
                    .seam(&lines.lines[at].text, &lines.lines[next].text);
            let reason = if vetoed {
                None
            } else {
                end_after(printed, j, first, full, &heads, ev)
            };
            first = reason.is_some();
            let Some(reason) = reason else {
                continue;
            };
            let a = lines.lines[at].text.trim_end();
            let b = lines.lines[next].text.trim_start();
            repairs.push(Repair {
                // Where the new paragraph begins (its line is what the editor looks at).
                line: lines.lines[next].origin + 1,
                kind: "paragraph-end",
                before: format!("{}⏎{}", tail(a, 8), head(b, 8)),
                after: format!("{}⏎⏎{}", tail(a, 8), head(b, 8)),
                evidence: Some(reason),
                veto_line: Some(lines.lines[next].origin + 1),
                veto_key: Some(crate::normalize::veto::seam_key(a, b)),
            });
            cuts.push(at);
        }
    }
    // The printed lines borrow the text: gone before it changes.
    drop(found);
    cuts.sort_unstable();
    cuts.dedup();
    lines.insert_blanks_after(&cuts);
    cuts.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(t: &str) -> String {
        let mut l = Lines::new(t);
        let shape = Shape::measure(&l);
        let mut r = Vec::new();
        let text = l.kept_text();
        run(&mut l, &shape, &Evidence::new(&text), &mut r);
        l.finish().0
    }

    #[test]
    fn ends_found_by_width() {
        // A 12-em column: every paragraph's first line two ems in, its last line short.
        let mut t = String::new();
        for _ in 0..4 {
            t.push_str("甲乙丙丁戊己庚辛壬癸\n子丑寅卯辰巳午未申酉戌亥\n子丑寅卯辰巳午未申酉戌亥\n天地玄黄。\n");
        }
        t.push_str("一、工作回顾\n");
        t.push_str("甲乙丙丁戊己庚辛壬癸\n子丑寅卯辰巳午未申酉戌。\n甲乙丙丁戊己庚辛壬癸\n子丑寅卯辰巳午未申酉戌亥\n宇宙洪荒。\n");
        let out = split(&t);
        let paras: Vec<&str> = out.trim_end().split("\n\n").collect();
        assert_eq!(paras.len(), 7, "{out}");
        assert_eq!(paras[4], "一、工作回顾");
        // A stop at the measure, then a line two ems in: a new paragraph.
        assert!(paras[5].ends_with("申酉戌。"), "{out}");
    }
}
