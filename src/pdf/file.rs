//! The PDF file, written into one buffer from the start: the pages' content streams go in
//! as each page is laid out (their object numbers filled in at the end), then the objects
//! printpdf and lopdf made (fonts, resources, catalog, info), then pages and outline, then
//! one cross-reference table for the whole file. A large issue's content is so held once,
//! compressed, in the buffer that becomes the file, instead of also as lopdf objects.

use lopdf::{Dictionary, Object};
use std::collections::BTreeMap;
use std::io::Write as _;

/// Width of the space left for an object number written later (`123       0 obj`:
/// extra spaces between tokens are allowed).
const SLOT: usize = 10;

/// lopdf's header for a PDF 1.3 file (version line and a binary-marker comment); checked
/// against what lopdf writes when its objects are added.
const HEADER: &[u8] = b"%PDF-1.3\n%\xbb\xad\xc0\xde\n";

/// Why lopdf's output could not be merged in.
#[derive(Debug, thiserror::Error)]
#[error("unexpected output from lopdf: {0}")]
pub struct SpliceError(&'static str);

pub struct PdfFile {
    out: Vec<u8>,
    /// Offsets of objects written with their number left open.
    pending: Vec<usize>,
    /// Object number → offset.
    xref: BTreeMap<u32, usize>,
}

impl Default for PdfFile {
    fn default() -> Self {
        PdfFile {
            out: HEADER.to_vec(),
            pending: Vec::new(),
            xref: BTreeMap::new(),
        }
    }
}

impl PdfFile {
    /// Appends a stream whose object number is not known yet; `number` gives it one
    /// later, by the index returned here.
    pub fn pending_stream(&mut self, data: &[u8], deflated: bool) -> usize {
        self.pending.push(self.out.len());
        self.out.extend_from_slice(&[b' '; SLOT]);
        let filter = if deflated { "/Filter/FlateDecode" } else { "" };
        let _ = write!(
            self.out,
            " 0 obj\n<</Length {}{filter}>>\nstream\n",
            data.len()
        );
        self.out.extend_from_slice(data);
        self.out.extend_from_slice(b"\nendstream\nendobj\n");
        self.pending.len() - 1
    }

    /// Gives the pending object `index` its number.
    pub fn number(&mut self, index: usize, id: u32) {
        let Some(&at) = self.pending.get(index) else {
            return;
        };
        let digits = id.to_string();
        if let Some(slot) = self.out.get_mut(at..at + digits.len().min(SLOT)) {
            slot.copy_from_slice(&digits.as_bytes()[..slot.len()]);
        }
        self.xref.insert(id, at);
    }

    /// Appends stream object `id`: `dict` (its `/Length` set here) and `data`.
    pub fn stream(&mut self, id: u32, mut dict: Dictionary, data: &[u8]) {
        self.xref.insert(id, self.out.len());
        dict.set("Length", Object::Integer(data.len() as i64));
        let _ = writeln!(self.out, "{id} 0 obj");
        write_object(&mut self.out, &Object::Dictionary(dict));
        self.out.extend_from_slice(b"\nstream\n");
        self.out.extend_from_slice(data);
        self.out.extend_from_slice(b"\nendstream\nendobj\n");
    }

    /// Declares PDF 1.4 in the header (same length: no offset moves), for soft masks.
    pub fn version_1_4(&mut self) {
        if let Some(v) = self.out.get_mut(5..8) {
            v.copy_from_slice(b"1.4");
        }
    }

    /// Appends object `id` with the given body (a dictionary, array, …).
    pub fn object(&mut self, id: u32, body: &Object) {
        self.xref.insert(id, self.out.len());
        let _ = writeln!(self.out, "{id} 0 obj");
        write_object(&mut self.out, body);
        self.out.extend_from_slice(b"\nendobj\n");
    }

    /// Appends the objects of a complete PDF written by lopdf (classic cross-reference
    /// table, one revision), keeping their numbers.
    pub fn splice(&mut self, pdf: &[u8]) -> Result<(), SpliceError> {
        if !pdf.starts_with(HEADER) {
            return Err(SpliceError("another header"));
        }
        let tail = pdf.len().saturating_sub(64);
        let at = find_last(pdf.get(tail..).unwrap_or_default(), b"startxref")
            .ok_or(SpliceError("no startxref"))?
            + tail;
        let start: usize = std::str::from_utf8(&pdf[at + 9..])
            .ok()
            .and_then(|s| s.split_whitespace().next()?.parse().ok())
            .ok_or(SpliceError("bad startxref"))?;
        let table = pdf.get(start..at).ok_or(SpliceError("bad startxref"))?;
        let entries = parse_xref(table).ok_or(SpliceError("bad xref table"))?;
        let base = self.out.len() - HEADER.len();
        self.out.extend_from_slice(&pdf[HEADER.len()..start]);
        for (id, off) in entries {
            if off < HEADER.len() || off >= start {
                return Err(SpliceError("object outside the file"));
            }
            self.xref.insert(id, base + off);
        }
        Ok(())
    }

    /// Writes the cross-reference table and `trailer` (with `/Size`), and returns the file.
    pub fn finish(mut self, mut trailer: Dictionary) -> Vec<u8> {
        let size = self.xref.keys().next_back().map_or(1, |m| m + 1);
        let start = self.out.len();
        let _ = write!(self.out, "xref\n0 {size}\n");
        for id in 0..size {
            match self.xref.get(&id) {
                Some(off) if id > 0 => {
                    let _ = writeln!(self.out, "{off:010} 00000 n ");
                }
                _ => self.out.extend_from_slice(b"0000000000 65535 f \n"),
            }
        }
        trailer.set("Size", Object::Integer(i64::from(size)));
        self.out.extend_from_slice(b"trailer\n");
        write_object(&mut self.out, &Object::Dictionary(trailer));
        let _ = write!(self.out, "\nstartxref\n{start}\n%%EOF");
        self.out.shrink_to_fit();
        self.out
    }
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    (0..=hay.len().checked_sub(needle.len())?)
        .rev()
        .find(|&i| hay[i..].starts_with(needle))
}

/// The in-use entries of a classic cross-reference table (`xref`, subsections, up to
/// `trailer`).
fn parse_xref(table: &[u8]) -> Option<Vec<(u32, usize)>> {
    let text = std::str::from_utf8(table).ok()?;
    let mut lines = text.lines();
    if lines.next()?.trim() != "xref" {
        return None;
    }
    let mut out = Vec::new();
    let mut id = 0u32;
    for line in lines {
        let f: Vec<&str> = line.split_whitespace().collect();
        match f.as_slice() {
            ["trailer", ..] => return Some(out),
            [first, _count] => id = first.parse().ok()?,
            [off, _gen, kind] => {
                if *kind == "n" {
                    out.push((id, off.parse().ok()?));
                }
                id += 1;
            }
            _ => return None,
        }
    }
    None
}

/// Serializes a PDF object (no streams: those are written by `pending_stream`).
pub fn write_object(out: &mut Vec<u8>, o: &Object) {
    match o {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Object::Integer(i) => {
            let _ = write!(out, "{i}");
        }
        Object::Real(r) => {
            let _ = write!(out, "{r}");
        }
        Object::Name(n) => write_name(out, n),
        Object::String(s, _) => {
            out.push(b'<');
            for b in s {
                let _ = write!(out, "{b:02X}");
            }
            out.push(b'>');
        }
        Object::Array(a) => {
            out.push(b'[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                write_object(out, x);
            }
            out.push(b']');
        }
        Object::Dictionary(d) => {
            out.extend_from_slice(b"<<");
            for (k, v) in d.iter() {
                write_name(out, k);
                out.push(b' ');
                write_object(out, v);
            }
            out.extend_from_slice(b">>");
        }
        Object::Reference((id, g)) => {
            let _ = write!(out, "{id} {g} R");
        }
        // Not used for the objects written here.
        Object::Stream(_) => out.extend_from_slice(b"null"),
    }
}

fn write_name(out: &mut Vec<u8>, n: &[u8]) {
    out.push(b'/');
    for &b in n {
        if b.is_ascii_graphic() && !b"()<>[]{}/%#".contains(&b) {
            out.push(b);
        } else {
            let _ = write!(out, "#{b:02X}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_serialize() {
        let mut d = Dictionary::new();
        d.set("Type", Object::Name(b"Page".to_vec()));
        d.set(
            "Box",
            Object::Array(vec![Object::Integer(0), Object::Real(1.5)]),
        );
        d.set("P", Object::Reference((3, 0)));
        d.set(
            "T",
            Object::String(vec![0xfe, 0xff], lopdf::StringFormat::Literal),
        );
        d.set("N", Object::Name(b"a b#".to_vec()));
        let mut out = Vec::new();
        write_object(&mut out, &Object::Dictionary(d));
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "<</Type /Page/Box [0 1.5]/P 3 0 R/T <FEFF>/N /a#20b#23>>"
        );
    }

    #[test]
    fn pending_objects_get_their_numbers_and_lopdf_objects_keep_theirs() {
        let mut f = PdfFile::default();
        let i = f.pending_stream(b"BT ET", false);
        let mut lo = lopdf::Document::with_version("1.3");
        let info = lo.add_object(Object::Integer(7));
        lo.trailer.set("Info", Object::Reference(info));
        lo.reference_table.cross_reference_type = lopdf::xref::XrefType::CrossReferenceTable;
        let mut bytes = Vec::new();
        lo.save_to(&mut bytes).unwrap();
        f.splice(&bytes).unwrap();
        f.number(i, 2);
        let pdf = f.finish(lo.trailer.clone());
        let text = String::from_utf8_lossy(&pdf).into_owned();
        let header = format!(
            "2{} 0 obj\n<</Length 5>>\nstream\nBT ET\nendstream",
            " ".repeat(9)
        );
        assert!(text.contains(&header), "{text}");
        let doc = lopdf::Document::load_mem(&pdf).unwrap();
        assert_eq!(doc.get_object((1, 0)).unwrap(), &Object::Integer(7));
        assert_eq!(
            doc.get_object((2, 0)).unwrap().as_stream().unwrap().content,
            b"BT ET"
        );
    }
}
