//! Shared by the batch tests: a corpus of real issues built from the corpus fixtures.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus")
}

/// The clean corpus texts, sorted by name.
pub fn clean_texts() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".clean.md"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            let stem = name.trim_end_matches(".clean.md").to_string();
            (stem, fs::read_to_string(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}

/// Writes `n` file issues into nested folders (`<year>/<source>/<stem>.md`), each the
/// head of a corpus text (the first `chars` characters, cut at a line end), plus a
/// three-page folder issue with an issue.toml. Returns the relative paths of the issues.
pub fn make_corpus(indir: &Path, n: usize, chars: usize) -> Vec<String> {
    let texts = clean_texts();
    assert!(texts.len() >= 20, "corpus fixtures missing");
    let mut keys = Vec::new();
    for i in 0..n {
        let (stem, text) = &texts[i % texts.len()];
        let year = 2020 + (i / texts.len());
        let source = stem.split('-').next().unwrap_or("misc");
        let rel = format!("{year}/{source}/{stem}.md");
        write(&indir.join(&rel), &head(text, chars));
        keys.push(rel);
    }
    let folder = indir.join("2026/folder-issue");
    write(
        &folder.join("issue.toml"),
        "newspaper = \"测试日报\"\ndate = \"2026-02-03\"\ntitle = \"测试日报 2026-02-03\"\n",
    );
    for (p, (_, text)) in texts.iter().take(3).enumerate() {
        write(&folder.join(format!("{:02}.md", p + 1)), &head(text, chars));
    }
    keys.push("2026/folder-issue".into());
    keys.sort();
    keys
}

/// An issue that is not UTF-8 (GBK bytes in the middle of a real text).
pub fn write_invalid_utf8(path: &Path) {
    let (_, text) = &clean_texts()[0];
    let mut bytes = head(text, 300).into_bytes();
    bytes.extend_from_slice(b"\n\n\xd6\xd0\xce\xc4\n");
    write_bytes(path, &bytes);
}

pub fn head(text: &str, chars: usize) -> String {
    let mut out = String::new();
    for line in text.lines() {
        if out.chars().count() >= chars {
            break;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

pub fn write(path: &Path, text: &str) {
    write_bytes(path, text.as_bytes());
}

pub fn write_bytes(path: &Path, bytes: &[u8]) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

/// Every file under `dir`, relative, `/`-separated, sorted.
pub fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.push(
                    p.strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    if dir.exists() {
        walk(dir, dir, &mut out);
    }
    out.sort();
    out
}

/// The variables that make `batch` pick its shard from a scheduler's index.
pub const SCHEDULER_VARS: [&str; 9] = [
    "SLURM_ARRAY_TASK_ID",
    "SLURM_ARRAY_TASK_COUNT",
    "SLURM_ARRAY_TASK_MIN",
    "JOB_COMPLETION_INDEX",
    "AWS_BATCH_JOB_ARRAY_INDEX",
    "AWS_BATCH_JOB_ARRAY_SIZE",
    "CLOUD_RUN_TASK_INDEX",
    "CLOUD_RUN_TASK_COUNT",
    "PAIBAN_SHARDS",
];

/// Runs `paiban batch INDIR -o OUTDIR EXTRA… --summary-json …` and returns its output and
/// the summary it wrote.
pub fn run_batch(indir: &Path, outdir: &Path, extra: &[&str]) -> (Output, serde_json::Value) {
    run_batch_env(indir, outdir, extra, &[])
}

/// [`run_batch`] with these environment variables (and no other scheduler's).
pub fn run_batch_env(
    indir: &Path,
    outdir: &Path,
    extra: &[&str],
    env: &[(&str, &str)],
) -> (Output, serde_json::Value) {
    let json = outdir.with_extension("summary.json");
    let _ = std::fs::remove_file(&json);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_paiban"));
    for v in SCHEDULER_VARS {
        cmd.env_remove(v);
    }
    let out = cmd
        .arg("batch")
        .arg(indir)
        .arg("-o")
        .arg(outdir)
        .arg("--summary-json")
        .arg(&json)
        .args(extra)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let text = std::fs::read_to_string(&json).unwrap_or_else(|e| {
        panic!(
            "no summary ({e}); stderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out, serde_json::from_str(&text).unwrap())
}
