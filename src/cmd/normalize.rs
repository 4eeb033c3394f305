//! `paiban normalize INPUT [-o OUTPUT] [--report REPORT.json]`: prints the repaired
//! Markdown (exactly the text `build` typesets) and lists every repair on stderr as
//! `FILE:LINE: KIND: before → after`.

use anyhow::Result;
use paiban::normalize::Normalized;
use paiban::Prepared;
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// An issue: a .md file or a folder of pages.
    input: PathBuf,
    /// Write the repaired Markdown here instead of standard output.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Also write every repair and warning as JSON.
    #[arg(long)]
    report: Option<PathBuf>,
    /// Do not list the repairs on standard error.
    #[arg(short, long)]
    quiet: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let prepared = paiban::prepare_path(&args.input, &paiban::PrepareOptions::default())?;
    let Some(n) = prepared.normalized.as_ref() else {
        anyhow::bail!("the normalizer did not run");
    };
    if !args.quiet {
        let mut err = std::io::stderr().lock();
        for r in &n.repairs {
            let mut ev = r
                .evidence
                .as_deref()
                .map_or(String::new(), |e| format!(" ({e})"));
            if let Some(at) = r.veto_line {
                let loc = prepared.locate_input_line(at);
                ev.push_str(&format!(
                    " [{}]",
                    veto_hint(&loc.path.display().to_string(), loc.line, r)
                ));
            }
            writeln!(
                err,
                "{}: {}: {} → {}{ev}",
                prepared.locate_input_line(r.line),
                r.kind,
                r.before,
                r.after
            )?;
        }
        for w in &n.warnings {
            writeln!(
                err,
                "{}: warning: {}: {}",
                prepared.locate_input_line(w.line),
                w.kind,
                w.message
            )?;
        }
    }
    if let Some(path) = &args.report {
        let bytes = serde_json::to_vec_pretty(&report_json(&prepared, n))?;
        paiban::output::write_atomic(path, &bytes)?;
    }
    match &args.output {
        Some(path) => paiban::output::write_atomic(path, n.text.as_bytes())?,
        None => super::print_out(&n.text)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The report: every repair and warning with its file and line.
fn report_json(p: &Prepared, n: &Normalized) -> serde_json::Value {
    let place = |line: usize| {
        let loc = p.locate_input_line(line);
        (loc.path.display().to_string(), loc.line)
    };
    let repairs: Vec<_> = n
        .repairs
        .iter()
        .map(|r| {
            let (file, line) = place(r.line);
            let mut v = json!({"file": file, "line": line, "input_line": r.line, "kind": r.kind,
                   "before": r.before, "after": r.after, "evidence": r.evidence});
            if let Some(at) = r.veto_line {
                let (vf, vl) = place(at);
                v["veto"] = json!(veto_hint(&vf, vl, r));
            }
            if let Some(key) = &r.veto_key {
                v["veto_key"] = json!(key);
            }
            v
        })
        .collect();
    let warnings: Vec<_> = n
        .warnings
        .iter()
        .map(|w| {
            let (file, line) = place(w.line);
            json!({"file": file, "line": line, "input_line": w.line, "kind": w.kind,
                   "message": w.message})
        })
        .collect();
    let pages: Vec<_> = n
        .pages
        .iter()
        .map(|b| {
            let (file, line) = place(b.input_line);
            json!({"offset": b.offset, "line": b.line, "file": file, "input_line": line,
                   "page": b.page, "section": b.section})
        })
        .collect();
    json!({"input": p.issue.input.display().to_string(), "repairs": repairs,
           "warnings": warnings, "pages": pages})
}

/// How an editor forbids a repair: by its text, which no edit above it moves (`veto` in
/// the front matter or `issue.toml`), or by a marker line where it falls.
fn veto_hint(file: &str, line: usize, r: &paiban::normalize::Repair) -> String {
    let marker = paiban::normalize::KEEP_MARKER;
    let what = if r.kind == "page-break-join" {
        "to keep apart"
    } else {
        "to undo"
    };
    match &r.veto_key {
        Some(key) => format!(
            "{what}, add {key:?} to `veto` in the front matter or issue.toml, or put {marker} on a line of its own before {file}:{line}"
        ),
        None => format!("{what}, put {marker} on a line of its own before {file}:{line}"),
    }
}
