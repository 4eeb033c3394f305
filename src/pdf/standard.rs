//! The standards a PDF is written to (`--pdf-standard`, the style's `pdf_standard`),
//! named as Typst names them: `a-1b`, `a-2b`, `a-2u`, `a-2a`, `a-3b`, `a-3u`, `a-4`,
//! `ua-1`, comma-separated where they combine (one PDF/A part with PDF/UA-1).

use krilla::configure::{Accessibility, Archival, Configuration, ConfigurationBuilder, PdfVersion};

/// What every PDF is written to unless told otherwise: archive-grade, Unicode text.
pub const DEFAULT: &str = "a-2u";

const NAMES: &[(&str, Archival)] = &[
    ("a-1b", Archival::A1_B),
    ("a-2b", Archival::A2_B),
    ("a-2u", Archival::A2_U),
    ("a-2a", Archival::A2_A),
    ("a-3b", Archival::A3_B),
    ("a-3u", Archival::A3_U),
    ("a-4", Archival::A4),
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StandardError {
    #[error(
        "unknown PDF standard `{0}` (use a-1b, a-2b, a-2u, a-2a, a-3b, a-3u, a-4 or ua-1, \
         comma-separated)"
    )]
    Unknown(String),
    #[error("PDF standards `{0}`: {1}")]
    Conflict(String, String),
}

/// A parsed, consistent set of standards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Standards {
    pub archival: Option<Archival>,
    pub ua: bool,
}

impl Standards {
    pub fn parse(list: &str) -> Result<Self, StandardError> {
        let mut out = Standards::default();
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let name = name.to_ascii_lowercase();
            let name = name.strip_prefix("pdf/").unwrap_or(&name);
            if name == "ua-1" {
                out.ua = true;
                continue;
            }
            let Some((_, a)) = NAMES.iter().find(|(n, _)| *n == name) else {
                return Err(StandardError::Unknown(name.to_string()));
            };
            if out.archival.is_some_and(|b| b != *a) {
                return Err(StandardError::Conflict(
                    list.to_string(),
                    "name one PDF/A part only".into(),
                ));
            }
            out.archival = Some(*a);
        }
        if out.archival.is_none() && !out.ua {
            return Err(StandardError::Unknown(list.to_string()));
        }
        out.configuration().map(|_| out)
    }

    /// krilla's configuration: the validators and the PDF version they allow (1.7 unless
    /// PDF/A-1, which is 1.4, or PDF/A-4, which is 2.0).
    pub fn configuration(&self) -> Result<Configuration, StandardError> {
        let mut b = ConfigurationBuilder::new();
        if let Some(a) = self.archival {
            b = b.with_archival_validator(a);
        }
        if self.ua {
            b = b.with_accessibility_validator(Accessibility::UA1);
        }
        b.finish().map_err(|_| {
            StandardError::Conflict(
                self.name(),
                "these cannot be met together (no PDF version allows both)".into(),
            )
        })
    }

    pub fn version(&self) -> PdfVersion {
        self.configuration()
            .map(|c| c.version())
            .unwrap_or(PdfVersion::Pdf17)
    }

    /// The names, as the user writes them.
    pub fn name(&self) -> String {
        let mut v: Vec<&str> = Vec::new();
        if let Some((n, _)) = self
            .archival
            .and_then(|a| NAMES.iter().find(|(_, b)| *b == a))
        {
            v.push(n);
        }
        if self.ua {
            v.push("ua-1");
        }
        v.join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_combine() {
        let s = Standards::parse("a-2u").unwrap();
        assert_eq!(s.archival, Some(Archival::A2_U));
        assert_eq!(s.version(), PdfVersion::Pdf17);
        assert_eq!(
            Standards::parse("a-4").unwrap().version(),
            PdfVersion::Pdf20
        );
        assert_eq!(
            Standards::parse("a-1b").unwrap().version(),
            PdfVersion::Pdf14
        );
        let both = Standards::parse("a-2a, ua-1").unwrap();
        assert!(both.ua);
        assert_eq!(both.name(), "a-2a,ua-1");
        assert!(matches!(
            Standards::parse("a-5"),
            Err(StandardError::Unknown(_))
        ));
        assert!(matches!(
            Standards::parse("a-4,ua-1"),
            Err(StandardError::Conflict(..))
        ));
        assert!(matches!(
            Standards::parse("a-2b,a-3b"),
            Err(StandardError::Conflict(..))
        ));
    }
}
