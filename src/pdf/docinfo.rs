//! What the PDF says about itself besides its pages: the outline (bookmarks) and the
//! document metadata (Info dictionary and XMP, which krilla writes from it).

use crate::layout::outline::Entry;
use crate::layout::Mark;
use crate::model::{Document, Meta};
use krilla::destination::XyzDestination;
use krilla::geom::Point;
use krilla::metadata::{DateTime, Metadata};
use krilla::outline::{Outline, OutlineNode};

/// Longest title (in characters) given to the document, a bookmark or a heading's `/T`:
/// PDF/A limits strings to 32,767 bytes, and a headline of any length is still typeset in
/// full.
const MAX_TITLE: usize = 1000;

/// `title`, cut to [`MAX_TITLE`] characters.
pub fn short(title: &str) -> String {
    title.chars().take(MAX_TITLE).collect()
}

/// The layout's outline (`crate::layout::outline`) as PDF bookmarks.
pub fn outline(marks: &[Mark], doc: &Document) -> Outline {
    fn node(e: Entry) -> OutlineNode {
        let mut n = OutlineNode::new(
            short(&e.title),
            XyzDestination::new(e.page, Point::from_xy(0.0, e.y)),
        );
        for c in e.children {
            n.push_child(node(c));
        }
        n
    }
    let mut o = Outline::new();
    for e in crate::layout::outline::outline(marks, doc) {
        o.push_child(node(e));
    }
    o
}

/// Title, language, creator, author (publisher or paper), subject (paper), and the
/// issue's date as creation date; empty fields are left out.
pub fn metadata(meta: &Meta) -> Metadata {
    let mut m = Metadata::new()
        .title(short(&meta.title))
        .language(meta.language.clone())
        .creator("paiban".into())
        .producer(format!("paiban {} (krilla)", env!("CARGO_PKG_VERSION")));
    if let Some(a) = meta
        .publisher
        .clone()
        .or_else(|| meta.newspaper.clone())
        .filter(|a| !a.trim().is_empty())
    {
        m = m.authors(vec![short(&a)]);
    }
    if let Some(n) = meta.newspaper.clone().filter(|n| !n.trim().is_empty()) {
        m = m.description(short(&n));
    }
    // PDF/A needs a date. An issue without one is dated 1970-01-01, not the day it is
    // built: the same input must give the same bytes.
    let date = match meta.date {
        Some(d) => DateTime::new(d.year).month(d.month).day(d.day),
        None => DateTime::new(1970).month(1).day(1),
    };
    m.creation_date(date.hour(0).minute(0).second(0).utc_offset_hour(0))
}
