//! Vertical setting (`--vertical`, style key `vertical = true`) of both samples, read
//! back: EPUBCheck 0/0, DAISY Ace no violation, every content document set vertical-rl
//! with pages turning right to left, numbers of two to four characters marked upright
//! (縦中横) and nothing else changed in the text, no vertical presentation forms written
//! in place of the punctuation. The vertical PDF of both samples: tagged, `qpdf --check`
//! clean, the tag tree holding the model's text in order (recall 1.0), `pdftotext`
//! finding no presentation form (the vertical glyphs keep the original characters), the
//! glyphs' positions (`pdftotext -bbox`) read top to bottom in columns running right to
//! left in tiers down the page, no vertical line breaking kinsoku. The OFD refuses
//! `--vertical` (not built yet) instead of falling back to horizontal.

mod epub_support;
mod pdf_support;

use epub_support::*;
use paiban::epub::EpubOptions;
use paiban::pdf::{PdfEngine, PdfOptions};
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
#[test]
fn daisy_ace_finds_no_violation_in_the_vertical_samples() {
    let Some(ace) = ace() else { return };
    let dir = tempfile::tempdir().unwrap();
    for input in samples() {
        let stem = input.file_stem().unwrap().to_string_lossy().to_string();
        let epub = dir.path().join(format!("{stem}.epub"));
        std::fs::write(&epub, build(&input, &vertical()).0).unwrap();
        let out = dir.path().join(format!("{stem}-ace"));
        let (violations, outcome) = epub_support::ace_violations(&ace, &epub, &out);
        assert!(violations.is_empty(), "{stem}: {violations:?}");
        assert_eq!(outcome, "pass", "{stem}");
    }
}

fn paiban(args: &[&std::ffi::OsStr]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_paiban"))
        .args(args)
        .output()
        .expect("run paiban")
}

#[test]
fn the_cli_builds_vertical_epubs_and_pdfs_and_refuses_a_vertical_ofd() {
    let dir = tempfile::tempdir().unwrap();
    let input = samples()[0].clone();
    let out = dir.path().join("out");
    // The OFD cannot be vertical yet: nothing is written.
    let r = paiban(&[
        "build".as_ref(),
        "--vertical".as_ref(),
        "--ofd".as_ref(),
        input.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    assert!(!r.status.success());
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("vertical") && err.contains("OFD"), "{err}");
    assert!(!out.join("wujin-2023-12-29.ofd").exists());
    assert!(!out.join("wujin-2023-12-29.pdf").exists());
    assert!(!out.join("wujin-2023-12-29.epub").exists());

    // EPUB and PDF by default, both vertical.
    let r = paiban(&[
        "build".as_ref(),
        "--vertical".as_ref(),
        input.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let pdf = out.join("wujin-2023-12-29.pdf");
    let vertical_pdf = render(&input, true);
    assert_eq!(
        std::fs::read(&pdf).unwrap(),
        vertical_pdf,
        "the CLI's PDF is the vertical one"
    );
    assert_ne!(vertical_pdf, render(&input, false));

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

fn render(input: &Path, vertical: bool) -> Vec<u8> {
    let doc = paiban::prepare_path(input, &paiban::PrepareOptions::default())
        .unwrap()
        .document;
    let opts = PdfOptions {
        vertical,
        ..Default::default()
    };
    PdfEngine::new(&opts).unwrap().render(&doc).unwrap().bytes
}

fn pdf_tools() -> bool {
    ["pdfinfo", "pdftotext", "qpdf"]
        .iter()
        .all(|t| tool_available(t, pdf_support::have(t)))
}

/// A glyph (or a word poppler made of several) as `pdftotext -bbox` places it.
#[derive(Debug, Clone)]
struct Word {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
    text: String,
}

fn words(pdf: &Path, page: u32) -> Vec<Word> {
    let p = page.to_string();
    let o = pdf_support::run(
        "pdftotext",
        &["-bbox", "-f", &p, "-l", &p, pdf.to_str().unwrap(), "-"],
    );
    let html = String::from_utf8_lossy(&o.stdout).into_owned();
    let attr = |w: &str, name: &str| -> f64 {
        let at = w.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        w[at..].split('"').next().unwrap().parse().unwrap()
    };
    html.split("<word ")
        .skip(1)
        .map(|w| Word {
            x0: attr(w, "xMin"),
            y0: attr(w, "yMin"),
            x1: attr(w, "xMax"),
            y1: attr(w, "yMax"),
            text: w
                .split('>')
                .nth(1)
                .and_then(|t| t.split('<').next())
                .unwrap_or("")
                .replace("&amp;", "&")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\""),
        })
        .collect()
}

/// The vertical lines of body text on a page: glyphs of body size (neither headline nor
/// running head) sharing a column centre, stacked without a gap, each top to bottom.
fn columns(words: &[Word]) -> Vec<Vec<Word>> {
    let body: Vec<&Word> = words
        .iter()
        .filter(|w| {
            let across = w.x1 - w.x0;
            across > 3.0 && across < 13.0
        })
        .collect();
    let mut cols: Vec<Vec<Word>> = Vec::new();
    let mut sorted = body.clone();
    sorted.sort_by(|a, b| a.y0.total_cmp(&b.y0));
    for w in sorted {
        let cx = (w.x0 + w.x1) / 2.0;
        let home = cols.iter_mut().find(|c| {
            let last = c.last().unwrap();
            ((last.x0 + last.x1) / 2.0 - cx).abs() < 3.0 && w.y0 - last.y1 < 6.0
        });
        match home {
            Some(c) => c.push(w.clone()),
            None => cols.push(vec![w.clone()]),
        }
    }
    cols
}

/// A page's body text read as a vertical newspaper is read: tiers (bands of columns
/// sharing their height) from the top, in each the columns from the right.
fn read_vertically(cols: &[Vec<Word>]) -> String {
    // Tiers: the union of the columns' vertical extents.
    let mut spans: Vec<(f64, f64)> = cols
        .iter()
        .filter(|c| c.len() >= 6)
        .map(|c| (c[0].y0, c.last().unwrap().y1))
        .collect();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut tiers: Vec<(f64, f64)> = Vec::new();
    for (a, b) in spans {
        match tiers.last_mut() {
            Some(t) if a < t.1 - 1.0 => t.1 = t.1.max(b),
            _ => tiers.push((a, b)),
        }
    }
    let mut out = String::new();
    for (top, bottom) in tiers {
        let mut in_tier: Vec<&Vec<Word>> = cols
            .iter()
            .filter(|c| {
                let mid = (c[0].y0 + c.last().unwrap().y1) / 2.0;
                mid > top && mid < bottom
            })
            .collect();
        in_tier.sort_by(|a, b| b[0].x0.total_cmp(&a[0].x0));
        for c in in_tier {
            out.extend(c.iter().map(|w| w.text.as_str()));
        }
    }
    out
}

#[test]
fn vertical_pdfs_are_tagged_and_read_in_columns_right_to_left() {
    if !pdf_tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for input in samples() {
        let name = input.display().to_string();
        let doc = paiban::prepare_path(&input, &paiban::PrepareOptions::default())
            .unwrap()
            .document;
        let bytes = render(&input, true);
        assert_eq!(bytes, render(&input, true), "{name}: not byte-identical");
        let pdf = dir.path().join("v.pdf");
        std::fs::write(&pdf, &bytes).unwrap();
        let info = String::from_utf8(pdf_support::run("pdfinfo", &[pdf.to_str().unwrap()]).stdout)
            .unwrap();
        assert!(info.contains("Tagged:          yes"), "{name}: {info}");
        let q = pdf_support::run("qpdf", &["--check", pdf.to_str().unwrap()]);
        assert!(
            q.status.success(),
            "{name}: qpdf --check\n{}",
            String::from_utf8_lossy(&q.stdout)
        );

        // The tag tree: every character of the model in order (recall 1.0).
        let got = pdf_support::struct_text(&pdf_support::struct_tree(&pdf));
        let want = pdf_support::model_text(&doc);
        pdf_support::assert_in_order(&format!("{name} (tag tree)"), &want, &got, "");
        assert!(!got.chars().any(is_vertical_form), "{name}: tag tree {got}");

        // The page text: the original punctuation, no presentation form.
        let o = pdf_support::run("pdftotext", &[pdf.to_str().unwrap(), "-"]);
        let text = String::from_utf8_lossy(&o.stdout).into_owned();
        let forms: Vec<char> = text.chars().filter(|&c| is_vertical_form(c)).collect();
        assert!(forms.is_empty(), "{name}: {forms:?}");
        assert!(text.contains('，') && text.contains('。'), "{name}");

        // Geometry: on page 1, the first paragraph reads top to bottom, its columns right
        // to left, tier after tier; no vertical line starts with a closing mark nor ends
        // with an opening one.
        let cols = columns(&words(&pdf, 1));
        assert!(cols.len() > 20, "{name}: {} columns", cols.len());
        let read = read_vertically(&cols);
        let first: String = doc.articles[0]
            .blocks
            .iter()
            .map(|b| b.plain_text())
            .find(|t| t.chars().count() > 60)
            .unwrap()
            .chars()
            .filter(|c| !c.is_whitespace())
            .take(60)
            .collect();
        assert!(read.contains(&first), "{name}: `{first}` not in\n{read}");
        let pages: u32 = info
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .and_then(|n| n.trim().parse().ok())
            .unwrap();
        let mut bad = Vec::new();
        let mut lines = 0;
        for page in 1..=pages {
            for c in columns(&words(&pdf, page)) {
                let t: String = c.iter().map(|w| w.text.as_str()).collect();
                let (Some(a), Some(z)) = (t.chars().next(), t.chars().last()) else {
                    continue;
                };
                lines += 1;
                if (paiban::cjk::no_line_start(a) && !t.starts_with("——") && !t.starts_with("……"))
                    || paiban::cjk::no_line_end(z)
                {
                    bad.push(t);
                }
            }
        }
        assert!(lines > 40, "{name}: {lines} vertical lines");
        assert!(bad.is_empty(), "{name}: kinsoku in vertical lines: {bad:?}");
        eprintln!(
            "{name}: tag tree recall 1.0000 of {} characters; {lines} vertical lines on {pages} pages, kinsoku 0",
            want.chars().count()
        );
    }
}

#[test]
fn a_link_in_a_vertical_line_is_one_annotation_over_its_column() {
    if !pdf_tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("link.md");
    std::fs::write(
        &md,
        "---\nnewspaper: 链接日报\ndate: 2024-05-06\n---\n\n# 链接新闻\n\n\
         详见[人民网报道全文链接](https://www.people.com.cn/) 和 \
         [the English site](https://en.people.cn/) 两处。\n",
    )
    .unwrap();
    let pdf = dir.path().join("link.pdf");
    std::fs::write(&pdf, render(&md, true)).unwrap();
    let o = pdf_support::run(
        "qpdf",
        &[
            "--qdf",
            "--object-streams=disable",
            pdf.to_str().unwrap(),
            "-",
        ],
    );
    let body = String::from_utf8_lossy(&o.stdout).into_owned();
    // One annotation a link (each glyph of a vertical line is drawn on its own; the
    // boxes of a link's glyphs are joined), each a tall narrow box: a column.
    assert_eq!(body.matches("/Subtype /Link").count(), 2, "{body}");
    for rect in body.split("/Rect [").skip(1) {
        let n: Vec<f64> = rect
            .split(']')
            .next()
            .unwrap()
            .split_whitespace()
            .map(|v| v.parse().unwrap())
            .collect();
        let (w, h) = ((n[2] - n[0]).abs(), (n[3] - n[1]).abs());
        assert!(h > 4.0 * w && w < 15.0, "{n:?}");
    }
}
