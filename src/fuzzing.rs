//! Entry points for the fuzz targets in `fuzz/` and for the regression tests that replay
//! what they found (`tests/fuzz_regressions.rs`): one definition of what each target runs,
//! so a finding replays exactly. Each takes arbitrary bytes and must never panic, hang or
//! exhaust memory; errors are fine (they are the user-facing outcome for bad input).

use crate::epub::{EpubEngine, EpubOptions};
use crate::issue::Issue;
use crate::pdf::{PdfEngine, PdfOptions};
use crate::{normalize, prepare, PrepareOptions};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Where relative image paths of fuzz inputs resolve: a folder that does not exist, so an
/// input cannot pull files of the machine into the output.
const NOWHERE: &str = "/nonexistent/paiban-fuzz";

/// The normalizer on arbitrary UTF-8; then again on its own output (a second pass must
/// be as safe as the first).
pub fn normalize_bytes(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let opts = normalize::NormalizeOptions::default();
    let once = normalize::normalize(text, &opts);
    check_line_origin(&once);
    let twice = normalize::normalize(&once.text, &opts);
    check_line_origin(&twice);
}

fn check_line_origin(n: &normalize::Normalized) {
    // Every output line maps to an input line (the file:line of reports depends on it).
    assert!(
        n.line_origin.len() >= n.text.lines().count(),
        "line_origin has {} entries for {} lines",
        n.line_origin.len(),
        n.text.lines().count()
    );
}

/// Decoding, front matter and Markdown → model, without the normalizer.
pub fn markdown_bytes(data: &[u8]) {
    let _ = issue_from_bytes(data).and_then(|issue| {
        prepare(
            issue,
            &PrepareOptions {
                normalize: false,
                ..Default::default()
            },
        )
    });
}

/// The whole build of one issue, normalizer included, to EPUB and PDF bytes in memory.
pub fn build_bytes(data: &[u8]) {
    let (epub, pdf) = engines();
    let Ok(issue) = issue_from_bytes(data) else {
        return;
    };
    let Ok(prepared) = prepare(issue, &PrepareOptions::default()) else {
        return;
    };
    if let Ok(r) = epub.render(&prepared.document) {
        assert!(r.bytes.starts_with(b"PK"), "EPUB is not a zip");
    }
    if let Ok(r) = pdf.render(&prepared.document) {
        assert!(r.bytes.starts_with(b"%PDF-"), "PDF has no header");
    }
}

/// An image file as the PDF backend reads it (PNG decoded, JPEG header parsed): arbitrary
/// bytes must give an image or a reason, never a panic or a decompression bomb.
pub fn image_bytes(data: &[u8]) {
    if let Ok(img) = crate::pdf::image::PdfImage::from_bytes(data.to_vec()) {
        assert!(img.width > 0 && img.height > 0, "an image without pixels");
    }
}

/// An issue read from bytes as `issue::load` reads a file: decoding and front matter
/// with the same checks and errors.
fn issue_from_bytes(data: &[u8]) -> crate::Result<Issue> {
    let path = Path::new("fuzz.md");
    crate::issue::from_text(
        &crate::text_file::decode(data, path)?,
        path,
        PathBuf::from(NOWHERE),
    )
}

/// The default EPUB and PDF engines, loaded once per process (fonts are large).
fn engines() -> &'static (EpubEngine, PdfEngine) {
    static ENGINES: OnceLock<(EpubEngine, PdfEngine)> = OnceLock::new();
    ENGINES.get_or_init(|| {
        let epub = EpubEngine::new(&EpubOptions::default());
        let pdf = PdfEngine::new(&PdfOptions::default());
        match (epub, pdf) {
            (Ok(e), Ok(p)) => (e, p),
            (Err(e), _) | (_, Err(e)) => panic!("cannot load the default fonts and style: {e}"),
        }
    })
}
