//! Laid-out pages → a PDF, through krilla: each page's glyph runs at the layout's own
//! positions (`Surface::draw_glyphs`), rules and images, every piece marked either as
//! content of a structure node or as an artifact (running head, folio, rules, masthead);
//! then the tag tree from the layout's structure, the outline, the metadata. krilla
//! subsets the fonts (one subset per face, with ToUnicode), writes XMP and the output
//! intent, and validates the standards asked for. Pages are handed over as the layout
//! finishes them, so a large issue's glyphs are never all alive.

use super::docinfo::{metadata, outline};
use super::refusal::explain;
use super::standard::Standards;
use super::tags::{location, tag_tree};
use crate::fonts::{is_format, GlyphRef};
use crate::layout::linebreak::HARD_BREAK;
use crate::layout::structure::{NodeId, Owner, Role, Structure};
use crate::layout::{Glyph, Mark, Page, Turn};
use krilla::action::LinkAction;
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::configure::PdfVersion;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use krilla::surface::{Location, Surface};
use krilla::tagging::{Artifact, ArtifactType, ContentTag, Identifier, SpanTag};
use krilla::text::{Font, GlyphId};
use krilla::{Document, SerializeSettings};
use std::ops::Range;

pub use crate::fonts::PLACEHOLDER;

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
    /// A font slot's glyph → its vertical form (the font's `vert`), for upright glyphs
    /// of vertical lines.
    pub vertical: &'a dyn Fn(usize, u16, char) -> u16,
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
    face: crate::layout::lines::Face,
    font: usize,
    size: f32,
    x: f32,
    y: f32,
    /// Per glyph: id, x, its character's byte range in `text`, natural advance (em).
    glyphs: Vec<(u16, f32, Range<usize>, f32)>,
    text: String,
    /// A placeholder's run: the character it stands for.
    actual: Option<char>,
    /// How its glyphs stand (vertical setting: one glyph a run).
    turn: Turn,
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
        self.painter.upright_rules(&mut surface, page);
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
            crate::output::release_free_memory();
        }
    }

    /// The outline, metadata and tag tree, then the file's bytes (or why the standards
    /// cannot be met, naming the source line).
    pub fn finish(
        mut self,
        marks: &[Mark],
        structure: &Structure,
        issue: &crate::model::Document,
    ) -> Result<Vec<u8>, WriteError> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.doc.set_outline(outline(marks, issue));
        self.doc.set_metadata(metadata(&issue.meta));
        let standards = self.painter.standards;
        let leaves = std::mem::take(&mut self.painter.leaves);
        self.doc
            .set_tag_tree(tag_tree(structure, leaves, standards.version()));
        // The file is assembled next, in one more copy of everything: start from a trimmed heap.
        crate::output::release_free_memory();
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
        let across = page
            .rules
            .iter()
            .map(|r| ((r.x0, r.y), (r.x1, r.y), r.width));
        self.stroke_lines(surface, across);
    }

    fn upright_rules(&mut self, surface: &mut Surface, page: &Page) {
        let upright = page
            .upright_rules
            .iter()
            .map(|r| ((r.x, r.y0), (r.x, r.y1), r.width));
        self.stroke_lines(surface, upright);
    }

    /// Straight rules (from, to, width) as artifacts of the layout.
    fn stroke_lines(
        &mut self,
        surface: &mut Surface,
        lines: impl Iterator<Item = ((f32, f32), (f32, f32), f32)>,
    ) {
        let mut lines = lines.peekable();
        if lines.peek().is_none() {
            return;
        }
        self.open(surface, Owner::Layout, None);
        surface.set_fill(None);
        for ((x0, y0), (x1, y1), width) in lines {
            let mut pb = PathBuilder::new();
            pb.move_to(x0, y0);
            pb.line_to(x1, y1);
            let Some(path) = pb.finish() else { continue };
            surface.set_stroke(Some(Stroke {
                width,
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
            let (mut r, actual) = match (self.resolve.glyph)(g).filter(|r| r.gid != 0) {
                Some(r) => (r, None),
                // Blank characters need no box.
                None if g.ch.is_whitespace() => continue,
                None => match (self.resolve.placeholder)(g) {
                    Some(r) => (r, Some(g.ch)),
                    None => continue,
                },
            };
            if g.turn == Turn::Upright && actual.is_none() {
                // The vertical form is drawn; the text stays the character (`、` not `︑`).
                r.gid = (self.resolve.vertical)(r.font, r.gid, g.ch);
            }
            let fits = run.as_ref().is_some_and(|cur| {
                cur.turn == Turn::Horizontal
                    && g.turn == Turn::Horizontal
                    && cur.owner == g.owner
                    && cur.font == r.font
                    && cur.size.to_bits() == g.size.to_bits()
                    && cur.y.to_bits() == g.y.to_bits()
                    && cur.actual.is_none()
                    && actual.is_none()
                    && !g.line_start
            });
            if !fits {
                if let Some(mut done) = run.take() {
                    self.word_space(&mut done, g);
                    add_link(&mut links, &done, structure);
                    self.draw(surface, done, &mut open);
                }
                run = Some(Run {
                    owner: g.owner,
                    face: g.face,
                    font: r.font,
                    size: g.size,
                    x: g.x,
                    y: g.y,
                    glyphs: Vec::new(),
                    text: String::new(),
                    actual,
                    turn: g.turn,
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
            add_link(&mut links, &done, structure);
            self.draw(surface, done, &mut open);
        }
        if open.is_some() {
            Self::close(surface);
        }
        links
    }

    /// The layout drops the space where a line breaks between two Latin words; a reader
    /// of the text (copy, search, a screen reader) needs it, so the line of such a run
    /// ends in an invisible space glyph when `next` goes on with the same text on a new
    /// line (below, or at the top of the next column).
    fn word_space(&self, run: &mut Run, next: &Glyph) {
        let last = run.text.chars().next_back();
        let new_line = next.owner == run.owner && next.line_start;
        if run.actual.is_some()
            || !new_line
            || !crate::cjk::soft_break_is_space(last, Some(next.ch))
            || !last.is_some_and(char::is_alphanumeric)
        {
            return;
        }
        let space = Glyph {
            ch: ' ',
            face: run.face,
            ..next.clone()
        };
        let Some(r) = (self.resolve.glyph)(&space).filter(|r| r.font == run.font) else {
            return;
        };
        let Some(&(_, x, _, advance)) = run.glyphs.last() else {
            return;
        };
        let start = run.text.len();
        run.text.push(' ');
        run.glyphs.push((
            r.gid,
            x + advance * run.size,
            start..run.text.len(),
            r.advance,
        ));
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
        // A turned or squeezed glyph is drawn at the origin of its own frame.
        let frame = match run.turn {
            Turn::Horizontal | Turn::Upright => None,
            Turn::Sideways => Some(Transform::from_row(0.0, 1.0, -1.0, 0.0, run.x, run.y)),
            Turn::Combined(squeeze) => {
                Some(Transform::from_row(squeeze, 0.0, 0.0, 1.0, run.x, run.y))
            }
        };
        let at = match frame {
            Some(t) => {
                surface.push_transform(&t);
                Point::from_xy(0.0, 0.0)
            }
            None => Point::from_xy(run.x, run.y),
        };
        surface.draw_glyphs(at, &glyphs, font, &run.text, run.size, false);
        if frame.is_some() {
            surface.pop();
        }
        if actual.is_some() {
            Self::close(surface);
            *open = None;
        }
    }
}

/// Adds the box of `run` when it is (part of) a link. In a vertical line every glyph is a
/// run of its own: a glyph below the last box of the same link, in the same column, grows
/// that box instead of making one more annotation.
fn add_link(links: &mut Vec<LinkBox>, run: &Run, structure: &Structure) {
    let Some(new) = link_box(run, structure) else {
        return;
    };
    if run.turn != Turn::Horizontal {
        if let Some(last) = links.last_mut() {
            let (a, b) = (last.rect, new.rect);
            let same_column = (a.left() - b.left()).abs() < run.size * 0.6;
            let below = b.top() >= a.top() && b.top() - a.bottom() < run.size * 0.5;
            if last.node == new.node && same_column && below {
                if let Some(r) = Rect::from_ltrb(
                    a.left().min(b.left()),
                    a.top(),
                    a.right().max(b.right()),
                    b.bottom().max(a.bottom()),
                ) {
                    last.rect = r;
                    last.text.push_str(&new.text);
                    return;
                }
            }
        }
    }
    links.push(new);
}

/// The box of a run that is (part of) a link: its glyphs' advance boxes, ascent to
/// descent (a turned glyph's box turned with it).
fn link_box(run: &Run, structure: &Structure) -> Option<LinkBox> {
    let Owner::Node(node) = run.owner else {
        return None;
    };
    let Role::Link { url } = &structure.nodes.get(node as usize)?.role else {
        return None;
    };
    let (_, last_x, _, advance) = run.glyphs.last()?;
    if run.turn == Turn::Sideways {
        // Turned a quarter clockwise about its origin: the advance runs down the page.
        let rect = Rect::from_ltrb(
            run.x - run.size * 0.12,
            run.y,
            run.x + run.size * 0.88,
            run.y + (advance * run.size).max(0.1),
        )?;
        return Some(LinkBox {
            node,
            rect,
            text: run.text.clone(),
            url: url.clone(),
        });
    }
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
