//! Laid-out pages → a PDF, through krilla: each page's glyph runs at the layout's own
//! positions (`Surface::draw_glyphs`), rules and images, every piece marked either as
//! content of a structure node or as an artifact (running head, folio, rules, masthead);
//! then the tag tree from the layout's structure, the outline, the metadata. krilla
//! subsets the fonts (one subset per face, with ToUnicode), writes XMP and the output
//! intent, and validates the standards asked for. Pages are handed over as the layout
//! finishes them, so a large issue's glyphs are never all alive.

use super::layout::{Glyph, Mark, Page};
use super::linebreak::HARD_BREAK;
use super::standard::Standards;
use super::structure::{NodeId, Owner, Role, Structure};
use crate::fonts::GlyphRef;
use crate::model::Meta;
use krilla::action::LinkAction;
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::configure::{PdfVersion, ValidationError};
use krilla::destination::XyzDestination;
use krilla::error::KrillaError;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::metadata::{DateTime, Metadata};
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use krilla::surface::{Location, Surface};
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, ListNumbering, Node, SpanTag, TableHeaderScope,
    Tag, TagGroup, TagKind, TagTree,
};
use krilla::text::{Font, GlyphId};
use krilla::{Document, SerializeSettings};
use std::num::{NonZeroU16, NonZeroU64};
use std::ops::Range;

/// Drawn for a character no font has: visible, with the character as its ActualText.
pub const PLACEHOLDER: char = '□';

/// Longest title (in characters) given to the document, a bookmark or a heading's `/T`:
/// PDF/A limits strings to 32,767 bytes, and a headline of any length is still typeset in
/// full.
const MAX_TITLE: usize = 1000;

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{where_}: the PDF cannot meet {standard}: {reason}")]
    Standard {
        where_: String,
        standard: String,
        reason: String,
    },
    #[error("{where_}: the PDF cannot be written: {reason}")]
    Krilla { where_: String, reason: String },
}

/// How glyphs find their font: a character of a face → its glyph (None: no font has it),
/// and a font slot → krilla's font.
pub struct Resolve<'a> {
    pub glyph: &'a dyn Fn(&Glyph) -> Option<GlyphRef>,
    pub placeholder: &'a dyn Fn(&Glyph) -> Option<GlyphRef>,
    pub font: &'a dyn Fn(usize) -> Option<Font>,
}

/// One glyph of a run, in krilla's terms.
struct RunGlyph {
    gid: u16,
    range: Range<usize>,
    /// In ems.
    advance: f32,
}

impl krilla::text::Glyph for RunGlyph {
    fn glyph_id(&self) -> GlyphId {
        GlyphId::new(u32::from(self.gid))
    }
    fn text_range(&self) -> Range<usize> {
        self.range.clone()
    }
    fn x_advance(&self, size: f32) -> f32 {
        self.advance * size
    }
    fn x_offset(&self, _: f32) -> f32 {
        0.0
    }
    fn y_offset(&self, _: f32) -> f32 {
        0.0
    }
    fn y_advance(&self, _: f32) -> f32 {
        0.0
    }
    fn location(&self) -> Option<Location> {
        None
    }
}

/// A line of a link on the page: where, its text and target.
struct LinkBox {
    node: NodeId,
    rect: Rect,
    text: String,
    url: String,
}

/// Glyphs drawn together: one owner, font, size and baseline.
struct Run {
    owner: Owner,
    font: usize,
    size: f32,
    x: f32,
    y: f32,
    /// Per glyph: id, x, its character's byte range in `text`, natural advance (em).
    glyphs: Vec<(u16, f32, Range<usize>, f32)>,
    text: String,
    /// A placeholder's run: the character it stands for.
    actual: Option<char>,
}

pub struct Writer<'a> {
    doc: Document,
    painter: Painter<'a>,
    size: (f32, f32),
    error: Option<WriteError>,
    pages: usize,
}

/// What draws a page's content onto krilla's surface.
struct Painter<'a> {
    resolve: Resolve<'a>,
    images: &'a [Option<krilla::image::Image>],
    standards: Standards,
    /// Content pieces of each structure node, in the order drawn.
    leaves: Vec<(NodeId, Identifier)>,
}

fn location(node: NodeId) -> Location {
    NonZeroU64::new(u64::from(node) + 1).unwrap_or(NonZeroU64::MIN)
}

fn node_of(loc: Location) -> NodeId {
    NodeId::try_from(loc.get() - 1).unwrap_or(0)
}

impl<'a> Writer<'a> {
    pub fn new(
        standards: Standards,
        size: (f32, f32),
        resolve: Resolve<'a>,
        images: &'a [Option<krilla::image::Image>],
    ) -> Result<Self, WriteError> {
        let configuration = standards.configuration().map_err(|e| WriteError::Krilla {
            where_: "paiban".into(),
            reason: e.to_string(),
        })?;
        let settings = SerializeSettings {
            configuration,
            enable_tagging: true,
            xmp_metadata: true,
            ..SerializeSettings::default()
        };
        Ok(Writer {
            doc: Document::new_with(settings),
            painter: Painter {
                resolve,
                images,
                standards,
                leaves: Vec::new(),
            },
            size,
            error: None,
            pages: 0,
        })
    }

    /// Writes one page (layout coordinates: from the top-left corner, as krilla's);
    /// `structure`: as far as the layout has got (for links' targets).
    pub fn page(&mut self, page: &Page, structure: &Structure) {
        if self.error.is_some() {
            return;
        }
        let Some(settings) = PageSettings::from_wh(self.size.0, self.size.1) else {
            self.error = Some(WriteError::Krilla {
                where_: "style".into(),
                reason: format!("page size {}×{} pt", self.size.0, self.size.1),
            });
            return;
        };
        let mut p = self.doc.start_page_with(settings);
        let mut surface = p.surface();
        self.painter.images(&mut surface, page);
        self.painter.rules(&mut surface, page);
        let links = self.painter.glyphs(&mut surface, page, structure);
        surface.finish();
        // Each line of a link gets an annotation, a child of the link's element after its
        // text.
        for l in links {
            let action = LinkAction::new(l.url);
            let annotation = Annotation::new_link(
                LinkAnnotation::new(l.rect, Target::Action(action.into())),
                Some(l.text),
            );
            let id = p.add_tagged_annotation(annotation);
            self.painter.leaves.push((l.node, id));
        }
        p.finish();
        self.pages += 1;
        if self.pages.is_multiple_of(64) {
            release_free_memory();
        }
    }

    /// The outline, metadata and tag tree, then the file's bytes (or why the standards
    /// cannot be met, naming the source line).
    pub fn finish(
        mut self,
        marks: &[Mark],
        structure: &Structure,
        meta: &Meta,
    ) -> Result<Vec<u8>, WriteError> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.doc.set_outline(outline(marks));
        self.doc.set_metadata(metadata(meta));
        let standards = self.painter.standards;
        let leaves = std::mem::take(&mut self.painter.leaves);
        self.doc
            .set_tag_tree(tag_tree(structure, leaves, standards.version()));
        // The file is assembled next, in one more copy of everything: start from a trimmed heap.
        release_free_memory();
        self.doc
            .finish()
            .map_err(|e| explain(e, structure, &standards))
    }
}

impl Painter<'_> {
    fn artifact(&self, owner: Owner) -> Artifact {
        let modern = self.standards.version() >= PdfVersion::Pdf17;
        Artifact::with_kind(match owner {
            Owner::Header if modern => ArtifactType::Header,
            Owner::Footer if modern => ArtifactType::Footer,
            Owner::Header | Owner::Footer => ArtifactType::PaginationOther,
            _ => ArtifactType::Layout,
        })
    }

    /// Opens the tagged section for `owner`'s content; `actual`: the text it stands for.
    fn open(&mut self, surface: &mut Surface, owner: Owner, actual: Option<&str>) {
        match owner {
            Owner::Node(n) => {
                surface.set_location(location(n));
                let id = surface
                    .start_tagged(ContentTag::Span(SpanTag::empty().with_actual_text(actual)));
                self.leaves.push((n, id));
            }
            other => {
                surface.start_tagged(ContentTag::Artifact(self.artifact(other)));
            }
        }
    }

    fn close(surface: &mut Surface) {
        surface.end_tagged();
        surface.reset_location();
    }

    fn images(&mut self, surface: &mut Surface, page: &Page) {
        for im in &page.images {
            let Some(Some(image)) = self.images.get(im.id) else {
                continue;
            };
            let Some(size) = Size::from_wh(im.w, im.h) else {
                continue;
            };
            self.open(surface, im.owner, None);
            surface.push_transform(&Transform::from_translate(im.x, im.y));
            surface.draw_image(image.clone(), size);
            surface.pop();
            Self::close(surface);
        }
    }

    fn rules(&mut self, surface: &mut Surface, page: &Page) {
        if page.rules.is_empty() {
            return;
        }
        self.open(surface, Owner::Layout, None);
        surface.set_fill(None);
        for r in &page.rules {
            let mut pb = PathBuilder::new();
            pb.move_to(r.x0, r.y);
            pb.line_to(r.x1, r.y);
            let Some(path) = pb.finish() else { continue };
            surface.set_stroke(Some(Stroke {
                width: r.width,
                ..Stroke::default()
            }));
            surface.draw_path(&path);
        }
        surface.set_stroke(None);
        surface.set_fill(Some(krilla::paint::Fill::default()));
        Self::close(surface);
    }

    /// The page's text. A node's consecutive runs (its lines on this page, in one column)
    /// share one marked-content sequence: one entry in the structure's parent tree per
    /// piece of a paragraph rather than per line.
    fn glyphs(
        &mut self,
        surface: &mut Surface,
        page: &Page,
        structure: &Structure,
    ) -> Vec<LinkBox> {
        let mut run: Option<Run> = None;
        let mut open: Option<Owner> = None;
        let mut links = Vec::new();
        for g in &page.glyphs {
            if g.ch == HARD_BREAK {
                continue;
            }
            // Invisible format characters (zero-width, bidi controls, U+FEFF) are not
            // drawn even when a font has them: PDF/A forbids some as text, and they show
            // nothing.
            if is_format(g.ch) || g.ch.is_control() || matches!(g.ch, '\u{FFFE}' | '\u{FFFF}') {
                continue;
            }
            let (r, actual) = match (self.resolve.glyph)(g).filter(|r| r.gid != 0) {
                Some(r) => (r, None),
                // Blank characters need no box.
                None if g.ch.is_whitespace() => continue,
                None => match (self.resolve.placeholder)(g) {
                    Some(r) => (r, Some(g.ch)),
                    None => continue,
                },
            };
            let fits = run.as_ref().is_some_and(|cur| {
                cur.owner == g.owner
                    && cur.font == r.font
                    && cur.size.to_bits() == g.size.to_bits()
                    && cur.y.to_bits() == g.y.to_bits()
                    && cur.actual.is_none()
                    && actual.is_none()
            });
            if !fits {
                if let Some(done) = run.take() {
                    links.extend(link_box(&done, structure));
                    self.draw(surface, done, &mut open);
                }
                run = Some(Run {
                    owner: g.owner,
                    font: r.font,
                    size: g.size,
                    x: g.x,
                    y: g.y,
                    glyphs: Vec::new(),
                    text: String::new(),
                    actual,
                });
            }
            if let Some(cur) = run.as_mut() {
                let start = cur.text.len();
                cur.text
                    .push(if actual.is_some() { PLACEHOLDER } else { g.ch });
                cur.glyphs
                    .push((r.gid, g.x, start..cur.text.len(), r.advance));
            }
        }
        if let Some(done) = run.take() {
            links.extend(link_box(&done, structure));
            self.draw(surface, done, &mut open);
        }
        if open.is_some() {
            Self::close(surface);
        }
        links
    }

    /// Draws a run inside its owner's tagged section (`open`: the one open now); a
    /// placeholder gets a section of its own, which carries its ActualText.
    fn draw(&mut self, surface: &mut Surface, run: Run, open: &mut Option<Owner>) {
        let Some(font) = (self.resolve.font)(run.font) else {
            return;
        };
        let size = run.size.max(f32::MIN_POSITIVE);
        let glyphs: Vec<RunGlyph> = run
            .glyphs
            .iter()
            .enumerate()
            .map(|(k, (gid, x, range, natural))| RunGlyph {
                gid: *gid,
                range: range.clone(),
                // The layout's positions, snapped to the font's own advance where they
                // differ only by rounding (no needless kerning numbers in the stream).
                advance: run.glyphs.get(k + 1).map_or(*natural, |next| {
                    let a = (next.1 - x) / size;
                    if (a - natural).abs() < 1e-4 {
                        *natural
                    } else {
                        a
                    }
                }),
            })
            .collect();
        let mut buf = [0u8; 4];
        let actual = run.actual.map(|c| &*c.encode_utf8(&mut buf));
        if actual.is_some() || *open != Some(run.owner) {
            if open.take().is_some() {
                Self::close(surface);
            }
            self.open(surface, run.owner, actual);
            *open = Some(run.owner);
        }
        surface.draw_glyphs(
            Point::from_xy(run.x, run.y),
            &glyphs,
            font,
            &run.text,
            run.size,
            false,
        );
        if actual.is_some() {
            Self::close(surface);
            *open = None;
        }
    }
}

/// The box of a run that is (part of) a link: its glyphs' advance boxes, ascent to
/// descent.
fn link_box(run: &Run, structure: &Structure) -> Option<LinkBox> {
    let Owner::Node(node) = run.owner else {
        return None;
    };
    let Role::Link { url } = &structure.nodes.get(node as usize)?.role else {
        return None;
    };
    let (_, last_x, _, advance) = run.glyphs.last()?;
    let right = last_x + advance * run.size;
    let rect = Rect::from_ltrb(
        run.x,
        run.y - run.size * 0.88,
        right.max(run.x + 0.1),
        run.y + run.size * 0.12,
    )?;
    Some(LinkBox {
        node,
        rect,
        text: run.text.clone(),
        url: url.clone(),
    })
}

/// Hands memory freed by finished pages back to the system. krilla makes and drops a
/// compressor and buffers for every page; glibc keeps the holes they leave, and a large
/// issue's RSS grew with its page count.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn release_free_memory() {
    extern "C" {
        fn malloc_trim(pad: usize) -> std::ffi::c_int;
    }
    // SAFETY: malloc_trim only returns unused heap pages to the kernel; it has no
    // preconditions and is safe to call at any time.
    unsafe {
        malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn release_free_memory() {}

/// Zero-width and bidi controls and other format characters (Unicode Cf), drawn as
/// nothing.
fn is_format(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x180E | 0x200B..=0x200F
        | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB
        | 0xE0001 | 0xE0020..=0xE007F)
}

fn short(title: &str) -> String {
    title.chars().take(MAX_TITLE).collect()
}

fn outline(marks: &[Mark]) -> Outline {
    let mut o = Outline::new();
    let node = |m: &Mark| {
        OutlineNode::new(
            short(&m.title),
            XyzDestination::new(m.page, Point::from_xy(0.0, m.y.max(0.0))),
        )
    };
    let mut current: Option<OutlineNode> = None;
    for m in marks {
        if m.level == 0 || current.is_none() {
            if let Some(done) = current.take() {
                o.push_child(done);
            }
            current = Some(node(m));
        } else if let Some(article) = current.as_mut() {
            article.push_child(node(m));
        }
    }
    if let Some(done) = current {
        o.push_child(done);
    }
    o
}

/// Title, language, creator, author (publisher or paper), subject (paper), and the
/// issue's date as creation date; empty fields are left out.
fn metadata(meta: &Meta) -> Metadata {
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

fn tag_of(role: &Role, node: NodeId, version: PdfVersion) -> Option<TagKind> {
    let loc = Some(location(node));
    Some(match role {
        Role::Document => return None,
        Role::Article => Tag::Article.into(),
        Role::HeadlineGroup => Tag::Div.into(),
        Role::Heading { level, title } => Tag::Hn(
            NonZeroU16::new(u16::from(*level).max(1)).unwrap_or(NonZeroU16::MIN),
            Some(short(title)),
        )
        .into(),
        Role::Paragraph => Tag::P.into(),
        Role::List { ordered } => Tag::L(if *ordered {
            ListNumbering::Decimal
        } else {
            ListNumbering::Disc
        })
        .into(),
        Role::ListItem => Tag::LI.into(),
        Role::Label => Tag::Lbl.into(),
        Role::ListBody => Tag::LBody.into(),
        Role::Quote => Tag::BlockQuote.into(),
        Role::Code => Tag::Code.into(),
        Role::Table => Tag::Table.into(),
        Role::Row => Tag::TR.into(),
        // The scope attribute needs PDF 1.5; PDF/A-1 is 1.4.
        Role::HeaderCell if version >= PdfVersion::Pdf15 => {
            Tag::TH(TableHeaderScope::Column).into()
        }
        Role::HeaderCell | Role::Cell => Tag::TD.into(),
        Role::Figure { alt } => {
            let alt = (!alt.trim().is_empty()).then(|| alt.clone());
            Tag::Figure(alt).with_location(loc).into()
        }
        Role::Caption => Tag::Caption.into(),
        Role::Note => Tag::Note.into(),
        Role::Link { .. } => Tag::Link.into(),
    })
}

/// The tag tree: the structure's nodes, children in the model's order (node ids), a
/// node's own content in drawing order and, where a node has both (a paragraph and its
/// links, a figure's image and its caption), the two merged by where each first appears
/// in the drawing. Built from the last node back, since a child's id is always greater
/// than its parent's: no recursion.
fn tag_tree(
    structure: &Structure,
    leaves: Vec<(NodeId, Identifier)>,
    version: PdfVersion,
) -> TagTree {
    let n = structure.nodes.len();
    // (draw order, node) per structure node.
    let mut own: Vec<Vec<(usize, Node)>> = (0..n).map(|_| Vec::new()).collect();
    for (seq, (node, leaf)) in leaves.into_iter().enumerate() {
        if let Some(list) = own.get_mut(node as usize) {
            list.push((seq, Node::Leaf(leaf)));
        }
    }
    // Child groups with their first content's draw order, gathered in reverse id order.
    let mut kids: Vec<Vec<(usize, Node)>> = (0..n).map(|_| Vec::new()).collect();
    for id in (0..n).rev() {
        let mut groups = std::mem::take(&mut kids[id]);
        groups.reverse();
        let mut children = std::mem::take(&mut own[id]);
        if children.is_empty() {
            children = groups;
        } else if !groups.is_empty() {
            children.extend(groups);
            children.sort_by_key(|(seq, _)| *seq);
        }
        let Some(first) = children.iter().map(|(seq, _)| *seq).min() else {
            continue;
        };
        let children: Vec<Node> = children.into_iter().map(|(_, c)| c).collect();
        if id == 0 {
            // The root: its children are the tree's.
            let mut tree = TagTree::new();
            for c in children {
                tree.push(c);
            }
            return tree;
        }
        let node = &structure.nodes[id];
        let nid = NodeId::try_from(id).unwrap_or(0);
        if let Some(tag) = tag_of(&node.role, nid, version) {
            if (node.parent as usize) < id {
                let group = TagGroup::with_children(tag, children);
                kids[node.parent as usize].push((first, Node::Group(group)));
            }
        }
    }
    TagTree::new()
}

/// krilla's refusal as one line: where (file and line of the element, else the issue's
/// file) and why, in the terms of the standard asked for.
fn explain(e: KrillaError, structure: &Structure, standards: &Standards) -> WriteError {
    let place = |loc: Option<Location>| -> String {
        loc.and_then(|l| structure.location(node_of(l)))
            .or_else(|| structure.any_location())
            .map(|l| match loc {
                Some(_) => l.to_string(),
                None => l.path.display().to_string(),
            })
            .unwrap_or_else(|| "the issue".into())
    };
    match e {
        KrillaError::Validation(errors) => {
            let count = errors.len();
            let Some((first, _)) = errors.into_iter().next() else {
                return WriteError::Krilla {
                    where_: place(None),
                    reason: "validation failed".into(),
                };
            };
            let (reason, loc) = reason(&first);
            let more = if count > 1 {
                format!(" (and {} more)", count - 1)
            } else {
                String::new()
            };
            WriteError::Standard {
                where_: place(loc),
                standard: standards.name(),
                reason: format!("{reason}{more}"),
            }
        }
        KrillaError::Font(_, msg) => WriteError::Krilla {
            where_: place(None),
            reason: format!("a font cannot be embedded: {msg}"),
        },
        other => WriteError::Krilla {
            where_: place(None),
            reason: format!("{other:?}"),
        },
    }
}

fn reason(e: &ValidationError) -> (String, Option<Location>) {
    use ValidationError as V;
    match e {
        V::MissingAltText(l) => ("a figure has no alt text".into(), *l),
        V::Transparency(l) => (
            "an image has transparency (an alpha channel), which this standard forbids".into(),
            *l,
        ),
        V::ContainsNotDefGlyph(_, l, text) => {
            (format!("no glyph for `{text}` (.notdef drawn)"), *l)
        }
        V::UnicodePrivateArea(_, _, c, l) => (
            format!(
                "`{c}` (U+{:04X}) is a private-use character, which this standard forbids",
                *c as u32
            ),
            *l,
        ),
        V::InvalidCodepointMapping(_, _, c, l) => {
            (format!("U+{:04X} cannot be given as text", *c as u32), *l)
        }
        V::NoCodepointMapping(_, _, l) => ("a glyph has no Unicode text".into(), *l),
        V::NoDocumentTitle => ("the issue has no title".into(), None),
        V::NoDocumentLanguage => ("the issue has no language".into(), None),
        V::MissingDocumentOutline => ("the issue has no headings to bookmark".into(), None),
        V::TooLongString => ("a text is longer than 32,767 bytes".into(), None),
        V::RequiresNewerPdfVersion(f, l) => (
            format!("{f:?} needs a newer PDF version than this standard allows"),
            *l,
        ),
        other => (format!("{other:?}"), None),
    }
}
