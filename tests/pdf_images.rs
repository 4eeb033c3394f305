//! Figures in the PDF, read back with real tools: `pdfimages -list` shows each image at
//! its pixel size (PNG decoded, with alpha as a soft mask; JPEG as DCT), an image used
//! twice is embedded once, `qpdf --check` passes, `pdftotext` has the captions, the page
//! renders the image's colours just above its caption, and two builds are byte-identical.
//! An image the PDF cannot hold keeps its caption, with a warning naming file:line.
//! A missing tool fails the test when `CI=true`; otherwise the test says so and skips.

mod pdf_support;

use pdf_support::{have, pnm, run};
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(p)
}

fn have_all() -> bool {
    ["pdfimages", "qpdf", "pdftotext", "pdftoppm"]
        .iter()
        .all(|t| have(t))
}

const HEAD: &str = "---\nnewspaper: 图片日报\ndate: 2024-05-06\n---\n\n# 图片新闻\n\n";

/// Builds `md` (written as `issue.md` in `dir`) with the real binary into `out`; returns
/// the PDF's path and what the binary printed on stderr.
fn build(dir: &Path, md: &str, out: &str) -> (PathBuf, String) {
    std::fs::write(dir.join("issue.md"), md).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_paiban"))
        .current_dir(dir)
        .args(["build", "issue.md", "--pdf", "-o", out])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "{err}");
    (dir.join(out).join("issue.pdf"), err)
}

/// `pdfimages -list` rows: (page, type, width, height, color, enc, object id).
fn images(pdf: &Path) -> Vec<(String, String, u32, u32, String, String, String)> {
    let o = run("pdfimages", &["-list", pdf.to_str().unwrap()]);
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .skip(2)
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (
                f[0].to_string(),
                f[2].to_string(),
                f[3].parse().unwrap(),
                f[4].parse().unwrap(),
                f[5].to_string(),
                f[8].to_string(),
                f[10].to_string(),
            )
        })
        .collect()
}

fn text(pdf: &Path) -> String {
    let o = run("pdftotext", &["-raw", pdf.to_str().unwrap(), "-"]);
    String::from_utf8_lossy(&o.stdout)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

fn qpdf_ok(pdf: &Path) {
    let o = Command::new("qpdf")
        .arg("--check")
        .arg(pdf)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
}

/// The top edge (in points) of the first word containing `needle` on page 1.
fn word_top(pdf: &Path, needle: &str) -> f32 {
    let o = run(
        "pdftotext",
        &["-bbox", "-f", "1", "-l", "1", pdf.to_str().unwrap(), "-"],
    );
    let html = String::from_utf8_lossy(&o.stdout).into_owned();
    let line = html
        .lines()
        .find(|l| l.contains("<word") && l.contains(needle))
        .unwrap_or_else(|| panic!("`{needle}` not found in\n{html}"));
    let at = line.find("yMin=\"").unwrap() + 6;
    line[at..].split('"').next().unwrap().parse().unwrap()
}

/// Rows (at 72 dpi: points) of page 1 holding strongly red pixels: only the test images
/// are red, the text is black.
fn red_rows(pdf: &Path, dir: &Path) -> Vec<usize> {
    let prefix = dir.join("page");
    run(
        "pdftoppm",
        &[
            "-r",
            "72",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            pdf.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    let ppm = std::fs::read(dir.join("page.ppm")).unwrap();
    let (w, _, px) = pnm(&ppm);
    let mut rows: Vec<usize> = px
        .chunks_exact(3)
        .enumerate()
        .filter(|(_, p)| p[0] > 180 && p[1] < 90 && p[2] < 90)
        .map(|(i, _)| i / w)
        .collect();
    rows.dedup();
    rows
}

/// The image is drawn just above its caption (red rows in the band over it).
fn image_above(pdf: &Path, dir: &Path, caption: &str) {
    let rows = red_rows(pdf, dir);
    let top = word_top(pdf, caption);
    assert!(
        rows.iter()
            .any(|&r| (r as f32) < top && r as f32 >= top - 40.0),
        "no image pixels just above the caption at {top}: red rows {rows:?}"
    );
}

/// An RGBA PNG: blue with a transparent left half (needs a soft mask).
fn rgba_png(path: &Path) {
    let (w, h) = (20u32, 10u32);
    let mut data = Vec::new();
    for _ in 0..h {
        for x in 0..w {
            data.extend_from_slice(&[0, 0, 220, if x < w / 2 { 0 } else { 255 }]);
        }
    }
    let mut out = Vec::new();
    let mut e = png::Encoder::new(&mut out, w, h);
    e.set_color(png::ColorType::Rgba);
    e.set_depth(png::BitDepth::Eight);
    let mut wr = e.write_header().unwrap();
    wr.write_image_data(&data).unwrap();
    wr.finish().unwrap();
    std::fs::write(path, out).unwrap();
}

#[test]
fn png_images_are_placed_once_each_and_with_their_captions() {
    if !have_all() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(fixture("epub/chequer.png"), d.join("chequer.png")).unwrap();
    std::fs::copy(fixture("epub/chequer.png"), d.join("same.png")).unwrap();
    rgba_png(&d.join("alpha.png"));
    let md = format!(
        "{HEAD}第一段正文，图片在下面。\n\n![棋盘图注](chequer.png)\n\n\
         第二段正文。\n\n![同一张图](chequer.png)\n\n![内容相同的另一个文件](same.png)\n\n\
         ![半透明图](alpha.png)\n\n最后一段正文。\n"
    );
    let (pdf, err) = build(d, &md, "a");
    assert!(!err.contains("warning"), "{err}");
    qpdf_ok(&pdf);
    let list = images(&pdf);
    // chequer.png three times, one object; alpha.png with its soft mask.
    let chequer: Vec<_> = list.iter().filter(|i| (i.2, i.3) == (48, 32)).collect();
    assert_eq!(chequer.len(), 3, "{list:?}");
    // PDF/A: colours are device-independent (ICC-based sRGB), not DeviceRGB.
    assert!(chequer
        .iter()
        .all(|i| i.1 == "image" && i.4 == "icc" && i.6 == chequer[0].6));
    let alpha: Vec<_> = list.iter().filter(|i| (i.2, i.3) == (20, 10)).collect();
    let kinds: Vec<&str> = alpha.iter().map(|i| i.1.as_str()).collect();
    assert_eq!(kinds, ["image", "smask"], "{list:?}");
    // PDF/A-2u, the default, allows soft masks; the file is PDF 1.7.
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-1.7"));
    let t = text(&pdf);
    let mut at = 0;
    for want in [
        "第一段正文",
        "棋盘图注",
        "第二段正文",
        "同一张图",
        "内容相同的另一个文件",
        "半透明图",
        "最后一段正文",
    ] {
        match t[at..].find(want) {
            Some(i) => at += i + want.len(),
            None => panic!("`{want}` missing or out of order in:\n{t}"),
        }
    }
    image_above(&pdf, d, "棋盘图注");
    let (again, _) = build(d, &md, "b");
    assert!(
        std::fs::read(&pdf).unwrap() == std::fs::read(&again).unwrap(),
        "two builds differ"
    );
}

#[test]
fn jpeg_images_go_in_as_they_are() {
    if !have_all() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(fixture("pdf/photo.jpg"), d.join("photo.jpg")).unwrap();
    let md = format!("{HEAD}正文一段。\n\n![照片说明](photo.jpg)\n\n正文又一段。\n");
    let (pdf, err) = build(d, &md, "a");
    assert!(!err.contains("warning"), "{err}");
    qpdf_ok(&pdf);
    let list = images(&pdf);
    assert_eq!(list.len(), 1, "{list:?}");
    let i = &list[0];
    assert_eq!((i.1.as_str(), i.2, i.3), ("image", 72, 48), "{list:?}");
    assert_eq!((i.4.as_str(), i.5.as_str()), ("icc", "jpeg"), "{list:?}");
    // The JPEG's bytes are in the file unchanged.
    let jpeg = std::fs::read(fixture("pdf/photo.jpg")).unwrap();
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.windows(jpeg.len()).any(|w| w == jpeg));
    assert!(text(&pdf).contains("照片说明"));
    image_above(&pdf, d, "照片说明");
    let (again, _) = build(d, &md, "b");
    assert!(bytes == std::fs::read(&again).unwrap(), "two builds differ");
}

#[test]
fn images_the_pdf_cannot_hold_keep_their_caption_with_a_warning() {
    if !have_all() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(fixture("epub/not-an-image.png"), d.join("not-an-image.png")).unwrap();
    std::fs::copy(fixture("epub/seal.svg"), d.join("seal.svg")).unwrap();
    std::fs::write(d.join("broken.png"), b"\x89PNG\r\n\x1a\nnot really").unwrap();
    let md = format!(
        "{HEAD}正文。\n\n![假图片说明](not-an-image.png)\n\n![矢量图说明](seal.svg)\n\n\
         ![坏图说明](broken.png)\n"
    );
    let (pdf, err) = build(d, &md, "a");
    qpdf_ok(&pdf);
    for (line, src, why) in [
        (10, "not-an-image.png", "only PNG and JPEG"),
        (12, "seal.svg", "SVG is not supported"),
        (14, "broken.png", "not a valid PNG"),
    ] {
        let want = format!("issue.md:{line}: warning: image `{src}` is not placed in the PDF");
        let hit = err.lines().find(|l| l.contains(&want));
        assert!(
            hit.is_some_and(|l| l.contains(why)),
            "{want} … {why}\n{err}"
        );
    }
    assert!(images(&pdf).is_empty());
    let t = text(&pdf);
    for c in ["假图片说明", "矢量图说明", "坏图说明"] {
        assert!(t.contains(c), "{c} missing in {t}");
    }
}
