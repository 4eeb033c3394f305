//! The masthead from the furniture: the running heads the normalizer removes name the
//! paper and the date, and a converted issue without metadata takes them (listed as
//! inferred in `paiban outline`, text and JSON). One test per form the heads take in the
//! converter corpus; metadata that is given always wins.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn roundtrip(converter: &str, name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/roundtrip")
        .join(converter)
        .join(format!("{name}.damaged.md"))
}

fn outline(input: &Path, json: bool) -> String {
    let mut c = Command::new(env!("CARGO_BIN_EXE_paiban"));
    c.arg("outline").arg(input);
    if json {
        c.arg("--json");
    }
    let o = c.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

fn meta(input: &Path) -> Value {
    let v: Value = serde_json::from_str(&outline(input, true)).unwrap();
    v["meta"].clone()
}

/// The `from` of an inferred field, if it was inferred.
fn inferred_from(meta: &Value, field: &str) -> Option<String> {
    meta["inferred"]
        .as_array()?
        .iter()
        .find(|i| i["field"] == field)
        .map(|i| i["from"].as_str().unwrap_or_default().to_string())
}

/// Paper, date and title as the heads give them, each listed as inferred from them.
fn assert_masthead(input: &Path, paper: &str, date: &str, title: &str) {
    let m = meta(input);
    assert_eq!(m["newspaper"], paper, "{m}");
    assert_eq!(m["date"], date, "{m}");
    assert_eq!(m["title"], title, "{m}");
    for field in ["newspaper", "date"] {
        let from = inferred_from(&m, field).unwrap_or_default();
        assert!(from.starts_with("the running heads (`"), "{field}: {m}");
    }
}

#[test]
fn heads_split_over_lines_pdftotext() {
    // `湖北日报` / `2026年2月5日 星期四` / `第10版` / `政务`, each a line of its own.
    let f = roundtrip("pdftotext", "gwr2026-hubei-01");
    assert_masthead(&f, "湖北日报", "2026-02-05", "湖北日报 2026年2月5日");
    // Which head said so, and where.
    let m = meta(&f);
    let from = inferred_from(&m, "newspaper").unwrap();
    assert!(
        from.contains("`湖北日报`, gwr2026-hubei-01.damaged.md:"),
        "{from}"
    );
}

#[test]
fn heads_as_paragraphs_markitdown() {
    // `经济日报` and `2023年2月28日 星期二`, blank lines between.
    assert_masthead(
        &roundtrip("markitdown", "xwlb-cc20-2-communique"),
        "经济日报",
        "2023-02-28",
        "经济日报 2023年2月28日",
    );
}

#[test]
fn underlined_heads_pymupdf4llm() {
    // `<u>2026年2月5日 星期四</u>`, `<u>第9版</u>`, `<u>湖北日报</u>`.
    let f = roundtrip("pymupdf4llm", "gwr2026-hubei-01");
    assert_masthead(&f, "湖北日报", "2026-02-05", "湖北日报 2026年2月5日");
    // The head is quoted as read, without the converter's markup.
    let from = inferred_from(&meta(&f), "date").unwrap();
    assert!(from.contains("`2026年2月5日 星期四`"), "{from}");
}

#[test]
fn paper_and_date_in_one_head_pymupdf4llm() {
    // `人民日报 2025年10月28日 星期二`.
    assert_masthead(
        &roundtrip("pymupdf4llm", "xwlb-plan15-proposal-01"),
        "人民日报",
        "2025-10-28",
        "人民日报 2025年10月28日",
    );
}

/// Two pages whose heads are a table row, as some converters write a head line.
const TABLE_HEADS: &str = "\
| 甘肃日报 | 2026年2月10日 星期二 | 第1版 |
|---|---|---|

## 全省经济工作会议召开

会议指出，今年全省经济运行稳中有进，发展质量持续提升，人民生活不断改善，
各项事业取得新进展。

| 甘肃日报 | 2026年2月10日 星期二 | 第2版 |
|---|---|---|

会议强调，要坚持稳中求进工作总基调，完整准确全面贯彻新发展理念。
";

#[test]
fn heads_as_table_rows() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("converted.md");
    std::fs::write(&f, TABLE_HEADS).unwrap();
    assert_masthead(&f, "甘肃日报", "2026-02-10", "甘肃日报 2026年2月10日");
    // `outline`'s text lists them as inferred too.
    let text = outline(&f, false);
    assert!(text.contains("newspaper: 甘肃日报"), "{text}");
    assert!(
        text.contains("(newspaper inferred from the running heads (`甘肃日报 2026年2月10日 星期二 第1版`, converted.md:1))"),
        "{text}"
    );
    assert!(
        text.contains("(date inferred from the running heads"),
        "{text}"
    );
}

#[test]
fn given_metadata_always_wins() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("given.md");
    let front = "---\nnewspaper: 陇原日报\ndate: 2026-02-11\n---\n";
    std::fs::write(&f, format!("{front}{TABLE_HEADS}")).unwrap();
    let m = meta(&f);
    assert_eq!(m["newspaper"], "陇原日报", "{m}");
    assert_eq!(m["date"], "2026-02-11", "{m}");
    assert_eq!(m["title"], "陇原日报 2026年2月11日", "{m}");
    assert!(inferred_from(&m, "newspaper").is_none(), "{m}");
    assert!(inferred_from(&m, "date").is_none(), "{m}");
}

#[test]
fn a_converted_issue_without_heads_or_headlines_is_not_titled_after_its_file() {
    // pdftotext marks no headline, and this page carries no running head.
    let f = roundtrip("pdftotext", "gwr2026-hubei-02");
    let m = meta(&f);
    assert_eq!(m["newspaper"], Value::Null, "{m}");
    assert_eq!(m["title"], "扩大高水平对外开放取得新成效", "{m}");
    assert_eq!(
        inferred_from(&m, "title").as_deref(),
        Some("the first words of the text")
    );
}
