//! Kangxi radicals from a PDF's text layer, through the binary. Chromium (Skia) prints
//! Noto CJK text with a ToUnicode map that names the radical for every glyph an
//! ideograph shares with one (`⽇` U+2F47 for 日); pdfminer, the engine of markitdown,
//! reads that map (poppler's pdftotext and PyMuPDF read Chromium's /ActualText instead).
//! The page is printed here, converted with Debian's pdfminer (`pdf2txt`), and the
//! converted text normalized: every radical in Han text mapped, running heads and folios
//! then found and removed. `tests/fixtures/radicals/pdfminer.md` is that conversion kept,
//! so the normalizer half runs without Chromium too.

mod sandbox_support;

use sandbox_support::tool_available;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/radicals")
}

fn is_radical(c: char) -> bool {
    ('\u{2E80}'..='\u{2FDF}').contains(&c)
}

fn radicals(s: &str) -> usize {
    s.chars().filter(|&c| is_radical(c)).count()
}

/// (stdout, stderr) of `paiban normalize FILE`.
fn normalize(file: &Path) -> (String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_paiban"))
        .arg("normalize")
        .arg(file)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    (
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

/// What must hold of the normalized conversion of the printed page.
fn check_normalized(file: &Path) {
    let (text, report) = normalize(file);
    // Every radical stood in Han text: none is left.
    assert_eq!(radicals(&text), 0, "{text}");
    for word in [
        "市人民政府",
        "日月交替，一年又一年，工人、农民",
        "一、过去一年的工作",
        "增长百分之五",
        "群众的日子越过越好",
    ] {
        assert!(text.contains(word), "{word} in {text}");
    }
    // The running heads and folios read as such once they read `日`, `月`, `一`.
    for head in [
        "北京日报",
        "2026年2月2日",
        "星期一",
        "第1版",
        "第2版",
        "— 1 —",
    ] {
        assert!(!text.contains(head), "{head} left in {text}");
    }
    // The paragraph cut by the page break is joined across the removed heads.
    assert!(
        text.contains("每一件事办好，让群众的日子越过越好。"),
        "{text}"
    );
    // Reported: one repair per block, with the count and the table's pairs.
    let lines: Vec<&str> = report
        .lines()
        .filter(|l| l.contains(": radical: "))
        .collect();
    assert!(lines.len() >= 10, "{report}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("北京⽇报 → 北京日报") && l.contains("(⽇→日)")),
        "{report}"
    );
    assert!(
        report.contains(": page-furniture: 2026年2月2日 星期一 → "),
        "{report}"
    );
}

#[test]
fn the_kept_conversion_normalizes() {
    let file = fixtures().join("pdfminer.md");
    let raw = std::fs::read_to_string(&file).unwrap();
    assert!(radicals(&raw) > 80, "the fixture holds the damage");
    check_normalized(&file);
}

#[test]
fn a_page_printed_by_chromium_comes_back_with_its_ideographs() {
    let chromium = Path::new("/usr/bin/chromium");
    let pdf2txt = Path::new("/usr/bin/pdf2txt");
    if !tool_available("chromium", chromium.is_file())
        || !tool_available("pdf2txt (Debian python3-pdfminer)", pdf2txt.is_file())
    {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("page.pdf");
    let o = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(fixtures().join("page.html"))
        .output()
        .unwrap();
    assert!(pdf.is_file(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = Command::new(pdf2txt).arg(&pdf).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let raw = String::from_utf8(o.stdout).unwrap();
    // The text layer is damaged: the running head and the body read radicals.
    assert!(raw.contains("北京⽇报"), "{raw}");
    assert!(raw.contains("2026年2⽉2⽇ 星期⼀"), "{raw}");
    assert!(raw.contains("市⼈⺠政府"), "{raw}");
    assert!(radicals(&raw) > 80, "{raw}");
    let md = dir.path().join("printed.md");
    std::fs::write(&md, &raw).unwrap();
    check_normalized(&md);
}
