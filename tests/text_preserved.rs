//! The normalizer never drops text: the visible text of the parsed document (every
//! character the Markdown parser shows as text or code, whitespace and ASCII marks —
//! which are Markdown syntax as often as text — aside) is the same
//! before and after normalizing, except for what the report says was removed (running
//! heads, folios, repeated characters) and punctuation made full-width. A join across a
//! link reference definition, a footnote definition, an HTML block or a table would
//! change what the parser sees, and is caught here.
//!
//! Over 1,000 generated issues and every Markdown file of the test fixtures (the fuzz
//! findings and the round-trip corpus among them). `PAIBAN_TEXT_CORPUS=DIR` adds every
//! `.md` under DIR (a benchmark run over a corpus outside the repo; no test reads one).

use paiban::normalize::{normalize, NormalizeOptions};
use proptest::prelude::*;
use pulldown_cmark::{Event, Options, Parser};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Punctuation the normalizer makes full-width, counted as the ASCII it came from.
fn fold(c: char) -> char {
    match c {
        '，' => ',',
        '；' => ';',
        '：' => ':',
        '（' => '(',
        '）' => ')',
        '？' => '?',
        '！' => '!',
        c => c,
    }
}

/// Counts the characters of `s` that are words: ASCII punctuation is left out, since it
/// is Markdown syntax as often as text (`|`, `-`, `*` become or stop being markup when the
/// normalizer removes a folio glued to a table, or closes an emphasis the converter split),
/// and whitespace is layout.
fn count_into(s: &str, m: &mut BTreeMap<char, isize>, k: isize) {
    for c in s.chars().map(fold) {
        if !(c.is_whitespace() || c == '⏎' || c.is_ascii_punctuation()) {
            *m.entry(c).or_insert(0) += k;
        }
    }
}

/// Lines that are a link reference definition and nothing else (`[ref]: https://…`): not
/// text, but shown as text when a converter glued them to a folio (`- 3 -` above) — whether
/// they show must not count. A definition that swallowed text after it (`[ref]: url[引用]结束`)
/// is no such line, and its text counts.
fn without_definitions(markdown: &str) -> String {
    markdown
        .lines()
        .filter(|l| {
            let t = l.trim_start_matches(' ');
            let def = l.len() - t.len() <= 3
                && t.starts_with('[')
                && !t.starts_with("[^")
                && t.split_once("]:").is_some_and(|(_, url)| {
                    let url = url.trim();
                    !url.is_empty() && !url.contains(char::is_whitespace) && url.is_ascii()
                });
            !def
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The characters the parser shows (text, code, inline HTML is not text), counted.
fn visible(markdown: &str) -> BTreeMap<char, isize> {
    let opts = Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH;
    let mut m = BTreeMap::new();
    for e in Parser::new_ext(&without_definitions(markdown), opts) {
        if let Event::Text(t) | Event::Code(t) = e {
            count_into(&t, &mut m, 1);
        }
    }
    m
}

/// None when the text is preserved; else what changed.
fn lost_text(input: &str) -> Option<String> {
    let n = normalize(input, &NormalizeOptions::default());
    let before = visible(input);
    let after = visible(&n.text);
    // Characters the report says it removed (before minus after of each repair).
    let mut removed = BTreeMap::new();
    for r in &n.repairs {
        count_into(&r.before, &mut removed, 1);
        count_into(&r.after, &mut removed, -1);
    }
    let mut problems = Vec::new();
    for (c, &k) in &before {
        // A Kangxi or supplement radical in running text becomes the ideograph it stands
        // for: one repair per paragraph, its count in the evidence (not lost text).
        if ('\u{2E80}'..='\u{2FDF}').contains(c) {
            continue;
        }
        let left = after.get(c).copied().unwrap_or(0);
        let reported = removed.get(c).copied().unwrap_or(0).max(0);
        if k - left > reported {
            problems.push(format!(
                "`{c}` lost {} times, reported {reported}",
                k - left
            ));
        }
    }
    // (More shown than before is no loss: removing a folio between an HTML block and the
    // code after it shows the code; `normalize_props` checks that nothing is invented.)
    (!problems.is_empty())
        .then(|| format!("{}\n--- normalized ---\n{}", problems.join("; "), n.text))
}

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        "[目标任务治党主体常委会重大决策一二年人，。、：；“”]{1,30}",
        "[目标任务治党,;:()?!a-z0-9 ]{1,20}",
        Just("全面从严治党".to_string()),
        Just("治党主体责任。".to_string()),
        // Definitions: a join across them would swallow the text after them.
        // (standing apart: glued to a folio or jump line, a definition is shown as text
        // until the normalizer removes the folio, which is no loss of text).
        Just("\n\n[ref]: https://example.com/a\n\n".to_string()),
        Just("[引用链接][ref]结束。".to_string()),
        Just("[ref]结束".to_string()),
        Just("\n\n[^1]: 注释的文字没有句号".to_string()),
        Just("\n\n[^1]: 注释，".to_string()),
        Just("正文[^1]".to_string()),
        Just("<div>原始HTML</div>".to_string()),
        Just("<!-- 注释 -->".to_string()),
        // Tables stand apart, as converters write them (a table glued to a jump line's
        // continuation is a known gap of the jump pass, reported to the normalizer's owner).
        Just("\n\n| 表头 | 二 |\n|---|---|\n| 格子 | 内容 |\n\n".to_string()),
        Just("\n\n表头 | 二\n--- | ---\n格子 | 内容\n\n".to_string()),
        Just("- 列表项".to_string()),
        Just("> 引文，".to_string()),
        Just("*强调的".to_string()),
        Just("文字*".to_string()),
        Just("![图](a.png)".to_string()),
        Just("[链接](https://example.com/)".to_string()),
        Just("- 3 -".to_string()),
        Just("第2版".to_string()),
        Just("12".to_string()),
        Just("河北日报 2026年2月2日 星期一".to_string()),
        Just("（下转第2版）".to_string()),
        Just("（上接第1版）务的关键一年。".to_string()),
        Just("# 标题".to_string()),
        Just("```\na,b\n```".to_string()),
        Just("`x,y`和".to_string()),
        Just("**第3版**".to_string()),
        Just("<u>政务</u>".to_string()),
    ]
}

fn doc() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (piece(), prop_oneof![Just("\n\n"), Just("\n"), Just("")]),
        0..14,
    )
    .prop_map(|v| v.into_iter().map(|(p, s)| p + s).collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn visible_text_survives_normalizing(t in doc()) {
        if let Some(p) = lost_text(&t) {
            prop_assert!(false, "{}\n--- input ---\n{}", p, t);
        }
    }
}

fn markdown_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            markdown_under(&p, out);
        } else if p.extension().is_some_and(|e| e == "md") {
            out.push(p);
        }
    }
}

#[test]
fn visible_text_survives_on_every_fixture() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    markdown_under(&root.join("tests/fixtures"), &mut files);
    markdown_under(&root.join("content"), &mut files);
    if let Ok(extra) = std::env::var("PAIBAN_TEXT_CORPUS") {
        markdown_under(Path::new(&extra), &mut files);
    }
    files.sort();
    assert!(files.len() > 100, "{} fixtures", files.len());
    let mut failed = Vec::new();
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue; // the bad-encoding fixtures
        };
        // The body, as `build` normalizes it (front matter split off).
        let Ok(issue) = paiban::issue::from_text(&text, f, root.to_path_buf()) else {
            continue;
        };
        if let Some(p) = lost_text(&issue.source.text) {
            failed.push(format!("{}: {}", f.display(), &p[..p.len().min(300)]));
        }
    }
    eprintln!(
        "text preserved in {} of {} files",
        files.len() - failed.len(),
        files.len()
    );
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
