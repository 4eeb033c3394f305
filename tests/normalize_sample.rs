//! The sample issue: exactly the six joins (one with the repeated `治党` removed), every
//! ASCII `, ; : ( )` made full-width, the ` and ` warned about — and nothing else changed.
//! The expected text in `tests/fixtures/normalize/` was derived by hand from the seed
//! (the six junctions and the punctuation, replaced literally), not by running the code.

use paiban::normalize::{normalize, NormalizeOptions};
use std::path::Path;

fn sample() -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("content/wujin-2023-12-29.md");
    std::fs::read_to_string(p).unwrap()
}

fn expected() -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/normalize/wujin-2023-12-29.expected.md");
    std::fs::read_to_string(p).unwrap()
}

#[test]
fn sample_output_is_exactly_the_expected_text() {
    let n = normalize(&sample(), &NormalizeOptions::default());
    assert_eq!(n.text, expected());
}

#[test]
fn sample_repairs_are_the_six_joins_one_overlap_and_punctuation() {
    let src = sample();
    let n = normalize(&src, &NormalizeOptions::default());
    let joins: Vec<_> = n
        .repairs
        .iter()
        .filter(|r| r.kind == "page-break-join")
        .collect();
    assert_eq!(joins.len(), 6, "{joins:#?}");
    let joined: Vec<String> = joins.iter().map(|r| r.after.clone()).collect();
    for word in [
        "目标任务",
        "重大决策部署",
        "区委常委会今年的工作",
        "治党主体责任",
        "“四个新”重大任务",
    ] {
        assert!(
            joined.iter().any(|a| a.contains(word)),
            "no join makes `{word}`: {joined:?}"
        );
    }
    assert_eq!(joined.iter().filter(|a| a.contains("目标任务")).count(), 2);
    let overlaps: Vec<_> = n
        .repairs
        .iter()
        .filter(|r| r.kind == "repeated-overlap")
        .collect();
    assert_eq!(overlaps.len(), 1);
    assert_eq!(overlaps[0].after, "治党");
    assert!(overlaps[0]
        .evidence
        .as_deref()
        .is_some_and(|e| !e.is_empty()));
    let ascii = src.chars().filter(|c| ",;:()?!".contains(*c)).count();
    let punct = n.repairs.iter().filter(|r| r.kind == "punctuation").count();
    assert_eq!(punct, ascii);
    // The byline's bracket loses the spaces the ASCII one carried: one repair for the line.
    let spaces = n
        .repairs
        .iter()
        .filter(|r| r.kind == "bracket-space")
        .count();
    assert_eq!(spaces, 1);
    assert_eq!(
        n.repairs.len(),
        6 + 1 + ascii + spaces,
        "unexpected repair kinds"
    );
    // Repairs point at the input lines where they happen.
    let line_of = |needle: &str| src.lines().position(|l| l.contains(needle)).unwrap() + 1;
    assert_eq!(overlaps[0].line, line_of("落实全面从严治党"));
}

#[test]
fn sample_warns_about_and_and_keeps_the_dash_paragraphs_apart() {
    let src = sample();
    let n = normalize(&src, &NormalizeOptions::default());
    assert_eq!(n.warnings.len(), 1, "{:#?}", n.warnings);
    assert_eq!(n.warnings[0].kind, "latin-word");
    let and_line = src.lines().position(|l| l.contains(" and ")).unwrap() + 1;
    assert_eq!(n.warnings[0].line, and_line);
    assert!(n.text.contains("精神 and 习近平"));
    assert!(n.text.contains("进行重点突破：\n\n——聚焦“万亿之城再出发”"));
    assert!(n.text.contains("\n\n□ 本报评论员\n\n"));
}

#[test]
fn sample_line_origins_point_into_the_input() {
    let src = sample();
    let n = normalize(&src, &NormalizeOptions::default());
    let in_lines: Vec<&str> = src.lines().collect();
    let out_lines: Vec<&str> = n.text.lines().collect();
    assert_eq!(n.line_origin.len(), out_lines.len());
    for (o, &i) in out_lines.iter().zip(&n.line_origin) {
        // Every output line starts as its input line did (joins only append).
        // (Spaces aside: the ones beside a bracket are dropped.)
        let a: String = o.chars().filter(|c| *c != ' ').take(4).collect();
        let b: String = in_lines[i].chars().filter(|c| *c != ' ').take(4).collect();
        let fw = |s: String| s.replace('(', "（").replace(',', "，");
        assert_eq!(fw(a), fw(b));
    }
    assert!(n.line_origin.windows(2).all(|w| w[0] < w[1]));
}
