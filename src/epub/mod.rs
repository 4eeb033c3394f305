//! EPUB 3 backend: model → XHTML chapters, nav, cover and metadata, packaged with epub-builder.
//!
//! `xhtml` writes the documents, `images` picks which images go in, `cover` draws the cover,
//! `webfont` subsets the font for `--embed-font`, `package` assembles the archive.

mod cover;
mod images;
mod package;
mod webfont;
pub mod xhtml;

use crate::diagnostics::Diagnostic;
use crate::error::Result;
use crate::model::Document;
use crate::Rendered;
use sha2::{Digest, Sha256};
use std::path::PathBuf;

#[derive(Debug, Clone, Default)]
pub struct EpubOptions {
    /// Replaces `styles/epub.css`.
    pub style_css: Option<PathBuf>,
    /// Embed a subset of the CJK font holding only the glyphs the issue uses.
    pub embed_font: bool,
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
    Zip(#[from] zip::result::ZipError),
    #[error("cannot encode the cover image: {0}")]
    Cover(String),
}

/// The built-in house style, used unless `--style FILE.css` replaces it.
pub const DEFAULT_CSS: &str = include_str!("../../styles/epub.css");

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
}

impl EpubEngine {
    pub fn new(opts: &EpubOptions) -> Result<Self> {
        let css =
            match &opts.style_css {
                Some(p) => crate::issue::read_bounded(p, crate::issue::MAX_STYLE_BYTES).map_err(
                    |source| EpubError::Style {
                        path: p.clone(),
                        source,
                    },
                )?,
                None => DEFAULT_CSS.as_bytes().to_vec(),
            };
        let dir = crate::fonts::fonts_dir();
        let bold_path = dir.join("NotoSerifSC-Bold.otf");
        let (bold, font_problem) = match webfont::FontFile::open(&bold_path) {
            Ok(f) => (Some(f), None),
            Err(e) => (None, Some(e.to_string())),
        };
        // Without the font the issue asked to embed there is nothing sensible to build.
        let regular = if opts.embed_font {
            Some(webfont::FontFile::open(
                &dir.join("NotoSerifSC-Regular.otf"),
            )?)
        } else {
            None
        };
        let mut h = Sha256::new();
        h.update(&css);
        h.update([opts.embed_font as u8]);
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
        })
    }

    /// A short hash of everything besides the document that changes the output
    /// (style sheet, font, options), for batch's incremental manifest.
    pub fn fingerprint(&self) -> String {
        self.fingerprint.clone()
    }

    /// The EPUB file's bytes, and warnings (unsupported elements, …).
    pub fn render(&self, doc: &Document) -> Result<Rendered> {
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
                xhtml: xhtml::article(a, &lang, &mut images, &mut diags),
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

        let cover = match &self.bold {
            Some(font) => Some((cover::render(doc, font)?, format!("{title} 封面"))),
            None => {
                diags.push(Diagnostic::warning(
                    "no-cover",
                    None,
                    format!(
                        "the EPUB has no cover: {}",
                        self.font_problem.as_deref().unwrap_or("no font")
                    ),
                ));
                None
            }
        };
        let mut css = self.css.clone();
        let font = match (&self.regular, self.opts.embed_font) {
            (Some(f), true) => {
                let (name, bytes) = webfont::subset_for(doc, f)?;
                css = webfont::with_font_face(&css, &name);
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
        let bytes = package::build(package::Package {
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
        Ok(Rendered {
            bytes,
            diagnostics: diags,
        })
    }
}

/// The book's title: the issue's own title when the metadata gives one, else the newspaper
/// and date (`武进日报 2023年12月29日`), else the title inferred from the first headline.
pub fn book_title(doc: &Document) -> String {
    let m = &doc.meta;
    let title_given = !m.inferred.iter().any(|i| i.field == "title");
    match (&m.newspaper, m.date) {
        (Some(n), Some(d)) if !title_given => format!("{n} {}", d.chinese()),
        _ => m.title.clone(),
    }
}
