//! One module per subcommand: its arguments and what it runs.

pub mod batch;
pub mod build;
pub mod catalog;
pub mod check;
pub mod normalize;
pub mod outline;
pub mod review_pages;

use paiban::diagnostics::Diagnostic;
use std::io::Write;

/// An error with its causes on one line. Our errors already name their cause in their own
/// message (`out: Permission denied`), so a cause whose text is there is not repeated.
pub fn error_line(e: &anyhow::Error) -> String {
    let mut line = e.to_string();
    for cause in e.chain().skip(1) {
        let c = cause.to_string();
        if !line.contains(&c) {
            line.push_str(": ");
            line.push_str(&c);
        }
    }
    line
}

/// Writes a command's output to stdout. A reader that stops early (`paiban outline | head`)
/// ends the output quietly, as it does for other Unix tools, instead of a panic.
pub fn print_out(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => Ok(r?),
    }
}

/// Prints warnings and notes on stderr, one line each.
pub fn print_diagnostics(diags: &[Diagnostic]) {
    for d in diags {
        eprintln!("{d}");
    }
}
