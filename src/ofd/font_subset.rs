//! The OFD's font subsets: the glyphs come from krilla's subsetter (the PDF's, vendored in
//! `vendor/subsetter`: its CFF subsetting is several times cheaper than allsorts', which
//! took half of an OFD's instructions), and the tables it leaves out for PDF — a Unicode
//! `cmap`, through which OFD readers find each TextCode character's glyph, and `OS/2` — are
//! added to its font file here.

use super::{FontSource, OfdError};
use std::collections::BTreeSet;

/// A subset of `font` holding `used` glyphs (and the placeholder second when it draws
/// one), with a Unicode cmap of every character those glyphs draw. The kept glyphs are
/// numbered in list order: .notdef 0, the placeholder 1, then `used` ascending.
pub fn subset(
    font: &FontSource,
    used: &BTreeSet<u16>,
    placeholder: Option<u16>,
) -> Result<Vec<u8>, OfdError> {
    let bad = |reason: String| OfdError::Font {
        path: font.path.to_path_buf(),
        reason,
    };
    let face = ttf_parser::Face::parse(font.data, font.index).map_err(|e| bad(e.to_string()))?;
    // OFD-A embeds every font; a font whose licence forbids embedding cannot be archived.
    if matches!(
        face.permissions(),
        Some(ttf_parser::Permissions::Restricted)
    ) {
        return Err(OfdError::Archival {
            where_: font.path.display().to_string(),
            reason: "the font's licence forbids embedding it (OS/2 fsType: restricted), \
                     and OFD-A embeds every font"
                .into(),
        });
    }
    let mut gids: Vec<u16> = vec![0];
    gids.extend(placeholder.filter(|&g| g != 0));
    let first = gids.clone();
    gids.extend(used.iter().filter(|g| !first.contains(g)));
    let remapper = subsetter::GlyphRemapper::new_from_glyphs(&gids);
    let glyphs = subsetter::subset(font.data, font.index, &remapper)
        .map_err(|e| bad(format!("subsetting failed: {e}")))?;
    // The characters each kept glyph draws, to the glyph's number in the subset.
    let mapped: Vec<(char, u16)> = crate::subset_cmap::mappings_to(&face, &gids)
        .ok_or_else(|| bad("the font has no Unicode cmap (format 4 or 12)".into()))?
        .into_iter()
        .filter_map(|(c, g)| Some((c, remapper.get(g)?)))
        .collect();
    let mut extra = vec![(*b"cmap", crate::subset_cmap::cmap_of(&mapped))];
    if let Some(os2) = face.raw_face().table(ttf_parser::Tag::from_bytes(b"OS/2")) {
        extra.push((*b"OS/2", os2.to_vec()));
    }
    with_tables(&glyphs, &extra)
        .ok_or_else(|| bad("the subset's table directory is malformed".into()))
}

/// The font file `sfnt` with the `extra` tables added (or replacing tables of the same
/// tag): tables sorted by tag, each 4-byte aligned with its checksum, and `head`'s
/// checksum adjustment set for the whole file, as the OpenType spec has it.
fn with_tables(sfnt: &[u8], extra: &[([u8; 4], Vec<u8>)]) -> Option<Vec<u8>> {
    let be16 = |i: usize| Some(u16::from_be_bytes([*sfnt.get(i)?, *sfnt.get(i + 1)?]));
    let be32 = |i: usize| Some(u32::from_be_bytes(sfnt.get(i..i + 4)?.try_into().ok()?));
    let mut tables: Vec<([u8; 4], &[u8])> = Vec::new();
    for k in 0..usize::from(be16(4)?) {
        let rec = 12 + 16 * k;
        let tag: [u8; 4] = sfnt.get(rec..rec + 4)?.try_into().ok()?;
        let (at, len) = (be32(rec + 8)? as usize, be32(rec + 12)? as usize);
        if !extra.iter().any(|(t, _)| *t == tag) {
            tables.push((tag, sfnt.get(at..at + len)?));
        }
    }
    tables.extend(extra.iter().map(|(t, d)| (*t, d.as_slice())));
    tables.sort_by_key(|(t, _)| *t);

    let n = u16::try_from(tables.len()).ok()?;
    let selector = 15 - n.max(1).leading_zeros() as u16; // floor(log2 n)
    let range = 16u16 << selector;
    let mut out =
        Vec::with_capacity(sfnt.len() + extra.iter().map(|(_, d)| d.len() + 20).sum::<usize>());
    out.extend_from_slice(sfnt.get(0..4)?); // the flavour: OTTO or 1.0
    for v in [n, range, selector, (n * 16).saturating_sub(range)] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    let mut at = 12 + 16 * tables.len();
    let mut head_at = None;
    for (tag, data) in &tables {
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum(data, tag == b"head").to_be_bytes());
        out.extend_from_slice(&u32::try_from(at).ok()?.to_be_bytes());
        out.extend_from_slice(&u32::try_from(data.len()).ok()?.to_be_bytes());
        if tag == b"head" {
            head_at = Some(at);
        }
        at += data.len().next_multiple_of(4);
    }
    for (_, data) in &tables {
        out.extend_from_slice(data);
        out.resize(out.len().next_multiple_of(4), 0);
    }
    if let Some(h) = head_at {
        // checkSumAdjustment (head offset 8): zero while summing, then the difference.
        out.get_mut(h + 8..h + 12)?.fill(0);
        let adjust = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out, false));
        out.get_mut(h + 8..h + 12)?
            .copy_from_slice(&adjust.to_be_bytes());
    }
    Some(out)
}

/// The sum of a table's big-endian u32 words (the last padded with zeros); for `head`, with
/// its checkSumAdjustment counted as zero.
fn checksum(data: &[u8], head: bool) -> u32 {
    let mut sum = 0u32;
    for (i, w) in data.chunks(4).enumerate() {
        let mut b = [0u8; 4];
        b[..w.len()].copy_from_slice(w);
        if !(head && i == 2) {
            sum = sum.wrapping_add(u32::from_be_bytes(b));
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subset_draws_the_same_outlines_found_through_its_cmap() {
        let path = crate::fonts::fonts_dir().join("NotoSerifSC-Regular.otf");
        let data = std::fs::read(&path).expect("the shipped font");
        let face = ttf_parser::Face::parse(&data, 0).expect("face");
        let text = ['国', '家', '，', 'A', '一'];
        let used: BTreeSet<u16> = text
            .iter()
            .filter_map(|&c| face.glyph_index(c).map(|g| g.0))
            .collect();
        let src = FontSource {
            data: &data,
            index: 0,
            path: &path,
        };
        let placeholder = face.glyph_index('□').map(|g| g.0);
        let bytes = subset(&src, &used, placeholder).expect("subset");
        let sub = ttf_parser::Face::parse(&bytes, 0).expect("the subset parses");
        assert_eq!(sub.number_of_glyphs() as usize, used.len() + 2);
        assert!(sub.tables().os2.is_some(), "OS/2 kept");
        // The placeholder is glyph 1, as the TextCode's CGTransform names it.
        assert_eq!(sub.glyph_index('□').map(|g| g.0), Some(1));
        for c in text {
            let (g, h) = (
                face.glyph_index(c).expect("full"),
                sub.glyph_index(c).expect("subset"),
            );
            assert_eq!(face.glyph_hor_advance(g), sub.glyph_hor_advance(h), "{c}");
            let (mut a, mut b) = (Pen::default(), Pen::default());
            face.outline_glyph(g, &mut a);
            sub.outline_glyph(h, &mut b);
            assert_eq!(a.0, b.0, "{c}: the same outline");
        }
        // A character drawn by no kept glyph is not in the cmap.
        assert!(sub.glyph_index('民').is_none());
        // Table checksums and the whole file's adjustment hold.
        let whole = checksum(&bytes, false);
        assert_eq!(whole, 0xB1B0_AFBA, "checkSumAdjustment");
    }

    /// An outline as its drawing commands, rounded to font units.
    #[derive(Default)]
    struct Pen(Vec<(char, i32, i32)>);

    impl ttf_parser::OutlineBuilder for Pen {
        fn move_to(&mut self, x: f32, y: f32) {
            self.0.push(('M', x.round() as i32, y.round() as i32));
        }
        fn line_to(&mut self, x: f32, y: f32) {
            self.0.push(('L', x.round() as i32, y.round() as i32));
        }
        fn quad_to(&mut self, _: f32, _: f32, x: f32, y: f32) {
            self.0.push(('Q', x.round() as i32, y.round() as i32));
        }
        fn curve_to(&mut self, _: f32, _: f32, _: f32, _: f32, x: f32, y: f32) {
            self.0.push(('C', x.round() as i32, y.round() as i32));
        }
        fn close(&mut self) {
            self.0.push(('Z', 0, 0));
        }
    }
}
