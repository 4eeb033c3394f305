//! EPUB 3 backend: model → XHTML chapters, nav, cover and metadata, packaged with epub-builder.

use crate::error::{Error, Result};
use crate::model::Document;
use std::path::PathBuf;

#[derive(Debug, Clone, Default)]
pub struct EpubOptions {
    /// Replaces `styles/epub.css`.
    pub style_css: Option<PathBuf>,
    /// Embed a subset of the CJK font holding only the glyphs the issue uses.
    pub embed_font: bool,
}

/// The EPUB file's bytes.
pub fn write(_doc: &Document, _opts: &EpubOptions) -> Result<Vec<u8>> {
    Err(Error::Unavailable("the EPUB backend"))
}
