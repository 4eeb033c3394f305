//! `paiban batch`: every issue under a folder, converted in parallel and incrementally,
//! one bad issue never stopping the others.
//!
//! [`discover`] finds the issues, [`shard`] splits them across machines, [`manifest`]
//! remembers what was built from what, [`run`] does a pass, [`watch`] repeats passes as
//! files change, [`summary`] reports.

pub mod discover;
pub mod error;
pub mod inputs;
pub mod manifest;
pub mod run;
pub mod shard;
pub mod stale;
pub mod summary;
pub mod watch;

pub use error::BatchError;
pub use run::{run, BatchOptions, Convert, Converted, Event, IssueError, WORKER_PREFIX};
pub use shard::Shard;
pub use summary::{Outcome, Status, Summary};
pub use watch::{watch, WatchOptions};
