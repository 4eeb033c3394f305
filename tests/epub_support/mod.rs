//! Helpers shared by the EPUB tests: building an issue, reading the archive, running
//! EPUBCheck (several files per JVM).
#![allow(dead_code)]

use paiban::epub::{EpubEngine, EpubOptions};
use paiban::{prepare_path, PrepareOptions};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

pub const EPUBCHECK_JAR: &str = "/usr/share/java/epubcheck.jar";

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn sample() -> PathBuf {
    root().join("content/wujin-2023-12-29.md")
}

pub fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/epub").join(name)
}

/// Every `*.clean.md` of the normalizer corpus, sorted.
pub fn corpus_clean() -> Vec<PathBuf> {
    let dir = root().join("tests/fixtures/corpus");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("corpus folder")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".clean.md"))
        .collect();
    v.sort();
    v
}

/// Every `*.damaged.md` of the round-trip corpus (three converters), sorted.
pub fn roundtrip_damaged() -> Vec<PathBuf> {
    let mut v = Vec::new();
    for c in ["pymupdf4llm", "markitdown", "pdftotext"] {
        let dir = root().join("tests/fixtures/roundtrip").join(c);
        v.extend(
            std::fs::read_dir(&dir)
                .expect("round-trip folder")
                .map(|e| e.expect("dir entry").path())
                .filter(|p| p.to_string_lossy().ends_with(".damaged.md")),
        );
    }
    v.sort();
    v
}

/// The EPUB of an issue and the backend's warnings (as `Display` strings with their kinds).
pub fn build(input: &Path, opts: &EpubOptions) -> (Vec<u8>, Vec<(String, String)>) {
    // The EPUB fixtures are Markdown written to exercise the backend exactly as written
    // (links, footnote definitions, adjacent images); the normalizer's repairs are meant for
    // converted newspaper text and would rewrite some of that syntax. The sample and the
    // corpus go through the normalizer, as `paiban build` does.
    let normalize = !input.starts_with(root().join("tests/fixtures/epub"));
    let prepared = prepare_path(
        input,
        &PrepareOptions {
            normalize,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("{}: {e}", input.display()));
    let engine = EpubEngine::new(opts).expect("engine");
    let r = engine
        .render(&prepared.document)
        .unwrap_or_else(|e| panic!("{}: {e}", input.display()));
    let mut diags: Vec<(String, String)> = prepared
        .diagnostics
        .iter()
        .chain(&r.diagnostics)
        .map(|d| (d.kind.to_string(), d.to_string()))
        .collect();
    diags.sort();
    (r.bytes, diags)
}

/// Entry name → bytes, plus the names in archive order.
pub fn unzip(bytes: &[u8]) -> (Vec<String>, BTreeMap<String, Vec<u8>>) {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip archive");
    let mut order = Vec::new();
    let mut map = BTreeMap::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).expect("entry");
        let mut data = Vec::new();
        f.read_to_end(&mut data).expect("read entry");
        order.push(f.name().to_string());
        map.insert(f.name().to_string(), data);
    }
    (order, map)
}

pub fn text(map: &BTreeMap<String, Vec<u8>>, name: &str) -> String {
    String::from_utf8(
        map.get(name)
            .unwrap_or_else(|| panic!("{name} in the EPUB"))
            .clone(),
    )
    .expect("UTF-8")
}

/// Whether an external tool may be missing: under CI it must be there (the test fails),
/// elsewhere the test is skipped with a message.
pub fn tool_available(what: &str, ok: bool) -> bool {
    if ok {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{what} is required when CI=true but is not installed");
    }
    eprintln!("SKIPPED: {what} is not installed");
    false
}

pub fn have_epubcheck() -> bool {
    let java = Command::new("java").arg("-version").output().is_ok();
    tool_available(
        "epubcheck (java -jar /usr/share/java/epubcheck.jar)",
        java && Path::new(EPUBCHECK_JAR).is_file(),
    )
}

/// One EPUBCheck verdict.
#[derive(Debug)]
pub struct Verdict {
    pub fatal: u32,
    pub errors: u32,
    pub warnings: u32,
    /// EPUBCheck's messages about this file.
    pub messages: Vec<String>,
}

/// Runs EPUBCheck on all `files` in one JVM (tests/epubcheck/BatchCheck.java, through the
/// EPUBCheck library API) and returns each file's counts and messages.
pub fn epubcheck_batch(files: &[PathBuf]) -> BTreeMap<PathBuf, Verdict> {
    let out = Command::new("java")
        .arg("-cp")
        .arg(EPUBCHECK_JAR)
        .arg(root().join("tests/epubcheck/BatchCheck.java"))
        .args(files)
        .output()
        .expect("run java");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "BatchCheck failed: {}\n{stderr}",
        out.status
    );
    let mut res = BTreeMap::new();
    for line in stdout.lines().filter(|l| l.starts_with("RESULT ")) {
        let mut parts = line.rsplitn(4, ' ');
        let num = |s: Option<&str>| -> u32 {
            s.and_then(|s| s.split('=').nth(1))
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("bad RESULT line: {line}"))
        };
        let warnings = num(parts.next());
        let errors = num(parts.next());
        let fatal = num(parts.next());
        let file = PathBuf::from(parts.next().unwrap_or("").trim_start_matches("RESULT "));
        let name = file.to_string_lossy().to_string();
        let messages = stderr
            .lines()
            .chain(stdout.lines())
            .filter(|l| !l.starts_with("RESULT ") && l.contains(&name))
            .map(str::to_string)
            .collect();
        res.insert(
            file,
            Verdict {
                fatal,
                errors,
                warnings,
                messages,
            },
        );
    }
    assert_eq!(
        res.len(),
        files.len(),
        "EPUBCheck reported on {} of {} files\n{stdout}\n{stderr}",
        res.len(),
        files.len()
    );
    res
}

/// Visible text of an XHTML document: tags removed, entities left as they are.
pub fn strip_tags(xhtml: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in xhtml.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// A document with no articles (the loader refuses empty files, but the backend must not
/// depend on that).
pub fn empty_document() -> paiban::model::Document {
    paiban::model::Document {
        pages: Vec::new(),
        meta: paiban::model::Meta {
            newspaper: Some("测试日报".into()),
            date: paiban::model::IssueDate::new(2024, 1, 1),
            issue_number: None,
            title: "空的一期".into(),
            language: "zh-CN".into(),
            publisher: None,
            inferred: Vec::new(),
        },
        articles: Vec::new(),
    }
}

/// DAISY Ace (`ace-puppeteer` with Debian chromium; `PAIBAN_ACE` points elsewhere), or
/// `None` when missing (a skip; under `CI=true` a failure).
pub fn ace() -> Option<PathBuf> {
    let p = std::env::var_os("PAIBAN_ACE").map_or_else(
        || PathBuf::from("/opt/paiban-ace/node_modules/.bin/ace-puppeteer"),
        PathBuf::from,
    );
    let chromium = Path::new("/usr/bin/chromium").is_file();
    tool_available(
        "DAISY Ace (ace-puppeteer, with Debian chromium)",
        p.is_file() && chromium,
    )
    .then_some(p)
}

/// Runs Ace on `epub` (its report in `out`): the violations it lists (impact and title)
/// and its overall outcome.
pub fn ace_violations(ace: &Path, epub: &Path, out: &Path) -> (Vec<String>, String) {
    let run = Command::new(ace)
        .env("PUPPETEER_EXECUTABLE_PATH", "/usr/bin/chromium")
        .arg("-f")
        .arg("-o")
        .arg(out)
        .arg(epub)
        .output()
        .expect("run ace-puppeteer");
    assert!(
        run.status.success(),
        "{}: ace failed\n{}",
        epub.display(),
        String::from_utf8_lossy(&run.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    let violations = report["assertions"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|a| a["assertions"].as_array().cloned().unwrap_or_default())
        .map(|v| {
            format!(
                "{} {}",
                v["earl:test"]["earl:impact"], v["earl:test"]["dct:title"]
            )
        })
        .collect();
    let outcome = report["earl:result"]["earl:outcome"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    (violations, outcome)
}
