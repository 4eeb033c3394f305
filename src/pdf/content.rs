//! One page's content stream, written directly instead of through printpdf's per-glyph
//! operations (several heap objects per glyph, for the whole issue at once): rules, then
//! the text as runs of glyph ids, one `Tm` + kerned `TJ` per run of glyphs on one
//! baseline in one font and size — the form printpdf itself produced. Each page is
//! deflated as soon as it is written, so only compressed pages stay alive.

use std::fmt::Write as _;

/// zlib level for content streams (lopdf's best level costs much time for about 1%).
pub const LEVEL: u32 = 6;

/// One glyph to draw, in PDF coordinates (origin bottom-left, `y` the baseline).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Draw<'a> {
    /// The font's resource name.
    pub font: &'a str,
    pub size: f32,
    pub x: f32,
    pub y: f32,
    /// The glyph's code (the subset font's glyph id, Identity-H).
    pub gid: u16,
    /// The glyph's advance in 1/1000 em, as the font's `/W` entry gives it: the viewer
    /// moves the pen by this much, and kerns make up the rest.
    pub width: i64,
}

/// The run of glyphs being written: where the viewer's pen is, relative to the run's
/// origin, in 1/1000 em.
struct Run {
    x: f32,
    y: f32,
    pen: f64,
    /// Inside an open hex string (`<…`) of the `TJ` array.
    open: bool,
}

/// Builds one page's content stream.
#[derive(Default)]
pub struct PageContent {
    images: String,
    rules: String,
    text: String,
    font: Option<(String, u32)>,
    run: Option<Run>,
}

impl PageContent {
    /// A horizontal rule from `x0` to `x1` at height `y`, `width` thick.
    pub fn rule(&mut self, x0: f32, x1: f32, y: f32, width: f32) {
        let _ = write!(self.rules, "{width} w\n{x0} {y} m\n{x1} {y} l\nS\n");
    }

    /// Image XObject `name` drawn in the box with lower-left corner (x, y), `w` × `h`.
    pub fn image(&mut self, name: &str, x: f32, y: f32, w: f32, h: f32) {
        let _ = write!(self.images, "q\n{w} 0 0 {h} {x} {y} cm\n/{name} Do\nQ\n");
    }

    pub fn glyph(&mut self, d: Draw) {
        let size_bits = d.size.to_bits();
        if self
            .font
            .as_ref()
            .is_none_or(|(f, s)| f != d.font || *s != size_bits)
        {
            self.end_run();
            let _ = writeln!(self.text, "/{} {} Tf", d.font, d.size);
            self.font = Some((d.font.to_string(), size_bits));
        }
        match &mut self.run {
            Some(r) if r.y == d.y => {
                // A kern moves the pen from where the previous glyph left it to this
                // glyph's x (a `TJ` number n moves it by -n/1000 em). Rounded to 1/100
                // of a thousandth of an em, invisible, and the pen follows the rounded
                // value so that nothing accumulates.
                let target = f64::from(d.x - r.x) * 1000.0 / f64::from(d.size);
                let k = ((r.pen - target) * 100.0).round() as i64;
                if k != 0 {
                    if r.open {
                        self.text.push('>');
                        r.open = false;
                    }
                    push_hundredths(&mut self.text, k);
                    r.pen -= k as f64 / 100.0;
                }
            }
            _ => {
                self.end_run();
                let _ = write!(self.text, "1 0 0 1 {} {} Tm\n[", d.x, d.y);
                self.run = Some(Run {
                    x: d.x,
                    y: d.y,
                    pen: 0.0,
                    open: false,
                });
            }
        }
        if let Some(r) = &mut self.run {
            if !r.open {
                self.text.push('<');
                r.open = true;
            }
            let _ = write!(self.text, "{:04x}", d.gid);
            r.pen += d.width as f64;
        }
    }

    fn end_run(&mut self) {
        if let Some(r) = self.run.take() {
            self.text
                .push_str(if r.open { ">] TJ\n" } else { "] TJ\n" });
        }
    }

    /// Writes the stream's bytes, uncompressed, to `out`, and empties this page for the
    /// next one, keeping its buffers.
    pub fn finish_into(&mut self, out: &mut Vec<u8>) {
        self.end_run();
        out.extend_from_slice(self.images.as_bytes());
        out.extend_from_slice(self.rules.as_bytes());
        if !self.text.is_empty() {
            out.extend_from_slice(b"BT\n");
            out.extend_from_slice(self.text.as_bytes());
            out.extend_from_slice(b"ET\n");
        }
        self.images.clear();
        self.rules.clear();
        self.text.clear();
        self.font = None;
    }
}

/// `k` hundredths as a PDF number: `-15.47`, `3`, `0.5`.
fn push_hundredths(s: &mut String, k: i64) {
    if k < 0 {
        s.push('-');
    }
    let a = k.unsigned_abs();
    let _ = write!(s, "{}", a / 100);
    match a % 100 {
        0 => {}
        f if f % 10 == 0 => {
            let _ = write!(s, ".{}", f / 10);
        }
        f => {
            let _ = write!(s, ".{f:02}");
        }
    }
}

/// Deflates content streams with one compressor for all of them: a compressor's state is
/// a few hundred KB, and making and freeing one per page left the allocator with holes
/// it did not reuse (RSS grew with the page count).
pub struct Deflater {
    z: flate2::Compress,
    buf: Vec<u8>,
}

impl Default for Deflater {
    fn default() -> Self {
        Deflater {
            z: flate2::Compress::new(flate2::Compression::new(LEVEL), true),
            buf: Vec::new(),
        }
    }
}

impl Deflater {
    /// A stream's content as it is stored: deflated, or as is when that is not smaller.
    /// The flag says whether it is deflated.
    pub fn deflate<'s>(&'s mut self, raw: &'s [u8]) -> std::io::Result<(&'s [u8], bool)> {
        use flate2::{FlushCompress, Status};
        self.z.reset();
        self.buf.clear();
        loop {
            if self.buf.len() == self.buf.capacity() {
                self.buf.reserve(raw.len() / 4 + 64);
            }
            let start = (self.z.total_in(), self.z.total_out());
            let rest = raw
                .get(usize::try_from(self.z.total_in()).unwrap_or(usize::MAX)..)
                .unwrap_or_default();
            let status = self
                .z
                .compress_vec(rest, &mut self.buf, FlushCompress::Finish)
                .map_err(std::io::Error::other)?;
            if status == Status::StreamEnd {
                break;
            }
            if (self.z.total_in(), self.z.total_out()) == start
                && self.buf.len() < self.buf.capacity()
            {
                return Err(std::io::Error::other("deflate made no progress"));
            }
        }
        // The filter entry costs about as many bytes as this.
        Ok(if self.buf.len() + 19 < raw.len() {
            (&self.buf, true)
        } else {
            (raw, false)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draw(font: &'static str, x: f32, y: f32, gid: u16) -> Draw<'static> {
        Draw {
            font,
            size: 10.0,
            x,
            y,
            gid,
            width: 1000,
        }
    }

    fn text(mut p: PageContent) -> String {
        let mut out = Vec::new();
        p.finish_into(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_line_is_one_run_with_kerns_only_where_needed() {
        let mut p = PageContent::default();
        p.glyph(draw("F0", 10.0, 700.0, 1));
        p.glyph(draw("F0", 20.0, 700.0, 2));
        // 5 pt further than the pen: a kern of -500/1000 em.
        p.glyph(draw("F0", 35.0, 700.0, 0x1ab));
        assert_eq!(
            text(p),
            "BT\n/F0 10 Tf\n1 0 0 1 10 700 Tm\n[<00010002>-500<01ab>] TJ\nET\n"
        );
    }

    #[test]
    fn a_new_baseline_or_font_starts_a_new_run() {
        let mut p = PageContent::default();
        p.rule(1.0, 2.5, 3.0, 0.5);
        p.image("Im0", 1.0, 2.0, 30.0, 40.5);
        p.glyph(draw("F0", 10.0, 700.0, 1));
        p.glyph(draw("F0", 10.0, 680.0, 2));
        p.glyph(draw("F1", 20.0, 680.0, 3));
        assert_eq!(
            text(p),
            "q\n30 0 0 40.5 1 2 cm\n/Im0 Do\nQ\n0.5 w\n1 3 m\n2.5 3 l\nS\nBT\n/F0 10 Tf\n1 0 0 1 10 700 Tm\n[<0001>] TJ\n\
             1 0 0 1 10 680 Tm\n[<0002>] TJ\n/F1 10 Tf\n1 0 0 1 20 680 Tm\n[<0003>] TJ\nET\n"
        );
    }

    #[test]
    fn kerns_are_rounded_without_drift() {
        let mut p = PageContent::default();
        let mut x = 0.0f32;
        for gid in 0..4 {
            p.glyph(draw("F0", x, 0.0, gid));
            x += 10.0 + 0.1234;
        }
        assert_eq!(
            text(p),
            "BT\n/F0 10 Tf\n1 0 0 1 0 0 Tm\n[<0000>-12.34<0001>-12.34<0002>-12.34<0003>] TJ\nET\n"
        );
    }

    #[test]
    fn deflated_streams_inflate_to_the_content() {
        use std::io::Read;
        let mut d = Deflater::default();
        for n in [0usize, 10, 100_000] {
            let raw: Vec<u8> = (0..n).map(|i| (i % 7) as u8 + b'a').collect();
            let (z, deflated) = d.deflate(&raw).unwrap();
            assert_eq!(deflated, n > 100);
            if deflated {
                let mut back = Vec::new();
                flate2::read::ZlibDecoder::new(z)
                    .read_to_end(&mut back)
                    .unwrap();
                assert_eq!(back, raw);
            } else {
                assert_eq!(z, raw);
            }
        }
    }

    #[test]
    fn numbers() {
        let mut s = String::new();
        for k in [-1547, 300, 50, 5, -7, 0] {
            push_hundredths(&mut s, k);
            s.push(' ');
        }
        assert_eq!(s, "-15.47 3 0.5 0.05 -0.07 0 ");
    }
}
