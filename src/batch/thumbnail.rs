//! The feed's thumbnail: the cover scaled down (box filter, a whole number of pixels
//! to one), so a reader listing fifty issues fetches a few KB each instead of the cover.

use std::io::Cursor;

/// Thumbnails are at most this wide (OPDS readers show them at about 100–200 px).
pub const WIDTH: u32 = 240;

/// A PNG of `png` at most [`WIDTH`] pixels wide; None when it is already that small.
pub fn thumbnail(png: &[u8]) -> Result<Option<Vec<u8>>, String> {
    let mut dec = png::Decoder::new(Cursor::new(png));
    // Palette images (paiban's covers) stay indices: one table lookup a pixel instead of
    // expanding the whole image to RGB first.
    dec.set_transformations(png::Transformations::STRIP_16);
    let mut reader = dec.read_info().map_err(|e| e.to_string())?;
    let (w, h) = (reader.info().width, reader.info().height);
    let step = w.div_ceil(WIDTH);
    if step <= 1 {
        return Ok(None);
    }
    let info = reader.info();
    // Each possible sample (or palette entry) already over the white page.
    let over_white = |rgb: [u8; 3], a: u8| -> [u32; 3] {
        let a = u32::from(a);
        rgb.map(|c| (u32::from(c) * a + 255 * (255 - a)) / 255)
    };
    let (channels, bits, table): (usize, u8, Vec<[u32; 3]>) = match info.color_type {
        png::ColorType::Indexed => {
            let pal = info
                .palette
                .as_deref()
                .ok_or("a palette image without a palette")?;
            let trns = info.trns.as_deref().unwrap_or(&[]);
            let table = pal
                .chunks_exact(3)
                .enumerate()
                .map(|(i, c)| over_white([c[0], c[1], c[2]], trns.get(i).copied().unwrap_or(255)))
                .collect();
            (1, info.bit_depth as u8, table)
        }
        png::ColorType::Grayscale if (info.bit_depth as u8) < 8 || info.trns.is_some() => {
            return Err("low-depth or keyed greyscale thumbnails are not supported".into())
        }
        png::ColorType::Grayscale => (1, 8, Vec::new()),
        png::ColorType::GrayscaleAlpha => (2, 8, Vec::new()),
        png::ColorType::Rgb if info.trns.is_some() => {
            return Err("keyed RGB thumbnails are not supported".into())
        }
        png::ColorType::Rgb => (3, 8, Vec::new()),
        png::ColorType::Rgba => (4, 8, Vec::new()),
    };
    let size = reader
        .output_buffer_size()
        .ok_or("the cover is too large to decode")?;
    let mut buf = vec![0; size];
    let frame = reader.next_frame(&mut buf).map_err(|e| e.to_string())?;
    let line = frame.line_size;
    let (tw, th) = (w / step, (h / step).max(1));
    let mut out = Vec::with_capacity((tw * th * 3) as usize);
    let mut sums = vec![[0u32; 3]; tw as usize];
    let n = step * step;
    let levels = levels(n);
    let used = (tw * step) as usize;
    let mut rgb_row = vec![[0u32; 3]; used];
    for ty in 0..th {
        sums.iter_mut().for_each(|s| *s = [0; 3]);
        for y in ty * step..(ty + 1) * step {
            let row = &buf[y as usize * line..][..line];
            if !table.is_empty() && row.iter().all(|&b| b == 0) {
                // A row all of palette entry 0 (a cover's blank paper, most of its rows):
                // its sums without looking at each pixel.
                let c = table[0];
                for s in sums.iter_mut() {
                    for (s, c) in s.iter_mut().zip(c) {
                        *s += c * step;
                    }
                }
                continue;
            }
            if table.is_empty() {
                for (x, px) in rgb_row.iter_mut().enumerate() {
                    let p = &row[x * channels..][..channels];
                    *px = match channels {
                        1 => [u32::from(p[0]); 3],
                        2 => over_white([p[0]; 3], p[1]),
                        3 => [p[0], p[1], p[2]].map(u32::from),
                        _ => over_white([p[0], p[1], p[2]], p[3]),
                    };
                }
            } else {
                // Palette indices, `bits` each, packed from the high bits of each byte. Even
                // a row with ink is mostly paper: count every pixel as entry 0, then correct
                // only the pixels of bytes that are not 0 (the same sums, in a fraction of
                // the lookups; pixel by pixel this was 6 % of a batch's CPU).
                let per = (8 / bits) as usize;
                let mask = ((1u16 << bits) - 1) as u8;
                let paper = table[0];
                for s in sums.iter_mut() {
                    for (s, c) in s.iter_mut().zip(paper) {
                        *s += c * step;
                    }
                }
                for (bi, &b) in row.iter().enumerate().take(used.div_ceil(per)) {
                    if b == 0 {
                        continue;
                    }
                    for k in 0..per {
                        let x = bi * per + k;
                        let i = (b >> (8 - bits as usize * (k + 1))) & mask;
                        if i == 0 || x >= used {
                            continue;
                        }
                        let c = table.get(i as usize).copied().unwrap_or([255; 3]);
                        if let Some(s) = sums.get_mut(x / step as usize) {
                            for ch in 0..3 {
                                // Adding first: the sum already holds this pixel as paper.
                                s[ch] = s[ch] + c[ch] - paper[ch];
                            }
                        }
                    }
                }
                continue;
            }
            for (s, block) in sums.iter_mut().zip(rgb_row.chunks_exact(step as usize)) {
                for px in block {
                    s[0] += px[0];
                    s[1] += px[1];
                    s[2] += px[2];
                }
            }
        }
        push_row(&mut out, &sums, &levels);
    }
    encode(tw, th, &out).map(Some)
}

/// The thumbnail of a palette image given as one palette index a pixel, row by row
/// (paiban's cover as drawn, so the feed's thumbnail needs no decoding of the PNG): the
/// same box filter, the same file as [`thumbnail`] of that image's PNG. None when the
/// image is already small or does not match its size. `inked_rows`, when not empty, says
/// which rows have anything but paper (the others are not read).
pub fn of_indices(
    width: u32,
    height: u32,
    indices: &[u8],
    palette: &[[u8; 3]],
    inked_rows: &[bool],
) -> Result<Option<Vec<u8>>, String> {
    let step = width.div_ceil(WIDTH);
    if step <= 1 {
        return Ok(None);
    }
    if indices.len() != width as usize * height as usize || palette.is_empty() {
        return Err("the cover's pixels do not match its size".into());
    }
    let (tw, th) = (width / step, (height / step).max(1));
    let (step, n) = (step as usize, step * step);
    let levels = levels(n);
    let paper = palette[0].map(u32::from);
    // Each entry's difference from paper, added to sums that already hold every pixel
    // as paper (wrapping: an ink is darker than paper, and the sums stay positive).
    let delta: Vec<[u32; 3]> = palette
        .iter()
        .map(|c| {
            let mut d = [0u32; 3];
            for ch in 0..3 {
                d[ch] = u32::from(c[ch]).wrapping_sub(paper[ch]);
            }
            d
        })
        .collect();
    let blank = paper.map(|c| c * n);
    let used = tw as usize * step;
    let mut out = Vec::with_capacity((tw * th * 3) as usize);
    let mut sums = vec![[0u32; 3]; tw as usize];
    for (b, band) in indices
        .chunks_exact(width as usize * step)
        .take(th as usize)
        .enumerate()
    {
        sums.iter_mut().for_each(|s| *s = blank);
        for (r, row) in band.chunks_exact(width as usize).enumerate() {
            // Most rows are blank paper, and most blocks of an inked row.
            if !inked_rows.get(b * step + r).copied().unwrap_or(true) {
                continue;
            }
            let row = &row[..used];
            if row.iter().fold(0, |a, &i| a | i) == 0 {
                continue;
            }
            for (s, block) in sums.iter_mut().zip(row.chunks_exact(step)) {
                if block.iter().fold(0, |a, &i| a | i) == 0 {
                    continue;
                }
                for &i in block {
                    if i != 0 {
                        let d = delta.get(i as usize).copied().unwrap_or([0; 3]);
                        for ch in 0..3 {
                            s[ch] = s[ch].wrapping_add(d[ch]);
                        }
                    }
                }
            }
        }
        push_row(&mut out, &sums, &levels);
    }
    encode(tw, th, &out).map(Some)
}

/// A channel of the thumbnail for each sum of `n` pixels' values (0..=255 each): their
/// mean in 16 levels (the cover's few inks and their blends stay distinct to the eye,
/// and the PNG compresses to about half). A table: two divisions a channel were a third
/// of the scaling's time.
fn levels(n: u32) -> Vec<u8> {
    (0..=255 * n)
        .map(|s| (((s + n / 2) / n * 15 + 127) / 255 * 17) as u8)
        .collect()
}

/// One row of the thumbnail from its blocks' sums ([`levels`] of them).
fn push_row(out: &mut Vec<u8>, sums: &[[u32; 3]], levels: &[u8]) {
    for s in sums {
        out.extend(
            s.iter()
                .map(|&s| levels.get(s as usize).copied().unwrap_or(255)),
        );
    }
}

fn encode(tw: u32, th: u32, rgb: &[u8]) -> Result<Vec<u8>, String> {
    let mut png_out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut png_out, tw, th);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        // The adaptive row filters of `Balanced`, deflated at zlib level 3 instead of 6.
        enc.set_compression(png::Compression::Balanced);
        enc.set_deflate_compression(png::DeflateCompression::Level(3));
        let mut w = enc.write_header().map_err(|e| e.to_string())?;
        w.write_image_data(rgb).map_err(|e| e.to_string())?;
    }
    Ok(png_out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_of(w: u32, h: u32, color: png::ColorType, data: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        let mut enc = png::Encoder::new(&mut v, w, h);
        enc.set_color(color);
        enc.set_depth(png::BitDepth::Eight);
        enc.write_header().unwrap().write_image_data(data).unwrap();
        v
    }

    #[test]
    fn scales_down_by_whole_steps_and_keeps_small_images() {
        // 960×4 RGB, left half red, right half blue → 240×1, same halves.
        let mut data = Vec::new();
        for _ in 0..4 {
            for x in 0..960 {
                data.extend(if x < 480 { [255, 0, 0] } else { [0, 0, 255] });
            }
        }
        let t = thumbnail(&png_of(960, 4, png::ColorType::Rgb, &data))
            .unwrap()
            .unwrap();
        let mut dec = png::Decoder::new(Cursor::new(&t)).read_info().unwrap();
        let mut buf = vec![0; dec.output_buffer_size().unwrap()];
        let info = dec.next_frame(&mut buf).unwrap();
        assert_eq!((info.width, info.height), (240, 1));
        assert_eq!(&buf[..3], [255, 0, 0]);
        assert_eq!(&buf[buf.len() - 3..], [0, 0, 255]);
        let small = png_of(100, 1, png::ColorType::Grayscale, &[7; 100]);
        assert_eq!(thumbnail(&small).unwrap(), None);
        assert!(thumbnail(b"not a png").is_err());
    }

    #[test]
    fn indices_as_drawn_give_the_thumbnail_of_their_png() {
        // 4-bit indexed 1200×40 with every entry of a 6-colour palette in blocks and
        // stripes: the thumbnail of the pixels equals the thumbnail of their PNG.
        let (w, h) = (1200u32, 40u32);
        let palette = [
            [251, 248, 241],
            [184, 16, 16],
            [26, 26, 26],
            [85, 85, 85],
            [200, 120, 120],
            [140, 140, 140],
        ];
        let indices: Vec<u8> = (0..w * h)
            .map(|i| {
                let (x, y) = (i % w, i / w);
                if y < 10 {
                    0
                } else {
                    ((x / 7 + y / 3) % 6) as u8
                }
            })
            .collect();
        let packed: Vec<u8> = indices.chunks_exact(2).map(|p| p[0] << 4 | p[1]).collect();
        let mut v = Vec::new();
        let mut enc = png::Encoder::new(&mut v, w, h);
        enc.set_color(png::ColorType::Indexed);
        enc.set_depth(png::BitDepth::Four);
        enc.set_palette(palette.concat());
        enc.write_header()
            .unwrap()
            .write_image_data(&packed)
            .unwrap();
        let from_png = thumbnail(&v).unwrap().unwrap();
        let from_pixels = of_indices(w, h, &indices, &palette, &[]).unwrap().unwrap();
        assert_eq!(from_pixels, from_png);
        // Told which rows are inked (the first 10 are blank), the same.
        let inked: Vec<bool> = (0..h).map(|y| y >= 10).collect();
        let told = of_indices(w, h, &indices, &palette, &inked)
            .unwrap()
            .unwrap();
        assert_eq!(told, from_png);
        assert!(of_indices(w, h, &indices[1..], &palette, &[]).is_err());
        assert_eq!(of_indices(200, 1, &[0; 200], &palette, &[]).unwrap(), None);
    }

    #[test]
    fn palette_covers_scale_from_their_indices() {
        // 4-bit indexed, 1000×10: rows 0-4 blank (index 0, paper), rows 5-9 left half
        // index 1 (red); 1000 px → step 5 → 200×2.
        let (w, h) = (1000u32, 10u32);
        let mut data = Vec::new();
        for y in 0..h {
            for x in (0..w).step_by(2) {
                let i = |x: u32| u8::from(y >= 5 && x < 500);
                data.push(i(x) << 4 | i(x + 1));
            }
        }
        let mut v = Vec::new();
        let mut enc = png::Encoder::new(&mut v, w, h);
        enc.set_color(png::ColorType::Indexed);
        enc.set_depth(png::BitDepth::Four);
        enc.set_palette(vec![255, 255, 255, 255, 0, 0]);
        enc.write_header().unwrap().write_image_data(&data).unwrap();
        let t = thumbnail(&v).unwrap().unwrap();
        let mut dec = png::Decoder::new(Cursor::new(&t)).read_info().unwrap();
        let mut buf = vec![0; dec.output_buffer_size().unwrap()];
        let info = dec.next_frame(&mut buf).unwrap();
        assert_eq!((info.width, info.height), (200, 2));
        assert_eq!(&buf[..3], [255, 255, 255], "blank rows are paper");
        let second = &buf[200 * 3..];
        assert_eq!(&second[..3], [255, 0, 0]);
        assert_eq!(&second[second.len() - 3..], [255, 255, 255]);
    }
}
