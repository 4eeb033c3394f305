//! `paiban check`: each finding kind on small fixtures, exit codes, and JSON that holds the same
//! findings as the human report.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/check")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn sample() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("content/wujin-2023-12-29.md")
        .to_string_lossy()
        .into_owned()
}

fn check(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_paiban"))
        .arg("check")
        .args(args)
        .output()
        .unwrap()
}

fn json(args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.push("--json");
    let o = check(&a);
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

fn findings<'a>(v: &'a Value, kind: &str) -> Vec<&'a Value> {
    v["issues"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["findings"].as_array().unwrap())
        .filter(|f| f["kind"] == kind)
        .collect()
}

#[test]
fn clean_issue_passes_even_strict() {
    let o = check(&[&fixture("clean.md"), "--strict"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

#[test]
fn missing_glyphs_with_and_without_a_fallback() {
    let v = json(&[&fixture("glyphs.md")]);
    let gaps = findings(&v, "missing-glyph");
    assert_eq!(gaps.len(), 2, "{gaps:?}");
    // Hangul is not in the shipped Chinese subset, but a system CJK font has it (fonts-noto-cjk).
    let hangul = gaps
        .iter()
        .find(|f| f["message"].as_str().unwrap().contains("U+D55C"))
        .unwrap();
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    if ci || Path::new("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc").exists() {
        assert_eq!(hangul["severity"], "warning");
        assert!(hangul["message"].as_str().unwrap().contains("drawn from"));
    }
    assert_eq!(hangul["line"], 3);
    // A private-use character no font draws is an error: it cannot be printed.
    let none = gaps
        .iter()
        .find(|f| f["message"].as_str().unwrap().contains("U+10FFFD"))
        .unwrap();
    assert_eq!(none["severity"], "error");
    assert_eq!(check(&[&fixture("glyphs.md")]).status.code(), Some(1));
}

#[test]
fn the_sample_has_no_missing_glyphs_with_the_default_fonts() {
    let v = json(&[&sample()]);
    assert!(findings(&v, "missing-glyph").is_empty());
    assert_eq!(v["errors"], 0);
}

#[test]
fn missing_image_bad_links_and_raw_html() {
    let v = json(&[&fixture("problems.md")]);
    let img = findings(&v, "missing-image");
    assert_eq!(img.len(), 1);
    assert_eq!(
        (img[0]["severity"].as_str(), img[0]["line"].as_u64()),
        (Some("error"), Some(9))
    );
    let links = findings(&v, "bad-link");
    assert_eq!(links.len(), 2);
    assert!(links
        .iter()
        .all(|l| l["severity"] == "warning" && l["line"] == 7));
    assert_eq!(findings(&v, "raw-html").len(), 1);
    assert_eq!(check(&[&fixture("problems.md")]).status.code(), Some(1));
}

#[test]
fn inferred_metadata_is_a_note() {
    let v = json(&[&sample()]);
    let notes: Vec<_> = findings(&v, "inferred-metadata")
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("date inferred from the name `wujin-2023-12-29`")),
        "{notes:?}"
    );
    assert!(notes
        .iter()
        .any(|n| n.starts_with("title inferred from the first main headline")));
}

#[test]
fn unreadable_input_is_an_error_and_others_are_still_checked() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.md");
    std::fs::write(&bad, b"# t\n\xFF\n").unwrap();
    let v = json(&[bad.to_str().unwrap(), &fixture("clean.md")]);
    let issues = v["issues"].as_array().unwrap();
    assert_eq!(issues.len(), 2);
    let f = &issues[0]["findings"][0];
    assert_eq!(
        (f["severity"].as_str(), f["kind"].as_str()),
        (Some("error"), Some("unreadable"))
    );
    assert!(f["message"]
        .as_str()
        .unwrap()
        .contains("bad.md:2: invalid UTF-8"));
    assert_eq!(
        issues[1]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] == "error")
            .count(),
        0
    );
}

#[test]
fn a_folder_checks_every_issue_in_it() {
    let v = json(&[&Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/check")
        .to_string_lossy()]);
    let inputs: Vec<&str> = v["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["input"].as_str().unwrap())
        .collect();
    assert_eq!(inputs.len(), 3);
    assert!(inputs[0].ends_with("clean.md") && inputs[2].ends_with("problems.md"));
}

#[test]
fn json_and_human_output_hold_the_same_findings() {
    for input in [fixture("problems.md"), fixture("glyphs.md"), sample()] {
        let v = json(&[&input]);
        let human = String::from_utf8(check(&[&input]).stdout).unwrap();
        let all: Vec<&Value> = v["issues"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .collect();
        for f in &all {
            let line = match (f["file"].as_str(), f["line"].as_u64()) {
                (Some(p), Some(l)) => format!(
                    "{p}:{l}: {}: {}",
                    f["kind"].as_str().unwrap(),
                    f["message"].as_str().unwrap()
                ),
                _ => format!(
                    "{}: {}",
                    f["kind"].as_str().unwrap(),
                    f["message"].as_str().unwrap()
                ),
            };
            assert!(
                human.contains(&line),
                "human output lacks {line:?}:\n{human}"
            );
        }
        let counted = |sev: &str| all.iter().filter(|f| f["severity"] == sev).count();
        let tally = format!(
            "{} errors, {} warnings, {} notes",
            counted("error"),
            counted("warning"),
            counted("note")
        );
        assert!(human.contains(&tally), "{tally} not in\n{human}");
    }
}

#[test]
fn the_sample_shows_its_six_joins_its_punctuation_and_the_latin_word_warning() {
    let v = json(&[&sample()]);
    let issue = &v["issues"][0];
    assert_eq!(issue["repairs"]["page-break-join"], 6);
    assert_eq!(issue["repairs"]["repeated-overlap"], 1);
    let punct = issue["repairs"]["punctuation"].as_u64().unwrap();
    assert_eq!(punct as usize, findings(&v, "punctuation").len());
    assert!(punct > 100, "{punct}");
    let joins = findings(&v, "page-break-join");
    let after: Vec<&str> = joins
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    for word in [
        "目标任务",
        "重大决策部署",
        "区委常委会今年的工作",
        "从严治党主体责任",
        "“四个新”重大任务",
    ] {
        assert!(
            after
                .iter()
                .any(|m| m.split(" → ").nth(1).is_some_and(|a| a.contains(word))),
            "{word}: {after:#?}"
        );
    }
    let latin = findings(&v, "latin-word");
    assert_eq!(latin.len(), 1);
    assert_eq!(
        (latin[0]["severity"].as_str(), latin[0]["line"].as_u64()),
        (Some("warning"), Some(33))
    );
    assert!(latin[0]["message"].as_str().unwrap().contains("`and`"));
    assert_eq!(v["errors"], 0);
    assert_eq!(check(&[&sample()]).status.code(), Some(0));
    assert_eq!(check(&[&sample(), "--strict"]).status.code(), Some(1));
}

#[test]
fn the_page_estimate_follows_the_style() {
    let a4 = json(&[&sample()])["issues"][0]["estimated_pages"]
        .as_u64()
        .unwrap();
    let a5 = json(&[&sample(), "--page", "a5"])["issues"][0]["estimated_pages"]
        .as_u64()
        .unwrap();
    assert!((2..=4).contains(&a4), "{a4}");
    assert!(a5 > a4, "{a5} vs {a4}");
}
