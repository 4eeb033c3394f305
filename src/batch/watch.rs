//! `--watch`: a first pass, then another pass whenever INDIR changes. Changes are
//! debounced (a pass starts once INDIR has been quiet for a moment), and an issue whose
//! files changed is converted only once they have been unchanged for the settle time
//! (a file copied in two writes seconds apart is never converted from its first half;
//! a pass is due again when the wait ends). Passes never overlap, so an issue is never
//! converted twice at once. Each pass is incremental: only what changed is converted.

use super::error::{BatchError, Result};
use super::run::{run_pass, BatchOptions, Convert, Event};
use super::settle::Settle;
use super::summary::{Status, Summary};
use notify::{EventKind, RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, RecvTimeoutError};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// Quiet time after the last change before a pass starts.
    pub debounce: Duration,
    /// Stop once this many issues have been converted in all (for tests and scripts).
    pub exit_after: Option<usize>,
    /// Interval of the polling fallback, used when the OS offers no notifications.
    pub poll: Duration,
    /// How long an issue's files must stay unchanged, as paiban sees them, before a pass
    /// converts it. The first pass takes the files as they are, as `paiban batch`
    /// without --watch does.
    pub settle: Duration,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions {
            debounce: Duration::from_millis(500),
            exit_after: None,
            poll: Duration::from_secs(2),
            settle: Duration::from_secs(2),
        }
    }
}

/// Runs passes until `exit_after` is reached (or forever). `on_pass` sees each pass's
/// summary; an error of a pass itself (OUTDIR unwritable) is reported there too and
/// the watch goes on.
pub fn watch(
    opts: &BatchOptions,
    w: &WatchOptions,
    conv: &dyn Convert,
    on_event: &(dyn Fn(Event) + Sync),
    on_pass: &mut dyn FnMut(Result<&Summary, &BatchError>),
) -> Result<()> {
    let (tx, rx) = channel();
    // Keep the watcher alive for the whole loop; without it we poll.
    let watcher = notify::recommended_watcher(tx).and_then(|mut wt| {
        wt.watch(&opts.indir, RecursiveMode::Recursive)?;
        Ok(wt)
    });
    let polling = match &watcher {
        Ok(_) => false,
        Err(e) => {
            on_event(Event::Warning(format!(
                "watching {}: {e}; polling every {} s instead",
                opts.indir.display(),
                w.poll.as_secs_f64()
            )));
            true
        }
    };
    let settle = Settle::new(w.settle);
    let mut first = true;
    let feed = opts.feed.as_ref().and_then(|f| feed_pages(&f.path));
    let mut converted = 0usize;
    loop {
        // The first pass takes the folder as it finds it, as `batch` without --watch
        // does; later passes convert what changed once it has settled.
        let pass = run_pass(opts, conv, on_event, (!first).then_some(&settle));
        first = false;
        // OUTDIR exists once a pass has run: events inside it (our own writes) are not
        // changes of the input (before, each pass would wake the next, forever).
        let outdir = opts.outdir.canonicalize().unwrap_or(opts.outdir.clone());
        // When the first issue still settling may be converted.
        let mut due: Option<Instant> = None;
        match pass {
            Ok(s) => {
                converted += s.converted;
                due = next_due(&s);
                on_pass(Ok(&s));
            }
            Err(e) => on_pass(Err(&e)),
        }
        if w.exit_after.is_some_and(|n| converted >= n) {
            return Ok(());
        }
        if polling {
            let nap = due.map_or(w.poll, |d| {
                w.poll.min(d.saturating_duration_since(Instant::now()))
            });
            std::thread::sleep(nap);
            continue;
        }
        // Block until something relevant changes (or a settling issue is due), then
        // wait for quiet.
        loop {
            let got = match due {
                Some(d) => match rx.recv_timeout(d.saturating_duration_since(Instant::now())) {
                    Ok(m) => Some(m),
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => None,
                },
                None => rx.recv().ok(),
            };
            match got {
                Some(Ok(ev)) if relevant(&ev, &outdir) && !ours(&ev, &feed) => break,
                Some(_) => {}
                None => {
                    return Err(BatchError::Watch {
                        path: opts.indir.clone(),
                        message: "the file watcher stopped".into(),
                    })
                }
            }
        }
        loop {
            match rx.recv_timeout(w.debounce) {
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
    }
}

/// When the soonest waiting issue of a pass may be converted (a little after, so its
/// files have surely been still for the whole settle time).
fn next_due(s: &Summary) -> Option<Instant> {
    s.issues
        .iter()
        .filter_map(|o| match o.status {
            Status::Waiting { seconds } => Some(seconds),
            _ => None,
        })
        .reduce(f64::min)
        .map(|secs| Instant::now() + Duration::from_secs_f64(secs) + Duration::from_millis(50))
}

/// A change that can alter an issue: not mere reads (a pass reads every file, which
/// would otherwise wake the watcher forever), not metadata (content hashes decide), not
/// inside OUTDIR, not hidden files (editors' swap files, our own temporaries).
fn relevant(ev: &notify::Event, outdir: &Path) -> bool {
    let kind_counts = !matches!(
        ev.kind,
        EventKind::Access(_) | EventKind::Modify(notify::event::ModifyKind::Metadata(_))
    );
    kind_counts
        && ev.paths.iter().any(|p| {
            let hidden = p
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'));
            !hidden && !p.starts_with(outdir) && !under(p, outdir)
        })
}

/// The feed's folder (canonical) and file stem: `--opds` may put it inside INDIR, where
/// each pass's rewrite would otherwise wake the watcher for another pass, forever.
fn feed_pages(path: &Path) -> Option<(PathBuf, String)> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty())?;
    let stem = path.file_stem()?.to_string_lossy().into_owned();
    Some((dir.canonicalize().ok()?, stem))
}

/// Whether every path of `ev` is a page of our own feed (`opds.xml`, `opds-2.xml`, …).
fn ours(ev: &notify::Event, feed: &Option<(PathBuf, String)>) -> bool {
    let Some((dir, stem)) = feed else {
        return false;
    };
    // Hidden names (the feed's temporaries, renamed over it) count for nothing.
    let names = ev.paths.iter().filter_map(|p| {
        let name = p.file_name()?.to_string_lossy().into_owned();
        (!name.starts_with('.')).then_some((p, name))
    });
    let mut any = false;
    let all = names.inspect(|_| any = true).all(|(p, name)| {
        name.starts_with(stem.as_str())
            && name.ends_with(".xml")
            && p.parent()
                .and_then(|d| d.canonicalize().ok())
                .is_some_and(|d| &d == dir)
    });
    any && all
}

/// `p` inside `dir` (or `dir` itself: its creation by the first pass is no change of
/// the input), comparing canonical paths where the file still exists.
fn under(p: &Path, dir: &Path) -> bool {
    if p.canonicalize().is_ok_and(|c| c.starts_with(dir)) {
        return true;
    }
    let canon: PathBuf = p
        .parent()
        .and_then(|d| d.canonicalize().ok())
        .unwrap_or_else(|| p.to_path_buf());
    canon.starts_with(dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, CreateKind, DataChange, MetadataKind, ModifyKind};

    fn ev(kind: EventKind, p: &Path) -> notify::Event {
        notify::Event::new(kind).add_path(p.to_path_buf())
    }

    #[test]
    fn relevant_changes() {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("out");
        std::fs::create_dir_all(&out).unwrap();
        let out = out.canonicalize().unwrap();
        let md = t.path().canonicalize().unwrap().join("new.md");
        let data = EventKind::Modify(ModifyKind::Data(DataChange::Content));
        assert!(relevant(
            &ev(EventKind::Create(CreateKind::File), &md),
            &out
        ));
        assert!(relevant(&ev(data, &md), &out));
        assert!(!relevant(
            &ev(EventKind::Access(AccessKind::Any), &md),
            &out
        ));
        let meta = EventKind::Modify(ModifyKind::Metadata(MetadataKind::Any));
        assert!(!relevant(&ev(meta, &md), &out));
        // The feed written inside INDIR (--opds) does not start another pass.
        let feed = feed_pages(&md.with_file_name("opds.xml"));
        let renamed = ev(data, &md.with_file_name(".opds.xml.7.tmp"))
            .add_path(md.with_file_name("opds-2.xml"));
        assert!(ours(&renamed, &feed));
        assert!(!ours(&ev(data, &md), &feed));
        assert!(!ours(&ev(data, &md), &None));
        assert!(!relevant(&ev(data, &out.join("new.epub")), &out));
        assert!(!relevant(
            &ev(data, &md.with_file_name(".new.md.swp")),
            &out
        ));
    }
}
