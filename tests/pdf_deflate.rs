//! The vendored krilla deflates every stream with one zlib state per level, reset between
//! streams (vendor/krilla/PAIBAN.md). Deflate's output must then be what a fresh encoder
//! writes: every Flate stream of the sample PDF, inflated and deflated again by a new
//! encoder at level 2 (font programs) or 6 (the rest), gives back its bytes.

use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use flate2::Compression;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::Command;

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn deflate(data: &[u8], level: u32) -> Vec<u8> {
    let mut e = ZlibEncoder::new(Vec::new(), Compression::new(level));
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn every_stream_is_deflated_as_by_a_fresh_encoder() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_paiban"))
        .arg("build")
        .arg(root.join("content/wujin-2023-12-29.md"))
        .args(["--pdf", "-o"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let pdf = std::fs::read(dir.path().join("wujin-2023-12-29.pdf")).unwrap();
    let (mut at, mut streams, mut levels) = (0, 0, [0; 2]);
    while let Some(s) = find(&pdf, b"stream\n", at) {
        if pdf[..s].ends_with(b"end") {
            at = s + 7;
            continue;
        }
        let start = s + 7;
        let end = find(&pdf, b"\nendstream", start).unwrap();
        let dict_from = pdf[..s].windows(4).rposition(|w| w == b" obj").unwrap();
        let dict = String::from_utf8_lossy(&pdf[dict_from..s]);
        at = end;
        if !dict.contains("/FlateDecode") {
            continue;
        }
        let data = &pdf[start..end];
        let mut plain = Vec::new();
        ZlibDecoder::new(data)
            .read_to_end(&mut plain)
            .unwrap_or_else(|e| panic!("stream at {start}: {e}"));
        let level = [2, 6].iter().position(|&l| deflate(&plain, l) == data);
        assert!(
            level.is_some(),
            "stream at byte {start} ({} bytes) is not what a fresh encoder writes",
            data.len()
        );
        levels[level.unwrap()] += 1;
        streams += 1;
    }
    assert!(streams > 10, "{streams} streams");
    // Font programs at level 2, page contents and the rest at 6.
    assert!(levels[0] >= 2 && levels[1] >= 3, "{levels:?}");
}
