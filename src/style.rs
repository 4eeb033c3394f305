//! The PDF style: page size, margins, columns, type sizes, leading and fonts, read from
//! `styles/*.toml` (a preset: `a4`, `a5`, `b5`) or a style file given with `--style`.
//! Every field has a default, so a style file names only what it changes.

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// A style file that could not be read or understood.
#[derive(Debug, thiserror::Error)]
pub enum StyleError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not a valid style: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("unknown page preset `{0}` (use a4, a5 or b5, or --style FILE.toml)")]
    UnknownPreset(String),
}

/// Lengths are in PostScript points (1/72 in) unless the name says otherwise.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Style {
    pub page_width_mm: f32,
    pub page_height_mm: f32,
    pub margin_top_mm: f32,
    pub margin_bottom_mm: f32,
    /// Inner and outer margins: left and right on a right-hand (odd) page.
    pub margin_inner_mm: f32,
    pub margin_outer_mm: f32,
    pub columns: u32,
    /// Space between columns, in ems of the body size.
    pub column_gap_em: f32,
    pub body_size: f32,
    /// Baseline-to-baseline distance as a multiple of the body size.
    pub leading: f32,
    /// Space between paragraphs, in lines.
    pub paragraph_space: f32,
    pub indent_em: f32,
    pub kicker_size: f32,
    pub title_size: f32,
    pub subtitle_size: f32,
    pub section_size: f32,
    pub head_size: f32,
    /// Squeeze adjacent full-width punctuation (`。”`, `”，`) to half width.
    pub compress_punctuation: bool,
    /// Each article opens a new page (otherwise it continues on the current one).
    pub article_new_page: bool,
    /// Running head and folio also on pages that open an article.
    pub head_on_opening_pages: bool,
    /// Each print page (版) of an issue that has them opens a new PDF page, whose running
    /// head names it (`第02版 时政`); `false`: 版 run on like articles.
    pub ban_new_page: bool,
    /// PDF standards, as `--pdf-standard` takes them (`a-2u`, `a-1b`, `a-2a,ua-1`, …);
    /// unset: `a-2u`.
    pub pdf_standard: Option<String>,
    /// A shared folder issues may take images from (logos, mastheads), relative to the
    /// style file; see [`crate::confine`].
    pub assets: Option<PathBuf>,
    /// Also write the OFD-A edition (`--ofd`), laid out as the PDF.
    pub ofd: bool,
    /// The editions written (`--edition`): `"zh-Hans,zh-TW"` or `["zh-Hans", "zh-TW"]`;
    /// unset: zh-Hans, the text as written.
    pub editions: Option<EditionNames>,
    /// `[edition]`: `dictionary`, the paper's own spellings for the Traditional editions.
    pub edition: EditionStyle,
    /// Vertical setting (竖排), as `--vertical`.
    pub vertical: bool,
    pub fonts: Fonts,
}

/// `editions = "zh-Hans,zh-TW"` or `editions = ["zh-Hans", "zh-TW"]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum EditionNames {
    List(Vec<String>),
    One(String),
}

impl EditionNames {
    /// As `--edition` takes them: comma-separated.
    pub fn joined(&self) -> String {
        match self {
            EditionNames::List(v) => v.join(","),
            EditionNames::One(s) => s.clone(),
        }
    }
}

/// `[edition]` of a style file.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EditionStyle {
    /// `"简体词" = "繁體詞"`: applied before OpenCC, so the paper's spelling wins.
    pub dictionary: std::collections::BTreeMap<String, String>,
}

/// Font files: names are looked up in the shipped `fonts/` folder, paths as given.
/// Later entries are fallbacks for characters the first lacks.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Fonts {
    pub regular: Vec<FontRef>,
    pub bold: Vec<FontRef>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum FontRef {
    Path(PathBuf),
    Face { path: PathBuf, index: u32 },
}

impl FontRef {
    pub fn path(&self) -> &Path {
        match self {
            FontRef::Path(p) | FontRef::Face { path: p, .. } => p,
        }
    }
    pub fn index(&self) -> u32 {
        match self {
            FontRef::Path(_) => 0,
            FontRef::Face { index, .. } => *index,
        }
    }
}

impl Default for Fonts {
    fn default() -> Self {
        Fonts {
            regular: vec![FontRef::Path("NotoSerifSC-Regular.otf".into())],
            bold: vec![FontRef::Path("NotoSerifSC-Bold.otf".into())],
        }
    }
}

impl Default for Style {
    fn default() -> Self {
        Style {
            page_width_mm: 210.0,
            page_height_mm: 297.0,
            margin_top_mm: 16.0,
            margin_bottom_mm: 16.0,
            margin_inner_mm: 16.0,
            margin_outer_mm: 14.0,
            columns: 3,
            column_gap_em: 1.5,
            body_size: 10.0,
            leading: 1.6,
            paragraph_space: 0.0,
            indent_em: 2.0,
            kicker_size: 13.0,
            title_size: 26.0,
            subtitle_size: 15.0,
            section_size: 12.0,
            head_size: 8.5,
            compress_punctuation: true,
            article_new_page: true,
            head_on_opening_pages: false,
            ban_new_page: true,
            pdf_standard: None,
            assets: None,
            ofd: false,
            editions: None,
            edition: EditionStyle::default(),
            vertical: false,
            fonts: Fonts::default(),
        }
    }
}

pub const MM: f32 = 72.0 / 25.4;

impl Style {
    /// A shipped preset (`a4`, `a5`, `b5`) from the styles folder.
    pub fn preset(name: &str) -> Result<Style, StyleError> {
        let name = name.to_ascii_lowercase();
        if !matches!(name.as_str(), "a4" | "a5" | "b5") {
            return Err(StyleError::UnknownPreset(name));
        }
        Style::from_file(&crate::fonts::styles_dir().join(format!("{name}.toml")))
    }

    pub fn from_file(path: &Path) -> Result<Style, StyleError> {
        let io = |source| StyleError::Io {
            path: path.to_path_buf(),
            source,
        };
        let bytes =
            crate::limits::read_bounded(path, crate::limits::MAX_STYLE_BYTES).map_err(io)?;
        let text = String::from_utf8(bytes).map_err(|_| {
            io(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "not UTF-8 text",
            ))
        })?;
        let mut style = Style::parse(&text, path)?;
        if let (Some(a), Some(dir)) = (&style.assets, path.parent()) {
            style.assets = Some(dir.join(a));
        }
        Ok(style)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Style, StyleError> {
        let style: Style = toml::from_str(text).map_err(|e| StyleError::Invalid {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        style.check().map_err(|message| StyleError::Invalid {
            path: path.to_path_buf(),
            message,
        })?;
        Ok(style)
    }

    /// Rejects values no page can be made with.
    fn check(&self) -> Result<(), String> {
        let positive = [
            ("page_width_mm", self.page_width_mm),
            ("page_height_mm", self.page_height_mm),
            ("body_size", self.body_size),
            ("leading", self.leading),
            ("kicker_size", self.kicker_size),
            ("title_size", self.title_size),
            ("subtitle_size", self.subtitle_size),
            ("section_size", self.section_size),
            ("head_size", self.head_size),
        ];
        for (name, v) in positive {
            if !(v.is_finite() && v > 0.0) {
                return Err(format!("`{name}` must be a positive number"));
            }
        }
        if self.columns == 0 || self.columns > 8 {
            return Err("`columns` must be 1 to 8".into());
        }
        if let Some(e) = &self.editions {
            crate::edition::Edition::parse_list(&e.joined())
                .map_err(|e| format!("`editions`: {e}"))?;
        }
        if let Some((k, _)) = self
            .edition
            .dictionary
            .iter()
            .find(|(k, v)| k.is_empty() || v.is_empty())
        {
            return Err(format!(
                "`[edition.dictionary]`: the entry `{k}` has an empty side"
            ));
        }
        if self.fonts.regular.is_empty() {
            return Err("`fonts.regular` names no font".into());
        }
        let (w, h) = self.text_area();
        // At least 8 characters per column and 10 lines, or nothing sensible fits.
        if self.column_width() < 8.0 * self.body_size || h < 10.0 * self.line_height() || w <= 0.0 {
            return Err("the margins leave too little room for text".into());
        }
        Ok(())
    }

    pub fn page_size(&self) -> (f32, f32) {
        (self.page_width_mm * MM, self.page_height_mm * MM)
    }

    /// Width and height of the text block (between the margins), in points.
    pub fn text_area(&self) -> (f32, f32) {
        let (w, h) = self.page_size();
        (
            w - (self.margin_inner_mm + self.margin_outer_mm) * MM,
            h - (self.margin_top_mm + self.margin_bottom_mm) * MM,
        )
    }

    pub fn line_height(&self) -> f32 {
        self.body_size * self.leading
    }

    /// Column width rounded down to whole characters of body text, so that a line of
    /// hanzi fills it exactly and justification only has punctuation and Latin to absorb.
    pub fn column_width(&self) -> f32 {
        let (w, _) = self.text_area();
        let n = self.columns as f32;
        let raw = (w - self.column_gap_em * self.body_size * (n - 1.0)) / n;
        (raw / self.body_size).floor() * self.body_size
    }

    /// The actual gap between columns once column widths were rounded.
    pub fn column_gap(&self) -> f32 {
        let (w, _) = self.text_area();
        let n = self.columns as f32;
        if self.columns < 2 {
            0.0
        } else {
            (w - n * self.column_width()) / (n - 1.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_load_and_are_sane() {
        for name in ["a4", "a5", "b5"] {
            let s = Style::preset(name).unwrap();
            assert!(s.column_width() >= 8.0 * s.body_size, "{name}");
            assert_eq!(s.column_width() % s.body_size, 0.0, "{name}");
        }
        assert!(matches!(
            Style::preset("letter"),
            Err(StyleError::UnknownPreset(_))
        ));
    }

    #[test]
    fn bad_values_are_errors_naming_the_file() {
        let e = Style::parse("body_size = -3", Path::new("x.toml")).unwrap_err();
        assert!(e.to_string().contains("x.toml") && e.to_string().contains("body_size"));
        let e = Style::parse("colour = 1", Path::new("y.toml")).unwrap_err();
        assert!(e.to_string().contains("y.toml"));
    }
}
