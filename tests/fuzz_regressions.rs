//! Replays every saved fuzz finding (tests/fixtures/fuzz/<target>/*) through the entry
//! point of the fuzz target that found it. Each must now run to the end without a panic;
//! what each input once broke is described in the fixture folder's README and its name.

use std::path::PathBuf;

fn findings(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no findings in {}", dir.display());
    files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p, bytes)
        })
        .collect()
}

fn replay(target: &str, run: fn(&[u8])) {
    for (path, bytes) in findings(target) {
        eprintln!("replaying {}", path.display());
        run(&bytes);
    }
}

#[test]
fn normalize_findings() {
    replay("normalize", paiban::fuzzing::normalize_bytes);
}

#[test]
fn markdown_findings() {
    replay("markdown", paiban::fuzzing::markdown_bytes);
}

#[test]
fn build_findings() {
    replay("build_issue", paiban::fuzzing::build_bytes);
}

#[test]
fn image_findings() {
    replay("image", paiban::fuzzing::image_bytes);
}

/// The fuzz workspace (fuzz/Cargo.toml) does not inherit the main crate's
/// `[patch.crates-io]`; without the same patches paiban does not compile there
/// (stop 28 failed CI on `epub_builder::Zip`). Both lists must name the same vendored crates.
#[test]
fn fuzz_workspace_patches_the_same_crates() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let patches = |manifest: &str, prefix: &str| -> Vec<(String, String)> {
        let path = root.join(manifest);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{manifest}: {e}"));
        let doc: toml::Table = text.parse().unwrap_or_else(|e| panic!("{manifest}: {e}"));
        let table = doc
            .get("patch")
            .and_then(|p| p.get("crates-io"))
            .and_then(|c| c.as_table())
            .unwrap_or_else(|| panic!("{manifest}: no [patch.crates-io]"));
        let mut list: Vec<(String, String)> = table
            .iter()
            .map(|(name, spec)| {
                let dir = spec
                    .get("path")
                    .and_then(|p| p.as_str())
                    .unwrap_or_else(|| panic!("{manifest}: {name} has no path"));
                let dir = dir.strip_prefix(prefix).unwrap_or(dir);
                (name.clone(), dir.to_string())
            })
            .collect();
        list.sort();
        list
    };
    let main = patches("Cargo.toml", "");
    assert!(!main.is_empty());
    assert_eq!(patches("fuzz/Cargo.toml", "../"), main);
}
