//! A ZIP archive written in one pass in memory, for the EPUB and the OFD: every entry dated
//! 1980-01-01 with fixed permissions (the same input gives the same bytes), deflated with
//! one zlib state per level reset for each entry (the zip crate starts a new encoder per
//! file: zlib's tables allocated and cleared each time), sizes and CRC in each local header
//! (no data descriptors, which some readers mishandle; an EPUB's `mimetype` is read at a
//! fixed offset). ZIP64 only for the entry count (an OFD of more than 65,535 pages): the
//! archive is built in memory and refused past 4 GiB.

/// Why an archive could not be written.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ZipError(String);

/// How an entry's bytes are kept.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Method {
    /// As they are: an EPUB's `mimetype` (the OCF requires it), images already compressed.
    Stored,
    /// Deflated at zlib's default level 6 (text, XML).
    Deflated,
    /// Deflated at level 2: data that level 6 shrinks barely more, for twice the time
    /// (font programs; krilla deflates the PDF's at 2 for the same reason).
    Dense,
}

/// Images compressed in their own format, by name: deflating them again costs time and
/// saves nothing, so they go in [`Method::Stored`].
pub fn compressed_already(name: &str) -> bool {
    [".png", ".jpg", ".jpeg", ".gif"]
        .iter()
        .any(|e| name.ends_with(e))
}

/// DOS date of 1980-01-01 (the format's first day), time 00:00: the same input always
/// gives the same bytes.
const DOS_DATE: u16 = (1 << 5) | 1;
/// Written by Unix (3) under ZIP 2.0, so readers take the permissions below.
const VERSION_MADE_BY: u16 = (3 << 8) | 20;
/// A regular file, rw-r--r--.
const UNIX_MODE: u32 = 0o100644;
/// Names in UTF-8 (general purpose flag bit 11), set for a name that is not ASCII.
const FLAG_UTF8: u16 = 1 << 11;
/// zlib's levels for [`Method::Deflated`] and [`Method::Dense`].
const LEVEL: u32 = 6;
const DENSE_LEVEL: u32 = 2;

/// A ZIP archive being written in memory (an EPUB or OFD is small; the caller writes the
/// bytes to a temporary file and renames it).
#[derive(Default)]
pub struct Archive {
    out: Vec<u8>,
    central: Vec<u8>,
    entries: u32,
    /// One zlib state per level, made when first needed.
    zlib: Option<flate2::Compress>,
    zlib_dense: Option<flate2::Compress>,
    deflated: Vec<u8>,
}

fn too_large(what: &str) -> ZipError {
    ZipError(format!(
        "{what}: too large for a ZIP archive written in memory (4 GiB)"
    ))
}

impl Archive {
    pub fn add(&mut self, name: &str, data: &[u8], method: Method) -> Result<(), ZipError> {
        let crc = crc32fast::hash(data);
        let (code, version_needed, body) = match method {
            Method::Stored => (0u16, 10u16, data),
            Method::Deflated | Method::Dense => {
                self.deflate(name, data, method == Method::Dense)?;
                (8, 20, self.deflated.as_slice())
            }
        };
        let size = u32::try_from(data.len()).map_err(|_| too_large(name))?;
        let packed = u32::try_from(body.len()).map_err(|_| too_large(name))?;
        let offset = u32::try_from(self.out.len()).map_err(|_| too_large(name))?;
        let name_len = u16::try_from(name.len()).map_err(|_| too_large(name))?;
        self.entries = self.entries.checked_add(1).ok_or_else(|| too_large(name))?;
        let flags = if name.is_ascii() { 0 } else { FLAG_UTF8 };

        // Local file header.
        let o = &mut self.out;
        o.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        o.extend_from_slice(&version_needed.to_le_bytes());
        o.extend_from_slice(&flags.to_le_bytes());
        o.extend_from_slice(&code.to_le_bytes());
        o.extend_from_slice(&0u16.to_le_bytes()); // time
        o.extend_from_slice(&DOS_DATE.to_le_bytes());
        o.extend_from_slice(&crc.to_le_bytes());
        o.extend_from_slice(&packed.to_le_bytes());
        o.extend_from_slice(&size.to_le_bytes());
        o.extend_from_slice(&name_len.to_le_bytes());
        o.extend_from_slice(&0u16.to_le_bytes()); // no extra field
        o.extend_from_slice(name.as_bytes());
        o.extend_from_slice(body);

        // Its central directory record.
        let c = &mut self.central;
        c.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        c.extend_from_slice(&VERSION_MADE_BY.to_le_bytes());
        c.extend_from_slice(&version_needed.to_le_bytes());
        c.extend_from_slice(&flags.to_le_bytes());
        c.extend_from_slice(&code.to_le_bytes());
        c.extend_from_slice(&0u16.to_le_bytes());
        c.extend_from_slice(&DOS_DATE.to_le_bytes());
        c.extend_from_slice(&crc.to_le_bytes());
        c.extend_from_slice(&packed.to_le_bytes());
        c.extend_from_slice(&size.to_le_bytes());
        c.extend_from_slice(&name_len.to_le_bytes());
        c.extend_from_slice(&[0; 8]); // extra and comment lengths, disk, internal attributes
        c.extend_from_slice(&(UNIX_MODE << 16).to_le_bytes());
        c.extend_from_slice(&offset.to_le_bytes());
        c.extend_from_slice(name.as_bytes());
        Ok(())
    }

    /// `data` deflated into `self.deflated`, by the level's one zlib state, reset for each
    /// entry.
    fn deflate(&mut self, name: &str, data: &[u8], dense: bool) -> Result<(), ZipError> {
        let (state, level) = if dense {
            (&mut self.zlib_dense, DENSE_LEVEL)
        } else {
            (&mut self.zlib, LEVEL)
        };
        // Raw deflate (no zlib header): what ZIP's method 8 holds.
        let zlib = state
            .get_or_insert_with(|| flate2::Compress::new(flate2::Compression::new(level), false));
        zlib.reset();
        self.deflated.clear();
        self.deflated.reserve(data.len() / 2 + 64);
        loop {
            let read = usize::try_from(zlib.total_in()).unwrap_or(data.len());
            let status = zlib
                .compress_vec(
                    data.get(read..).unwrap_or_default(),
                    &mut self.deflated,
                    flate2::FlushCompress::Finish,
                )
                .map_err(|e| ZipError(format!("{name}: deflate: {e}")))?;
            if status == flate2::Status::StreamEnd {
                return Ok(());
            }
            // The output filled the room given: more, and go on.
            self.deflated.reserve(self.deflated.capacity().max(4096));
        }
    }

    /// The archive's bytes: the entries, their central directory, its end record.
    pub fn finish(mut self) -> Result<Vec<u8>, ZipError> {
        let start = u32::try_from(self.out.len()).map_err(|_| too_large("the archive"))?;
        let len = u32::try_from(self.central.len()).map_err(|_| too_large("the archive"))?;
        self.out.extend_from_slice(&self.central);
        let o = &mut self.out;
        // More entries than the end record counts: the ZIP64 end record and its locator
        // hold the count, the classic record says 0xFFFF.
        let entries = match u16::try_from(self.entries) {
            Ok(n) if n < u16::MAX => n,
            _ => {
                let at = u64::try_from(o.len()).map_err(|_| too_large("the archive"))?;
                let n = u64::from(self.entries);
                o.extend_from_slice(&0x0606_4b50u32.to_le_bytes());
                o.extend_from_slice(&44u64.to_le_bytes()); // the record's size after this field
                o.extend_from_slice(&VERSION_MADE_BY.to_le_bytes());
                o.extend_from_slice(&45u16.to_le_bytes()); // version needed: ZIP64
                o.extend_from_slice(&[0; 8]); // this disk, the directory's disk
                o.extend_from_slice(&n.to_le_bytes());
                o.extend_from_slice(&n.to_le_bytes());
                o.extend_from_slice(&u64::from(len).to_le_bytes());
                o.extend_from_slice(&u64::from(start).to_le_bytes());
                o.extend_from_slice(&0x0706_4b50u32.to_le_bytes());
                o.extend_from_slice(&0u32.to_le_bytes()); // the record's disk
                o.extend_from_slice(&at.to_le_bytes());
                o.extend_from_slice(&1u32.to_le_bytes()); // disks in all
                u16::MAX
            }
        };
        o.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        o.extend_from_slice(&[0; 4]); // this disk, the directory's disk
        o.extend_from_slice(&entries.to_le_bytes());
        o.extend_from_slice(&entries.to_le_bytes());
        o.extend_from_slice(&len.to_le_bytes());
        o.extend_from_slice(&start.to_le_bytes());
        o.extend_from_slice(&0u16.to_le_bytes()); // no comment
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn an_archive_reads_back_with_its_names_bytes_dates_and_modes() {
        let text = "人民日报 ".repeat(5000);
        let build = || {
            let mut a = Archive::default();
            a.add("mimetype", b"application/epub+zip", Method::Stored)
                .expect("stored");
            a.add("OEBPS/a.xhtml", text.as_bytes(), Method::Deflated)
                .expect("deflated");
            a.add("OEBPS/b.xhtml", b"", Method::Deflated)
                .expect("empty");
            a.add("OEBPS/图.png", &[0x89, b'P', b'N', b'G'], Method::Stored)
                .expect("non-ASCII name");
            a.finish().expect("finish")
        };
        let bytes = build();
        // The OCF's magic: `mimetype` first, stored, its content at byte 38.
        assert_eq!(&bytes[30..38], b"mimetype");
        assert_eq!(&bytes[38..58], b"application/epub+zip");

        let mut z = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).expect("a valid ZIP");
        let names: Vec<String> = (0..z.len())
            .map(|i| z.by_index(i).expect("entry").name().to_string())
            .collect();
        assert_eq!(
            names,
            ["mimetype", "OEBPS/a.xhtml", "OEBPS/b.xhtml", "OEBPS/图.png"]
        );
        let mut f = z.by_name("OEBPS/a.xhtml").expect("a");
        assert_eq!(f.compression(), zip::CompressionMethod::Deflated);
        assert!(f.compressed_size() < 1000, "{}", f.compressed_size());
        assert_eq!(f.unix_mode(), Some(0o100644));
        let d = f.last_modified().expect("date");
        assert_eq!((d.year(), d.month(), d.day()), (1980, 1, 1));
        let mut s = String::new();
        f.read_to_string(&mut s).expect("inflates, CRC checked");
        assert_eq!(s, text);
        drop(f);
        let mut f = z.by_name("OEBPS/b.xhtml").expect("b");
        let mut v = Vec::new();
        f.read_to_end(&mut v).expect("empty entry");
        assert!(v.is_empty());
        drop(f);
        assert_eq!(
            z.by_name("mimetype").expect("m").compression(),
            zip::CompressionMethod::Stored
        );
        // The same entries, the same bytes.
        assert_eq!(build(), bytes);
    }

    #[test]
    fn more_entries_than_the_end_record_counts_take_the_zip64_end_record() {
        let mut a = Archive::default();
        for i in 0..70_000 {
            a.add(&format!("p/{i}.xml"), b"<a/>", Method::Stored)
                .expect("entry");
        }
        let bytes = a.finish().expect("finish");
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).expect("a valid ZIP64");
        assert_eq!(z.len(), 70_000);
        let mut s = String::new();
        z.by_name("p/69999.xml")
            .expect("the last")
            .read_to_string(&mut s)
            .expect("read");
        assert_eq!(s, "<a/>");
    }
}
