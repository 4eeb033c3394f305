//! Font subsets: the web font for `--embed-font` and the cover's few glyphs.
//!
//! allsorts keeps a Unicode cmap in the subset, which a web font needs (reading systems
//! look glyphs up by character) and which lets fontdue rasterize the cover by character.

use super::EpubError;
use crate::model::{Block, Document, HeadlineGroup};
use allsorts::binary::read::ReadScope;
use allsorts::font_data::FontData;
use allsorts::subset::{subset, CmapTarget, SubsetProfile};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A font file read once and kept in memory (batch reuses it for every issue).
pub struct FontFile {
    pub path: PathBuf,
    pub data: Vec<u8>,
    pub digest: [u8; 32],
}

impl FontFile {
    pub fn open(path: &Path) -> Result<Self, EpubError> {
        let bad = |message: String| EpubError::Font {
            path: path.to_path_buf(),
            message,
        };
        let data = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
        ttf_parser::Face::parse(&data, 0).map_err(|e| bad(e.to_string()))?;
        // blake3, not SHA-256: a fingerprint, not a signature, and 7–9 MB a font made
        // SHA-256 a seventh of a one-issue `build`.
        let digest = blake3::hash(&data).into();
        Ok(FontFile {
            path: path.to_path_buf(),
            data,
            digest,
        })
    }

    /// A font holding only the glyphs of `chars` (those the font has), with a Unicode cmap.
    pub fn subset(&self, chars: &BTreeSet<char>) -> Result<Vec<u8>, EpubError> {
        let bad = |message: String| EpubError::Font {
            path: self.path.clone(),
            message,
        };
        let face = ttf_parser::Face::parse(&self.data, 0).map_err(|e| bad(e.to_string()))?;
        let mut gids: Vec<u16> = std::iter::once(0)
            .chain(
                chars
                    .iter()
                    .filter_map(|&c| face.glyph_index(c).map(|g| g.0)),
            )
            .collect();
        gids.sort_unstable();
        gids.dedup();
        let font = ReadScope::new(&self.data)
            .read::<FontData<'_>>()
            .map_err(|e| bad(e.to_string()))?;
        let provider = font.table_provider(0).map_err(|e| bad(e.to_string()))?;
        subset(
            &provider,
            &gids,
            &SubsetProfile::Minimal,
            CmapTarget::Unicode,
        )
        .map_err(|e| bad(format!("subsetting failed: {e}")))
    }
}

/// Every character the EPUB's text shows: headlines, bylines, body, footnotes, plus ASCII
/// (footnote numbers, the navigation's digits).
pub fn document_chars(doc: &Document) -> BTreeSet<char> {
    let mut set: BTreeSet<char> = (' '..='~').collect();
    let mut add = |s: &str| set.extend(s.chars().filter(|c| !c.is_control()));
    add(&doc.meta.title);
    add(doc.meta.newspaper.as_deref().unwrap_or(""));
    add("目录封面");
    let head = |h: &HeadlineGroup, add: &mut dyn FnMut(&str)| {
        add(h.kicker.as_deref().unwrap_or(""));
        add(&h.title);
        h.subtitles.iter().for_each(|s| add(s));
    };
    for a in &doc.articles {
        head(&a.headline, &mut add);
        add(a.byline.as_deref().unwrap_or(""));
        for b in a
            .blocks
            .iter()
            .chain(a.footnotes.iter().flat_map(|f| &f.blocks))
        {
            if let Block::Section(h) = b {
                head(h, &mut add);
            } else {
                add(&b.plain_text());
            }
        }
    }
    set
}

/// The `--embed-font` subset for this issue: (file name, bytes).
pub fn subset_for(doc: &Document, font: &FontFile) -> Result<(String, Vec<u8>), EpubError> {
    let bytes = font.subset(&document_chars(doc))?;
    Ok(("NotoSerifSC-subset.otf".to_string(), bytes))
}

/// The style sheet with the embedded font declared first and made the body font. Readers
/// that let the user pick a font still can: nothing is `!important`.
pub fn with_font_face(css: &[u8], name: &str) -> Vec<u8> {
    let mut out = format!(
        "@font-face {{\n  font-family: \"Paiban Serif SC\";\n  font-style: normal;\n  \
         font-weight: normal;\n  src: url(\"fonts/{name}\");\n}}\n\
         body {{ font-family: \"Paiban Serif SC\", serif; }}\n\n"
    )
    .into_bytes();
    out.extend_from_slice(css);
    out
}
