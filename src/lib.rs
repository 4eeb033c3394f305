//! paiban (排版): typesets Chinese newspaper issues written in Markdown into EPUB 3 and
//! print PDF.
//!
//! Data flows one way: [`issue::load`] → [`normalize::normalize`] → [`markdown::parse`] →
//! [`model::Document`] → the backends ([`epub`], [`pdf`]). [`prepare`] runs the first three.

pub mod batch;
pub mod build;
pub mod check;
pub mod cjk;
pub mod diagnostics;
pub mod epub;
pub mod error;
pub mod fonts;
#[doc(hidden)]
pub mod fuzzing;
pub mod headline_breaks;
pub mod issue;
pub mod limits;
pub mod markdown;
pub mod metadata;
pub mod model;
pub mod normalize;
pub mod output;
pub mod pdf;
pub mod review;
pub mod style;

pub use error::{Error, Result};

use diagnostics::Diagnostic;
use issue::Issue;
use metadata::RawMeta;
use model::{Article, Document, Inferred, IssueDate, Meta};
use normalize::{NormalizeOptions, Normalized};

/// A backend's output: the file's bytes and its warnings (unsupported elements, missing glyphs, …).
pub struct Rendered {
    pub bytes: Vec<u8>,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug, Clone)]
pub struct PrepareOptions {
    /// Run the normalizer (on by default; `--no-normalize` turns it off).
    pub normalize: bool,
}

impl Default for PrepareOptions {
    fn default() -> Self {
        PrepareOptions { normalize: true }
    }
}

/// An issue read, repaired and parsed: what every backend and report starts from.
pub struct Prepared {
    pub issue: Issue,
    /// The normalizer's output and report (None with `--no-normalize`).
    pub normalized: Option<Normalized>,
    pub document: Document,
    /// Warnings from metadata and parsing (the normalizer's are in `normalized`).
    pub diagnostics: Vec<Diagnostic>,
}

impl Prepared {
    /// The text that was parsed: the normalized text, or the source as read.
    pub fn text(&self) -> &str {
        self.normalized
            .as_ref()
            .map_or(&self.issue.source.text, |n| &n.text)
    }

    /// Frees the input and normalized texts and the repair list, which nothing needs once
    /// the document is built (the line maps, the warnings and the repair counts stay, so
    /// reports still name file and line). The backends run with the document alone; for a
    /// large issue this lowers the peak memory by two copies of its text and a repair
    /// record every few dozen characters. [`Prepared::text`] is empty afterwards.
    pub fn release_texts(&mut self) {
        self.issue.source.text = String::new();
        if let Some(n) = &mut self.normalized {
            n.text = String::new();
            n.repairs = Vec::new();
            n.line_origin = Vec::new();
        }
    }

    /// File and line of a 1-based line of the *input* text (as the normalizer reports them).
    pub fn locate_input_line(&self, line: usize) -> model::Location {
        self.issue.source.locate_line(line.saturating_sub(1))
    }
}

/// Loads an issue from a file or folder and prepares it.
pub fn prepare_path(path: &std::path::Path, opts: &PrepareOptions) -> Result<Prepared> {
    prepare(issue::load(path)?, opts)
}

/// Normalizes and parses a loaded issue into the document model.
pub fn prepare(issue: Issue, opts: &PrepareOptions) -> Result<Prepared> {
    let mut diagnostics = Vec::new();
    let date = parse_date(&issue.meta)?;
    let given = given_pages(&issue, &mut diagnostics);
    let normalized = opts.normalize.then(|| {
        let nopts = NormalizeOptions {
            newspaper: issue.meta.get("newspaper").map(str::to_string),
            date: date.or_else(|| IssueDate::find_in_name(&issue.name)),
            pages: given.clone(),
        };
        normalize::normalize(&issue.source.text, &nopts)
    });
    // Where each print page begins in the text that is parsed.
    let pages: Vec<(usize, model::Page)> = match &normalized {
        Some(n) => n
            .pages
            .iter()
            .map(|b| {
                let page = model::Page {
                    number: b.page,
                    name: b.section.clone(),
                };
                (b.offset, page)
            })
            .collect(),
        None => {
            let starts: Vec<usize> = std::iter::once(0)
                .chain(issue.source.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect();
            given
                .iter()
                .filter_map(|g| {
                    let page = model::Page {
                        number: g.page,
                        name: g.section.clone(),
                    };
                    Some((*starts.get(g.line)?, page))
                })
                .collect()
        }
    };
    let page_starts: Vec<usize> = pages.iter().map(|p| p.0).collect();
    let parsed = {
        let source = &issue.source;
        let (text, locate): (&str, Box<dyn Fn(usize) -> model::Location>) = match &normalized {
            Some(n) => {
                let origin = &n.line_origin;
                (
                    &n.text,
                    Box::new(move |l| source.locate_line(origin.get(l).copied().unwrap_or(l))),
                )
            }
            None => (&source.text, Box::new(move |l| source.locate_line(l))),
        };
        markdown::parse_paged(text, &issue.base_dir, &*locate, &page_starts)
    };
    diagnostics.extend(parsed.diagnostics);
    let mut articles = parsed.articles;
    if articles.is_empty() {
        return Err(Error::EmptyIssue {
            path: issue.input.clone(),
        });
    }
    let meta = resolve_meta(&issue, date, &articles, &mut diagnostics);
    for a in &mut articles {
        if a.headline.title.is_empty() {
            a.headline.title = meta.title.clone();
        }
    }
    Ok(Prepared {
        issue,
        normalized,
        document: Document {
            meta,
            pages: pages.into_iter().map(|p| p.1).collect(),
            articles,
        },
        diagnostics,
    })
}

/// The print pages a folder issue's files give: number and name from each page's front
/// matter, else from its file name (`02-要闻.md`). Conflicts and numbers that are no
/// numbers or go backwards are warned about, naming the file.
fn given_pages(issue: &Issue, diags: &mut Vec<Diagnostic>) -> Vec<normalize::GivenPage> {
    let mut out: Vec<normalize::GivenPage> = Vec::with_capacity(issue.pages.len());
    for p in &issue.pages {
        let at = |line: usize| model::Location {
            path: p.path.clone(),
            line,
        };
        let (fm_number, fm_name, name_line) = &p.front_matter;
        let (file_number, file_name) = &p.file_name;
        let number = match fm_number {
            Some(text) => {
                let digits = text
                    .trim()
                    .trim_start_matches(|c: char| c.is_ascii_alphabetic() || c == '第')
                    .trim_end_matches('版');
                match digits.parse::<u32>() {
                    Ok(n) => Some(n),
                    Err(_) => {
                        diags.push(Diagnostic::warning(
                            "page-number",
                            Some(at(1)),
                            format!("`page: {text}` is not a page number; the page is numbered by its place"),
                        ));
                        *file_number
                    }
                }
            }
            None => *file_number,
        };
        if let (Some(a), Some(b)) = (fm_name, file_name) {
            if a != b {
                diags.push(Diagnostic::warning(
                    "page-name",
                    Some(at(*name_line)),
                    format!(
                        "the front matter names the page `{a}`, the file name `{b}`: `{a}` is used"
                    ),
                ));
            }
        }
        if let (Some(n), Some(prev)) = (number, out.last().and_then(|g| g.page)) {
            if n <= prev {
                diags.push(Diagnostic::warning(
                    "page-order",
                    Some(at(1)),
                    format!(
                        "page {n} follows page {prev}: pages are numbered as given, in file order"
                    ),
                ));
            }
        }
        out.push(normalize::GivenPage {
            line: p.start_line,
            page: number,
            section: fm_name.clone().or_else(|| file_name.clone()),
        });
    }
    out
}

fn parse_date(raw: &RawMeta) -> Result<Option<IssueDate>> {
    let Some(text) = raw.get("date") else {
        return Ok(None);
    };
    match IssueDate::parse(text) {
        Some(d) => Ok(Some(d)),
        None => {
            let (path, line) = raw.place("date").unwrap_or_default();
            Err(Error::Metadata {
                path,
                line,
                format: "issue",
                message: format!("`date` is not a date: `{text}` (write YYYY-MM-DD)"),
            })
        }
    }
}

/// Fills metadata fallbacks: date from the file name, title from the first main headline,
/// language `zh-CN`.
fn resolve_meta(
    issue: &Issue,
    date: Option<IssueDate>,
    articles: &[Article],
    diags: &mut Vec<Diagnostic>,
) -> Meta {
    let raw = &issue.meta;
    let mut inferred = Vec::new();
    let date = date.or_else(|| {
        let d = IssueDate::find_in_name(&issue.name)?;
        inferred.push(Inferred {
            field: "date",
            from: format!("the name `{}`", issue.name),
        });
        Some(d)
    });
    let newspaper = raw.get("newspaper").map(|s| s.trim().to_string());
    let number = raw.get("issue_number").map(|s| {
        let n = s.trim();
        if n.starts_with('第') || !n.bytes().all(|b| b.is_ascii_digit()) {
            n.to_string()
        } else {
            format!("第{n}期")
        }
    });
    let title = match (raw.get("title"), &newspaper) {
        (Some(t), _) => t.trim().to_string(),
        // A newspaper's issue is named by its paper and day (`武进日报 2024年1月2日 第8888期`),
        // as libraries and readers' shelves list it; the first headline only without one.
        (None, Some(paper)) => {
            inferred.push(Inferred {
                field: "title",
                from: "the newspaper, date and issue number".into(),
            });
            let mut t = paper.clone();
            if let Some(d) = date {
                t.push(' ');
                t.push_str(&d.chinese());
            }
            if let Some(n) = &number {
                t.push(' ');
                t.push_str(n);
            }
            t
        }
        (None, None) => match articles.iter().find(|a| !a.headline.title.is_empty()) {
            Some(a) => {
                inferred.push(Inferred {
                    field: "title",
                    from: "the first main headline".into(),
                });
                a.headline.title.clone()
            }
            None => {
                inferred.push(Inferred {
                    field: "title",
                    from: format!("the name `{}`", issue.name),
                });
                issue.name.clone()
            }
        },
    };
    let language = match raw.get("language") {
        Some(l) => l.trim().to_string(),
        None => {
            inferred.push(Inferred {
                field: "language",
                from: "the default".into(),
            });
            "zh-CN".to_string()
        }
    };
    for key in &raw.unknown {
        diags.push(Diagnostic::note(
            "unknown-metadata",
            None,
            format!("metadata key `{key}` is not used by paiban"),
        ));
    }
    Meta {
        newspaper,
        date,
        issue_number: raw.get("issue_number").map(|s| s.trim().to_string()),
        title,
        language,
        publisher: raw.get("publisher").map(|s| s.trim().to_string()),
        inferred,
    }
}
