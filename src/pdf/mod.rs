//! PDF backend: model → lines and pages (pure layout) → PDF with printpdf.

pub mod layout;
pub mod linebreak;
pub mod lines;
pub mod sfnt;
pub mod write;

use crate::diagnostics::Diagnostic;
use crate::error::Result;
use crate::fonts::{resolve_font_path, Faces, FontError, FontSlot, GlyphRef, SYSTEM_FALLBACKS};
use crate::model::{Block, Document, Location};
use crate::style::{Style, StyleError};
use crate::Rendered;
use lines::{Face, Metrics};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

/// Added to a font slot for the key of its half-width punctuation copy.
const HALF: usize = 1 << 16;

#[derive(Debug, Clone, Default)]
pub struct PdfOptions {
    /// `a4`, `a5` or `b5`: a style preset from `styles/`.
    pub page: Option<String>,
    /// A style file (`.toml`) replacing the preset.
    pub style: Option<PathBuf>,
    /// A font file (TTF/OTF/TTC) for body text, replacing the default.
    pub font: Option<PathBuf>,
}

/// Errors of the PDF backend: its style, its fonts, writing the file.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error(transparent)]
    Style(#[from] StyleError),
    #[error(transparent)]
    Font(#[from] FontError),
    #[error(transparent)]
    Write(#[from] write::WriteError),
    #[error("{path}: printpdf could not read this font")]
    FontUnreadable { path: PathBuf },
}

/// Everything the PDF backend loads once (style, fonts and their metrics) and reuses for
/// every issue. Shared across threads by `batch`.
pub struct PdfEngine {
    style: Style,
    slots: Vec<FontSlot>,
    regular: Vec<usize>,
    bold: Vec<usize>,
    fingerprint: String,
}

impl PdfEngine {
    pub fn new(opts: &PdfOptions) -> Result<Self> {
        Ok(Self::load(opts)?)
    }

    fn load(opts: &PdfOptions) -> std::result::Result<Self, PdfError> {
        let style = match (&opts.style, &opts.page) {
            (Some(path), _) => Style::from_file(path)?,
            (None, Some(page)) => Style::preset(page)?,
            (None, None) => Style::preset("a4")?,
        };
        let mut slots: Vec<FontSlot> = Vec::new();
        let mut slot_of = |path: PathBuf, index: u32, required: bool| -> usize {
            if let Some(i) = slots
                .iter()
                .position(|s| s.path == path && s.index == index)
            {
                return i;
            }
            slots.push(FontSlot::new(path, index, required));
            slots.len() - 1
        };
        let mut regular: Vec<usize> = Vec::new();
        if let Some(f) = &opts.font {
            regular.push(slot_of(f.clone(), 0, true));
        }
        let skip = usize::from(opts.font.is_some());
        for f in style.fonts.regular.iter().skip(skip) {
            regular.push(slot_of(resolve_font_path(f.path()), f.index(), true));
        }
        let mut bold: Vec<usize> = Vec::new();
        for f in &style.fonts.bold {
            bold.push(slot_of(resolve_font_path(f.path()), f.index(), true));
        }
        let system: Vec<usize> = SYSTEM_FALLBACKS
            .iter()
            .map(|(p, i)| slot_of(PathBuf::from(p), *i, false))
            .collect();
        bold.extend(regular.iter().copied());
        regular.extend(system.iter().copied());
        bold.extend(system);
        dedup(&mut regular);
        dedup(&mut bold);
        // The style's own fonts must be there and sound: fail now, naming the file.
        let mut fp = format!("{style:?}");
        for s in slots.iter().filter(|s| s.required) {
            s.load_now()?;
            if let Some(f) = s.get() {
                fp.push_str(&format!(
                    "|{}#{}:{}",
                    f.path.display(),
                    f.index,
                    f.data.len()
                ));
            }
        }
        Ok(PdfEngine {
            style,
            slots,
            regular,
            bold,
            fingerprint: format!("{:016x}", write::fnv(fp.as_bytes(), write::FNV_SEED)),
        })
    }

    pub fn style(&self) -> &Style {
        &self.style
    }

    /// A short hash of everything besides the document that changes the output
    /// (style, fonts, options), for batch's incremental manifest.
    pub fn fingerprint(&self) -> String {
        self.fingerprint.clone()
    }

    /// The PDF file's bytes, and warnings (missing glyphs, …).
    pub fn render(&self, doc: &Document) -> Result<Rendered> {
        Ok(self.render_pdf(doc)?)
    }

    fn render_pdf(&self, doc: &Document) -> std::result::Result<Rendered, PdfError> {
        let metrics = DocMetrics {
            faces: Faces::new(&self.slots),
            regular: &self.regular,
            bold: &self.bold,
            cache: RefCell::new(HashMap::new()),
        };
        let layout = layout::Layouter::new(&self.style, &metrics).layout(doc);
        let mut diagnostics = missing_glyphs(doc, &metrics);
        let notdef = self.regular.first().copied().unwrap_or(0);
        // A font key is a slot, or a slot + HALF for its half-width punctuation copy.
        let glyph = |g: &layout::Glyph| -> Option<GlyphRef> {
            let r = metrics.lookup(g.face, g.ch).unwrap_or(GlyphRef {
                font: notdef,
                gid: 0,
                advance: 1.0,
            });
            Some(if g.half && r.advance >= 0.9 {
                GlyphRef {
                    font: r.font + HALF,
                    ..r
                }
            } else {
                r
            })
        };
        // Subset each font to the glyphs this document uses before printpdf sees it:
        // printpdf would otherwise copy and scan the whole 7–9 MB CJK font on every run.
        let mut used: BTreeMap<usize, BTreeSet<u16>> = BTreeMap::new();
        let mut chars: BTreeMap<usize, BTreeMap<char, u16>> = BTreeMap::new();
        for p in &layout.pages {
            for g in &p.glyphs {
                if let Some(r) = glyph(g) {
                    used.entry(r.font).or_default().insert(r.gid);
                    // Every character without a glyph is drawn as glyph 0 (.notdef): mapping
                    // it back to one of them would make all of them copy as that character.
                    if r.gid != 0 {
                        chars.entry(r.font).or_default().insert(g.ch, r.gid);
                    }
                }
            }
        }
        let mut subsets: BTreeMap<usize, (printpdf::ParsedFont, subsetter::GlyphRemapper)> =
            BTreeMap::new();
        for (key, gids) in &used {
            let Some(file) = self.slots.get(key % HALF).and_then(FontSlot::get) else {
                continue;
            };
            let unreadable = || PdfError::FontUnreadable {
                path: file.path.clone(),
            };
            let mut mapper = subsetter::GlyphRemapper::new();
            mapper.remap(0);
            for g in gids {
                mapper.remap(*g);
            }
            let chars_of = |slot: usize| -> Vec<(char, u16)> {
                chars
                    .get(&slot)
                    .into_iter()
                    .flatten()
                    .filter_map(|(c, g)| Some((*c, mapper.get(*g)?)))
                    .collect()
            };
            let bytes =
                subsetter::subset(&file.data, file.index, &mapper).map_err(|_| unreadable())?;
            let mut bytes = sfnt::with_cmap(&bytes, &chars_of(*key)).ok_or_else(unreadable)?;
            if *key >= HALF {
                bytes = sfnt::with_half_advances(&bytes).ok_or_else(unreadable)?;
            }
            let mut w = Vec::new();
            let parsed =
                printpdf::ParsedFont::from_bytes(&bytes, 0, &mut w).ok_or_else(unreadable)?;
            subsets.insert(*key, (parsed, mapper));
        }
        let subset_glyph = |g: &layout::Glyph| -> Option<GlyphRef> {
            let r = glyph(g)?;
            let gid = subsets.get(&r.font)?.1.get(r.gid)?;
            Some(GlyphRef { gid, ..r })
        };
        let font = |slot: usize| subsets.get(&slot).map(|s| &s.0);
        let bytes = write::write(&write::WriteInput {
            layout: &layout,
            meta: &doc.meta,
            page_size: self.style.page_size(),
            glyph: &subset_glyph,
            font: &font,
        })?;
        for f in figures(doc) {
            diagnostics.push(Diagnostic::warning(
                "pdf-image",
                f,
                "images are not placed in the PDF yet; the caption (alt text) is printed instead",
            ));
        }
        Ok(Rendered { bytes, diagnostics })
    }
}

fn dedup(v: &mut Vec<usize>) {
    let mut seen = Vec::new();
    v.retain(|x| {
        let new = !seen.contains(x);
        seen.push(*x);
        new
    });
}

/// Advances from the font chains, remembering what was looked up (and what was missing).
struct DocMetrics<'a> {
    faces: Faces<'a>,
    regular: &'a [usize],
    bold: &'a [usize],
    cache: RefCell<HashMap<(Face, char), Option<GlyphRef>>>,
}

impl DocMetrics<'_> {
    fn lookup(&self, face: Face, c: char) -> Option<GlyphRef> {
        if let Some(r) = self.cache.borrow().get(&(face, c)) {
            return *r;
        }
        let chain = match face {
            Face::Regular => self.regular,
            Face::Bold => self.bold,
        };
        let r = if c == linebreak::HARD_BREAK {
            None
        } else {
            self.faces.lookup(chain, c)
        };
        self.cache.borrow_mut().insert((face, c), r);
        r
    }
}

impl Metrics for DocMetrics<'_> {
    fn advance(&self, face: Face, c: char) -> f32 {
        match self.lookup(face, c) {
            Some(g) => g.advance,
            // Drawn as the missing-glyph box, an em wide (reported as a warning).
            None => 1.0,
        }
    }
}

/// One warning per character no font has: the character, its code point, how often it
/// occurs and where first.
fn missing_glyphs(doc: &Document, m: &DocMetrics) -> Vec<Diagnostic> {
    let missing: Vec<char> = {
        let cache = m.cache.borrow();
        let mut v: Vec<char> = cache
            .iter()
            .filter(|((_, c), r)| r.is_none() && *c != linebreak::HARD_BREAK && !c.is_whitespace())
            .map(|((_, c), _)| *c)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    if missing.is_empty() {
        return Vec::new();
    }
    let mut seen: BTreeMap<char, (usize, Option<Location>)> = BTreeMap::new();
    for (text, loc) in texts_with_locations(doc) {
        for c in text.chars().filter(|c| missing.contains(c)) {
            let e = seen.entry(c).or_insert((0, loc.clone()));
            e.0 += 1;
        }
    }
    missing
        .iter()
        .map(|c| {
            let (count, loc) = seen.get(c).cloned().unwrap_or((0, None));
            Diagnostic::warning(
                "missing-glyph",
                loc,
                format!(
                    "no font has `{c}` (U+{:04X}), used {count} times; drawn as a missing-glyph box",
                    *c as u32
                ),
            )
        })
        .collect()
}

/// Every text of the document in reading order, with the nearest known source line.
fn texts_with_locations(doc: &Document) -> Vec<(String, Option<Location>)> {
    let mut out = Vec::new();
    for a in &doc.articles {
        let h = &a.headline;
        let loc = h.location.clone();
        for t in h.kicker.iter().chain([&h.title]).chain(&h.subtitles) {
            out.push((t.clone(), loc.clone()));
        }
        if let Some(b) = &a.byline {
            out.push((b.clone(), loc.clone()));
        }
        let mut last = loc;
        for b in &a.blocks {
            match b {
                Block::Paragraph { location, .. } | Block::Figure { location, .. }
                    if location.is_some() =>
                {
                    last = location.clone();
                }
                Block::Section(h) if h.location.is_some() => last = h.location.clone(),
                _ => {}
            }
            out.push((b.plain_text(), last.clone()));
        }
        for f in &a.footnotes {
            for b in &f.blocks {
                out.push((b.plain_text(), last.clone()));
            }
        }
    }
    out
}

fn figures(doc: &Document) -> Vec<Option<Location>> {
    doc.articles
        .iter()
        .flat_map(|a| &a.blocks)
        .filter_map(|b| match b {
            Block::Figure { location, .. } => Some(location.clone()),
            _ => None,
        })
        .collect()
}
