//! The desk's review page (`paiban check --html`, `paiban batch --review`): one
//! self-contained HTML file per issue, with the issue's text as it will be typeset and
//! every repair, page boundary, warning and error shown in place, with its `file:line`.
//!
//! [`place`] finds where each repair is in the repaired text, [`text`] writes the text
//! with them, [`header`] the metadata, counts and lists above it, [`zh`] holds the
//! Chinese wording, [`html`] the escaping. [`batch`] adds the page to batch conversion.
//! The page needs no network: the style sheet and the filters are inline (the filters
//! are CSS radio buttons, so they work with scripts off).

pub mod batch;
mod header;
pub mod html;
mod place;
pub mod text;
mod zh;

use crate::check::{check_prepared, CheckOptions, IssueReport};
use crate::fonts::GlyphGap;
use crate::model::Location;
use crate::normalize::{Normalized, PageBoundary};
use crate::{prepare_path, Prepared};
use html::{escape, push_fmt};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const STYLE: &str = include_str!("style.css");

/// What the page is made from, and how places are named.
pub struct Ctx<'a> {
    pub n: &'a Normalized,
    pub p: &'a Prepared,
}

impl Ctx<'_> {
    /// `file.md:LINE` of a 1-based input line (as repairs name them).
    pub fn at_input(&self, line: usize) -> String {
        short(&self.p.locate_input_line(line))
    }

    /// `file.md:LINE` of a 0-based repaired line.
    pub fn at_line(&self, line: usize) -> String {
        short(&self.loc_of_line(line))
    }

    fn loc_of_line(&self, line: usize) -> Location {
        let origin = self.n.line_origin.get(line).copied().unwrap_or(line);
        self.p.issue.source.locate_line(origin)
    }

    /// The margin label of a paragraph: `第 9 行` (with the file's name when the issue
    /// has several files).
    pub fn margin(&self, line: usize) -> String {
        let loc = self.loc_of_line(line);
        if self.p.issue.source.paths().nth(1).is_some() {
            short(&loc)
        } else {
            format!("第 {} 行", loc.line)
        }
    }
}

/// A place as the page shows it: the file's name (the header names the input) and line.
fn short(loc: &Location) -> String {
    let name = loc.path.file_name().map_or_else(
        || loc.path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    format!("{name}:{}", loc.line)
}

/// `第3版 · 要闻`, or `版面` when the furniture gave no number.
pub fn page_name(b: &PageBoundary) -> String {
    let mut s = match b.page {
        Some(n) => format!("第{n}版"),
        None => "版面".to_string(),
    };
    if let Some(sec) = &b.section {
        s.push_str(" · ");
        s.push_str(sec);
    }
    s
}

/// Checks the issue at `path` and writes its review page: the report (as `check` makes
/// it) and the page. Never fails: an issue that cannot be read gets a page saying why.
pub fn check_and_review(path: &Path, opts: &CheckOptions) -> (IssueReport, String) {
    match prepare_path(path, &opts.prepare) {
        Ok(prepared) => {
            let report = check_prepared(&prepared, opts);
            let page = page(&report, Some(&prepared), opts);
            (report, page)
        }
        Err(e) => {
            let report = IssueReport::unreadable(path, e.to_string());
            let page = page(&report, None, opts);
            (report, page)
        }
    }
}

/// The review page of a checked issue. `prepared` is None when the issue could not be
/// read; the page then says why (the report's errors).
pub fn page(report: &IssueReport, prepared: Option<&Prepared>, opts: &CheckOptions) -> String {
    let title = report
        .meta
        .as_ref()
        .map_or_else(|| report.input.display().to_string(), |m| m.title.clone());
    let mut out = String::new();
    head(&mut out, &escape(&title), true);
    match prepared {
        Some(p) => full_page(&mut out, report, p, opts),
        None => header::failure(&mut out, report),
    }
    push_fmt(
        &mut out,
        format_args!(
            "<footer>paiban {} 生成 · 同一输入总是生成同一页面 · 修复清单全文：<code>paiban check</code> / <code>paiban normalize --report</code></footer>\n</body>\n</html>\n",
            env!("CARGO_PKG_VERSION")
        ),
    );
    out
}

fn full_page(out: &mut String, report: &IssueReport, p: &Prepared, opts: &CheckOptions) {
    // `check` always normalizes; without a normalizer's report the text is as read.
    let plain;
    let n = match &p.normalized {
        Some(n) => n,
        None => {
            let text = p.issue.source.text.clone();
            let lines = place::lines(&text).len();
            plain = Normalized {
                text,
                repairs: Vec::new(),
                counts: Default::default(),
                warnings: Vec::new(),
                line_origin: (0..lines).collect(),
                pages: Vec::new(),
                masthead: Default::default(),
            };
            &plain
        }
    };
    let ctx = Ctx { n, p };
    // The PDF engine's glyph gaps, for the fallback font's name; only asked for when
    // the check found some (it costs a pass over the document).
    let gaps: Vec<GlyphGap> = if report.findings.iter().any(|f| f.kind == "missing-glyph") {
        opts.pdf.glyph_gaps(&p.document)
    } else {
        Vec::new()
    };
    let placed = place::place(n);
    let locator = Locator::new(&ctx);
    let extras = extra_notes(&ctx, report, &gaps, &locator);
    let (main, shown) = text::write(&ctx, &placed, &extras);
    header::write(out, &ctx, report, &gaps, &shown, &placed, &locator);
    out.push_str(&main);
}

/// Finds the repaired line of a file and line (for check's findings and articles).
pub struct Locator {
    files: Vec<PathBuf>,
    lines: BTreeMap<(usize, usize), usize>,
}

impl Locator {
    fn new(ctx: &Ctx) -> Self {
        let mut files: Vec<PathBuf> = Vec::new();
        let mut lines = BTreeMap::new();
        for (i, &o) in ctx.n.line_origin.iter().enumerate() {
            let loc = ctx.p.issue.source.locate_line(o);
            let f = match files.iter().position(|f| *f == loc.path) {
                Some(f) => f,
                None => {
                    files.push(loc.path);
                    files.len() - 1
                }
            };
            lines.entry((f, loc.line)).or_insert(i);
        }
        Locator { files, lines }
    }

    /// The repaired line at or just before `loc` in its file.
    pub fn line(&self, path: &Path, line: usize) -> Option<usize> {
        let f = self.files.iter().position(|p| p == path)?;
        self.lines
            .range((f, 0)..=(f, line))
            .next_back()
            .map(|(_, &l)| l)
    }

    /// The repaired line at or just before `line` in the first file that has one.
    pub fn line_any(&self, line: usize) -> Option<usize> {
        (0..self.files.len()).find_map(|f| {
            self.lines
                .range((f, 0)..=(f, line))
                .next_back()
                .map(|(_, &l)| l)
        })
    }
}

/// Check's findings that belong in the text: glyphs, images, links, raw HTML, … (the
/// normalizer's own warnings are placed by [`place`]).
fn extra_notes(
    ctx: &Ctx,
    report: &IssueReport,
    gaps: &[GlyphGap],
    loc: &Locator,
) -> Vec<text::ExtraNote> {
    let own: Vec<&str> = ctx.n.warnings.iter().map(|w| w.kind).collect();
    let mut out: Vec<text::ExtraNote> = Vec::new();
    for f in &report.findings {
        if f.severity < crate::diagnostics::Severity::Warning
            || own.contains(&f.kind.as_str())
            || f.kind == "missing-glyph"
        {
            continue;
        }
        let (Some(path), Some(line)) = (&f.file, f.line) else {
            continue;
        };
        let Some(at) = loc.line(path, line) else {
            continue;
        };
        out.push(text::ExtraNote {
            line: at,
            error: f.severity == crate::diagnostics::Severity::Error,
            kind: f.kind.clone(),
            text: zh::message(&f.kind, &f.message),
            at: short(&Location {
                path: path.clone(),
                line,
            }),
        });
    }
    for g in gaps {
        let Some(first) = &g.first else { continue };
        let Some(at) = loc.line(&first.path, first.line) else {
            continue;
        };
        out.push(text::ExtraNote {
            line: at,
            error: g.fallback.is_none(),
            kind: "missing-glyph".into(),
            text: glyph_text(g),
            at: short(first),
        });
    }
    out.sort_by_key(|e| e.line);
    out
}

/// `「𠀀」U+20000（2 处）：…` with the fallback font, or none.
pub fn glyph_text(g: &GlyphGap) -> String {
    let what = format!("「{}」U+{:04X}（{} 处）", g.ch, g.ch as u32, g.count);
    match &g.fallback {
        Some((path, face)) => format!(
            "{what}：样式字体中没有，改用 {}（字面 {face}）",
            path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned()
            )
        ),
        None => format!("{what}：本机没有任何字体含有此字，无法印出（替代字体：无）"),
    }
}

/// The document's start up to `<body>`, shared by the pages and the index (`title` comes
/// escaped; an issue's page also names its generator).
fn head(out: &mut String, title: &str, generator: bool) {
    out.push_str(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
    );
    if generator {
        push_fmt(
            out,
            format_args!(
                "<meta name=\"generator\" content=\"paiban {}\">\n",
                env!("CARGO_PKG_VERSION")
            ),
        );
    }
    push_fmt(
        out,
        format_args!("<title>审校 · {title}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n"),
    );
}

/// Writes the page to `path` atomically.
pub fn write_page(path: &Path, page: &str) -> crate::Result<()> {
    crate::output::write_atomic(path, page.as_bytes())
}

/// The index of several review pages (`check --html FOLDER`): each issue with its
/// counts and a link to its page.
pub fn index(entries: &[(&str, &IssueReport)]) -> String {
    use crate::diagnostics::Severity;
    let mut out = String::new();
    head(&mut out, &format!("{} 期", entries.len()), false);
    push_fmt(
        &mut out,
        format_args!(
            "<header class=\"top\"><p class=\"eyebrow\">排版审校页</p><h1>{} 期</h1></header>\n\
             <section class=\"panel\"><table class=\"counts\"><thead><tr><th>期</th><th>修复</th><th>警告</th><th>错误</th></tr></thead><tbody>",
            entries.len()
        ),
    );
    for (name, r) in entries {
        let title = r
            .meta
            .as_ref()
            .map_or_else(|| r.input.display().to_string(), |m| m.title.clone());
        push_fmt(
            &mut out,
            format_args!(
                "<tr><td><a href=\"{}\">{}</a><br><span class=\"at\">{}</span></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                html::href(name),
                escape(&title),
                escape(&r.input.display().to_string()),
                r.repairs.values().sum::<usize>(),
                r.count(Severity::Warning),
                r.count(Severity::Error)
            ),
        );
    }
    out.push_str("</tbody></table></section>\n</body>\n</html>\n");
    out
}
