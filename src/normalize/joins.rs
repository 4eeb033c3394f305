//! Page-break joins: two adjacent paragraphs are one cut by a page break when the first
//! does not end a sentence and the second continues it. Joined with no space between
//! Chinese characters (one space between Latin words), after removing a repeated
//! overlap ([`super::overlap`]).

use super::blocks::{blocks, Block, BlockKind};
use super::evidence::Evidence;
use super::lineshape::{Shape, Wrap};
use super::{head, overlap, tail, Lines, Repair};
use crate::cjk::{is_byline, is_han, is_numbered_head, paragraph_kind, text_ends_sentence};
use crate::model::ParaKind;

/// Punctuation that shows a line is running text rather than a title, name or label.
const CLAUSE_PUNCT: &str = "，,、；;：:。！？!?.";

/// Short and without clause punctuation: a title, a name, a label — or the head of a
/// paragraph cut early by the page end. Only word evidence tells which.
fn title_like(t: &str, max: usize) -> bool {
    let mut n = 0;
    for c in t.chars() {
        n += 1;
        if n > max || CLAUSE_PUNCT.contains(c) {
            return false;
        }
    }
    true
}

/// `省长 刘小涛`, `甘肃省省长 任振鹤`: a name line (Han, a space, Han), never continued.
fn name_line(t: &str) -> bool {
    let t = t.trim();
    t.chars().count() <= 24
        && title_like(t, 24)
        && t.split([' ', '\u{3000}']).filter(|s| !s.is_empty()).count() >= 2
        && t.chars()
            .all(|c| is_han(c) || c == ' ' || c == '\u{3000}' || c == '·')
}

/// Markdown syntax at the junction — an image, a link target, raw HTML, a footnote
/// definition: the paragraphs are not running text cut by a page end.
fn markup_edge(a_last_line: &str, b_head: &str) -> bool {
    let a = a_last_line.trim_end();
    let b = b_head.trim_start();
    b.starts_with("![")
        || b.starts_with("[^")
        || b.starts_with('<')
        || a.ends_with('>')
        || (a.ends_with(')') && a.contains("]("))
}

/// A block the Markdown parser does not read as running text: a link reference
/// definition (`[ref]: https://…`), a footnote definition (`[^1]: …`) or a table without
/// leading pipes (`a | b` over `--- | ---`). Joining across it would change what the
/// parser sees — a definition swallowing the paragraph after it drops that text.
fn parser_sensitive(b: &Block, lines: &Lines) -> bool {
    let mut kept = (b.start..b.end)
        .filter(|&i| !lines.lines[i].removed)
        .map(|i| lines.lines[i].text.as_str());
    let first = kept.next().unwrap_or("");
    let t = first.trim_start_matches(' ');
    let definition = first.len() - t.len() <= 3
        && t.starts_with('[')
        && t.find("]:")
            .is_some_and(|k| k > 1 && !t[1..k].contains(['[', ']']));
    let delimiter_row = |l: &str| {
        let l = l.trim();
        l.contains('-')
            && l.contains('|')
            && l.chars().all(|c| matches!(c, '-' | '|' | ':' | ' ' | '\t'))
    };
    definition || kept.next().is_some_and(delimiter_row)
}

/// `（35）…`, `二、…`, `第一，…`, `11月28日，…`: a numbered point or a dated report, which
/// open a paragraph.
pub(crate) fn opens_point(t: &str) -> bool {
    if is_numbered_head(t) {
        return true;
    }
    let ordinal = t
        .strip_prefix('第')
        .map(|r| r.trim_start_matches(|c: char| "一二三四五六七八九十".contains(c)))
        .is_some_and(|r| r.len() < t.len() - '第'.len_utf8() && r.starts_with(['，', '、']));
    let d = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
    let dated = {
        let n = d(t);
        (1..=2).contains(&n)
            && t[n..]
                .strip_prefix('月')
                .is_some_and(|r| (1..=2).contains(&d(r)) && r[d(r)..].starts_with('日'))
    };
    ordinal || dated
}

/// A paragraph all in bold or italics (`**二、主要目标**`): a converter's heading.
fn emphasized(head: &str, tail: &str) -> bool {
    let (h, t) = (head.trim_start(), tail.trim_end());
    ["**", "__", "*", "_"]
        .iter()
        .any(|m| h.starts_with(m) && t.ends_with(m) && h.len() > 2 * m.len())
}

/// A paragraph that stands on its own by convention: never joined to a neighbour.
fn standalone(t: &str) -> bool {
    let by_kind = match paragraph_kind(t) {
        // `（十）切实筑牢安全防线，……稳固。加强……`: a head run into its text is a paragraph.
        ParaKind::NumberedHead => !t.contains('。'),
        ParaKind::Dateline | ParaKind::Salutation => true,
        _ => false,
    };
    by_kind || is_byline(t) || name_line(t)
}

/// The printed lines on either side of a junction, and what lies between them.
#[derive(Clone, Copy)]
struct Edges<'a> {
    /// The last text line of the first paragraph and the first of the second.
    a_last: &'a str,
    b_first: &'a str,
    /// Each paragraph is a single text line.
    a_single: bool,
    b_single: bool,
    /// Page furniture stood between them.
    page_break: bool,
}

/// Why the page's last printed line and the next page's first say the paragraph runs on,
/// whatever its words: a full line at the foot, a full (unindented) line at the head.
fn runs_on_by_shape(e: &Edges, shape: &Shape) -> bool {
    let (a_print, a_first) = shape.last_printed(e.a_last);
    let a_first = a_first && e.a_single;
    let b_print = shape.first_printed(e.b_first);
    let b_more = match shape.wrap {
        Wrap::Spaces => b_print.len() < e.b_first.len(),
        _ => !e.b_single,
    };
    b_more
        && shape.is_full(a_print, a_first)
        && shape.is_full(b_print, false)
        && shape.is_unindented(b_print)
}

/// A sentence ends at the foot of the page and the next page's first line is two ems in
/// (and not its paragraph's only line): a paragraph ended exactly at the measure.
fn new_paragraph_by_indent(a_tail: &str, e: &Edges, shape: &Shape) -> bool {
    text_ends_sentence(a_tail)
        && !e.b_single
        && shape.wrap == Wrap::Hard
        && super::lineshape::pure(e.b_first)
        && (super::lineshape::width(e.b_first) - (shape.full - 2.0)).abs() <= 0.6
}

fn join_reason(
    a_head: &str,
    a_tail: &str,
    b_head: &str,
    edges: &Edges,
    shape: &Shape,
    ev: &Evidence,
) -> Option<&'static str> {
    let a_tail = a_tail.trim_end();
    let last = a_tail.chars().next_back()?;
    let first = b_head.trim_start().chars().next()?;
    if emphasized(a_head, a_tail) || emphasized(b_head, b_head) {
        return None;
    }
    // A short last line is where the printed paragraph ended: a page ends on a full one.
    if shape.is_short(edges.a_last, edges.a_single) {
        return None;
    }
    if shape.unseparated && edges.page_break && !new_paragraph_by_indent(a_tail, edges, shape) {
        return Some(
            "the converter runs paragraphs on without blank lines: this one is the page break's",
        );
    }
    if standalone(a_head) || standalone(b_head) || b_head.trim_start().starts_with("——") {
        return None;
    }
    if text_ends_sentence(a_tail) || "：:；;".contains(last) {
        // After a full stop only the lines' shape can tell, and never before what opens
        // a paragraph by convention.
        return (!opens_point(b_head.trim_start()) && runs_on_by_shape(edges, shape))
            .then_some("the page ends on a full line and the next begins with one, unindented");
    }
    // `（2023年2月28日……通过）`: a whole parenthetical paragraph is complete.
    if "）)".contains(last) && a_head.trim_start().starts_with(['（', '(']) {
        return None;
    }
    // A short tail with no clause punctuation is a title or name, not a continuation.
    if title_like(b_head.trim(), 30) {
        return None;
    }
    if "，,、".contains(last) {
        return Some("after a comma");
    }
    if title_like(a_head.trim(), 40) {
        // Short and unpunctuated: join only if the junction reads as a word of the issue
        // (a cut word joins two word characters, not a quote or bracket).
        let word = |c: char| is_han(c) || c.is_alphanumeric();
        if !(word(last) && word(first)) {
            return None;
        }
        // Three characters across the junction (`常委|会`, `重|大决`) occurring elsewhere:
        // a pair alone (`力|加`) is too common to tell a cut word from a title.
        let b = b_head.trim_start();
        let seen = ev.bigram_count(last, first) > 0
            && (ev.has(&format!("{}{first}", tail(a_tail, 2)))
                || ev.has(&format!("{last}{}", head(b, 2))));
        return seen
            .then_some("mid-word (the characters across the break occur together elsewhere)");
    }
    Some("sentence not ended")
}

/// The text with ASCII `, ; : ( ) ? !` read as their full-width forms (for classifying
/// paragraphs only: `,目:` and `，目：` must be judged alike).
fn classify_view(s: &str) -> std::borrow::Cow<'_, str> {
    // Most text holds none of them: no copy.
    if !s
        .bytes()
        .any(|b| matches!(b, b',' | b';' | b':' | b'(' | b')' | b'?' | b'!'))
    {
        return s.into();
    }
    s.chars()
        .map(|c| super::punctuation::full_width(c).unwrap_or(c))
        .collect::<String>()
        .into()
}

/// Up to `n` characters of a block from its start, lines joined with nothing between.
fn block_head(b: &Block, lines: &Lines, n: usize) -> String {
    let mut s = String::new();
    for l in lines.lines[b.start..b.end].iter().filter(|l| !l.removed) {
        s.push_str(head(&l.text, n));
        // Stop as soon as there is enough, not at the next kept line (which may lie past
        // thousands of lines a run of joins removed).
        if s.chars().count() >= n {
            break;
        }
    }
    head(&s, n).to_string()
}

/// What a pass of joins leaves the next pass to look at. A junction's decision reads its
/// two blocks (their text and lines, the page mark and the vetoes at the seam) and the
/// issue's word evidence, nothing else; so where neither block changed since, a decision
/// that did not read the evidence comes out the same again. A block that joins grew was
/// last judged against the block after it in its final form (that junction ended the run
/// of joins), but against the block before it while it was still short: the junction
/// before each grown block, and the junctions declined on evidence (which each join adds
/// to), are looked at again.
#[derive(Debug, Default)]
pub(crate) struct Recheck {
    /// First lines of the blocks joins grew, ascending.
    grown: Vec<usize>,
    /// First lines of the second blocks of junctions declined after asking the evidence,
    /// ascending.
    asked: Vec<usize>,
    /// Lines changed since (furniture removed or shortened them, or a page mark was put
    /// there), ascending: a junction whose blocks or gap hold one is new.
    touched: Vec<usize>,
}

impl Recheck {
    /// What the last pass left, and the lines changed since.
    pub(crate) fn with_touched(self, touched: Vec<usize>) -> Recheck {
        Recheck { touched, ..self }
    }

    fn looks_at(&self, a: &Block, b: &Block) -> bool {
        let t = self.touched.partition_point(|&t| t < a.start);
        self.grown.binary_search(&b.start).is_ok()
            || self.asked.binary_search(&b.start).is_ok()
            || self.touched.get(t).is_some_and(|&t| t < b.end)
    }
}

/// Returns the number of joins made, and what the next pass must look at again. With
/// `only`, the junctions the previous pass left unchanged are passed over (they would be
/// declined again).
pub(crate) fn run(
    lines: &mut Lines,
    ev: &Evidence,
    shape: &Shape,
    repairs: &mut Vec<Repair>,
    only: Option<&Recheck>,
) -> (usize, Recheck) {
    let mut joined = 0;
    let mut next = Recheck::default();
    let all = blocks(lines);
    let mut cur: Option<Block> = None;
    // `cur` grew in this pass: its junction with the next block is new.
    let mut cur_grown = false;
    // Input line of the last fragment joined onto `cur` (where its next break falls).
    let mut tail_origin: Option<usize> = None;
    // The line the last join grew, and the last line it took in.
    let mut joined_upto: Option<(usize, usize)> = None;
    // `cur`'s head, when the last junction read it as the second block's (and declined).
    let mut cur_head: Option<String> = None;
    for nb in all {
        let known_head = cur_head.take();
        let Some(a) = cur.filter(|a| a.kind == BlockKind::Paragraph) else {
            cur = Some(nb);
            cur_grown = false;
            tail_origin = None;
            continue;
        };
        if nb.kind != BlockKind::Paragraph
            || only.is_some_and(|r| !cur_grown && !r.looks_at(&a, &nb))
        {
            cur = Some(nb);
            cur_grown = false;
            tail_origin = None;
            continue;
        }
        if markup_edge(
            &lines.lines[a.last_line(lines)].text,
            &block_head(&nb, lines, 4),
        ) || parser_sensitive(&a, lines)
            || parser_sensitive(&nb, lines)
        {
            cur = Some(nb);
            cur_grown = false;
            tail_origin = None;
            continue;
        }
        let a_head = known_head.unwrap_or_else(|| block_head(&a, lines, 48));
        let b_head = block_head(&nb, lines, 48);
        let al = a.last_line(lines);
        let bl = (nb.start..nb.end)
            .find(|&i| !lines.lines[i].removed)
            .unwrap_or(nb.start);
        // Classify as the punctuation pass will leave the text, so a second run decides alike.
        let a_tail = classify_view(tail(&lines.lines[al].text, 48));
        // One line each? (First kept line = last; `a` may have grown by joins: no count.)
        let first_kept = |b: &Block| (b.start..b.end).find(|&i| !lines.lines[i].removed);
        // A printed line is short: 200 characters at either side say all the shape can (a
        // line grown by joins is then simply too long to be one).
        // pdftotext breaks a printed line before a quote or bracket: the pieces go back
        // together before the line's width is read.
        let (a_print, b_print) = if shape.wrap == Wrap::Hard {
            let a_lines: Vec<usize> = (a.start..=al)
                .rev()
                .filter(|&i| !lines.lines[i].removed)
                .take(4)
                .collect();
            let b_lines: Vec<usize> = (bl..nb.end)
                .filter(|&i| !lines.lines[i].removed)
                .take(4)
                .collect();
            let text = |is: &mut dyn Iterator<Item = &usize>| -> Vec<&str> {
                is.map(|&i| tail(lines.lines[i].text.trim(), 200)).collect()
            };
            let a_texts = text(&mut a_lines.iter().rev());
            let b_texts = text(&mut b_lines.iter());
            (
                super::structure::last_printed(&a_texts, shape.full),
                super::structure::first_printed(&b_texts, shape.full),
            )
        } else {
            (
                tail(lines.lines[al].text.trim(), 200).to_string(),
                head(lines.lines[bl].text.trim(), 200).to_string(),
            )
        };
        let edges = Edges {
            a_last: &a_print,
            b_first: &b_print,
            a_single: first_kept(&a) == Some(al),
            b_single: first_kept(&nb) == Some(nb.last_line(lines)),
            page_break: lines.page_starts_at(bl),
        };
        let asked = ev.asked();
        let reason = if lines.vetoed(al, bl) || lines.veto_texts.seam(&a_tail, &b_head) {
            None
        } else {
            join_reason(
                &classify_view(&a_head),
                &a_tail,
                &classify_view(&b_head),
                &edges,
                shape,
                ev,
            )
        };
        let Some(reason) = reason else {
            if ev.asked() != asked {
                next.asked.push(nb.start);
            }
            cur = Some(nb);
            cur_head = Some(b_head);
            cur_grown = false;
            tail_origin = None;
            continue;
        };
        joined += 1;
        if next.grown.last() != Some(&a.start) {
            next.grown.push(a.start);
        }
        // The joined line grows in place: copying it at every join would make a long run of
        // joins (an issue that is one paragraph) quadratic.
        let a_len = lines.lines[al].text.trim_end().len();
        lines.lines[al].text.truncate(a_len);
        let b_full = std::mem::take(&mut lines.lines[bl].text);
        let b_text = b_full.trim_start();
        let mut rest = b_text;
        let line = tail_origin.unwrap_or(lines.lines[al].origin) + 1;
        let b_last = nb.last_line(lines);
        let b_last = if b_last == bl { al } else { b_last };
        tail_origin = Some(lines.lines[nb.last_line(lines)].origin);
        let a_text = lines.lines[al].text.as_str();
        if let Some(o) = overlap::find(a_text, rest, ev) {
            rest = &rest[o.repeated.len()..];
            repairs.push(Repair {
                line,
                kind: "repeated-overlap",
                before: format!("{}⏎⏎{}", o.repeated, o.repeated),
                after: o.repeated.clone(),
                evidence: Some(o.evidence),
                veto_line: None,
                veto_key: None,
            });
        }
        let latin = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphabetic());
        let sep = if latin(a_text.chars().next_back()) && latin(rest.chars().next()) {
            " "
        } else {
            ""
        };
        ev.add_junction(a_text, &format!("{sep}{}", head(rest, 6)));
        // The excerpt after the join is the one before, less the repeat (if any).
        let b8 = head(b_text, 8.max(b_text.len() - rest.len()));
        repairs.push(Repair {
            line,
            kind: "page-break-join",
            before: format!("{}⏎⏎{}", tail(a_text, 8), head(b_text, 8)),
            after: format!(
                "{}{sep}{}",
                tail(a_text, 8),
                &b8[b_text.len() - rest.len()..]
            ),
            evidence: Some(reason.to_string()),
            veto_line: Some(lines.lines[bl].origin + 1),
            veto_key: Some(super::veto::seam_key(a_text, b_text)),
        });
        if lines.has_marks(bl) {
            let dropped = b_full.chars().count() - rest.chars().count();
            let base = a_text.chars().count() + sep.len();
            lines.move_marks(bl, al, base, dropped);
        }
        let rest = rest.to_string();
        let target = &mut lines.lines[al].text;
        target.push_str(sep);
        target.push_str(&rest);
        // Everything between the two lines goes, from where the last join onto `al`
        // stopped (so a long run of joins stays linear).
        let from = match joined_upto {
            Some((line, upto)) if line == al => upto + 1,
            _ => al + 1,
        };
        for l in &mut lines.lines[from..=bl] {
            l.removed = true;
        }
        joined_upto = Some((al, bl));
        // Ending the grown block at its last kept line keeps `last_line` from walking back
        // over every line a long run of joins removed.
        cur = Some(Block {
            start: a.start,
            end: b_last + 1,
            kind: BlockKind::Paragraph,
        });
        cur_grown = true;
    }
    (joined, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(a: &str, b: &str, issue: &str) -> Option<&'static str> {
        let edges = Edges {
            a_last: a,
            b_first: b,
            a_single: true,
            b_single: true,
            page_break: false,
        };
        let shape = Shape::measure(&Lines::new(""));
        join_reason(a, a, b, &edges, &shape, &Evidence::new(issue))
    }

    #[test]
    fn decisions() {
        let issue = "区委常委会主持。努力加快发展。";
        assert!(reason(
            "明年是关键一年，是全面完成“十四五”规划目标任",
            "务的关键一年。",
            issue
        )
        .is_some());
        assert!(reason("全会充分肯定了区委常委", "会今年的工作，一致认为。", issue).is_some());
        assert!(reason(
            "全面贯彻，全面落实“四个走在前”“四个新”",
            "重大任务，深入落实。",
            issue
        )
        .is_some());
        assert!(reason(
            "武进要聚焦“三大任务”，进行重点突破：",
            "——聚焦“万亿之城再出发”。",
            issue
        )
        .is_none());
        assert!(reason("激发经营主体活力。", "加大国资国企改革力度。", issue).is_none());
        assert!(reason("激发经营主体活力", "加大国资国企改革力度。", issue).is_none());
        assert!(reason(
            "（四）全面深化改革开放，持续优化营商环境",
            "更大力度推进改革。",
            issue
        )
        .is_none());
        assert!(reason(
            "“十四五”时期工作回顾",
            "“十四五”时期是甘肃发展极不寻常的五年。",
            issue
        )
        .is_none());
        assert!(reason("甘肃省省长 任振鹤", "各位代表：", issue).is_none());
        assert!(reason(
            "2026年1月27日在湖北省第十四届人民代表大会第四次会议上",
            "湖北省人民政府省长 李殿勋",
            issue
        )
        .is_none());
        assert!(reason("□ 本报评论员", "即将告别的2023年，是开局之年。", issue).is_none());
        assert!(reason(
            "（2023年2月28日中国共产党第二十届中央委员会第二次全体会议通过）",
            "中国共产党第二十届中央委员会第二次全体会议，于2023年2月26日至28日在北京举行。",
            issue
        )
        .is_none());
    }

    #[test]
    fn joins_with_overlap_and_latin_space() {
        let t = "全会书面审议，落实全面从严治党\n\n治党主体责任。\n\n全面从严治党主体责任。\n\nIn short, the data\n\ncenter is here.\n";
        let mut l = Lines::new(t);
        let mut r = Vec::new();
        let shape = Shape::measure(&l);
        run(&mut l, &Evidence::new(t), &shape, &mut r, None);
        let (out, origin, _) = l.finish();
        assert_eq!(out, "全会书面审议，落实全面从严治党主体责任。\n\n全面从严治党主体责任。\n\nIn short, the data center is here.\n");
        assert_eq!(origin, vec![0, 3, 4, 5, 6]);
        assert_eq!(r.iter().filter(|r| r.kind == "page-break-join").count(), 2);
        assert_eq!(r.iter().filter(|r| r.kind == "repeated-overlap").count(), 1);
    }
}
