//! The development corpus (`tests/fixtures/corpus`: damaged/clean pairs of real official
//! text): the normalizer's output is scored against the clean files, like
//! `score_normalizer.py`, and must meet the thresholds.
//!
//! Metrics (kept simple, and never kinder than the Python scorer):
//! - exact: output equals the clean text after trailing spaces are stripped, runs of blank
//!   lines collapsed and leading/trailing blank lines dropped;
//! - char_err: insertions + deletions (a substitution counts twice) between the
//!   whitespace-free output and reference streams, over the reference length;
//! - paragraph boundaries are positions in those streams; an output boundary in the
//!   common prefix or suffix of the two streams maps across, one in a differing middle
//!   counts as wrong. false merges = reference boundaries missing from the output; extra
//!   boundaries = output boundaries not in the reference (missed merges or leftovers).

use paiban::{prepare_path, PrepareOptions};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn norm_text(t: &str) -> String {
    let lines: Vec<&str> = t.split('\n').map(str::trim_end).collect();
    let mut out = String::new();
    let mut blank = 0;
    for l in lines {
        if l.is_empty() {
            blank += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        out.push_str(l);
    }
    out
}

/// The whitespace-free character stream and the paragraph boundaries in it.
fn stream(t: &str) -> (Vec<char>, BTreeSet<usize>) {
    let mut s = Vec::new();
    let mut b = BTreeSet::new();
    for p in norm_text(t).split("\n\n") {
        let before = s.len();
        s.extend(p.chars().filter(|c| !c.is_whitespace()));
        if s.len() > before {
            b.insert(s.len());
        }
    }
    b.remove(&s.len());
    (s, b)
}

/// Insertions + deletions turning `a` into `b` (Myers, O((N+M)·D)).
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let (n, m) = (a.len() as isize, b.len() as isize);
    let max = (n + m) as usize;
    let off = max as isize + 1;
    let mut v = vec![0isize; 2 * max + 3];
    for d in 0..=max as isize {
        let mut k = -d;
        while k <= d {
            let i = (k + off) as usize;
            let mut x = if k == -d || (k != d && v[i - 1] < v[i + 1]) {
                v[i + 1]
            } else {
                v[i - 1] + 1
            };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            v[i] = x;
            if x >= n && y >= m {
                return d as usize;
            }
            k += 2;
        }
    }
    max
}

struct Score {
    exact: bool,
    edits: usize,
    ref_chars: usize,
    false_merges: usize,
    extra: usize,
}

fn score(out: &str, clean: &str) -> Score {
    let (hs, hb) = stream(out);
    let (rs, rb) = stream(clean);
    let pre = hs.iter().zip(&rs).take_while(|(a, b)| a == b).count();
    let max_suf = hs.len().min(rs.len()) - pre;
    let suf = hs
        .iter()
        .rev()
        .zip(rs.iter().rev())
        .take(max_suf)
        .take_while(|(a, b)| a == b)
        .count();
    let mapped: BTreeSet<usize> = hb
        .iter()
        .filter_map(|&h| {
            if h <= pre {
                Some(h)
            } else if h >= hs.len() - suf {
                Some(rs.len() - (hs.len() - h))
            } else {
                None // in the differing middle: counts as wrong
            }
        })
        .collect();
    Score {
        exact: norm_text(out) == norm_text(clean),
        edits: edit_distance(&hs[pre..hs.len() - suf], &rs[pre..rs.len() - suf]),
        ref_chars: rs.len(),
        false_merges: rb.difference(&mapped).count(),
        extra: hb.len() - mapped.intersection(&rb).count(),
    }
}

#[test]
fn scorer_counts_what_it_should() {
    let clean = "甲乙。\n\n丙丁。\n";
    let s = score("甲乙。丙丁。\n", clean);
    assert_eq!(
        (s.exact, s.false_merges, s.extra, s.edits),
        (false, 1, 0, 0)
    );
    let s = score("甲乙。\n\n丙\n\n丁。\n", clean);
    assert_eq!((s.false_merges, s.extra), (0, 1));
    let s = score("甲乙。\n\n丙丁。\n\n3\n", clean);
    assert_eq!(s.edits, 1);
    assert!(score("甲乙。  \n\n\n丙丁。", clean).exact);
}

fn corpus() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".damaged.md"))
        .collect();
    v.sort();
    v
}

#[test]
fn corpus_meets_the_thresholds() {
    let docs = corpus();
    assert_eq!(docs.len(), 33, "the corpus fixture is incomplete");
    let (mut exact, mut edits, mut chars, mut false_merges, mut extra) = (0, 0, 0, 0, 0);
    let mut report = String::new();
    for d in &docs {
        let p = prepare_path(d, &PrepareOptions::default()).unwrap();
        let out = &p.normalized.as_ref().unwrap().text;
        let clean_path = d.to_string_lossy().replace(".damaged.md", ".clean.md");
        let clean = std::fs::read_to_string(&clean_path).unwrap();
        let s = score(out, &clean);
        report.push_str(&format!(
            "{} exact={} edits={} false={} extra={}\n",
            d.file_name().unwrap().to_string_lossy(),
            s.exact,
            s.edits,
            s.false_merges,
            s.extra
        ));
        exact += usize::from(s.exact);
        edits += s.edits;
        chars += s.ref_chars;
        false_merges += s.false_merges;
        extra += s.extra;
    }
    let cer = edits as f64 / chars as f64;
    eprintln!("{report}exact={exact}/33 char_err={cer:.5} false_merges={false_merges} extra_boundaries={extra}");
    assert_eq!(false_merges, 0, "{report}");
    assert!(extra <= 5, "missed merges {extra} > 5\n{report}");
    assert!(cer <= 0.0005, "char_err {cer}\n{report}");
    assert!(exact >= 28, "docs_exact {exact}/33\n{report}");
}

#[test]
fn clean_texts_are_left_exactly_as_they_are() {
    // The ground truth has no page damage and correct punctuation: any change to it is a
    // false merge, a wrongly removed line or a wrong conversion.
    for d in corpus() {
        let clean_path = PathBuf::from(d.to_string_lossy().replace(".damaged.md", ".clean.md"));
        let p = prepare_path(&clean_path, &PrepareOptions::default()).unwrap();
        let n = p.normalized.as_ref().unwrap();
        let clean = std::fs::read_to_string(&clean_path).unwrap();
        assert!(
            n.repairs.is_empty(),
            "{}: {:#?}",
            clean_path.display(),
            n.repairs
        );
        assert_eq!(n.text, clean, "{}", clean_path.display());
    }
}
