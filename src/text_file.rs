//! Text files as paiban reads them (issues, metadata): UTF-8 with an optional BOM, line
//! endings made LF; UTF-16, invalid UTF-8 and NUL bytes refused naming file and line.
//! Shared by the loader and the metadata reader, so neither imports the other for it.

use crate::error::{Error, Result};
use std::path::Path;

/// Decodes file bytes as UTF-8 text, naming the line and byte of the first problem.
pub fn decode(bytes: &[u8], path: &Path) -> Result<String> {
    // UTF-16 text without a BOM still has NUL bytes: the high half of every line break.
    if bytes.starts_with(&[0xFF, 0xFE])
        || bytes.starts_with(&[0xFE, 0xFF])
        || (bytes.contains(&0) && looks_like_utf16(bytes))
    {
        return Err(Error::Utf16 {
            path: path.to_path_buf(),
        });
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    let line_of = |offset: usize| bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1;
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let offset = e.valid_up_to();
        Error::InvalidUtf8 {
            path: path.to_path_buf(),
            line: line_of(offset),
            offset,
        }
    })?;
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        return Err(Error::NulByte {
            path: path.to_path_buf(),
            line: line_of(offset),
            offset,
        });
    }
    Ok(if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text.to_string()
    })
}

/// UTF-16 without a BOM: an even number of bytes, with a UTF-16 line break (or many NUL
/// bytes, as ASCII text has), that decode in one byte order to text with no control
/// characters but line breaks and tabs. (A UTF-8 file with a stray NUL is not UTF-16: it
/// gets the NUL error naming its line.)
fn looks_like_utf16(bytes: &[u8]) -> bool {
    if bytes.len() < 2 || !bytes.len().is_multiple_of(2) {
        return false;
    }
    let pairs = || bytes.chunks_exact(2);
    let line_break = pairs().any(|p| p == [b'\n', 0] || p == [0, b'\n']);
    let nuls = bytes.iter().filter(|&&b| b == 0).count();
    if !line_break && nuls * 8 < bytes.len() {
        return false;
    }
    let plausible = |units: Vec<u16>| {
        char::decode_utf16(units)
            .all(|c| c.is_ok_and(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t')))
    };
    let le = bytes
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]))
        .collect();
    let be = bytes
        .chunks_exact(2)
        .map(|p| u16::from_be_bytes([p[0], p[1]]))
        .collect();
    plausible(le) || plausible(be)
}
