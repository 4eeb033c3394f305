//! Typed errors of the library. Each names the file (and line where there is one);
//! only the binary prints them.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: no such file or directory")]
    NotFound { path: PathBuf },
    #[error("{path}: is a file, not a folder (cannot write output into it)")]
    NotAFolder { path: PathBuf },
    #[error("{path}: refused: the page {why} (only files inside the issue folder are read)")]
    Refused { path: PathBuf, why: String },
    #[error("{place}{message}; nothing written (add the image or remove the reference)")]
    MissingImage { place: String, message: String },
    #[error("{path}: no Markdown (.md) files in this directory")]
    NoMarkdown { path: PathBuf },
    #[error("{path}:{line}: invalid UTF-8 at byte {offset} (the file must be UTF-8 text)")]
    InvalidUtf8 {
        path: PathBuf,
        line: usize,
        offset: usize,
    },
    #[error("{path}:1: this is UTF-16 text; save it as UTF-8")]
    Utf16 { path: PathBuf },
    #[error("{path}:{line}: NUL byte at byte {offset} (binary data in a text file)")]
    NulByte {
        path: PathBuf,
        line: usize,
        offset: usize,
    },
    #[error("{path}:{line}: malformed {format} metadata: {message}")]
    Metadata {
        path: PathBuf,
        line: usize,
        format: &'static str,
        message: String,
    },
    #[error("{path}: input too large ({size} bytes or more; the limit is {limit} bytes)")]
    TooLarge {
        path: PathBuf,
        size: u64,
        limit: u64,
    },
    #[error("{path}: the issue has no content (the file is empty or only whitespace)")]
    EmptyIssue { path: PathBuf },
    #[error(transparent)]
    Pdf(#[from] crate::pdf::PdfError),
    #[error(transparent)]
    Ofd(#[from] crate::ofd::OfdError),
    #[error(transparent)]
    Epub(#[from] crate::epub::EpubError),
    #[error(transparent)]
    Edition(#[from] crate::edition::EditionError),
    #[error("{0} is not available yet")]
    Unavailable(&'static str),
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        let path = path.into();
        if source.kind() == std::io::ErrorKind::NotFound {
            Error::NotFound { path }
        } else {
            Error::Io { path, source }
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
