//! The document model: headline groups, bylines, soft breaks, metadata fallbacks, folder issues.

use paiban::model::{Block, Document, Inline};
use paiban::{prepare_path, PrepareOptions};
use std::path::Path;

/// Builds the model of `md` written to a file called `name` (no normalizing: these tests are
/// about the parser).
fn model_of(name: &str, md: &str) -> Document {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, md).unwrap();
    prepare_path(
        &path,
        &PrepareOptions {
            normalize: false,
            ..Default::default()
        },
    )
    .unwrap()
    .document
}

fn sample() -> Document {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("content/wujin-2023-12-29.md");
    prepare_path(&path, &PrepareOptions::default())
        .unwrap()
        .document
}

#[test]
fn sample_issue_has_three_articles_with_their_headline_groups() {
    let doc = sample();
    assert_eq!(doc.articles.len(), 3);
    let a = &doc.articles[0].headline;
    assert_eq!(
        a.kicker.as_deref(),
        Some("中共常州市武进区委十三届六次全会召开")
    );
    assert_eq!(
        a.title,
        "勇挑大梁走在前 勇攀新高再出发 奋力推进中国式现代化武进新实践"
    );
    assert_eq!(
        a.subtitles,
        vec!["区委常委会主持会议 乔俊杰作报告".to_string()]
    );
    let sections: Vec<_> = doc.articles[0]
        .sections()
        .map(|s| s.title.as_str())
        .collect();
    assert_eq!(sections, vec!["新闻链接"]);

    let b = &doc.articles[1];
    assert_eq!(
        b.headline.title,
        "中国共产党常州市武进区第十三届委员会第六次全体会议决议"
    );
    assert_eq!(b.headline.kicker, None);
    assert!(b.headline.subtitles.is_empty());

    let c = &doc.articles[2];
    assert_eq!(c.headline.title, "凝心聚力扛使命 奋楫扬帆启新程");
    assert_eq!(c.byline.as_deref(), Some("□ 本报评论员"));
    // The byline is not also a body paragraph.
    assert!(!c
        .blocks
        .iter()
        .any(|b| b.plain_text().contains("本报评论员")));
}

#[test]
fn sample_metadata_falls_back_to_name_and_headline() {
    let doc = sample();
    assert_eq!(
        doc.meta.date.map(|d| d.iso()).as_deref(),
        Some("2023-12-29")
    );
    assert_eq!(
        doc.meta.title,
        "勇挑大梁走在前 勇攀新高再出发 奋力推进中国式现代化武进新实践"
    );
    assert_eq!(doc.meta.language, "zh-CN");
    let inferred: Vec<_> = doc.meta.inferred.iter().map(|i| i.field).collect();
    assert_eq!(inferred, vec!["date", "title", "language"]);
}

#[test]
fn kicker_only() {
    let doc = model_of("a.md", "## 引题\n\n# 主题\n\n正文。\n");
    let h = &doc.articles[0].headline;
    assert_eq!(
        (h.kicker.as_deref(), h.title.as_str()),
        (Some("引题"), "主题")
    );
    assert!(h.subtitles.is_empty());
}

#[test]
fn subtitle_only() {
    let doc = model_of("a.md", "# 主题\n## 副题\n\n正文。\n");
    let h = &doc.articles[0].headline;
    assert_eq!((h.kicker.as_deref(), h.title.as_str()), (None, "主题"));
    assert_eq!(h.subtitles, vec!["副题"]);
}

#[test]
fn two_subtitles() {
    let doc = model_of("a.md", "## 引题\n# 主题\n## 副题一\n## 副题二\n\n正文。\n");
    assert_eq!(doc.articles.len(), 1);
    assert_eq!(doc.articles[0].headline.subtitles, vec!["副题一", "副题二"]);
}

#[test]
fn h3_groups_are_sections_and_h2_alone_opens_an_article() {
    let md = "# 第一篇\n\n导语。\n\n### 小节一\n\n内容。\n\n### 小节二\n#### 小节副题\n\n内容。\n\n## 第二篇\n\n正文。\n";
    let doc = model_of("a.md", md);
    assert_eq!(doc.articles.len(), 2);
    let sections: Vec<_> = doc.articles[0].sections().collect();
    assert_eq!(sections.len(), 2);
    assert_eq!(sections[0].title, "小节一");
    assert_eq!(sections[1].title, "小节二");
    assert_eq!(sections[1].subtitles, vec!["小节副题"]);
    assert_eq!(doc.articles[1].headline.title, "第二篇");
    assert_eq!(doc.articles[1].headline.level, 2);
}

#[test]
fn text_before_any_heading_is_an_article_titled_by_the_issue() {
    let doc = model_of("2024-01-05.md", "导语没有标题。\n\n# 正题\n\n正文。\n");
    assert_eq!(doc.articles.len(), 2);
    assert_eq!(doc.articles[0].headline.title, "正题");
    assert_eq!(doc.meta.title, "正题");
}

#[test]
fn soft_break_is_no_space_between_chinese_and_a_space_between_latin() {
    let doc = model_of(
        "a.md",
        "# 题\n\n规划目标任\n务的关键一年，\nGDP growth\nrate 高。\n",
    );
    let text = doc.articles[0].blocks[0].plain_text();
    assert_eq!(text, "规划目标任务的关键一年，GDP growth rate 高。");
}

#[test]
fn soft_break_inside_emphasis_follows_the_same_rule() {
    let doc = model_of("a.md", "# 题\n\n*重点\n突破* and\nmore\n");
    let Block::Paragraph { content, .. } = &doc.articles[0].blocks[0] else {
        panic!("not a paragraph")
    };
    assert_eq!(paiban::model::plain_text(content), "重点突破 and more");
    assert!(matches!(&content[0], Inline::Emphasis(_)));
}

#[test]
fn rich_markdown_reaches_the_model() {
    let md = "# 题\n\n- 一\n- 二\n\n1. 甲\n2. 乙\n\n> 引文。\n\n```\ncode\n```\n\n---\n\n| 甲 | 乙 |\n|:--|--:|\n| 1 | 2 |\n\n脚注[^1]，[链接](https://example.com)，**强调**。\n\n[^1]: 注释。\n";
    let doc = model_of("a.md", md);
    let blocks = &doc.articles[0].blocks;
    let kinds: Vec<&str> = blocks
        .iter()
        .map(|b| match b {
            Block::List { start: None, .. } => "ul",
            Block::List { start: Some(_), .. } => "ol",
            Block::Quote(_) => "quote",
            Block::Code { .. } => "code",
            Block::Rule => "rule",
            Block::Table { .. } => "table",
            Block::Paragraph { .. } => "p",
            _ => "other",
        })
        .collect();
    assert_eq!(
        kinds,
        vec!["ul", "ol", "quote", "code", "rule", "table", "p"]
    );
    assert_eq!(doc.articles[0].footnotes.len(), 1);
    assert_eq!(
        doc.articles[0].footnotes[0].blocks[0].plain_text(),
        "注释。"
    );
}

#[test]
fn front_matter_yaml_and_toml() {
    let yaml = "---\nnewspaper: 武进日报\ndate: 2023-12-29\nissue: 第12345期\ntitle: 今日武进\nlanguage: zh-Hans\n---\n# 题\n\n正文。\n";
    let doc = model_of("x.md", yaml);
    assert_eq!(doc.meta.newspaper.as_deref(), Some("武进日报"));
    assert_eq!(doc.meta.issue_number.as_deref(), Some("第12345期"));
    assert_eq!(doc.meta.title, "今日武进");
    assert_eq!(doc.meta.language, "zh-Hans");
    assert!(doc.meta.inferred.is_empty());

    let toml = "+++\nnewspaper = \"武进日报\"\ndate = 2023-12-30\n+++\n# 题\n\n正文。\n";
    let doc = model_of("y.md", toml);
    assert_eq!(
        doc.meta.date.map(|d| d.iso()).as_deref(),
        Some("2023-12-30")
    );
}

#[test]
fn folder_issue_reads_pages_in_name_order_with_issue_toml() {
    let dir = tempfile::tempdir().unwrap();
    let issue = dir.path().join("wujin-2024-01-02");
    std::fs::create_dir(&issue).unwrap();
    std::fs::write(
        issue.join("issue.toml"),
        "newspaper = \"武进日报\"\ndate = \"2024-01-02\"\nissue = 9\n",
    )
    .unwrap();
    std::fs::write(issue.join("02.md"), "# 第二版头条\n\n正文二。\n").unwrap();
    std::fs::write(issue.join("01.md"), "# 第一版头条\n\n正文一。\n").unwrap();
    let p = prepare_path(
        &issue,
        &PrepareOptions {
            normalize: false,
            ..Default::default()
        },
    )
    .unwrap();
    let titles: Vec<_> = p
        .document
        .articles
        .iter()
        .map(|a| a.headline.title.as_str())
        .collect();
    assert_eq!(titles, vec!["第一版头条", "第二版头条"]);
    assert_eq!(p.document.meta.issue_number.as_deref(), Some("9"));
    assert_eq!(p.issue.name, "wujin-2024-01-02");
    // Locations point into the page file they came from.
    let loc = p.document.articles[1].headline.location.clone().unwrap();
    assert!(loc.path.ends_with("02.md"), "{loc}");
    assert_eq!(loc.line, 1);
}

#[test]
fn locations_count_front_matter_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.md");
    std::fs::write(&path, "---\ntitle: t\n---\n\n# 题\n\n正文。\n").unwrap();
    let doc = prepare_path(
        &path,
        &PrepareOptions {
            normalize: false,
            ..Default::default()
        },
    )
    .unwrap()
    .document;
    assert_eq!(doc.articles[0].headline.location.as_ref().unwrap().line, 5);
    match &doc.articles[0].blocks[0] {
        Block::Paragraph {
            location: Some(l), ..
        } => assert_eq!(l.line, 7),
        other => panic!("{other:?}"),
    }
}

#[test]
fn deep_nesting_is_flattened_not_a_stack_overflow() {
    let md = format!("# 题\n\n{}深\n", "> ".repeat(5000));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deep.md");
    std::fs::write(&path, md).unwrap();
    let p = prepare_path(
        &path,
        &PrepareOptions {
            normalize: false,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(p.diagnostics.iter().any(|d| d.kind == "deep-nesting"));
    assert!(p.document.articles[0]
        .blocks
        .iter()
        .any(|b| b.plain_text().contains('深')));
}
