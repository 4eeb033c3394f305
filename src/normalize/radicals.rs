//! Radicals the text layer put for ideographs: PDFs printed by Chromium/Skia and many office
//! tools with Noto CJK fonts map glyphs that an ideograph shares with a radical to the
//! radical's code point, so converters return `北京⽇报 2026年2⽉2⽇ 星期⼀` (U+2F47, U+2F49,
//! U+2F00). Such text no longer reads as dates or running heads, and a reader's search for
//! 日 finds nothing. Kangxi radicals (U+2F00–2FD5) and CJK Radicals Supplement characters
//! (U+2E80–2EFF) that stand in running text become the ideographs Unicode's
//! `EquivalentUnifiedIdeograph.txt` (vendored in `data/unicode/`) says they stand for.
//!
//! A radical is "in running text" when the character right beside it (markup skipped) is a
//! Han character, a digit (`2⽉2⽇`) or Chinese punctuation (`⼀、`). One that stands among
//! spaces, Latin text or other radicals only — a dictionary's radical index, a list of
//! radicals — is a radical and is left. Runs before every other pass, so furniture and
//! joins read the repaired text. Each block's changes are one repair with their count.

use super::blocks::{blocks, BlockKind};
use super::{head, tail, Lines, Repair};
use crate::cjk::{is_cjk_punct, is_han, is_opening_punct};
use std::sync::OnceLock;

const TABLE_TEXT: &str = include_str!("../../data/unicode/EquivalentUnifiedIdeograph.txt");

/// The radical blocks: CJK Radicals Supplement and Kangxi Radicals (with the unassigned
/// tail of each block, which the table simply does not list).
const FIRST: u32 = 0x2E80;
const LAST: u32 = 0x2FDF;

fn is_radical_block(c: char) -> bool {
    (FIRST..=LAST).contains(&(c as u32))
}

/// Radical → ideograph for the two radical blocks, indexed from [`FIRST`] (`None` where
/// Unicode lists no equivalent, e.g. U+2E80 CJK RADICAL REPEAT).
fn table() -> &'static [Option<char>] {
    static TABLE: OnceLock<Vec<Option<char>>> = OnceLock::new();
    TABLE.get_or_init(|| parse_table(TABLE_TEXT))
}

/// Reads the UCD file's `2F00 ; 4E00` and `2E8C..2E8D ; 5C0F` lines (strokes and comments
/// are skipped).
fn parse_table(text: &str) -> Vec<Option<char>> {
    let mut out = vec![None; (LAST - FIRST + 1) as usize];
    for line in text.lines() {
        let entry = line.split('#').next().unwrap_or("").trim();
        let Some((range, to)) = entry.split_once(';') else {
            continue;
        };
        let hex = |s: &str| u32::from_str_radix(s.trim(), 16).ok();
        let (a, b) = match range.split_once("..") {
            Some((a, b)) => (hex(a), hex(b)),
            None => (hex(range), hex(range)),
        };
        let (Some(a), Some(b), Some(to)) = (a, b, hex(to).and_then(char::from_u32)) else {
            continue;
        };
        for cp in a.max(FIRST)..=b.min(LAST) {
            out[(cp - FIRST) as usize] = Some(to);
        }
    }
    out
}

/// The ideograph a radical stands for, if Unicode names one.
pub(crate) fn equivalent(c: char) -> Option<char> {
    if !is_radical_block(c) {
        return None;
    }
    table()[(c as u32 - FIRST) as usize]
}

/// Does the text hold any character of the radical blocks? (UTF-8 `E2 BA 80`..`E2 BF 9F`:
/// a byte scan, so text without radicals costs next to nothing.)
fn has_radicals(s: &str) -> bool {
    s.as_bytes()
        .windows(2)
        .any(|w| w[0] == 0xE2 && (0xBA..=0xBF).contains(&w[1]))
}

/// Markup that sits between a radical and its neighbour without separating them (`**⽇**报`).
fn is_markup(c: char) -> bool {
    matches!(c, '*' | '_' | '~')
}

/// Does the character on this side put the radical in running text? A Han character or a
/// digit on either side; Chinese punctuation only where it follows or encloses a word
/// (`⼀、`, `“⼈⺠”`) — `部首：⼀ ⼁` is a list, not text.
fn textual(c: Option<char>, left: bool) -> bool {
    c.is_some_and(|c| {
        is_han(c)
            || c.is_ascii_digit()
            || ('０'..='９').contains(&c)
            || (is_cjk_punct(c) && c != '\u{3000}' && is_opening_punct(c) == left)
    })
}

/// A block's lines with their radicals in running text replaced (`None` for a line left
/// as it was), and the replacements made, in order. In a paragraph a printed line's end
/// is no boundary (`……一年，⼯` / `⼈、农民`: the run goes on on the next line).
fn map_block(texts: &[&str], paragraph: bool) -> (Vec<Option<String>>, Vec<(char, char)>) {
    const BREAK: char = '\n';
    let mut cs: Vec<char> = Vec::new();
    for (k, t) in texts.iter().enumerate() {
        if k > 0 {
            cs.push(BREAK);
        }
        cs.extend(t.chars());
    }
    let mapped = |c: char| equivalent(c).is_some();
    let between = |c: char| is_markup(c) || (paragraph && c == BREAK);
    let mut out = cs.clone();
    let mut made = Vec::new();
    let mut i = 0;
    while i < cs.len() {
        if !mapped(cs[i]) {
            i += 1;
            continue;
        }
        // A run of radicals reads as one: `⼈⺠` in `为⼈⺠服务`.
        let start = i;
        loop {
            while i < cs.len() && mapped(cs[i]) {
                i += 1;
            }
            let next = cs[i..].iter().position(|&c| !between(c)).map(|k| i + k);
            match next {
                Some(j) if j > i && mapped(cs[j]) => i = j,
                _ => break,
            }
        }
        let left = cs[..start].iter().rev().copied().find(|&c| !between(c));
        let right = cs[i..].iter().copied().find(|&c| !between(c));
        // After a comma at a line's end (`……一年，⼯`): a word cut by the printed line.
        let wrapped = right.is_none() && left.is_some_and(|c| is_cjk_punct(c) && c != '\u{3000}');
        if !(textual(left, true) || textual(right, false) || wrapped) {
            continue;
        }
        for k in start..i {
            if let Some(to) = equivalent(cs[k]) {
                made.push((cs[k], to));
                out[k] = to;
            }
        }
    }
    let mut lines = Vec::with_capacity(texts.len());
    let mut from = 0;
    for t in texts {
        let n = t.chars().count();
        let changed = out[from..from + n] != cs[from..from + n];
        lines.push(changed.then(|| out[from..from + n].iter().collect()));
        from += n + 1;
    }
    (lines, made)
}

/// `⽇→日 ×2, ⽉→月`: the replacements a block had, in order of first use.
fn summary(made: &[(char, char)]) -> String {
    let mut seen: Vec<((char, char), usize)> = Vec::new();
    for &m in made {
        match seen.iter_mut().find(|(x, _)| *x == m) {
            Some((_, n)) => *n += 1,
            None => seen.push((m, 1)),
        }
    }
    let parts: Vec<String> = seen
        .iter()
        .map(|&((a, b), n)| {
            if n == 1 {
                format!("{a}→{b}")
            } else {
                format!("{a}→{b} ×{n}")
            }
        })
        .collect();
    parts.join(", ")
}

/// Returns the number of radicals replaced.
pub(crate) fn run(lines: &mut Lines, repairs: &mut Vec<Repair>) -> usize {
    if !lines.lines.iter().any(|l| has_radicals(&l.text)) {
        return 0;
    }
    let mut total = 0;
    for b in blocks(lines) {
        // Code is quoted as written.
        if b.kind == BlockKind::Code {
            continue;
        }
        let idx: Vec<usize> = (b.start..b.end)
            .filter(|&i| !lines.lines[i].removed)
            .collect();
        if !idx.iter().any(|&i| has_radicals(&lines.lines[i].text)) {
            continue;
        }
        let texts: Vec<&str> = idx.iter().map(|&i| lines.lines[i].text.as_str()).collect();
        let (fixed, made) = map_block(&texts, b.kind == BlockKind::Paragraph);
        let mut first: Option<(usize, String, String)> = None;
        for (&i, after) in idx.iter().zip(fixed) {
            let Some(after) = after else { continue };
            let l = &mut lines.lines[i];
            if first.is_none() {
                // The excerpt around the first character replaced.
                let (at, (was, now)) = l
                    .text
                    .char_indices()
                    .zip(after.chars())
                    .find(|((_, a), b)| a != b)
                    .map_or((0, ('\0', '\0')), |((i, a), b)| (i, (a, b)));
                let rest = &l.text[at + was.len_utf8()..];
                let before_at = &l.text[..at];
                first = Some((
                    l.origin + 1,
                    format!("{}{was}{}", tail(before_at, 4), head(rest, 4)),
                    format!(
                        "{}{now}{}",
                        tail(&after[..at], 4),
                        head(&after[at + now.len_utf8()..], 4)
                    ),
                ));
            }
            l.text = after;
        }
        let Some((line, before, after)) = first else {
            continue;
        };
        total += made.len();
        repairs.push(Repair {
            evidence: Some(format!(
                "{} radical{} among Han characters: the ideograph{} {} stand{} for ({})",
                made.len(),
                if made.len() == 1 { "" } else { "s" },
                if made.len() == 1 { "" } else { "s" },
                if made.len() == 1 { "it" } else { "they" },
                if made.len() == 1 { "s" } else { "" },
                summary(&made)
            )),
            ..Repair::new(line, "radical", before, after)
        });
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(t: &str) -> String {
        let (mut out, _) = map_block(&[t], true);
        out.pop().flatten().unwrap_or_else(|| t.to_string())
    }

    #[test]
    fn table_reads_both_blocks() {
        assert_eq!(equivalent('\u{2F00}'), Some('一'));
        assert_eq!(equivalent('\u{2F47}'), Some('日'));
        assert_eq!(equivalent('\u{2F49}'), Some('月'));
        assert_eq!(equivalent('\u{2F2F}'), Some('工'));
        assert_eq!(equivalent('\u{2EA0}'), Some('民'));
        assert_eq!(equivalent('\u{2E8C}'), Some('小'));
        assert_eq!(equivalent('\u{2E8D}'), Some('小'));
        assert_eq!(equivalent('\u{2FD5}'), Some('龠'));
        assert_eq!(equivalent('\u{2E80}'), None, "no equivalent");
        assert_eq!(equivalent('日'), None);
        // Every Kangxi radical has an equivalent.
        assert!((0x2F00..=0x2FD5)
            .filter_map(char::from_u32)
            .all(|c| equivalent(c).is_some()));
    }

    #[test]
    fn radicals_in_running_text_become_ideographs() {
        assert_eq!(
            fix("北京⽇报 2026年2⽉2⽇ 星期⼀"),
            "北京日报 2026年2月2日 星期一"
        );
        assert_eq!(fix("政府⼯作报告"), "政府工作报告");
        assert_eq!(fix("为⼈⺠服务"), "为人民服务");
        assert_eq!(fix("⼀、总体要求"), "一、总体要求");
        assert_eq!(fix("“⼈⺠”"), "“人民”");
        assert_eq!(fix("**⽇**报"), "**日**报");
        // Cut by the printed line after a comma.
        assert_eq!(fix("一年又一年，⼯"), "一年又一年，工");
        let (lines, made) = map_block(&["一年，⼯", "⼈、农民"], true);
        assert_eq!(made.len(), 2);
        assert_eq!(lines[1].as_deref(), Some("人、农民"));
    }

    #[test]
    fn radicals_standing_as_radicals_stay() {
        for t in [
            "⼀ ⼁ ⼂ ⼃ ⼄ ⼅",
            "部首：⼀ ⼁ ⼂",
            "部首 ⼀",
            "⼈⺠",
            "radical ⽔ (water)",
        ] {
            assert!(t.contains(['⼀', '⽔', '⼈']));
            assert_eq!(
                fix(t).chars().filter(|&c| is_radical_block(c)).count(),
                t.chars().filter(|&c| is_radical_block(c)).count(),
                "{t}"
            );
        }
    }

    #[test]
    fn one_repair_per_block_with_count() {
        let mut l = Lines::new(
            "北京⽇报 2026年2⽉2⽇ 星期⼀\n\n为⼈⺠服务，\n⽇⽇⾏。\n\n```\n⽇报\n```\n",
        );
        let mut r = Vec::new();
        assert_eq!(run(&mut l, &mut r), 9);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].line, 1);
        assert_eq!(r[0].before, "北京⽇报 20");
        assert_eq!(r[0].after, "北京日报 20");
        assert!(r[0].evidence.as_deref().unwrap().starts_with("4 radicals"));
        assert_eq!(r[1].line, 3);
        assert!(
            r[1].evidence.as_deref().unwrap().contains("⽇→日 ×2"),
            "{:?}",
            r[1].evidence
        );
        assert_eq!(
            l.finish().0,
            "北京日报 2026年2月2日 星期一\n\n为人民服务，\n日日行。\n\n```\n⽇报\n```\n"
        );
    }

    #[test]
    fn text_without_radicals_is_untouched() {
        assert!(!has_radicals("北京日报 “引号” — 2026"));
        assert!(has_radicals("⽇"));
        assert!(has_radicals("⺠"));
    }
}
