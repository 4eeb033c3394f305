//! Characters the style's fonts cannot draw, and which system font the PDF will draw them
//! from. The font chain is the one the layout measures with and both the PDF and the OFD
//! draw from (`layout::chain`, reached through [`PdfEngine::glyph_gaps`]), so what `check`
//! promises is what `build` does.

use super::Finding;
use crate::diagnostics::Severity;
use crate::model::Document;
use crate::pdf::PdfEngine;

pub fn check_glyphs(doc: &Document, pdf: &PdfEngine) -> Vec<Finding> {
    pdf.glyph_gaps(doc)
        .into_iter()
        .map(|g| {
            let what = format!(
                "`{}` U+{:04X} ({} time{})",
                g.ch,
                g.ch as u32,
                g.count,
                if g.count == 1 { "" } else { "s" }
            );
            match g.fallback {
                Some((path, face)) => Finding::new(
                    Severity::Warning,
                    "missing-glyph",
                    g.first,
                    format!(
                        "{what} is not in the style's fonts; drawn from {} (face {face})",
                        path.display()
                    ),
                ),
                None => Finding::new(
                    Severity::Error,
                    "missing-glyph",
                    g.first,
                    format!("{what} is in no font on this system: it cannot be printed"),
                ),
            }
        })
        .collect()
}

/// What an OFD (`--ofd`) of the issue would refuse: fonts that may not be embedded.
pub fn check_ofd(doc: &Document, pdf: &PdfEngine) -> Vec<Finding> {
    pdf.unembeddable_fonts(doc)
        .into_iter()
        .map(|(path, first)| {
            Finding::new(
                Severity::Warning,
                "ofd-font-embedding",
                first,
                format!(
                    "{}: the font's licence forbids embedding; an OFD (--ofd, OFD-A embeds \
                     every font) would be refused",
                    path.display()
                ),
            )
        })
        .collect()
}
