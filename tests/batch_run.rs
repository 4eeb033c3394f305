//! The batch runner with an injected per-issue conversion (the real parser, writing the
//! outline as the output), so discovery, isolation, the manifest and sharding are
//! checked on real text independently of the EPUB and PDF backends.

mod batch_common;

use batch_common::*;
use paiban::batch::{self, BatchOptions, Convert, Converted, IssueError, Shard, Status, Summary};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Parses the issue for real and writes `<name>.outline.txt` (its article titles);
/// fails or panics for issues named so.
struct Outline {
    fingerprint: String,
    calls: AtomicUsize,
    seen: Mutex<Vec<PathBuf>>,
}

impl Outline {
    fn new(fp: &str) -> Outline {
        Outline {
            fingerprint: fp.into(),
            calls: AtomicUsize::new(0),
            seen: Mutex::new(Vec::new()),
        }
    }
}

impl Convert for Outline {
    fn fingerprint(&self) -> String {
        self.fingerprint.clone()
    }

    fn convert(&self, input: &Path, out_dir: &Path) -> Result<Converted, IssueError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.seen.lock().unwrap().push(input.to_path_buf());
        let name = input.file_name().unwrap().to_string_lossy().into_owned();
        if name.contains("panic") {
            let v: Vec<u8> = Vec::new();
            // A real out-of-bounds panic, as a buggy backend would raise.
            let _ = v[name.len()];
        }
        if name.contains("refuse") {
            return Err(IssueError::Other(format!("{}: refused", input.display())));
        }
        let p = paiban::prepare_path(input, &paiban::PrepareOptions::default())?;
        let titles: Vec<String> = p
            .document
            .articles
            .iter()
            .map(|a| a.headline.title.clone())
            .collect();
        let stem = paiban::output::safe_file_name(&p.issue.name);
        let out = out_dir.join(format!("{stem}.outline.txt"));
        paiban::output::write_atomic(&out, titles.join("\n").as_bytes())?;
        Ok(Converted {
            outputs: vec![out],
            images: batch::inputs::images_of(&p.document),
            warnings: p.diagnostics.len(),
            ..Default::default()
        })
    }
}

fn opts(indir: &Path, outdir: &Path, jobs: usize) -> BatchOptions {
    BatchOptions {
        indir: indir.to_path_buf(),
        outdir: outdir.to_path_buf(),
        jobs,
        force: false,
        shard: None,
        feed: None,
    }
}

fn run(o: &BatchOptions, c: &dyn Convert) -> Summary {
    batch::run(o, c, &|_| {}).expect("batch run")
}

fn by_status(s: &Summary) -> BTreeMap<&'static str, Vec<String>> {
    let mut m: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for o in &s.issues {
        let k = match o.status {
            Status::Converted { .. } => "converted",
            Status::Skipped => "skipped",
            Status::Waiting { .. } => "waiting",
            Status::Failed { .. } => "failed",
        };
        m.entry(k).or_default().push(o.input.clone());
    }
    m
}

#[test]
fn bad_issues_fail_alone_and_outputs_mirror_inputs() {
    let t = tempfile::tempdir().unwrap();
    let (indir, outdir) = (t.path().join("in"), t.path().join("out"));
    let good = make_corpus(&indir, 30, 400);
    write_invalid_utf8(&indir.join("2021/bad/gbk-issue.md"));
    write(&indir.join("2021/bad/panic-issue.md"), "# 标题\n\n正文。\n");
    write(
        &indir.join("2021/bad/refuse-issue.md"),
        "# 标题\n\n正文。\n",
    );
    write(
        &indir.join("2021/bad/bad-date.md"),
        "---\ndate: 明天\n---\n# 标题\n\n正文。\n",
    );
    write(
        &indir.join("2021/bad/toml-issue/issue.toml"),
        "newspaper = \"报\"\ntitle = \n",
    );
    write(
        &indir.join("2021/bad/toml-issue/01.md"),
        "# 一版\n\n正文。\n",
    );
    let c = Outline::new("v1");
    let s = run(&opts(&indir, &outdir, 2), &c);
    assert_eq!(s.converted, good.len(), "{}", s.to_text());
    assert_eq!(s.failed, 5, "{}", s.to_text());
    let failures: BTreeMap<&str, &str> = s.failures().collect();
    let utf8 = failures["2021/bad/gbk-issue.md"];
    assert!(
        utf8.contains("gbk-issue.md:") && utf8.contains("invalid UTF-8"),
        "{utf8}"
    );
    let panic = failures["2021/bad/panic-issue.md"];
    assert!(
        panic.contains("crashed") && panic.contains("index out of bounds"),
        "{panic}"
    );
    assert!(failures["2021/bad/refuse-issue.md"].ends_with("refused"));
    let toml = failures["2021/bad/toml-issue"];
    assert!(toml.contains("issue.toml:2"), "{toml}");
    let date = failures["2021/bad/bad-date.md"];
    assert!(
        date.contains("bad-date.md:2") && date.contains("not a date"),
        "{date}"
    );
    // Every good issue's output sits at its input's relative path.
    let outputs = files_under(&outdir);
    for key in &good {
        let stem = key.trim_end_matches(".md");
        assert!(
            outputs.contains(&format!("{stem}.outline.txt")),
            "{key} missing in {outputs:?}"
        );
    }
    let outline = std::fs::read_to_string(outdir.join("2026/folder-issue.outline.txt")).unwrap();
    assert!(!outline.trim().is_empty());
    // Nothing but outputs and the manifest; no temporaries, no journal.
    assert!(outputs
        .iter()
        .all(|f| f.ends_with(".outline.txt") || f == "paiban-manifest.json"));
}

#[test]
fn incremental_runs_redo_only_what_changed() {
    let t = tempfile::tempdir().unwrap();
    let (indir, outdir) = (t.path().join("in"), t.path().join("out"));
    let keys = make_corpus(&indir, 12, 300);
    write(&indir.join("pics/photo.png"), "not really a png, but bytes");
    write(
        &indir.join("pics/with-image.md"),
        "# 图片新闻\n\n![现场](photo.png)\n\n正文。\n",
    );
    let n = keys.len() + 1;
    let o = opts(&indir, &outdir, 2);
    let s = run(&o, &Outline::new("v1"));
    assert_eq!(s.converted, n, "{}", s.to_text());

    let c = Outline::new("v1");
    let s = run(&o, &c);
    assert_eq!((s.converted, s.skipped), (0, n));
    assert_eq!(c.calls.load(Ordering::SeqCst), 0);

    // Edit one file issue and one page of the folder issue.
    let edited = indir.join(&keys[3]);
    let text = std::fs::read_to_string(&edited).unwrap();
    write(&edited, &format!("{text}\n补充一段。\n"));
    write(&indir.join("2026/folder-issue/02.md"), "# 二版\n\n改过。\n");
    let s = run(&o, &c);
    let m = by_status(&s);
    assert_eq!(
        m["converted"],
        [keys[3].clone(), "2026/folder-issue".to_string()],
        "{}",
        s.to_text()
    );

    // A changed image rebuilds the issue that shows it.
    write(&indir.join("pics/photo.png"), "other bytes");
    let s = run(&o, &c);
    assert_eq!(by_status(&s)["converted"], ["pics/with-image.md"]);

    // A deleted output is rebuilt; a changed fingerprint (style, font, version) rebuilds all.
    let victim = outdir.join(keys[5].replace(".md", ".outline.txt"));
    std::fs::remove_file(&victim).unwrap();
    let s = run(&o, &c);
    assert_eq!(by_status(&s)["converted"], [keys[5].clone()]);
    assert!(victim.exists());
    let s = run(&o, &Outline::new("v2"));
    assert_eq!(s.converted, n);
    let s = run(
        &BatchOptions {
            force: true,
            ..o.clone()
        },
        &Outline::new("v2"),
    );
    assert_eq!(s.converted, n);
}

#[test]
fn shards_cover_every_issue_exactly_once() {
    let t = tempfile::tempdir().unwrap();
    let (indir, outdir) = (t.path().join("in"), t.path().join("out"));
    let keys = make_corpus(&indir, 40, 200);
    let mut seen: Vec<String> = Vec::new();
    for index in 1..=3 {
        let c = Outline::new("v1");
        let o = BatchOptions {
            shard: Some(Shard { index, count: 3 }),
            ..opts(&indir, &outdir, 2)
        };
        let s = run(&o, &c);
        assert_eq!(s.skipped, 0, "shards overlap: {}", s.to_text());
        assert!(s.converted > 0, "shard {index} of 3 is empty");
        assert_eq!(s.converted, c.calls.load(Ordering::SeqCst));
        seen.extend(s.issues.iter().map(|o| o.input.clone()));
    }
    seen.sort();
    assert_eq!(seen, keys);
    // An unsharded run afterwards finds everything done by the shards.
    let s = run(&opts(&indir, &outdir, 2), &Outline::new("v1"));
    assert_eq!((s.converted, s.skipped), (0, keys.len()));
}

#[test]
fn a_killed_runs_leftovers_are_cleaned_and_its_work_kept() {
    let t = tempfile::tempdir().unwrap();
    let (indir, outdir) = (t.path().join("in"), t.path().join("out"));
    let keys = make_corpus(&indir, 10, 200);
    let o = opts(&indir, &outdir, 1);
    run(&o, &Outline::new("v1"));
    // Simulate a run killed part-way: finished issues are in the journal only (no final
    // manifest), one output is missing and a temporary of a dead process remains.
    let manifest = outdir.join("paiban-manifest.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut journal = String::new();
    for (k, e) in v["issues"].as_object().unwrap().iter().take(6) {
        journal.push_str(&serde_json::json!({"key": k, "entry": e}).to_string());
        journal.push('\n');
    }
    journal.push_str("{\"key\": \"cut sho");
    std::fs::remove_file(&manifest).unwrap();
    std::fs::write(outdir.join("paiban-manifest.journal"), journal).unwrap();
    let tmp = outdir.join("2026/.folder-issue.outline.txt.4294967.tmp");
    std::fs::write(&tmp, "half a file").unwrap();
    let c = Outline::new("v1");
    let s = run(&o, &c);
    assert_eq!(
        (s.skipped, s.converted),
        (6, keys.len() - 6),
        "{}",
        s.to_text()
    );
    assert!(!tmp.exists());
    assert!(!outdir.join("paiban-manifest.journal").exists());
    assert!(manifest.exists());
}

#[test]
fn indir_is_never_written_and_outdir_inside_indir_is_ignored() {
    let t = tempfile::tempdir().unwrap();
    let indir = t.path().join("in");
    let keys = make_corpus(&indir, 5, 200);
    let before = files_under(&indir);
    let outdir = indir.join("out");
    let s = run(&opts(&indir, &outdir, 2), &Outline::new("v1"));
    assert_eq!(s.converted, keys.len());
    // A decoy .md inside OUTDIR is not an issue.
    write(&outdir.join("decoy.md"), "# 诱饵\n");
    let s = run(&opts(&indir, &outdir, 2), &Outline::new("v1"));
    assert_eq!((s.converted, s.skipped), (0, keys.len()));
    let after: Vec<String> = files_under(&indir)
        .into_iter()
        .filter(|f| !f.starts_with("out/"))
        .collect();
    assert_eq!(before, after);
}

#[test]
fn watch_converts_new_and_changed_issues_then_stops() {
    let t = tempfile::tempdir().unwrap();
    let (indir, outdir) = (t.path().join("in"), t.path().join("out"));
    let keys = make_corpus(&indir, 3, 200);
    let o = opts(&indir, &outdir, 2);
    let (tx, rx) = std::sync::mpsc::channel::<Summary>();
    let watched = o.clone();
    let handle = std::thread::spawn(move || {
        let w = batch::WatchOptions {
            debounce: std::time::Duration::from_millis(200),
            exit_after: Some(keys.len() + 2),
            ..Default::default()
        };
        let c = Outline::new("v1");
        let mut on_pass = |r: Result<&Summary, &batch::BatchError>| {
            let _ = tx.send(r.expect("pass").clone());
        };
        batch::watch(&watched, &w, &c, &|_| {}, &mut on_pass).map(|()| c.seen.into_inner().unwrap())
    });
    let wait = std::time::Duration::from_secs(60);
    let first = rx.recv_timeout(wait).expect("first pass");
    assert_eq!(first.converted, 4);
    // A new issue arrives, and an existing one is corrected.
    write(
        &indir.join("2027/new/今日新闻.md"),
        "# 今日要闻\n\n新的一期。\n",
    );
    let old = indir.join("2026/folder-issue/01.md");
    write(&old, "# 一版\n\n改正后的一版。\n");
    let mut converted: Vec<String> = Vec::new();
    while converted.len() < 2 {
        let s = rx.recv_timeout(wait).expect("a pass after the change");
        assert_eq!(s.failed, 0);
        converted.extend(s.issues.iter().filter_map(|o| match o.status {
            Status::Converted { .. } => Some(o.input.clone()),
            _ => None,
        }));
    }
    converted.sort();
    assert_eq!(converted, ["2026/folder-issue", "2027/new/今日新闻.md"]);
    let seen = handle.join().expect("watch thread").expect("watch");
    assert_eq!(
        seen.len(),
        6,
        "each issue converted once per change: {seen:?}"
    );
    assert!(outdir.join("2027/new/今日新闻.outline.txt").is_file());
}
