//! Where a Chinese headline may end a line, and which breaks to take. Shared by the PDF
//! layout, the EPUB cover and the EPUB markup, so all three break a headline alike.
//!
//! An editor sets a headline in phrases: the spaces in `勇挑大梁走在前 勇攀新高再出发` are
//! where a line ends. A phrase wider than the line breaks between words — found by jieba
//! (`jieba-rs`, its dictionary and HMM for names it does not list) — never inside a word,
//! a name or a book title `《…》` (a title longer than the line: between its words), and
//! never so that one character stands alone. Only a
//! single word wider than the line falls back to the per-character rules.

use crate::cjk;
use crate::headline_dict;

/// How good a place to end a line is, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Opportunity {
    /// At a space between phrases.
    Phrase,
    /// Between two words of a phrase.
    Word,
    /// Between two words inside a book title `《…》` (only when the title cannot stay whole).
    Title,
    /// Between two characters (only inside a word wider than the line).
    Char,
}

/// Is `c` a space that separates phrases (not the ideographic space, which is text)?
pub fn is_phrase_space(c: char) -> bool {
    c.is_whitespace() && c != '\u{3000}' && c != '\u{2028}'
}

/// For each character, the opportunity to end a line right after it (`None`: no break
/// there). `after` is the line-breaking rule of the caller for the character level
/// (kinsoku: no closing mark starts a line, no opening mark ends one, `——` stays whole);
/// word and phrase breaks obey it too.
pub fn opportunities(chars: &[char], after: &[bool]) -> Vec<Option<Opportunity>> {
    opportunities_with(chars, after, true)
}

/// [`opportunities`]; without `words` the segmenter is not asked (every break inside a
/// phrase counts as a character break): enough to try the phrase breaks alone.
fn opportunities_with(chars: &[char], after: &[bool], words: bool) -> Vec<Option<Opportunity>> {
    let n = chars.len();
    let mut out = vec![None; n];
    if n < 2 {
        return out;
    }
    let words = if words {
        word_starts(chars)
    } else {
        vec![false; n + 1]
    };
    // Inside `《…》` no break at all (book and document titles stay whole).
    let mut depth = 0usize;
    // Characters that count towards "not alone on a line": not spaces, not punctuation.
    let solid = |c: char| !is_phrase_space(c) && !cjk::is_cjk_punct(c);
    let total_solid = chars.iter().filter(|c| solid(**c)).count();
    let mut solid_before = 0usize;
    for i in 0..n - 1 {
        let c = chars[i];
        match c {
            // An unclosed `《` (a title cut short) protects nothing.
            '《' if chars[i + 1..].contains(&'》') => depth += 1,
            '》' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if solid(c) {
            solid_before += 1;
        }
        let next = chars[i + 1];
        let allowed = after.get(i).copied().unwrap_or(false);
        if is_phrase_space(c) {
            // The space itself is where the line ends (it is not drawn there).
            if !is_phrase_space(next) && depth == 0 && !cjk::no_line_start(next) {
                out[i] = Some(Opportunity::Phrase);
            }
            continue;
        }
        if is_phrase_space(next) || !allowed {
            continue;
        }
        // One character alone at the start or the end of the headline: never.
        if solid_before < 2 || total_solid - solid_before < 2 {
            continue;
        }
        out[i] = if depth > 0 {
            words[i + 1].then_some(Opportunity::Title)
        } else if words[i + 1] {
            Some(Opportunity::Word)
        } else {
            Some(Opportunity::Char)
        };
    }
    out
}

/// `starts[k]`: a word starts at character `k` (jieba's segmentation, HMM on so that an
/// unlisted name stays one word). A person's name that jieba gives as surname + given
/// name (`乔 / 俊杰`: a single character next to a word tagged as a name) stays whole.
fn word_starts(chars: &[char]) -> Vec<bool> {
    let text: String = chars.iter().collect();
    let mut starts = vec![false; chars.len() + 1];
    // A segmenter holding only this headline's dictionary words: the same cut as the full
    // dictionary's, without loading it (crate::headline_dict).
    let jieba = headline_dict::segmenter_for(&text);
    let tags = jieba.tag(&text, true);
    let is_name = |i: usize| tags.get(i).is_some_and(|t| t.tag.starts_with("nr"));
    let single = |i: usize| {
        tags.get(i)
            .is_some_and(|t| t.word.chars().count() == 1 && t.word.chars().all(cjk::is_han))
    };
    let mut k = 0;
    for (i, t) in tags.iter().enumerate() {
        let name_part = i > 0 && ((single(i - 1) && is_name(i)) || (is_name(i - 1) && single(i)));
        if !name_part {
            starts[k] = true;
        }
        k += t.word.chars().count();
    }
    starts[chars.len()] = true;
    starts
}

/// Chooses where a headline of characters `chars` (advances `widths`, in any unit) breaks
/// into lines no wider than `measure`: as few lines as the allowed breaks permit, phrase
/// breaks before word breaks, word breaks before character breaks, lines as even as
/// possible, no line of one character. Returns the indices after which a line ends
/// (spaces at a break are the caller's to drop).
pub fn choose(chars: &[char], widths: &[f32], after: &[bool], measure: f32) -> Vec<usize> {
    let n = chars.len();
    if n == 0 || line_width(chars, widths, 0, n - 1) <= measure + EPS {
        return Vec::new();
    }
    // The segmenter (loaded once per process, about 0.1 s) only when the phrases do not do.
    let cheap = opportunities_with(chars, after, false);
    if let Some(b) = phrases_alone(chars, widths, &cheap, measure) {
        return b;
    }
    let ops = opportunities(chars, after);
    choose_from(chars, widths, &ops, measure)
}

/// The best breaks at phrase spaces alone, when every phrase fits the line.
fn phrases_alone(
    chars: &[char],
    widths: &[f32],
    ops: &[Option<Opportunity>],
    measure: f32,
) -> Option<Vec<usize>> {
    let phrase_only: Vec<Option<Opportunity>> = ops
        .iter()
        .map(|o| o.filter(|o| *o == Opportunity::Phrase))
        .collect();
    let any_phrase = phrase_only.iter().any(Option::is_some);
    if any_phrase && pieces_fit(chars, widths, &phrase_only, measure) {
        best(chars, widths, &phrase_only, measure)
    } else {
        None
    }
}

/// [`choose`] with the opportunities already computed.
pub fn choose_from(
    chars: &[char],
    widths: &[f32],
    ops: &[Option<Opportunity>],
    measure: f32,
) -> Vec<usize> {
    let n = chars.len();
    if n == 0 || line_width(chars, widths, 0, n - 1) <= measure + EPS {
        return Vec::new();
    }
    // Phrase breaks alone when every phrase fits; else words too; a word wider than the
    // line also opens its character breaks.
    if let Some(b) = phrases_alone(chars, widths, ops, measure) {
        return b;
    }
    let words: Vec<Option<Opportunity>> = ops
        .iter()
        .map(|o| o.filter(|o| matches!(o, Opportunity::Phrase | Opportunity::Word)))
        .collect();
    // Everything but the breaks inside a book title.
    let untitled: Vec<Option<Opportunity>> = ops
        .iter()
        .map(|o| o.filter(|o| *o != Opportunity::Title))
        .collect();
    if pieces_fit(chars, widths, &words, measure) {
        if let Some(b) = best(chars, widths, &words, measure) {
            return b;
        }
    }
    let mut opened = words.clone();
    for (s, e) in pieces(&words) {
        if line_width(chars, widths, s, e) > measure + EPS {
            opened[s..e].copy_from_slice(&untitled[s..e]);
        }
    }
    best(chars, widths, &opened, measure)
        // A book title a little wider than the line stays whole (set a little tight).
        .or_else(|| best(chars, widths, &untitled, measure * 1.25))
        // A longer one breaks between its words.
        .or_else(|| best(chars, widths, ops, measure))
        .or_else(|| {
            // Nothing fits (a book title longer than the line): any break the line-breaking
            // rules allow, so no character runs off the page.
            let after = crate::layout::linebreak::break_after(chars);
            let any: Vec<Option<Opportunity>> = ops
                .iter()
                .enumerate()
                .map(|(i, o)| {
                    o.or(after
                        .get(i)
                        .copied()
                        .unwrap_or(false)
                        .then_some(Opportunity::Char))
                })
                .collect();
            best(chars, widths, &any, measure)
        })
        .or_else(|| best(chars, widths, ops, f32::INFINITY))
        .unwrap_or_default()
}

const EPS: f32 = 0.01;

/// Width of the line from `s` to `e` inclusive, spaces at either end not counted.
fn line_width(chars: &[char], widths: &[f32], s: usize, e: usize) -> f32 {
    let (mut s, mut e) = (s, e);
    while s < e && is_phrase_space(chars[s]) {
        s += 1;
    }
    while e > s && is_phrase_space(chars[e]) {
        e -= 1;
    }
    if is_phrase_space(chars[s]) {
        return 0.0;
    }
    widths[s..=e].iter().sum()
}

/// The unbreakable pieces between the given opportunities, as inclusive ranges.
fn pieces(ops: &[Option<Opportunity>]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut s = 0;
    for (i, o) in ops.iter().enumerate() {
        if o.is_some() || i + 1 == ops.len() {
            out.push((s, i));
            s = i + 1;
        }
    }
    out
}

fn pieces_fit(chars: &[char], widths: &[f32], ops: &[Option<Opportunity>], measure: f32) -> bool {
    pieces(ops)
        .into_iter()
        .all(|(s, e)| line_width(chars, widths, s, e) <= measure + EPS)
}

/// The best set of breaks among `ops` (dynamic programming over break positions): fewest
/// lines, then least cost — each line's squared distance from the mean line width, plus a
/// penalty for each break weaker than a phrase break. A line holding a single character
/// (punctuation aside) is not allowed while the headline has more than one.
fn best(
    chars: &[char],
    widths: &[f32],
    ops: &[Option<Opportunity>],
    measure: f32,
) -> Option<Vec<usize>> {
    let n = chars.len();
    let solid = |c: char| !is_phrase_space(c) && !cjk::is_cjk_punct(c);
    let mut solid_prefix = vec![0usize; n + 1];
    for (i, c) in chars.iter().enumerate() {
        solid_prefix[i + 1] = solid_prefix[i] + usize::from(solid(*c));
    }
    let em = widths
        .iter()
        .zip(chars)
        .filter(|(_, c)| solid(**c))
        .map(|(w, _)| *w)
        .fold(0.0f32, f32::max)
        .max(EPS);
    // Candidate line ends: every opportunity, and the end.
    let ends: Vec<usize> = (0..n).filter(|&i| i + 1 == n || ops[i].is_some()).collect();
    let ok = |s: usize, e: usize| {
        let w = line_width(chars, widths, s, e);
        let lone = solid_prefix[e + 1] - solid_prefix[s] < 2 && solid_prefix[n] >= 2;
        (w <= measure + EPS && !lone).then_some(w)
    };
    let penalty = |e: usize| match ops.get(e).copied().flatten() {
        // Before `第` or after `的和与及、` a word break is a phrase edge a reader expects
        // (`…武进区 / 第十三届委员会…`): preferred to a more even break elsewhere.
        Some(Opportunity::Word)
            if "的和与及、".contains(chars[e]) || chars.get(e + 1) == Some(&'第') =>
        {
            -6.0
        }
        Some(Opportunity::Word) => 2.0,
        Some(Opportunity::Title) => 10.0,
        Some(Opportunity::Char) => 40.0,
        _ => 0.0,
    };
    let total = line_width(chars, widths, 0, n - 1);
    // Balancing is quadratic in the candidates: a headline of more than a dozen lines (a
    // pathological title) is filled greedily instead, each line as full as it goes.
    if total > MAX_BALANCED_LINES as f32 * measure || n > MAX_BALANCED_CHARS {
        return greedy(&ends, n, ok);
    }
    // Try 2, 3, … lines: the first count that admits a layout wins.
    for lines in 2..=n {
        let mean = total / lines as f32;
        // cost[k][j]: best cost of k lines ending at ends[j]; from: previous end index.
        let m = ends.len();
        let mut cost = vec![vec![f32::INFINITY; m]; lines + 1];
        let mut from = vec![vec![usize::MAX; m]; lines + 1];
        for (j, &e) in ends.iter().enumerate() {
            if let Some(w) = ok(0, e) {
                cost[1][j] = ((w - mean) / em).powi(2) + penalty(e);
            }
        }
        for k in 2..=lines {
            for j in 0..m {
                for p in 0..j {
                    if !cost[k - 1][p].is_finite() {
                        continue;
                    }
                    let Some(w) = ok(ends[p] + 1, ends[j]) else {
                        continue;
                    };
                    let c = cost[k - 1][p] + ((w - mean) / em).powi(2) + penalty(ends[j]);
                    if c < cost[k][j] {
                        cost[k][j] = c;
                        from[k][j] = p;
                    }
                }
            }
        }
        if cost[lines][m - 1].is_finite() {
            let mut breaks = Vec::new();
            let (mut k, mut j) = (lines, m - 1);
            while k > 1 {
                j = from[k][j];
                breaks.push(ends[j]);
                k -= 1;
            }
            breaks.reverse();
            return Some(breaks);
        }
        if lines > 12 {
            break;
        }
    }
    None
}

/// Lines past which a headline is filled greedily, not balanced.
const MAX_BALANCED_LINES: usize = 12;
/// Characters past which a headline is filled greedily (the balancing costs grow with the
/// square of the break candidates).
const MAX_BALANCED_CHARS: usize = 400;

/// Breaks at the last allowed end that still fits each line; a line that fits nowhere
/// ends at the first candidate.
fn greedy(
    ends: &[usize],
    n: usize,
    ok: impl Fn(usize, usize) -> Option<f32>,
) -> Option<Vec<usize>> {
    let mut breaks = Vec::new();
    let mut start = 0;
    let mut j = 0;
    while j < ends.len() && ends[j] + 1 < n {
        // The furthest end from `start` that fits; widths grow with the end, so stop at
        // the first that does not (after at least one).
        let mut last = None;
        let mut k = j;
        while k < ends.len() && ends[k] + 1 < n {
            if ok(start, ends[k]).is_some() {
                last = Some(k);
            } else if last.is_some() {
                break;
            }
            k += 1;
            if k - j > 512 {
                break;
            }
        }
        let pick = last.unwrap_or(j);
        // The rest fits on one line: done.
        if ok(start, n - 1).is_some() {
            break;
        }
        breaks.push(ends[pick]);
        start = ends[pick] + 1;
        j = pick + 1;
    }
    Some(breaks)
}

/// A headline broken into lines of text, for callers that only measure strings (the
/// cover): `width` gives a character's advance.
pub fn break_text(text: &str, measure: f32, width: impl Fn(char) -> f32) -> Vec<String> {
    let chars: Vec<char> = text.trim().chars().collect();
    let widths: Vec<f32> = chars.iter().map(|c| width(*c)).collect();
    let after = crate::layout::linebreak::break_after(&chars);
    let breaks = choose(&chars, &widths, &after, measure);
    let mut out = Vec::new();
    let mut s = 0;
    for e in breaks
        .into_iter()
        .chain(std::iter::once(chars.len().saturating_sub(1)))
    {
        if s > e || e >= chars.len() {
            continue;
        }
        let line: String = chars[s..=e].iter().collect();
        out.push(line.trim().to_string());
        s = e + 1;
    }
    out.retain(|l| !l.is_empty());
    out
}

/// Characters of a phrase that never needs a word break in the EPUB.
const SHORT_PHRASE: usize = 8;

/// A headline as XHTML for the EPUB: each phrase a `<span class="phrase">` (the style sheet
/// keeps it on one line while it fits: `display: inline-block`), `<wbr/>` at the word
/// breaks inside a phrase (the style sheet's `word-break: keep-all` allows no other), the
/// phrase spaces kept. `escape` makes text safe for XHTML.
pub fn xhtml(text: &str, escape: impl Fn(&str) -> String) -> String {
    let chars: Vec<char> = text.trim().chars().collect();
    let after = crate::layout::linebreak::break_after(&chars);
    // A phrase of up to 8 characters fits a phone's line at headline size: it needs no
    // word breaks (and the segmenter is not loaded for it).
    let long = chars
        .split(|c| is_phrase_space(*c))
        .any(|p| p.len() > SHORT_PHRASE);
    let ops = opportunities_with(&chars, &after, long);
    let phrases = chars.iter().any(|c| is_phrase_space(*c));
    let mut out = String::new();
    let mut run = String::new();
    let mut open = false;
    for (i, &c) in chars.iter().enumerate() {
        if is_phrase_space(c) {
            out.push_str(&escape(&run));
            run.clear();
            if open {
                out.push_str("</span>");
                open = false;
            }
            if !out.ends_with(' ') {
                out.push(' ');
            }
            continue;
        }
        if phrases && !open {
            out.push_str(&escape(&run));
            run.clear();
            out.push_str("<span class=\"phrase\">");
            open = true;
        }
        run.push(c);
        if ops[i] == Some(Opportunity::Word) {
            out.push_str(&escape(&run));
            run.clear();
            out.push_str("<wbr/>");
        }
    }
    out.push_str(&escape(&run));
    if open {
        out.push_str("</span>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str, ems: f32) -> Vec<String> {
        break_text(text, ems, |c| if c.is_ascii() { 0.5 } else { 1.0 })
    }

    fn marked(text: &str) -> String {
        let chars: Vec<char> = text.chars().collect();
        let after = crate::layout::linebreak::break_after(&chars);
        let ops = opportunities(&chars, &after);
        let mut out = String::new();
        for (c, o) in chars.iter().zip(ops) {
            out.push(*c);
            match o {
                Some(Opportunity::Word) => out.push('|'),
                Some(Opportunity::Phrase) => out.push('/'),
                _ => {}
            }
        }
        out
    }

    #[test]
    fn word_boundaries_from_the_dictionary() {
        let m = marked("研究部署党风廉政建设和反腐败工作");
        assert!(!m.contains("工|作") && !m.contains("廉|政"), "{m}");
        let m = marked("习近平主持会议");
        assert!(!m.contains("习|近") && !m.contains("近|平"), "{m}");
        let m = marked("学习《习近平著作选读》");
        assert!(!m.contains("《习|"), "{m}");
        let m = marked("区委常委会主持会议 乔俊杰作报告");
        assert!(!m.contains("乔|"), "{m}");
    }

    #[test]
    fn xhtml_marks_phrases_and_word_breaks() {
        let x = xhtml(
            "勇挑大梁走在前 学习《习近平著作选读》",
            |t| t.replace('<', "&lt;"),
        );
        assert!(x.starts_with("<span class=\"phrase\">勇挑"), "{x}");
        assert!(
            x.contains("</span> <span class=\"phrase\">学习<wbr/>《习近平著作选读》</span>"),
            "{x}"
        );
        assert_eq!(
            xhtml("习近平主持会议", |t| t.to_string()).replace("<wbr/>", ""),
            "习近平主持会议"
        );
        assert!(!xhtml("习近平主持会议", |t| t.to_string()).contains("习<wbr/>"));
    }

    #[test]
    fn phrases_first_and_balanced() {
        assert_eq!(
            lines("勇挑大梁走在前 勇攀新高再出发 奋力推进高质量发展", 16.0),
            ["勇挑大梁走在前 勇攀新高再出发", "奋力推进高质量发展"]
        );
        assert_eq!(lines("奋楫扬帆启新程", 20.0), ["奋楫扬帆启新程"]);
    }

    #[test]
    fn a_long_phrase_breaks_between_words_never_one_character_alone() {
        let l = lines("研究部署党风廉政建设和反腐败工作", 15.0);
        assert_eq!(l.len(), 2, "{l:?}");
        assert!(l.iter().all(|x| x.chars().count() > 1));
        assert!(!l[0].ends_with('工'), "{l:?}");
        let l = lines("学习《习近平著作选读》", 8.0);
        assert_eq!(l, ["学习", "《习近平著作选读》"]);
    }

    #[test]
    fn a_book_title_longer_than_the_line_breaks_between_its_words() {
        let text = "习近平关于《中共中央关于制定国民经济和社会发展第十五个五年规划的建议》的说明";
        let l = lines(text, 19.0);
        assert!(l.len() >= 2, "{l:?}");
        assert_eq!(l.concat(), text);
        let mut ends = std::collections::HashSet::new();
        let mut k = 0;
        for w in headline_dict::segmenter_for(text).cut(text, true) {
            k += w.chars().count();
            ends.insert(k);
        }
        let mut k = 0;
        for line in &l[..l.len() - 1] {
            k += line.chars().count();
            assert!(ends.contains(&k), "a break inside a word: {l:?}");
        }
    }
}
