//! One paragraph → lines of one measure: punctuation compression, greedy filling with
//! the Chinese push-in / push-out rules, justification. Pure: no fonts, no PDF, only a
//! `Metrics` that gives advances.

use super::linebreak::{break_after, HARD_BREAK};
use crate::cjk;

/// The two faces the layout asks for; the writer maps each to a chain of font files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Face {
    Regular,
    Bold,
}

/// Glyph advances, in ems.
pub trait Metrics {
    fn advance(&self, face: Face, c: char) -> f32;
    /// Vertical setting: a number of up to four characters stands upright across the
    /// line and takes one em of it (縦中横, `vertical.rs`).
    fn upright_numbers(&self) -> bool {
        false
    }
    /// The metrics for horizontal text when these are a vertical layout's (its running
    /// heads are set across the page).
    fn horizontal(&self) -> Option<&dyn Metrics> {
        None
    }
}

/// A piece of paragraph text in one face.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub text: String,
    pub face: Face,
    /// Passed through to the span's glyphs for the caller (the layout: a link's structure
    /// node); 0 for none. Line breaking does not look at it.
    pub tag: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Both edges flush, the last line flush start.
    Justify,
    Start,
    Center,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParaStyle {
    pub size: f32,
    /// First-line indent, in points.
    pub indent: f32,
    pub align: Align,
    pub compress: bool,
}

/// A glyph placed on a line: `x` from the line's start edge, in points.
#[derive(Debug, Clone, PartialEq)]
pub struct LineGlyph {
    pub ch: char,
    pub face: Face,
    pub x: f32,
    /// A closing mark compressed to half width (the next glyph is placed half an em on).
    pub half: bool,
    /// The tag of the span it comes from.
    pub tag: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub glyphs: Vec<LineGlyph>,
    /// Width the glyphs occupy (after justification), in points.
    pub width: f32,
}

impl Line {
    pub fn text(&self) -> String {
        self.glyphs.iter().map(|g| g.ch).collect()
    }
}

#[derive(Debug, Clone)]
struct Item {
    ch: char,
    face: Face,
    /// Advance, in points (after compression).
    w: f32,
    /// Where the glyph is drawn relative to its box (negative: a compressed opening mark).
    shift: f32,
    /// How much this item may give up when a line must be squeezed (blank half of a mark).
    shrink: f32,
    brk: bool,
    half: bool,
    tag: u32,
}

const EPS: f32 = 0.01;

fn is_space(c: char) -> bool {
    c.is_whitespace() && c != HARD_BREAK && c != '\u{3000}'
}

/// Full-width punctuation whose glyph fills only half its em box; `？！` are centred in
/// Chinese fonts and keep their width.
fn half_blank(c: char) -> bool {
    (cjk::is_closing_punct(c) || cjk::is_opening_punct(c)) && !matches!(c, '？' | '！')
}

/// Text of spans with whitespace runs collapsed to one space and trimmed at both ends.
fn collect(spans: &[Span]) -> Vec<(char, Face, u32)> {
    let mut out: Vec<(char, Face, u32)> = Vec::new();
    for s in spans {
        for c in s.text.chars() {
            if c == HARD_BREAK {
                while out.last().is_some_and(|(p, _, _)| is_space(*p)) {
                    out.pop();
                }
                out.push((c, s.face, s.tag));
            } else if is_space(c) {
                let after_space_or_start = out
                    .last()
                    .is_none_or(|(p, _, _)| is_space(*p) || *p == HARD_BREAK);
                if !after_space_or_start {
                    out.push((' ', s.face, s.tag));
                }
            } else {
                out.push((c, s.face, s.tag));
            }
        }
    }
    while out.last().is_some_and(|(p, _, _)| is_space(*p)) {
        out.pop();
    }
    out
}

fn items(spans: &[Span], ps: &ParaStyle, m: &dyn Metrics) -> Vec<Item> {
    let chars = collect(spans);
    let only: Vec<char> = chars.iter().map(|(c, _, _)| *c).collect();
    let brk = break_after(&only);
    let size = ps.size;
    let mut items: Vec<Item> = chars
        .iter()
        .zip(brk)
        .map(|(&(ch, face, tag), brk)| {
            let w = if ch == HARD_BREAK {
                0.0
            } else {
                m.advance(face, ch) * size
            };
            let full = w >= 0.9 * size;
            Item {
                ch,
                face,
                w,
                shift: 0.0,
                shrink: if half_blank(ch) && full { w / 2.0 } else { 0.0 },
                brk,
                half: false,
                tag,
            }
        })
        .collect();
    if m.upright_numbers() {
        let mut i = 0;
        while i < items.len() {
            let n = super::vertical::number_len(&only[i..]);
            if (1..=super::vertical::UPRIGHT_NUMBER).contains(&n) {
                // One em for the whole number, which never breaks.
                for (k, it) in items[i..i + n].iter_mut().enumerate() {
                    it.w = if k == 0 { size } else { 0.0 };
                    it.brk = it.brk && k + 1 == n;
                }
            }
            i += n.max(1);
        }
    }
    if ps.compress {
        for i in 0..items.len().saturating_sub(1) {
            let (a, b) = (items[i].ch, items[i + 1].ch);
            if !(half_blank(a) && half_blank(b)) {
                continue;
            }
            if cjk::is_closing_punct(a) && items[i].shrink > 0.0 {
                // `。”` `”，` `）（`: the first mark gives up its blank right half.
                items[i].w -= items[i].shrink;
                items[i].shrink = 0.0;
                items[i].half = true;
            } else if cjk::is_opening_punct(a)
                && cjk::is_opening_punct(b)
                && items[i + 1].shrink > 0.0
            {
                // `（“`: the second mark gives up its blank left half.
                let s = items[i + 1].shrink;
                items[i + 1].w -= s;
                items[i + 1].shift -= s;
                items[i + 1].shrink = 0.0;
            }
        }
    }
    items
}

/// May the gap after item `a` (before `b`) stretch when a line is justified? Not inside
/// a Latin word or number, nor inside `——` / `……`.
fn stretchable(a: &Item, b: &Item) -> bool {
    if cjk::is_inseparable_pair(a.ch, b.ch) {
        return false;
    }
    a.ch == ' ' || b.ch == ' ' || cjk::is_cjk(a.ch) || cjk::is_cjk(b.ch)
}

/// Breaks a paragraph into lines of `measure` points.
pub fn break_lines(spans: &[Span], measure: f32, ps: &ParaStyle, m: &dyn Metrics) -> Vec<Line> {
    break_items(&items(spans, ps, m), measure, ps)
}

/// Breaks a headline like an editor would (`headline_breaks`): at the spaces between its
/// phrases when each phrase fits, else between words, into lines of even length, never
/// one character alone. Lines are centred in `measure` (flush start unless `ps` says
/// centre); none is stretched.
pub fn break_headline(spans: &[Span], measure: f32, ps: &ParaStyle, m: &dyn Metrics) -> Vec<Line> {
    let all = items(spans, ps, m);
    let mut lines = Vec::new();
    // A hard break ends a line whatever the phrases say.
    for items in all.split(|i| i.ch == HARD_BREAK) {
        let chars: Vec<char> = items.iter().map(|i| i.ch).collect();
        let widths: Vec<f32> = items.iter().map(|i| i.w).collect();
        let after: Vec<bool> = items.iter().map(|i| i.brk).collect();
        let breaks = crate::headline_breaks::choose(&chars, &widths, &after, measure);
        let mut s = 0;
        for e in breaks
            .into_iter()
            .chain(std::iter::once(items.len().saturating_sub(1)))
        {
            let (mut a, mut b) = (s, e);
            s = e + 1;
            while a < b && is_space(items[a].ch) {
                a += 1;
            }
            while b > a && is_space(items[b].ch) {
                b -= 1;
            }
            if items.get(a).is_none_or(|i| is_space(i.ch)) || a > b {
                continue;
            }
            // A line the headline breaker could not bring within the measure (a run with no
            // break it allows: a long number or URL) is cut as a body line would be, so no
            // glyph runs past the column.
            let fitted = if squeezed_width(items, a, b) > measure + EPS {
                let rest = ParaStyle {
                    indent: 0.0,
                    align: Align::Start,
                    ..*ps
                };
                break_items(&items[a..=b], measure, &rest)
            } else {
                vec![place(&items[a..=b], measure, 0.0, false, Align::Start)]
            };
            for mut l in fitted {
                let dx = if ps.align == Align::Center {
                    ((measure - l.width) / 2.0).max(0.0)
                } else {
                    0.0
                };
                for g in &mut l.glyphs {
                    g.x += dx;
                }
                lines.push(l);
            }
        }
    }
    lines
}

fn break_items(items: &[Item], measure: f32, ps: &ParaStyle) -> Vec<Line> {
    let n = items.len();
    // (first item, item after which the line ends, ends the paragraph or a hard break, indent).
    let mut spans: Vec<(usize, usize, bool, f32)> = Vec::new();
    let mut start = 0;
    let avail_of = |indent: f32| (measure - indent).max(ps.size);
    while start < n {
        while start < n && items[start].ch == ' ' {
            start += 1;
        }
        if start >= n {
            break;
        }
        let indent = if spans.is_empty() { ps.indent } else { 0.0 };
        let avail = avail_of(indent);
        let (mut end, mut last) = line_end(items, start, avail);
        if ps.align == Align::Justify && !last && loose(items, start, end, avail, ps.size) {
            // A line the greedy fill leaves loose (an unbreakable number pushed to the next
            // line): push its first characters into the line above when that line can take
            // them by squeezing its marks (clreq 3.5), so this one reaches the number.
            if let Some(prev) = spans.last_mut().filter(|p| !p.2) {
                let prev_avail = avail_of(prev.3);
                for m in 1..=4 {
                    let e = prev.1 + m;
                    if e >= end || items[e].ch == HARD_BREAK || !items[e].brk {
                        continue;
                    }
                    if squeezed_width(items, prev.0, e) > prev_avail + EPS {
                        break;
                    }
                    let s = e + 1;
                    let (e2, last2) = line_end(items, s, avail);
                    if last2 || !loose(items, s, e2, avail, ps.size) {
                        prev.1 = e;
                        (start, end, last) = (s, e2, last2);
                        break;
                    }
                }
            }
        }
        spans.push((start, end, last, indent));
        start = end + 1;
    }
    spans
        .into_iter()
        .map(|(start, end, last, indent)| {
            // Trailing spaces do not count (and are not drawn).
            let mut e = end;
            while e > start && (items[e].ch == ' ' || items[e].ch == HARD_BREAK) {
                e -= 1;
            }
            let justify = ps.align == Align::Justify && !last;
            place(
                &items[start..=e],
                avail_of(indent),
                indent,
                justify,
                ps.align,
            )
        })
        .collect()
}

/// The narrowest the items `s..=e` can be set: their advances less every mark's blank half
/// (trailing spaces not counted).
fn squeezed_width(items: &[Item], s: usize, e: usize) -> f32 {
    let mut e = e;
    while e > s && (items[e].ch == ' ' || items[e].ch == HARD_BREAK) {
        e -= 1;
    }
    items[s..=e].iter().map(|x| x.w - x.shrink).sum()
}

/// Would the line `s..=e` be letter-spaced, justified to `avail`: more than a fifth of an
/// em between characters on average?
fn loose(items: &[Item], s: usize, e: usize, avail: f32, size: f32) -> bool {
    let mut e = e;
    while e > s && (items[e].ch == ' ' || items[e].ch == HARD_BREAK) {
        e -= 1;
    }
    let slice = &items[s..=e];
    let natural: f32 = slice.iter().map(|x| x.w).sum();
    let gaps = slice
        .windows(2)
        .filter(|w| stretchable(&w[0], &w[1]))
        .count();
    gaps > 0 && (avail - natural) / gaps as f32 > 0.2 * size
}

/// The last item index of the line starting at `start`, and whether it ends the
/// paragraph or a hard break (then it is not justified).
fn line_end(items: &[Item], start: usize, avail: f32) -> (usize, bool) {
    let n = items.len();
    let mut w = 0.0;
    let mut last_break: Option<usize> = None;
    let mut i = start;
    while i < n {
        let it = &items[i];
        if it.ch == HARD_BREAK {
            return (i, true);
        }
        if w + it.w > avail + EPS && it.ch != ' ' && i > start {
            break;
        }
        w += it.w;
        if it.brk && i + 1 < n {
            last_break = Some(i);
        }
        i += 1;
    }
    if i >= n {
        return (n - 1, true);
    }
    // Item i overflows. If no break is allowed before it (a closing mark, the second
    // half of `——`), first try to squeeze it and its tail into this line.
    if !items[i - 1].brk {
        let mut k = i;
        while k + 1 < n && !items[k].brk && k - i < 3 {
            k += 1;
        }
        if items[k].brk || k + 1 == n {
            let natural: f32 = items[start..=k].iter().map(|x| x.w).sum();
            let shrink: f32 = items[start..=k].iter().map(|x| x.shrink).sum();
            if natural - avail <= shrink + EPS {
                return (k, k + 1 == n);
            }
        }
    }
    // Otherwise push the tail out to the last allowed break.
    match last_break {
        Some(b) => (b, false),
        // A run with no break wider than the line (a long number or URL): cut it where
        // the Chinese rules at least hold, else where it overflows.
        None => {
            let ok = |j: usize| {
                let (a, b) = (items[j].ch, items[j + 1].ch);
                !cjk::is_inseparable_pair(a, b) && !cjk::no_line_start(b) && !cjk::no_line_end(a)
            };
            ((start..i).rev().find(|&j| ok(j)).unwrap_or(i - 1), false)
        }
    }
}

/// Positions one line's glyphs: spreads the slack over the stretchable gaps, or takes a
/// shortfall from the blank halves of punctuation.
fn place(slice: &[Item], avail: f32, indent: f32, justify: bool, align: Align) -> Line {
    let natural: f32 = slice.iter().map(|x| x.w).sum();
    let slack = avail - natural;
    let mut widths: Vec<f32> = slice.iter().map(|x| x.w).collect();
    let mut shifts: Vec<f32> = slice.iter().map(|x| x.shift).collect();
    let mut gaps = vec![0.0f32; slice.len()];
    if slack < -EPS {
        // Squeezed: each mark gives up its share of the shortfall.
        let total: f32 = slice.iter().map(|x| x.shrink).sum();
        if total > 0.0 {
            for (k, it) in slice.iter().enumerate() {
                let cut = (-slack) * it.shrink / total;
                widths[k] -= cut;
                if cjk::is_opening_punct(it.ch) {
                    shifts[k] -= cut;
                }
            }
        }
    } else if justify && slack > EPS {
        let stretch: Vec<usize> = (0..slice.len().saturating_sub(1))
            .filter(|&k| stretchable(&slice[k], &slice[k + 1]))
            .collect();
        if !stretch.is_empty() {
            let each = slack / stretch.len() as f32;
            for k in stretch {
                gaps[k] = each;
            }
        }
    }
    let used: f32 = widths.iter().sum::<f32>() + gaps.iter().sum::<f32>();
    let mut x = indent
        + match align {
            Align::Center => ((avail - used) / 2.0).max(0.0),
            _ => 0.0,
        };
    let origin = x;
    let mut glyphs = Vec::with_capacity(slice.len());
    for (k, it) in slice.iter().enumerate() {
        glyphs.push(LineGlyph {
            ch: it.ch,
            face: it.face,
            x: x + shifts[k],
            half: it.half,
            tag: it.tag,
        });
        x += widths[k] + gaps[k];
    }
    Line {
        glyphs,
        width: x - origin,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Hanzi and full-width marks 1 em, ASCII ½ em (like the shipped fonts).
    pub struct Mono;
    impl Metrics for Mono {
        fn advance(&self, _face: Face, c: char) -> f32 {
            if c.is_ascii() {
                0.5
            } else {
                1.0
            }
        }
    }

    pub fn style(align: Align) -> ParaStyle {
        ParaStyle {
            size: 10.0,
            indent: 20.0,
            align,
            compress: true,
        }
    }

    fn run(text: &str, chars_per_line: f32, ps: &ParaStyle) -> Vec<Line> {
        let spans = [Span {
            text: text.into(),
            face: Face::Regular,
            tag: 0,
        }];
        break_lines(&spans, chars_per_line * 10.0, ps, &Mono)
    }

    fn texts(lines: &[Line]) -> Vec<String> {
        lines.iter().map(Line::text).collect()
    }

    #[test]
    fn indent_and_justification_fill_the_measure() {
        let lines = run("一二三四五六七八九十甲乙丙丁", 6.0, &style(Align::Justify));
        assert_eq!(texts(&lines), ["一二三四", "五六七八九十", "甲乙丙丁"]);
        assert_eq!(lines[0].glyphs[0].x, 20.0, "2-em first-line indent");
        assert_eq!(lines[1].glyphs[0].x, 0.0);
        // The last line stays flush start at its natural width.
        assert_eq!(lines[2].width, 40.0);
    }

    #[test]
    fn slack_is_spread_between_characters() {
        // `GDP` (1.5 em) does not fit after five hanzi on a 6-em line: a full em of slack.
        let ps = ParaStyle {
            indent: 0.0,
            ..style(Align::Justify)
        };
        let lines = run("一二三四五GDP六", 6.0, &ps);
        let l0 = &lines[0];
        assert_eq!(l0.text(), "一二三四五");
        assert!((l0.width - 60.0).abs() < 0.01, "justified to the measure");
        let gaps: Vec<f32> = l0.glyphs.windows(2).map(|w| w[1].x - w[0].x).collect();
        assert!(gaps.iter().all(|g| (g - gaps[0]).abs() < 0.01), "{gaps:?}");
        // Inside a Latin word no gap stretches.
        let lines = run("一二三GDP五六七八九", 5.0, &ps);
        let g = &lines[0].glyphs;
        assert_eq!(lines[0].text(), "一二三GDP");
        assert_eq!(g[4].x - g[3].x, 5.0, "G and D keep their natural distance");
        assert!((g[1].x - g[0].x - (10.0 + 5.0 / 3.0)).abs() < 0.01);
    }

    #[test]
    fn no_line_starts_with_a_closing_mark_squeeze_first() {
        let ps = ParaStyle {
            indent: 0.0,
            ..style(Align::Justify)
        };
        // `，` would start line 2: the line has a comma to squeeze, so it is pulled in.
        let lines = run("一，二三四五，六七", 6.0, &ps);
        assert_eq!(lines[0].text(), "一，二三四五，");
        assert!(lines[0].width <= 60.01);
        for l in &lines {
            assert!(!cjk::no_line_start(l.glyphs[0].ch), "{:?}", texts(&lines));
        }
    }

    #[test]
    fn push_out_when_nothing_can_be_squeezed() {
        let ps = ParaStyle {
            indent: 0.0,
            ..style(Align::Justify)
        };
        // No mark on line 1 to squeeze: `六` goes down with its `。`.
        let lines = run("一二三四五六。七八", 6.0, &ps);
        assert_eq!(texts(&lines), ["一二三四五", "六。七八"]);
        assert!((lines[0].width - 60.0).abs() < 0.01, "re-justified");
    }

    #[test]
    fn a_line_left_loose_by_a_number_takes_from_the_line_above() {
        let ps = ParaStyle {
            indent: 0.0,
            ..style(Align::Justify)
        };
        // Greedy: `一，二，三四五六` / `七八九十比重` — 2 em of slack between six characters,
        // as `46.3%，` does not fit. The first line takes `七` by squeezing its two commas;
        // the second then reaches the number.
        let lines = run("一，二，三四五六七八九十比重46.3%，消费", 8.0, &ps);
        assert_eq!(
            texts(&lines),
            ["一，二，三四五六七", "八九十比重46.3%，", "消费"]
        );
        assert!(lines[0].width <= 80.01 && lines[1].width <= 80.01);
        // Nothing above to take from: the line stays as it was.
        let lines = run("七八九十比重46.3%，消费", 8.0, &ps);
        assert_eq!(texts(&lines)[0], "七八九十比重");
    }

    #[test]
    fn no_line_ends_with_an_opening_mark() {
        let ps = ParaStyle {
            indent: 0.0,
            ..style(Align::Justify)
        };
        let lines = run("一二三四五《六七》八", 6.0, &ps);
        assert_eq!(lines[0].text(), "一二三四五");
        assert!(lines[1].text().starts_with('《'));
        let lines = run("一二三四五“六七”八", 6.0, &ps);
        assert!(!lines[0].text().ends_with('“'));
    }

    #[test]
    fn dashes_ellipses_and_numbers_are_never_split() {
        let ps = ParaStyle {
            indent: 0.0,
            ..style(Align::Justify)
        };
        for text in ["一二三四五——六七八", "一二三四五……六七八", "一二三四2023年"]
        {
            let lines = run(text, 6.0, &ps);
            for w in lines.windows(2) {
                let (a, b) = (w[0].text(), w[1].text());
                let (x, y) = (a.chars().last().unwrap(), b.chars().next().unwrap());
                assert!(!cjk::is_inseparable_pair(x, y), "{a}|{b}");
                assert!(!(x.is_ascii_digit() && y.is_ascii_digit()), "{a}|{b}");
            }
        }
    }

    #[test]
    fn adjacent_marks_are_compressed() {
        let ps = ParaStyle {
            indent: 0.0,
            ..style(Align::Start)
        };
        let lines = run("好。”他", 10.0, &ps);
        let g = &lines[0].glyphs;
        assert_eq!(g[2].x - g[1].x, 5.0, "。 before ” takes half an em");
        assert_eq!(g[3].x - g[2].x, 10.0);
        let off = ParaStyle {
            compress: false,
            ..ps
        };
        let lines = run("好。”他", 10.0, &off);
        assert_eq!(lines[0].glyphs[2].x - lines[0].glyphs[1].x, 10.0);
        // `（“`: the second mark moves left into the first one's blank half.
        let lines = run("（“好", 10.0, &ps);
        assert_eq!(lines[0].glyphs[1].x, 5.0);
        assert_eq!(lines[0].glyphs[2].x, 15.0);
    }

    #[test]
    fn headlines_break_between_phrases_into_even_lines() {
        let ps = ParaStyle {
            indent: 0.0,
            ..style(Align::Center)
        };
        let spans = |t: &str| {
            [Span {
                text: t.into(),
                face: Face::Bold,
                tag: 0,
            }]
        };
        let lines = break_headline(
            &spans("勇挑大梁走在前 勇攀新高再出发 奋力推进中国式现代化"),
            200.0,
            &ps,
            &Mono,
        );
        assert_eq!(
            texts(&lines),
            ["勇挑大梁走在前 勇攀新高再出发", "奋力推进中国式现代化"]
        );
        // No spaces: 16 characters on a 12-em measure become two even lines, broken
        // between words (not `…反腐败工 / 作`).
        let lines = break_headline(
            &spans("研究部署党风廉政建设和反腐败工作"),
            120.0,
            &ps,
            &Mono,
        );
        assert_eq!(texts(&lines), ["研究部署党风廉政", "建设和反腐败工作"]);
        assert_eq!(lines[0].glyphs[0].x, 20.0, "centred");
        // Between words, never inside one (`第十 / 三届`).
        let lines = break_headline(
            &spans("中国共产党常州市武进区第十三届委员会第六次全体会议决议"),
            200.0,
            &ps,
            &Mono,
        );
        assert_eq!(
            texts(&lines),
            ["中国共产党常州市武进区", "第十三届委员会第六次全体会议决议"]
        );
    }

    #[test]
    fn centred_and_hard_breaks() {
        let lines = run("标题\u{2028}第二行", 10.0, &style(Align::Center));
        assert_eq!(texts(&lines), ["标题", "第二行"]);
        // Centred in the measure after the indent.
        assert_eq!(lines[0].glyphs[0].x, 20.0 + (80.0 - 20.0) / 2.0);
    }

    #[test]
    fn a_headline_with_no_break_never_runs_past_the_measure() {
        let ps = ParaStyle {
            size: 10.0,
            indent: 0.0,
            align: Align::Center,
            compress: true,
        };
        let text = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghij";
        let spans = [Span {
            text: text.into(),
            face: Face::Regular,
            tag: 0,
        }];
        let lines = break_headline(&spans, 60.0, &ps, &Mono);
        assert!(lines.len() > 1);
        assert_eq!(texts(&lines).concat(), text, "no glyph dropped");
        for l in &lines {
            let right = l
                .glyphs
                .last()
                .map_or(0.0, |g| g.x + Mono.advance(g.face, g.ch) * 10.0);
            assert!(right <= 60.01, "{} ends at {right}", l.text());
        }
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        /// Text made of the pieces Chinese news text is made of: runs of hanzi, closing
        /// marks after them, bracketed or quoted phrases, numbers, Latin words, `——`, `……`.
        /// No unbreakable unit is wider than a line (one that is must be cut somewhere).
        fn piece() -> impl Strategy<Value = String> {
            let han = proptest::collection::vec(
                proptest::sample::select(vec![
                    '全', '会', '指', '出', '明', '年', '发', '展', '新',
                ]),
                1..6,
            )
            .prop_map(|v| v.into_iter().collect::<String>());
            prop_oneof![
                han.clone(),
                (
                    han.clone(),
                    proptest::sample::select(vec!["，", "。", "、", "；", "：", "。”", "！", "？"])
                )
                    .prop_map(|(h, p)| format!("{h}{p}")),
                (
                    proptest::sample::select(vec![("“", "”"), ("《", "》"), ("（", "）")]),
                    han.clone()
                )
                    .prop_map(|((o, c), h)| format!("{o}{h}{c}")),
                (1u32..100000).prop_map(|n| format!("{n}")),
                "[a-zA-Z]{1,5}".prop_map(|w| format!(" {w} ")),
                han.clone().prop_map(|h| format!("——{h}")),
                han.prop_map(|h| format!("{h}……")),
            ]
        }

        proptest! {
            #[test]
            fn lines_keep_the_rules(pieces in proptest::collection::vec(piece(), 1..40), ems in 10u32..24) {
                let text: String = pieces.concat();
                let ps = style(Align::Justify);
                let measure = ems as f32 * 10.0;
                let lines = run(&text, ems as f32, &ps);
                // Every character comes back, in order (spaces aside).
                let got: String = lines.iter().map(Line::text).collect::<String>().chars().filter(|c| *c != ' ').collect();
                let want: String = text.chars().filter(|c| *c != ' ').collect();
                prop_assert_eq!(got, want);
                for (i, l) in lines.iter().enumerate() {
                    let t = l.text();
                    let (first, last) = (t.chars().next().unwrap(), t.chars().last().unwrap());
                    prop_assert!(i == 0 || !cjk::no_line_start(first), "line {} starts with {}: {:?}", i, first, texts(&lines));
                    prop_assert!(!cjk::no_line_end(last), "line {} ends with {}: {:?}", i, last, texts(&lines));
                    let indent = if i == 0 { ps.indent } else { 0.0 };
                    prop_assert!(indent + l.width <= measure + 0.05, "line {} too wide: {:?}", i, texts(&lines));
                    if i + 1 < lines.len() {
                        // Justified: every line but the last fills the measure.
                        if t.chars().filter(|c| cjk::is_cjk(*c)).count() >= 2 {
                            prop_assert!((indent + l.width - measure).abs() < 0.05, "line {} not justified: {:?}", i, texts(&lines));
                        }
                        let next = lines[i + 1].text();
                        prop_assert!(!cjk::is_inseparable_pair(last, next.chars().next().unwrap()));
                    }
                }
            }
        }
    }
}
