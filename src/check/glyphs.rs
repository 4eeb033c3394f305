//! Characters the configured fonts cannot draw, and which fallback font would.

use super::Finding;
use crate::diagnostics::Severity;
use crate::model::{Block, Document, Location};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A character no configured font has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlyphGap {
    pub ch: char,
    pub count: usize,
    pub first: Option<Location>,
    /// The fallback font (file, face) that has it, if any.
    pub fallback: Option<(PathBuf, u32)>,
}

/// A font file's character coverage (all faces of a collection).
pub struct FontCoverage {
    pub path: PathBuf,
    data: Vec<u8>,
}

impl FontCoverage {
    pub fn load(path: &Path) -> Option<Self> {
        let data = std::fs::read(path).ok()?;
        ttf_parser::Face::parse(&data, 0).ok()?;
        Some(FontCoverage {
            path: path.to_path_buf(),
            data,
        })
    }

    /// The first face of the file that has `c`.
    pub fn face_with(&self, c: char) -> Option<u32> {
        let faces = ttf_parser::fonts_in_collection(&self.data).unwrap_or(1);
        (0..faces).find(|&i| {
            ttf_parser::Face::parse(&self.data, i)
                .is_ok_and(|f| f.glyph_index(c).is_some_and(|g| g.0 != 0))
        })
    }

    /// Which of `chars` this font lacks (faces parsed once).
    fn lacking(&self, chars: impl Iterator<Item = char>) -> Vec<char> {
        let faces: Vec<_> = (0..ttf_parser::fonts_in_collection(&self.data).unwrap_or(1))
            .filter_map(|i| ttf_parser::Face::parse(&self.data, i).ok())
            .collect();
        chars
            .filter(|&c| {
                !faces
                    .iter()
                    .any(|f| f.glyph_index(c).is_some_and(|g| g.0 != 0))
            })
            .collect()
    }
}

/// Each character of the document with its count and first place.
fn characters(doc: &Document) -> BTreeMap<char, (usize, Option<Location>)> {
    let mut chars: BTreeMap<char, (usize, Option<Location>)> = BTreeMap::new();
    let mut add = |text: &str, loc: Option<&Location>| {
        for c in text
            .chars()
            .filter(|c| !c.is_whitespace() && !c.is_control())
        {
            let e = chars.entry(c).or_insert((0, loc.cloned()));
            e.0 += 1;
        }
    };
    fn blocks<'a>(
        bs: &'a [Block],
        loc: Option<&'a Location>,
        add: &mut dyn FnMut(&str, Option<&Location>),
    ) {
        for b in bs {
            match b {
                Block::Paragraph { location, .. } | Block::Figure { location, .. } => {
                    add(&b.plain_text(), location.as_ref().or(loc))
                }
                Block::Section(h) => add(&h.title, h.location.as_ref().or(loc)),
                Block::List { items, .. } => items.iter().for_each(|i| blocks(i, loc, add)),
                Block::Quote(inner) => blocks(inner, loc, add),
                other => add(&other.plain_text(), loc),
            }
        }
    }
    for a in &doc.articles {
        let h = &a.headline;
        let loc = h.location.as_ref();
        for t in h
            .kicker
            .iter()
            .chain(std::iter::once(&h.title))
            .chain(&h.subtitles)
            .chain(&a.byline)
        {
            add(t, loc);
        }
        blocks(&a.blocks, loc, &mut add);
        for n in &a.footnotes {
            blocks(&n.blocks, loc, &mut add);
        }
    }
    chars
}

/// Characters missing from every configured font, each with the fallback that would draw it.
pub fn glyph_gaps(doc: &Document, fonts: &[PathBuf]) -> Result<Vec<GlyphGap>, PathBuf> {
    let chars = characters(doc);
    let mut missing: Vec<char> = chars.keys().copied().collect();
    for path in fonts {
        let cov = FontCoverage::load(path).ok_or_else(|| path.clone())?;
        missing = cov.lacking(missing.into_iter());
        if missing.is_empty() {
            return Ok(Vec::new());
        }
    }
    let system = system_fonts();
    let mut loaded: Vec<FontCoverage> = Vec::new();
    let mut system_iter = system.iter();
    let mut gaps = Vec::new();
    for c in missing {
        let mut fallback = loaded
            .iter()
            .find_map(|f| f.face_with(c).map(|i| (f.path.clone(), i)));
        // Load further system fonts only as long as characters are still unaccounted for.
        while fallback.is_none() {
            let Some(p) = system_iter.next() else { break };
            if let Some(cov) = FontCoverage::load(p) {
                fallback = cov.face_with(c).map(|i| (cov.path.clone(), i));
                loaded.push(cov);
            }
        }
        let (count, first) = chars.get(&c).cloned().unwrap_or((0, None));
        gaps.push(GlyphGap {
            ch: c,
            count,
            first,
            fallback,
        });
    }
    Ok(gaps)
}

pub fn check_glyphs(doc: &Document, fonts: &[PathBuf]) -> Vec<Finding> {
    match glyph_gaps(doc, fonts) {
        Err(path) => vec![Finding {
            severity: Severity::Error,
            kind: "unreadable-font".into(),
            file: Some(path.clone()),
            line: None,
            message: format!("font {} cannot be read", path.display()),
        }],
        Ok(gaps) => gaps
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
                            "{what} is not in the configured fonts; drawn from {} (face {face})",
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
            .collect(),
    }
}

/// Font files of the system, in a stable order (serif CJK faces first, as the PDF falls back).
fn system_fonts() -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut dirs: Vec<PathBuf> = vec!["/usr/share/fonts".into(), "/usr/local/share/fonts".into()];
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(Path::new(&home).join(".fonts"));
    }
    while let Some(d) = dirs.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| {
                let x = x.to_string_lossy().to_ascii_lowercase();
                x == "ttf" || x == "otf" || x == "ttc"
            }) {
                found.push(p);
            }
        }
    }
    found.sort_by_key(|p| {
        let name = p.to_string_lossy().to_ascii_lowercase();
        (!name.contains("serifcjk"), !name.contains("cjk"), p.clone())
    });
    found
}
