//! `paiban catalog OUTDIR`: one OPDS feed from every shard's manifest (and journal, so
//! issues of shards still running are listed as they finish).
//!
//! Streamed, for archives of millions of issues: each record is rendered to its feed
//! entry as it is read and spilled to a temporary file; memory holds only, per issue, its
//! sort key and where its entry lies (about 100 bytes). The pages are then written in
//! order, each to a temporary file, and renamed into place once all are written, the
//! first page last (see `opds` for why that makes the switch one step). Two
//! catalogs at once take turns (a lock file); shards writing meanwhile are only read.

use super::error::{BatchError, Result};
use super::manifest::{self, Entry};
use super::opds::{self, FeedItem, FeedOptions, FeedReport, Links, PAGE_SIZE};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// What a catalog run did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CatalogReport {
    pub feed: FeedReport,
    /// Manifests and journals read.
    pub manifests: usize,
    /// The review pages' index, when the issues have review pages (`batch --review`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_index: Option<String>,
    /// Files that could not be read (their issues are left out).
    pub warnings: Vec<String>,
}

/// The chosen record of one issue.
struct Chosen {
    built: u64,
    /// The feed's sort key: the issue's day (newest first); its `updated` is that day at
    /// midnight.
    day: Box<str>,
    paper: Option<u32>,
    /// Its rendered `<entry>` in the spill file.
    at: u64,
    len: u32,
    /// Its review page and title, for the review index.
    review: Option<(u64, u32)>,
}

/// Merges every manifest in `outdir` into the feed `feed` (and, when the issues have
/// review pages, `OUTDIR/review-index.html`).
pub fn catalog(outdir: &Path, feed: &FeedOptions) -> Result<CatalogReport> {
    let _lock = lock(outdir)?;
    let dir = opds::parent(&feed.path);
    std::fs::create_dir_all(dir).map_err(|e| BatchError::io(dir, e))?;
    let mut links = Links::new(feed, dir, outdir)?;
    let spill_path = outdir.join(crate::output::temp_name("paiban-catalog"));
    let mut spill = Spill::create(&spill_path)?;
    let mut chosen: BTreeMap<String, Chosen> = BTreeMap::new();
    let mut papers: Vec<String> = Vec::new();
    let mut paper_ids: BTreeMap<String, u32> = BTreeMap::new();
    let files = manifest::files(outdir);
    let mut warnings = Vec::new();
    let mut failed: Option<BatchError> = None;
    let mut buf = String::new();
    for path in &files {
        let mut each = |key: String, e: Entry| {
            if failed.is_some() {
                return;
            }
            let Some(about) = e.about.as_ref() else {
                return;
            };
            if e.outputs.is_empty() || chosen.get(&key).is_some_and(|c| c.built > e.built()) {
                return;
            }
            // Only outputs still there as written: a record of a file since replaced
            // (or an issue rebuilt by a later run) is not listed.
            if !e.outputs.iter().all(|o| o.still_there(outdir)) {
                return;
            }
            let files: Vec<&str> = e.outputs.iter().map(|o| o.path.as_str()).collect();
            let item = FeedItem {
                key: &key,
                about,
                files: about.files_of(&files),
                built: e.built(),
            };
            buf.clear();
            opds::entry(&mut buf, &links, &item);
            // Each further edition (zh-TW, …) is an entry of its own, with its language.
            for other in &about.editions {
                let item = FeedItem {
                    key: &key,
                    about: other,
                    files: other.files_of(&files),
                    built: item.built,
                };
                opds::entry(&mut buf, &links, &item);
            }
            let len = buf.len() as u32;
            let at = match spill.put(buf.as_bytes()) {
                Ok(at) => at,
                Err(err) => {
                    failed = Some(err);
                    return;
                }
            };
            let review = match e.outputs.iter().find(|o| o.path.ends_with(".review.html")) {
                Some(o) => {
                    buf.clear();
                    review_row(&mut buf, &o.path, about);
                    match spill.put(buf.as_bytes()) {
                        Ok(at) => Some((at, buf.len() as u32)),
                        Err(err) => {
                            failed = Some(err);
                            return;
                        }
                    }
                }
                None => None,
            };
            let paper = about.newspaper.as_ref().map(|p| {
                *paper_ids.entry(p.clone()).or_insert_with(|| {
                    papers.push(p.clone());
                    (papers.len() - 1) as u32
                })
            });
            let c = Chosen {
                built: item.built,
                day: opds::day(&item).into(),
                paper,
                at,
                len,
                review,
            };
            chosen.insert(key, c);
        };
        if let Err(w) = manifest::read_one(path, &mut each) {
            warnings.push(w);
        }
        if let Some(e) = failed.take() {
            return Err(e);
        }
    }
    // Entries hold only what they need to be found again; the strings go with the map.
    let mut order: Vec<(String, Chosen)> = chosen.into_iter().collect();
    order.sort_by(|(ka, a), (kb, b)| b.day.cmp(&a.day).then_with(|| ka.cmp(kb)));
    let used: BTreeSet<&str> = order
        .iter()
        .filter_map(|(_, c)| c.paper.map(|p| papers[p as usize].as_str()))
        .collect();
    let title = opds::title_of(&used);
    let newest = order
        .iter()
        .map(|(_, c)| &*c.day)
        .max()
        .map_or_else(|| opds::NO_TIME.to_string(), |d| format!("{d}T00:00:00Z"));
    let pages = order.len().div_ceil(PAGE_SIZE).max(1);
    // The generation naming the pages after the first: a hash of everything they show.
    let mut hash = opds::generation_seed(&links, &title, &newest, pages);
    let mut buf = String::new();
    for (_, c) in &order {
        buf.clear();
        spill.get(c.at, c.len, &mut buf)?;
        hash.update(buf.as_bytes());
    }
    links.set_generation(&hash);
    let mut staged = Staged::default();
    // The first page last: its rename is the switch to the new feed.
    for n in (1..=pages).rev() {
        let mut x = opds::page_head(&links, &title, &newest, n, pages);
        let chunk = order.iter().skip((n - 1) * PAGE_SIZE).take(PAGE_SIZE);
        for (_, c) in chunk {
            spill.get(c.at, c.len, &mut x)?;
        }
        x.push_str(opds::PAGE_END);
        staged.stage(&dir.join(links.page_name(n)), x.as_bytes())?;
    }
    let rows: Vec<(u64, u32)> = order.iter().filter_map(|(_, c)| c.review).collect();
    let review_index = if rows.is_empty() {
        None
    } else {
        let mut html = String::from(REVIEW_HEAD);
        for (at, len) in rows {
            spill.get(at, len, &mut html)?;
        }
        html.push_str("</ul>\n</body>\n</html>\n");
        let path = outdir.join(REVIEW_INDEX);
        staged.stage(&path, html.as_bytes())?;
        Some(path.display().to_string())
    };
    staged.commit()?;
    opds::remove_other_pages(&links, dir, pages)?;
    drop(spill);
    let _ = std::fs::remove_file(&spill_path);
    Ok(CatalogReport {
        feed: FeedReport {
            path: feed.path.display().to_string(),
            entries: order.len(),
            pages,
        },
        manifests: files.len(),
        review_index,
        warnings,
    })
}

/// The review pages' index in OUTDIR.
pub const REVIEW_INDEX: &str = "review-index.html";

const REVIEW_HEAD: &str = "<!DOCTYPE html>\n<html lang=\"zh-Hans\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>审读页 · paiban</title>\n\
<style>body{font-family:sans-serif;max-width:48em;margin:1em auto;padding:0 1em;line-height:1.6}\
li{margin:.3em 0}time{color:#555;margin-right:.6em}</style>\n</head>\n<body>\n<h1>审读页</h1>\n<ul>\n";

/// One issue's line in the review index: its day, its title linking to its page.
fn review_row(x: &mut String, page: &str, about: &super::about::IssueInfo) {
    use std::fmt::Write as _;
    let date = about.date.as_deref().unwrap_or("");
    let _ = writeln!(
        x,
        "<li><time>{}</time><a href=\"{}\">{}</a></li>",
        opds::esc(date),
        opds::esc(&opds::encode_path(page)),
        opds::esc(&about.title)
    );
}

/// Holds `.paiban-catalog.lock` in OUTDIR until dropped: a second catalog waits.
fn lock(outdir: &Path) -> Result<std::fs::File> {
    std::fs::create_dir_all(outdir).map_err(|e| BatchError::io(outdir, e))?;
    let path = outdir.join(".paiban-catalog.lock");
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| BatchError::io(&path, e))?;
    f.lock().map_err(|e| BatchError::io(&path, e))?;
    Ok(f)
}

/// Rendered entries, appended; read back by offset.
struct Spill {
    file: std::io::BufWriter<std::fs::File>,
    path: PathBuf,
    end: u64,
    /// Whether the writer holds bytes not yet in the file.
    dirty: bool,
}

impl Spill {
    fn create(path: &Path) -> Result<Spill> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(true)
            .read(true)
            .write(true)
            .open(path)
            .map_err(|e| BatchError::io(path, e))?;
        Ok(Spill {
            file: std::io::BufWriter::with_capacity(1 << 16, file),
            path: path.to_path_buf(),
            end: 0,
            dirty: false,
        })
    }

    fn put(&mut self, bytes: &[u8]) -> Result<u64> {
        let at = self.end;
        self.file
            .write_all(bytes)
            .map_err(|e| BatchError::io(&self.path, e))?;
        self.end += bytes.len() as u64;
        self.dirty = true;
        Ok(at)
    }

    fn get(&mut self, at: u64, len: u32, out: &mut String) -> Result<()> {
        let err = |e| BatchError::io(&self.path, e);
        if self.dirty {
            self.file.flush().map_err(err)?;
            self.dirty = false;
        }
        let f = self.file.get_mut();
        let mut bytes = vec![0; len as usize];
        f.seek(SeekFrom::Start(at))
            .and_then(|_| f.read_exact(&mut bytes))
            .map_err(err)?;
        // Written from a String just before.
        out.push_str(&String::from_utf8_lossy(&bytes));
        Ok(())
    }
}

/// Files written to temporaries, renamed into place together by `commit` (or removed
/// when dropped uncommitted).
#[derive(Default)]
struct Staged {
    files: Vec<(PathBuf, PathBuf)>,
}

impl Staged {
    fn stage(&mut self, path: &Path, bytes: &[u8]) -> Result<()> {
        let name = path
            .file_name()
            .map_or_else(|| "opds.xml".into(), |n| n.to_string_lossy().into_owned());
        let tmp = opds::parent(path).join(crate::output::temp_name(&name));
        std::fs::File::create(&tmp)
            .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_data()))
            .map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                BatchError::io(path, e)
            })?;
        self.files.push((tmp, path.to_path_buf()));
        Ok(())
    }

    fn commit(mut self) -> Result<()> {
        while let Some((tmp, path)) = self.files.first() {
            std::fs::rename(tmp, path).map_err(|e| BatchError::io(path, e))?;
            self.files.remove(0);
        }
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        for (tmp, _) in &self.files {
            let _ = std::fs::remove_file(tmp);
        }
    }
}
