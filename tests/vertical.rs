//! Vertical setting (`--vertical`, style key `vertical = true`) of both samples, read
//! back: EPUBCheck 0/0, DAISY Ace no violation, every content document set vertical-rl
//! with pages turning right to left, numbers of two to four characters marked upright
//! (縦中横) and nothing else changed in the text, no vertical presentation forms written
//! in place of the punctuation; the PDF and OFD refuse `--vertical` (not built yet)
//! instead of falling back to horizontal.

mod epub_support;

use epub_support::*;
use paiban::epub::EpubOptions;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn samples() -> [PathBuf; 2] {
    [
        root().join("content/wujin-2023-12-29.md"),
        root().join("content/shili-2023-04-11"),
    ]
}

fn vertical() -> EpubOptions {
    EpubOptions {
        vertical: true,
        ..Default::default()
    }
}

/// The content documents (articles; cover and nav are checked through the style sheet).
fn articles(map: &BTreeMap<String, Vec<u8>>) -> Vec<(String, String)> {
    map.keys()
        .filter(|k| k.starts_with("OEBPS/article-") && k.ends_with(".xhtml"))
        .map(|k| (k.clone(), text(map, k)))
        .collect()
}

/// Unicode's vertical presentation forms (U+FE10–FE19, U+FE30–FE4F): the text must keep
/// the ordinary punctuation; the font's `vert` forms are the reading system's business.
fn is_vertical_form(c: char) -> bool {
    matches!(c, '\u{fe10}'..='\u{fe19}' | '\u{fe30}'..='\u{fe4f}')
}

#[test]
fn vertical_epubs_set_every_document_vertical_and_turn_pages_right_to_left() {
    for input in samples() {
        let name = input.display().to_string();
        let (_, map) = unzip(&build(&input, &vertical()).0);
        let css = text(&map, "OEBPS/stylesheet.css");
        let html_rule = css
            .split("html {")
            .last()
            .and_then(|r| r.split('}').next())
            .unwrap_or("");
        for decl in [
            "writing-mode: vertical-rl;",
            "-epub-writing-mode: vertical-rl;",
            "-webkit-writing-mode: vertical-rl;",
        ] {
            assert!(html_rule.contains(decl), "{name}: {decl} on html in\n{css}");
        }
        assert!(css.contains("span.tcy {") && css.contains("text-combine-upright: all;"));
        let opf = text(&map, "OEBPS/content.opf");
        assert_eq!(
            opf.matches("page-progression-direction=").count(),
            1,
            "{name}: one direction on the spine\n{opf}"
        );
        assert!(
            opf.contains("<spine page-progression-direction=\"rtl\""),
            "{opf}"
        );
        assert!(
            opf.contains("<meta name=\"primary-writing-mode\" content=\"vertical-rl\"/>"),
            "{opf}"
        );
        let docs: Vec<String> = map
            .keys()
            .filter(|k| k.ends_with(".xhtml"))
            .cloned()
            .collect();
        assert!(docs.len() >= 3, "{name}: {docs:?}");
        for d in &docs {
            assert!(
                text(&map, d).contains("href=\"stylesheet.css\""),
                "{name}: {d} does not take the vertical style sheet"
            );
        }
        // The contents set their numbers as the text does (the 版 of a folder issue).
        let nav = text(&map, "OEBPS/nav.xhtml");
        if input.is_dir() {
            assert!(
                nav.contains("第<span class=\"tcy\">01</span>版"),
                "{name}: {nav}"
            );
        }
        // The horizontal EPUB has none of it.
        let (_, flat) = unzip(&build(&input, &EpubOptions::default()).0);
        assert!(!text(&flat, "OEBPS/stylesheet.css").contains("vertical-rl"));
        assert!(text(&flat, "OEBPS/content.opf").contains("page-progression-direction=\"ltr\""));
    }
}

#[test]
fn vertical_text_is_the_horizontal_text_with_numbers_marked_upright() {
    let mut marked = 0;
    for input in samples() {
        let name = input.display().to_string();
        let (_, v) = unzip(&build(&input, &vertical()).0);
        let (_, h) = unzip(&build(&input, &EpubOptions::default()).0);
        let (va, ha) = (articles(&v), articles(&h));
        assert_eq!(va.len(), ha.len());
        assert!(!va.is_empty());
        for ((file, vx), (_, hx)) in va.iter().zip(&ha) {
            assert_eq!(
                strip_tags(vx),
                strip_tags(hx),
                "{name} {file}: vertical setting changed the text"
            );
            assert!(
                !strip_tags(vx).chars().any(is_vertical_form),
                "{name} {file}: vertical presentation forms in the text"
            );
            // Every marked number is two to four characters (digits, a decimal point).
            for part in vx.split("<span class=\"tcy\">").skip(1) {
                let n = part.split("</span>").next().unwrap_or("");
                assert!(
                    (2..=4).contains(&n.chars().count())
                        && n.chars().all(|c| c.is_ascii_digit() || c == '.'),
                    "{name} {file}: tcy `{n}`"
                );
                marked += 1;
            }
            // And every number of two to four characters in the body is marked (the
            // document's <title> is plain text).
            let body = vx.split_once("<body").map_or(vx.as_str(), |b| b.1);
            let unmarked = strip_tags(
                &body
                    .split("<span class=\"tcy\">")
                    .enumerate()
                    .map(|(i, p)| {
                        if i == 0 {
                            p.to_string()
                        } else {
                            p.split_once("</span>").map_or(p, |x| x.1).to_string()
                        }
                    })
                    .collect::<String>()
                    .split("<span class=\"upright\">")
                    .enumerate()
                    .map(|(i, p)| {
                        if i == 0 {
                            p.to_string()
                        } else {
                            p.split_once("</span>").map_or(p, |x| x.1).to_string()
                        }
                    })
                    .collect::<String>(),
            );
            for run in unmarked
                .split(|c: char| !(c.is_ascii_digit() || c == '.'))
                .map(|r| r.trim_matches('.'))
                .filter(|r| r.chars().any(|c| c.is_ascii_digit()))
            {
                assert!(
                    run.chars().count() > 4,
                    "{name} {file}: `{run}` left unmarked"
                );
            }
        }
    }
    assert!(marked >= 30, "only {marked} numbers marked in the samples");
}

#[test]
fn epubcheck_accepts_the_vertical_samples() {
    if !have_epubcheck() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = samples()
        .iter()
        .map(|input| {
            let p = dir.path().join(format!(
                "{}.epub",
                input.file_stem().unwrap().to_string_lossy()
            ));
            std::fs::write(&p, build(input, &vertical()).0).unwrap();
            p
        })
        .collect();
    for (file, v) in epubcheck_batch(&files) {
        assert_eq!(
            (v.fatal, v.errors, v.warnings),
            (0, 0, 0),
            "{}: {:?}",
            file.display(),
            v.messages
        );
    }
}

/// DAISY Ace as `ace-puppeteer` (as tests/newspaper.rs runs it).
fn ace() -> Option<PathBuf> {
    let p = std::env::var_os("PAIBAN_ACE").map_or_else(
        || PathBuf::from("/opt/paiban-ace/node_modules/.bin/ace-puppeteer"),
        PathBuf::from,
    );
    let chromium = Path::new("/usr/bin/chromium").is_file();
    tool_available(
        "DAISY Ace (ace-puppeteer, with Debian chromium)",
        p.is_file() && chromium,
    )
    .then_some(p)
}

#[test]
fn daisy_ace_finds_no_violation_in_the_vertical_samples() {
    let Some(ace) = ace() else { return };
    let dir = tempfile::tempdir().unwrap();
    for input in samples() {
        let stem = input.file_stem().unwrap().to_string_lossy().to_string();
        let epub = dir.path().join(format!("{stem}.epub"));
        std::fs::write(&epub, build(&input, &vertical()).0).unwrap();
        let out = dir.path().join(format!("{stem}-ace"));
        let run = Command::new(&ace)
            .env("PUPPETEER_EXECUTABLE_PATH", "/usr/bin/chromium")
            .arg("-f")
            .arg("-o")
            .arg(&out)
            .arg(&epub)
            .output()
            .expect("run ace-puppeteer");
        assert!(
            run.status.success(),
            "{stem}: ace failed\n{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let report: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
        let violations: Vec<String> = report["assertions"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|a| a["assertions"].as_array().cloned().unwrap_or_default())
            .map(|v| {
                format!(
                    "{} {}",
                    v["earl:test"]["earl:impact"], v["earl:test"]["dct:title"]
                )
            })
            .collect();
        assert!(violations.is_empty(), "{stem}: {violations:?}");
        assert_eq!(report["earl:result"]["earl:outcome"], "pass", "{stem}");
    }
}

fn paiban(args: &[&std::ffi::OsStr]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_paiban"))
        .args(args)
        .output()
        .expect("run paiban")
}

#[test]
fn the_cli_builds_vertical_epubs_and_refuses_a_vertical_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let input = samples()[0].clone();
    let out = dir.path().join("out");
    // EPUB and PDF by default: the PDF cannot be vertical yet, so nothing is written.
    let r = paiban(&[
        "build".as_ref(),
        "--vertical".as_ref(),
        input.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    assert!(!r.status.success());
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("vertical") && err.contains("--epub"), "{err}");
    assert!(!out.join("wujin-2023-12-29.pdf").exists());
    assert!(!out.join("wujin-2023-12-29.epub").exists());

    let r = paiban(&[
        "build".as_ref(),
        "--vertical".as_ref(),
        "--epub".as_ref(),
        input.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let (_, map) = unzip(&std::fs::read(out.join("wujin-2023-12-29.epub")).unwrap());
    assert!(text(&map, "OEBPS/content.opf").contains("page-progression-direction=\"rtl\""));

    // The style key does the same; batch takes it too.
    let style = dir.path().join("vertical.toml");
    std::fs::write(&style, "vertical = true\n").unwrap();
    let issues = dir.path().join("issues");
    std::fs::create_dir(&issues).unwrap();
    std::fs::copy(&input, issues.join("wujin-2023-12-29.md")).unwrap();
    let bout = dir.path().join("bout");
    let r = paiban(&[
        "batch".as_ref(),
        issues.as_os_str(),
        "-o".as_ref(),
        bout.as_os_str(),
        "--format".as_ref(),
        "epub".as_ref(),
        "--no-opds".as_ref(),
        "--style".as_ref(),
        style.as_os_str(),
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let (_, map) = unzip(&std::fs::read(bout.join("wujin-2023-12-29.epub")).unwrap());
    assert!(text(&map, "OEBPS/stylesheet.css").contains("writing-mode: vertical-rl"));
    assert!(text(&map, "OEBPS/content.opf").contains("page-progression-direction=\"rtl\""));
}
