//! The OPDS catalog `paiban batch` writes, and `--watch --settle`: the feed validates
//! against the OPDS 1.2 RELAX NG schema (vendored in tests/opds, run with jing); a second
//! run adds only the new issue, at the top; pages of 50 linked by `next`; a feed that
//! cannot be written fails the run after every issue was converted, and never leaves a
//! half-written feed; a file copied in two writes is converted once, whole.

mod batch_common;
mod sandbox_support;

use sandbox_support::tool_available;

use paiban::batch::about::IssueInfo;
use paiban::batch::opds::{self, FeedItem, FeedOptions};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn paiban() -> Command {
    Command::new(env!("CARGO_BIN_EXE_paiban"))
}

/// Validates `feed` with jing against the vendored OPDS 1.2 schema. False when jing is
/// missing (outside CI).
fn jing_valid(feed: &Path) -> bool {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/opds/opds.rnc");
    let out = Command::new("jing")
        .arg("-c")
        .arg(&schema)
        .arg(feed)
        .output();
    if !tool_available("jing (apt-get install jing)", out.is_ok()) {
        return false;
    }
    let out = out.unwrap();
    assert!(
        out.status.success(),
        "{} is not valid OPDS 1.2:\n{}",
        feed.display(),
        String::from_utf8_lossy(&out.stdout)
    );
    true
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A one-file issue with front matter and one article per headline.
fn issue(paper: &str, date: &str, heads: &[&str]) -> String {
    let mut s = format!(
        "---\nnewspaper: {paper}\ndate: {date}\nissue: 第{}期\n---\n\n",
        &date[8..]
    );
    for h in heads {
        s.push_str(&format!(
            "# {h}\n\n本报讯 {h}。这是正文的第一段，写得足够长，好让排版有内容可排。\n\n"
        ));
    }
    s
}

fn batch(indir: &Path, outdir: &Path, extra: &[&str]) -> (Output, serde_json::Value) {
    batch_common::run_batch(indir, outdir, extra)
}

/// The feed's entries, each as its XML text.
fn entries(feed: &str) -> Vec<String> {
    feed.split("<entry>")
        .skip(1)
        .map(|e| e.split("</entry>").next().unwrap().to_string())
        .collect()
}

fn tag<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{name}>"))? + start;
    Some(&xml[start..end])
}

/// `(rel, href, type)` of every link, in order.
fn links(xml: &str) -> Vec<(String, String, String)> {
    xml.split("<link ")
        .skip(1)
        .map(|l| {
            let attr = |a: &str| {
                let k = format!("{a}=\"");
                l.find(&k)
                    .map(|i| {
                        let v = &l[i + k.len()..];
                        v[..v.find('"').unwrap()].to_string()
                    })
                    .unwrap_or_default()
            };
            (attr("rel"), attr("href"), attr("type"))
        })
        .collect()
}

fn decode(href: &str) -> String {
    let b = href.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            out.push(u8::from_str_radix(&href[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn feed_validates_and_a_second_run_adds_only_the_new_issue_at_the_top() {
    let t = tempfile::tempdir().unwrap();
    let (indir, outdir) = (t.path().join("in"), t.path().join("out"));
    write(
        &indir.join("2024/武进日报-0101.md"),
        &issue("武进日报", "2024-01-01", &["元旦献词", "新年第一天"]),
    );
    write(
        &indir.join("2024/武进日报-0102.md"),
        &issue("武进日报", "2024-01-02", &["重点工作", "民生实事", "天气"]),
    );
    let (out, s) = batch(&indir, &outdir, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(s["converted"], 2);
    assert_eq!(s["feed"]["entries"], 2);
    let feed_path = outdir.join("opds.xml");
    let first = std::fs::read_to_string(&feed_path).unwrap();
    jing_valid(&feed_path);

    // The feed as a reader sees it.
    assert_eq!(tag(&first, "title"), Some("武进日报"));
    assert!(tag(&first, "author").is_some(), "the feed has an author");
    let es = entries(&first);
    assert_eq!(es.len(), 2);
    assert_eq!(tag(&es[0], "dc:issued"), Some("2024-01-02"), "newest first");
    assert_eq!(tag(&es[1], "dc:issued"), Some("2024-01-01"));
    let e = &es[0];
    assert_eq!(tag(e, "dc:language"), Some("zh-CN"));
    assert_eq!(tag(e, "updated"), Some("2024-01-02T00:00:00Z"));
    assert!(
        e.contains("<summary type=\"text\">重点工作；民生实事；天气</summary>"),
        "{e}"
    );
    assert!(tag(e, "id").unwrap().starts_with("urn:uuid:"));
    let ls = links(e);
    let rels: Vec<&str> = ls.iter().map(|l| l.0.as_str()).collect();
    assert_eq!(
        rels,
        [
            "http://opds-spec.org/acquisition",
            "http://opds-spec.org/acquisition",
            "http://opds-spec.org/image",
            "http://opds-spec.org/image/thumbnail"
        ]
    );
    assert_eq!(ls[0].2, "application/epub+zip", "the EPUB first");
    assert_eq!(ls[1].2, "application/pdf");
    assert_eq!(decode(&ls[0].1), "2024/武进日报-0102.epub");
    assert_eq!(decode(&ls[1].1), "2024/武进日报-0102.pdf");
    assert_eq!(decode(&ls[2].1), "2024/武进日报-0102.cover.png");
    assert_eq!(decode(&ls[3].1), "2024/武进日报-0102.thumb.png");
    let cover = std::fs::read(outdir.join("2024/武进日报-0102.cover.png")).unwrap();
    let thumb = std::fs::read(outdir.join("2024/武进日报-0102.thumb.png")).unwrap();
    // The PNG header's width: the cover scaled down to the thumbnail's width.
    let width = |png: &[u8]| u32::from_be_bytes(png[16..20].try_into().unwrap());
    assert_eq!(width(&thumb), paiban::batch::thumbnail::WIDTH);
    assert!(width(&cover) > width(&thumb));
    assert!(
        thumb.len() < cover.len(),
        "the thumbnail is lighter: {} vs {} bytes",
        thumb.len(),
        cover.len()
    );
    for (_, href, _) in &ls {
        assert!(!href.contains('武'), "links are percent-encoded: {href}");
        let f = outdir.join(decode(href));
        assert!(f.is_file(), "{} is linked but missing", f.display());
    }
    // The EPUB's own identifier is the entry's id.
    let epub = std::fs::read(outdir.join("2024/武进日报-0102.epub")).unwrap();
    let id = tag(e, "id").unwrap();
    assert!(
        epub.windows(id.len()).any(|w| w == id.as_bytes()) || {
            // content.opf may be deflated: read it through the zip.
            let mut z = zip::ZipArchive::new(std::io::Cursor::new(&epub)).unwrap();
            let mut opf = String::new();
            std::io::Read::read_to_string(&mut z.by_name("OEBPS/content.opf").unwrap(), &mut opf)
                .unwrap();
            opf.contains(id)
        }
    );

    // A second run with nothing new changes nothing.
    let (_, s) = batch(&indir, &outdir, &[]);
    assert_eq!(s["converted"], 0);
    assert_eq!(std::fs::read_to_string(&feed_path).unwrap(), first);

    // A new issue: only it is converted, and it comes first; the rest is as it was.
    write(
        &indir.join("2024/武进日报-0103.md"),
        &issue("武进日报", "2024-01-03", &["第三天的头条"]),
    );
    let (out, s) = batch(&indir, &outdir, &[]);
    assert!(out.status.success());
    assert_eq!(
        (s["converted"].as_u64(), s["skipped"].as_u64()),
        (Some(1), Some(2))
    );
    let second = std::fs::read_to_string(&feed_path).unwrap();
    jing_valid(&feed_path);
    let es2 = entries(&second);
    assert_eq!(es2.len(), 3);
    assert_eq!(tag(&es2[0], "dc:issued"), Some("2024-01-03"));
    assert_eq!(es2[1..], es[..], "the earlier entries are unchanged");
    assert_eq!(tag(&second, "updated"), Some("2024-01-03T00:00:00Z"));
}

fn info(i: usize) -> IssueInfo {
    IssueInfo {
        title: format!("测试日报 第{i}期 <&>"),
        date: Some(format!("2024-{:02}-{:02}", 1 + i / 28, 1 + i % 28)),
        language: "zh-CN".into(),
        newspaper: Some("测试日报".into()),
        issue_number: Some(i.to_string()),
        headlines: vec![format!("头条 {i}"), "第二条".into()],
        identifier: None,
        ..Default::default()
    }
}

/// `n` made-up issues for the feed writer: `issue-NNN.md`, each built into `issue-NNN.EXT`.
struct Issues {
    infos: Vec<IssueInfo>,
    keys: Vec<String>,
    files: Vec<Vec<String>>,
}

impl Issues {
    fn new(n: usize, exts: &[&str]) -> Self {
        Issues {
            infos: (0..n).map(info).collect(),
            keys: (0..n).map(|i| format!("issue-{i:03}.md")).collect(),
            files: (0..n)
                .map(|i| exts.iter().map(|e| format!("issue-{i:03}.{e}")).collect())
                .collect(),
        }
    }

    /// The first `n`, as the feed writer takes them.
    fn items(&self, n: usize) -> Vec<FeedItem<'_>> {
        (0..n)
            .map(|i| FeedItem {
                key: &self.keys[i],
                about: &self.infos[i],
                files: self.files[i].iter().map(String::as_str).collect(),
                built: 1_700_000_000,
            })
            .collect()
    }
}

#[test]
fn pages_of_fifty_linked_by_next_and_a_shorter_feed_drops_the_rest() {
    let t = tempfile::tempdir().unwrap();
    let out = &t.path().join("out");
    let feed_dir = &t.path().join("feed");
    std::fs::create_dir_all(out).unwrap();
    let issues = Issues::new(120, &["epub", "pdf"]);
    let items = |n: usize| issues.items(n);
    let opts = FeedOptions {
        path: feed_dir.join("opds.xml"),
        base_url: Some("https://example.org/报纸".into()),
    };
    let r = opds::write(&opts, out, &items(120)).unwrap();
    assert_eq!((r.entries, r.pages), (120, 3));
    let mut seen = Vec::new();
    let mut next = Some("opds.xml".to_string());
    while let Some(name) = next.take() {
        let p = feed_dir.join(&name);
        jing_valid(&p);
        let xml = std::fs::read_to_string(&p).unwrap();
        for e in entries(&xml) {
            seen.push(tag(&e, "dc:issued").unwrap().to_string());
            let ls = links(&e);
            assert!(
                ls[0]
                    .1
                    .starts_with("https://example.org/%E6%8A%A5%E7%BA%B8/"),
                "{ls:?}"
            );
        }
        next = links(&xml[..xml.find("<entry>").unwrap_or(xml.len())])
            .into_iter()
            .find(|l| l.0 == "next")
            .map(|l| l.1.rsplit('/').next().unwrap().to_string());
    }
    assert_eq!(seen.len(), 120, "every issue once, across the pages");
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, sorted, "newest first across pages");
    // The feed sits outside OUTDIR: its own links stay relative; the issues' are absolute.
    let p1 = std::fs::read_to_string(feed_dir.join("opds.xml")).unwrap();
    assert!(p1.contains("<link rel=\"self\" href=\"opds.xml\""), "{p1}");
    let next = feed_link(&p1, "next");
    assert!(
        next.starts_with("opds-")
            && next.ends_with("-2.xml")
            && next.len() == "opds--2.xml".len() + 10,
        "later pages carry the feed's generation: {next}"
    );
    assert!(p1.contains("测试日报 第119期 &lt;&amp;&gt;"));

    // Fewer issues: the pages beyond are removed, so `next` never leads to stale ones.
    let r = opds::write(&opts, out, &items(30)).unwrap();
    assert_eq!(r.pages, 1);
    assert!(!feed_dir.join(&next).exists());
    assert_eq!(
        std::fs::read_dir(feed_dir).unwrap().count(),
        1,
        "only the first page is left"
    );
    let p1 = std::fs::read_to_string(feed_dir.join("opds.xml")).unwrap();
    assert!(!p1.contains("rel=\"next\""));
    assert_eq!(entries(&p1).len(), 30);
}

/// The `href` of the feed-level link `rel` of a page.
fn feed_link(page: &str, rel: &str) -> String {
    links(&page[..page.find("<entry>").unwrap_or(page.len())])
        .into_iter()
        .find(|l| l.0 == rel)
        .map(|l| l.1.rsplit('/').next().unwrap().to_string())
        .unwrap_or_default()
}

/// The `dc:issued` of every entry met following `next` from the first page of `dir`.
fn walk(dir: &Path) -> Vec<String> {
    let mut seen = Vec::new();
    let mut next = "opds.xml".to_string();
    while !next.is_empty() {
        let xml = std::fs::read_to_string(dir.join(&next))
            .unwrap_or_else(|e| panic!("{next} of the feed is missing: {e}"));
        seen.extend(
            entries(&xml)
                .iter()
                .map(|e| tag(e, "dc:issued").unwrap().to_string()),
        );
        next = feed_link(&xml, "next");
    }
    seen
}

fn copy_files(from: &Path, to: &Path, keep: impl Fn(&str) -> bool) {
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if keep(&name) {
            std::fs::copy(e.path(), to.join(&name)).unwrap();
        }
    }
}

#[test]
fn the_feed_changes_in_one_step_whatever_moment_a_kill_comes() {
    let t = tempfile::tempdir().unwrap();
    let out = &t.path().join("out");
    let feed_dir = &t.path().join("feed");
    std::fs::create_dir_all(out).unwrap();
    let issues = Issues::new(121, &["epub"]);
    let items = |n: usize| issues.items(n);
    let opts = FeedOptions {
        path: feed_dir.join("opds.xml"),
        base_url: None,
    };
    opds::write(&opts, out, &items(120)).unwrap();
    let old = t.path().join("old");
    std::fs::create_dir_all(&old).unwrap();
    copy_files(feed_dir, &old, |_| true);
    assert_eq!(walk(&old).len(), 120);
    // One newer issue shifts every entry by one place: pages renamed one by one would
    // show an entry twice (or lose one) after a kill between the renames.
    opds::write(&opts, out, &items(121)).unwrap();
    let new = walk(feed_dir);
    assert_eq!(new.len(), 121);
    let mut unique = new.clone();
    unique.dedup();
    assert_eq!(unique.len(), 121, "each issue once");
    let old_names: Vec<String> = std::fs::read_dir(&old)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let new_names: Vec<String> = std::fs::read_dir(feed_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        new_names.len(),
        3,
        "the old generation is removed: {new_names:?}"
    );
    for n in &new_names {
        assert!(
            n == "opds.xml" || !old_names.contains(n),
            "{n}: a later page is never overwritten in place"
        );
    }
    // Killed before the first page's rename: the old feed, whole, beside the new pages.
    let before = t.path().join("before");
    std::fs::create_dir_all(&before).unwrap();
    copy_files(&old, &before, |_| true);
    copy_files(feed_dir, &before, |n| n != "opds.xml");
    assert_eq!(walk(&before), walk(&old));
    // Killed after it, before the old pages were removed: the new feed, whole.
    let after = t.path().join("after");
    std::fs::create_dir_all(&after).unwrap();
    copy_files(&old, &after, |_| true);
    copy_files(feed_dir, &after, |_| true);
    assert_eq!(walk(&after), new);
    // The same issues again: the same names and bytes.
    let first = std::fs::read(feed_dir.join("opds.xml")).unwrap();
    opds::write(&opts, out, &items(121)).unwrap();
    assert_eq!(std::fs::read(feed_dir.join("opds.xml")).unwrap(), first);
    assert_eq!(walk(feed_dir), new);
}

/// [`sandbox_support::in_tmpfs`] with $IN an input folder and $OUT an output folder
/// outside the mount.
fn in_tmpfs(
    opts: &str,
    indir: &Path,
    outdir: &Path,
    script: &str,
) -> Option<(i32, String, String)> {
    sandbox_support::in_tmpfs(opts, script, &[("IN", indir), ("OUT", outdir)])
}

fn two_issues(indir: &Path) {
    write(
        &indir.join("a-2024-01-01.md"),
        &issue("报", "2024-01-01", &["甲"]),
    );
    write(
        &indir.join("b-2024-01-02.md"),
        &issue("报", "2024-01-02", &["乙"]),
    );
}

#[test]
fn a_read_only_feed_folder_fails_the_run_after_converting_everything() {
    let t = tempfile::tempdir().unwrap();
    let (indir, outdir) = (t.path().join("in"), t.path().join("out"));
    two_issues(&indir);
    let script = "\"$PAIBAN\" batch \"$IN\" -o \"$OUT\" --format epub --opds \"$DIR/opds.xml\" \
                  --summary-json \"$OUT.json\"; code=$?; ls -A \"$DIR\"; exit $code";
    let Some((code, listing, err)) = in_tmpfs("ro,size=1m", &indir, &outdir, script) else {
        return;
    };
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("opds.xml: Read-only file system"), "{err}");
    assert!(err.contains("2 converted, 0 skipped, 0 failed"), "{err}");
    assert_eq!(listing.trim(), "", "nothing written in the feed folder");
    for f in ["a-2024-01-01.epub", "b-2024-01-02.epub"] {
        assert!(outdir.join(f).is_file(), "{f} converted all the same");
    }
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(outdir.with_extension("json")).unwrap())
            .unwrap();
    assert!(
        s["feed_error"].as_str().unwrap().contains("opds.xml"),
        "{s}"
    );
}

#[test]
fn a_full_disk_keeps_the_old_feed_whole() {
    let t = tempfile::tempdir().unwrap();
    let (indir, outdir) = (t.path().join("in"), t.path().join("out"));
    two_issues(&indir);
    // An old feed, then the disk filled up: the new feed cannot be written.
    let script = "printf 'OLD FEED' > \"$DIR/opds.xml\"; \
                  dd if=/dev/zero of=\"$DIR/fill\" bs=1k 2>/dev/null; \
                  \"$PAIBAN\" batch \"$IN\" -o \"$OUT\" --format epub --opds \"$DIR/opds.xml\"; \
                  code=$?; cat \"$DIR/opds.xml\"; echo; ls -A \"$DIR\"; exit $code";
    let Some((code, listing, err)) = in_tmpfs("size=64k", &indir, &outdir, script) else {
        return;
    };
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("opds.xml: No space left on device"), "{err}");
    let mut lines = listing.lines();
    assert_eq!(lines.next(), Some("OLD FEED"), "the old feed is untouched");
    let files: Vec<&str> = lines.flat_map(|l| l.split_whitespace()).collect();
    assert_eq!(files, ["fill", "opds.xml"], "no temporary left behind");
}

#[test]
fn watch_converts_a_file_copied_in_two_writes_once_whole() {
    let t = tempfile::tempdir().unwrap();
    let (indir, outdir) = (t.path().join("in"), t.path().join("out"));
    write(
        &indir.join("a-2024-01-01.md"),
        &issue("报", "2024-01-01", &["甲"]),
    );
    let json: PathBuf = t.path().join("watch.json");
    let child = paiban()
        .arg("batch")
        .arg(&indir)
        .arg("-o")
        .arg(&outdir)
        .args(["--format", "epub", "--watch", "--settle", "2"])
        .args(["--watch-exit-after", "2"])
        .arg("--summary-json")
        .arg(&json)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !json.exists() {
        assert!(Instant::now() < deadline, "first pass never finished");
        std::thread::sleep(Duration::from_millis(20));
    }
    // The new issue arrives in two writes a second apart (a slow copy).
    let whole = issue("报", "2024-01-02", &["前一半的头条", "后一半的头条"]);
    let cut = whole.find("# 后一半").unwrap();
    let path = indir.join("b-2024-01-02.md");
    write(&path, &whole[..cut]);
    std::thread::sleep(Duration::from_millis(1200));
    {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(&whole.as_bytes()[cut..]).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(
        err.matches("converted b-2024-01-02.md").count(),
        1,
        "converted once: {err}"
    );
    assert!(err.contains("waiting b-2024-01-02.md"), "{err}");
    // Whole: the feed lists both halves' headlines.
    let feed = std::fs::read_to_string(outdir.join("opds.xml")).unwrap();
    assert!(feed.contains("前一半的头条；后一半的头条"), "{feed}");
    jing_valid(&outdir.join("opds.xml"));
}

#[test]
fn an_issue_that_fails_after_an_edit_keeps_its_last_good_version_listed() {
    let t = tempfile::tempdir().unwrap();
    let (indir, outdir) = (t.path().join("in"), t.path().join("out"));
    two_issues(&indir);
    let (out, _) = batch(&indir, &outdir, &["--format", "epub"]);
    assert!(out.status.success());
    let before = std::fs::read_to_string(outdir.join("opds.xml")).unwrap();
    // A broken edit (not UTF-8): the run fails, the published issue stays listed.
    std::fs::write(indir.join("a-2024-01-01.md"), b"# \xff\xfe\n").unwrap();
    let (out, s) = batch(&indir, &outdir, &["--format", "epub"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(s["failed"], 1);
    assert_eq!(
        std::fs::read_to_string(outdir.join("opds.xml")).unwrap(),
        before
    );
    // Removed from INDIR: gone from the feed.
    std::fs::remove_file(indir.join("a-2024-01-01.md")).unwrap();
    let (out, _) = batch(&indir, &outdir, &["--format", "epub"]);
    assert!(out.status.success());
    let after = std::fs::read_to_string(outdir.join("opds.xml")).unwrap();
    assert_eq!(entries(&after).len(), 1);
    assert!(!after.contains("a-2024-01-01"));
}

#[test]
fn settle_must_be_seconds_and_no_opds_writes_no_feed() {
    let t = tempfile::tempdir().unwrap();
    let (indir, outdir) = (t.path().join("in"), t.path().join("out"));
    two_issues(&indir);
    let o = paiban()
        .arg("batch")
        .arg(&indir)
        .arg("-o")
        .arg(&outdir)
        .args(["--settle", "soon"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--settle"));
    let (out, s) = batch(&indir, &outdir, &["--format", "epub", "--no-opds"]);
    assert!(out.status.success());
    assert_eq!(s["converted"], 2);
    assert!(s.get("feed").is_none());
    assert!(!outdir.join("opds.xml").exists());
}
