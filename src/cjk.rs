//! Chinese text rules shared by the normalizer, the model builder and the layout:
//! character classes, the line-start / line-end tables (W3C clreq), punctuation
//! widths and paragraph kinds. One table, used everywhere.

use crate::model::ParaKind;

/// A Han ideograph (CJK Unified Ideographs, extensions, compatibility) or 〇.
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2A6DF
        | 0x2A700..=0x2EBEF | 0x2F800..=0x2FA1F | 0x30000..=0x323AF)
        || c == '〇'
}

/// CJK and full-width punctuation and symbols (Chinese punctuation, including the
/// curly quotes, dashes and ellipsis as Chinese text uses them).
pub fn is_cjk_punct(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x303F | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65 | 0xFE10..=0xFE1F | 0xFE30..=0xFE4F)
        || matches!(
            c,
            '“' | '”'
                | '‘'
                | '’'
                | '—'
                | '…'
                | '·'
                | '•'
                | '□'
                | '■'
                | '△'
                | '▲'
                | '○'
                | '●'
                | '★'
                | '☆'
                | '※'
        )
}

/// Characters that make their neighbourhood "Chinese": Han, kana, bopomofo, CJK punctuation.
pub fn is_cjk(c: char) -> bool {
    is_han(c)
        || is_cjk_punct(c)
        || matches!(c as u32, 0x3040..=0x30FF | 0x3100..=0x312F | 0x31A0..=0x31BF | 0xAC00..=0xD7AF)
}

/// Full-width forms of ASCII letters and digits (ＡＢＣ１２３).
pub fn is_fullwidth_alnum(c: char) -> bool {
    matches!(c as u32, 0xFF10..=0xFF19 | 0xFF21..=0xFF3A | 0xFF41..=0xFF5A)
}

/// Must not start a line (clreq: closing brackets, pause and stop marks, and the like).
pub const NO_LINE_START: &str = "，。、；：？！）》」』】〕〗〙〛｝］〉”’…—～·‥・%‰℃．,.;:?!)]}";

/// Must not end a line (clreq: opening brackets and quotes).
pub const NO_LINE_END: &str = "（《「『【〔〖〘〚｛［〈“‘([{";

// `matches!`, not a search of a string: these run once a character in the line breaker,
// where the searches cost a twentieth of a sample PDF's CPU. A test holds the two below
// to their strings.
pub fn no_line_start(c: char) -> bool {
    is_closing_punct(c)
        || matches!(
            c,
            '…' | '—'
                | '～'
                | '·'
                | '‥'
                | '・'
                | '%'
                | '‰'
                | '℃'
                | '．'
                | ','
                | '.'
                | ';'
                | ':'
                | '?'
                | '!'
                | ')'
                | ']'
                | '}'
        )
}

pub fn no_line_end(c: char) -> bool {
    is_opening_punct(c) || matches!(c, '(' | '[' | '{')
}

/// Punctuation whose glyph occupies the left half of its em box (the right half is blank):
/// closing brackets and the pause/stop marks. Two such marks in a row, or one before an
/// opening bracket, can give up the blank half (punctuation compression).
pub fn is_closing_punct(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '；'
            | '：'
            | '？'
            | '！'
            | '）'
            | '》'
            | '」'
            | '』'
            | '】'
            | '〕'
            | '〗'
            | '〙'
            | '〛'
            | '｝'
            | '］'
            | '〉'
            | '”'
            | '’'
    )
}

/// Punctuation whose glyph sits in the right half of its em box (left half blank).
pub fn is_opening_punct(c: char) -> bool {
    matches!(
        c,
        '（' | '《'
            | '「'
            | '『'
            | '【'
            | '〔'
            | '〖'
            | '〘'
            | '〚'
            | '｛'
            | '［'
            | '〈'
            | '“'
            | '‘'
    )
}

/// Marks a sentence can end with. A paragraph ending in one of these is complete.
pub fn ends_sentence(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '!' | '?' | '…')
}

/// Characters that may close a sentence after its final mark: `。”` `！）`.
pub fn is_trailing_closer(c: char) -> bool {
    matches!(c, '”' | '’' | '」' | '』' | '）' | ')' | '》' | '】')
}

/// Two-character sequences never split across lines: `——` and `……`.
pub fn is_inseparable_pair(a: char, b: char) -> bool {
    (a == '—' && b == '—') || (a == '…' && b == '…') || (a == '‥' && b == '‥')
}

/// Does the text end a sentence (allowing closing quotes/brackets after the final mark)?
pub fn text_ends_sentence(text: &str) -> bool {
    let mut it = text
        .trim_end()
        .chars()
        .rev()
        .skip_while(|&c| is_trailing_closer(c));
    it.next().is_some_and(ends_sentence)
}

/// Is a soft line break between `before` and `after` a space? Not between Chinese characters.
pub fn soft_break_is_space(before: Option<char>, after: Option<char>) -> bool {
    match (before, after) {
        (Some(b), Some(a)) => !(is_cjk(b) || is_cjk(a)),
        _ => false,
    }
}

/// Kind of a paragraph from its text, by the conventions of Chinese newspapers.
pub fn paragraph_kind(text: &str) -> ParaKind {
    let t = text.trim();
    let chars = t.chars().count();
    if t.starts_with("——") {
        // `——2026年2月3日在……会议上` under a title vs. `——聚焦……` list-like paragraphs.
        let rest: String = t.chars().skip(2).take(12).collect();
        if rest.chars().next().is_some_and(|c| c.is_ascii_digit())
            && rest.contains('年')
            && !t.contains('。')
        {
            return ParaKind::Dateline;
        }
        return ParaKind::DashLead;
    }
    if chars <= 30
        && (t.ends_with('：') || t.ends_with(':'))
        && !t.contains('。')
        && !t.contains('，')
    {
        return ParaKind::Salutation;
    }
    if chars <= 40 && is_numbered_head(t) && !t.ends_with('。') {
        return ParaKind::NumberedHead;
    }
    ParaKind::Body
}

/// A note in brackets printed under a document's title: its adoption or date
/// (`（2023年2月28日中国共产党第二十届中央委员会第二次全体会议通过）`). Set centred, as
/// the headline's note, when it is an article's first paragraph.
pub fn is_title_note(text: &str) -> bool {
    let t = text.trim();
    let Some(inner) = t
        .strip_prefix('（')
        .and_then(|r| r.strip_suffix('）'))
        .or_else(|| t.strip_prefix('(').and_then(|r| r.strip_suffix(')')))
    else {
        return false;
    };
    inner.chars().count() <= 80
        && !inner.contains(['。', '（', '）', '(', ')'])
        && inner.contains('年')
        && (inner.contains('日') || inner.contains("通过"))
        && inner
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || "〇一二".contains(c))
}

/// `（一）`, `(二)`, `一、`, `1.` style numbering at the start of a short sub-head.
pub fn is_numbered_head(t: &str) -> bool {
    const NUMS: &str = "一二三四五六七八九十百零〇0123456789";
    let digits = |s: &str| {
        s.chars()
            .take_while(|c| NUMS.contains(*c))
            .map(char::len_utf8)
            .sum::<usize>()
    };
    if let Some(rest) = t.strip_prefix('（').or_else(|| t.strip_prefix('(')) {
        let n = digits(rest);
        n > 0 && rest[n..].starts_with(['）', ')'])
    } else {
        let n = digits(t);
        n > 0 && t[n..].starts_with('、')
    }
}

/// A byline: `□ 本报评论员`, `■本报记者 张三`, `本报记者 张三 通讯员 李四`.
pub fn is_byline(text: &str) -> bool {
    let t = text.trim();
    let n = t.chars().count();
    if n == 0 || n > 40 || t.chars().any(|c| "。！？；".contains(c)) {
        return false;
    }
    t.starts_with(['□', '■', '◎', '●', '○', '△', '▲'])
        || t.starts_with("本报记者")
        || t.starts_with("本报评论员")
        || t.starts_with("本报特约评论员")
        || t.starts_with("记者")
        || t.starts_with("文/")
        || t.starts_with("文／")
}

/// The vertical presentation form of a mark (Unicode's Vertical Forms and CJK
/// Compatibility Forms blocks), whose glyph a font without a `vert` feature draws
/// already turned and placed for a vertical line (`、。` in the upper right).
pub fn vertical_form(c: char) -> Option<char> {
    let v = match c {
        '，' => '\u{FE10}',
        '、' => '\u{FE11}',
        '。' => '\u{FE12}',
        '：' => '\u{FE13}',
        '；' => '\u{FE14}',
        '！' => '\u{FE15}',
        '？' => '\u{FE16}',
        '〖' => '\u{FE17}',
        '〗' => '\u{FE18}',
        '…' => '\u{FE19}',
        '‥' => '\u{FE30}',
        '—' => '\u{FE31}',
        '–' => '\u{FE32}',
        '＿' => '\u{FE33}',
        '（' => '\u{FE35}',
        '）' => '\u{FE36}',
        '｛' => '\u{FE37}',
        '｝' => '\u{FE38}',
        '〔' => '\u{FE39}',
        '〕' => '\u{FE3A}',
        '【' => '\u{FE3B}',
        '】' => '\u{FE3C}',
        '《' => '\u{FE3D}',
        '》' => '\u{FE3E}',
        '〈' => '\u{FE3F}',
        '〉' => '\u{FE40}',
        '「' => '\u{FE41}',
        '」' => '\u{FE42}',
        '『' => '\u{FE43}',
        '』' => '\u{FE44}',
        '［' => '\u{FE47}',
        '］' => '\u{FE48}',
        _ => return None,
    };
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_start_and_end_classes_are_their_strings() {
        for c in (0..0x1_0000u32).filter_map(char::from_u32) {
            assert_eq!(no_line_start(c), NO_LINE_START.contains(c), "{c}");
            assert_eq!(no_line_end(c), NO_LINE_END.contains(c), "{c}");
        }
    }

    #[test]
    fn classes() {
        assert!(is_han('务') && is_han('𠀀') && !is_han('，'));
        assert!(is_cjk('，') && is_cjk('“') && is_cjk('—') && !is_cjk('a') && !is_cjk(','));
        assert!(no_line_start('，') && no_line_start('”') && !no_line_start('“'));
        assert!(no_line_end('“') && no_line_end('（') && !no_line_end('”'));
    }

    #[test]
    fn sentence_end() {
        assert!(text_ends_sentence("好。"));
        assert!(text_ends_sentence("他说：“好。”"));
        assert!(!text_ends_sentence("规划目标任"));
        assert!(!text_ends_sentence("“四个新”"));
        assert!(!text_ends_sentence("进行重点突破："));
    }

    #[test]
    fn soft_breaks() {
        assert!(!soft_break_is_space(Some('任'), Some('务')));
        assert!(!soft_break_is_space(Some('a'), Some('务')));
        assert!(soft_break_is_space(Some('a'), Some('b')));
    }

    #[test]
    fn kinds() {
        assert_eq!(
            paragraph_kind("——聚焦“万亿之城再出发”，持续提升。"),
            ParaKind::DashLead
        );
        assert_eq!(
            paragraph_kind("——2026年2月3日在省十四届人大四次会议上"),
            ParaKind::Dateline
        );
        assert_eq!(paragraph_kind("各位代表："), ParaKind::Salutation);
        assert!(is_title_note(
            "（2023年2月28日中国共产党第二十届中央委员会第二次全体会议通过）"
        ));
        assert!(is_title_note("（2026年1月12日在省十四届人大五次会议上）"));
        assert!(!is_title_note("（一）坚持创新驱动"));
        assert!(!is_title_note("（记者 朱梦琪）"));
        assert_eq!(paragraph_kind("（一）坚持创新驱动"), ParaKind::NumberedHead);
        assert_eq!(paragraph_kind("一、过去一年的工作"), ParaKind::NumberedHead);
        assert_eq!(paragraph_kind("全会指出，明年是关键一年。"), ParaKind::Body);
        assert!(is_byline("□ 本报评论员"));
        assert!(!is_byline("本报讯 (记者 朱梦琪) 昨天上午,中国共产党常州市武进区第十三届委员会第六次全体会议在区行政中心召开。"));
    }
}
