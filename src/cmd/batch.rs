//! `paiban batch INDIR -o OUTDIR`: every new or changed issue under INDIR, converted in
//! parallel; a progress bar on a terminal, one line per issue otherwise; a summary.

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use paiban::batch::settle::Settle;
use paiban::batch::{
    self, shard, BatchOptions, Event, FeedOptions, Shard, Status, Summary, WatchOptions,
};
use paiban::build::Builder;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    /// The folder of issues: every .md file and every folder with an issue.toml.
    indir: PathBuf,
    /// Output folder; outputs mirror the inputs' folders inside it.
    #[arg(short, long, default_value = "out")]
    output: PathBuf,
    /// Issues converted at once (default: the number of cores).
    #[arg(short, long)]
    jobs: Option<usize>,
    /// Rebuild every issue, even those the manifest says are up to date.
    #[arg(long)]
    force: bool,
    /// Keep running and convert issues as they appear or change.
    #[arg(long)]
    watch: bool,
    /// With --watch: convert an issue once its files have been unchanged this long
    /// (seconds), so a file still being copied in is never converted half-written.
    /// Without --watch (default 0): issues changed more recently than this are left for
    /// the next run.
    #[arg(long, value_name = "SECONDS", value_parser = parse_settle)]
    settle: Option<Duration>,
    /// The OPDS catalog to write (default OUTDIR/opds.xml; further pages beside it).
    #[arg(long, value_name = "FILE")]
    opds: Option<PathBuf>,
    /// Write no OPDS catalog.
    #[arg(long, conflicts_with_all = ["opds", "base_url"])]
    no_opds: bool,
    /// The URL at which OUTDIR is served (e.g. https://example.org/papers/): the catalog's
    /// links become absolute. Relative links otherwise.
    #[arg(long, value_name = "URL", value_parser = paiban::links::base_url)]
    base_url: Option<String>,
    /// With --watch: stop after this many issues were converted (for tests and scripts).
    #[arg(long, hide = true)]
    watch_exit_after: Option<usize>,
    /// Convert only shard I of N (by a hash of each issue's path), e.g. 2/4; or `auto`:
    /// I and N from the scheduler's task index (SLURM_ARRAY_TASK_ID/_COUNT,
    /// JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX/_SIZE, CLOUD_RUN_TASK_INDEX/_COUNT),
    /// the default when one of them is set.
    #[arg(long, value_name = "I/N|auto", value_parser = parse_shard)]
    shard: Option<ShardArg>,
    /// With --shard auto: how many shards there are (Kubernetes Indexed Jobs give only
    /// the index; default: PAIBAN_SHARDS, else the scheduler's count).
    #[arg(long, value_name = "N")]
    shards: Option<u64>,
    /// Formats to build, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "epub,pdf")]
    format: Vec<Format>,
    /// Write the summary as JSON to this file.
    #[arg(long)]
    summary_json: Option<PathBuf>,
    /// Also write each issue's review page, NAME.review.html, next to its outputs.
    #[arg(long)]
    review: bool,
    #[command(flatten)]
    options: super::build::BuildOptions,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Epub,
    Pdf,
    Ofd,
}

/// Seconds, 0 to a day (a usage error otherwise, exit 2).
fn parse_settle(s: &str) -> Result<Duration, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..=86_400.0).contains(&v) => Ok(Duration::from_secs_f64(v)),
        _ => Err("give seconds between 0 and 86400, e.g. 2 or 0.5".into()),
    }
}

#[derive(Clone, Copy)]
enum ShardArg {
    Fixed(Shard),
    Auto,
}

fn parse_shard(s: &str) -> Result<ShardArg, String> {
    if s.trim() == "auto" {
        return Ok(ShardArg::Auto);
    }
    Shard::parse(s)
        .map(ShardArg::Fixed)
        .map_err(|e| e.to_string())
}

/// The shard this run converts: `--shard I/N`, or the scheduler's index (`--shard auto`,
/// also when no --shard is given but a scheduler's index variable is set).
fn shard(args: &Args) -> Result<Option<Shard>> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    let auto = match args.shard {
        Some(ShardArg::Fixed(s)) => return Ok(Some(s)),
        Some(ShardArg::Auto) => true,
        None => shard::scheduler_present(&env),
    };
    if !auto {
        return Ok(None);
    }
    let shards = match (args.shards, env("PAIBAN_SHARDS")) {
        (Some(n), _) => Some(n),
        (None, Some(v)) => Some(v.trim().parse::<u64>().map_err(|_| {
            anyhow::anyhow!("PAIBAN_SHARDS=`{v}`: give the number of shards, e.g. 4")
        })?),
        (None, None) => None,
    };
    let a = shard::from_scheduler(&env, shards)?;
    eprintln!(
        "shard {} of {} (from {})",
        a.shard.index, a.shard.count, a.from
    );
    Ok(Some(a.shard))
}

pub fn run(args: Args) -> Result<ExitCode> {
    // Many issues, one after another: memory one issue frees serves the next instead of
    // going back to the system and being faulted in again.
    paiban::heap::keep_for_reuse(paiban::heap::BATCH_RETAIN);
    let builder = builder(&args)?;
    let reviewing = if args.review {
        Some(paiban::review::batch::Reviewing {
            inner: &builder,
            check: paiban::check::CheckOptions::new(&args.options.pdf_options()?)?
                .with_prepare(args.options.prepare_options()?),
        })
    } else {
        None
    };
    let conv: &dyn batch::Convert = match &reviewing {
        Some(r) => r,
        None => &builder,
    };
    let opts = BatchOptions {
        indir: args.indir.clone(),
        outdir: args.output.clone(),
        jobs: args.jobs.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
        }),
        force: args.force,
        shard: shard(&args)?,
        feed: (!args.no_opds).then(|| {
            let mut feed = FeedOptions::in_outdir(&args.output);
            if let Some(p) = &args.opds {
                feed.path = p.clone();
            }
            feed.base_url = args.base_url.clone();
            feed
        }),
    };
    let settle = args.settle;
    // A backend panic on a worker is caught and reported as that failure; the
    // default hook would also print it, in the middle of the progress display.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let worker = std::thread::current()
            .name()
            .is_some_and(|n| n.starts_with(batch::WORKER_PREFIX));
        if !worker {
            default_hook(info);
        }
    }));
    let progress = Progress::new(std::io::stderr().is_terminal(), args.watch);
    let on_event = |e: Event| progress.event(e);
    if args.watch {
        let mut w = WatchOptions {
            exit_after: args.watch_exit_after,
            ..WatchOptions::default()
        };
        if let Some(s) = settle {
            w.settle = s;
        }
        let mut on_pass = |r: Result<&Summary, &batch::BatchError>| match r {
            Ok(s) => {
                progress.finish(s);
                if let Err(e) = write_summary(&args, s) {
                    say!("paiban: error: {}", super::error_line(&e));
                }
            }
            Err(e) => say!("paiban: error: {e}"),
        };
        batch::watch(&opts, &w, conv, &on_event, &mut on_pass)?;
        return Ok(ExitCode::SUCCESS);
    }
    let settler = settle.map(Settle::new);
    if let Some(s) = &settler {
        // One run can only see files stay still by looking twice: a quiet first look
        // notes every new or changed issue, the second, a settle time later, converts
        // those that did not change in between (the others wait for the next run).
        let first = batch::run_pass(&opts, conv, &|_| {}, Some(s))?;
        if first.waiting > 0 {
            std::thread::sleep(settle.unwrap_or_default() + Duration::from_millis(50));
        }
    }
    let summary = batch::run_pass(&opts, conv, &on_event, settler.as_ref())?;
    progress.finish(&summary);
    write_summary(&args, &summary)?;
    Ok(if summary.is_failure() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn builder(args: &Args) -> Result<Builder> {
    let want = |f| args.format.contains(&f);
    Ok(args
        .options
        .builder(want(Format::Epub), want(Format::Pdf), want(Format::Ofd))?
        .for_batch())
}

fn write_summary(args: &Args, s: &Summary) -> Result<()> {
    if let Some(path) = &args.summary_json {
        paiban::output::write_atomic(path, s.to_json().as_bytes())
            .with_context(|| format!("writing the summary to {}", path.display()))?;
    }
    Ok(())
}

/// A bar on a terminal (a new one for each pass of --watch); plain lines, one per
/// issue, for logs and pipes.
struct Progress {
    terminal: bool,
    watching: bool,
    /// Set after the first pass of --watch: later passes would list every unchanged
    /// issue again at each change, so only the work done is shown.
    quiet_skips: AtomicBool,
    bar: Mutex<Option<ProgressBar>>,
}

impl Progress {
    fn new(terminal: bool, watching: bool) -> Progress {
        Progress {
            terminal,
            watching,
            quiet_skips: AtomicBool::new(false),
            bar: Mutex::new(None),
        }
    }

    fn bar(&self) -> Option<ProgressBar> {
        self.bar.lock().ok().and_then(|b| b.clone())
    }

    fn say(&self, line: &str) {
        match self.bar() {
            Some(b) => b.println(super::terminal_safe(line, false)),
            // One eprintln per line: stderr is locked for its duration, so lines from
            // different workers never interleave.
            None => say!("{line}"),
        }
    }

    fn event(&self, e: Event) {
        match e {
            Event::Planned { total } => {
                if self.terminal {
                    let b = ProgressBar::with_draw_target(
                        Some(total as u64),
                        ProgressDrawTarget::stderr(),
                    );
                    if let Ok(style) =
                        ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed} {wide_msg}")
                    {
                        b.set_style(style);
                    }
                    if let Ok(mut slot) = self.bar.lock() {
                        *slot = Some(b);
                    }
                }
            }
            Event::Warning(w) => self.say(&format!("warning: {w}")),
            Event::Done(o) => {
                let line = match &o.status {
                    Status::Converted {
                        outputs, seconds, ..
                    } => format!(
                        "converted {} → {} ({seconds:.2} s)",
                        o.input,
                        outputs.join(", ")
                    ),
                    Status::Skipped => format!("skipped {} (up to date)", o.input),
                    Status::Waiting { seconds } => format!(
                        "waiting {}: its files changed less than the settle time ago \
                         (again in {seconds:.1} s)",
                        o.input
                    ),
                    Status::Failed { reason } => format!("FAILED {}: {reason}", o.input),
                };
                match self.bar() {
                    Some(b) => {
                        if matches!(o.status, Status::Failed { .. }) {
                            b.println(super::terminal_safe(&line, false));
                        }
                        b.set_message(o.input.clone());
                        b.inc(1);
                    }
                    None => {
                        let quiet = self.quiet_skips.load(Ordering::Relaxed);
                        if !(quiet && matches!(o.status, Status::Skipped)) {
                            self.say(&line);
                        }
                    }
                }
            }
        }
    }

    fn finish(&self, s: &Summary) {
        if let Some(b) = self.bar.lock().ok().and_then(|mut b| b.take()) {
            b.finish_and_clear();
        }
        say!("{}", s.to_text().trim_end());
        self.quiet_skips.store(self.watching, Ordering::Relaxed);
    }
}
