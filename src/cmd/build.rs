//! `paiban build`: one issue → `OUTDIR/<name>.epub` and/or `OUTDIR/<name>.pdf` (and
//! `<name>.ofd` with `--ofd`).

use anyhow::{anyhow, bail, Result};
use paiban::build::Builder;
use paiban::edition::Edition;
use paiban::{epub, pdf, PrepareOptions};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// An issue: a .md file or a folder of pages (with issue.toml).
    input: PathBuf,
    /// Output folder.
    #[arg(short, long, default_value = "out")]
    output: PathBuf,
    /// Build the EPUB (EPUB and PDF when none of --epub, --pdf, --ofd is given).
    #[arg(long)]
    epub: bool,
    /// Build the PDF.
    #[arg(long)]
    pdf: bool,
    #[command(flatten)]
    options: BuildOptions,
}

/// How issues are typeset: shared by `build` and `batch`.
#[derive(clap::Args)]
pub struct BuildOptions {
    /// Typeset the source as written, without the normalizer's repairs.
    #[arg(long)]
    no_normalize: bool,
    /// Style: a .css file for the EPUB, a .toml file for the PDF (may be given twice).
    #[arg(long)]
    style: Vec<PathBuf>,
    /// PDF page size preset: a4, a5 or b5.
    #[arg(long)]
    page: Option<String>,
    /// Body font for the PDF (TTF/OTF/TTC).
    #[arg(long)]
    font: Option<PathBuf>,
    /// Standards the PDF must meet, comma-separated: a-1b, a-2b, a-2u, a-2a, a-3b, a-3u,
    /// a-4, ua-1 (default a-2u, or the style's `pdf_standard`).
    #[arg(long, value_name = "LIST", value_parser = standard_list)]
    pdf_standard: Option<String>,
    /// Embed a subset of the CJK font in the EPUB.
    #[arg(long)]
    embed_font: bool,
    /// A shared folder issues may take images from besides their own (logos, mastheads);
    /// may be given more than once. The style's `assets` key does the same.
    #[arg(long, value_name = "DIR")]
    assets: Vec<PathBuf>,
    /// Also write NAME.ofd, the OFD-A edition (GB/T 33190, GB/T 42133) from the PDF's
    /// layout (or `ofd = true` in the style file).
    #[arg(long)]
    ofd: bool,
    /// Editions to write, comma-separated: zh-Hans (as written; NAME.epub), zh-Hant,
    /// zh-TW, zh-HK (converted with OpenCC; NAME.zh-TW.epub …). Default: the style's
    /// `editions`, else zh-Hans.
    #[arg(long, value_name = "LIST", value_parser = edition_list)]
    edition: Option<String>,
    /// Vertical setting (竖排): columns top to bottom, right to left; pages turn to the
    /// right (or `vertical = true` in the style file). EPUB and PDF (not yet the OFD).
    #[arg(long)]
    vertical: bool,
}

/// An `--edition` value naming known editions, each once (else a usage error).
fn edition_list(list: &str) -> std::result::Result<String, String> {
    paiban::edition::Edition::parse_list(list)
        .map(|_| list.to_string())
        .map_err(|e| e.to_string())
}

/// A `--pdf-standard` value that names known, compatible standards (else a usage error).
fn standard_list(list: &str) -> std::result::Result<String, String> {
    pdf::standard::Standards::parse(list)
        .map(|_| list.to_string())
        .map_err(|e| e.to_string())
}

impl BuildOptions {
    /// The `--style` files as (CSS, TOML). Every one must be a regular file ending in
    /// `.css` or `.toml`, at most one of each: a style that would be ignored is an error,
    /// never a silent fallback to the default.
    fn styles(&self) -> Result<(Option<PathBuf>, Option<PathBuf>)> {
        let (mut css, mut toml) = (None, None);
        for p in &self.style {
            let md = std::fs::metadata(p).map_err(|e| anyhow!("--style {}: {e}", p.display()))?;
            if !md.is_file() {
                let what = if md.is_dir() {
                    "is a folder"
                } else {
                    "is not a regular file"
                };
                bail!(
                    "--style {}: {what}; a style is a .css file (EPUB) or a .toml file (PDF)",
                    p.display()
                );
            }
            let ext = p
                .extension()
                .map(|e| e.to_string_lossy().to_ascii_lowercase());
            let slot = match ext.as_deref() {
                Some("css") => &mut css,
                Some("toml") => &mut toml,
                _ => bail!(
                    "--style {}: not a .css (EPUB) or .toml (PDF) file",
                    p.display()
                ),
            };
            if let Some(first) = slot.replace(p.clone()) {
                bail!(
                    "--style {} and {}: two styles for the same format",
                    first.display(),
                    p.display()
                );
            }
        }
        Ok((css, toml))
    }

    /// The PDF options (also what `batch --review` checks glyphs and pages against).
    pub fn pdf_options(&self) -> Result<pdf::PdfOptions> {
        Ok(pdf::PdfOptions {
            page: self.page.clone(),
            style: self.styles()?.1,
            font: self.font.clone(),
            standard: self.pdf_standard.clone(),
            faces: None,
            vertical: self.vertical,
        })
    }

    /// How issues are read (see [`super::prepare_options`]).
    pub fn prepare_options(&self) -> Result<PrepareOptions> {
        super::prepare_options(
            !self.no_normalize,
            &self.assets,
            self.styles()?.1.as_deref(),
        )
    }

    /// The builder for these options, with the backends of the formats wanted.
    pub fn builder(&self, want_epub: bool, want_pdf: bool, want_ofd: bool) -> Result<Builder> {
        let (css, toml) = self.styles()?;
        let style = toml
            .as_deref()
            .map(paiban::style::Style::from_file)
            .transpose()?;
        let style_ofd = style.as_ref().is_some_and(|s| s.ofd);
        let vertical = self.vertical || style.as_ref().is_some_and(|s| s.vertical);
        let want_ofd = want_ofd || self.ofd || style_ofd;
        if vertical && want_ofd {
            // A horizontal OFD from a vertical request would be a silent fallback.
            bail!(
                "vertical setting is built for the EPUB and the PDF only so far; the OFD is \
                 set horizontally: build without --ofd, or without --vertical"
            );
        }
        let epub_opts = want_epub.then_some(epub::EpubOptions {
            style_css: css,
            embed_font: self.embed_font,
            faces: None,
            vertical,
        });
        let pdf_opts = want_pdf.then(|| self.pdf_options()).transpose()?;
        let editions = super::editions_asked(self.edition.as_deref(), style.as_ref())?
            .unwrap_or_else(|| vec![Edition::Hans]);
        let dictionary = style.map(|s| s.edition.dictionary).unwrap_or_default();
        let ofd_opts = want_ofd.then(|| self.pdf_options()).transpose()?;
        Ok(Builder::new(
            self.prepare_options()?,
            epub_opts.as_ref(),
            pdf_opts.as_ref(),
        )?
        .with_ofd(ofd_opts.as_ref())?
        .with_editions(&editions, &dictionary)?)
    }
}

pub fn run(args: Args) -> Result<ExitCode> {
    // No format named: EPUB and PDF; `--ofd` alone builds only the OFD.
    let (want_epub, want_pdf) = match (args.epub, args.pdf, args.options.ofd) {
        (false, false, false) => (true, true),
        (e, p, _) => (e, p),
    };
    let builder = args.options.builder(want_epub, want_pdf, false)?;
    let built = builder.build(&args.input, &args.output)?;
    super::print_diagnostics(&built.diagnostics);
    if let Some(n) = &built.prepared.normalized {
        // The editor reviews the repairs with `paiban normalize`; here a count and the warnings.
        let kinds = &n.counts;
        for w in &n.warnings {
            let loc = built.prepared.locate_input_line(w.line);
            say!("{loc}: warning: {}", w.message);
        }
        if !kinds.is_empty() {
            let list: Vec<String> = kinds.iter().map(|(k, c)| format!("{k} {c}")).collect();
            say!(
                "normalized: {} (review: paiban normalize {})",
                list.join(", "),
                args.input.display()
            );
        }
    }
    for (path, size) in &built.outputs {
        say!("wrote {} ({size} bytes)", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
