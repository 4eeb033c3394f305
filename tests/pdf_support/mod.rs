//! Helpers shared by the PDF tests: the poppler/qpdf tools (required under CI), rendered
//! pages read back, and the model's text to compare the PDF's text with.
#![allow(dead_code)]

use paiban::model::Document;
use std::process::{Command, Output};

/// Is `name` installed? Panics under CI when it is not; elsewhere the test skips.
pub fn have(name: &str) -> bool {
    let ok = Command::new(name).arg("-v").output().is_ok();
    if !ok {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("`{name}` is required (CI=true) but not installed");
        }
        eprintln!("skipping: `{name}` is not installed");
    }
    ok
}

/// Runs a tool, which must succeed.
pub fn run(cmd: &str, args: &[&str]) -> Output {
    let o = Command::new(cmd).args(args).output().unwrap();
    assert!(
        o.status.success(),
        "{cmd} {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// A binary PNM image (P5 gray or P6 colour, as `pdftoppm` writes it): width, height and
/// the samples after the header.
pub fn pnm(bytes: &[u8]) -> (usize, usize, &[u8]) {
    // Header: magic, width, height, maxval, each followed by whitespace.
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&bytes[start..at]).into_owned());
    }
    let (w, h) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    (w, h, &bytes[at + 1..])
}

/// Every character of the document model in reading order (headline groups, bylines,
/// blocks with their sections' kickers and subtitles, footnotes), white space left out.
pub fn model_text(doc: &Document) -> String {
    let mut s = String::new();
    for a in &doc.articles {
        let h = &a.headline;
        for t in h.kicker.iter().chain([&h.title]).chain(&h.subtitles) {
            s.push_str(t);
        }
        if let Some(b) = &a.byline {
            s.push_str(b);
        }
        for b in a
            .blocks
            .iter()
            .chain(a.footnotes.iter().flat_map(|f| &f.blocks))
        {
            s.push_str(&b.plain_text());
        }
    }
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Every character of `want` stands in `got`, in order (`got` may hold more); on failure,
/// panics naming `what`, where the match stopped, and `detail`.
pub fn assert_in_order(what: &str, want: &str, got: &str, detail: &str) {
    let mut it = got.chars();
    for (matched, c) in want.chars().enumerate() {
        if !it.any(|g| g == c) {
            let ctx: String = want.chars().skip(matched).take(20).collect();
            panic!("{what}: text out of order or missing from `{ctx}` ({matched} matched){detail}");
        }
    }
}

/// The tag tree as `pdfinfo -struct-text` prints it.
pub fn struct_tree(pdf: &std::path::Path) -> String {
    let o = Command::new("pdfinfo")
        .args(["-struct-text", pdf.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success());
    // A heading's line shows its `/T` title as raw UTF-16.
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The text of the tag tree, in order, white space left out: the quoted content lines
/// (a heading's own line quotes its `/T` title, which is not content).
pub fn struct_text(tree: &str) -> String {
    tree.lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with('"'))
        .filter_map(|l| l.get(1..l.rfind('"')?))
        .flat_map(str::chars)
        .filter(|c| !c.is_whitespace())
        .collect()
}
