//! Finding the issues under INDIR: every `.md` file, and every folder holding an
//! `issue.toml` (its pages are that one issue, not issues of their own).

use super::error::{BatchError, Result};
use crate::confine::Confinement;
use crate::output::safe_file_name;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One issue found under INDIR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Path relative to INDIR, `/`-separated: the issue's name in the manifest, in
    /// reports and for sharding.
    pub key: String,
    /// The path to load it from.
    pub path: PathBuf,
    pub is_folder: bool,
    /// Folder for its outputs, relative to OUTDIR: the input's relative folder,
    /// each component sanitized so nothing can leave OUTDIR.
    pub out_dir: PathBuf,
    /// The outputs' base name (as `build` names them: the file stem or folder name).
    pub out_stem: String,
}

/// Something under INDIR that could not be taken as an issue (an unreadable folder, two
/// issues wanting the same output name). Reported as a failure of `key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub key: String,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct Discovery {
    /// Sorted by key.
    pub issues: Vec<Found>,
    pub problems: Vec<Problem>,
}

/// Walks `indir` (sorted, so runs are deterministic). Hidden entries (`.name`) and
/// `skip` (OUTDIR, when it lies inside INDIR) are left out; symlinked folders are not
/// followed (they could loop), symlinked files are.
pub fn discover(indir: &Path, skip: Option<&Path>) -> Result<Discovery> {
    let md = std::fs::metadata(indir).map_err(|e| BatchError::io(indir, e))?;
    let mut d = Discovery::default();
    if md.is_file() {
        if is_markdown(indir) {
            let stem = file_stem(indir);
            d.issues.push(Found {
                key: indir
                    .file_name()
                    .map_or_else(|| stem.clone(), |n| n.to_string_lossy().into_owned()),
                path: indir.to_path_buf(),
                is_folder: false,
                out_dir: PathBuf::new(),
                out_stem: safe_file_name(&stem),
            });
            return Ok(d);
        }
        return Err(BatchError::NotAnInputFolder {
            path: indir.to_path_buf(),
        });
    }
    if indir.join("issue.toml").is_file() {
        // INDIR is itself one multi-page issue.
        let name = indir
            .canonicalize()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "issue".into());
        d.issues.push(Found {
            key: name.clone(),
            path: indir.to_path_buf(),
            is_folder: true,
            out_dir: PathBuf::new(),
            out_stem: safe_file_name(&name),
        });
        return Ok(d);
    }
    let skip = skip.and_then(|p| p.canonicalize().ok());
    let confine = Confinement::new(indir, &[]);
    walk(indir, "", PathBuf::new(), skip.as_deref(), &confine, &mut d)?;
    reject_collisions(&mut d);
    d.issues.sort_by(|a, b| a.key.cmp(&b.key));
    d.problems.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(d)
}

fn walk(
    dir: &Path,
    prefix: &str,
    out_dir: PathBuf,
    skip: Option<&Path>,
    confine: &Confinement,
    d: &mut Discovery,
) -> Result<()> {
    let mut entries: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
        .map_err(|e| BatchError::io(dir, e))?
        .filter_map(|e| e.ok())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .filter(|(name, _)| !name.starts_with('.'))
        .collect();
    entries.sort();
    for (name, path) in entries {
        let key = format!("{prefix}{name}");
        let Ok(lmd) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if lmd.is_dir() {
            if skip.is_some_and(|s| path.canonicalize().is_ok_and(|p| p == s)) {
                continue;
            }
            if path.join("issue.toml").is_file() {
                d.issues.push(Found {
                    key,
                    path,
                    is_folder: true,
                    out_dir: out_dir.clone(),
                    out_stem: safe_file_name(&name),
                });
            } else {
                let sub = out_dir.join(safe_file_name(&name));
                if let Err(e) = walk(&path, &format!("{key}/"), sub, skip, confine, d) {
                    // One unreadable folder must not stop the rest of the archive.
                    d.problems.push(Problem {
                        key,
                        reason: e.to_string(),
                    });
                }
            }
        } else if is_markdown(&path) {
            // A symlink may lead anywhere: only a regular file inside INDIR is an issue
            // (`2024-01-01.md -> /etc/passwd` would otherwise be published).
            if let Err(why) = confine.check(&path) {
                let why = match why {
                    crate::confine::Refusal::Outside => "leads outside the input folder".into(),
                    other => other.to_string(),
                };
                d.problems.push(Problem {
                    key,
                    reason: format!(
                        "refused: the file {why} (only regular files inside the input folder                          are read)"
                    ),
                });
                continue;
            }
            d.issues.push(Found {
                key,
                out_stem: safe_file_name(&file_stem(&path)),
                path,
                is_folder: false,
                out_dir: out_dir.clone(),
            });
        }
    }
    Ok(())
}

fn is_markdown(p: &Path) -> bool {
    p.extension().is_some_and(|e| e.eq_ignore_ascii_case("md"))
}

fn file_stem(p: &Path) -> String {
    p.file_stem()
        .map_or_else(|| "issue".into(), |s| s.to_string_lossy().into_owned())
}

/// Two issues whose outputs would overwrite each other (`x.md` beside a folder issue
/// `x/`, or names equal after sanitizing): the first by key keeps the name, the others
/// fail, rather than one silently replacing the other.
fn reject_collisions(d: &mut Discovery) {
    d.issues.sort_by(|a, b| a.key.cmp(&b.key));
    let mut owner: BTreeMap<PathBuf, String> = BTreeMap::new();
    let mut kept = Vec::with_capacity(d.issues.len());
    for f in std::mem::take(&mut d.issues) {
        let target = f.out_dir.join(&f.out_stem);
        match owner.get(&target) {
            Some(first) => d.problems.push(Problem {
                reason: format!(
                    "its outputs `{}.*` would overwrite those of `{first}`; rename one of them",
                    target.display()
                ),
                key: f.key,
            }),
            None => {
                owner.insert(target, f.key.clone());
                kept.push(f);
            }
        }
    }
    d.issues = kept;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn touch(p: &Path, text: &str) {
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }

    #[test]
    fn finds_files_and_folder_issues() {
        let t = tempfile::tempdir().unwrap();
        let r = t.path();
        touch(&r.join("2024/01/a.md"), "# 甲");
        touch(&r.join("2024/01/b.MD"), "# 乙");
        touch(&r.join("2024/notes.txt"), "not an issue");
        touch(&r.join("folder-issue/issue.toml"), "title = \"丙\"");
        touch(&r.join("folder-issue/01.md"), "# 一版");
        touch(&r.join("folder-issue/02.md"), "# 二版");
        touch(&r.join(".hidden/x.md"), "# 隐");
        touch(&r.join("out/old.md"), "# in OUTDIR");
        let d = discover(r, Some(&r.join("out"))).unwrap();
        let keys: Vec<_> = d.issues.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys, ["2024/01/a.md", "2024/01/b.MD", "folder-issue"]);
        assert!(d.problems.is_empty());
        let a = &d.issues[0];
        assert_eq!(a.out_dir, Path::new("2024/01"));
        assert_eq!(a.out_stem, "a");
        assert!(!a.is_folder);
        let f = &d.issues[2];
        assert!(f.is_folder);
        assert_eq!(f.out_dir, Path::new(""));
        assert_eq!(f.out_stem, "folder-issue");
    }

    #[test]
    fn colliding_outputs_are_problems() {
        let t = tempfile::tempdir().unwrap();
        let r = t.path();
        touch(&r.join("x.md"), "# 甲");
        touch(&r.join("x/issue.toml"), "");
        touch(&r.join("x/01.md"), "# 乙");
        let d = discover(r, None).unwrap();
        assert_eq!(d.issues.len(), 1);
        assert_eq!(d.issues[0].key, "x");
        assert_eq!(d.problems.len(), 1);
        assert_eq!(d.problems[0].key, "x.md");
        assert!(
            d.problems[0].reason.contains("overwrite"),
            "{:?}",
            d.problems
        );
    }

    #[test]
    fn output_folders_are_sanitized() {
        let t = tempfile::tempdir().unwrap();
        let r = t.path();
        touch(&r.join("a:b/c\\d.md"), "# 甲");
        let d = discover(r, None).unwrap();
        assert_eq!(d.issues[0].out_dir, Path::new("a_b"));
        assert_eq!(d.issues[0].out_stem, "c_d");
        assert!(d.issues[0].out_dir.components().count() == 1);
    }

    #[test]
    fn single_file_and_folder_issue_as_indir() {
        let t = tempfile::tempdir().unwrap();
        let r = t.path();
        touch(&r.join("one.md"), "# 甲");
        let d = discover(&r.join("one.md"), None).unwrap();
        assert_eq!(d.issues.len(), 1);
        assert_eq!(d.issues[0].out_stem, "one");
        touch(&r.join("multi/issue.toml"), "");
        touch(&r.join("multi/01.md"), "# 一版");
        let d = discover(&r.join("multi"), None).unwrap();
        assert_eq!(d.issues.len(), 1);
        assert!(d.issues[0].is_folder);
        assert_eq!(d.issues[0].out_stem, "multi");
        assert!(discover(&r.join("missing"), None).is_err());
    }
}
