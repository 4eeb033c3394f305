//! The forms page furniture takes in a Chinese newspaper, read from one line: folios
//! (`3`, `第3版`, `第 3 版`, `- 3 -`, `— 3 —`, `A3版`), running heads (paper name, date,
//! weekday, issue number, section name — `3 要闻`, `要闻 3`, `第3版：要闻`, `报名·版名`), in
//! any order, wrapped in the markup converters add (`<u>…</u>`, `**…**`, a heading marker,
//! a table row). A line is *strong* furniture by its form alone, *weak* when its form only
//! says "a short label" and the issue must show it recurring at page breaks.

use crate::cjk::is_han;

/// What a line of furniture said.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Parsed {
    /// Furniture by its form alone (a folio, `第3版`, a date with its weekday or paper…).
    pub strong: bool,
    /// A bare page number (`3`): trusted only where it stands apart from the text.
    pub bare_number: bool,
    /// A lone date: a dateline or signature looks the same, so only recurrence decides.
    pub lone_date: bool,
    /// A jump line (`（下转第2版）`) standing alone.
    pub jump: bool,
    /// Holds a date (its names are then the paper's, not a section's).
    pub dated: bool,
    pub page: Option<u32>,
    /// Section (版名) names and paper names the line holds.
    pub names: Vec<String>,
    pub paper: Option<String>,
}

/// The line without the markup converters wrap furniture in: a heading marker,
/// `<u>`/`<b>`/`<span…>` tags, `**`/`__`/`*` emphasis, table pipes, full-width digits.
pub(crate) fn core(line: &str) -> String {
    let mut t = line.trim();
    let hashes = t.bytes().take_while(|&b| b == b'#').count();
    if hashes > 0 && hashes <= 6 && t[hashes..].starts_with([' ', '\t']) {
        t = t[hashes..].trim_start();
    }
    let mut out = String::with_capacity(t.len());
    let mut rest = t;
    while let Some(c) = rest.chars().next() {
        if c == '<' {
            // An inline tag (`<u>`, `</u>`, `<span style=…>`): dropped whole.
            if let Some(end) = rest.find('>') {
                let tag = &rest[1..end];
                if tag.len() <= 40
                    && tag
                        .trim_start_matches('/')
                        .starts_with(|c: char| c.is_ascii_alphabetic())
                {
                    rest = &rest[end + 1..];
                    continue;
                }
            }
        }
        rest = &rest[c.len_utf8()..];
        match c {
            '*' | '_' | '`' => {}
            '|' => out.push(' '),
            '０'..='９' => out.push(char::from(b'0' + (c as u32 - '０' as u32) as u8)),
            _ => out.push(c),
        }
    }
    out.trim().to_string()
}

fn is_sep(c: char) -> bool {
    c.is_whitespace() || matches!(c, '·' | '•' | '｜' | '丨' | '|' | '・')
}

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '—' | '–' | '－' | '―' | '─')
}

fn digits(s: &str, min: usize, max: usize) -> Option<(u32, &str)> {
    let d = s.bytes().take_while(u8::is_ascii_digit).count();
    if !(min..=max).contains(&d) {
        return None;
    }
    Some((s[..d].parse().ok()?, &s[d..]))
}

/// `三`, `十二`, `二十`: a Chinese numeral up to 99 (pages are numbered so, now and then).
fn chinese_number(s: &str) -> Option<(u32, &str)> {
    const D: &str = "零一二三四五六七八九";
    let mut value = 0u32;
    let mut cur = 0u32;
    let mut used = 0;
    for c in s.chars() {
        if let Some(d) = D.chars().position(|x| x == c) {
            cur = d as u32;
        } else if c == '十' {
            value += if cur == 0 { 10 } else { cur * 10 };
            cur = 0;
        } else {
            break;
        }
        used += c.len_utf8();
    }
    (used > 0).then_some((value + cur, &s[used..]))
}

/// `第3版`, `第A3版`, `A03版`, `3版`, `第三版`, each optionally with `：要闻` after it.
fn page_marker(t: &str) -> Option<(u32, &str)> {
    let (r, has_di) = match t.strip_prefix('第') {
        Some(r) => (r, true),
        None => (t, false),
    };
    let r = r
        .strip_prefix(|c: char| c.is_ascii_uppercase())
        .unwrap_or(r);
    let (n, r) = digits(r, 1, 3).or_else(|| has_di.then(|| chinese_number(r)).flatten())?;
    let r = r.strip_prefix('版')?;
    Some((n, r))
}

/// `2026年2月4日`, `2026.01.23`, `2026-01-23`, `2026/1/23`; the rest of the token after it.
fn date_prefix(t: &str) -> Option<&str> {
    let ymd = || -> Option<&str> {
        let (_, r) = digits(t, 4, 4)?;
        let (_, r) = digits(r.strip_prefix('年')?, 1, 2)?;
        let (_, r) = digits(r.strip_prefix('月')?, 1, 2)?;
        r.strip_prefix(['日', '号'])
    };
    let sep = |c: char| -> Option<&str> {
        let (_, r) = digits(t, 4, 4)?;
        let (_, r) = digits(r.strip_prefix(c)?, 1, 2)?;
        let (_, r) = digits(r.strip_prefix(c)?, 1, 2)?;
        Some(r)
    };
    ymd().or_else(|| ['.', '-', '/'].iter().find_map(|&c| sep(c)))
}

/// `星期三`, `周三`, `礼拜三`.
fn is_weekday(t: &str) -> bool {
    let rest = t
        .strip_prefix("星期")
        .or_else(|| t.strip_prefix("礼拜"))
        .or_else(|| t.strip_prefix('周'));
    rest.is_some_and(|r| {
        let mut cs = r.chars();
        cs.next().is_some_and(|c| "一二三四五六日天".contains(c)) && cs.next().is_none()
    })
}

/// `第12345期`, `总第9876期`, `今日8版`, `本期12版`.
fn is_issue_number(t: &str) -> bool {
    let r = t.strip_prefix("总").unwrap_or(t);
    if let Some(r) = r.strip_prefix('第') {
        return digits(r, 1, 6).is_some_and(|(_, r)| r == "期" || r == "号");
    }
    ["今日", "本期", "共"]
        .iter()
        .find_map(|p| t.strip_prefix(p))
        .and_then(|r| digits(r, 1, 3))
        .is_some_and(|(_, r)| r == "版")
}

/// A paper's name by its form: `武进日报`, `新华每日电讯`, `经济日报`, `中国青年报`.
pub(crate) fn looks_like_paper(t: &str) -> bool {
    let n = t.chars().count();
    (3..=10).contains(&n)
        && t.chars().all(is_han)
        && (t.ends_with('报') || t.ends_with("电讯") || t.ends_with("周刊"))
}

/// A short name: a section (`要闻`, `特别报道`), a paper, `CHINA DAILY`'s words.
fn is_name(t: &str) -> bool {
    let n = t.chars().count();
    ((2..=8).contains(&n) && t.chars().all(is_han))
        || ((2..=12).contains(&n) && t.chars().all(|c| c.is_ascii_uppercase()))
}

/// `第 3 版` → `第3版`, `第 A3 版` → `第A3版`: converters space out the folio's parts.
fn compact_markers(s: &str) -> String {
    let cs: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < cs.len() {
        if cs[i] == '第' {
            let mut j = i + 1;
            let mut inner = String::new();
            while j < cs.len() && (cs[j].is_whitespace() || cs[j].is_ascii_alphanumeric()) {
                if !cs[j].is_whitespace() {
                    inner.push(cs[j]);
                }
                j += 1;
            }
            if j < cs.len() && matches!(cs[j], '版' | '期') && !inner.is_empty() {
                out.push('第');
                out.push_str(&inner);
                out.push(cs[j]);
                i = j + 1;
                continue;
            }
        }
        out.push(cs[i]);
        i += 1;
    }
    out
}

/// Reads a line's core (see [`core`]) as furniture. `paper` is the newspaper's name from
/// the issue's metadata, when known.
pub(crate) fn parse(core: &str, paper: Option<&str>) -> Option<Parsed> {
    if core.is_empty() || core.chars().count() > 48 {
        return None;
    }
    let mut p = Parsed::default();
    // `- 3 -`, `— 3 —`, `-3-`: a dashed folio, read before the dashes become tokens.
    let inner = core.trim_matches(|c: char| is_dash(c) || c.is_whitespace());
    if core.starts_with(is_dash) && core.ends_with(is_dash) {
        if let Some((n, "")) = digits(inner, 1, 3) {
            p.strong = true;
            p.page = Some(n);
            return Some(p);
        }
    }
    let compact = compact_markers(core);
    let mut tokens: Vec<&str> = compact.split(is_sep).filter(|s| !s.is_empty()).collect();
    if tokens.is_empty() || tokens.len() > 6 {
        return None;
    }
    // `— 3 —` inside a longer head (`甘肃日报 — 3 —`): the dashes go with the number.
    tokens.retain(|t| !t.chars().all(is_dash));
    let mut marker = false;
    let mut date = false;
    let mut others = 0usize;
    let mut numbers = 0usize;
    for tok in tokens.iter().copied() {
        if let Some((n, rest)) = page_marker(tok) {
            let rest = rest.trim_start_matches(['：', ':', '·']);
            if !(rest.is_empty() || is_name(rest)) {
                return None;
            }
            if !rest.is_empty() {
                p.names.push(rest.to_string());
            }
            p.page = Some(n);
            marker = true;
        } else if let Some(rest) = date_prefix(tok) {
            if !(rest.is_empty() || is_weekday(rest)) {
                return None;
            }
            others += usize::from(!rest.is_empty());
            date = true;
        } else if let Some((n, "")) = digits(tok, 1, 3) {
            p.page = Some(n);
            numbers += 1;
        } else if is_weekday(tok) || is_issue_number(tok) {
            others += 1;
        } else if paper.is_some_and(|n| n == tok) || looks_like_paper(tok) {
            p.paper = Some(tok.to_string());
            others += 1;
        } else if is_name(tok) {
            p.names.push(tok.to_string());
            others += 1;
        } else if let Some(name) = tok.strip_suffix(['：', ':']).filter(|n| is_name(n)) {
            // `要闻： 3`.
            p.names.push(name.to_string());
            others += 1;
        } else {
            return None;
        }
    }
    if numbers > 1 || (numbers == 1 && marker) {
        return None; // `2025 12`, `3 第4版`: not one folio.
    }
    let known_paper = paper.is_some() && p.paper.as_deref() == paper;
    p.strong = marker
        || (numbers == 1 && tokens.len() <= 3)
        || (date && (others > 0 || numbers > 0))
        || known_paper;
    p.bare_number = numbers == 1 && tokens.len() == 1;
    p.lone_date = date && tokens.len() == 1;
    p.dated = date;
    // Names alone (`政务`, `甘肃日报·政务`) or a lone date: furniture only if the issue
    // shows them recurring at page breaks.
    Some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strong(t: &str) -> bool {
        parse(&core(t), Some("武进日报")).is_some_and(|p| p.strong)
    }

    #[test]
    fn strong_forms() {
        for t in [
            "8",
            "- 6 -",
            "— 12 —",
            "第10版",
            "第 3 版",
            "第A3版",
            "A03版",
            "第三版",
            "第13版：专版",
            "河北日报 2026年2月2日 星期一",
            "要闻\u{3000}7",
            "7 要闻",
            "12  评论",
            "2026.01.23\u{3000}特别报道",
            "经济日报\u{3000}2023年2月28日",
            "新华每日电讯  第5版",
            "2026年2月4日 星期三",
            "2026年2月4日星期三",
            "<u>第2版</u>",
            "# **第2版**",
            "| 甘肃日报 | 2026年2月10日 星期二 |",
            "人民日报 · 2025年10月28日 · 第3版",
            "武进日报",
            "第１２版",
            "2026年2月10日 星期二 第12345期",
        ] {
            assert!(strong(t), "{t}");
        }
    }

    #[test]
    fn weak_or_not_furniture() {
        let weak = |t: &str| parse(&core(t), None).is_some_and(|p| !p.strong);
        for t in [
            "政务",
            "<u>政务</u>",
            "甘肃日报",
            "甘肃日报·政务",
            "2023年4月10日",
        ] {
            assert!(weak(t), "{t}");
        }
        for t in [
            "省长 刘小涛，",
            "□ 本报评论员",
            "2026年1月27日在湖北省第十四届人民代表大会第四次会议上",
            "各位代表：",
            "激发经营主体活力。",
            "第3版的文章很好。",
            "GDP 2026",
            "5A级景区 12",
            "2025 2026",
            "“十四五”时期工作回顾",
            "<u>经济</u>发展很快，",
        ] {
            assert!(!strong(t), "{t}");
        }
    }

    #[test]
    fn what_it_says() {
        let p = parse(&core("第3版：要闻"), None).unwrap();
        assert_eq!(
            (p.page, p.names.clone()),
            (Some(3), vec!["要闻".to_string()])
        );
        let p = parse(&core("甘肃日报 2026年2月10日 星期二"), None).unwrap();
        assert_eq!(p.paper.as_deref(), Some("甘肃日报"));
        assert_eq!(parse("— 7 —", None).unwrap().page, Some(7));
        assert!(parse("3", None).unwrap().bare_number);
        assert!(parse("2023年4月10日", None).unwrap().lone_date);
    }
}
