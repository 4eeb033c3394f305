//! Page furniture: page numbers (`3`, `- 3 -`, `第3版`), running heads (newspaper name,
//! date, weekday, section name and page) and jump lines (`（下转第2版）`). A block made
//! only of such lines is removed, with the blank lines that separated it, so the
//! paragraph it interrupted becomes adjacent again for the join pass.

use super::blocks::{blocks, starts_paragraph, BlockKind};
use super::{Lines, NormalizeOptions, Repair};
use crate::cjk::is_han;

fn is_sep(c: char) -> bool {
    c.is_whitespace()
}

/// `3`, `12`: a bare page number (1–3 digits).
fn is_page_number(t: &str) -> bool {
    (1..=3).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit())
}

/// `第3版`, optionally followed by `：要闻` / `:要闻` (section name).
fn is_page_marker(t: &str) -> bool {
    let Some(rest) = t.strip_prefix('第') else {
        return false;
    };
    let d = rest.bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=3).contains(&d) {
        return false;
    }
    let Some(rest) = rest[d..].strip_prefix('版') else {
        return false;
    };
    if rest.is_empty() {
        return true;
    }
    rest.strip_prefix('：')
        .or_else(|| rest.strip_prefix(':'))
        .is_some_and(is_name)
}

/// A short name: newspaper, section (`要闻`, `新华每日电讯`, `特别报道`, `CHINA DAILY`).
fn is_name(t: &str) -> bool {
    let n = t.chars().count();
    ((2..=8).contains(&n) && t.chars().all(is_han))
        || ((2..=12).contains(&n) && t.chars().all(|c| c.is_ascii_uppercase()))
}

fn digits(s: &str, min: usize, max: usize) -> Option<&str> {
    let d = s.bytes().take_while(u8::is_ascii_digit).count();
    (min..=max).contains(&d).then(|| &s[d..])
}

/// `2026年2月4日`, `2026.01.23`, `2026-01-23`, `2026/1/23`.
fn is_date(t: &str) -> bool {
    let ymd = || -> Option<bool> {
        let r = digits(t, 4, 4)?;
        let r = r.strip_prefix('年')?;
        let r = digits(r, 1, 2)?.strip_prefix('月')?;
        let r = digits(r, 1, 2)?;
        Some(r == "日" || r == "号")
    };
    let sep = |c: char| -> Option<bool> {
        let r = digits(t, 4, 4)?.strip_prefix(c)?;
        let r = digits(r, 1, 2)?.strip_prefix(c)?;
        Some(digits(r, 1, 2)?.is_empty())
    };
    ymd().unwrap_or(false) || ['.', '-', '/'].iter().any(|&c| sep(c).unwrap_or(false))
}

/// `星期三`, `周三`.
fn is_weekday(t: &str) -> bool {
    let rest = t.strip_prefix("星期").or_else(|| t.strip_prefix('周'));
    rest.is_some_and(|r| {
        let mut cs = r.chars();
        cs.next().is_some_and(|c| "一二三四五六日天".contains(c)) && cs.next().is_none()
    })
}

/// `- 3 -`, `— 3 —`, `-3-`.
fn is_dashed_number(t: &str) -> bool {
    let dash = |c: char| matches!(c, '-' | '—' | '–' | '－');
    let inner = t.trim_matches(|c: char| dash(c) || is_sep(c));
    t.starts_with(dash) && t.ends_with(dash) && is_page_number(inner)
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

/// Is this line (trimmed) a page number, running head or jump line?
pub(crate) fn is_furniture(line: &str, opts: &NormalizeOptions) -> bool {
    let t = line.trim();
    if t.is_empty() || t.chars().count() > 40 {
        return false;
    }
    if is_dashed_number(t) || jump_line_len(t) == Some(t.len()) {
        return true;
    }
    // `第 3 版`: the page marker spaced out.
    let compact: String = t.chars().filter(|c| !is_sep(*c)).collect();
    if compact.len() < t.len() && is_page_marker(&compact) {
        return true;
    }
    let tokens: Vec<&str> = t.split(is_sep).filter(|s| !s.is_empty()).collect();
    if tokens.len() > 4 {
        return false;
    }
    let paper = opts.newspaper.as_deref().map(str::trim);
    let mut marker = false;
    for tok in &tokens {
        if is_page_number(tok) || is_page_marker(tok) || is_date(tok) {
            marker = true;
        } else if !(is_weekday(tok) || is_name(tok) || paper == Some(*tok)) {
            return false;
        }
    }
    // A lone date may be a real dateline or signature; alone, only a page marker counts.
    marker
        && (tokens.len() >= 2
            || tokens
                .first()
                .is_some_and(|t| is_page_number(t) || is_page_marker(t)))
}

/// A jump line glued to the start or end of a paragraph line: the text without it.
fn strip_jump(t: &str) -> Option<String> {
    if let Some(k) = jump_line_len(t).filter(|&k| k < t.len()) {
        // Only if what remains still reads as paragraph text (not a fence or heading).
        let rest = t[k..].trim_start();
        return starts_paragraph(rest).then(|| rest.to_string());
    }
    let body = t.trim_end();
    let open = body.rfind(['（', '('])?;
    (open > 0 && jump_line_len(&body[open..]) == Some(body.len() - open))
        .then(|| body[..open].trim_end().to_string())
}

/// Returns the number of repairs made.
pub(crate) fn run(lines: &mut Lines, opts: &NormalizeOptions, repairs: &mut Vec<Repair>) -> usize {
    let before = repairs.len();
    let all = blocks(lines);
    for b in all.iter().filter(|b| b.kind == BlockKind::Paragraph) {
        let multi_line = b.end - b.start > 1;
        let mut first = true;
        for l in lines.lines[b.start..b.end]
            .iter_mut()
            .filter(|l| !l.removed)
        {
            let was_first = std::mem::replace(&mut first, false);
            while let Some(after) = strip_jump(&l.text) {
                repairs.push(Repair {
                    line: l.origin + 1,
                    kind: "jump-line",
                    before: l.text.clone(),
                    after: after.clone(),
                    evidence: None,
                });
                l.text = after;
            }
            // A jump line on a line of its own inside a paragraph: drop the line (never
            // the first: the next would become first and might not read as a paragraph).
            let t = l.text.trim();
            if multi_line && !was_first && jump_line_len(t) == Some(t.len()) {
                l.removed = true;
                repairs.push(Repair {
                    line: l.origin + 1,
                    kind: "jump-line",
                    before: l.text.clone(),
                    after: String::new(),
                    evidence: None,
                });
            }
        }
    }
    let n = lines.lines.len();
    for b in all {
        // `- 3 -` parses as a list item.
        if !matches!(b.kind, BlockKind::Paragraph | BlockKind::List) {
            continue;
        }
        let members: Vec<usize> = (b.start..b.end)
            .filter(|&i| !lines.lines[i].removed)
            .collect();
        if !members
            .iter()
            .all(|&i| is_furniture(&lines.lines[i].text, opts))
        {
            continue;
        }
        for &i in &members {
            let l = &mut lines.lines[i];
            l.removed = true;
            let kind = if jump_line_len(l.text.trim()).is_some() {
                "jump-line"
            } else {
                "page-furniture"
            };
            repairs.push(Repair {
                line: l.origin + 1,
                kind,
                before: l.text.clone(),
                after: String::new(),
                evidence: None,
            });
        }
        // Drop the blank lines after the block, or before it when nothing follows, so
        // the blocks around it keep exactly one separator.
        let mut j = b.end;
        while j < n && (lines.lines[j].removed || lines.lines[j].text.trim().is_empty()) {
            j += 1;
        }
        if j < n {
            for l in &mut lines.lines[b.end..j] {
                l.removed = true;
            }
        } else {
            let mut k = b.start;
            while k > 0 && (lines.lines[k - 1].removed || lines.lines[k - 1].text.trim().is_empty())
            {
                k -= 1;
                lines.lines[k].removed = true;
            }
        }
    }
    repairs.len() - before
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn furniture_lines() {
        let o = NormalizeOptions::default();
        for t in [
            "8",
            "- 6 -",
            "第10版",
            "第13版：专版",
            "河北日报 2026年2月2日 星期一",
            "要闻\u{3000}7",
            "12  评论",
            "2026.01.23\u{3000}特别报道",
            "经济日报\u{3000}2023年2月28日",
            "新华每日电讯  第5版",
            "2026年2月4日 星期三",
            "（下转第2版）",
            "(上接第1版)",
            "第 3 版",
            "CHINA DAILY 2026年2月4日",
        ] {
            assert!(is_furniture(t, &o), "{t}");
        }
        for t in [
            "省长 刘小涛",
            "习近平",
            "□ 本报评论员",
            "2026年1月27日在湖北省第十四届人民代表大会第四次会议上",
            "2023年4月10日",
            "2025",
            "各位代表：",
            "激发经营主体活力。",
            "第3版的文章很好。",
            "GDP 2026",
            "5A级景区 12",
        ] {
            assert!(!is_furniture(t, &o), "{t}");
        }
    }

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
