//! EPUB 3 backend: model → XHTML chapters, nav, cover and metadata, packaged with epub-builder.
//!
//! `xhtml` writes the documents, `images` picks which images go in, `cover` draws the cover,
//! `webfont` subsets the font for `--embed-font`, `package` assembles the archive.

mod cover;
mod images;
mod nav;
mod ocf;
mod opf;
mod package;
mod webfont;
pub mod xhtml;

use crate::diagnostics::Diagnostic;
use crate::error::Result;
use crate::model::{Block, Document, Inline};
use crate::output::Rendered;
use sha2::{Digest, Sha256};
use std::path::PathBuf;

#[derive(Debug, Clone, Default)]
pub struct EpubOptions {
    /// Replaces `styles/epub.css`.
    pub style_css: Option<PathBuf>,
    /// Embed a subset of the CJK font holding only the glyphs the issue uses.
    pub embed_font: bool,
    /// An edition's regional faces (Noto Serif CJK TC/HK): the cover is drawn with them,
    /// `--embed-font` embeds them, and the style sheet names their family.
    pub faces: Option<crate::fonts::RegionalFaces>,
    /// Vertical setting (竖排): columns right to left, pages turned to the right
    /// (`styles/epub-vertical.css` after the style sheet, `rtl` spine).
    pub vertical: bool,
}

/// What can go wrong in the EPUB backend.
#[derive(Debug, thiserror::Error)]
pub enum EpubError {
    #[error("{path}: cannot read the style sheet: {source}")]
    Style {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: cannot use this font: {message}")]
    Font { path: PathBuf, message: String },
    #[error("cannot assemble the EPUB: {0}")]
    Package(String),
    #[error("cannot write the EPUB archive: {0}")]
    Zip(#[from] crate::zip_archive::ZipError),
    #[error("cannot encode the cover image: {0}")]
    Cover(String),
}

/// The cover as drawn, one palette index a pixel row by row (the PNG in the EPUB is
/// these pixels): what a thumbnail is made from without decoding the PNG again.
pub struct CoverImage {
    pub width: u32,
    pub height: u32,
    pub indices: Vec<u8>,
    /// RGB of each palette entry; entry 0 is the paper.
    pub palette: Vec<[u8; 3]>,
    /// For each row, whether anything was drawn on it (the others are all paper).
    pub inked_rows: Vec<bool>,
}

/// The built-in house style, used unless `--style FILE.css` replaces it.
pub const DEFAULT_CSS: &str = include_str!("../../styles/epub.css");

/// Added after the style sheet (built-in or `--style`) for vertical setting.
pub const VERTICAL_CSS: &str = include_str!("../../styles/epub-vertical.css");

/// Everything the EPUB backend loads once (style sheet, fonts) and reuses for every issue.
/// Shared across threads by `batch`.
pub struct EpubEngine {
    opts: EpubOptions,
    css: Vec<u8>,
    /// The body font (regular), for `--embed-font`.
    regular: Option<webfont::FontFile>,
    /// The bold font, for the cover; None (with a warning at render) when it is missing.
    bold: Option<webfont::FontFile>,
    /// Why the cover font could not be loaded, reported with every render.
    font_problem: Option<String>,
    fingerprint: String,
    /// The cover's glyphs parsed so far, shared by the issues this engine renders.
    cover_fonts: cover::FontCache,
}

impl EpubEngine {
    pub fn new(opts: &EpubOptions) -> Result<Self> {
        let css = match &opts.style_css {
            Some(p) => crate::limits::read_bounded(p, crate::limits::MAX_STYLE_BYTES).map_err(
                |source| EpubError::Style {
                    path: p.clone(),
                    source,
                },
            )?,
            None => DEFAULT_CSS.as_bytes().to_vec(),
        };
        let css = if opts.vertical {
            let mut v = css;
            v.extend_from_slice(b"\n");
            v.extend_from_slice(VERTICAL_CSS.as_bytes());
            v
        } else {
            css
        };
        let dir = crate::fonts::fonts_dir();
        let (bold_face, regular_face) = match &opts.faces {
            Some(f) => (f.bold.clone(), f.regular.clone()),
            None => (
                (dir.join("NotoSerifSC-Bold.otf"), 0),
                (dir.join("NotoSerifSC-Regular.otf"), 0),
            ),
        };
        let (bold, font_problem) = match webfont::FontFile::open_face(&bold_face.0, bold_face.1) {
            Ok(f) => (Some(f), None),
            // An edition's regional face was checked to be there: its cover must not fall
            // back to another region's forms.
            Err(e) if opts.faces.is_some() => return Err(e.into()),
            Err(e) => (None, Some(e.to_string())),
        };
        // Without the font the issue asked to embed there is nothing sensible to build.
        let regular = if opts.embed_font {
            Some(webfont::FontFile::open_face(
                &regular_face.0,
                regular_face.1,
            )?)
        } else {
            None
        };
        let css = match &opts.faces {
            // Readers pick a face by `lang` when they can; naming the family helps those
            // that do not, and those that have it installed. (`--embed-font` names its
            // own subset of the face instead.)
            Some(f) if !opts.embed_font => {
                let mut c = format!(
                    "body {{ font-family: \"{}\", \"{}\", serif; }}\n\n",
                    f.family,
                    f.family.replace(" CJK", "")
                )
                .into_bytes();
                c.extend_from_slice(&css);
                c
            }
            _ => css,
        };
        let mut h = Sha256::new();
        h.update(&css);
        h.update([opts.embed_font as u8]);
        if opts.vertical {
            // Only when set, so the horizontal fingerprint stays what manifests recorded.
            h.update(b"vertical");
        }
        for f in [&regular, &bold].into_iter().flatten() {
            h.update(f.digest);
        }
        let fingerprint = h.finalize()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(EpubEngine {
            opts: opts.clone(),
            css,
            regular,
            bold,
            font_problem,
            fingerprint,
            cover_fonts: cover::FontCache::default(),
        })
    }

    /// A short hash of everything besides the document that changes the output
    /// (style sheet, font, options), for batch's incremental manifest.
    pub fn fingerprint(&self) -> String {
        self.fingerprint.clone()
    }

    /// The EPUB file's bytes, and warnings (unsupported elements, …).
    pub fn render(&self, doc: &Document) -> Result<Rendered> {
        self.render_with_cover(doc).map(|(r, _)| r)
    }

    /// [`EpubEngine::render`], and the cover's pixels when it has one.
    pub fn render_with_cover(&self, doc: &Document) -> Result<(Rendered, Option<CoverImage>)> {
        let mut diags = Vec::new();
        let meta = &doc.meta;
        let lang = if meta.language.trim().is_empty() {
            "zh-CN".to_string()
        } else {
            meta.language.trim().to_string()
        };
        let mut images = images::Collector::default();
        let mut chapters = Vec::with_capacity(doc.articles.len());
        for (i, a) in doc.articles.iter().enumerate() {
            chapters.push(package::Chapter {
                href: format!("article-{:03}.xhtml", i + 1),
                nav_title: a.headline.title.clone(),
                xhtml: xhtml::article(
                    a,
                    &doc.pages,
                    &lang,
                    self.opts.vertical,
                    &mut images,
                    &mut diags,
                ),
            });
        }
        diags.append(&mut images.diagnostics);
        let title = book_title(doc);
        if chapters.is_empty() {
            diags.push(Diagnostic::warning(
                "empty-issue",
                None,
                "the issue has no articles; the EPUB holds its title only",
            ));
            chapters.push(package::Chapter {
                href: "article-001.xhtml".into(),
                nav_title: title.clone(),
                xhtml: xhtml::title_page(&title, &lang),
            });
        }

        let (cover, image) = match &self.bold {
            Some(font) => {
                let (png, image) = cover::render(doc, font, &self.cover_fonts)?;
                (Some((png, format!("{title} 封面"))), Some(image))
            }
            None => {
                diags.push(Diagnostic::warning(
                    "no-cover",
                    None,
                    format!(
                        "the EPUB has no cover: {}",
                        self.font_problem.as_deref().unwrap_or("no font")
                    ),
                ));
                (None, None)
            }
        };
        let mut css = self.css.clone();
        let font = match (&self.regular, self.opts.embed_font) {
            (Some(f), true) => {
                let family = self
                    .opts
                    .faces
                    .as_ref()
                    .and_then(|f| f.family.rsplit(' ').next())
                    .unwrap_or("SC");
                let (name, bytes) = webfont::subset_for(doc, f, family)?;
                css = webfont::with_font_face(&css, &name, family);
                Some((name, bytes))
            }
            _ => None,
        };
        let date = meta.date.map(|d| d.iso()).unwrap_or_default();
        let identifier = package::identifier(&[
            meta.newspaper.as_deref().unwrap_or(""),
            &date,
            meta.issue_number.as_deref().unwrap_or(""),
            &meta.title,
        ]);
        let description = doc
            .articles
            .iter()
            .map(|a| a.headline.title.as_str())
            .collect::<Vec<_>>()
            .join("；");
        let toc: Vec<nav::TocArticle> = chapters
            .iter()
            .zip(
                doc.articles
                    .iter()
                    .map(|a| a.page)
                    .chain(std::iter::repeat(None)),
            )
            .map(|(c, page)| nav::TocArticle {
                href: c.href.clone(),
                title: c.nav_title.clone(),
                page,
            })
            .collect();
        let targets = page_targets(doc);
        let print_pages: Vec<nav::PrintPage> = doc
            .pages
            .iter()
            .enumerate()
            .map(|(i, p)| nav::PrintPage {
                heading: p.heading(i),
                label: p.label(i),
                target: targets.get(i).cloned().flatten(),
            })
            .collect();
        let page_list = print_pages.iter().any(|p| p.target.is_some());
        let nav = nav::xhtml(&nav::Nav {
            lang: &lang,
            title: &title,
            articles: &toc,
            pages: &print_pages,
            cover: cover.is_some(),
            vertical: self.opts.vertical,
        });
        let (has_images, images_without_alt) = image_alts(doc);
        let extra = opf::Extra {
            lang: lang.clone(),
            source: page_list.then(|| format!("{title} 印刷版")),
            series: meta.newspaper.clone().map(|n| {
                let position = meta.issue_number.as_deref().and_then(opf::issue_position);
                (n, position)
            }),
            has_images,
            images_without_alt,
            page_list,
            rtl: self.opts.vertical,
        };
        let bytes = package::build(package::Package {
            nav,
            extra,
            title,
            lang,
            publisher: meta.publisher.clone().or_else(|| meta.newspaper.clone()),
            date: meta.date,
            identifier,
            description: (!description.is_empty()).then_some(description),
            css: &css,
            cover,
            font,
            chapters,
            images: images.files,
        })?;
        Ok((
            Rendered {
                bytes,
                diagnostics: diags,
            },
            image,
        ))
    }
}

/// For each print page, where its marker stands: `article-003.xhtml#page-2`.
fn page_targets(doc: &Document) -> Vec<Option<String>> {
    fn inlines(is: &[Inline], out: &mut Vec<usize>) {
        for i in is {
            match i {
                Inline::PageBreak(p) => out.push(*p),
                Inline::Emphasis(c) | Inline::Strong(c) | Inline::Strikethrough(c) => {
                    inlines(c, out)
                }
                Inline::Link { content, .. } => inlines(content, out),
                _ => {}
            }
        }
    }
    fn blocks(bs: &[Block], out: &mut Vec<usize>) {
        for b in bs {
            match b {
                Block::Paragraph { content, .. } => inlines(content, out),
                Block::List { items, .. } => items.iter().for_each(|i| blocks(i, out)),
                Block::Quote(q) => blocks(q, out),
                _ => {}
            }
        }
    }
    let mut targets = vec![None; doc.pages.len()];
    for (i, a) in doc.articles.iter().enumerate() {
        let href = format!("article-{:03}.xhtml", i + 1);
        let mut found = Vec::new();
        if let (true, Some(p)) = (a.opens_page, a.page) {
            found.push(p);
        }
        blocks(&a.blocks, &mut found);
        for p in found {
            if let Some(t) = targets.get_mut(p).filter(|t| t.is_none()) {
                *t = Some(format!("{href}#{}", xhtml::page_anchor(p)));
            }
        }
    }
    targets
}

/// Whether the issue has images, and whether any lacks its alternative text.
fn image_alts(doc: &Document) -> (bool, bool) {
    let mut any = false;
    let mut missing = false;
    fn inl(is: &[Inline], any: &mut bool, missing: &mut bool) {
        for i in is {
            match i {
                Inline::Image(img) => {
                    *any = true;
                    *missing |= img.alt.trim().is_empty();
                }
                Inline::Emphasis(c) | Inline::Strong(c) | Inline::Strikethrough(c) => {
                    inl(c, any, missing)
                }
                Inline::Link { content, .. } => inl(content, any, missing),
                _ => {}
            }
        }
    }
    fn blk(bs: &[Block], any: &mut bool, missing: &mut bool) {
        for b in bs {
            match b {
                Block::Paragraph { content, .. } => inl(content, any, missing),
                Block::Figure { image, .. } => {
                    *any = true;
                    *missing |= image.alt.trim().is_empty();
                }
                Block::List { items, .. } => items.iter().for_each(|i| blk(i, any, missing)),
                Block::Quote(q) => blk(q, any, missing),
                Block::Table { head, rows, .. } => {
                    head.iter().for_each(|c| inl(c, any, missing));
                    rows.iter().flatten().for_each(|c| inl(c, any, missing));
                }
                _ => {}
            }
        }
    }
    for a in &doc.articles {
        blk(&a.blocks, &mut any, &mut missing);
    }
    (any, missing)
}

/// The book's title: the issue's title (a newspaper's is its paper and date, see
/// `resolve_meta`).
pub fn book_title(doc: &Document) -> String {
    doc.meta.title.clone()
}
