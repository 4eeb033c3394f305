//! Build script: OpenCC's dictionaries (`data/opencc/*.txt`, as OpenCC 1.1.6 ships them)
//! written as tables that `src/edition/opencc.rs` searches in place, so no process parses a
//! megabyte of text into hash maps before converting (that was most of a Traditional
//! edition's cost). The tests check the tables hold what the text says.
//!
//! Each dictionary gives two files:
//! - `opencc_NAME.trie`: a double-array trie (yada) of the keys' UTF-8 bytes, each key's
//!   value its entry's index: the longest key a text starts with is one walk down the trie,
//!   a byte a step (a binary search of a sorted table cost ~900 instructions a character);
//! - `opencc_NAME.bin`: all numbers u32 little-endian: n (entries), value_end[n] (end
//!   offsets into the blob), then the values' blob, in the keys' byte order.
//!
//! A key's value is its first candidate; a repeated key keeps its last line.

use std::collections::BTreeMap;
use std::path::Path;

const DICTIONARIES: [&str; 5] = [
    "STPhrases",
    "STCharacters",
    "TWPhrases",
    "TWVariants",
    "HKVariants",
];

fn main() {
    let out = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR");
    let root = std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    println!("cargo::rerun-if-changed=build.rs");
    for name in DICTIONARIES {
        println!("cargo::rerun-if-changed=data/opencc/{name}.txt");
        let src = Path::new(&root).join(format!("data/opencc/{name}.txt"));
        let text =
            std::fs::read_to_string(&src).unwrap_or_else(|e| panic!("{}: {e}", src.display()));
        let entries = entries(&text);
        let write = |ext: &str, bytes: Vec<u8>| {
            let dst = Path::new(&out).join(format!("opencc_{name}.{ext}"));
            std::fs::write(&dst, bytes).unwrap_or_else(|e| panic!("{}: {e}", dst.display()));
        };
        write(
            "trie",
            trie(&entries).unwrap_or_else(|e| panic!("{name}: {e}")),
        );
        write("bin", values(&entries));
    }
}

/// One dictionary's text (a line: the text, a tab, candidates separated by spaces) as its
/// entries, sorted by the key's bytes.
fn entries(text: &str) -> BTreeMap<&str, &str> {
    let mut entries: BTreeMap<&str, &str> = BTreeMap::new();
    for line in text.lines() {
        let Some((key, values)) = line.split_once('\t') else {
            continue;
        };
        if key.is_empty() {
            continue;
        }
        let value = values.split(' ').next().unwrap_or(values);
        entries.insert(key, value);
    }
    entries
}

/// The keys as a double-array trie, each mapped to its entry's index.
fn trie(entries: &BTreeMap<&str, &str>) -> Result<Vec<u8>, yada::errors::YadaError> {
    let keyset: Vec<(&[u8], u32)> = entries
        .keys()
        .enumerate()
        .map(|(i, key)| (key.as_bytes(), i as u32))
        .collect();
    yada::builder::DoubleArrayBuilder::build(&keyset)
}

/// The values, in the entries' order.
fn values(entries: &BTreeMap<&str, &str>) -> Vec<u8> {
    let mut out = Vec::new();
    let put = |out: &mut Vec<u8>, v: u32| out.extend_from_slice(&v.to_le_bytes());
    put(&mut out, entries.len() as u32);
    let mut end = 0;
    for value in entries.values() {
        end += value.len() as u32;
        put(&mut out, end);
    }
    for value in entries.values() {
        out.extend_from_slice(value.as_bytes());
    }
    out
}
