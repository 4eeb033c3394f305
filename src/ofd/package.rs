//! The end of an OFD: each face subset once, the resource list, the structure tags, the
//! outline, `Document.xml` and `OFD.xml`, zipped with fixed dates (same input, same bytes).

use super::font_subset::subset;
use super::xml::{mm, num, Xml, NS};
use super::{FontSource, OfdError, Writer};
use crate::layout::outline::Entry;
use crate::layout::structure::{NodeId, Role, Structure, ROOT};
use crate::model::Meta;
use std::collections::BTreeSet;

/// The namespace of paiban's structure tags (a custom tag set, GB/T 33190 clause 16).
pub const TAGS_NS: &str = "urn:paiban:structure:1";

/// The family name a font gives itself (for FontName), or `font<ID>`.
fn family(font: &FontSource, id: u32) -> String {
    ttf_parser::Face::parse(font.data, font.index)
        .ok()
        .and_then(|f| {
            f.names()
                .into_iter()
                .filter(|n| n.name_id == ttf_parser::name_id::FAMILY && n.is_unicode())
                .find_map(|n| n.to_string())
        })
        .unwrap_or_else(|| format!("font{id}"))
}

/// An element name for each role, after the PDF's standard structure types.
fn element(role: &Role) -> String {
    match role {
        Role::Document => "Document".into(),
        Role::Article => "Article".into(),
        Role::HeadlineGroup => "HeadlineGroup".into(),
        Role::Heading { level, .. } => format!("H{level}"),
        Role::Paragraph => "P".into(),
        Role::List { .. } => "L".into(),
        Role::ListItem => "LI".into(),
        Role::Label => "Lbl".into(),
        Role::ListBody => "LBody".into(),
        Role::Quote => "BlockQuote".into(),
        Role::Code => "Code".into(),
        Role::Table => "Table".into(),
        Role::Row => "TR".into(),
        Role::HeaderCell => "TH".into(),
        Role::Cell => "TD".into(),
        Role::Figure { .. } => "Figure".into(),
        Role::Caption => "Caption".into(),
        Role::Note => "Note".into(),
        Role::Link { .. } => "Link".into(),
    }
}

impl Writer<'_> {
    /// The structure tree in reading order (a node's children by id are in reading
    /// order), each node listing the objects drawn for it by page.
    fn tags(&self, structure: &Structure) -> Vec<u8> {
        let mut children: Vec<Vec<NodeId>> = vec![Vec::new(); structure.nodes.len()];
        for (i, n) in structure.nodes.iter().enumerate().skip(1) {
            if let Some(c) = children.get_mut(n.parent as usize) {
                c.push(i as NodeId);
            }
        }
        let mut x = Xml::new();
        // Depth-first without recursion: (node, whether its children are done).
        let mut stack: Vec<(NodeId, bool)> = vec![(ROOT, false)];
        while let Some((id, done)) = stack.pop() {
            let Some(node) = structure.nodes.get(id as usize) else {
                continue;
            };
            let name = element(&node.role);
            if done {
                x.close(&name);
                continue;
            }
            let mut attrs: Vec<(&str, String)> = Vec::new();
            if id == ROOT {
                attrs.push(("xmlns", TAGS_NS.into()));
                attrs.push(("xmlns:ofd", NS.into()));
            }
            match &node.role {
                Role::Heading { title, .. } => attrs.push(("Title", title.clone())),
                Role::Figure { alt } => attrs.push(("Alt", alt.clone())),
                Role::Link { url } => attrs.push(("Href", url.clone())),
                Role::List { ordered } => attrs.push(("Ordered", ordered.to_string())),
                _ => {}
            }
            let attrs: Vec<(&str, &str)> = attrs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            x.open(&name, &attrs);
            for &(page, object) in self.tagged.get(&id).into_iter().flatten() {
                let page_ref = self.page_ids.get(page).copied().unwrap_or(0).to_string();
                x.text(
                    "ofd:ObjectRef",
                    &[("PageRef", &page_ref)],
                    &object.to_string(),
                );
            }
            stack.push((id, true));
            for &c in children[id as usize].iter().rev() {
                stack.push((c, false));
            }
        }
        x.finish()
    }

    fn outline(&self, x: &mut Xml, entries: &[Entry]) {
        for e in entries {
            let title: String = e.title.chars().take(1000).collect();
            x.open("ofd:OutlineElem", &[("Title", &title)]);
            x.open("ofd:Actions", &[]);
            x.open("ofd:Action", &[("Event", "CLICK")]);
            x.open("ofd:Goto", &[]);
            let page = self.page_ids.get(e.page).copied().unwrap_or(1).to_string();
            x.empty(
                "ofd:Dest",
                &[
                    ("Type", "XYZ"),
                    ("PageID", &page),
                    ("Left", "0"),
                    ("Top", &num(mm(e.y))),
                ],
            );
            x.close("ofd:Goto");
            x.close("ofd:Action");
            x.close("ofd:Actions");
            self.outline(x, &e.children);
            x.close("ofd:OutlineElem");
        }
    }

    /// The package's bytes.
    pub fn finish(
        mut self,
        outline: &[Entry],
        structure: &Structure,
        meta: &Meta,
    ) -> Result<Vec<u8>, OfdError> {
        let mut res: Vec<(String, Vec<u8>)> = Vec::new();
        let mut public = Xml::new();
        public.open("ofd:Res", &[("xmlns:ofd", NS), ("BaseLoc", "Res")]);
        // A font is only used by text objects, each of which gave it an ID.
        let fonts: Vec<(usize, u32, BTreeSet<u16>)> = std::mem::take(&mut self.fonts)
            .into_iter()
            .filter(|(_, (id, _))| *id != 0)
            .map(|(slot, (id, used))| (slot, id, used))
            .collect();
        if !fonts.is_empty() {
            public.open("ofd:Fonts", &[]);
            for (slot, id, used) in &fonts {
                let font = (self.resolve.font)(*slot).ok_or_else(|| {
                    OfdError::Package(format!("font {slot} is used but cannot be read"))
                })?;
                let bytes = subset(&font, used, self.placeholders.get(slot).copied())?;
                let ext = if bytes.starts_with(b"OTTO") {
                    "otf"
                } else {
                    "ttf"
                };
                let file = format!("font_{id}.{ext}");
                let name = family(&font, *id);
                public.open(
                    "ofd:Font",
                    &[
                        ("ID", &id.to_string()),
                        ("FontName", &name),
                        ("FamilyName", &name),
                    ],
                );
                public.text("ofd:FontFile", &[], &file);
                public.close("ofd:Font");
                res.push((format!("Doc_0/Res/{file}"), bytes));
            }
            public.close("ofd:Fonts");
        }
        if !self.image_ids.is_empty() {
            public.open("ofd:MultiMedias", &[]);
            for (&i, &id) in &self.image_ids {
                let Some(Some(img)) = self.images.get(i) else {
                    continue;
                };
                let ext = if img.format == "JPEG" { "jpg" } else { "png" };
                let file = format!("image_{id}.{ext}");
                public.open(
                    "ofd:MultiMedia",
                    &[
                        ("ID", &id.to_string()),
                        ("Type", "Image"),
                        ("Format", img.format),
                    ],
                );
                public.text("ofd:MediaFile", &[], &file);
                public.close("ofd:MultiMedia");
                res.push((format!("Doc_0/Res/{file}"), img.bytes.clone()));
            }
            public.close("ofd:MultiMedias");
        }
        public.close("ofd:Res");
        let tags = self.tags(structure);

        let mut d = Xml::new();
        d.open("ofd:Document", &[("xmlns:ofd", NS)]);
        d.open("ofd:CommonData", &[]);
        d.text("ofd:MaxUnitID", &[], &self.next_id.to_string());
        d.open("ofd:PageArea", &[]);
        let bx = format!("0 0 {} {}", num(mm(self.size.0)), num(mm(self.size.1)));
        d.text("ofd:PhysicalBox", &[], &bx);
        d.close("ofd:PageArea");
        d.text("ofd:PublicRes", &[], "PublicRes.xml");
        d.close("ofd:CommonData");
        d.open("ofd:Pages", &[]);
        for (n, id) in self.page_ids.iter().enumerate() {
            d.empty(
                "ofd:Page",
                &[
                    ("ID", &id.to_string()),
                    ("BaseLoc", &format!("Pages/Page_{n}/Content.xml")),
                ],
            );
        }
        d.close("ofd:Pages");
        if !outline.is_empty() {
            d.open("ofd:Outlines", &[]);
            self.outline(&mut d, outline);
            d.close("ofd:Outlines");
        }
        d.text("ofd:CustomTags", &[], "Tags/CustomTags.xml");
        d.close("ofd:Document");

        let mut ct = Xml::new();
        ct.open("ofd:CustomTags", &[("xmlns:ofd", NS)]);
        ct.open("ofd:CustomTag", &[("NameSpace", TAGS_NS)]);
        ct.text("ofd:FileLoc", &[], "Structure.xml");
        ct.close("ofd:CustomTag");
        ct.close("ofd:CustomTags");

        let files: Vec<(String, Vec<u8>)> = vec![
            ("OFD.xml".into(), doc_info(meta)),
            ("Doc_0/Document.xml".into(), d.finish()),
            ("Doc_0/PublicRes.xml".into(), public.finish()),
            ("Doc_0/Tags/CustomTags.xml".into(), ct.finish()),
            ("Doc_0/Tags/Structure.xml".into(), tags),
        ];
        for (name, bytes) in files.iter().chain(&res) {
            self.zip.add(name, bytes);
        }
        self.zip.finish()
    }
}

/// A DocID stable for the issue: the same paper, date, number and title give the same ID
/// whenever and wherever it is built.
pub fn doc_id(meta: &Meta) -> String {
    let key = format!(
        "{}\n{}\n{}\n{}",
        meta.newspaper.as_deref().unwrap_or(""),
        meta.date.map(|d| d.iso()).unwrap_or_default(),
        meta.issue_number.as_deref().unwrap_or(""),
        meta.title
    );
    blake3::hash(key.as_bytes()).to_hex()[..32].to_string()
}

/// `OFD.xml`: the OFD-A profile and the DocInfo. Keywords are left out: GB/T 42133 clause
/// 6.2.2 drops them from an archived document.
fn doc_info(meta: &Meta) -> Vec<u8> {
    let mut x = Xml::new();
    x.open(
        "ofd:OFD",
        &[("xmlns:ofd", NS), ("Version", "1.0"), ("DocType", "OFD-A")],
    );
    x.open("ofd:DocBody", &[]);
    x.open("ofd:DocInfo", &[]);
    x.text("ofd:DocID", &[], &doc_id(meta));
    let title: String = meta.title.chars().take(1000).collect();
    x.text("ofd:Title", &[], &title);
    if let Some(a) = meta
        .publisher
        .as_deref()
        .or(meta.newspaper.as_deref())
        .filter(|a| !a.trim().is_empty())
    {
        x.text("ofd:Author", &[], a);
    }
    if let Some(n) = meta.newspaper.as_deref().filter(|n| !n.trim().is_empty()) {
        x.text("ofd:Subject", &[], n);
    }
    // The issue's date, not the build's: the same input gives the same bytes.
    if let Some(d) = meta.date {
        x.text("ofd:CreationDate", &[], &d.iso());
    }
    x.text("ofd:Creator", &[], "paiban");
    x.text("ofd:CreatorVersion", &[], env!("CARGO_PKG_VERSION"));
    x.close("ofd:DocInfo");
    x.text("ofd:DocRoot", &[], "Doc_0/Document.xml");
    x.close("ofd:DocBody");
    x.close("ofd:OFD");
    x.finish()
}

/// The container: fixed dates and permissions, entries in the order added (fonts deflated
/// at the level that pays for their dense data, images stored as they are, the XML parts
/// deflated). The first error is kept and reported by `finish`.
#[derive(Default)]
pub struct Zip {
    out: crate::zip_archive::Archive,
    error: Option<String>,
}

impl Zip {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, name: &str, bytes: &[u8]) {
        use crate::zip_archive::Method;
        if self.error.is_some() {
            return;
        }
        let ends = |exts: &[&str]| exts.iter().any(|e| name.ends_with(e));
        let method = if ends(&[".otf", ".ttf"]) {
            Method::Dense
        } else if crate::zip_archive::compressed_already(name) {
            Method::Stored
        } else {
            Method::Deflated
        };
        if let Err(e) = self.out.add(name, bytes, method) {
            self.error = Some(e.to_string());
        }
    }

    pub fn finish(self) -> Result<Vec<u8>, OfdError> {
        if let Some(e) = self.error {
            return Err(OfdError::Package(e));
        }
        self.out
            .finish()
            .map_err(|e| OfdError::Package(e.to_string()))
    }
}
