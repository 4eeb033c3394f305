//! `paiban normalize` (not available yet).

use anyhow::{bail, Result};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Input files or folders.
    inputs: Vec<PathBuf>,
}

pub fn run(_args: Args) -> Result<ExitCode> {
    bail!("`paiban normalize` is not available yet")
}
