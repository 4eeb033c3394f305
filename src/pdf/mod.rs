//! PDF backend: the layout's pages (`crate::layout`) → tagged PDF/A with krilla.

pub mod docinfo;
pub mod image;
pub mod refusal;
pub mod standard;
pub mod tags;
pub mod writer;

use crate::diagnostics::Diagnostic;
use crate::error::Result;
use crate::fonts::FontError;
use crate::layout::chain::{self, ChainMetrics, FontChain};
use crate::layout::lines::Face;
use crate::layout::{self};
use crate::model::{Block, Document, Location};
use crate::output::Rendered;
use crate::style::{Style, StyleError};
use std::collections::BTreeMap;
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
    /// An edition's regional faces (Noto Serif CJK TC/HK), drawn before the style's fonts,
    /// which stay as fallbacks.
    pub faces: Option<crate::fonts::RegionalFaces>,
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
    /// The layout's font chain, shared with the OFD.
    fonts: FontChain,
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
        let (fonts, fonts_fp) = FontChain::new(&style, opts.font.as_ref(), opts.faces.as_ref())?;
        let fp = format!("{style:?}|{}{fonts_fp}", standards.name());
        Ok(PdfEngine {
            style,
            krilla_fonts: (0..fonts.slot_count()).map(|_| OnceLock::new()).collect(),
            fonts,
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
                let file = Arc::clone(self.fonts.font(i)?);
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
        self.render_one(doc, Files::Pdf)
    }

    /// The same layout as [`PdfEngine::render`], written as an OFD-A package (`crate::ofd`):
    /// the same fonts for the same characters, the same positions, outline and structure.
    pub fn render_ofd(&self, doc: &Document) -> Result<Rendered> {
        self.render_one(doc, Files::Ofd)
    }

    /// The PDF and the OFD from one layout: each page, once laid out, goes to both
    /// writers. `out` takes each file as it is finished (the OFD first, then the PDF) with
    /// its extension, so the caller can write it away before the next is finished.
    /// Returns the warnings (missing glyphs, images), the same for both files.
    pub fn render_pdf_and_ofd(
        &self,
        doc: &Document,
        out: &mut dyn FnMut(&str, Vec<u8>) -> Result<()>,
    ) -> Result<Vec<Diagnostic>> {
        self.lay_out(doc, Files::Both, out)
    }

    fn render_one(&self, doc: &Document, files: Files) -> Result<Rendered> {
        let mut bytes = Vec::new();
        let diagnostics = self.lay_out(doc, files, &mut |_, b| {
            bytes = b;
            Ok(())
        })?;
        Ok(Rendered { bytes, diagnostics })
    }

    /// Lays `doc` out once and hands each page to the writers `files` names; `out` takes
    /// each finished file (the OFD first) with its extension.
    fn lay_out(
        &self,
        doc: &Document,
        files: Files,
        out: &mut dyn FnMut(&str, Vec<u8>) -> Result<()>,
    ) -> Result<Vec<Diagnostic>> {
        let (want_pdf, want_ofd) = (files != Files::Ofd, files != Files::Pdf);
        if want_ofd && self.style.vertical {
            // Not set horizontally in silence: the OFD writer knows no turned glyphs yet.
            return Err(crate::ofd::OfdError::Package(
                "vertical setting is not built for the OFD yet".into(),
            )
            .into());
        }
        let metrics = self.fonts.metrics();
        let glyph = |g: &layout::Glyph| metrics.lookup(g.face, g.ch);
        let placeholder = |g: &layout::Glyph| metrics.lookup(g.face, writer::PLACEHOLDER);
        let krilla_font = |i: usize| self.krilla_font(i);
        let ofd_font = |i: usize| {
            self.fonts.font(i).map(|f| crate::ofd::FontSource {
                data: &f.data,
                index: f.index,
                path: &f.path,
            })
        };
        let vertical = |slot: usize, gid: u16, c: char| metrics.vertical(slot, gid, c);
        let (images, by_path, image_warnings) = load_images(doc);
        let drawable: Vec<Option<krilla::image::Image>> = if want_pdf {
            images.iter().map(|(_, k)| Some(k.clone())).collect()
        } else {
            Vec::new()
        };
        let sources = if want_ofd {
            ofd_images(&images, &by_path)
        } else {
            Vec::new()
        };
        let mut pdf = if want_pdf {
            Some(
                writer::Writer::new(
                    self.standards,
                    self.style.page_size(),
                    writer::Resolve {
                        glyph: &glyph,
                        placeholder: &placeholder,
                        font: &krilla_font,
                        vertical: &vertical,
                    },
                    &drawable,
                )
                .map_err(PdfError::from)?,
            )
        } else {
            None
        };
        let mut ofd = want_ofd.then(|| {
            crate::ofd::Writer::new(
                self.style.page_size(),
                crate::ofd::Resolve {
                    glyph: &glyph,
                    placeholder: &placeholder,
                    font: &ofd_font,
                },
                &sources,
                ofd_placeholders(&metrics),
            )
        });
        let lookup = |img: &crate::model::Image| -> Option<(usize, f32, f32)> {
            let &i = by_path.get(&img.path)?;
            let (w, h) = images.get(i)?.0.natural_size();
            Some((i, w, h))
        };
        // Vertical setting (PDF only): laid out on the page turned a quarter
        // (`layout::vertical`).
        let frame = self.style.vertical.then(|| layout::Frame::new(&self.style));
        let turned_metrics = layout::vertical::VerticalMetrics(&metrics);
        let (style, m): (&Style, &dyn layout::lines::Metrics) = match &frame {
            Some(f) => (&f.turned, &turned_metrics),
            None => (&self.style, &metrics),
        };
        let layouter = layout::Layouter::new(style, m)
            .with_images(&lookup)
            .with_frame(frame.as_ref());
        let done = layouter.layout_pages(doc, &mut |page| {
            if let Some(pdf) = &mut pdf {
                pdf.page(page, &layouter.structure());
            }
            if let Some(ofd) = &mut ofd {
                ofd.page(page);
            }
        });
        let mut diagnostics = chain::missing_glyphs(doc, &metrics);
        diagnostics.extend(image_warnings);
        if let Some(ofd) = ofd {
            let outline = layout::outline::outline(&done.marks, doc);
            out("ofd", ofd.finish(&outline, &done.structure, &doc.meta)?)?;
        }
        if let Some(pdf) = pdf {
            let bytes = pdf
                .finish(&done.marks, &done.structure, doc)
                .map_err(PdfError::from)?;
            out("pdf", bytes)?;
        }
        Ok(diagnostics)
    }
}

/// Which files one layout pass writes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Files {
    Pdf,
    Ofd,
    Both,
}

/// The OFD embeds each image file as it is (PNG or JPEG, both allowed by OFD-A).
fn ofd_images(
    images: &[LoadedImage],
    by_path: &BTreeMap<PathBuf, usize>,
) -> Vec<Option<crate::ofd::ImageSource>> {
    let mut sources: Vec<Option<crate::ofd::ImageSource>> = images.iter().map(|_| None).collect();
    for (path, &i) in by_path {
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
    sources
}

/// The `□` glyph of each font that draws one, known before the pages.
fn ofd_placeholders(metrics: &ChainMetrics) -> BTreeMap<usize, u16> {
    [Face::Regular, Face::Bold]
        .into_iter()
        .filter_map(|f| metrics.lookup(f, writer::PLACEHOLDER))
        .map(|r| (r.font, r.gid))
        .collect()
}

/// FNV-1a, for the engine's fingerprint.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

pub use crate::fonts::GlyphGap;

impl PdfEngine {
    /// The font chain the PDF is laid out with (the layout's; see `layout::chain`).
    pub fn fonts(&self) -> &FontChain {
        &self.fonts
    }

    /// See [`FontChain::glyph_gaps`].
    pub fn glyph_gaps(&self, doc: &Document) -> Vec<GlyphGap> {
        self.fonts.glyph_gaps(doc)
    }

    /// See [`FontChain::unembeddable_fonts`].
    pub fn unembeddable_fonts(&self, doc: &Document) -> Vec<(PathBuf, Option<Location>)> {
        self.fonts.unembeddable_fonts(doc)
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
