//! What an issue may read: the one rule for images, pages and batch inputs.
//!
//! A file is readable when, after every symlink and `..` is resolved, it is a regular
//! file inside the issue's own folder (the file's folder for a single-file issue) or
//! inside a shared assets folder the user named (`--assets DIR`, the style's `assets`).
//! Folders filled by other people (correspondents, a converter, a shared drive) must not
//! make paiban publish `/etc/passwd` or a file beside the archive.

use std::path::{Path, PathBuf};

/// The folders an issue may read from, canonical.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Confinement {
    roots: Vec<PathBuf>,
}

/// Why a path may not be read.
#[derive(Debug)]
pub enum Refusal {
    /// It does not exist (or cannot be resolved).
    Missing(std::io::Error),
    /// It resolves to somewhere outside every allowed folder.
    Outside,
    /// It is a folder, device, pipe or socket.
    NotRegular,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Missing(e) => write!(f, "cannot be read: {e}"),
            Refusal::Outside => f.write_str("is outside the issue folder"),
            Refusal::NotRegular => f.write_str("is not a regular file"),
        }
    }
}

impl Confinement {
    /// The issue folder `root` and the shared `assets` folders (those that do not
    /// resolve are left out: nothing can be read from them anyway).
    pub fn new(root: &Path, assets: &[PathBuf]) -> Confinement {
        // `issue.md` given bare has the folder `` (the working folder).
        let here = |p: &Path| {
            if p.as_os_str().is_empty() {
                Path::new(".").canonicalize()
            } else {
                p.canonicalize()
            }
        };
        let roots = std::iter::once(root)
            .chain(assets.iter().map(PathBuf::as_path))
            .filter_map(|p| here(p).ok())
            .collect();
        Confinement { roots }
    }

    /// The canonical path of `path` when it may be read.
    pub fn check(&self, path: &Path) -> Result<PathBuf, Refusal> {
        let real = path.canonicalize().map_err(Refusal::Missing)?;
        if !self.roots.iter().any(|r| real.starts_with(r)) {
            return Err(Refusal::Outside);
        }
        let md = std::fs::metadata(&real).map_err(Refusal::Missing)?;
        if !md.is_file() {
            return Err(Refusal::NotRegular);
        }
        Ok(real)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_inside_the_roots() {
        let t = tempfile::tempdir().unwrap();
        let issue = t.path().join("issue");
        let assets = t.path().join("assets");
        std::fs::create_dir_all(issue.join("img")).unwrap();
        std::fs::create_dir_all(&assets).unwrap();
        std::fs::write(issue.join("img/a.png"), "a").unwrap();
        std::fs::write(assets.join("logo.png"), "l").unwrap();
        std::fs::write(t.path().join("secret.png"), "s").unwrap();
        std::os::unix::fs::symlink(t.path().join("secret.png"), issue.join("link.png")).unwrap();
        let c = Confinement::new(&issue, &[]);
        assert!(c.check(&issue.join("img/a.png")).is_ok());
        assert!(c.check(&issue.join("img/../img/a.png")).is_ok());
        assert!(matches!(
            c.check(&issue.join("../secret.png")),
            Err(Refusal::Outside)
        ));
        assert!(matches!(
            c.check(&issue.join("link.png")),
            Err(Refusal::Outside)
        ));
        assert!(matches!(
            c.check(&issue.join("img")),
            Err(Refusal::NotRegular)
        ));
        assert!(matches!(
            c.check(&issue.join("nope.png")),
            Err(Refusal::Missing(_))
        ));
        assert!(matches!(
            c.check(Path::new("/etc/passwd")),
            Err(Refusal::Outside)
        ));
        assert!(matches!(
            c.check(&assets.join("logo.png")),
            Err(Refusal::Outside)
        ));
        let with_assets = Confinement::new(&issue, std::slice::from_ref(&assets));
        assert!(with_assets.check(&assets.join("logo.png")).is_ok());
    }
}
