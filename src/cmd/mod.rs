//! One module per subcommand: its arguments and what it runs.

/// `eprintln!` for messages: control characters escaped, a closed stderr ignored.
macro_rules! say {
    ($($t:tt)*) => {
        $crate::cmd::say(&format!($($t)*))
    };
}

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

/// Writes a message to stderr. Text from an issue (a title, a file name) may hold
/// control characters: they are shown escaped (`\u{1b}`), so a title cannot retitle the
/// terminal window or rewrite what was printed before it. A reader that closed stderr
/// (`2>&1 | head`) ends the messages quietly instead of a panic.
pub fn say(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{}", terminal_safe(text, true));
}

/// `text` with control characters (line breaks kept when `lines`, tabs always) and bidi
/// overrides, which can make a terminal show something else than the text, escaped.
pub fn terminal_safe(text: &str, lines: bool) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| {
        (c.is_control() && c != '\t' && !(lines && c == '\n'))
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(unsafe_char) {
        return text.into();
    }
    text.chars()
        .map(|c| {
            if unsafe_char(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

/// Writes a command's output to stdout. A reader that stops early (`paiban outline | head`)
/// ends the output quietly, as it does for other Unix tools, instead of a panic.
pub fn print_out(text: &str) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    let mut out = std::io::stdout().lock();
    // On a terminal, text from the issue is shown, not obeyed (see `say`); into a file or
    // pipe it goes as it is.
    let text = if out.is_terminal() {
        terminal_safe(text, true)
    } else {
        text.into()
    };
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => Ok(r?),
    }
}

/// Prints warnings and notes on stderr, one line each.
pub fn print_diagnostics(diags: &[Diagnostic]) {
    for d in diags {
        say!("{d}");
    }
}

/// How issues are read: the normalizer on or off, and the shared assets folders they may
/// take images from (`--assets` and the TOML style's `assets`), each checked to be a folder.
pub fn prepare_options(
    normalize: bool,
    assets: &[std::path::PathBuf],
    toml_style: Option<&std::path::Path>,
) -> anyhow::Result<paiban::PrepareOptions> {
    let mut assets = assets.to_vec();
    if let Some(style) = toml_style {
        assets.extend(paiban::style::Style::from_file(style)?.assets);
    }
    if let Some(a) = assets.iter().find(|a| !a.is_dir()) {
        anyhow::bail!("--assets {}: not a folder", a.display());
    }
    Ok(paiban::PrepareOptions { normalize, assets })
}

/// The editions asked for: `--edition`, else the style file's `editions`; `None` when
/// neither names any (build then writes zh-Hans, check checks no edition).
pub fn editions_asked(
    arg: Option<&str>,
    style: Option<&paiban::style::Style>,
) -> anyhow::Result<Option<Vec<paiban::edition::Edition>>> {
    let list = match (arg, style.and_then(|s| s.editions.as_ref())) {
        (Some(list), _) => list.to_string(),
        (None, Some(names)) => names.joined(),
        (None, None) => return Ok(None),
    };
    Ok(Some(paiban::edition::Edition::parse_list(&list)?))
}
