//! paiban (排版): typesets Chinese newspaper issues written in Markdown into EPUB 3 and
//! print PDF.
//!
//! Data flows one way: [`issue::load`] → [`normalize::normalize`] → [`markdown::parse`] →
//! [`model::Document`] → the backends ([`epub`], [`pdf`]). [`prepare`] runs the first three.

pub mod batch;
pub mod build;
pub mod check;
pub mod cjk;
pub mod confine;
pub mod diagnostics;
pub mod edition;
pub mod epub;
pub mod error;
pub mod font_subset;
pub mod fonts;
#[doc(hidden)]
pub mod fuzzing;
pub mod headline_breaks;
pub mod headline_dict;
pub mod heap;
pub mod issue;
pub mod layout;
pub mod limits;
pub mod links;
pub mod markdown;
pub mod metadata;
pub mod model;
pub mod normalize;
pub mod ofd;
pub mod output;
pub mod pdf;
pub mod review;
pub mod style;
pub mod text_file;
pub mod zip_archive;

pub use error::{Error, Result};

use diagnostics::Diagnostic;
use issue::Issue;
use metadata::RawMeta;
use model::{Article, Document, Inferred, IssueDate, Meta};
use normalize::{NormalizeOptions, Normalized};

pub use output::Rendered;

#[derive(Debug, Clone)]
pub struct PrepareOptions {
    /// Run the normalizer (on by default; `--no-normalize` turns it off).
    pub normalize: bool,
    /// Shared folders an issue may take images from besides its own (`--assets DIR`,
    /// the style's `assets`): logos, mastheads.
    pub assets: Vec<std::path::PathBuf>,
}

impl Default for PrepareOptions {
    fn default() -> Self {
        PrepareOptions {
            normalize: true,
            assets: Vec::new(),
        }
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
    let confine = confine::Confinement::new(&issue.base_dir, &opts.assets);
    let date = parse_date(&issue.meta)?;
    let given = given_pages(&issue, &mut diagnostics);
    let normalized = opts.normalize.then(|| {
        let nopts = NormalizeOptions {
            newspaper: issue.meta.get("newspaper").map(str::to_string),
            date: date.or_else(|| IssueDate::find_in_name(&issue.name)),
            pages: given.clone(),
            vetoes: normalize::Vetoes::new(&issue.meta.veto),
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
        markdown::parse_paged(text, &issue.base_dir, &confine, &*locate, &page_starts)
    };
    diagnostics.extend(parsed.diagnostics);
    let mut articles = parsed.articles;
    if articles.is_empty() {
        return Err(Error::EmptyIssue {
            path: issue.input.clone(),
        });
    }
    let masthead = normalized.as_ref().map(|n| &n.masthead);
    let meta = resolve_meta(&issue, date, masthead, &articles, &mut diagnostics);
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

/// A text as a TOML basic string, as the user would have written it.
fn toml_quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// The print pages a folder issue's files give: number and name from each page's front
/// matter, else from its file name (`02-要闻.md`). Conflicts and numbers that are no
/// numbers or go backwards are warned about, naming the file.
fn given_pages(issue: &Issue, diags: &mut Vec<Diagnostic>) -> Vec<normalize::GivenPage> {
    let mut out: Vec<normalize::GivenPage> = Vec::with_capacity(issue.pages.len());
    unmatched_page_entries(issue, diags);
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
                        let (place, written) = match &p.number_at {
                            Some((path, line, "TOML")) => (
                                model::Location {
                                    path: path.clone(),
                                    line: *line,
                                },
                                format!("page = {}", toml_quoted(text)),
                            ),
                            Some((path, line, _)) => (
                                model::Location {
                                    path: path.clone(),
                                    line: *line,
                                },
                                format!("page: {text}"),
                            ),
                            None => (at(1), format!("page: {text}")),
                        };
                        diags.push(Diagnostic::warning(
                            "page-number",
                            Some(place),
                            format!("`{written}` is not a page number; the page is numbered by its place"),
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

/// `[[pages]]` entries of `issue.toml` that name no page of the folder (a misspelled name,
/// `../../x.md`): said, never silently ignored. Only the folder's own `.md` files are pages.
fn unmatched_page_entries(issue: &Issue, diags: &mut Vec<Diagnostic>) {
    let toml = issue.input.join("issue.toml");
    let text = std::fs::read_to_string(&toml).unwrap_or_default();
    for e in &issue.meta.pages {
        let found = issue.pages.iter().any(|p| {
            p.path
                .file_name()
                .is_some_and(|f| f.to_string_lossy() == e.file)
        });
        if !found {
            let line = text
                .lines()
                .position(|l| l.contains(&format!("\"{}\"", e.file)))
                .map_or(1, |i| i + 1);
            diags.push(Diagnostic::warning(
                "unknown-page",
                Some(model::Location {
                    path: toml.clone(),
                    line,
                }),
                format!(
                    "`[[pages]] file = \"{}\"` names no page of this issue (its pages are the \
                     .md files in its folder); the entry is not used",
                    e.file
                ),
            ));
        }
    }
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

/// Fills metadata fallbacks: newspaper and date from the running heads the normalizer
/// removed, date from the file name, title from the newspaper and date or else the first
/// main headline, language `zh-CN`. Metadata that is given always wins.
fn resolve_meta(
    issue: &Issue,
    date: Option<IssueDate>,
    masthead: Option<&normalize::Masthead>,
    articles: &[Article],
    diags: &mut Vec<Diagnostic>,
) -> Meta {
    let raw = &issue.meta;
    let mut inferred = Vec::new();
    // `the running heads (`湖北日报`, hubei.md:44)`: what the head said and where.
    let from_heads = |head: &str, line: usize| {
        let at = issue.source.locate_line(line.saturating_sub(1));
        let file = at.path.file_name().map_or_else(
            || at.path.display().to_string(),
            |f| f.to_string_lossy().into_owned(),
        );
        format!("the running heads (`{head}`, {file}:{})", at.line)
    };
    let name_date = IssueDate::find_in_name(&issue.name);
    let head_date = masthead.and_then(|m| m.date.as_ref());
    let date = date.or_else(|| {
        // The paper's own printed date before the one in a file name, which may be a
        // conversion's or a download's.
        if let Some(h) = head_date {
            if let Some(n) = name_date.filter(|&n| n != h.value) {
                diags.push(Diagnostic::warning(
                    "date-conflict",
                    None,
                    format!(
                        "the running heads date the issue {}, its name `{}` says {}: {} is used (give `date` to decide)",
                        h.value, issue.name, n, h.value
                    ),
                ));
            }
            inferred.push(Inferred {
                field: "date",
                from: from_heads(&h.head, h.line),
            });
            return Some(h.value);
        }
        let d = name_date?;
        inferred.push(Inferred {
            field: "date",
            from: format!("the name `{}`", issue.name),
        });
        Some(d)
    });
    let newspaper = match raw.get("newspaper") {
        Some(n) => Some(n.trim().to_string()),
        None => masthead.and_then(|m| m.newspaper.as_ref()).map(|h| {
            inferred.push(Inferred {
                field: "newspaper",
                from: from_heads(&h.head, h.line),
            });
            h.value.clone()
        }),
    };
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
            None => match first_words(articles) {
                // No headline (a converter that marks none): the text's first words,
                // never the file's name while there is text.
                Some(t) => {
                    inferred.push(Inferred {
                        field: "title",
                        from: "the first words of the text".into(),
                    });
                    t
                }
                None => {
                    inferred.push(Inferred {
                        field: "title",
                        from: format!("the name `{}`", issue.name),
                    });
                    issue.name.clone()
                }
            },
        },
    };
    let language = match raw.get("language").map(str::trim) {
        Some(l) if metadata::is_bcp47(l) => l.to_string(),
        Some(l) => {
            // An invalid tag would make every `lang` of the EPUB (and the PDF's /Lang) invalid.
            let place = raw
                .place("language")
                .map(|(path, line)| model::Location { path, line });
            diags.push(Diagnostic::warning(
                "bad-language",
                place,
                format!(
                    "`language: {}` is not a BCP 47 language tag (such as zh-CN, zh-Hans, \
                     zh-TW); zh-CN is used",
                    l.escape_debug()
                ),
            ));
            inferred.push(Inferred {
                field: "language",
                from: "the default (the given value is no language tag)".into(),
            });
            "zh-CN".to_string()
        }
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

/// Longest title made of the text's first words, in characters.
const MAX_WORDS_TITLE: usize = 30;

/// The first paragraph's first line, up to its first clause mark or bracket, at most
/// [`MAX_WORDS_TITLE`] characters (`扩大高水平对外开放取得新成效`).
fn first_words(articles: &[Article]) -> Option<String> {
    let text = articles
        .iter()
        .flat_map(|a| &a.blocks)
        .find_map(|b| match b {
            model::Block::Paragraph { content, .. } => Some(model::plain_text(content)),
            _ => None,
        })?;
    let line = text.lines().find(|l| !l.trim().is_empty())?.trim();
    let clause: String = line
        .chars()
        .take_while(|&c| !"。！？；：，（!?;:,(".contains(c))
        .collect();
    let clause = clause.trim();
    match clause.chars().count() {
        0 => None,
        n if n <= MAX_WORDS_TITLE => Some(clause.to_string()),
        _ => Some(clause.chars().take(MAX_WORDS_TITLE).collect::<String>() + "…"),
    }
}
