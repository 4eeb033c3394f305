//! Where a line may break: UAX #14 (`unicode-linebreak`) inside Latin words and numbers,
//! and the Chinese rules (clreq) wherever a Chinese character or curly quote is involved.
//! UAX #14 forbids breaks on *both* sides of `“` and `”` (they are ambiguous quotation
//! marks there), which blocks valid breaks in Chinese text such as `说：“好。”|然后`;
//! so next to Chinese text the line-start / line-end tables of `cjk` decide instead.

use crate::cjk;

/// Line separator used inside paragraph text for a hard line break.
pub const HARD_BREAK: char = '\u{2028}';

/// For each character, may a line end right after it? The last entry is always true.
pub fn break_after(chars: &[char]) -> Vec<bool> {
    let n = chars.len();
    let mut out = vec![false; n];
    if n == 0 {
        return out;
    }
    let text: String = chars.iter().collect();
    // UAX #14 opportunities, as "break before char index k".
    let mut uax = vec![false; n + 1];
    let mut byte_to_char = vec![0usize; text.len() + 1];
    for (ci, (bi, _)) in text.char_indices().enumerate() {
        byte_to_char[bi] = ci;
    }
    byte_to_char[text.len()] = n;
    for (bi, _) in unicode_linebreak::linebreaks(&text) {
        if let Some(&k) = byte_to_char.get(bi) {
            if let Some(u) = uax.get_mut(k) {
                *u = true;
            }
        }
    }
    for i in 0..n - 1 {
        let (a, b) = (chars[i], chars[i + 1]);
        out[i] = if a == HARD_BREAK {
            true
        } else if b == HARD_BREAK || b.is_whitespace() {
            false
        } else if a.is_whitespace() {
            // After a space, unless the next character may not start a line.
            !cjk::no_line_start(b)
        } else if chinese_context(a) || chinese_context(b) {
            !cjk::no_line_start(b) && !cjk::no_line_end(a) && !cjk::is_inseparable_pair(a, b)
        } else {
            uax[i + 1]
        };
    }
    out[n - 1] = true;
    out
}

/// Characters next to which the Chinese rules apply (curly quotes included: in Chinese
/// text they are full-width punctuation, not ambiguous quotation marks).
fn chinese_context(c: char) -> bool {
    cjk::is_cjk(c) || cjk::is_fullwidth_alnum(c) || matches!(c, '“' | '”' | '‘' | '’')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breaks(s: &str) -> String {
        let chars: Vec<char> = s.chars().collect();
        let b = break_after(&chars);
        let mut out = String::new();
        for (c, br) in chars.iter().zip(&b) {
            out.push(*c);
            if *br {
                out.push('|');
            }
        }
        out
    }

    #[test]
    fn between_hanzi_and_around_punctuation() {
        assert_eq!(breaks("全会指出，明年"), "全|会|指|出，|明|年|");
        assert_eq!(breaks("《决议》的"), "《决|议》|的|");
    }

    #[test]
    fn chinese_curly_quotes_break_outside_not_inside() {
        // unicode-linebreak alone would allow no break before “ or after ”.
        assert_eq!(breaks("说：“好。”然后"), "说：|“好。”|然|后|");
        assert_eq!(breaks("落实“532”战略"), "落|实|“532”|战|略|");
    }

    #[test]
    fn dashes_and_ellipses_stay_together() {
        assert_eq!(breaks("甲——乙"), "甲——|乙|");
        assert_eq!(breaks("甲……乙"), "甲……|乙|");
    }

    #[test]
    fn latin_words_and_numbers_unbroken() {
        assert_eq!(breaks("GDP 能耗"), "GDP |能|耗|");
        assert_eq!(breaks("增长6.5%左右"), "增|长|6.5%|左|右|");
        assert_eq!(breaks("the quick fox"), "the |quick |fox|");
        assert_eq!(breaks("3240亿元"), "3240|亿|元|");
    }
}
