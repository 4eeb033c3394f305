//! Preflight (`paiban check`): everything a build would repair, what looks wrong and what would
//! print badly, without writing any output.

mod glyphs;

use crate::diagnostics::Severity;
use crate::model::{Block, Document, Location};
use crate::pdf::{PdfEngine, PdfOptions};
use crate::{prepare_path, PrepareOptions, Prepared};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One finding, with its place so an editor can jump there.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    /// Stable name of the kind of finding (`page-break-join`, `missing-glyph`, `missing-image`, …).
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    pub message: String,
}

impl Finding {
    fn new(severity: Severity, kind: &str, loc: Option<Location>, message: String) -> Self {
        let (file, line) = loc.map_or((None, None), |l| (Some(l.path), Some(l.line)));
        Finding {
            severity,
            kind: kind.to_string(),
            file,
            line,
            message,
        }
    }
}

/// An article's headline group as found.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleSummary {
    /// The print page (版) it stood on: `第02版 要闻`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
    pub kicker: Option<String>,
    pub title: String,
    pub subtitles: Vec<String>,
    pub byline: Option<String>,
    pub sections: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

/// The preflight report of one issue.
#[derive(Debug, Clone, Serialize)]
pub struct IssueReport {
    pub input: PathBuf,
    /// Metadata as resolved (None when the issue could not be read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<crate::model::Meta>,
    pub articles: Vec<ArticleSummary>,
    /// Repairs the normalizer would make, counted by kind.
    pub repairs: BTreeMap<String, usize>,
    /// Estimated number of PDF pages with the chosen style.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimated_pages: Option<usize>,
    pub findings: Vec<Finding>,
}

impl IssueReport {
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }
}

/// What the check is measured against.
pub struct CheckOptions {
    /// The PDF engine a build would use: its fonts (for glyph coverage) and style.
    pub pdf: PdfEngine,
    /// Characters of body text a PDF page holds with the chosen style, for the page estimate.
    pub chars_per_page: usize,
    /// Characters' worth of room an article's headline group takes.
    pub headline_room: usize,
    /// How issues are read (the shared assets folders a build would allow).
    pub prepare: PrepareOptions,
    /// Traditional editions a build would write: their glyphs are checked too.
    pub editions: Vec<EditionCheck>,
}

/// An edition `check` looks at: its converter, the PDF engine drawing it, and its regional
/// face (regular), whose gaps the style's fonts fill with their own (mainland) forms.
pub struct EditionCheck {
    pub converter: crate::edition::Converter,
    pub pdf: PdfEngine,
    pub face: crate::fonts::FontFile,
    pub family: String,
}

impl CheckOptions {
    /// Options for the PDF a build with these options would make. Fails, naming the file,
    /// on a style or font the build would refuse.
    pub fn new(pdf: &PdfOptions) -> crate::Result<Self> {
        let pdf = PdfEngine::new(pdf)?;
        let style = pdf.style();
        let (_, text_h) = style.text_area();
        let lines = (text_h / style.line_height()).floor().max(1.0);
        let per_line = (style.column_width() / style.body_size).floor().max(1.0);
        // Paragraph ends leave part of a line empty: about one line in eight on a newspaper page.
        let capacity = lines * per_line * style.columns.max(1) as f32 * 0.88;
        let band = style.kicker_size * 1.6 + style.title_size * 2.8 + style.subtitle_size * 1.6;
        Ok(CheckOptions {
            chars_per_page: capacity as usize,
            headline_room: (capacity * band / text_h) as usize,
            pdf,
            prepare: PrepareOptions::default(),
            editions: Vec::new(),
        })
    }

    /// Also checks the glyphs of these editions (zh-Hans, the text as written, is always
    /// checked), each converted as `build --edition` would and against its own faces.
    pub fn with_editions(
        mut self,
        editions: &[crate::edition::Edition],
        dictionary: &crate::edition::Dictionary,
        pdf: &PdfOptions,
    ) -> crate::Result<Self> {
        for &e in editions {
            if let Some(faces) = e.faces()? {
                let face = crate::fonts::FontFile::load(&faces.regular.0, faces.regular.1)
                    .map_err(crate::pdf::PdfError::from)?;
                let family = faces.family.clone();
                let pdf = PdfEngine::new(&PdfOptions {
                    faces: Some(faces),
                    ..pdf.clone()
                })?;
                self.editions.push(EditionCheck {
                    converter: crate::edition::Converter::new(e, dictionary)?,
                    pdf,
                    face,
                    family,
                });
            }
        }
        Ok(self)
    }

    /// Reads issues as a build with `prepare` would (its shared assets folders).
    pub fn with_prepare(mut self, prepare: PrepareOptions) -> Self {
        self.prepare = prepare;
        self
    }
}

impl IssueReport {
    /// The report of an issue that could not be read: one error, nothing else.
    pub fn unreadable(input: &Path, message: String) -> Self {
        IssueReport {
            input: input.to_path_buf(),
            meta: None,
            articles: Vec::new(),
            repairs: BTreeMap::new(),
            estimated_pages: None,
            findings: vec![Finding {
                severity: Severity::Error,
                kind: "unreadable".into(),
                file: Some(input.to_path_buf()),
                line: None,
                message,
            }],
        }
    }
}

/// Checks one issue. Never fails: an unreadable issue is a report with one error.
pub fn check_path(path: &Path, opts: &CheckOptions) -> IssueReport {
    match prepare_path(path, &opts.prepare) {
        Ok(prepared) => check_prepared(&prepared, opts),
        Err(e) => IssueReport::unreadable(path, e.to_string()),
    }
}

pub fn check_prepared(p: &Prepared, opts: &CheckOptions) -> IssueReport {
    let doc = &p.document;
    let mut findings = Vec::new();
    for i in &doc.meta.inferred {
        findings.push(Finding::new(
            Severity::Note,
            "inferred-metadata",
            None,
            format!("{} inferred from {}", i.field, i.from),
        ));
    }
    let mut repairs = BTreeMap::new();
    if let Some(n) = &p.normalized {
        for r in &n.repairs {
            *repairs.entry(r.kind.to_string()).or_insert(0) += 1;
            let evidence = r
                .evidence
                .as_ref()
                .map_or(String::new(), |e| format!(" ({e})"));
            findings.push(Finding::new(
                Severity::Note,
                r.kind,
                Some(p.locate_input_line(r.line)),
                format!("{} → {}{evidence}", show(&r.before), show(&r.after)),
            ));
        }
        for w in &n.warnings {
            findings.push(Finding::new(
                Severity::Warning,
                w.kind,
                Some(p.locate_input_line(w.line)),
                w.message.clone(),
            ));
        }
    }
    for d in &p.diagnostics {
        // A missing image is an error here: the build would print without it.
        let severity = if d.kind == "missing-image" {
            Severity::Error
        } else {
            d.severity
        };
        findings.push(Finding::new(
            severity,
            d.kind,
            d.location.clone(),
            d.message.clone(),
        ));
    }
    findings.extend(glyphs::check_glyphs(doc, &opts.pdf));
    for e in &opts.editions {
        let converter = e
            .converter
            .with_dictionary(&p.issue.meta.edition_dictionary);
        let edition = converter.document(doc);
        let name = converter.edition();
        findings.extend(
            glyphs::check_glyphs(&edition, &e.pdf)
                .into_iter()
                .chain(glyphs::check_regional(&edition, &e.face, &e.family))
                .map(|mut f| {
                    f.message = format!("{name} edition: {}", f.message);
                    f
                }),
        );
    }
    findings.extend(glyphs::check_ofd(doc, &opts.pdf));
    findings.sort_by(|a, b| (b.severity, &a.file, a.line).cmp(&(a.severity, &b.file, b.line)));
    IssueReport {
        input: p.issue.input.clone(),
        meta: Some(doc.meta.clone()),
        articles: doc
            .articles
            .iter()
            .map(|a| summary(a, &doc.pages))
            .collect(),
        repairs,
        estimated_pages: Some(estimate_pages(doc, opts)),
        findings,
    }
}

fn summary(a: &crate::model::Article, pages: &[crate::model::Page]) -> ArticleSummary {
    ArticleSummary {
        page: a.page.and_then(|p| Some(pages.get(p)?.heading(p))),
        kicker: a.headline.kicker.clone(),
        title: a.headline.title.clone(),
        subtitles: a.headline.subtitles.clone(),
        byline: a.byline.clone(),
        sections: a.sections().map(|s| s.title.clone()).collect(),
        line: a.headline.location.as_ref().map(|l| l.line),
    }
}

/// Text for a before/after: quoted, line breaks shown as ⏎, long runs cut in the middle.
fn show(s: &str) -> String {
    let s = s.replace('\n', "⏎");
    let n = s.chars().count();
    if n <= 40 {
        return format!("「{s}」");
    }
    let head: String = s.chars().take(18).collect();
    let tail: String = s.chars().skip(n - 18).collect();
    format!("「{head}…{tail}」")
}

/// Pages: body characters plus the room headline groups take, over a page's capacity.
fn estimate_pages(doc: &Document, opts: &CheckOptions) -> usize {
    let chars: usize = doc
        .articles
        .iter()
        .flat_map(|a| a.blocks.iter())
        .map(Block::char_count)
        .sum();
    let headlines = doc.articles.len() * opts.headline_room;
    (chars + headlines)
        .div_ceil(opts.chars_per_page.max(1))
        .max(1)
}
