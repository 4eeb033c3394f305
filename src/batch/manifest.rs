//! The incremental manifest in OUTDIR: per issue, the hashes of its inputs, the builder
//! fingerprint (style, fonts, version) and a stamp of each output. An issue whose record
//! still matches in every part is skipped.
//!
//! Finished issues are appended to a journal as they complete, so a killed run loses
//! nothing it finished; the manifest itself is rewritten atomically at the end of a run,
//! which then deletes the journal.

use super::about::IssueInfo;
use super::error::{BatchError, Result};
use super::inputs::{unchanged, Hashes};
use super::shard::Shard;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const PREFIX: &str = "paiban-manifest";

/// What one issue's outputs were built from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub fingerprint: String,
    /// Pages and `issue.toml`.
    pub sources: Hashes,
    /// Local images the document referenced.
    pub images: Hashes,
    pub outputs: Vec<OutputStamp>,
    /// What the OPDS feed lists about the issue (absent in manifests written before the
    /// feed existed, and for converters that do not describe issues).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub about: Option<IssueInfo>,
}

impl Entry {
    /// When its outputs were written, in seconds since the epoch.
    pub fn built(&self) -> u64 {
        self.outputs
            .iter()
            .map(|o| o.modified_ns / 1_000_000_000)
            .max()
            .unwrap_or(0)
    }
}

/// An output file as written: an output replaced or truncated by hand no longer matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputStamp {
    /// Relative to OUTDIR, `/`-separated.
    pub path: String,
    pub size: u64,
    pub modified_ns: u64,
}

impl OutputStamp {
    pub fn of(path: &Path, outdir: &Path) -> std::io::Result<OutputStamp> {
        let md = std::fs::metadata(path)?;
        Ok(OutputStamp {
            path: super::inputs::file_key(path, outdir),
            size: md.len(),
            modified_ns: modified_ns(&md),
        })
    }

    pub fn still_there(&self, outdir: &Path) -> bool {
        std::fs::metadata(outdir.join(&self.path))
            .is_ok_and(|md| md.len() == self.size && modified_ns(&md) == self.modified_ns)
    }
}

fn modified_ns(md: &std::fs::Metadata) -> u64 {
    md.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

#[derive(Serialize, Deserialize)]
struct File {
    paiban_manifest: u32,
    issues: BTreeMap<String, Entry>,
}

#[derive(Serialize, Deserialize)]
struct JournalLine {
    key: String,
    entry: Entry,
}

/// The records of earlier runs, and this run's journal.
pub struct Store {
    outdir: PathBuf,
    /// `paiban-manifest` or `paiban-manifest.shard-I-of-N`.
    name: String,
    /// Every record found, from all manifests and journals in OUTDIR (a shard's run
    /// can reuse what an unsharded run built, and the other way round).
    known: BTreeMap<String, Vec<Entry>>,
    journal: Mutex<Option<std::fs::File>>,
}

impl Store {
    /// Reads every manifest and journal in `outdir`, keeping the records of the issues
    /// `ours` accepts (a shard needs only its own: with a million issues in a thousand
    /// shards, each task holds a thousandth). A file that cannot be read or parsed is left
    /// out with a warning: the worst it costs is a rebuild.
    pub fn open(
        outdir: &Path,
        shard: Option<Shard>,
        ours: &dyn Fn(&str) -> bool,
    ) -> (Store, Vec<String>) {
        let name = match shard {
            Some(s) => format!("{PREFIX}.{}", s.suffix()),
            None => PREFIX.to_string(),
        };
        let mut known: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
        let warnings = read_all(outdir, &mut |k, e| {
            if ours(&k) {
                known.entry(k).or_default().push(e);
            }
        });
        let store = Store {
            outdir: outdir.to_path_buf(),
            name,
            known,
            journal: Mutex::new(None),
        };
        (store, warnings)
    }

    pub fn manifest_path(&self) -> PathBuf {
        self.outdir.join(format!("{}.json", self.name))
    }

    fn journal_path(&self) -> PathBuf {
        self.outdir.join(format!("{}.journal", self.name))
    }

    /// A recorded entry for `key` that still holds: same fingerprint and sources, every
    /// image unchanged, every output present as written.
    pub fn fresh(
        &self,
        key: &str,
        fingerprint: &str,
        sources: &Hashes,
        indir: &Path,
    ) -> Option<&Entry> {
        self.known.get(key)?.iter().rev().find(|e| {
            e.fingerprint == fingerprint
                && &e.sources == sources
                && !e.outputs.is_empty()
                && e.outputs.iter().all(|o| o.still_there(&self.outdir))
                && unchanged(&e.images, indir)
        })
    }

    /// The newest record of `key` whose outputs are all still there as written: what the
    /// feed lists for an issue this run did not build (another shard's, or one waiting
    /// to settle).
    pub fn latest(&self, key: &str) -> Option<&Entry> {
        self.known.get(key)?.iter().rev().find(|e| {
            !e.outputs.is_empty() && e.outputs.iter().all(|o| o.still_there(&self.outdir))
        })
    }

    /// Appends one finished issue to the journal (one JSON line, flushed).
    pub fn record(&self, key: &str, entry: &Entry) -> Result<()> {
        let path = self.journal_path();
        let mut guard = self.journal.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            let f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .map_err(|e| BatchError::io(&path, e))?;
            *guard = Some(f);
        }
        let line = serde_json::to_string(&JournalLine {
            key: key.to_string(),
            entry: entry.clone(),
        })
        .map_err(|e| BatchError::Json {
            path: path.clone(),
            source: e,
        })?;
        if let Some(f) = guard.as_mut() {
            f.write_all(format!("{line}\n").as_bytes())
                .and_then(|()| f.flush())
                .map_err(|e| BatchError::io(&path, e))?;
        }
        Ok(())
    }

    /// Writes this run's manifest (exactly `entries`: issues that failed or vanished are
    /// dropped, so they are tried again) and removes the journal.
    pub fn finish(self, entries: BTreeMap<String, Entry>) -> Result<()> {
        let path = self.manifest_path();
        let json = serde_json::to_vec_pretty(&File {
            paiban_manifest: 1,
            issues: entries,
        })
        .map_err(|e| BatchError::Json {
            path: path.clone(),
            source: e,
        })?;
        crate::output::write_atomic(&path, &json)?;
        drop(self.journal.into_inner());
        let journal = self.outdir.join(format!("{}.journal", self.name));
        match std::fs::remove_file(&journal) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(BatchError::io(&journal, e)),
            _ => Ok(()),
        }
    }
}

/// The manifests and journals in `outdir` (every shard's), sorted by name.
pub fn files(outdir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(outdir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name().is_some_and(|n| {
                let n = n.to_string_lossy();
                n.starts_with(PREFIX) && (n.ends_with(".json") || n.ends_with(".journal"))
            })
        })
        .collect();
    files.sort();
    files
}

/// Streams every record of every manifest and journal in `outdir` to `each`, one at a
/// time (a manifest of 100,000 issues is never held whole). Returns warnings for files
/// that could not be read.
pub fn read_all(outdir: &Path, each: &mut dyn FnMut(String, Entry)) -> Vec<String> {
    let mut warnings = Vec::new();
    for path in files(outdir) {
        if let Err(w) = read_one(&path, each) {
            warnings.push(w);
        }
    }
    warnings
}

/// One manifest (`.json`) or journal (`.journal`). A file removed meanwhile (a shard
/// finishing its journal) is no error.
pub fn read_one(path: &Path, each: &mut dyn FnMut(String, Entry)) -> Result<(), String> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(format!("{}: ignored, unreadable ({e})", path.display())),
    };
    let reader = std::io::BufReader::with_capacity(1 << 16, file);
    if path.extension().is_some_and(|e| e == "journal") {
        // A killed run (or one still writing) may have cut the last line short: whole
        // lines only.
        use std::io::BufRead;
        for line in reader.split(b'\n').map_while(std::result::Result::ok) {
            if let Ok(j) = serde_json::from_slice::<JournalLine>(&line) {
                each(j.key, j.entry);
            }
        }
        return Ok(());
    }
    let mut de = serde_json::Deserializer::from_reader(reader);
    serde::de::DeserializeSeed::deserialize(Streamed { each }, &mut de)
        .and_then(|()| de.end())
        .map_err(|e| {
            format!(
                "{}: ignored, not a paiban manifest ({e}); its issues will be rebuilt",
                path.display()
            )
        })
}

/// Deserializes a manifest's `issues` map entry by entry into a callback.
struct Streamed<'a> {
    each: &'a mut dyn FnMut(String, Entry),
}

impl<'de> serde::de::DeserializeSeed<'de> for Streamed<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Streamed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a paiban manifest")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut version = None;
        let mut issues = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "paiban_manifest" => version = Some(map.next_value::<u32>()?),
                "issues" => {
                    map.next_value_seed(Issues {
                        each: &mut *self.each,
                    })?;
                    issues = true;
                }
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        if version.is_none() {
            return Err(serde::de::Error::missing_field("paiban_manifest"));
        }
        if !issues {
            return Err(serde::de::Error::missing_field("issues"));
        }
        Ok(())
    }
}

struct Issues<'a> {
    each: &'a mut dyn FnMut(String, Entry),
}

impl<'de> serde::de::DeserializeSeed<'de> for Issues<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Issues<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a map of issues")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some((k, e)) = map.next_entry::<String, Entry>()? {
            (self.each)(k, e);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::inputs::hash_files;
    use std::fs;

    struct Setup {
        _t: tempfile::TempDir,
        indir: PathBuf,
        outdir: PathBuf,
    }

    fn setup() -> Setup {
        let t = tempfile::tempdir().unwrap();
        let indir = t.path().join("in");
        let outdir = t.path().join("out");
        fs::create_dir_all(&indir).unwrap();
        fs::create_dir_all(&outdir).unwrap();
        fs::write(indir.join("a.md"), "# 标题\n\n![图](p.png)\n").unwrap();
        fs::write(indir.join("p.png"), b"png-1").unwrap();
        fs::write(outdir.join("a.epub"), b"epub bytes").unwrap();
        Setup {
            _t: t,
            indir,
            outdir,
        }
    }

    fn entry(s: &Setup) -> Entry {
        Entry {
            fingerprint: "fp-1".into(),
            sources: hash_files(&[s.indir.join("a.md")], &s.indir).unwrap(),
            images: hash_files(&[s.indir.join("p.png")], &s.indir).unwrap(),
            outputs: vec![OutputStamp::of(&s.outdir.join("a.epub"), &s.outdir).unwrap()],
            about: None,
        }
    }

    #[test]
    fn journal_then_manifest_round_trip() {
        let s = setup();
        let e = entry(&s);
        let (store, w) = Store::open(&s.outdir, None, &|_| true);
        assert!(w.is_empty());
        store.record("a.md", &e).unwrap();
        // A second run reading after a kill sees the journal.
        let (again, _) = Store::open(&s.outdir, None, &|_| true);
        assert!(again.fresh("a.md", "fp-1", &e.sources, &s.indir).is_some());
        store
            .finish(BTreeMap::from([("a.md".to_string(), e.clone())]))
            .unwrap();
        assert!(!s.outdir.join("paiban-manifest.journal").exists());
        let (after, _) = Store::open(&s.outdir, None, &|_| true);
        assert_eq!(after.fresh("a.md", "fp-1", &e.sources, &s.indir), Some(&e));
    }

    #[test]
    fn manifests_from_before_the_catalog_still_read() {
        let s = setup();
        let mut v = serde_json::to_value(entry(&s)).unwrap();
        v.as_object_mut().unwrap().remove("about");
        let old = serde_json::json!({"paiban_manifest": 1, "issues": {"a.md": v}});
        fs::write(s.outdir.join("paiban-manifest.json"), old.to_string()).unwrap();
        let (st, w) = Store::open(&s.outdir, None, &|_| true);
        assert!(w.is_empty(), "{w:?}");
        let e = st.latest("a.md").expect("read");
        assert_eq!(e.about, None);
    }

    #[test]
    fn any_change_makes_it_stale() {
        let s = setup();
        let e = entry(&s);
        let (store, _) = Store::open(&s.outdir, None, &|_| true);
        store.record("a.md", &e).unwrap();
        let (st, _) = Store::open(&s.outdir, None, &|_| true);
        let src = &e.sources;
        assert!(
            st.fresh("a.md", "fp-2", src, &s.indir).is_none(),
            "fingerprint"
        );
        assert!(
            st.fresh("b.md", "fp-1", src, &s.indir).is_none(),
            "other key"
        );
        let mut other = src.clone();
        other.insert("a.md".into(), "0".repeat(64));
        assert!(
            st.fresh("a.md", "fp-1", &other, &s.indir).is_none(),
            "source"
        );
        fs::write(s.indir.join("p.png"), b"png-2").unwrap();
        assert!(st.fresh("a.md", "fp-1", src, &s.indir).is_none(), "image");
        fs::write(s.indir.join("p.png"), b"png-1").unwrap();
        assert!(st.fresh("a.md", "fp-1", src, &s.indir).is_some());
        fs::write(s.outdir.join("a.epub"), b"truncated").unwrap();
        assert!(st.fresh("a.md", "fp-1", src, &s.indir).is_none(), "output");
        fs::remove_file(s.outdir.join("a.epub")).unwrap();
        assert!(st.fresh("a.md", "fp-1", src, &s.indir).is_none(), "gone");
    }

    #[test]
    fn torn_journal_and_corrupt_manifest_are_survived() {
        let s = setup();
        let e = entry(&s);
        let line = serde_json::to_string(&JournalLine {
            key: "a.md".into(),
            entry: e.clone(),
        })
        .unwrap();
        fs::write(
            s.outdir.join("paiban-manifest.journal"),
            format!("{line}\n{}", &line[..line.len() / 2]),
        )
        .unwrap();
        fs::write(
            s.outdir.join("paiban-manifest.shard-1-of-2.json"),
            "{not json",
        )
        .unwrap();
        let (st, warnings) = Store::open(&s.outdir, None, &|_| true);
        assert!(st.fresh("a.md", "fp-1", &e.sources, &s.indir).is_some());
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("shard-1-of-2.json"), "{warnings:?}");
    }

    #[test]
    fn shards_write_their_own_manifest() {
        let s = setup();
        let (st, _) = Store::open(&s.outdir, Some(Shard { index: 2, count: 3 }), &|_| true);
        assert!(st
            .manifest_path()
            .ends_with("paiban-manifest.shard-2-of-3.json"));
        st.finish(BTreeMap::from([("a.md".to_string(), entry(&s))]))
            .unwrap();
        // An unsharded run reuses the shard's record.
        let (all, _) = Store::open(&s.outdir, None, &|_| true);
        let e = entry(&s);
        assert!(all.fresh("a.md", "fp-1", &e.sources, &s.indir).is_some());
    }
}
