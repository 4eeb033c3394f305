//! The Markdown block structure the passes need: which lines form a paragraph, and which
//! blocks (headings, lists, quotes, tables, code, HTML) must never be touched.

use super::Lines;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BlockKind {
    Paragraph,
    Heading,
    List,
    Quote,
    Table,
    Code,
    Html,
    Rule,
}

/// A run of kept, non-blank lines (`start..end` index `Lines::lines`; removed lines inside
/// the range are skipped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Block {
    pub start: usize,
    pub end: usize,
    pub kind: BlockKind,
}

fn is_blank(s: &str) -> bool {
    // `trim().is_empty()`, stopping at the first character that is not white space.
    s.chars().all(super::lineshape::is_space)
}

/// A code fence opener/closer: ``` or ~~~ (up to 3 spaces of indent).
fn fence(s: &str) -> Option<(char, usize)> {
    let indent = s.len() - s.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let t = &s[indent..];
    let c = t.chars().next().filter(|&c| c == '`' || c == '~')?;
    let n = t.chars().take_while(|&x| x == c).count();
    (n >= 3).then_some((c, n))
}

/// A line that ends a paragraph and starts a block of its own (CommonMark: fences,
/// ATX headings, quotes, thematic breaks, bullet lists).
fn interrupts(s: &str) -> bool {
    if s.starts_with("    ") || s.starts_with('\t') {
        return false;
    }
    // Every block marker is ASCII: a line of Chinese text interrupts nothing (most lines).
    if s.trim_start_matches(' ')
        .bytes()
        .next()
        .is_some_and(|b| !b.is_ascii())
    {
        return false;
    }
    fence(s).is_some()
        || matches!(
            kind_of(s, None),
            BlockKind::Heading | BlockKind::Quote | BlockKind::Rule | BlockKind::Html
        )
        || (kind_of(s, None) == BlockKind::List && !s.trim_start().starts_with(char::is_numeric))
}

/// An HTML block opened by a tag, not by `<!--`, `<?`, `<!`, or `<script`/`<pre`/
/// `<style`/`<textarea` (whose blocks end at a closing mark, not a blank line).
fn tag_block(s: &str) -> bool {
    let t = s.trim_start_matches(' ');
    let Some(rest) = t.strip_prefix('<') else {
        return false;
    };
    let name: String = rest
        .trim_start_matches('/')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    let raw_text = ["script", "pre", "style", "textarea"].contains(&name.as_str());
    rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/')
        && !name.is_empty()
        && (rest.starts_with('/') || !raw_text)
}

/// Would a line with this text, standing first, start a plain paragraph?
pub(crate) fn starts_paragraph(s: &str) -> bool {
    fence(s).is_none() && kind_of(s, None) == BlockKind::Paragraph
}

/// Kind of a block from its first line (and the second, for setext headings).
fn kind_of(first: &str, second: Option<&str>) -> BlockKind {
    if first.starts_with("    ") || first.starts_with('\t') {
        return BlockKind::Code;
    }
    let t = first.trim_start_matches(' ');
    let hashes = t.chars().take_while(|&c| c == '#').count();
    if (1..=6).contains(&hashes)
        && t[hashes..]
            .chars()
            .next()
            .is_none_or(|c| c == ' ' || c == '\t')
    {
        return BlockKind::Heading;
    }
    if let Some(s) = second.map(str::trim) {
        if !s.is_empty() && (s.chars().all(|c| c == '=') || s.chars().all(|c| c == '-')) {
            return BlockKind::Heading;
        }
    }
    if t.starts_with('>') {
        return BlockKind::Quote;
    }
    if t.starts_with('|') {
        return BlockKind::Table;
    }
    if t.starts_with('<') {
        return BlockKind::Html;
    }
    let is_rule = |m: char| {
        let mut n = 0;
        t.chars().all(|c| {
            n += usize::from(c == m);
            c == m || c == ' ' || c == '\t'
        }) && n >= 3
    };
    if is_rule('-') || is_rule('*') || is_rule('_') {
        return BlockKind::Rule;
    }
    if t.starts_with("- ") || t.starts_with("* ") || t.starts_with("+ ") || t == "-" || t == "*" {
        return BlockKind::List;
    }
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=9).contains(&digits) {
        let rest = &t[digits..];
        if rest.starts_with(". ") || rest.starts_with(") ") || rest == "." || rest == ")" {
            return BlockKind::List;
        }
    }
    BlockKind::Paragraph
}

/// The blocks of the kept lines, in order. A fenced code block is one block even across
/// blank lines (an unclosed fence runs to the end, as in CommonMark).
pub(crate) fn blocks(lines: &Lines) -> Vec<Block> {
    let ls = &lines.lines;
    let mut out = Vec::new();
    let mut i = 0;
    while i < ls.len() {
        if ls[i].removed || is_blank(&ls[i].text) {
            i += 1;
            continue;
        }
        let start = i;
        if let Some((c, n)) = fence(&ls[i].text) {
            i += 1;
            while i < ls.len() {
                let closes = !ls[i].removed
                    && fence(&ls[i].text).is_some_and(|(c2, n2)| c2 == c && n2 >= n)
                    && ls[i].text.trim().chars().all(|x| x == c);
                i += 1;
                if closes {
                    break;
                }
            }
            out.push(Block {
                start,
                end: i,
                kind: BlockKind::Code,
            });
            continue;
        }
        // A paragraph-like block: kept lines up to the next blank kept line or fence.
        let mut end = i + 1;
        // An ATX heading is one line.
        let atx = ls[i].text.trim_start_matches(' ').starts_with('#')
            && kind_of(&ls[i].text, None) == BlockKind::Heading;
        // An HTML block of a tag (CommonMark types 6 and 7) runs to the next blank line
        // whatever its lines look like: `<div>…</div>` / `# 标题` / `任` is all HTML, none of
        // it a join's. (Comments, `<?`, `<!X` and `<script>`-like blocks end at their own
        // end marks instead; they keep the line-by-line reading.)
        let html = kind_of(&ls[i].text, None) == BlockKind::Html && tag_block(&ls[i].text);
        while !atx && end < ls.len() {
            if ls[end].removed {
                end += 1;
                continue;
            }
            if is_blank(&ls[end].text) || !html && interrupts(&ls[end].text) {
                break;
            }
            end += 1;
        }
        let second = ls[start + 1..end]
            .iter()
            .find(|l| !l.removed)
            .map(|l| l.text.as_str());
        out.push(Block {
            start,
            end,
            kind: kind_of(&ls[start].text, second),
        });
        i = end;
    }
    out
}

impl Block {
    /// Index of the last kept line.
    pub(crate) fn last_line(&self, lines: &Lines) -> usize {
        (self.start..self.end)
            .rev()
            .find(|&i| !lines.lines[i].removed)
            .unwrap_or(self.start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(t: &str) -> Vec<BlockKind> {
        blocks(&Lines::new(t)).iter().map(|b| b.kind).collect()
    }

    #[test]
    fn block_kinds() {
        use BlockKind::*;
        assert_eq!(
            kinds("# 标题\n\n正文，\n续行。\n\n- 列表\n\n> 引文\n\n| a | b |\n\n```\ncode\n\nmore\n```\n\n1. 一\n\n---\n"),
            vec![Heading, Paragraph, List, Quote, Table, Code, List, Rule]
        );
        assert_eq!(
            kinds("1.坚持创新\n\n（一）标题"),
            vec![Paragraph, Paragraph]
        );
        assert_eq!(kinds("```\nunclosed\n\ncode"), vec![Code]);
        assert_eq!(kinds(""), Vec::<BlockKind>::new());
        assert_eq!(
            kinds("正文\n# 标题\n正文"),
            vec![Paragraph, Heading, Paragraph]
        );
    }
}
