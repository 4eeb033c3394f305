//! The cover: a front page drawn by paiban — red masthead, date and issue line, the issue's
//! headlines — rasterized with fontdue and encoded as PNG, so every library shows a real
//! thumbnail. fontdue parses every outline at load, so it is given a subset holding only
//! the cover's characters (a few dozen glyphs instead of tens of thousands).

use super::webfont::FontFile;
use super::{CoverImage, EpubError};
use crate::model::Document;
use std::collections::BTreeSet;

const WIDTH: usize = 1200;
const HEIGHT: usize = 1600;
const MARGIN: usize = 90;
const RED: [u8; 3] = [0xb8, 0x10, 0x10];
const INK: [u8; 3] = [0x1a, 0x1a, 0x1a];
const GREY: [u8; 3] = [0x55, 0x55, 0x55];
const PAPER: [u8; 3] = [0xfb, 0xf8, 0xf1];
/// How many headlines the cover lists at most.
const MAX_HEADLINES: usize = 5;

/// One run of text to draw: its size, colour and where its lines go.
struct Text {
    s: String,
    px: f32,
    color: [u8; 3],
}

/// What the cover says, in drawing order.
struct Layout {
    masthead: String,
    date_line: String,
    number_line: String,
    /// (kicker, title) per article.
    headlines: Vec<(Option<String>, String)>,
}

fn layout(doc: &Document) -> Layout {
    let m = &doc.meta;
    // Without a newspaper name the masthead is the day itself, the way a dated supplement
    // is headed; with neither, the issue's title.
    let masthead = match (&m.newspaper, m.date) {
        (Some(n), _) => n.clone(),
        (None, Some(d)) => format!("{}月{}日", d.month, d.day),
        (None, None) => super::book_title(doc),
    };
    const WEEK: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];
    let date_line = m.date.map_or(String::new(), |d| {
        let wd = WEEK.get(d.weekday() as usize).copied().unwrap_or("");
        // Under a masthead that is the day itself, the year and weekday (not the day twice).
        if m.newspaper.is_none() {
            format!("{}年　星期{wd}", d.year)
        } else {
            format!("{}　星期{wd}", d.chinese())
        }
    });
    let number_line = m.issue_number.as_deref().map_or(String::new(), |n| {
        let n = n.trim();
        if n.starts_with('第') {
            n.to_string()
        } else {
            format!("第{n}期")
        }
    });
    let headlines = doc
        .articles
        .iter()
        .take(MAX_HEADLINES)
        .map(|a| (a.headline.kicker.clone(), a.headline.title.clone()))
        .collect();
    Layout {
        masthead,
        date_line,
        number_line,
        headlines,
    }
}

/// The cover's characters parsed so far, for the issues one engine renders: each issue
/// subsets and parses only the characters no earlier issue had (fontdue parses a whole
/// font at load, so it gets a subset; subsetting and parsing were a tenth of a batch's
/// CPU). A glyph is drawn the same whichever subset holds it.
#[derive(Default)]
pub struct FontCache {
    fonts: std::sync::Mutex<FontsByChar>,
}

#[derive(Default)]
struct FontsByChar {
    by_char: std::collections::HashMap<char, std::sync::Arc<fontdue::Font>>,
    subsets: usize,
}

/// After this many subsets the cache starts again (memory stays bounded whatever the
/// number of issues; a font's few thousand characters are in far fewer).
const MAX_SUBSETS: usize = 4096;

impl FontCache {
    /// A parsed font for each of `chars`.
    fn fonts_for(
        &self,
        chars: &BTreeSet<char>,
        font: &FontFile,
    ) -> Result<std::collections::HashMap<char, std::sync::Arc<fontdue::Font>>, EpubError> {
        let lock = || self.fonts.lock().unwrap_or_else(|e| e.into_inner());
        let missing: BTreeSet<char> = {
            let f = lock();
            chars
                .iter()
                .copied()
                .filter(|c| !f.by_char.contains_key(c))
                .collect()
        };
        let parsed =
            if missing.is_empty() {
                None
            } else {
                // Outside the lock: another worker may parse the same characters meanwhile,
                // into the same glyphs.
                let sub = font.subset(&missing)?;
                let face = fontdue::Font::from_bytes(sub, fontdue::FontSettings::default())
                    .map_err(|e| EpubError::Font {
                        path: font.path.clone(),
                        message: e.to_string(),
                    })?;
                Some(std::sync::Arc::new(face))
            };
        let mut f = lock();
        if let Some(face) = &parsed {
            if f.subsets >= MAX_SUBSETS {
                *f = FontsByChar::default();
            }
            f.subsets += 1;
            for &c in &missing {
                f.by_char.insert(c, face.clone());
            }
        }
        Ok(chars
            .iter()
            .filter_map(|&c| {
                let face = f.by_char.get(&c).or(parsed.as_ref())?;
                Some((c, face.clone()))
            })
            .collect())
    }
}

/// The cover PNG for an issue, and its pixels.
pub fn render(
    doc: &Document,
    font: &FontFile,
    fonts: &FontCache,
) -> Result<(Vec<u8>, CoverImage), EpubError> {
    let l = layout(doc);
    let mut chars: BTreeSet<char> = l.masthead.chars().collect();
    chars.extend(l.date_line.chars());
    chars.extend(l.number_line.chars());
    for (k, t) in &l.headlines {
        chars.extend(k.iter().flat_map(|k| k.chars()));
        chars.extend(t.chars());
    }
    chars.insert('…');
    let faces = fonts.fonts_for(&chars, font)?;
    let mut c = Canvas::new(&faces);
    let inner = WIDTH - 2 * MARGIN;

    // Masthead: as large as fits, up to 210 px.
    let n = l.masthead.chars().count().max(1) as f32;
    let px = (inner as f32 / n).min(210.0);
    let mut y = 120.0;
    c.rect(MARGIN, 70, inner, 6, RED);
    y += px * 0.95;
    c.line_centered(
        &Text {
            s: l.masthead.clone(),
            px,
            color: RED,
        },
        y,
    );
    y += px * 0.35;

    // Date and issue number between two rules, like a newspaper's ear line.
    let yr = y as usize;
    c.rect(MARGIN, yr, inner, 4, INK);
    c.rect(MARGIN, yr + 9, inner, 1, INK);
    let small = 38.0;
    let base = y + 20.0 + small;
    c.line_at(
        &Text {
            s: l.date_line,
            px: small,
            color: INK,
        },
        MARGIN as f32,
        base,
    );
    let w = c.measure(&l.number_line, small);
    c.line_at(
        &Text {
            s: l.number_line,
            px: small,
            color: INK,
        },
        (WIDTH - MARGIN) as f32 - w,
        base,
    );
    y = base + 26.0;
    c.rect(MARGIN, y as usize, inner, 1, INK);
    c.rect(MARGIN, y as usize + 6, inner, 4, INK);
    y += 60.0;

    // Headlines: the first large, the others smaller, separated by short red rules; the
    // block is centred in the space left so a short issue does not leave a blank half page.
    let top = y;
    let bottom = (HEIGHT - 120) as f32;
    let mut blocks: Vec<HeadlineBlock> = Vec::new();
    let mut used = 0.0;
    for (i, (kicker, title)) in l.headlines.iter().enumerate() {
        let tpx = if i == 0 { 80.0 } else { 56.0 };
        let kpx = if i == 0 { 38.0 } else { 32.0 };
        let lines = wrap(&c, title, tpx, inner as f32, if i == 0 { 3 } else { 2 });
        let k = kicker
            .as_ref()
            .map(|k| (fit(&c, k, kpx, inner as f32), kpx));
        let need = block_height(&k, lines.len(), tpx) + if i > 0 { RULE_GAP } else { 0.0 };
        if top + used + need > bottom {
            break;
        }
        used += need;
        blocks.push((k, lines, tpx));
    }
    y = top + ((bottom - top - used) * 0.4).max(0.0);
    for (i, (kicker, lines, tpx)) in blocks.into_iter().enumerate() {
        if i > 0 {
            c.rect(
                MARGIN + inner / 3,
                (y + RULE_GAP / 2.0) as usize,
                inner / 3,
                2,
                RED,
            );
            y += RULE_GAP;
        }
        if let Some((k, kpx)) = kicker {
            y += kpx;
            c.line_centered(
                &Text {
                    s: k,
                    px: kpx,
                    color: GREY,
                },
                y,
            );
            y += kpx * 0.6;
        }
        for line in lines {
            y += tpx * 1.05;
            c.line_centered(
                &Text {
                    s: line,
                    px: tpx,
                    color: INK,
                },
                y,
            );
            y += tpx * 0.25;
        }
    }
    c.rect(MARGIN, HEIGHT - 80, inner, 6, RED);
    let png = c.png()?;
    Ok((
        png,
        CoverImage {
            width: WIDTH as u32,
            height: HEIGHT as u32,
            indices: c.px,
            inked_rows: c.inked,
            palette: palette()
                .chunks_exact(3)
                .map(|c| [c[0], c[1], c[2]])
                .collect(),
        },
    ))
}

/// A headline as laid out: (kicker and its size, title lines, title size).
type HeadlineBlock = (Option<(String, f32)>, Vec<String>, f32);

/// Vertical room between two headline blocks (a short red rule sits in the middle).
const RULE_GAP: f32 = 90.0;

/// Height of a headline block as drawn by `render`.
fn block_height(kicker: &Option<(String, f32)>, lines: usize, tpx: f32) -> f32 {
    kicker.as_ref().map_or(0.0, |(_, kpx)| kpx * 1.6) + lines as f32 * tpx * 1.3
}

/// Breaks a title as the PDF and the EPUB do (`headline_breaks`: phrases, then words,
/// balanced) into at most `max` lines; the last line ends in `…` when the title is longer.
fn wrap(c: &Canvas<'_>, s: &str, px: f32, width: f32, max: usize) -> Vec<String> {
    let mut lines =
        crate::headline_breaks::break_text(s, width, |ch| c.measure(&ch.to_string(), px));
    if lines.len() > max {
        lines.truncate(max);
        if let Some(last) = lines.last_mut() {
            *last = fit(c, &format!("{last}…"), px, width);
        }
    }
    lines
}

/// `s` shortened with `…` until it fits `width`.
fn fit(c: &Canvas<'_>, s: &str, px: f32, width: f32) -> String {
    let mut v: Vec<char> = s.chars().collect();
    if c.measure(s, px) <= width {
        return s.to_string();
    }
    while !v.is_empty() {
        v.pop();
        let t: String = v.iter().chain(std::iter::once(&'…')).collect();
        if c.measure(&t, px) <= width {
            return t;
        }
    }
    String::new()
}

/// zlib level of the cover's pixels: 3 makes the sample's cover (the most text of any
/// issue here) about 37.6 KB in half of level 6's time; 4 to 6 make it 2–4 % smaller for
/// 1.2–2× the time (`benches/cost-per-issue.md`).
const COVER_DEFLATE_LEVEL: u8 = 3;

/// The inks, in palette order.
const INKS: [[u8; 3]; 3] = [RED, INK, GREY];
/// Coverage levels per ink. The cover is a 4-bit indexed PNG: paper, then each ink at 4
/// strengths over paper (13 colours), half a byte a pixel. At 1200×1600 the edges stay
/// smooth to the eye; the sample's cover is 38 KB instead of 64 KB with 15 strengths in 8
/// bits (5 strengths: 40 KB).
const LEVELS: u32 = 4;

fn palette() -> Vec<u8> {
    let mut p = PAPER.to_vec();
    for ink in INKS {
        for l in 1..=LEVELS {
            for (c, paper) in ink.iter().zip(PAPER) {
                p.push(((*c as u32 * l + paper as u32 * (LEVELS - l)) / LEVELS) as u8);
            }
        }
    }
    p
}

/// Palette index of an ink at a level (1..=LEVELS).
fn index(ink: usize, level: u32) -> u8 {
    (1 + ink as u32 * LEVELS + level.clamp(1, LEVELS) - 1) as u8
}

/// The level of a palette index (0 for paper).
fn level_of(i: u8) -> u32 {
    if i == 0 {
        0
    } else {
        (i as u32 - 1) % LEVELS + 1
    }
}

fn ink_of(color: [u8; 3]) -> usize {
    INKS.iter().position(|c| *c == color).unwrap_or(1)
}

struct Canvas<'f> {
    /// The parsed font holding each character the cover shows.
    fonts: &'f std::collections::HashMap<char, std::sync::Arc<fontdue::Font>>,
    /// Palette indices, row by row.
    px: Vec<u8>,
    /// Rows drawn on (the others are blank paper, never read when packed).
    inked: Vec<bool>,
    /// Each glyph rasterized once per size (a headline repeats characters, and the
    /// coverage is mapped to levels once).
    glyphs: std::collections::HashMap<(char, u32), (fontdue::Metrics, Vec<u8>)>,
}

impl<'f> Canvas<'f> {
    fn new(fonts: &'f std::collections::HashMap<char, std::sync::Arc<fontdue::Font>>) -> Self {
        Canvas {
            fonts,
            px: vec![0; WIDTH * HEIGHT],
            inked: vec![false; HEIGHT],
            glyphs: std::collections::HashMap::new(),
        }
    }

    fn measure(&self, s: &str, px: f32) -> f32 {
        s.chars()
            .map(|ch| {
                self.fonts
                    .get(&ch)
                    .map_or(0.0, |f| f.metrics(ch, px).advance_width)
            })
            .sum()
    }

    fn rect(&mut self, x: usize, y: usize, w: usize, h: usize, color: [u8; 3]) {
        let full = index(ink_of(color), LEVELS);
        let (x0, x1) = (x.min(WIDTH), (x + w).min(WIDTH));
        for yy in y..(y + h).min(HEIGHT) {
            self.inked[yy] = true;
            self.px[yy * WIDTH + x0..yy * WIDTH + x1].fill(full);
        }
    }

    fn line_centered(&mut self, t: &Text, baseline: f32) {
        let w = self.measure(&t.s, t.px);
        self.line_at(t, (WIDTH as f32 - w) / 2.0, baseline);
    }

    /// Draws `t` with its baseline at `baseline`, starting at `x`. Where glyphs touch, the
    /// stronger coverage wins (inks do not mix on this page).
    fn line_at(&mut self, t: &Text, mut x: f32, baseline: f32) {
        let ink = ink_of(t.color);
        for ch in t.s.chars() {
            let fonts = self.fonts;
            let Some(font) = fonts.get(&ch) else {
                continue;
            };
            let (m, levels) = self.glyphs.entry((ch, t.px.to_bits())).or_insert_with(|| {
                let (m, cov) = font.rasterize(ch, t.px);
                let levels = cov
                    .iter()
                    .map(|&a| {
                        // Below 3/8 coverage a pixel stays paper: the faintest fringe is
                        // invisible at this size and made the cover 10 % larger (so
                        // slower to compress to the same bytes).
                        let level = (a as u32 * LEVELS + 127) / 255;
                        if level < 2 {
                            0
                        } else {
                            level as u8
                        }
                    })
                    .collect();
                (m, levels)
            });
            let m = *m;
            // Each glyph starts on an even pixel: two pixels a byte in the PNG, so every
            // occurrence of a glyph is the same bytes and deflate finds it again (half a
            // pixel of shift is invisible at 1,200 px).
            let left = (x.round() as i64 + m.xmin as i64) & !1;
            let top = baseline.round() as i64 - m.height as i64 - m.ymin as i64;
            // The glyph's columns that fall on the canvas, clipped once for all its rows.
            let x0 = left.clamp(0, WIDTH as i64);
            let x1 = (left + m.width as i64).clamp(0, WIDTH as i64);
            let skip = (x0 - left) as usize;
            for (row, src) in levels.chunks_exact(m.width.max(1)).enumerate() {
                let py = top + row as i64;
                if py < 0 || py >= HEIGHT as i64 || x0 >= x1 {
                    continue;
                }
                let py = py as usize;
                self.inked[py] = true;
                let dst = &mut self.px[py * WIDTH + x0 as usize..py * WIDTH + x1 as usize];
                for (p, &level) in dst.iter_mut().zip(&src[skip..]) {
                    if level != 0 && u32::from(level) > level_of(*p) {
                        *p = index(ink, u32::from(level));
                    }
                }
            }
            x += m.advance_width;
        }
    }

    fn png(&self) -> Result<Vec<u8>, EpubError> {
        let err = |e: png::EncodingError| EpubError::Cover(e.to_string());
        let mut out = Vec::new();
        let mut enc = png::Encoder::new(&mut out, WIDTH as u32, HEIGHT as u32);
        enc.set_color(png::ColorType::Indexed);
        enc.set_depth(png::BitDepth::Four);
        enc.set_palette(palette());
        // Compressed once, at the level that pays (see COVER_DEFLATE_LEVEL).
        enc.set_deflate_compression(png::DeflateCompression::Level(COVER_DEFLATE_LEVEL));
        // No row filter: palette indices are not magnitudes, and the adaptive filters made
        // the sample's cover 51 KB instead of 40 KB (the PNG spec advises none for them).
        enc.set_filter(png::Filter::NoFilter);
        let mut w = enc.write_header().map_err(err)?;
        // Two pixels a byte, the first in the high nibble.
        // WIDTH is even, so rows need no padding nibble and the pairs run straight through
        // the buffer (a per-row flat_map took 4 % of a batch's CPU).
        // Row by row into the compressor (one IDAT chunk up to 64 KB: the whole cover):
        // no packed copy of the image, and blank rows are not even read.
        const _: () = assert!(WIDTH.is_multiple_of(2));
        let mut sw = w.stream_writer_with_size(64 << 10).map_err(err)?;
        let blank = [0u8; WIDTH / 2];
        let mut packed = [0u8; WIDTH / 2];
        for (row, &inked) in self.px.chunks_exact(WIDTH).zip(&self.inked) {
            let bytes = if inked {
                for (o, p) in packed.iter_mut().zip(row.chunks_exact(2)) {
                    *o = p[0] << 4 | p[1];
                }
                &packed
            } else {
                &blank
            };
            std::io::Write::write_all(&mut sw, bytes)
                .map_err(|e| EpubError::Cover(e.to_string()))?;
        }
        sw.finish().map_err(err)?;
        w.finish().map_err(err)?;
        Ok(out)
    }
}
