//! Properties of the normalizer on generated text (proptest) and on bad input: normalizing
//! twice equals normalizing once; no output character is invented; every character removed
//! appears in the report; line origins point into the input; nothing panics.

use paiban::normalize::{normalize, NormalizeOptions, Normalized};
use proptest::prelude::*;
use std::collections::BTreeMap;

fn run(t: &str) -> Normalized {
    normalize(t, &NormalizeOptions::default())
}

/// Full-width punctuation counted as the ASCII it may have come from; whitespace and the
/// report's break mark `⏎` ignored.
fn counts(s: &str) -> BTreeMap<char, isize> {
    let mut m = BTreeMap::new();
    for c in s.chars() {
        if c.is_whitespace() || c == '⏎' {
            continue;
        }
        let c = match c {
            '，' => ',',
            '；' => ';',
            '：' => ':',
            '（' => '(',
            '）' => ')',
            '？' => '?',
            '！' => '!',
            c => c,
        };
        *m.entry(c).or_insert(0) += 1;
    }
    m
}

fn check(input: &str) -> Result<(), TestCaseError> {
    let n = run(input);
    let twice = run(&n.text);
    prop_assert_eq!(&twice.text, &n.text, "not idempotent");
    let cin = counts(input);
    let cout = counts(&n.text);
    // Characters removed, and what the report says was removed.
    let mut reported: BTreeMap<char, isize> = BTreeMap::new();
    for r in &n.repairs {
        for (c, k) in counts(&r.before) {
            *reported.entry(c).or_insert(0) += k;
        }
        for (c, k) in counts(&r.after) {
            *reported.entry(c).or_insert(0) -= k;
        }
    }
    // Radicals in running text become the ideographs they stand for (one repair per
    // block, counted in its evidence): any such ideograph may stand for one of them.
    let radical = |c: &char| ('\u{2E80}'..='\u{2FDF}').contains(c);
    let radicals: isize = input.chars().filter(radical).count() as isize;
    for (c, &k) in &cout {
        let had = cin.get(c).copied().unwrap_or(0) + radicals;
        prop_assert!(
            k <= had,
            "invented `{}`: {} in output, {} in input",
            c,
            k,
            had
        );
    }
    for (c, &k) in &cin {
        let removed = k - cout.get(c).copied().unwrap_or(0);
        if removed > 0 && !radical(c) {
            let r = reported.get(c).copied().unwrap_or(0);
            prop_assert!(
                r >= removed,
                "`{}` removed {} times, reported {}",
                c,
                removed,
                r
            );
        }
    }
    let in_lines = input.split('\n').count();
    let out_lines = if n.text.is_empty() {
        0
    } else {
        n.text
            .strip_suffix('\n')
            .unwrap_or(&n.text)
            .split('\n')
            .count()
    };
    prop_assert_eq!(n.line_origin.len(), out_lines);
    // Page boundaries: in order, inside the text, at character boundaries.
    prop_assert!(n.pages.windows(2).all(|w| w[0].offset < w[1].offset));
    for p in &n.pages {
        prop_assert!(p.offset <= n.text.len() && n.text.is_char_boundary(p.offset));
        prop_assert!(p.line >= 1 && p.line <= out_lines.max(1));
    }
    prop_assert!(n.line_origin.iter().all(|&o| o < in_lines));
    // Lines keep their order unless a jump line moved an article's continuation.
    // Lines keep their order, except where a continuation moved up or a line that ran
    // two paragraphs together became two.
    if !n
        .repairs
        .iter()
        .any(|r| r.kind == "jump-join" || r.kind == "paragraph-split")
    {
        prop_assert!(n.line_origin.windows(2).all(|w| w[0] < w[1]));
    }
    Ok(())
}

/// Paragraph-ish pieces that exercise every pass: cut words, repeats, furniture, ASCII
/// punctuation, jump lines, headings, dash-led and numbered paragraphs, Latin, code.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        "[目标任务治党主体常委会重大决策一二年人，。、：；“”]{1,30}",
        "[目标任务治党,;:()?!a-z0-9 ]{1,20}",
        Just("全面从严治党".to_string()),
        Just("治党主体责任。".to_string()),
        Just("- 3 -".to_string()),
        Just("第2版".to_string()),
        Just("12".to_string()),
        Just("河北日报 2026年2月2日 星期一".to_string()),
        Just("（下转第2版）".to_string()),
        Just("（上接第1版）".to_string()),
        Just("（上接第1版）务的关键一年。".to_string()),
        Just("# 标题".to_string()),
        Just("——聚焦重点，".to_string()),
        Just("（一）坚持创新".to_string()),
        Just("各位代表：".to_string()),
        Just("```\na,b\n```".to_string()),
        Just("`x,y`和".to_string()),
        Just("精神 and 习近平".to_string()),
        Just("𠀀𠀀，".to_string()),
        // Furniture as converters leave it, and a line-wrap space.
        Just("<u>政务</u>".to_string()),
        Just("**第3版**".to_string()),
        Just("— 4 —".to_string()),
        Just("第 5 版".to_string()),
        Just("甘肃日报".to_string()),
        Just("2026年2月10日 星期二".to_string()),
        Just("| 甘肃日报 | 2026年2月10日 星期二 |\n|---|---|".to_string()),
        Just("—\n2\n—".to_string()),
        Just("3 要闻".to_string()),
        Just("目标任务治党主体常委会 重大决策一二年人目标任务治党主体常委会 重大决策".to_string()),
    ]
}

fn doc() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (piece(), prop_oneof![Just("\n\n"), Just("\n"), Just("")]),
        0..12,
    )
    .prop_map(|v| v.into_iter().map(|(p, s)| p + s).collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn properties_hold_on_generated_issues(t in doc()) {
        check(&t)?;
    }

    #[test]
    fn properties_hold_on_arbitrary_text(t in "\\PC{0,80}(\n\n\\PC{0,40}){0,4}") {
        check(&t)?;
    }
}

#[test]
fn bad_input_never_panics() {
    let mb: String = "目标任务治党".chars().cycle().take(350_000).collect();
    for t in [
        String::new(),
        "\n\n\n".to_string(),
        "# 只有标题\n\n## 副题\n\n### 三级\n".to_string(),
        mb.clone(),
        format!("{mb}\n\n{mb}"),
        "前\0后，\n\n\0".to_string(),
        "𠀀𠀁，\n\n𠀂。".to_string(),
        "(((,,,;;;)))".to_string(),
        "\u{feff}，\r\n\r\n".to_string(),
        // 100,000 paragraphs that all join into one (once quadratic: each join copied and
        // rescanned the growing line).
        "目标任务的关键一年，\n\n".repeat(100_000),
        // A radical beside an ASCII mark that becomes Chinese punctuation in the same pass
        // (found by proptest: the second normalization mapped what the first left).
        "⼀!、".to_string(),
    ] {
        check(&t).unwrap();
    }
    assert_eq!(run("⼀!、").text.trim_end(), "一！、");
    let n = run("# 只有标题\n\n## 副题\n");
    assert_eq!(n.text, "# 只有标题\n\n## 副题\n");
    assert!(n.repairs.is_empty());
    // The halves join; the `目标` repeated at the junction is kept once (the
    // de-duplicated form occurs throughout, the doubled one nowhere).
    let n = run(&format!("{mb}\n\n{mb}"));
    assert_eq!(
        n.text.chars().filter(|c| !c.is_whitespace()).count(),
        699_998
    );
}
