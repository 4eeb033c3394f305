//! Repeated overlap: the conversion sometimes repeats 1–4 characters on both sides of a
//! page break (`全面从严治党` / `治党主体责任`). They are kept once only with evidence
//! that the doubling is an artefact and not real text (`常常`, `中国|国家`), and the
//! evidence is reported.

use super::evidence::Evidence;
use super::{head, tail};
use crate::cjk::is_han;

/// Characters Chinese readily doubles (`常常`, `人人`, `层层`, `认认真真`) or that end one
/// word and start the next (`目的的`): a doubled one is never taken for an artefact.
const REDUPLICATES: &str = "人个天年月日家户层步处时事样种条项件次代位常紧牢稳实扎明渐深久刚仅默纷频多好轻慢高大小早往每偏恰谢看想试说等一星点滴片声区历生源勃井息欣脉兢业朝暮世岁洋熊滚蒸平安和美干净清楚原本认真的了是不";

/// A repeat found at a break: the repeated text and why it is judged an artefact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Overlap {
    pub repeated: String,
    pub evidence: String,
}

/// `a` ends and `b` starts with the same 1–4 Han characters, with evidence that they
/// are a repeat. Longest repeat first.
pub(crate) fn find(a: &str, b: &str, ev: &Evidence) -> Option<Overlap> {
    let a = a.trim_end();
    let b = b.trim_start();
    for k in (1..=4).rev() {
        let s = tail(a, k);
        if s.chars().count() != k || !s.chars().all(is_han) || !b.starts_with(s) {
            continue;
        }
        let before = tail(&a[..a.len() - s.len()], 1);
        let rest = &b[s.len()..];
        let mut reasons = Vec::new();
        // The de-duplicated form, with a neighbour on each side, occurs elsewhere.
        let after = head(rest, if k == 1 { 2 } else { 1 });
        if !before.is_empty() && !after.is_empty() {
            let w = format!("{before}{s}{after}");
            if ev.has(&w) {
                reasons.push(format!("`{w}` occurs elsewhere in the issue"));
            }
        }
        let doubled = format!("{s}{s}");
        if k >= 2 {
            if !ev.has(&doubled) && !s.starts_with('一') {
                reasons.push(format!("`{doubled}` occurs nowhere else in the issue"));
            }
        } else if let (Some(c), Some(next)) = (s.chars().next(), rest.chars().next()) {
            // One doubled character is a repeat only if it is no reduplication and the
            // second copy would not start a word of its own (`中国|国家`): the pair occurs
            // only here, at the break.
            if !REDUPLICATES.contains(c) && !ev.has(&doubled) && ev.bigram_count(c, next) <= 1 {
                reasons.push(format!(
                    "`{doubled}` is no reduplication and `{c}{next}` occurs nowhere in the issue"
                ));
            }
        }
        if !reasons.is_empty() {
            return Some(Overlap {
                repeated: s.to_string(),
                evidence: reasons.join("; "),
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_overlap() {
        let text = "落实全面从严治党\n\n治党主体责任情况。\n\n全面从严治党主体责任。";
        let ev = Evidence::new(text);
        let o = find("落实全面从严治党", "治党主体责任情况。", &ev).unwrap();
        assert_eq!(o.repeated, "治党");
        assert!(o.evidence.contains("严治党主"), "{}", o.evidence);
    }

    #[test]
    fn real_doubles_kept() {
        let text = "中国\n\n国家主席。国家安全。常常如此。";
        let ev = Evidence::new(text);
        assert_eq!(find("中国", "国家主席。", &ev), None);
        assert_eq!(find("常", "常如此。", &ev), None);
        assert_eq!(find("研究", "讨论。", &ev), None);
    }

    #[test]
    fn single_char_repeat_with_evidence() {
        let ev =
            Evidence::new("资金1042.8亿\n\n亿元，另有50亿元，暖心\n\n心专项行动，把\n\n把主题");
        assert_eq!(find("不松，把", "把主题", &ev).unwrap().repeated, "把");
        assert_eq!(find("资金1042.8亿", "亿元，", &ev).unwrap().repeated, "亿");
        assert_eq!(find("暖心", "心专项行动", &ev).unwrap().repeated, "心");
    }
}
