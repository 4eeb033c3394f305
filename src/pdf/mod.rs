//! PDF backend: model → lines and pages (pure layout) → PDF with printpdf.

use crate::error::{Error, Result};
use crate::model::Document;
use crate::Rendered;
use std::path::PathBuf;

#[derive(Debug, Clone, Default)]
pub struct PdfOptions {
    /// `a4`, `a5` or `b5`: a style preset from `styles/`.
    pub page: Option<String>,
    /// A style file (`.toml`) replacing the preset.
    pub style: Option<PathBuf>,
    /// A font file (TTF/OTF/TTC) for body text, replacing the default.
    pub font: Option<PathBuf>,
}

/// Everything the PDF backend loads once (style, fonts and their metrics) and reuses for
/// every issue. Shared across threads by `batch`.
pub struct PdfEngine {
    _opts: PdfOptions,
}

impl PdfEngine {
    pub fn new(opts: &PdfOptions) -> Result<Self> {
        Ok(PdfEngine {
            _opts: opts.clone(),
        })
    }

    /// A short hash of everything besides the document that changes the output
    /// (style, fonts, options), for batch's incremental manifest.
    pub fn fingerprint(&self) -> String {
        String::new()
    }

    /// The PDF file's bytes, and warnings (missing glyphs, …).
    pub fn render(&self, _doc: &Document) -> Result<Rendered> {
        Err(Error::Unavailable("the PDF backend"))
    }
}
