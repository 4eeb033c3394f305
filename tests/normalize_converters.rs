//! What real converters leave at a page break, case by case: each form of running head
//! and folio, furniture glued to a text line or split over lines, a column break,
//! line-wrap spaces, the editor's veto — on excerpts of the round-trip fixtures
//! (`tests/fixtures/roundtrip/`) and on small issues built for the forms no fixture shows.

use paiban::normalize::{normalize, NormalizeOptions, Normalized};
use paiban::{prepare_path, PrepareOptions};
use std::path::Path;

fn run(t: &str) -> Normalized {
    normalize(t, &NormalizeOptions::default())
}

fn fixture(converter: &str, name: &str) -> Normalized {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/roundtrip")
        .join(converter)
        .join(format!("{name}.damaged.md"));
    prepare_path(&p, &PrepareOptions::default())
        .unwrap()
        .normalized
        .unwrap()
}

/// The text's paragraphs, whitespace removed.
fn paragraphs(t: &str) -> Vec<String> {
    t.split("\n\n")
        .map(|p| p.chars().filter(|c| !c.is_whitespace()).collect::<String>())
        .filter(|p| !p.is_empty())
        .collect()
}

fn in_one_paragraph(t: &str, s: &str) -> bool {
    paragraphs(t).iter().any(|p| p.contains(s))
}

/// Three pages of one article, each break in mid-sentence, with `head(n)` between.
fn paged(head: impl Fn(u32) -> String) -> String {
    let text = [
        "全会指出，明年是全面贯彻党的二十大精神的关键一年，是全面完成规划目标任",
        "务的关键一年，做好明年工作，意义十分重大。全会强调，要坚持稳中求进工作总基调，推动高质量发展取得新成",
        "效，以新的更大成绩迎接新的一年。",
    ];
    format!(
        "{}\n\n{}\n\n{}\n\n{}\n\n{}\n",
        text[0],
        head(2),
        text[1],
        head(3),
        text[2]
    )
}

#[test]
fn every_form_of_head_and_folio_is_removed_and_the_halves_joined() {
    type Head = Box<dyn Fn(u32) -> String>;
    let forms: Vec<(&str, Head)> = vec![
        ("第N版", Box::new(|n| format!("第{n}版"))),
        ("第 N 版", Box::new(|n| format!("第 {n} 版"))),
        ("- N -", Box::new(|n| format!("- {n} -"))),
        ("— N —", Box::new(|n| format!("— {n} —"))),
        ("bare number", Box::new(|n| format!("{n}"))),
        ("N 要闻", Box::new(|n| format!("{n} 要闻"))),
        ("要闻 N", Box::new(|n| format!("要闻 {n}"))),
        ("第N版：要闻", Box::new(|n| format!("第{n}版：要闻"))),
        (
            "paper·section + folio",
            Box::new(|n| format!("武进日报·要闻\n\n— {n} —")),
        ),
        (
            "paper, date, weekday",
            Box::new(|n| format!("武进日报 2023年12月29日 星期五\n\n第{n}版")),
        ),
        (
            "dotted date",
            Box::new(|n| format!("2023.12.29 要闻\n\n{n}")),
        ),
        (
            "underlined pieces",
            Box::new(|n| format!("<u>要闻</u>\n\n<u>第{n}版</u>")),
        ),
        ("bold", Box::new(|n| format!("**第{n}版**"))),
        ("heading marker", Box::new(|n| format!("## 第{n}版"))),
        (
            "table row",
            Box::new(|n| format!("| 武进日报 | 第{n}版 |\n|---|---|")),
        ),
        ("folio split over lines", Box::new(|n| format!("—\n{n}\n—"))),
        (
            "footer glued to the text",
            Box::new(|n| format!("武进日报 2023年12月29日 星期五\n\n第{n}版")),
        ),
    ];
    for (what, head) in forms {
        let mut t = paged(&head);
        if what == "footer glued to the text" {
            t = t.replacen("\n\n武进日报", "\n武进日报", 2);
        }
        let n = run(&t);
        let body: String = paragraphs(&n.text).concat();
        assert_eq!(
            paragraphs(&n.text).len(),
            1,
            "{what}: not one paragraph:\n{}",
            n.text
        );
        for gone in ["版", "武进日报", "要闻", "2023", "—", "|", "<u>"] {
            assert!(!body.contains(gone), "{what}: `{gone}` left in\n{}", n.text);
        }
        assert!(body.contains("目标任务的关键一年"), "{what}");
        assert!(body.contains("取得新成效"), "{what}");
        // Two page boundaries, where the second and third pages' text begins.
        let starts: Vec<&str> = n
            .pages
            .iter()
            .filter(|p| p.offset > 0)
            .map(|p| &n.text[p.offset..])
            .collect();
        assert_eq!(starts.len(), 2, "{what}: {:?}", n.pages);
        assert!(starts[0].starts_with("务的关键"), "{what}: {:?}", n.pages);
        assert!(starts[1].starts_with("效，以新的"), "{what}: {:?}", n.pages);
    }
}

#[test]
fn page_numbers_and_sections_are_recorded() {
    let n = run(&paged(|n| format!("第{n}版：要闻")));
    let pages: Vec<(Option<u32>, Option<&str>)> = n
        .pages
        .iter()
        .map(|p| (p.page, p.section.as_deref()))
        .collect();
    assert_eq!(
        pages,
        vec![
            (Some(1), None),
            (Some(2), Some("要闻")),
            (Some(3), Some("要闻"))
        ]
    );
}

#[test]
fn article_text_that_mentions_the_paper_stays() {
    let t = "武进日报\n\n武进日报社今天召开全体会议，部署明年工作。\n\n2023年12月29日\n";
    let n = run(t);
    assert_eq!(n.text, t);
    assert!(n.repairs.is_empty(), "{:?}", n.repairs);
}

#[test]
fn glued_footer_and_page_head_from_pdftotext() {
    // `…17.52亿人` / `甘肃日报` (no blank line) / date / `第3版` / `政务` / `次、旅游…`.
    let n = fixture("pdftotext", "gwr2026-gansu-01");
    assert!(in_one_paragraph(
        &n.text,
        "累计接待游客17.52亿人次、旅游花费"
    ));
    assert!(!n
        .text
        .lines()
        .any(|l| l.trim() == "甘肃日报" || l.trim() == "政务"));
    assert_eq!(
        n.pages.iter().map(|p| p.page).collect::<Vec<_>>(),
        (2..=6).map(Some).collect::<Vec<_>>()
    );
}

#[test]
fn column_break_with_nothing_between() {
    // An A4 two-column page: `八是实施农村水` / `利惠民工程` across the columns.
    for converter in ["pdftotext", "markitdown"] {
        let n = fixture(converter, "gwr2026-gansu-04");
        assert!(
            in_one_paragraph(&n.text, "八是实施农村水利惠民工程"),
            "{converter}"
        );
    }
}

#[test]
fn underlined_heads_and_wrap_spaces_from_pymupdf4llm() {
    let n = fixture("pymupdf4llm", "gwr2026-gansu-01");
    assert!(!n.text.contains("<u>"));
    assert!(n.text.contains("第十五个五年规划纲要"));
    assert!(!n.text.contains("第十五 个五年"));
    // Deliberate spaces stay: a name after a title.
    assert!(n.text.contains("甘肃省省长 任振鹤"));
    let wraps: Vec<_> = n
        .repairs
        .iter()
        .filter(|r| r.kind == "line-wrap-space")
        .collect();
    assert!(wraps.len() >= 10, "{}", wraps.len());
    assert!(wraps
        .iter()
        .all(|r| r.evidence.as_deref().is_some_and(|e| e.contains("ems"))));
}

#[test]
fn after_a_full_stop_the_line_shape_decides() {
    // markitdown, jilin-02: the page ends on a full line `…食品安全整治。`, the next begins
    // with a full line: one paragraph in the original text.
    let n = fixture("markitdown", "gwr2026-jilin-02");
    assert!(in_one_paragraph(&n.text, "安全整治。持续深化社会治安"));
    let r = n
        .repairs
        .iter()
        .find(|r| r.kind == "page-break-join" && r.before.contains("安全整治。"))
        .unwrap();
    assert!(r.evidence.as_deref().unwrap().contains("full line"));
}

#[test]
fn the_editors_veto_keeps_a_join_from_happening() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/roundtrip/pdftotext/gwr2026-gansu-01.damaged.md");
    let t = std::fs::read_to_string(p).unwrap();
    let vetoed = t.replacen("\n甘肃日报\n", "\n\n<!-- paiban: keep -->\n甘肃日报\n", 1);
    let n = run(&vetoed);
    assert!(!in_one_paragraph(&n.text, "17.52亿人次、旅游花费"));
    assert!(in_one_paragraph(&n.text, "17.52亿人"));
    assert!(!n.text.contains("paiban: keep"));
    // Without the marker the join is made, and its report says where the marker goes.
    let n = run(&t);
    let join = n
        .repairs
        .iter()
        .find(|r| r.kind == "page-break-join" && r.before.contains("17.52亿人"))
        .unwrap();
    assert!(join.veto_line.is_some_and(|l| l > join.line));
}

#[test]
fn punctuation_in_headings_and_unreadable_characters() {
    let n = run("# “十四五”时期:回顾\n\n区委常委?今年的工作,很好。\n");
    assert!(n.text.starts_with("# “十四五”时期：回顾"));
    assert!(n.text.contains("区委常委?今年的工作，很好。"));
    assert!(n
        .warnings
        .iter()
        .any(|w| w.kind == "unreadable-character" && w.line == 3));
}

#[test]
fn converter_debris_never_panics_and_keeps_the_text() {
    for t in [
        "第2版\n\n政务\n",                                  // a page that is only furniture
        "\n\n\n第3版\n\n\n\n第4版\n\n",                     // empty pages
        "**开头的粗体\n\n<u>政务</u>\n\n第2版\n\n结尾**\n", // markup open across a break
        "| 甘肃日报 | 第3版 |\n|---|---|\n| 甘肃日报 | 第4版 |\n",
        &"目标任务的关键一年，".repeat(2000), // all one paragraph
    ] {
        let n = run(t);
        let kept: String = n.text.chars().filter(|c| '\u{4e00}' <= *c).collect();
        for w in ["开头的粗体", "结尾", "目标任务"] {
            if t.contains(w) {
                assert!(kept.contains(w), "{w} lost from {t:?}");
            }
        }
    }
}

#[test]
fn paragraphs_a_converter_ran_into_one_line_are_split() {
    // pymupdf4llm: `……清障护航。 各位代表！……` (a short last line, then the next paragraph)
    // and `**一、……发展成就** 2025年是……` (a bold run-in heading).
    let n = fixture("pymupdf4llm", "gwr2026-gansu-04");
    let ps = paragraphs(&n.text);
    assert!(ps.iter().any(|p| p.ends_with("清障护航。")));
    assert!(ps.iter().any(|p| p.starts_with("各位代表！")));
    let n = fixture("pymupdf4llm", "gwr2026-zhejiang-01");
    let ps = paragraphs(&n.text);
    assert!(ps.iter().any(|p| p.ends_with("发展成就**")));
    assert!(ps.iter().any(|p| p.starts_with("2025年是极不平凡的一年")));
    assert!(n.repairs.iter().any(|r| r.kind == "paragraph-split"));
}
