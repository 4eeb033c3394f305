//! Where `check --html PATH` writes review pages: one issue → PATH itself; several →
//! PATH is a folder with `NAME.review.html` per issue (`NAME-2`, … when two issues share
//! a name) and an `index.html` linking them.

use anyhow::{Context, Result};
use paiban::check::IssueReport;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub struct Pages {
    target: PathBuf,
    folder: bool,
    used: BTreeSet<String>,
    /// File name of each page written, in order.
    names: Vec<String>,
}

impl Pages {
    pub fn new(target: &Path, issues: usize) -> Self {
        Pages {
            target: target.to_path_buf(),
            folder: issues > 1 || target.is_dir(),
            used: BTreeSet::new(),
            names: Vec::new(),
        }
    }

    pub fn write(&mut self, input: &Path, _report: &IssueReport, page: &str) -> Result<()> {
        let path = if self.folder {
            let base = paiban::review::batch::page_path(input, Path::new(""));
            let base = base.to_string_lossy();
            let stem = base
                .strip_suffix(".review.html")
                .unwrap_or(&base)
                .to_string();
            let mut name = format!("{stem}.review.html");
            let mut n = 2;
            while !self.used.insert(name.clone()) {
                name = format!("{stem}-{n}.review.html");
                n += 1;
            }
            self.names.push(name.clone());
            self.target.join(name)
        } else {
            self.target.clone()
        };
        paiban::review::write_page(&path, page)
            .with_context(|| format!("writing the review page {}", path.display()))?;
        say!("wrote {}", path.display());
        Ok(())
    }

    /// With several issues: the index page.
    pub fn finish(self, reports: &[IssueReport]) -> Result<()> {
        if !self.folder {
            return Ok(());
        }
        let entries: Vec<(&str, &IssueReport)> = self
            .names
            .iter()
            .map(String::as_str)
            .zip(reports.iter())
            .collect();
        let path = self.target.join("index.html");
        paiban::review::write_page(&path, &paiban::review::index(&entries))
            .with_context(|| format!("writing {}", path.display()))?;
        say!("wrote {}", path.display());
        Ok(())
    }
}
