//! Which images go into the package: read once each, kind checked by content (not by
//! extension), anything an EPUB may not hold left out with a warning.

use super::xhtml::{ImageRef, ImageSink};
use crate::diagnostics::Diagnostic;
use crate::model::{Image, Location};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Images an EPUB reading system must support (EPUB 3 core media types).
fn sniff(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
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
        let href = match std::fs::read(&image.path) {
            Ok(bytes) => match sniff(&bytes) {
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
                            "image `{}` is not PNG, JPEG or GIF; left out of the EPUB \
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
