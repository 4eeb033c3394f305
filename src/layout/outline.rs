//! The document's outline as both writers give it: one entry per article, its sections
//! nested under it; when the issue has print pages (版), the articles under an entry for
//! their page (`第02版 要闻`), which says where in print each came from — the file's own
//! pages are the re-typeset ones. Pure: the PDF makes bookmarks of it, the OFD outlines.

use super::Mark;
use crate::model::Document;

/// One entry: its title and where it points (a page of the layout, `y` from the top).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub title: String,
    pub page: usize,
    pub y: f32,
    pub children: Vec<Entry>,
}

fn entry(m: &Mark, title: String) -> Entry {
    Entry {
        title,
        page: m.page,
        y: m.y.max(0.0),
        children: Vec::new(),
    }
}

/// The outline's top-level entries, from the layout's marks.
pub fn outline(marks: &[Mark], doc: &Document) -> Vec<Entry> {
    let mut o = Vec::new();
    // Articles with their sections; the i-th level-0 mark is the i-th article's headline.
    let mut articles: Vec<(Option<usize>, Entry)> = Vec::new();
    let mut first_marks: Vec<&Mark> = Vec::new();
    for m in marks {
        if m.level == 0 || articles.is_empty() {
            let page = doc.articles.get(articles.len()).and_then(|a| a.page);
            articles.push((page, entry(m, m.title.clone())));
            first_marks.push(m);
        } else if let Some((_, article)) = articles.last_mut() {
            article.children.push(entry(m, m.title.clone()));
        }
    }
    let mut group: Option<(usize, Entry)> = None;
    for ((page, article), m) in articles.into_iter().zip(first_marks) {
        let Some(p) = page.filter(|&p| p < doc.pages.len()) else {
            if let Some((_, g)) = group.take() {
                o.push(g);
            }
            o.push(article);
            continue;
        };
        if group.as_ref().is_some_and(|(gp, _)| *gp != p) {
            if let Some((_, g)) = group.take() {
                o.push(g);
            }
        }
        group
            .get_or_insert_with(|| (p, entry(m, doc.pages[p].heading(p))))
            .1
            .children
            .push(article);
    }
    if let Some((_, g)) = group {
        o.push(g);
    }
    o
}
