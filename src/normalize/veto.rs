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
