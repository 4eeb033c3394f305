//! Vertical justification ("feathering") of a page that ends short because the next
//! article does not start on it.
//!
//! The rule, as a newspaper desk applies it: the next article starts in the columns' foot
//! when its headline group and two body lines per column fit there (see `layout_pages`);
//! when they do not, the space left at the foot is spread over the page instead of being
//! left empty. First each gap between two articles takes up to one line more (half above
//! the rule, half below); what is still left widens every line step of the page by the
//! same factor, by at most `MAX_STRETCH`, so that baselines stay aligned across columns and
//! the tallest column ends at the text area's foot. A page that would need more keeps the
//! rest at its foot. Glyph sizes never change, only vertical positions.

use super::{Mark, Page};

/// Line steps grow by at most this share (16 pt of leading → at most 18.4 pt).
pub const MAX_STRETCH: f32 = 0.15;

/// What the page knows when it is closed: where its feathered part starts (below the
/// masthead on page 1), where its content ends, the gaps between articles, all in
/// text-area coordinates (from the top of the text area).
pub struct Feather {
    /// Top of the part that may move.
    pub top: f32,
    /// Bottom of the lowest line box.
    pub bottom: f32,
    /// Below the last baseline in a line box (it is the baseline that reaches the foot).
    pub descent: f32,
    /// Height of the text area.
    pub text_h: f32,
    /// One body line.
    pub lead: f32,
    /// Each gap between articles: the previous article's bottom and its rule's y.
    pub gaps: Vec<(f32, f32)>,
}

impl Feather {
    /// The map from an old y to the new one (text-area coordinates), or None when the page
    /// is full (nothing to spread).
    fn map(&self) -> Option<impl Fn(f32) -> f32 + '_> {
        let left = self.text_h - self.bottom;
        if left < 0.5 || self.bottom <= self.top {
            return None;
        }
        // Gaps between articles first, each up to one line, half on each side of its rule.
        let per_gap = if self.gaps.is_empty() {
            0.0
        } else {
            (left / self.gaps.len() as f32).min(self.lead)
        };
        let rest = left - per_gap * self.gaps.len() as f32;
        // Then every line step: the last baseline (moved by the gaps) goes to the foot.
        let last = self.bottom - self.descent + per_gap * self.gaps.len() as f32;
        let span = last - self.top;
        let s = if span > 0.0 {
            (1.0 + rest / span).min(1.0 + MAX_STRETCH)
        } else {
            1.0
        };
        Some(move |y: f32| {
            if y <= self.top {
                return y;
            }
            let shifted = y + self
                .gaps
                .iter()
                .map(|&(above, rule)| {
                    let mut d = 0.0;
                    if y > above + 0.01 {
                        d += per_gap / 2.0;
                    }
                    if y > rule + 0.01 {
                        d += per_gap / 2.0;
                    }
                    d
                })
                .sum::<f32>();
            self.top + (shifted - self.top) * s
        })
    }

    /// Moves the page's glyphs, rules, images and bookmarks (those of page `page_no` among
    /// `marks`); `origin` is the page y of the text area's top.
    pub fn apply(&self, page: &mut Page, marks: &mut [Mark], page_no: usize, origin: f32) {
        let Some(map) = self.map() else {
            return;
        };
        let f = |y: f32| map(y - origin) + origin;
        for g in &mut page.glyphs {
            g.y = f(g.y);
        }
        for r in &mut page.rules {
            r.y = f(r.y);
        }
        for im in &mut page.images {
            im.y = f(im.y);
        }
        for m in marks.iter_mut().filter(|m| m.page == page_no) {
            m.y = f(m.y);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feather(bottom: f32, gaps: Vec<(f32, f32)>) -> Feather {
        Feather {
            top: 0.0,
            bottom,
            descent: 4.0,
            text_h: 700.0,
            lead: 16.0,
            gaps,
        }
    }

    #[test]
    fn the_last_baseline_reaches_the_foot() {
        let f = feather(650.0, vec![(300.0, 308.0)]);
        let map = f.map().unwrap();
        assert!((map(646.0) - 696.0).abs() < 0.01);
        // The gap took one line, half each side of its rule: 10 pt across it became 26.
        let s = map(299.0) / 299.0;
        assert!(s > 1.0 && s <= 1.0 + MAX_STRETCH);
        assert!(((map(309.0) - map(299.0)) / s - 26.0).abs() < 0.01);
        assert!(((map(308.0) - map(300.0)) / s - 16.0).abs() < 0.01);
        assert!(map(100.0) > 100.0 && map(100.0) < 100.0 * (1.0 + MAX_STRETCH) + 0.01);
        // Monotone.
        let ys: Vec<f32> = (0..700).map(|y| map(y as f32)).collect();
        assert!(ys.windows(2).all(|w| w[1] >= w[0]));
    }

    #[test]
    fn the_stretch_is_bounded() {
        let f = feather(300.0, vec![]);
        let map = f.map().unwrap();
        assert!((map(296.0) - 296.0 * (1.0 + MAX_STRETCH)).abs() < 0.01);
    }

    #[test]
    fn a_full_page_does_not_move() {
        assert!(feather(700.0, vec![]).map().is_none());
    }
}
