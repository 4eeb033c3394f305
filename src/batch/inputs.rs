//! What an issue's outputs depend on besides the builder: its page files, its
//! `issue.toml` and the local images it references, each with a content hash.

use crate::issue::pages_of;
use crate::model::{Block, Document, Inline};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// File key (relative to INDIR when inside it, else absolute; `/`-separated) → blake3 hex.
pub type Hashes = BTreeMap<String, String>;

/// The page files and `issue.toml` of the issue at `path` (a `.md` file or a folder).
pub fn source_files(path: &Path, is_folder: bool) -> crate::Result<Vec<PathBuf>> {
    if !is_folder {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = pages_of(path)?;
    files.extend(crate::issue::issue_toml_of(path)?);
    Ok(files)
}

/// Hashes files by content (not mtime: a copy or checkout that keeps the bytes keeps
/// the outputs). Fails on the first file that cannot be read.
pub fn hash_files(files: &[PathBuf], indir: &Path) -> Result<Hashes, crate::Error> {
    let mut out = Hashes::new();
    for f in files {
        // Bounded like the build's own read: a symlink to a device must not hang the batch.
        let bytes = crate::issue::read_bounded(f, crate::issue::MAX_INPUT_BYTES)
            .map_err(|e| crate::Error::io(f, e))?;
        out.insert(
            file_key(f, indir),
            blake3::hash(&bytes).to_hex().to_string(),
        );
    }
    Ok(out)
}

/// Whether every file in `recorded` still has the recorded hash.
pub fn unchanged(recorded: &Hashes, indir: &Path) -> bool {
    recorded.iter().all(|(key, hash)| {
        let path = key_path(key, indir);
        crate::issue::read_bounded(&path, crate::issue::MAX_INPUT_BYTES)
            .is_ok_and(|b| blake3::hash(&b).to_hex().as_str() == hash)
    })
}

/// The manifest's name for a file: relative to INDIR when inside it (so a moved
/// archive keeps its manifest valid), absolute otherwise.
pub fn file_key(f: &Path, indir: &Path) -> String {
    match f.strip_prefix(indir) {
        Ok(rel) => rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
        Err(_) => f.to_string_lossy().into_owned(),
    }
}

fn key_path(key: &str, indir: &Path) -> PathBuf {
    let p = Path::new(key);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        indir.join(p)
    }
}

/// Every local image the document references (`Image.path`), sorted, without repeats.
pub fn images_of(doc: &Document) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for a in &doc.articles {
        blocks(&a.blocks, &mut out);
        for f in &a.footnotes {
            blocks(&f.blocks, &mut out);
        }
    }
    out.sort();
    out.dedup();
    out
}

fn blocks(bs: &[Block], out: &mut Vec<PathBuf>) {
    for b in bs {
        match b {
            Block::Paragraph { content, .. } => inlines(content, out),
            Block::Figure { image, .. } => out.push(image.path.clone()),
            Block::List { items, .. } => items.iter().for_each(|i| blocks(i, out)),
            Block::Quote(inner) => blocks(inner, out),
            Block::Table { head, rows, .. } => head
                .iter()
                .chain(rows.iter().flatten())
                .for_each(|cell| inlines(cell, out)),
            Block::Section(_) | Block::Code { .. } | Block::Rule => {}
        }
    }
}

fn inlines(is: &[Inline], out: &mut Vec<PathBuf>) {
    for i in is {
        match i {
            Inline::Image(img) => out.push(img.path.clone()),
            Inline::Emphasis(c) | Inline::Strong(c) | Inline::Strikethrough(c) => inlines(c, out),
            Inline::Link { content, .. } => inlines(content, out),
            Inline::Text(_)
            | Inline::Code(_)
            | Inline::FootnoteRef(_)
            | Inline::LineBreak
            | Inline::PageBreak(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn folder_issue_sources_are_pages_and_toml() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("issue");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("02.md"), "# 二版").unwrap();
        fs::write(dir.join("01.md"), "# 一版").unwrap();
        fs::write(dir.join("issue.toml"), "title = \"报\"").unwrap();
        fs::write(dir.join("photo.png"), b"\x89PNG").unwrap();
        let files = source_files(&dir, true).unwrap();
        let names: Vec<_> = files.iter().map(|f| file_key(f, t.path())).collect();
        assert_eq!(names, ["issue/01.md", "issue/02.md", "issue/issue.toml"]);
    }

    #[test]
    fn hashes_follow_content_not_mtime() {
        let t = tempfile::tempdir().unwrap();
        let f = t.path().join("a.md");
        fs::write(&f, "# 标题\n\n正文。").unwrap();
        let h1 = hash_files(std::slice::from_ref(&f), t.path()).unwrap();
        assert!(unchanged(&h1, t.path()));
        // Rewriting the same bytes keeps the hash.
        fs::write(&f, "# 标题\n\n正文。").unwrap();
        assert_eq!(hash_files(std::slice::from_ref(&f), t.path()).unwrap(), h1);
        fs::write(&f, "# 标题\n\n正文改了。").unwrap();
        assert!(!unchanged(&h1, t.path()));
        fs::remove_file(&f).unwrap();
        assert!(!unchanged(&h1, t.path()));
        assert!(hash_files(&[f], t.path()).is_err());
    }

    #[test]
    fn images_are_collected_from_the_parsed_model() {
        let t = tempfile::tempdir().unwrap();
        fs::write(t.path().join("a.png"), b"png").unwrap();
        fs::write(t.path().join("b.png"), b"png").unwrap();
        let md = t.path().join("issue.md");
        fs::write(
            &md,
            "# 标题\n\n![图一](a.png)\n\n正文**有图 ![图二](b.png)**。\n\n> ![图一](a.png)\n",
        )
        .unwrap();
        let p = crate::prepare_path(&md, &crate::PrepareOptions::default()).unwrap();
        let imgs = images_of(&p.document);
        assert_eq!(imgs, [t.path().join("a.png"), t.path().join("b.png")]);
        assert_eq!(file_key(&imgs[0], t.path()), "a.png");
    }
}
