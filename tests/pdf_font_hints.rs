//! The vendored subsetter drops a CFF face's hints (vendor/subsetter/PAIBAN.md): the system's
//! Noto Serif CJK TC is hinted (the shipped faces are cut without hints); drawn as a style's
//! body font, the subsets embedded in the PDF have no stem or mask operator in their
//! charstrings and no hinting entry in their Private DICTs, and every charstring is still a
//! well-formed one (operands and operators only, ending in endchar). That the outlines are unchanged was checked once with
//! fontTools and pdftoppm (PAIBAN.md); poppler draws the pages in the other PDF tests.

use flate2::read::ZlibDecoder;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Face 3 of the collection is Noto Serif CJK TC.
const SYSTEM_SERIF: &str = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc";

/// Charstring operators of hints: hstem, vstem, hstemhm, hintmask, cntrmask, vstemhm.
const HINT_OPS: [u8; 6] = [1, 3, 18, 19, 20, 23];
/// Private DICT hinting entries (one-byte operators; two-byte ones as 1200 + second byte):
/// BlueValues, OtherBlues, FamilyBlues, FamilyOtherBlues, StdHW, StdVW, BlueScale, BlueShift,
/// BlueFuzz, StemSnapH, StemSnapV, ForceBold, LanguageGroup, ExpansionFactor.
const HINT_KEYS: [u16; 14] = [
    6, 7, 8, 9, 10, 11, 1209, 1210, 1211, 1212, 1213, 1214, 1217, 1218,
];

fn be(d: &[u8], at: usize, n: usize) -> usize {
    d[at..at + n].iter().fold(0, |v, &b| v << 8 | b as usize)
}

/// The items of the INDEX at `at` and the offset after it.
fn index(d: &[u8], at: usize) -> (Vec<&[u8]>, usize) {
    let count = be(d, at, 2);
    if count == 0 {
        return (Vec::new(), at + 2);
    }
    let size = d[at + 2] as usize;
    let offs: Vec<usize> = (0..=count)
        .map(|i| be(d, at + 3 + i * size, size))
        .collect();
    let base = at + 3 + (count + 1) * size - 1;
    let items = offs
        .windows(2)
        .map(|w| &d[base + w[0]..base + w[1]])
        .collect();
    (items, base + offs[count])
}

/// A DICT's entries.
type Dict = Vec<(u16, Vec<i64>)>;

/// A DICT's entries: operator (two-byte ones as 1200 + second byte) and integer operands.
fn dict(d: &[u8]) -> Dict {
    let (mut out, mut ops, mut i) = (Vec::new(), Vec::new(), 0);
    while i < d.len() {
        let b = d[i];
        match b {
            0..=21 => {
                let op = if b == 12 {
                    i += 1;
                    1200 + d[i] as u16
                } else {
                    b as u16
                };
                out.push((op, std::mem::take(&mut ops)));
                i += 1;
            }
            28 => {
                ops.push(be(d, i + 1, 2) as i16 as i64);
                i += 3;
            }
            29 => {
                ops.push(be(d, i + 1, 4) as i32 as i64);
                i += 5;
            }
            30 => {
                // A real: nibbles up to one of 0xf.
                i += 1;
                while d[i] >> 4 != 0xf && d[i] & 0xf != 0xf {
                    i += 1;
                }
                i += 1;
                ops.push(0);
            }
            32..=246 => {
                ops.push(b as i64 - 139);
                i += 1;
            }
            247..=250 => {
                ops.push((b as i64 - 247) * 256 + d[i + 1] as i64 + 108);
                i += 2;
            }
            251..=254 => {
                ops.push(-(b as i64 - 251) * 256 - d[i + 1] as i64 - 108);
                i += 2;
            }
            _ => panic!("bad DICT byte {b}"),
        }
    }
    out
}

fn get(d: &[(u16, Vec<i64>)], op: u16) -> Option<&[i64]> {
    d.iter().find(|(o, _)| *o == op).map(|(_, v)| v.as_slice())
}

/// The CID-keyed CFF's Private DICTs (one per font dict) and its charstrings.
fn parse_cff(cff: &[u8]) -> (Vec<Dict>, Vec<&[u8]>) {
    let (_names, at) = index(cff, cff[2] as usize);
    let (tops, _) = index(cff, at);
    let top = dict(tops[0]);
    let fd_array = get(&top, 1236).expect("a CID-keyed font (FDArray)")[0] as usize;
    let privates = index(cff, fd_array)
        .0
        .iter()
        .map(|fd| {
            let p = get(&dict(fd), 18).expect("Private").to_vec();
            let (size, off) = (p[0] as usize, p[1] as usize);
            dict(&cff[off..off + size])
        })
        .collect();
    let char_strings = get(&top, 17).expect("CharStrings")[0] as usize;
    (privates, index(cff, char_strings).0)
}

/// The operators of a charstring without subroutines or hint masks (two-byte ones as
/// 1200 + second byte).
fn operators(cs: &[u8]) -> Vec<u16> {
    let (mut out, mut i) = (Vec::new(), 0);
    while i < cs.len() {
        match cs[i] {
            28 => i += 3,
            32..=246 => i += 1,
            247..=254 => i += 2,
            255 => i += 5,
            12 => {
                out.push(1200 + cs[i + 1] as u16);
                i += 2;
            }
            b => {
                out.push(b as u16);
                i += 1;
                if b == 19 || b == 20 {
                    // A mask's bytes follow; no charstring here should have one.
                    break;
                }
            }
        }
    }
    out
}

/// The 'CFF ' table of face `n` of a font collection.
fn ttc_cff(ttc: &[u8], n: usize) -> &[u8] {
    assert_eq!(&ttc[..4], b"ttcf");
    let face = be(ttc, 12 + 4 * n, 4);
    (0..be(ttc, face + 4, 2))
        .map(|t| face + 12 + 16 * t)
        .find(|&r| &ttc[r..r + 4] == b"CFF ")
        .map(|r| &ttc[be(ttc, r + 8, 4)..][..be(ttc, r + 12, 4)])
        .expect("a CFF table")
}

fn hint_keys(privates: &[Dict]) -> Vec<u16> {
    let mut keys: Vec<u16> = privates
        .iter()
        .flatten()
        .map(|(op, _)| *op)
        .filter(|op| HINT_KEYS.contains(op))
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

#[test]
fn a_hinted_face_is_embedded_without_its_hints() {
    if !Path::new(SYSTEM_SERIF).is_file() {
        let ci = std::env::var("CI").is_ok_and(|v| v == "true");
        assert!(!ci, "{SYSTEM_SERIF} (fonts-noto-cjk) is required (CI=true)");
        eprintln!("skipping: {SYSTEM_SERIF} is not installed");
        return;
    }
    // The source face is hinted: otherwise this test would prove nothing.
    let ttc = std::fs::read(SYSTEM_SERIF).unwrap();
    let (privates, char_strings) = parse_cff(ttc_cff(&ttc, 3));
    assert!(
        !hint_keys(&privates).is_empty(),
        "the system TC face has no Private hints"
    );
    let stems = char_strings
        .iter()
        .filter(|cs| operators(cs).iter().any(|o| [1, 3, 18, 23].contains(o)))
        .count();
    assert!(
        stems > 1000,
        "{stems} charstrings of the system TC face with stems"
    );

    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    // The system's TC faces as the style's body and headline fonts.
    let style = dir.path().join("tc.toml");
    let face = |path: &str| format!("[{{ path = \"{path}\", index = 3 }}]");
    let bold = SYSTEM_SERIF.replace("-Regular", "-Bold");
    let toml = format!(
        "[fonts]\nregular = {}\nbold = {}\n",
        face(SYSTEM_SERIF),
        face(&bold)
    );
    std::fs::write(&style, toml).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_paiban"))
        .arg("build")
        .arg(root.join("content/wujin-2023-12-29.md"))
        .args(["--pdf", "--style"])
        .arg(&style)
        .arg("-o")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let pdf = std::fs::read(dir.path().join("wujin-2023-12-29.pdf")).unwrap();
    // Searched as bytes: the PDF is binary, and offsets must stay byte offsets.
    let find = |needle: &[u8], from: usize| {
        pdf[from..]
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|p| p + from)
    };
    assert!(
        find(b"NotoSerifCJKtc-Regular", 0).is_some(),
        "the PDF draws with the system's TC face"
    );

    let mut fonts = 0;
    let mut at = 0;
    let key = b"/Subtype/CIDFontType0C>>";
    while let Some(p) = find(key, at) {
        let dict_end = p + key.len();
        let dict_start = pdf[..dict_end]
            .windows(2)
            .rposition(|w| w == b"<<")
            .unwrap();
        let dict = String::from_utf8_lossy(&pdf[dict_start..dict_end]);
        assert!(dict.contains("/FlateDecode"), "{dict}");
        let len: usize = dict
            .split("/Length ")
            .nth(1)
            .unwrap()
            .split('/')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let start = find(b"stream\n", dict_end).unwrap() + b"stream\n".len();
        let mut cff = Vec::new();
        ZlibDecoder::new(&pdf[start..start + len])
            .read_to_end(&mut cff)
            .unwrap();
        let (privates, char_strings) = parse_cff(&cff);
        assert_eq!(
            hint_keys(&privates),
            Vec::<u16>::new(),
            "hint entries in a Private DICT"
        );
        assert!(char_strings.len() > 50, "{} glyphs", char_strings.len());
        for (gid, cs) in char_strings.iter().enumerate() {
            let ops = operators(cs);
            let hints: Vec<_> = ops
                .iter()
                .filter(|&&o| o < 256 && HINT_OPS.contains(&(o as u8)))
                .collect();
            assert!(hints.is_empty(), "glyph {gid}: hint operators {hints:?}");
            assert_eq!(
                ops.last(),
                Some(&14),
                "glyph {gid} does not end in endchar: {ops:?}"
            );
            assert!(
                !ops.contains(&10) && !ops.contains(&29),
                "glyph {gid} calls a subroutine"
            );
        }
        fonts += 1;
        at = start + len;
    }
    assert_eq!(fonts, 2, "the Regular and Bold TC subsets");
}
