//! EPUBCheck must report 0 fatal errors, 0 errors and 0 warnings on the sample issue, on every
//! clean text of the normalizer corpus, on a fixture using every block kind with XML-special
//! characters in its title, on bad input (raw HTML, missing and non-image files), and with
//! `--embed-font`, and on edge cases (no articles, control characters, odd Markdown).

mod epub_support;
use epub_support::*;
use paiban::epub::EpubOptions;
use std::path::PathBuf;
use std::process::Command;

#[test]
fn epubcheck_accepts_every_issue_without_errors_or_warnings() {
    if !have_epubcheck() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let mut inputs: Vec<(PathBuf, EpubOptions)> = vec![
        (sample(), EpubOptions::default()),
        (
            sample(),
            EpubOptions {
                embed_font: true,
                ..Default::default()
            },
        ),
        (fixture("features-2024-03-15.md"), EpubOptions::default()),
        (fixture("bad-input-2024-03-16.md"), EpubOptions::default()),
        // Control characters in a title; odd Markdown (task lists, quotes in lists, a
        // header-only table, internal and relative links, an undefined footnote).
        (fixture("control-chars.md"), EpubOptions::default()),
        (fixture("edge-cases.md"), EpubOptions::default()),
    ];
    let corpus = corpus_clean();
    assert!(
        corpus.len() >= 30,
        "the corpus has {} clean texts",
        corpus.len()
    );
    inputs.extend(corpus.into_iter().map(|p| (p, EpubOptions::default())));
    // The folder sample (pages, series) and every issue of the round-trip corpus as the
    // converters left it (page-list and page-break markers from the normalizer).
    inputs.push((
        root().join("content/shili-2023-04-11"),
        EpubOptions::default(),
    ));
    inputs.extend(
        roundtrip_damaged()
            .into_iter()
            .map(|p| (p, EpubOptions::default())),
    );
    let mut files = Vec::new();
    for (i, (input, opts)) in inputs.iter().enumerate() {
        let (bytes, _) = build(input, opts);
        let stem = input.file_stem().unwrap_or_default().to_string_lossy();
        let out = dir.path().join(format!("{i:02}-{stem}.epub"));
        std::fs::write(&out, bytes).expect("write epub");
        files.push(out);
    }
    // An issue without articles, rendered from the model directly.
    let empty = paiban::epub::EpubEngine::new(&EpubOptions::default())
        .and_then(|e| e.render(&empty_document()))
        .expect("render an empty issue");
    let out = dir.path().join("empty.epub");
    std::fs::write(&out, empty.bytes).expect("write epub");
    files.push(out);
    let verdicts = epubcheck_batch(&files);
    let mut bad = Vec::new();
    for (file, v) in &verdicts {
        if v.fatal + v.errors + v.warnings > 0 {
            bad.push(format!(
                "{}: {} fatal, {} errors, {} warnings\n  {}",
                file.display(),
                v.fatal,
                v.errors,
                v.warnings,
                v.messages.join("\n  ")
            ));
        }
    }
    assert!(bad.is_empty(), "EPUBCheck complained:\n{}", bad.join("\n"));
}

/// The same verdict through the command-line tool exactly as a user runs it.
#[test]
fn epubcheck_command_line_reports_no_errors_on_the_sample() {
    if !have_epubcheck() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("wujin.epub");
    std::fs::write(&out, build(&sample(), &EpubOptions::default()).0).expect("write");
    let run = Command::new("java")
        .args(["-jar", EPUBCHECK_JAR])
        .arg(&out)
        .output()
        .expect("run epubcheck");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(run.status.success(), "epubcheck failed:\n{all}");
    assert!(
        all.contains("No errors or warnings detected"),
        "epubcheck output:\n{all}"
    );
    assert!(!all.contains("ERROR") && !all.contains("WARNING"), "{all}");
}
