//! Which images go into the package: read once each, kind checked by content (not by
//! extension), anything an EPUB may not hold left out with a warning.

use super::xhtml::{ImageRef, ImageSink};
use crate::diagnostics::Diagnostic;
use crate::model::{Image, Location};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Images an EPUB reading system must support (EPUB 3 core media types).
fn sniff(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    if looks_like_svg(bytes) {
        return Some(("image/svg+xml", "svg"));
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(("image/png", "png"))
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some(("image/jpeg", "jpg"))
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(("image/gif", "gif"))
    } else {
        None
    }
}

fn looks_like_svg(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    let text = String::from_utf8_lossy(head);
    let t = text.trim_start_matches('\u{feff}').trim_start();
    (t.starts_with("<?xml")
        || t.starts_with("<svg")
        || t.starts_with("<!--")
        || t.starts_with("<!DOCTYPE"))
        && t.contains("<svg")
}

/// Whether an SVG file can go into the EPUB as it is: well-formed, an `svg` root in the SVG
/// namespace, and nothing that would make the book scripted or reach outside it (scripts,
/// event attributes, `foreignObject` and other embedders, links other than `#fragment` in
/// any namespace spelling, an animation that sets an `href` — `<animate
/// attributeName="href" values="javascript:…"/>` inside an `<a>` — or `xml:base`, a DTD
/// and so its entities).
fn check_svg(bytes: &[u8]) -> Result<(), String> {
    use xmlparser::{ElementEnd, Token};
    let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8".to_string())?;
    let mut stack: Vec<String> = Vec::new();
    let mut roots = 0;
    let mut in_root_tag = false;
    let mut svg_ns = false;
    for token in xmlparser::Tokenizer::from(text) {
        match token.map_err(|e| format!("not well-formed XML: {e}"))? {
            Token::DtdStart { .. } | Token::EmptyDtd { .. } | Token::EntityDeclaration { .. } => {
                return Err("it has a DOCTYPE".into())
            }
            Token::ElementStart { prefix, local, .. } => {
                let name = local.as_str();
                if matches!(
                    name,
                    "script"
                        | "foreignObject"
                        | "iframe"
                        | "embed"
                        | "object"
                        | "handler"
                        | "listener"
                ) {
                    return Err(format!("it has a <{name}> element"));
                }
                if stack.is_empty() {
                    roots += 1;
                    if name != "svg" || !prefix.as_str().is_empty() || roots > 1 {
                        return Err("its root element is not <svg>".into());
                    }
                    in_root_tag = true;
                }
                stack.push(format!("{}:{}", prefix.as_str(), name));
            }
            Token::Attribute {
                prefix,
                local,
                value,
                ..
            } => {
                let (p, l, v) = (prefix.as_str(), local.as_str(), value.as_str());
                if l.starts_with("on") {
                    return Err(format!("it has a script attribute `{l}`"));
                }
                if l.eq_ignore_ascii_case("href") && !v.starts_with('#') {
                    return Err(format!("it links to `{v}`"));
                }
                // `attributeName="href"` (or `xlink:href`, `hr&#101;f`) on `animate`/`set`
                // would set a link the check above never sees.
                if l == "attributeName" {
                    let target = v.rsplit(':').next().unwrap_or(v).trim();
                    if v.contains('&') || target.eq_ignore_ascii_case("href") {
                        return Err(format!("it animates a link (`attributeName=\"{v}\"`)"));
                    }
                }
                if p == "xml" && l == "base" {
                    return Err("it sets `xml:base`".into());
                }
                if in_root_tag && p.is_empty() && l == "xmlns" && v == "http://www.w3.org/2000/svg"
                {
                    svg_ns = true;
                }
            }
            Token::ElementEnd { end, .. } => {
                in_root_tag = false;
                match end {
                    ElementEnd::Open => {}
                    ElementEnd::Empty => {
                        stack.pop();
                    }
                    ElementEnd::Close(prefix, local) => {
                        let name = format!("{}:{}", prefix.as_str(), local.as_str());
                        if stack.pop().as_deref() != Some(name.as_str()) {
                            return Err("not well-formed XML: mismatched end tag".into());
                        }
                    }
                }
            }
            _ => {}
        }
    }
    if roots != 1 || !stack.is_empty() {
        return Err("not well-formed XML".into());
    }
    if !svg_ns {
        return Err("its root is not in the SVG namespace".into());
    }
    Ok(())
}

#[derive(Default)]
pub struct Collector {
    /// Source path → href (None: unusable, already warned about).
    seen: BTreeMap<PathBuf, Option<String>>,
    /// (href, bytes, media type), in order of first use.
    pub files: Vec<(String, Vec<u8>, &'static str)>,
    pub diagnostics: Vec<Diagnostic>,
}

impl ImageSink for Collector {
    fn image(&mut self, image: &Image, at: Option<&Location>) -> Option<ImageRef> {
        if let Some(done) = self.seen.get(&image.path) {
            return done.clone().map(|href| ImageRef { href });
        }
        let href = match crate::limits::read_bounded(&image.path, crate::limits::MAX_IMAGE_BYTES) {
            Ok(bytes) => match sniff(&bytes) {
                Some(("image/svg+xml", _)) if check_svg(&bytes).is_err() => {
                    let why = check_svg(&bytes).err().unwrap_or_default();
                    self.diagnostics.push(Diagnostic::warning(
                        "unsupported-image",
                        at.cloned(),
                        format!(
                            "SVG image `{}` cannot go into the EPUB ({why}); left out \
                             (its alt text is kept)",
                            image.src
                        ),
                    ));
                    None
                }
                Some((mime, ext)) => {
                    let href = format!("images/image-{:03}.{ext}", self.files.len() + 1);
                    self.files.push((href.clone(), bytes, mime));
                    Some(href)
                }
                None => {
                    self.diagnostics.push(Diagnostic::warning(
                        "unsupported-image",
                        at.cloned(),
                        format!(
                            "image `{}` is not PNG, JPEG, GIF or SVG; left out of the EPUB \
                             (its alt text is kept)",
                            image.src
                        ),
                    ));
                    None
                }
            },
            Err(e) => {
                self.diagnostics.push(Diagnostic::warning(
                    "missing-image",
                    at.cloned(),
                    format!(
                        "image `{}` cannot be read ({}): {e}; left out of the EPUB",
                        image.src,
                        image.path.display()
                    ),
                ));
                None
            }
        };
        self.seen.insert(image.path.clone(), href.clone());
        href.map(|href| ImageRef { href })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NS: &str = "xmlns=\"http://www.w3.org/2000/svg\"";

    #[test]
    fn svg_is_accepted_only_when_safe_and_well_formed() {
        let ok =
            format!("<svg {NS}><g><rect width=\"1\" height=\"1\"/></g><use href=\"#a\"/></svg>");
        assert!(looks_like_svg(ok.as_bytes()));
        assert_eq!(check_svg(ok.as_bytes()), Ok(()));
        for (bad, why) in [
            (format!("<svg {NS}><g></svg>"), "mismatched"),
            (format!("<svg {NS}><rect/></svg><svg {NS}/>"), "well-formed"),
            (format!("<html {NS}/>"), "root"),
            ("<svg><rect/></svg>".to_string(), "namespace"),
            (format!("<svg {NS} onload=\"x()\"/>"), "script attribute"),
            (
                format!("<svg {NS}><image href=\"http://x/y.png\"/></svg>"),
                "links to",
            ),
            (format!("<svg {NS}><foreignObject/></svg>"), "foreignObject"),
            (
                format!(
                    "<svg {NS}><a><animate attributeName=\"href\" values=\"javascript:alert(1)\"/>\
                     <text>x</text></a></svg>"
                ),
                "animates a link",
            ),
            (
                format!("<svg {NS}><a><set attributeName=\"xlink:href\" to=\"javascript:x\"/></a></svg>"),
                "animates a link",
            ),
            (
                format!("<svg {NS}><a><set attributeName=\"hr&#101;f\" to=\"javascript:x\"/></a></svg>"),
                "animates a link",
            ),
            (
                format!("<svg {NS} xmlns:l=\"http://www.w3.org/1999/xlink\"><a l:href=\"javascript:x\"/></svg>"),
                "links to",
            ),
            (
                format!("<svg {NS}><a xlink:href=\" javascript:x\"/></svg>"),
                "links to",
            ),
            (
                format!("<svg {NS}><a HREF=\"javascript:x\"/></svg>"),
                "links to",
            ),
            (
                format!("<svg {NS}><a href=\"&#106;avascript:x\"/></svg>"),
                "links to",
            ),
            (
                format!("<!DOCTYPE svg [<!ENTITY j \"javascript:x\">]><svg {NS}><a href=\"&j;\"/></svg>"),
                "DOCTYPE",
            ),
            (format!("<svg {NS} xml:base=\"javascript:/\"/>"), "xml:base"),
            (
                format!("<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"x.dtd\"><svg {NS}/>"),
                "DOCTYPE",
            ),
        ] {
            let e = check_svg(bad.as_bytes()).expect_err(&bad);
            assert!(e.contains(why), "{bad}: {e}");
        }
        assert!(!looks_like_svg(b"\x89PNG\r\n\x1a\n"));
    }
}
