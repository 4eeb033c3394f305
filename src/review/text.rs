//! The text as it will be typeset, paragraph by paragraph, with every placed
//! repair, page boundary and warning in it.
//!
//! Size bound: each filter group marks at most [`MARKS_PER_GROUP`] places (500
//! joins, 500 furniture, 3,000 punctuation, 500 warnings) (more are
//! still applied and counted, and shown as plain repaired text), and once
//! [`TEXT_BUDGET`] bytes of text are out, paragraphs without marks fold into one line
//! and long paragraphs show only the text around their marks. So the page stays a few
//! megabytes and some tens of thousands of elements whatever the size.

use super::html::{escape, push_escaped, push_fmt};
use super::place::{Mark, Placed, Shape, What};
use super::zh::{self, Group};
use super::Ctx;
use crate::cjk;

/// Places marked in the text per filter group: joins, furniture, punctuation, warnings.
/// A punctuation mark is three elements; a join with its note about a dozen.
pub const MARKS_PER_GROUP: [usize; 4] = [500, 500, 3_000, 500];
/// Bytes of issue text shown in full before the text folds to what is marked.
pub const TEXT_BUDGET: usize = 256 * 1024;
/// Characters kept on each side of a mark once the text folds.
const CONTEXT: usize = 24;

/// A note under a paragraph that is not one of the normalizer's (check's findings).
pub struct ExtraNote {
    pub line: usize,
    pub error: bool,
    pub kind: String,
    pub text: String,
    pub at: String,
}

/// A block of the repaired text: repaired lines `first..end`.
struct Para {
    first: usize,
    end: usize,
    heading: Option<usize>,
    raw: bool,
}

fn heading_level(line: &str) -> Option<usize> {
    let t = line.trim_start();
    let n = t.chars().take_while(|&c| c == '#').count();
    ((1..=6).contains(&n) && t[n..].starts_with([' ', '\t'])).then_some(n)
}

fn is_raw(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with(['|', '>', '-', '*', '+', '`', '~'])
        || t.split_once(". ")
            .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

fn paragraphs(lines: &[&str]) -> Vec<Para> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim().is_empty() {
            i += 1;
            continue;
        }
        if let Some(h) = heading_level(lines[i]) {
            out.push(Para {
                first: i,
                end: i + 1,
                heading: Some(h),
                raw: false,
            });
            i += 1;
            continue;
        }
        let first = i;
        while i < lines.len() && !lines[i].trim().is_empty() && heading_level(lines[i]).is_none() {
            i += 1;
        }
        out.push(Para {
            first,
            end: i,
            heading: None,
            raw: is_raw(lines[first]),
        });
    }
    out
}

/// What the text part of the page counted, for the header.
#[derive(Default)]
pub struct Shown {
    /// Per group: places marked, and places over the bound (applied, not marked).
    pub marked: [usize; 4],
    pub over: [usize; 4],
    /// Paragraphs folded away (no marks, past the text budget).
    pub folded: usize,
    /// Joins in text order: (repair index, number shown on the page).
    pub joins: Vec<usize>,
    /// Paragraph id of each repaired line's paragraph start, for links from the header.
    pub para_of_line: Vec<usize>,
}

struct Writer<'a, 'b> {
    ctx: &'a Ctx<'b>,
    out: String,
    shown: Shown,
    text_bytes: usize,
}

fn gi(g: Group) -> usize {
    g as usize
}

impl Writer<'_, '_> {
    fn room(&self, g: Group) -> bool {
        self.shown.marked[gi(g)] < MARKS_PER_GROUP[gi(g)]
    }

    fn take(&mut self, g: Group) -> bool {
        if self.shown.marked[gi(g)] < MARKS_PER_GROUP[gi(g)] {
            self.shown.marked[gi(g)] += 1;
            true
        } else {
            self.shown.over[gi(g)] += 1;
            false
        }
    }

    fn group_of(&self, w: What) -> Group {
        match w {
            What::Repair(i) => zh::repair_group(self.ctx.n.repairs[i].kind),
            What::Page(_) => Group::Furniture,
            What::Warning(_) => Group::Warn,
        }
    }
}

/// Writes `<main>`: every paragraph with its marks and notes.
pub fn write(ctx: &Ctx, placed: &Placed, extra: &[ExtraNote]) -> (String, Shown) {
    let lines = super::place::lines(&ctx.n.text);
    let paras = paragraphs(&lines);
    let mut para_of_line = vec![usize::MAX; lines.len() + 1];
    for (k, p) in paras.iter().enumerate() {
        for slot in &mut para_of_line[p.first..p.end] {
            *slot = k;
        }
    }
    // Blank lines belong to the next paragraph (notes and removed lines placed there).
    let mut next = paras.len();
    for slot in para_of_line.iter_mut().rev() {
        if *slot == usize::MAX {
            *slot = next;
        } else {
            next = *slot;
        }
    }
    let mut w = Writer {
        ctx,
        out: String::with_capacity(ctx.n.text.len() * 2 + 4096),
        shown: Shown::default(),
        text_bytes: 0,
    };
    w.out.push_str("<main id=\"text\">\n");
    let (mut m, mut nt, mut rm, mut ex) = (0, 0, 0, 0);
    let mut folded = 0;
    for (k, p) in paras.iter().enumerate().chain(std::iter::once((
        paras.len(),
        &Para {
            first: lines.len(),
            end: lines.len(),
            heading: None,
            raw: false,
        },
    ))) {
        let end_m = m + placed.marks[m..].partition_point(|x| x.line < p.end);
        let end_nt = nt + placed.notes[nt..].partition_point(|&(l, _)| para_of_line[l] <= k);
        let end_rm = rm + placed.removed[rm..].partition_point(|&(l, _)| para_of_line[l] <= k);
        let end_ex = ex + extra[ex..].partition_point(|x| x.line < p.end);
        let marks = &placed.marks[m..end_m];
        let notes = &placed.notes[nt..end_nt];
        let removed = &placed.removed[rm..end_rm];
        let extras = &extra[ex..end_ex];
        (m, nt, rm, ex) = (end_m, end_nt, end_rm, end_ex);
        let full = w.text_bytes < TEXT_BUDGET;
        // Busy: something here will still be marked (its group has room left).
        let busy = marks.iter().any(|m| w.room(w.group_of(m.what)))
            || notes.iter().any(|&(_, x)| w.room(w.group_of(x)))
            || (!removed.is_empty() && w.room(Group::Furniture))
            || (!extras.is_empty() && w.room(Group::Warn));
        if !full && !busy && k < paras.len() {
            // Counted as applied but not marked.
            let groups: Vec<Group> = marks
                .iter()
                .map(|m| w.group_of(m.what))
                .chain(notes.iter().map(|&(_, x)| w.group_of(x)))
                .chain(removed.iter().map(|_| Group::Furniture))
                .chain(extras.iter().map(|_| Group::Warn))
                .collect();
            for g in groups {
                w.take(g);
            }
            folded += 1;
            continue;
        }
        if folded > 0 {
            push_fmt(
                &mut w.out,
                format_args!("<p class=\"fold\">……略去 {folded} 段（其中没有标出的修复）</p>\n"),
            );
            w.shown.folded += folded;
            folded = 0;
        }
        w.removed_block(removed);
        if k < paras.len() {
            w.para(k, p, &lines, marks, notes, extras, placed, full);
        }
    }
    w.out.push_str("</main>\n");
    w.shown.para_of_line = para_of_line;
    (w.out, w.shown)
}

impl Writer<'_, '_> {
    /// Furniture removed between paragraphs, struck through.
    fn removed_block(&mut self, removed: &[(usize, usize)]) {
        let mut items = String::new();
        for &(_, i) in removed {
            if !self.take(Group::Furniture) {
                continue;
            }
            let r = &self.ctx.n.repairs[i];
            push_fmt(
                &mut items,
                format_args!(
                    "<li id=\"r{i}\"><del>{}</del> <span class=\"why\">{}{}</span> <span class=\"at\">{}</span></li>",
                    escape(&r.before),
                    zh::kind_name(r.kind),
                    r.evidence
                        .as_deref()
                        .map_or(String::new(), |e| format!("：{}", escape(&zh::evidence(e)))),
                    escape(&self.ctx.at_input(r.line)),
                ),
            );
        }
        if !items.is_empty() {
            push_fmt(
                &mut self.out,
                format_args!("<ul class=\"gone g-furn\">{items}</ul>\n"),
            );
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn para(
        &mut self,
        k: usize,
        p: &Para,
        lines: &[&str],
        marks: &[Mark],
        notes: &[(usize, What)],
        extras: &[ExtraNote],
        placed: &Placed,
        full: bool,
    ) {
        let mut groups = [false; 4];
        for m in marks {
            groups[gi(self.group_of(m.what))] = true;
        }
        for &(_, w) in notes {
            groups[gi(self.group_of(w))] = true;
        }
        if !extras.is_empty() {
            groups[gi(Group::Warn)] = true;
        }
        let mut class = String::from("p");
        for g in Group::ALL {
            if groups[gi(g)] {
                class.push_str(" g-");
                class.push_str(g.class());
            }
        }
        // A page that begins with this paragraph: a rule above it.
        let mut marks = marks;
        while let Some((m, rest)) = marks.split_first() {
            if m.shape == Shape::Page && m.line == p.first && m.col == 0 {
                self.page_rule(m);
                marks = rest;
            } else {
                break;
            }
        }
        push_fmt(
            &mut self.out,
            format_args!(
                "<div class=\"{class}\" id=\"p{k}\"><a class=\"at\" href=\"#p{k}\" title=\"{}\">{}</a>",
                escape(&self.ctx.at_line(p.first)),
                escape(&self.ctx.margin(p.first))
            ),
        );
        let tag = match p.heading {
            Some(1) => "h2",
            Some(2) => "h3",
            Some(_) => "h4",
            None => "p",
        };
        push_fmt(&mut self.out, format_args!("<{tag}>"));
        let mut mi = 0;
        let mut seams = Vec::new();
        for l in p.first..p.end {
            let chars: Vec<char> = lines[l].chars().collect();
            let skip = match p.heading {
                Some(_) => {
                    let t = lines[l];
                    t.len() - t.trim_start().trim_start_matches('#').trim_start().len()
                }
                None => 0,
            };
            let skip = lines[l][..skip].chars().count();
            if l > p.first {
                if p.raw {
                    self.out.push_str("<br>");
                } else {
                    let prev = lines[l - 1].chars().next_back();
                    let next = chars.first().copied();
                    if prev.is_some_and(|c| !cjk::is_cjk(c))
                        && next.is_some_and(|c| !cjk::is_cjk(c))
                    {
                        self.out.push(' ');
                    }
                }
            }
            let line_end = mi + marks[mi..].partition_point(|m| m.line <= l);
            let mut pos = skip;
            let mut shown_any = false;
            for m in &marks[mi..line_end] {
                let g = self.group_of(m.what);
                if !self.take(g) {
                    continue; // applied, not marked: plain repaired text
                }
                let col = m.col.max(pos);
                self.text(&chars, pos, col, full, shown_any, true);
                pos = col;
                let len = if m.col < pos { 0 } else { m.len };
                let end = (pos + len).min(chars.len());
                self.mark(m, &chars[pos..end], placed, &mut seams);
                pos = end;
                shown_any = true;
            }
            mi = line_end;
            self.text(&chars, pos, chars.len(), full, shown_any, false);
            self.text_bytes += lines[l].len();
        }
        push_fmt(&mut self.out, format_args!("</{tag}>"));
        for j in seams {
            self.join_note(j);
        }
        for &(_, w) in notes {
            self.note(w);
        }
        for e in extras {
            if !self.take(Group::Warn) {
                continue;
            }
            push_fmt(
                &mut self.out,
                format_args!(
                    "<p class=\"note g-warn {}\"><b>{}</b> {} <span class=\"at\">{}</span></p>",
                    if e.error { "err" } else { "warn" },
                    escape(zh::kind_name(&e.kind)),
                    escape(&e.text),
                    escape(&e.at)
                ),
            );
        }
        self.out.push_str("</div>\n");
    }

    /// Text between marks; once the text folds, only the context around marks.
    fn text(&mut self, chars: &[char], a: usize, b: usize, full: bool, after: bool, before: bool) {
        let (a, b) = (a.min(chars.len()), b.min(chars.len()));
        if a >= b {
            return;
        }
        let push = |out: &mut String, s: &[char]| {
            let s: String = s.iter().collect();
            push_escaped(out, &s);
        };
        if full || b - a <= 2 * CONTEXT {
            push(&mut self.out, &chars[a..b]);
            return;
        }
        if after {
            push(&mut self.out, &chars[a..a + CONTEXT]);
        }
        self.out.push_str("<span class=\"cut\">…</span>");
        if before {
            push(&mut self.out, &chars[b - CONTEXT..b]);
        }
    }

    fn page_rule(&mut self, m: &Mark) {
        let What::Page(i) = m.what else { return };
        if !self.take(Group::Furniture) {
            return;
        }
        let b = &self.ctx.n.pages[i];
        push_fmt(
            &mut self.out,
            format_args!(
                "<div class=\"page g-furn\" id=\"pg{i}\"><span>{}</span> <span class=\"at\">{}</span></div>\n",
                escape(&super::page_name(b)),
                escape(&self.ctx.at_input(b.input_line))
            ),
        );
    }

    fn mark(&mut self, m: &Mark, covered: &[char], placed: &Placed, seams: &mut Vec<usize>) {
        let covered: String = covered.iter().collect();
        match (&m.shape, m.what) {
            (Shape::Replace { removed }, What::Repair(i)) => {
                let r = &self.ctx.n.repairs[i];
                let g = zh::repair_group(r.kind);
                let old = if removed.is_empty() {
                    "（无）".to_string()
                } else {
                    shown(removed)
                };
                let mut tip = format!(
                    "{} · 原文「{old}」 · {}",
                    zh::kind_name(r.kind),
                    self.ctx.at_input(r.line)
                );
                if let Some(e) = &r.evidence {
                    tip.push_str(" · ");
                    tip.push_str(&zh::evidence(e));
                }
                push_fmt(
                    &mut self.out,
                    format_args!(
                        "<span class=\"m g-{}\" id=\"r{i}\" tabindex=\"0\" data-tip=\"{}\"><del>{}</del><ins>{}</ins></span>",
                        g.class(),
                        escape(&tip),
                        escape(&shown(removed)),
                        escape(&covered)
                    ),
                );
            }
            (Shape::Seam, What::Repair(i)) => {
                seams.push(i);
                self.shown.joins.push(i);
                let n = self.shown.joins.len();
                let r = &self.ctx.n.repairs[i];
                push_fmt(
                    &mut self.out,
                    format_args!(
                        "<span class=\"seam g-join\" id=\"r{i}\"><span class=\"brk\" aria-hidden=\"true\"></span>"
                    ),
                );
                for &x in placed.at_seam.get(&i).map_or(&[][..], Vec::as_slice) {
                    let e = &self.ctx.n.repairs[x];
                    let what = if e.kind == "repeated-overlap" {
                        &e.after
                    } else {
                        &e.before
                    };
                    push_fmt(
                        &mut self.out,
                        format_args!(
                            "<del class=\"{}\" title=\"{}\">{}</del>",
                            if e.kind == "repeated-overlap" {
                                "ov"
                            } else {
                                "furn"
                            },
                            escape(&format!(
                                "{} · {}",
                                zh::kind_name(e.kind),
                                self.ctx.at_input(e.line)
                            )),
                            escape(what)
                        ),
                    );
                }
                push_fmt(
                    &mut self.out,
                    format_args!(
                        "<a class=\"tag\" href=\"#j{i}\" title=\"{}\">接合 {n}</a></span>",
                        escape(&format!("跨版接合 · {}", self.ctx.at_input(r.line)))
                    ),
                );
                self.out.push_str(&escape(&covered));
            }
            (Shape::Split, What::Repair(i)) => {
                let r = &self.ctx.n.repairs[i];
                let tip = format!(
                    "分段 · 原为一段：「{}」 · {}",
                    r.before,
                    self.ctx.at_input(r.line)
                );
                push_fmt(
                    &mut self.out,
                    format_args!(
                        "<span class=\"split g-join\" id=\"r{i}\" tabindex=\"0\" data-tip=\"{}\">¶</span>{}",
                        escape(&tip),
                        escape(&covered)
                    ),
                );
            }
            (Shape::Page, What::Page(i)) => {
                let b = &self.ctx.n.pages[i];
                push_fmt(
                    &mut self.out,
                    format_args!(
                        "<span class=\"pg g-furn\" id=\"pg{i}\">{}</span>{}",
                        escape(&super::page_name(b)),
                        escape(&covered)
                    ),
                );
            }
            (Shape::Highlight, What::Warning(i)) => {
                let w = &self.ctx.n.warnings[i];
                push_fmt(
                    &mut self.out,
                    format_args!(
                        "<mark class=\"hl g-warn\" tabindex=\"0\" data-tip=\"{}\">{}</mark>",
                        escape(&format!(
                            "{} · {}",
                            zh::kind_name(w.kind),
                            self.ctx.at_input(w.line)
                        )),
                        escape(&covered)
                    ),
                );
            }
            _ => self.out.push_str(&escape(&covered)),
        }
    }

    /// Under a paragraph with a join: what was joined, why, and how to keep it apart.
    fn join_note(&mut self, i: usize) {
        let r = &self.ctx.n.repairs[i];
        let n = self
            .shown
            .joins
            .iter()
            .position(|&j| j == i)
            .map_or(0, |k| k + 1);
        push_fmt(
            &mut self.out,
            format_args!(
                "<p class=\"note g-join\" id=\"j{i}\"><b>接合 {n}</b> 「{}」 → 「{}」",
                escape(&shown(&r.before)),
                escape(&shown(&r.after))
            ),
        );
        if let Some(e) = &r.evidence {
            push_fmt(
                &mut self.out,
                format_args!(" · 依据：{}", escape(&zh::evidence(e))),
            );
        }
        push_fmt(
            &mut self.out,
            format_args!(
                " <span class=\"at\">{}</span>",
                escape(&self.ctx.at_input(r.line))
            ),
        );
        if let Some(v) = r.veto_line {
            push_fmt(
                &mut self.out,
                format_args!(
                    "<br><span class=\"veto\">如要保持分段：在 <b>{}</b> 之前单独一行写 <code>{}</code></span>",
                    escape(&self.ctx.at_input(v)),
                    escape(crate::normalize::KEEP_MARKER)
                ),
            );
        }
        self.out.push_str("</p>");
    }

    fn note(&mut self, w: What) {
        let g = self.group_of(w);
        if !self.take(g) {
            return;
        }
        match w {
            What::Warning(i) => {
                let x = &self.ctx.n.warnings[i];
                push_fmt(
                    &mut self.out,
                    format_args!(
                        "<p class=\"note g-warn warn\"><b>警告 · {}</b> {} <span class=\"at\">{}</span></p>",
                        escape(zh::kind_name(x.kind)),
                        escape(&zh::message(x.kind, &x.message)),
                        escape(&self.ctx.at_input(x.line))
                    ),
                );
            }
            What::Repair(i) => {
                let r = &self.ctx.n.repairs[i];
                let change = if r.before.is_empty() && r.after.is_empty() {
                    String::new()
                } else {
                    format!(
                        " 「{}」 → 「{}」",
                        escape(&shown(&r.before)),
                        escape(&shown(&r.after))
                    )
                };
                push_fmt(
                    &mut self.out,
                    format_args!(
                        "<p class=\"note g-{}\" id=\"r{i}\"><b>{}</b>{change}{} <span class=\"at\">{}</span></p>",
                        zh::repair_group(r.kind).class(),
                        escape(zh::kind_name(r.kind)),
                        r.evidence
                            .as_deref()
                            .map_or(String::new(), |e| format!(" · {}", escape(&zh::evidence(e)))),
                        escape(&self.ctx.at_input(r.line))
                    ),
                );
            }
            What::Page(_) => {}
        }
    }
}

/// Text of a before/after for display: line breaks as ⏎, spaces visible, long runs cut.
pub fn shown(s: &str) -> String {
    let s: String = s.chars().map(|c| if c == ' ' { '␣' } else { c }).collect();
    let n = s.chars().count();
    if n <= 60 {
        return s;
    }
    let head: String = s.chars().take(28).collect();
    let tail: String = s.chars().skip(n - 28).collect();
    format!("{head}…{tail}")
}
