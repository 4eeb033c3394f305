//! Page furniture: folios, running heads and footers, and jump lines (`（下转第2版）`).
//!
//! What makes furniture furniture is learned from the issue itself: a line is furniture
//! by its form ([`grammar`]: `第3版`, `— 3 —`, a date with its weekday…) or, when its
//! form is only a short label (`政务`, `甘肃日报`), because it recurs at the page breaks
//! the strong forms mark. Every run of furniture lines between two pieces of text
//! (a page's footer, then the next page's head, in any order, glued to a text line or
//! standing apart) is removed; what is left is one paragraph break, which the join pass
//! then judges, and a page boundary recorded where the next page's text begins, with the
//! page number and section name the furniture gave.

pub(crate) mod grammar;

use super::blocks::{blocks, starts_paragraph, BlockKind};
use super::{Lines, Mark, NormalizeOptions, Repair};
use grammar::Parsed;
use std::collections::HashMap;

fn is_sep(c: char) -> bool {
    c.is_whitespace()
}

fn digits(s: &str, min: usize, max: usize) -> Option<&str> {
    let d = s.bytes().take_while(u8::is_ascii_digit).count();
    (min..=max).contains(&d).then(|| &s[d..])
}

/// `（下转第2版）`, `（上接第1版）`, `(转第3版)`.
pub(crate) fn jump_line_len(t: &str) -> Option<usize> {
    let open = t.chars().next().filter(|&c| c == '（' || c == '(')?;
    let r = &t[open.len_utf8()..];
    let r = r.trim_start_matches(is_sep);
    let r = ["下转", "上接", "转", "接", "续"]
        .iter()
        .find_map(|p| r.strip_prefix(p))?;
    let r = r.trim_start_matches(is_sep);
    let r = r.strip_prefix('第').unwrap_or(r);
    let r = digits(r, 1, 3)?;
    let r = r.trim_start_matches(is_sep);
    let r = r.strip_prefix('版')?;
    let r = r.trim_start_matches(is_sep);
    let close = r.chars().next().filter(|&c| c == '）' || c == ')')?;
    Some(t.len() - r.len() + close.len_utf8())
}

/// A jump line glued to the start or end of a paragraph line: the text without it.
fn strip_jump(t: &str) -> Option<String> {
    if let Some(k) = jump_line_len(t).filter(|&k| k < t.len()) {
        // Only if what remains still reads as paragraph text (not a fence or heading).
        let rest = t[k..].trim_start();
        return starts_paragraph(rest).then(|| rest.to_string());
    }
    let body = t.trim_end();
    // A jump line at the end closes the line (most lines end otherwise).
    if !body.ends_with(['）', ')']) {
        return None;
    }
    let open = body.rfind(['（', '('])?;
    (open > 0 && jump_line_len(&body[open..]) == Some(body.len() - open))
        .then(|| body[..open].trim_end().to_string())
}

/// Returns the number of repairs made.
pub(crate) fn run(lines: &mut Lines, opts: &NormalizeOptions, repairs: &mut Vec<Repair>) -> usize {
    let before = repairs.len();
    strip_jumps(lines, repairs);
    remove_furniture(lines, opts, repairs);
    repairs.len() - before
}

/// Jump lines glued to a paragraph's first or last line, or standing inside it.
fn strip_jumps(lines: &mut Lines, repairs: &mut Vec<Repair>) {
    for b in blocks(lines)
        .iter()
        .filter(|b| b.kind == BlockKind::Paragraph)
    {
        let multi_line = b.end - b.start > 1;
        let mut first = true;
        for l in lines.lines[b.start..b.end]
            .iter_mut()
            .filter(|l| !l.removed)
        {
            let was_first = std::mem::replace(&mut first, false);
            while let Some(after) = strip_jump(&l.text) {
                repairs.push(Repair::new(
                    l.origin + 1,
                    "jump-line",
                    l.text.clone(),
                    after.clone(),
                ));
                l.text = after;
            }
            // A jump line on a line of its own inside a paragraph: drop the line (never
            // the first: the next would become first and might not read as a paragraph).
            let t = l.text.trim();
            if multi_line && !was_first && jump_line_len(t) == Some(t.len()) {
                l.removed = true;
                repairs.push(Repair::new(
                    l.origin + 1,
                    "jump-line",
                    l.text.clone(),
                    String::new(),
                ));
            }
        }
    }
}

/// How one kept line reads.
#[derive(Debug, Clone)]
enum Class {
    Blank,
    /// Article text, or anything furniture never is (code, quotes).
    Text,
    /// Read as furniture: by its form (`strong`) or as a label to be learned. (Boxed: a
    /// few lines are furniture, and a class is kept for every line of the issue.)
    Item(Box<Parsed>),
    /// Part of a folio or head split over lines (`—` / `2` / `—`); the first part holds it.
    Part,
}

/// Longest line (in bytes) read as possible furniture: heads are short.
const MAX_HEAD_BYTES: usize = 240;

fn classify(lines: &Lines, opts: &NormalizeOptions) -> Vec<Class> {
    let n = lines.lines.len();
    let mut class = vec![Class::Blank; n];
    let mut readable = vec![false; n];
    for b in blocks(lines) {
        let ok = !matches!(b.kind, BlockKind::Code | BlockKind::Quote);
        readable[b.start..b.end].fill(ok);
    }
    let paper = opts.newspaper.as_deref().map(str::trim);
    let mut cores: Vec<Option<String>> = vec![None; n];
    for (i, l) in lines.lines.iter().enumerate() {
        if l.removed || l.text.trim().is_empty() {
            continue;
        }
        class[i] = Class::Text;
        // Clause marks never stand in a head: most lines of text end here, unparsed.
        if !readable[i]
            || l.text.len() > MAX_HEAD_BYTES
            || l.text.contains(['，', '。', '；', '！', '？', '、', '“'])
        {
            continue;
        }
        let core = grammar::core(&l.text);
        if let Some(p) = grammar::parse(&core, paper) {
            class[i] = Class::Item(Box::new(p));
        } else if jump_line_len(&core) == Some(core.len()) {
            class[i] = Class::Item(Box::new(Parsed {
                strong: true,
                jump: true,
                ..Parsed::default()
            }));
        }
        cores[i] = Some(core);
    }
    // A head or folio split over consecutive lines of one block (pdftotext: `—` / `2` /
    // `—`, or the paper's name on one line and the date on the next): read together.
    let kept: Vec<usize> = (0..n).filter(|&i| !lines.lines[i].removed).collect();
    let mut k = 0;
    while k < kept.len() {
        let i = kept[k];
        let short = |j: usize| cores[j].as_ref().is_some_and(|c| c.chars().count() <= 24);
        let undecided = |c: &Class| !matches!(c, Class::Item(p) if p.strong && !p.bare_number);
        let mut merged = false;
        for w in [3usize, 2] {
            if k + w > kept.len() {
                continue;
            }
            let group = &kept[k..k + w];
            if !group.iter().all(|&j| short(j)) || !group.iter().any(|&j| undecided(&class[j])) {
                continue;
            }
            let joined: Vec<&str> = group.iter().filter_map(|&j| cores[j].as_deref()).collect();
            if let Some(p) = grammar::parse(&joined.join(" "), paper).filter(|p| p.strong) {
                class[i] = Class::Item(Box::new(p));
                for &j in &group[1..] {
                    class[j] = Class::Part;
                }
                k += w;
                merged = true;
                break;
            }
        }
        if !merged {
            k += 1;
        }
    }
    class
}

/// Shape of a label for counting recurrences: digits as `#`, no spaces or markup.
fn shape(core_text: &str) -> String {
    core_text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect()
}

fn is_item(c: &Class) -> bool {
    matches!(c, Class::Item(_) | Class::Part)
}

/// The stretches between texts: for each line, whether its stretch (the lines between the
/// text above and the text below) holds a strong item or reaches the document's edge —
/// where a weak label counts as standing by a page break. One pass, not a scan per label.
struct Stretches {
    near: Vec<bool>,
}

impl Stretches {
    fn new(class: &[Class]) -> Self {
        let strong =
            |c: &Class| matches!(c, Class::Item(p) if p.strong) || matches!(c, Class::Part);
        let mut id = vec![0usize; class.len()];
        let mut near: Vec<bool> = vec![true]; // the first stretch reaches the start
        for (i, c) in class.iter().enumerate() {
            if matches!(c, Class::Text) {
                near.push(false);
            }
            let s = near.len() - 1;
            id[i] = s;
            if strong(c) {
                near[s] = true;
            }
        }
        if let Some(last) = near.last_mut() {
            *last = true; // the last reaches the end
        }
        Stretches {
            near: id.into_iter().map(|s| near[s]).collect(),
        }
    }

    /// Does a strong item stand in line `i`'s stretch, or does it reach an edge?
    fn near_strong(&self, i: usize) -> bool {
        self.near.get(i).copied().unwrap_or(false)
    }
}

/// Is the nearest non-blank line above or below `i` strong furniture?
fn next_to_strong(class: &[Class], i: usize) -> bool {
    let strong = |c: &Class| matches!(c, Class::Item(p) if p.strong && !p.bare_number);
    let up = class[..i].iter().rev().find(|c| !matches!(c, Class::Blank));
    let down = class[i + 1..].iter().find(|c| !matches!(c, Class::Blank));
    up.is_some_and(strong) || down.is_some_and(strong)
}

/// Is line `i` set between two text lines of one block (nothing else around it)?
fn sandwiched(lines: &Lines, class: &[Class], i: usize) -> bool {
    let prev = (0..i).rev().find(|&j| !lines.lines[j].removed);
    let next = (i + 1..lines.lines.len()).find(|&j| !lines.lines[j].removed);
    matches!(prev.map(|j| &class[j]), Some(Class::Text))
        && matches!(next.map(|j| &class[j]), Some(Class::Text))
}

/// Why a line is furniture, for the report; `None` when it is not.
fn verdict(
    lines: &Lines,
    class: &[Class],
    i: usize,
    learned: &HashMap<String, usize>,
    stretches: &Stretches,
) -> Option<String> {
    let Class::Item(p) = &class[i] else {
        return matches!(class[i], Class::Part).then(|| "part of a head split over lines".into());
    };
    let guarded = p.bare_number || p.lone_date;
    if p.strong && !guarded {
        return Some("a running head or folio by its form".into());
    }
    if guarded && sandwiched(lines, class, i) {
        return None;
    }
    if p.strong {
        return Some("a page number standing apart from the text".into());
    }
    let key = shape(&grammar::core(&lines.lines[i].text));
    if let Some(n) = learned.get(&key) {
        return Some(format!("recurs at {n} page breaks with the running heads"));
    }
    // A paper's name beside a dated or numbered head, even on a one-page issue.
    (p.paper.is_some()
        && p.names.is_empty()
        && stretches.near_strong(i)
        && next_to_strong(class, i))
    .then(|| "a paper's name beside the running head".into())
}

/// Labels that recur with the strong furniture: shape → occurrences by a page break.
fn learn(lines: &Lines, class: &[Class], stretches: &Stretches) -> HashMap<String, usize> {
    let mut seen: HashMap<String, (usize, usize, usize)> = HashMap::new();
    for (i, c) in class.iter().enumerate() {
        let Class::Item(p) = c else { continue };
        if p.strong {
            continue;
        }
        let e = seen
            .entry(shape(&grammar::core(&lines.lines[i].text)))
            .or_default();
        e.0 += 1;
        if stretches.near_strong(i) {
            e.1 += 1;
        }
        let alone = |j: Option<usize>| j.is_none_or(|j| !matches!(class[j], Class::Text));
        let prev = (0..i).rev().find(|&j| !lines.lines[j].removed);
        let next = (i + 1..class.len()).find(|&j| !lines.lines[j].removed);
        if alone(prev) || alone(next) {
            e.2 += 1;
        }
    }
    seen.into_iter()
        // Twice beside strong furniture, or three times standing apart (a paper whose
        // pages carry only `报名·版名`): never a single occurrence.
        .filter(|(_, (n, near, apart))| (*n >= 2 && *near >= 2) || (*n >= 3 && *apart >= 3))
        .map(|(k, (n, _, _))| (k, n))
        .collect()
}

/// One stretch of furniture (and blank lines) between two texts.
struct Cluster {
    start: usize,
    end: usize,
    numbers: Vec<u32>,
    section: Option<String>,
    /// Holds more than jump lines: a page break.
    page_break: bool,
    text_before: bool,
    text_after: bool,
}

fn remove_furniture(lines: &mut Lines, opts: &NormalizeOptions, repairs: &mut Vec<Repair>) {
    let class = classify(lines, opts);
    if !class.iter().any(is_item) {
        return;
    }
    let stretches = Stretches::new(&class);
    let learned = learn(lines, &class, &stretches);
    let n = lines.lines.len();
    let mut why: Vec<Option<String>> = vec![None; n];
    for i in 0..n {
        if is_item(&class[i]) {
            why[i] = verdict(lines, &class, i, &learned, &stretches);
        }
    }
    // Markdown table rules (`|---|---|`) beside a table row of furniture go with it.
    for i in 0..n {
        if matches!(class[i], Class::Text) && is_table_rule(&lines.lines[i].text) {
            let beside = |j: Option<usize>| j.is_some_and(|j| why[j].is_some());
            if beside(i.checked_sub(1)) || beside((i + 1 < n).then_some(i + 1)) {
                why[i] = Some("the rule of a table of running heads".into());
            }
        }
    }
    // Stretches of furniture and blank lines.
    let mut clusters = Vec::new();
    let mut i = 0;
    while i < n {
        if why[i].is_none() {
            i += 1;
            continue;
        }
        let mut start = i;
        while start > 0
            && (lines.lines[start - 1].removed || matches!(class[start - 1], Class::Blank))
        {
            start -= 1;
        }
        let mut end = i;
        while end < n
            && (why[end].is_some()
                || lines.lines[end].removed
                || matches!(class[end], Class::Blank))
        {
            end += 1;
        }
        let mut numbers = Vec::new();
        let mut section = None;
        let mut page_break = false;
        for (j, c) in class.iter().enumerate().take(end).skip(i) {
            if why[j].is_none() {
                continue;
            }
            page_break |= !matches!(c, Class::Item(p) if p.jump);
            if let Class::Item(p) = c {
                numbers.extend(p.page);
                // Names beside a date are the paper's (`参考消息 2026年2月10日`).
                if let Some(name) = p.names.last().filter(|_| !p.dated) {
                    section = Some(name.clone());
                }
            }
        }
        clusters.push(Cluster {
            start,
            end,
            numbers,
            section,
            page_break,
            text_before: (0..start).any(|j| matches!(class[j], Class::Text)),
            text_after: end < n,
        });
        i = end;
    }
    let heads = folios_are_heads(&clusters);
    for c in &clusters {
        let mut kept_blank = false;
        for j in (c.start..c.end).rev() {
            let l = &mut lines.lines[j];
            if l.removed {
                continue;
            }
            if let Some(reason) = why[j].take() {
                let jump = matches!(&class[j], Class::Item(p) if p.jump);
                let kind = if jump { "jump-line" } else { "page-furniture" };
                repairs.push(Repair {
                    evidence: (!jump).then_some(reason),
                    ..Repair::new(l.origin + 1, kind, l.text.clone(), String::new())
                });
                l.removed = true;
            } else if c.text_before && c.text_after && !kept_blank {
                kept_blank = true; // the one paragraph break the stretch leaves
                continue;
            } else {
                l.removed = true;
            }
        }
        if c.text_before && c.text_after && !kept_blank {
            // Glued on both sides (no blank line): the first furniture line becomes the break.
            if let Some(j) = (c.start..c.end).find(|&j| lines.lines[j].removed) {
                let l = &mut lines.lines[j];
                l.removed = false;
                l.text.clear();
            }
        }
        if c.text_after && c.page_break {
            let page = match c.numbers.as_slice() {
                [] => None,
                [n] if !heads && c.text_before => Some(n + 1),
                ns => ns.iter().max().copied(),
            };
            lines.add_mark(Mark {
                line: c.end,
                col: 0,
                page,
                section: c.section.clone(),
            });
        }
    }
}

/// Does a lone folio in a stretch number the page after it (a head) or the one before
/// (a footer)? Two folios side by side (`第 3 版` … `第4版`) need no answer; otherwise a
/// folio before the first text is a head, and one after the last text with none before
/// the first is a footer.
fn folios_are_heads(clusters: &[Cluster]) -> bool {
    let first = clusters.first().filter(|c| !c.text_before);
    let last = clusters.last().filter(|c| !c.text_after);
    let starts_numbered = first.is_some_and(|c| !c.numbers.is_empty());
    let ends_numbered = last.is_some_and(|c| !c.numbers.is_empty());
    starts_numbered || !ends_numbered
}

/// `|---|:--|`: the delimiter row of a Markdown table.
fn is_table_rule(t: &str) -> bool {
    let t = t.trim();
    t.starts_with('|') && t.contains('-') && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_block_and_separator() {
        let mut l = Lines::new("甲，\n\n- 3 -\n\n乙。\n\n10\n");
        let mut r = Vec::new();
        run(&mut l, &NormalizeOptions::default(), &mut r);
        assert_eq!(l.finish().0, "甲，\n\n乙。\n");
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].line, 3);
        assert_eq!(r[1].before, "10");
    }

    #[test]
    fn strips_glued_jump_lines() {
        assert_eq!(
            strip_jump("全会指出（下转第2版）").as_deref(),
            Some("全会指出")
        );
        assert_eq!(
            strip_jump("（上接第1版）务的关键").as_deref(),
            Some("务的关键")
        );
        assert_eq!(strip_jump("（记者 朱梦琪）昨天"), None);
        assert_eq!(strip_jump("（下转第2版）"), None);
    }
}
