//! `paiban batch` on the command line: argument errors and failure reporting that hold
//! whatever the backends do.

mod batch_common;

use batch_common::*;
use std::process::Command;

fn paiban() -> Command {
    Command::new(env!("CARGO_BIN_EXE_paiban"))
}

#[test]
fn bad_shard_is_a_usage_error() {
    let t = tempfile::tempdir().unwrap();
    for spec in ["0/3", "4/3", "two/3", "3"] {
        let out = paiban()
            .args(["batch", "--shard", spec, "-o"])
            .arg(t.path().join("out"))
            .arg(t.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "--shard {spec}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("I/N"), "--shard {spec}: {err}");
    }
}

#[test]
fn missing_indir_names_the_path() {
    let t = tempfile::tempdir().unwrap();
    let missing = t.path().join("没有这个目录");
    let out = paiban()
        .arg("batch")
        .arg(&missing)
        .arg("-o")
        .arg(t.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("没有这个目录"), "{err}");
}

#[test]
fn invalid_utf8_issue_is_reported_by_name_in_text_and_json() {
    let t = tempfile::tempdir().unwrap();
    let indir = t.path().join("in");
    make_corpus(&indir, 2, 200);
    write_invalid_utf8(&indir.join("2025/坏的一期.md"));
    let json = t.path().join("summary.json");
    let out = paiban()
        .arg("batch")
        .arg(&indir)
        .arg("-o")
        .arg(t.path().join("out"))
        .arg("--summary-json")
        .arg(&json)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.lines()
            .any(|l| l.starts_with("FAILED 2025/坏的一期.md:") && l.contains("invalid UTF-8")),
        "{err}"
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let bad = v["issues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["input"] == "2025/坏的一期.md")
        .expect("bad issue in summary");
    assert_eq!(bad["status"], "failed");
    assert!(bad["reason"].as_str().unwrap().contains("坏的一期.md:"));
    assert_eq!(v["issues"].as_array().unwrap().len(), 4);
}
