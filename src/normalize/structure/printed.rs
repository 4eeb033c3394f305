//! Printed lines from text lines. pdftotext and markitdown give one text line per printed
//! line, except that pdftotext breaks a printed line where a wide gap opens: before an
//! opening quote or bracket whose glyph sits in the right half of its em (`提升，` /
//! `“九纵五横”高速`), and before a mark that cannot begin a line (`（新闻联播）` / `：第十四届`).
//! The pieces of one printed line are put back together before widths are compared.

use super::paragraphs::ends_block;
use crate::cjk::{is_closing_punct, is_opening_punct, text_ends_sentence};
use crate::normalize::lineshape::{pure, squeeze, width};
use std::borrow::Cow;

/// One printed line: text lines `first..=last` (indexes into the block's kept lines).
#[derive(Debug, Clone)]
pub(crate) struct Printed<'a> {
    pub first: usize,
    pub last: usize,
    /// The text line itself, or (pieces put together) a copy.
    pub text: Cow<'a, str>,
    pub width: f32,
    /// Opens with a run-in head in another face (`产业结构持续优化。` + the rest).
    pub run_in: bool,
}

impl Printed<'_> {
    /// Ideographs and marks only: its width is exact.
    pub(crate) fn exact(&self) -> bool {
        pure(&self.text)
    }

    /// How far the measured width may be off: Latin letters and digits are estimated, a
    /// little for each run (the spacing around it) and each character, at most 1.6 ems;
    /// spaces inside (phrases or letters set apart) leave it open by the most.
    pub(crate) fn tolerance(&self) -> f32 {
        // One pass over the text: a space inside settles it.
        let inside = self.text.trim();
        let (mut runs, mut narrow, mut prev) = (0usize, 0usize, false);
        for c in inside.chars() {
            if crate::normalize::lineshape::is_space(c) {
                return 1.6;
            }
            let n = c.is_ascii();
            narrow += usize::from(n);
            runs += usize::from(n && !prev);
            prev = n;
        }
        (0.6 + 0.25 * runs as f32 + 0.1 * narrow as f32).min(1.6)
    }
}

/// Groups the block's text lines into printed lines for a column `full` ems wide.
pub(crate) fn printed_lines<'a>(texts: &[&'a str], full: f32) -> Vec<Printed<'a>> {
    let texts: Vec<&str> = texts.iter().map(|t| t.trim()).collect();
    let widths: Vec<f32> = texts.iter().map(|t| width(t)).collect();
    let mut out: Vec<Printed> = Vec::with_capacity(texts.len());
    let mut i = 0;
    while i < texts.len() {
        let mut p = Printed {
            first: i,
            last: i,
            text: Cow::Borrowed(texts[i]),
            width: widths[i],
            run_in: false,
        };
        i += 1;
        // A run-in head opens a paragraph: the printed line before it ends a block.
        let may_run_in = out.last().is_none_or(|q: &Printed| ends_block(&q.text));
        while let Some((k, run_in)) = pieces_after(&p, &texts[i..], &widths[i..], full)
            .map(|k| (k, false))
            .or_else(|| {
                may_run_in
                    .then(|| run_in_piece(&p, &texts[i..], &widths[i..], full))
                    .flatten()
                    .map(|k| (k, true))
            })
        {
            p.run_in |= run_in;
            for j in i..i + k {
                p.text.to_mut().push_str(texts[j]);
                p.width += widths[j];
            }
            p.last = i + k - 1;
            i += k;
        }
        out.push(p);
    }
    out
}

/// A short sentence (a run-in head set in another face, `产业结构持续优化。`) whose
/// printed line goes on in the next text line: together they fill the line (or a first
/// line, two ems in), the rest ends without a stop, and the line after it is full.
fn run_in_piece(p: &Printed<'_>, next: &[&str], widths: &[f32], full: f32) -> Option<usize> {
    let (t, w) = (next.first()?, widths.first()?);
    let after = widths.get(1)?;
    if !text_ends_sentence(&p.text) || text_ends_sentence(t) || p.width > full / 2.0 {
        return None;
    }
    let exact = pure(&p.text) && pure(t);
    let tol = if exact { 0.6 } else { 1.6 };
    let sum = p.width + w;
    let sq = squeeze(&p.text) + squeeze(t);
    let fills = |target: f32| sum >= target - tol && sum <= target + tol + sq;
    ((fills(full - 2.0) || fills(full)) && *after >= full - tol - 1.0 && *w < full - 2.5)
        .then_some(1)
}

/// `（1）`, `(12)`, `（三）`: a point's number and nothing else.
fn bare_number(t: &str) -> bool {
    let Some(inner) = super::in_brackets(t) else {
        return false;
    };
    (1..=3).contains(&inner.chars().count())
        && inner
            .chars()
            .all(|c| c.is_ascii_digit() || "一二三四五六七八九十".contains(c))
}

/// How many of the next text lines are the rest of printed line `p`, if any.
fn pieces_after(p: &Printed<'_>, next: &[&str], widths: &[f32], full: f32) -> Option<usize> {
    let c = next.first()?.chars().next()?;
    // No printed line begins with `，` `：` `）` `”`: the converter broke inside one. (A
    // dash or an ellipsis may begin one.)
    if is_closing_punct(c) {
        return Some(1);
    }
    let stop = text_ends_sentence(&p.text);
    // `力。` / `（34）大力……`: after a stop, a numbered point opens a paragraph, whatever
    // the widths add up to (its first line, two ems in, plus a short last line fill one).
    // After a colon (`重点做好六个方面工作：` / `（一）……`) the points it announces open.
    let announces = p.text.ends_with(['：', ':']);
    if (stop || announces) && crate::normalize::joins::opens_point(next.first()?) {
        return None;
    }
    // `一、……关键时期` / `（1）` / `“十四五”时期……`: a point's number on a text line of its own
    // (split from the quote it runs into) after a line that ends on a character, not a
    // mark, is a heading's end and the point's start.
    let ends_on_char = p.text.chars().next_back().is_some_and(crate::cjk::is_han);
    if ends_on_char && bare_number(next.first()?) {
        return None;
    }
    // Most lines have no piece after them: the line's own measures wait for one.
    if !next.first()?.starts_with(is_opening_punct) {
        return None;
    }
    let mut sum = p.width;
    let mut text_pure = pure(&p.text);
    let mut sq = squeeze(&p.text);
    // Up to three pieces, each opening with a quote or bracket.
    for (k, (t, w)) in next.iter().zip(widths).take(3).enumerate() {
        if !t.starts_with(is_opening_punct) {
            return None;
        }
        sum += w;
        text_pure &= pure(t);
        sq += squeeze(t);
        let tol = if text_pure { 0.6 } else { 1.6 };
        let room = full + tol + sq;
        if sum > room {
            return None;
        }
        let fits = if stop {
            // After a full stop the next text may open a new paragraph with a quote: only
            // pieces that fill the line (or a first line, two ems in) make one line — and
            // not a piece that is a first line by itself and overfills the line with the
            // text before it (`确定性。` / `《建议》稿……`; `位。` + a first line's width is
            // one line), nor pieces left open before an indented line (`……提出意见。` /
            // `“十四五”时期……回顾` / `“十四五”时期内蒙古……`: a head between paragraphs).
            let first_alone =
                k == 0 && pure(t) && (w - (full - 2.0)).abs() <= 0.6 && sum > full + tol;
            let open_before_first = !text_ends_sentence(t)
                && next
                    .get(k + 1)
                    .zip(widths.get(k + 1))
                    .is_some_and(|(a, &aw)| {
                        let atol = if pure(a) { 0.6 } else { 1.6 };
                        (aw - (full - 2.0)).abs() <= atol && aw < full - 1.0
                    });
            if first_alone || open_before_first {
                return None;
            }
            sum >= full - 2.0 - tol
        } else {
            p.width < full - 1.0
        };
        if fits {
            return Some(k + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdftotext_pieces_joined() {
        let full = 20.0;
        let t = [
            "一二三四五六七八九十一二三，",
            "“四五六”七八九",
            "甲乙丙丁戊己庚辛壬癸甲乙丙丁戊己庚辛壬癸",
            "央视网消息（新闻联播）",
            "：第十四届全国人民代表大会",
        ];
        let p = printed_lines(&t, full);
        assert_eq!(p.len(), 3);
        assert_eq!((p[0].first, p[0].last), (0, 1));
        assert_eq!(
            p[2].text,
            "央视网消息（新闻联播）：第十四届全国人民代表大会"
        );
    }

    #[test]
    fn three_pieces_of_one_line() {
        let t = ["成运行。", "“手撕镍”", "“无氧铜”等技术替代。", "甲乙"];
        let p = printed_lines(&t, 20.0);
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(p[0].last, 2);
    }

    #[test]
    fn numbered_point_after_a_stop_is_no_piece() {
        // A one-character last line and the next point's first line add up to the measure.
        let t = ["力。", "（34）大力繁荣文化事业。营造良好"];
        assert_eq!(printed_lines(&t, 20.0).len(), 2);
    }

    #[test]
    fn numbered_head_after_a_colon_is_no_piece() {
        let t = [
            "重点做好六个方面工作：",
            "（一）全力办好国家大事，纵深推进京津冀协同发展",
        ];
        assert_eq!(printed_lines(&t, 32.0).len(), 2);
    }

    #[test]
    fn bare_point_number_after_a_head_opens_a_line() {
        // pdftotext splits the number from the quote it runs into.
        let t = [
            "一、“十五五”时期是基本实现社会主义现代化的关键时期",
            "（1）",
            "“十四五”时期我国发展取得重大成就。",
            "“十四五”时期我国发展历程极不",
            "寻常、极不平凡。面对错综复杂的国际形势和艰巨繁重的国内改革发展稳定任务，以",
        ];
        let p = printed_lines(&t, 35.0);
        assert_eq!(p.len(), 3, "{p:?}");
        assert_eq!((p[1].first, p[1].last), (1, 3));
    }

    #[test]
    fn tolerance_grows_with_what_is_estimated() {
        let p = |t: &str| printed_lines(&[t], 40.0).remove(0).tolerance();
        assert_eq!(p("法治天津、平安天津建设迈上更高水平。"), 0.6);
        // One Latin letter: its width and the spacing either side are estimates.
        assert!((p("连续获评A级，法治天津") - 0.95).abs() < 1e-4);
        assert_eq!(
            p("2025年四大主导产业［2］占GDP比重较2020年提高约14个百分点"),
            1.6
        );
        // Letters set apart: the spaces' width is unknown.
        assert_eq!(p("总 书 记 习 近 平 主"), 1.6);
    }

    #[test]
    fn quote_after_a_paragraph_end_opens_the_next() {
        // The next paragraph's first line, two ems in: 18 ems of a 20-em column.
        let t = ["一二三。", "“甲乙丙丁戊己庚辛壬癸甲乙丙丁戊己庚"];
        assert_eq!(printed_lines(&t, 20.0).len(), 2);
    }
}
