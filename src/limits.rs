//! Limits on what is read from disk, shared by the loader and both backends (which must
//! not depend on each other's modules or on the Markdown reader).

use std::io::Read;
use std::path::Path;

/// Style sheets (CSS, TOML) and metadata files larger than this are refused: a style is
/// a few KB.
pub const MAX_STYLE_BYTES: u64 = 1 << 20;

/// Images larger than this are left out (a newspaper photo is a few MiB; this keeps a
/// stray disk image or video from being read into memory and packed into the EPUB).
pub const MAX_IMAGE_BYTES: u64 = 64 << 20;

/// Reads a whole file, refusing one larger than `limit`. Reads at most one byte past the
/// limit, so a device or pipe (`/dev/zero`, `<(cmd)`), which has no size to check
/// beforehand and might never end, cannot hang the process or exhaust memory.
pub fn read_bounded(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let f = std::fs::File::open(path)?;
    let known = f.metadata().map(|m| m.len()).unwrap_or(0);
    let too_large = || {
        std::io::Error::new(
            std::io::ErrorKind::FileTooLarge,
            format!("larger than the limit of {limit} bytes"),
        )
    };
    if known > limit {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(known as usize);
    f.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(bytes)
}
