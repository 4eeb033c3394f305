//! Building one issue into its output files: prepare once, render each format, write
//! each file atomically. Shared by `paiban build` and `paiban batch`.

use crate::diagnostics::Diagnostic;
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
}

/// What building one issue produced.
pub struct Built {
    pub prepared: Prepared,
    /// Files written, with their sizes.
    pub outputs: Vec<(PathBuf, usize)>,
    /// Warnings from preparing and from the backends.
    pub diagnostics: Vec<Diagnostic>,
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
        })
    }

    /// Also writes `<name>.ofd` (OFD-A), laid out with `opts` as the PDF is.
    pub fn with_ofd(mut self, opts: Option<&PdfOptions>) -> Result<Self> {
        self.ofd = opts.map(PdfEngine::new).transpose()?;
        Ok(self)
    }

    /// Everything besides the issue that changes the outputs (for incremental batch runs).
    pub fn fingerprint(&self) -> String {
        format!(
            "paiban {} normalize={}{} epub={} pdf={} ofd={}",
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
        // Each format goes to its temporary file as soon as it is made and its bytes are
        // dropped, so a large issue never holds the EPUB, PDF and OFD at once; all are
        // renamed into place together at the end (or removed on failure).
        let mut staged = crate::output::Staged::default();
        let mut outputs = Vec::new();
        let mut stage = |path: PathBuf, bytes: Vec<u8>| -> Result<()> {
            crate::batch::stale::remove_stale_temps_of(&path);
            staged.stage(&path, &bytes)?;
            outputs.push((path, bytes.len()));
            Ok(())
        };
        if let Some(engine) = &self.epub {
            let r = engine.render(&prepared.document)?;
            diagnostics.extend(r.diagnostics);
            stage(outdir.join(format!("{name}.epub")), r.bytes)?;
        }
        match (&self.pdf, &self.ofd) {
            // Both from one layout (the same options make the same engine).
            (Some(engine), Some(_)) => {
                let d = engine.render_pdf_and_ofd(&prepared.document, &mut |ext, bytes| {
                    stage(outdir.join(format!("{name}.{ext}")), bytes)
                })?;
                diagnostics.extend(d);
            }
            (pdf, ofd) => {
                if let Some(engine) = pdf {
                    let r = engine.render(&prepared.document)?;
                    diagnostics.extend(r.diagnostics);
                    stage(outdir.join(format!("{name}.pdf")), r.bytes)?;
                }
                if let Some(engine) = ofd {
                    let r = engine.render_ofd(&prepared.document)?;
                    diagnostics.extend(r.diagnostics);
                    stage(outdir.join(format!("{name}.ofd")), r.bytes)?;
                }
            }
        }
        // An image that vanished between parsing and rendering is missing all the same.
        refuse_missing_images(&diagnostics)?;
        staged.commit()?;
        // Listed EPUB, PDF, OFD, whatever order they were finished in.
        let rank = |p: &PathBuf| match p.extension().and_then(|e| e.to_str()) {
            Some("epub") => 0,
            Some("pdf") => 1,
            _ => 2,
        };
        outputs.sort_by_key(|(p, _)| rank(p));
        Ok(Built {
            prepared,
            outputs,
            diagnostics,
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
