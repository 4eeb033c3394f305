//! Every kind of block and inline the model has goes through the PDF backend: the file is
//! valid, and its text comes back in order. Also documents at the edges: no articles, no date.

mod pdf_support;

use paiban::pdf::{PdfEngine, PdfOptions};
use pdf_support::have;
use std::path::{Path, PathBuf};
use std::process::Command;

fn render_file(input: &Path, dir: &Path) -> (PathBuf, Vec<String>) {
    let doc = paiban::prepare_path(input, &Default::default())
        .unwrap()
        .document;
    let r = PdfEngine::new(&PdfOptions::default())
        .unwrap()
        .render(&doc)
        .unwrap();
    let pdf = dir.join("out.pdf");
    std::fs::write(&pdf, &r.bytes).unwrap();
    (pdf, r.diagnostics.iter().map(|d| d.to_string()).collect())
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn every_block_kind_is_typeset() {
    if !have("qpdf") || !have("pdftotext") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let input = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pdf/kitchen.md");
    let (pdf, warnings) = render_file(&input, dir.path());
    assert!(warnings.is_empty(), "{warnings:?}");
    let o = Command::new("qpdf")
        .arg("--check")
        .arg(&pdf)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    let o = Command::new("pdftotext")
        .arg("-raw")
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let text = squeeze(&String::from_utf8_lossy(&o.stdout));
    let mut at = 0;
    for want in [
        "测试日报",
        "2024年2月29日",
        "第12345期",
        "引题：各种块",
        "主标题用于检查各种Markdown块的排版",
        "副题一",
        "副题二",
        "本报记者张三",
        "加粗文字",
        "链接文字",
        "Supercalifragilisticexpialidocious",
        "各位代表：",
        "（一）坚持创新驱动",
        "——2026年2月3日在省十四届人大四次会议上",
        "1.第一项",
        "2.第二项",
        "·无序一",
        "引用的一段话，缩进排版。",
        "代码第一行",
        "codelinetwo",
        "生产总值",
        "3240亿元",
        "第一行",
        "硬换行后的第二行。",
        "小节标题",
        "小节正文。",
        "脚注的内容。",
        "第二篇只有标题",
    ] {
        let want = squeeze(want);
        match text[at..].find(&want) {
            Some(i) => at += i + want.len(),
            None => panic!("`{want}` missing or out of order in:\n{text}"),
        }
    }
}

#[test]
fn documents_at_the_edges_render() {
    if !have("qpdf") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // No date in the name or metadata, no headline.
    let input = dir.path().join("nodate.md");
    std::fs::write(&input, "只有一段正文，没有标题。\n").unwrap();
    let (pdf, _) = render_file(&input, dir.path());
    let o = Command::new("qpdf")
        .arg("--check")
        .arg(&pdf)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    // No articles at all (the loader refuses an empty file; a model can still be empty).
    let mut doc = paiban::prepare_path(&input, &Default::default())
        .unwrap()
        .document;
    doc.articles.clear();
    let r = PdfEngine::new(&PdfOptions::default())
        .unwrap()
        .render(&doc)
        .unwrap();
    let pdf = dir.path().join("empty.pdf");
    std::fs::write(&pdf, &r.bytes).unwrap();
    let o = Command::new("qpdf")
        .arg("--check")
        .arg(&pdf)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
}
