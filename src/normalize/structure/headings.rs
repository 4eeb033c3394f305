//! Headings a converter left as plain lines (pdftotext, markitdown): a short block of its
//! own that does not read as a sentence — a numbered head (`一、…`, `（一）…`, `第一章…`)
//! or a short unpunctuated line between paragraphs — and the title block at the top.
//! Levels follow the numbering: the title `#`, the rest of the title block `##`, `第一章`
//! `##`, `一、` and unnumbered heads `###`, `（一）` `####` (below `##` a head is a
//! section of the article, so a report stays one article). Names, bylines, datelines,
//! salutations and a parenthesized note stay paragraphs.

use crate::cjk::{is_byline, is_han, is_numbered_head, paragraph_kind};
use crate::model::ParaKind;
use crate::normalize::blocks::{blocks, Block, BlockKind};
use crate::normalize::lineshape::{width, Shape, Wrap};
use crate::normalize::tail;
use crate::normalize::{head, veto, Lines, Repair};
use std::collections::HashSet;

/// Longest heading, in characters (a four-phrase title with its subtitle runs to ~60).
const MAX_HEADING_CHARS: usize = 64;

/// The heading level a numbering scheme gives, if the text opens with one.
fn numbered_level(t: &str) -> Option<usize> {
    const CN: &str = "一二三四五六七八九十百零〇";
    if let Some(rest) = t.strip_prefix('第') {
        let n = rest.chars().take_while(|c| CN.contains(*c)).count();
        let after: String = rest.chars().skip(n).take(2).collect();
        if n > 0
            && ["章", "编", "部分", "篇", "节"]
                .iter()
                .any(|k| after.starts_with(k))
        {
            return Some(if after.starts_with('节') { 3 } else { 2 });
        }
        return None;
    }
    if !is_numbered_head(t) {
        return None;
    }
    let bracket = t.starts_with(['（', '(']);
    let arabic = t
        .trim_start_matches(['（', '('])
        .starts_with(|c: char| c.is_ascii_digit());
    Some(match (bracket, arabic) {
        (false, false) => 3,
        (true, false) => 4,
        _ => 5,
    })
}

/// `2023年10月27日`, `2026年2月`: a date standing alone (a letter's or notice's date line).
fn date_only(t: &str) -> bool {
    let t = t.trim();
    t.chars().count() <= 16
        && t.ends_with(['日', '月', '年'])
        && t.chars()
            .all(|c| c.is_ascii_digit() || "年月日〇一二三四五六七八九十 ".contains(c))
}

use super::name_line as name_list;

/// Could this block of text be a heading? Its level if so.
fn heading_level(t: &str, in_title_block: bool) -> Option<usize> {
    let n = t.chars().count();
    if n == 0 || n > MAX_HEADING_CHARS {
        return None;
    }
    if t.contains(['。', '！', '？', '；', '!', '?', ';'])
        || t.ends_with(['：', ':', '，', '、', ','])
    {
        return None;
    }
    let kind = paragraph_kind(t);
    // `2026年1月14日在浙江省……会议上`: a dateline without its dash.
    let dated = t.chars().take_while(|c| c.is_ascii_digit()).count() == 4
        && t.contains('月')
        && t.contains('日')
        && t.ends_with('上');
    if dated {
        return None;
    }
    if matches!(
        kind,
        ParaKind::Dateline | ParaKind::DashLead | ParaKind::Salutation
    ) || is_byline(t)
        || date_only(t)
        || t.starts_with(['（', '(']) && t.ends_with(['）', ')']) && numbered_level(t).is_none()
        || t.starts_with(['“', '—', '…', '·', '*', '［', '['])
    {
        return None;
    }
    if let Some(level) = numbered_level(t) {
        return Some(level);
    }
    // Unnumbered: a short line with no clause punctuation at all.
    if t.contains(['，', ',']) || name_list(t) {
        return None;
    }
    // Mostly Chinese text: a line of figures or Latin is a table row or code.
    let han = t.chars().filter(|&c| is_han(c)).count();
    if han * 2 < n {
        return None;
    }
    Some(if in_title_block { 2 } else { 3 })
}

/// The block's kept lines, trimmed.
fn texts(b: &Block, lines: &Lines) -> Vec<(usize, String)> {
    (b.start..b.end)
        .filter(|&i| !lines.lines[i].removed)
        .map(|i| (i, lines.lines[i].text.trim().to_string()))
        .collect()
}

/// Do the characters across the junction of `a` and `b` read as a word of the issue?
/// (Asked only in the title block, a few times an issue: a plain search, no index.)
fn word_across(a: &str, b: &str, text: &str) -> bool {
    let (Some(last), Some(first)) = (a.chars().next_back(), b.chars().next()) else {
        return false;
    };
    text.contains(&format!("{}{first}", tail(a, 2)))
        || text.contains(&format!("{last}{}", head(b, 2)))
}

/// A block's kept lines (from [`texts`]) as one heading line.
fn block_text(lines: &[(usize, String)]) -> String {
    joined(&lines.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>())
}

/// Lines joined as one heading line: no space between Chinese characters.
fn joined(parts: &[&str]) -> String {
    let mut s = String::new();
    for p in parts {
        let latin = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        if latin(s.chars().next_back()) && latin(p.chars().next()) {
            s.push(' ');
        }
        s.push_str(p);
    }
    s
}

/// Marks headings in hard-wrapped text; merges a heading (or title line) wrapped into
/// two blocks. Returns the number of headings marked.
pub(crate) fn run(
    lines: &mut Lines,
    shape: &Shape,
    gaps: &HashSet<usize>,
    text_now: &str,
    repairs: &mut Vec<Repair>,
) -> usize {
    if shape.wrap != Wrap::Hard {
        return 0;
    }
    let all = blocks(lines);
    let mut marked = 0;
    // Input lines (1-based) of the paragraph ends that merges undid.
    let mut undone: HashSet<usize> = HashSet::new();
    // Before the first paragraph of running text: the title block.
    let mut title_block = true;
    let mut title_done = false;
    let mut k = 0;
    while k < all.len() {
        let b = all[k];
        k += 1;
        if b.kind == BlockKind::Heading {
            title_done = true;
            continue;
        }
        if b.kind != BlockKind::Paragraph {
            title_block = false;
            continue;
        }
        let parts = texts(&b, lines);
        let mut text = block_text(&parts);
        let mut last_line = parts.last().map_or(b.start, |p| p.0);
        let mut merged: Vec<usize> = Vec::new();
        // A heading line that reaches a measure (the column's or a larger one) without a
        // stop, and a short unpunctuated block after it: one heading, wrapped. (Only a
        // block of one line is taken in: others are not read.)
        let one_line = |nb: &Block| {
            (nb.start..nb.end)
                .filter(|&i| !lines.lines[i].removed)
                .take(2)
                .count()
                == 1
        };
        if let Some(nb) = all
            .get(k)
            .filter(|nb| nb.kind == BlockKind::Paragraph && one_line(nb))
        {
            let next = texts(nb, lines);
            let next_text = block_text(&next);
            let last = parts.last().map_or("", |p| p.1.as_str());
            let short_next = next.len() == 1
                && !next_text.contains(['。', '！', '？', '；', '，'])
                && width(&next_text) < width(last);
            // The line reaches the measure with no stop: it runs on into the short line. A
            // block's only line may be a paragraph's first, set two ems in (a dateline).
            let indent = if parts.len() == 1 { 2.0 } else { 0.0 };
            // Two lines or more of one width: the block is set to its own (a headline's)
            // measure, and its last line is as full as the one above it.
            let own_measure = parts.len() >= 2
                && parts.iter().rev().nth(1).is_some_and(|p| {
                    let (a, b) = (width(&p.1), width(last));
                    b >= a - 1.0 && b <= a + 1.0
                });
            let wraps = (width(last) + indent >= shape.full - 1.0 || own_measure)
                && !crate::cjk::text_ends_sentence(last)
                && !last.ends_with(['：', '；', '，', '、', '）'])
                && numbered_level(&next_text).is_none();
            // The next block opens with a phrase of one or two characters (`等 习近平签署
            // 主席令`): no headline line starts so; the phrase ends the line above.
            let stub_phrase = || {
                let mut phrases = next_text.split_whitespace();
                phrases.next().is_some_and(|p| p.chars().count() <= 2) && phrases.next().is_some()
            };
            // A headline's last word or two on a line of their own: the characters across
            // the wrap occur together elsewhere in the issue (`第二|卷`, `规|划的建议`), or
            // one or two characters alone (`闭|幕`).
            let cut_word = parts.len() == 1
                && title_block
                && (next_text.chars().count() <= 6 || stub_phrase())
                && heading_level(&text, title_block).is_some()
                && (heading_level(&next_text, title_block).is_some()
                    || stub_phrase()
                        && heading_level(&joined(&[&text, &next_text]), title_block).is_some())
                && (next_text.chars().count() <= 2
                    || stub_phrase()
                    || word_across(&text, &next_text, text_now));
            let vetoed = lines
                .veto_texts
                .seam(last, next.first().map_or("", |n| n.1.as_str()));
            // `……说明` / `习近平`: a name of three or four characters under a full title
            // line is the speaker, unless the characters across read as a word (a search of
            // the text: asked last).
            let speaker = || {
                (3..=4).contains(&next_text.chars().count())
                    && next_text.chars().all(crate::cjk::is_han)
                    && !word_across(last, &next_text, text_now)
            };
            // `（一）……现代化产业体` / `系。`: a full line runs on into the sentence's last
            // characters, set apart by the converter; one paragraph, no heading.
            let sentence_tail = next.len() == 1
                && crate::cjk::text_ends_sentence(&next_text)
                && next_text
                    .chars()
                    .filter(|&c| "。！？；".contains(c))
                    .count()
                    == 1
                && width(&next_text) < shape.full / 2.0;
            if (wraps || cut_word) && !vetoed && (sentence_tail || short_next && !speaker()) {
                merged.extend(next.iter().map(|(i, _)| *i));
                text = joined(&[&text, &next_text]);
                last_line = next[0].0;
                k += 1;
            }
        }
        let has_next = all.get(k).is_some();
        // A printed heading has space above it: a block start in the converter's text.
        // Where blank lines are rare (pdftotext) they are that space; elsewhere they say
        // little, and only a head of the first rank or the title block is marked.
        let gap = parts
            .first()
            .is_some_and(|(i, _)| gaps.contains(&lines.lines[*i].origin));
        let evidence = |l: usize| {
            if shape.unseparated {
                // The title block's lines stand apart by their type, not by space.
                gap || title_block
            } else {
                title_block || l <= 3 && numbered_level(&text).is_some()
            }
        };
        // The first line may name the issuers (`中共中央 全国人大常委会 国务院 全国政协讣告`):
        // at the top it is the title, not a signature.
        let opening = title_block && !title_done;
        // `习近平` / `同志们：`: the speaker's name before the salutation is a byline.
        let speaker_line = text.chars().count() <= 4
            && all.get(k).is_some_and(|nb| {
                let t = block_text(&texts(nb, lines));
                paragraph_kind(&t) == ParaKind::Salutation
            });
        let level = heading_level(&text, title_block)
            .or_else(|| (opening && name_list(&text)).then_some(1))
            .filter(|&l| has_next && !speaker_line && evidence(l) && !lines.veto_texts.line(&text));
        let Some(level) = level else {
            if !merged.is_empty() {
                // A wrapped line that is no heading (`——…在湖北省第十四届人民代表大` /
                // `会第四次会议上`): still one paragraph.
                undone.extend(merged.iter().map(|&m| lines.lines[m].origin + 1));
                merge_into(lines, &parts, &merged, &text, last_line, repairs, None);
            }
            if !(title_block && is_title_block_line(&text)) {
                title_block = false;
            }
            continue;
        };
        if title_block && !title_done && phrased(&text) {
            // A title set in phrases (`中共中央 全国人大常委会 国务院 全国政协讣告`) runs on
            // over the short unnumbered lines under it, as a centred headline wraps.
            let mut widest = parts.iter().map(|p| width(&p.1)).fold(0.0, f32::max);
            while let Some(nb) = all.get(k).filter(|nb| nb.kind == BlockKind::Paragraph) {
                let next = texts(nb, lines);
                let next_text = block_text(&next);
                let all_text = joined(&[&text, &next_text]);
                let prev_last = lines.lines[last_line].text.trim().to_string();
                let first_next = next.first().map_or("", |n| n.1.as_str());
                let fits = next.iter().all(|n| width(&n.1) <= widest + 1.0);
                if !fits
                    || numbered_level(&next_text).is_some()
                    || is_title_block_line(&next_text)
                    || heading_level(&all_text, true).is_none() && !name_list(&next_text)
                    || next_text.contains(['。', '！', '？', '；', '，', '：'])
                    || lines.veto_texts.seam(&prev_last, first_next)
                    || !all
                        .get(k + 1)
                        .is_some_and(|b| b.kind == BlockKind::Paragraph)
                {
                    break;
                }
                widest = next.iter().map(|n| width(&n.1)).fold(widest, f32::max);
                merged.extend(next.iter().map(|(i, _)| *i));
                text = all_text;
                last_line = next.last().map_or(last_line, |n| n.0);
                k += 1;
            }
        }
        let level = if title_block && !title_done { 1 } else { level };
        title_done = true;
        let marked_text = format!("{} {text}", "#".repeat(level));
        undone.extend(merged.iter().map(|&m| lines.lines[m].origin + 1));
        merge_into(
            lines,
            &parts,
            &merged,
            &marked_text,
            last_line,
            repairs,
            Some(level),
        );
        marked += 1;
    }
    // Paragraph ends found between blocks merged into one are undone: not repairs. (Within
    // a block there are none: a paragraph end would have split it.) Dropped in one sweep
    // (a sweep of every repair for each heading was quadratic).
    if !undone.is_empty() {
        repairs.retain(|r| !(r.kind == "paragraph-end" && undone.contains(&r.line)));
    }
    marked
}

/// Phrases set apart by spaces between Chinese characters, as headlines are.
fn phrased(t: &str) -> bool {
    let words: Vec<&str> = t
        .split([' ', '\u{3000}'])
        .filter(|w| !w.is_empty())
        .collect();
    words.windows(2).any(|w| {
        let wide = |c: Option<char>| c.is_some_and(|c| !c.is_ascii());
        wide(w[0].chars().next_back()) && wide(w[1].chars().next())
    })
}

/// Lines a title block holds besides headings: the `——` subtitle, the speaker, a date.
fn is_title_block_line(t: &str) -> bool {
    matches!(paragraph_kind(t), ParaKind::Dateline | ParaKind::Salutation)
        || name_list(t)
        || date_only(t)
        || t.starts_with(['（', '(']) && t.ends_with(['）', ')'])
}

/// Replaces the block's lines (and those merged into it) with one line of `text`.
fn merge_into(
    lines: &mut Lines,
    parts: &[(usize, String)],
    merged: &[usize],
    text: &str,
    last_line: usize,
    repairs: &mut Vec<Repair>,
    level: Option<usize>,
) {
    let Some(&(first, _)) = parts.first() else {
        return;
    };
    let before: Vec<String> = parts
        .iter()
        .map(|(_, t)| t.to_string())
        .chain(
            merged
                .iter()
                .map(|&i| lines.lines[i].text.trim().to_string()),
        )
        .collect();
    let origin = lines.lines[first].origin + 1;
    let key = match (level, parts.last(), merged.first()) {
        (None, Some((_, a)), Some(&b)) => veto::seam_key(a, &lines.lines[b].text),
        _ => veto::line_key(&before.join("")),
    };
    let (kind, evidence) = match level {
        Some(l) => (
            "heading",
            if before.len() > 1 {
                format!("a short line of its own without a stop, wrapped over {} lines: a level-{l} heading", before.len())
            } else {
                format!("a short line of its own without a stop: a level-{l} heading")
            },
        ),
        None => (
            "line-wrap-join",
            "the line reaches the measure without a stop and the short line after it has no stop: one line wrapped".to_string(),
        ),
    };
    repairs.push(Repair {
        line: origin,
        kind,
        before: head(&before.join("⏎"), 40).to_string(),
        after: head(text, 40).to_string(),
        evidence: Some(evidence),
        veto_line: Some(origin),
        veto_key: Some(key),
    });
    lines.lines[first].text = text.to_string();
    let rest = parts[1..].iter().map(|p| p.0).chain(merged.iter().copied());
    for i in rest {
        if lines.has_marks(i) {
            let base = lines.lines[first].text.chars().count();
            lines.move_marks(i, first, base, 0);
        }
        lines.lines[i].removed = true;
    }
    // Blank lines between the merged blocks go too.
    for l in &mut lines.lines[first + 1..=last_line.max(first)] {
        if l.text.trim().is_empty() {
            l.removed = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels() {
        assert_eq!(heading_level("一、工作回顾", false), Some(3));
        assert_eq!(
            heading_level("（一）坚持稳中求进，推动高质量发展", false),
            Some(4)
        );
        assert_eq!(heading_level("第一章 总则", false), Some(2));
        assert_eq!(heading_level("赵乐际主持并讲话", true), Some(2));
        assert_eq!(heading_level("新闻链接", false), Some(3));
        assert_eq!(heading_level("各位代表：", false), None);
        assert_eq!(heading_level("湖北省人民政府省长 李殿勋", true), None);
        assert_eq!(
            heading_level(
                "——2026年1月27日在湖北省第十四届人民代表大会第四次会议上",
                true
            ),
            None
        );
        assert_eq!(heading_level("2023年10月27日", false), None);
        assert_eq!(
            heading_level(
                "（2023年2月28日中国共产党第二十届中央委员会第二次全体会议通过）",
                true
            ),
            None
        );
        assert_eq!(
            heading_level("现在，我代表省人民政府向大会报告工作。", false),
            None
        );
    }
}
