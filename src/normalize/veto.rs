//! The editor's veto: a line `<!-- paiban: keep -->` between two paragraphs forbids any
//! join across it. The marker is dropped from the output (it is an instruction, not
//! text), so it never reaches the model as raw HTML. Every join's report names the line
//! where the marker would go.

use super::Lines;

/// The marker, as the report tells editors to write it.
pub const KEEP_MARKER: &str = "<!-- paiban: keep -->";

/// `<!-- paiban: keep -->`, spacing and case aside.
pub fn is_keep_marker(line: &str) -> bool {
    let Some(inner) = line
        .trim()
        .strip_prefix("<!--")
        .and_then(|r| r.strip_suffix("-->"))
    else {
        return false;
    };
    let words: Vec<&str> = inner.split_whitespace().collect();
    matches!(words.as_slice(), [p, k] if p.eq_ignore_ascii_case("paiban:") && k.eq_ignore_ascii_case("keep"))
        || matches!(words.as_slice(), [p, c, k] if p.eq_ignore_ascii_case("paiban") && *c == ":" && k.eq_ignore_ascii_case("keep"))
}

/// Characters either side of a seam in the key the report gives for it.
const SEAM_CHARS: usize = 6;

/// Repairs the editor forbade by the text where they fall, not by line number, so they
/// hold however the file is edited above them: `veto = ["目标任|务", "一、工作回顾"]` in the
/// front matter or `issue.toml`. `left|right` forbids any join or split where the text
/// before the seam ends with `left` and the text after begins with `right`; a text without
/// `|` forbids marking or unmarking that line as a heading. Spaces and Markdown marks
/// (`#`, `*`) are ignored on both sides.
#[derive(Debug, Clone, Default)]
pub struct Vetoes {
    seams: Vec<(String, String)>,
    lines: Vec<String>,
}

/// The text as the veto keys compare it.
fn plain(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '#' && *c != '*')
        .collect()
}

impl Vetoes {
    pub fn new(items: &[String]) -> Self {
        let mut v = Vetoes::default();
        for item in items {
            match item.split_once('|') {
                Some((l, r)) => v.seams.push((plain(l), plain(r))),
                None => v.lines.push(plain(item)),
            }
        }
        v
    }

    pub fn is_empty(&self) -> bool {
        self.seams.is_empty() && self.lines.is_empty()
    }

    /// Is any change at the seam between `before` and `after` forbidden?
    pub(crate) fn seam(&self, before: &str, after: &str) -> bool {
        if self.seams.is_empty() {
            return false;
        }
        let (b, a) = (
            plain(super::tail(before, 64)),
            plain(super::head(after, 64)),
        );
        self.seams.iter().any(|(l, r)| {
            (!l.is_empty() || !r.is_empty()) && b.ends_with(l.as_str()) && a.starts_with(r.as_str())
        })
    }

    /// Is marking or unmarking this line as a heading forbidden?
    pub(crate) fn line(&self, text: &str) -> bool {
        !self.lines.is_empty() && {
            let t = plain(text);
            self.lines.contains(&t)
        }
    }
}

/// The key that vetoes a repair at this seam: a few characters either side of `|`.
pub(crate) fn seam_key(before: &str, after: &str) -> String {
    let b = plain(super::tail(before.trim_end(), 3 * SEAM_CHARS));
    let a = plain(super::head(after.trim_start(), 3 * SEAM_CHARS));
    format!(
        "{}|{}",
        super::tail(&b, SEAM_CHARS),
        super::head(&a, SEAM_CHARS)
    )
}

/// The key that vetoes a repair of this line (a heading marked or unmarked).
pub(crate) fn line_key(text: &str) -> String {
    plain(text)
}

/// Removes the markers and records where they stood.
pub(crate) fn run(lines: &mut Lines) {
    let blank = |t: &str| t.trim().is_empty();
    for i in 0..lines.lines.len() {
        if lines.lines[i].removed || !is_keep_marker(&lines.lines[i].text) {
            continue;
        }
        lines.lines[i].removed = true;
        lines.vetoes.push(i);
        // Between blank lines, the marker leaves one paragraph break, not two.
        let before_blank = i == 0 || blank(&lines.lines[i - 1].text);
        if let Some(next) = lines.lines.get_mut(i + 1) {
            if before_blank && blank(&next.text) {
                next.removed = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::{normalize, NormalizeOptions};

    #[test]
    fn marker_forms() {
        assert!(is_keep_marker("<!-- paiban: keep -->"));
        assert!(is_keep_marker("  <!--paiban: KEEP-->"));
        assert!(!is_keep_marker("<!-- keep -->"));
        assert!(!is_keep_marker("<!-- paiban: keep --> 正文"));
    }

    #[test]
    fn veto_stops_the_join_and_leaves_no_trace() {
        let t = "明年是关键一年，是全面完成规划目标任\n\n<!-- paiban: keep -->\n\n务的关键一年。\n";
        let n = normalize(t, &NormalizeOptions::default());
        assert_eq!(
            n.text,
            "明年是关键一年，是全面完成规划目标任\n\n务的关键一年。\n"
        );
        assert!(n.repairs.iter().all(|r| r.kind != "page-break-join"));
        let joined = normalize(
            "明年是关键一年，是全面完成规划目标任\n\n务的关键一年。\n",
            &NormalizeOptions::default(),
        );
        let j = joined
            .repairs
            .iter()
            .find(|r| r.kind == "page-break-join")
            .unwrap();
        assert_eq!(j.veto_line, Some(3));
    }
}
