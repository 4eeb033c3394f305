//! Packaging: the chapters, style sheet, images, cover and font go through epub-builder,
//! then the archive is rewritten with fixed timestamps so the same input gives the same bytes.

use super::ocf::Collected;
use super::xhtml::xml_chars;
use super::EpubError;
use crate::model::IssueDate;
use crate::zip_archive::{Archive, Method};
use epub_builder::{EpubBuilder, EpubContent, EpubVersion, MetadataOpfV3, ReferenceType};
use sha2::{Digest, Sha256};

/// Everything that goes into one EPUB.
pub struct Package<'a> {
    /// Our navigation document (it replaces epub-builder's) and the metadata we add.
    pub nav: String,
    pub extra: super::opf::Extra,
    pub title: String,
    pub lang: String,
    pub publisher: Option<String>,
    pub date: Option<IssueDate>,
    pub identifier: uuid::Uuid,
    pub description: Option<String>,
    pub css: &'a [u8],
    /// The cover PNG and its alt text.
    pub cover: Option<(Vec<u8>, String)>,
    /// A web font (file name under `fonts/`, bytes).
    pub font: Option<(String, Vec<u8>)>,
    pub chapters: Vec<Chapter>,
    /// (href, bytes, media type)
    pub images: Vec<(String, Vec<u8>, &'static str)>,
}

pub struct Chapter {
    pub href: String,
    /// The entry in the navigation document: the article's main title only.
    pub nav_title: String,
    pub xhtml: String,
}

/// A stable identifier for an issue: the same newspaper, date, number and title always give
/// the same UUID (version 8, from SHA-256), so a re-published issue replaces the old copy
/// in a reader's library instead of appearing twice.
pub fn identifier(parts: &[&str]) -> uuid::Uuid {
    let mut h = Sha256::new();
    h.update(b"paiban-epub-identifier");
    for p in parts {
        h.update([0u8]);
        h.update(p.as_bytes());
    }
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    uuid::Builder::from_custom_bytes(b).into_uuid()
}

fn eb(e: epub_builder::Error) -> EpubError {
    EpubError::Package(e.to_string())
}

/// The issue date at midnight UTC (1980-01-01, the zip epoch, when the issue has no date).
fn timestamp(date: Option<IssueDate>) -> chrono::DateTime<chrono::Utc> {
    let days = date.map_or(3652, |d| d.days_since_epoch());
    chrono::DateTime::from_timestamp(days * 86_400, 0).unwrap_or_default()
}

/// Builds the EPUB file.
pub fn build(p: Package<'_>) -> Result<Vec<u8>, EpubError> {
    let files = Collected::default();
    let mut b = EpubBuilder::new(files.clone()).map_err(eb)?;
    b.epub_version(EpubVersion::V30);
    b.set_title(xml_chars(&p.title));
    b.add_language(xml_chars(&p.lang));
    b.set_generator("paiban");
    b.set_toc_name("目录");
    b.set_uuid(p.identifier);
    b.set_modified_date(timestamp(p.date));
    if p.date.is_some() {
        b.set_publication_date(timestamp(p.date));
    }
    if let Some(d) = &p.description {
        b.add_description(xml_chars(d));
    }
    // epub-builder numbers creators and languages with the same ids; the publisher (also the
    // creator of a newspaper) goes in as a refinement-free EPUB 3 meta instead.
    if let Some(pubr) = &p.publisher {
        // MetadataOpfV3 writes its content unescaped.
        let pubr = super::xhtml::escape(pubr);
        b.add_metadata_opf(Box::new(MetadataOpfV3::new(
            "dcterms:publisher".into(),
            pubr.clone(),
        )));
        b.add_metadata_opf(Box::new(MetadataOpfV3::new(
            "dcterms:creator".into(),
            pubr.clone(),
        )));
    }
    b.stylesheet(p.css).map_err(eb)?;
    if let Some((name, bytes)) = &p.font {
        b.add_resource(format!("fonts/{name}"), bytes.as_slice(), "font/otf")
            .map_err(eb)?;
    }
    for (href, bytes, mime) in &p.images {
        b.add_resource(href, bytes.as_slice(), *mime).map_err(eb)?;
    }
    if let Some((png, alt)) = &p.cover {
        b.add_cover_image("cover.png", png.as_slice(), "image/png")
            .map_err(eb)?;
        let mut page = String::new();
        super::xhtml::head(&p.lang, &p.title, &mut page);
        page.push_str(&format!(
            "<body class=\"cover\" epub:type=\"cover\">\n<div class=\"cover\">\
             <img src=\"cover.png\" alt=\"{}\"/></div>\n</body>\n</html>\n",
            super::xhtml::escape(alt)
        ));
        b.add_content(
            EpubContent::new("cover.xhtml", page.as_bytes()).reftype(ReferenceType::Cover),
        )
        .map_err(eb)?;
    }
    // Each chapter's text is dropped once epub-builder has its copy.
    for (i, c) in p.chapters.into_iter().enumerate() {
        let mut content =
            EpubContent::new(c.href, c.xhtml.as_bytes()).title(xml_chars(&c.nav_title));
        if i == 0 {
            content = content.reftype(ReferenceType::Text);
        }
        b.add_content(content).map_err(eb)?;
    }
    b.generate(std::io::sink()).map_err(eb)?;
    archive(files.take(), &p.nav, &p.extra)
}

/// The archive from epub-builder's files, in its order: `mimetype` first and stored, images
/// stored, everything else deflated. The navigation document is ours ([`super::nav`]), and
/// the package gets the metadata epub-builder cannot write ([`super::opf`]).
fn archive(
    files: Vec<super::ocf::File>,
    nav: &str,
    extra: &super::opf::Extra,
) -> Result<Vec<u8>, EpubError> {
    let mut a = Archive::default();
    a.add("mimetype", b"application/epub+zip", Method::Stored)?;
    for (name, data) in files {
        match name.as_str() {
            "mimetype" => {}
            "OEBPS/nav.xhtml" => a.add(&name, nav.as_bytes(), Method::Deflated)?,
            "OEBPS/content.opf" => {
                let opf = super::opf::patch(&String::from_utf8_lossy(&data), extra);
                a.add(&name, opf.as_bytes(), Method::Deflated)?
            }
            _ if crate::zip_archive::compressed_already(&name) => {
                a.add(&name, &data, Method::Stored)?
            }
            _ => a.add(&name, &data, Method::Deflated)?,
        }
    }
    Ok(a.finish()?)
}
