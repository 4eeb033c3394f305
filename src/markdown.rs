//! pulldown-cmark events → the document model.
//!
//! Headline groups: a run of consecutive top-level headings with no text between them is
//! one group; its highest-level heading is the title, the ones before it the kicker, the
//! ones after it the subtitles. A group whose title is level 1 or 2 opens an article; a
//! deeper one is a section inside the current article.

use crate::cjk;
use crate::confine::{Confinement, Refusal};
use crate::diagnostics::Diagnostic;
use crate::model::*;
use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::path::Path;

/// Block containers nested deeper than this are flattened into their parent (with a warning):
/// deep nesting is converter noise, and unbounded depth would exhaust the stack downstream.
pub const MAX_NESTING: usize = 32;

pub use crate::limits::MAX_IMAGE_BYTES;

/// Stands for a soft line break until we know the characters on both sides of it.
const SOFT_BREAK: &str = "\n";

/// The result of parsing: the articles and what was worth a warning.
pub struct Parsed {
    pub articles: Vec<Article>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses Markdown into articles. `locate` maps a 0-based line of `text` to its file and line;
/// `base_dir` is where relative image paths are resolved.
pub fn parse(text: &str, base_dir: &Path, locate: &dyn Fn(usize) -> Location) -> Parsed {
    let confine = Confinement::new(base_dir, &[]);
    parse_paged(text, base_dir, &confine, locate, &[])
}

/// [`parse`], with the byte offsets in `text` where print pages begin (ascending; page
/// `i` begins at `page_starts[i]`): articles learn their page, and a page that begins
/// inside an article leaves an [`Inline::PageBreak`] there. Images are read only where
/// `confine` allows.
pub fn parse_paged(
    text: &str,
    base_dir: &Path,
    confine: &Confinement,
    locate: &dyn Fn(usize) -> Location,
    page_starts: &[usize],
) -> Parsed {
    let mut b = Builder::new(base_dir, locate, text);
    b.confine = confine.clone();
    b.page_starts = page_starts.to_vec();
    let opts = Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH;
    for (event, range) in Parser::new_ext(text, opts).into_offset_iter() {
        // A page that begins inside this run of text (a paragraph joined across the
        // break): the text is split there, when it is the source text as written.
        let inside = b
            .next_page_start()
            .filter(|&o| o > range.start && o < range.end);
        match (event, inside) {
            (Event::Text(t), Some(o)) if text.get(range.clone()) == Some(&*t) => {
                let k = o - range.start;
                b.event(Event::Text(t[..k].to_string().into()), range.start);
                b.cross_pages(o);
                b.event(Event::Text(t[k..].to_string().into()), o);
            }
            (event, _) => {
                b.cross_pages(range.start);
                b.event(event, range.start);
            }
        }
    }
    b.finish()
}

enum Frame {
    Root,
    Paragraph(Vec<Inline>, usize),
    Heading(u8, Vec<Inline>, usize),
    Quote(Vec<Block>),
    List(Option<u64>, Vec<Vec<Block>>),
    Item(Vec<Block>, Vec<Inline>),
    FootnoteDef(String, Vec<Block>),
    Code(Option<String>, String),
    Table(Vec<Align>, Vec<Vec<Inline>>, Vec<Vec<Vec<Inline>>>),
    Row(Vec<Vec<Inline>>),
    Cell(Vec<Inline>),
    Emphasis(Vec<Inline>),
    Strong(Vec<Inline>),
    Strike(Vec<Inline>),
    Link(String, String, Vec<Inline>, usize),
    Image(String, String, String, usize),
    /// A container past MAX_NESTING: its content goes to the parent.
    Flattened,
    /// Raw HTML and anything else dropped.
    Skip,
}

struct Builder<'a> {
    base_dir: &'a Path,
    confine: Confinement,
    locate: &'a dyn Fn(usize) -> Location,
    line_starts: Vec<usize>,
    stack: Vec<Frame>,
    depth: usize,
    articles: Vec<Article>,
    pending: Vec<(u8, String, Location)>,
    footnotes: Vec<Footnote>,
    diagnostics: Vec<Diagnostic>,
    warned_depth: bool,
    /// Where print pages begin (byte offsets), the next one not yet reached, the page
    /// the text is on, and a page begun between blocks whose marker still waits for the
    /// next article or paragraph.
    page_starts: Vec<usize>,
    next_page: usize,
    page: Option<usize>,
    waiting_break: Option<usize>,
    /// The page of the first heading of the pending headline run.
    pending_page: (Option<usize>, bool),
}

impl<'a> Builder<'a> {
    fn new(base_dir: &'a Path, locate: &'a dyn Fn(usize) -> Location, text: &str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Builder {
            base_dir,
            confine: Confinement::default(),
            locate,
            line_starts,
            stack: vec![Frame::Root],
            depth: 0,
            articles: Vec::new(),
            pending: Vec::new(),
            footnotes: Vec::new(),
            diagnostics: Vec::new(),
            warned_depth: false,
            page_starts: Vec::new(),
            next_page: 0,
            page: None,
            waiting_break: None,
            pending_page: (None, false),
        }
    }

    fn next_page_start(&self) -> Option<usize> {
        self.page_starts.get(self.next_page).copied()
    }

    /// Passes every page start at or before `at`: inside a paragraph or heading its marker
    /// goes in at once, between blocks it waits for what comes next.
    fn cross_pages(&mut self, at: usize) {
        while self.next_page_start().is_some_and(|o| o <= at) {
            let p = self.next_page;
            self.next_page += 1;
            self.page = Some(p);
            let in_text = matches!(
                self.stack.last(),
                Some(Frame::Paragraph(..) | Frame::Heading(..) | Frame::Item(..))
            ) && at > 0;
            if in_text {
                self.push_inline(Inline::PageBreak(p));
            } else {
                self.waiting_break = Some(p);
            }
        }
    }

    fn loc(&self, byte: usize) -> Location {
        let line = self
            .line_starts
            .partition_point(|&s| s <= byte)
            .saturating_sub(1);
        (self.locate)(line)
    }

    fn inlines(&mut self) -> Option<&mut Vec<Inline>> {
        match self.stack.last_mut()? {
            Frame::Paragraph(v, _)
            | Frame::Heading(_, v, _)
            | Frame::Item(_, v)
            | Frame::Cell(v)
            | Frame::Emphasis(v)
            | Frame::Strong(v)
            | Frame::Strike(v)
            | Frame::Link(_, _, v, _) => Some(v),
            _ => None,
        }
    }

    fn push_inline(&mut self, inline: Inline) {
        if let Some(Frame::Image(_, _, alt, _)) = self.stack.last_mut() {
            alt.push_str(&crate::model::plain_text(std::slice::from_ref(&inline)));
            return;
        }
        if matches!(self.stack.last(), Some(Frame::Skip)) {
            return;
        }
        if let Some(v) = self.inlines() {
            v.push(inline);
        } else if let Inline::Text(t) = &inline {
            // Text straight inside a container that holds blocks (rare): make it a paragraph.
            if !t.trim().is_empty() {
                self.push_block(Block::Paragraph {
                    kind: ParaKind::Body,
                    content: vec![inline],
                    location: None,
                });
            }
        }
    }

    /// Adds a finished block to the innermost container that holds blocks.
    fn push_block(&mut self, block: Block) {
        for frame in self.stack.iter_mut().rev() {
            match frame {
                Frame::Quote(v) | Frame::FootnoteDef(_, v) => return v.push(block),
                Frame::Item(v, inl) => {
                    // Tight list items carry their text without a paragraph: close it first.
                    if !inl.is_empty() {
                        let content = finish_inlines(std::mem::take(inl));
                        v.push(Block::Paragraph {
                            kind: ParaKind::Body,
                            content,
                            location: None,
                        });
                    }
                    return v.push(block);
                }
                Frame::Root => break,
                Frame::Flattened => continue,
                _ => continue,
            }
        }
        self.flush_headings();
        let article = self.current_article();
        let mut block = block;
        // A bracketed adoption / date note right under the title is the headline's note.
        if let Block::Paragraph { kind, content, .. } = &mut block {
            if article.blocks.is_empty()
                && *kind == ParaKind::Body
                && cjk::is_title_note(&plain_text(content))
            {
                *kind = ParaKind::Dateline;
            }
        }
        article.blocks.push(block);
    }

    fn current_article(&mut self) -> &mut Article {
        if self.articles.is_empty() {
            let opens_page = self.waiting_break.take().is_some();
            self.articles.push(Article {
                page: self.page,
                opens_page,
                headline: HeadlineGroup::default(),
                byline: None,
                blocks: Vec::new(),
                footnotes: Vec::new(),
            });
        }
        let last = self.articles.len() - 1;
        &mut self.articles[last]
    }

    /// Turns the pending run of headings into an article or a section.
    fn flush_headings(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let run = std::mem::take(&mut self.pending);
        let top = run.iter().map(|h| h.0).min().unwrap_or(1);
        // Each heading of the top level is the title of its own group: what comes before
        // the first is its kicker, what follows a title (until the next) its subtitles. So
        // a run of many same-level headings (a table of contents, converter debris) gives
        // many short groups, not one group with thousands of subtitles.
        let titles: Vec<usize> = (0..run.len()).filter(|&i| run[i].0 == top).collect();
        for (n, &ti) in titles.iter().enumerate() {
            let start = if n == 0 { 0 } else { ti };
            let end = titles.get(n + 1).copied().unwrap_or(run.len());
            let kicker: Vec<&str> = run[start..ti].iter().map(|h| h.1.as_str()).collect();
            let group = HeadlineGroup {
                kicker: (!kicker.is_empty()).then(|| kicker.join(" ")),
                title: run[ti].1.clone(),
                subtitles: run[ti + 1..end].iter().map(|h| h.1.clone()).collect(),
                level: top,
                location: Some(run[ti].2.clone()),
            };
            if top <= 2 || self.articles.is_empty() {
                let (page, opens_page) = if n == 0 {
                    self.pending_page
                } else {
                    (self.page, false)
                };
                self.articles.push(Article {
                    page,
                    opens_page,
                    headline: group,
                    byline: None,
                    blocks: Vec::new(),
                    footnotes: Vec::new(),
                });
            } else {
                self.current_article().blocks.push(Block::Section(group));
            }
        }
    }

    fn open(&mut self, frame: Frame, container: bool, at: usize) {
        if container {
            self.depth += 1;
            if self.depth > MAX_NESTING {
                if !self.warned_depth {
                    self.warned_depth = true;
                    let loc = self.loc(at);
                    self.diagnostics.push(Diagnostic::warning(
                        "deep-nesting",
                        Some(loc),
                        format!("lists or block quotes nested deeper than {MAX_NESTING} levels were flattened"),
                    ));
                }
                self.stack.push(Frame::Flattened);
                return;
            }
        }
        self.stack.push(frame);
    }

    fn event(&mut self, event: Event, at: usize) {
        match event {
            Event::Start(tag) => self.start(tag, at),
            Event::End(tag) => self.end(tag),
            Event::Text(t) => match self.stack.last_mut() {
                Some(Frame::Code(_, s)) => s.push_str(&t),
                _ => self.push_inline(Inline::Text(t.into_string())),
            },
            Event::Code(t) => self.push_inline(Inline::Code(t.into_string())),
            Event::SoftBreak => self.push_inline(Inline::Text(SOFT_BREAK.into())),
            Event::HardBreak => self.push_inline(Inline::LineBreak),
            Event::Rule => self.push_block(Block::Rule),
            Event::FootnoteReference(label) => {
                self.push_inline(Inline::FootnoteRef(label.into_string()))
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                let h = h.trim();
                if !h.is_empty() && !h.starts_with("<!--") && !h.ends_with("-->") {
                    let loc = self.loc(at);
                    self.diagnostics.push(Diagnostic::warning(
                        "raw-html",
                        Some(loc),
                        format!(
                            "raw HTML is not supported and was left out: {}",
                            truncate(h, 60)
                        ),
                    ));
                }
            }
            Event::TaskListMarker(_) | Event::InlineMath(_) | Event::DisplayMath(_) => {}
        }
    }

    fn start(&mut self, tag: Tag, at: usize) {
        match tag {
            Tag::Paragraph => {
                let mut inlines = Vec::new();
                if let Some(p) = self.waiting_break.take() {
                    inlines.push(Inline::PageBreak(p));
                }
                self.stack.push(Frame::Paragraph(inlines, at))
            }
            Tag::Heading { level, .. } => {
                self.stack
                    .push(Frame::Heading(heading_level(level), Vec::new(), at))
            }
            Tag::BlockQuote(_) => self.open(Frame::Quote(Vec::new()), true, at),
            Tag::List(start) => self.open(Frame::List(start, Vec::new()), true, at),
            Tag::Item => self.open(Frame::Item(Vec::new(), Vec::new()), true, at),
            Tag::FootnoteDefinition(label) => self
                .stack
                .push(Frame::FootnoteDef(label.into_string(), Vec::new())),
            Tag::CodeBlock(kind) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(l) if !l.trim().is_empty() => Some(l.trim().to_string()),
                    _ => None,
                };
                self.stack.push(Frame::Code(lang, String::new()))
            }
            Tag::Table(aligns) => {
                let align = aligns
                    .into_iter()
                    .map(|a| match a {
                        pulldown_cmark::Alignment::None => Align::None,
                        pulldown_cmark::Alignment::Left => Align::Left,
                        pulldown_cmark::Alignment::Center => Align::Center,
                        pulldown_cmark::Alignment::Right => Align::Right,
                    })
                    .collect();
                self.stack.push(Frame::Table(align, Vec::new(), Vec::new()))
            }
            Tag::TableHead | Tag::TableRow => self.stack.push(Frame::Row(Vec::new())),
            Tag::TableCell => self.stack.push(Frame::Cell(Vec::new())),
            Tag::Emphasis => self.stack.push(Frame::Emphasis(Vec::new())),
            Tag::Strong => self.stack.push(Frame::Strong(Vec::new())),
            Tag::Strikethrough => self.stack.push(Frame::Strike(Vec::new())),
            Tag::Link {
                dest_url, title, ..
            } => self.stack.push(Frame::Link(
                dest_url.into_string(),
                title.into_string(),
                Vec::new(),
                at,
            )),
            Tag::Image {
                dest_url, title, ..
            } => self.stack.push(Frame::Image(
                dest_url.into_string(),
                title.into_string(),
                String::new(),
                at,
            )),
            Tag::HtmlBlock => self.stack.push(Frame::Skip),
            _ => self.stack.push(Frame::Skip),
        }
    }

    fn end(&mut self, tag: TagEnd) {
        if matches!(tag, TagEnd::BlockQuote(_) | TagEnd::List(_) | TagEnd::Item) {
            self.depth = self.depth.saturating_sub(1);
        }
        let Some(frame) = self.stack.pop() else {
            return;
        };
        match frame {
            Frame::Root => self.stack.push(Frame::Root),
            Frame::Paragraph(inl, at) => {
                let content = finish_inlines(inl);
                // A paragraph of only (ideographic) spaces is layout residue, not content.
                let blank = content
                    .iter()
                    .all(|i| matches!(i, Inline::Text(t) if t.trim().is_empty()));
                if blank {
                    return;
                }
                let location = Some(self.loc(at));
                let block = match content.as_slice() {
                    [Inline::Image(image)] => Block::Figure {
                        image: image.clone(),
                        location,
                    },
                    _ => Block::Paragraph {
                        kind: cjk::paragraph_kind(&plain_text(&content)),
                        content,
                        location,
                    },
                };
                self.push_block(block);
            }
            Frame::Heading(level, inl, at) => {
                let text = plain_text(&finish_inlines(inl)).trim().to_string();
                let top_level = self
                    .stack
                    .iter()
                    .all(|f| matches!(f, Frame::Root | Frame::Flattened));
                if text.is_empty() {
                    return;
                }
                if top_level {
                    let loc = self.loc(at);
                    if self.pending.is_empty() {
                        self.pending_page = (self.page, self.waiting_break.take().is_some());
                    }
                    self.pending.push((level, text, loc));
                } else {
                    // A heading inside a quote or list item is shown as a strong paragraph.
                    let location = Some(self.loc(at));
                    self.push_block(Block::Paragraph {
                        kind: ParaKind::Body,
                        content: vec![Inline::Strong(vec![Inline::Text(text)])],
                        location,
                    });
                }
            }
            Frame::Quote(blocks) => self.push_block(Block::Quote(blocks)),
            Frame::List(start, items) => self.push_block(Block::List { start, items }),
            Frame::Item(mut blocks, inl) => {
                let content = finish_inlines(inl);
                if !content.is_empty() {
                    blocks.push(Block::Paragraph {
                        kind: ParaKind::Body,
                        content,
                        location: None,
                    });
                }
                if let Some(Frame::List(_, items)) = self.stack.last_mut() {
                    items.push(blocks);
                } else {
                    // Flattened list: the item's blocks go to the parent.
                    for b in blocks {
                        self.push_block(b);
                    }
                }
            }
            Frame::Flattened => {}
            Frame::FootnoteDef(label, blocks) => self.footnotes.push(Footnote { label, blocks }),
            Frame::Code(lang, text) => self.push_block(Block::Code { lang, text }),
            Frame::Table(align, head, rows) => self.push_block(Block::Table { align, head, rows }),
            Frame::Row(cells) => {
                if let Some(Frame::Table(_, head, rows)) = self.stack.last_mut() {
                    if matches!(tag, TagEnd::TableHead) {
                        *head = cells;
                    } else {
                        rows.push(cells);
                    }
                }
            }
            Frame::Cell(inl) => {
                if let Some(Frame::Row(cells)) = self.stack.last_mut() {
                    cells.push(finish_inlines(inl));
                }
            }
            Frame::Emphasis(v) => self.push_inline(Inline::Emphasis(v)),
            Frame::Strong(v) => self.push_inline(Inline::Strong(v)),
            Frame::Strike(v) => self.push_inline(Inline::Strikethrough(v)),
            Frame::Link(url, title, content, at) => match crate::links::publishable(&url) {
                Ok(url) => self.push_inline(Inline::Link {
                    url,
                    title,
                    content,
                }),
                Err(why) => {
                    // The text stays; only the link goes (see `crate::links`).
                    let loc = self.loc(at);
                    self.diagnostics.push(Diagnostic::warning(
                        "bad-link",
                        Some(loc),
                        format!(
                            "link `{}` {why}; its text is kept without the link",
                            truncate(&url, 80)
                        ),
                    ));
                    for i in content {
                        self.push_inline(i);
                    }
                }
            },
            Frame::Image(src, title, alt, at) => {
                let loc = self.loc(at);
                match self.resolve_image(&src, &loc) {
                    Some(path) => self.push_inline(Inline::Image(Image {
                        path,
                        src,
                        alt,
                        title,
                    })),
                    None => {
                        if !alt.is_empty() {
                            self.push_inline(Inline::Text(alt));
                        }
                    }
                }
            }
            Frame::Skip => {}
        }
    }

    /// A local image that exists, or None with a warning.
    fn resolve_image(&mut self, src: &str, loc: &Location) -> Option<std::path::PathBuf> {
        if src.contains("://") || src.starts_with("data:") {
            self.diagnostics.push(Diagnostic::warning(
                "remote-image",
                Some(loc.clone()),
                format!(
                    "image `{}` is not a local file and was left out (its alt text is kept)",
                    truncate(src, 80)
                ),
            ));
            return None;
        }
        let decoded = percent_decode(src);
        let path = self.base_dir.join(&decoded);
        let warn = |kind, message: String| Diagnostic::warning(kind, Some(loc.clone()), message);
        let shown = truncate(src, 80);
        let real = match self.confine.check(&path) {
            Ok(real) => real,
            Err(Refusal::Missing(_)) => {
                self.diagnostics.push(warn(
                    "missing-image",
                    format!(
                        "image `{shown}` does not exist (looked for {})",
                        path.display()
                    ),
                ));
                return None;
            }
            Err(Refusal::Outside) => {
                self.diagnostics.push(warn(
                    "outside-image",
                    format!(
                        "image {shown} is outside the issue folder, left out (its alt text \
                         is kept; a shared folder for logos and mastheads is allowed with \
                         --assets DIR)"
                    ),
                ));
                return None;
            }
            Err(Refusal::NotRegular) => {
                self.diagnostics.push(warn(
                    "unsupported-image",
                    format!(
                        "image {shown} is not a regular file (a folder, device or pipe), left \
                         out (its alt text is kept)"
                    ),
                ));
                return None;
            }
        };
        let size = std::fs::metadata(&real).map_or(0, |m| m.len());
        if size > MAX_IMAGE_BYTES {
            self.diagnostics.push(warn(
                "large-image",
                format!(
                    "image `{shown}` is over {} MiB and was left out (its alt text is kept)",
                    MAX_IMAGE_BYTES >> 20
                ),
            ));
            return None;
        }
        Some(path)
    }

    fn finish(mut self) -> Parsed {
        self.flush_headings();
        let mut articles = self.articles;
        for a in &mut articles {
            take_byline(a);
        }
        attach_footnotes(&mut articles, self.footnotes);
        Parsed {
            articles,
            diagnostics: self.diagnostics,
        }
    }
}

fn heading_level(l: HeadingLevel) -> u8 {
    match l {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Moves a byline paragraph (`□ 本报评论员`) at the head of an article into `byline`.
fn take_byline(article: &mut Article) {
    if let Some(Block::Paragraph { content, .. }) = article.blocks.first() {
        let text = plain_text(content);
        if cjk::is_byline(&text) {
            article.byline = Some(text.trim().to_string());
            article.blocks.remove(0);
        }
    }
}

/// Each footnote definition goes to the first article that references it
/// (or the last article when nothing does), so every backend can put notes after their article.
fn attach_footnotes(articles: &mut [Article], footnotes: Vec<Footnote>) {
    if articles.is_empty() {
        return;
    }
    for note in footnotes {
        let idx = articles
            .iter()
            .position(|a| a.blocks.iter().any(|b| block_refs(b, &note.label)))
            .unwrap_or(articles.len() - 1);
        articles[idx].footnotes.push(note);
    }
}

fn block_refs(b: &Block, label: &str) -> bool {
    match b {
        Block::Paragraph { content, .. } => inlines_ref(content, label),
        Block::List { items, .. } => items.iter().flatten().any(|b| block_refs(b, label)),
        Block::Quote(bs) => bs.iter().any(|b| block_refs(b, label)),
        Block::Table { head, rows, .. } => head
            .iter()
            .chain(rows.iter().flatten())
            .any(|c| inlines_ref(c, label)),
        _ => false,
    }
}

fn inlines_ref(v: &[Inline], label: &str) -> bool {
    v.iter().any(|i| match i {
        Inline::FootnoteRef(l) => l == label,
        Inline::Emphasis(c)
        | Inline::Strong(c)
        | Inline::Strikethrough(c)
        | Inline::Link { content: c, .. } => inlines_ref(c, label),
        _ => false,
    })
}

/// Resolves soft breaks (no space between Chinese characters, a space between Latin words),
/// drops them at the edges and merges adjacent text.
fn finish_inlines(mut v: Vec<Inline>) -> Vec<Inline> {
    let mut leaves = Vec::new();
    collect_edges(&v, &mut leaves);
    let mut decisions = Vec::new();
    for (i, leaf) in leaves.iter().enumerate() {
        if let Edge::Soft = leaf {
            let before = leaves[..i].iter().rev().find_map(|l| match l {
                Edge::Chars(_, last) => Some(*last),
                Edge::Soft => None,
            });
            let after = leaves[i + 1..].iter().find_map(|l| match l {
                Edge::Chars(first, _) => Some(*first),
                Edge::Soft => None,
            });
            decisions.push(cjk::soft_break_is_space(before.flatten(), after.flatten()));
        }
    }
    let mut it = decisions.into_iter();
    apply_soft(&mut v, &mut it);
    merge_text(v)
}

enum Edge {
    Soft,
    /// First and last character of a leaf (None for a leaf without text, e.g. a line break).
    Chars(Option<char>, Option<char>),
}

fn collect_edges(v: &[Inline], out: &mut Vec<Edge>) {
    for i in v {
        match i {
            Inline::Text(t) if t == SOFT_BREAK => out.push(Edge::Soft),
            Inline::Text(t) | Inline::Code(t) => {
                out.push(Edge::Chars(t.chars().next(), t.chars().last()))
            }
            Inline::Emphasis(c)
            | Inline::Strong(c)
            | Inline::Strikethrough(c)
            | Inline::Link { content: c, .. } => collect_edges(c, out),
            Inline::Image(img) => {
                out.push(Edge::Chars(img.alt.chars().next(), img.alt.chars().last()))
            }
            Inline::FootnoteRef(_) | Inline::PageBreak(_) => {}
            Inline::LineBreak => out.push(Edge::Chars(None, None)),
        }
    }
}

fn apply_soft(v: &mut Vec<Inline>, decisions: &mut impl Iterator<Item = bool>) {
    for i in v.iter_mut() {
        match i {
            Inline::Text(t) if t == SOFT_BREAK => {
                *t = if decisions.next().unwrap_or(false) {
                    " ".into()
                } else {
                    String::new()
                };
            }
            Inline::Emphasis(c)
            | Inline::Strong(c)
            | Inline::Strikethrough(c)
            | Inline::Link { content: c, .. } => apply_soft(c, decisions),
            _ => {}
        }
    }
    v.retain(|i| !matches!(i, Inline::Text(t) if t.is_empty()));
}

fn merge_text(v: Vec<Inline>) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::with_capacity(v.len());
    for i in v {
        match (out.last_mut(), i) {
            (Some(Inline::Text(prev)), Inline::Text(t)) => prev.push_str(&t),
            (_, i) => out.push(i),
        }
    }
    out
}

fn truncate(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    if s.chars().count() > n {
        out.push('…');
    }
    out.replace('\n', " ")
}

/// `%20` and the like in a local image path.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}
