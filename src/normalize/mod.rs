//! The content normalizer: repairs page-break damage and Chinese punctuation on the
//! Markdown source, and records every repair for the editor's review.
//!
//! Passes, in order (each its own module): [`radicals`] turns Kangxi radicals in running
//! text back into the ideographs they stand for; [`jumps`] moves an article's continuation
//! (`（上接第1版）`) to follow the paragraph cut by `（下转第2版）`; [`furniture`] removes
//! page numbers, running heads and jump lines; [`joins`] joins paragraphs cut by a page break (with
//! [`overlap`] removing characters the conversion repeated across the break);
//! [`punctuation`] makes ASCII punctuation in Chinese context full-width; [`warnings`]
//! flags what looks wrong but is left alone. The text is handled as lines that keep
//! their input line number, so every repair and every later diagnostic can point at
//! the original file and line.

mod blocks;
mod evidence;
mod furniture;
mod joins;
mod jumps;
mod lineshape;
mod masthead;
mod overlap;
mod punctuation;
mod radicals;
mod spaces;
mod structure;
mod veto;
mod warnings;

pub use masthead::{Masthead, Sighting};
pub(crate) use punctuation::full_width;
pub use veto::{is_keep_marker, Vetoes, KEEP_MARKER};

use crate::model::IssueDate;
use serde::Serialize;

/// What the normalizer knows about the issue (running heads name the paper and the date).
#[derive(Debug, Clone, Default)]
pub struct NormalizeOptions {
    pub newspaper: Option<String>,
    pub date: Option<IssueDate>,
    /// Print pages the issue's files already mark (a folder issue: one per file).
    pub pages: Vec<GivenPage>,
    /// Repairs the editor forbade, by the text at their seam (`veto` in the metadata).
    pub vetoes: Vetoes,
}

/// A print page known before normalizing: it begins at an input line.
#[derive(Debug, Clone, Default)]
pub struct GivenPage {
    /// 0-based input line where the page's text begins.
    pub line: usize,
    pub page: Option<u32>,
    pub section: Option<String>,
}

/// One change made to the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Repair {
    /// 1-based line of the input text where the repair starts.
    pub line: usize,
    /// Name of the pass, e.g. `page-break-join`, `repeated-overlap`, `page-furniture`, `punctuation`.
    pub kind: &'static str,
    pub before: String,
    pub after: String,
    /// Why the repair was judged safe (e.g. the evidence for a repeated overlap).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// For a join: the input line before which `<!-- paiban: keep -->` keeps the two
    /// paragraphs apart (the editor's veto).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub veto_line: Option<usize>,
    /// What to add to `veto` in the metadata to forbid this repair: the text at its seam
    /// (`目标任|务`) or the line it marked (`一、工作回顾`). Unlike a line number it stays
    /// right when the file is edited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub veto_key: Option<String>,
}

impl Repair {
    pub(crate) fn new(line: usize, kind: &'static str, before: String, after: String) -> Self {
        Repair {
            line,
            kind,
            before,
            after,
            evidence: None,
            veto_line: None,
            veto_key: None,
        }
    }
}

/// A print page boundary the normalizer found (from the page furniture it removed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageBoundary {
    /// Byte offset in the repaired text where the page's text begins.
    pub offset: usize,
    /// 1-based line of the repaired text holding that offset.
    pub line: usize,
    /// 1-based input line where the page's text begins.
    pub input_line: usize,
    /// The page number the furniture gave (`第3版`, `— 3 —`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// The section (版名) the running head named (`要闻`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
}

/// A page boundary while the passes run: a place in `Lines` (line index and character
/// column), moved along when a join merges its line into the one before.
#[derive(Debug, Clone)]
pub(crate) struct Mark {
    pub line: usize,
    pub col: usize,
    pub page: Option<u32>,
    pub section: Option<String>,
}

/// Something worth an editor's look that the normalizer did not change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NormWarning {
    pub line: usize,
    pub kind: &'static str,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct Normalized {
    pub text: String,
    pub repairs: Vec<Repair>,
    /// How many repairs of each kind (kept when the repairs themselves are let go).
    pub counts: std::collections::BTreeMap<&'static str, usize>,
    pub warnings: Vec<NormWarning>,
    /// For each 0-based line of `text`, the 0-based line of the input it came from.
    pub line_origin: Vec<usize>,
    /// Where each print page's text begins, in order (empty when no furniture said).
    pub pages: Vec<PageBoundary>,
    /// The paper and date the removed running heads named.
    pub masthead: Masthead,
}

/// One line of the text being repaired, with the input line it came from.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    pub text: String,
    /// 0-based input line.
    pub origin: usize,
    /// Dropped from the output (page furniture, or a separator or fragment consumed by a join).
    pub removed: bool,
}

/// The text as lines, all passes work on this.
#[derive(Debug, Clone)]
pub(crate) struct Lines {
    pub lines: Vec<Line>,
    final_newline: bool,
    /// Page boundaries, in text order.
    pub marks: Vec<Mark>,
    /// Lines that held the editor's `<!-- paiban: keep -->` (now removed), in order.
    pub vetoes: Vec<usize>,
    /// The editor's vetoes by text (`veto` in the metadata).
    pub veto_texts: Vetoes,
}

impl Lines {
    fn new(text: &str) -> Self {
        let final_newline = text.ends_with('\n');
        let body = text.strip_suffix('\n').unwrap_or(text);
        let lines = if text.is_empty() {
            Vec::new()
        } else {
            body.split('\n')
                .enumerate()
                .map(|(origin, t)| Line {
                    text: t.to_string(),
                    origin,
                    removed: false,
                })
                .collect()
        };
        Lines {
            lines,
            final_newline,
            marks: Vec::new(),
            vetoes: Vec::new(),
            veto_texts: Vetoes::default(),
        }
    }

    /// Did the editor forbid joining across the lines between `a` and `b`?
    pub(crate) fn vetoed(&self, a: usize, b: usize) -> bool {
        let at = self.vetoes.partition_point(|&v| v <= a);
        self.vetoes.get(at).is_some_and(|&v| v < b)
    }

    /// Records a page boundary, keeping the marks in text order.
    pub(crate) fn add_mark(&mut self, m: Mark) {
        let at = self
            .marks
            .partition_point(|x| (x.line, x.col) <= (m.line, m.col));
        self.marks.insert(at, m);
    }

    /// Does line `i` hold a page boundary?
    pub(crate) fn has_marks(&self, i: usize) -> bool {
        let at = self.marks.partition_point(|x| x.line < i);
        self.marks.get(at).is_some_and(|m| m.line == i)
    }

    /// Is there a page boundary at the start of line `i`?
    pub(crate) fn page_starts_at(&self, i: usize) -> bool {
        let at = self.marks.partition_point(|x| x.line < i);
        self.marks
            .get(at)
            .is_some_and(|m| m.line == i && m.col == 0)
    }

    /// Characters at these (ascending) columns of line `i` were deleted: its marks shift.
    pub(crate) fn shift_marks(&mut self, i: usize, deleted: &[usize]) {
        let at = self.marks.partition_point(|x| x.line < i);
        for m in self.marks[at..].iter_mut().take_while(|m| m.line == i) {
            m.col -= deleted.partition_point(|&d| d < m.col);
        }
    }

    /// Splits each listed line at the spaces at these character columns (counted after
    /// the line's own edits) into paragraphs: the space becomes a blank line. Marks and
    /// vetoes follow their text.
    pub(crate) fn split_at_spaces(&mut self, splits: &[(usize, Vec<usize>)]) {
        if splits.is_empty() {
            return;
        }
        let old = std::mem::take(&mut self.lines);
        let mut index = Vec::with_capacity(old.len());
        // For split lines: each piece's first character column in the old line.
        let mut pieces: std::collections::HashMap<usize, Vec<usize>> = Default::default();
        let mut next = splits.iter().peekable();
        for (i, line) in old.into_iter().enumerate() {
            index.push(self.lines.len());
            let Some((_, cols)) = next.next_if(|(at, _)| *at == i) else {
                self.lines.push(line);
                continue;
            };
            let chars: Vec<char> = line.text.chars().collect();
            let mut starts = vec![0];
            let mut from = 0;
            for &c in cols {
                let piece: String = chars[from..c].iter().collect();
                self.lines.push(Line {
                    text: piece,
                    ..line.clone()
                });
                self.lines.push(Line {
                    text: String::new(),
                    ..line.clone()
                });
                from = c + 1;
                starts.push(from);
            }
            let rest: String = chars[from..].iter().collect();
            self.lines.push(Line { text: rest, ..line });
            pieces.insert(i, starts);
        }
        for m in &mut self.marks {
            match pieces.get(&m.line) {
                Some(starts) => {
                    let k = starts.partition_point(|&s| s <= m.col).saturating_sub(1);
                    m.line = index[m.line] + 2 * k;
                    m.col = m.col.saturating_sub(starts[k]);
                }
                None => m.line = index[m.line],
            }
        }
        for v in &mut self.vetoes {
            *v = index[*v];
        }
    }

    /// Inserts a blank line after each listed line (ascending, no repeats): a paragraph
    /// ends there. Marks and vetoes follow their lines.
    pub(crate) fn insert_blanks_after(&mut self, after: &[usize]) {
        if after.is_empty() {
            return;
        }
        let old = std::mem::take(&mut self.lines);
        self.lines.reserve(old.len() + after.len());
        let mut index = Vec::with_capacity(old.len());
        let mut next = after.iter().peekable();
        for (i, line) in old.into_iter().enumerate() {
            index.push(self.lines.len());
            let blank = next.next_if(|&&a| a == i).map(|_| Line {
                text: String::new(),
                origin: line.origin,
                removed: false,
            });
            self.lines.push(line);
            self.lines.extend(blank);
        }
        for m in &mut self.marks {
            m.line = index[m.line];
        }
        for v in &mut self.vetoes {
            *v = index[*v];
        }
    }

    /// Line `from`, less its first `dropped` characters, was appended to line `to` at
    /// character column `base`: its marks move with it.
    pub(crate) fn move_marks(&mut self, from: usize, to: usize, base: usize, dropped: usize) {
        let at = self.marks.partition_point(|x| x.line < from);
        for m in self.marks[at..].iter_mut().take_while(|m| m.line == from) {
            m.line = to;
            m.col = base + m.col.saturating_sub(dropped);
        }
    }

    /// The kept lines as text (what later passes and evidence see).
    fn kept_text(&self) -> String {
        let mut s = String::new();
        for l in self.lines.iter().filter(|l| !l.removed) {
            s.push_str(&l.text);
            s.push('\n');
        }
        s
    }

    fn finish(self) -> (String, Vec<usize>, Vec<PageBoundary>) {
        let (mut kept, mut index): (Vec<&Line>, Vec<usize>) = self
            .lines
            .iter()
            .enumerate()
            .filter(|(_, l)| !l.removed)
            .map(|(i, l)| (l, i))
            .unzip();
        // Without a final newline a trailing blank line would be invisible in the text
        // (and miscount `line_origin`); a removal can leave one behind.
        while !self.final_newline && kept.last().is_some_and(|l| l.text.trim().is_empty()) {
            kept.pop();
            index.pop();
        }
        let mut text = String::with_capacity(kept.iter().map(|l| l.text.len() + 1).sum());
        // Each kept line's index in `lines` and its byte offset in `text`.
        let mut starts: Vec<(usize, usize)> = Vec::with_capacity(kept.len());
        for (i, l) in kept.iter().enumerate() {
            if i > 0 {
                text.push('\n');
            }
            starts.push((index[i], text.len()));
            text.push_str(&l.text);
        }
        let pages = self.page_boundaries(&kept, &starts);
        if self.final_newline && !kept.is_empty() {
            text.push('\n');
        }
        let origin = kept.iter().map(|l| l.origin).collect();
        (text, origin, pages)
    }

    /// The marks as offsets in the finished text. A mark on a line that is gone moves to
    /// the start of the next kept line; one past the end of the text is dropped.
    fn page_boundaries(&self, kept: &[&Line], starts: &[(usize, usize)]) -> Vec<PageBoundary> {
        let mut out: Vec<PageBoundary> = Vec::with_capacity(self.marks.len());
        for m in &self.marks {
            let k = starts.partition_point(|&(idx, _)| idx < m.line);
            let Some(&(idx, start)) = starts.get(k) else {
                break;
            };
            let line = kept[k];
            // Past blank lines: a page's text begins at text.
            let (k, idx, start, line) = if line.text.trim().is_empty() || idx != m.line {
                let Some(t) = (k..kept.len()).find(|&t| !kept[t].text.trim().is_empty()) else {
                    break;
                };
                (t, starts[t].0, starts[t].1, kept[t])
            } else {
                (k, idx, start, line)
            };
            let col = if idx == m.line {
                line.text
                    .char_indices()
                    .nth(m.col)
                    .map_or(line.text.len(), |(b, _)| b)
            } else {
                0
            };
            let b = PageBoundary {
                offset: start + col,
                line: k + 1,
                input_line: line.origin + 1,
                page: m.page,
                section: m.section.clone(),
            };
            if let Some(prev) = out.last_mut().filter(|p| p.offset == b.offset) {
                // Two marks at one place (a page file that begins with its running head):
                // the first (the file's) says what it knows, the other fills the rest.
                prev.page = prev.page.or(b.page);
                prev.section = prev.section.take().or(b.section);
                continue;
            }
            if b.page.is_some() && out.last().is_some_and(|p| p.page == b.page) {
                continue; // the same page again: a column break under a split head
            }
            out.push(b);
        }
        // Before the first break, the page before it (when its number is known and the
        // document did not begin with furniture of its own).
        if let Some(first) = out.first() {
            if first.offset > 0 {
                let page = first.page.and_then(|p| p.checked_sub(1)).filter(|&p| p > 0);
                let input_line = kept
                    .iter()
                    .find(|l| !l.text.trim().is_empty())
                    .map_or(1, |l| l.origin + 1);
                out.insert(
                    0,
                    PageBoundary {
                        offset: 0,
                        line: 1,
                        input_line,
                        page,
                        section: None,
                    },
                );
            }
        }
        // The first page, when only the next one's number is known.
        if let [first, second, ..] = out.as_mut_slice() {
            if first.page.is_none() {
                first.page = second
                    .page
                    .and_then(|p| p.checked_sub(1))
                    .filter(|&p| p > 0);
            }
        }
        out
    }
}

/// What the furniture pass can change in `Lines`, to tell afterwards which lines it
/// changed: it only removes lines, shortens or clears their text, and adds page marks
/// (it never inserts lines, so indexes stay).
struct Snapshot {
    lines: Vec<(bool, usize)>,
    marks: Vec<(usize, usize)>,
}

impl Snapshot {
    fn of(lines: &Lines) -> Self {
        Snapshot {
            lines: lines
                .lines
                .iter()
                .map(|l| (l.removed, l.text.len()))
                .collect(),
            marks: lines.marks.iter().map(|m| (m.line, m.col)).collect(),
        }
    }

    /// Indexes of the lines changed since, ascending.
    fn changed(&self, lines: &Lines) -> Vec<usize> {
        let mut out: Vec<usize> = (self.lines.iter().zip(&lines.lines))
            .enumerate()
            .filter(|(_, (&(removed, len), l))| removed != l.removed || len != l.text.len())
            .map(|(i, _)| i)
            .collect();
        // The marks added or moved: both lists are in text order, so walk them together.
        let now: Vec<(usize, usize)> = lines.marks.iter().map(|m| (m.line, m.col)).collect();
        let (mut a, mut b) = (self.marks.iter().peekable(), now.iter().peekable());
        let mut moved = false;
        loop {
            let line = match (a.peek(), b.peek()) {
                (None, None) => break,
                (Some(x), Some(y)) if x == y => {
                    a.next();
                    b.next();
                    continue;
                }
                (Some(x), Some(y)) if x < y => a.next().map(|m| m.0),
                (Some(_), None) => a.next().map(|m| m.0),
                _ => b.next().map(|m| m.0),
            };
            out.extend(line);
            moved = true;
        }
        if moved {
            out.sort_unstable();
            out.dedup();
        }
        out
    }
}

/// Furniture/join rounds at most (real text settles in one or two).
const MAX_ROUNDS: usize = 6;

/// Runs every pass over `text` (the Markdown body, front matter already removed).
pub fn normalize(text: &str, opts: &NormalizeOptions) -> Normalized {
    let mut lines = Lines::new(text);
    lines.veto_texts = opts.vetoes.clone();
    let mut repairs = Vec::new();
    let mut warnings = Vec::new();
    // Radicals for ideographs first: furniture and joins must read `日`, not `⽇`.
    radicals::run(&mut lines, &mut repairs);
    veto::run(&mut lines);
    jumps::run(&mut lines, &mut repairs);
    for g in &opts.pages {
        // The first line at or after the page's first line (jumps may have moved lines).
        if let Some(i) = lines.lines.iter().position(|l| l.origin >= g.line) {
            lines.add_mark(Mark {
                line: i,
                col: 0,
                page: g.page,
                section: g.section.clone(),
            });
        }
    }
    // Furniture removal makes paragraphs adjacent; a join can make a line furniture
    // (`第` + `3版`) or supply word evidence for another join. Repeat to a fixed point, so
    // normalizing the output again changes nothing.
    let mut shape = None;
    let mut gaps = Default::default();
    let current = std::cell::OnceCell::new();
    let ev_cell = std::cell::OnceCell::new();
    // What the last join pass leaves the next to look at again (see `joins::Recheck`).
    let mut recheck: Option<joins::Recheck> = None;
    for round in 0..MAX_ROUNDS {
        let before = recheck.is_some().then(|| Snapshot::of(&lines));
        let removed = furniture::run(&mut lines, opts, &mut repairs);
        if round > 0 && removed == 0 {
            break;
        }
        // The printed lines' shape, read once the furniture is gone and before any join.
        let first_round = shape.is_none();
        let shape = *shape.get_or_insert_with(|| lineshape::Shape::measure(&lines));
        if std::env::var_os("PAIBAN_DEBUG_SHAPE").is_some() {
            eprintln!("{shape:?}");
        }
        // The evidence index reads no whitespace, so the blank lines the paragraph split
        // inserts leave it valid for the joins; joins record their junctions in it, and a
        // later round removes only a few lines of furniture that joins made (`第` + `3版`):
        // it is built once, from the text after the first furniture pass.
        let current = current.get_or_init(|| lines.kept_text());
        let ev = ev_cell.get_or_init(|| evidence::Evidence::new(current));
        if first_round {
            gaps = structure::gap_origins(&lines);
            // Paragraph ends inside blocks, before joins grow lines past one printed line.
            structure::split_paragraphs(&mut lines, &shape, ev, &mut repairs);
        }
        let mut joined = 0;
        // The first pass looks at every junction; later ones only where text changed since.
        if let (Some(r), Some(before)) = (recheck.take(), before) {
            recheck = Some(r.with_touched(before.changed(&lines)));
        }
        loop {
            let (n, next) = joins::run(&mut lines, ev, &shape, &mut repairs, recheck.as_ref());
            recheck = Some(next);
            joined += n;
            // A join can also change how its neighbours read (a short tail becomes
            // running text), so go on until a round joins nothing.
            if n == 0 {
                break;
            }
        }
        // Removing furniture can merge blocks (a line that had started a block now
        // continues one), so a round that changed anything is followed by another.
        if joined == 0 && removed == 0 {
            break;
        }
    }
    // The index is a few times the text: gone before the passes that copy the text again.
    drop(ev_cell);
    drop(current);
    if let Some(shape) = &shape {
        structure::fix_marked_headings(&mut lines, shape, &mut repairs);
        let current = lines.kept_text();
        structure::mark_headings(&mut lines, shape, &gaps, &current, &mut repairs);
        spaces::run(&mut lines, shape, &mut repairs);
    }
    punctuation::run(&mut lines, &mut repairs);
    // A radical beside an ASCII mark the punctuation pass has just made Chinese (`⼀!、` →
    // `⼀！、`) is in running text only now: looked at again, so normalizing twice gives
    // what normalizing once did (a no-op without radicals).
    radicals::run(&mut lines, &mut repairs);
    warnings::run(&lines, &mut warnings);
    repairs.sort_by_key(|r| r.line);
    warnings.sort_by_key(|w| w.line);
    // A large issue has a repair every few dozen characters: give back the growth slack.
    repairs.shrink_to_fit();
    warnings.shrink_to_fit();
    let masthead = masthead::read(&repairs, opts.newspaper.as_deref());
    let (text, line_origin, pages) = lines.finish();
    let mut counts = std::collections::BTreeMap::new();
    for r in &repairs {
        *counts.entry(r.kind).or_insert(0) += 1;
    }
    Normalized {
        text,
        counts,
        repairs,
        warnings,
        line_origin,
        pages,
        masthead,
    }
}

/// The last `n` characters of `s` (for short report excerpts).
pub(crate) fn tail(s: &str, n: usize) -> &str {
    // No more bytes than `n`: no more characters either (most lines, asked for 200).
    if n > 0 && s.len() <= n {
        return s;
    }
    match s.char_indices().rev().nth(n.saturating_sub(1)) {
        Some((i, _)) if n > 0 => &s[i..],
        _ if n == 0 => "",
        _ => s,
    }
}

/// The first `n` characters of `s`.
pub(crate) fn head(s: &str, n: usize) -> &str {
    if s.len() <= n {
        return s;
    }
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts() {
        assert_eq!(tail("目标任务", 2), "任务");
        assert_eq!(tail("任", 3), "任");
        assert_eq!(tail("任", 0), "");
        assert_eq!(head("目标任务", 2), "目标");
        assert_eq!(head("目", 5), "目");
    }

    #[test]
    fn lines_round_trip() {
        for t in ["", "\n", "a", "a\n", "\n\na\n\nb\n", "a\n\n"] {
            let (out, origin, _) = Lines::new(t).finish();
            assert_eq!(out, t, "{t:?}");
            let n = if out.is_empty() {
                0
            } else {
                out.strip_suffix('\n').unwrap_or(&out).split('\n').count()
            };
            assert_eq!(origin.len(), n, "{t:?}");
        }
    }
}
