//! `paiban check`: the preflight report, human-readable or JSON. Writes nothing.

use super::review_pages;
use anyhow::Result;
use paiban::check::{check_path, CheckOptions, IssueReport};
use paiban::diagnostics::Severity;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Issues: .md files, issue folders, or folders holding issues.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Print one JSON document instead of the report.
    #[arg(long)]
    json: bool,
    /// Exit 1 on warnings too, not only on errors.
    #[arg(long)]
    strict: bool,
    /// Body font the PDF will use (TTF/OTF/TTC), checked before the style's fonts.
    #[arg(long)]
    font: Option<PathBuf>,
    /// PDF style preset the page estimate and fonts are taken from: a4, a5 or b5.
    #[arg(long, default_value = "a4")]
    page: String,
    /// PDF style file (.toml) instead of the preset.
    #[arg(long)]
    style: Option<PathBuf>,
    /// Also check the glyphs of these editions (as `build --edition`): zh-Hant, zh-TW,
    /// zh-HK, each against its regional face. Default: the style's `editions`.
    #[arg(long, value_name = "LIST")]
    edition: Option<String>,
    /// A shared folder issues may take images from besides their own (as for `build`).
    #[arg(long, value_name = "DIR")]
    assets: Vec<PathBuf>,
    /// Also write the review page (HTML): for one issue to PATH; for several, PATH is a
    /// folder with index.html and one NAME.review.html per issue.
    #[arg(long, value_name = "PATH")]
    html: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let pdf_opts = paiban::pdf::PdfOptions {
        page: Some(args.page.clone()),
        style: args.style.clone(),
        font: args.font.clone(),
        standard: None,
        faces: None,
        vertical: false,
    };
    let style = args
        .style
        .as_deref()
        .map(paiban::style::Style::from_file)
        .transpose()?;
    let editions =
        super::editions_asked(args.edition.as_deref(), style.as_ref())?.unwrap_or_default();
    let dictionary = style.map(|s| s.edition.dictionary).unwrap_or_default();
    let opts = CheckOptions::new(&pdf_opts)?
        .with_editions(&editions, &dictionary, &pdf_opts)?
        .with_prepare(super::prepare_options(
            true,
            &args.assets,
            args.style.as_deref(),
        )?);
    let mut issues: Vec<(PathBuf, Option<String>)> = Vec::new();
    for input in &args.inputs {
        // The same discovery as batch: each .md file and each folder with an issue.toml.
        match paiban::batch::discover::discover(input, None) {
            Ok(found) if !found.issues.is_empty() || !found.problems.is_empty() => {
                issues.extend(found.issues.into_iter().map(|f| (f.path, None)));
                issues.extend(
                    found
                        .problems
                        .into_iter()
                        .map(|p| (input.join(&p.key), Some(p.reason))),
                );
            }
            // Nothing to discover (missing, not Markdown, no .md inside): the checker says
            // what is wrong with the path itself.
            _ => issues.push((input.clone(), None)),
        }
    }
    let mut pages = args
        .html
        .as_deref()
        .map(|p| review_pages::Pages::new(p, issues.len()));
    let mut reports = Vec::new();
    for (path, problem) in &issues {
        let report = match (problem, &mut pages) {
            (Some(reason), None) => IssueReport::unreadable(path, reason.clone()),
            (Some(reason), Some(pages)) => {
                let report = IssueReport::unreadable(path, reason.clone());
                pages.write(path, &report, &paiban::review::page(&report, None, &opts))?;
                report
            }
            (None, None) => check_path(path, &opts),
            (None, Some(pages)) => {
                let (report, page) = paiban::review::check_and_review(path, &opts);
                pages.write(path, &report, &page)?;
                report
            }
        };
        reports.push(report);
    }
    if let Some(pages) = pages {
        pages.finish(&reports)?;
    }
    let errors: usize = reports.iter().map(|r| r.count(Severity::Error)).sum();
    let warnings: usize = reports.iter().map(|r| r.count(Severity::Warning)).sum();
    if args.json {
        let doc = serde_json::json!({ "issues": reports, "errors": errors, "warnings": warnings });
        super::print_out(&(serde_json::to_string_pretty(&doc)? + "\n"))?;
    } else {
        let mut text: String = reports.iter().map(human).collect();
        if reports.len() > 1 {
            text += &format!(
                "{} issues: {errors} errors, {warnings} warnings\n",
                reports.len()
            );
        }
        super::print_out(&text)?;
    }
    let fail = errors > 0 || (args.strict && warnings > 0);
    Ok(if fail {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn human(r: &IssueReport) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(s, "== {}", r.input.display());
    if let Some(m) = &r.meta {
        let _ = writeln!(
            s,
            "   {} · {} · {} · {}",
            m.newspaper.as_deref().unwrap_or("(no newspaper name)"),
            m.date.map_or("(no date)".into(), |d| d.iso()),
            m.issue_number.as_deref().unwrap_or("(no issue number)"),
            m.language
        );
        let _ = writeln!(s, "   title: {}", m.title);
    }
    let mut page = None;
    for (i, a) in r.articles.iter().enumerate() {
        // The articles under the print page (版) they stood on.
        if a.page.is_some() && a.page != page {
            page = a.page.clone();
            let _ = writeln!(s, "   {}", page.as_deref().unwrap_or(""));
        }
        let kicker = a
            .kicker
            .as_ref()
            .map_or(String::new(), |k| format!("〔{k}〕 "));
        let subs = a
            .subtitles
            .iter()
            .map(|t| format!(" ——{t}"))
            .collect::<String>();
        let _ = writeln!(s, "   {:>2}. {kicker}{}{subs}", i + 1, a.title);
        for sec in &a.sections {
            let _ = writeln!(s, "       § {sec}");
        }
    }
    if !r.repairs.is_empty() {
        let counts: Vec<String> = r.repairs.iter().map(|(k, n)| format!("{k} {n}")).collect();
        let _ = writeln!(s, "   repairs: {}", counts.join(", "));
    }
    if let Some(p) = r.estimated_pages {
        let _ = writeln!(s, "   estimated PDF pages: {p}");
    }
    for (sev, label) in [
        (Severity::Error, "errors"),
        (Severity::Warning, "warnings"),
        (Severity::Note, "notes"),
    ] {
        let items: Vec<_> = r.findings.iter().filter(|f| f.severity == sev).collect();
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(s, "   {label} ({}):", items.len());
        for f in items {
            let place = match (&f.file, f.line) {
                (Some(p), Some(l)) => format!("{}:{l}: ", p.display()),
                (Some(p), None) => format!("{}: ", p.display()),
                _ => String::new(),
            };
            let _ = writeln!(s, "     {place}{}: {}", f.kind, f.message);
        }
    }
    let _ = writeln!(
        s,
        "   {} errors, {} warnings, {} notes",
        r.count(Severity::Error),
        r.count(Severity::Warning),
        r.count(Severity::Note)
    );
    s
}
