//! `paiban build`: one issue → `OUTDIR/<name>.epub` and/or `OUTDIR/<name>.pdf`.

use anyhow::{Context, Result};
use paiban::{epub, output, pdf, PrepareOptions};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// An issue: a .md file or a folder of pages (with issue.toml).
    input: PathBuf,
    /// Output folder.
    #[arg(short, long, default_value = "out")]
    output: PathBuf,
    /// Build the EPUB (both formats when neither --epub nor --pdf is given).
    #[arg(long)]
    epub: bool,
    /// Build the PDF.
    #[arg(long)]
    pdf: bool,
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
    /// Embed a subset of the CJK font in the EPUB.
    #[arg(long)]
    embed_font: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let (want_epub, want_pdf) = match (args.epub, args.pdf) {
        (false, false) => (true, true),
        other => other,
    };
    let prepared = paiban::prepare_path(&args.input, &PrepareOptions { normalize: !args.no_normalize })?;
    super::print_diagnostics(&prepared.diagnostics);
    let name = &prepared.issue.name;
    let css = args.style.iter().find(|p| p.extension().is_some_and(|e| e == "css")).cloned();
    let toml = args.style.iter().find(|p| p.extension().is_some_and(|e| e != "css")).cloned();
    if want_epub {
        let opts = epub::EpubOptions { style_css: css, embed_font: args.embed_font };
        let bytes = epub::write(&prepared.document, &opts)?;
        let path = args.output.join(format!("{name}.epub"));
        output::write_atomic(&path, &bytes).with_context(|| "writing the EPUB")?;
        eprintln!("wrote {} ({} bytes)", path.display(), bytes.len());
    }
    if want_pdf {
        let opts = pdf::PdfOptions { page: args.page.clone(), style: toml, font: args.font.clone() };
        let bytes = pdf::write(&prepared.document, &opts)?;
        let path = args.output.join(format!("{name}.pdf"));
        output::write_atomic(&path, &bytes).with_context(|| "writing the PDF")?;
        eprintln!("wrote {} ({} bytes)", path.display(), bytes.len());
    }
    Ok(ExitCode::SUCCESS)
}
