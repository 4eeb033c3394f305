//! Vertical setting (竖排) of the PDF. The page is laid out as if turned a quarter
//! clockwise — a "virtual" page whose columns are the real page's tiers (段) and whose
//! lines are the real page's vertical lines — with the ordinary flow, line breaking and
//! kinsoku; each finished page is then turned back: virtual x runs down a tier, virtual
//! y runs leftwards across it. So lines read top to bottom, columns right to left, tiers
//! top to bottom, headlines stand at the right of their article and a rule between
//! articles stands upright. Glyphs are not turned with the page but set as vertical
//! lines want them: hanzi and full-width marks upright (the writer takes the font's
//! `vert` forms), numbers of up to four characters upright across the line (縦中横),
//! other Latin and longer numbers turned 90°.

use super::lines::{Face, Metrics};
use super::{Glyph, Page, EM_ASCENT};
use crate::style::{Style, MM};

/// How a glyph stands on the page.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub enum Turn {
    /// As in horizontal text.
    #[default]
    Horizontal,
    /// Upright in a vertical line, in the font's vertical form (`vert`); `x` is the left
    /// of its horizontal advance box, `y` its baseline.
    Upright,
    /// Turned 90° clockwise about its origin (`x`, `y`): Latin in a vertical line.
    Sideways,
    /// Upright and squeezed across the line to this fraction of its width: a digit of a
    /// number set 縦中横.
    Combined(f32),
}

/// Longest number set upright across a vertical line (as the EPUB's `text-combine-upright`).
pub const UPRIGHT_NUMBER: usize = 4;

/// The length of the number starting at `chars[0]` (ASCII digits, a point between
/// digits as in `6.2`), 0 when none starts there — the EPUB's rule (`epub::xhtml::text`).
pub fn number_len(chars: &[char]) -> usize {
    let mut len = 0;
    while len < chars.len()
        && (chars[len].is_ascii_digit()
            || (chars[len] == '.' && chars.get(len + 1).is_some_and(char::is_ascii_digit)))
    {
        len += 1;
    }
    if chars.first().is_some_and(char::is_ascii_digit) {
        len
    } else {
        0
    }
}

/// Metrics of a vertical layout: as `inner`'s, but short numbers take one em of the line
/// (see `lines::items`).
pub struct VerticalMetrics<'m>(pub &'m dyn Metrics);

impl Metrics for VerticalMetrics<'_> {
    fn advance(&self, face: Face, c: char) -> f32 {
        self.0.advance(face, c)
    }
    fn upright_numbers(&self) -> bool {
        true
    }
    fn horizontal(&self) -> Option<&dyn Metrics> {
        Some(self.0)
    }
}

/// Does `c` stand upright in a vertical line? Hanzi, kana, CJK and full-width marks,
/// and whatever the font sets an em wide (`—…` in a Chinese font) — but quotation
/// marks `“”‘’` turn with the line, as Unicode's vertical orientation (UAX #50) has them.
fn upright(c: char, advance: f32) -> bool {
    if matches!(c, '“' | '”' | '‘' | '’') {
        return false;
    }
    crate::cjk::is_cjk(c) || crate::cjk::is_fullwidth_alnum(c) || advance >= 0.9
}

/// The real page and the virtual one it is laid out on.
#[derive(Debug, Clone)]
pub struct Frame {
    /// The style the layout runs with: the page turned a quarter, tiers as columns.
    pub turned: Style,
    /// The style as given: the real page, its running heads and folios.
    pub real: Style,
}

impl Frame {
    /// The style's `columns` become the number of tiers; the text area keeps its size.
    pub fn new(real: &Style) -> Frame {
        let mut turned = real.clone();
        turned.page_width_mm = real.page_height_mm;
        turned.page_height_mm = real.page_width_mm;
        // Virtual x runs down the real text area: the same margin on every page.
        let across = (real.margin_top_mm + real.margin_bottom_mm) / 2.0;
        turned.margin_inner_mm = across;
        turned.margin_outer_mm = across;
        turned.margin_top_mm = real.margin_outer_mm;
        turned.margin_bottom_mm = real.margin_inner_mm;
        Frame {
            turned,
            real: real.clone(),
        }
    }

    /// Page index 0 is the first page of a book read right to left: a left-hand page,
    /// bound on its right.
    pub fn right_hand(page: usize) -> bool {
        !page.is_multiple_of(2)
    }

    fn real_right(&self, page: usize) -> f32 {
        let s = &self.real;
        let (w, _) = s.page_size();
        let outer_right = if Frame::right_hand(page) {
            s.margin_outer_mm
        } else {
            s.margin_inner_mm
        };
        w - outer_right * MM
    }

    /// The top of the real text area (where bookmarks point).
    pub fn top(&self) -> f32 {
        self.real.margin_top_mm * MM
    }

    /// A virtual page point → the real page.
    fn map(&self, page: usize, x: f32, y: f32) -> (f32, f32) {
        let vl = self.turned.margin_inner_mm * MM;
        let vt = self.turned.margin_top_mm * MM;
        (self.real_right(page) - (y - vt), self.top() + (x - vl))
    }

    /// Turns a page laid out on the virtual page into the real one.
    pub fn turn(&self, page_no: usize, page: &mut Page, m: &dyn Metrics) {
        let mut i = 0;
        while i < page.glyphs.len() {
            let g = &page.glyphs[i];
            // A number: its characters on this line (numbers never break).
            let chars: Vec<char> = if !g.ch.is_ascii_digit() {
                Vec::new()
            } else {
                page.glyphs[i..]
                    .iter()
                    .enumerate()
                    .take_while(|(k, h)| {
                        *k == 0 || (h.y.to_bits() == g.y.to_bits() && !h.line_start)
                    })
                    .map(|(_, h)| h.ch)
                    .collect()
            };
            let n = number_len(&chars);
            if n > 0 && n <= UPRIGHT_NUMBER {
                // Set upright across the line: the digits took one em together
                // (`lines::items`).
                self.combined(page_no, &mut page.glyphs[i..i + n], m);
                i += n;
                continue;
            }
            if n > UPRIGHT_NUMBER {
                // A longer number turns with the Latin, digit by digit.
                for g in &mut page.glyphs[i..i + n] {
                    (g.x, g.y) = self.map(page_no, g.x, g.y);
                    g.turn = Turn::Sideways;
                }
                i += n;
                continue;
            }
            let g = &mut page.glyphs[i];
            let adv = m.advance(g.face, g.ch);
            if upright(g.ch, adv) {
                let (cx, top) = self.map(page_no, g.x, g.y - g.size * (EM_ASCENT - 0.5));
                g.x = cx - adv * g.size / 2.0;
                g.y = top + g.size * EM_ASCENT;
                g.turn = Turn::Upright;
            } else {
                (g.x, g.y) = self.map(page_no, g.x, g.y);
                g.turn = Turn::Sideways;
            }
            i += 1;
        }
        for r in std::mem::take(&mut page.rules) {
            let (x, y0) = self.map(page_no, r.x0, r.y);
            let (_, y1) = self.map(page_no, r.x1, r.y);
            page.upright_rules.push(super::UprightRule {
                x,
                y0,
                y1,
                width: r.width,
            });
        }
        for im in &mut page.images {
            // The box was laid out turned (`Layouter::figure_size`): w along the tier.
            let (x, y) = self.map(page_no, im.x, im.y + im.h);
            (im.x, im.y, im.w, im.h) = (x, y, im.h, im.w);
        }
    }

    /// The digits of a number standing upright across the line, centred on it, squeezed
    /// to an em when wider.
    fn combined(&self, page_no: usize, digits: &mut [Glyph], m: &dyn Metrics) {
        let Some(first) = digits.first() else {
            return;
        };
        let size = first.size;
        let (cx, top) = self.map(page_no, first.x, first.y - size * (EM_ASCENT - 0.5));
        let widths: Vec<f32> = digits
            .iter()
            .map(|g| m.advance(g.face, g.ch) * size)
            .collect();
        let total: f32 = widths.iter().sum();
        let squeeze = if total > size { size / total } else { 1.0 };
        let mut x = cx - total * squeeze / 2.0;
        for (g, w) in digits.iter_mut().zip(widths) {
            g.x = x;
            g.y = top + size * EM_ASCENT;
            g.turn = Turn::Combined(squeeze);
            x += w * squeeze;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_digits_with_inner_points() {
        let n = |s: &str| number_len(&s.chars().collect::<Vec<_>>());
        assert_eq!(n("2023年"), 4);
        assert_eq!(n("6.2亿"), 3);
        assert_eq!(n("12."), 2);
        assert_eq!(n(".5"), 0);
        assert_eq!(n("年"), 0);
    }

    #[test]
    fn the_turned_page_keeps_the_text_area() {
        let real = Style::preset("a4").unwrap();
        let f = Frame::new(&real);
        let (w, h) = real.text_area();
        let (tw, th) = f.turned.text_area();
        assert!((tw - h).abs() < 0.01 && (th - w).abs() < 0.01);
        // The virtual text area's top-left corner is the real one's top-right.
        let vl = f.turned.margin_inner_mm * MM;
        let vt = f.turned.margin_top_mm * MM;
        for page in 0..2 {
            let (x, y) = f.map(page, vl, vt);
            assert!((y - f.top()).abs() < 0.01);
            assert!((x - f.real_right(page)).abs() < 0.01);
            // Down a virtual column is leftwards on the real page.
            assert!(f.map(page, vl, vt + 10.0).0 < x);
        }
    }
}
