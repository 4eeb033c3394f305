//! Content streams and subset fonts → PDF bytes: printpdf assembles the document around
//! empty pages (it builds each subset font's widths and ToUnicode from the glyphs it is
//! shown once), then, on the lopdf document, the pages' content streams go in, and what
//! printpdf does not do: subset tags, nested bookmarks, `/Lang`, and a document ID
//! derived from the content so that the same input gives the same bytes.

use super::encode::UsedFont;
use super::file::{PdfFile, SpliceError};
use super::image::PdfImage;
use super::layout::Mark;
use crate::model::Meta;
use lopdf::{Dictionary, Object, ObjectId, StringFormat};
use printpdf::{
    Codepoint, FontId, Op, ParsedFont, PdfDocument, PdfFont, PdfFontHandle, PdfPage,
    PdfSaveOptions, Pt, TextItem,
};
use std::collections::BTreeMap;

/// Why the PDF could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("cannot write the PDF: {0}")]
    Lopdf(String),
    #[error("cannot compress a page of the PDF: {0}")]
    Compress(std::io::Error),
    #[error(transparent)]
    Splice(#[from] SpliceError),
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

/// A subset font and what the document draws with it.
pub struct FontOut {
    pub key: usize,
    pub parsed: ParsedFont,
    pub used: UsedFont,
}

/// Everything the writer needs: the file with the pages' content streams, already
/// written.
pub struct WriteInput<'a> {
    pub file: PdfFile,
    /// Per page, its content stream's index among the file's pending objects.
    pub pages: Vec<usize>,
    pub fonts: Vec<FontOut>,
    pub marks: &'a [Mark],
    pub meta: &'a Meta,
    pub page_size: (f32, f32),
    /// The hash of every glyph and its position (the document's identifier).
    pub hash: u64,
    /// The images drawn, by the index their resource name carries.
    pub images: Vec<(usize, &'a PdfImage)>,
}

/// printpdf makes the fonts (with their widths and ToUnicode maps, from the glyphs it is
/// shown on a single page), resources, catalog and info; lopdf adds what printpdf does
/// not do; the pages, their content streams and the outline are written directly.
pub fn write(input: WriteInput) -> Result<Vec<u8>, WriteError> {
    let (pw, ph) = input.page_size;
    let mut doc = PdfDocument::new(&input.meta.title);
    let mut tags: BTreeMap<String, (String, &UsedFont)> = BTreeMap::new();
    // printpdf learns which glyphs a font has, and the text of each, from the glyphs
    // drawn with it: show each once on the first page, whose content is replaced later.
    let mut usage = vec![Op::StartTextSection];
    for f in &input.fonts {
        let used = &f.used;
        let mut h = fnv(&f.key.to_le_bytes(), FNV_SEED);
        for gid in used.widths.keys() {
            h = fnv(&gid.to_le_bytes(), h);
        }
        let id = FontId(used.name.clone());
        doc.resources
            .fonts
            .map
            .insert(id.clone(), PdfFont::new(f.parsed.clone()));
        tags.insert(used.name.clone(), (tag(h), used));
        usage.push(Op::SetFont {
            font: PdfFontHandle::External(id),
            size: Pt(10.0),
        });
        usage.push(Op::ShowText {
            items: vec![TextItem::GlyphIds(
                used.text
                    .iter()
                    .map(|(gid, ch)| Codepoint {
                        gid: *gid,
                        offset: 0.0,
                        cid: Some(ch.to_string()),
                    })
                    .collect(),
            )],
        });
    }
    usage.push(Op::EndTextSection);

    let size = (
        printpdf::Mm(pw / crate::style::MM),
        printpdf::Mm(ph / crate::style::MM),
    );
    let pages = vec![PdfPage::new(size.0, size.1, usage)];

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
    info.identifier = format!("{:016x}", input.hash);

    doc.with_pages(pages);
    let opts = PdfSaveOptions {
        optimize: false,
        // Already subset (printpdf's own re-subsetting of a subset breaks the CFF).
        subset_fonts: false,
        ..Default::default()
    };
    let mut warnings = Vec::new();
    let mut lo = doc.to_lopdf_document(&opts, &mut warnings);
    drop(doc);
    let err = |e: lopdf::Error| WriteError::Lopdf(e.to_string());
    // printpdf's page: its dictionary is the model for every page; it and its content
    // (the glyph list) go, and the page tree is written anew.
    let page0 = lo
        .get_pages()
        .values()
        .next()
        .copied()
        .ok_or(WriteError::Lopdf("printpdf made no page".into()))?;
    fix_fonts(&mut lo, page0, &tags);
    let mut model = lo.get_dictionary(page0).map_err(err)?.clone();
    let tree = model
        .get(b"Parent")
        .and_then(Object::as_reference)
        .map_err(err)?;
    let tree_dict = lo.get_dictionary(tree).map_err(err)?.clone();
    if let Ok(c) = model.get(b"Contents").and_then(Object::as_reference) {
        lo.objects.remove(&c);
    }
    lo.objects.remove(&page0);
    lo.objects.remove(&tree);

    let mut file = input.file;
    let mut next = lo.max_id + 1;
    let mut new_id = || {
        next += 1;
        next - 1
    };
    if !input.images.is_empty() {
        let xobjects = images(&mut file, &mut new_id, &input.images);
        add_xobjects(&mut lo, &mut model, xobjects).map_err(err)?;
    }
    let page_ids = page_tree(
        &mut file,
        &mut new_id,
        &input.pages,
        &model,
        tree,
        tree_dict,
    );
    let outline = outline(&mut file, &mut new_id, input.marks, &page_ids);
    finish(&mut lo, meta, outline, input.hash)?;
    compress(&mut lo)?;
    let mut rest = Vec::new();
    // `PdfFile::splice` reads a classic table.
    lo.reference_table.cross_reference_type = lopdf::xref::XrefType::CrossReferenceTable;
    lo.save_to(&mut rest)
        .map_err(|e| WriteError::Lopdf(e.to_string()))?;
    file.splice(&rest)?;
    let out = file.finish(lo.trailer.clone());
    Ok(out)
}

/// Writes each image (and its soft mask) into the file; returns the `/XObject`
/// resource dictionary naming them.
fn images(
    file: &mut PdfFile,
    new_id: &mut dyn FnMut() -> u32,
    images: &[(usize, &PdfImage)],
) -> Dictionary {
    let mut names = Dictionary::new();
    for (index, img) in images {
        let id = new_id();
        let mask_id = img.has_alpha().then(&mut *new_id);
        let ((dict, data), mask) = img.xobjects(mask_id);
        file.stream(id, dict, data);
        if let (Some(m), Some((dict, data))) = (mask_id, mask) {
            file.stream(m, dict, data);
            file.version_1_4();
        }
        names.set(
            super::encode::image_name(*index),
            Object::Reference((id, 0)),
        );
    }
    names
}

/// Adds the images to the resources every page shares (printpdf's page's: inline or
/// a reference).
fn add_xobjects(
    lo: &mut lopdf::Document,
    page: &mut Dictionary,
    xobjects: Dictionary,
) -> Result<(), lopdf::Error> {
    let res = match page.get_mut(b"Resources")? {
        Object::Reference(r) => {
            let r = *r;
            lo.get_dictionary_mut(r)?
        }
        Object::Dictionary(d) => d,
        _ => return Err(lopdf::Error::DictKey("Resources".into())),
    };
    res.set("XObject", Object::Dictionary(xobjects));
    Ok(())
}

/// Writes a page for each content stream (`pending`: their indices in the file), all
/// like `model`, and the page tree `tree` over them; returns the pages.
fn page_tree(
    file: &mut PdfFile,
    new_id: &mut dyn FnMut() -> u32,
    pending: &[usize],
    model: &Dictionary,
    tree: ObjectId,
    mut tree_dict: Dictionary,
) -> Vec<ObjectId> {
    let mut pages = Vec::with_capacity(pending.len());
    for p in pending {
        let contents = new_id();
        file.number(*p, contents);
        let id = new_id();
        let mut page = model.clone();
        page.set("Parent", Object::Reference(tree));
        page.set("Contents", Object::Reference((contents, 0)));
        file.object(id, &Object::Dictionary(page));
        pages.push((id, 0));
    }
    tree_dict.set("Count", Object::Integer(pages.len() as i64));
    tree_dict.set(
        "Kids",
        Object::Array(pages.iter().map(|p| Object::Reference(*p)).collect()),
    );
    file.object(tree.0, &Object::Dictionary(tree_dict));
    pages
}

/// The fonts were subset before printpdf saw them, so printpdf names them like whole
/// fonts: give each the `ABCDEF+` subset tag (ISO 32000-1, 9.6.4), on the Type 0 font,
/// its descendant CID font and the descriptor alike. And set `/W` to the advances the
/// content streams were written with, so the glyph positions do not depend on
/// printpdf computing the same widths.
fn fix_fonts(
    doc: &mut lopdf::Document,
    page: ObjectId,
    fonts: &BTreeMap<String, (String, &UsedFont)>,
) {
    let mut found: Vec<(ObjectId, &str, &UsedFont)> = Vec::new();
    let font_dict = doc
        .get_dictionary(page)
        .and_then(|p| p.get(b"Resources"))
        .and_then(|r| doc.dereference(r).map(|(_, o)| o))
        .and_then(Object::as_dict)
        .and_then(|res| res.get(b"Font"))
        .and_then(|f| doc.dereference(f).map(|(_, o)| o))
        .and_then(Object::as_dict)
        .ok();
    for (name, r) in font_dict.into_iter().flat_map(|d| d.iter()) {
        let name = String::from_utf8_lossy(name);
        if let (Ok(id), Some((tag, used))) = (r.as_reference(), fonts.get(name.as_ref())) {
            found.push((id, tag, used));
        }
    }
    for (id, tag, used) in found {
        let mut targets = vec![(id, "BaseFont")];
        let mut cid_fonts = Vec::new();
        if let Ok(d) = doc.get_dictionary(id) {
            if let Ok(arr) = d.get(b"DescendantFonts").and_then(Object::as_array) {
                for r in arr.iter().filter_map(|o| o.as_reference().ok()) {
                    targets.push((r, "BaseFont"));
                    cid_fonts.push(r);
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
        for c in cid_fonts {
            if let Ok(d) = doc.get_dictionary_mut(c) {
                d.set("W", widths(&used.widths));
            }
        }
    }
}

/// A CID font's `/W` array: runs of consecutive glyph ids with their widths.
fn widths(w: &BTreeMap<u16, i64>) -> Object {
    let mut out = Vec::new();
    let mut run: Option<(u16, u16, Vec<Object>)> = None;
    for (&gid, &width) in w {
        match &mut run {
            Some((_, last, ws)) if u32::from(*last) + 1 == u32::from(gid) => {
                *last = gid;
                ws.push(Object::Integer(width));
            }
            _ => {
                if let Some((first, _, ws)) = run.take() {
                    out.push(Object::Integer(i64::from(first)));
                    out.push(Object::Array(ws));
                }
                run = Some((gid, gid, vec![Object::Integer(width)]));
            }
        }
    }
    if let Some((first, _, ws)) = run {
        out.push(Object::Integer(i64::from(first)));
        out.push(Object::Array(ws));
    }
    Object::Array(out)
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
        let mut enc = flate2::write::ZlibEncoder::new(
            Vec::new(),
            flate2::Compression::new(super::content::LEVEL),
        );
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
    outline: Option<ObjectId>,
    hash: u64,
) -> Result<(), WriteError> {
    let err = |e: lopdf::Error| WriteError::Lopdf(e.to_string());
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

/// Writes the outline tree (articles at the top level, their sections under them) and
/// returns its root.
fn outline(
    file: &mut PdfFile,
    new_id: &mut dyn FnMut() -> u32,
    marks: &[Mark],
    pages: &[ObjectId],
) -> Option<ObjectId> {
    if marks.is_empty() {
        return None;
    }
    let root = (new_id(), 0);
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
        .map(|(_, subs)| ((new_id(), 0), subs.iter().map(|_| (new_id(), 0)).collect()))
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
            file.object(sid.0, &Object::Dictionary(sd));
        }
        total += 1 + sub_ids.len() as i64;
        file.object(id.0, &Object::Dictionary(d));
    }
    let mut r = Dictionary::new();
    r.set("Type", Object::Name(b"Outlines".to_vec()));
    if let (Some(f), Some(l)) = (tops.first(), tops.last()) {
        r.set("First", Object::Reference(*f));
        r.set("Last", Object::Reference(*l));
    }
    r.set("Count", Object::Integer(total));
    file.object(root.0, &Object::Dictionary(r));
    Some(root)
}
