//! XML parts of the package written with quick-xml (escaping is its job), and the numbers
//! OFD wants: millimetres, at most three decimals, no `-0`.

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

/// The OFD namespace (GB/T 33190-2016).
pub const NS: &str = "http://www.ofdspec.org/2016";

/// Points → millimetres, OFD's unit.
pub fn mm(pt: f32) -> f32 {
    pt * 25.4 / 72.0
}

/// A number as OFD writes it: three decimals at most, trailing zeros dropped.
pub fn num(v: f32) -> String {
    let r = (f64::from(v) * 1000.0).round() / 1000.0;
    let s = format!("{r:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" || s.is_empty() {
        "0".into()
    } else {
        s.to_string()
    }
}

/// One XML document being written into memory. Writing into a `Vec` cannot fail, so
/// the writer's io errors are impossible and dropped.
pub struct Xml {
    w: Writer<Vec<u8>>,
}

impl Default for Xml {
    fn default() -> Self {
        Self::new()
    }
}

impl Xml {
    pub fn new() -> Self {
        let mut w = Writer::new(Vec::new());
        let _ = w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
        Xml { w }
    }

    /// Opens `name` with `attrs`.
    pub fn open(&mut self, name: &str, attrs: &[(&str, &str)]) {
        let e = BytesStart::new(name).with_attributes(attrs.iter().copied());
        let _ = self.w.write_event(Event::Start(e));
    }

    pub fn close(&mut self, name: &str) {
        let _ = self.w.write_event(Event::End(BytesEnd::new(name)));
    }

    /// An element with no content.
    pub fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        let e = BytesStart::new(name).with_attributes(attrs.iter().copied());
        let _ = self.w.write_event(Event::Empty(e));
    }

    /// An element holding `text` (escaped).
    pub fn text(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.open(name, attrs);
        let _ = self.w.write_event(Event::Text(BytesText::new(text)));
        self.close(name);
    }

    pub fn finish(self) -> Vec<u8> {
        self.w.into_inner()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short_and_never_negative_zero() {
        assert_eq!(num(3.0), "3");
        assert_eq!(num(3.52778), "3.528");
        assert_eq!(num(-0.0001), "0");
        assert_eq!(num(mm(72.0)), "25.4");
    }

    #[test]
    fn text_is_escaped() {
        let mut x = Xml::new();
        x.text("a", &[("t", "<&\"")], "x<y&z");
        let s = String::from_utf8(x.finish()).unwrap();
        assert!(
            s.ends_with("<a t=\"&lt;&amp;&quot;\">x&lt;y&amp;z</a>"),
            "{s}"
        );
    }
}
