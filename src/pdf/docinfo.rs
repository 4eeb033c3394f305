//! What the PDF says about itself besides its pages: the outline (bookmarks) and the
//! document metadata (Info dictionary and XMP, which krilla writes from it).

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

/// One bookmark per article, its sections nested under it; when the issue has print pages
/// (版), the articles under a bookmark for their page (`第02版 要闻`), which says where in
/// print each came from — the PDF's own pages are the re-typeset ones.
pub fn outline(marks: &[Mark], doc: &Document) -> Outline {
    let mut o = Outline::new();
    let node = |m: &Mark, title: String| {
        OutlineNode::new(
            short(&title),
            XyzDestination::new(m.page, Point::from_xy(0.0, m.y.max(0.0))),
        )
    };
    // Articles with their sections; the i-th level-0 mark is the i-th article's headline.
    let mut articles: Vec<(Option<usize>, OutlineNode)> = Vec::new();
    let mut first_marks: Vec<&Mark> = Vec::new();
    for m in marks {
        if m.level == 0 || articles.is_empty() {
            let page = doc.articles.get(articles.len()).and_then(|a| a.page);
            articles.push((page, node(m, m.title.clone())));
            first_marks.push(m);
        } else if let Some((_, article)) = articles.last_mut() {
            article.push_child(node(m, m.title.clone()));
        }
    }
    let mut group: Option<(usize, OutlineNode)> = None;
    for ((page, article), m) in articles.into_iter().zip(first_marks) {
        let Some(p) = page.filter(|&p| p < doc.pages.len()) else {
            if let Some((_, g)) = group.take() {
                o.push_child(g);
            }
            o.push_child(article);
            continue;
        };
        if group.as_ref().is_some_and(|(gp, _)| *gp != p) {
            if let Some((_, g)) = group.take() {
                o.push_child(g);
            }
        }
        group
            .get_or_insert_with(|| (p, node(m, doc.pages[p].heading(p))))
            .1
            .push_child(article);
    }
    if let Some((_, g)) = group {
        o.push_child(g);
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
