//! The font set: where the shipped fonts live.

use std::path::PathBuf;

/// The folder holding paiban's fonts: `$PAIBAN_FONTS`, else `fonts/` beside the executable's
/// install prefix, else the `fonts/` of the source tree this binary was built from.
pub fn fonts_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("PAIBAN_FONTS") {
        return PathBuf::from(dir);
    }
    if let Ok(exe) = std::env::current_exe() {
        for anc in exe.ancestors().skip(1).take(3) {
            let d = anc.join("fonts");
            if d.join("OFL.txt").is_file() {
                return d;
            }
        }
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fonts")
}

/// The folder holding the shipped styles (`styles/`), found like `fonts_dir`.
pub fn styles_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("PAIBAN_STYLES") {
        return PathBuf::from(dir);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("styles")
}
