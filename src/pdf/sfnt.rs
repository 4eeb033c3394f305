//! Adds a Unicode `cmap` table to a font subset. `subsetter` writes subsets for PDF
//! embedding without one (a PDF draws by glyph id), but printpdf will not load a font
//! that has no character map.

/// Returns `font` (an sfnt: TrueType or CFF OpenType) with its `cmap` replaced by a
/// format 12 table mapping `map`'s characters to their glyph ids. None if `font` is not
/// a well-formed sfnt.
pub fn with_cmap(font: &[u8], map: &[(char, u16)]) -> Option<Vec<u8>> {
    let be16 = |at: usize| -> Option<u16> {
        Some(u16::from_be_bytes(font.get(at..at + 2)?.try_into().ok()?))
    };
    let be32 = |at: usize| -> Option<u32> {
        Some(u32::from_be_bytes(font.get(at..at + 4)?.try_into().ok()?))
    };
    let version = be32(0)?;
    let n = usize::from(be16(4)?);
    let mut tables: Vec<([u8; 4], Vec<u8>)> = Vec::with_capacity(n + 1);
    for i in 0..n {
        let rec = 12 + 16 * i;
        let tag: [u8; 4] = font.get(rec..rec + 4)?.try_into().ok()?;
        let off = be32(rec + 8)? as usize;
        let len = be32(rec + 12)? as usize;
        if &tag != b"cmap" {
            tables.push((tag, font.get(off..off.checked_add(len)?)?.to_vec()));
        }
    }
    tables.push((*b"cmap", cmap12(map)));
    tables.sort_by_key(|t| t.0);

    let count = tables.len();
    let mut out = Vec::new();
    out.extend_from_slice(&version.to_be_bytes());
    let pow = 1usize << (usize::BITS - 1 - count.leading_zeros());
    out.extend_from_slice(&(count as u16).to_be_bytes());
    out.extend_from_slice(&((pow * 16) as u16).to_be_bytes());
    out.extend_from_slice(&(pow.trailing_zeros() as u16).to_be_bytes());
    out.extend_from_slice(&((count * 16 - pow * 16) as u16).to_be_bytes());
    let mut offset = 12 + 16 * count;
    for (tag, data) in &tables {
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum(data).to_be_bytes());
        out.extend_from_slice(&(offset as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        offset += data.len().div_ceil(4) * 4;
    }
    for (_, data) in &tables {
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(4) * 4, 0);
    }
    Some(out)
}

/// Returns `font` with every glyph's advance set to half an em. Used for the copy of the
/// closing punctuation that is drawn compressed: its width in the PDF then matches the
/// space it takes, so text extraction does not see overlapping glyphs.
pub fn with_half_advances(font: &[u8]) -> Option<Vec<u8>> {
    let be16 = |at: usize| -> Option<u16> {
        Some(u16::from_be_bytes(font.get(at..at + 2)?.try_into().ok()?))
    };
    let be32 = |at: usize| -> Option<usize> {
        Some(u32::from_be_bytes(font.get(at..at + 4)?.try_into().ok()?) as usize)
    };
    let n = usize::from(be16(4)?);
    let table = |want: &[u8; 4]| -> Option<(usize, usize)> {
        (0..n).find_map(|i| {
            let rec = 12 + 16 * i;
            (font.get(rec..rec + 4)? == want).then_some(())?;
            Some((be32(rec + 8)?, be32(rec + 12)?))
        })
    };
    let (head, _) = table(b"head")?;
    let (hhea, _) = table(b"hhea")?;
    let (hmtx, hmtx_len) = table(b"hmtx")?;
    let upem = be16(head + 18)?;
    let metrics = usize::from(be16(hhea + 34)?);
    if metrics * 4 > hmtx_len {
        return None;
    }
    let mut out = font.to_vec();
    let half = (upem / 2).to_be_bytes();
    for i in 0..metrics {
        let at = hmtx + 4 * i;
        out.get_mut(at..at + 2)?.copy_from_slice(&half);
    }
    Some(out)
}

fn checksum(data: &[u8]) -> u32 {
    data.chunks(4).fold(0u32, |sum, c| {
        let mut w = [0u8; 4];
        w[..c.len()].copy_from_slice(c);
        sum.wrapping_add(u32::from_be_bytes(w))
    })
}

/// A `cmap` with one format 12 subtable (Windows, Unicode full repertoire).
fn cmap12(map: &[(char, u16)]) -> Vec<u8> {
    let mut pairs: Vec<(u32, u16)> = map.iter().map(|&(c, g)| (c as u32, g)).collect();
    pairs.sort_unstable();
    pairs.dedup_by_key(|p| p.0);
    // Runs of consecutive characters with consecutive glyph ids.
    let mut groups: Vec<(u32, u32, u32)> = Vec::new();
    for (c, g) in pairs {
        match groups.last_mut() {
            Some((start, end, gid)) if *end + 1 == c && *gid + (c - *start) == u32::from(g) => {
                *end = c;
            }
            _ => groups.push((c, c, u32::from(g))),
        }
    }
    let mut sub = Vec::new();
    let len = 16 + 12 * groups.len();
    sub.extend_from_slice(&12u16.to_be_bytes());
    sub.extend_from_slice(&0u16.to_be_bytes());
    sub.extend_from_slice(&(len as u32).to_be_bytes());
    sub.extend_from_slice(&0u32.to_be_bytes());
    sub.extend_from_slice(&(groups.len() as u32).to_be_bytes());
    for (s, e, g) in &groups {
        sub.extend_from_slice(&s.to_be_bytes());
        sub.extend_from_slice(&e.to_be_bytes());
        sub.extend_from_slice(&g.to_be_bytes());
    }
    let mut t = Vec::new();
    t.extend_from_slice(&0u16.to_be_bytes()); // version
    t.extend_from_slice(&1u16.to_be_bytes()); // one subtable
    t.extend_from_slice(&3u16.to_be_bytes()); // Windows
    t.extend_from_slice(&10u16.to_be_bytes()); // Unicode full repertoire
    t.extend_from_slice(&12u32.to_be_bytes()); // offset
    t.extend_from_slice(&sub);
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_added_cmap_is_read_back() {
        let full = std::fs::read(crate::fonts::fonts_dir().join("NotoSerifSC-Bold.otf")).unwrap();
        let face = ttf_parser::Face::parse(&full, 0).unwrap();
        let mut mapper = subsetter::GlyphRemapper::new();
        mapper.remap(0);
        let chars = ['中', '文', '，', 'A', 'B'];
        let mut map = Vec::new();
        for c in chars {
            let g = face.glyph_index(c).unwrap().0;
            map.push((c, mapper.remap(g)));
        }
        let sub = subsetter::subset(&full, 0, &mapper).unwrap();
        let with = with_cmap(&sub, &map).unwrap();
        let face = ttf_parser::Face::parse(&with, 0).unwrap();
        for (c, g) in map {
            assert_eq!(face.glyph_index(c).map(|g| g.0), Some(g), "{c}");
        }
        assert!(face.tables().cff.is_some());
        assert!(with_cmap(b"nonsense", &[]).is_none());
        let half = with_half_advances(&with).unwrap();
        let face = ttf_parser::Face::parse(&half, 0).unwrap();
        let g = face.glyph_index('，').unwrap();
        assert_eq!(face.glyph_hor_advance(g), Some(face.units_per_em() / 2));
    }
}
