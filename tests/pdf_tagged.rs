//! The PDF as an archive and a screen reader see it, read back with real tools:
//! `pdfinfo` (tagged, PDF version, no PDF/X claim), `pdfinfo -struct-text` (the tag tree
//! holds every character of the model in the model's order and nothing of the running
//! heads and folios), every standard building with krilla's validation passing, content
//! that cannot meet a standard refused with file and line, and PDFBox Preflight on
//! PDF/A-1b. A missing tool fails the test when `CI=true`; otherwise the test skips.

mod pdf_support;

use paiban::model::{Block, Document};
use paiban::pdf::{PdfEngine, PdfOptions};
use pdf_support::{assert_in_order, have, model_text, run, struct_text, struct_tree};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sample() -> PathBuf {
    root().join("content/wujin-2023-12-29.md")
}

fn kitchen() -> PathBuf {
    root().join("tests/fixtures/pdf/kitchen.md")
}

fn prepare(path: &Path) -> Document {
    paiban::prepare_path(path, &paiban::PrepareOptions::default())
        .unwrap()
        .document
}

fn opts(page: &str, standard: Option<&str>) -> PdfOptions {
    PdfOptions {
        page: Some(page.into()),
        standard: standard.map(str::to_string),
        ..Default::default()
    }
}

/// Renders `input` into `dir/out.pdf`.
fn render(dir: &Path, input: &Path, o: &PdfOptions) -> PathBuf {
    let r = PdfEngine::new(o).unwrap().render(&prepare(input)).unwrap();
    let pdf = dir.join("out.pdf");
    std::fs::write(&pdf, &r.bytes).unwrap();
    pdf
}

/// An issue with a figure (the JPEG fixture) in a temporary folder.
fn figure_issue(dir: &Path) -> PathBuf {
    std::fs::copy(
        root().join("tests/fixtures/pdf/photo.jpg"),
        dir.join("photo.jpg"),
    )
    .unwrap();
    let md = dir.join("figure.md");
    std::fs::write(
        &md,
        "---\nnewspaper: 图片日报\ndate: 2024-05-06\n---\n\n# 图片新闻\n\n第一段正文。\n\n\
         ![照片说明：会场一角](photo.jpg)\n\n第二段正文，在图片下面。\n",
    )
    .unwrap();
    md
}

fn pdfinfo(pdf: &Path) -> String {
    String::from_utf8(run("pdfinfo", &[pdf.to_str().unwrap()]).stdout).unwrap()
}

/// Characters the PDF adds to the model's text as content: list labels and footnote marks.
fn label_chars(doc: &Document) -> usize {
    fn walk(blocks: &[Block]) -> usize {
        blocks
            .iter()
            .map(|b| match b {
                Block::List { start, items } => items
                    .iter()
                    .enumerate()
                    .map(|(k, item)| {
                        let label = match start {
                            Some(n) => format!("{}.", n + k as u64).chars().count(),
                            None => 1,
                        };
                        label + walk(item)
                    })
                    .sum(),
                Block::Quote(inner) => walk(inner),
                _ => 0,
            })
            .sum()
    }
    doc.articles
        .iter()
        .map(|a| {
            walk(&a.blocks)
                + a.footnotes
                    .iter()
                    .map(|f| format!("[{}]", f.label).chars().count() + walk(&f.blocks))
                    .sum::<usize>()
        })
        .sum()
}

/// Every character of the model, in order, in the tag tree's text (recall 1.0), and
/// nothing else but list labels and footnote marks: no running head, folio or date bar.
fn check_reading_order(what: &str, doc: &Document, pdf: &Path) {
    let tree = struct_tree(pdf);
    let got = struct_text(&tree);
    let want = model_text(doc);
    assert_in_order(
        &format!("{what} (tag tree)"),
        &want,
        &got,
        &format!("\n{tree}"),
    );
    let extra = got.chars().count() - want.chars().count();
    assert_eq!(
        extra,
        label_chars(doc),
        "{what}: characters in the tag tree beyond the model's and its labels\n{tree}"
    );
}

#[test]
fn pdfinfo_says_tagged_pdf_1_7_and_no_pdf_x() {
    if !have("pdfinfo") || !have("qpdf") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pdf = render(dir.path(), &sample(), &PdfOptions::default());
    let info = pdfinfo(&pdf);
    assert!(info.contains("Tagged:          yes"), "{info}");
    assert!(info.contains("PDF version:     1.7"), "{info}");
    assert!(
        !info.contains("PDF/X") && !info.contains("subtype"),
        "{info}"
    );
    // XMP with the PDF/A identification, title and language; no empty Info strings.
    let bytes = std::fs::read(&pdf).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("<pdfaid:part>2</pdfaid:part>"), "no pdfaid");
    assert!(text.contains("<pdfaid:conformance>U</pdfaid:conformance>"));
    assert!(text.contains("<dc:language>"), "no dc:language");
    assert!(!text.contains("GTS_PDFXVersion"));
    let p = pdf.to_str().unwrap();
    let trailer = String::from_utf8(run("qpdf", &["--show-object=trailer", p]).stdout).unwrap();
    let info_ref = trailer
        .split("/Info ")
        .nth(1)
        .and_then(|r| r.split(" 0 R").next())
        .unwrap();
    let info =
        String::from_utf8(run("qpdf", &[&format!("--show-object={info_ref}"), p]).stdout).unwrap();
    assert!(info.contains("/Title"), "{info}");
    assert!(
        !info.contains("()") && !info.contains("<feff>"),
        "empty string: {info}"
    );
}

#[test]
fn tag_tree_reads_the_model_in_order_without_furniture() {
    if !have("pdfinfo") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for page in ["a4", "a5", "b5"] {
        let pdf = render(dir.path(), &sample(), &opts(page, None));
        check_reading_order(page, &prepare(&sample()), &pdf);
    }
    // Lists, a table, a quote, code, footnotes, a second article.
    let pdf = render(dir.path(), &kitchen(), &opts("a4", None));
    check_reading_order("kitchen", &prepare(&kitchen()), &pdf);
    let tree = struct_tree(&pdf);
    for tag in [
        "Art",
        "H1",
        "H2",
        "P",
        "L",
        "LI",
        "Lbl",
        "LBody",
        "BlockQuote",
        "Table",
        "TR",
        "TH",
        "TD",
        "Note",
        "Code",
        "Link",
    ] {
        assert!(
            tree.lines().any(|l| {
                let l = l.trim();
                l.strip_prefix(tag)
                    .is_some_and(|r| r.is_empty() || r.starts_with([' ', ':']))
            }),
            "no {tag} in\n{tree}"
        );
    }
    // The link: its text, then its annotation (an object reference), inside the paragraph.
    let link = tree.split("Link").nth(1).unwrap_or("");
    let mut lines = link.lines().skip(1).map(str::trim);
    assert_eq!(lines.next(), Some("\"链接文字\""), "{tree}");
    assert!(
        lines.next().is_some_and(|l| l.starts_with("Object ")),
        "{tree}"
    );
    // A figure with its alt text and its caption.
    let md = figure_issue(dir.path());
    let pdf = render(dir.path(), &md, &opts("a4", None));
    check_reading_order("figure", &prepare(&md), &pdf);
    let tree = struct_tree(&pdf);
    assert!(tree.contains("Figure"), "{tree}");
    assert!(tree.contains("Caption"), "{tree}");
}

#[test]
fn every_standard_builds_the_sample_and_the_fixtures() {
    if !have("pdfinfo") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let figure = figure_issue(dir.path());
    for (standard, version) in [
        ("a-1b", "1.4"),
        ("a-2b", "1.7"),
        ("a-2u", "1.7"),
        ("a-2a", "1.7"),
        ("a-3b", "1.7"),
        ("a-3u", "1.7"),
        ("a-4", "2.0"),
        ("ua-1", "1.7"),
        ("a-2a,ua-1", "1.7"),
    ] {
        for input in [sample(), kitchen(), figure.clone()] {
            let o = opts("a4", Some(standard));
            // Rendering fails when krilla's validation finds anything.
            let pdf = render(dir.path(), &input, &o);
            let info = pdfinfo(&pdf);
            assert!(
                info.contains(&format!("PDF version:     {version}")),
                "{standard}: {info}"
            );
            assert!(info.contains("Tagged:          yes"), "{standard}: {info}");
        }
    }
}

/// Builds `md` in `dir` with the binary and extra arguments; returns (success, stderr).
fn cli(dir: &Path, md: &str, args: &[&str]) -> (bool, String) {
    std::fs::write(dir.join("issue.md"), md).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_paiban"))
        .current_dir(dir)
        .args(["build", "issue.md", "--pdf", "-o", "out"])
        .args(args)
        .output()
        .unwrap();
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn content_that_cannot_meet_a_standard_is_refused_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(
        root().join("tests/fixtures/pdf/photo.jpg"),
        d.join("photo.jpg"),
    )
    .unwrap();
    let head = "---\ndate: 2024-05-06\n---\n\n# 标题\n\n正文。\n\n";
    // A figure without alt text: fine by default, refused under PDF/UA-1.
    let md = format!("{head}![](photo.jpg)\n\n后文。\n");
    let (ok, err) = cli(d, &md, &[]);
    assert!(ok, "{err}");
    std::fs::remove_dir_all(d.join("out")).unwrap();
    let (ok, err) = cli(d, &md, &["--pdf-standard", "ua-1"]);
    assert!(!ok);
    assert!(err.contains("issue.md:9:"), "{err}");
    assert!(err.contains("ua-1") && err.contains("alt text"), "{err}");
    assert!(!d.join("out/issue.pdf").exists(), "written anyway");
    // Transparency under PDF/A-1b.
    let mut png = Vec::new();
    {
        let mut e = png::Encoder::new(&mut png, 2, 1);
        e.set_color(png::ColorType::Rgba);
        e.set_depth(png::BitDepth::Eight);
        let mut w = e.write_header().unwrap();
        w.write_image_data(&[0, 0, 0, 128, 255, 0, 0, 255]).unwrap();
    }
    std::fs::write(d.join("alpha.png"), png).unwrap();
    let md = format!("{head}![半透明](alpha.png)\n");
    let (ok, err) = cli(d, &md, &["--pdf-standard", "a-1b"]);
    assert!(!ok);
    assert!(
        err.contains("issue.md:9:") && err.contains("transparency"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(!d.join("out/issue.pdf").exists());
    // Unknown names and impossible combinations are usage errors naming the option.
    for bad in ["a-5", "a-4,ua-1"] {
        std::fs::write(d.join("issue.md"), &md).unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_paiban"))
            .current_dir(d)
            .args([
                "build",
                "issue.md",
                "--pdf",
                "-o",
                "out",
                "--pdf-standard",
                bad,
            ])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "a usage error: {err}");
        assert!(err.contains("--pdf-standard") && err.contains(bad), "{err}");
    }
}

#[test]
fn the_style_file_names_the_standard() {
    if !have("pdfinfo") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let style = dir.path().join("s.toml");
    std::fs::write(&style, "pdf_standard = \"a-4\"\n").unwrap();
    let o = PdfOptions {
        style: Some(style.clone()),
        ..Default::default()
    };
    let pdf = render(dir.path(), &sample(), &o);
    assert!(pdfinfo(&pdf).contains("PDF version:     2.0"));
    // The standard is part of the engine's fingerprint: batch rebuilds when it changes.
    let fp = |o: &PdfOptions| PdfEngine::new(o).unwrap().fingerprint();
    assert_ne!(fp(&o), fp(&PdfOptions::default()));
    assert_ne!(fp(&PdfOptions::default()), fp(&opts("a4", Some("a-1b"))));
    std::fs::write(&style, "pdf_standard = \"b-2\"\n").unwrap();
    let e = PdfEngine::new(&o).err().unwrap().to_string();
    assert!(e.contains("s.toml") && e.contains("b-2"), "{e}");
}

/// Apache PDFBox Preflight (Debian `libpdfbox2-java`) on the PDF/A-1b sample. It reports
/// the outline's destinations as `1.2.3 Body Syntax error … can't convert to Destination`:
/// krilla writes each bookmark's `/Dest` as an indirect array, which ISO 32000-1 (12.3.2)
/// allows and PDFBox 2 does not resolve (it says the same of Typst's PDF/A-1b). Those,
/// one per bookmark, are the only errors allowed.
#[test]
fn pdfbox_preflight_passes_pdf_a_1b_but_for_its_destination_false_positive() {
    const JARS: &[&str] = &[
        "preflight",
        "pdfbox2",
        "fontbox2",
        "xmpbox",
        "commons-logging",
        "javax.activation",
        "jaxb-api",
    ];
    let jars: Vec<String> = JARS
        .iter()
        .map(|j| format!("/usr/share/java/{j}.jar"))
        .collect();
    let present = jars.iter().all(|j| Path::new(j).is_file());
    if !present {
        assert!(
            !std::env::var("CI").is_ok_and(|v| v == "true"),
            "PDFBox Preflight is required (CI=true) but not installed"
        );
        eprintln!("skipping: PDFBox Preflight is not installed");
        return;
    }
    if !have("java") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for input in [sample(), kitchen()] {
        let pdf = render(dir.path(), &input, &opts("a4", Some("a-1b")));
        let bookmarks = prepare(&input)
            .articles
            .iter()
            .map(|a| {
                1 + a
                    .blocks
                    .iter()
                    .filter(|b| matches!(b, Block::Section(_)))
                    .count()
            })
            .sum::<usize>();
        let o = Command::new("java")
            .arg("-cp")
            .arg(jars.join(":"))
            .arg("org.apache.pdfbox.preflight.Validator_A1b")
            .arg(&pdf)
            .output()
            .unwrap();
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        let errors: Vec<&str> = out.lines().filter(|l| l.contains(" : ")).collect();
        assert!(
            errors
                .iter()
                .all(|e| e.starts_with("1.2.3 : Body Syntax error")
                    && e.contains("can't convert to Destination")),
            "{}: {out}",
            input.display()
        );
        assert!(errors.len() <= bookmarks, "{}: {out}", input.display());
    }
}

#[test]
fn batch_takes_the_standard_too() {
    if !have("pdfinfo") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    std::fs::copy(kitchen(), input.join("kitchen.md")).unwrap();
    let out = dir.path().join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_paiban"))
        .arg("batch")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .args(["--format", "pdf", "--pdf-standard", "a-4"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(pdfinfo(&out.join("kitchen.pdf")).contains("PDF version:     2.0"));
}

/// Where a line breaks between two Latin words the layout drops the space; the tag tree's
/// text keeps it, so no two words run together for a screen reader or a search.
#[test]
fn words_broken_across_lines_stay_apart_in_the_text() {
    if !have("pdfinfo") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let text = "The quick brown fox jumps over the lazy dog again and again while the \
                typesetter keeps every word whole and the lines justified in a narrow column.";
    let md = dir.path().join("latin.md");
    std::fs::write(
        &md,
        format!("---\ndate: 2024-05-06\n---\n\n# Latin\n\n{text}\n"),
    )
    .unwrap();
    let pdf = render(dir.path(), &md, &opts("a4", None));
    let tree = struct_tree(&pdf);
    let para = tree
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("\"The quick"))
        .unwrap_or_else(|| panic!("{tree}"));
    let words: Vec<&str> = para.trim_matches('"').split_whitespace().collect();
    assert_eq!(words, text.split_whitespace().collect::<Vec<_>>(), "{tree}");
}
