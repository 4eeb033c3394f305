//! The navigation document, written here rather than by epub-builder, which can write
//! neither a nested table of contents of our own shape nor a `page-list`: the contents by
//! page (版: `第02版 要闻` → its articles) when the issue has pages, the print pages as a
//! `page-list` (readers' "go to page"), and landmarks. Each nav carries its ARIA role and a
//! label of its own, as assistive technology (and DAISY Ace) expects.

use super::xhtml::escape;

/// One article in the contents.
pub struct TocArticle {
    pub href: String,
    pub title: String,
    /// Index of the print page (版) it stood on, if known.
    pub page: Option<usize>,
}

/// A print page as the contents name it, and where its page-list target is.
pub struct PrintPage {
    /// `第02版 要闻`.
    pub heading: String,
    /// The page number as printed (`2`), for the page-list.
    pub label: String,
    /// The place its text begins (`article-003.xhtml#page-2`), if it holds any text.
    pub target: Option<String>,
}

pub struct Nav<'a> {
    pub lang: &'a str,
    pub title: &'a str,
    pub articles: &'a [TocArticle],
    pub pages: &'a [PrintPage],
    pub cover: bool,
    /// Vertical setting: numbers in the contents set upright as in the text.
    pub vertical: bool,
}

fn link(out: &mut String, href: &str, text: &str) {
    toc_link(out, href, text, false);
}

/// A contents entry; in vertical setting its numbers are marked upright ([`super::xhtml::text`]).
fn toc_link(out: &mut String, href: &str, text: &str, vertical: bool) {
    out.push_str(&format!(
        "<a href=\"{}\">{}</a>",
        escape(href),
        super::xhtml::text(text, vertical)
    ));
}

/// The whole `nav.xhtml`.
pub fn xhtml(n: &Nav) -> String {
    let lang = escape(n.lang);
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n\
         <html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\" \
         lang=\"{lang}\" xml:lang=\"{lang}\">\n<head>\n<meta charset=\"UTF-8\"/>\n<title>{}</title>\n\
         <link rel=\"stylesheet\" type=\"text/css\" href=\"stylesheet.css\"/>\n</head>\n<body>\n",
        escape(n.title)
    );
    out.push_str("<nav epub:type=\"toc\" id=\"toc\" role=\"doc-toc\" aria-labelledby=\"toc-title\">\n<h1 id=\"toc-title\">目录</h1>\n<ol>\n");
    let mut i = 0;
    while i < n.articles.len() {
        let a = &n.articles[i];
        match a.page.and_then(|p| n.pages.get(p).map(|pg| (p, pg))) {
            Some((p, page)) => {
                // The page's articles, nested under its name.
                let mut j = i;
                while j < n.articles.len() && n.articles[j].page == Some(p) {
                    j += 1;
                }
                out.push_str("<li class=\"page\">");
                toc_link(&mut out, &a.href, &page.heading, n.vertical);
                out.push_str("\n<ol>\n");
                for b in &n.articles[i..j] {
                    out.push_str("<li>");
                    toc_link(&mut out, &b.href, &b.title, n.vertical);
                    out.push_str("</li>\n");
                }
                out.push_str("</ol>\n</li>\n");
                i = j;
            }
            None => {
                out.push_str("<li>");
                toc_link(&mut out, &a.href, &a.title, n.vertical);
                out.push_str("</li>\n");
                i += 1;
            }
        }
    }
    out.push_str("</ol>\n</nav>\n");
    let targets: Vec<(&str, &str)> = n
        .pages
        .iter()
        .filter_map(|p| p.target.as_deref().map(|t| (t, p.label.as_str())))
        .collect();
    if !targets.is_empty() {
        out.push_str("<nav epub:type=\"page-list\" id=\"page-list\" role=\"doc-pagelist\" aria-label=\"印刷版页码\" hidden=\"hidden\">\n<ol>\n");
        for (href, label) in targets {
            out.push_str("<li>");
            link(&mut out, href, label);
            out.push_str("</li>\n");
        }
        out.push_str("</ol>\n</nav>\n");
    }
    out.push_str("<nav epub:type=\"landmarks\" id=\"landmarks\" aria-label=\"导航标志\" hidden=\"hidden\">\n<ol>\n");
    if n.cover {
        out.push_str("<li><a epub:type=\"cover\" href=\"cover.xhtml\">封面</a></li>\n");
    }
    if let Some(first) = n.articles.first() {
        out.push_str(&format!(
            "<li><a epub:type=\"bodymatter\" href=\"{}\">正文</a></li>\n",
            escape(&first.href)
        ));
    }
    out.push_str("</ol>\n</nav>\n</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_levels_and_a_page_list() {
        let articles = [
            TocArticle {
                href: "article-001.xhtml".into(),
                title: "甲".into(),
                page: Some(0),
            },
            TocArticle {
                href: "article-002.xhtml".into(),
                title: "乙".into(),
                page: Some(0),
            },
            TocArticle {
                href: "article-003.xhtml".into(),
                title: "丙<".into(),
                page: Some(1),
            },
        ];
        let pages = [
            PrintPage {
                heading: "第01版 要闻".into(),
                label: "1".into(),
                target: Some("article-001.xhtml#page-1".into()),
            },
            PrintPage {
                heading: "第02版".into(),
                label: "2".into(),
                target: Some("article-003.xhtml#page-2".into()),
            },
        ];
        let x = xhtml(&Nav {
            lang: "zh-CN",
            title: "报",
            articles: &articles,
            pages: &pages,
            cover: true,
            vertical: false,
        });
        assert!(x.contains("<li class=\"page\"><a href=\"article-001.xhtml\">第01版 要闻</a>\n<ol>\n<li><a href=\"article-001.xhtml\">甲</a></li>\n<li><a href=\"article-002.xhtml\">乙</a></li>\n</ol>"));
        assert!(x.contains("丙&lt;"));
        assert!(x.contains("<a href=\"article-003.xhtml#page-2\">2</a>"));
        assert!(x.contains("role=\"doc-toc\""));
    }
}
