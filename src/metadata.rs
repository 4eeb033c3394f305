//! Issue metadata as written: YAML (`---`) or TOML (`+++`) front matter at the top of a
//! Markdown file, or an `issue.toml` beside the pages of a folder issue.

use crate::error::{Error, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Metadata fields as given, with keys folded to their canonical names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawMeta {
    /// Canonical key → value as text.
    pub fields: BTreeMap<String, String>,
    /// Where each key was written (file and 1-based line), for error messages.
    pub lines: BTreeMap<String, (PathBuf, usize)>,
    /// Keys paiban does not know (kept, reported by `check`).
    pub unknown: Vec<String>,
    /// `[[pages]]` of an `issue.toml`: file name, page number and page name as written.
    pub pages: Vec<PageEntry>,
    /// `veto = ["目标任|务", "一、工作回顾"]`: repairs the editor forbade, named by the text
    /// at their seam (see `normalize::Vetoes`), so they hold wherever the text moves.
    pub veto: Vec<String>,
    /// `[edition.dictionary]` of an `issue.toml`: the paper's own Traditional spellings
    /// (`"简体词" = "繁體詞"`), applied before OpenCC (see `edition`).
    pub edition_dictionary: BTreeMap<String, String>,
}

/// One `[[pages]]` entry: `file = "02-要闻.md"`, `page = 2`, `name = "要闻"`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageEntry {
    pub file: String,
    pub page: Option<String>,
    pub name: Option<String>,
    /// Where `page = …` was written (the `issue.toml` and its line), for warnings.
    pub page_at: Option<(PathBuf, usize)>,
}

/// Canonical name of a metadata key, or None when paiban does not use it.
fn canonical(key: &str) -> Option<&'static str> {
    Some(
        match key
            .trim()
            .to_ascii_lowercase()
            .replace(['-', ' '], "_")
            .as_str()
        {
            "newspaper" | "paper" | "publication" | "masthead" | "报名" | "报纸" => "newspaper",
            "date" | "issue_date" | "日期" => "date",
            "issue" | "issue_number" | "number" | "no" | "期号" | "期" => "issue_number",
            "title" | "标题" => "title",
            "lang" | "language" | "语言" => "language",
            "publisher" | "出版" | "出版者" => "publisher",
            "edition" | "section" | "版面" => "section",
            "page" | "page_number" | "版" | "版次" => "page",
            "page_name" | "版名" => "page_name",
            "author" | "creator" => "author",
            _ => return None,
        },
    )
}

impl RawMeta {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .get(key)
            .map(String::as_str)
            .filter(|s| !s.trim().is_empty())
    }

    /// Fields of `other` fill the ones this one lacks.
    pub fn merge_missing(&mut self, other: RawMeta) {
        for (k, v) in other.fields {
            if let std::collections::btree_map::Entry::Vacant(e) = self.fields.entry(k.clone()) {
                e.insert(v);
                if let Some(l) = other.lines.get(&k) {
                    self.lines.insert(k, l.clone());
                }
            }
        }
        self.unknown.extend(other.unknown);
        self.veto.extend(other.veto);
        for (k, v) in other.edition_dictionary {
            self.edition_dictionary.entry(k).or_insert(v);
        }
    }

    /// The place a key was written, for an error about its value.
    /// Takes a field out (a page's own fields must not become the issue's).
    pub fn take(&mut self, key: &str) -> Option<(String, Option<(PathBuf, usize)>)> {
        let v = self.fields.remove(key)?;
        Some((v, self.lines.remove(key)))
    }

    pub fn place(&self, key: &str) -> Option<(PathBuf, usize)> {
        self.lines.get(key).cloned()
    }

    fn insert(&mut self, key: &str, value: String, path: &Path, line: usize) {
        match canonical(key) {
            Some(k) => {
                self.fields.insert(k.to_string(), value);
                self.lines.insert(k.to_string(), (path.to_path_buf(), line));
            }
            None => self.unknown.push(key.to_string()),
        }
    }
}

/// Splits front matter off the top of a page. Returns the metadata and the number of
/// lines it took (so the body's line numbers stay those of the file).
pub fn split_front_matter<'a>(text: &'a str, path: &Path) -> Result<(RawMeta, &'a str, usize)> {
    let (fence, format) = if text.starts_with("---\n") {
        ("---", "YAML")
    } else if text.starts_with("+++\n") {
        ("+++", "TOML")
    } else {
        return Ok((RawMeta::default(), text, 0));
    };
    // The closing fence: a line that is exactly the fence (YAML also allows `...`).
    let mut offset = fence.len() + 1;
    let mut line_no = 1;
    let mut close = None;
    for line in text[offset..].split_inclusive('\n') {
        line_no += 1;
        let l = line.trim_end();
        if l == fence || (format == "YAML" && l == "...") {
            close = Some((offset, offset + line.len()));
            break;
        }
        offset += line.len();
    }
    let Some((body_start, rest_start)) = close else {
        if format == "YAML" {
            // A thematic break `---` on the first line with no closing fence is Markdown, not metadata.
            return Ok((RawMeta::default(), text, 0));
        }
        return Err(Error::Metadata {
            path: path.to_path_buf(),
            line: 1,
            format,
            message: format!("front matter opened with `{fence}` is never closed"),
        });
    };
    let raw = &text[fence.len() + 1..body_start];
    let meta = if format == "YAML" {
        parse_yaml(raw, path, 2)?
    } else {
        parse_toml(raw, path, 2)?
    };
    Ok((meta, &text[rest_start..], line_no))
}

/// Reads an `issue.toml`.
pub fn read_issue_toml(path: &Path) -> Result<RawMeta> {
    let bytes = crate::limits::read_bounded(path, crate::limits::MAX_STYLE_BYTES)
        .map_err(|e| Error::io(path, e))?;
    let text = crate::text_file::decode(&bytes, path)?;
    parse_toml(&text, path, 1)
}

fn key_line(raw: &str, key: &str, first_line: usize) -> usize {
    key_index(raw.lines(), key).map_or(first_line, |i| first_line + i)
}

/// 0-based index of the line that writes `key:` or `key =`.
fn key_index<'a>(mut lines: impl Iterator<Item = &'a str>, key: &str) -> Option<usize> {
    lines.position(|l| {
        let l = l.trim_start().trim_start_matches(['"', '\'']);
        l.starts_with(key)
            && l[key.len()..]
                .trim_start_matches(['"', '\''])
                .trim_start()
                .starts_with([':', '='])
    })
}

fn parse_toml(raw: &str, path: &Path, first_line: usize) -> Result<RawMeta> {
    let table: toml::Table = toml::from_str(raw).map_err(|e| Error::Metadata {
        path: path.to_path_buf(),
        line: first_line
            + e.span()
                .map_or(0, |s| raw[..s.start.min(raw.len())].matches('\n').count()),
        format: "TOML",
        message: e.message().to_string(),
    })?;
    let mut meta = RawMeta::default();
    for (k, v) in table {
        if k == "pages" {
            meta.pages =
                page_entries(&v, raw, path, first_line).map_err(|message| Error::Metadata {
                    path: path.to_path_buf(),
                    line: raw
                        .lines()
                        .position(|l| l.trim() == "[[pages]]")
                        .map_or_else(|| key_line(raw, "pages", first_line), |i| first_line + i),
                    format: "TOML",
                    message,
                })?;
            continue;
        }
        if k == "veto" {
            meta.veto = veto_list(v.as_array().map(|a| a.iter().map(|x| x.as_str()).collect()))
                .ok_or_else(|| Error::Metadata {
                    path: path.to_path_buf(),
                    line: key_line(raw, "veto", first_line),
                    format: "TOML",
                    message: "`veto` must be a list of texts, e.g. veto = [\"目标任|务\"]".into(),
                })?;
            continue;
        }
        // `[edition]` (a table) holds the editions' dictionary; `edition = "…"` stays the
        // page's section name, as before.
        if k == "edition" && v.is_table() {
            meta.edition_dictionary =
                edition_dictionary(&v).map_err(|message| Error::Metadata {
                    path: path.to_path_buf(),
                    line: raw
                        .lines()
                        .position(|l| l.trim().starts_with("[edition"))
                        .map_or_else(|| key_line(raw, "edition", first_line), |i| first_line + i),
                    format: "TOML",
                    message,
                })?;
            continue;
        }
        let text = match v {
            toml::Value::String(s) => s,
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Float(f) => f.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            toml::Value::Datetime(d) => d.to_string(),
            other => {
                if canonical(&k).is_some() {
                    return Err(Error::Metadata {
                        path: path.to_path_buf(),
                        line: key_line(raw, &k, first_line),
                        format: "TOML",
                        message: format!("`{k}` must be a single value, not {}", other.type_str()),
                    });
                }
                String::new()
            }
        };
        let line = key_line(raw, &k, first_line);
        meta.insert(&k, text, path, line);
    }
    Ok(meta)
}

/// `[edition]` with `dictionary = { "简体词" = "繁體詞" }`: texts to texts, none empty.
pub fn edition_dictionary(
    v: &toml::Value,
) -> std::result::Result<BTreeMap<String, String>, String> {
    let usage = "`[edition.dictionary]` maps texts to texts, e.g. \"简体词\" = \"繁體詞\"";
    let t = v.as_table().ok_or(usage)?;
    let mut out = BTreeMap::new();
    for (k, v) in t {
        if k != "dictionary" {
            return Err(format!("unknown key `edition.{k}` (only `dictionary`)"));
        }
        for (from, to) in v.as_table().ok_or(usage)? {
            match to.as_str() {
                Some(to) if !from.is_empty() && !to.is_empty() => {
                    out.insert(from.clone(), to.to_string());
                }
                _ => return Err(format!("{usage}; `{from}` is not")),
            }
        }
    }
    Ok(out)
}

/// A list of texts, each non-empty.
fn veto_list(items: Option<Vec<Option<&str>>>) -> Option<Vec<String>> {
    items?
        .into_iter()
        .map(|x| {
            x.map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
        })
        .collect()
}

/// `[[pages]]`: an array of tables, each naming its `file`.
fn page_entries(
    v: &toml::Value,
    raw: &str,
    path: &Path,
    first_line: usize,
) -> std::result::Result<Vec<PageEntry>, String> {
    // The line of `page =` (or `number =`) inside the i-th `[[pages]]` table; an inline
    // array gives no such line and falls back to the `pages` key.
    let headers: Vec<usize> = raw
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == "[[pages]]")
        .map(|(i, _)| i)
        .collect();
    let lines: Vec<&str> = raw.lines().collect();
    let page_line = |i: usize| -> usize {
        let Some(&start) = headers.get(i) else {
            return key_line(raw, "pages", first_line);
        };
        let end = lines[start + 1..]
            .iter()
            .position(|l| l.trim_start().starts_with('['))
            .map_or(lines.len(), |n| start + 1 + n);
        let table = &lines[start + 1..end];
        let at = |key: &str| key_index(table.iter().copied(), key);
        at("page")
            .or_else(|| at("number"))
            .map_or(first_line + start, |l| first_line + start + 1 + l)
    };
    let Some(items) = v.as_array() else {
        return Err("`pages` must be a list of [[pages]] tables".into());
    };
    let scalar = |v: &toml::Value| match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        _ => None,
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let t = item
                .as_table()
                .ok_or("each [[pages]] entry must be a table")?;
            let file = t
                .get("file")
                .and_then(|f| f.as_str())
                .ok_or("each [[pages]] entry needs `file = \"NAME.md\"`")?;
            Ok(PageEntry {
                file: file.to_string(),
                page: t.get("page").or_else(|| t.get("number")).and_then(scalar),
                name: t
                    .get("name")
                    .or_else(|| t.get("page_name"))
                    .and_then(|n| n.as_str().map(str::to_string)),
                page_at: Some((path.to_path_buf(), page_line(i))),
            })
        })
        .collect()
}

fn parse_yaml(raw: &str, path: &Path, first_line: usize) -> Result<RawMeta> {
    let err = |line: usize, message: String| Error::Metadata {
        path: path.to_path_buf(),
        line,
        format: "YAML",
        message,
    };
    let value: serde_yaml_ng::Value = if raw.trim().is_empty() {
        serde_yaml_ng::Value::Null
    } else {
        serde_yaml_ng::from_str(raw).map_err(|e| {
            let line = e
                .location()
                .map_or(first_line, |l| first_line + l.line().saturating_sub(1));
            let msg = e.to_string();
            // serde_yaml puts " at line N column M" in its message; the line is ours to say.
            let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
            err(line, msg)
        })?
    };
    let mut meta = RawMeta::default();
    let map = match value {
        serde_yaml_ng::Value::Null => return Ok(meta),
        serde_yaml_ng::Value::Mapping(m) => m,
        _ => {
            return Err(err(
                first_line,
                "front matter must be a mapping of `key: value` lines".into(),
            ))
        }
    };
    for (k, v) in map {
        let key = match k {
            serde_yaml_ng::Value::String(s) => s,
            serde_yaml_ng::Value::Number(n) => n.to_string(),
            _ => return Err(err(first_line, "front matter keys must be text".into())),
        };
        let line = key_line(raw, &key, first_line);
        if key == "veto" {
            let items = v
                .as_sequence()
                .map(|a| a.iter().map(serde_yaml_ng::Value::as_str).collect());
            meta.veto = veto_list(items).ok_or_else(|| {
                err(
                    line,
                    "`veto` must be a list of texts, e.g. veto: [\"目标任|务\"]".into(),
                )
            })?;
            continue;
        }
        let text = match v {
            serde_yaml_ng::Value::String(s) => s,
            serde_yaml_ng::Value::Number(n) => n.to_string(),
            serde_yaml_ng::Value::Bool(b) => b.to_string(),
            serde_yaml_ng::Value::Null => String::new(),
            _ if canonical(&key).is_some() => {
                return Err(err(
                    line,
                    format!("`{key}` must be a single value, not a list or mapping"),
                ));
            }
            _ => String::new(),
        };
        meta.insert(&key, text, path, line);
    }
    Ok(meta)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_front_matter() {
        let t = "---\ntitle: 武进日报\ndate: 2023-12-29\nissue: 12345\n---\n# 标题\n";
        let (m, body, lines) = split_front_matter(t, Path::new("a.md")).unwrap();
        assert_eq!(m.get("title"), Some("武进日报"));
        assert_eq!(m.get("date"), Some("2023-12-29"));
        assert_eq!(m.get("issue_number"), Some("12345"));
        assert_eq!(body, "# 标题\n");
        assert_eq!(lines, 5);
    }

    #[test]
    fn toml_front_matter() {
        let t = "+++\nnewspaper = \"武进日报\"\ndate = 2023-12-29\n+++\n正文\n";
        let (m, body, _) = split_front_matter(t, Path::new("a.md")).unwrap();
        assert_eq!(m.get("newspaper"), Some("武进日报"));
        assert_eq!(m.get("date"), Some("2023-12-29"));
        assert_eq!(body, "正文\n");
    }

    #[test]
    fn malformed_yaml_names_line() {
        let t = "---\ntitle: ok\ndate: [unclosed\n---\n";
        let e = split_front_matter(t, Path::new("a.md")).unwrap_err();
        match e {
            Error::Metadata { line, .. } => assert!((3..=4).contains(&line), "line {line}"),
            other => panic!("{other}"),
        }
    }

    #[test]
    fn thematic_break_is_not_front_matter() {
        let t = "---\n\n正文\n";
        let (m, body, _) = split_front_matter(t, Path::new("a.md")).unwrap();
        assert!(m.fields.is_empty());
        assert_eq!(body, t);
    }
}

/// Whether `tag` is a well-formed BCP 47 language tag (RFC 5646, section 2.1: language
/// with extended subtags, script, region, variants, extensions, private use; and a
/// private-use tag `x-…`). EPUB's `dc:language`, `xml:lang` and the PDF's `/Lang` need
/// one; `Chinese simplified` is not, `zh-Hans-CN` is.
pub fn is_bcp47(tag: &str) -> bool {
    let parts: Vec<&str> = tag.split('-').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || p.len() > 8 || !p.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return false;
    }
    let alpha = |p: &str| p.bytes().all(|b| b.is_ascii_alphabetic());
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    let private = |rest: &[&str]| !rest.is_empty();
    if parts[0].eq_ignore_ascii_case("x") {
        return private(&parts[1..]);
    }
    let (lang, n) = (parts[0], parts.len());
    if !(alpha(lang) && lang.len() >= 2) {
        return false;
    }
    let mut i = 1;
    if lang.len() <= 3 {
        // Up to three extended language subtags (`zh-yue`).
        while i < n && i <= 3 && parts[i].len() == 3 && alpha(parts[i]) {
            i += 1;
        }
    }
    if i < n && parts[i].len() == 4 && alpha(parts[i]) {
        i += 1; // script
    }
    if i < n
        && ((parts[i].len() == 2 && alpha(parts[i])) || (parts[i].len() == 3 && digits(parts[i])))
    {
        i += 1; // region
    }
    while i < n
        && (parts[i].len() >= 5 || (parts[i].len() == 4 && parts[i].as_bytes()[0].is_ascii_digit()))
    {
        i += 1; // variants
    }
    while i < n && parts[i].len() == 1 && !parts[i].eq_ignore_ascii_case("x") {
        // An extension: its singleton and at least one subtag of 2 to 8 characters.
        let start = i + 1;
        i = start;
        while i < n && parts[i].len() >= 2 {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    if i < n && parts[i].eq_ignore_ascii_case("x") {
        return private(&parts[i + 1..]);
    }
    i == n
}

#[cfg(test)]
mod bcp47_tests {
    use super::is_bcp47;

    #[test]
    fn well_formed_tags_only() {
        for ok in [
            "zh",
            "zh-CN",
            "zh-Hans",
            "zh-Hans-CN",
            "zh-yue-HK",
            "en-US-x-twain",
            "de-CH-1901",
            "sl-rozaj-biske",
            "en-a-bbb-x-a-ccc",
            "x-whatever",
            "es-419",
            "zh-cmn-Hans-CN",
        ] {
            assert!(is_bcp47(ok), "{ok}");
        }
        for bad in [
            "",
            "Chinese simplified",
            "zh_CN",
            "zh-",
            "-zh",
            "z",
            "zh-CN-a",
            "123",
            "zh-Hans-CN-x",
            "toolongtag1",
            "zh-\u{1b}]0;x",
            "中文",
        ] {
            assert!(!is_bcp47(bad), "{bad}");
        }
    }
}
