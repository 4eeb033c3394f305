//! Model → XHTML 5 documents (one per article), every string escaped.
//!
//! Inline content is written without line breaks or indentation: whitespace inside a
//! paragraph would show as a space between Chinese characters.

use crate::diagnostics::Diagnostic;
use crate::model::*;
use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// Escapes text for XHTML content and double-quoted attributes. Characters XML forbids
/// (C0 controls other than tab/newline/CR, U+FFFE/U+FFFF) are dropped: epubcheck rejects them.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if xml_char_ok(c) => out.push(c),
            _ => {}
        }
    }
    out
}

/// `s` without the characters XML forbids, for strings epub-builder escapes itself (it does
/// not drop these).
pub fn xml_chars(s: &str) -> String {
    s.chars().filter(|&c| xml_char_ok(c)).collect()
}

/// Whether XML 1.0 allows `c` (DEL is allowed but dropped too: it is never meant as text).
fn xml_char_ok(c: char) -> bool {
    (c >= ' ' || matches!(c, '\t' | '\n' | '\r'))
        && !matches!(c, '\u{7f}' | '\u{fffe}' | '\u{ffff}')
}

/// Headline text with its phrases and word breaks marked (`headline_breaks::xhtml`).
fn headline_text(s: &str, vertical: bool) -> String {
    crate::headline_breaks::xhtml(s, |t| text(t, vertical))
}

/// Escaped text; in vertical setting every number of two to four characters (`18`,
/// `2023`, `6.2`) is wrapped in `<span class="tcy">` so it stands upright across the line
/// (縦中横, `text-combine-upright`), a lone digit in `<span class="upright">`; longer
/// numbers stay turned like Latin. The characters are never replaced: the reader and the
/// text-to-speech get the digits as written.
pub fn text(s: &str, vertical: bool) -> String {
    if !vertical || !s.bytes().any(|b| b.is_ascii_digit()) {
        return escape(s);
    }
    let mut out = String::with_capacity(s.len() + 32);
    let mut rest = s;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        out.push_str(&escape(&rest[..start]));
        let number = &rest[start..];
        let b = number.as_bytes();
        // Digits, with a decimal point between digits (`6.2`).
        let mut len = 0;
        while len < b.len()
            && (b[len].is_ascii_digit()
                || (b[len] == b'.' && b.get(len + 1).is_some_and(u8::is_ascii_digit)))
        {
            len += 1;
        }
        let run = &number[..len];
        match len {
            1 => {
                let _ = write!(out, "<span class=\"upright\">{run}</span>");
            }
            2..=4 => {
                let _ = write!(out, "<span class=\"tcy\">{run}</span>");
            }
            _ => out.push_str(run),
        }
        rest = &number[len..];
    }
    out.push_str(&escape(rest));
    out
}

/// A page for an issue without articles: its title alone (the navigation needs one entry).
pub fn title_page(title: &str, lang: &str) -> String {
    let mut out = String::new();
    head(lang, title, &mut out);
    out.push_str("<body epub:type=\"bodymatter\">\n<header class=\"headline\">\n");
    let _ = writeln!(out, "<h1 class=\"title\">{}</h1>", escape(title));
    out.push_str("</header>\n</body>\n</html>\n");
    out
}

/// An image the article refers to, registered in the package under `href`.
#[derive(Debug, Clone)]
pub struct ImageRef {
    pub href: String,
}

/// Decides, for each image path, whether and where it goes into the package.
pub trait ImageSink {
    /// The package href for the image, or None (with a warning) when it cannot be used.
    fn image(&mut self, image: &Image, at: Option<&Location>) -> Option<ImageRef>;
}

/// The start of every content document: XHTML 5 with the EPUB namespace, language set.
pub fn head(lang: &str, title: &str, out: &mut String) {
    let lang = escape(lang);
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n\
         <html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\" \
         lang=\"{lang}\" xml:lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <title>{}</title>\n<link rel=\"stylesheet\" type=\"text/css\" href=\"stylesheet.css\"/>\n\
         </head>\n",
        escape(title)
    );
}

/// One article as a complete XHTML document.
/// The id of print page `p`'s marker.
pub fn page_anchor(p: usize) -> String {
    format!("page-{}", p + 1)
}

pub fn article(
    a: &Article,
    pages: &[Page],
    lang: &str,
    vertical: bool,
    images: &mut dyn ImageSink,
    diags: &mut Vec<Diagnostic>,
) -> String {
    let mut w = Writer {
        pages,
        out: String::with_capacity(1024),
        notes: BTreeMap::new(),
        referenced: BTreeSet::new(),
        images,
        diags,
        at: a.headline.location.clone(),
        next_section: 0,
        vertical,
    };
    for (i, f) in a.footnotes.iter().enumerate() {
        w.notes.insert(f.label.clone(), i + 1);
    }
    head(lang, &a.headline.title, &mut w.out);
    w.out
        .push_str("<body epub:type=\"bodymatter\">\n<article class=\"article\">\n");
    let marker = a.page.filter(|_| a.opens_page);
    w.headline(&a.headline, marker);
    if let Some(by) = &a.byline {
        let _ = writeln!(w.out, "<p class=\"byline\">{}</p>", text(by, vertical));
    }
    for b in &a.blocks {
        w.block(b);
    }
    if !a.footnotes.is_empty() {
        w.out
            .push_str("<section class=\"footnotes\" epub:type=\"footnotes\">\n");
        for (i, f) in a.footnotes.iter().enumerate() {
            let n = i + 1;
            let _ = write!(
                w.out,
                "<aside id=\"fn{n}\" class=\"footnote\" epub:type=\"footnote\">"
            );
            if w.referenced.contains(&n) {
                let _ = write!(
                    w.out,
                    "<p class=\"note-label\"><a href=\"#fnref{n}\">{n}</a></p>"
                );
            } else {
                let _ = write!(w.out, "<p class=\"note-label\">{n}</p>");
            }
            for b in &f.blocks {
                w.block(b);
            }
            w.out.push_str("</aside>\n");
        }
        w.out.push_str("</section>\n");
    }
    w.out.push_str("</article>\n</body>\n</html>\n");
    // Every article is held until packing: no slack from growth (an issue of many short
    // articles would otherwise hold several KB of nothing for each).
    w.out.shrink_to_fit();
    w.out
}

/// The ids of an article's sections, in order (`s1`, `s2`, …), for the navigation.
pub fn section_id(n: usize) -> String {
    format!("s{n}")
}

struct Writer<'a> {
    /// The print pages, for page-break labels.
    pages: &'a [Page],
    out: String,
    /// Footnote label → number.
    notes: BTreeMap<String, usize>,
    /// Footnotes already referenced (only the first reference carries the back-link id).
    referenced: BTreeSet<usize>,
    images: &'a mut dyn ImageSink,
    diags: &'a mut Vec<Diagnostic>,
    /// The nearest known source location, for warnings about inline content.
    at: Option<Location>,
    next_section: usize,
    /// Vertical setting: digit runs marked for `text-combine-upright` (see [`text`]).
    vertical: bool,
}

impl Writer<'_> {
    /// The headline group; `marker`: the print page it opens, marked inline at the start of
    /// its first line (not on a line of its own above it).
    fn headline(&mut self, h: &HeadlineGroup, mut marker: Option<usize>) {
        self.out.push_str("<header class=\"headline\">\n");
        if let Some(k) = &h.kicker {
            self.out.push_str("<p class=\"kicker\">");
            if let Some(p) = marker.take() {
                self.page_break(p);
            }
            let _ = writeln!(self.out, "{}</p>", headline_text(k, self.vertical));
        }
        self.out.push_str("<h1 class=\"title\">");
        if let Some(p) = marker.take() {
            self.page_break(p);
        }
        let _ = writeln!(self.out, "{}</h1>", headline_text(&h.title, self.vertical));
        for s in &h.subtitles {
            let _ = writeln!(
                self.out,
                "<p class=\"subtitle\">{}</p>",
                headline_text(s, self.vertical)
            );
        }
        self.out.push_str("</header>\n");
    }

    fn section(&mut self, h: &HeadlineGroup) {
        self.next_section += 1;
        let id = section_id(self.next_section);
        let tag = if h.level <= 3 { "h2" } else { "h3" };
        let _ = write!(self.out, "<div class=\"section-head\" id=\"{id}\">");
        if let Some(k) = &h.kicker {
            let _ = write!(
                self.out,
                "<p class=\"section-kicker\">{}</p>",
                headline_text(k, self.vertical)
            );
        }
        let _ = write!(
            self.out,
            "<{tag}>{}</{tag}>",
            headline_text(&h.title, self.vertical)
        );
        for s in &h.subtitles {
            let _ = write!(
                self.out,
                "<p class=\"section-subtitle\">{}</p>",
                headline_text(s, self.vertical)
            );
        }
        self.out.push_str("</div>\n");
    }

    fn block(&mut self, b: &Block) {
        match b {
            Block::Paragraph {
                kind,
                content,
                location,
            } => {
                if location.is_some() {
                    self.at = location.clone();
                }
                let class = match kind {
                    ParaKind::Body => "",
                    ParaKind::DashLead => " class=\"dash-lead\"",
                    ParaKind::Salutation => " class=\"salutation\"",
                    ParaKind::NumberedHead => " class=\"numbered-head\"",
                    ParaKind::Dateline => " class=\"dateline\"",
                };
                let _ = write!(self.out, "<p{class}>");
                match (kind, content.split_first()) {
                    (ParaKind::DashLead, Some((Inline::Text(t), rest))) => {
                        self.dash_lead(t);
                        self.inlines(rest);
                    }
                    _ => self.inlines(content),
                }
                self.out.push_str("</p>\n");
            }
            Block::Section(h) => self.section(h),
            Block::List { start, items } => {
                match start {
                    Some(1) => self.out.push_str("<ol>\n"),
                    Some(n) => {
                        let _ = writeln!(self.out, "<ol start=\"{n}\">");
                    }
                    None => self.out.push_str("<ul>\n"),
                }
                for item in items {
                    self.out.push_str("<li>");
                    self.list_item(item);
                    self.out.push_str("</li>\n");
                }
                self.out.push_str(if start.is_some() {
                    "</ol>\n"
                } else {
                    "</ul>\n"
                });
            }
            Block::Quote(blocks) => {
                self.out.push_str("<blockquote>\n");
                for b in blocks {
                    self.block(b);
                }
                self.out.push_str("</blockquote>\n");
            }
            Block::Code { text, .. } => {
                let _ = writeln!(self.out, "<pre><code>{}</code></pre>", escape(text));
            }
            Block::Rule => self.out.push_str("<hr/>\n"),
            Block::Table { align, head, rows } => {
                self.out.push_str("<table>\n");
                if !head.is_empty() {
                    self.out.push_str("<thead><tr>");
                    for (i, c) in head.iter().enumerate() {
                        self.cell("th", align.get(i), c);
                    }
                    self.out.push_str("</tr></thead>\n");
                }
                self.out.push_str("<tbody>\n");
                for r in rows {
                    self.out.push_str("<tr>");
                    for (i, c) in r.iter().enumerate() {
                        self.cell("td", align.get(i), c);
                    }
                    self.out.push_str("</tr>\n");
                }
                self.out.push_str("</tbody>\n</table>\n");
            }
            Block::Figure { image, location } => {
                if location.is_some() {
                    self.at = location.clone();
                }
                match self.images.image(image, location.as_ref()) {
                    Some(r) => {
                        let _ = write!(
                            self.out,
                            "<figure class=\"figure\"><img src=\"{}\" alt=\"{}\"/>",
                            escape(&r.href),
                            escape(&image.alt)
                        );
                        let caption = if image.title.is_empty() {
                            &image.alt
                        } else {
                            &image.title
                        };
                        if !caption.is_empty() {
                            let _ =
                                write!(self.out, "<figcaption>{}</figcaption>", escape(caption));
                        }
                        self.out.push_str("</figure>\n");
                    }
                    None if !image.alt.is_empty() => {
                        let _ = writeln!(
                            self.out,
                            "<p class=\"image-missing\">{}</p>",
                            escape(&image.alt)
                        );
                    }
                    None => {}
                }
            }
        }
    }

    /// `——聚焦……，持续提升……。` followed by the body: newspapers set the opening phrase, up to
    /// its first full stop, in bold.
    fn dash_lead(&mut self, t: &str) {
        match t.char_indices().find(|&(_, c)| c == '。') {
            Some((i, c)) if t[..i].chars().count() <= 60 => {
                let (lead, rest) = t.split_at(i + c.len_utf8());
                let _ = write!(
                    self.out,
                    "<span class=\"lead\">{}</span>{}",
                    text(lead, self.vertical),
                    text(rest, self.vertical)
                );
            }
            _ => self.out.push_str(&text(t, self.vertical)),
        }
    }

    /// A list item: a lone paragraph is written inline (tight list), anything else as blocks.
    fn list_item(&mut self, item: &[Block]) {
        match item {
            [Block::Paragraph { content, .. }] => self.inlines(content),
            _ => {
                for b in item {
                    self.block(b);
                }
            }
        }
    }

    fn cell(&mut self, tag: &str, align: Option<&Align>, content: &[Inline]) {
        let class = match align {
            Some(Align::Left) => " class=\"left\"",
            Some(Align::Center) => " class=\"center\"",
            Some(Align::Right) => " class=\"right\"",
            _ => "",
        };
        let _ = write!(self.out, "<{tag}{class}>");
        self.inlines(content);
        let _ = write!(self.out, "</{tag}>");
    }

    fn inlines(&mut self, v: &[Inline]) {
        for i in v {
            self.inline(i);
        }
    }

    fn inline(&mut self, i: &Inline) {
        match i {
            Inline::Text(t) => self.out.push_str(&text(t, self.vertical)),
            Inline::Emphasis(c) => self.wrap("em", c),
            Inline::Strong(c) => self.wrap("strong", c),
            Inline::Strikethrough(c) => self.wrap("del", c),
            Inline::Code(t) => {
                let _ = write!(self.out, "<code>{}</code>", escape(t));
            }
            Inline::Link {
                url,
                title,
                content,
            } => {
                // Only links that leave the book: a relative link would point at a file the
                // package does not hold, which epubcheck rejects.
                if is_external(url) {
                    let _ = write!(self.out, "<a href=\"{}\"", escape(url.trim()));
                    if !title.is_empty() {
                        let _ = write!(self.out, " title=\"{}\"", escape(title));
                    }
                    self.out.push('>');
                    self.inlines(content);
                    self.out.push_str("</a>");
                } else {
                    self.inlines(content);
                }
            }
            Inline::Image(img) => {
                let at = self.at.clone();
                match self.images.image(img, at.as_ref()) {
                    Some(r) => {
                        let _ = write!(
                            self.out,
                            "<img class=\"inline\" src=\"{}\" alt=\"{}\"/>",
                            escape(&r.href),
                            escape(&img.alt)
                        );
                    }
                    None => self.out.push_str(&escape(&img.alt)),
                }
            }
            Inline::FootnoteRef(label) => match self.notes.get(label) {
                Some(&n) => {
                    let id = if self.referenced.insert(n) {
                        format!(" id=\"fnref{n}\"")
                    } else {
                        String::new()
                    };
                    let _ = write!(
                        self.out,
                        "<a{id} class=\"noteref\" epub:type=\"noteref\" href=\"#fn{n}\">{n}</a>"
                    );
                }
                None => {
                    self.diags.push(Diagnostic::warning(
                        "missing-footnote",
                        self.at.clone(),
                        format!("footnote `[^{label}]` has no definition; left as text"),
                    ));
                    let _ = write!(self.out, "[^{}]", escape(label));
                }
            },
            Inline::LineBreak => self.out.push_str("<br/>"),
            Inline::PageBreak(p) => self.page_break(*p),
        }
    }

    /// Where print page `p` began (EPUB 3 page-break marker, found by the page-list).
    fn page_break(&mut self, p: usize) {
        let label = self
            .pages
            .get(p)
            .map_or_else(|| (p + 1).to_string(), |pg| pg.label(p));
        let _ = write!(
            self.out,
            "<span epub:type=\"pagebreak\" role=\"doc-pagebreak\" id=\"{}\" aria-label=\"{}\"></span>",
            page_anchor(p),
            escape(&label)
        );
    }

    fn wrap(&mut self, tag: &str, c: &[Inline]) {
        let _ = write!(self.out, "<{tag}>");
        self.inlines(c);
        let _ = write!(self.out, "</{tag}>");
    }
}

fn is_external(url: &str) -> bool {
    let u = url.trim().to_ascii_lowercase();
    (u.starts_with("http://") || u.starts_with("https://") || u.starts_with("mailto:"))
        && !u.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn escapes_markup_and_drops_forbidden_characters() {
        assert_eq!(
            escape("<a href=\"x\">&'\u{1}\u{7f}中</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;中&lt;/a&gt;"
        );
        assert_eq!(xml_chars("标\u{0}题\u{b}\t"), "标题\t");
    }

    #[test]
    fn vertical_text_sets_two_to_four_digits_upright() {
        assert_eq!(
            text("2023年12月9日第12345期<6.2亿17.52", true),
            "<span class=\"tcy\">2023</span>年<span class=\"tcy\">12</span>月\
             <span class=\"upright\">9</span>日第12345期&lt;<span class=\"tcy\">6.2</span>亿17.52"
        );
        assert_eq!(text("2023年", false), "2023年");
    }

    proptest! {
        /// Whatever the input, the escaped text holds no markup: `<`, `>` and `"` never appear,
        /// every `&` opens one of the entities `escape` writes, no XML-forbidden character
        /// survives, and unescaping gives back the input minus those characters.
        #[test]
        fn escaped_text_is_always_plain_character_data(s in "\\PC*|[<>&\"'\u{0}-\u{1f}a中]*") {
            let e = escape(&s);
            prop_assert!(!e.contains(['<', '>', '"']));
            prop_assert!(e.chars().all(xml_char_ok));
            let back = e
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'");
            prop_assert!(!back.replace("&amp;", "").contains('&'));
            prop_assert_eq!(back.replace("&amp;", "&"), xml_chars(&s));
        }
    }
}
