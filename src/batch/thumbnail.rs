//! The feed's thumbnail: the cover scaled down (box filter, a whole number of pixels
//! to one), so a reader listing fifty issues fetches a few KB each instead of the cover.

use std::io::Cursor;

/// Thumbnails are at most this wide (OPDS readers show them at about 100–200 px).
pub const WIDTH: u32 = 240;

/// A PNG of `png` at most [`WIDTH`] pixels wide; None when it is already that small.
pub fn thumbnail(png: &[u8]) -> Result<Option<Vec<u8>>, String> {
    let mut dec = png::Decoder::new(Cursor::new(png));
    dec.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = dec.read_info().map_err(|e| e.to_string())?;
    let size = reader
        .output_buffer_size()
        .ok_or("the cover is too large to decode")?;
    let mut buf = vec![0; size];
    let info = reader.next_frame(&mut buf).map_err(|e| e.to_string())?;
    let (w, h) = (info.width, info.height);
    let channels = match info.color_type {
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        png::ColorType::Indexed => return Err("palette not expanded".into()),
    };
    let step = w.div_ceil(WIDTH);
    if step <= 1 {
        return Ok(None);
    }
    let (tw, th) = (w / step, (h / step).max(1));
    let mut out = Vec::with_capacity((tw * th * 3) as usize);
    let line = info.line_size;
    for ty in 0..th {
        for tx in 0..tw {
            let mut sum = [0u32; 3];
            for y in ty * step..(ty + 1) * step {
                let row = &buf[y as usize * line..];
                for x in tx * step..(tx + 1) * step {
                    let p = &row[x as usize * channels..][..channels];
                    let rgb = match channels {
                        1 | 2 => [p[0]; 3],
                        _ => [p[0], p[1], p[2]],
                    };
                    // Transparent parts show as the white page they would lie on.
                    let a = if channels % 2 == 0 {
                        u32::from(p[channels - 1])
                    } else {
                        255
                    };
                    for (s, c) in sum.iter_mut().zip(rgb) {
                        *s += (u32::from(c) * a + 255 * (255 - a)) / 255;
                    }
                }
            }
            let n = step * step;
            // 16 levels a channel: the cover's few inks and their blends stay distinct to
            // the eye, and the PNG compresses to about half.
            out.extend(
                sum.iter()
                    .map(|s| (((s + n / 2) / n * 15 + 127) / 255 * 17) as u8),
            );
        }
    }
    let mut png_out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut png_out, tw, th);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Balanced);
        let mut w = enc.write_header().map_err(|e| e.to_string())?;
        w.write_image_data(&out).map_err(|e| e.to_string())?;
    }
    Ok(Some(png_out))
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
}
