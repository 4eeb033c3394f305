//! Trust boundaries, through the real binary: an issue reads only its own folder (and a
//! shared `--assets` folder), publishes only safe links, loses no text, writes valid
//! metadata, and `batch --watch` never publishes half an issue. Each refusal is asserted
//! together with its absence from every output: the EPUB's entries, `pdftotext`,
//! `pdfimages`, the PDF's objects, the feed.

mod sandbox_support;

use sandbox_support::tool_available;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime};

/// A marker that only the outside ("secret") files hold.
const SECRET: &str = "SECRET-7f3a9c-MARKER";

fn paiban(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_paiban"))
        .args(args)
        .output()
        .expect("run paiban")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

fn write(p: &Path, text: impl AsRef<[u8]>) {
    if let Some(d) = p.parent() {
        std::fs::create_dir_all(d).unwrap();
    }
    std::fs::write(p, text).unwrap();
}

/// A 2×2 PNG carrying `text` in a tEXt chunk (so its bytes are recognisable anywhere).
fn png(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, 2, 2);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.add_text_chunk("Comment".into(), text.into()).unwrap();
        let mut w = enc.write_header().unwrap();
        w.write_image_data(&[200u8; 12]).unwrap();
    }
    out
}

fn have(tool: &str) -> bool {
    let ok = Command::new(tool)
        .arg("-v")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    tool_available(tool, ok)
}

/// Every output under `out` that holds `needle`, looked for in each EPUB entry, in the
/// PDF's text (`pdftotext`) and uncompressed objects (`qpdf --qdf`), and in every other
/// file (the feed, covers, manifests). Also fails when a PDF holds more images than
/// `pdf_images` allows (`pdfimages -list`).
fn leaks(out: &Path, needle: &str, pdf_images: usize) -> Vec<String> {
    let mut found = Vec::new();
    let n = needle.as_bytes();
    let has = |b: &[u8]| b.windows(n.len()).any(|w| w == n);
    for f in files(out) {
        let bytes = std::fs::read(&f).unwrap();
        let name = f.display().to_string();
        if has(&bytes) {
            found.push(name.clone());
        }
        match f.extension().and_then(|e| e.to_str()) {
            Some("epub") => {
                let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
                for i in 0..z.len() {
                    let mut e = z.by_index(i).unwrap();
                    let mut b = Vec::new();
                    e.read_to_end(&mut b).unwrap();
                    if has(&b) {
                        found.push(format!("{name}!{}", e.name()));
                    }
                }
            }
            Some("pdf") => {
                if have("pdftotext") {
                    let t = Command::new("pdftotext").arg(&f).arg("-").output().unwrap();
                    if has(&t.stdout) {
                        found.push(format!("{name} (pdftotext)"));
                    }
                }
                if have("qpdf") {
                    let q = Command::new("qpdf")
                        .args(["--qdf", "--object-streams=disable"])
                        .arg(&f)
                        .arg("-")
                        .output()
                        .unwrap();
                    if has(&q.stdout) {
                        found.push(format!("{name} (objects)"));
                    }
                }
                if have("pdfimages") {
                    let l = Command::new("pdfimages")
                        .arg("-list")
                        .arg(&f)
                        .output()
                        .unwrap();
                    let images = String::from_utf8_lossy(&l.stdout)
                        .lines()
                        .count()
                        .saturating_sub(2);
                    if images > pdf_images {
                        found.push(format!("{name}: {images} images (pdfimages)"));
                    }
                }
            }
            _ => {}
        }
    }
    found
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn pdf_text(pdf: &Path) -> String {
    let o = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn epub_text(epub: &Path) -> String {
    let mut z = zip::ZipArchive::new(std::fs::File::open(epub).unwrap()).unwrap();
    let mut all = String::new();
    for i in 0..z.len() {
        let mut e = z.by_index(i).unwrap();
        if e.name().ends_with(".xhtml") || e.name().ends_with(".opf") {
            e.read_to_string(&mut all).unwrap();
        }
    }
    all
}

/// A place with `secret.png`, `secret.md` beside an issue folder `issue/`.
struct Site {
    _t: tempfile::TempDir,
    root: PathBuf,
    issue: PathBuf,
    out: PathBuf,
}

fn site() -> Site {
    let t = tempfile::tempdir().unwrap();
    let root = t.path().canonicalize().unwrap();
    write(&root.join("secret.png"), png(SECRET));
    write(
        &root.join("secret.md"),
        format!("# 机密\n\n{SECRET} 不该出版的文字。\n"),
    );
    let issue = root.join("issue");
    std::fs::create_dir_all(&issue).unwrap();
    let out = root.join("out");
    Site {
        _t: t,
        root,
        issue,
        out,
    }
}

fn issue_with(site: &Site, body: &str) -> PathBuf {
    let p = site.issue.join("2024-01-02.md");
    write(
        &p,
        format!("# 标题\n\n正文第一段。\n\n{body}\n\n正文最后一段。\n"),
    );
    p
}

#[test]
fn images_outside_the_issue_folder_are_refused_by_build_and_check() {
    let st = site();
    std::os::unix::fs::symlink(st.root.join("secret.png"), st.issue.join("link.png")).unwrap();
    let abs = st.root.join("secret.png");
    for (src, shown) in [
        ("../secret.png", "../secret.png"),
        (s(&abs), s(&abs)),
        ("link.png", "link.png"),
        ("..%2Fsecret.png", "..%2Fsecret.png"),
        ("/etc/shadow", "/etc/shadow"),
        ("/proc/self/environ", "/proc/self/environ"),
    ] {
        let md = issue_with(&st, &format!("![图]({src})"));
        let _ = std::fs::remove_dir_all(&st.out);
        let o = paiban(&["build", s(&md), "-o", s(&st.out)]);
        let e = stderr(&o);
        assert!(o.status.success(), "{src}: {e}");
        assert!(
            e.contains(&format!(
                "2024-01-02.md:5: warning: image {shown} is outside the issue folder, left out"
            )),
            "{src}: {e}"
        );
        assert_eq!(leaks(&st.out, SECRET, 0), Vec::<String>::new(), "{src}");
        let c = paiban(&["check", s(&md)]);
        let out = String::from_utf8_lossy(&c.stdout);
        assert!(out.contains("is outside the issue folder"), "{src}: {out}");
    }
}

#[test]
fn a_shared_assets_folder_is_allowed_when_named() {
    let st = site();
    let assets = st.root.join("assets");
    write(&assets.join("logo.png"), png("LOGO-OK-MARKER"));
    let md = issue_with(&st, "![报头](../assets/logo.png)");
    let o = paiban(&["build", s(&md), "-o", s(&st.out)]);
    assert!(
        stderr(&o).contains("outside the issue folder"),
        "{}",
        stderr(&o)
    );
    assert!(leaks(&st.out, "LOGO-OK-MARKER", 0).is_empty());
    let o = paiban(&["build", s(&md), "-o", s(&st.out), "--assets", s(&assets)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("outside"), "{}", stderr(&o));
    assert!(
        !leaks(&st.out, "LOGO-OK-MARKER", 1).is_empty(),
        "the logo is in the EPUB"
    );
    // The same folder through a style file's `assets` key (relative to the style).
    let style = st.root.join("house.toml");
    write(&style, "assets = \"assets\"\n");
    let o = paiban(&["check", s(&md), "--style", s(&style)]);
    assert!(!String::from_utf8_lossy(&o.stdout).contains("outside"));
    let o = paiban(&[
        "build",
        s(&md),
        "-o",
        s(&st.out),
        "--assets",
        s(&st.root.join("nope")),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--assets"), "{}", stderr(&o));
}

#[test]
fn a_page_that_leads_outside_fails_the_issue() {
    let st = site();
    write(&st.issue.join("issue.toml"), "newspaper = \"测试报\"\n");
    write(&st.issue.join("01.md"), "# 一版\n\n第一版正文。\n");
    std::os::unix::fs::symlink(st.root.join("secret.md"), st.issue.join("02.md")).unwrap();
    let o = paiban(&["build", s(&st.issue), "-o", s(&st.out)]);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(
        e.contains("02.md") && e.contains("outside the issue folder"),
        "{e}"
    );
    assert!(files(&st.out).is_empty(), "{:?}", files(&st.out));
    let c = paiban(&["check", s(&st.issue)]);
    assert_eq!(c.status.code(), Some(1));
    // /etc/passwd as a page, the issue's own issue.toml as a link out: refused alike.
    std::fs::remove_file(st.issue.join("02.md")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", st.issue.join("02.md")).unwrap();
    let o = paiban(&["build", s(&st.issue), "-o", s(&st.out)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(files(&st.out).is_empty());
}

#[test]
fn batch_refuses_inputs_that_lead_outside_and_keeps_them_out_of_the_feed() {
    let st = site();
    let indir = st.root.join("in");
    write(&indir.join("2024-01-02.md"), "# 今日\n\n正文。\n");
    std::os::unix::fs::symlink(st.root.join("secret.md"), indir.join("2024-01-01.md")).unwrap();
    let folder = indir.join("2024-01-03");
    write(&folder.join("issue.toml"), "newspaper = \"测试报\"\n");
    write(&folder.join("01.md"), "# 一版\n\n正文。\n");
    std::os::unix::fs::symlink(st.root.join("secret.md"), folder.join("02.md")).unwrap();
    let o = paiban(&["batch", s(&indir), "-o", s(&st.out), "--format", "epub"]);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(e.contains("2024-01-01.md") && e.contains("outside"), "{e}");
    assert!(e.contains("02.md") && e.contains("outside"), "{e}");
    assert!(st.out.join("2024-01-02.epub").exists());
    assert!(!st.out.join("2024-01-01.epub").exists());
    assert!(!st.out.join("2024-01-03.epub").exists());
    let feed = std::fs::read_to_string(st.out.join("opds.xml")).unwrap();
    assert!(
        !feed.contains("2024-01-01") && !feed.contains("2024-01-03"),
        "{feed}"
    );
    assert_eq!(leaks(&st.out, SECRET, 0), Vec::<String>::new());
}

#[test]
fn unsafe_links_keep_their_text_and_lose_their_link_everywhere() {
    let st = site();
    let md = issue_with(
        &st,
        "请点[这里甲](javascript:alert(1))、[这里乙](file:///etc/passwd)、\
         [这里丙](data:text/html,x)、[这里丁](vbscript:msgbox)和[好链接](https://example.com/a\"b)。",
    );
    let o = paiban(&["build", s(&md), "-o", s(&st.out)]);
    let e = stderr(&o);
    assert!(o.status.success(), "{e}");
    for bad in ["javascript:", "file:", "data:", "vbscript:"] {
        assert!(
            e.lines()
                .any(|l| l.contains("2024-01-02.md:5: warning: link") && l.contains(bad)),
            "{bad}: {e}"
        );
        assert_eq!(leaks(&st.out, bad, 0), Vec::<String>::new(), "{bad}");
    }
    let epub = epub_text(&st.out.join("2024-01-02.epub"));
    assert!(
        epub.contains("href=\"https://example.com/a%22b\""),
        "{epub}"
    );
    if have("pdftotext") {
        let t = pdf_text(&st.out.join("2024-01-02.pdf"));
        for word in ["这里甲", "这里乙", "这里丙", "这里丁", "好链接"] {
            assert!(t.contains(word), "{word}: {t}");
        }
    }
    let c = paiban(&["check", s(&md), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&c.stdout).unwrap();
    let bad = v.to_string().matches("bad-link").count();
    assert!(bad >= 4, "{v}");
}

#[test]
fn base_url_must_be_http() {
    let st = site();
    let indir = st.root.join("in");
    write(&indir.join("a.md"), "# 题\n\n正文。\n");
    for bad in [
        "javascript:alert(1)//",
        "file:///srv/",
        "ftp://x.org/",
        "/papers/",
    ] {
        let o = paiban(&["batch", s(&indir), "-o", s(&st.out), "--base-url", bad]);
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", stderr(&o));
        assert!(stderr(&o).contains("--base-url"), "{}", stderr(&o));
    }
    assert!(!st.out.join("opds.xml").exists());
}

#[test]
fn definitions_never_swallow_the_text_after_them() {
    let st = site();
    let md = st.issue.join("defs.md");
    write(
        &md,
        "# 标题\n\n正文在这里，\n\n[ref]: https://example.com/a\n\n[引用链接][ref]结束。\n\n\
         还有注释[^1]\n\n[^1]: 注释的文字没有句号\n\n注释后面的正文段落。\n",
    );
    let o = paiban(&["build", s(&md), "-o", s(&st.out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let epub = epub_text(&st.out.join("defs.epub"));
    assert!(epub.contains("引用链接") && epub.contains("结束"), "{epub}");
    if have("pdftotext") {
        let t = pdf_text(&st.out.join("defs.pdf")).replace(['\n', ' '], "");
        assert!(t.contains("引用链接结束"), "{t}");
        assert!(t.contains("注释后面的正文段落"), "{t}");
    }
    let n = paiban(&["normalize", s(&md)]);
    let text = String::from_utf8_lossy(&n.stdout);
    assert!(
        text.contains("[ref]: https://example.com/a\n\n[引用链接][ref]结束。"),
        "{text}"
    );
    assert!(text.contains("没有句号\n\n注释后面"), "{text}");
}

#[test]
fn a_language_that_is_no_tag_falls_back_with_a_warning() {
    let st = site();
    let md = st.issue.join("lang.md");
    write(
        &md,
        "---\ntitle: 测试\nlanguage: Chinese simplified\n---\n# 标题\n\n正文。\n",
    );
    let o = paiban(&["build", s(&md), "-o", s(&st.out), "--epub"]);
    let e = stderr(&o);
    assert!(o.status.success(), "{e}");
    assert!(
        e.contains("lang.md:3: warning: `language: Chinese simplified` is not a BCP 47"),
        "{e}"
    );
    let epub = epub_text(&st.out.join("lang.epub"));
    assert!(!epub.contains("Chinese simplified"));
    assert!(epub.contains(">zh-CN</dc:language>"), "{epub}");
    let c = paiban(&["check", s(&md)]);
    assert!(String::from_utf8_lossy(&c.stdout).contains("BCP 47"));
    let java = Command::new("java").arg("-version").output().is_ok()
        && Path::new("/usr/share/java/epubcheck.jar").exists();
    if tool_available("epubcheck", java) {
        let v = Command::new("java")
            .args(["-jar", "/usr/share/java/epubcheck.jar", "-q"])
            .arg(st.out.join("lang.epub"))
            .output()
            .unwrap();
        assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
    }
}

#[test]
fn control_characters_never_reach_the_terminal() {
    let st = site();
    let md = st.issue.join("ctl.md");
    write(
        &md,
        "---\ntitle: \"\\e]0;pwned\\a标题\"\nlanguage: \"zh\\e[2J\"\n---\n# 标题\n\n![\u{1b}[31m](none\u{1b}[0m.png)\n\n正文。\n",
    );
    for args in [
        vec!["build", s(&md), "-o", s(&st.out)],
        vec!["check", s(&md)],
        vec!["outline", s(&md)],
    ] {
        let o = paiban(&args);
        assert!(
            !o.stderr.contains(&0x1b) && !o.stderr.contains(&0x07),
            "{args:?}: {:?}",
            stderr(&o)
        );
    }
}

#[test]
fn a_closed_stderr_is_no_panic() {
    let st = site();
    let md = issue_with(&st, "![图](../secret.png)");
    let mut child = Command::new(env!("CARGO_BIN_EXE_paiban"))
        .args(["build", s(&md), "-o", s(&st.out)])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert_ne!(status.code(), Some(101), "panicked on a closed stderr");
}

#[test]
fn svg_that_can_set_a_link_is_refused() {
    let st = site();
    let ns = "xmlns=\"http://www.w3.org/2000/svg\"";
    for (name, svg) in [
        (
            "animate",
            format!("<svg {ns}><a><animate attributeName=\"href\" values=\"javascript:alert(1)\"/><text>点</text></a></svg>"),
        ),
        (
            "set",
            format!("<svg {ns} xmlns:q=\"http://www.w3.org/1999/xlink\"><a><set attributeName=\"q:href\" to=\"javascript:alert(1)\"/></a></svg>"),
        ),
        (
            "prefix",
            format!("<svg {ns} xmlns:q=\"http://www.w3.org/1999/xlink\"><a q:href=\"javascript:alert(1)\"><text>x</text></a></svg>"),
        ),
        (
            "entity",
            format!("<!DOCTYPE svg [<!ENTITY j \"javascript:alert(1)\">]><svg {ns}><a href=\"&j;\"/></svg>"),
        ),
    ] {
        write(&st.issue.join(format!("{name}.svg")), &svg);
        let md = issue_with(&st, &format!("![图]({name}.svg)"));
        let _ = std::fs::remove_dir_all(&st.out);
        let o = paiban(&["build", s(&md), "-o", s(&st.out), "--epub"]);
        let e = stderr(&o);
        assert!(e.contains("cannot go into the EPUB"), "{name}: {e}");
        assert_eq!(leaks(&st.out, "javascript", 0), Vec::<String>::new(), "{name}");
    }
}

#[test]
fn styles_are_never_silently_ignored() {
    let st = site();
    let md = issue_with(&st, "");
    std::fs::create_dir_all(st.root.join("styles/a5")).unwrap();
    for (style, why) in [
        ("/dev/zero", "not a regular file"),
        (s(&st.root.join("styles/a5")), "is a folder"),
        (s(&st.root.join("styles/none.toml")), "No such file"),
        (s(&st.root.join("secret.png")), "not a .css"),
    ] {
        let o = paiban(&["build", s(&md), "-o", s(&st.out), "--style", style]);
        assert_eq!(o.status.code(), Some(1), "{style}");
        assert!(stderr(&o).contains(why), "{style}: {}", stderr(&o));
        assert!(files(&st.out).is_empty());
    }
}

#[test]
fn a_missing_image_fails_build_check_and_batch_alike() {
    let st = site();
    let md = issue_with(&st, "![图](photos/none.png)");
    let o = paiban(&["build", s(&md), "-o", s(&st.out)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("2024-01-02.md:5: image `photos/none.png` does not exist"),
        "{}",
        stderr(&o)
    );
    assert!(files(&st.out).is_empty());
    assert_eq!(paiban(&["check", s(&md)]).status.code(), Some(1));
    let b = paiban(&["batch", s(&st.issue), "-o", s(&st.out)]);
    assert_eq!(b.status.code(), Some(1));
    assert!(!st.out.join("2024-01-02.epub").exists());
}

/// `batch --watch` on `indir` until it has converted `n` issues; returns the child.
fn watch(indir: &Path, out: &Path, settle: &str, n: usize) -> std::process::Child {
    std::fs::create_dir_all(indir).unwrap();
    std::fs::create_dir_all(out).unwrap();
    Command::new(env!("CARGO_BIN_EXE_paiban"))
        .arg("batch")
        .arg(indir)
        .arg("-o")
        .arg(out)
        .args(["--format", "epub", "--watch", "--settle", settle])
        .args(["--watch-exit-after", &n.to_string()])
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Waits for the watch to finish, asserting no EPUB appeared while `writing` ran.
fn published_only_whole(
    mut child: std::process::Child,
    out: &Path,
    writing: impl FnOnce() + Send,
) -> PathBuf {
    // Let the first pass (an empty folder) finish.
    std::thread::sleep(Duration::from_millis(700));
    let watcher = std::thread::scope(|sc| {
        let h = sc.spawn(writing);
        let mut early = Vec::new();
        while !h.is_finished() {
            early.extend(
                files(out)
                    .into_iter()
                    .filter(|p| p.extension().is_some_and(|e| e == "epub")),
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        h.join().unwrap();
        early
    });
    assert!(
        watcher.is_empty(),
        "published while still being written: {watcher:?}"
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("the watch never converted the issue");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let epubs: Vec<PathBuf> = files(out)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "epub"))
        .collect();
    assert_eq!(epubs.len(), 1, "{epubs:?}");
    epubs[0].clone()
}

fn old_time(p: &Path) {
    let f = std::fs::File::options().write(true).open(p).unwrap();
    f.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(1_600_000_000))
        .unwrap();
}

const PAGES: [&str; 3] = ["第一版的正文。", "第二版的正文。", "第三版的正文。"];

#[test]
fn watch_waits_for_a_folder_copied_page_by_page_with_old_times() {
    let t = tempfile::tempdir().unwrap();
    let (indir, out) = (t.path().join("in"), t.path().join("out"));
    let child = watch(&indir, &out, "3", 1);
    let dir = indir.join("2024-05-01");
    let epub = published_only_whole(child, &out, || {
        // `cp -p`: each file arrives with the time it had at its source, long ago.
        write(&dir.join("issue.toml"), "newspaper = \"测试报\"\n");
        old_time(&dir.join("issue.toml"));
        for (i, text) in PAGES.iter().enumerate() {
            let p = dir.join(format!("0{}.md", i + 1));
            write(&p, format!("# 第{}版\n\n{text}\n", i + 1));
            old_time(&p);
            std::thread::sleep(Duration::from_millis(1200));
        }
    });
    let text = epub_text(&epub);
    for p in PAGES {
        assert!(text.contains(p), "{p}");
    }
}

#[test]
fn watch_waits_for_rsync_style_temp_then_rename() {
    let t = tempfile::tempdir().unwrap();
    let (indir, out) = (t.path().join("in"), t.path().join("out"));
    let child = watch(&indir, &out, "3", 1);
    let dir = indir.join("2024-05-02");
    let epub = published_only_whole(child, &out, || {
        std::fs::create_dir_all(&dir).unwrap();
        for (i, name) in ["issue.toml", "01.md", "02.md", "03.md"].iter().enumerate() {
            let tmp = dir.join(format!(".{name}.Xy12ab"));
            let body = if i == 0 {
                "newspaper = \"测试报\"\n".to_string()
            } else {
                format!("# 第{i}版\n\n{}\n", PAGES[i - 1])
            };
            write(&tmp, body);
            old_time(&tmp);
            std::fs::rename(&tmp, dir.join(name)).unwrap();
            std::thread::sleep(Duration::from_millis(1200));
        }
    });
    let text = epub_text(&epub);
    for p in PAGES {
        assert!(text.contains(p), "{p}");
    }
}

#[test]
fn watch_waits_for_a_slow_writer() {
    let t = tempfile::tempdir().unwrap();
    let (indir, out) = (t.path().join("in"), t.path().join("out"));
    let child = watch(&indir, &out, "2.5", 1);
    let md = indir.join("2024-05-03.md");
    let epub = published_only_whole(child, &out, || {
        use std::io::Write;
        let mut f = std::fs::File::create(&md).unwrap();
        f.write_all("# 慢慢写\n\n".as_bytes()).unwrap();
        for p in PAGES {
            std::thread::sleep(Duration::from_millis(900));
            f.write_all(format!("{p}\n\n").as_bytes()).unwrap();
            f.flush().unwrap();
        }
        std::thread::sleep(Duration::from_millis(900));
        f.write_all("全文完。\n".as_bytes()).unwrap();
    });
    let text = epub_text(&epub);
    assert!(text.contains("全文完"), "converted from part of the file");
}

#[test]
fn a_ready_marker_publishes_a_folder_issue_without_the_wait() {
    let t = tempfile::tempdir().unwrap();
    let (indir, out) = (t.path().join("in"), t.path().join("out"));
    let mut child = watch(&indir, &out, "600", 1);
    std::thread::sleep(Duration::from_millis(700));
    let dir = indir.join("2024-05-04");
    write(&dir.join("issue.toml"), "newspaper = \"测试报\"\n");
    write(&dir.join("01.md"), "# 一版\n\n完成了。\n");
    write(&dir.join(".ready"), "");
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("a ready issue still waited for the settle time");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(out.join("2024-05-04.epub").exists());
}

#[test]
fn a_pages_entry_that_names_no_page_is_said() {
    let st = site();
    write(
        &st.issue.join("issue.toml"),
        "newspaper = \"测试报\"\n\n[[pages]]\nfile = \"01.md\"\nname = \"要闻\"\n\n[[pages]]\nfile = \"../../x.md\"\npage = 2\n\n[[pages]]\nfile = \"03-typo.md\"\n",
    );
    write(&st.issue.join("01.md"), "# 一版\n\n正文。\n");
    let o = paiban(&["outline", s(&st.issue)]);
    let e = stderr(&o);
    assert!(o.status.success(), "{e}");
    assert!(
        e.contains("issue.toml:8: warning: `[[pages]] file = \"../../x.md\"` names no page"),
        "{e}"
    );
    assert!(
        e.contains("issue.toml:12: warning: `[[pages]] file = \"03-typo.md\"`"),
        "{e}"
    );
    assert!(!e.contains("\"01.md\""), "{e}");
}

#[test]
fn a_build_removes_the_temporaries_a_killed_build_left() {
    let st = site();
    let md = issue_with(&st, "");
    std::fs::create_dir_all(&st.out).unwrap();
    // A process id that is not running (above the kernel's pid_max).
    let stale = st.out.join(".2024-01-02.pdf.4194399.tmp");
    write(&stale, "half a PDF");
    let o = paiban(&["build", s(&md), "-o", s(&st.out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stale.exists());
    assert!(st.out.join("2024-01-02.pdf").exists());
}

#[test]
fn an_issue_named_relative_to_the_working_folder_reads_its_images() {
    let st = site();
    write(&st.issue.join("photo.png"), png("PHOTO-OK-MARKER"));
    issue_with(&st, "![照片](photo.png)");
    let o = Command::new(env!("CARGO_BIN_EXE_paiban"))
        .args(["build", "2024-01-02.md", "-o", "out"])
        .current_dir(&st.issue)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("outside"), "{}", stderr(&o));
    assert!(!leaks(&st.issue.join("out"), "PHOTO-OK-MARKER", 1).is_empty());
}

#[test]
fn a_page_number_warning_names_where_and_how_it_was_written() {
    let st = site();
    write(
        &st.issue.join("issue.toml"),
        "newspaper = \"测试报\"\n\n[[pages]]\nfile = \"01.md\"\nname = \"要闻\"\npage = \"一版\"\n\n[[pages]]\nfile = \"02.md\"\n",
    );
    write(&st.issue.join("01.md"), "# 一版\n\n正文。\n");
    write(
        &st.issue.join("02.md"),
        "---\ntitle: 测试\npage: 第二\n---\n# 二版\n\n正文。\n",
    );
    write(
        &st.issue.join("03.md"),
        "+++\npage = \"三\"\n+++\n# 三版\n\n正文。\n",
    );
    let o = paiban(&["outline", s(&st.issue)]);
    let e = stderr(&o);
    assert!(o.status.success(), "{e}");
    assert!(
        e.contains("issue.toml:6: warning: `page = \"一版\"` is not a page number"),
        "{e}"
    );
    assert!(
        e.contains("02.md:3: warning: `page: 第二` is not a page number"),
        "{e}"
    );
    assert!(
        e.contains("03.md:2: warning: `page = \"三\"` is not a page number"),
        "{e}"
    );
    assert!(!e.contains("01.md:1: warning: `page"), "{e}");
}

#[test]
fn an_idle_watch_runs_no_passes_even_when_it_made_outdir_itself() {
    // `batch . --watch` with no out/ yet: creating OUTDIR inside INDIR is our own
    // doing, not a change of the input. Passes are counted by their summary lines.
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().canonicalize().unwrap();
    write(&dir.join("2024-06-01.md"), "# 标题\n\n正文。\n");
    let child = Command::new(env!("CARGO_BIN_EXE_paiban"))
        .current_dir(&dir)
        .args(["batch", ".", "--watch", "--format", "epub"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(5));
    let pid = child.id().to_string();
    Command::new("kill").arg(&pid).status().unwrap();
    let o = child.wait_with_output().unwrap();
    let e = stderr(&o);
    let passes = e.lines().filter(|l| l.contains(" converted, ")).count();
    assert!(dir.join("out/2024-06-01.epub").exists(), "{e}");
    assert_eq!(passes, 1, "an idle watch ran passes:\n{e}");
}

#[test]
fn epubcheck_passes_whatever_the_language_says() {
    let java = Command::new("java").arg("-version").output().is_ok()
        && Path::new("/usr/share/java/epubcheck.jar").exists();
    if !tool_available("epubcheck", java) {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let (indir, out) = (t.path().join("in"), t.path().join("out"));
    // Valid, invalid, odd case, private use, grandfathered, extensions, empty, CJK,
    // and one that tries to break out of the attribute.
    let values = [
        "zh-CN",
        "zh-Hans-CN",
        "ZH-hant-tw",
        "yue-HK",
        "x-paiban",
        "qaa-Qaaa-QM-x-southern",
        "i-klingon",
        "zh-min-nan",
        "en-GB-oed",
        "de-CH-1901",
        "zh-u-co-pinyin",
        "Chinese simplified",
        "zh_CN",
        "中文",
        "''",
        "\"zh\\\" onload=\\\"x\"",
        "zh-CN\\u0007",
    ];
    for (i, v) in values.iter().enumerate() {
        write(
            &indir.join(format!("2024-07-{:02}.md", i + 1)),
            format!("---\ntitle: 测试{i}\nlanguage: {v}\n---\n# 标题\n\n正文。\n"),
        );
    }
    let o = paiban(&[
        "batch",
        s(&indir),
        "-o",
        s(&out),
        "--format",
        "epub",
        "--no-opds",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // One JVM per EPUB, a few at a time.
    let check = |i: usize, v: &str| -> Option<String> {
        let epub = out.join(format!("2024-07-{:02}.epub", i + 1));
        let c = Command::new("java")
            .args(["-jar", "/usr/share/java/epubcheck.jar"])
            .arg(&epub)
            .output()
            .unwrap();
        let report =
            String::from_utf8_lossy(&c.stdout).into_owned() + &String::from_utf8_lossy(&c.stderr);
        let clean = c.status.success()
            && report.contains("No errors or warnings detected")
            && !report.contains("WARNING");
        (!clean).then(|| format!("language: {v}\n{report}"))
    };
    let bad: Vec<String> = std::thread::scope(|sc| {
        let chunks: Vec<Vec<(usize, &str)>> = (0..4)
            .map(|k| {
                values
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| i % 4 == k)
                    .map(|(i, v)| (i, *v))
                    .collect()
            })
            .collect();
        let hs: Vec<_> = chunks
            .into_iter()
            .map(|c| {
                sc.spawn(move || {
                    c.into_iter()
                        .filter_map(|(i, v)| check(i, v))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        hs.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    assert!(bad.is_empty(), "{}", bad.join("\n\n"));
}

/// A page that loads each of `targets` in a frame and, once all have loaded, lists for
/// each what could run: whether a script ran (it would set `data-ran` on its root), and
/// every script-capable element, `on…` attribute and `javascript:`/`data:`/`vbscript:`/
/// `file:` URL in its DOM.
fn script_probe(targets: &[PathBuf]) -> String {
    let frames: String = targets
        .iter()
        .map(|t| format!("<iframe src=\"file://{}\"></iframe>\n", s(t)))
        .collect();
    format!(
        r#"<!DOCTYPE html><html><body><pre id="result">pending</pre>
{frames}<script>
window.addEventListener('load', function () {{
  var out = [], fs = document.getElementsByTagName('iframe');
  for (var k = 0; k < fs.length; k++) {{
    var name = fs[k].getAttribute('src');
    try {{
      var d = fs[k].contentDocument;
      if (!d || !d.documentElement) {{ out.push(name + ' UNREADABLE'); continue; }}
      if (d.documentElement.getAttribute('data-ran')) out.push(name + ' RAN');
      var all = d.getElementsByTagName('*');
      for (var i = 0; i < all.length; i++) {{
        var el = all[i], n = el.localName.toLowerCase();
        if (['script', 'iframe', 'object', 'embed', 'frame', 'animate', 'set',
             'foreignobject', 'handler', 'listener', 'form', 'base'].indexOf(n) >= 0)
          out.push(name + ' ELEMENT ' + n);
        for (var j = 0; j < el.attributes.length; j++) {{
          var a = el.attributes[j];
          if (/^on/i.test(a.localName)) out.push(name + ' ATTR ' + a.name);
          if (/^\s*(javascript|vbscript|data|file):/i.test(a.value))
            out.push(name + ' URL ' + a.name + '=' + a.value);
        }}
      }}
      out.push(name + ' CHECKED ' + all.length);
    }} catch (e) {{ out.push(name + ' ERROR ' + e); }}
  }}
  document.getElementById('result').textContent = out.join('\n');
}});
</script></body></html>
"#
    )
}

#[test]
fn nothing_scriptable_runs_in_any_output_in_chromium() {
    let chromium = Path::new("/usr/bin/chromium");
    if !tool_available("chromium", chromium.is_file()) {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let root = t.path().canonicalize().unwrap();
    let (indir, out) = (root.join("in"), root.join("out"));
    let ran = "document.documentElement.setAttribute('data-ran','y'+'es')";
    write(
        &indir.join("pic.svg"),
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><a><animate \
             attributeName=\"href\" values=\"javascript:{ran}\"/><rect width=\"10\" \
             height=\"10\"/></a><script>{ran}</script></svg>"
        ),
    );
    write(
        &indir.join("2024-08-01.md"),
        format!(
            "---\ntitle: \"测试<script>{ran}</script>\"\nauthor: \"<img src=x onerror=\\\"{ran}\\\">\"\n---\n\
             # 标题<script>{ran}</script>\n\n\
             正文[这里](javascript:{ran})和[那里](data:text/html,x)结束。\n\n\
             <script>{ran}</script>\n\n\
             <img src=\"x\" onerror=\"{ran}\">\n\n\
             <div onmouseover=\"{ran}\"><a href=\"javascript:{ran}\">链接</a></div>\n\n\
             <iframe src=\"javascript:{ran}\"></iframe>\n\n\
             <svg><script>{ran}</script></svg>\n\n\
             ![图](pic.svg)\n\n正文二。\n"
        ),
    );
    let o = paiban(&[
        "batch",
        s(&indir),
        "-o",
        s(&out),
        "--format",
        "epub",
        "--review",
    ]);
    assert!(out.join("2024-08-01.epub").exists(), "{}", stderr(&o));
    // Every page the EPUB holds, the review page and the feed, unpacked as served.
    let unpacked = root.join("epub");
    let mut z =
        zip::ZipArchive::new(std::fs::File::open(out.join("2024-08-01.epub")).unwrap()).unwrap();
    z.extract(&unpacked).unwrap();
    let mut targets: Vec<PathBuf> = files(&unpacked)
        .into_iter()
        .filter(|p| {
            p.extension().is_some_and(|e| {
                ["xhtml", "html", "svg", "xml", "opf", "ncx"].contains(&&*e.to_string_lossy())
            })
        })
        .collect();
    targets.push(out.join("2024-08-01.review.html"));
    targets.push(out.join("opds.xml"));
    assert!(targets.len() >= 5, "{targets:?}");
    // A control the probe must catch, so a probe that sees nothing cannot pass.
    let control = root.join("control.xhtml");
    write(
        &control,
        format!(
            "<?xml version=\"1.0\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\"><head>\
             <title>c</title></head><body><p>c</p><script>{ran}</script></body></html>"
        ),
    );
    targets.push(control.clone());
    let probe = root.join("probe.html");
    write(&probe, script_probe(&targets));
    let c = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--allow-file-access-from-files",
            "--virtual-time-budget=5000",
            "--dump-dom",
        ])
        .arg(format!("file://{}", s(&probe)))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&c.stdout);
    let result = dom
        .split("<pre id=\"result\">")
        .nth(1)
        .and_then(|r| r.split("</pre>").next())
        .unwrap_or_else(|| panic!("no result from chromium:\n{dom}"))
        .to_string();
    let lines: Vec<&str> = result.lines().collect();
    let control_name = format!("file://{}", s(&control));
    assert!(
        lines.contains(&format!("{control_name} RAN").as_str()),
        "the probe did not see the control's script run:\n{result}"
    );
    for t in &targets[..targets.len() - 1] {
        let name = format!("file://{}", s(t));
        let mine: Vec<&&str> = lines
            .iter()
            .filter(|l| l.starts_with(&format!("{name} ")))
            .collect();
        assert!(
            mine.len() == 1 && mine[0].starts_with(&format!("{name} CHECKED ")),
            "scriptable content in {}:\n{result}",
            t.display()
        );
    }
}
