//! The cover image and the embedded font subset.

mod epub_support;
use epub_support::*;
use paiban::epub::EpubOptions;

/// Decodes a PNG into (width, height, RGB bytes).
fn decode(png_bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut dec = png::Decoder::new(std::io::Cursor::new(png_bytes));
    dec.set_transformations(png::Transformations::EXPAND);
    let mut r = dec.read_info().expect("a PNG");
    let mut buf = vec![0; r.output_buffer_size().expect("size")];
    let info = r.next_frame(&mut buf).expect("frame");
    assert_eq!(info.color_type, png::ColorType::Rgb);
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

/// Pixels in rows `y0..y1` that are clearly red ink, and clearly dark ink.
fn ink(rgb: &[u8], width: u32, y0: u32, y1: u32) -> (usize, usize) {
    let (mut red, mut dark) = (0, 0);
    for y in y0..y1 {
        for x in 0..width {
            let i = ((y * width + x) * 3) as usize;
            let (r, g, b) = (rgb[i], rgb[i + 1], rgb[i + 2]);
            if r > 150 && g < 80 && b < 80 {
                red += 1;
            }
            if r < 90 && g < 90 && b < 90 {
                dark += 1;
            }
        }
    }
    (red, dark)
}

#[test]
fn cover_is_a_drawn_png_registered_as_the_cover() {
    let (order, map) = unzip(&build(&sample(), &EpubOptions::default()).0);
    let png_bytes = map.get("OEBPS/cover.png").expect("cover.png");
    let (w, h, rgb) = decode(png_bytes);
    assert_eq!((w, h), (1200, 1600));
    // The masthead (red, large) and the headlines (dark) were actually drawn.
    let (red_top, _) = ink(&rgb, w, 100, 330);
    let (_, dark_mid) = ink(&rgb, w, 450, 1400);
    assert!(red_top > 20_000, "masthead ink: {red_top} red pixels");
    assert!(dark_mid > 40_000, "headline ink: {dark_mid} dark pixels");
    let opf = text(&map, "OEBPS/content.opf");
    assert!(opf.contains("properties=\"cover-image\" id=\"cover-image\" href=\"cover.png\""));
    assert!(opf.contains("<meta name=\"cover\" content=\"cover-image\"/>"));
    // The cover page opens the book.
    let spine = opf.split("<spine").nth(1).expect("spine");
    assert!(spine
        .trim_start()
        .contains("<itemref idref=\"id_cover.xhtml\"/>"));
    let first = spine.find("id_cover.xhtml").expect("cover in spine");
    assert!(
        first
            < spine
                .find("id_article-001.xhtml")
                .expect("article in spine")
    );
    assert!(order.contains(&"OEBPS/cover.xhtml".to_string()));
    // Another issue, another masthead and headlines.
    let (_, other) = unzip(&build(&fixture("features-2024-03-15.md"), &EpubOptions::default()).0);
    let (_, _, rgb2) = decode(other.get("OEBPS/cover.png").expect("cover"));
    assert!(rgb != rgb2);
}

#[test]
fn embedded_font_is_a_subset_covering_every_character_shown() {
    let opts = EpubOptions {
        embed_font: true,
        ..Default::default()
    };
    let (order, map) = unzip(&build(&sample(), &opts).0);
    let font = map
        .get("OEBPS/fonts/NotoSerifSC-subset.otf")
        .unwrap_or_else(|| panic!("no font in {order:?}"));
    let full = std::fs::read(paiban::fonts::fonts_dir().join("NotoSerifSC-Regular.otf"))
        .expect("the shipped font");
    let face = ttf_parser::Face::parse(font, 0).expect("the subset parses");
    let full_face = ttf_parser::Face::parse(&full, 0).expect("the full font parses");
    assert!(
        font.len() < 600_000 && font.len() * 10 < full.len(),
        "subset {} bytes of {}",
        font.len(),
        full.len()
    );
    assert!(
        face.number_of_glyphs() < 2000,
        "{} glyphs",
        face.number_of_glyphs()
    );
    // Every character of every document (that the full font has) is in the subset's cmap.
    let mut checked = 0;
    for name in order.iter().filter(|n| n.ends_with(".xhtml")) {
        for c in strip_tags(&text(&map, name)).chars() {
            if c.is_whitespace() || full_face.glyph_index(c).is_none() {
                continue;
            }
            assert!(
                face.glyph_index(c).is_some(),
                "{name}: `{c}` is not in the subset"
            );
            checked += 1;
        }
    }
    assert!(checked > 3000, "{checked} characters checked");
    let css = text(&map, "OEBPS/stylesheet.css");
    assert!(css.contains("@font-face") && css.contains("url(\"fonts/NotoSerifSC-subset.otf\")"));
    let opf = text(&map, "OEBPS/content.opf");
    assert!(opf.contains("href=\"fonts/NotoSerifSC-subset.otf\""));
    // Without the flag: no font, the reader's own.
    let (order, _) = unzip(&build(&sample(), &EpubOptions::default()).0);
    assert!(!order.iter().any(|n| n.contains("fonts/")), "{order:?}");
}
