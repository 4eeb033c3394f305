//! The content normalizer: repairs page-break damage and Chinese punctuation on the
//! Markdown source, and records every repair for the editor's review.
//!
//! (Placeholder until the normalizer lands: returns the text unchanged.)

use crate::model::IssueDate;
use serde::Serialize;

/// What the normalizer knows about the issue (running heads name the paper and the date).
#[derive(Debug, Clone, Default)]
pub struct NormalizeOptions {
    pub newspaper: Option<String>,
    pub date: Option<IssueDate>,
}

/// One change made to the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Repair {
    /// 1-based line of the input text where the repair starts.
    pub line: usize,
    /// Name of the pass, e.g. `page-break-join`, `repeated-overlap`, `page-furniture`, `punctuation`.
    pub kind: &'static str,
    pub before: String,
    pub after: String,
    /// Why the repair was judged safe (e.g. the evidence for a repeated overlap).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

/// Something worth an editor's look that the normalizer did not change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NormWarning {
    pub line: usize,
    pub kind: &'static str,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct Normalized {
    pub text: String,
    pub repairs: Vec<Repair>,
    pub warnings: Vec<NormWarning>,
    /// For each 0-based line of `text`, the 0-based line of the input it came from.
    pub line_origin: Vec<usize>,
}

pub fn normalize(text: &str, _opts: &NormalizeOptions) -> Normalized {
    Normalized {
        text: text.to_string(),
        repairs: Vec::new(),
        warnings: Vec::new(),
        line_origin: (0..text.split('\n').count()).collect(),
    }
}
