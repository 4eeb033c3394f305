//! What the catalog says about an issue: taken from the parsed document when it is
//! built, recorded in the manifest (so a later run can list issues it did not rebuild),
//! plus the EPUB's own identifier and cover, read back from the EPUB just written.

use crate::model::Document;
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::path::Path;

/// How many headlines the feed's summary lists at most.
const MAX_HEADLINES: usize = 30;

/// One issue as the catalog lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct IssueInfo {
    pub title: String,
    /// `YYYY-MM-DD`, when the issue has a date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    pub language: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub newspaper: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue_number: Option<String>,
    /// The articles' main titles, in reading order.
    #[serde(default)]
    pub headlines: Vec<String>,
    /// The EPUB's `dc:identifier` (`urn:uuid:…`): the feed entry's id is the book's id,
    /// so a reader that already has the book recognises it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    /// The edition (`zh-TW`) when it is not the text as written; its files are
    /// `NAME.zh-TW.*`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edition: Option<String>,
    /// The issue's further editions, listed in the feed as entries of their own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub editions: Vec<IssueInfo>,
}

impl IssueInfo {
    pub fn of(doc: &Document) -> IssueInfo {
        let m = &doc.meta;
        IssueInfo {
            title: m.title.clone(),
            date: m.date.map(|d| d.iso()),
            language: m.language.clone(),
            newspaper: m.newspaper.clone(),
            issue_number: m.issue_number.clone(),
            headlines: doc
                .articles
                .iter()
                .map(|a| a.headline.title.trim().to_string())
                .filter(|t| !t.is_empty())
                .take(MAX_HEADLINES)
                .collect(),
            identifier: None,
            edition: None,
            editions: Vec::new(),
        }
    }

    /// Of an issue's output files, those of this edition: `NAME.zh-TW.*` for zh-TW, the
    /// files of no Traditional edition for the text as written.
    pub fn files_of<'a>(&self, files: &[&'a str]) -> Vec<&'a str> {
        let name = |f: &str| f.rsplit('/').next().unwrap_or(f).to_string();
        let mark = |e: crate::edition::Edition| format!(".{}.", e.name());
        files
            .iter()
            .copied()
            .filter(|f| match &self.edition {
                Some(tag) => name(f).contains(&format!(".{tag}.")),
                None => !crate::edition::Edition::ALL
                    .iter()
                    .any(|&e| name(f).contains(&mark(e))),
            })
            .collect()
    }
}

/// What the feed takes from a built EPUB.
#[derive(Debug, Default)]
pub struct EpubFacts {
    pub identifier: Option<String>,
    /// The cover image's bytes and file extension (`png`, `jpg`).
    pub cover: Option<(Vec<u8>, &'static str)>,
}

/// Largest package document or cover read from an EPUB (ours are a few KB and ~100 KB).
const MAX_PART: u64 = 16 << 20;

/// Reads the identifier and the cover image (the manifest item with the `cover-image`
/// property) out of an EPUB. Errors are messages naming the file.
pub fn epub_facts(epub: &Path) -> Result<EpubFacts, String> {
    let fail = |e: &dyn std::fmt::Display| format!("{}: reading it back: {e}", epub.display());
    let file = std::fs::File::open(epub).map_err(|e| fail(&e))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| fail(&e))?;
    let container = part(&mut zip, "META-INF/container.xml").map_err(|e| fail(&e))?;
    let opf_path = attr_of(&container, "rootfile", "full-path")
        .ok_or_else(|| fail(&"META-INF/container.xml names no package document"))?;
    let opf = part(&mut zip, &opf_path).map_err(|e| fail(&e))?;
    let mut facts = EpubFacts {
        identifier: text_of(&opf, "identifier"),
        cover: None,
    };
    if let Some((href, media)) = cover_item(&opf) {
        let ext = match media.as_str() {
            "image/png" => Some("png"),
            "image/jpeg" => Some("jpg"),
            _ => None,
        };
        if let Some(ext) = ext {
            let dir = opf_path.rsplit_once('/').map_or("", |(d, _)| d);
            let full = if dir.is_empty() {
                href
            } else {
                format!("{dir}/{href}")
            };
            let bytes = part_bytes(&mut zip, &full).map_err(|e| fail(&e))?;
            facts.cover = Some((bytes, ext));
        }
    }
    Ok(facts)
}

fn part_bytes(zip: &mut zip::ZipArchive<std::fs::File>, name: &str) -> Result<Vec<u8>, String> {
    let f = zip.by_name(name).map_err(|e| format!("{name}: {e}"))?;
    let mut out = Vec::new();
    f.take(MAX_PART)
        .read_to_end(&mut out)
        .map_err(|e| format!("{name}: {e}"))?;
    Ok(out)
}

fn part(zip: &mut zip::ZipArchive<std::fs::File>, name: &str) -> Result<String, String> {
    String::from_utf8(part_bytes(zip, name)?).map_err(|_| format!("{name}: not UTF-8"))
}

/// The value of attribute `attr` on the first element named `elem` (local names).
fn attr_of(xml: &str, elem: &str, attr: &str) -> Option<String> {
    let mut in_elem = false;
    for t in xmlparser::Tokenizer::from(xml) {
        match t.ok()? {
            xmlparser::Token::ElementStart { local, .. } => in_elem = local.as_str() == elem,
            xmlparser::Token::Attribute { local, value, .. }
                if in_elem && local.as_str() == attr =>
            {
                return Some(value.as_str().to_string())
            }
            _ => {}
        }
    }
    None
}

/// The text of the first element named `elem` (local name).
fn text_of(xml: &str, elem: &str) -> Option<String> {
    let mut inside = false;
    for t in xmlparser::Tokenizer::from(xml) {
        match t.ok()? {
            xmlparser::Token::ElementStart { local, .. } => inside = local.as_str() == elem,
            xmlparser::Token::Text { text } if inside => {
                let s = text.as_str().trim();
                return (!s.is_empty()).then(|| s.to_string());
            }
            _ => {}
        }
    }
    None
}

/// `(href, media-type)` of the manifest item whose properties include `cover-image`.
fn cover_item(opf: &str) -> Option<(String, String)> {
    let (mut href, mut media, mut is_cover) = (None, None, false);
    for t in xmlparser::Tokenizer::from(opf) {
        match t.ok()? {
            xmlparser::Token::ElementStart { local, .. } => {
                if is_cover {
                    break;
                }
                (href, media, is_cover) = (None, None, false);
                if local.as_str() != "item" {
                    continue;
                }
            }
            xmlparser::Token::Attribute { local, value, .. } => match local.as_str() {
                "href" => href = Some(value.as_str().to_string()),
                "media-type" => media = Some(value.as_str().to_string()),
                "properties" => {
                    is_cover = value
                        .as_str()
                        .split_whitespace()
                        .any(|p| p == "cover-image")
                }
                _ => {}
            },
            _ => {}
        }
    }
    if is_cover {
        Some((href?, media?))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_package_document() {
        let opf = r#"<package><metadata xmlns:dc="x"><dc:identifier id="i">urn:uuid:1</dc:identifier>
            <dc:title>t</dc:title></metadata><manifest>
            <item id="css" href="s.css" media-type="text/css"/>
            <item media-type="image/png" properties="cover-image" id="c" href="img/cover.png"/>
            <item id="n" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
            </manifest></package>"#;
        assert_eq!(text_of(opf, "identifier").as_deref(), Some("urn:uuid:1"));
        assert_eq!(
            cover_item(opf),
            Some(("img/cover.png".into(), "image/png".into()))
        );
        assert_eq!(cover_item("<package><item href=\"a\"/></package>"), None);
        let container = r#"<container><rootfiles><rootfile full-path="OEBPS/content.opf"/></rootfiles></container>"#;
        assert_eq!(
            attr_of(container, "rootfile", "full-path").as_deref(),
            Some("OEBPS/content.opf")
        );
    }
}
