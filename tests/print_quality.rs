//! Print quality (issue #20) measured on the PDFs of both samples, read back with
//! `pdftotext -bbox-layout`: no headline line break inside a word (words listed by Python
//! jieba, a segmenter other than the shipped one, in tests/fixtures/print/headline-words.txt)
//! or inside `《…》`, no headline line of one character, no space between a full-width
//! bracket or quote and a Chinese character, no letter-spaced line, no kinsoku violation,
//! justified body lines, and each 版 on a page of its own with its running head — or laid
//! out as before with the style key off. The benchmark over the corpus is
//! benches/print_quality.py. A missing tool fails under CI=true; elsewhere the test skips.

mod pdf_support;

use paiban::cjk;
use pdf_support::{have, run};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Builds `input` as a PDF with the command line (extra arguments appended).
fn build(input: &Path, dir: &Path, extra: &[&str]) -> PathBuf {
    let o = Command::new(env!("CARGO_BIN_EXE_paiban"))
        .arg("build")
        .arg(input)
        .args(["--pdf", "-o"])
        .arg(dir)
        .args(extra)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "pdf"))
        .unwrap()
}

/// One line of `pdftotext -bbox-layout`: font size (box height), left, right, top, words.
#[derive(Debug, Clone)]
struct BLine {
    size: f64,
    x0: f64,
    x1: f64,
    y: f64,
    words: Vec<(f64, f64, String)>,
}

impl BLine {
    fn text(&self) -> String {
        self.words.iter().map(|w| w.2.as_str()).collect()
    }
}

fn attr(tag: &str, name: &str) -> f64 {
    tag.split(&format!("{name}=\""))
        .nth(1)
        .and_then(|r| r.split('"').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN)
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The lines of each page. A half-width mark's em box overlaps the next glyph, and poppler
/// then reports the rest of the line as a line of its own at the same height: joined again.
fn pages(pdf: &Path) -> Vec<Vec<BLine>> {
    let out = run("pdftotext", &["-bbox-layout", pdf.to_str().unwrap(), "-"]).stdout;
    let xml = String::from_utf8(out).unwrap();
    let mut pages = Vec::new();
    for page in xml.split("<page ").skip(1) {
        let mut lines: Vec<BLine> = Vec::new();
        for chunk in page.split("<line ").skip(1) {
            let head = chunk.split('>').next().unwrap_or("");
            let body = chunk.split("</line>").next().unwrap_or("");
            let words: Vec<(f64, f64, String)> = body
                .split("<word ")
                .skip(1)
                .map(|w| {
                    let (tag, rest) = w.split_once('>').unwrap_or(("", ""));
                    let t = rest.split("</word>").next().unwrap_or("");
                    (attr(tag, "xMin"), attr(tag, "xMax"), unescape(t))
                })
                .collect();
            let l = BLine {
                size: ((attr(head, "yMax") - attr(head, "yMin")) * 10.0).round() / 10.0,
                x0: attr(head, "xMin"),
                x1: attr(head, "xMax"),
                y: attr(head, "yMin"),
                words,
            };
            match lines.last_mut() {
                Some(p)
                    if (p.y - l.y).abs() < 0.01
                        && p.size == l.size
                        && l.x0 < p.x1 + 0.5
                        && l.x1 > p.x1 =>
                {
                    p.x1 = l.x1;
                    p.words.extend(l.words);
                }
                _ => lines.push(l),
            }
        }
        pages.push(lines);
    }
    pages
}

const BODY: f64 = 10.0;

fn is_punct(c: char) -> bool {
    cjk::is_cjk_punct(c) || c.is_whitespace()
}

fn words() -> Vec<String> {
    std::fs::read_to_string(root().join("tests/fixtures/print/headline-words.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// Every finding of the checks on one PDF, as `kind: detail`.
fn findings(pages: &[Vec<BLine>], words: &[String]) -> (Vec<String>, usize, usize) {
    let mut out = Vec::new();
    let (mut body_lines, mut full) = (0, 0);
    for lines in pages {
        // Headline lines: larger than the body; consecutive lines of one size belong together.
        let heads: Vec<&BLine> = lines.iter().filter(|l| l.size >= BODY * 1.25).collect();
        for w in heads.windows(2) {
            let (a, b) = (w[0], w[1]);
            if a.size != b.size || !(0.0..a.size * 2.0).contains(&(b.y - a.y)) {
                continue;
            }
            let (left, right) = (a.text(), b.text());
            let joined = format!("{left}{right}");
            let cut = left.chars().count();
            let chars: Vec<char> = joined.chars().collect();
            for word in words {
                let n = word.chars().count();
                for start in cut.saturating_sub(n - 1)..cut {
                    if start + n <= chars.len()
                        && start < cut
                        && start + n > cut
                        && chars[start..start + n].iter().collect::<String>() == *word
                    {
                        out.push(format!("word: {left} / {right} ({word})"));
                    }
                }
            }
            if left.matches('《').count() > left.matches('》').count() {
                out.push(format!("book title: {left} / {right}"));
            }
        }
        for l in &heads {
            if l.text().chars().filter(|c| !is_punct(*c)).count() == 1 {
                out.push(format!("single: {}", l.text()));
            }
        }
        for l in lines.iter().filter(|l| l.size >= BODY - 0.5) {
            let t = l.text();
            // A space is a gap wider than the line's usual one between words (a justified
            // line's stretch makes poppler split it at every character).
            let mut gaps: Vec<f64> = l.words.windows(2).map(|w| w[1].0 - w[0].1).collect();
            gaps.sort_by(f64::total_cmp);
            let mut lens: Vec<usize> = l.words.iter().map(|w| w.2.chars().count()).collect();
            lens.sort_unstable();
            let split = lens.get(lens.len() / 2).is_some_and(|n| *n <= 1);
            let usual = if split {
                gaps.get(gaps.len() / 2).copied().unwrap_or(0.0)
            } else {
                0.0
            };
            for w in l.words.windows(2) {
                let gap = w[1].0 - w[0].1;
                if gap < 0.2 * l.size || gap < usual + 0.1 * l.size {
                    continue;
                }
                let (ea, sb) = (w[0].2.chars().last(), w[1].2.chars().next());
                let bracket = |c: Option<char>| {
                    c.is_some_and(|c| {
                        (cjk::is_opening_punct(c) || cjk::is_closing_punct(c))
                            && !"，。、；：？！".contains(c)
                    })
                };
                let han = |c: Option<char>| c.is_some_and(cjk::is_han);
                if (bracket(ea) && han(sb)) || (han(ea) && bracket(sb)) {
                    out.push(format!("bracket space: {} {}", w[0].2, w[1].2));
                }
            }
            let (Some(first), Some(last)) = (t.chars().next(), t.chars().last()) else {
                continue;
            };
            if (cjk::no_line_start(first) && !t.starts_with("——") && !t.starts_with("……"))
                || cjk::no_line_end(last)
            {
                out.push(format!("kinsoku: {t}"));
            }
            let n = t.chars().count();
            if n >= 4 && t.chars().all(|c| cjk::is_han(c) || cjk::is_cjk_punct(c)) {
                let extra = (l.x1 - l.x0 - n as f64 * l.size) / (n - 1) as f64;
                if extra > 0.25 * l.size {
                    out.push(format!("letter-spaced: {t}"));
                }
            }
        }
        // Justification: in each column, a body line followed by a flush (unindented)
        // line of the same paragraph reaches the column's right edge.
        let mut cols: std::collections::BTreeMap<i64, Vec<&BLine>> = Default::default();
        for l in lines.iter().filter(|l| (l.size - BODY).abs() < 0.6) {
            cols.entry((l.x0 / 40.0).round() as i64)
                .or_default()
                .push(l);
        }
        for ls in cols.values_mut() {
            ls.sort_by(|a, b| a.y.total_cmp(&b.y));
            let left = ls.iter().map(|l| l.x0).fold(f64::INFINITY, f64::min);
            let mut ends: Vec<i64> = ls.iter().map(|l| (l.x1 * 10.0).round() as i64).collect();
            ends.sort_unstable();
            // The edge most lines share.
            let edge = ends
                .chunk_by(|a, b| a == b)
                .max_by_key(|c| c.len())
                .map_or(0.0, |c| c[0] as f64 / 10.0);
            for w in ls.windows(2) {
                let (a, b) = (w[0], w[1]);
                if !(0.0..BODY * 2.2).contains(&(b.y - a.y)) || (b.x0 - left).abs() > 0.6 {
                    continue;
                }
                body_lines += 1;
                if a.x1 >= edge - 0.6 || ls.len() < 3 {
                    full += 1;
                } else {
                    out.push(format!("ragged: {}", a.text()));
                }
            }
        }
    }
    (out, body_lines, full)
}

fn check(input: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let pdf = build(input, dir.path(), &[]);
    let pages = pages(&pdf);
    let (found, body, full) = findings(&pages, &words());
    let hard: Vec<&String> = found.iter().filter(|f| !f.starts_with("ragged")).collect();
    assert!(hard.is_empty(), "{}: {hard:#?}", input.display());
    assert!(body > 50, "{}: only {body} body lines", input.display());
    let justified = full as f64 / body as f64;
    assert!(
        justified >= 0.99,
        "{}: justified {justified:.3} ({full}/{body})",
        input.display()
    );
}

#[test]
fn sample_issue_has_no_print_faults() {
    if !have("pdftotext") {
        return;
    }
    check(&root().join("content/wujin-2023-12-29.md"));
}

#[test]
fn issue_with_pages_has_no_print_faults() {
    if !have("pdftotext") {
        return;
    }
    check(&root().join("content/shili-2023-04-11"));
}

/// The 版 named in a page's running head (`第02版`), if any.
fn ban(lines: &[BLine]) -> Option<String> {
    lines
        .iter()
        .filter(|l| l.size < BODY)
        .flat_map(|l| l.words.iter())
        .find(|w| w.2.starts_with('第') && w.2.ends_with('版'))
        .map(|w| w.2.clone())
}

#[test]
fn each_ban_opens_a_page_with_its_running_head_unless_the_style_says_not() {
    if !have("pdftotext") {
        return;
    }
    let input = root().join("content/shili-2023-04-11");
    let dir = tempfile::tempdir().unwrap();
    let pdf = build(&input, &dir.path().join("on"), &[]);
    let on = pages(&pdf);
    let heads: Vec<Option<String>> = on.iter().map(|p| ban(p)).collect();
    // Page 1 carries the masthead; every other page names its 版, in order, each 版 on
    // pages of its own.
    assert_eq!(heads[0], None, "{heads:?}");
    let named: Vec<&String> = heads.iter().flatten().collect();
    assert_eq!(named.len(), on.len() - 1, "{heads:?}");
    let mut seen: Vec<&String> = Vec::new();
    for b in &named {
        if seen.last() != Some(b) {
            assert!(!seen.contains(b), "版 {b} resumes after another: {heads:?}");
            seen.push(b);
        }
    }
    assert_eq!(seen, ["第01版", "第02版", "第03版"]);
    // The paper and the date stand in the same head.
    let head_text: String = on[1]
        .iter()
        .filter(|l| l.size < BODY)
        .map(|l| l.text())
        .collect();
    assert!(head_text.contains("要闻"), "{head_text}");
    assert!(head_text.contains("2023年4月11日"), "{head_text}");
    // Each 版 starts on a new page: the first headline of 版 2 and 3 is at its page's top.
    for (p, lines) in on.iter().enumerate().skip(1) {
        let prev = heads[p - 1].clone().or_else(|| Some("第01版".into()));
        if heads[p] != prev {
            let first = lines
                .iter()
                .filter(|l| l.size >= BODY - 0.5)
                .min_by(|a, b| a.y.total_cmp(&b.y))
                .unwrap();
            assert!(first.size > BODY * 1.25, "page {}: {}", p + 1, first.text());
        }
    }
    // The style key off: 版 run on like articles, on fewer pages, no 版 in the heads.
    let style = dir.path().join("off.toml");
    let a4 = std::fs::read_to_string(root().join("styles/a4.toml")).unwrap();
    assert!(a4.contains("ban_new_page = true"));
    std::fs::write(
        &style,
        a4.replace("ban_new_page = true", "ban_new_page = false"),
    )
    .unwrap();
    let pdf = build(
        &input,
        &dir.path().join("off"),
        &["--style", style.to_str().unwrap()],
    );
    let off = pages(&pdf);
    assert!(off.len() < on.len(), "{} vs {}", off.len(), on.len());
    assert!(off.iter().all(|p| ban(p).is_none()));
}

/// How far down each page's body text reaches, as a share of the text area's height
/// (the bottom of its lowest line at body size or larger, running heads and folios left
/// out), with the 版 its running head names.
fn fills(pages: &[Vec<BLine>]) -> Vec<(f64, Option<String>)> {
    let style = paiban::style::Style::preset("a4").unwrap();
    let (_, page_h) = style.page_size();
    let (_, text_h) = style.text_area();
    let top = f64::from(style.margin_top_mm) * 72.0 / 25.4;
    let foot = f64::from(page_h) - f64::from(style.margin_bottom_mm) * 72.0 / 25.4;
    pages
        .iter()
        .map(|lines| {
            let bottom = lines
                .iter()
                .filter(|l| l.size >= BODY - 0.5 && l.y < foot)
                .map(|l| l.y + l.size)
                .fold(top, f64::max);
            ((bottom - top) / f64::from(text_h), ban(lines))
        })
        .collect()
}

/// Page fill (issue #20): on both samples every page but a 版's last and the document's
/// last reaches 90% of the text area — the next article starts at the foot when its
/// headline group and two lines fit, or the page is spread to its foot (layout/feather.rs).
#[test]
fn pages_but_a_bans_last_are_at_least_90_percent_filled() {
    if !have("pdftotext") {
        return;
    }
    for input in ["content/wujin-2023-12-29.md", "content/shili-2023-04-11"] {
        let dir = tempfile::tempdir().unwrap();
        let pdf = build(&root().join(input), dir.path(), &[]);
        let f = fills(&pages(&pdf));
        assert!(f.len() >= 3, "{input}: {} pages", f.len());
        // Page 1 carries the masthead, not a head: it belongs to the first 版 named.
        let first = f.iter().find_map(|p| p.1.clone());
        let bans: Vec<Option<String>> = f
            .iter()
            .enumerate()
            .map(|(i, p)| p.1.clone().or(if i == 0 { first.clone() } else { None }))
            .collect();
        let mut checked = 0;
        for i in 0..f.len() - 1 {
            if bans[i].is_some() && bans[i + 1] != bans[i] {
                continue;
            }
            checked += 1;
            assert!(
                f[i].0 >= 0.9,
                "{input}: page {} is {:.0}% filled",
                i + 1,
                f[i].0 * 100.0
            );
            assert!(f[i].0 <= 1.01, "{input}: page {} overfull", i + 1);
        }
        assert!(checked >= 1, "{input}: no page checked");
    }
}
