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

/// Characters of an edition's text its regional face (Noto Serif CJK TC/HK) lacks: the PDF
/// draws them from the style's fonts, in their forms (the mainland's for the shipped SC).
pub fn check_regional(doc: &Document, face: &crate::fonts::FontFile, family: &str) -> Vec<Finding> {
    let Ok(f) = ttf_parser::Face::parse(&face.data, face.index) else {
        return Vec::new();
    };
    let mut counts: std::collections::BTreeMap<char, usize> = Default::default();
    let mut add = |s: &str| {
        for c in s.chars().filter(|c| !c.is_whitespace() && !c.is_control()) {
            *counts.entry(c).or_default() += 1;
        }
    };
    add(&doc.meta.title);
    add(doc.meta.newspaper.as_deref().unwrap_or(""));
    doc.pages
        .iter()
        .for_each(|p| add(p.name.as_deref().unwrap_or("")));
    for a in &doc.articles {
        let h = &a.headline;
        h.kicker
            .iter()
            .chain([&h.title])
            .chain(&h.subtitles)
            .for_each(|t| add(t));
        add(a.byline.as_deref().unwrap_or(""));
        for b in a
            .blocks
            .iter()
            .chain(a.footnotes.iter().flat_map(|f| &f.blocks))
        {
            add(&b.plain_text());
        }
    }
    counts
        .into_iter()
        .filter(|(c, _)| !crate::fonts::is_format(*c) && f.glyph_index(*c).is_none())
        .map(|(c, n)| {
            Finding::new(
                Severity::Warning,
                "regional-glyph",
                None,
                format!(
                    "`{c}` U+{:04X} ({n} time{}) is not in {family}: drawn from another font, in \
                     its forms",
                    c as u32,
                    if n == 1 { "" } else { "s" }
                ),
            )
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
