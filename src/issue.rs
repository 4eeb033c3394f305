//! Finding and reading an issue: one `.md` file, or a folder of pages with an `issue.toml`.
//! Checks the encoding, splits off metadata and joins the pages into one source text
//! that still knows, for every line, which file and line it came from.

use crate::confine::{Confinement, Refusal};
use crate::error::{Error, Result};
use crate::metadata::{self, RawMeta};
use crate::model::Location;
use std::path::{Path, PathBuf};

/// Inputs larger than this are refused before they are read (protects the machine).
pub const MAX_INPUT_BYTES: u64 = 256 * 1024 * 1024;

/// The issue's Markdown, all pages joined, with a map back to files and lines.
#[derive(Debug, Clone)]
pub struct Source {
    pub text: String,
    segments: Vec<Segment>,
}

#[derive(Debug, Clone)]
struct Segment {
    /// 0-based line in `Source::text` where this page starts.
    start_line: usize,
    path: PathBuf,
    /// 1-based line in the file of the page's first body line (after front matter).
    first_file_line: usize,
}

impl Source {
    /// File and line of a 0-based line of `text`.
    pub fn locate_line(&self, line: usize) -> Location {
        let seg = self
            .segments
            .iter()
            .rev()
            .find(|s| s.start_line <= line)
            .unwrap_or(&self.segments[0]);
        Location {
            path: seg.path.clone(),
            line: seg.first_file_line + line.saturating_sub(seg.start_line),
        }
    }

    /// File and line of a byte offset in `text`.
    pub fn locate_byte(&self, byte: usize) -> Location {
        let byte = byte.min(self.text.len());
        self.locate_line(
            self.text.as_bytes()[..byte]
                .iter()
                .filter(|&&b| b == b'\n')
                .count(),
        )
    }

    /// The files this source was read from, in page order.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.segments.iter().map(|s| s.path.as_path())
    }
}

/// A print page (版) of a folder issue: one file, and what its front matter and its
/// file name say of it (`02-要闻.md`, `A02_要闻.md`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageSource {
    pub path: PathBuf,
    /// 0-based line of the joined source text where the page's text begins.
    pub start_line: usize,
    /// `page:` and `page_name:` (or `section:`) from the page's front matter, with the
    /// line of `page_name`.
    pub front_matter: (Option<String>, Option<String>, usize),
    /// Where the page number was written: file, line and the syntax it was written in
    /// (`"YAML"` or `"TOML"`), so a warning about it quotes it as the user wrote it.
    pub number_at: Option<(PathBuf, usize, &'static str)>,
    /// Number and name read from the file name.
    pub file_name: (Option<u32>, Option<String>),
}

/// `02-要闻` → (2, 要闻); `A02_要闻` → (2, 要闻); `03` → (3, none); `notes` → nothing.
pub fn page_from_file_name(stem: &str) -> (Option<u32>, Option<String>) {
    let s = stem.trim();
    let s = s
        .strip_prefix(|c: char| c.is_ascii_alphabetic())
        .filter(|r| r.starts_with(|c: char| c.is_ascii_digit()))
        .unwrap_or(s);
    let s = s.strip_prefix('第').unwrap_or(s);
    let d = s.bytes().take_while(u8::is_ascii_digit).count();
    if d == 0 || d > 3 {
        return (None, None);
    }
    let number = s[..d].parse().ok();
    let rest = s[d..].strip_prefix('版').unwrap_or(&s[d..]);
    let name = rest
        .trim_start_matches(['-', '_', ' ', '·', '.', '：', ':'])
        .trim();
    let name = (!name.is_empty() && name.chars().any(crate::cjk::is_han)).then(|| name.to_string());
    (number, name)
}

/// One issue as read from disk, before normalizing and parsing.
#[derive(Debug, Clone)]
pub struct Issue {
    /// The print pages of a folder issue, one per file, in order (empty for one file).
    pub pages: Vec<PageSource>,
    /// The path given by the user (file or folder).
    pub input: PathBuf,
    /// Output base name: the file stem or the folder name.
    pub name: String,
    /// Folder that relative image paths are resolved against.
    pub base_dir: PathBuf,
    pub source: Source,
    pub meta: RawMeta,
}

/// Reads an issue from a `.md` file or a folder of `.md` pages.
pub fn load(path: &Path) -> Result<Issue> {
    let md = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if md.is_dir() {
        load_folder(path)
    } else {
        load_file(path)
    }
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .or_else(|| path.file_name())
        .map_or_else(|| "issue".to_string(), |s| s.to_string_lossy().into_owned())
}

fn load_file(path: &Path) -> Result<Issue> {
    let base_dir = path
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    from_text(&read_text(path)?, path, base_dir)
}

/// An issue from the text of one file as read from `path` (front matter split off, line
/// numbers kept), with relative image paths resolved against `base_dir`. For text that
/// comes from elsewhere than a file: fuzzing, tests.
pub fn from_text(text: &str, path: &Path, base_dir: PathBuf) -> Result<Issue> {
    let (meta, body, fm_lines) = metadata::split_front_matter(text, path)?;
    let source = Source {
        text: body.to_string(),
        segments: vec![Segment {
            start_line: 0,
            path: path.to_path_buf(),
            first_file_line: fm_lines + 1,
        }],
    };
    Ok(Issue {
        pages: Vec::new(),
        input: path.to_path_buf(),
        name: stem(path),
        base_dir,
        source,
        meta,
    })
}

/// The `.md` pages of a folder issue, in name order. A page that resolves (through a
/// symlink) to a file outside the folder, or to a device, pipe or folder, is an error:
/// the issue is not published without it, nor with someone else's file in its place.
pub fn pages_of(dir: &Path) -> Result<Vec<PathBuf>> {
    let confine = Confinement::new(dir, &[]);
    let mut pages = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let p = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if hidden || !p.extension().is_some_and(|e| e.eq_ignore_ascii_case("md")) {
            continue;
        }
        match confine.check(&p) {
            Ok(_) => pages.push(p),
            // A folder named `x.md` is no page; anything else that is not a plain file
            // inside the folder is refused by name.
            Err(Refusal::NotRegular) if p.is_dir() => {}
            Err(Refusal::Missing(e)) => return Err(Error::io(&p, e)),
            Err(why) => {
                return Err(Error::Refused {
                    path: p,
                    why: why.to_string(),
                })
            }
        }
    }
    pages.sort();
    Ok(pages)
}

/// `issue.toml` of a folder issue, when there is one (refused like a page when it
/// leads outside the folder).
pub fn issue_toml_of(dir: &Path) -> Result<Option<PathBuf>> {
    let p = dir.join("issue.toml");
    if std::fs::symlink_metadata(&p).is_err() {
        return Ok(None);
    }
    match Confinement::new(dir, &[]).check(&p) {
        Ok(_) => Ok(Some(p)),
        Err(Refusal::Missing(e)) => Err(Error::io(&p, e)),
        Err(why) => Err(Error::Refused {
            path: p,
            why: why.to_string(),
        }),
    }
}

fn load_folder(dir: &Path) -> Result<Issue> {
    let pages = pages_of(dir)?;
    if pages.is_empty() {
        return Err(Error::NoMarkdown {
            path: dir.to_path_buf(),
        });
    }
    let mut meta = match issue_toml_of(dir)? {
        Some(toml_path) => metadata::read_issue_toml(&toml_path)?,
        None => RawMeta::default(),
    };
    let mut text = String::new();
    let mut segments = Vec::new();
    // Lines so far, counted page by page (recounting the whole text each page would be
    // quadratic in the number of pages).
    let mut lines = 0;
    let mut page_sources = Vec::with_capacity(pages.len());
    for page in &pages {
        let page_text = read_text(page)?;
        let (mut page_meta, body, fm_lines) = metadata::split_front_matter(&page_text, page)?;
        // The page's own front matter, else its `[[pages]]` entry in issue.toml.
        let listed = meta.pages.iter().find(|e| {
            page.file_name()
                .is_some_and(|f| f.to_string_lossy() == e.file)
        });
        let fm_syntax = if page_text.starts_with("+++\n") {
            "TOML"
        } else {
            "YAML"
        };
        let (number, number_at) = match page_meta.take("page") {
            Some((v, at)) => (Some(v), at.map(|(p, l)| (p, l, fm_syntax))),
            None => match listed.and_then(|e| e.page.clone().map(|v| (v, e.page_at.clone()))) {
                Some((v, at)) => (Some(v), at.map(|(p, l)| (p, l, "TOML"))),
                None => (None, None),
            },
        };
        let name = page_meta
            .take("page_name")
            .or_else(|| page_meta.take("section"))
            .or_else(|| listed.and_then(|e| e.name.clone()).map(|n| (n, None)));
        let name_line = name.as_ref().and_then(|n| n.1.as_ref()).map_or(1, |p| p.1);
        meta.merge_missing(page_meta);
        if !text.is_empty() {
            // Pages are separated by a blank line: a paragraph cut at the page's end is a
            // page-break split like any other, for the normalizer to join.
            while !text.ends_with("\n\n") {
                text.push('\n');
                lines += 1;
            }
        }
        segments.push(Segment {
            start_line: lines,
            path: page.clone(),
            first_file_line: fm_lines + 1,
        });
        page_sources.push(PageSource {
            path: page.clone(),
            start_line: lines,
            front_matter: (number, name.map(|n| n.0), name_line),
            number_at,
            file_name: page_from_file_name(&stem(page)),
        });
        text.push_str(body);
        lines += body.matches('\n').count();
        if text.len() as u64 > MAX_INPUT_BYTES {
            return Err(Error::TooLarge {
                path: dir.to_path_buf(),
                size: text.len() as u64,
                limit: MAX_INPUT_BYTES,
            });
        }
    }
    Ok(Issue {
        pages: page_sources,
        input: dir.to_path_buf(),
        name: stem(dir),
        base_dir: dir.to_path_buf(),
        source: Source { text, segments },
        meta,
    })
}

pub use crate::limits::read_bounded;

/// Reads a text file: UTF-8 (a BOM is accepted), CRLF or CR line endings become LF.
pub fn read_text(path: &Path) -> Result<String> {
    let md = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if md.len() > MAX_INPUT_BYTES {
        return Err(Error::TooLarge {
            path: path.to_path_buf(),
            size: md.len(),
            limit: MAX_INPUT_BYTES,
        });
    }
    let bytes = read_bounded(path, MAX_INPUT_BYTES).map_err(|e| {
        if e.kind() == std::io::ErrorKind::FileTooLarge {
            Error::TooLarge {
                path: path.to_path_buf(),
                size: MAX_INPUT_BYTES + 1,
                limit: MAX_INPUT_BYTES,
            }
        } else {
            Error::io(path, e)
        }
    })?;
    decode(&bytes, path)
}

pub use crate::text_file::decode;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_accepts_bom_and_crlf() {
        let t = decode(b"\xEF\xBB\xBFa\r\nb\rc", Path::new("x.md")).unwrap();
        assert_eq!(t, "a\nb\nc");
    }

    #[test]
    fn decode_names_line_and_offset() {
        match decode(b"ok\nok\n\xFFbad", Path::new("x.md")) {
            Err(Error::InvalidUtf8 {
                line: 3, offset: 6, ..
            }) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn decode_rejects_utf16() {
        let utf16: Vec<u8> = "# 标题\n正文"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert!(matches!(
            decode(&utf16, Path::new("x.md")),
            Err(Error::Utf16 { .. })
        ));
    }

    #[test]
    fn locate_lines_across_pages() {
        let src = Source {
            text: "a\nb\n\nc\n".into(),
            segments: vec![
                Segment {
                    start_line: 0,
                    path: "p1.md".into(),
                    first_file_line: 4,
                },
                Segment {
                    start_line: 3,
                    path: "p2.md".into(),
                    first_file_line: 1,
                },
            ],
        };
        assert_eq!(src.locate_line(1).to_string(), "p1.md:5");
        assert_eq!(src.locate_line(3).to_string(), "p2.md:1");
        assert_eq!(src.locate_byte(5).to_string(), "p2.md:1");
    }
}
