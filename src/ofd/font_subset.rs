//! The OFD's font subsets: every font embedded (OFD-A), each with a Unicode cmap, through
//! which OFD readers find each TextCode character's glyph (`crate::font_subset`).

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
    let mapped = crate::font_subset::mappings_to(&face, &gids)
        .ok_or_else(|| bad("the font has no Unicode cmap (format 4 or 12)".into()))?;
    crate::font_subset::with_cmap(font.data, font.index, &face, &gids, &mapped).map_err(bad)
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
