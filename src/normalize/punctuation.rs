//! Chinese punctuation: ASCII `, ; : ( ) ? !` become `，；：（）？！` where the nearest
//! non-space neighbour on either side (same line) is Chinese — including punctuation just
//! made full-width, so `上午,(记者` converts both. Numbers (`3,240`, `19:00`), Latin text,
//! URLs, inline code, Markdown link targets and every non-paragraph block are untouched.
//! Then the spaces beside full-width brackets and quotes go (`本报讯 （记者 朱梦琪） 昨天`
//! → `本报讯（记者 朱梦琪）昨天`): the full-width mark already carries its space (clreq).

use super::blocks::{blocks, BlockKind};
use super::{head, Lines, Repair};
use crate::cjk::{is_cjk, is_han};

/// The full-width form of an ASCII mark the normalizer converts.
pub(crate) fn full_width(c: char) -> Option<char> {
    Some(match c {
        ',' => '，',
        ';' => '；',
        ':' => '：',
        '(' => '（',
        ')' => '）',
        '?' => '？',
        '!' => '！',
        _ => return None,
    })
}

/// Byte offset just past the `)` that closes a link target starting at `from`
/// (nested parentheses and a quoted title allowed).
fn link_target_end(line: &str, from: usize) -> Option<usize> {
    let mut depth = 1;
    let mut quote: Option<char> = None;
    let mut prev = '(';
    for (k, c) in line[from..].char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') if prev.is_whitespace() => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => {
                depth -= 1;
                if depth == 0 {
                    return Some(from + k + 1);
                }
            }
            _ => {}
        }
        prev = c;
    }
    None
}

/// Byte ranges of a line that must not change: inline code, URLs, link targets `](…)`,
/// and the label of a footnote or link reference definition (`[^1]:`, `[id]: url`).
fn protected(line: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    if line.starts_with('[') {
        if let Some(p) = line.find("]:") {
            out.push((0, p + 2));
        }
    }
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'`' {
            let ticks = b[i..].iter().take_while(|&&x| x == b'`').count();
            let marker = &line[i..i + ticks];
            let close = line[i + ticks..]
                .find(marker)
                .map(|p| i + ticks + p + ticks);
            let end = close.unwrap_or(b.len());
            out.push((i, end));
            i = end;
        } else if b[i..].starts_with(b"](") {
            // A link or image target with its optional title: `](url "标题")`, up to the
            // parenthesis that closes it — converting that one would break the link.
            let end = link_target_end(line, i + 2).unwrap_or(b.len());
            out.push((i, end));
            i = end;
        } else if b[i..].starts_with(b"http://")
            || b[i..].starts_with(b"https://")
            || b[i..].starts_with(b"www.")
        {
            let start = i;
            i += 2;
            while i < b.len() && !b[i].is_ascii_whitespace() && b[i].is_ascii() {
                i += 1;
            }
            out.push((start, i));
        } else if b[i] == b'&' {
            // An HTML entity (`&amp;`, `&#8212;`): its `;` is syntax, not punctuation.
            let name = b[i + 1..]
                .iter()
                .take(12)
                .take_while(|c| c.is_ascii_alphanumeric() || **c == b'#')
                .count();
            if name > 0 && b.get(i + 1 + name) == Some(&b';') {
                out.push((i, i + name + 2));
                i += name + 2;
            } else {
                i += 1;
            }
        } else if b[i..].starts_with(b"![") {
            out.push((i, i + 1));
            i += 2;
        } else {
            i += 1;
        }
    }
    out
}

/// A `?` set between two ideographs (`审?会`) stands for a character the converter could
/// not read, not a question: it stays, and [`super::warnings`] reports it.
pub(crate) fn unreadable(line: &str, at: usize) -> bool {
    let before = line[..at].chars().next_back();
    let after = line[at + 1..].chars().next();
    if !(before.is_some_and(is_han) && after.is_some_and(is_han)) {
        return false;
    }
    // `真的吗?好`, `为什么?因为`: a question — a particle or a question word before it.
    let clause: String = line[..at]
        .chars()
        .rev()
        .take_while(|c| !"，。！？；：,.!;:".contains(*c))
        .take(12)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let question = before.is_some_and(|c| "吗呢吧么嘛啊呀哪谁".contains(c))
        || [
            "什么", "怎么", "为何", "如何", "多少", "几", "哪", "谁", "是否", "能否", "难道",
        ]
        .iter()
        .any(|w| clause.contains(w));
    !question
}

/// The line with ASCII punctuation in Chinese context made full-width, and the byte
/// offsets (in the input line) of every converted mark.
pub(crate) fn convert_line(line: &str) -> Option<(String, Vec<usize>)> {
    if !line.bytes().any(|b| b",;:()?!".contains(&b)) {
        return None;
    }
    let prot = protected(line);
    let is_prot = |i: usize| prot.iter().any(|&(s, e)| s <= i && i < e);
    // Non-space characters: (byte offset, char, convertible).
    let cs: Vec<(usize, char, bool)> = line
        .char_indices()
        .filter(|(_, c)| !c.is_whitespace())
        .map(|(i, c)| {
            let ok = full_width(c).is_some() && !is_prot(i) && !(c == '?' && unreadable(line, i));
            (i, c, ok)
        })
        .collect();
    let mut done = vec![false; cs.len()];
    let chinese = |k: usize, done: &[bool]| -> bool {
        cs.get(k).is_some_and(|&(i, c, _)| {
            done.get(k).copied().unwrap_or(false) || (is_cjk(c) && !is_prot(i))
        })
    };
    // Work list: converting a mark can make its neighbours' context Chinese.
    let mut work: Vec<usize> = (0..cs.len()).filter(|&k| cs[k].2).collect();
    while let Some(k) = work.pop() {
        if done.get(k).is_none_or(|&d| d) || !cs[k].2 {
            continue;
        }
        let left = k.checked_sub(1).is_some_and(|j| chinese(j, &done));
        if left || chinese(k + 1, &done) {
            done[k] = true;
            if let Some(j) = k.checked_sub(1) {
                work.push(j);
            }
            work.push(k + 1);
        }
    }
    if !done.iter().any(|&d| d) {
        return None;
    }
    let mut out = String::with_capacity(line.len() + 8);
    let mut offsets = Vec::new();
    let mut last = 0;
    for (k, &(i, c, _)) in cs.iter().enumerate() {
        if done[k] {
            out.push_str(&line[last..i]);
            out.push(full_width(c).unwrap_or(c));
            last = i + c.len_utf8();
            offsets.push(i);
        }
    }
    out.push_str(&line[last..]);
    Some((out, offsets))
}

/// Full-width brackets and quotes whose glyph carries its own blank half.
fn is_bracket_or_quote(c: char) -> bool {
    (crate::cjk::is_opening_punct(c) || crate::cjk::is_closing_punct(c))
        && !"，。、；：？！".contains(c)
}

/// The line without the spaces beside its full-width brackets and quotes where the other
/// side is Chinese text or another mark (`本报讯 （记者` → `本报讯（记者`, `（ 记者` →
/// `（记者`), and the character columns of the spaces dropped. `only_at`: if given, only
/// spaces beside the marks at these character columns.
pub(crate) fn drop_bracket_spaces(
    line: &str,
    only_at: Option<&[usize]>,
) -> Option<(String, Vec<usize>)> {
    // Most lines hold no space at all.
    if !line.contains([' ', '\t']) {
        return None;
    }
    let prot = protected(line);
    let cs: Vec<(usize, char)> = line.char_indices().collect();
    let is_space = |c: char| c == ' ' || c == '\t';
    let mark = |k: usize| {
        cs.get(k).is_some_and(|&(_, c)| {
            is_bracket_or_quote(c) && only_at.is_none_or(|at| at.contains(&k))
        })
    };
    let text_like = |k: usize| cs.get(k).is_some_and(|&(_, c)| is_cjk(c));
    let mut drop = Vec::new();
    let mut k = 0;
    while k < cs.len() {
        if !is_space(cs[k].1) || prot.iter().any(|&(s, e)| s <= cs[k].0 && cs[k].0 < e) {
            k += 1;
            continue;
        }
        let mut e = k;
        while e + 1 < cs.len() && is_space(cs[e + 1].1) {
            e += 1;
        }
        // Leading indentation and Markdown markers (`- （一）`) keep their space.
        let before = k.checked_sub(1);
        let beside_mark = before.is_some_and(|b| mark(b) && text_like(e + 1))
            || (mark(e + 1) && before.is_some_and(text_like));
        if beside_mark {
            drop.extend(k..=e);
        }
        k = e + 1;
    }
    if drop.is_empty() {
        return None;
    }
    let out: String = cs
        .iter()
        .enumerate()
        .filter(|(k, _)| !drop.contains(k))
        .map(|(_, &(_, c))| c)
        .collect();
    Some((out, drop))
}

/// Punctuation repairs listed one by one in an issue. Past this, a line's marks are reported
/// as one repair: an issue made of commas would otherwise keep ~150 bytes of report for
/// every few bytes of input (a real issue has a few hundred).
const MAX_LISTED: usize = 50_000;

pub(crate) fn run(lines: &mut Lines, repairs: &mut Vec<Repair>) {
    let mut listed = 0;
    // Heading lines and the character columns of the marks converted on them.
    let mut converted: Vec<(usize, Vec<usize>)> = Vec::new();
    for b in blocks(lines) {
        // Headings too: a converter's `“十四五”时期:回顾` is a heading in Chinese context.
        if !matches!(b.kind, BlockKind::Paragraph | BlockKind::Heading) {
            continue;
        }
        let heading = b.kind == BlockKind::Heading;
        for i in b.start..b.end {
            let l = &mut lines.lines[i];
            if l.removed {
                continue;
            }
            let Some((out, offsets)) = convert_line(&l.text) else {
                continue;
            };
            if heading {
                // One character for one: a mark's column is the same after conversion.
                let cols = offsets
                    .iter()
                    .map(|&o| l.text[..o].chars().count())
                    .collect();
                converted.push((i, cols));
            }
            if listed + offsets.len() > MAX_LISTED {
                let excerpt = |t: &str| {
                    let h = head(t, 12);
                    if h.len() < t.len() {
                        format!("{h}…")
                    } else {
                        h.to_string()
                    }
                };
                repairs.push(Repair {
                    line: l.origin + 1,
                    kind: "punctuation",
                    before: excerpt(&l.text),
                    after: excerpt(&out),
                    evidence: Some(format!(
                        "{} marks on this line, reported together (past the first \
                         {MAX_LISTED} of the issue)",
                        offsets.len()
                    )),
                    veto_line: None,
                    veto_key: None,
                });
                l.text = out;
                continue;
            }
            listed += offsets.len();
            for &i in &offsets {
                // A short excerpt: the mark with up to 3 characters either side.
                let start = l.text[..i]
                    .char_indices()
                    .rev()
                    .nth(2)
                    .map_or(0, |(p, _)| p);
                let before = head(&l.text[start..], 7).to_string();
                let c = l.text[i..].chars().next().unwrap_or(' ');
                let rel = i - start;
                let after = format!(
                    "{}{}{}",
                    &before[..rel],
                    full_width(c).unwrap_or(c),
                    &before[rel + c.len_utf8()..]
                );
                repairs.push(Repair {
                    line: l.origin + 1,
                    kind: "punctuation",
                    before,
                    after,
                    evidence: None,
                    veto_line: None,
                    veto_key: None,
                });
            }
            l.text = out;
        }
    }
    bracket_spaces(lines, &converted, repairs);
}

/// Drops the spaces beside full-width brackets and quotes, one repair per line: in
/// paragraphs all of them, in headings (where a space may divide two phrases) only those
/// beside a mark that was ASCII (`converted`: line, character columns).
fn bracket_spaces(lines: &mut Lines, converted: &[(usize, Vec<usize>)], repairs: &mut Vec<Repair>) {
    for b in blocks(lines) {
        if !matches!(b.kind, BlockKind::Paragraph | BlockKind::Heading) {
            continue;
        }
        for i in b.start..b.end {
            let l = &lines.lines[i];
            if l.removed {
                continue;
            }
            let only = (b.kind == BlockKind::Heading).then(|| {
                converted
                    .iter()
                    .find(|(at, _)| *at == i)
                    .map_or(&[][..], |(_, c)| c.as_slice())
            });
            let Some((out, cols)) = drop_bracket_spaces(&l.text, only) else {
                continue;
            };
            let at = l.text.char_indices().nth(cols[0]).map_or(0, |(b, _)| b);
            let from = l.text[..at]
                .char_indices()
                .rev()
                .nth(3)
                .map_or(0, |(p, _)| p);
            let before = head(&l.text[from..], 10).to_string();
            // The same stretch of text less the spaces it lost (an excerpt that ran on
            // would report characters as added).
            let first = l.text[..from].chars().count();
            let lost = cols
                .iter()
                .filter(|&&c| c >= first && c < first + 10)
                .count();
            let after = head(&out[from..], 10 - lost).to_string();
            repairs.push(Repair {
                evidence: Some(format!(
                    "{} space{} beside full-width brackets or quotes, which carry their own",
                    cols.len(),
                    if cols.len() == 1 { "" } else { "s" }
                )),
                ..Repair::new(l.origin + 1, "bracket-space", before, after)
            });
            lines.lines[i].text = out;
            lines.shift_marks(i, &cols);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(s: &str) -> String {
        convert_line(s).map_or_else(|| s.to_string(), |(o, _)| o)
    }

    #[test]
    fn chinese_context_only() {
        assert_eq!(conv("昨天上午,中国共产党"), "昨天上午，中国共产党");
        assert_eq!(
            conv("本报讯 (记者 朱梦琪) 昨天上午,"),
            "本报讯 （记者 朱梦琪） 昨天上午，"
        );
        assert_eq!(conv("总值3,240亿元,增长5.8%"), "总值3,240亿元，增长5.8%");
        assert_eq!(conv("晚上19:00开始"), "晚上19:00开始");
        assert_eq!(
            conv("见[链接](https://example.org/?a=1&b=2 \"链接 & 标题\")。"),
            "见[链接](https://example.org/?a=1&b=2 \"链接 & 标题\")。"
        );
        assert_eq!(conv("![图](a(1).png)。好,是"), "![图](a(1).png)。好，是");
        assert_eq!(conv("[^note]: 脚注,内容"), "[^note]: 脚注，内容");
        assert_eq!(conv("Hello, world (really)!"), "Hello, world (really)!");
        assert_eq!(conv("账户(EF账户)上线"), "账户（EF账户）上线");
        assert_eq!(conv("上午,(记者"), "上午，（记者");
        assert_eq!(
            conv("见`a,b`和[链接](http://x.cn/a,b)"),
            "见`a,b`和[链接](http://x.cn/a,b)"
        );
        assert_eq!(
            conv("网址https://x.cn/?a=1,2 见"),
            "网址https://x.cn/?a=1,2 见"
        );
        assert_eq!(conv("图![说明](a.png)"), "图![说明](a.png)");
        assert_eq!(conv("真的吗?好!"), "真的吗？好！");
        // An HTML entity's `;` is syntax.
        assert_eq!(conv("甲&amp;,乙&#8212;丙"), "甲&amp;，乙&#8212;丙");
        // A `?` for a character the converter could not read stays.
        assert_eq!(
            conv("区委常委?今年的工作,很好"),
            "区委常委?今年的工作，很好"
        );
    }

    #[test]
    fn spaces_beside_full_width_brackets_and_quotes_go() {
        let n = crate::normalize::normalize(
            "本报讯 (记者 朱梦琪) 昨天上午,他说 “好” 然后走了。\n\n- （一） 列表项\n\n## 标题甲 “两个确立” 标题乙\n",
            &Default::default(),
        );
        assert!(
            n.text
                .contains("本报讯（记者 朱梦琪）昨天上午，他说“好”然后走了。"),
            "{}",
            n.text
        );
        // Lists are left alone, as by the conversion; a heading's phrase spaces stay.
        assert!(n.text.contains("- （一） 列表项"), "{}", n.text);
        assert!(n.text.contains("## 标题甲 “两个确立” 标题乙"), "{}", n.text);
        let r: Vec<_> = n
            .repairs
            .iter()
            .filter(|r| r.kind == "bracket-space")
            .collect();
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(r[0].line, 1);
        assert!(
            r[0].evidence
                .as_deref()
                .unwrap_or("")
                .starts_with("4 spaces"),
            "{r:?}"
        );
        assert_eq!(drop_bracket_spaces("中 （甲） 乙", Some(&[])), None);
        assert_eq!(drop_bracket_spaces("Hello (world) x", None), None);
    }

    #[test]
    fn past_the_listing_limit_a_line_is_one_repair() {
        let many = "中,".repeat(MAX_LISTED + 10);
        let text = format!("开头,结尾。\n\n{many}文。\n");
        let n = crate::normalize::normalize(&text, &Default::default());
        let punct: Vec<_> = n
            .repairs
            .iter()
            .filter(|r| r.kind == "punctuation")
            .collect();
        assert_eq!(
            punct.len(),
            2,
            "one listed mark, then one repair for the long line"
        );
        assert_eq!(punct[0].before, "开头,结尾。");
        let whole = punct[1];
        assert_eq!(whole.line, 3);
        assert!(whole.before.starts_with("中,中,") && whole.after.starts_with("中，中，"));
        let note = whole.evidence.as_deref().unwrap_or("");
        assert!(note.starts_with(&format!("{} marks on this line", MAX_LISTED + 10)));
        assert!(!n.text.contains(','));
    }
}
