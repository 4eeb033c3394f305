//! Puts each repair, page boundary and warning at its place in the repaired text.
//!
//! The normalizer reports a repair as an input line and a short excerpt before and after
//! (`天上午,中国共` → `天上午，中国共`). The excerpt is looked up in the repaired lines that
//! came from that input line, in order, per kind. Later passes may have changed the
//! excerpt's neighbours (a join's excerpt still has ASCII commas and wrap spaces), so the
//! search compares folded text: no whitespace, ASCII marks as their full-width forms. A
//! repair that cannot be found is kept as a note on its paragraph, never dropped.

use crate::normalize::Normalized;
use std::collections::{BTreeMap, HashMap};

/// What a mark or note stands for (indexes into `Normalized`'s lists).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    Repair(usize),
    Page(usize),
    Warning(usize),
}

/// How a mark shows in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// `len` repaired characters replaced `removed` (either may be empty).
    Replace { removed: String },
    /// Two paragraphs joined here.
    Seam,
    /// A paragraph was split off here.
    Split,
    /// A print page begins here.
    Page,
    /// Words a warning is about.
    Highlight,
}

#[derive(Debug, Clone)]
pub struct Mark {
    /// 0-based line of the repaired text.
    pub line: usize,
    /// Character column in that line.
    pub col: usize,
    /// Characters of the repaired text it covers.
    pub len: usize,
    pub what: What,
    pub shape: Shape,
}

#[derive(Debug, Default)]
pub struct Placed {
    /// In text order.
    pub marks: Vec<Mark>,
    /// Shown after the paragraph holding this line: warnings, jump joins, and repairs
    /// whose excerpt was not found.
    pub notes: Vec<(usize, What)>,
    /// Removed lines (furniture) between paragraphs: shown before this repaired line
    /// (the line count for the end of the text).
    pub removed: Vec<(usize, usize)>,
    /// For a join: the overlap and the furniture removed at its seam.
    pub at_seam: BTreeMap<usize, Vec<usize>>,
    /// Repairs kept as notes because their excerpt was not found.
    pub unplaced: usize,
}

/// After this many excerpts were not found, the rest are notes without a search: a
/// search that fails scans the rest of its paragraph, and a hostile issue could make
/// that quadratic.
const MAX_MISSES: usize = 1_000;
/// A long excerpt not found near its line is looked for in the whole text when the
/// text has at most this many lines.
const MAX_LINES_ANYWHERE: usize = 2_000;

/// The repaired text's lines (without the final newline's empty line).
pub fn lines(text: &str) -> Vec<&str> {
    if text.is_empty() {
        return Vec::new();
    }
    text.strip_suffix('\n')
        .unwrap_or(text)
        .split('\n')
        .collect()
}

/// Whitespace is skipped; ASCII marks compare as their full-width forms.
fn fold(c: char) -> Option<char> {
    (!c.is_whitespace()).then(|| crate::normalize::full_width(c).unwrap_or(c))
}

/// A line's folded characters, and each one's column in the line.
struct Folded {
    chars: Vec<char>,
    cols: Vec<usize>,
    len: usize,
}

impl Folded {
    fn new(s: &str) -> Self {
        let mut chars = Vec::new();
        let mut cols = Vec::new();
        let mut len = 0;
        for (i, c) in s.chars().enumerate() {
            if let Some(f) = fold(c) {
                chars.push(f);
                cols.push(i);
            }
            len = i + 1;
        }
        Folded { chars, cols, len }
    }

    /// Column of the folded character `i` (the line's end past the last).
    fn col(&self, i: usize) -> usize {
        self.cols.get(i).copied().unwrap_or(self.len)
    }

    fn find(&self, needle: &[char], from: usize) -> Option<usize> {
        if needle.is_empty() || from > self.chars.len() {
            return None;
        }
        self.chars[from..]
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|p| p + from)
    }
}

fn folded(s: &str) -> Vec<char> {
    s.chars().filter_map(fold).collect()
}

struct Placer<'a> {
    lines: Vec<&'a str>,
    folded: HashMap<usize, Folded>,
    /// (input line, repaired line), sorted.
    by_origin: Vec<(usize, usize)>,
    /// Per (group's input line, search kind): where the last match ended.
    cursors: HashMap<(usize, &'static str), (usize, usize)>,
    misses: usize,
}

impl<'a> Placer<'a> {
    /// The repaired lines holding input line `line` (1-based): those that came from the
    /// nearest input line at or before it (a joined paragraph keeps its first line's).
    fn group(&self, line: usize) -> &[(usize, usize)] {
        let o = line.saturating_sub(1);
        let end = self.by_origin.partition_point(|&(x, _)| x <= o);
        let Some(&(found, _)) = end.checked_sub(1).and_then(|e| self.by_origin.get(e)) else {
            return &[];
        };
        let start = self.by_origin.partition_point(|&(x, _)| x < found);
        &self.by_origin[start..end]
    }

    /// Finds `needle` in the group of `line` after the last match of `kind`; returns the
    /// repaired line and the folded index of the match, and moves the cursor past it.
    fn find(&mut self, line: usize, kind: &'static str, needle: &[char]) -> Option<(usize, usize)> {
        if needle.is_empty() || self.misses >= MAX_MISSES {
            return None;
        }
        let group: Vec<usize> = self.group(line).iter().map(|&(_, l)| l).collect();
        let key = (group.first().copied()?, kind);
        let (mut k, mut from) = self.cursors.get(&key).copied().unwrap_or((0, 0));
        while let Some(&l) = group.get(k) {
            let lines = &self.lines;
            let f = self
                .folded
                .entry(l)
                .or_insert_with(|| Folded::new(lines[l]));
            if let Some(at) = f.find(needle, from) {
                // Excerpts overlap (each holds up to 3 characters either side of its
                // mark), so the next search starts just past this match's start.
                self.cursors.insert(key, (k, at + 1));
                return Some((l, at));
            }
            k += 1;
            from = 0;
        }
        self.misses += 1;
        // A long excerpt whose line moved (a jump line's continuation, joined into
        // another paragraph): anywhere in a text of ordinary size.
        if needle.len() >= 8 && self.lines.len() <= MAX_LINES_ANYWHERE {
            for l in 0..self.lines.len() {
                let lines = &self.lines;
                let f = self
                    .folded
                    .entry(l)
                    .or_insert_with(|| Folded::new(lines[l]));
                if let Some(at) = f.find(needle, 0) {
                    return Some((l, at));
                }
            }
        }
        None
    }

    fn col(&self, line: usize, folded_index: usize) -> usize {
        self.folded.get(&line).map_or(0, |f| f.col(folded_index))
    }

    /// The first repaired line of the group of `line`, for a note.
    fn note_line(&self, line: usize) -> usize {
        self.group(line)
            .first()
            .map(|&(_, l)| l)
            .or_else(|| self.by_origin.first().map(|&(_, l)| l))
            .unwrap_or(0)
    }
}

/// Where `before` and `after` differ: common prefix and suffix lengths in characters.
fn diff(before: &[char], after: &[char]) -> (usize, usize) {
    let p = before.iter().zip(after).take_while(|(a, b)| a == b).count();
    let max_s = before.len().min(after.len()) - p;
    let s = before
        .iter()
        .rev()
        .zip(after.iter().rev())
        .take(max_s)
        .take_while(|(a, b)| a == b)
        .count();
    (p, s)
}

pub fn place(n: &Normalized) -> Placed {
    let lines = lines(&n.text);
    let mut by_origin: Vec<(usize, usize)> = n
        .line_origin
        .iter()
        .enumerate()
        .take(lines.len())
        .map(|(i, &o)| (o, i))
        .collect();
    by_origin.sort_unstable();
    let mut p = Placer {
        lines,
        folded: HashMap::new(),
        by_origin,
        cursors: HashMap::new(),
        misses: 0,
    };
    let mut out = Placed::default();
    let joins: Vec<(usize, usize, usize)> = n
        .repairs
        .iter()
        .enumerate()
        .filter(|(_, r)| r.kind == "page-break-join")
        .map(|(i, r)| (r.line, r.veto_line.unwrap_or(r.line), i))
        .collect();
    for (i, r) in n.repairs.iter().enumerate() {
        let before = r.before.strip_suffix('…').unwrap_or(&r.before);
        let after = r.after.strip_suffix('…').unwrap_or(&r.after);
        match r.kind {
            "repeated-overlap" => {
                // Shown at the seam of its join (reported next, on the same line).
                let join = n.repairs[i + 1..]
                    .iter()
                    .take(8)
                    .position(|j| j.kind == "page-break-join" && j.line == r.line)
                    .map(|k| i + 1 + k);
                match join {
                    Some(j) => out.at_seam.entry(j).or_default().push(i),
                    None => out.notes.push((p.note_line(r.line), What::Repair(i))),
                }
            }
            "jump-join" => out.notes.push((p.note_line(r.line), What::Repair(i))),
            _ if after.is_empty() => {
                // A removed line: at the seam of the join across it, or between paragraphs.
                let k = joins.partition_point(|&(l, _, _)| l < r.line);
                match k.checked_sub(1).map(|k| joins[k]) {
                    Some((_, veto, j)) if veto > r.line => {
                        out.at_seam.entry(j).or_default().push(i);
                    }
                    _ => {
                        let at = p.by_origin.partition_point(|&(o, _)| o < r.line);
                        let line = p.by_origin.get(at).map_or(p.lines.len(), |&(_, l)| l);
                        out.removed.push((line, i));
                    }
                }
            }
            "heading" | "heading-merge" | "heading-unmarked" | "line-wrap-join" => {
                // The line as it now stands: highlighted whole.
                let text = after.trim_start_matches('#').trim().trim_matches('*');
                let needle = folded(text);
                match p.find(r.line, "other", &needle) {
                    Some((line, at)) => {
                        let col = p.col(line, at);
                        let end = p.col(line, at + needle.len().saturating_sub(1)) + 1;
                        out.marks.push(Mark {
                            line,
                            col,
                            len: end - col,
                            what: What::Repair(i),
                            shape: Shape::Highlight,
                        });
                    }
                    None => {
                        out.unplaced += 1;
                        out.notes.push((p.note_line(r.line), What::Repair(i)));
                    }
                }
            }
            "page-break-join" | "paragraph-split" | "paragraph-end" => {
                let (a, b) = match (r.kind, before.split_once("⏎⏎"), after.split_once("⏎⏎"))
                {
                    ("page-break-join", Some((a, _)), _) => (a, after),
                    (_, _, Some((a, b))) => (a, b),
                    _ => ("", after),
                };
                let (needle, offset, shape) = if r.kind == "page-break-join" {
                    (folded(b), folded(a).len(), Shape::Seam)
                } else {
                    (folded(b), 0, Shape::Split)
                };
                match p.find(r.line, r.kind, &needle) {
                    Some((line, at)) => out.marks.push(Mark {
                        line,
                        col: p.col(line, at + offset),
                        len: 0,
                        what: What::Repair(i),
                        shape,
                    }),
                    None => {
                        out.unplaced += 1;
                        out.notes.push((p.note_line(r.line), What::Repair(i)));
                    }
                }
            }
            _ => {
                let b: Vec<char> = before.chars().collect();
                let a: Vec<char> = after.chars().collect();
                let (pre, suf) = diff(&b, &a);
                let removed: String = b[pre..b.len() - suf].iter().collect();
                let inserted: String = a[pre..a.len() - suf].iter().collect();
                let a_pre: String = a[..pre].iter().collect();
                let (fp, fi) = (folded(&a_pre).len(), folded(&inserted).len());
                // Each kind searches on from its own last match: a paragraph's wrap spaces
                // are reported in order, and another repair found further on must not
                // make the search skip them.
                let kind = match r.kind {
                    "punctuation" => "punctuation",
                    "line-wrap-space" => "line-wrap-space",
                    _ => "other",
                };
                match p.find(r.line, kind, &folded(after)) {
                    Some((line, at)) => {
                        let col = p.col(line, at + fp);
                        let end = if fi == 0 {
                            col
                        } else {
                            p.col(line, at + fp + fi - 1) + 1
                        };
                        out.marks.push(Mark {
                            line,
                            col,
                            len: end - col,
                            what: What::Repair(i),
                            shape: Shape::Replace { removed },
                        });
                    }
                    None => {
                        out.unplaced += 1;
                        out.notes.push((p.note_line(r.line), What::Repair(i)));
                    }
                }
            }
        }
    }
    // A jump join's note goes where the continuation now stands: where its own jump
    // marker (same input line) was found.
    let moved: HashMap<usize, usize> = out
        .marks
        .iter()
        .filter_map(|m| match m.what {
            What::Repair(j) if n.repairs[j].kind == "jump-line" => {
                Some((n.repairs[j].line, m.line))
            }
            _ => None,
        })
        .collect();
    for (line, what) in &mut out.notes {
        if let What::Repair(j) = *what {
            if n.repairs[j].kind == "jump-join" {
                if let Some(&l) = moved.get(&n.repairs[j].line) {
                    *line = l;
                }
            }
        }
    }
    place_pages(n, &p, &mut out);
    for (i, w) in n.warnings.iter().enumerate() {
        out.notes.push((p.note_line(w.line), What::Warning(i)));
        // The words a warning quotes, highlighted where they stand.
        if matches!(w.kind, "latin-word" | "numbered-head-inside") {
            if let Some(word) = super::zh::quoted(&w.message) {
                let needle: Vec<char> = word.chars().collect();
                if let Some((line, at)) = p.find(w.line, "warning", &needle) {
                    out.marks.push(Mark {
                        line,
                        col: p.col(line, at),
                        len: p.col(line, at + needle.len() - 1) + 1 - p.col(line, at),
                        what: What::Warning(i),
                        shape: Shape::Highlight,
                    });
                }
            }
        }
    }
    out.marks.sort_by_key(|m| (m.line, m.col));
    out.notes.sort_by_key(|&(l, _)| l);
    out.removed.sort_by_key(|&(l, _)| l);
    out
}

/// Page boundaries: byte offsets in the repaired text, as marks.
fn place_pages(n: &Normalized, p: &Placer, out: &mut Placed) {
    let mut start = 0;
    let mut starts = Vec::with_capacity(p.lines.len());
    for l in &p.lines {
        starts.push(start);
        start += l.len() + 1;
    }
    for (i, b) in n.pages.iter().enumerate() {
        let line = starts.partition_point(|&s| s <= b.offset).saturating_sub(1);
        let Some(text) = p.lines.get(line) else {
            continue;
        };
        let within = b.offset.saturating_sub(starts[line]);
        let col = text.get(..within).map_or(0, |s| s.chars().count());
        out.marks.push(Mark {
            line,
            col,
            len: 0,
            what: What::Page(i),
            shape: Shape::Page,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs() {
        let c = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(diff(&c("天上午,中国共"), &c("天上午，中国共")), (3, 3));
        assert_eq!(diff(&c("十五 个五年"), &c("十五个五年")), (2, 3));
        assert_eq!(diff(&c("aa"), &c("aaa")), (2, 0));
    }

    #[test]
    fn folded_search_ignores_spaces_and_mark_width() {
        let f = Folded::new("目标任务 的,关键");
        let at = f.find(&folded("任务的，关"), 0).unwrap();
        assert_eq!(f.col(at), 2);
    }
}
