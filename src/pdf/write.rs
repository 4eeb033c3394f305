//! Pages of positioned glyphs → PDF bytes with printpdf: glyphs drawn by id with their
//! text attached (printpdf builds the subset font's ToUnicode from it), then, on the lopdf
//! document, what printpdf does not do: nested bookmarks, `/Lang`, and a document ID
//! derived from the content so that the same input gives the same bytes.

use super::layout::{Glyph, Layout, Mark};
use crate::fonts::GlyphRef;
use crate::model::Meta;
use lopdf::{Dictionary, Object, ObjectId, StringFormat};
use printpdf::{
    Codepoint, FontId, Line, LinePoint, Op, ParsedFont, PdfDocument, PdfFont, PdfFontHandle,
    PdfPage, PdfSaveOptions, Point, Pt, TextItem, TextMatrix,
};
use std::collections::BTreeMap;

/// Why the PDF could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("cannot write the PDF: {0}")]
    Lopdf(String),
}

/// FNV-1a: a small hash that is the same on every platform and Rust version, for ids
/// that must not change between runs.
pub fn fnv(bytes: &[u8], mut h: u64) -> u64 {
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    h
}
const LEVEL: u32 = 6;

pub const FNV_SEED: u64 = 0xcbf2_9ce4_8422_2325;

/// Six capital letters from a hash: the `ABCDEF+` tag of a subset font's name.
fn tag(mut h: u64) -> String {
    (0..6)
        .map(|_| {
            let c = char::from(b'A' + (h % 26) as u8);
            h /= 26;
            c
        })
        .collect()
}

/// Everything the writer needs besides the layout.
pub struct WriteInput<'a> {
    pub layout: &'a Layout,
    pub meta: &'a Meta,
    pub page_size: (f32, f32),
    /// The font and glyph id each glyph is drawn with.
    pub glyph: &'a dyn Fn(&Glyph) -> Option<GlyphRef>,
    /// The printpdf font of a font key (from `glyph`).
    pub font: &'a dyn Fn(usize) -> Option<&'a ParsedFont>,
}

pub fn write(input: &WriteInput) -> Result<Vec<u8>, WriteError> {
    let (pw, ph) = input.page_size;
    let layout = input.layout;
    let mut doc = PdfDocument::new(&input.meta.title);

    // Resolve every glyph once; collect the glyph sets per font for stable font ids.
    let mut used: BTreeMap<usize, BTreeMap<u16, char>> = BTreeMap::new();
    let mut content_hash = FNV_SEED;
    for page in &layout.pages {
        for g in &page.glyphs {
            if let Some(r) = (input.glyph)(g) {
                used.entry(r.font).or_default().insert(r.gid, g.ch);
            }
            let mut buf = [0u8; 4];
            content_hash = fnv(g.ch.encode_utf8(&mut buf).as_bytes(), content_hash);
            content_hash = fnv(&g.x.to_bits().to_le_bytes(), content_hash);
            content_hash = fnv(&g.y.to_bits().to_le_bytes(), content_hash);
        }
    }
    let mut ids: BTreeMap<usize, FontId> = BTreeMap::new();
    for (slot, glyphs) in &used {
        let Some(font) = (input.font)(*slot) else {
            continue;
        };
        let mut h = fnv(&slot.to_le_bytes(), FNV_SEED);
        for gid in glyphs.keys() {
            h = fnv(&gid.to_le_bytes(), h);
        }
        let id = FontId(format!("{}{slot}", tag(h)));
        doc.resources
            .fonts
            .map
            .insert(id.clone(), PdfFont::new(font.clone()));
        ids.insert(*slot, id);
    }

    let mut pages = Vec::with_capacity(layout.pages.len());
    for page in &layout.pages {
        let mut ops = Vec::new();
        if !page.rules.is_empty() {
            for r in &page.rules {
                ops.push(Op::SetOutlineThickness { pt: Pt(r.width) });
                ops.push(Op::DrawLine {
                    line: Line {
                        points: vec![
                            LinePoint {
                                p: Point {
                                    x: Pt(r.x0),
                                    y: Pt(ph - r.y),
                                },
                                bezier: false,
                            },
                            LinePoint {
                                p: Point {
                                    x: Pt(r.x1),
                                    y: Pt(ph - r.y),
                                },
                                bezier: false,
                            },
                        ],
                        is_closed: false,
                    },
                });
            }
        }
        ops.push(Op::StartTextSection);
        let mut current: Option<(usize, u32)> = None;
        for g in &page.glyphs {
            if g.ch == super::linebreak::HARD_BREAK {
                continue;
            }
            let Some(r) = (input.glyph)(g) else {
                continue;
            };
            let Some(id) = ids.get(&r.font) else {
                continue;
            };
            let key = (r.font, g.size.to_bits());
            if current != Some(key) {
                ops.push(Op::SetFont {
                    font: PdfFontHandle::External(id.clone()),
                    size: Pt(g.size),
                });
                current = Some(key);
            }
            ops.push(Op::SetTextMatrix {
                matrix: TextMatrix::Translate(Pt(g.x), Pt(ph - g.y)),
            });
            ops.push(Op::ShowText {
                items: vec![TextItem::GlyphIds(vec![Codepoint {
                    gid: r.gid,
                    offset: 0.0,
                    cid: Some(g.ch.to_string()),
                }])],
            });
        }
        ops.push(Op::EndTextSection);
        pages.push(PdfPage::new(
            printpdf::Mm(pw / crate::style::MM),
            printpdf::Mm(ph / crate::style::MM),
            ops,
        ));
    }

    let meta = input.meta;
    let info = &mut doc.metadata.info;
    info.document_title = meta.title.clone();
    info.author = meta
        .publisher
        .clone()
        .or_else(|| meta.newspaper.clone())
        .unwrap_or_default();
    info.creator = "paiban".into();
    info.producer = format!("paiban {} (printpdf)", env!("CARGO_PKG_VERSION"));
    info.subject = meta.newspaper.clone().unwrap_or_default();
    if let Some(d) = meta.date {
        if let Ok(t) = printpdf::OffsetDateTime::from_unix_timestamp(d.days_since_epoch() * 86_400)
        {
            info.creation_date = t;
            info.modification_date = t;
            info.metadata_date = t;
        }
    }
    info.identifier = format!("{:016x}", content_hash);

    doc.with_pages(pages);
    let opts = PdfSaveOptions {
        optimize: false,
        // Already subset (see `tag_subset_fonts`).
        subset_fonts: false,
        ..Default::default()
    };
    let mut warnings = Vec::new();
    let mut lo = doc.to_lopdf_document(&opts, &mut warnings);
    finish(&mut lo, meta, &layout.marks, content_hash)?;
    compress(&mut lo)?;
    let mut out = Vec::new();
    lo.save_to(&mut out)
        .map_err(|e| WriteError::Lopdf(e.to_string()))?;
    Ok(out)
}

/// The fonts were subset before printpdf saw them (printpdf's own re-subsetting of a
/// subset breaks the CFF), so printpdf names them like whole fonts: give each the
/// `ABCDEF+` subset tag (ISO 32000-1, 9.6.4) from its resource name, on the Type 0 font,
/// its descendant CID font and the descriptor alike.
fn tag_subset_fonts(doc: &mut lopdf::Document, pages: &[ObjectId]) {
    let mut fonts: BTreeMap<ObjectId, String> = BTreeMap::new();
    for page in pages {
        let Ok(res) = doc
            .get_dictionary(*page)
            .and_then(|p| p.get(b"Resources"))
            .and_then(|r| doc.dereference(r).map(|(_, o)| o))
            .and_then(Object::as_dict)
        else {
            continue;
        };
        let Ok(font_dict) = res
            .get(b"Font")
            .and_then(|f| doc.dereference(f).map(|(_, o)| o))
            .and_then(Object::as_dict)
        else {
            continue;
        };
        for (name, r) in font_dict.iter() {
            if let (Ok(id), Some(t)) = (r.as_reference(), name.get(..6)) {
                fonts.insert(id, String::from_utf8_lossy(t).into_owned());
            }
        }
    }
    for (id, tag) in fonts {
        let mut targets = vec![(id, "BaseFont")];
        if let Ok(d) = doc.get_dictionary(id) {
            if let Ok(arr) = d.get(b"DescendantFonts").and_then(Object::as_array) {
                for r in arr.iter().filter_map(|o| o.as_reference().ok()) {
                    targets.push((r, "BaseFont"));
                    if let Ok(fd) = doc
                        .get_dictionary(r)
                        .and_then(|c| c.get(b"FontDescriptor"))
                        .and_then(Object::as_reference)
                    {
                        targets.push((fd, "FontName"));
                    }
                }
            }
        }
        for (obj, key) in targets {
            if let Ok(d) = doc.get_dictionary_mut(obj) {
                if let Ok(Object::Name(n)) = d.get_mut(key.as_bytes()) {
                    if !n.contains(&b'+') {
                        let mut tagged = format!("{tag}+").into_bytes();
                        tagged.extend_from_slice(n);
                        *n = tagged;
                    }
                }
            }
        }
    }
}

/// Deflates every stream at zlib's default level: lopdf's `compress` uses the best level,
/// which took a quarter of the run time for about 1% smaller files.
fn compress(doc: &mut lopdf::Document) -> Result<(), WriteError> {
    use std::io::Write;
    for obj in doc.objects.values_mut() {
        let Object::Stream(s) = obj else { continue };
        if s.dict.get(b"Filter").is_ok() {
            continue;
        }
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(LEVEL));
        enc.write_all(&s.content)
            .and_then(|_| enc.finish())
            .map(|z| {
                if z.len() + 19 < s.content.len() {
                    s.dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
                    s.set_content(z);
                }
            })
            .map_err(|e| WriteError::Lopdf(e.to_string()))?;
    }
    Ok(())
}

/// A PDF text string: UTF-16BE with a byte-order mark (titles are Chinese).
fn text_string(s: &str) -> Object {
    let mut b = vec![0xFE, 0xFF];
    for u in s.encode_utf16() {
        b.extend_from_slice(&u.to_be_bytes());
    }
    Object::String(b, StringFormat::Hexadecimal)
}

/// Adds `/Lang`, the nested outline and a deterministic document ID.
fn finish(
    doc: &mut lopdf::Document,
    meta: &Meta,
    marks: &[Mark],
    hash: u64,
) -> Result<(), WriteError> {
    let err = |e: lopdf::Error| WriteError::Lopdf(e.to_string());
    let pages: Vec<ObjectId> = doc.get_pages().values().copied().collect();
    tag_subset_fonts(doc, &pages);
    let outline = outline(doc, marks, &pages);
    let catalog = doc.catalog_mut().map_err(err)?;
    catalog.set(
        "Lang",
        Object::String(meta.language.as_bytes().to_vec(), StringFormat::Literal),
    );
    if let Some(root) = outline {
        catalog.set("Outlines", Object::Reference(root));
        catalog.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
    }
    let id = format!("{hash:016x}{:016x}", fnv(meta.title.as_bytes(), hash));
    let id = Object::String(id.into_bytes(), StringFormat::Hexadecimal);
    doc.trailer.set("ID", Object::Array(vec![id.clone(), id]));
    // printpdf's XMP/info ids are random; the identifier we set is derived from content.
    Ok(())
}

/// Builds the outline tree: articles at the top level, their sections under them.
fn outline(doc: &mut lopdf::Document, marks: &[Mark], pages: &[ObjectId]) -> Option<ObjectId> {
    if marks.is_empty() {
        return None;
    }
    let root = doc.new_object_id();
    // (article mark, its section marks)
    let mut tree: Vec<(&Mark, Vec<&Mark>)> = Vec::new();
    for m in marks {
        match (m.level, tree.last_mut()) {
            (0, _) | (_, None) => tree.push((m, Vec::new())),
            (_, Some(last)) => last.1.push(m),
        }
    }
    let ids: Vec<(ObjectId, Vec<ObjectId>)> = tree
        .iter()
        .map(|(_, subs)| {
            (
                doc.new_object_id(),
                subs.iter().map(|_| doc.new_object_id()).collect(),
            )
        })
        .collect();
    let dest = |m: &Mark| -> Object {
        let page = pages.get(m.page).copied().unwrap_or((0, 0));
        Object::Array(vec![
            Object::Reference(page),
            Object::Name(b"XYZ".to_vec()),
            Object::Null,
            Object::Null,
            Object::Null,
        ])
    };
    let link = |d: &mut Dictionary, list: &[ObjectId], i: usize| {
        if i > 0 {
            d.set("Prev", Object::Reference(list[i - 1]));
        }
        if let Some(n) = list.get(i + 1) {
            d.set("Next", Object::Reference(*n));
        }
    };
    let tops: Vec<ObjectId> = ids.iter().map(|(id, _)| *id).collect();
    let mut total = 0i64;
    for (i, ((m, subs), (id, sub_ids))) in tree.iter().zip(&ids).enumerate() {
        let mut d = Dictionary::new();
        d.set("Title", text_string(&m.title));
        d.set("Parent", Object::Reference(root));
        d.set("Dest", dest(m));
        link(&mut d, &tops, i);
        if let (Some(f), Some(l)) = (sub_ids.first(), sub_ids.last()) {
            d.set("First", Object::Reference(*f));
            d.set("Last", Object::Reference(*l));
            d.set("Count", Object::Integer(sub_ids.len() as i64));
        }
        for (j, (s, sid)) in subs.iter().zip(sub_ids).enumerate() {
            let mut sd = Dictionary::new();
            sd.set("Title", text_string(&s.title));
            sd.set("Parent", Object::Reference(*id));
            sd.set("Dest", dest(s));
            link(&mut sd, sub_ids, j);
            doc.objects.insert(*sid, Object::Dictionary(sd));
        }
        total += 1 + sub_ids.len() as i64;
        doc.objects.insert(*id, Object::Dictionary(d));
    }
    let mut r = Dictionary::new();
    r.set("Type", Object::Name(b"Outlines".to_vec()));
    if let (Some(f), Some(l)) = (tops.first(), tops.last()) {
        r.set("First", Object::Reference(*f));
        r.set("Last", Object::Reference(*l));
    }
    r.set("Count", Object::Integer(total));
    doc.objects.insert(root, Object::Dictionary(r));
    Some(root)
}
