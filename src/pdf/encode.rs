//! Finished pages → compressed content streams in the PDF file, one page at a time while
//! the layout runs, gathering on the way what each font must hold. Subset glyph ids are handed out
//! in order of first use, so a page can be written before the rest of the issue is
//! known; the fonts are subset to those ids at the end.

use super::content::{Deflater, Draw, PageContent};
use super::file::PdfFile;
use super::layout::{Glyph, Page};
use super::linebreak::HARD_BREAK;
use super::write::{fnv, FNV_SEED};
use crate::fonts::GlyphRef;
use std::collections::BTreeMap;
use subsetter::GlyphRemapper;

/// What one font key (a slot, or a slot's half-width copy) is drawn with.
pub struct UsedFont {
    /// Resource name in the PDF.
    pub name: String,
    /// Original glyph id → subset glyph id.
    pub mapper: GlyphRemapper,
    /// Character → original glyph id, for the subset's `cmap`.
    pub chars: BTreeMap<char, u16>,
    /// Subset glyph id → the character it was last drawn for (its ToUnicode entry).
    pub text: BTreeMap<u16, char>,
    /// Subset glyph id → advance in 1/1000 em, as the content streams assume it.
    pub widths: BTreeMap<u16, i64>,
}

impl UsedFont {
    fn new(key: usize) -> Self {
        let mut mapper = GlyphRemapper::new();
        // The subset keeps .notdef as glyph 0.
        mapper.remap(0);
        UsedFont {
            name: format!("F{key}"),
            mapper,
            chars: BTreeMap::new(),
            text: BTreeMap::new(),
            widths: BTreeMap::new(),
        }
    }
}

/// How glyphs are resolved: the font key and original glyph id of a glyph, the advance
/// of a glyph of a font key in 1/1000 em, and whether a font key can be embedded.
pub struct Resolve<'a> {
    pub glyph: &'a dyn Fn(&Glyph) -> GlyphRef,
    pub width: &'a dyn Fn(usize, u16) -> i64,
    pub available: &'a dyn Fn(usize) -> bool,
}

/// Everything gathered from the pages.
pub struct Encoded {
    /// The file so far: the pages' content streams.
    pub file: PdfFile,
    /// Per page, its content stream's index among the file's pending objects.
    pub pages: Vec<usize>,
    /// By font key.
    pub fonts: BTreeMap<usize, UsedFont>,
    /// A hash of every glyph and its position: the document's identifier.
    pub hash: u64,
    /// The images drawn (their indices, named `/Im{index}` in the content streams).
    pub images: std::collections::BTreeSet<usize>,
}

/// The resource name of image `id`.
pub fn image_name(id: usize) -> String {
    format!("Im{id}")
}

pub struct Encoder<'a> {
    resolve: Resolve<'a>,
    page_h: f32,
    out: Encoded,
    /// Whether a font key can be embedded, once asked.
    available: BTreeMap<usize, bool>,
    error: Option<std::io::Error>,
    /// Buffers kept from page to page.
    content: PageContent,
    raw: Vec<u8>,
    deflater: Deflater,
}

impl<'a> Encoder<'a> {
    pub fn new(resolve: Resolve<'a>, page_h: f32) -> Self {
        Encoder {
            resolve,
            page_h,
            out: Encoded {
                file: PdfFile::default(),
                pages: Vec::new(),
                fonts: BTreeMap::new(),
                hash: FNV_SEED,
                images: Default::default(),
            },
            available: BTreeMap::new(),
            error: None,
            content: PageContent::default(),
            raw: Vec::new(),
            deflater: Deflater::default(),
        }
    }

    /// Writes and compresses one page (layout coordinates: from the top-left corner).
    pub fn page(&mut self, page: &Page) {
        let ph = self.page_h;
        let c = &mut self.content;
        for im in &page.images {
            let mut h = fnv(&im.id.to_le_bytes(), self.out.hash);
            for v in [im.x, im.y, im.w, im.h] {
                h = fnv(&v.to_bits().to_le_bytes(), h);
            }
            self.out.hash = h;
            self.out.images.insert(im.id);
            c.image(&image_name(im.id), im.x, ph - im.y - im.h, im.w, im.h);
        }
        for r in &page.rules {
            c.rule(r.x0, r.x1, ph - r.y, r.width);
        }
        for g in &page.glyphs {
            let mut buf = [0u8; 4];
            let h = fnv(g.ch.encode_utf8(&mut buf).as_bytes(), self.out.hash);
            let h = fnv(&g.x.to_bits().to_le_bytes(), h);
            self.out.hash = fnv(&g.y.to_bits().to_le_bytes(), h);
            let r = (self.resolve.glyph)(g);
            let available = *self
                .available
                .entry(r.font)
                .or_insert_with(|| (self.resolve.available)(r.font));
            if !available {
                continue;
            }
            let f = self
                .out
                .fonts
                .entry(r.font)
                .or_insert_with(|| UsedFont::new(r.font));
            let gid = f.mapper.remap(r.gid);
            // Every character without a glyph is drawn as .notdef (glyph 0): mapping glyph 0
            // back to one of them would make all of them copy as that one character.
            let drawable = r.gid != 0;
            if drawable {
                f.chars.insert(g.ch, r.gid);
            }
            let width = *f
                .widths
                .entry(gid)
                .or_insert_with(|| (self.resolve.width)(r.font, r.gid));
            if g.ch == HARD_BREAK {
                continue;
            }
            if drawable {
                f.text.insert(gid, g.ch);
            }
            c.glyph(Draw {
                font: &f.name,
                size: g.size,
                x: g.x,
                y: ph - g.y,
                gid,
                width,
            });
        }
        self.raw.clear();
        c.finish_into(&mut self.raw);
        match self.deflater.deflate(&self.raw) {
            Ok((bytes, deflated)) => {
                let i = self.out.file.pending_stream(bytes, deflated);
                self.out.pages.push(i);
            }
            Err(e) => {
                self.error.get_or_insert(e);
            }
        }
    }

    pub fn finish(self) -> std::io::Result<Encoded> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.out),
        }
    }
}
