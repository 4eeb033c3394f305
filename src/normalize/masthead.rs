//! The masthead the page furniture names: the running heads the furniture pass removed
//! (`湖北日报` / `2026年2月5日 星期四` / `第10版 政务`) say which paper and which day the
//! issue is. Read back from the removed lines, so it is exactly what was taken out; the
//! name and date said most often win (a stray date among the heads does not).

use super::furniture::grammar;
use super::Repair;
use crate::model::IssueDate;
use serde::Serialize;

/// What the running heads said of the issue.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Masthead {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub newspaper: Option<Sighting<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<Sighting<IssueDate>>,
}

/// A value the heads gave, how many heads gave it, and the first of them (1-based input
/// line and text as removed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sighting<T> {
    pub value: T,
    pub count: usize,
    pub line: usize,
    pub head: String,
}

/// Counts each value, keeping the first sighting; the most frequent wins, the first on ties.
fn vote<T: PartialEq + Clone>(seen: &mut Vec<Sighting<T>>, value: T, line: usize, head: &str) {
    match seen.iter_mut().find(|s| s.value == value) {
        Some(s) => s.count += 1,
        None => seen.push(Sighting {
            value,
            count: 1,
            line,
            head: head.split_whitespace().collect::<Vec<_>>().join(" "),
        }),
    }
}

fn winner<T>(seen: Vec<Sighting<T>>) -> Option<Sighting<T>> {
    let mut best: Option<Sighting<T>> = None;
    for s in seen {
        if best.as_ref().is_none_or(|b| s.count > b.count) {
            best = Some(s);
        }
    }
    best
}

/// The date a head's tokens hold (`2026年2月5日`, `2026.02.05`, `2026-2-5星期四`).
fn date_in(core: &str) -> Option<IssueDate> {
    core.split(|c: char| c.is_whitespace() || matches!(c, '·' | '|' | '｜'))
        .filter(|t| t.len() >= 8 && t.as_bytes()[..4].iter().all(u8::is_ascii_digit))
        .find_map(IssueDate::parse)
}

/// Reads the masthead from the furniture lines removed (`page-furniture` repairs).
pub(crate) fn read(repairs: &[Repair], paper: Option<&str>) -> Masthead {
    let mut papers: Vec<Sighting<String>> = Vec::new();
    let mut dates: Vec<Sighting<IssueDate>> = Vec::new();
    for r in repairs.iter().filter(|r| r.kind == "page-furniture") {
        let core = grammar::core(&r.before);
        let Some(p) = grammar::parse(&core, paper) else {
            continue;
        };
        if let Some(name) = &p.paper {
            vote(&mut papers, name.clone(), r.line, &core);
        }
        if p.dated {
            if let Some(d) = date_in(&core) {
                vote(&mut dates, d, r.line, &core);
            }
        }
    }
    Masthead {
        newspaper: winner(papers),
        date: winner(dates),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn removed(line: usize, text: &str) -> Repair {
        Repair::new(line, "page-furniture", text.into(), String::new())
    }

    #[test]
    fn paper_and_date_from_the_heads() {
        let r = [
            removed(44, "湖北日报"),
            removed(46, "2026年2月5日 星期四"),
            removed(48, "第10版"),
            removed(95, "<u>湖北日报</u>"),
            removed(97, "2026年2月5日 星期四"),
            Repair::new(99, "page-break-join", "a".into(), "b".into()),
            removed(120, "2026年1月27日"),
        ];
        let m = read(&r, None);
        let paper = m.newspaper.unwrap();
        assert_eq!(
            (paper.value.as_str(), paper.count, paper.line),
            ("湖北日报", 2, 44)
        );
        let date = m.date.unwrap();
        assert_eq!(date.value, IssueDate::new(2026, 2, 5).unwrap());
        assert_eq!((date.count, date.head.as_str()), (2, "2026年2月5日 星期四"));
    }

    #[test]
    fn heads_in_one_line_and_other_forms() {
        let m = read(
            &[
                removed(1, "| 甘肃日报 | 2026.02.10 星期二 |"),
                removed(9, "第3版"),
            ],
            None,
        );
        assert_eq!(m.newspaper.unwrap().value, "甘肃日报");
        assert_eq!(m.date.unwrap().value, IssueDate::new(2026, 2, 10).unwrap());
        assert_eq!(read(&[removed(1, "— 3 —")], None), Masthead::default());
    }
}
