//! One batch pass: discover, keep this shard's issues, skip the unchanged, convert the
//! rest in parallel (each issue isolated: an error or a panic fails that issue only),
//! record each finished issue, and summarize.

use super::about::{epub_facts, IssueInfo};
use super::discover::{discover, Found};
use super::error::{BatchError, Result};
use super::inputs::{hash_files, source_files, Hashes};
use super::manifest::{Entry, OutputStamp, Store};
use super::opds::{FeedItem, FeedOptions};
use super::settle::Settle;
use super::shard::Shard;
use super::stale::remove_stale_temps;
use super::summary::{Outcome, ShardReport, Status, Summary};
use crate::build::Builder;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Names of the worker threads (so a panic hook can tell a worker's caught panic from
/// a real crash).
pub const WORKER_PREFIX: &str = "paiban-batch-";

/// The work done for one issue. `Builder` is the real one; tests inject others
/// (failing, panicking) to check that one bad issue never stops the rest.
pub trait Convert: Sync {
    /// Everything besides the issue that changes its outputs (style, fonts, version).
    fn fingerprint(&self) -> String;
    /// Converts the issue at `input` into files under `out_dir` (created if needed).
    fn convert(&self, input: &Path, out_dir: &Path) -> Result<Converted, IssueError>;
}

/// What converting one issue wrote and read.
#[derive(Debug, Default)]
pub struct Converted {
    pub outputs: Vec<PathBuf>,
    /// Local images the issue referenced (their changes must rebuild it).
    pub images: Vec<PathBuf>,
    pub warnings: usize,
    /// What the OPDS feed lists about the issue; None leaves it out of the feed.
    pub about: Option<IssueInfo>,
}

/// Why one issue failed. Its message names the file (and line where there is one).
#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    #[error(transparent)]
    Build(#[from] crate::Error),
    /// A referenced image is missing: outputs would silently lack it, and a later run
    /// could not notice the image arriving, so batch counts it as a failure.
    #[error("{0}")]
    MissingImage(String),
    #[error("{0}")]
    Other(String),
}

impl Convert for Builder {
    fn fingerprint(&self) -> String {
        // `catalog`: outputs recorded before the feed existed lack what it lists (and
        // the cover file), so they are built once more.
        format!("{} catalog=1", Builder::fingerprint(self))
    }

    fn convert(&self, input: &Path, out_dir: &Path) -> Result<Converted, IssueError> {
        let built = self.build(input, out_dir)?;
        if let Some(d) = built.diagnostics.iter().find(|d| d.kind == "missing-image") {
            // The files were written without the image: take them back, so a failed
            // issue never leaves outputs that look finished.
            for (p, _) in &built.outputs {
                let _ = std::fs::remove_file(p);
            }
            let place = d
                .location
                .as_ref()
                .map_or(input.display().to_string(), |l| l.to_string());
            return Err(IssueError::MissingImage(format!("{place}: {}", d.message)));
        }
        let mut outputs: Vec<PathBuf> = built.outputs.into_iter().map(|(p, _)| p).collect();
        let name = crate::output::safe_file_name(&built.prepared.issue.name);
        let mut infos = Vec::with_capacity(built.editions.len());
        for (edition, doc) in &built.editions {
            let mut about = IssueInfo::of(doc.as_ref().unwrap_or(&built.prepared.document));
            if *edition != crate::edition::Edition::Hans {
                about.edition = Some(edition.name().to_string());
            }
            let epub_name = format!("{}.epub", edition.file_stem(&name));
            if let Some(epub) = outputs
                .iter()
                .find(|p| {
                    p.file_name()
                        .is_some_and(|f| f.to_string_lossy() == epub_name)
                })
                .cloned()
            {
                // The cover goes beside the outputs, where the feed can link it.
                let facts = epub_facts(&epub).map_err(IssueError::Other)?;
                about.identifier = facts.identifier;
                if let Some((bytes, ext)) = facts.cover {
                    let cover = epub.with_extension(format!("cover.{ext}"));
                    crate::output::write_atomic(&cover, &bytes)?;
                    outputs.push(cover);
                    // From the cover's pixels as drawn when the build kept them, else
                    // from the PNG; a cover that cannot be scaled (not a PNG) is its own
                    // thumbnail.
                    let drawn = built.covers.iter().find(|(e, _)| e == edition);
                    let thumb = match (drawn, ext) {
                        (Some((_, c)), "png") => super::thumbnail::of_indices(
                            c.width,
                            c.height,
                            &c.indices,
                            &c.palette,
                            &c.inked_rows,
                        ),
                        (None, "png") => super::thumbnail::thumbnail(&bytes),
                        _ => Ok(None),
                    };
                    if let Ok(Some(thumb)) = thumb {
                        let path = epub.with_extension("thumb.png");
                        crate::output::write_atomic(&path, &thumb)?;
                        outputs.push(path);
                    }
                }
            }
            infos.push(about);
        }
        // The first edition is the issue's entry; the others ride along as its editions.
        let mut infos = infos.into_iter();
        let about = infos.next().map(|mut first| {
            first.editions = infos.collect();
            first
        });
        Ok(Converted {
            outputs,
            images: super::inputs::images_of(&built.prepared.document),
            warnings: built.diagnostics.len(),
            about,
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct BatchOptions {
    pub indir: PathBuf,
    pub outdir: PathBuf,
    /// Issues converted at once (at least 1).
    pub jobs: usize,
    /// Rebuild even what the manifest says is up to date.
    pub force: bool,
    pub shard: Option<Shard>,
    /// The OPDS feed to rewrite after the pass; None writes none.
    pub feed: Option<FeedOptions>,
}

/// Progress, reported from worker threads as it happens.
pub enum Event<'a> {
    /// The issues of this pass are known.
    Planned {
        total: usize,
    },
    Done(&'a Outcome),
    Warning(String),
}

/// Runs one pass over INDIR. Only problems with OUTDIR itself (cannot create it, cannot
/// write the manifest) are errors; every issue's own failure is in the summary, and so
/// is a feed that could not be written (after every issue was converted).
pub fn run(
    opts: &BatchOptions,
    conv: &dyn Convert,
    on_event: &(dyn Fn(Event) + Sync),
) -> Result<Summary> {
    run_pass(opts, conv, on_event, None)
}

/// [`run`], converting only issues that `settle` finds settled; the others wait (their
/// earlier outputs, if any, stay listed) and are reported as waiting.
pub fn run_pass(
    opts: &BatchOptions,
    conv: &dyn Convert,
    on_event: &(dyn Fn(Event) + Sync),
    settle: Option<&Settle>,
) -> Result<Summary> {
    let start = Instant::now();
    let outdir = &opts.outdir;
    std::fs::create_dir_all(outdir).map_err(|e| BatchError::io(outdir, e))?;
    for p in remove_stale_temps(outdir) {
        on_event(Event::Warning(format!(
            "removed {}, left by an interrupted run",
            p.display()
        )));
    }
    let found = discover(&opts.indir, Some(outdir))?;
    let all_keys: Vec<String> = found.issues.iter().map(|f| f.key.clone()).collect();
    let ours = |key: &str| opts.shard.is_none_or(|s| s.contains(key));
    let issues: Vec<Found> = found.issues.into_iter().filter(|f| ours(&f.key)).collect();
    let problems: Vec<_> = found
        .problems
        .into_iter()
        .filter(|p| ours(&p.key))
        .collect();
    on_event(Event::Planned {
        total: issues.len() + problems.len(),
    });

    let (store, warnings) = Store::open(outdir, opts.shard, &ours);
    for w in warnings {
        on_event(Event::Warning(w));
    }
    let fingerprint = conv.fingerprint();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs.max(1))
        .thread_name(|i| format!("{WORKER_PREFIX}{i}"))
        .build()
        .map_err(|e| BatchError::io(outdir, std::io::Error::other(e)))?;

    let results: Vec<(Outcome, Option<Entry>)> = pool.install(|| {
        issues
            .par_iter()
            .map(|f| {
                let (outcome, entry) = one(opts, conv, &store, &fingerprint, f, settle);
                on_event(Event::Done(&outcome));
                (outcome, entry)
            })
            .collect()
    });

    let mut outcomes = Vec::with_capacity(results.len() + problems.len());
    let mut entries = BTreeMap::new();
    for (o, e) in results {
        if let Some(e) = e {
            entries.insert(o.input.clone(), e);
        }
        outcomes.push(o);
    }
    for p in problems {
        let o = Outcome {
            input: p.key,
            status: Status::Failed { reason: p.reason },
        };
        on_event(Event::Done(&o));
        outcomes.push(o);
    }
    // The feed lists what this pass built or kept; for any other issue still in INDIR
    // (another shard's, or one that failed this time), its last outputs that are still
    // there as written.
    let feed_entries: Vec<(String, Entry)> = all_keys
        .iter()
        .filter_map(|k| {
            let e = entries.get(k).or_else(|| store.latest(k))?;
            Some((k.clone(), e.clone()))
        })
        .collect();
    store.finish(entries)?;
    let mut summary = Summary::new(outcomes, start.elapsed().as_secs_f64());
    if let Some(s) = opts.shard {
        // A shard never writes the shared feed (shards finishing at once would each
        // replace it with their own view); `paiban catalog` merges every shard's
        // manifest into it. Its failures go to a log of its own.
        let sizes = super::shard::sizes(all_keys.iter().map(String::as_str), s.count);
        summary.shard = Some(ShardReport::new(s, &sizes));
        write_failure_log(outdir, s, &summary)?;
        return Ok(summary);
    }
    if let Some(feed) = &opts.feed {
        // One entry per edition (zh-TW, …: `about.editions`), each with its own files.
        let items: Vec<FeedItem> = feed_entries
            .iter()
            .filter_map(|(k, e)| Some((k, e, e.about.as_ref()?)))
            .flat_map(|(k, e, about)| {
                let files: Vec<&str> = e.outputs.iter().map(|o| o.path.as_str()).collect();
                std::iter::once(about)
                    .chain(&about.editions)
                    .map(move |a| FeedItem {
                        key: k,
                        about: a,
                        files: a.files_of(&files),
                        built: e.built(),
                    })
            })
            .collect();
        match super::opds::write(feed, outdir, &items) {
            Ok(r) => summary.feed = Some(r),
            Err(e) => summary.feed_error = Some(e.to_string()),
        }
    }
    Ok(summary)
}

/// `paiban-failures.shard-I-of-N.log` in OUTDIR: one line per issue this shard failed,
/// `PATH: REASON` (empty when none failed), replaced at the end of each of its runs.
pub fn failure_log_path(outdir: &Path, shard: Shard) -> PathBuf {
    outdir.join(format!("paiban-failures.{}.log", shard.suffix()))
}

fn write_failure_log(outdir: &Path, shard: Shard, summary: &Summary) -> Result<()> {
    let mut log = String::new();
    for (input, reason) in summary.failures() {
        // One line per failure, whatever the reason holds.
        let reason = reason.replace(['\n', '\r'], " ");
        log.push_str(&format!("{input}: {reason}\n"));
    }
    crate::output::write_atomic(&failure_log_path(outdir, shard), log.as_bytes())?;
    Ok(())
}

/// One issue: skip it, or convert and record it. Returns the entry the manifest keeps.
fn one(
    opts: &BatchOptions,
    conv: &dyn Convert,
    store: &Store,
    fingerprint: &str,
    f: &Found,
    settle: Option<&Settle>,
) -> (Outcome, Option<Entry>) {
    let fail = |reason: String| {
        (
            Outcome {
                input: f.key.clone(),
                status: Status::Failed { reason },
            },
            None,
        )
    };
    let files = match source_files(&f.path, f.is_folder) {
        Ok(files) => files,
        Err(e) => return fail(e.to_string()),
    };
    let sources = match hash_files(&files, &opts.indir) {
        Ok(h) => h,
        Err(e) => return fail(e.to_string()),
    };
    if !opts.force {
        if let Some(e) = store.fresh(&f.key, fingerprint, &sources, &opts.indir) {
            let outcome = Outcome {
                input: f.key.clone(),
                status: Status::Skipped,
            };
            return (outcome, Some(e.clone()));
        }
    }
    let ready = f.is_folder.then(|| f.path.join(super::settle::READY));
    if let Some(wait) = settle.and_then(|s| s.wait(&f.key, &sources, &files, ready.as_deref())) {
        // Still being written: keep what was published before, untouched.
        let outcome = Outcome {
            input: f.key.clone(),
            status: Status::Waiting {
                seconds: wait.as_secs_f64(),
            },
        };
        return (outcome, store.latest(&f.key).cloned());
    }
    let t = Instant::now();
    let out_dir = opts.outdir.join(&f.out_dir);
    let converted = match catch_unwind(AssertUnwindSafe(|| conv.convert(&f.path, &out_dir))) {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => return fail(e.to_string()),
        Err(panic) => {
            return fail(format!(
                "{}: crashed: {}",
                f.path.display(),
                panic_text(&*panic)
            ))
        }
    };
    match entry_for(opts, fingerprint, sources, &converted) {
        Ok(entry) => {
            if let Err(e) = store.record(&f.key, &entry) {
                return fail(e.to_string());
            }
            let outputs = entry.outputs.iter().map(|o| o.path.clone()).collect();
            let outcome = Outcome {
                input: f.key.clone(),
                status: Status::Converted {
                    outputs,
                    seconds: t.elapsed().as_secs_f64(),
                    warnings: converted.warnings,
                },
            };
            (outcome, Some(entry))
        }
        Err(reason) => fail(reason),
    }
}

fn entry_for(
    opts: &BatchOptions,
    fingerprint: &str,
    sources: Hashes,
    c: &Converted,
) -> Result<Entry, String> {
    let mut outputs = Vec::with_capacity(c.outputs.len());
    for p in &c.outputs {
        // Backends only ever get a folder inside OUTDIR; check the names they chose too.
        if !p.starts_with(&opts.outdir)
            || p.components().any(|c| c == std::path::Component::ParentDir)
        {
            return Err(format!("{}: output outside OUTDIR refused", p.display()));
        }
        outputs
            .push(OutputStamp::of(p, &opts.outdir).map_err(|e| format!("{}: {e}", p.display()))?);
    }
    let images = hash_files(&c.images, &opts.indir).map_err(|e| e.to_string())?;
    Ok(Entry {
        fingerprint: fingerprint.to_string(),
        sources,
        images,
        outputs,
        about: c.about.clone(),
    })
}

fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic with no message".into())
}
