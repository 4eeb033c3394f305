//! Editions: the same issue in Simplified Chinese (as written) and in Traditional Chinese
//! for Taiwan, Hong Kong or in general. An edition maps the document model to a document
//! model, after the normalizer and before the backends, which never see OpenCC: they draw
//! what the model holds, in the language its `meta.language` names, with the faces
//! [`Edition::faces`] gives.

mod convert;
pub mod opencc;

pub use convert::{Converter, Dictionary};

use crate::fonts::RegionalFaces;
use std::path::{Path, PathBuf};

/// Which script and regional standard an edition is set in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Edition {
    /// The text as written (Simplified), the source's language tag kept.
    Hans,
    /// OpenCC `s2t`: Traditional characters, OpenCC's standard forms.
    Hant,
    /// OpenCC `s2twp`: Taiwan's characters and words (軟體, 網路).
    Tw,
    /// OpenCC `s2hk`: Hong Kong's character forms.
    Hk,
}

/// A `--edition` or style value that names no edition.
#[derive(Debug, thiserror::Error)]
pub enum EditionError {
    #[error("unknown edition `{0}` (use zh-Hans, zh-Hant, zh-TW or zh-HK, comma-separated)")]
    Unknown(String),
    #[error("`{0}` is listed twice")]
    Twice(String),
    #[error("no edition named")]
    Empty,
    #[error(
        "the {edition} edition is drawn with {family} ({path}), which is not there: {reason}. \
         paiban's fonts/ folder ships it ($PAIBAN_FONTS names another); fonts/make-fonts.sh \
         cuts it again from Debian's fonts-noto-cjk"
    )]
    MissingFace {
        edition: &'static str,
        family: &'static str,
        path: PathBuf,
        reason: String,
    },
}

impl Edition {
    pub const ALL: [Edition; 4] = [Edition::Hans, Edition::Hant, Edition::Tw, Edition::Hk];

    /// The name users write (`--edition zh-TW`), also the output file's suffix.
    pub fn name(self) -> &'static str {
        match self {
            Edition::Hans => "zh-Hans",
            Edition::Hant => "zh-Hant",
            Edition::Tw => "zh-TW",
            Edition::Hk => "zh-HK",
        }
    }

    /// One edition name, case-insensitive; `zh-Hant-TW` and `zh-Hant-HK` are accepted too.
    pub fn parse(s: &str) -> Result<Edition, EditionError> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "zh-hans" | "zh-cn" | "zh-hans-cn" => Ok(Edition::Hans),
            "zh-hant" => Ok(Edition::Hant),
            "zh-tw" | "zh-hant-tw" => Ok(Edition::Tw),
            "zh-hk" | "zh-hant-hk" => Ok(Edition::Hk),
            _ => Err(EditionError::Unknown(s.trim().to_string())),
        }
    }

    /// `zh-Hans,zh-TW`: the editions in the order given, each once.
    pub fn parse_list(list: &str) -> Result<Vec<Edition>, EditionError> {
        let mut out: Vec<Edition> = Vec::new();
        for part in list.split(',').filter(|p| !p.trim().is_empty()) {
            let e = Edition::parse(part)?;
            if out.contains(&e) {
                return Err(EditionError::Twice(e.name().into()));
            }
            out.push(e);
        }
        if out.is_empty() {
            return Err(EditionError::Empty);
        }
        Ok(out)
    }

    /// The BCP 47 tag of the edition's `lang`, `xml:lang`, `dc:language` and PDF `/Lang`
    /// (None: the source's own tag).
    pub fn language(self) -> Option<&'static str> {
        match self {
            Edition::Hans => None,
            Edition::Hant => Some("zh-Hant"),
            Edition::Tw => Some("zh-Hant-TW"),
            Edition::Hk => Some("zh-Hant-HK"),
        }
    }

    /// The output's base name: `NAME` for the Simplified edition, `NAME.zh-TW` for the others.
    pub fn file_stem(self, name: &str) -> String {
        match self {
            Edition::Hans => name.to_string(),
            e => format!("{name}.{}", e.name()),
        }
    }

    /// The OpenCC configuration (None: the text is kept as written).
    fn opencc(self) -> Option<opencc::Config> {
        match self {
            Edition::Hans => None,
            Edition::Hant => Some(opencc::Config::S2t),
            Edition::Tw => Some(opencc::Config::S2twp),
            Edition::Hk => Some(opencc::Config::S2hk),
        }
    }

    /// The regional faces a Traditional edition is drawn with: Noto Serif CJK TC (zh-Hant,
    /// zh-TW; Taiwan's standard forms) or HK, shipped in `fonts/` as the SC faces are (cut
    /// by fonts/make-fonts.sh, unhinted), so no character falls to the SC font's mainland
    /// forms. None for zh-Hans (the style's fonts). A missing face is an error, never a
    /// silent fallback.
    pub fn faces(self) -> Result<Option<RegionalFaces>, EditionError> {
        let (region, family) = match self {
            Edition::Hans => return Ok(None),
            Edition::Hant | Edition::Tw => ("TC", "Noto Serif CJK TC"),
            Edition::Hk => ("HK", "Noto Serif CJK HK"),
        };
        let dir = crate::fonts::fonts_dir();
        let faces = RegionalFaces {
            regular: (dir.join(format!("NotoSerif{region}-Regular.otf")), 0),
            bold: (dir.join(format!("NotoSerif{region}-Bold.otf")), 0),
            family: family.to_string(),
        };
        for (path, index) in [&faces.regular, &faces.bold] {
            check_face(path, *index, family).map_err(|reason| EditionError::MissingFace {
                edition: self.name(),
                family,
                path: path.clone(),
                reason,
            })?;
        }
        Ok(Some(faces))
    }
}

impl std::fmt::Display for Edition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The face at `index` of `path` is there and is the family asked for (a face of another
/// region under the expected name would give another script's forms).
fn check_face(path: &Path, index: u32, family: &str) -> Result<(), String> {
    // Mapped, not read: only the table directory and the name table are looked at.
    let font = crate::fonts::FontFile::load(path, index).map_err(|e| e.to_string())?;
    let face = ttf_parser::Face::parse(&font.data, index).map_err(|e| e.to_string())?;
    let named = face
        .names()
        .into_iter()
        .filter(|n| n.name_id == ttf_parser::name_id::FAMILY)
        .filter_map(|n| n.to_string())
        .any(|n| n.starts_with(family));
    if named {
        Ok(())
    } else {
        Err(format!("face {index} is not {family}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_list() {
        assert_eq!(
            Edition::parse_list("zh-Hans, zh-TW").unwrap(),
            vec![Edition::Hans, Edition::Tw]
        );
        assert_eq!(Edition::parse("ZH-hant-hk").unwrap(), Edition::Hk);
        assert!(Edition::parse_list("zh-TW,zh-tw").is_err());
        assert!(Edition::parse("zh-Latn").is_err());
        assert!(Edition::parse_list(",").is_err());
        assert_eq!(Edition::Tw.file_stem("a"), "a.zh-TW");
        assert_eq!(Edition::Hans.file_stem("a"), "a");
        for e in Edition::ALL {
            assert!(e.language().is_none_or(crate::metadata::is_bcp47));
        }
    }
}
