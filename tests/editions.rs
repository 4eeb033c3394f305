//! Traditional editions (`--edition zh-Hant,zh-TW,zh-HK`): the conversion equals the
//! OpenCC command's (s2t, s2twp, s2hk) on the samples and the 33 corpus texts, a user
//! dictionary wins where it says and nowhere else; the samples' zh-TW and zh-HK editions
//! pass EPUBCheck and DAISY Ace, their PDFs are tagged with the edition's /Lang and drawn
//! with the regional Noto Serif CJK face, `check` finds no missing glyph, and the PDF's tag
//! tree and the EPUB hold the edition's text in order.

mod epub_support;
mod pdf_support;

use epub_support::{
    ace, corpus_clean, epubcheck_batch, have_epubcheck, root, strip_tags, tool_available, unzip,
};
use paiban::edition::{Converter, Dictionary, Edition};
use pdf_support::{assert_in_order, model_text};
use std::path::{Path, PathBuf};
use std::process::Command;

const CONFIGS: [(Edition, &str); 3] = [
    (Edition::Hant, "s2t.json"),
    (Edition::Tw, "s2twp.json"),
    (Edition::Hk, "s2hk.json"),
];

fn have_opencc() -> bool {
    tool_available(
        "opencc (Debian package opencc)",
        Command::new("opencc").arg("--version").output().is_ok(),
    )
}

/// The OpenCC command's conversion of `text`.
fn opencc(config: &str, text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.txt");
    let output = dir.path().join("out.txt");
    std::fs::write(&input, text).unwrap();
    let o = Command::new("opencc")
        .args(["-c", config, "-i"])
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .output()
        .expect("run opencc");
    assert!(
        o.status.success(),
        "opencc: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    std::fs::read_to_string(&output).unwrap()
}

fn samples() -> Vec<PathBuf> {
    vec![
        root().join("content/wujin-2023-12-29.md"),
        root().join("content/shili-2023-04-11"),
    ]
}

/// The texts of the golden test: the samples' Markdown files and the corpus texts.
fn golden_texts() -> Vec<PathBuf> {
    let mut v = vec![root().join("content/wujin-2023-12-29.md")];
    let folder = root().join("content/shili-2023-04-11");
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md" || e == "toml"))
        .collect();
    pages.sort();
    v.extend(pages);
    let corpus = corpus_clean();
    assert_eq!(
        corpus.len(),
        33,
        "the corpus texts in tests/fixtures/corpus"
    );
    v.extend(corpus);
    v
}

#[test]
fn conversions_equal_the_opencc_command() {
    if !have_opencc() {
        return;
    }
    let texts: Vec<(PathBuf, String)> = golden_texts()
        .into_iter()
        .map(|p| {
            let t = std::fs::read_to_string(&p).unwrap();
            (p, t)
        })
        .collect();
    let mut differing = Vec::new();
    for (edition, config) in CONFIGS {
        let ours = Converter::new(edition, &Dictionary::new()).unwrap();
        // One opencc run for all texts, separated by a line no phrase can cross.
        let sep = "\n\u{2063}\n";
        let joined: Vec<&str> = texts.iter().map(|(_, t)| t.as_str()).collect();
        let theirs = opencc(config, &joined.join(sep));
        let theirs: Vec<&str> = theirs.split(sep).collect();
        assert_eq!(
            theirs.len(),
            texts.len(),
            "{config}: the separator survived"
        );
        let mut changed = 0;
        for ((path, text), want) in texts.iter().zip(theirs) {
            let got = ours.text(text);
            let diffs: Vec<String> = if got.chars().count() == want.chars().count() {
                got.chars()
                    .zip(want.chars())
                    .enumerate()
                    .filter(|(_, (a, b))| a != b)
                    .map(|(i, (a, b))| {
                        let ctx: String = text.chars().skip(i.saturating_sub(3)).take(7).collect();
                        format!("{ctx}: {a}≠{b}")
                    })
                    .collect()
            } else {
                vec!["lengths differ".to_string()]
            };
            if !diffs.is_empty() {
                differing.push(format!(
                    "{config} {} ({} chars): {}",
                    path.file_name().unwrap().to_string_lossy(),
                    diffs.len(),
                    diffs.join(" | ")
                ));
            }
            changed += usize::from(got != *text);
        }
        assert_eq!(
            changed,
            texts.len(),
            "{config}: every text has something to convert"
        );
    }
    assert!(
        differing.is_empty(),
        "differs from opencc:\n{}",
        differing.join("\n")
    );
}

#[test]
fn the_user_dictionary_wins_where_it_says_and_nowhere_else() {
    if !have_opencc() {
        return;
    }
    let text = std::fs::read_to_string(root().join("content/wujin-2023-12-29.md")).unwrap();
    // 武进 is 武進 to OpenCC; a paper may keep its own form of its name.
    let key = "武进";
    let mine = "武进（本報寫法）";
    let count = text.matches(key).count();
    assert!(count > 0);
    let mut dict = Dictionary::new();
    dict.insert(key.into(), mine.into());
    for (edition, config) in CONFIGS {
        let got = Converter::new(edition, &dict).unwrap().text(&text);
        assert_eq!(got.matches(mine).count(), count, "{config}");
        // Between the entries: exactly what OpenCC makes of the text around them (a line
        // break stands for the entry: no phrase crosses it).
        assert_eq!(
            got.replace(mine, "\n"),
            opencc(config, &text.replace(key, "\n")),
            "{config}"
        );
    }
}

fn paiban(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_paiban"))
        .args(args)
        .output()
        .expect("run paiban")
}

/// Builds both samples in zh-Hans, zh-TW and zh-HK into `out`; returns the base names.
fn build_editions(out: &Path, extra: &[&str]) -> Vec<String> {
    let mut names = Vec::new();
    for input in samples() {
        let mut args = vec![
            "build",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--edition",
            "zh-Hans,zh-TW,zh-HK",
        ];
        args.extend_from_slice(extra);
        let o = paiban(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let name = input.file_stem().unwrap().to_string_lossy().into_owned();
        let exts: &[&str] = match extra {
            ["--epub", ..] => &["epub"],
            ["--pdf", ..] => &["pdf"],
            _ => &["epub", "pdf"],
        };
        for ext in exts {
            for stem in [
                name.clone(),
                format!("{name}.zh-TW"),
                format!("{name}.zh-HK"),
            ] {
                assert!(out.join(format!("{stem}.{ext}")).is_file(), "{stem}.{ext}");
            }
        }
        names.push(name);
    }
    names
}

const TRADITIONAL: [(Edition, &str, &str); 2] = [
    (Edition::Tw, "zh-Hant-TW", "NotoSerifCJKtc"),
    (Edition::Hk, "zh-Hant-HK", "NotoSerifCJKhk"),
];

/// The sample's document in `edition`, as the build converted it.
fn edition_document(input: &Path, edition: Edition) -> paiban::model::Document {
    let p = paiban::prepare_path(input, &paiban::PrepareOptions::default()).unwrap();
    Converter::new(edition, &Dictionary::new())
        .unwrap()
        .with_dictionary(&p.issue.meta.edition_dictionary)
        .document(&p.document)
}

/// The articles' text in order, white space left out; each article says `lang="{tag}"`.
fn articles_text(map: &std::collections::BTreeMap<String, Vec<u8>>, tag: &str) -> String {
    let mut chapters: Vec<&String> = map.keys().filter(|k| k.contains("article-")).collect();
    chapters.sort();
    let mut text = String::new();
    for c in chapters {
        let x = epub_support::text(map, c);
        assert!(x.contains(&format!("lang=\"{tag}\"")), "{c}");
        text.push_str(&strip_tags(&x));
    }
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn traditional_epubs_pass_epubcheck_and_say_their_language() {
    if !have_epubcheck() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let names = build_editions(dir.path(), &["--epub"]);
    let mut files = Vec::new();
    for (i, name) in names.iter().enumerate() {
        for (edition, tag, _) in TRADITIONAL {
            let path = dir.path().join(format!("{name}.{edition}.epub"));
            let (_, map) = unzip(&std::fs::read(&path).unwrap());
            let opf = epub_support::text(&map, "OEBPS/content.opf");
            assert!(opf.contains(&format!(">{tag}</dc:language>")), "{opf}");
            assert!(opf.contains(&format!("xml:lang=\"{tag}\"")), "{opf}");
            // Every article: the edition's lang, and the edition's text in order.
            let text = articles_text(&map, tag);
            // Without an embedded font the style sheet names the regional family.
            let css: String = map
                .iter()
                .filter(|(k, _)| k.ends_with(".css"))
                .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
                .collect();
            let family = if edition == Edition::Tw { "TC" } else { "HK" };
            assert!(
                css.contains(&format!("\"Noto Serif CJK {family}\"")),
                "{css}"
            );
            let doc = edition_document(&samples()[i], edition);
            assert_in_order(
                &format!("{name}.{edition}.epub"),
                &model_text(&doc),
                &text,
                "",
            );
            files.push(path);
        }
    }
    // `--embed-font` embeds a subset of the edition's regional face, named as such.
    let embedded = dir.path().join("embedded");
    build_editions(&embedded, &["--epub", "--embed-font"]);
    for (edition, family) in [(Edition::Tw, "TC"), (Edition::Hk, "HK")] {
        let path = embedded.join(format!("wujin-2023-12-29.{edition}.epub"));
        let (_, map) = unzip(&std::fs::read(&path).unwrap());
        let font = format!("OEBPS/fonts/NotoSerif{family}-subset.otf");
        let face = ttf_parser::Face::parse(&map[&font], 0).unwrap();
        let names: Vec<String> = face
            .names()
            .into_iter()
            .filter(|n| n.name_id == ttf_parser::name_id::FAMILY)
            .filter_map(|n| n.to_string())
            .collect();
        assert!(
            names
                .iter()
                .any(|n| n == &format!("Noto Serif CJK {family}")),
            "{names:?}"
        );
        let css: String = map
            .iter()
            .filter(|(k, _)| k.ends_with(".css"))
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
            .collect();
        assert!(css.contains(&format!("url(\"fonts/NotoSerif{family}-subset.otf\")")));
        assert!(
            !css.contains("Noto Serif CJK"),
            "only the embedded face is named: {css}"
        );
        files.push(path);
    }
    for (path, v) in epubcheck_batch(&files) {
        assert_eq!(
            (v.fatal, v.errors, v.warnings),
            (0, 0, 0),
            "{}: {:?}",
            path.display(),
            v.messages
        );
    }
}

/// The PDF's objects as text (`qpdf --qdf`, no object streams): the catalog's `/Lang`.
fn uncompressed(pdf: &Path, dir: &Path) -> String {
    let plain = dir.join("plain.pdf");
    let q = Command::new("qpdf")
        .args(["--qdf", "--object-streams=disable"])
        .arg(pdf)
        .arg(&plain)
        .output()
        .unwrap();
    assert!(q.status.code().is_some_and(|c| c == 0 || c == 3));
    String::from_utf8_lossy(&std::fs::read(&plain).unwrap()).into_owned()
}

#[test]
fn traditional_pdfs_are_tagged_in_their_language_with_the_regional_face() {
    if !pdf_support::have("pdfinfo") || !pdf_support::have("pdffonts") || !pdf_support::have("qpdf")
    {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let names = build_editions(dir.path(), &["--pdf"]);
    for (i, name) in names.iter().enumerate() {
        for (edition, tag, face) in TRADITIONAL {
            let pdf = dir.path().join(format!("{name}.{edition}.pdf"));
            let p = pdf.to_str().unwrap();
            let info = String::from_utf8(pdf_support::run("pdfinfo", &[p]).stdout).unwrap();
            assert!(info.contains("Tagged:          yes"), "{info}");
            // The catalog's /Lang, read from the uncompressed file.
            let bytes = uncompressed(&pdf, dir.path());
            assert!(
                bytes.contains(&format!("/Lang ({tag})")),
                "{name}.{edition}: /Lang"
            );
            assert!(!bytes.contains("/Lang (zh-CN)"), "{name}.{edition}");
            // Drawn with the regional face only: no SC face's mainland forms.
            let fonts = String::from_utf8(pdf_support::run("pdffonts", &[p]).stdout).unwrap();
            assert!(fonts.contains(face), "{name}.{edition}: {fonts}");
            assert!(
                !fonts.contains("SC-") && !fonts.contains("CJKsc"),
                "{name}.{edition}: {fonts}"
            );
            // The tag tree holds the edition's text in order (recall 1.0).
            let doc = edition_document(&samples()[i], edition);
            assert_in_order(
                &format!("{name}.{edition}.pdf (tag tree)"),
                &model_text(&doc),
                &pdf_support::struct_text(&pdf_support::struct_tree(&pdf)),
                "",
            );
        }
    }
}

#[test]
fn check_finds_no_missing_glyph_in_the_traditional_editions() {
    for input in samples() {
        let o = paiban(&[
            "check",
            input.to_str().unwrap(),
            "--edition",
            "zh-TW,zh-HK",
            "--json",
        ]);
        let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let missing: Vec<&serde_json::Value> = report["issues"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["kind"] == "missing-glyph" || f["kind"] == "regional-glyph")
            .collect();
        assert!(missing.is_empty(), "{}: {missing:?}", input.display());
    }
    // The check does look at the edition: a character no font has (a private-use one) is
    // named for the edition too.
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("x.md");
    std::fs::write(&md, "# 标题\n\n正文\u{e000}。\n").unwrap();
    let o = paiban(&[
        "check",
        md.to_str().unwrap(),
        "--edition",
        "zh-TW",
        "--json",
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("zh-TW edition: `\u{e000}` U+E000"), "{out}");
    // … and that the TC face lacks it, so it would not be drawn in Taiwan's forms.
    assert!(
        out.contains("\"regional-glyph\"") && out.contains("is not in Noto Serif CJK TC"),
        "{out}"
    );
}

#[test]
fn daisy_ace_finds_no_violation_in_the_traditional_editions() {
    let Some(ace) = ace() else { return };
    let dir = tempfile::tempdir().unwrap();
    let names = build_editions(dir.path(), &["--epub"]);
    for name in &names {
        for (edition, _, _) in TRADITIONAL {
            let epub = dir.path().join(format!("{name}.{edition}.epub"));
            let out = dir.path().join(format!("{name}.{edition}-ace"));
            let (violations, outcome) = epub_support::ace_violations(&ace, &epub, &out);
            assert!(violations.is_empty(), "{name}.{edition}: {violations:?}");
            assert_eq!(outcome, "pass", "{name}.{edition}");
        }
    }
}

#[test]
fn a_style_file_names_the_editions_and_a_dictionary() {
    let dir = tempfile::tempdir().unwrap();
    let style = dir.path().join("s.toml");
    std::fs::write(
        &style,
        "editions = [\"zh-TW\"]\n[edition.dictionary]\n\"武进\" = \"武进（本報寫法）\"\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let input = root().join("content/wujin-2023-12-29.md");
    let o = paiban(&[
        "build",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--epub",
        "--style",
        style.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Only the edition named: no Simplified file.
    assert!(!out.join("wujin-2023-12-29.epub").exists());
    let (_, map) = unzip(&std::fs::read(out.join("wujin-2023-12-29.zh-TW.epub")).unwrap());
    let all: String = map
        .iter()
        .filter(|(k, _)| k.contains("article-"))
        .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
        .collect();
    assert!(all.contains("武进（本報寫法）"));
    // A bad edition name is a usage error naming it.
    std::fs::write(&style, "editions = \"zh-XX\"\n").unwrap();
    let o = paiban(&[
        "build",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--style",
        style.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("zh-XX"));
}

#[test]
fn an_issue_toml_dictionary_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let issue = dir.path().join("issue");
    std::fs::create_dir(&issue).unwrap();
    std::fs::write(
        issue.join("issue.toml"),
        "newspaper = \"测试报\"\ndate = \"2024-01-02\"\n[edition.dictionary]\n\"测试\" = \"測験\"\n",
    )
    .unwrap();
    std::fs::write(issue.join("01.md"), "# 测试标题\n\n软件测试。\n").unwrap();
    let p = paiban::prepare_path(&issue, &paiban::PrepareOptions::default()).unwrap();
    let doc = Converter::new(Edition::Tw, &Dictionary::new())
        .unwrap()
        .with_dictionary(&p.issue.meta.edition_dictionary)
        .document(&p.document);
    assert_eq!(doc.articles[0].headline.title, "測験標題");
    assert_eq!(doc.meta.newspaper.as_deref(), Some("測験報"));
    assert_eq!(doc.meta.language, "zh-Hant-TW");
    assert!(model_text(&doc).contains("軟體測験"));
    // `edition = "…"` (no table) is still a section name, as before, not a dictionary.
    std::fs::write(
        issue.join("issue.toml"),
        "newspaper = \"测试报\"\nedition = \"要闻\"\n",
    )
    .unwrap();
    let p = paiban::prepare_path(&issue, &paiban::PrepareOptions::default()).unwrap();
    assert!(p.issue.meta.edition_dictionary.is_empty());
    // A malformed dictionary is an error naming the file and line.
    std::fs::write(
        issue.join("issue.toml"),
        "newspaper = \"测试报\"\n[edition.dictionary]\n\"测试\" = 3\n",
    )
    .unwrap();
    let err = paiban::prepare_path(&issue, &paiban::PrepareOptions::default())
        .err()
        .expect("refused");
    assert!(err.to_string().contains("issue.toml:2"), "{err}");
}

#[test]
fn batch_lists_each_edition_in_the_feed_with_its_language_and_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = paiban(&[
        "batch",
        root().join("content").to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--format",
        "epub",
        "--edition",
        "zh-Hans,zh-HK",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let feed = std::fs::read_to_string(out.join("opds.xml")).unwrap();
    let entries: Vec<&str> = feed.split("<entry>").skip(1).collect();
    assert_eq!(entries.len(), 4, "{feed}");
    for name in ["wujin-2023-12-29", "shili-2023-04-11"] {
        let of = |lang: &str, file: &str| {
            entries.iter().any(|e| {
                e.contains(&format!("<dc:language>{lang}</dc:language>"))
                    && e.contains(&format!("href=\"{file}\""))
                    && e.contains(&format!("href=\"{}\"", file.replace(".epub", ".cover.png")))
            })
        };
        assert!(of("zh-Hant-HK", &format!("{name}.zh-HK.epub")), "{feed}");
        // The Simplified entry lists its own files only.
        let hans = entries
            .iter()
            .find(|e| e.contains(&format!("href=\"{name}.epub\"")))
            .unwrap();
        assert!(!hans.contains("zh-HK"), "{hans}");
    }
}

#[test]
fn editions_are_byte_identical_and_a_missing_face_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = root().join("content/wujin-2023-12-29.md");
    let build = |out: &Path, fonts: Option<&Path>| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_paiban"));
        c.args([
            "build",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ])
        .args(["--edition", "zh-TW"]);
        if let Some(f) = fonts {
            c.env("PAIBAN_FONTS", f);
        }
        c.output().unwrap()
    };
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    assert!(build(&a, None).status.success());
    assert!(build(&b, None).status.success());
    for f in ["wujin-2023-12-29.zh-TW.epub", "wujin-2023-12-29.zh-TW.pdf"] {
        assert!(
            std::fs::read(a.join(f)).unwrap() == std::fs::read(b.join(f)).unwrap(),
            "{f} differs between two builds"
        );
    }
    // Without the regional face (a fonts folder with the SC faces only): a clear error, and
    // nothing written.
    let sc_only = dir.path().join("sc-fonts");
    std::fs::create_dir(&sc_only).unwrap();
    for f in ["OFL.txt", "NotoSerifSC-Regular.otf", "NotoSerifSC-Bold.otf"] {
        std::fs::copy(root().join("fonts").join(f), sc_only.join(f)).unwrap();
    }
    let c = dir.path().join("c");
    let o = build(&c, Some(&sc_only));
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("zh-TW edition is drawn with Noto Serif CJK TC")
            && err.contains("NotoSerifTC-Regular.otf")
            && err.contains("fonts/make-fonts.sh"),
        "{err}"
    );
    assert!(!c.exists() || std::fs::read_dir(&c).unwrap().next().is_none());
}

/// Vertical presentation forms (U+FE10–FE19, U+FE30–FE4F): drawn, never in the text.
fn is_vertical_form(c: char) -> bool {
    matches!(c, '\u{FE10}'..='\u{FE19}' | '\u{FE30}'..='\u{FE4F}')
}

#[test]
fn traditional_vertical_editions_pass_the_same_checks() {
    if !have_epubcheck()
        || !pdf_support::have("pdfinfo")
        || !pdf_support::have("pdffonts")
        || !pdf_support::have("pdftotext")
        || !pdf_support::have("qpdf")
    {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let names = build_editions(dir.path(), &["--vertical"]);
    let mut epubs = Vec::new();
    for (i, name) in names.iter().enumerate() {
        for (edition, tag, face) in TRADITIONAL {
            let doc = edition_document(&samples()[i], edition);
            // EPUB: vertical, in the edition's language, its text in order.
            let path = dir.path().join(format!("{name}.{edition}.epub"));
            let (_, map) = unzip(&std::fs::read(&path).unwrap());
            let opf = epub_support::text(&map, "OEBPS/content.opf");
            assert!(opf.contains(&format!(">{tag}</dc:language>")), "{opf}");
            assert!(opf.contains("page-progression-direction=\"rtl\""), "{opf}");
            let text = articles_text(&map, tag);
            assert_in_order(
                &format!("{name}.{edition}.epub"),
                &model_text(&doc),
                &text,
                "",
            );
            epubs.push(path);
            // PDF: tagged, the edition's /Lang and face, tag tree in order, no drawn forms
            // in the text.
            let pdf = dir.path().join(format!("{name}.{edition}.pdf"));
            let p = pdf.to_str().unwrap();
            let info = String::from_utf8(pdf_support::run("pdfinfo", &[p]).stdout).unwrap();
            assert!(info.contains("Tagged:          yes"), "{info}");
            let fonts = String::from_utf8(pdf_support::run("pdffonts", &[p]).stdout).unwrap();
            assert!(fonts.contains(face), "{name}.{edition}: {fonts}");
            assert!(!fonts.contains("CJKsc"), "{name}.{edition}: {fonts}");
            let bytes = uncompressed(&pdf, dir.path());
            assert!(
                bytes.contains(&format!("/Lang ({tag})")),
                "{name}.{edition}"
            );
            assert_in_order(
                &format!("{name}.{edition}.pdf (tag tree)"),
                &model_text(&doc),
                &pdf_support::struct_text(&pdf_support::struct_tree(&pdf)),
                "",
            );
            let shown = String::from_utf8(pdf_support::run("pdftotext", &[p, "-"]).stdout).unwrap();
            assert!(
                !shown.chars().any(is_vertical_form),
                "{name}.{edition}: a vertical presentation form in the text"
            );
        }
    }
    for (path, v) in epubcheck_batch(&epubs) {
        assert_eq!(
            (v.fatal, v.errors, v.warnings),
            (0, 0, 0),
            "{}: {:?}",
            path.display(),
            v.messages
        );
    }
    // Ace on the vertical Taiwan editions.
    let Some(ace) = ace() else { return };
    for name in &names {
        let epub = dir.path().join(format!("{name}.zh-TW.epub"));
        let out = dir.path().join(format!("{name}.zh-TW-ace"));
        let (violations, outcome) = epub_support::ace_violations(&ace, &epub, &out);
        assert!(
            violations.is_empty(),
            "{name}.zh-TW vertical: {violations:?}"
        );
        assert_eq!(outcome, "pass", "{name}.zh-TW vertical");
    }
}
