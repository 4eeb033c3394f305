//! EPUB 3 backend: model → XHTML chapters, nav, cover and metadata, packaged with epub-builder.

use crate::error::{Error, Result};
use crate::model::Document;
use crate::Rendered;
use std::path::PathBuf;

#[derive(Debug, Clone, Default)]
pub struct EpubOptions {
    /// Replaces `styles/epub.css`.
    pub style_css: Option<PathBuf>,
    /// Embed a subset of the CJK font holding only the glyphs the issue uses.
    pub embed_font: bool,
}

/// Everything the EPUB backend loads once (style sheet, fonts) and reuses for every issue.
/// Shared across threads by `batch`.
pub struct EpubEngine {
    _opts: EpubOptions,
}

impl EpubEngine {
    pub fn new(opts: &EpubOptions) -> Result<Self> {
        Ok(EpubEngine {
            _opts: opts.clone(),
        })
    }

    /// A short hash of everything besides the document that changes the output
    /// (style sheet, font, options), for batch's incremental manifest.
    pub fn fingerprint(&self) -> String {
        String::new()
    }

    /// The EPUB file's bytes, and warnings (unsupported elements, …).
    pub fn render(&self, _doc: &Document) -> Result<Rendered> {
        Err(Error::Unavailable("the EPUB backend"))
    }
}
