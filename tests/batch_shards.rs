//! Shards from a scheduler's index and one catalog from many shards: `--shard auto` under
//! Slurm, Kubernetes, AWS Batch and Cloud Run variables (through the binary), each shard's
//! own manifest and failure log and no feed, and `paiban catalog` giving exactly the feed
//! an unsharded run gives, also while a shard is still running.

mod batch_common;

use batch_common::*;
use std::fs;
use std::path::Path;
use std::process::Command;

fn catalog(outdir: &Path) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_paiban"));
    for v in SCHEDULER_VARS {
        cmd.env_remove(v);
    }
    cmd.arg("catalog").arg(outdir).output().unwrap()
}

fn statuses(s: &serde_json::Value, status: &str) -> Vec<String> {
    let mut v: Vec<String> = s["issues"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["status"] == status)
        .map(|o| o["input"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn slurm_array_tasks_split_the_issues_and_the_catalog_lists_them_all() {
    let t = tempfile::tempdir().unwrap();
    let (indir, outdir) = (t.path().join("in"), t.path().join("out"));
    let mut keys = make_corpus(&indir, 14, 200);
    write_invalid_utf8(&indir.join("2021/broken.md"));
    let mut converted = Vec::new();
    let mut failed_in = None;
    for task in 0..4 {
        let id = task.to_string();
        let env = [
            ("SLURM_ARRAY_TASK_ID", id.as_str()),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
        ];
        let (out, s) = run_batch_env(&indir, &outdir, &["--jobs", "2"], &env);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!(
                "shard {} of 4 (from SLURM_ARRAY_TASK_ID={task})",
                task + 1
            )),
            "{err}"
        );
        let r = &s["shard"];
        assert_eq!(
            (r["index"].as_u64(), r["count"].as_u64()),
            (Some(task + 1), Some(4))
        );
        assert_eq!(r["total"], keys.len() + 1);
        assert!(r["largest_over_mean"].as_f64().unwrap() >= 1.0);
        converted.extend(statuses(&s, "converted"));
        // A shard never writes the shared feed; it writes its own failure log.
        assert!(!outdir.join("opds.xml").exists());
        let log =
            fs::read_to_string(outdir.join(format!("paiban-failures.shard-{}-of-4.log", task + 1)))
                .unwrap();
        if statuses(&s, "failed") == ["2021/broken.md"] {
            assert_eq!(out.status.code(), Some(1));
            assert!(
                log.starts_with("2021/broken.md: ") && log.contains("UTF-8"),
                "{log}"
            );
            failed_in = Some(task);
        } else {
            assert!(out.status.success(), "{err}");
            assert_eq!(log, "");
        }
        assert!(outdir
            .join(format!("paiban-manifest.shard-{}-of-4.json", task + 1))
            .exists());
    }
    assert!(failed_in.is_some(), "the broken issue failed in no shard");
    converted.sort();
    assert_eq!(converted, keys, "every good issue converted exactly once");

    let out = catalog(&outdir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let merged = fs::read(outdir.join("opds.xml")).unwrap();
    // An unsharded run over the same OUTDIR converts nothing and writes the feed from
    // the same records: the catalog is that feed, byte for byte.
    fs::remove_file(indir.join("2021/broken.md")).unwrap();
    let (out, s) = run_batch(&indir, &outdir, &["--jobs", "2"]);
    assert!(out.status.success());
    assert_eq!(s["converted"], 0);
    assert_eq!(fs::read(outdir.join("opds.xml")).unwrap(), merged);
    let feed = String::from_utf8(merged).unwrap();
    keys.retain(|k| !k.ends_with("broken.md"));
    assert_eq!(feed.matches("<entry>").count(), keys.len());
}

#[test]
fn kubernetes_needs_a_count_and_other_schedulers_map_their_index() {
    let t = tempfile::tempdir().unwrap();
    let (indir, outdir) = (t.path().join("in"), t.path().join("out"));
    let keys = make_corpus(&indir, 6, 150);
    let (out, _) = {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_paiban"));
        for v in SCHEDULER_VARS {
            cmd.env_remove(v);
        }
        let out = cmd
            .arg("batch")
            .arg(&indir)
            .arg("-o")
            .arg(&outdir)
            .env("JOB_COMPLETION_INDEX", "1")
            .output()
            .unwrap();
        (out, ())
    };
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Kubernetes Indexed Job") && err.contains("PAIBAN_SHARDS"),
        "{err}"
    );
    assert!(
        !outdir.exists() || files_under(&outdir).is_empty(),
        "wrote before failing"
    );

    let mut seen = Vec::new();
    for (i, env) in [
        vec![("JOB_COMPLETION_INDEX", "0"), ("PAIBAN_SHARDS", "3")],
        vec![
            ("AWS_BATCH_JOB_ARRAY_INDEX", "1"),
            ("AWS_BATCH_JOB_ARRAY_SIZE", "3"),
        ],
        vec![("CLOUD_RUN_TASK_INDEX", "2"), ("CLOUD_RUN_TASK_COUNT", "3")],
    ]
    .into_iter()
    .enumerate()
    {
        let (out, s) = run_batch_env(&indir, &outdir, &["--shard", "auto"], &env);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(s["shard"]["index"], i + 1);
        assert_eq!(s["skipped"], 0);
        seen.extend(statuses(&s, "converted"));
    }
    seen.sort();
    assert_eq!(seen, keys);
    // --shards overrides; an index out of range is refused.
    let (out, _) = {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_paiban"));
        for v in SCHEDULER_VARS {
            cmd.env_remove(v);
        }
        (
            cmd.args(["batch", "--shards", "3"])
                .arg(&indir)
                .arg("-o")
                .arg(&outdir)
                .env("JOB_COMPLETION_INDEX", "3")
                .output()
                .unwrap(),
            (),
        )
    };
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("out of range for 3 shards"), "{err}");
}

#[test]
fn catalog_lists_what_a_running_shard_finished_and_no_more() {
    let t = tempfile::tempdir().unwrap();
    let (indir, outdir) = (t.path().join("in"), t.path().join("out"));
    make_corpus(&indir, 8, 150);
    let (out, s) = run_batch(&indir, &outdir, &["--shard", "1/1"]);
    assert!(out.status.success());
    let n = s["converted"].as_u64().unwrap() as usize;
    // A shard killed (or still running) has only its journal: its finished issues are
    // listed; one whose output was since replaced by hand is not.
    let manifest = outdir.join("paiban-manifest.shard-1-of-1.json");
    let m: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&manifest).unwrap()).unwrap();
    let mut journal = String::new();
    for (k, e) in m["issues"].as_object().unwrap() {
        journal.push_str(&serde_json::json!({"key": k, "entry": e}).to_string());
        journal.push('\n');
    }
    journal.push_str("{\"key\": \"cut short");
    fs::write(outdir.join("paiban-manifest.shard-1-of-1.journal"), journal).unwrap();
    fs::remove_file(&manifest).unwrap();
    let first_epub = m["issues"].as_object().unwrap().values().next().unwrap()["outputs"][0]
        ["path"]
        .as_str()
        .unwrap()
        .to_string();
    fs::write(outdir.join(&first_epub), b"replaced").unwrap();
    let out = catalog(&outdir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let feed = fs::read_to_string(outdir.join("opds.xml")).unwrap();
    assert_eq!(feed.matches("<entry>").count(), n - 1);
    assert!(!feed.contains(&first_epub.replace(' ', "%20")));
    // Nothing left behind but the lock.
    let left: Vec<String> = files_under(&outdir)
        .into_iter()
        .filter(|f| f.contains(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    let missing = catalog(&t.path().join("nowhere"));
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("nowhere: not a folder"));
}

#[test]
fn catalog_writes_the_review_index_when_shards_wrote_review_pages() {
    let t = tempfile::tempdir().unwrap();
    let (indir, outdir) = (t.path().join("in"), t.path().join("out"));
    let keys = make_corpus(&indir, 3, 150);
    for i in 1..=2 {
        let spec = format!("{i}/2");
        let (out, _) = run_batch(&indir, &outdir, &["--shard", &spec, "--review"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(!outdir.join("review-index.html").exists());
    let out = catalog(&outdir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let index = fs::read_to_string(outdir.join("review-index.html")).unwrap();
    assert_eq!(index.matches("<li>").count(), keys.len());
    for href in index
        .split("href=\"")
        .skip(1)
        .map(|p| &p[..p.find('"').unwrap()])
    {
        assert!(href.ends_with(".review.html"), "{href}");
        // The corpus's paths are ASCII: the link is the file's path under OUTDIR.
        assert!(outdir.join(href).is_file(), "{href}");
    }
    // Without review pages there is no index.
    let plain = t.path().join("plain");
    let (out, _) = run_batch(&indir, &plain, &["--shard", "1/1"]);
    assert!(out.status.success());
    assert!(catalog(&plain).status.success());
    assert!(!plain.join("review-index.html").exists());
}
