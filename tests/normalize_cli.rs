//! `paiban normalize` on the command line: the repaired text on stdout (exactly what
//! `build` typesets), `FILE:LINE: KIND: before → after` on stderr, `-o` and `--report`.

use std::path::Path;
use std::process::{Command, Output};

fn paiban(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_paiban"))
        .args(args)
        .output()
        .unwrap()
}

fn sample() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("content/wujin-2023-12-29.md")
        .to_string_lossy()
        .into_owned()
}

#[test]
fn prints_the_repaired_text_and_the_repairs() {
    let o = paiban(&["normalize", &sample()]);
    assert!(o.status.success());
    let expected = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/normalize/wujin-2023-12-29.expected.md"),
    )
    .unwrap();
    assert_eq!(o.stdout, expected);
    let err = String::from_utf8(o.stderr).unwrap();
    let joins: Vec<&str> = err
        .lines()
        .filter(|l| l.contains(": page-break-join: "))
        .collect();
    assert_eq!(joins.len(), 6, "{err}");
    // FILE:LINE: KIND: before → after, the line being the file's own.
    let src = std::fs::read_to_string(sample()).unwrap();
    let line = src
        .lines()
        .position(|l| l == "全会充分肯定了区委常委")
        .unwrap()
        + 1;
    let want = format!("{}:{line}: page-break-join: ", sample());
    assert!(
        joins
            .iter()
            .any(|l| l.starts_with(&want) && l.contains(" → ")),
        "{err}"
    );
    assert!(err.contains(": warning: latin-word: "));
    // A second join in the same paragraph points at its own break, not the paragraph start.
    let line = src.lines().position(|l| l.ends_with("“四个新”")).unwrap() + 1;
    let want = format!("{}:{line}: page-break-join: ", sample());
    assert!(joins.iter().any(|l| l.starts_with(&want)), "{err}");
}

#[test]
fn writes_output_and_json_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.md");
    let rep = dir.path().join("report.json");
    let o = paiban(&[
        "normalize",
        &sample(),
        "-q",
        "-o",
        out.to_str().unwrap(),
        "--report",
        rep.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(o.stdout.is_empty() && o.stderr.is_empty());
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("全面从严治党主体责任情况的报告》。"));
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&rep).unwrap()).unwrap();
    let repairs = v["repairs"].as_array().unwrap();
    let overlap: Vec<_> = repairs
        .iter()
        .filter(|r| r["kind"] == "repeated-overlap")
        .collect();
    assert_eq!(overlap.len(), 1);
    assert!(overlap[0]["evidence"].as_str().unwrap().contains("治党"));
    assert!(overlap[0]["file"]
        .as_str()
        .unwrap()
        .ends_with("wujin-2023-12-29.md"));
    assert_eq!(v["warnings"].as_array().unwrap().len(), 1);
}

#[test]
fn folder_issue_reports_the_page_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let issue = dir.path().join("issue");
    std::fs::create_dir(&issue).unwrap();
    std::fs::write(
        issue.join("01.md"),
        "# 标题\n\n全会指出,明年是全面完成规划目标任",
    )
    .unwrap();
    std::fs::write(issue.join("02.md"), "3\n\n务的关键一年。\n").unwrap();
    let o = paiban(&["normalize", issue.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();
    assert_eq!(
        text,
        "# 标题\n\n全会指出，明年是全面完成规划目标任务的关键一年。\n"
    );
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.contains(&format!(
            "{}:1: page-furniture: 3 → ",
            issue.join("02.md").display()
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{}:3: page-break-join: ",
            issue.join("01.md").display()
        )),
        "{err}"
    );
}

#[test]
fn missing_input_is_a_clear_error() {
    let o = paiban(&["normalize", "/nonexistent/issue.md"]);
    assert!(!o.status.success());
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.contains("/nonexistent/issue.md"), "{err}");
    assert!(!err.contains("panicked"));
}
