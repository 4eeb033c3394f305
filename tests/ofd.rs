//! The OFD edition (`--ofd`), checked by readers nobody here wrote: `sofd audit` (OFD-A
//! archival checks) and `sofd render` (sofd-cli, installed by `.ci/run` into
//! /opt/paiban-sofd), easyofd (PyPI, in /opt/paiban-easyofd) for the text, poppler for
//! the PDF it must match; plus what sofd's audit does not check, read from the package
//! here: unit IDs unique and within MaxUnitID, every font embedded and a subset, nothing
//! outside the container.

mod pdf_support;

use pdf_support::{have, run};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

const SAMPLES: [&str; 2] = ["content/wujin-2023-12-29.md", "content/shili-2023-04-11"];

/// A tool installed in a folder of its own; panics under CI when missing, else skips.
fn tool(path: &str) -> Option<PathBuf> {
    let p = PathBuf::from(path);
    if p.exists() {
        return Some(p);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("`{path}` is required (CI=true) but not installed (see .ci/run)");
    }
    eprintln!("skipping: `{path}` is not installed (see .ci/run)");
    None
}

fn sofd() -> Option<PathBuf> {
    tool("/opt/paiban-sofd/bin/sofd")
}

/// Builds `input` as PDF and OFD into `out`; returns (pdf, ofd).
fn build(input: &str, out: &Path) -> (PathBuf, PathBuf) {
    let o = Command::new(env!("CARGO_BIN_EXE_paiban"))
        .args(["build", input, "--pdf", "--ofd", "-o"])
        .arg(out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stem = Path::new(input)
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    (
        out.join(format!("{stem}.pdf")),
        out.join(format!("{stem}.ofd")),
    )
}

/// `sofd audit` finds no error (its only warning, ARCH-006, is that nothing is signed).
fn audit(sofd: &Path, ofd: &Path) {
    let o = Command::new(sofd).arg("audit").arg(ofd).output().unwrap();
    let report = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success() && !report.contains("[error]"),
        "{}: {report}{}",
        ofd.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    for line in report.lines().filter(|l| !l.trim().is_empty()) {
        assert!(line.starts_with("ARCH-006 "), "{}: {line}", ofd.display());
    }
}

/// Every entry of the package.
fn entries(ofd: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(ofd).unwrap()).unwrap();
    let mut out = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        out.insert(f.name().to_string(), bytes);
    }
    out
}

/// An element: local name, attributes, text.
type Element = (String, Vec<(String, String)>, String);

/// Every element of an XML document, in document order.
fn elements(xml: &[u8]) -> Vec<Element> {
    let text = std::str::from_utf8(xml).unwrap();
    let mut out: Vec<Element> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    for t in xmlparser::Tokenizer::from(text) {
        match t.unwrap() {
            xmlparser::Token::ElementStart { local, .. } => {
                out.push((local.to_string(), Vec::new(), String::new()));
                open.push(out.len() - 1);
            }
            xmlparser::Token::Attribute { local, value, .. } => {
                if let Some(&i) = open.last() {
                    out[i].1.push((local.to_string(), unescape(value.as_str())));
                }
            }
            xmlparser::Token::Text { text } => {
                if let Some(&i) = open.last() {
                    out[i].2.push_str(&unescape(text.as_str()));
                }
            }
            xmlparser::Token::ElementEnd { end, .. }
                if !matches!(end, xmlparser::ElementEnd::Open) =>
            {
                open.pop();
            }
            _ => {}
        }
    }
    out
}

/// The five predefined entities (all the writer uses) as characters.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// What sofd's audit does not check: IDs, font subsets, references.
fn package_checks(ofd: &Path) {
    let files = entries(ofd);
    let what = ofd.display();
    let mut ids = BTreeSet::new();
    let mut max_unit = 0u32;
    let mut fonts = Vec::new();
    let mut font_ids: BTreeMap<String, String> = BTreeMap::new();
    // Characters drawn with each font (objects without a CGTransform: those map through
    // the font's cmap).
    let mut drawn: BTreeMap<String, BTreeSet<char>> = BTreeMap::new();
    for (name, bytes) in files.iter().filter(|(n, _)| n.ends_with(".xml")) {
        for (el, attrs, text) in elements(bytes) {
            // Unit IDs: the `ID` of objects and resources (ObjectRef and the like refer).
            if let Some((_, v)) = attrs.iter().find(|(k, _)| k == "ID") {
                let id: u32 = v.parse().unwrap();
                assert!(
                    id > 0 && ids.insert(id),
                    "{what}: {name}: ID {id} twice or 0"
                );
            }
            if el == "MaxUnitID" {
                max_unit = text.trim().parse().unwrap();
            }
            if el == "Font" {
                let id = attrs.iter().find(|(k, _)| k == "ID").unwrap().1.clone();
                font_ids.insert(id, String::new());
            }
            if el == "FontFile" {
                let file = format!("Doc_0/Res/{}", text.trim());
                if let Some(last) = font_ids.values_mut().find(|v| v.is_empty()) {
                    *last = file.clone();
                }
                fonts.push(file);
            }
            let reference = matches!(
                el.as_str(),
                "DocRoot" | "PublicRes" | "FontFile" | "MediaFile" | "FileLoc" | "CustomTags"
            );
            for v in attrs
                .iter()
                .filter(|(k, _)| k == "BaseLoc")
                .map(|(_, v)| v.as_str())
                .chain(reference.then_some(text.trim()))
            {
                assert!(
                    !v.contains("://") && !v.starts_with('/') && !v.contains(".."),
                    "{what}: {name}: external reference {v}"
                );
            }
        }
    }
    for (name, bytes) in files.iter().filter(|(n, _)| n.ends_with("Content.xml")) {
        let mut font = String::new();
        let mut transformed = false;
        for (el, attrs, text) in elements(bytes) {
            match el.as_str() {
                "TextObject" => {
                    font = attrs.iter().find(|(k, _)| k == "Font").unwrap().1.clone();
                    transformed = false;
                }
                "CGTransform" => transformed = true,
                "TextCode" if !transformed => {
                    let set = drawn.entry(font.clone()).or_default();
                    set.extend(text.chars().filter(|c| !c.is_whitespace()));
                }
                _ => {}
            }
        }
        assert!(!font.is_empty(), "{what}: {name} has no text");
    }
    assert!(!ids.is_empty());
    assert!(
        ids.iter().all(|&id| id <= max_unit),
        "{what}: IDs above MaxUnitID {max_unit}: {:?}",
        ids.range(max_unit + 1..).collect::<Vec<_>>()
    );
    assert!(!fonts.is_empty(), "{what}: no font embedded");
    let full = std::fs::read("fonts/NotoSerifSC-Regular.otf").unwrap();
    let full_glyphs = ttf_parser::Face::parse(&full, 0)
        .unwrap()
        .number_of_glyphs();
    for f in &fonts {
        let bytes = files
            .get(f)
            .unwrap_or_else(|| panic!("{what}: font {f} not in the package"));
        let face = ttf_parser::Face::parse(bytes, 0).unwrap();
        // A subset: the glyphs of one issue, not the font's tens of thousands.
        assert!(
            face.number_of_glyphs() < 4000 && face.number_of_glyphs() < full_glyphs / 5,
            "{what}: {f} has {} glyphs: not a subset",
            face.number_of_glyphs()
        );
    }
    // Readers find a TextCode's glyphs through the subset's own cmap: every character
    // drawn with a font is in it.
    for (id, chars) in &drawn {
        let file = &font_ids[id];
        let face = ttf_parser::Face::parse(&files[file], 0).unwrap();
        let lost: String = chars
            .iter()
            .filter(|&&c| face.glyph_index(c).is_none())
            .collect();
        assert!(lost.is_empty(), "{what}: {file} has no glyph for {lost:?}");
    }
}

#[test]
fn samples_pass_sofd_audit_and_the_package_checks() {
    let Some(sofd) = sofd() else { return };
    let dir = tempfile::tempdir().unwrap();
    for s in SAMPLES {
        let (_, ofd) = build(s, dir.path());
        audit(&sofd, &ofd);
        package_checks(&ofd);
    }
}

#[test]
fn corpus_texts_pass_sofd_audit() {
    let Some(sofd) = sofd() else { return };
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    let mut n = 0;
    for e in std::fs::read_dir("tests/fixtures/corpus").unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".damaged.md") {
            std::fs::copy(&p, input.join(&name)).unwrap();
            n += 1;
        }
    }
    assert!(n >= 30, "{n} corpus texts");
    let out = dir.path().join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_paiban"))
        .args(["batch", "--format", "ofd", "-o"])
        .arg(&out)
        .arg(&input)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let ofds: Vec<PathBuf> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ofd"))
        .collect();
    assert_eq!(ofds.len(), n);
    // The OPDS feed offers each OFD as an acquisition link.
    let feed = std::fs::read_to_string(out.join("opds.xml")).unwrap();
    assert_eq!(
        feed.matches("type=\"application/ofd\"").count(),
        n,
        "{feed}"
    );
    for ofd in &ofds {
        audit(&sofd, ofd);
        package_checks(ofd);
    }
}

/// The text without white space (the OFD's TextCode keeps the PDF's word spaces, but
/// extractors differ on line ends).
fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn a_second_reader_gets_the_pdfs_text_in_order() {
    let Some(python) = tool("/opt/paiban-easyofd/bin/python") else {
        return;
    };
    if !have("pdftotext") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for s in SAMPLES {
        let (pdf, ofd) = build(s, dir.path());
        let o = Command::new(&python)
            .args(["-W", "ignore", "tests/ofd_support/easyofd_text.py"])
            .arg(&ofd)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let ofd_text = squeeze(&String::from_utf8(o.stdout).unwrap());
        // -raw: the content stream's order, which is the layout's, as the OFD's.
        let pdf_text = run("pdftotext", &["-raw", pdf.to_str().unwrap(), "-"]);
        let pdf_text = squeeze(&String::from_utf8(pdf_text.stdout).unwrap());
        assert!(pdf_text.chars().count() > 3000, "{s}");
        assert_eq!(ofd_text, pdf_text, "{s}");
    }
}

/// 8-bit gray samples of a PNG (any colour type, alpha over white).
fn gray(png_bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut d = png::Decoder::new(std::io::Cursor::new(png_bytes));
    d.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut r = d.read_info().unwrap();
    let mut buf = vec![0; r.output_buffer_size().unwrap()];
    let info = r.next_frame(&mut buf).unwrap();
    let ch = info.color_type.samples();
    let px = buf[..info.buffer_size()]
        .chunks(ch)
        .map(|p| {
            let (v, a) = match ch {
                1 => (f32::from(p[0]), 255.0),
                2 => (f32::from(p[0]), f32::from(p[1])),
                3 => (p.iter().map(|&c| f32::from(c)).sum::<f32>() / 3.0, 255.0),
                _ => (
                    p[..3].iter().map(|&c| f32::from(c)).sum::<f32>() / 3.0,
                    f32::from(p[3]),
                ),
            };
            (v * a / 255.0 + 255.0 * (1.0 - a / 255.0)).round() as u8
        })
        .collect();
    (info.width, info.height, px)
}

#[test]
fn ofd_pages_look_like_the_pdfs() {
    let Some(sofd) = sofd() else { return };
    if !have("pdftoppm") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (pdf, ofd) = build(SAMPLES[0], dir.path());
    let mut scores = Vec::new();
    for page in 0..3 {
        let png = dir.path().join(format!("ofd-{page}.png"));
        let o = Command::new(&sofd)
            .args(["render", "--dpi", "100", "-p", &page.to_string(), "-o"])
            .arg(&png)
            .arg(&ofd)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let (w, h, a) = gray(&std::fs::read(&png).unwrap());
        let n = (page + 1).to_string();
        let prefix = dir.path().join(format!("pdf-{page}"));
        let o = Command::new("pdftoppm")
            .args(["-r", "100", "-f", &n, "-l", &n, "-png", "-singlefile"])
            .arg(&pdf)
            .arg(&prefix)
            .output()
            .unwrap();
        assert!(o.status.success());
        let (w2, h2, b) = gray(&std::fs::read(prefix.with_extension("png")).unwrap());
        assert_eq!((w, h), (w2, h2), "page {page}: sizes differ");
        let diff: f64 = a
            .iter()
            .zip(&b)
            .map(|(&x, &y)| f64::from(x.abs_diff(y)))
            .sum();
        let similarity = 1.0 - diff / (255.0 * a.len() as f64);
        eprintln!("page {page}: similarity {similarity:.4} (1 - mean |OFD - PDF| / 255, 100 dpi)");
        scores.push(similarity);
    }
    for (page, s) in scores.iter().enumerate() {
        assert!(*s >= 0.95, "page {page}: similarity {s:.4}");
    }
}

#[test]
fn the_same_issue_gives_the_same_bytes() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let (_, x) = build(SAMPLES[1], a.path());
    let (_, y) = build(SAMPLES[1], b.path());
    assert_eq!(std::fs::read(x).unwrap(), std::fs::read(y).unwrap());
}

/// A copy of the shipped font whose OS/2 fsType says "restricted: no embedding".
fn restricted_font(dir: &Path) -> PathBuf {
    let mut b = std::fs::read("fonts/NotoSerifSC-Regular.otf").unwrap();
    let tables = usize::from(u16::from_be_bytes([b[4], b[5]]));
    let os2 = (0..tables)
        .map(|i| 12 + 16 * i)
        .find(|&r| &b[r..r + 4] == b"OS/2")
        .unwrap();
    let at = u32::from_be_bytes([b[os2 + 8], b[os2 + 9], b[os2 + 10], b[os2 + 11]]) as usize;
    b[at + 8..at + 10].copy_from_slice(&2u16.to_be_bytes());
    let path = dir.join("restricted.otf");
    std::fs::write(&path, b).unwrap();
    path
}

#[test]
fn a_font_that_forbids_embedding_is_refused_by_name_and_check_predicts_it() {
    let dir = tempfile::tempdir().unwrap();
    let font = restricted_font(dir.path());
    let out = dir.path().join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_paiban"))
        .args(["build", SAMPLES[0], "--epub", "--ofd", "--font"])
        .arg(&font)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "{err}");
    assert!(
        err.contains(&format!("{}: the OFD cannot meet OFD-A", font.display())),
        "{err}"
    );
    // Nothing half-made: the EPUB of the same build is not written either.
    assert!(!out.join("wujin-2023-12-29.ofd").exists());
    assert!(!out.join("wujin-2023-12-29.epub").exists());
    let c = Command::new(env!("CARGO_BIN_EXE_paiban"))
        .args(["check", SAMPLES[0], "--font"])
        .arg(&font)
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&c.stdout),
        String::from_utf8_lossy(&c.stderr)
    );
    assert!(said.contains("ofd-font-embedding"), "{said}");
    assert!(said.contains("restricted.otf"), "{said}");
}
