//! OFD backend (GB/T 33190-2016) in its archival profile OFD-A (GB/T 42133-2022): the
//! layout's pages (`crate::layout`) written a second time, glyph for glyph as the PDF
//! places them. It lays nothing out: positions, outline and structure are the layout's.
//!
//! The package: `OFD.xml` (DocInfo) → `Doc_0/Document.xml` (page area, MaxUnitID,
//! outlines, custom tags) → `PublicRes.xml` (each face once, as a subset; images) →
//! `Pages/Page_N/Content.xml` (TextObject / TextCode with DeltaX) and
//! `Tags/Structure.xml` (articles, headings, paragraphs in reading order, each naming
//! the objects drawn for it).

mod font_subset;
mod package;
pub mod xml;

use crate::fonts::{is_format, GlyphRef};
use crate::layout::linebreak::HARD_BREAK;
use crate::layout::structure::{NodeId, Owner};
use crate::layout::{Glyph, Page};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use xml::{mm, num, Xml, NS};

/// Why an OFD cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum OfdError {
    #[error("{where_}: the OFD cannot meet OFD-A: {reason}")]
    Archival { where_: String, reason: String },
    #[error("{path}: the OFD writer cannot subset this font: {reason}")]
    Font { path: PathBuf, reason: String },
    #[error("the OFD package cannot be written: {0}")]
    Package(String),
}

/// A font file as the writer embeds it.
pub struct FontSource<'a> {
    pub data: &'a [u8],
    pub index: u32,
    pub path: &'a Path,
}

/// An image file as the writer embeds it (PNG or JPEG, as read).
pub struct ImageSource {
    pub bytes: Vec<u8>,
    /// `PNG` or `JPEG`.
    pub format: &'static str,
}

/// How glyphs find their font, as the PDF writer finds them.
pub struct Resolve<'a> {
    pub glyph: &'a dyn Fn(&Glyph) -> Option<GlyphRef>,
    pub placeholder: &'a dyn Fn(&Glyph) -> Option<GlyphRef>,
    pub font: &'a dyn Fn(usize) -> Option<FontSource<'a>>,
}

/// One TextObject being gathered: one owner, font, size and baseline.
struct Run {
    owner: Owner,
    font: usize,
    size: f32,
    y: f32,
    /// Per character: x, advance (em), and the glyph when it is not the character's own.
    chars: Vec<(char, f32, f32, Option<u16>)>,
}

/// The OFD of one issue, written page by page.
pub struct Writer<'a> {
    resolve: Resolve<'a>,
    images: &'a [Option<ImageSource>],
    size: (f32, f32),
    next_id: u32,
    /// The package so far: each page is deflated into it as soon as it is written, so a
    /// large issue's page XML is never all in memory.
    zip: package::Zip,
    page_ids: Vec<u32>,
    /// Font slot → its unit ID and the glyphs used.
    fonts: BTreeMap<usize, (u32, BTreeSet<u16>)>,
    /// Image index → its unit ID.
    image_ids: BTreeMap<usize, u32>,
    /// Font slot → the placeholder's glyph, kept second in its subset (new glyph 1).
    placeholders: BTreeMap<usize, u16>,
    /// The objects drawn for each structure node: (page index, object ID).
    tagged: BTreeMap<NodeId, Vec<(usize, u32)>>,
}

impl<'a> Writer<'a> {
    /// `size`: the page in points; `placeholders`: the `□` glyph of each font that draws
    /// one (known before the pages, so its number in the subset is too).
    pub fn new(
        size: (f32, f32),
        resolve: Resolve<'a>,
        images: &'a [Option<ImageSource>],
        placeholders: BTreeMap<usize, u16>,
    ) -> Self {
        Writer {
            resolve,
            images,
            size,
            next_id: 0,
            zip: package::Zip::new(),
            page_ids: Vec::new(),
            fonts: BTreeMap::new(),
            image_ids: BTreeMap::new(),
            placeholders,
            tagged: BTreeMap::new(),
        }
    }

    fn id(&mut self) -> u32 {
        self.next_id += 1;
        self.next_id
    }

    fn id_string(&mut self) -> String {
        self.id().to_string()
    }

    fn tag(&mut self, owner: Owner, object: u32) {
        if let Owner::Node(n) = owner {
            let page = self.page_ids.len() - 1;
            self.tagged.entry(n).or_default().push((page, object));
        }
    }

    /// Writes one page's `Content.xml`.
    pub fn page(&mut self, page: &Page) {
        let id = self.id();
        self.page_ids.push(id);
        if self.page_ids.len().is_multiple_of(64) {
            crate::output::release_free_memory();
        }
        let mut x = Xml::new();
        x.open("ofd:Page", &[("xmlns:ofd", NS)]);
        x.open("ofd:Content", &[]);
        let layer = self.id_string();
        x.open("ofd:Layer", &[("ID", &layer), ("Type", "Body")]);
        for img in &page.images {
            if !matches!(self.images.get(img.id), Some(Some(_))) {
                continue;
            }
            let res = match self.image_ids.get(&img.id) {
                Some(&res) => res,
                None => {
                    let res = self.id();
                    self.image_ids.insert(img.id, res);
                    res
                }
            };
            let oid = self.id();
            let (w, h) = (num(mm(img.w)), num(mm(img.h)));
            let boundary = format!("{} {} {w} {h}", num(mm(img.x)), num(mm(img.y)));
            x.empty(
                "ofd:ImageObject",
                &[
                    ("ID", &oid.to_string()),
                    ("Boundary", &boundary),
                    ("CTM", &format!("{w} 0 0 {h} 0 0")),
                    ("ResourceID", &res.to_string()),
                ],
            );
            self.tag(img.owner, oid);
        }
        for r in &page.rules {
            let oid = self.id();
            let half = r.width / 2.0;
            let boundary = format!(
                "{} {} {} {}",
                num(mm(r.x0)),
                num(mm(r.y - half)),
                num(mm(r.x1 - r.x0)),
                num(mm(r.width))
            );
            let path = format!(
                "M 0 {} L {} {}",
                num(mm(half)),
                num(mm(r.x1 - r.x0)),
                num(mm(half))
            );
            x.open(
                "ofd:PathObject",
                &[
                    ("ID", &oid.to_string()),
                    ("Boundary", &boundary),
                    ("LineWidth", &num(mm(r.width))),
                    ("Stroke", "true"),
                    ("Fill", "false"),
                ],
            );
            x.text("ofd:AbbreviatedData", &[], &path);
            x.close("ofd:PathObject");
        }
        self.glyphs(&mut x, page);
        x.close("ofd:Layer");
        x.close("ofd:Content");
        x.close("ofd:Page");
        let n = self.page_ids.len() - 1;
        self.zip
            .add(&format!("Doc_0/Pages/Page_{n}/Content.xml"), &x.finish());
    }

    /// The page's text as TextObjects, grouped as the PDF's runs are.
    fn glyphs(&mut self, x: &mut Xml, page: &Page) {
        let mut run: Option<Run> = None;
        for g in &page.glyphs {
            if g.ch == HARD_BREAK
                || is_format(g.ch)
                || g.ch.is_control()
                || matches!(g.ch, '\u{FFFE}' | '\u{FFFF}')
            {
                continue;
            }
            let (r, stand_in) = match (self.resolve.glyph)(g).filter(|r| r.gid != 0) {
                Some(r) => (r, None),
                None if g.ch.is_whitespace() => continue,
                None => match (self.resolve.placeholder)(g) {
                    Some(r) => (r, Some(r.gid)),
                    None => continue,
                },
            };
            let fits = run.as_ref().is_some_and(|cur| {
                cur.owner == g.owner
                    && cur.font == r.font
                    && cur.size.to_bits() == g.size.to_bits()
                    && cur.y.to_bits() == g.y.to_bits()
                    && !g.line_start
            });
            if !fits {
                if let Some(mut done) = run.take() {
                    self.word_space(&mut done, g);
                    self.text_object(x, done);
                }
                run = Some(Run {
                    owner: g.owner,
                    font: r.font,
                    size: g.size,
                    y: g.y,
                    chars: Vec::new(),
                });
            }
            self.fonts
                .entry(r.font)
                .or_insert((0, BTreeSet::new()))
                .1
                .insert(r.gid);
            if let Some(cur) = run.as_mut() {
                cur.chars.push((g.ch, g.x, r.advance, stand_in));
            }
        }
        if let Some(done) = run.take() {
            self.text_object(x, done);
        }
    }

    /// As the PDF: a line that ends inside Latin text owes the reader the space the line
    /// break took, so copy and search see the words apart.
    fn word_space(&mut self, run: &mut Run, next: &Glyph) {
        let Some(&(last, x, advance, _)) = run.chars.last() else {
            return;
        };
        if next.owner != run.owner
            || !next.line_start
            || !crate::cjk::soft_break_is_space(Some(last), Some(next.ch))
            || !last.is_alphanumeric()
        {
            return;
        }
        let space = Glyph {
            ch: ' ',
            ..next.clone()
        };
        let Some(r) = (self.resolve.glyph)(&space).filter(|r| r.font == run.font) else {
            return;
        };
        if let Some(f) = self.fonts.get_mut(&run.font) {
            f.1.insert(r.gid);
        }
        run.chars
            .push((' ', x + advance * run.size, r.advance, None));
    }

    fn text_object(&mut self, x: &mut Xml, run: Run) {
        let Some(&(_, x0, _, _)) = run.chars.first() else {
            return;
        };
        let font_id = match self.fonts.get(&run.font) {
            Some(&(id, _)) if id != 0 => id,
            _ => {
                let id = self.id();
                if let Some(f) = self.fonts.get_mut(&run.font) {
                    f.0 = id;
                }
                id
            }
        };
        let oid = self.id();
        let right = run
            .chars
            .last()
            .map_or(x0, |&(_, x, a, _)| x + a * run.size);
        let top = run.y - run.size;
        let boundary = format!(
            "{} {} {} {}",
            num(mm(x0)),
            num(mm(top)),
            num(mm((right - x0).max(run.size * 0.1))),
            num(mm(run.size * 1.3))
        );
        x.open(
            "ofd:TextObject",
            &[
                ("ID", &oid.to_string()),
                ("Boundary", &boundary),
                ("Font", &font_id.to_string()),
                ("Size", &num(mm(run.size))),
            ],
        );
        // Characters drawn with another glyph (□ for one no font has): the character
        // stays in the text, the glyph is named here.
        // Its glyph is the second of the font's subset (see `package::subset`).
        let stand_in = u8::from(self.placeholders.contains_key(&run.font)).to_string();
        for (k, c) in run.chars.iter().enumerate() {
            if c.3.is_some() {
                x.open(
                    "ofd:CGTransform",
                    &[
                        ("CodePosition", &k.to_string()),
                        ("CodeCount", "1"),
                        ("GlyphCount", "1"),
                    ],
                );
                x.text("ofd:Glyphs", &[], &stand_in);
                x.close("ofd:CGTransform");
            }
        }
        let text: String = run.chars.iter().map(|c| c.0).collect();
        let deltas: Vec<String> = run
            .chars
            .windows(2)
            .map(|w| num(mm(w[1].1 - w[0].1)))
            .collect();
        let mut attrs = vec![("X", "0".to_string()), ("Y", num(mm(run.size)))];
        if !deltas.is_empty() {
            attrs.push(("DeltaX", compress(&deltas)));
        }
        let attrs: Vec<(&str, &str)> = attrs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        x.text("ofd:TextCode", &attrs, &text);
        x.close("ofd:TextObject");
        self.tag(run.owner, oid);
    }
}

/// DeltaX with repeats folded (`g 5 3.528`: five gaps of 3.528 mm), as the standard allows.
fn compress(values: &[String]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < values.len() {
        let n = values[i..].iter().take_while(|v| **v == values[i]).count();
        if n > 1 {
            out.push(format!("g {n} {}", values[i]));
        } else {
            out.push(values[i].clone());
        }
        i += n;
    }
    out.join(" ")
}
