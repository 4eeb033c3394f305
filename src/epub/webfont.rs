//! Font subsets: the web font for `--embed-font` and the cover's few glyphs.
//!
//! Each subset keeps a Unicode cmap (`crate::font_subset`): a web font needs it (reading
//! systems look glyphs up by character), and fontdue rasterizes the cover by character.

use super::EpubError;
use crate::model::{Block, Document, HeadlineGroup};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A font file mapped once (batch reuses it for every issue). Mapped, not read: a CJK face
/// is 7–27 MB (a system collection), of which a subset touches little.
pub struct FontFile {
    pub path: PathBuf,
    /// The face's index in a collection (TTC); 0 for a single font.
    pub index: u32,
    pub data: crate::fonts::FontBytes,
    pub digest: [u8; 32],
}

impl FontFile {
    /// Face `index` of a font collection (or of a single font, index 0).
    pub fn open_face(path: &Path, index: u32) -> Result<Self, EpubError> {
        let bad = |message: String| EpubError::Font {
            path: path.to_path_buf(),
            message,
        };
        let file = std::fs::File::open(path).map_err(|e| bad(e.to_string()))?;
        // SAFETY: read-only and kept as long as the FontFile, as in `fonts::FontFile::load`;
        // fonts are not edited in place while paiban runs.
        let data = match unsafe { memmap2::Mmap::map(&file) } {
            Ok(m) => crate::fonts::FontBytes::Mapped(m),
            Err(_) => {
                crate::fonts::FontBytes::Owned(std::fs::read(path).map_err(|e| bad(e.to_string()))?)
            }
        };
        ttf_parser::Face::parse(&data, index).map_err(|e| bad(e.to_string()))?;
        // The face's identity: its tables' tags, lengths and checksums (each table's sum
        // of its bytes), not a hash of every byte — a collection is 27 MB, one face's
        // table directory a few hundred bytes.
        let raw = ttf_parser::RawFace::parse(&data, index).map_err(|e| bad(e.to_string()))?;
        let mut h = blake3::Hasher::new();
        h.update(&(data.len() as u64).to_le_bytes());
        h.update(&index.to_le_bytes());
        for r in raw.table_records {
            h.update(&r.tag.to_bytes());
            h.update(&r.check_sum.to_le_bytes());
            h.update(&r.length.to_le_bytes());
        }
        let digest = *h.finalize().as_bytes();
        Ok(FontFile {
            path: path.to_path_buf(),
            index,
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
        let face =
            ttf_parser::Face::parse(&self.data, self.index).map_err(|e| bad(e.to_string()))?;
        let mapped: Vec<(char, u16)> = chars
            .iter()
            .filter_map(|&c| face.glyph_index(c).map(|g| (c, g.0)))
            .collect();
        let mut gids: Vec<u16> = std::iter::once(0)
            .chain(mapped.iter().map(|&(_, g)| g))
            .collect();
        gids.sort_unstable();
        gids.dedup();
        crate::font_subset::with_cmap(&self.data, self.index, &face, &gids, &mapped).map_err(bad)
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

/// The `--embed-font` subset for this issue: (file name, bytes), named after `family`
/// (`NotoSerifSC-subset.otf`, `NotoSerifTC-subset.otf`).
pub fn subset_for(
    doc: &Document,
    font: &FontFile,
    family: &str,
) -> Result<(String, Vec<u8>), EpubError> {
    let bytes = font.subset(&document_chars(doc))?;
    Ok((format!("NotoSerif{family}-subset.otf"), bytes))
}

/// The style sheet with the embedded font declared first and made the body font. Readers
/// that let the user pick a font still can: nothing is `!important`.
pub fn with_font_face(css: &[u8], name: &str, family: &str) -> Vec<u8> {
    let mut out = format!(
        "@font-face {{\n  font-family: \"Paiban Serif {family}\";\n  font-style: normal;\n  \
         font-weight: normal;\n  src: url(\"fonts/{name}\");\n}}\n\
         body {{ font-family: \"Paiban Serif {family}\", serif; }}\n\n"
    )
    .into_bytes();
    out.extend_from_slice(css);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subset_maps_just_the_characters_asked_for() {
        let path = crate::fonts::fonts_dir().join("NotoSerifSC-Regular.otf");
        let font = FontFile::open_face(&path, 0).expect("the shipped font opens");
        let full = ttf_parser::Face::parse(&font.data, 0).expect("face");
        let chars: BTreeSet<char> = ['国', '家', 'A', '\u{10FFFD}'].into_iter().collect();
        let sub = font.subset(&chars).expect("subset");
        let face = ttf_parser::Face::parse(&sub, 0).expect("the subset parses");
        // The three the font has, each to a glyph of the same advance as in the full font;
        // nothing else (the full font maps tens of thousands).
        let mut mapped = Vec::new();
        for t in face.tables().cmap.expect("cmap").subtables {
            t.codepoints(|c| mapped.push(c));
        }
        mapped.sort_unstable();
        mapped.dedup();
        assert_eq!(mapped, vec!['A' as u32, '国' as u32, '家' as u32]);
        for c in ['国', '家', 'A'] {
            let g = face.glyph_index(c).expect("mapped");
            let f = full.glyph_index(c).expect("in the font");
            assert_eq!(face.glyph_hor_advance(g), full.glyph_hor_advance(f), "{c}");
        }
        assert_eq!(face.number_of_glyphs(), 4, ".notdef and the three");
    }
}
