//! `paiban outline`: the document model, as text or JSON.

use anyhow::Result;
use paiban::model::{Article, Block, Document};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// An issue: a .md file or a folder of pages.
    input: PathBuf,
    /// Print JSON (keys `meta`, `pages` and `articles`).
    #[arg(long)]
    json: bool,
    /// Outline the source as written, without normalizing it.
    #[arg(long)]
    no_normalize: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let opts = paiban::PrepareOptions {
        normalize: !args.no_normalize,
        ..Default::default()
    };
    let prepared = paiban::prepare_path(&args.input, &opts)?;
    super::print_diagnostics(&prepared.diagnostics);
    let doc = &prepared.document;
    if args.json {
        super::print_out(&(serde_json::to_string_pretty(&outline_json(doc))? + "\n"))?;
    } else {
        super::print_out(&outline_text(doc))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Paragraphs and characters (of body text, without spaces) in some blocks.
fn counts(blocks: &[Block]) -> (usize, usize) {
    let paragraphs = blocks
        .iter()
        .filter(|b| matches!(b, Block::Paragraph { .. }))
        .count();
    let chars = blocks.iter().map(Block::char_count).sum();
    (paragraphs, chars)
}

pub fn outline_json(doc: &Document) -> Value {
    let meta = &doc.meta;
    json!({
        "meta": {
            "newspaper": meta.newspaper,
            "date": meta.date.map(|d| d.iso()),
            "issue_number": meta.issue_number,
            "title": meta.title,
            "language": meta.language,
            "publisher": meta.publisher,
            "inferred": meta.inferred,
        },
        "pages": doc
            .pages
            .iter()
            .enumerate()
            .map(|(i, p)| json!({"number": p.number, "name": p.name, "heading": p.heading(i)}))
            .collect::<Vec<_>>(),
        "articles": doc.articles.iter().map(article_json).collect::<Vec<_>>(),
    })
}

fn article_json(a: &Article) -> Value {
    let (paragraphs, characters) = counts(&a.blocks);
    let sections: Vec<Value> = a
        .sections()
        .map(|s| json!({ "kicker": s.kicker, "title": s.title, "subtitles": s.subtitles, "level": s.level }))
        .collect();
    json!({
        "page": a.page,
        "kicker": a.headline.kicker,
        "title": a.headline.title,
        "subtitles": a.headline.subtitles,
        "byline": a.byline,
        "sections": sections,
        "paragraphs": paragraphs,
        "characters": characters,
        "footnotes": a.footnotes.len(),
        "line": a.headline.location.as_ref().map(|l| l.line),
    })
}

pub fn outline_text(doc: &Document) -> String {
    use std::fmt::Write;
    let m = &doc.meta;
    let mut s = String::new();
    let _ = writeln!(s, "title:     {}", m.title);
    let _ = writeln!(s, "newspaper: {}", m.newspaper.as_deref().unwrap_or("—"));
    let _ = writeln!(s, "date:      {}", m.date.map_or("—".into(), |d| d.iso()));
    let _ = writeln!(s, "issue:     {}", m.issue_number.as_deref().unwrap_or("—"));
    let _ = writeln!(s, "language:  {}", m.language);
    for i in &m.inferred {
        let _ = writeln!(s, "           ({} inferred from {})", i.field, i.from);
    }
    let mut shown_page = None;
    for (n, a) in doc.articles.iter().enumerate() {
        let (p, c) = counts(&a.blocks);
        // Articles under the page (版) they stood on.
        if let Some(pi) = a.page.filter(|&pi| shown_page != Some(pi)) {
            if let Some(page) = doc.pages.get(pi) {
                let _ = writeln!(s, "\n{}", page.heading(pi));
            }
            shown_page = Some(pi);
        }
        let _ = writeln!(s);
        if let Some(k) = &a.headline.kicker {
            let _ = writeln!(s, "   引题 {k}");
        }
        let _ = writeln!(s, "{:>2}. {}", n + 1, a.headline.title);
        for sub in &a.headline.subtitles {
            let _ = writeln!(s, "   副题 {sub}");
        }
        if let Some(b) = &a.byline {
            let _ = writeln!(s, "   署名 {b}");
        }
        for sec in a.sections() {
            let _ = writeln!(s, "   § {}", sec.title);
        }
        let _ = writeln!(s, "   {p} paragraphs, {c} characters");
    }
    s
}
