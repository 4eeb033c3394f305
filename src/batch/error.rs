//! Errors that stop a whole batch run (as opposed to one issue's failure, which is
//! reported in the summary and never stops the others).

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not a folder of issues (give a folder, or a single .md file)")]
    NotAnInputFolder { path: PathBuf },
    #[error("--shard `{spec}`: {reason} (write I/N with 1 ≤ I ≤ N, e.g. 2/4)")]
    BadShard { spec: String, reason: &'static str },
    #[error(
        "--shard auto: no scheduler index in the environment (looked for {vars}); give --shard I/N"
    )]
    NoScheduler { vars: String },
    #[error("--shard auto ({scheduler}): {reason}")]
    SchedulerIndex {
        scheduler: &'static str,
        reason: String,
    },
    #[error("{path}: {source}")]
    Json {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error(transparent)]
    Write(#[from] crate::Error),
    #[error("{0}")]
    Feed(String),
    #[error("watching {path}: {message}")]
    Watch { path: PathBuf, message: String },
}

impl BatchError {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        BatchError::Io {
            path: path.into(),
            source,
        }
    }
}

pub type Result<T, E = BatchError> = std::result::Result<T, E>;
