//! The conversion itself: OpenCC ([`super::opencc`], dictionaries compiled into the binary)
//! behind a user dictionary, applied to every text of the document model.

use super::opencc::Chain;
use super::{Edition, EditionError};
use crate::model::{Article, Block, Document, HeadlineGroup, Image, Inline};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// A paper's own spellings: Simplified text → the Traditional text to print, which wins
/// over OpenCC (`[edition.dictionary]` of the style file and of issue.toml).
pub type Dictionary = BTreeMap<String, String>;

/// One edition's converter, made once and shared by every issue (and thread) of a run.
pub struct Converter {
    edition: Edition,
    /// Shared by the converters [`Converter::with_dictionary`] makes for each issue.
    opencc: Option<Arc<Chain>>,
    /// The user dictionary as given (for the fingerprint and merging).
    entries: Dictionary,
    /// The user dictionary by first character, longest entry first.
    dictionary: HashMap<char, Vec<(String, String)>>,
}

impl Converter {
    pub fn new(edition: Edition, dictionary: &Dictionary) -> Result<Self, EditionError> {
        let opencc = edition.opencc().map(|c| Arc::new(Chain::new(c)));
        Ok(Converter::assemble(edition, opencc, dictionary.clone()))
    }

    fn assemble(edition: Edition, opencc: Option<Arc<Chain>>, entries: Dictionary) -> Self {
        let mut by_first: HashMap<char, Vec<(String, String)>> = HashMap::new();
        for (from, to) in &entries {
            if let Some(c) = from.chars().next() {
                by_first
                    .entry(c)
                    .or_default()
                    .push((from.clone(), to.clone()));
            }
        }
        for list in by_first.values_mut() {
            list.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        }
        Converter {
            edition,
            opencc,
            entries,
            dictionary: by_first,
        }
    }

    /// This converter with an issue's own dictionary (issue.toml's `[edition.dictionary]`)
    /// over the style's: an issue's entry wins over the style's for the same text.
    pub fn with_dictionary(&self, issue: &Dictionary) -> Converter {
        let mut entries = self.entries.clone();
        entries.extend(issue.iter().map(|(k, v)| (k.clone(), v.clone())));
        Converter::assemble(self.edition, self.opencc.clone(), entries)
    }

    /// What changes this converter's output besides the text: the edition, the OpenCC
    /// data's version and the user dictionary.
    pub fn fingerprint(&self) -> String {
        let mut h = blake3::Hasher::new();
        h.update(self.edition.name().as_bytes());
        h.update(b"OpenCC 1.1.6");
        for (k, v) in &self.entries {
            h.update(k.as_bytes());
            h.update(b"\0");
            h.update(v.as_bytes());
            h.update(b"\0");
        }
        h.finalize().to_hex()[..16].to_string()
    }

    pub fn edition(&self) -> Edition {
        self.edition
    }

    /// One text converted: the user dictionary's entries (leftmost, longest first) as
    /// given, the text between them through OpenCC.
    pub fn text(&self, s: &str) -> String {
        let Some(cc) = &self.opencc else {
            return s.to_string();
        };
        if self.dictionary.is_empty() {
            return cc.convert(s);
        }
        let mut out = String::with_capacity(s.len() + s.len() / 8);
        let mut gap = 0;
        let mut i = 0;
        while i < s.len() {
            let rest = &s[i..];
            let Some(c) = rest.chars().next() else { break };
            let hit = self.dictionary.get(&c).and_then(|list| {
                list.iter()
                    .find(|(from, _)| rest.starts_with(from.as_str()))
            });
            match hit {
                Some((from, to)) => {
                    out.push_str(&cc.convert(&s[gap..i]));
                    out.push_str(to);
                    i += from.len();
                    gap = i;
                }
                None => i += c.len_utf8(),
            }
        }
        out.push_str(&cc.convert(&s[gap..]));
        out
    }

    /// The document in this edition: every text converted (code kept as written), the
    /// language tag set. Adjacent text runs are joined first, so OpenCC sees whole
    /// phrases however the Markdown parser split them.
    pub fn document(&self, doc: &Document) -> Document {
        let mut d = doc.clone();
        if self.opencc.is_none() {
            return d;
        }
        if let Some(tag) = self.edition.language() {
            d.meta.language = tag.to_string();
        }
        d.meta.title = self.text(&d.meta.title);
        for s in [&mut d.meta.newspaper, &mut d.meta.publisher]
            .into_iter()
            .flatten()
        {
            *s = self.text(s);
        }
        for p in &mut d.pages {
            if let Some(n) = &mut p.name {
                *n = self.text(n);
            }
        }
        for a in &mut d.articles {
            self.article(a);
        }
        d
    }

    fn article(&self, a: &mut Article) {
        self.headline(&mut a.headline);
        if let Some(b) = &mut a.byline {
            *b = self.text(b);
        }
        self.blocks(&mut a.blocks);
        for f in &mut a.footnotes {
            self.blocks(&mut f.blocks);
        }
    }

    fn headline(&self, h: &mut HeadlineGroup) {
        if let Some(k) = &mut h.kicker {
            *k = self.text(k);
        }
        h.title = self.text(&h.title);
        for s in &mut h.subtitles {
            *s = self.text(s);
        }
    }

    fn blocks(&self, blocks: &mut [Block]) {
        for b in blocks {
            match b {
                Block::Paragraph { content, .. } => self.inlines(content),
                Block::Section(h) => self.headline(h),
                Block::List { items, .. } => items.iter_mut().for_each(|i| self.blocks(i)),
                Block::Quote(inner) => self.blocks(inner),
                Block::Table { head, rows, .. } => {
                    for cell in head.iter_mut().chain(rows.iter_mut().flatten()) {
                        self.inlines(cell);
                    }
                }
                Block::Figure { image, .. } => self.image(image),
                Block::Code { .. } | Block::Rule => {}
            }
        }
    }

    fn image(&self, img: &mut Image) {
        img.alt = self.text(&img.alt);
        img.title = self.text(&img.title);
    }

    fn inlines(&self, inlines: &mut Vec<Inline>) {
        join_text_runs(inlines);
        for i in inlines.iter_mut() {
            match i {
                Inline::Text(t) => *t = self.text(t),
                Inline::Emphasis(c) | Inline::Strong(c) | Inline::Strikethrough(c) => {
                    self.inlines(c)
                }
                Inline::Link { title, content, .. } => {
                    *title = self.text(title);
                    self.inlines(content);
                }
                Inline::Image(img) => self.image(img),
                Inline::Code(_) | Inline::FootnoteRef(_) | Inline::LineBreak => {}
                Inline::PageBreak(_) => {}
            }
        }
    }
}

/// Joins neighbouring `Inline::Text` into one (the same text, fewer pieces).
fn join_text_runs(inlines: &mut Vec<Inline>) {
    let mut out: Vec<Inline> = Vec::with_capacity(inlines.len());
    for i in inlines.drain(..) {
        match (out.last_mut(), i) {
            (Some(Inline::Text(prev)), Inline::Text(t)) => prev.push_str(&t),
            (_, i) => out.push(i),
        }
    }
    *inlines = out;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dictionary_wins_over_opencc() {
        let plain = Converter::new(Edition::Tw, &Dictionary::new()).unwrap();
        assert_eq!(plain.text("软件和鼠标"), "軟體和滑鼠");
        let mut dict = Dictionary::new();
        dict.insert("软件".into(), "軟件".into());
        let own = Converter::new(Edition::Tw, &dict).unwrap();
        assert_eq!(own.text("软件和鼠标"), "軟件和滑鼠");
        let hans = Converter::new(Edition::Hans, &dict).unwrap();
        assert_eq!(hans.text("软件"), "软件");
    }

    #[test]
    fn text_runs_join() {
        let mut v = vec![
            Inline::Text("发".into()),
            Inline::Text("展".into()),
            Inline::LineBreak,
            Inline::Text("a".into()),
        ];
        join_text_runs(&mut v);
        assert_eq!(v.len(), 3);
        assert_eq!(v[0], Inline::Text("发展".into()));
    }
}
