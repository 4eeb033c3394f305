//! The EPUB's container (OCF: a ZIP archive), written by paiban rather than by
//! epub-builder's `ZipLibrary`: that starts a new deflate encoder for each file (zlib's
//! tables allocated and cleared a dozen times a book) and stamps the current time, so the
//! archive had to be read back and rewritten. [`Collected`] keeps the files epub-builder
//! hands over; `crate::zip_archive` writes them once.

use std::cell::RefCell;
use std::io::{Read, Write};
use std::path::Path;
use std::rc::Rc;

/// A file of the book: its path in the archive and its bytes.
pub type File = (String, Vec<u8>);

/// The files epub-builder writes, in its order. A clone shares them: the builder consumes
/// its copy, the caller [`Collected::take`]s them after.
#[derive(Clone, Default)]
pub struct Collected(Rc<RefCell<Vec<File>>>);

impl Collected {
    pub fn take(&self) -> Vec<File> {
        std::mem::take(&mut *self.0.borrow_mut())
    }
}

impl epub_builder::Zip for Collected {
    fn write_file<P: AsRef<Path>, R: Read>(
        &mut self,
        path: P,
        mut content: R,
    ) -> epub_builder::Result<()> {
        // Archive paths use `/` whatever the system's separator.
        let name = path.as_ref().to_string_lossy().replace('\\', "/");
        let mut data = Vec::new();
        content
            .read_to_end(&mut data)
            .map_err(|cause| epub_builder::Error::IoError {
                msg: format!("could not read '{name}' for the EPUB"),
                cause,
            })?;
        self.0.borrow_mut().push((name, data));
        Ok(())
    }

    /// Nothing to write: the caller builds the archive from [`Collected::take`].
    fn generate<W: Write>(self, _: W) -> epub_builder::Result<()> {
        Ok(())
    }
}
