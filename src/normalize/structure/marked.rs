//! Headings a converter marked wrongly (pymupdf4llm marks by font size and weight): a
//! sentence set in bold (`### 外国驻华使节旁听了大会。`, `### 央视网消息（新闻联播）：`) is a
//! paragraph, and a headline wrapped in print is one heading, not two
//! (`## **第十二届全国少数民族传统体育运动会闭**` / `## **幕**`).

use crate::cjk::text_ends_sentence;
use crate::normalize::blocks::{blocks, BlockKind};
use crate::normalize::lineshape::{Shape, Wrap};
use crate::normalize::{head, veto, Lines, Repair};

/// An ATX heading's level and its text without the converter's emphasis.
fn parts(line: &str) -> Option<(usize, &str)> {
    let t = line.trim();
    let level = t.chars().take_while(|&c| c == '#').count();
    let rest = t.get(level..)?.trim();
    if !(1..=6).contains(&level) {
        return None;
    }
    let inner = rest
        .strip_prefix("**")
        .and_then(|r| r.strip_suffix("**"))
        .unwrap_or(rest)
        .trim();
    Some((level, inner))
}

/// A heading's text that reads as a sentence or a lead-in, not a title.
fn is_sentence(inner: &str) -> bool {
    text_ends_sentence(inner) || inner.ends_with(['：', ':'])
}

/// Fixes converter-marked headings. Returns the number of repairs.
pub(crate) fn run(lines: &mut Lines, shape: &Shape, repairs: &mut Vec<Repair>) -> usize {
    // Hand-written Markdown (no printed lines learned) keeps its headings as written.
    if shape.wrap == Wrap::Unknown {
        return 0;
    }
    let heads: Vec<usize> = blocks(lines)
        .iter()
        .filter(|b| b.kind == BlockKind::Heading)
        .map(|b| b.start)
        .filter(|&i| lines.lines[i].text.trim_start().starts_with('#'))
        .collect();
    let mut n = 0;
    let mut merged_into: Option<usize> = None;
    for (k, &i) in heads.iter().enumerate() {
        if lines.lines[i].removed {
            continue;
        }
        let Some((level, inner)) = parts(&lines.lines[i].text) else {
            continue;
        };
        let inner = inner.to_string();
        if is_sentence(&inner) && !lines.veto_texts.line(&inner) {
            repairs.push(Repair {
                line: lines.lines[i].origin + 1,
                kind: "heading-unmarked",
                before: head(lines.lines[i].text.trim(), 40).to_string(),
                after: head(&inner, 40).to_string(),
                evidence: Some(
                    "the heading ends with a stop or a colon: a sentence set in bold, not a title"
                        .into(),
                ),
                veto_line: Some(lines.lines[i].origin + 1),
                veto_key: Some(veto::line_key(&inner)),
            });
            lines.lines[i].text = inner;
            n += 1;
            merged_into = None;
            continue;
        }
        // The next heading, with only blank lines between: one or two characters of the
        // same level are the end of this one, wrapped.
        let Some(&j) = heads.get(k + 1) else {
            continue;
        };
        let only_blank =
            (i + 1..j).all(|x| lines.lines[x].removed || lines.lines[x].text.trim().is_empty());
        let Some((level2, inner2)) = parts(&lines.lines[j].text) else {
            continue;
        };
        if !only_blank
            || level2 != level
            || inner2.chars().count() > 2
            || is_sentence(inner2)
            || lines.veto_texts.seam(&inner, inner2)
        {
            merged_into = None;
            continue;
        }
        let target = merged_into.unwrap_or(i);
        let inner2 = inner2.to_string();
        let bold = lines.lines[target].text.contains("**");
        let (tl, ti) = parts(&lines.lines[target].text)
            .map(|(l, t)| (l, t.to_string()))
            .unwrap_or((level, inner.clone()));
        let text = format!("{ti}{inner2}");
        let marked = if bold {
            format!("{} **{text}**", "#".repeat(tl))
        } else {
            format!("{} {text}", "#".repeat(tl))
        };
        repairs.push(Repair {
            line: lines.lines[j].origin + 1,
            kind: "heading-merge",
            before: format!("{}⏎{}", head(&ti, 30), inner2),
            after: head(&text, 40).to_string(),
            evidence: Some(format!(
                "a heading of {} characters at the same level right after another: its last word, wrapped",
                inner2.chars().count()
            )),
            veto_line: Some(lines.lines[j].origin + 1),
            veto_key: Some(veto::seam_key(&ti, &inner2)),
        });
        lines.lines[target].text = marked;
        for x in target + 1..=j {
            if lines.has_marks(x) {
                let base = lines.lines[target].text.chars().count();
                lines.move_marks(x, target, base, 0);
            }
            lines.lines[x].removed = true;
        }
        merged_into = Some(target);
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_of_a_heading() {
        assert_eq!(parts("## **幕**"), Some((2, "幕")));
        assert_eq!(
            parts("### 外国驻华使节旁听了大会。"),
            Some((3, "外国驻华使节旁听了大会。"))
        );
        assert!(is_sentence("央视网消息（新闻联播）："));
        assert!(!is_sentence("第十二届全国少数民族传统体育运动会闭"));
    }
}
