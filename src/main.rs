//! The `paiban` command line: parses arguments, runs one subcommand, reports errors.
//! Exit status: 0 success, 1 failure (or findings that count as failure), 2 usage error.

#[macro_use]
mod cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "paiban",
    version,
    about = "排版 — typeset Chinese newspaper issues (Markdown) into EPUB and PDF"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build an issue (a .md file or a folder of pages) into EPUB and/or PDF.
    Build(cmd::build::Args),
    /// Repair page-break damage and punctuation; print the repaired Markdown and every repair.
    Normalize(cmd::normalize::Args),
    /// Preflight: report what a build would repair, what looks wrong and what would print badly.
    Check(cmd::check::Args),
    /// Convert every new or changed issue under a folder, in parallel.
    Batch(cmd::batch::Args),
    /// Merge every shard's manifest in a batch's OUTDIR into one OPDS catalog.
    Catalog(cmd::catalog::Args),
    /// Print the document model: metadata, articles with their headline groups, sections.
    Outline(cmd::outline::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build(a) => cmd::build::run(a),
        Command::Normalize(a) => cmd::normalize::run(a),
        Command::Check(a) => cmd::check::run(a),
        Command::Batch(a) => cmd::batch::run(a),
        Command::Catalog(a) => cmd::catalog::run(a),
        Command::Outline(a) => cmd::outline::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            say!("paiban: error: {}", cmd::error_line(&e));
            ExitCode::FAILURE
        }
    }
}
