//! The document model: the one thing every backend reads.
//!
//! An issue is a list of articles. Each article opens with a headline group
//! (引题 kicker / 主题 title / 副题 subtitles), may carry a byline, and holds a
//! flat stream of blocks in which section headings mark the sections.

use serde::Serialize;
use std::path::PathBuf;

/// Where something came from: a file and a 1-based line in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub path: PathBuf,
    pub line: usize,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.path.display(), self.line)
    }
}

/// A calendar date (the issue's date). No time zone: an issue is a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct IssueDate {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl IssueDate {
    /// A valid Gregorian date, or None.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        let leap =
            (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (year >= 1000 && (1..=days).contains(&day)).then_some(IssueDate { year, month, day })
    }

    /// Parses `YYYY-MM-DD` (also `YYYY/MM/DD`, `YYYY.MM.DD` and `YYYY年M月D日`) at the start of `s`.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let nums: Vec<&str> = s
            .split(['-', '/', '.', '年', '月', '日', 'T', ' '])
            .filter(|p| !p.is_empty())
            .take(3)
            .collect();
        if nums.len() < 3 || nums[0].len() != 4 {
            return None;
        }
        IssueDate::new(
            nums[0].parse().ok()?,
            nums[1].parse().ok()?,
            nums[2].parse().ok()?,
        )
    }

    /// Finds the first `YYYY-MM-DD` inside a file or folder name.
    pub fn find_in_name(name: &str) -> Option<Self> {
        let b = name.as_bytes();
        (0..b.len().saturating_sub(9)).find_map(|i| {
            let w = &b[i..i + 10];
            let digits = |r: std::ops::Range<usize>| w[r].iter().all(u8::is_ascii_digit);
            let before_ok = i == 0 || !b[i - 1].is_ascii_digit();
            let after_ok = b.get(i + 10).is_none_or(|c| !c.is_ascii_digit());
            if before_ok
                && after_ok
                && digits(0..4)
                && w[4] == b'-'
                && digits(5..7)
                && w[7] == b'-'
                && digits(8..10)
            {
                IssueDate::parse(std::str::from_utf8(w).ok()?)
            } else {
                None
            }
        })
    }

    /// `2023-12-29`
    pub fn iso(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// `2023年12月29日`
    pub fn chinese(&self) -> String {
        format!("{}年{}月{}日", self.year, self.month, self.day)
    }

    /// Days since 1970-01-01 (for timestamps derived from the issue date).
    pub fn days_since_epoch(&self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let (y, m, d) = (self.year as i64, self.month as i64, self.day as i64);
        let y = if m <= 2 { y - 1 } else { y };
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146097 + doe - 719468
    }

    /// Day of the week, 0 = Monday … 6 = Sunday.
    pub fn weekday(&self) -> u8 {
        ((self.days_since_epoch() + 3).rem_euclid(7)) as u8
    }
}

impl std::fmt::Display for IssueDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.iso())
    }
}

/// An issue's metadata, after fallbacks were applied.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Meta {
    /// Newspaper name (报名), e.g. 武进日报.
    pub newspaper: Option<String>,
    pub date: Option<IssueDate>,
    /// Issue number as printed (e.g. `第12345期`, `12345`).
    pub issue_number: Option<String>,
    /// The issue's title: from metadata, or the first main headline.
    pub title: String,
    /// BCP 47 language tag, `zh-CN` unless the metadata says otherwise.
    pub language: String,
    pub publisher: Option<String>,
    /// Which fields were inferred rather than given, and from what (for `check` and `outline`).
    pub inferred: Vec<Inferred>,
}

/// A metadata field that was not given and how paiban filled it in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Inferred {
    pub field: &'static str,
    pub from: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    pub meta: Meta,
    /// The print pages (版) the issue's text stood on, in order; empty when nothing said.
    pub pages: Vec<Page>,
    pub articles: Vec<Article>,
}

/// A print page (版): its number and name as the paper printed them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Page {
    pub number: Option<u32>,
    pub name: Option<String>,
}

impl Page {
    /// `第02版 要闻`, `第02版`, or `第N版` by position when the number is unknown.
    pub fn heading(&self, index: usize) -> String {
        let n = self.number.unwrap_or(index as u32 + 1);
        match &self.name {
            Some(name) => format!("第{n:02}版 {name}"),
            None => format!("第{n:02}版"),
        }
    }

    /// The page number as printed, for page-lists and citations (`2`).
    pub fn label(&self, index: usize) -> String {
        self.number.unwrap_or(index as u32 + 1).to_string()
    }
}

/// 引题 / 主题 / 副题.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct HeadlineGroup {
    /// 引题: the heading(s) above the title, joined by a space when several.
    pub kicker: Option<String>,
    /// 主题
    pub title: String,
    /// 副题
    pub subtitles: Vec<String>,
    /// Markdown heading level of the title (1..=6).
    pub level: u8,
    pub location: Option<Location>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Article {
    /// Index in `Document::pages` of the page its headline stood on.
    pub page: Option<usize>,
    /// That page begins with this article (its page-break marker goes before the headline).
    pub opens_page: bool,
    pub headline: HeadlineGroup,
    /// `□ 本报评论员`, `本报记者 某某`: the article's first paragraph when it is a byline.
    pub byline: Option<String>,
    /// Body, with `Block::Section` marking where each section starts.
    pub blocks: Vec<Block>,
    /// Footnote definitions referenced from this article, in order of definition.
    pub footnotes: Vec<Footnote>,
}

impl Article {
    /// The section headings in order.
    pub fn sections(&self) -> impl Iterator<Item = &HeadlineGroup> {
        self.blocks.iter().filter_map(|b| match b {
            Block::Section(h) => Some(h),
            _ => None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Footnote {
    pub label: String,
    pub blocks: Vec<Block>,
}

/// What a paragraph is, for layout: body text gets a 2-em indent; the others as their kind wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ParaKind {
    Body,
    /// `——聚焦……`
    DashLead,
    /// `各位代表：`
    Salutation,
    /// `（一）……` numbered sub-head standing as its own short paragraph.
    NumberedHead,
    /// `——2026年2月3日在……会议上`, a dateline/subtitle line under a title.
    Dateline,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Block {
    Paragraph {
        kind: ParaKind,
        content: Vec<Inline>,
        location: Option<Location>,
    },
    /// A section heading group (Markdown level 3 and below) inside an article.
    Section(HeadlineGroup),
    List {
        /// Some(first number) for an ordered list.
        start: Option<u64>,
        items: Vec<Vec<Block>>,
    },
    Quote(Vec<Block>),
    Code {
        lang: Option<String>,
        text: String,
    },
    Rule,
    Table {
        align: Vec<Align>,
        head: Vec<Vec<Inline>>,
        rows: Vec<Vec<Vec<Inline>>>,
    },
    /// An image standing alone as a paragraph.
    Figure {
        image: Image,
        location: Option<Location>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Align {
    None,
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Image {
    /// Resolved path on disk (checked to exist when the model was built).
    pub path: PathBuf,
    /// The path as written in the Markdown.
    pub src: String,
    pub alt: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "content", rename_all = "kebab-case")]
pub enum Inline {
    Text(String),
    Emphasis(Vec<Inline>),
    Strong(Vec<Inline>),
    Strikethrough(Vec<Inline>),
    Code(String),
    Link {
        url: String,
        title: String,
        content: Vec<Inline>,
    },
    Image(Image),
    FootnoteRef(String),
    /// A hard line break (two spaces or a backslash at the end of a line).
    LineBreak,
    /// Here a print page (index in `Document::pages`) began: the EPUB marks it for page
    /// navigation; nothing is printed.
    PageBreak(usize),
}

/// The plain text of some inlines (images give their alt text, footnote references nothing).
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut s = String::new();
    push_plain(inlines, &mut s);
    s
}

fn push_plain(inlines: &[Inline], out: &mut String) {
    for i in inlines {
        match i {
            Inline::Text(t) | Inline::Code(t) => out.push_str(t),
            Inline::Emphasis(c) | Inline::Strong(c) | Inline::Strikethrough(c) => {
                push_plain(c, out)
            }
            Inline::Link { content, .. } => push_plain(content, out),
            Inline::Image(img) => out.push_str(&img.alt),
            Inline::FootnoteRef(_) | Inline::PageBreak(_) => {}
            Inline::LineBreak => out.push('\n'),
        }
    }
}

impl Block {
    /// Characters of text, white space not counted (for outlines and page estimates).
    pub fn char_count(&self) -> usize {
        self.plain_text()
            .chars()
            .filter(|c| !c.is_whitespace())
            .count()
    }

    /// Every character of text this block carries, in reading order.
    pub fn plain_text(&self) -> String {
        match self {
            Block::Paragraph { content, .. } => plain_text(content),
            Block::Section(h) => h
                .kicker
                .iter()
                .chain([&h.title])
                .chain(&h.subtitles)
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join("\n"),
            Block::List { items, .. } => items
                .iter()
                .flat_map(|item| item.iter().map(Block::plain_text))
                .collect::<Vec<_>>()
                .join("\n"),
            Block::Quote(blocks) => blocks
                .iter()
                .map(Block::plain_text)
                .collect::<Vec<_>>()
                .join("\n"),
            Block::Code { text, .. } => text.clone(),
            Block::Rule => String::new(),
            Block::Table { head, rows, .. } => std::iter::once(head)
                .chain(rows)
                .map(|r| {
                    r.iter()
                        .map(|c| plain_text(c))
                        .collect::<Vec<_>>()
                        .join("\t")
                })
                .collect::<Vec<_>>()
                .join("\n"),
            Block::Figure { image, .. } => image.alt.clone(),
        }
    }
}
