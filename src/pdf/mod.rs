//! PDF backend: the layout's pages (`crate::layout`) → tagged PDF/A with krilla.

pub mod docinfo;
pub mod image;
pub mod refusal;
pub mod standard;
pub mod tags;
pub mod writer;

use crate::diagnostics::Diagnostic;
use crate::error::Result;
use crate::fonts::{resolve_font_path, Faces, FontError, FontSlot, GlyphRef, SYSTEM_FALLBACKS};
use crate::layout::lines::{Face, Metrics};
use crate::layout::{self, linebreak};
use crate::model::{Block, Document, Location};
use crate::output::Rendered;
use crate::style::{Style, StyleError};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

#[derive(Debug, Clone, Default)]
pub struct PdfOptions {
    /// `a4`, `a5` or `b5`: a style preset from `styles/`.
    pub page: Option<String>,
    /// A style file (`.toml`) replacing the preset.
    pub style: Option<PathBuf>,
    /// A font file (TTF/OTF/TTC) for body text, replacing the default.
    pub font: Option<PathBuf>,
    /// PDF standards (`a-2u`, `a-1b,…`, see `standard.rs`), replacing the style's.
    pub standard: Option<String>,
    /// Vertical setting (竖排), as the style's `vertical = true`.
    pub vertical: bool,
}

/// Errors of the PDF backend: its style, its fonts, writing the file.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error(transparent)]
    Style(#[from] StyleError),
    #[error(transparent)]
    Font(#[from] FontError),
    #[error(transparent)]
    Write(#[from] writer::WriteError),
    #[error("{path}: {source}")]
    Standard {
        path: String,
        #[source]
        source: standard::StandardError,
    },
    #[error("{path}: the PDF writer cannot read this font")]
    FontUnreadable { path: PathBuf },
}

/// Everything the PDF backend loads once (style, fonts and their metrics) and reuses for
/// every issue. Shared across threads by `batch`.
pub struct PdfEngine {
    style: Style,
    slots: Vec<FontSlot>,
    regular: Vec<usize>,
    bold: Vec<usize>,
    standards: standard::Standards,
    /// krilla's view of each slot's font, made once and shared by every issue.
    krilla_fonts: Vec<OnceLock<Option<krilla::text::Font>>>,
    fingerprint: String,
}

/// A font file's bytes as krilla takes them (shared, not copied).
struct FontData(Arc<crate::fonts::FontFile>);

impl AsRef<[u8]> for FontData {
    fn as_ref(&self) -> &[u8] {
        &self.0.data
    }
}

impl PdfEngine {
    pub fn new(opts: &PdfOptions) -> Result<Self> {
        Ok(Self::load(opts)?)
    }

    fn load(opts: &PdfOptions) -> std::result::Result<Self, PdfError> {
        let mut style = match (&opts.style, &opts.page) {
            (Some(path), _) => Style::from_file(path)?,
            (None, Some(page)) => Style::preset(page)?,
            (None, None) => Style::preset("a4")?,
        };
        style.vertical |= opts.vertical;
        let (names, named_by) = match (&opts.standard, &style.pdf_standard) {
            (Some(s), _) => (s.clone(), "--pdf-standard".to_string()),
            (None, Some(s)) => (
                s.clone(),
                opts.style
                    .as_ref()
                    .map_or("style".into(), |p| p.display().to_string()),
            ),
            (None, None) => (standard::DEFAULT.to_string(), "default".into()),
        };
        let standards =
            standard::Standards::parse(&names).map_err(|source| PdfError::Standard {
                path: named_by,
                source,
            })?;
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
        let mut fp = format!("{style:?}|{}", standards.name());
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
            krilla_fonts: slots.iter().map(|_| OnceLock::new()).collect(),
            slots,
            regular,
            bold,
            standards,
            fingerprint: format!("{:016x}", fnv(fp.as_bytes())),
        })
    }

    pub fn style(&self) -> &Style {
        &self.style
    }

    /// The standards the PDF is written to.
    pub fn standards(&self) -> standard::Standards {
        self.standards
    }

    /// krilla's font for slot `i`, made on first use.
    fn krilla_font(&self, i: usize) -> Option<krilla::text::Font> {
        self.krilla_fonts
            .get(i)?
            .get_or_init(|| {
                let file = Arc::clone(self.slots.get(i)?.get()?);
                let index = file.index;
                let data: Arc<dyn AsRef<[u8]> + Send + Sync> = Arc::new(FontData(file));
                krilla::text::Font::new(data.into(), index)
            })
            .clone()
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
        let glyph = |g: &layout::Glyph| metrics.lookup(g.face, g.ch);
        let placeholder = |g: &layout::Glyph| metrics.lookup(g.face, writer::PLACEHOLDER);
        let font = |i: usize| self.krilla_font(i);
        let vertical = |slot: usize, gid: u16, c: char| metrics.faces.vertical(slot, gid, c);
        let (images, by_path, image_warnings) = load_images(doc);
        let drawable: Vec<Option<krilla::image::Image>> =
            images.iter().map(|(_, k)| Some(k.clone())).collect();
        let mut w = writer::Writer::new(
            self.standards,
            self.style.page_size(),
            writer::Resolve {
                glyph: &glyph,
                placeholder: &placeholder,
                font: &font,
                vertical: &vertical,
            },
            &drawable,
        )?;
        let lookup = |img: &crate::model::Image| -> Option<(usize, f32, f32)> {
            let &i = by_path.get(&img.path)?;
            let (w, h) = images.get(i)?.0.natural_size();
            Some((i, w, h))
        };
        // Vertical setting: laid out on the page turned a quarter (`layout::vertical`).
        let frame = self.style.vertical.then(|| layout::Frame::new(&self.style));
        let turned_metrics = layout::vertical::VerticalMetrics(&metrics);
        let (style, m): (&Style, &dyn Metrics) = match &frame {
            Some(f) => (&f.turned, &turned_metrics),
            None => (&self.style, &metrics),
        };
        let layouter = layout::Layouter::new(style, m)
            .with_images(&lookup)
            .with_frame(frame.as_ref());
        let done = layouter.layout_pages(doc, &mut |page| w.page(page, &layouter.structure()));
        let mut diagnostics = missing_glyphs(doc, &metrics);
        let bytes = w.finish(&done.marks, &done.structure, doc)?;
        diagnostics.extend(image_warnings);
        Ok(Rendered { bytes, diagnostics })
    }
}

impl PdfEngine {
    /// The same layout as [`PdfEngine::render`], written as an OFD-A package (`crate::ofd`):
    /// the same fonts for the same characters, the same positions, outline and structure.
    pub fn render_ofd(&self, doc: &Document) -> Result<Rendered> {
        Ok(self.render_ofd_inner(doc)?)
    }

    fn render_ofd_inner(
        &self,
        doc: &Document,
    ) -> std::result::Result<Rendered, crate::ofd::OfdError> {
        if self.style.vertical {
            // Not set horizontally in silence: the OFD writer knows no turned glyphs yet.
            return Err(crate::ofd::OfdError::Package(
                "vertical setting is not built for the OFD yet".into(),
            ));
        }
        let metrics = DocMetrics {
            faces: Faces::new(&self.slots),
            regular: &self.regular,
            bold: &self.bold,
            cache: RefCell::new(HashMap::new()),
        };
        let glyph = |g: &layout::Glyph| metrics.lookup(g.face, g.ch);
        let placeholder = |g: &layout::Glyph| metrics.lookup(g.face, writer::PLACEHOLDER);
        let font = |i: usize| {
            self.slots.get(i)?.get().map(|f| crate::ofd::FontSource {
                data: &f.data,
                index: f.index,
                path: &f.path,
            })
        };
        let (images, by_path, image_warnings) = load_images(doc);
        // The OFD embeds each image file as it is (PNG or JPEG, both allowed by OFD-A).
        let mut sources: Vec<Option<crate::ofd::ImageSource>> =
            images.iter().map(|_| None).collect();
        for (path, &i) in &by_path {
            if sources.get(i).is_some_and(Option::is_none) {
                sources[i] = crate::limits::read_bounded(path, crate::limits::MAX_IMAGE_BYTES)
                    .ok()
                    .map(|bytes| crate::ofd::ImageSource {
                        format: if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
                            "JPEG"
                        } else {
                            "PNG"
                        },
                        bytes,
                    });
            }
        }
        let placeholders: BTreeMap<usize, u16> = [Face::Regular, Face::Bold]
            .into_iter()
            .filter_map(|f| metrics.lookup(f, writer::PLACEHOLDER))
            .map(|r| (r.font, r.gid))
            .collect();
        let mut w = crate::ofd::Writer::new(
            self.style.page_size(),
            crate::ofd::Resolve {
                glyph: &glyph,
                placeholder: &placeholder,
                font: &font,
            },
            &sources,
            placeholders,
        );
        let lookup = |img: &crate::model::Image| -> Option<(usize, f32, f32)> {
            let &i = by_path.get(&img.path)?;
            let (w, h) = images.get(i)?.0.natural_size();
            Some((i, w, h))
        };
        let layouter = layout::Layouter::new(&self.style, &metrics).with_images(&lookup);
        let done = layouter.layout_pages(doc, &mut |page| w.page(page));
        let mut diagnostics = missing_glyphs(doc, &metrics);
        let outline = layout::outline::outline(&done.marks, doc);
        let bytes = w.finish(&outline, &done.structure, &doc.meta)?;
        diagnostics.extend(image_warnings);
        Ok(Rendered { bytes, diagnostics })
    }
}

/// FNV-1a, for the engine's fingerprint.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
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
            // Drawn as `□`, an em wide (reported as a warning).
            None => 1.0,
        }
    }
}

pub use crate::fonts::GlyphGap;

impl PdfEngine {
    /// The characters of `doc` the style's fonts lack, each with the system fallback that
    /// the PDF will draw it from — the same font chain as [`PdfEngine::render`], so
    /// `paiban check` reports exactly what a build will do.
    pub fn glyph_gaps(&self, doc: &Document) -> Vec<GlyphGap> {
        let faces = Faces::new(&self.slots);
        let mut seen: BTreeMap<char, (usize, Option<Location>)> = BTreeMap::new();
        each_text(doc, &mut |text, loc| {
            for c in text
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
            {
                let e = seen.entry(c).or_insert_with(|| (0, loc.clone()));
                e.0 += 1;
            }
        });
        seen.into_iter()
            .filter_map(|(ch, (count, first))| {
                let drawn_by = faces.lookup(&self.regular, ch).map(|g| g.font);
                if drawn_by.is_some_and(|slot| self.slots[slot].required) {
                    return None;
                }
                let fallback = drawn_by
                    .and_then(|slot| self.slots.get(slot))
                    .map(|s| (s.path.clone(), s.index));
                Some(GlyphGap {
                    ch,
                    count,
                    first,
                    fallback,
                })
            })
            .collect()
    }
}

impl PdfEngine {
    /// The fonts an OFD of `doc` would refuse, with where the document first needs each:
    /// their licence forbids embedding (OS/2 fsType "restricted") and OFD-A embeds every
    /// font. The style's own fonts, and the system fonts its gaps fall back to.
    pub fn unembeddable_fonts(&self, doc: &Document) -> Vec<(PathBuf, Option<Location>)> {
        let restricted = |s: &FontSlot| {
            s.get().is_some_and(|f| {
                ttf_parser::Face::parse(&f.data, f.index)
                    .ok()
                    .and_then(|face| face.permissions())
                    == Some(ttf_parser::Permissions::Restricted)
            })
        };
        let mut out: Vec<(PathBuf, Option<Location>)> = Vec::new();
        let first = doc
            .articles
            .first()
            .and_then(|a| a.headline.location.clone());
        for s in self.slots.iter().filter(|s| s.required && restricted(s)) {
            out.push((s.path.clone(), first.clone()));
        }
        for g in self.glyph_gaps(doc) {
            let Some((path, index)) = g.fallback else {
                continue;
            };
            let slot = self
                .slots
                .iter()
                .find(|s| s.path == path && s.index == index);
            if slot.is_some_and(restricted) && !out.iter().any(|(p, _)| *p == path) {
                out.push((path, g.first));
            }
        }
        out
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
    each_text(doc, &mut |text, loc| {
        for c in text.chars().filter(|c| missing.contains(c)) {
            let e = seen.entry(c).or_insert_with(|| (0, loc.clone()));
            e.0 += 1;
        }
    });
    missing
        .iter()
        .map(|c| {
            let (count, loc) = seen.get(c).cloned().unwrap_or((0, None));
            Diagnostic::warning(
                "missing-glyph",
                loc,
                format!(
                    "no font has `{c}` (U+{:04X}), used {count} times; drawn as `□`",
                    *c as u32
                ),
            )
        })
        .collect()
}

/// Calls `f` with every text of the document in reading order and the nearest known
/// source line (one block at a time: no copy of the whole document).
fn each_text(doc: &Document, f: &mut dyn FnMut(&str, &Option<Location>)) {
    for a in &doc.articles {
        let h = &a.headline;
        let loc = h.location.clone();
        for t in h.kicker.iter().chain([&h.title]).chain(&h.subtitles) {
            f(t, &loc);
        }
        if let Some(b) = &a.byline {
            f(b, &loc);
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
            f(&b.plain_text(), &last);
        }
        for n in &a.footnotes {
            for b in &n.blocks {
                f(&b.plain_text(), &last);
            }
        }
    }
}

/// An image as read (to compare and measure) and as the writer draws it.
type LoadedImage = (image::PdfImage, krilla::image::Image);

/// Every figure's image, read and converted once per file; files with the same
/// content are one image (embedded once). Returns the images, each path's index among
/// them, and a warning for each figure whose image cannot be placed (its caption is
/// printed alone).
fn load_images(doc: &Document) -> (Vec<LoadedImage>, BTreeMap<PathBuf, usize>, Vec<Diagnostic>) {
    let mut images: Vec<LoadedImage> = Vec::new();
    let mut by_path = BTreeMap::new();
    let mut failed: BTreeMap<PathBuf, String> = BTreeMap::new();
    let mut warnings = Vec::new();
    let mut figure = |img: &crate::model::Image, at: &Option<Location>| {
        if by_path.contains_key(&img.path) {
            return;
        }
        let why = match failed.get(&img.path) {
            Some(why) => why.clone(),
            None => {
                match image::PdfImage::load(&img.path).and_then(|l| l.to_krilla().map(|k| (l, k))) {
                    Ok(loaded) => {
                        let i = images
                            .iter()
                            .position(|x| x.0 == loaded.0)
                            .unwrap_or_else(|| {
                                images.push(loaded);
                                images.len() - 1
                            });
                        by_path.insert(img.path.clone(), i);
                        return;
                    }
                    Err(e) => {
                        failed.insert(img.path.clone(), e.to_string());
                        e.to_string()
                    }
                }
            }
        };
        warnings.push(Diagnostic::warning(
            "pdf-image",
            at.clone(),
            format!(
                "image `{}` is not placed in the PDF ({why}); its caption (alt text) is \
                 printed instead",
                img.src
            ),
        ));
    };
    for a in &doc.articles {
        each_figure(&a.blocks, &mut figure);
        for n in &a.footnotes {
            each_figure(&n.blocks, &mut figure);
        }
    }
    (images, by_path, warnings)
}

/// Calls `f` with every figure in `blocks`, nested ones included.
fn each_figure(blocks: &[Block], f: &mut dyn FnMut(&crate::model::Image, &Option<Location>)) {
    for b in blocks {
        match b {
            Block::Figure { image, location } => f(image, location),
            Block::Quote(inner) => each_figure(inner, f),
            Block::List { items, .. } => items.iter().for_each(|i| each_figure(i, f)),
            _ => {}
        }
    }
}
