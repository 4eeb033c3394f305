//! `paiban batch --review`: converts each issue as usual and writes its review page,
//! `<name>.review.html`, next to its outputs. An issue that fails still gets a page
//! saying why (the failure is reported as before).

use crate::batch::{Convert, Converted, IssueError};
use crate::check::CheckOptions;
use crate::output::safe_file_name;
use std::path::{Path, PathBuf};

/// A converter that also writes the review page of each issue it converts.
pub struct Reviewing<'a> {
    pub inner: &'a dyn Convert,
    pub check: CheckOptions,
}

/// Where the review page of the issue at `input` goes in `out_dir`.
pub fn page_path(input: &Path, out_dir: &Path) -> PathBuf {
    let stem = input
        .file_stem()
        .or_else(|| input.file_name())
        .map_or_else(|| "issue".to_string(), |s| s.to_string_lossy().into_owned());
    out_dir.join(format!("{}.review.html", safe_file_name(&stem)))
}

impl Convert for Reviewing<'_> {
    /// The page is an output: turning `--review` on converts again what lacks one.
    fn fingerprint(&self) -> String {
        format!("{} review", self.inner.fingerprint())
    }

    fn convert(&self, input: &Path, out_dir: &Path) -> Result<Converted, IssueError> {
        let result = self.inner.convert(input, out_dir);
        // The page is made from the issue again (the build frees its text); a failed
        // build's page shows the check's errors, which name the same problem.
        let (_, page) = super::check_and_review(input, &self.check);
        let path = page_path(input, out_dir);
        super::write_page(&path, &page)?;
        let mut converted = result?;
        converted.outputs.push(path);
        Ok(converted)
    }
}
