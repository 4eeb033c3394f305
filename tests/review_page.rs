//! The review page (`paiban check --html`, `paiban batch --review`), through the real
//! binary: the sample's joins and warning in place, escaping, an unreadable issue, the
//! size bound on a huge issue, several issues, batch, and the Nu HTML Checker's verdict.

mod epub_support;

use epub_support::tool_available;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sample() -> PathBuf {
    root().join("content/wujin-2023-12-29.md")
}

fn paiban(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_paiban"))
        .args(args)
        .output()
        .expect("run paiban")
}

/// `paiban check INPUT --html OUT`: the exit status and the page.
fn review(input: &Path, out: &Path) -> (Output, String) {
    let o = paiban(&[
        "check".as_ref(),
        input.as_os_str(),
        "--html".as_ref(),
        out.as_os_str(),
    ]);
    let page = std::fs::read_to_string(out).unwrap_or_else(|e| {
        panic!(
            "{}: {e}\n{}",
            out.display(),
            String::from_utf8_lossy(&o.stderr)
        )
    });
    (o, page)
}

fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

/// The text of the paragraph (`<div class="p …">`) that holds `needle`.
fn paragraph_with<'a>(page: &'a str, needle: &str) -> &'a str {
    let at = page
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not on the page"));
    let start = page[..at]
        .rfind("<div class=\"p")
        .expect("inside a paragraph");
    let end = at + page[at..].find("</div>").expect("paragraph end");
    &page[start..end]
}

#[test]
fn the_sample_shows_its_six_joins_and_the_latin_word_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sample.html");
    let (o, page) = review(&sample(), &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Six seams in the text, each with its note and its veto line.
    assert_eq!(count(&page, "<span class=\"seam g-join\""), 6);
    for (line, veto) in [(11, 13), (19, 21), (23, 25), (45, 47), (49, 51), (51, 53)] {
        let note = format!("wujin-2023-12-29.md:{line}</span><br><span class=\"veto\">如要保持分段：在 <b>wujin-2023-12-29.md:{veto}</b> 之前单独一行写 <code>&lt;!-- paiban: keep --&gt;</code>");
        assert!(page.contains(&note), "join at {line}: {note}");
    }
    // The joined words read as one, the seam between them.
    let p = paragraph_with(&page, "接合 2</a>");
    assert!(p.contains("规划目标任<span class=\"seam g-join\""), "{p}");
    assert!(p.contains("接合 2</a></span>务的关键一年"), "{p}");
    // The repeated 治党 is struck through at its seam.
    let p = paragraph_with(&page, "接合 1</a>");
    assert!(p.contains(">治党</del>"), "{p}");
    // ` and ` highlighted in its paragraph, with the warning under it.
    let p = paragraph_with(&page, ">and</mark>");
    assert!(
        p.contains("全面贯彻党的二十大精神 <mark class=\"hl g-warn\""),
        "{p}"
    );
    assert!(p.contains("中文里夹着英文词「and」"), "{p}");
    assert!(p.contains("wujin-2023-12-29.md:33"), "{p}");
    // Every punctuation repair is marked in place (none left as a note), original kept.
    // (184 marks made full-width, and the byline's bracket-space repair.)
    assert_eq!(count(&page, "<span class=\"m g-punct\""), 184 + 1);
    assert!(!page.contains("<p class=\"note g-punct\""));
    assert!(page.contains("<del>(</del><ins>（</ins>"));
    // Header: metadata with inferred fields marked, counts, estimate, filters, toggle.
    assert!(page.contains("推断 · 取自文件名「wujin-2023-12-29」"));
    assert!(page.contains("<td>跨版接合</td><td>6</td>"));
    assert!(page.contains("<td>标点改全角</td><td>184</td>"));
    assert!(page.contains("<span>预计 PDF 页数</span>"));
    for id in ["f-join", "f-furn", "f-punct", "f-warn", "orig"] {
        assert!(page.contains(&format!("<label for=\"{id}\"")), "{id}");
    }
    // Self-contained: nothing fetched from anywhere.
    for bad in [
        "<script", "<link", "src=", "http://", "https://", "@import", "url(",
    ] {
        assert!(!page.contains(bad), "{bad}");
    }
    // Deterministic.
    let again = dir.path().join("again.html");
    let (_, page2) = review(&sample(), &again);
    assert_eq!(page, page2);
}

#[test]
fn every_repair_of_the_converter_corpus_is_placed_in_the_text() {
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for conv in ["pymupdf4llm", "markitdown", "pdftotext"] {
        let folder = root().join("tests/fixtures/roundtrip").join(conv);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().ends_with(".damaged.md"))
            .collect();
        files.sort();
        for f in files {
            let (_, page) = review(&f, &dir.path().join("page.html"));
            // A repair not found in the text would be a note of its own (`id="rN"`).
            assert!(
                !page.contains("<p class=\"note g-punct\" id=\"r")
                    && !page.contains("<p class=\"note g-furn\" id=\"r")
                    && !page.contains("<p class=\"note g-join\" id=\"r"),
                "{}: a repair left as a note",
                f.display()
            );
            checked += 1;
        }
    }
    assert!(checked >= 99, "{checked} documents");
}

#[test]
fn text_from_the_issue_is_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("x.md");
    std::fs::write(
        &input,
        "---\ntitle: \"<script>alert('t')</script>\"\nnewspaper: \"<b>报</b>\"\n---\n\
         # 标题<script>alert(1)</script>\n\n正文<img src=x onerror=alert(2)>里有\"引号\"与 A&B<C> ,这样。\n",
    )
    .unwrap();
    let (_, page) = review(&input, &dir.path().join("x.html"));
    assert!(!page.contains("<script"), "a script tag got through");
    assert!(!page.contains("<img"), "an img tag got through");
    assert!(!page.contains("<b>报</b>"));
    assert!(page.contains("&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;"));
    assert!(page.contains("标题&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.contains("A&amp;B&lt;C&gt;"));
}

#[test]
fn an_unreadable_issue_gets_a_page_saying_why() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("bad.md");
    std::fs::write(&input, b"# \xe6\xa0\x87\n\n\xff\xfe bad\n").unwrap();
    let (o, page) = review(&input, &dir.path().join("bad.html"));
    assert_eq!(o.status.code(), Some(1));
    assert!(page.contains("此期无法读取"));
    assert!(page.contains("invalid UTF-8"), "{page}");
    let (o, page) = review(&dir.path().join("missing.md"), &dir.path().join("m.html"));
    assert_eq!(o.status.code(), Some(1));
    assert!(page.contains("no such file"), "{page}");
}

/// An issue with well over 100,000 repairs: joins at page breaks with their furniture,
/// and a comma or two in every paragraph.
fn huge_issue() -> String {
    let mut s = String::from("# 大型测试\n\n");
    for i in 0..80_000 {
        if i % 40 == 39 {
            // A page break in mid-sentence, with the next page's head.
            s.push_str(&format!(
                "第{}段,内容甲乙丙,内容丁戊己,这里没有结束的句子继续写到下一版的目标任\n\n第{}版\n\n务的关键一年,是攻坚之年。\n\n",
                i,
                i / 40 + 2
            ));
        } else {
            s.push_str(&format!("第{i}段,内容甲乙丙,内容丁戊己。\n\n"));
        }
    }
    s
}

#[test]
fn a_huge_issue_stays_within_the_size_bound() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("huge.md");
    std::fs::write(&input, huge_issue()).unwrap();
    let report = paiban(&["check".as_ref(), input.as_os_str(), "--json".as_ref()]);
    let v: serde_json::Value = serde_json::from_slice(&report.stdout).expect("json");
    let repairs: u64 = v["issues"][0]["repairs"]
        .as_object()
        .expect("repairs")
        .values()
        .filter_map(serde_json::Value::as_u64)
        .sum();
    assert!(repairs >= 100_000, "only {repairs} repairs");
    let t = std::time::Instant::now();
    let (o, page) = review(&input, &dir.path().join("huge.html"));
    eprintln!(
        "{repairs} repairs: page {} bytes, {} elements, check --html {:.2} s",
        page.len(),
        count(&page, "<") - count(&page, "</"),
        t.elapsed().as_secs_f64()
    );
    assert!(o.status.code().is_some());
    // The bound: 4 MiB and 50,000 elements, whatever the issue (see README, Review page).
    assert!(page.len() < 4 << 20, "{} bytes", page.len());
    assert!(count(&page, "<") - count(&page, "</") < 50_000);
    assert!(page.contains("此期很大"));
    assert!(page.contains("另 "), "over-bound counts are stated");
}

#[test]
fn several_issues_get_a_folder_with_an_index() {
    let dir = tempfile::tempdir().unwrap();
    let issues = dir.path().join("issues");
    std::fs::create_dir_all(issues.join("a")).unwrap();
    std::fs::create_dir_all(issues.join("b")).unwrap();
    std::fs::copy(sample(), issues.join("a/day.md")).unwrap();
    std::fs::write(issues.join("b/day.md"), "# 标题\n\n正文。\n").unwrap();
    let out = dir.path().join("review");
    let o = paiban(&[
        "check".as_ref(),
        issues.as_os_str(),
        "--html".as_ref(),
        out.as_os_str(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    for name in ["day.review.html", "day-2.review.html"] {
        assert!(out.join(name).is_file(), "{name}");
        assert!(index.contains(&format!("href=\"{name}\"")), "{name}");
    }
}

#[test]
fn batch_review_writes_a_page_next_to_each_output() {
    let dir = tempfile::tempdir().unwrap();
    let indir = dir.path().join("in");
    std::fs::create_dir_all(&indir).unwrap();
    std::fs::copy(sample(), indir.join("wujin.md")).unwrap();
    std::fs::write(indir.join("broken.md"), b"\xff\xfe\x00").unwrap();
    let out = dir.path().join("out");
    let args: Vec<&std::ffi::OsStr> = vec![
        "batch".as_ref(),
        indir.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
        "--format".as_ref(),
        "epub".as_ref(),
        "--review".as_ref(),
    ];
    let o = paiban(&args);
    assert_eq!(o.status.code(), Some(1), "the broken issue fails the run");
    assert!(out.join("wujin.epub").is_file());
    let page = std::fs::read_to_string(out.join("wujin.review.html")).unwrap();
    assert_eq!(count(&page, "<span class=\"seam g-join\""), 6);
    let broken = std::fs::read_to_string(out.join("broken.review.html")).unwrap();
    assert!(broken.contains("此期无法读取"));
    // Nothing changed: the second run skips the issue and keeps its page.
    let o = paiban(&args);
    assert!(String::from_utf8_lossy(&o.stderr).contains("skipped"));
    assert!(out.join("wujin.review.html").is_file());
}

/// The Nu HTML Checker's jar from the `vnu-jar` npm package.
fn vnu_jar() -> Option<PathBuf> {
    let root = Command::new("npm").args(["root", "-g"]).output().ok()?;
    let jar = PathBuf::from(String::from_utf8_lossy(&root.stdout).trim())
        .join("vnu-jar/build/dist/vnu.jar");
    let java = Command::new("java").arg("-version").output().is_ok();
    (java && jar.is_file()).then_some(jar)
}

#[test]
fn the_nu_html_checker_finds_no_error() {
    let jar = vnu_jar();
    if !tool_available(
        "the Nu HTML Checker (npm install -g vnu-jar; java)",
        jar.is_some(),
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let every = root().join("tests/fixtures/review/every-kind.md");
    let mut pages = Vec::new();
    for (input, name) in [(sample(), "sample.html"), (every.clone(), "every.html")] {
        let out = dir.path().join(name);
        review(&input, &out);
        pages.push(out);
    }
    // The page of every finding kind has them all.
    let page = std::fs::read_to_string(&pages[1]).unwrap();
    for kind in [
        "跨版接合",
        "删除重复字",
        "删除版面杂项",
        "删除转版标记",
        "转版接续",
        "删除换行空格",
        "分段",
        "标点改全角",
        "中文里的英文词",
        "段末无标点",
        "无法识别的字",
        "字库缺字",
        "图片缺失",
        "链接无效",
        "原始 HTML 被略去",
        "推断",
    ] {
        assert!(
            page.contains(kind),
            "{kind} missing from the page of every kind"
        );
    }
    assert!(page.contains("替代字体：无"), "a glyph no font has");
    assert!(
        page.contains("样式字体中没有，改用"),
        "a glyph from a fallback font"
    );
    assert!(page.contains("class=\"page g-furn\"") || page.contains("class=\"pg g-furn\""));
    // The index of several pages.
    let o = paiban(&[
        "check".as_ref(),
        sample().as_os_str(),
        every.as_os_str(),
        "--html".as_ref(),
        dir.path().join("several").as_os_str(),
    ]);
    assert_eq!(o.status.code(), Some(1), "every-kind.md has errors");
    pages.push(dir.path().join("several/index.html"));
    let bad = dir.path().join("bad.md");
    std::fs::write(&bad, b"\xff").unwrap();
    let out = dir.path().join("bad.html");
    review(&bad, &out);
    pages.push(out);
    let o = Command::new("java")
        .arg("-jar")
        .arg(jar.unwrap_or_default())
        .arg("--errors-only")
        .args(&pages)
        .output()
        .expect("run vnu");
    let msgs = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success() && msgs.trim().is_empty(), "{msgs}");
}

fn roundtrip(converter: &str, name: &str) -> PathBuf {
    root()
        .join("tests/fixtures/roundtrip")
        .join(converter)
        .join(format!("{name}.damaged.md"))
}

#[test]
fn what_could_not_be_recovered_is_a_warning_and_the_page_is_not_green() {
    // A paragraph of 2,200 characters that no line shape can divide (one line of text, as
    // a converter that ran a page's paragraphs together leaves it).
    let dir = tempfile::tempdir().unwrap();
    let long = dir.path().join("long.md");
    let text = format!("# 标题\n\n{}\n", "这是一句话，说明有关情况。".repeat(170));
    std::fs::write(&long, text).unwrap();
    let (_, page) = review(&long, &dir.path().join("long.html"));
    assert!(!page.contains("没有错误，也没有警告"));
    assert!(page.contains("段落过长"), "the overlong paragraph's kind");
    let note = page
        .split("这一段长达 ")
        .nth(1)
        .expect("the overlong paragraph's warning in Chinese");
    let n: usize = note.split(' ').next().unwrap().parse().unwrap();
    assert!(n > 1_500, "{n}");
    assert!(note.contains("超过报纸所印的任何一段（1500 字）"));
    // The warning also stands under the paragraph it is about, in the text.
    assert!(page.contains("<p class=\"note g-warn warn\"><b>警告 · 段落过长</b> 这一段长达 "));
    // pdftotext's running heads name the paper: the masthead, marked as inferred from them.
    let (_, page) = review(
        &roundtrip("pdftotext", "gwr2026-hubei-01"),
        &dir.path().join("page.html"),
    );
    assert!(
        page.contains("推断 · 取自版头「湖北日报」"),
        "the inferred newspaper"
    );
}

#[test]
fn every_removed_wrap_space_is_marked_where_it_stood() {
    let dir = tempfile::tempdir().unwrap();
    let input = roundtrip("pymupdf4llm", "gwr2026-gansu-01");
    let report = dir.path().join("report.json");
    let o = paiban(&[
        "normalize".as_ref(),
        input.as_os_str(),
        "-q".as_ref(),
        "-o".as_ref(),
        dir.path().join("out.md").as_os_str(),
        "--report".as_ref(),
        report.as_os_str(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let wraps = v["repairs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "line-wrap-space")
        .count();
    assert!(wraps > 100, "{wraps} wrap spaces");
    let (_, page) = review(&input, &dir.path().join("page.html"));
    // Each one a mark in the text, a space struck out, its evidence in Chinese.
    let marks = count(&page, "data-tip=\"删除换行空格 · ");
    assert_eq!(marks, wraps, "every removal marked");
    assert_eq!(
        count(&page, "印刷版上一行 "),
        wraps,
        "each with its evidence in Chinese"
    );
    // Not only the first of each paragraph: some paragraph shows several.
    let most = page
        .split("<div class=\"p")
        .map(|p| count(p, "data-tip=\"删除换行空格 · "))
        .max()
        .unwrap_or(0);
    assert!(most > 3, "{most}");
}
