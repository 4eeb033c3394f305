//! Build script: OpenCC's dictionaries (`data/opencc/*.txt`, as OpenCC 1.1.6 ships them)
//! written as sorted tables that `src/edition/opencc.rs` searches in place, so no process
//! parses a megabyte of text into hash maps before converting (that was most of a
//! Traditional edition's cost). The tests check the tables hold what the text says.
//!
//! A table, all numbers u32 little-endian:
//!   n (entries), f (distinct first characters),
//!   a bitmap of the first characters below U+10000 (1024 u64 words, bit c % 64 of word
//!   c / 64), then for each word the number of bits set before it: a character's run is
//!   found, or refused, without a search (most characters of a text begin no key of most
//!   dictionaries),
//!   first[f] (those characters, ascending), first_start[f + 1] (index of each one's first
//!   entry, then n), key_end[n], value_end[n] (end offsets into the two blobs),
//!   then the keys' blob and the values' blob.
//! Entries are sorted by the key's UTF-8 bytes (so the keys starting with any text form
//! one run); a key's value is its first candidate; a repeated key keeps its last line.

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
        let table = table(&text);
        let dst = Path::new(&out).join(format!("opencc_{name}.bin"));
        std::fs::write(&dst, table).unwrap_or_else(|e| panic!("{}: {e}", dst.display()));
    }
}

/// One dictionary's text (a line: the text, a tab, candidates separated by spaces) as a table.
fn table(text: &str) -> Vec<u8> {
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
    let mut first: Vec<(u32, u32)> = Vec::new();
    let (mut keys, mut values) = (Vec::new(), Vec::new());
    let (mut key_end, mut value_end) = (Vec::new(), Vec::new());
    for (i, (key, value)) in entries.iter().enumerate() {
        let c = u32::from(key.chars().next().expect("keys are not empty"));
        if first.last().is_none_or(|&(last, _)| last != c) {
            first.push((c, i as u32));
        }
        keys.extend_from_slice(key.as_bytes());
        values.extend_from_slice(value.as_bytes());
        key_end.push(keys.len() as u32);
        value_end.push(values.len() as u32);
    }
    let n = entries.len() as u32;
    let mut bmp = vec![0u8; 0x10000 / 8];
    for &(c, _) in first.iter().filter(|&&(c, _)| c < 0x10000) {
        bmp[c as usize / 8] |= 1 << (c % 8);
    }
    let mut out = Vec::new();
    let put = |out: &mut Vec<u8>, v: u32| out.extend_from_slice(&v.to_le_bytes());
    put(&mut out, n);
    put(&mut out, first.len() as u32);
    out.extend_from_slice(&bmp);
    let mut before = 0;
    for word in bmp.chunks(8) {
        put(&mut out, before);
        before += word.iter().map(|b| b.count_ones()).sum::<u32>();
    }
    first.iter().for_each(|&(c, _)| put(&mut out, c));
    first.iter().for_each(|&(_, start)| put(&mut out, start));
    put(&mut out, n);
    key_end.iter().for_each(|&e| put(&mut out, e));
    value_end.iter().for_each(|&e| put(&mut out, e));
    out.extend_from_slice(&keys);
    out.extend_from_slice(&values);
    out
}
