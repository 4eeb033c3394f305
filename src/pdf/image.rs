//! Image files → images for the PDF writer. JPEG goes in as it is (`/DCTDecode`: the
//! viewer decodes it), its size and colour components read from the frame header; PNG is
//! decoded (`png` crate) to 8-bit gray or RGB samples, with any alpha as a soft mask
//! (krilla deflates both). Anything else is refused with a reason, and the figure keeps
//! its caption only.

use std::path::Path;
use std::sync::Arc;

/// Pixels per inch an image is taken to have: its natural size on paper, never exceeded.
pub const DPI: f32 = 150.0;

/// Larger images are refused: decoding one would take more memory than an issue should.
const MAX_PIXELS: u64 = 40_000_000;

/// Why an image cannot be placed in the PDF.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("cannot be read: {0}")]
    Read(#[from] std::io::Error),
    #[error("{0} is not supported, only PNG and JPEG")]
    Unsupported(&'static str),
    #[error("not a valid PNG: {0}")]
    Png(#[from] png::DecodingError),
    #[error("not a usable JPEG: {0}")]
    Jpeg(&'static str),
    #[error("{0}×{1} pixels is too large")]
    TooLarge(u32, u32),
    #[error("the PDF writer refuses it: {0}")]
    Writer(String),
}

/// One image, checked and ready for the PDF writer.
#[derive(Debug, Clone, PartialEq, Hash)]
pub struct PdfImage {
    pub width: u32,
    pub height: u32,
    /// `DeviceGray`, `DeviceRGB` or `DeviceCMYK`.
    color: &'static str,
    /// The JPEG file as it is; else 8-bit samples.
    jpeg: bool,
    data: Arc<Vec<u8>>,
    /// 8-bit alpha, when not fully opaque.
    alpha: Option<Arc<Vec<u8>>>,
}

impl PdfImage {
    /// Reads and converts the image at `path` (bounded read).
    pub fn load(path: &Path) -> Result<Self, ImageError> {
        let bytes = crate::limits::read_bounded(path, crate::limits::MAX_IMAGE_BYTES)?;
        Self::from_bytes(bytes)
    }

    /// Kind by content, not by extension.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, ImageError> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            png_image(&bytes)
        } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
            jpeg_image(bytes)
        } else if bytes.starts_with(b"GIF8") {
            Err(ImageError::Unsupported("GIF"))
        } else if String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).contains("<svg") {
            Err(ImageError::Unsupported("SVG"))
        } else {
            Err(ImageError::Unsupported("unknown"))
        }
    }

    /// Natural size in points at [`DPI`].
    pub fn natural_size(&self) -> (f32, f32) {
        let pt = 72.0 / DPI;
        (self.width as f32 * pt, self.height as f32 * pt)
    }

    /// Whether the image needs a soft mask (PDF 1.4).
    pub fn has_alpha(&self) -> bool {
        self.alpha.is_some()
    }

    /// The image as krilla draws it (JPEG embedded as is, samples deflated by krilla).
    pub fn to_krilla(&self) -> Result<krilla::image::Image, ImageError> {
        let image = if self.jpeg {
            let data: Arc<Vec<u8>> = Arc::clone(&self.data);
            krilla::image::Image::from_jpeg(data.into(), false)
        } else {
            krilla::image::Image::from_custom(self.clone(), false)
        };
        image.map_err(ImageError::Writer)
    }
}

impl krilla::image::CustomImage for PdfImage {
    fn color_channel(&self) -> &[u8] {
        &self.data
    }

    fn alpha_channel(&self) -> Option<&[u8]> {
        self.alpha.as_deref().map(Vec::as_slice)
    }

    fn bits_per_component(&self) -> krilla::image::BitsPerComponent {
        krilla::image::BitsPerComponent::Eight
    }

    fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    fn icc_profile(&self) -> Option<&[u8]> {
        None
    }

    fn color_space(&self) -> krilla::image::ImageColorspace {
        match self.color {
            "DeviceGray" => krilla::image::ImageColorspace::Luma,
            "DeviceCMYK" => krilla::image::ImageColorspace::Cmyk,
            _ => krilla::image::ImageColorspace::Rgb,
        }
    }
}

fn check_size(w: u32, h: u32) -> Result<(), ImageError> {
    if w == 0 || h == 0 || u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(ImageError::TooLarge(w, h));
    }
    Ok(())
}

/// PNG: every colour type and depth normalised to 8-bit gray or RGB, plus alpha (from an
/// alpha channel or a `tRNS` chunk).
fn png_image(bytes: &[u8]) -> Result<PdfImage, ImageError> {
    let mut dec = png::Decoder::new(std::io::Cursor::new(bytes));
    dec.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = dec.read_info()?;
    let (w, h) = (reader.info().width, reader.info().height);
    check_size(w, h)?;
    let size = reader
        .output_buffer_size()
        .ok_or(ImageError::TooLarge(w, h))?;
    let mut buf = vec![0; size];
    let out = reader.next_frame(&mut buf)?;
    buf.truncate(out.buffer_size());
    let (channels, color) = match out.color_type {
        png::ColorType::Grayscale => (1, "DeviceGray"),
        png::ColorType::GrayscaleAlpha => (2, "DeviceGray"),
        png::ColorType::Rgb => (3, "DeviceRGB"),
        png::ColorType::Rgba => (4, "DeviceRGB"),
        // normalize_to_color8 expands palettes; anything else is not an 8-bit image.
        png::ColorType::Indexed => return Err(ImageError::Unsupported("indexed PNG")),
    };
    if out.bit_depth != png::BitDepth::Eight {
        return Err(ImageError::Unsupported("non-8-bit PNG"));
    }
    let (data, alpha) = if channels % 2 == 0 {
        let colour = channels - 1;
        let mut data = Vec::with_capacity(buf.len() / channels * colour);
        let mut alpha = Vec::with_capacity(buf.len() / channels);
        for px in buf.chunks_exact(channels) {
            data.extend_from_slice(&px[..colour]);
            alpha.push(px[colour]);
        }
        // A fully opaque alpha channel needs no mask (and the file stays PDF 1.3).
        let opaque = alpha.iter().all(|&a| a == 255);
        (data, (!opaque).then_some(alpha))
    } else {
        (buf, None)
    };
    Ok(PdfImage {
        width: w,
        height: h,
        color,
        jpeg: false,
        data: Arc::new(data),
        alpha: alpha.map(Arc::new),
    })
}

/// JPEG: the frame header (SOF) gives size and components; the bytes go in unchanged.
fn jpeg_image(bytes: Vec<u8>) -> Result<PdfImage, ImageError> {
    let f = jpeg_frame(&bytes)?;
    check_size(f.width, f.height)?;
    let color = match f.components {
        1 => "DeviceGray",
        3 => "DeviceRGB",
        4 => "DeviceCMYK",
        _ => return Err(ImageError::Jpeg("unusual number of colour components")),
    };
    Ok(PdfImage {
        width: f.width,
        height: f.height,
        color,
        jpeg: true,
        data: Arc::new(bytes),
        alpha: None,
    })
}

#[derive(Debug, PartialEq)]
struct Frame {
    width: u32,
    height: u32,
    components: u8,
}

/// Walks the marker segments up to the first start-of-frame.
fn jpeg_frame(b: &[u8]) -> Result<Frame, ImageError> {
    let mut i = 2;
    loop {
        // Fill bytes (0xFF) may precede a marker.
        while b.get(i) == Some(&0xff) && b.get(i + 1) == Some(&0xff) {
            i += 1;
        }
        let (Some(&0xff), Some(&m)) = (b.get(i), b.get(i + 1)) else {
            return Err(ImageError::Jpeg("no frame header"));
        };
        i += 2;
        if m == 0xd8 || m == 0x01 || (0xd0..=0xd7).contains(&m) {
            continue; // markers without a length
        }
        let len = match (b.get(i), b.get(i + 1)) {
            (Some(&h), Some(&l)) => usize::from(u16::from_be_bytes([h, l])),
            _ => return Err(ImageError::Jpeg("truncated")),
        };
        if len < 2 {
            return Err(ImageError::Jpeg("bad segment length"));
        }
        let seg = b.get(i + 2..i + len).ok_or(ImageError::Jpeg("truncated"))?;
        match m {
            // Baseline, extended and progressive Huffman frames: what viewers decode.
            0xc0..=0xc2 => {
                let [p, h0, h1, w0, w1, n, ..] = *seg else {
                    return Err(ImageError::Jpeg("truncated frame header"));
                };
                if p != 8 {
                    return Err(ImageError::Jpeg("not 8 bits per sample"));
                }
                return Ok(Frame {
                    width: u32::from(u16::from_be_bytes([w0, w1])),
                    height: u32::from(u16::from_be_bytes([h0, h1])),
                    components: n,
                });
            }
            0xc3 | 0xc5..=0xc7 | 0xc9..=0xcb | 0xcd..=0xcf => {
                return Err(ImageError::Jpeg("lossless or arithmetic-coded"))
            }
            0xda | 0xd9 => return Err(ImageError::Jpeg("no frame header")),
            _ => {}
        }
        i += len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_bytes(color: png::ColorType, depth: png::BitDepth, data: &[u8], w: u32) -> Vec<u8> {
        let mut out = Vec::new();
        let mut e = png::Encoder::new(&mut out, w, 1);
        e.set_color(color);
        e.set_depth(depth);
        if color == png::ColorType::Indexed {
            e.set_palette(vec![0, 0, 0, 255, 0, 0]);
            e.set_trns(vec![255, 0]);
        }
        let mut wr = e.write_header().unwrap();
        wr.write_image_data(data).unwrap();
        wr.finish().unwrap();
        out
    }

    #[test]
    fn png_kinds_become_gray_or_rgb_with_alpha_as_mask() {
        use png::{BitDepth::*, ColorType::*};
        let rgba = png_bytes(Rgba, Eight, &[1, 2, 3, 128, 4, 5, 6, 255], 2);
        let img = PdfImage::from_bytes(rgba).unwrap();
        assert_eq!((img.width, img.height, img.color), (2, 1, "DeviceRGB"));
        assert_eq!(*img.data, [1, 2, 3, 4, 5, 6]);
        assert_eq!(**img.alpha.as_ref().unwrap(), [128, 255]);
        // Opaque alpha: no mask.
        let opaque = png_bytes(GrayscaleAlpha, Eight, &[7, 255, 8, 255], 2);
        let img = PdfImage::from_bytes(opaque).unwrap();
        assert_eq!((img.color, img.alpha.is_none()), ("DeviceGray", true));
        assert_eq!(*img.data, [7, 8]);
        // A palette with a transparent entry: RGB and a mask.
        let pal = png_bytes(Indexed, Eight, &[0, 1], 2);
        let img = PdfImage::from_bytes(pal).unwrap();
        assert_eq!(*img.data, [0, 0, 0, 255, 0, 0]);
        assert_eq!(**img.alpha.as_ref().unwrap(), [255, 0]);
        // 1-bit gray is expanded to 8 bits.
        let bits = png_bytes(Grayscale, One, &[0b1000_0000], 2);
        let img = PdfImage::from_bytes(bits).unwrap();
        assert_eq!(*img.data, [255, 0]);
    }

    #[test]
    fn jpeg_frame_header_is_found_past_other_segments() {
        let mut j = vec![0xff, 0xd8];
        j.extend_from_slice(&[0xff, 0xe0, 0, 4, b'J', b'F']);
        j.extend_from_slice(&[0xff, 0xee, 0, 7, b'A', b'd', b'o', b'b', b'e']);
        j.extend_from_slice(&[0xff, 0xc2, 0, 11, 8, 0, 20, 1, 44, 4, 0, 0, 0]);
        let img = PdfImage::from_bytes(j.clone()).unwrap();
        assert_eq!((img.width, img.height, img.color), (300, 20, "DeviceCMYK"));
        assert!(img.jpeg);
        assert_eq!(*img.data, j);
        for bad in [&j[..12], &[0xff, 0xd8, 0xff, 0xd9][..]] {
            assert!(matches!(
                PdfImage::from_bytes(bad.to_vec()),
                Err(ImageError::Jpeg(_))
            ));
        }
    }

    #[test]
    fn other_kinds_are_refused_by_name() {
        for (b, kind) in [
            (&b"GIF89a..."[..], "GIF"),
            (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "SVG"),
            (b"hello", "unknown"),
        ] {
            match PdfImage::from_bytes(b.to_vec()) {
                Err(ImageError::Unsupported(k)) => assert_eq!(k, kind),
                other => panic!("{other:?}"),
            }
        }
        assert!(matches!(
            PdfImage::from_bytes(b"\x89PNG\r\n\x1a\nbroken".to_vec()),
            Err(ImageError::Png(_))
        ));
    }
}
