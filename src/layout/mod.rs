//! The document model → pages of positioned glyphs and rules. Pure: it knows the style
//! and a `Metrics`, nothing of fonts or PDF. Coordinates are points from the page's
//! top-left corner; `y` of a glyph is its baseline.
//!
//! Every article becomes a flow of vertical items (lines, spaces, rules, bookmarks) that
//! is poured into columns. Items carry `keep` (no column break after this one), which
//! is how headings stay with their text and how paragraphs avoid orphan and widow lines.
//!
//! On the way it records the document's logical structure (`structure.rs`) and marks every
//! glyph and image with the node it belongs to, or as page furniture; what it decides
//! about positions does not depend on that.

pub mod chain;
pub mod feather;
pub mod linebreak;
pub mod lines;
pub mod outline;
pub mod structure;
pub mod vertical;

use crate::model::{plain_text, Article, Block, Document, HeadlineGroup, Inline, ParaKind};
use crate::style::{Style, MM};
use linebreak::HARD_BREAK;
use lines::{break_headline, break_lines, Align, Face, Line, Metrics, ParaStyle, Span};
use std::cell::RefCell;

pub use structure::{NodeId, Owner, Role, Structure, ROOT};
pub use vertical::{Frame, Turn};

#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    pub ch: char,
    pub face: Face,
    pub size: f32,
    pub x: f32,
    pub y: f32,
    /// Compressed to half width (see `LineGlyph::half`).
    pub half: bool,
    pub owner: Owner,
    /// The first glyph of a line of text (where the writer may owe the text a space that
    /// the line break took).
    pub line_start: bool,
    /// How it stands: upright or turned in a vertical line (`vertical.rs`).
    pub turn: Turn,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub x0: f32,
    pub x1: f32,
    pub y: f32,
    pub width: f32,
}

/// An image drawn on a page: which one (its index among the document's images) and its
/// box, `y` its top edge.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedImage {
    pub id: usize,
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
    pub owner: Owner,
}

/// A rule drawn top to bottom (vertical setting): at `x`, from `y0` down to `y1`.
#[derive(Debug, Clone, PartialEq)]
pub struct UprightRule {
    pub x: f32,
    pub y0: f32,
    pub y1: f32,
    pub width: f32,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    pub glyphs: Vec<Glyph>,
    pub rules: Vec<Rule>,
    pub images: Vec<PlacedImage>,
    /// Only in vertical setting.
    pub upright_rules: Vec<UprightRule>,
}

/// What the layout knows of a figure's image: its index among the document's images
/// and its natural size in points. None: it cannot be placed (its caption stands alone).
pub type ImageLookup<'a> = &'a dyn Fn(&crate::model::Image) -> Option<(usize, f32, f32)>;

/// A bookmark: level 0 an article, 1 a section in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    pub title: String,
    pub level: u8,
    pub page: usize,
    pub y: f32,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Layout {
    pub pages: Vec<Page>,
    pub marks: Vec<Mark>,
    pub structure: Structure,
}

/// What the layout leaves besides the pages: the bookmarks and the logical structure.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Finished {
    pub marks: Vec<Mark>,
    pub structure: Structure,
}

/// One item of a vertical flow. `x` of glyphs and rules is relative to the column.
#[derive(Debug, Clone)]
struct VItem {
    height: f32,
    kind: VKind,
    /// No column or page break right after this item.
    keep: bool,
}

#[derive(Debug, Clone)]
enum VKind {
    /// Glyphs with x relative to the column and y relative to the item's top.
    Text(Vec<Glyph>),
    Rule(Rule),
    /// Vertical space, dropped at the top of a column.
    Space,
    Mark(String, u8),
    /// An image, its box relative to the column and the item's top.
    Image(PlacedImage),
}

const EM_ASCENT: f32 = 0.88;

/// Places `lines` of text of `size` in boxes of `lead` height, the glyphs centred
/// vertically in each box.
fn text_items(lines: Vec<Line>, size: f32, lead: f32, x0: f32) -> Vec<VItem> {
    let baseline = (lead - size) / 2.0 + size * EM_ASCENT;
    lines
        .into_iter()
        .map(|l| VItem {
            height: lead,
            keep: false,
            kind: VKind::Text(
                l.glyphs
                    .into_iter()
                    .enumerate()
                    .map(|(k, g)| Glyph {
                        line_start: k == 0,
                        ch: g.ch,
                        face: g.face,
                        size,
                        x: x0 + g.x,
                        y: baseline,
                        half: g.half,
                        // A link's glyphs belong to its node; the rest are stamped later.
                        owner: if g.tag == 0 {
                            Owner::default()
                        } else {
                            Owner::Node(g.tag)
                        },
                        turn: Turn::Horizontal,
                    })
                    .collect(),
            ),
        })
        .collect()
}

/// Paragraph lines with the widow/orphan rule: neither the first nor the last line of a
/// paragraph may stand alone in a column.
fn paragraph_items(lines: Vec<Line>, size: f32, lead: f32, x0: f32) -> Vec<VItem> {
    let n = lines.len();
    let mut items = text_items(lines, size, lead, x0);
    if n >= 2 {
        items[0].keep = true;
        items[n - 2].keep = true;
    }
    items
}

/// Marks the glyphs and images of `items` not yet given to a node (a link's are) as
/// belonging to `owner`.
fn stamp(items: &mut [VItem], owner: Owner) {
    for it in items {
        match &mut it.kind {
            VKind::Text(gs) => gs
                .iter_mut()
                .filter(|g| g.owner == Owner::Layout)
                .for_each(|g| g.owner = owner),
            VKind::Image(im) => im.owner = owner,
            _ => {}
        }
    }
}

fn plain(text: &str, face: Face) -> Vec<Span> {
    vec![Span {
        text: text.to_string(),
        face,
        tag: 0,
    }]
}

/// Lays out a document.
pub struct Layouter<'a> {
    style: &'a Style,
    m: &'a dyn Metrics,
    page_h: f32,
    text_w: f32,
    text_h: f32,
    col_w: f32,
    gap: f32,
    lead: f32,
    images: Option<ImageLookup<'a>>,
    /// Vertical setting: `style` is the turned page, this turns it back.
    frame: Option<&'a Frame>,
    /// The structure found so far (nodes are added as the model is walked).
    structure: RefCell<Structure>,
}

/// Where the flow is: the page being filled, its column and the y in that column
/// (from the top of the text area), and where columns start on this page.
struct Cursor {
    col: usize,
    y: f32,
    col_top: f32,
    /// The lowest point any column reached on this page.
    bottom: f32,
}

/// What the running heads need to know about a page.
#[derive(Debug, Clone, Default)]
struct PageInfo {
    opens_article: bool,
    /// The print page (版) this PDF page belongs to (`第02版 时政`), when 版 open pages.
    ban: Option<String>,
    /// Title of the article running at the top of the page.
    article: Option<String>,
}

impl<'a> Layouter<'a> {
    pub fn new(style: &'a Style, m: &'a dyn Metrics) -> Self {
        let (_, page_h) = style.page_size();
        let (text_w, text_h) = style.text_area();
        Layouter {
            style,
            m,
            page_h,
            text_w,
            text_h,
            col_w: style.column_width(),
            gap: style.column_gap(),
            lead: style.line_height(),
            images: None,
            frame: None,
            structure: RefCell::new(Structure::default()),
        }
    }

    /// The structure found so far (the writer reads a link's target from it while pages
    /// are handed over).
    pub fn structure(&self) -> std::cell::Ref<'_, Structure> {
        self.structure.borrow()
    }

    /// The spans of `inlines` in paragraph `para`; each link becomes a node of its own
    /// (tagged on its glyphs through the span's tag).
    fn spans_of(
        &self,
        inlines: &[Inline],
        face: Face,
        tag: u32,
        para: NodeId,
        out: &mut Vec<Span>,
    ) {
        for i in inlines {
            match i {
                Inline::Text(t) | Inline::Code(t) => out.push(Span {
                    text: t.clone(),
                    face,
                    tag,
                }),
                Inline::Strong(c) => self.spans_of(c, Face::Bold, tag, para, out),
                Inline::Emphasis(c) | Inline::Strikethrough(c) => {
                    self.spans_of(c, face, tag, para, out)
                }
                // In-document anchors have no place in the re-typeset PDF: text only.
                Inline::Link { content, url, .. } if tag == 0 && !url.starts_with('#') => {
                    let link = self.node(para, Role::Link { url: url.clone() }, None);
                    self.spans_of(content, face, link, para, out)
                }
                Inline::Link { content, .. } => self.spans_of(content, face, tag, para, out),
                Inline::Image(img) => out.push(Span {
                    text: img.alt.clone(),
                    face,
                    tag,
                }),
                // The PDF is typeset anew: print pages show in its bookmarks, not its text.
                Inline::FootnoteRef(_) | Inline::PageBreak(_) => {}
                Inline::LineBreak => out.push(Span {
                    text: HARD_BREAK.to_string(),
                    face,
                    tag,
                }),
            }
        }
    }

    /// A new structure node under `parent`.
    fn node(
        &self,
        parent: NodeId,
        role: Role,
        location: Option<&crate::model::Location>,
    ) -> NodeId {
        self.structure.borrow_mut().add(parent, role, location)
    }

    /// Figures whose image `lookup` knows are drawn; the others print their caption only.
    pub fn with_images(mut self, lookup: ImageLookup<'a>) -> Self {
        self.images = Some(lookup);
        self
    }

    /// Vertical setting: `style` (given to `new`) must be `frame.turned`.
    pub fn with_frame(mut self, frame: Option<&'a Frame>) -> Self {
        self.frame = frame;
        self
    }

    fn body(&self, indent_em: f32, align: Align) -> ParaStyle {
        ParaStyle {
            size: self.style.body_size,
            indent: indent_em * self.style.body_size,
            align,
            compress: self.style.compress_punctuation,
        }
    }

    /// Rounds a height up to whole body lines, so baselines line up across columns.
    fn grid(&self, h: f32) -> f32 {
        (h / self.lead - 0.01).ceil().max(1.0) * self.lead
    }

    /// A block of centred lines (headlines) of `size`, at width `w`, padded to the grid.
    #[allow(clippy::too_many_arguments)]
    fn centred(
        &self,
        text: &str,
        face: Face,
        size: f32,
        w: f32,
        lead_mul: f32,
        owner: Owner,
    ) -> Vec<VItem> {
        let ps = ParaStyle {
            size,
            indent: 0.0,
            // A vertical headline hangs from the top of the page.
            align: if self.frame.is_some() {
                Align::Start
            } else {
                Align::Center
            },
            compress: self.style.compress_punctuation,
        };
        let lines = break_headline(&plain(text, face), w, &ps, self.m);
        let mut items = text_items(lines, size, size * lead_mul, 0.0);
        for it in &mut items {
            it.keep = true;
        }
        stamp(&mut items, owner);
        items
    }

    /// The headline group (and byline) of article `art` at width `w`.
    fn headline(&self, a: &Article, w: f32, art: NodeId) -> Vec<VItem> {
        let s = self.style;
        let h = &a.headline;
        let loc = h.location.as_ref();
        let group = self.node(art, Role::HeadlineGroup, loc);
        let para = |parent| Owner::Node(self.node(parent, Role::Paragraph, loc));
        let mut items = vec![VItem {
            height: 0.0,
            kind: VKind::Mark(h.title.clone(), 0),
            keep: true,
        }];
        if let Some(k) = &h.kicker {
            let o = para(group);
            items.extend(self.centred(k, Face::Regular, s.kicker_size, w, 1.5, o));
        }
        let title = Owner::Node(self.node(
            group,
            Role::Heading {
                level: 1,
                title: h.title.clone(),
            },
            loc,
        ));
        items.extend(self.centred(&h.title, Face::Bold, s.title_size, w, 1.3, title));
        for sub in &h.subtitles {
            let o = para(group);
            items.extend(self.centred(sub, Face::Regular, s.subtitle_size, w, 1.5, o));
        }
        if let Some(b) = &a.byline {
            items.push(space(s.body_size * 0.4));
            let o = para(art);
            items.extend(self.centred(b, Face::Regular, s.body_size * 1.05, w, 1.6, o));
        }
        // Pad the group to whole lines, then a hairline under it.
        let total: f32 = items.iter().map(|i| i.height).sum();
        let pad = self.grid(total + self.lead * 0.5) - total;
        items.push(VItem {
            height: pad,
            kind: VKind::Rule(Rule {
                x0: 0.0,
                x1: w,
                y: pad - self.lead * 0.35,
                width: 0.5,
            }),
            keep: true,
        });
        items
    }

    /// A section's heading group under `parent`: `###` is a level-2 heading, deeper ones
    /// level 3; its kicker and subtitles are paragraphs.
    fn section(&self, h: &HeadlineGroup, w: f32, parent: NodeId) -> Vec<VItem> {
        let s = self.style;
        let loc = h.location.as_ref();
        let mut items = vec![VItem {
            height: 0.0,
            kind: VKind::Mark(h.title.clone(), 1),
            keep: true,
        }];
        // Kicker and subtitles at body size around the bold title: every line of the
        // group is printed (the EPUB keeps them too).
        let heading = Role::Heading {
            level: if h.level <= 3 { 2 } else { 3 },
            title: h.title.clone(),
        };
        let parts = h
            .kicker
            .iter()
            .map(|k| (k.as_str(), Face::Regular, s.body_size, Role::Paragraph))
            .chain(std::iter::once((
                h.title.as_str(),
                Face::Bold,
                s.section_size,
                heading,
            )))
            .chain(
                h.subtitles
                    .iter()
                    .map(|t| (t.as_str(), Face::Regular, s.body_size, Role::Paragraph)),
            );
        let mut text = Vec::new();
        let mut text_h = 0.0;
        for (t, face, size, role) in parts {
            let owner = Owner::Node(self.node(parent, role, loc));
            let lines = break_headline(
                &plain(t, face),
                w,
                &ParaStyle {
                    size,
                    indent: 0.0,
                    align: Align::Center,
                    compress: s.compress_punctuation,
                },
                self.m,
            );
            text_h += lines.len().max(1) as f32 * size * 1.4;
            let mut items = text_items(lines, size, size * 1.4, 0.0);
            stamp(&mut items, owner);
            text.extend(items);
        }
        let block = self.grid(text_h + self.lead * 0.6);
        // Centre the group's lines in its grid block, with rules above and below.
        let top = (block - text_h) / 2.0;
        for it in &mut text {
            it.keep = true;
        }
        items.push(VItem {
            height: top,
            kind: VKind::Rule(Rule {
                x0: w * 0.3,
                x1: w * 0.7,
                y: top * 0.5,
                width: 0.4,
            }),
            keep: true,
        });
        items.extend(text);
        items.push(VItem {
            height: block - top - text_h,
            kind: VKind::Space,
            keep: true,
        });
        items
    }

    fn paragraph(
        &self,
        kind: ParaKind,
        content: &[Inline],
        w: f32,
        x0: f32,
        indent: bool,
        owner: Owner,
    ) -> Vec<VItem> {
        let s = self.style;
        let (face, mut ps) = match kind {
            ParaKind::Body | ParaKind::DashLead => {
                (Face::Regular, self.body(s.indent_em, Align::Justify))
            }
            ParaKind::Salutation => (Face::Regular, self.body(0.0, Align::Justify)),
            ParaKind::NumberedHead => (Face::Bold, self.body(s.indent_em, Align::Justify)),
            ParaKind::Dateline => (Face::Regular, self.body(0.0, Align::Center)),
        };
        if !indent {
            ps.indent = 0.0;
        }
        let mut spans = Vec::new();
        let para = match owner {
            Owner::Node(n) => n,
            _ => ROOT,
        };
        self.spans_of(content, face, 0, para, &mut spans);
        let lines = break_lines(&spans, w, &ps, self.m);
        let mut items = paragraph_items(lines, s.body_size, self.lead, x0);
        stamp(&mut items, owner);
        if kind == ParaKind::NumberedHead {
            if let Some(last) = items.last_mut() {
                last.keep = true;
            }
        }
        items
    }

    /// The indent of one more level of quote or list: 2 em while 8 em of measure remain,
    /// then none, so that deep nesting never squeezes the text off the column.
    fn nest_step(&self, w: f32) -> f32 {
        let em = self.style.body_size;
        if w - 2.0 * em >= 8.0 * em {
            2.0 * em
        } else {
            0.0
        }
    }

    /// Lays out blocks at width `w`, `x0` from the column's edge, as children of
    /// structure node `parent`. `label`: the first paragraph is a list item's, whose label
    /// takes the place of its indent.
    #[allow(clippy::too_many_arguments)]
    fn blocks(
        &self,
        blocks: &[Block],
        w: f32,
        x0: f32,
        label: bool,
        out: &mut Vec<VItem>,
        parent: NodeId,
    ) {
        let s = self.style;
        for (bi, b) in blocks.iter().enumerate() {
            match b {
                Block::Paragraph {
                    kind,
                    content,
                    location,
                } => {
                    let indent = !(label && bi == 0);
                    let p = self.node(parent, Role::Paragraph, location.as_ref());
                    out.extend(self.paragraph(*kind, content, w, x0, indent, Owner::Node(p)));
                }
                Block::Section(h) => out.extend(self.section(h, w, parent)),
                Block::List { start, items } => {
                    let list = self.node(
                        parent,
                        Role::List {
                            ordered: start.is_some(),
                        },
                        None,
                    );
                    for (k, item) in items.iter().enumerate() {
                        let li = self.node(list, Role::ListItem, None);
                        let lbl = self.node(li, Role::Label, None);
                        let body = self.node(li, Role::ListBody, None);
                        let label = match start {
                            Some(n) => format!("{}.", n + k as u64),
                            None => "·".to_string(),
                        };
                        let mut inner = Vec::new();
                        let step = self.nest_step(w);
                        self.blocks(item, w - step, x0 + step, true, &mut inner, body);
                        // The label sits in the indent of the item's first line.
                        if let Some(VItem {
                            kind: VKind::Text(g),
                            ..
                        }) = inner.iter_mut().find(|i| matches!(i.kind, VKind::Text(_)))
                        {
                            let y = g.first().map_or(0.0, |f| f.y);
                            let mut x = x0;
                            let mut lab = Vec::new();
                            for ch in label.chars() {
                                lab.push(Glyph {
                                    ch,
                                    face: Face::Regular,
                                    size: s.body_size,
                                    x,
                                    y,
                                    half: false,
                                    owner: Owner::Node(lbl),
                                    line_start: false,
                                    turn: Turn::Horizontal,
                                });
                                x += self.m.advance(Face::Regular, ch) * s.body_size;
                            }
                            lab.append(g);
                            *g = lab;
                        }
                        out.extend(inner);
                    }
                }
                Block::Quote(inner) => {
                    let step = self.nest_step(w);
                    let q = self.node(parent, Role::Quote, None);
                    self.blocks(inner, w - step, x0 + step, false, out, q)
                }
                Block::Code { text, .. } => {
                    let ps = self.body(0.0, Align::Start);
                    let p = self.node(parent, Role::Paragraph, None);
                    let code = Owner::Node(self.node(p, Role::Code, None));
                    for l in text.lines() {
                        let lines = break_lines(&plain(l, Face::Regular), w, &ps, self.m);
                        let mut items = text_items(lines, s.body_size, self.lead, x0);
                        stamp(&mut items, code);
                        out.extend(items);
                    }
                }
                Block::Rule => out.push(VItem {
                    height: self.lead,
                    kind: VKind::Rule(Rule {
                        x0: x0 + w * 0.35,
                        x1: x0 + w * 0.65,
                        y: self.lead / 2.0,
                        width: 0.5,
                    }),
                    keep: false,
                }),
                Block::Table { head, rows, .. } => {
                    let ps = self.body(0.0, Align::Start);
                    let table = self.node(parent, Role::Table, None);
                    for (r, row) in std::iter::once(head).chain(rows).enumerate() {
                        let tr = self.node(table, Role::Row, None);
                        let role = if r == 0 { Role::HeaderCell } else { Role::Cell };
                        // The row is set as one line of text, its cells apart by an ideographic
                        // space; each glyph is given to the cell its character comes from.
                        let mut text = String::new();
                        let mut owners = Vec::new();
                        for c in row {
                            // The space between cells belongs to the cell before it.
                            if let Some(&(_, before)) = owners.last() {
                                text.push('\u{3000}');
                                owners.push(('\u{3000}', before));
                            }
                            let cell = Owner::Node(self.node(tr, role.clone(), None));
                            for ch in plain_text(c).chars() {
                                text.push(ch);
                                owners.push((ch, cell));
                            }
                        }
                        let lines = break_lines(&plain(&text, Face::Regular), w, &ps, self.m);
                        let mut items = text_items(lines, s.body_size, self.lead, x0);
                        let mut at = 0;
                        for it in &mut items {
                            let VKind::Text(gs) = &mut it.kind else {
                                continue;
                            };
                            for g in gs {
                                while owners.get(at).is_some_and(|(c, _)| *c != g.ch) {
                                    at += 1;
                                }
                                if let Some((_, o)) = owners.get(at) {
                                    g.owner = *o;
                                    at += 1;
                                } else if let Some((_, o)) = owners.last() {
                                    g.owner = *o;
                                }
                            }
                        }
                        out.extend(items);
                    }
                }
                Block::Figure { image, location } => {
                    let ps = self.body(0.0, Align::Center);
                    let lines = break_lines(&plain(&image.alt, Face::Regular), w, &ps, self.m);
                    let mut caption = text_items(lines, s.body_size, self.lead, x0);
                    let turned = self.frame.is_some();
                    // On the turned page an image is laid out turned too (its width runs
                    // along the tier), to stand upright when the page is turned back.
                    let natural = |(id, w, h)| if turned { (id, h, w) } else { (id, w, h) };
                    if let Some(fig) = self.images.and_then(|f| f(image)).map(natural) {
                        let node = self.node(
                            parent,
                            Role::Figure {
                                alt: image.alt.clone(),
                            },
                            location.as_ref(),
                        );
                        let cap = self.node(node, Role::Caption, location.as_ref());
                        stamp(&mut caption, Owner::Node(cap));
                        let mut item = self.figure(fig, w, x0, !caption.is_empty());
                        stamp(std::slice::from_mut(&mut item), Owner::Node(node));
                        out.push(item);
                        // The caption's lines stay together, under the image.
                        let n = caption.len();
                        for it in caption.iter_mut().take(n.saturating_sub(1)) {
                            it.keep = true;
                        }
                    } else {
                        let p = self.node(parent, Role::Paragraph, location.as_ref());
                        stamp(&mut caption, Owner::Node(p));
                    }
                    out.extend(caption);
                }
            }
        }
    }

    /// An image as one unbreakable item: scaled down to the column width (never up
    /// beyond its natural size), at most 60% of the text height so that it always fits
    /// a fresh column, centred, padded to whole lines; kept with its caption (`keep`).
    fn figure(&self, (id, nw, nh): (usize, f32, f32), w: f32, x0: f32, keep: bool) -> VItem {
        let mut scale = (w / nw).min(1.0);
        let max_h = self.text_h * 0.6;
        if nh * scale > max_h {
            scale = max_h / nh;
        }
        let (iw, ih) = (nw * scale, nh * scale);
        let pad = self.lead * 0.25;
        VItem {
            height: self.grid(ih + 2.0 * pad),
            kind: VKind::Image(PlacedImage {
                id,
                x: x0 + (w - iw) / 2.0,
                y: pad,
                w: iw,
                h: ih,
                owner: Owner::default(),
            }),
            keep,
        }
    }

    fn article_body(&self, a: &Article, w: f32, art: NodeId) -> Vec<VItem> {
        let mut items = Vec::new();
        self.blocks(&a.blocks, w, 0.0, false, &mut items, art);
        if !a.footnotes.is_empty() {
            items.push(VItem {
                height: self.lead,
                kind: VKind::Rule(Rule {
                    x0: 0.0,
                    x1: w * 0.3,
                    y: self.lead / 2.0,
                    width: 0.4,
                }),
                keep: true,
            });
            for f in &a.footnotes {
                let note = self.node(art, Role::Note, None);
                let mut blocks = f.blocks.clone();
                if let Some(Block::Paragraph { content, .. }) = blocks.first_mut() {
                    content.insert(0, Inline::Text(format!("[{}] ", f.label)));
                }
                self.blocks(&blocks, w, 0.0, false, &mut items, note);
            }
        }
        items
    }

    /// Lays out the whole document, keeping every page.
    pub fn layout(&self, doc: &Document) -> Layout {
        let mut pages = Vec::new();
        let f = self.layout_pages(doc, &mut |p| pages.push(std::mem::take(p)));
        Layout {
            pages,
            marks: f.marks,
            structure: f.structure,
        }
    }

    /// Lays out the whole document, handing each page to `sink` as soon as it is
    /// finished (in order), so that a large issue's glyphs are never all alive at once.
    /// The page is cleared afterwards and its buffers reused for the next one (fewer
    /// large allocations freed and made again, which the allocator keeps as RSS).
    /// Returns the bookmarks and the structure.
    pub fn layout_pages(&self, doc: &Document, sink: &mut dyn FnMut(&mut Page)) -> Finished {
        let name = doc
            .meta
            .newspaper
            .clone()
            .unwrap_or_else(|| doc.meta.title.clone());
        let date = doc.meta.date.map(|d| d.chinese()).unwrap_or_default();
        let mut b = Builder {
            l: self,
            page: None,
            spare: Page::default(),
            page_count: 0,
            info: PageInfo::default(),
            ban: None,
            heads: (name, date),
            fixed_top: 0.0,
            gaps: Vec::new(),
            sink,
            marks: Vec::new(),
            cur: Cursor {
                col: 0,
                y: 0.0,
                col_top: 0.0,
                bottom: 0.0,
            },
        };
        let ncols = self.style.columns as usize;
        for a in &doc.articles {
            let art = self.node(ROOT, Role::Article, a.headline.location.as_ref());
            let head = self.headline(a, self.text_w, art);
            let head_h: f32 = head.iter().map(|i| i.height).sum();
            // A new 版 opens a new page when the issue has them and the style says so.
            let ban = a
                .page
                .filter(|_| self.style.ban_new_page && !doc.pages.is_empty())
                .map(|p| {
                    doc.pages
                        .get(p)
                        .map_or_else(|| format!("第{:02}版", p + 1), |pg| pg.heading(p))
                });
            let new_ban = ban.is_some() && ban != b.ban;
            if ban.is_some() {
                b.ban.clone_from(&ban);
            }
            if b.page.is_none() {
                b.new_page();
                let h = b.masthead(doc);
                b.cur.col_top = h;
                b.fixed_top = h;
            } else if self.style.article_new_page || new_ban {
                b.new_page();
            } else if b.cur.bottom + self.lead + head_h + 2.0 * self.lead > self.text_h {
                // The headline group with two body lines under it does not fit at the
                // foot: the page is spread to its foot instead (`feather.rs`).
                b.feather();
                b.new_page();
            } else {
                // Runs on below the previous article, across all columns, after a rule.
                let y = b.cur.bottom + self.lead / 2.0;
                let rule = VItem {
                    height: 0.0,
                    kind: VKind::Rule(Rule {
                        x0: 0.0,
                        x1: self.text_w,
                        y: 0.0,
                        width: 0.8,
                    }),
                    keep: false,
                };
                b.place_block(&[rule], y, 0.0);
                b.gaps.push((b.cur.bottom, y));
                b.cur.col_top = b.cur.bottom + self.lead;
            }
            // The headline spans all columns; the body runs in columns below it.
            b.cur.col_top = b.place_spanning(&head, b.cur.col_top);
            // An article without a body ends below its headline: the next one must not
            // run on over it.
            b.cur.bottom = b.cur.bottom.max(b.cur.col_top);
            b.cur.y = b.cur.col_top;
            b.cur.col = 0;
            b.info.opens_article = true;
            b.info
                .article
                .get_or_insert_with(|| a.headline.title.clone());
            let body = self.article_body(a, self.col_w, art);
            b.flow(&body, ncols > 1, &a.headline.title);
        }
        if b.page.is_none() {
            b.new_page();
        }
        b.finish_page();
        Finished {
            marks: b.marks,
            structure: self.structure.take(),
        }
    }
}

/// The tallest figure among `items`, with the caption kept to it.
fn figure_height(items: &[VItem]) -> f32 {
    let mut tallest = 0.0f32;
    for (k, it) in items.iter().enumerate() {
        if !matches!(it.kind, VKind::Image(_)) {
            continue;
        }
        let mut h = 0.0;
        for next in &items[k..] {
            h += next.height;
            if !next.keep {
                break;
            }
        }
        tallest = tallest.max(h);
    }
    tallest
}

fn space(h: f32) -> VItem {
    VItem {
        height: h,
        kind: VKind::Space,
        keep: false,
    }
}

struct Builder<'l, 'a, 's> {
    l: &'l Layouter<'a>,
    /// The page being filled; earlier ones went to `sink`.
    page: Option<Page>,
    /// The last page handed on, emptied, for the next one.
    spare: Page,
    /// Pages started so far (the current one included).
    page_count: usize,
    info: PageInfo,
    /// The 版 being set, when 版 open pages.
    ban: Option<String>,
    /// The newspaper's name and the date, for the running heads.
    heads: (String, String),
    /// What feathering leaves in place on this page (the masthead on page 1).
    fixed_top: f32,
    /// The gaps between articles on this page (`feather.rs`).
    gaps: Vec<(f32, f32)>,
    sink: &'s mut dyn FnMut(&mut Page),
    marks: Vec<Mark>,
    cur: Cursor,
}

impl Builder<'_, '_, '_> {
    fn new_page(&mut self) {
        self.finish_page();
        self.page = Some(std::mem::take(&mut self.spare));
        self.page_count += 1;
        self.info.ban.clone_from(&self.ban);
        self.fixed_top = 0.0;
        self.gaps.clear();
        self.cur = Cursor {
            col: 0,
            y: 0.0,
            col_top: 0.0,
            bottom: 0.0,
        };
    }

    /// Spreads the space left at the page's foot over the page (horizontal setting only:
    /// a vertical page's columns are its lines).
    fn feather(&mut self) {
        if self.l.frame.is_some() {
            return;
        }
        let (lead, size) = (self.l.lead, self.l.style.body_size);
        let f = feather::Feather {
            top: self.fixed_top,
            bottom: self.cur.bottom,
            descent: lead - ((lead - size) / 2.0 + size * EM_ASCENT),
            text_h: self.l.text_h,
            lead,
            gaps: std::mem::take(&mut self.gaps),
        };
        let page_no = self.page_no();
        let origin = self.l.style.margin_top_mm * MM;
        if let Some(page) = self.page.as_mut() {
            f.apply(page, &mut self.marks, page_no, origin);
        }
    }

    fn page_no(&self) -> usize {
        self.page_count.saturating_sub(1)
    }

    /// Adds the running head to the current page and hands the page on.
    fn finish_page(&mut self) {
        let info = std::mem::take(&mut self.info);
        if let Some(mut page) = self.page.take() {
            match self.l.frame {
                None => self.running_head(self.l, self.page_no(), &info, &mut page),
                Some(frame) => {
                    frame.turn(self.page_no(), &mut page, self.l.m);
                    // Heads and folios on the real page, mirrored for a right-to-left book.
                    let flat = self.l.m.horizontal().unwrap_or(self.l.m);
                    let real = Layouter::new(&frame.real, flat);
                    self.running_head(&real, self.page_no(), &info, &mut page);
                }
            }
            (self.sink)(&mut page);
            page.glyphs.clear();
            page.rules.clear();
            page.images.clear();
            page.upright_rules.clear();
            self.spare = page;
        }
    }

    /// Left edge of the text area on the current page (mirrored margins).
    fn text_left(&self) -> f32 {
        let s = self.l.style;
        // Page index 0 is page 1, a right-hand page: inner margin on the left.
        if self.page_no().is_multiple_of(2) {
            s.margin_inner_mm * MM
        } else {
            s.margin_outer_mm * MM
        }
    }

    fn col_x(&self, col: usize) -> f32 {
        self.text_left() + col as f32 * (self.l.col_w + self.l.gap)
    }

    /// Draws items at (x, y) of the text area; returns the height used.
    fn place_block(&mut self, items: &[VItem], y: f32, x: f32) -> f32 {
        let top = self.l.style.margin_top_mm * MM;
        let left = self.text_left() + x;
        let mut dy = 0.0;
        for it in items {
            self.draw(it, left, top + y + dy);
            dy += it.height;
        }
        dy
    }

    /// Draws full-width items from `y` down, going on to a new page when one does not fit
    /// (only a headline taller than the page needs that; its lines would fall off the page).
    /// Returns the y below the last item.
    fn place_spanning(&mut self, items: &[VItem], mut y: f32) -> f32 {
        for it in items {
            if y > 0.0 && y + it.height > self.l.text_h {
                self.new_page();
                y = 0.0;
            }
            y += self.place_block(std::slice::from_ref(it), y, 0.0);
        }
        y
    }

    /// Draws one item with its top-left corner at page point (x, y).
    fn draw(&mut self, it: &VItem, x: f32, y: f32) {
        let page_no = self.page_no();
        let Some(page) = self.page.as_mut() else {
            return;
        };
        match &it.kind {
            VKind::Text(gs) => page.glyphs.extend(gs.iter().map(|g| Glyph {
                x: x + g.x,
                y: y + g.y,
                ..g.clone()
            })),
            VKind::Rule(r) => page.rules.push(Rule {
                x0: x + r.x0,
                x1: x + r.x1,
                y: y + r.y,
                width: r.width,
            }),
            VKind::Image(im) => page.images.push(PlacedImage {
                x: x + im.x,
                y: y + im.y,
                ..im.clone()
            }),
            VKind::Space => {}
            VKind::Mark(title, level) => self.marks.push(Mark {
                title: title.clone(),
                level: *level,
                page: page_no,
                // A vertical page's bookmark opens it at the top.
                y: self.l.frame.map_or(y, Frame::top),
            }),
        }
    }

    /// How many items from `start` fit in a column of height `avail` (honouring keeps).
    fn fit(items: &[VItem], start: usize, avail: f32) -> usize {
        let n = items.len();
        let mut y = 0.0;
        let mut i = start;
        while i < n {
            if y + items[i].height > avail + 0.01 {
                break;
            }
            y += items[i].height;
            i += 1;
        }
        if i >= n {
            return n;
        }
        let mut j = i;
        while j > start && items[j - 1].keep {
            j -= 1;
        }
        if j == start {
            // A keep chain taller than the column: break where it overflows.
            return i.max(start + 1);
        }
        j
    }

    fn skip_space(items: &[VItem], mut i: usize) -> usize {
        while i < items.len() && matches!(items[i].kind, VKind::Space) {
            i += 1;
        }
        i
    }

    /// Would `items[start..]` fit in the columns of this page from the cursor, with
    /// columns `h` high? Returns the column runs.
    fn plan(
        &self,
        items: &[VItem],
        start: usize,
        h: f32,
        from_cursor: bool,
    ) -> (Vec<(usize, usize, usize, f32)>, usize) {
        let ncols = self.l.style.columns as usize;
        let mut runs = Vec::new();
        let mut i = start;
        let first_col = if from_cursor { self.cur.col } else { 0 };
        for col in first_col..ncols {
            let y0 = if from_cursor && col == self.cur.col {
                self.cur.y
            } else {
                self.cur.col_top
            };
            let bottom = self.cur.col_top + h;
            if col != first_col || y0 <= self.cur.col_top + 0.01 {
                i = Self::skip_space(items, i);
            }
            if i >= items.len() {
                break;
            }
            let avail = bottom - y0;
            let end = if avail <= 0.0 {
                i
            } else {
                Self::fit(items, i, avail)
            };
            // At the very top of a column something must go in, or nothing ever fits.
            let end = if end == i && y0 <= self.cur.col_top + 0.01 {
                i + 1
            } else {
                end
            };
            runs.push((col, i, end, y0));
            i = end;
        }
        (runs, i)
    }

    fn place_runs(&mut self, items: &[VItem], runs: &[(usize, usize, usize, f32)]) {
        let top = self.l.style.margin_top_mm * MM;
        for &(col, from, to, y0) in runs {
            let x = self.col_x(col);
            let mut y = y0;
            for it in &items[from..to] {
                self.draw(it, x, top + y);
                y += it.height;
            }
            self.cur.col = col;
            self.cur.y = y;
            self.cur.bottom = self.cur.bottom.max(y);
        }
    }

    /// Pours items into columns and pages; with `balance`, the last page's columns are
    /// made as even as the keeps allow.
    fn flow(&mut self, items: &[VItem], balance: bool, title: &str) {
        let full = self.l.text_h;
        let mut i = 0;
        loop {
            let h = full - self.cur.col_top;
            let (runs, end) = self.plan(items, i, h, true);
            if end >= items.len() {
                let mut runs = runs;
                if balance && self.cur.col == 0 {
                    // Smallest column height (in whole lines) that still takes everything.
                    let lead = self.l.lead;
                    // No shorter than a figure with its caption: a trial height below that
                    // would only "fit" by forcing the figure in alone, parting it from its
                    // caption.
                    let mut lo = lead.max(figure_height(&items[i..]));
                    while lo < h {
                        let (r, e) = self.plan(items, i, lo, true);
                        if e >= items.len() {
                            runs = r;
                            break;
                        }
                        lo += lead;
                    }
                }
                self.place_runs(items, &runs);
                return;
            }
            self.place_runs(items, &runs);
            i = end;
            self.new_page();
            self.info.article = Some(title.to_string());
        }
    }

    /// Page 1's top: the newspaper's name (when known) over a date bar between rules.
    /// Returns the height used from the text area's top.
    fn masthead(&mut self, doc: &Document) -> f32 {
        let l = self.l;
        let s = l.style;
        let w = l.text_w;
        let mut items = Vec::new();
        if let Some(name) = &doc.meta.newspaper {
            items.extend(l.centred(name, Face::Bold, s.title_size * 1.6, w, 1.25, Owner::Layout));
        }
        let mut bar = Vec::new();
        if let Some(d) = doc.meta.date {
            const WEEK: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];
            let wd = WEEK.get(usize::from(d.weekday())).copied().unwrap_or("");
            bar.push(format!("{}　星期{wd}", d.chinese()));
        }
        if let Some(n) = &doc.meta.issue_number {
            bar.push(n.clone());
        }
        if let Some(p) = &doc.meta.publisher {
            bar.push(p.clone());
        }
        let bar_text = bar.join("　　");
        let size = s.body_size;
        let bar_h = l.lead * 1.6;
        items.push(VItem {
            height: 0.0,
            kind: VKind::Rule(Rule {
                x0: 0.0,
                x1: w,
                y: 2.0,
                width: 2.2,
            }),
            keep: true,
        });
        let ps = ParaStyle {
            size,
            indent: 0.0,
            align: if l.frame.is_some() {
                Align::Start
            } else {
                Align::Center
            },
            compress: true,
        };
        let lines = break_lines(&plain(&bar_text, Face::Regular), w, &ps, l.m);
        let mut t = text_items(lines, size, bar_h, 0.0);
        t.truncate(1);
        if t.is_empty() {
            t.push(space(bar_h));
        }
        items.extend(t);
        items.push(VItem {
            height: l.lead * 0.6,
            kind: VKind::Rule(Rule {
                x0: 0.0,
                x1: w,
                y: 0.0,
                width: 0.6,
            }),
            keep: true,
        });
        self.place_block(&items, 0.0, 0.0)
    }

    /// The running head of page `p` (name and date on left-hand pages, the article's
    /// title on right-hand pages) and its folio; none on page 1, nor on pages opening an
    /// article unless the style wants them there.
    fn running_head(&self, l: &Layouter, p: usize, info: &PageInfo, page: &mut Page) {
        let s = l.style;
        // A page of a 版 always names it; otherwise none on page 1 (the masthead) nor on
        // pages opening an article unless the style wants them there.
        if p == 0 || (info.ban.is_none() && info.opens_article && !s.head_on_opening_pages) {
            return;
        }
        let size = s.head_size;
        let top = s.margin_top_mm * MM;
        let head_base = top - size * 1.2;
        let rule_y = top - size * 0.6;
        let foot_base = l.page_h - s.margin_bottom_mm * MM + size * 2.2;
        let (name, date) = &self.heads;
        let ps = ParaStyle {
            size,
            indent: 0.0,
            align: Align::Start,
            compress: true,
        };
        let right_hand = if self.l.frame.is_some() {
            Frame::right_hand(p)
        } else {
            p.is_multiple_of(2)
        };
        let left = if right_hand {
            s.margin_inner_mm
        } else {
            s.margin_outer_mm
        } * MM;
        let paper = format!("{name}　{date}");
        let one_line = |text: &str| {
            break_lines(&plain(text, Face::Regular), l.text_w, &ps, l.m)
                .into_iter()
                .next()
        };
        // Flush right on right-hand pages, flush left on left-hand pages.
        let outer = |width: f32| if right_hand { l.text_w - width } else { 0.0 };
        let mut placed = Vec::new();
        if let Some(ban) = &info.ban {
            // `第02版 时政` at the outer edge, the paper and the date at the inner one.
            if let Some(line) = one_line(ban) {
                placed.push((outer(line.width), line));
            }
            if let Some(line) = one_line(&paper) {
                let inner = if right_hand {
                    0.0
                } else {
                    l.text_w - line.width
                };
                placed.push((inner, line));
            }
        } else {
            let text = if right_hand {
                info.article.clone().unwrap_or_else(|| name.clone())
            } else {
                paper
            };
            if let Some(line) = one_line(&text) {
                placed.push((outer(line.width), line));
            }
        }
        if placed.is_empty() {
            return;
        }
        let folio = (p + 1).to_string();
        let fw: f32 = folio
            .chars()
            .map(|c| l.m.advance(Face::Regular, c) * size)
            .sum();
        for (dx, line) in &placed {
            page.glyphs.extend(line.glyphs.iter().map(|g| Glyph {
                ch: g.ch,
                face: g.face,
                size,
                x: left + dx + g.x,
                y: head_base,
                half: g.half,
                owner: Owner::Header,
                line_start: false,
                turn: Turn::Horizontal,
            }));
        }
        page.rules.push(Rule {
            x0: left,
            x1: left + l.text_w,
            y: rule_y,
            width: 0.5,
        });
        // The folio at the outer corner of the foot.
        let fx = if right_hand {
            left + l.text_w - fw
        } else {
            left
        };
        let mut x = fx;
        for ch in folio.chars() {
            page.glyphs.push(Glyph {
                ch,
                face: Face::Regular,
                size,
                x,
                y: foot_base,
                half: false,
                owner: Owner::Footer,
                line_start: false,
                turn: Turn::Horizontal,
            });
            x += l.m.advance(Face::Regular, ch) * size;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::lines::tests::Mono;
    use crate::model::{IssueDate, Meta};

    fn meta() -> Meta {
        Meta {
            newspaper: Some("武进日报".into()),
            date: IssueDate::new(2023, 12, 29),
            issue_number: None,
            title: "测试".into(),
            language: "zh-CN".into(),
            publisher: None,
            inferred: Vec::new(),
        }
    }

    fn para(text: &str) -> Block {
        Block::Paragraph {
            kind: crate::cjk::paragraph_kind(text),
            content: vec![Inline::Text(text.into())],
            location: None,
        }
    }

    fn article(title: &str, blocks: Vec<Block>) -> Article {
        Article {
            page: None,
            opens_page: false,
            headline: HeadlineGroup {
                kicker: Some("引题".into()),
                title: title.into(),
                subtitles: vec!["副题".into()],
                level: 1,
                location: None,
            },
            byline: None,
            blocks,
            footnotes: Vec::new(),
        }
    }

    /// A small page: one column of 10 characters, a handful of lines.
    fn small(columns: u32) -> Style {
        Style {
            page_width_mm: 60.0,
            page_height_mm: 90.0,
            margin_top_mm: 10.0,
            margin_bottom_mm: 10.0,
            margin_inner_mm: 8.0,
            margin_outer_mm: 8.0,
            columns,
            column_gap_em: 1.0,
            body_size: 10.0,
            leading: 1.5,
            title_size: 12.0,
            kicker_size: 10.0,
            subtitle_size: 10.0,
            section_size: 10.0,
            head_size: 8.0,
            ..Style::default()
        }
    }

    fn item(keep: bool) -> VItem {
        VItem {
            height: 10.0,
            kind: VKind::Space,
            keep,
        }
    }

    fn lines(n: usize) -> Vec<Line> {
        (0..n)
            .map(|_| Line {
                glyphs: Vec::new(),
                width: 0.0,
            })
            .collect()
    }

    #[test]
    fn no_orphan_at_a_column_foot() {
        // 4 lines of one paragraph, then 3 of the next; the column holds 5.
        let mut items = paragraph_items(lines(4), 10.0, 10.0, 0.0);
        items.extend(paragraph_items(lines(3), 10.0, 10.0, 0.0));
        // The next paragraph's first line would stand alone: it moves on.
        assert_eq!(Builder::fit(&items, 0, 50.0), 4);
    }

    #[test]
    fn no_widow_at_a_column_head() {
        // 6 lines, the column holds 5: breaking after 5 leaves the last line alone,
        // so the column ends after 4 and two lines go on.
        let items = paragraph_items(lines(6), 10.0, 10.0, 0.0);
        assert_eq!(Builder::fit(&items, 0, 50.0), 4);
        // A 3-line paragraph cannot be split at all.
        let mut items = vec![item(false), item(false), item(false)];
        items.extend(paragraph_items(lines(3), 10.0, 10.0, 0.0));
        assert_eq!(Builder::fit(&items, 0, 50.0), 3);
    }

    #[test]
    fn keep_chains_longer_than_a_column_still_break() {
        let items = vec![item(true); 8];
        assert_eq!(Builder::fit(&items, 0, 50.0), 5);
    }

    fn body(n: usize) -> Vec<Block> {
        (0..n)
            .map(|i| {
                para(&format!(
                    "第{i}段正文。全会指出，明年是关键的一年，要努力争取更好结果。"
                ))
            })
            .collect()
    }

    #[test]
    fn vertical_pages_read_down_columns_right_to_left_in_tiers() {
        let mut real = small(2);
        real.page_width_mm = 120.0;
        real.page_height_mm = 120.0;
        let frame = Frame::new(&real);
        let m = vertical::VerticalMetrics(&Mono);
        let mut blocks = body(10);
        blocks.insert(0, para("截至2023年底共有12个，“Latin”在内。"));
        let doc = Document {
            pages: Vec::new(),
            meta: meta(),
            articles: vec![article("第一篇", blocks)],
        };
        let layout = Layouter::new(&frame.turned, &m)
            .with_frame(Some(&frame))
            .layout(&doc);
        assert!(layout.pages.len() >= 2, "{}", layout.pages.len());
        let (w, h) = real.page_size();
        // The masthead's rules stand upright; only a running head's rule lies flat.
        let p1 = &layout.pages[0];
        assert!(p1.rules.is_empty() && !p1.upright_rules.is_empty());
        for p in &layout.pages {
            for g in &p.glyphs {
                assert!(g.x >= 0.0 && g.x <= w && g.y > 0.0 && g.y <= h, "{g:?}");
            }
        }
        let body: Vec<&Glyph> = layout.pages[0]
            .glyphs
            .iter()
            .filter(|g| matches!(g.owner, Owner::Node(_)) && g.size == 10.0)
            .skip_while(|g| g.ch != '截')
            .collect();
        let turn = |c: char| body.iter().find(|g| g.ch == c).map(|g| g.turn);
        assert_eq!(turn('截'), Some(Turn::Upright));
        assert_eq!(turn('，'), Some(Turn::Upright));
        assert_eq!(turn('L'), Some(Turn::Sideways));
        assert_eq!(turn('“'), Some(Turn::Sideways));
        // `2023` and `12` stand across the line, each in one em: Mono's digits are half
        // an em, so four are squeezed to half, two not at all.
        assert_eq!(turn('0'), Some(Turn::Combined(0.5)));
        assert_eq!(turn('1'), Some(Turn::Combined(1.0)));
        // Down a line the glyphs descend; the next line stands to the left, or at the
        // right of the tier below.
        let mut new_columns = 0;
        let mut new_tiers = 0;
        for pair in body.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            if b.line_start {
                if b.x < a.x - 5.0 {
                    new_columns += 1;
                } else {
                    assert!(b.x > a.x && b.y > a.y, "{a:?} {b:?}");
                    new_tiers += 1;
                }
            } else if a.turn == Turn::Upright && b.turn == Turn::Upright {
                assert!((a.x - b.x).abs() < 0.01 && b.y > a.y, "{a:?} {b:?}");
            }
        }
        assert!(new_columns > 10, "{new_columns}");
        assert_eq!(new_tiers, 1);
        // Running heads are set across the page, their numbers side by side (not one em
        // for `2023` as in the vertical lines).
        let mut heads = 0;
        for p in &layout.pages {
            let head: Vec<&Glyph> = p
                .glyphs
                .iter()
                .filter(|g| g.owner == Owner::Header)
                .collect();
            for pair in head.windows(2) {
                assert_eq!(pair[0].turn, Turn::Horizontal);
                if pair[0].y == pair[1].y && pair[1].x > pair[0].x - 1.0 {
                    assert!(pair[1].x >= pair[0].x + 2.0, "{:?} {:?}", pair[0], pair[1]);
                }
                heads += 1;
            }
        }
        assert!(heads > 0);
        // Page 2 of a book read right to left is a right-hand page: its folio at the right.
        let folio = layout.pages[1]
            .glyphs
            .iter()
            .find(|g| g.owner == Owner::Footer)
            .unwrap();
        assert!(folio.x > w / 2.0, "{folio:?}");
    }

    #[test]
    fn pages_heads_folios_and_bookmarks() {
        let mut a1 = article("第一篇", body(12));
        a1.blocks.insert(
            3,
            Block::Section(HeadlineGroup {
                title: "新闻链接".into(),
                ..Default::default()
            }),
        );
        let doc = Document {
            pages: Vec::new(),
            meta: meta(),
            articles: vec![a1, article("第二篇", body(3))],
        };
        let style = small(1);
        let layout = Layouter::new(&style, &Mono).layout(&doc);
        assert!(layout.pages.len() >= 3, "{}", layout.pages.len());
        let marks: Vec<(&str, u8)> = layout
            .marks
            .iter()
            .map(|m| (m.title.as_str(), m.level))
            .collect();
        assert_eq!(marks, [("第一篇", 0), ("新闻链接", 1), ("第二篇", 0)]);
        let text = |p: &Page| -> String { p.glyphs.iter().map(|g| g.ch).collect() };
        // Page 1 opens with the masthead (name, date bar) and has no running head above it.
        assert!(text(&layout.pages[0]).starts_with("武进日报2023年12月29日"));
        let top = style.margin_top_mm * MM;
        assert!(layout.pages[0].glyphs.iter().all(|g| g.y > top));
        assert!(layout.pages[1].glyphs.iter().any(|g| g.y < top));
        // Page 2 (left-hand): paper and date in the head, folio 2 at the foot.
        let p2 = &layout.pages[1];
        assert!(
            text(p2).contains("武进日报　2023年12月29日"),
            "{}",
            text(p2)
        );
        let foot = p2.glyphs.iter().max_by(|a, b| a.y.total_cmp(&b.y)).unwrap();
        assert_eq!(foot.ch, '2');
        // Page 3 (right-hand): the article's title, flush right.
        let p3 = &layout.pages[2];
        assert!(text(p3).contains("第一篇"), "{}", text(p3));
        assert!(!text(p3).contains("武进日报"), "{}", text(p3));
        // Nothing is drawn outside the page.
        let (w, h) = style.page_size();
        for p in &layout.pages {
            for g in &p.glyphs {
                assert!(
                    g.x >= 0.0 && g.x + g.size <= w && g.y > 0.0 && g.y <= h,
                    "{g:?}"
                );
            }
        }
    }

    #[test]
    fn articles_on_new_pages_when_the_style_says_so() {
        let doc = Document {
            pages: Vec::new(),
            meta: meta(),
            articles: vec![
                article("甲", body(1)),
                article("乙", body(1)),
                article("丙", body(1)),
            ],
        };
        let mut style = small(1);
        style.page_height_mm = 200.0;
        style.article_new_page = true;
        let layout = Layouter::new(&style, &Mono).layout(&doc);
        let pages: Vec<usize> = layout.marks.iter().map(|m| m.page).collect();
        assert_eq!(pages, [0, 1, 2]);
        style.article_new_page = false;
        let layout = Layouter::new(&style, &Mono).layout(&doc);
        assert!(layout.pages.len() < 3);
    }

    #[test]
    fn articles_without_a_body_do_not_overprint_each_other() {
        let doc = Document {
            pages: Vec::new(),
            meta: meta(),
            articles: (0..40)
                .map(|i| article(&format!("题{i}"), vec![]))
                .collect(),
        };
        let mut style = small(1);
        style.page_height_mm = 200.0;
        style.article_new_page = false;
        let layout = Layouter::new(&style, &Mono).layout(&doc);
        assert!(layout.pages.len() > 1);
        let mut seen = std::collections::HashSet::new();
        for (p, page) in layout.pages.iter().enumerate() {
            for g in &page.glyphs {
                assert!(seen.insert((p, g.x.to_bits(), g.y.to_bits())), "{g:?}");
            }
        }
    }

    #[test]
    fn figures_are_scaled_to_the_column_and_kept_with_their_caption() {
        let fig = |alt: &str| Block::Figure {
            image: crate::model::Image {
                path: "a.png".into(),
                src: "a.png".into(),
                alt: alt.into(),
                title: String::new(),
            },
            location: None,
        };
        let mut blocks = body(2);
        blocks.push(fig("图注"));
        blocks.extend(body(1));
        blocks.push(fig(""));
        let doc = Document {
            pages: Vec::new(),
            meta: meta(),
            articles: vec![article("图", blocks)],
        };
        let mut style = small(2);
        style.page_height_mm = 200.0;
        // 1000 × 500 pt: far wider than a column, so scaled down to its width.
        let lookup = |_: &crate::model::Image| Some((7, 1000.0, 500.0));
        let layout = Layouter::new(&style, &Mono)
            .with_images(&lookup)
            .layout(&doc);
        let images: Vec<&PlacedImage> = layout.pages.iter().flat_map(|p| &p.images).collect();
        assert_eq!(images.len(), 2);
        let col_w = style.column_width();
        for im in &images {
            assert_eq!(im.id, 7);
            assert!((im.w - col_w).abs() < 0.01 && (im.h - col_w / 2.0).abs() < 0.01);
        }
        // The caption sits right under its image, in the same column.
        let page = layout.pages.iter().find(|p| !p.images.is_empty()).unwrap();
        let im = &page.images[0];
        let cap = page
            .glyphs
            .iter()
            .find(|g| g.ch == '图' && g.y > im.y)
            .unwrap();
        assert!(cap.x >= im.x && cap.x <= im.x + im.w, "{cap:?} {im:?}");
        assert!(cap.y > im.y + im.h && cap.y < im.y + im.h + 2.0 * style.line_height());
        // Never upscaled; never taller than 60% of the text height.
        for (nw, nh) in [(10.0, 5.0), (10.0, 5000.0)] {
            let lookup = move |_: &crate::model::Image| Some((0, nw, nh));
            let l = Layouter::new(&style, &Mono).with_images(&lookup);
            let it = l.figure((0, nw, nh), col_w, 0.0, false);
            let VKind::Image(p) = it.kind else { panic!() };
            assert!(
                p.w <= nw && p.h <= style.text_area().1 * 0.6 + 0.01,
                "{p:?}"
            );
            assert!((p.w / p.h - nw / nh).abs() < 1e-3);
        }
    }

    #[test]
    fn headline_group_is_centred_kicker_small_title_large_and_bold() {
        let doc = Document {
            pages: Vec::new(),
            meta: meta(),
            articles: vec![article("标题", body(2))],
        };
        let style = small(2);
        let layout = Layouter::new(&style, &Mono).layout(&doc);
        let p = &layout.pages[0];
        let find = |c: char| p.glyphs.iter().find(|g| g.ch == c).unwrap();
        let (kicker, title, sub) = (find('引'), find('标'), find('副'));
        assert!(
            kicker.y < title.y && title.y < sub.y,
            "kicker above, subtitle below"
        );
        assert!(title.size > kicker.size && title.face == Face::Bold);
        assert_eq!(kicker.face, Face::Regular);
        // Centred on the text block.
        let left = style.margin_inner_mm * MM;
        let centre = left + style.text_area().0 / 2.0;
        let mid = (find('标').x + find('题').x + title.size) / 2.0;
        assert!((mid - centre).abs() < 0.5, "{mid} vs {centre}");
        // The body runs in two columns below the headline.
        let body_x: Vec<f32> = p
            .glyphs
            .iter()
            .filter(|g| g.y > sub.y)
            .map(|g| g.x)
            .collect();
        assert!(body_x.iter().any(|&x| x > centre), "second column used");
    }
}
