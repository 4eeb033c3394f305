//! Font subsets that keep a Unicode cmap, for what finds glyphs by character: the OFD's
//! fonts (readers map TextCode through the font's cmap), the EPUB's `--embed-font` web font
//! and the cover's glyphs (fontdue rasterizes by character). The glyphs come from krilla's
//! subsetter, the PDF's (vendored in `vendor/subsetter`), which leaves out the tables a PDF
//! does not need; the Unicode `cmap` and `OS/2` are added to its font file here. allsorts
//! did this before: its CFF subsetting took half of an OFD's instructions, and it built the
//! cmap by searching the kept glyphs for each of a face's 30,000–65,000 mappings.

/// Every mapping of `face`'s Unicode cmap to one of `kept`, in character order, read from
/// its format-12 subtable (or, without one, its BMP format-4 subtable) a range at a time,
/// with a bit per glyph: no look-up per character. None when the face has neither.
pub fn mappings_to(face: &ttf_parser::Face<'_>, kept: &[u16]) -> Option<Vec<(char, u16)>> {
    let data = face
        .raw_face()
        .table(ttf_parser::Tag::from_bytes(b"cmap"))?;
    mappings_in(data, face.number_of_glyphs(), kept)
}

/// [`mappings_to`] on a cmap table's bytes, for a face of `glyphs` glyphs.
fn mappings_in(data: &[u8], glyphs: u16, kept: &[u16]) -> Option<Vec<(char, u16)>> {
    let u16_at = |i: usize| Some(u16::from_be_bytes([*data.get(i)?, *data.get(i + 1)?]));
    let u32_at = |i: usize| {
        Some(u32::from_be_bytes([
            *data.get(i)?,
            *data.get(i + 1)?,
            *data.get(i + 2)?,
            *data.get(i + 3)?,
        ]))
    };
    // (format, offset) of each Unicode subtable: Windows (3, 1 / 3, 10) or Unicode (0, *).
    let subtables: Vec<(u16, usize)> = (0..usize::from(u16_at(2)?))
        .filter_map(|i| {
            let rec = 4 + 8 * i;
            let (platform, encoding) = (u16_at(rec)?, u16_at(rec + 2)?);
            let at = u32_at(rec + 4)? as usize;
            let unicode = platform == 0 || (platform == 3 && (encoding == 1 || encoding == 10));
            unicode.then_some((u16_at(at)?, at))
        })
        .collect();
    let mut wanted = vec![false; usize::from(glyphs)];
    for &g in kept {
        if let Some(w) = wanted.get_mut(usize::from(g)) {
            *w = true;
        }
    }
    let is_wanted = |g: u16| g != 0 && wanted.get(usize::from(g)).copied().unwrap_or(false);
    let mut out = Vec::new();
    let mut keep = |cp: u32, g: u16| {
        if is_wanted(g) {
            if let Some(c) = char::from_u32(cp) {
                out.push((c, g));
            }
        }
    };
    if let Some(&(_, sub)) = subtables.iter().find(|(f, _)| *f == 12) {
        // Groups of consecutive characters drawn by consecutive glyphs.
        for k in 0..u32_at(sub + 12)? as usize {
            let group = sub + 16 + 12 * k;
            let (start, end, first) = (u32_at(group)?, u32_at(group + 4)?, u32_at(group + 8)?);
            for cp in start..=end.min(0x10FFFF) {
                let Some(Ok(g)) = first.checked_add(cp - start).map(u16::try_from) else {
                    break;
                };
                keep(cp, g);
            }
        }
    } else {
        let &(_, sub) = subtables.iter().find(|(f, _)| *f == 4)?;
        // Segments: end codes, a pad, start codes, deltas, range offsets, glyph array.
        let segs = usize::from(u16_at(sub + 6)? / 2);
        let (ends, starts) = (sub + 14, sub + 16 + 2 * segs);
        let (deltas, ranges) = (starts + 2 * segs, starts + 4 * segs);
        for i in 0..segs {
            let (start, end) = (u16_at(starts + 2 * i)?, u16_at(ends + 2 * i)?);
            let (delta, range) = (u16_at(deltas + 2 * i)?, u16_at(ranges + 2 * i)?);
            for cp in start..=end.min(0xFFFE) {
                let g = if range == 0 {
                    cp.wrapping_add(delta)
                } else {
                    // The glyph array entry, addressed from this range offset's own place.
                    let at = ranges + 2 * i + usize::from(range) + 2 * usize::from(cp - start);
                    match u16_at(at)? {
                        0 => 0,
                        g => g.wrapping_add(delta),
                    }
                };
                keep(u32::from(cp), g);
            }
        }
    }
    out.sort_unstable();
    out.dedup_by_key(|m| m.0);
    Some(out)
}

/// A cmap table with one Unicode full-repertoire subtable (platform 3, encoding 10,
/// format 12) mapping each of `mapped` (in character order) to its glyph.
fn cmap_of(mapped: &[(char, u16)]) -> Vec<u8> {
    let groups = mapped.len() as u32;
    let sub_len = 16 + 12 * groups;
    let mut t = Vec::with_capacity(12 + sub_len as usize);
    t.extend_from_slice(&0u16.to_be_bytes()); // version
    t.extend_from_slice(&1u16.to_be_bytes()); // one subtable
    t.extend_from_slice(&3u16.to_be_bytes()); // Windows
    t.extend_from_slice(&10u16.to_be_bytes()); // Unicode full repertoire
    t.extend_from_slice(&12u32.to_be_bytes()); // the subtable's offset
    t.extend_from_slice(&12u16.to_be_bytes()); // format 12
    t.extend_from_slice(&0u16.to_be_bytes());
    t.extend_from_slice(&sub_len.to_be_bytes());
    t.extend_from_slice(&0u32.to_be_bytes()); // language
    t.extend_from_slice(&groups.to_be_bytes());
    for &(c, g) in mapped {
        let c = u32::from(c);
        t.extend_from_slice(&c.to_be_bytes());
        t.extend_from_slice(&c.to_be_bytes());
        t.extend_from_slice(&u32::from(g).to_be_bytes());
    }
    t
}

/// A subset of the face `index` of `data` (parsed by the caller as `face`) holding `gids`
/// (numbered in that order: give .notdef first), with a Unicode cmap of `mapped`
/// (character, glyph in the face) and the face's OS/2 table.
pub fn with_cmap(
    data: &[u8],
    index: u32,
    face: &ttf_parser::Face<'_>,
    gids: &[u16],
    mapped: &[(char, u16)],
) -> Result<Vec<u8>, String> {
    let remapper = subsetter::GlyphRemapper::new_from_glyphs(gids);
    let glyphs =
        subsetter::subset(data, index, &remapper).map_err(|e| format!("subsetting failed: {e}"))?;
    let mapped: Vec<(char, u16)> = mapped
        .iter()
        .filter_map(|&(c, g)| Some((c, remapper.get(g)?)))
        .collect();
    let mut extra = vec![(*b"cmap", cmap_of(&mapped))];
    if let Some(os2) = face.raw_face().table(ttf_parser::Tag::from_bytes(b"OS/2")) {
        extra.push((*b"OS/2", os2.to_vec()));
    }
    with_tables(&glyphs, &extra).ok_or_else(|| "the subset's table directory is malformed".into())
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
    fn finds_every_character_drawn_by_the_kept_glyphs() {
        // Format 4 (the shipped face has only that): the same pairs as asking the face
        // for every character it maps.
        let path = crate::fonts::fonts_dir().join("NotoSerifSC-Regular.otf");
        let data = std::fs::read(&path).expect("the shipped font");
        let face = ttf_parser::Face::parse(&data, 0).expect("face");
        let kept: Vec<u16> = ['国', '家', '人', 'A', '，', '\u{2F00}']
            .iter()
            .filter_map(|&c| face.glyph_index(c).map(|g| g.0))
            .collect();
        let mut expected = Vec::new();
        for t in face.tables().cmap.expect("cmap").subtables {
            t.codepoints(|cp| {
                let c = char::from_u32(cp).expect("a character");
                let g = face.glyph_index(c).expect("mapped").0;
                if kept.contains(&g) {
                    expected.push((c, g));
                }
            });
        }
        expected.sort_unstable();
        expected.dedup();
        let found = mappings_to(&face, &kept).expect("a format-4 subtable");
        assert_eq!(found, expected);
        // More characters than asked for where a glyph serves several (一 and ⼀).
        assert!(found.len() >= kept.len(), "{found:?}");
    }

    #[test]
    fn reads_back_the_format_12_table_it_writes() {
        let mapped = [('A', 3), ('国', 7), ('家', 8), ('\u{20000}', 9)];
        let table = cmap_of(&mapped);
        assert_eq!(
            mappings_in(&table, 10, &[7, 9, 3]),
            Some(vec![('A', 3), ('国', 7), ('\u{20000}', 9)])
        );
        assert_eq!(mappings_in(&table, 10, &[5]), Some(vec![]));
        // A glyph id past the face's count is never wanted; a truncated table is None.
        assert_eq!(mappings_in(&table, 8, &[9]), Some(vec![]));
        assert_eq!(mappings_in(&table[..20], 10, &[3]), None);
    }
}
