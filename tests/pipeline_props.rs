//! Properties of the whole pipeline on generated issues: every EPUB built from generated
//! Markdown is well-formed XML throughout, and the PDF's text, as `pdftotext` reads it
//! back, holds every character of the document model in order. (The normalizer's own
//! properties are in normalize_props.rs.)

mod pdf_support;

use paiban::epub::{EpubEngine, EpubOptions};
use paiban::model::Document;
use paiban::pdf::{PdfEngine, PdfOptions};
use paiban::{prepare, PrepareOptions};
use pdf_support::{have, model_text};
use proptest::prelude::*;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn document(markdown: &str) -> Option<Document> {
    let issue = paiban::issue::from_text(
        markdown,
        Path::new("generated.md"),
        PathBuf::from("/nonexistent"),
    )
    .ok()?;
    // Empty issues are refused (tested in bad_input.rs); everything else must build.
    prepare(issue, &PrepareOptions::default())
        .ok()
        .map(|p| p.document)
}

fn epub_engine() -> &'static EpubEngine {
    static E: OnceLock<EpubEngine> = OnceLock::new();
    E.get_or_init(|| EpubEngine::new(&EpubOptions::default()).expect("EPUB engine"))
}

fn pdf_engine() -> &'static PdfEngine {
    static E: OnceLock<PdfEngine> = OnceLock::new();
    E.get_or_init(|| PdfEngine::new(&PdfOptions::default()).expect("PDF engine"))
}

// ---- generated Markdown ---------------------------------------------------------------

/// Common characters of the shipped font: CJK text, with the punctuation that drives the
/// line breaker (kinsoku, dashes, ellipses) and Latin words and digits.
fn cjk_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        6 => "[的一是了我不人在他有这个上们来到时大地为子中你说生国年着就那和要她出也得里后自以会家可下而过天去能对小多然于心学么之都好看起发当没成只如事把还用第样道想作种开美总从无情己面最女但现前些所同日手又行意动方期它头经长儿回位分爱老因很给名法间斯知世什两次使身者被高已亲其进此话常与活正感]{1,12}",
        1 => "[，。、；：？！“”‘’（）《》——……·]",
        1 => "[A-Za-z]{1,8}",
        1 => "[0-9]{1,4}",
        1 => Just(" ".to_string()),
    ];
    proptest::collection::vec(piece, 1..12).prop_map(|v| v.concat())
}

/// XML's special characters and Markdown syntax inside text, which the EPUB must escape.
fn tricky_text() -> impl Strategy<Value = String> {
    prop_oneof![
        cjk_text(),
        Just("a < b & c > d \"引号\" 'x'".to_string()),
        Just("<div>原始HTML</div>".to_string()),
        Just("]]> <!-- --> &amp; &#0; &nbsp;".to_string()),
        Just("**粗体** *斜体* ~~删除~~ `代码`".to_string()),
        Just("[链接](https://example.com \"题\") [^1]".to_string()),
        Just("\u{0001}\u{0008}\u{000B}\u{FFFE}\u{FFFF}控制字符".to_string()),
        Just("𠀀😀e\u{301}\u{200B}\u{202E}".to_string()),
    ]
}

fn block() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => cjk_text(),
        2 => tricky_text(),
        1 => (1..=6usize, cjk_text()).prop_map(|(n, t)| format!("{} {t}", "#".repeat(n))),
        1 => proptest::collection::vec(cjk_text(), 1..4)
            .prop_map(|v| v.iter().map(|t| format!("- {t}\n")).collect()),
        1 => proptest::collection::vec(cjk_text(), 1..4)
            .prop_map(|v| v.iter().enumerate().map(|(i, t)| format!("{}. {t}\n", i + 1)).collect()),
        1 => (1..5usize, cjk_text()).prop_map(|(n, t)| format!("{}{t}", "> ".repeat(n))),
        1 => cjk_text().prop_map(|t| format!("```\n{t}\n```")),
        1 => (cjk_text(), cjk_text()).prop_map(|(a, b)| format!("| {a} | {b} |\n|---|---|\n| {b} | {a} |")),
        1 => cjk_text().prop_map(|t| format!("[^1]: {t}")),
        1 => Just("---".to_string()),
    ]
}

fn issue() -> impl Strategy<Value = String> {
    (
        proptest::option::of(tricky_text()),
        cjk_text(),
        proptest::collection::vec(block(), 1..14),
    )
        .prop_map(|(title, head, blocks)| {
            let front = title.map_or(String::new(), |t| {
                // A YAML double-quoted scalar: escape what YAML would read.
                let t: String = t
                    .chars()
                    .filter(|c| !c.is_control())
                    .collect::<String>()
                    .replace('\\', "\\\\")
                    .replace('"', "\\\"");
                format!("---\ntitle: \"{t}\"\ndate: 2024-03-01\n---\n")
            });
            format!("{front}# {head}\n\n{}\n", blocks.join("\n\n"))
        })
}

// ---- EPUB: well-formed XML -----------------------------------------------------------

/// Checks that `xml` is well-formed: tokenizes, every element closed in order, one root.
fn well_formed(name: &str, xml: &str) -> Result<(), String> {
    let mut stack: Vec<String> = Vec::new();
    let mut roots = 0;
    for token in xmlparser::Tokenizer::from(xml) {
        match token.map_err(|e| format!("{name}: {e}"))? {
            xmlparser::Token::ElementStart { prefix, local, .. } => {
                if stack.is_empty() {
                    roots += 1;
                }
                stack.push(format!("{}:{}", prefix.as_str(), local.as_str()));
            }
            xmlparser::Token::ElementEnd { end, .. } => match end {
                xmlparser::ElementEnd::Open => {}
                xmlparser::ElementEnd::Close(prefix, local) => {
                    let open = stack.pop().ok_or(format!("{name}: stray </{local}>"))?;
                    let close = format!("{}:{}", prefix.as_str(), local.as_str());
                    if open != close {
                        return Err(format!("{name}: <{open}> closed by </{close}>"));
                    }
                }
                xmlparser::ElementEnd::Empty => {
                    stack.pop();
                }
            },
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(format!("{name}: unclosed {stack:?}"));
    }
    if roots != 1 {
        return Err(format!("{name}: {roots} root elements"));
    }
    Ok(())
}

fn check_epub(markdown: &str) -> Result<(), TestCaseError> {
    let Some(doc) = document(markdown) else {
        return Ok(());
    };
    let bytes = epub_engine()
        .render(&doc)
        .map_err(|e| TestCaseError::fail(format!("EPUB render failed: {e}")))?
        .bytes;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| TestCaseError::fail(format!("not a zip: {e}")))?;
    let mut checked = 0;
    for i in 0..zip.len() {
        let mut f = zip
            .by_index(i)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let name = f.name().to_string();
        if [".xhtml", ".opf", ".ncx", ".xml"]
            .iter()
            .any(|e| name.ends_with(e))
        {
            let mut text = String::new();
            f.read_to_string(&mut text)
                .map_err(|e| TestCaseError::fail(format!("{name}: not UTF-8: {e}")))?;
            well_formed(&name, &text).map_err(TestCaseError::fail)?;
            checked += 1;
        }
    }
    // container.xml, the package, the nav, the NCX, the cover page and the articles.
    prop_assert!(
        checked >= 5 + doc.articles.len(),
        "only {checked} XML files"
    );
    Ok(())
}

// ---- PDF: the model's text, in order -------------------------------------------------

fn have_pdftotext() -> bool {
    // Asked once: the property runs many cases.
    static HAVE: OnceLock<bool> = OnceLock::new();
    *HAVE.get_or_init(|| have("pdftotext"))
}

fn check_pdf(markdown: &str) -> Result<(), TestCaseError> {
    let Some(doc) = document(markdown) else {
        return Ok(());
    };
    let bytes = pdf_engine()
        .render(&doc)
        .map_err(|e| TestCaseError::fail(format!("PDF render failed: {e}")))?
        .bytes;
    if !have_pdftotext() {
        return Ok(());
    }
    let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
    let path = dir.path().join("p.pdf");
    std::fs::write(&path, &bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let out = Command::new("pdftotext")
        .args(["-raw", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert!(out.status.success(), "pdftotext failed");
    let got: String = String::from_utf8_lossy(&out.stdout)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let want = model_text(&doc);
    // Characters that no font draws come out as nothing (a box on paper, reported at
    // build); control and format characters have no glyph to copy.
    let drawable = |c: &char| {
        !c.is_control()
            && !matches!(*c as u32, 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0xFE00..=0xFE0F | 0xFEFF | 0xFFF0..=0xFFFF | 0x20000.. | 0x1F000..=0x1FFFF | 0x300..=0x36F)
    };
    let mut hay = got.chars();
    for (i, c) in want.chars().filter(drawable).enumerate() {
        prop_assert!(
            hay.any(|h| h == c),
            "character {i} `{c}` (U+{:04X}) of the model is missing or out of order\nmodel: {want}\npdf:   {got}",
            c as u32
        );
    }
    Ok(())
}

proptest! {
    // 64 cases per run (PROPTEST_CASES raises it for a longer search).
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64),
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_epub_is_well_formed_xml(md in issue()) {
        check_epub(&md)?;
    }

    #[test]
    fn pdf_text_holds_the_model_in_order(md in issue()) {
        check_pdf(&md)?;
    }
}

#[test]
fn the_sample_issue_passes_both() {
    let md = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("content/wujin-2023-12-29.md"),
    )
    .expect("sample");
    check_epub(&md).expect("EPUB well-formed");
    check_pdf(&md).expect("PDF text in order");
}

/// Found by `pdf_text_holds_the_model_in_order`: a section's kicker and subtitles were
/// left out of the PDF (only its title was set).
#[test]
fn section_kicker_and_subtitles_are_printed() {
    check_pdf("# 世\n\n斯\n\n### 么\n\n#### 被\n").expect("subtitle printed");
    check_pdf("# 题\n\n正文。\n\n#### 引\n\n### 节\n\n#### 副\n\n正文。\n")
        .expect("kicker printed");
}
