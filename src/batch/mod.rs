//! `paiban batch`: every issue under a folder, converted in parallel and incrementally,
//! one bad issue never stopping the others.
//!
//! [`discover`] finds the issues, [`shard`] splits them across machines, [`manifest`]
//! remembers what was built from what, [`run`] does a pass, [`watch`] repeats passes as
//! files change (once they [`settle`]), [`summary`] reports, [`opds`] lists every issue
//! built in a catalog (from what [`about`] recorded), and [`catalog`] merges every
//! shard's manifest into that feed.

pub mod about;
pub mod catalog;
pub mod discover;
pub mod error;
pub mod inputs;
pub mod manifest;
pub mod opds;
pub mod run;
pub mod settle;
pub mod shard;
pub mod stale;
pub mod summary;
pub mod thumbnail;
pub mod watch;

pub use catalog::{catalog, CatalogReport};
pub use error::BatchError;
pub use opds::FeedOptions;
pub use run::{run, run_pass, BatchOptions, Convert, Converted, Event, IssueError, WORKER_PREFIX};
pub use shard::Shard;
pub use summary::{Outcome, Status, Summary};
pub use watch::{watch, WatchOptions};
