//! Jump lines: an article cut off with `（下转第2版）` goes on where a later paragraph
//! starts `（上接第1版）`. The continuation (up to the next heading) is moved to follow the
//! paragraph that was cut, the two markers are removed, and the join pass then joins the
//! two halves of the cut paragraph if it did not end a sentence.

use super::blocks::{blocks, Block, BlockKind};
use super::furniture::jump_line_len;
use super::{Line, Lines, Repair};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dir {
    /// `（下转第2版）`: continued on a later page.
    Out,
    /// `（上接第1版）`: continued from an earlier page.
    In,
}

/// Direction of the jump marker `m` (which must be exactly one marker).
fn dir(m: &str) -> Option<Dir> {
    if jump_line_len(m) != Some(m.len()) {
        return None;
    }
    let inner = m
        .trim_start_matches(['（', '('])
        .trim_start_matches(char::is_whitespace);
    if inner.starts_with("下转") || inner.starts_with('转') {
        Some(Dir::Out)
    } else {
        Some(Dir::In)
    }
}

/// The line without a trailing `Out` marker, if it has one.
fn strip_out(line: &str) -> Option<String> {
    let body = line.trim_end();
    let open = body.rfind(['（', '('])?;
    (dir(&body[open..]) == Some(Dir::Out)).then(|| body[..open].trim_end().to_string())
}

/// The line without a leading `In` marker, if it has one.
fn strip_in(line: &str) -> Option<String> {
    let t = line.trim_start();
    let k = jump_line_len(t)?;
    (dir(&t[..k]) == Some(Dir::In)).then(|| t[k..].trim_start().to_string())
}

fn first_kept(b: &Block, lines: &Lines) -> usize {
    (b.start..b.end)
        .find(|&i| !lines.lines[i].removed)
        .unwrap_or(b.start)
}

/// Strips a marker from line `i` (removing the line if nothing else is on it).
fn strip(lines: &mut Lines, i: usize, after: String, repairs: &mut Vec<Repair>) {
    let l = &mut lines.lines[i];
    repairs.push(Repair {
        line: l.origin + 1,
        kind: "jump-line",
        before: l.text.clone(),
        after: after.clone(),
        evidence: None,
        veto_line: None,
        veto_key: None,
    });
    if after.is_empty() {
        l.removed = true;
    } else {
        l.text = after;
    }
}

/// Is block `b` a paragraph that is nothing but one jump marker of direction `d`?
fn lone_marker(b: &Block, lines: &Lines, d: Dir) -> bool {
    let mut kept = lines.lines[b.start..b.end].iter().filter(|l| !l.removed);
    b.kind == BlockKind::Paragraph
        && kept.next().is_some_and(|l| dir(l.text.trim()) == Some(d))
        && kept.next().is_none()
}

/// Removes a block that is a lone marker, with the blank lines after it.
fn remove_lone(lines: &mut Lines, b: &Block, repairs: &mut Vec<Repair>) {
    strip(lines, first_kept(b, lines), String::new(), repairs);
    let mut k = b.end;
    while k < lines.lines.len() && lines.lines[k].text.trim().is_empty() {
        lines.lines[k].removed = true;
        k += 1;
    }
}

/// Finds the first `Out` marker with a later `In` marker and moves the continuation
/// (or drops a glued `Out` marker that has none). Returns false when nothing is left.
fn move_one(lines: &mut Lines, repairs: &mut Vec<Repair>) -> bool {
    let bl: Vec<Block> = blocks(lines)
        .into_iter()
        .filter(|b| b.kind != BlockKind::Code)
        .collect();
    let is_para = |b: &Block| b.kind == BlockKind::Paragraph;
    for ai in 0..bl.len() {
        let a = bl[ai];
        if !is_para(&a) || lone_marker(&a, lines, Dir::Out) {
            continue;
        }
        let a_last = a.last_line(lines);
        let glued = strip_out(&lines.lines[a_last].text);
        let lone = bl
            .get(ai + 1)
            .filter(|m| lone_marker(m, lines, Dir::Out))
            .copied();
        if glued.is_none() && lone.is_none() {
            continue;
        }
        // The continuation: a later paragraph starting with the In marker, or a lone In
        // marker followed by a paragraph.
        let from = ai + 1 + usize::from(lone.is_some());
        let found = (from..bl.len()).find_map(|k| {
            let b = &bl[k];
            if is_para(b) && !lone_marker(b, lines, Dir::In) && !lone_marker(b, lines, Dir::Out) {
                let f = first_kept(b, lines);
                strip_in(&lines.lines[f].text).map(|_| (k, None))
            } else if lone_marker(b, lines, Dir::In)
                && bl.get(k + 1).is_some_and(|c| {
                    is_para(c)
                        && !lone_marker(c, lines, Dir::In)
                        && !lone_marker(c, lines, Dir::Out)
                })
            {
                Some((k + 1, Some(*b)))
            } else {
                None
            }
        });
        let Some((ci, lone_in)) = found else {
            if let Some(after) = glued {
                strip(lines, a_last, after, repairs);
                return true;
            }
            continue;
        };
        let c = bl[ci];
        let c_first = first_kept(&c, lines);
        let a_origin = lines.lines[a_last].origin;
        let c_origin = lines.lines[c_first].origin;
        // The continuation runs to the next heading (or the end).
        let end_block = bl
            .iter()
            .skip(ci + 1)
            .find(|b| b.kind == BlockKind::Heading)
            .map_or(lines.lines.len(), |b| b.start);
        let chunk_end = bl
            .iter()
            .skip(ci)
            .take_while(|b| b.start < end_block)
            .last()
            .map_or(c.end, |b| b.end);
        // Remove the markers first (lines keep their places until the move).
        if let Some(after) = glued {
            strip(lines, a_last, after, repairs);
        }
        if let Some(m) = lone {
            remove_lone(lines, &m, repairs);
        }
        if let Some(after) = strip_in(&lines.lines[c_first].text) {
            strip(lines, c_first, after, repairs);
        }
        if let Some(m) = lone_in {
            remove_lone(lines, &m, repairs);
        }
        let chunk_start = lone_in.map_or(c.start, |m| m.start);
        let insert = a.end;
        if chunk_start > insert {
            let chunk: Vec<Line> = lines.lines.drain(chunk_start..chunk_end).collect();
            // The blank lines that followed the chunk would now double those before it.
            let blank = |l: &Line| l.removed || l.text.trim().is_empty();
            if chunk_start > 0 && lines.lines.get(chunk_start - 1).is_some_and(blank) {
                let mut k = chunk_start;
                while k < lines.lines.len() && blank(&lines.lines[k]) {
                    lines.lines[k].removed = true;
                    k += 1;
                }
                if k == lines.lines.len() {
                    // The chunk was the end of the text: so are the blanks before it.
                    let mut k = chunk_start;
                    while k > 0 && blank(&lines.lines[k - 1]) {
                        k -= 1;
                        lines.lines[k].removed = true;
                    }
                }
            }
            let sep = Line {
                text: String::new(),
                origin: a_origin,
                removed: false,
            };
            lines
                .lines
                .splice(insert..insert, std::iter::once(sep).chain(chunk));
            repairs.push(Repair {
                line: c_origin + 1,
                kind: "jump-join",
                before: String::new(),
                after: String::new(),
                evidence: Some(format!(
                    "the continuation at input line {} now follows input line {}",
                    c_origin + 1,
                    a_origin + 1
                )),
                veto_line: None,
                veto_key: None,
            });
        }
        return true;
    }
    false
}

pub(crate) fn run(lines: &mut Lines, repairs: &mut Vec<Repair>) {
    // Each round removes at least one marker, so this ends.
    while move_one(lines, repairs) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::{normalize, NormalizeOptions};

    #[test]
    fn markers() {
        assert_eq!(
            strip_out("全会指出（下转第2版）").as_deref(),
            Some("全会指出")
        );
        assert_eq!(
            strip_in("（上接第1版）务的关键").as_deref(),
            Some("务的关键")
        );
        assert_eq!(strip_out("（上接第1版）"), None);
        assert_eq!(strip_in("（下转第2版）"), None);
    }

    #[test]
    fn continuation_moves_and_joins() {
        let t = "# 甲文\n\n全会指出，明年是全面完成规划目标任（下转第2版）\n\n# 乙文\n\n乙文正文。\n\n（上接第1版）务的关键一年。\n\n后续段落。\n\n# 丙文\n\n丙。\n";
        let n = normalize(t, &NormalizeOptions::default());
        assert_eq!(
            n.text,
            "# 甲文\n\n全会指出，明年是全面完成规划目标任务的关键一年。\n\n后续段落。\n\n# 乙文\n\n乙文正文。\n\n# 丙文\n\n丙。\n"
        );
        assert_eq!(n.line_origin.len(), n.text.lines().count());
        assert!(n
            .repairs
            .iter()
            .any(|r| r.kind == "jump-join" && r.line == 9));
    }

    #[test]
    fn lone_markers_move_too() {
        let t = "全会指出，明年是全面完成规划目标任\n\n（下转第2版）\n\n# 乙文\n\n乙文正文。\n\n（上接第1版）\n\n务的关键一年。\n";
        let n = normalize(t, &NormalizeOptions::default());
        assert_eq!(
            n.text,
            "全会指出，明年是全面完成规划目标任务的关键一年。\n\n# 乙文\n\n乙文正文。\n"
        );
    }

    #[test]
    fn lone_marker_is_dropped() {
        let n = normalize("全会指出。（下转第2版）\n", &NormalizeOptions::default());
        assert_eq!(n.text, "全会指出。\n");
    }
}
