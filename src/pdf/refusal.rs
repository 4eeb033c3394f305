//! krilla's refusals (a standard that cannot be met, a font it cannot embed) as one line
//! naming the source file and line of the element at fault.

use super::standard::Standards;
use super::tags::node_of;
use super::writer::WriteError;
use crate::layout::structure::Structure;
use krilla::configure::ValidationError;
use krilla::error::KrillaError;
use krilla::surface::Location;

/// krilla's refusal as one line: where (file and line of the element, else the issue's
/// file) and why, in the terms of the standard asked for.
pub fn explain(e: KrillaError, structure: &Structure, standards: &Standards) -> WriteError {
    let place = |loc: Option<Location>| -> String {
        loc.and_then(|l| structure.location(node_of(l)))
            .or_else(|| structure.any_location())
            .map(|l| match loc {
                Some(_) => l.to_string(),
                None => l.path.display().to_string(),
            })
            .unwrap_or_else(|| "the issue".into())
    };
    match e {
        KrillaError::Validation(errors) => {
            let count = errors.len();
            let Some((first, _)) = errors.into_iter().next() else {
                return WriteError::Krilla {
                    where_: place(None),
                    reason: "validation failed".into(),
                };
            };
            let (reason, loc) = reason(&first);
            let more = if count > 1 {
                format!(" (and {} more)", count - 1)
            } else {
                String::new()
            };
            WriteError::Standard {
                where_: place(loc),
                standard: standards.name(),
                reason: format!("{reason}{more}"),
            }
        }
        KrillaError::Font(_, msg) => WriteError::Krilla {
            where_: place(None),
            reason: format!("a font cannot be embedded: {msg}"),
        },
        other => WriteError::Krilla {
            where_: place(None),
            reason: format!("{other:?}"),
        },
    }
}

fn reason(e: &ValidationError) -> (String, Option<Location>) {
    use ValidationError as V;
    match e {
        V::MissingAltText(l) => ("a figure has no alt text".into(), *l),
        V::Transparency(l) => (
            "an image has transparency (an alpha channel), which this standard forbids".into(),
            *l,
        ),
        V::ContainsNotDefGlyph(_, l, text) => {
            (format!("no glyph for `{text}` (.notdef drawn)"), *l)
        }
        V::UnicodePrivateArea(_, _, c, l) => (
            format!(
                "`{c}` (U+{:04X}) is a private-use character, which this standard forbids",
                *c as u32
            ),
            *l,
        ),
        V::InvalidCodepointMapping(_, _, c, l) => {
            (format!("U+{:04X} cannot be given as text", *c as u32), *l)
        }
        V::NoCodepointMapping(_, _, l) => ("a glyph has no Unicode text".into(), *l),
        V::NoDocumentTitle => ("the issue has no title".into(), None),
        V::NoDocumentLanguage => ("the issue has no language".into(), None),
        V::MissingDocumentOutline => ("the issue has no headings to bookmark".into(), None),
        V::TooLongString => ("a text is longer than 32,767 bytes".into(), None),
        V::RequiresNewerPdfVersion(f, l) => (
            format!("{f:?} needs a newer PDF version than this standard allows"),
            *l,
        ),
        other => (format!("{other:?}"), None),
    }
}
