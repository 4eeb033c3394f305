//! One module per subcommand: its arguments and what it runs.

pub mod batch;
pub mod build;
pub mod check;
pub mod normalize;
pub mod outline;

use paiban::diagnostics::Diagnostic;

/// Prints warnings and notes on stderr, one line each.
pub fn print_diagnostics(diags: &[Diagnostic]) {
    for d in diags {
        eprintln!("{d}");
    }
}
