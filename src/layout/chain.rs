//! The font chain the layout measures with and both writers draw from: the style's
//! fonts for each face, then the system's as fallbacks; which font draws each character,
//! its advance, and what no font has. One room, so the PDF and the OFD can never pick
//! different glyphs, and `check` and the review page ask the layout, not a writer.

use super::linebreak;
use super::lines::{Face, Metrics};
use crate::diagnostics::Diagnostic;
use crate::fonts::{
    resolve_font_path, Faces, FontError, FontFile, FontSlot, GlyphGap, GlyphRef, SYSTEM_FALLBACKS,
};
use crate::model::{Block, Document, Location};
use crate::style::Style;
use rustc_hash::FxHashMap;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// Font slots (each file and face index once) and, per face, the order they are tried in.
pub struct FontChain {
    slots: Vec<FontSlot>,
    regular: Vec<usize>,
    bold: Vec<usize>,
}

impl FontChain {
    /// The chain of `style` (an edition's regional `faces` first, then `font` for body
    /// text when given), the system fallbacks last. The style's own fonts are loaded now
    /// and must be sound; returns also a description of them for the engine's fingerprint.
    pub fn new(
        style: &Style,
        font_opt: Option<&PathBuf>,
        faces: Option<&crate::fonts::RegionalFaces>,
    ) -> Result<(FontChain, String), FontError> {
        let mut slots: Vec<FontSlot> = Vec::new();
        let mut slot_of = |path: PathBuf, index: u32, required: bool| -> usize {
            if let Some(i) = slots
                .iter()
                .position(|s| s.path == path && s.index == index)
            {
                return i;
            }
            slots.push(FontSlot::new(path, index, required));
            slots.len() - 1
        };
        let mut regular: Vec<usize> = Vec::new();
        let mut bold: Vec<usize> = Vec::new();
        if let Some(faces) = faces {
            regular.push(slot_of(faces.regular.0.clone(), faces.regular.1, true));
            bold.push(slot_of(faces.bold.0.clone(), faces.bold.1, true));
        }
        if let Some(f) = font_opt {
            regular.push(slot_of(f.clone(), 0, true));
        }
        let skip = usize::from(font_opt.is_some());
        for f in style.fonts.regular.iter().skip(skip) {
            regular.push(slot_of(resolve_font_path(f.path()), f.index(), true));
        }
        for f in &style.fonts.bold {
            bold.push(slot_of(resolve_font_path(f.path()), f.index(), true));
        }
        let system: Vec<usize> = SYSTEM_FALLBACKS
            .iter()
            .map(|(p, i)| slot_of(PathBuf::from(p), *i, false))
            .collect();
        bold.extend(regular.iter().copied());
        regular.extend(system.iter().copied());
        bold.extend(system);
        dedup(&mut regular);
        dedup(&mut bold);
        // The style's own fonts must be there and sound: fail now, naming the file.
        let mut fp = String::new();
        for s in slots.iter().filter(|s| s.required) {
            s.load_now()?;
            if let Some(f) = s.get() {
                fp.push_str(&format!(
                    "|{}#{}:{}",
                    f.path.display(),
                    f.index,
                    f.data.len()
                ));
            }
        }
        Ok((
            FontChain {
                slots,
                regular,
                bold,
            },
            fp,
        ))
    }

    /// Advances and glyphs for one document (looked up once per character).
    pub fn metrics(&self) -> ChainMetrics<'_> {
        ChainMetrics {
            faces: Faces::new(&self.slots),
            regular: &self.regular,
            bold: &self.bold,
            cache: RefCell::new(FxHashMap::default()),
        }
    }

    /// How many font slots there are (slot numbers run below this).
    pub fn slot_count(&self) -> usize {
        self.slots.len()
    }

    /// The font file of slot `i`, once loaded.
    pub fn font(&self, i: usize) -> Option<&Arc<FontFile>> {
        self.slots.get(i)?.get()
    }
}

fn dedup(v: &mut Vec<usize>) {
    let mut seen = Vec::new();
    v.retain(|x| {
        let new = !seen.contains(x);
        seen.push(*x);
        new
    });
}

/// Advances from the font chains, remembering what was looked up (and what was missing).
pub struct ChainMetrics<'a> {
    faces: Faces<'a>,
    regular: &'a [usize],
    bold: &'a [usize],
    /// Fx-hashed: looked up once a character laid out, where SipHash cost 2 % of a PDF.
    cache: RefCell<FxHashMap<(Face, char), Option<GlyphRef>>>,
}

impl ChainMetrics<'_> {
    /// The glyph a vertical line draws for `gid` of font `slot` (its `vert` form).
    pub fn vertical(&self, slot: usize, gid: u16, c: char) -> u16 {
        self.faces.vertical(slot, gid, c)
    }

    /// The glyph that draws `c` in `face`: the first font of the chain that has it.
    pub fn lookup(&self, face: Face, c: char) -> Option<GlyphRef> {
        if let Some(r) = self.cache.borrow().get(&(face, c)) {
            return *r;
        }
        let chain = match face {
            Face::Regular => self.regular,
            Face::Bold => self.bold,
        };
        let r = if c == linebreak::HARD_BREAK {
            None
        } else {
            self.faces.lookup(chain, c)
        };
        self.cache.borrow_mut().insert((face, c), r);
        r
    }
}

impl Metrics for ChainMetrics<'_> {
    fn advance(&self, face: Face, c: char) -> f32 {
        match self.lookup(face, c) {
            Some(g) => g.advance,
            // Drawn as `□`, an em wide (reported as a warning).
            None => 1.0,
        }
    }
}

impl FontChain {
    /// The characters of `doc` the style's fonts lack, each with the system fallback that
    /// the PDF and the OFD will draw it from — the chain both are laid out with, so
    /// `paiban check` reports exactly what a build will do.
    pub fn glyph_gaps(&self, doc: &Document) -> Vec<GlyphGap> {
        let faces = Faces::new(&self.slots);
        let mut seen: BTreeMap<char, (usize, Option<Location>)> = BTreeMap::new();
        each_text(doc, &mut |text, loc| {
            for c in text
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
            {
                let e = seen.entry(c).or_insert_with(|| (0, loc.clone()));
                e.0 += 1;
            }
        });
        seen.into_iter()
            .filter_map(|(ch, (count, first))| {
                let drawn_by = faces.lookup(&self.regular, ch).map(|g| g.font);
                if drawn_by.is_some_and(|slot| self.slots[slot].required) {
                    return None;
                }
                let fallback = drawn_by
                    .and_then(|slot| self.slots.get(slot))
                    .map(|s| (s.path.clone(), s.index));
                Some(GlyphGap {
                    ch,
                    count,
                    first,
                    fallback,
                })
            })
            .collect()
    }

    /// The fonts an OFD of `doc` would refuse, with where the document first needs each:
    /// their licence forbids embedding (OS/2 fsType "restricted") and OFD-A embeds every
    /// font. The style's own fonts, and the system fonts its gaps fall back to.
    pub fn unembeddable_fonts(&self, doc: &Document) -> Vec<(PathBuf, Option<Location>)> {
        let restricted = |s: &FontSlot| {
            s.get().is_some_and(|f| {
                ttf_parser::Face::parse(&f.data, f.index)
                    .ok()
                    .and_then(|face| face.permissions())
                    == Some(ttf_parser::Permissions::Restricted)
            })
        };
        let mut out: Vec<(PathBuf, Option<Location>)> = Vec::new();
        let first = doc
            .articles
            .first()
            .and_then(|a| a.headline.location.clone());
        for s in self.slots.iter().filter(|s| s.required && restricted(s)) {
            out.push((s.path.clone(), first.clone()));
        }
        for g in self.glyph_gaps(doc) {
            let Some((path, index)) = g.fallback else {
                continue;
            };
            let slot = self
                .slots
                .iter()
                .find(|s| s.path == path && s.index == index);
            if slot.is_some_and(restricted) && !out.iter().any(|(p, _)| *p == path) {
                out.push((path, g.first));
            }
        }
        out
    }
}

/// One warning per character no font has: the character, its code point, how often it
/// occurs and where first.
pub fn missing_glyphs(doc: &Document, m: &ChainMetrics) -> Vec<Diagnostic> {
    let missing: Vec<char> = {
        let cache = m.cache.borrow();
        let mut v: Vec<char> = cache
            .iter()
            .filter(|((_, c), r)| r.is_none() && *c != linebreak::HARD_BREAK && !c.is_whitespace())
            .map(|((_, c), _)| *c)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    if missing.is_empty() {
        return Vec::new();
    }
    let mut seen: BTreeMap<char, (usize, Option<Location>)> = BTreeMap::new();
    each_text(doc, &mut |text, loc| {
        for c in text.chars().filter(|c| missing.contains(c)) {
            let e = seen.entry(c).or_insert_with(|| (0, loc.clone()));
            e.0 += 1;
        }
    });
    missing
        .iter()
        .map(|c| {
            let (count, loc) = seen.get(c).cloned().unwrap_or((0, None));
            Diagnostic::warning(
                "missing-glyph",
                loc,
                format!(
                    "no font has `{c}` (U+{:04X}), used {count} times; drawn as `□`",
                    *c as u32
                ),
            )
        })
        .collect()
}

/// Calls `f` with every text of the document in reading order and the nearest known
/// source line (one block at a time: no copy of the whole document).
fn each_text(doc: &Document, f: &mut dyn FnMut(&str, &Option<Location>)) {
    for a in &doc.articles {
        let h = &a.headline;
        let loc = h.location.clone();
        for t in h.kicker.iter().chain([&h.title]).chain(&h.subtitles) {
            f(t, &loc);
        }
        if let Some(b) = &a.byline {
            f(b, &loc);
        }
        let mut last = loc;
        for b in &a.blocks {
            match b {
                Block::Paragraph { location, .. } | Block::Figure { location, .. }
                    if location.is_some() =>
                {
                    last = location.clone();
                }
                Block::Section(h) if h.location.is_some() => last = h.location.clone(),
                _ => {}
            }
            f(&b.plain_text(), &last);
        }
        for n in &a.footnotes {
            for b in &n.blocks {
                f(&b.plain_text(), &last);
            }
        }
    }
}
