//! Building one issue into its output files: prepare once, render each format, write
//! each file atomically. Shared by `paiban build` and `paiban batch`.

use crate::diagnostics::Diagnostic;
use crate::edition::{Converter, Dictionary, Edition};
use crate::epub::{EpubEngine, EpubOptions};
use crate::error::Result;
use crate::pdf::{PdfEngine, PdfOptions};
use crate::{prepare_path, PrepareOptions, Prepared};
use std::path::{Path, PathBuf};

/// The backends and options, loaded once and used for any number of issues.
pub struct Builder {
    pub prepare: PrepareOptions,
    pub epub: Option<EpubEngine>,
    pub pdf: Option<PdfEngine>,
    /// The OFD's engine: the PDF's style and fonts, so both files share one layout.
    pub ofd: Option<PdfEngine>,
    /// The options the engines above were made with, for the editions' own engines.
    epub_opts: Option<EpubOptions>,
    pdf_opts: Option<PdfOptions>,
    ofd_opts: Option<PdfOptions>,
    /// The editions written, in order; by default the text as written (zh-Hans) alone.
    editions: Vec<EditionEngines>,
    /// Built for `batch` ([`Builder::for_batch`]).
    batch: bool,
}

/// One edition's converter and, for a Traditional edition, engines drawing with its
/// regional faces (None: the Simplified engines above).
struct EditionEngines {
    converter: Converter,
    engines: Option<Engines>,
}

struct Engines {
    epub: Option<EpubEngine>,
    pdf: Option<PdfEngine>,
    ofd: Option<PdfEngine>,
}

/// What building one issue produced.
pub struct Built {
    pub prepared: Prepared,
    /// Files written, with their sizes.
    pub outputs: Vec<(PathBuf, usize)>,
    /// Warnings from preparing and from the backends.
    pub diagnostics: Vec<Diagnostic>,
    /// The editions written, in order, each with its converted document (None: the
    /// text as written, `prepared.document`).
    pub editions: Vec<(Edition, Option<crate::model::Document>)>,
    /// Each edition's EPUB cover as drawn, for a [`Builder::for_batch`].
    pub covers: Vec<(Edition, crate::epub::CoverImage)>,
}

impl Builder {
    pub fn new(
        prepare: PrepareOptions,
        epub: Option<&EpubOptions>,
        pdf: Option<&PdfOptions>,
    ) -> Result<Self> {
        Ok(Builder {
            prepare,
            epub: epub.map(EpubEngine::new).transpose()?,
            pdf: pdf.map(PdfEngine::new).transpose()?,
            ofd: None,
            epub_opts: epub.cloned(),
            pdf_opts: pdf.cloned(),
            ofd_opts: None,
            editions: vec![EditionEngines {
                converter: Converter::new(Edition::Hans, &Dictionary::new())?,
                engines: None,
            }],
            batch: false,
        })
    }

    /// For `batch`: hands back the pixels of each EPUB's cover in [`Built::covers`] (the
    /// feed's thumbnails are made of them), and leaves killed runs' temporary files to the
    /// batch's sweep of OUTDIR when it starts, instead of reading the output folder again
    /// for every file (ten years of a daily in one folder: 7,300 files, read per file).
    pub fn for_batch(mut self) -> Self {
        self.batch = true;
        self
    }

    /// Also writes `<name>.ofd` (OFD-A), laid out with `opts` as the PDF is.
    pub fn with_ofd(mut self, opts: Option<&PdfOptions>) -> Result<Self> {
        self.ofd = opts.map(PdfEngine::new).transpose()?;
        self.ofd_opts = opts.cloned();
        Ok(self)
    }

    /// Writes these editions (`NAME.*` for zh-Hans, `NAME.zh-TW.*` …), converting with
    /// `dictionary` before OpenCC. Call after [`Builder::with_ofd`]: each Traditional
    /// edition gets engines of the same options, drawing with its regional faces.
    pub fn with_editions(mut self, editions: &[Edition], dictionary: &Dictionary) -> Result<Self> {
        let mut out = Vec::with_capacity(editions.len());
        for &e in editions {
            let converter = Converter::new(e, dictionary)?;
            let engines = match e.faces()? {
                None => None,
                Some(faces) => {
                    let pdf_with = |o: &PdfOptions| {
                        PdfEngine::new(&PdfOptions {
                            faces: Some(faces.clone()),
                            ..o.clone()
                        })
                    };
                    Some(Engines {
                        epub: self
                            .epub_opts
                            .as_ref()
                            .map(|o| {
                                EpubEngine::new(&EpubOptions {
                                    faces: Some(faces.clone()),
                                    ..o.clone()
                                })
                            })
                            .transpose()?,
                        pdf: self.pdf_opts.as_ref().map(pdf_with).transpose()?,
                        ofd: self.ofd_opts.as_ref().map(pdf_with).transpose()?,
                    })
                }
            };
            out.push(EditionEngines { converter, engines });
        }
        self.editions = out;
        Ok(self)
    }

    /// The editions written, in order.
    pub fn editions(&self) -> Vec<Edition> {
        self.editions
            .iter()
            .map(|e| e.converter.edition())
            .collect()
    }

    /// Everything besides the issue that changes the outputs (for incremental batch runs).
    pub fn fingerprint(&self) -> String {
        let editions: Vec<String> = self
            .editions
            .iter()
            .map(|e| {
                let engines = e.engines.as_ref().map_or(String::new(), |g| {
                    format!(
                        "/{}/{}/{}",
                        g.epub.as_ref().map_or("-".into(), EpubEngine::fingerprint),
                        g.pdf.as_ref().map_or("-".into(), PdfEngine::fingerprint),
                        g.ofd.as_ref().map_or("-".into(), PdfEngine::fingerprint)
                    )
                });
                format!(
                    "{}:{}{engines}",
                    e.converter.edition(),
                    e.converter.fingerprint()
                )
            })
            .collect();
        format!(
            "paiban {} normalize={}{} epub={} pdf={} ofd={} editions={}",
            env!("CARGO_PKG_VERSION"),
            self.prepare.normalize,
            self.prepare
                .assets
                .iter()
                .map(|a| format!(" assets={}", a.display()))
                .collect::<String>(),
            self.epub
                .as_ref()
                .map_or("-".into(), EpubEngine::fingerprint),
            self.pdf.as_ref().map_or("-".into(), PdfEngine::fingerprint),
            self.ofd.as_ref().map_or("-".into(), PdfEngine::fingerprint),
            editions.join(","),
        )
    }

    /// Builds the issue at `input` into `outdir/<name>.epub` and `outdir/<name>.pdf`.
    /// Both formats are rendered before anything is written.
    pub fn build(&self, input: &Path, outdir: &Path) -> Result<Built> {
        let mut prepared = prepare_path(input, &self.prepare)?;
        prepared.release_texts();
        let mut diagnostics = prepared.diagnostics.clone();
        refuse_missing_images(&diagnostics)?;
        let name = crate::output::safe_file_name(&prepared.issue.name);
        let issue_dictionary = &prepared.issue.meta.edition_dictionary;
        let mut editions = Vec::with_capacity(self.editions.len());
        // Each format goes to its temporary file as soon as it is made and its bytes are
        // dropped, so a large issue never holds the EPUB, PDF and OFD at once; all are
        // renamed into place together at the end (or removed on failure).
        let mut staged = crate::output::Staged::default();
        let mut outputs: Vec<(PathBuf, usize)> = Vec::new();
        let mut covers = Vec::new();
        for edition in &self.editions {
            let converter = edition.converter.with_dictionary(issue_dictionary);
            let converted = (converter.edition() != Edition::Hans)
                .then(|| converter.document(&prepared.document));
            let doc = converted.as_ref().unwrap_or(&prepared.document);
            let (epub, pdf, ofd) = match &edition.engines {
                Some(g) => (&g.epub, &g.pdf, &g.ofd),
                None => (&self.epub, &self.pdf, &self.ofd),
            };
            let stem = converter.edition().file_stem(&name);
            let first = outputs.len();
            let mut stage = |path: PathBuf, bytes: Vec<u8>| -> Result<()> {
                if !self.batch {
                    crate::batch::stale::remove_stale_temps_of(&path);
                }
                staged.stage(&path, &bytes)?;
                outputs.push((path, bytes.len()));
                Ok(())
            };
            if let Some(engine) = epub {
                let (r, cover) = engine.render_with_cover(doc)?;
                diagnostics.extend(r.diagnostics);
                stage(outdir.join(format!("{stem}.epub")), r.bytes)?;
                if let Some(c) = cover.filter(|_| self.batch) {
                    covers.push((converter.edition(), c));
                }
            }
            match (pdf, ofd) {
                // Both from one layout (the same options make the same engine).
                (Some(engine), Some(_)) => {
                    let d = engine.render_pdf_and_ofd(doc, &mut |ext, bytes| {
                        stage(outdir.join(format!("{stem}.{ext}")), bytes)
                    })?;
                    diagnostics.extend(d);
                }
                (pdf, ofd) => {
                    if let Some(engine) = pdf {
                        let r = engine.render(doc)?;
                        diagnostics.extend(r.diagnostics);
                        stage(outdir.join(format!("{stem}.pdf")), r.bytes)?;
                    }
                    if let Some(engine) = ofd {
                        let r = engine.render_ofd(doc)?;
                        diagnostics.extend(r.diagnostics);
                        stage(outdir.join(format!("{stem}.ofd")), r.bytes)?;
                    }
                }
            }
            // Listed EPUB, PDF, OFD within an edition, whatever order they were finished in.
            let rank = |p: &PathBuf| match p.extension().and_then(|e| e.to_str()) {
                Some("epub") => 0,
                Some("pdf") => 1,
                _ => 2,
            };
            outputs[first..].sort_by_key(|(p, _)| rank(p));
            editions.push((converter.edition(), converted));
        }
        // An image that vanished between parsing and rendering is missing all the same.
        refuse_missing_images(&diagnostics)?;
        staged.commit()?;
        Ok(Built {
            prepared,
            outputs,
            diagnostics,
            editions,
            covers,
        })
    }
}

/// The one policy for a missing image, in `build`, `check` and `batch` alike: the issue
/// is incomplete, so nothing is written (an image left out on purpose — outside the issue
/// folder, of a kind the format cannot hold — is a warning instead).
fn refuse_missing_images(diagnostics: &[Diagnostic]) -> Result<()> {
    match diagnostics.iter().find(|d| d.kind == "missing-image") {
        Some(d) => Err(crate::Error::MissingImage {
            place: d
                .location
                .as_ref()
                .map_or_else(String::new, |l| format!("{l}: ")),
            message: d.message.clone(),
        }),
        None => Ok(()),
    }
}
