//! The font set: where the shipped fonts live, loading and checking font files, and
//! metrics and coverage read lazily with `ttf-parser` (cmap and advances in microseconds;
//! fontdue would decode every outline of a CJK font at load, 0.3–1 s and ~300 MB).

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// The folder holding paiban's fonts: `$PAIBAN_FONTS`, else `fonts/` beside the executable's
/// install prefix, else the `fonts/` of the source tree this binary was built from.
pub fn fonts_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("PAIBAN_FONTS") {
        return PathBuf::from(dir);
    }
    if let Ok(exe) = std::env::current_exe() {
        for anc in exe.ancestors().skip(1).take(3) {
            let d = anc.join("fonts");
            if d.join("OFL.txt").is_file() {
                return d;
            }
        }
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fonts")
}

/// The folder holding the shipped styles (`styles/`), found like `fonts_dir`.
pub fn styles_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("PAIBAN_STYLES") {
        return PathBuf::from(dir);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("styles")
}

/// System fonts tried, in order, for characters none of the style's fonts has
/// (face index in a collection: 2 is Simplified Chinese in Noto CJK).
pub const SYSTEM_FALLBACKS: &[(&str, u32)] = &[
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    (
        "/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf",
        0,
    ),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 0),
];

#[derive(Debug, thiserror::Error)]
pub enum FontError {
    #[error("{path}: cannot read font: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not a usable font (TTF/OTF/TTC): {reason}")]
    Invalid { path: PathBuf, reason: String },
}

/// A font file's bytes: mapped from disk (a CJK font is 7–25 MB, of which one document
/// touches a few hundred KB), or owned when mapping is not possible.
pub enum FontBytes {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl std::ops::Deref for FontBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            FontBytes::Mapped(m) => m,
            FontBytes::Owned(v) => v,
        }
    }
}

impl std::fmt::Debug for FontBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FontBytes({} bytes)", self.len())
    }
}

/// One face of a font file, its bytes held in memory and checked to be complete.
#[derive(Debug)]
pub struct FontFile {
    pub path: PathBuf,
    pub index: u32,
    pub data: FontBytes,
    /// PostScript name (for the PDF), else the file stem.
    pub name: String,
    pub units_per_em: u16,
    pub ascender: i16,
    pub descender: i16,
}

impl FontFile {
    pub fn load(path: &Path, index: u32) -> Result<FontFile, FontError> {
        let io = |source| FontError::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = std::fs::File::open(path).map_err(io)?;
        // SAFETY: the map is read-only and lives as long as the FontFile. A font file
        // changed or truncated by another program while paiban runs could make reads
        // fault, as with every renderer that maps fonts; fonts are not edited in place.
        let data = match unsafe { memmap2::Mmap::map(&file) } {
            Ok(m) => FontBytes::Mapped(m),
            Err(_) => FontBytes::Owned(std::fs::read(path).map_err(io)?),
        };
        FontFile::from_data(data, path, index)
    }

    pub fn from_bytes(data: Vec<u8>, path: &Path, index: u32) -> Result<FontFile, FontError> {
        FontFile::from_data(FontBytes::Owned(data), path, index)
    }

    fn from_data(data: FontBytes, path: &Path, index: u32) -> Result<FontFile, FontError> {
        let invalid = |reason: String| FontError::Invalid {
            path: path.to_path_buf(),
            reason,
        };
        let raw = ttf_parser::RawFace::parse(&data, index).map_err(|e| invalid(e.to_string()))?;
        // A truncated file still has its table directory: check every table lies inside.
        for rec in raw.table_records {
            let end = u64::from(rec.offset) + u64::from(rec.length);
            if end > data.len() as u64 {
                return Err(invalid(format!(
                    "table `{}` ends at byte {end} but the file has {} bytes (truncated?)",
                    rec.tag,
                    data.len()
                )));
            }
        }
        let face = ttf_parser::Face::parse(&data, index).map_err(|e| invalid(e.to_string()))?;
        let tables = face.tables();
        if tables.cff.is_none() && tables.glyf.is_none() && tables.cff2.is_none() {
            return Err(invalid("no glyph outlines (neither CFF nor glyf)".into()));
        }
        if tables.hmtx.is_none() {
            return Err(invalid("no horizontal metrics (hmtx)".into()));
        }
        if face.glyph_index('0').is_none() && face.glyph_index('一').is_none() {
            return Err(invalid("no Unicode character map".into()));
        }
        let name = face
            .names()
            .into_iter()
            .filter(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
            .find_map(|n| n.to_string())
            .filter(|n| !n.is_empty() && n.is_ascii())
            .unwrap_or_else(|| {
                path.file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "Font".into())
            });
        let (upem, asc, desc) = (face.units_per_em(), face.ascender(), face.descender());
        Ok(FontFile {
            path: path.to_path_buf(),
            index,
            name,
            units_per_em: upem,
            ascender: asc,
            descender: desc,
            data,
        })
    }

    /// The parsed face (cheap: reads the table directory only).
    pub fn face(&self) -> Option<ttf_parser::Face<'_>> {
        ttf_parser::Face::parse(&self.data, self.index).ok()
    }
}

/// A font file that is loaded the first time a character needs it.
#[derive(Debug)]
pub struct FontSlot {
    pub path: PathBuf,
    pub index: u32,
    /// Style fonts must load; system fallbacks may be absent.
    pub required: bool,
    cell: OnceLock<Option<Arc<FontFile>>>,
}

impl FontSlot {
    pub fn new(path: PathBuf, index: u32, required: bool) -> Self {
        FontSlot {
            path,
            index,
            required,
            cell: OnceLock::new(),
        }
    }

    /// Loads now, reporting why it failed.
    pub fn load_now(&self) -> Result<(), FontError> {
        if self.cell.get().is_some() {
            return Ok(());
        }
        let f = FontFile::load(&self.path, self.index)?;
        // Another thread may have loaded it meanwhile; either copy will do.
        let _ = self.cell.set(Some(Arc::new(f)));
        Ok(())
    }

    /// The font, if it loads (a failing optional font is remembered as absent).
    pub fn get(&self) -> Option<&Arc<FontFile>> {
        self.cell
            .get_or_init(|| FontFile::load(&self.path, self.index).ok().map(Arc::new))
            .as_ref()
    }
}

/// Resolves a style's font name: a bare file name is looked up in `fonts_dir()`.
pub fn resolve_font_path(p: &Path) -> PathBuf {
    if p.components().count() == 1 && !p.exists() {
        fonts_dir().join(p)
    } else {
        p.to_path_buf()
    }
}

/// Where a character's glyph comes from: a slot of the font set, its glyph id and advance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GlyphRef {
    pub font: usize,
    pub gid: u16,
    /// Advance in ems.
    pub advance: f32,
}

/// Parsed faces of a font set, borrowed for the length of one render.
pub struct Faces<'a> {
    slots: &'a [FontSlot],
    faces: Vec<OnceLock<Option<ttf_parser::Face<'a>>>>,
}

impl<'a> Faces<'a> {
    pub fn new(slots: &'a [FontSlot]) -> Self {
        Faces {
            slots,
            faces: slots.iter().map(|_| OnceLock::new()).collect(),
        }
    }

    fn face(&self, i: usize) -> Option<&ttf_parser::Face<'a>> {
        let slot: &'a FontSlot = self.slots.get(i)?;
        self.faces
            .get(i)?
            .get_or_init(|| slot.get().and_then(|f| f.face()))
            .as_ref()
    }

    /// A glyph's advance and the font's units per em, in font units (the PDF writer
    /// needs the exact integers its `/W` widths are computed from).
    pub fn units(&self, slot: usize, gid: u16) -> Option<(u16, u16)> {
        let face = self.face(slot)?;
        let adv = face
            .glyph_hor_advance(ttf_parser::GlyphId(gid))
            .unwrap_or(0);
        Some((adv, face.units_per_em()))
    }

    /// The glyph that stands in for `c` (glyph `gid` of font `slot`) in vertical lines:
    /// the font's OpenType `vert` substitute, else the glyph of `c`'s vertical
    /// presentation form (U+FE10–FE19, U+FE30–FE4F) in the same font — the shipped
    /// subsets keep those and no layout features — else `gid` itself. Only the glyph
    /// changes; the text stays the original character (`、`, not `︑`).
    pub fn vertical(&self, slot: usize, gid: u16, c: char) -> u16 {
        let Some(face) = self.face(slot) else {
            return gid;
        };
        vert_substitute(face, ttf_parser::GlyphId(gid))
            .or_else(|| crate::cjk::vertical_form(c).and_then(|v| face.glyph_index(v)))
            .map_or(gid, |g| g.0)
    }

    /// The first font of `chain` (slot indices) that has `c`.
    pub fn lookup(&self, chain: &[usize], c: char) -> Option<GlyphRef> {
        chain.iter().find_map(|&i| {
            let face = self.face(i)?;
            let gid = face.glyph_index(c)?;
            let upem = f32::from(face.units_per_em().max(1));
            let adv = face.glyph_hor_advance(gid).unwrap_or(0);
            Some(GlyphRef {
                font: i,
                gid: gid.0,
                advance: f32::from(adv) / upem,
            })
        })
    }
}

/// The faces an edition is drawn with before the style's own fonts: a regional face (Noto
/// Serif CJK TC or HK, shipped in `fonts/`), regular and bold, and its CSS family name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionalFaces {
    pub regular: (PathBuf, u32),
    pub bold: (PathBuf, u32),
    pub family: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_fonts_load_with_cjk_advances() {
        let slots = vec![FontSlot::new(
            fonts_dir().join("NotoSerifSC-Regular.otf"),
            0,
            true,
        )];
        slots[0].load_now().unwrap();
        let faces = Faces::new(&slots);
        let g = faces.lookup(&[0], '中').unwrap();
        assert_eq!(g.advance, 1.0);
        assert!(faces.lookup(&[0], '\u{E000}').is_none());
    }

    #[test]
    fn vertical_forms_come_from_the_font() {
        let slots = vec![FontSlot::new(
            fonts_dir().join("NotoSerifSC-Regular.otf"),
            0,
            true,
        )];
        slots[0].load_now().unwrap();
        let faces = Faces::new(&slots);
        let gid = |c| faces.lookup(&[0], c).unwrap().gid;
        // `、` and `（` turn to the glyphs of their vertical presentation forms; hanzi stay.
        assert_eq!(faces.vertical(0, gid('、'), '、'), gid('\u{FE11}'));
        assert_eq!(faces.vertical(0, gid('（'), '（'), gid('\u{FE35}'));
        assert_eq!(faces.vertical(0, gid('—'), '—'), gid('\u{FE31}'));
        assert_eq!(faces.vertical(0, gid('中'), '中'), gid('中'));
    }

    #[test]
    fn truncated_and_bogus_fonts_are_errors_naming_the_file() {
        let data = std::fs::read(fonts_dir().join("NotoSerifSC-Bold.otf")).unwrap();
        let cut = data[..data.len() / 3].to_vec();
        let e = FontFile::from_bytes(cut, Path::new("cut.otf"), 0).unwrap_err();
        assert!(e.to_string().contains("cut.otf"), "{e}");
        let e = FontFile::from_bytes(b"hello".to_vec(), Path::new("x.ttf"), 0).unwrap_err();
        assert!(e.to_string().contains("x.ttf"), "{e}");
    }
}

/// `vert` of the Han script's default language system (else of the font's first `vert`
/// feature) applied to one glyph.
fn vert_substitute(
    face: &ttf_parser::Face<'_>,
    gid: ttf_parser::GlyphId,
) -> Option<ttf_parser::GlyphId> {
    use ttf_parser::gsub::{SingleSubstitution, SubstitutionSubtable};
    use ttf_parser::Tag;
    let gsub = face.tables().gsub?;
    let vert = Tag::from_bytes(b"vert");
    let from_script = ["hani", "DFLT"].iter().find_map(|s| {
        let script = gsub
            .scripts
            .find(Tag::from_bytes(&s.as_bytes().try_into().ok()?))?;
        let lang = script.default_language?;
        lang.feature_indices
            .into_iter()
            .filter_map(|i| gsub.features.get(i))
            .find(|f| f.tag == vert)
    });
    let feature = from_script.or_else(|| gsub.features.find(vert))?;
    for li in feature.lookup_indices {
        let Some(lookup) = gsub.lookups.get(li) else {
            continue;
        };
        for sub in lookup.subtables.into_iter::<SubstitutionSubtable>() {
            let SubstitutionSubtable::Single(single) = sub else {
                continue;
            };
            match single {
                SingleSubstitution::Format1 { coverage, delta } => {
                    if coverage.get(gid).is_some() {
                        return Some(ttf_parser::GlyphId(
                            (i32::from(gid.0) + i32::from(delta)) as u16,
                        ));
                    }
                }
                SingleSubstitution::Format2 {
                    coverage,
                    substitutes,
                } => {
                    if let Some(i) = coverage.get(gid) {
                        return substitutes.get(i);
                    }
                }
            }
        }
    }
    None
}

/// Drawn for a character no font has: visible, with the character kept as its text
/// (the PDF's ActualText, the OFD's CGTransform).
pub const PLACEHOLDER: char = '□';

/// Zero-width and bidi controls and other format characters (Unicode Cf), drawn as
/// nothing.
pub fn is_format(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x180E | 0x200B..=0x200F
        | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB
        | 0xE0001 | 0xE0020..=0xE007F)
}

/// A character of a document that the style's own fonts do not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlyphGap {
    pub ch: char,
    /// How often it occurs, and where first.
    pub count: usize,
    pub first: Option<crate::model::Location>,
    /// The system font (file, face in a collection) the PDF draws it from; None: no
    /// font has it and it is drawn as `□` (the character as its ActualText).
    pub fallback: Option<(PathBuf, u32)>,
}
