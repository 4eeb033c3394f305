//! A newspaper read back. The EPUB: contents by page (版), the print pages as a
//! page-list with page-break markers where they began, the series an issue belongs to,
//! accessibility metadata, and DAISY Ace's verdict on the samples and a converted issue.
//! The PDF: bookmarks by print page, then article.

mod epub_support;

use epub_support::*;
use paiban::epub::EpubOptions;
use std::path::{Path, PathBuf};
use std::process::Command;

fn epub_of(input: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    unzip(&build(input, &EpubOptions::default()).0).1
}

fn folder_sample() -> PathBuf {
    root().join("content/shili-2023-04-11")
}

fn converted() -> PathBuf {
    root().join("tests/fixtures/roundtrip/markitdown/gwr2026-gansu-01.damaged.md")
}

/// The page-list's entries: (target, label).
fn page_list(nav: &str) -> Vec<(String, String)> {
    let Some(list) = nav
        .split("epub:type=\"page-list\"")
        .nth(1)
        .and_then(|s| s.split("</nav>").next())
    else {
        return Vec::new();
    };
    list.split("<a href=\"")
        .skip(1)
        .map(|e| {
            let (href, rest) = e.split_once('"').unwrap();
            let label = rest[1..].split("</a>").next().unwrap();
            (href.to_string(), label.to_string())
        })
        .collect()
}

#[test]
fn a_folder_issue_is_navigated_by_page_and_belongs_to_its_series() {
    let map = epub_of(&folder_sample());
    let nav = text(&map, "OEBPS/nav.xhtml");
    for (page, article) in [
        ("第01版 要闻", "中共中央发出关于学习"),
        ("第02版 时政", "中共中央政治局召开会议"),
        (
            "第03版 综合",
            "中国共产党第二十届中央委员会第二次全体会议公报",
        ),
    ] {
        let at = nav.find(page).unwrap_or_else(|| panic!("{page} in\n{nav}"));
        let nested = &nav[at..];
        assert!(nested.find("<ol>").unwrap() < nested.find(article).unwrap());
    }
    assert!(nav.contains("role=\"doc-toc\""));
    let pages = page_list(&nav);
    assert_eq!(
        pages.iter().map(|p| p.1.as_str()).collect::<Vec<_>>(),
        ["1", "2", "3"]
    );
    for (href, label) in &pages {
        let (file, id) = href.split_once('#').unwrap();
        let x = text(&map, &format!("OEBPS/{file}"));
        assert!(
            x.contains(&format!(
                "epub:type=\"pagebreak\" role=\"doc-pagebreak\" id=\"{id}\" aria-label=\"{label}\""
            )),
            "{href}"
        );
    }
    let opf = text(&map, "OEBPS/content.opf");
    for needle in [
        "<dc:title>示例日报 2023年4月11日 第8888期</dc:title>",
        "<meta property=\"belongs-to-collection\" id=\"series\">示例日报</meta>",
        "<meta refines=\"#series\" property=\"collection-type\">series</meta>",
        "<meta refines=\"#series\" property=\"group-position\">8888</meta>",
        ">示例日报 2023年4月11日 第8888期 印刷版</dc:source>",
        "property=\"source-of\">pagination</meta>",
        "<meta property=\"schema:accessibilityFeature\">printPageNumbers</meta>",
        "<meta property=\"schema:accessibilityFeature\">tableOfContents</meta>",
        "<meta property=\"schema:accessibilityHazard\">none</meta>",
        "<package xml:lang=\"zh-CN\"",
    ] {
        assert!(opf.contains(needle), "{needle} in\n{opf}");
    }
}

#[test]
fn a_converted_issue_marks_where_each_print_page_began() {
    let map = epub_of(&converted());
    let nav = text(&map, "OEBPS/nav.xhtml");
    let pages = page_list(&nav);
    assert_eq!(
        pages.iter().map(|p| p.1.as_str()).collect::<Vec<_>>(),
        ["2", "3", "4", "5", "6"]
    );
    let a = text(&map, "OEBPS/article-001.xhtml");
    // Page 3 began in mid-sentence (`…17.52亿人` / `次、旅游…`), joined by the normalizer.
    assert!(
        a.contains("亿人<span epub:type=\"pagebreak\" role=\"doc-pagebreak\" id=\"page-2\" aria-label=\"3\"></span>次、旅游"),
        "{a}"
    );
    assert!(nav.contains("第02版 政务"));
}

#[test]
fn an_issue_without_pages_has_no_page_list() {
    let map = epub_of(&sample());
    let nav = text(&map, "OEBPS/nav.xhtml");
    assert!(page_list(&nav).is_empty());
    let opf = text(&map, "OEBPS/content.opf");
    assert!(!opf.contains("printPageNumbers") && !opf.contains("dc:source"));
    assert!(!opf.contains("belongs-to-collection"));
    assert!(opf.contains("schema:accessibilitySummary"));
}

/// DAISY Ace as `ace-puppeteer` (the `ace` command needs Electron): `PAIBAN_ACE`, else the
/// install `.ci/run` makes.
#[test]
fn daisy_ace_finds_no_violation() {
    let Some(ace) = ace() else { return };
    let dir = tempfile::tempdir().unwrap();
    for input in [sample(), folder_sample(), converted()] {
        let (bytes, _) = build(&input, &EpubOptions::default());
        let stem = input.file_stem().unwrap().to_string_lossy().to_string();
        let epub = dir.path().join(format!("{stem}.epub"));
        std::fs::write(&epub, bytes).unwrap();
        let out = dir.path().join(format!("{stem}-ace"));
        let (violations, outcome) = epub_support::ace_violations(&ace, &epub, &out);
        assert!(violations.is_empty(), "{stem}: {violations:?}");
        assert_eq!(outcome, "pass", "{stem}");
    }
}

#[test]
fn pdf_bookmarks_go_by_print_page_then_article() {
    if !tool_available(
        "qpdf",
        Command::new("qpdf").arg("--version").output().is_ok(),
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_paiban"))
        .args(["build", "--pdf", "-o"])
        .arg(dir.path())
        .arg(folder_sample())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json = Command::new("qpdf")
        .args(["--json", "--json-key=outlines"])
        .arg(dir.path().join("shili-2023-04-11.pdf"))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let tops: Vec<(&str, Vec<&str>)> = v["outlines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            let kids = n["kids"]
                .as_array()
                .map(|k| k.iter().filter_map(|c| c["title"].as_str()).collect())
                .unwrap_or_default();
            (n["title"].as_str().unwrap(), kids)
        })
        .collect();
    assert_eq!(
        tops.iter().map(|t| t.0).collect::<Vec<_>>(),
        ["第01版 要闻", "第02版 时政", "第03版 综合"]
    );
    assert!(tops[1].1[0].starts_with("中共中央政治局召开会议"));
}

/// Each page's number and name.
fn numbers_and_names(doc: &paiban::model::Document) -> Vec<(Option<u32>, Option<&str>)> {
    doc.pages
        .iter()
        .map(|pg| (pg.number, pg.name.as_deref()))
        .collect()
}

/// A folder issue made of `pages` (file name, text) and an `issue.toml`.
fn folder_issue(pages: &[(&str, &str)], toml: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let issue = dir.path().join("issue-2024-01-02");
    std::fs::create_dir(&issue).unwrap();
    std::fs::write(issue.join("issue.toml"), toml).unwrap();
    for (name, text) in pages {
        std::fs::write(issue.join(name), text).unwrap();
    }
    (dir, issue)
}

#[test]
fn page_names_numbers_and_their_conflicts() {
    let (_d, issue) = folder_issue(
        &[
            ("01-要闻.md", "# 甲文\n\n甲文正文。\n"),
            (
                "02-经济.md",
                "---\npage_name: 评论\n---\n\n# 乙文\n\n乙文正文。\n",
            ),
            ("03.md", "---\npage: 二\n---\n\n# 丙文\n\n丙文正文。\n"),
            ("04-体育.md", "---\npage: 2\n---\n\n# 丁文\n\n丁文正文。\n"),
            ("05-空白.md", "\n"),
        ],
        "newspaper = \"武进日报\"\nissue = \"特刊\"\n",
    );
    let p = paiban::prepare_path(&issue, &paiban::PrepareOptions::default()).unwrap();
    let pages = numbers_and_names(&p.document);
    // The front matter's name wins over the file name's; a page number that is no number
    // falls back to the file name's (none here: numbered by place); an empty page has no
    // article but is still a page.
    assert_eq!(pages[0], (Some(1), Some("要闻")));
    assert_eq!(pages[1], (Some(2), Some("评论")));
    assert_eq!(pages[2].0, Some(3));
    let warnings: Vec<String> = p.diagnostics.iter().map(|d| d.to_string()).collect();
    let has = |kind: &str, what: &str| {
        p.diagnostics
            .iter()
            .any(|d| d.kind == kind && d.to_string().contains(what))
    };
    assert!(has("page-name", "02-经济.md:2"), "{warnings:?}");
    assert!(has("page-name", "`评论`"), "{warnings:?}");
    assert!(has("page-number", "03.md"), "{warnings:?}");
    assert!(has("page-order", "page 2 follows page"), "{warnings:?}");
    // An issue number that is no number: kept as text, no position in the series.
    let map = unzip(
        &paiban::epub::EpubEngine::new(&EpubOptions::default())
            .unwrap()
            .render(&p.document)
            .unwrap()
            .bytes,
    )
    .1;
    let opf = text(&map, "OEBPS/content.opf");
    assert!(opf.contains("belongs-to-collection\" id=\"series\">武进日报<"));
    assert!(!opf.contains("group-position"));
    assert!(
        opf.contains("<dc:title>武进日报 2024年1月2日 特刊</dc:title>"),
        "{opf}"
    );
}

#[test]
fn issue_toml_lists_the_pages() {
    let (_d, issue) = folder_issue(
        &[
            ("a.md", "# 甲文\n\n甲文正文。\n"),
            ("b.md", "---\npage_name: 体育\n---\n\n# 乙文\n\n乙文正文。\n"),
        ],
        "newspaper = \"武进日报\"\n\n[[pages]]\nfile = \"a.md\"\npage = 1\nname = \"要闻\"\n\n[[pages]]\nfile = \"b.md\"\npage = \"A2\"\nname = \"评论\"\n",
    );
    let p = paiban::prepare_path(&issue, &paiban::PrepareOptions::default()).unwrap();
    let pages = numbers_and_names(&p.document);
    // The page's own front matter wins over issue.toml.
    assert_eq!(pages, [(Some(1), Some("要闻")), (Some(2), Some("体育"))]);
    let (_d, bad) = folder_issue(
        &[("a.md", "# 甲\n\n正文。\n")],
        "newspaper = \"武进日报\"\n\n[[pages]]\npage = 1\n",
    );
    let err = paiban::prepare_path(&bad, &paiban::PrepareOptions::default())
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("issue.toml:3") && err.contains("file"),
        "{err}"
    );
}
