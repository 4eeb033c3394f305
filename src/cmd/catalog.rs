//! `paiban catalog OUTDIR`: the OPDS feed (and the review index) of every issue the
//! shards of a batch recorded in OUTDIR's manifests.

use anyhow::{Context, Result};
use paiban::batch::{self, FeedOptions};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The batch's output folder (every shard's `paiban-manifest.*.json` in it).
    outdir: PathBuf,
    /// The OPDS catalog to write (default OUTDIR/opds.xml; further pages beside it).
    #[arg(long, value_name = "FILE")]
    opds: Option<PathBuf>,
    /// The URL at which OUTDIR is served: the catalog's links become absolute.
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Write what was done as JSON to this file.
    #[arg(long)]
    summary_json: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    if !args.outdir.is_dir() {
        anyhow::bail!(
            "{}: not a folder (give a batch's OUTDIR)",
            args.outdir.display()
        );
    }
    let mut feed = FeedOptions::in_outdir(&args.outdir);
    if let Some(p) = &args.opds {
        feed.path = p.clone();
    }
    feed.base_url = args.base_url.clone();
    let t = std::time::Instant::now();
    let report = batch::catalog(&args.outdir, &feed)?;
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    let f = &report.feed;
    eprintln!(
        "OPDS catalog: {} ({} issues, {} page{}) from {} manifest files in {:.2} s",
        f.path,
        f.entries,
        f.pages,
        if f.pages == 1 { "" } else { "s" },
        report.manifests,
        t.elapsed().as_secs_f64()
    );
    if let Some(r) = &report.review_index {
        eprintln!("review index: {r}");
    }
    if let Some(path) = &args.summary_json {
        let json = serde_json::to_string_pretty(&report)?;
        paiban::output::write_atomic(path, json.as_bytes())
            .with_context(|| format!("writing the summary to {}", path.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}
