//! `paiban batch` end to end with the real backends, on a corpus made from the corpus
//! fixtures: conversion and failure isolation, incremental reruns, a killed run,
//! shards, watch mode.

mod batch_common;

use batch_common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The formats these tests build.
const FORMATS: &[&str] = &["epub", "pdf"];

fn paiban() -> Command {
    Command::new(env!("CARGO_BIN_EXE_paiban"))
}

fn batch(indir: &Path, outdir: &Path, extra: &[&str]) -> (Output, serde_json::Value) {
    let formats = FORMATS.join(",");
    let mut args = vec!["--format", formats.as_str()];
    args.extend_from_slice(extra);
    batch_common::run_batch(indir, outdir, &args)
}

/// Inputs of the issues with the given status, sorted.
fn with_status(summary: &serde_json::Value, status: &str) -> Vec<String> {
    let mut v: Vec<String> = summary["issues"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["status"] == status)
        .map(|o| o["input"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

/// The output files an issue should have, relative to OUTDIR.
fn outputs_of(key: &str) -> Vec<String> {
    let stem = key.strip_suffix(".md").unwrap_or(key);
    FORMATS.iter().map(|f| format!("{stem}.{f}")).collect()
}

/// Whether an output file is whole: a ZIP with its end-of-central-directory record,
/// a PDF ending in `%%EOF`.
fn complete(path: &Path) -> bool {
    let bytes = std::fs::read(path).unwrap();
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    match path.extension().and_then(|e| e.to_str()) {
        Some("epub") => {
            bytes.starts_with(b"PK\x03\x04") && tail.windows(4).any(|w| w == b"PK\x05\x06")
        }
        Some("pdf") => bytes.starts_with(b"%PDF-") && tail.windows(5).any(|w| w == b"%%EOF"),
        _ => false,
    }
}

#[test]
fn corpus_converts_reports_the_bad_one_and_reruns_incrementally() {
    let t = tempfile::tempdir().unwrap();
    let (indir, outdir) = (t.path().join("in"), t.path().join("out"));
    let good = make_corpus(&indir, 36, 600);
    write_invalid_utf8(&indir.join("2021/bad/gbk-encoded.md"));

    let (out, s) = batch(&indir, &outdir, &["--jobs", "2"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(with_status(&s, "converted"), good, "{stderr}");
    assert_eq!(with_status(&s, "failed"), ["2021/bad/gbk-encoded.md"]);
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("FAILED 2021/bad/gbk-encoded.md:") && l.contains("UTF-8")),
        "{stderr}"
    );
    for key in &good {
        for o in outputs_of(key) {
            assert!(complete(&outdir.join(&o)), "{o} missing or incomplete");
        }
    }
    let made = files_under(&outdir);
    assert!(
        made.iter()
            .all(|f| !f.contains(".tmp") && !f.ends_with(".journal")),
        "{made:?}"
    );

    // Second run: everything up to date (the bad issue is tried again and fails again).
    let start = Instant::now();
    let (out, s) = batch(&indir, &outdir, &["--jobs", "2"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(with_status(&s, "skipped"), good);
    assert_eq!(s["converted"], 0);
    eprintln!(
        "incremental run of {} issues: {:?}",
        good.len(),
        start.elapsed()
    );

    // Editing one issue rebuilds only it; its outputs change, the others' do not.
    let edited = &good[7];
    let other = outdir.join(&outputs_of(&good[8])[0]);
    let other_before = std::fs::metadata(&other).unwrap().modified().unwrap();
    let path = indir.join(edited);
    let text = std::fs::read_to_string(&path).unwrap();
    write(&path, &format!("{text}\n编者按：本期有更正。\n"));
    std::fs::remove_file(indir.join("2021/bad/gbk-encoded.md")).unwrap();
    let (out, s) = batch(&indir, &outdir, &["--jobs", "2"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(with_status(&s, "converted"), std::slice::from_ref(edited));
    assert_eq!(s["skipped"], good.len() - 1);
    assert_eq!(
        std::fs::metadata(&other).unwrap().modified().unwrap(),
        other_before
    );
}

#[test]
fn parallel_and_sequential_runs_give_identical_files() {
    let t = tempfile::tempdir().unwrap();
    let indir = t.path().join("in");
    make_corpus(&indir, 6, 400);
    let (o1, o2) = (t.path().join("one"), t.path().join("two"));
    let (a, _) = batch(&indir, &o1, &["--jobs", "1"]);
    let (b, _) = batch(&indir, &o2, &["--jobs", "2"]);
    assert!(a.status.success() && b.status.success());
    let files: Vec<String> = files_under(&o1)
        .into_iter()
        .filter(|f| !f.starts_with("paiban-manifest"))
        .collect();
    assert!(files.len() >= 7 * FORMATS.len());
    for f in files {
        assert!(
            std::fs::read(o1.join(&f)).unwrap() == std::fs::read(o2.join(&f)).unwrap(),
            "{f} differs between --jobs 1 and --jobs 2"
        );
    }
}

#[test]
fn a_killed_run_leaves_no_partial_files_and_the_next_redoes_only_the_rest() {
    let t = tempfile::tempdir().unwrap();
    let (indir, outdir) = (t.path().join("in"), t.path().join("out"));
    let keys = make_corpus(&indir, 80, 5000);
    let mut child = paiban()
        .arg("batch")
        .arg(&indir)
        .arg("-o")
        .arg(&outdir)
        .args(["--format", &FORMATS.join(","), "--jobs", "2"])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it (SIGKILL: no chance to clean up) once a few issues are done.
    let deadline = Instant::now() + Duration::from_secs(120);
    let finished = |outdir: &Path| {
        files_under(outdir)
            .iter()
            .filter(|f| f.ends_with(&format!(".{}", FORMATS[FORMATS.len() - 1])))
            .count()
    };
    while finished(&outdir) < 4 {
        assert!(Instant::now() < deadline, "no progress");
        assert!(
            child.try_wait().unwrap().is_none(),
            "run ended before the kill"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let left = files_under(&outdir);
    let outputs: Vec<&String> = left
        .iter()
        .filter(|f| f.ends_with(".epub") || f.ends_with(".pdf"))
        .collect();
    assert!(
        outputs.len() < keys.len() * FORMATS.len(),
        "the run was not cut short"
    );
    for f in &outputs {
        assert!(complete(&outdir.join(f)), "{f} is a partial file");
    }
    let done_before: Vec<&String> = keys
        .iter()
        .filter(|k| outputs_of(k).iter().all(|o| left.contains(o)))
        .collect();

    let (out, s) = batch(&indir, &outdir, &["--jobs", "2"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let skipped = with_status(&s, "skipped");
    // Finished issues are kept (at most one per worker was finished but not yet recorded).
    assert!(skipped.len() + 2 >= done_before.len() && skipped.len() <= done_before.len());
    assert_eq!(
        skipped.len() + with_status(&s, "converted").len(),
        keys.len()
    );
    let after = files_under(&outdir);
    assert!(after.iter().all(|f| !f.ends_with(".tmp")), "{after:?}");
    for k in &keys {
        for o in outputs_of(k) {
            assert!(complete(&outdir.join(&o)), "{o}");
        }
    }
}

#[test]
fn shards_split_the_corpus_exactly() {
    let t = tempfile::tempdir().unwrap();
    let (indir, outdir) = (t.path().join("in"), t.path().join("out"));
    let keys = make_corpus(&indir, 24, 300);
    let mut all = Vec::new();
    for i in 1..=3 {
        let (out, s) = batch(
            &indir,
            &outdir,
            &["--shard", &format!("{i}/3"), "--jobs", "2"],
        );
        assert!(out.status.success());
        assert_eq!(s["skipped"], 0, "shard {i} redid another shard's work");
        all.extend(with_status(&s, "converted"));
    }
    all.sort();
    assert_eq!(all, keys);
}

#[test]
fn a_missing_image_fails_that_issue_with_file_and_line() {
    let t = tempfile::tempdir().unwrap();
    let (indir, outdir) = (t.path().join("in"), t.path().join("out"));
    let keys = make_corpus(&indir, 3, 300);
    write(
        &indir.join("photos/今日.md"),
        "# 图片新闻\n\n记者摄。\n\n![现场](现场.jpg)\n",
    );
    let (out, s) = batch(&indir, &outdir, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(with_status(&s, "converted"), keys);
    let failed = &s["issues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["input"] == "photos/今日.md")
        .unwrap()["reason"];
    let reason = failed.as_str().unwrap();
    assert!(
        reason.contains("今日.md:5") && reason.contains("现场.jpg"),
        "{reason}"
    );
    // A failed issue leaves no outputs that look finished.
    assert!(files_under(&outdir.join("photos")).is_empty());
}

#[test]
fn watch_converts_an_issue_that_appears() {
    let t = tempfile::tempdir().unwrap();
    let (indir, outdir) = (t.path().join("in"), t.path().join("out"));
    let keys = make_corpus(&indir, 2, 300);
    let json: PathBuf = t.path().join("watch.json");
    let mut child = paiban()
        .arg("batch")
        .arg(&indir)
        .arg("-o")
        .arg(&outdir)
        .args(["--format", &FORMATS.join(","), "--watch"])
        .args(["--watch-exit-after", &(keys.len() + 1).to_string()])
        .arg("--summary-json")
        .arg(&json)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while !json.exists() {
        assert!(Instant::now() < deadline, "first pass never finished");
        std::thread::sleep(Duration::from_millis(20));
    }
    let (_, text) = clean_texts().into_iter().nth(5).unwrap();
    write(&indir.join("2027/今日.md"), &head(&text, 300));
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("watch did not convert the new issue");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success());
    for o in outputs_of("2027/今日.md") {
        assert!(complete(&outdir.join(&o)), "{o}");
    }
    let last: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(with_status(&last, "converted"), ["2027/今日.md"]);
}
