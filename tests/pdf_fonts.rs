//! Fonts of the PDF: characters the shipped fonts lack come from a system font; characters
//! no font has are reported (character, code point, count, line) and never dropped
//! silently; `--font` replaces the body font; bad fonts and styles are clear errors.
//! A missing tool or system font fails the test when `CI=true`; otherwise it skips.

use paiban::pdf::{PdfEngine, PdfOptions};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SYSTEM_SERIF: &str = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc";
const WENKAI: &str = "/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

fn have(what: &str, present: bool) -> bool {
    if !present {
        assert!(!ci(), "`{what}` is required (CI=true) but not installed");
        eprintln!("skipping: `{what}` is not installed");
    }
    present
}

fn tool(name: &str) -> bool {
    have(name, Command::new(name).arg("-v").output().is_ok())
}

fn paiban(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_paiban"))
        .args(args)
        .output()
        .unwrap()
}

fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).into_owned()
}

#[test]
fn missing_characters_come_from_a_system_font_or_are_reported() {
    if !tool("pdffonts")
        || !tool("pdftotext")
        || !have(SYSTEM_SERIF, Path::new(SYSTEM_SERIF).is_file())
    {
        return;
    }
    let input = root().join("tests/fixtures/pdf/rare.md");
    let doc = paiban::prepare_path(&input, &Default::default())
        .unwrap()
        .document;
    let r = PdfEngine::new(&PdfOptions::default())
        .unwrap()
        .render(&doc)
        .unwrap();
    let warnings: Vec<String> = r.diagnostics.iter().map(|d| d.to_string()).collect();
    // U+10FFFD is in no font: one warning with code point, count and line.
    let w: Vec<&String> = warnings.iter().filter(|w| w.contains("U+10FFFD")).collect();
    assert_eq!(w.len(), 1, "{warnings:?}");
    assert!(
        w[0].contains("rare.md:10") && w[0].contains("1 times"),
        "{}",
        w[0]
    );
    // 𠀋 (U+2000B) is not in the shipped subset but the system's Noto Serif CJK has it.
    assert!(
        !warnings.iter().any(|w| w.contains("U+2000B")),
        "{warnings:?}"
    );

    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("rare.pdf");
    std::fs::write(&pdf, &r.bytes).unwrap();
    let fonts = text(&Command::new("pdffonts").arg(&pdf).output().unwrap().stdout);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    // Regular, bold (each one subset: compressed `”，` is positioned, not a second copy of
    // the face), and the fallback that draws 𠀋.
    assert_eq!(rows.len(), 3, "{fonts}");
    for row in rows {
        assert!(row.contains("yes yes yes"), "{row}");
    }
    let got = text(
        &Command::new("pdftotext")
            .args(["-raw"])
            .arg(&pdf)
            .arg("-")
            .output()
            .unwrap()
            .stdout,
    );
    assert!(got.contains("𠀋"), "{got}");
    assert!(got.contains("要从系统字体补上"), "{got}");

    // The command line prints the warning.
    let out = dir.path().join("o");
    let o = paiban(&[
        "build",
        input.to_str().unwrap(),
        "--pdf",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    assert!(text(&o.stderr).contains("U+10FFFD"), "{}", text(&o.stderr));
}

#[test]
fn font_option_replaces_the_body_font() {
    if !tool("pdffonts") || !have(WENKAI, Path::new(WENKAI).is_file()) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let sample = root().join("content/wujin-2023-12-29.md");
    let o = paiban(&[
        "build",
        sample.to_str().unwrap(),
        "--pdf",
        "--page",
        "a5",
        "--font",
        WENKAI,
        "-o",
        dir.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let pdf = dir.path().join("wujin-2023-12-29.pdf");
    let fonts = text(&Command::new("pdffonts").arg(&pdf).output().unwrap().stdout);
    assert!(fonts.contains("LXGWWenKai"), "{fonts}");
    for row in fonts.lines().skip(2) {
        assert!(row.contains("yes yes yes"), "{row}");
    }
}

#[test]
fn truncated_or_bogus_fonts_and_bad_styles_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let sample = root().join("content/wujin-2023-12-29.md");
    let shipped = std::fs::read(root().join("fonts/NotoSerifSC-Bold.otf")).unwrap();
    let cut = dir.path().join("cut.otf");
    std::fs::write(&cut, &shipped[..shipped.len() / 2]).unwrap();
    let bogus = dir.path().join("notes.ttf");
    std::fs::write(&bogus, "this is not a font\n").unwrap();
    let style = dir.path().join("bad.toml");
    std::fs::write(&style, "columns = 0\n").unwrap();
    for (flag, path) in [("--font", &cut), ("--font", &bogus), ("--style", &style)] {
        let o = paiban(&[
            "build",
            sample.to_str().unwrap(),
            "--pdf",
            flag,
            path.to_str().unwrap(),
            "-o",
            dir.path().join("out").to_str().unwrap(),
        ]);
        let e = text(&o.stderr);
        assert!(!o.status.success(), "{flag} {}", path.display());
        assert!(e.contains(path.to_str().unwrap()), "{e}");
        assert!(!e.contains("panicked"), "{e}");
        assert_eq!(e.trim().lines().count(), 1, "one line: {e}");
    }
    assert!(!dir.path().join("out/wujin-2023-12-29.pdf").exists());
}
