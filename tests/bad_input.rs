//! The bad-input suite: every case of the README's "Bad input" table, run through the real
//! binary. Each case asserts what the user sees: the exit status; for refused input, one
//! error line naming the file (and the line, where there is one) and no output file or
//! temporary file left behind; for input that is odd but valid, both files built and the
//! text in them. Read-only and full disks are tmpfs mounts in a user namespace (`unshare`),
//! so the cases hold even when the tests run as root.

mod sandbox_support;

use sandbox_support::tool_available;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_paiban")
}

fn paiban(args: &[&str]) -> Output {
    Command::new(bin()).args(args).output().expect("run paiban")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("content/wujin-2023-12-29.md")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write fixture");
    p
}

/// Every file under `dir` (names relative to it), sorted; empty when `dir` does not exist.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap_or(&p).display().to_string());
            }
        }
    }
    out.sort();
    out
}

/// `paiban build INPUT -o OUT` must fail with exit status 1, one `paiban: error:` line
/// holding every piece of `expected`, no panic, and nothing written to OUT.
fn build_refused(input: &Path, extra: &[&str], expected: &[&str]) {
    let out = input.with_extension("out");
    let mut args = vec!["build", s(input), "-o", s(&out)];
    args.extend_from_slice(extra);
    let o = paiban(&args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "exit status; stderr:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    let line = err
        .lines()
        .find(|l| l.starts_with("paiban: error: "))
        .unwrap_or_else(|| panic!("no error line in:\n{err}"));
    for piece in expected {
        assert!(line.contains(piece), "`{piece}` not in `{line}`");
    }
    assert_eq!(
        files_under(&out),
        Vec::<String>::new(),
        "output left behind"
    );
}

/// `paiban build INPUT -o OUT` must succeed and write both files; returns stderr and the
/// PDF's text as `pdftotext` reads it (None when pdftotext is missing outside CI).
fn build_ok(input: &Path) -> (String, Option<String>) {
    let out = input.with_extension("out");
    let o = paiban(&["build", s(input), "-o", s(&out)]);
    let err = stderr(&o);
    assert!(o.status.success(), "build failed:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    let stem = input
        .file_stem()
        .and_then(|n| n.to_str())
        .unwrap_or("issue");
    let epub = std::fs::read(out.join(format!("{stem}.epub"))).expect("EPUB written");
    assert!(epub.starts_with(b"PK\x03\x04"), "EPUB is a zip");
    let pdf = out.join(format!("{stem}.pdf"));
    assert!(std::fs::read(&pdf)
        .expect("PDF written")
        .starts_with(b"%PDF-"));
    assert_eq!(
        files_under(&out),
        vec![format!("{stem}.epub"), format!("{stem}.pdf")],
        "exactly the two outputs"
    );
    (err, pdf_text(&pdf))
}

fn pdf_text(pdf: &Path) -> Option<String> {
    let o = Command::new("pdftotext")
        .args(["-raw", "-enc", "UTF-8", s(pdf), "-"])
        .output();
    if !tool_available("pdftotext (poppler-utils)", o.is_ok()) {
        return None;
    }
    let o = o.ok()?;
    assert!(o.status.success(), "pdftotext failed on {}", pdf.display());
    Some(String::from_utf8_lossy(&o.stdout).into_owned())
}

/// Text with all whitespace removed (PDF extraction breaks lines where the page does).
fn squeeze(t: &str) -> String {
    t.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Every character of `needle` appears in `hay`, in order (other text may come between).
fn in_order(needle: &str, hay: &str) -> bool {
    let mut hay = hay.chars();
    needle.chars().all(|c| hay.any(|h| h == c))
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

// ---- encodings and empty input -------------------------------------------------------

#[test]
fn invalid_utf8_names_file_line_and_byte() {
    let d = tmp();
    let f = write(
        d.path(),
        "bad.md",
        b"# \xe6\xa0\x87\n\n\xe6\xad\xa3\xff\xfe\n",
    );
    build_refused(&f, &[], &["bad.md:3: invalid UTF-8 at byte 10"]);
}

#[test]
fn utf16_with_and_without_bom_is_named() {
    let d = tmp();
    let text = "# 标题\n\n正文。\n";
    let mut le = vec![0xFF, 0xFE];
    le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    for (name, bytes) in [("le.md", le), ("be.md", be)] {
        let f = write(d.path(), name, &bytes);
        build_refused(&f, &[], &[&format!("{name}:1: this is UTF-16 text")]);
    }
}

#[test]
fn nul_byte_names_its_line() {
    let d = tmp();
    let f = write(d.path(), "nul.md", "# 标题\n\n正\0文\n".as_bytes());
    build_refused(&f, &[], &["nul.md:3: NUL byte at byte 13"]);
}

#[test]
fn empty_and_whitespace_only_files_are_refused() {
    let d = tmp();
    for (name, bytes) in [("empty.md", &b""[..]), ("blank.md", b" \n\n\t\n\r\n")] {
        let f = write(d.path(), name, bytes);
        build_refused(&f, &[], &[name, "the issue has no content"]);
    }
}

#[test]
fn input_over_the_size_limit_is_refused_before_reading() {
    let d = tmp();
    let f = d.path().join("huge.md");
    // Sparse: takes no disk space, and paiban must not read it to find out.
    std::fs::File::create(&f)
        .and_then(|h| h.set_len(paiban::issue::MAX_INPUT_BYTES + 1))
        .expect("sparse file");
    build_refused(
        &f,
        &[],
        &["huge.md: input too large", "the limit is 268435456"],
    );
}

#[test]
fn endless_device_input_stops_at_the_size_limit() {
    // /dev/zero has no size to check: reading must stop at the limit, not exhaust memory.
    let o = paiban(&["outline", "/dev/zero"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("/dev/zero: input too large"), "{err}");
}

// ---- size and structure --------------------------------------------------------------

#[test]
fn one_megabyte_paragraph_without_punctuation_builds() {
    let d = tmp();
    // 350,000 CJK characters (1 MB of UTF-8), no punctuation, one paragraph.
    let para: String = (0..350_000u32)
        .map(|i| char::from_u32(0x4E00 + (i * 7919) % 3000).unwrap_or('字'))
        .collect();
    let f = write(
        d.path(),
        "long.md",
        format!("# 长段落\n\n{para}\n").as_bytes(),
    );
    let (_, text) = build_ok(&f);
    if let Some(text) = text {
        let text = squeeze(&text);
        let head: String = para.chars().take(40).collect();
        let tail: String = para.chars().skip(350_000 - 40).collect();
        assert!(text.contains(&head) && text.contains(&tail));
        assert!(
            text.chars()
                .filter(|c| ('\u{4E00}'..='\u{9FFF}').contains(c))
                .count()
                >= 350_000
        );
    }
}

#[test]
fn ten_thousand_levels_of_nesting_are_flattened_without_overflow() {
    let d = tmp();
    let cases = [
        ("quotes.md", "> ".repeat(10_000)),
        ("bullets.md", "- ".repeat(10_000)),
        ("numbers.md", "1. ".repeat(10_000)),
        ("mixed.md", "> - ".repeat(5_000)),
    ];
    for (name, prefix) in cases {
        let f = write(
            d.path(),
            name,
            format!("# 嵌套\n\n{prefix}最深处的文字\n").as_bytes(),
        );
        let (err, text) = build_ok(&f);
        assert!(
            err.contains(&format!(
                "{name}:3: warning: lists or block quotes nested deeper than 32"
            )),
            "{err}"
        );
        if let Some(text) = text {
            assert!(squeeze(&text).contains("最深处的文字"), "{name}");
        }
    }
}

#[test]
fn hundred_thousand_headings_become_as_many_articles() {
    let d = tmp();
    let text: String = (0..100_000).map(|i| format!("# 标题{i}\n\n")).collect();
    let f = write(d.path(), "heads.md", text.as_bytes());
    let o = paiban(&["outline", s(&f), "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let arts = v["articles"].as_array().expect("articles");
    assert_eq!(arts.len(), 100_000);
    assert_eq!(arts[99_999]["title"], "标题99999");
    assert!(arts[0]["subtitles"].as_array().is_none_or(Vec::is_empty));
    let (_, text) = build_ok(&f);
    if let Some(text) = text {
        assert!(text.contains("标题0") && text.contains("标题99999"));
    }
}

#[test]
fn ten_thousand_character_title_builds_and_is_kept_whole() {
    let d = tmp();
    let title: String = "长标题".repeat(3_334).chars().take(10_000).collect();
    let f = write(
        d.path(),
        "title.md",
        format!("# {title}\n\n正文。\n").as_bytes(),
    );
    let (_, text) = build_ok(&f);
    if let Some(text) = text {
        // It runs over many pages, with running heads and folios between its lines.
        assert!(
            in_order(&title, &squeeze(&text)),
            "every character of the title is in the PDF, in order"
        );
    }
}

// ---- characters ----------------------------------------------------------------------

#[test]
fn unusual_characters_build_and_missing_glyphs_are_named() {
    let d = tmp();
    let body = "# 字符 😀 测试\n\n\
        扩展B区𠀀字，表情😀👨‍👩‍👧🎉，组合e\u{301}a\u{308}，\
        从右到左مرحبا שלום，零宽\u{200B}连接\u{200D}字\u{2060}符\u{FEFF}，\
        方向\u{202E}反向\u{202C}结束。\n";
    let f = write(d.path(), "chars.md", body.as_bytes());
    let (err, text) = build_ok(&f);
    // Characters no font has (CJK Extension B is not in Noto Serif SC; most emoji): each
    // reported with file and line, and drawn as a box.
    assert!(
        err.contains("chars.md:3: warning: no font has `𠀀` (U+20000)"),
        "{err}"
    );
    assert!(
        err.contains("chars.md:3: warning: no font has `🎉` (U+1F389)"),
        "{err}"
    );
    if let Some(text) = text {
        let text = squeeze(&text);
        for kept in ["扩展B区", "表情", "组合", "从右到左", "零宽", "结束"] {
            assert!(text.contains(kept), "`{kept}` in the PDF text");
        }
        // The box (□) carries the character it stands for as its ActualText: it copies
        // as that character, never as another one or as `.notdef`.
        assert!(text.contains("扩展B区𠀀字"), "{text}");
        assert!(text.contains('🎉'), "{text}");
    }
}

// ---- fonts ---------------------------------------------------------------------------

#[test]
fn bad_font_files_are_refused_with_their_name() {
    let d = tmp();
    let real =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts/NotoSerifSC-Regular.otf"))
            .expect("shipped font");
    let truncated = write(d.path(), "truncated.otf", &real[..1000]);
    let not_font = write(d.path(), "text.otf", "这不是字体".as_bytes());
    let empty = write(d.path(), "empty.ttf", b"");
    let sample = sample();
    let input = write(
        d.path(),
        "issue.md",
        &std::fs::read(&sample).expect("sample"),
    );
    for (font, why) in [
        (&truncated, "truncated"),
        (&not_font, "not a usable font"),
        (&empty, "not a usable font"),
    ] {
        build_refused(
            &input,
            &["--font", s(font)],
            &[&font.display().to_string(), why],
        );
    }
    build_refused(
        &input,
        &["--font", s(&d.path().join("missing.otf"))],
        &["missing.otf: cannot read font: No such file"],
    );
}

// ---- output folder and disk ----------------------------------------------------------

/// [`sandbox_support::in_tmpfs`] with $SAMPLE, the sample issue.
fn in_tmpfs(opts: &str, script: &str) -> Option<(i32, String, String)> {
    sandbox_support::in_tmpfs(opts, script, &[("SAMPLE", &sample())])
}

#[test]
fn read_only_output_folder_is_an_error_naming_it() {
    // The folder exists but is read-only (even root cannot write a read-only mount).
    let script = "\"$PAIBAN\" build \"$SAMPLE\" -o \"$DIR\"; code=$?; ls -A \"$DIR\"; exit $code";
    let Some((code, listing, err)) = in_tmpfs("ro,size=1m", script) else {
        return;
    };
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("wujin-2023-12-29.epub: Read-only file system"),
        "{err}"
    );
    assert_eq!(listing.trim(), "", "nothing written");
    // A folder to create inside a read-only one: the same, naming the folder.
    let script = "\"$PAIBAN\" build \"$SAMPLE\" -o \"$DIR/new\"";
    let Some((code, _, err)) = in_tmpfs("ro,size=1m", script) else {
        return;
    };
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("/new: Read-only file system"), "{err}");
}

#[test]
fn missing_output_folder_is_created() {
    let d = tmp();
    let out = d.path().join("a/b/c");
    let o = paiban(&["build", s(&sample()), "-o", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        files_under(&out),
        ["wujin-2023-12-29.epub", "wujin-2023-12-29.pdf"]
    );
}

#[test]
fn output_folder_that_is_a_file_is_an_error() {
    let d = tmp();
    let file = write(d.path(), "taken", b"not a folder");
    for out in [file.clone(), file.join("sub")] {
        let o = paiban(&["build", s(&sample()), "-o", s(&out)]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(
            err.contains(&format!("{}: is a file, not a folder", file.display())),
            "{err}"
        );
    }
    assert_eq!(std::fs::read(&file).expect("still there"), b"not a folder");
}

#[test]
fn full_disk_leaves_no_partial_or_temporary_file() {
    // 32 KiB: not even the EPUB (about 51 KB) fits.
    let script = "\"$PAIBAN\" build \"$SAMPLE\" -o \"$DIR\"; code=$?; ls -A \"$DIR\"; exit $code";
    let Some((code, listing, err)) = in_tmpfs("size=32k", script) else {
        return;
    };
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("No space left on device"), "{err}");
    assert!(err.contains("wujin-2023-12-29.epub"), "{err}");
    assert_eq!(listing.trim(), "", "no partial or temporary file");
    // 200 KiB: the EPUB fits, the PDF does not. Neither is published, and the outputs of
    // an earlier build stay as they were.
    let script = "mkdir \"$DIR/out\" && echo old > \"$DIR/out/wujin-2023-12-29.epub\" && \
        \"$PAIBAN\" build \"$SAMPLE\" -o \"$DIR/out\"; code=$?; ls -A \"$DIR/out\"; \
        cat \"$DIR/out/wujin-2023-12-29.epub\"; exit $code";
    let Some((code, listing, err)) = in_tmpfs("size=200k", script) else {
        return;
    };
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("wujin-2023-12-29.pdf: No space left on device"),
        "{err}"
    );
    assert_eq!(listing.trim(), "wujin-2023-12-29.epub\nold");
}

#[test]
fn writing_to_dev_full_is_an_error() {
    let o = paiban(&["normalize", s(&sample()), "-q", "-o", "/dev/full"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("/dev/full: No space left on device"), "{err}");
    // A device output is written in place, never replaced by a renamed file.
    assert!(!Path::new("/dev/full").is_file());
    let o = paiban(&["normalize", s(&sample()), "-q", "-o", "/dev/null"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

// ---- input paths ---------------------------------------------------------------------

#[test]
fn symlink_loop_input_is_named() {
    let d = tmp();
    let a = d.path().join("a.md");
    let b = d.path().join("b.md");
    std::os::unix::fs::symlink(&b, &a).expect("symlink");
    std::os::unix::fs::symlink(&a, &b).expect("symlink");
    build_refused(&a, &[], &["a.md: Too many levels of symbolic links"]);
}

#[test]
fn folder_without_markdown_is_named() {
    let d = tmp();
    let dir = d.path().join("pages");
    std::fs::create_dir(&dir).expect("dir");
    write(&dir, "notes.txt", b"not markdown");
    build_refused(&dir, &[], &["pages: no Markdown (.md) files"]);
}

#[test]
fn missing_input_is_named() {
    let d = tmp();
    build_refused(&d.path().join("nope.md"), &[], &["nope.md: no such file"]);
}

#[test]
fn batch_goes_on_past_loops_and_empty_folders() {
    let d = tmp();
    let inbox = d.path().join("inbox");
    std::fs::create_dir_all(inbox.join("empty-folder")).expect("dir");
    std::fs::copy(sample(), inbox.join("good.md")).expect("copy");
    std::os::unix::fs::symlink(inbox.join("loop-b.md"), inbox.join("loop-a.md")).expect("ln");
    std::os::unix::fs::symlink(inbox.join("loop-a.md"), inbox.join("loop-b.md")).expect("ln");
    write(&inbox, "bad.md", b"\xff\xfe\x00");
    let out = d.path().join("out");
    let o = paiban(&["batch", s(&inbox), "-o", s(&out)]);
    let err = stderr(&o);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(
        o.status.code(),
        Some(1),
        "a failed issue makes the exit status 1\n{err}"
    );
    assert!(err.contains("bad.md"), "{err}");
    let built = files_under(&out);
    assert!(built.contains(&"good.epub".to_string()), "{built:?}");
    assert!(built.contains(&"good.pdf".to_string()), "{built:?}");
    assert!(built.iter().all(|f| !f.ends_with(".tmp")), "{built:?}");
}

#[test]
fn titles_with_path_separators_stay_inside_the_output_folder() {
    let d = tmp();
    let issue = d.path().join("issue");
    std::fs::create_dir(&issue).expect("dir");
    let f = write(
        &issue,
        "evil.md",
        "---\ntitle: \"../../escaped/évil\"\nnewspaper: \"/etc/passwd\"\n---\n# 标题\n\n正文。\n"
            .as_bytes(),
    );
    let out = d.path().join("out");
    let o = paiban(&["build", s(&f), "-o", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(files_under(&out), ["evil.epub", "evil.pdf"]);
    // Nothing appeared beside the output folder or the issue.
    let mut top: Vec<_> = std::fs::read_dir(d.path())
        .expect("list")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(top, ["issue", "out"]);
    // A folder issue whose issue.toml has such a title: named after the folder.
    let folder = d.path().join("issue-2024-01-02");
    std::fs::create_dir(&folder).expect("dir");
    write(&folder, "issue.toml", b"title = \"../../../x\"\n");
    write(&folder, "01.md", "# 标题\n\n正文。\n".as_bytes());
    let o = paiban(&["build", s(&folder), "-o", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        files_under(&out),
        [
            "evil.epub",
            "evil.pdf",
            "issue-2024-01-02.epub",
            "issue-2024-01-02.pdf"
        ]
    );
}

#[test]
fn closed_stdout_pipe_is_not_a_crash() {
    let d = tmp();
    let text: String = (0..20_000)
        .map(|i| format!("# 标题{i}\n\n正文。\n\n"))
        .collect();
    let f = write(d.path(), "many.md", text.as_bytes());
    let o = Command::new("sh")
        .arg("-c")
        .arg(format!("\"{}\" outline \"{}\" | head -1", bin(), s(&f)))
        .output()
        .expect("sh");
    let err = stderr(&o);
    assert!(!err.contains("panicked"), "{err}");
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("title:"));
}

#[test]
fn endless_style_files_are_refused() {
    // A style symlinked to /dev/zero: refused as no regular file before it is read (a
    // device read would stop at the 1 MiB style limit).
    let d = tmp();
    let input = write(
        d.path(),
        "issue.md",
        &std::fs::read(sample()).expect("sample"),
    );
    for name in ["zero.toml", "zero.css"] {
        let style = d.path().join(name);
        std::os::unix::fs::symlink("/dev/zero", &style).expect("symlink");
        build_refused(
            &input,
            &["--style", s(&style)],
            &[name, "is not a regular file"],
        );
    }
}

#[test]
fn an_issue_from_a_pipe_builds() {
    // Process substitution (`paiban build <(convert …)`) hands paiban a pipe.
    let d = tmp();
    let out = d.path().join("out");
    let o = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "\"{}\" build <(printf '# 标题\\n\\n正文。\\n') -o \"{}\"",
            bin(),
            s(&out)
        ))
        .output()
        .expect("bash");
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(files_under(&out).len(), 2, "{:?}", files_under(&out));
}
