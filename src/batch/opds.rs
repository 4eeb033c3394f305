//! The OPDS 1.2 catalog of a batch's output: one acquisition feed of every issue built,
//! newest first, 50 entries a page (`opds.xml`, then `opds-GEN-2.xml`… linked by
//! `rel="next"`), each entry with its EPUB and PDF, cover and thumbnail, title, date,
//! language and headlines. A reader subscribes to the first page once and finds each
//! new issue at the top.
//!
//! The feed is a function of the manifest's records alone (no clock), so the same
//! issues always give the same bytes. All pages change in one step: the pages after the
//! first carry a generation (a hash of the feed's content) in their names, so the new
//! ones are written beside the old feed, and only the rename of the first page switches
//! readers over. A kill at any moment leaves either the old feed or the new one, never a
//! mix (whose entries, shifted by one page, would show twice); older generations are
//! removed after the switch.

use super::about::IssueInfo;
use super::error::{BatchError, Result};
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

/// The feed's file name in OUTDIR unless `--opds` says otherwise.
pub const FEED_NAME: &str = "opds.xml";
/// Entries per page.
pub const PAGE_SIZE: usize = 50;
const FEED_TYPE: &str = "application/atom+xml;profile=opds-catalog;kind=acquisition";
/// Atom needs an `updated`: an empty feed takes the zip epoch, as undated EPUBs do.
pub(super) const NO_TIME: &str = "1980-01-01T00:00:00Z";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedOptions {
    /// The first page; later pages go beside it (`opds-GEN-2.xml`, …).
    pub path: PathBuf,
    /// The URL at which OUTDIR is served: links become absolute. Relative otherwise.
    pub base_url: Option<String>,
}

impl FeedOptions {
    /// `OUTDIR/opds.xml`, relative links.
    pub fn in_outdir(outdir: &Path) -> FeedOptions {
        FeedOptions {
            path: outdir.join(FEED_NAME),
            base_url: None,
        }
    }
}

/// One issue of the feed.
#[derive(Debug, Clone)]
pub struct FeedItem<'a> {
    /// The issue's path relative to INDIR (the last tie-breaker of the order).
    pub key: &'a str,
    pub about: &'a IssueInfo,
    /// Its output files, relative to OUTDIR, `/`-separated.
    pub files: Vec<&'a str>,
    /// When its outputs were written (seconds since the epoch, from the manifest).
    pub built: u64,
}

/// What a feed write did, for the summary.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FeedReport {
    pub path: String,
    pub entries: usize,
    pub pages: usize,
}

/// Writes every page of the feed (all or none), then removes pages a longer feed left.
pub fn write(opts: &FeedOptions, outdir: &Path, items: &[FeedItem]) -> Result<FeedReport> {
    let dir = parent(&opts.path);
    std::fs::create_dir_all(dir).map_err(|e| BatchError::io(dir, e))?;
    let mut links = Links::new(opts, dir, outdir)?;
    let order = sorted(items);
    let mut hash = generation_seed(
        &links,
        &feed_title(&order),
        &newest(&order),
        order.len().div_ceil(PAGE_SIZE).max(1),
    );
    let mut x = String::new();
    for item in &order {
        x.clear();
        entry(&mut x, &links, item);
        hash.update(x.as_bytes());
    }
    links.set_generation(&hash);
    let pages = render(items, &links);
    // The first page last: its rename is the switch.
    let files: Vec<(PathBuf, &[u8])> = pages
        .iter()
        .enumerate()
        .rev()
        .map(|(i, xml)| (dir.join(links.page_name(i + 1)), xml.as_bytes()))
        .collect();
    let staged: Vec<(&Path, &[u8])> = files.iter().map(|(p, b)| (p.as_path(), *b)).collect();
    crate::output::write_all_atomic(&staged)?;
    remove_other_pages(&links, dir, pages.len())?;
    Ok(FeedReport {
        path: opts.path.display().to_string(),
        entries: items.len(),
        pages: pages.len(),
    })
}

pub(super) fn parent(p: &Path) -> &Path {
    p.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Pages of earlier generations (and of the unversioned `opds-2.xml` naming), and pages
/// beyond `n`: a reader following `next` must not find them.
pub(super) fn remove_other_pages(links: &Links, dir: &Path, n: usize) -> Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => return Err(BatchError::io(dir, e)),
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if links.is_stale_page(name, n) {
            let p = dir.join(name);
            match std::fs::remove_file(&p) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(BatchError::io(p, e)),
            }
        }
    }
    Ok(())
}

/// How the feed names its pages and points at the issues' files.
pub(super) struct Links {
    /// `opds` and `.xml` of `opds.xml`.
    stem: String,
    ext: String,
    /// Prefix for a file in OUTDIR: the base URL, or the way from the feed's folder.
    to_outdir: String,
    /// Prefix for a page of the feed.
    to_feed: String,
    feed_id: String,
    /// Names this feed's pages after the first (empty while it is being computed).
    generation: String,
}

impl Links {
    pub(super) fn new(opts: &FeedOptions, feed_dir: &Path, outdir: &Path) -> Result<Links> {
        let name = opts
            .path
            .file_name()
            .map_or_else(|| FEED_NAME.into(), |n| n.to_string_lossy().into_owned());
        let (stem, ext) = match name.rsplit_once('.') {
            Some((s, e)) if !s.is_empty() => (s.to_string(), format!(".{e}")),
            _ => (name.clone(), String::new()),
        };
        let canon = |p: &Path| p.canonicalize().map_err(|e| BatchError::io(p, e));
        let rel = relative(&canon(feed_dir)?, &canon(outdir)?);
        // Only an http(s) URL may stand before every link of the feed.
        let base = match &opts.base_url {
            Some(b) => Some(
                crate::links::base_url(b)
                    .map_err(|why| BatchError::Feed(format!("--base-url {why}")))?,
            ),
            None => None,
        }
        .map(|b| if b.ends_with('/') { b } else { format!("{b}/") });
        let (to_outdir, to_feed) = match &base {
            Some(b) => {
                // The feed's own URL is known only when it sits inside OUTDIR.
                let back = relative(&canon(outdir)?, &canon(feed_dir)?);
                let inside = !back.contains("../");
                (
                    b.clone(),
                    if inside {
                        format!("{b}{back}")
                    } else {
                        String::new()
                    },
                )
            }
            None => (rel, String::new()),
        };
        Ok(Links {
            stem,
            ext,
            to_outdir,
            to_feed,
            feed_id: uuid_urn(&["paiban-opds", base.as_deref().unwrap_or("")]),
            generation: String::new(),
        })
    }

    /// A hasher for the generation, seeded with where the links point.
    fn hasher(&self) -> blake3::Hasher {
        let mut h = blake3::Hasher::new();
        for part in [&self.stem, &self.ext, &self.to_outdir, &self.to_feed] {
            h.update(part.as_bytes());
            h.update(&[0]);
        }
        h
    }

    pub(super) fn set_generation(&mut self, hash: &blake3::Hasher) {
        self.generation = hash.finalize().to_hex()[..10].to_string();
    }

    pub(super) fn page_name(&self, n: usize) -> String {
        if n <= 1 {
            format!("{}{}", self.stem, self.ext)
        } else if self.generation.is_empty() {
            format!("{}-{n}{}", self.stem, self.ext)
        } else {
            format!("{}-{}-{n}{}", self.stem, self.generation, self.ext)
        }
    }

    /// Whether `name` is a later page of another generation, or of this one beyond `n`.
    fn is_stale_page(&self, name: &str, n: usize) -> bool {
        let Some(middle) = name
            .strip_prefix(&self.stem)
            .and_then(|r| r.strip_prefix('-'))
            .and_then(|r| r.strip_suffix(&self.ext))
        else {
            return false;
        };
        let number = |d: &str| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit());
        match middle.split_once('-') {
            None => number(middle),
            Some((g, d))
                if number(d) && g.len() == 10 && g.bytes().all(|b| b.is_ascii_hexdigit()) =>
            {
                g != self.generation || d.parse::<usize>().map_or(true, |d| d > n)
            }
            Some(_) => false,
        }
    }

    fn page(&self, n: usize) -> String {
        format!("{}{}", self.to_feed, encode_path(&self.page_name(n)))
    }

    fn file(&self, rel: &str) -> String {
        format!("{}{}", self.to_outdir, encode_path(rel))
    }
}

/// The way from folder `from` to folder `to` (both canonical), `/`-separated, ending in
/// `/` unless empty.
fn relative(from: &Path, to: &Path) -> String {
    let f: Vec<Component> = from.components().collect();
    let t: Vec<Component> = to.components().collect();
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut out = "../".repeat(f.len() - common);
    for c in &t[common..] {
        out.push_str(&c.as_os_str().to_string_lossy());
        out.push('/');
    }
    out
}

/// Percent-encodes each segment of a `/`-separated path (UTF-8 bytes outside the URI
/// unreserved set), so every link is a plain URI whatever the issue's name.
pub(super) fn encode_path(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    for b in p.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn uuid_urn(parts: &[&str]) -> String {
    let mut h = blake3::Hasher::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update(&[0]);
    }
    let b = h.finalize();
    let b = b.as_bytes();
    // Version 8 (custom), RFC 4122 variant.
    let mut u = [0u8; 16];
    u.copy_from_slice(&b[..16]);
    u[6] = (u[6] & 0x0f) | 0x80;
    u[8] = (u[8] & 0x3f) | 0x80;
    let hex: String = u.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// The issue's day: its date, or the day its outputs were written when it has none.
pub(super) fn day(i: &FeedItem) -> String {
    match &i.about.date {
        Some(d) => d.clone(),
        None => rfc3339(i.built)[..10].to_string(),
    }
}

/// The order of the feed: newest day first, then by path (not by build time: a
/// corrected issue keeps its place, and parallel runs give the same feed).
fn sorted<'a>(items: &'a [FeedItem<'a>]) -> Vec<&'a FeedItem<'a>> {
    let mut v: Vec<&FeedItem> = items.iter().collect();
    v.sort_by_cached_key(|i| (std::cmp::Reverse(day(i)), i.key));
    v
}

/// The entry's `updated`: its day at midnight UTC (for a dated issue, as the EPUB's
/// `dcterms:modified`).
fn updated(i: &FeedItem) -> String {
    format!("{}T00:00:00Z", day(i))
}

/// Seconds since the epoch as `YYYY-MM-DDThh:mm:ssZ`.
fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The feed's title: the newspaper when every issue names the same one, else the
/// papers' names, else `paiban`.
fn feed_title(items: &[&FeedItem]) -> String {
    let papers: std::collections::BTreeSet<&str> = items
        .iter()
        .filter_map(|i| i.about.newspaper.as_deref())
        .collect();
    title_of(&papers)
}

/// The title for these distinct paper names (sorted).
pub(super) fn title_of(papers: &std::collections::BTreeSet<&str>) -> String {
    let papers: Vec<&str> = papers.iter().copied().collect();
    match papers.len() {
        0 => "paiban".to_string(),
        1..=3 => papers.join("、"),
        _ => format!("{}等", papers[..3].join("、")),
    }
}

/// The start of the generation's hash, which then takes every entry in order (`catalog`
/// computes it the same way, so both write the same names).
pub(super) fn generation_seed(
    links: &Links,
    title: &str,
    newest: &str,
    pages: usize,
) -> blake3::Hasher {
    let mut h = links.hasher();
    h.update(format!("{title}\0{newest}\0{pages}\0").as_bytes());
    h
}

fn newest(order: &[&FeedItem]) -> String {
    order
        .iter()
        .map(|i| updated(i))
        .max()
        .unwrap_or_else(|| NO_TIME.into())
}

/// Every page's XML.
fn render(items: &[FeedItem], links: &Links) -> Vec<String> {
    let order = sorted(items);
    let title = feed_title(&order);
    let chunks: Vec<&[&FeedItem]> = if order.is_empty() {
        vec![&[]]
    } else {
        order.chunks(PAGE_SIZE).collect()
    };
    let newest = newest(&order);
    let n = chunks.len();
    chunks
        .iter()
        .enumerate()
        .map(|(i, chunk)| page(links, &title, &newest, i + 1, n, chunk))
        .collect()
}

fn page(
    links: &Links,
    title: &str,
    updated_at: &str,
    n: usize,
    pages: usize,
    items: &[&FeedItem],
) -> String {
    let mut x = page_head(links, title, updated_at, n, pages);
    x.reserve(items.len() * 1024);
    for item in items {
        entry(&mut x, links, item);
    }
    x.push_str(PAGE_END);
    x
}

/// What closes every page.
pub(super) const PAGE_END: &str = "</feed>\n";

/// A page up to its first entry: the feed's id, title and links to the other pages.
pub(super) fn page_head(
    links: &Links,
    title: &str,
    updated_at: &str,
    n: usize,
    pages: usize,
) -> String {
    let mut x = String::with_capacity(1024);
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:dc=\"http://purl.org/dc/terms/\" \
         xmlns:opds=\"http://opds-spec.org/2010/catalog\">\n",
    );
    let _ = writeln!(x, "  <id>{}</id>", links.feed_id);
    let _ = writeln!(x, "  <title>{}</title>", esc(title));
    let _ = writeln!(x, "  <updated>{updated_at}</updated>");
    let _ = writeln!(x, "  <author><name>{}</name></author>", esc(title));
    let _ = writeln!(
        x,
        "  <generator version=\"{}\">paiban</generator>",
        env!("CARGO_PKG_VERSION")
    );
    let link = |x: &mut String, rel: &str, page: usize| {
        let _ = writeln!(
            x,
            "  <link rel=\"{rel}\" href=\"{}\" type=\"{FEED_TYPE}\"/>",
            esc(&links.page(page))
        );
    };
    link(&mut x, "self", n);
    link(&mut x, "start", 1);
    if pages > 1 {
        link(&mut x, "first", 1);
        if n > 1 {
            link(&mut x, "previous", n - 1);
        }
        if n < pages {
            link(&mut x, "next", n + 1);
        }
        link(&mut x, "last", pages);
    }
    x
}

pub(super) fn entry(x: &mut String, links: &Links, i: &FeedItem) {
    let a = i.about;
    x.push_str("  <entry>\n");
    let _ = writeln!(x, "    <title>{}</title>", esc(&a.title));
    let id = a
        .identifier
        .clone()
        .unwrap_or_else(|| uuid_urn(&["paiban-opds-issue", i.key]));
    let _ = writeln!(x, "    <id>{}</id>", esc(&id));
    let _ = writeln!(x, "    <updated>{}</updated>", updated(i));
    if let Some(p) = &a.newspaper {
        let _ = writeln!(x, "    <author><name>{}</name></author>", esc(p));
    }
    if !a.language.is_empty() {
        let _ = writeln!(x, "    <dc:language>{}</dc:language>", esc(&a.language));
    }
    if let Some(d) = &a.date {
        let _ = writeln!(x, "    <dc:issued>{}</dc:issued>", esc(d));
    }
    if !a.headlines.is_empty() {
        let _ = writeln!(
            x,
            "    <summary type=\"text\">{}</summary>",
            esc(&a.headlines.join("；"))
        );
    }
    let with_ext = |exts: &[&str]| {
        i.files
            .iter()
            .copied()
            .find(|f| exts.iter().any(|e| f.ends_with(e)))
    };
    // The EPUB first: readers that take one acquisition link take the first.
    for (ext, media) in [
        (".epub", "application/epub+zip"),
        (".pdf", "application/pdf"),
        // The OFD edition, when built (`--ofd`); OFD has no IANA-registered type, this is
        // the one Chinese readers and servers use.
        (".ofd", "application/ofd"),
    ] {
        if let Some(f) = with_ext(&[ext]) {
            let _ = writeln!(
                x,
                "    <link rel=\"http://opds-spec.org/acquisition\" href=\"{}\" type=\"{media}\"/>",
                esc(&links.file(f))
            );
        }
    }
    let images = [
        (
            "http://opds-spec.org/image",
            with_ext(&[".cover.png", ".cover.jpg"]),
        ),
        (
            "http://opds-spec.org/image/thumbnail",
            with_ext(&[".thumb.png"]).or_else(|| with_ext(&[".cover.png", ".cover.jpg"])),
        ),
    ];
    for (rel, file) in images {
        if let Some(f) = file {
            let media = if f.ends_with(".jpg") {
                "image/jpeg"
            } else {
                "image/png"
            };
            let _ = writeln!(
                x,
                "    <link rel=\"{rel}\" href=\"{}\" type=\"{media}\"/>",
                esc(&links.file(f))
            );
        }
    }
    x.push_str("  </entry>\n");
}

/// Escapes text and attribute values; drops characters XML 1.0 cannot carry.
pub(super) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_paths_and_escapes() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_704_164_645), "2024-01-02T03:04:05Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(
            encode_path("2024/武进 日报.epub"),
            "2024/%E6%AD%A6%E8%BF%9B%20%E6%97%A5%E6%8A%A5.epub"
        );
        assert_eq!(esc("a<b>&\"c\u{1}"), "a&lt;b&gt;&amp;&quot;c");
        assert_eq!(relative(Path::new("/a/b"), Path::new("/a/b")), "");
        assert_eq!(relative(Path::new("/a/b"), Path::new("/a/b/c")), "c/");
        assert_eq!(relative(Path::new("/a/x/y"), Path::new("/a/b")), "../../b/");
        let u = uuid_urn(&["x"]);
        assert_eq!(u.len(), "urn:uuid:".len() + 36);
        assert_eq!(&u[23..24], "8");
    }
}
