//! PDF backend: model → lines and pages (pure layout) → PDF with printpdf.

use crate::error::{Error, Result};
use crate::model::Document;
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

/// The PDF file's bytes.
pub fn write(_doc: &Document, _opts: &PdfOptions) -> Result<Vec<u8>> {
    Err(Error::Unavailable("the PDF backend"))
}
