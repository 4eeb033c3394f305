//! Escaping for HTML text and attribute values. Every string that comes from the issue
//! (titles, text, file names, messages) goes through here, so a `<script>` in a title
//! shows as text.

use std::fmt::Write;

/// Appends `s` escaped for text and for double- or single-quoted attribute values.
pub fn push_escaped(out: &mut String, s: &str) {
    let mut from = 0;
    for (i, b) in s.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&s[from..i]);
        out.push_str(rep);
        from = i + 1;
    }
    out.push_str(&s[from..]);
}

/// `s` escaped, as a new string.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_escaped(&mut out, s);
    out
}

/// A file name as a relative link: characters that end or change a URL's path
/// (`#`, `?`, `%`, spaces, quotes, controls) percent-encoded; other characters,
/// Chinese included, stay (an IRI).
pub fn href(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_control() || c.is_whitespace() || "#?%\"'<>\\^`{|}".contains(c) {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                push_fmt(&mut out, format_args!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    escape(&out)
}

/// Appends formatted text (for numbers and fixed markup; never for issue text).
pub fn push_fmt(out: &mut String, args: std::fmt::Arguments<'_>) {
    let _ = out.write_fmt(args);
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(escape("武进日报"), "武进日报");
        assert_eq!(
            super::href("第1期 #2?.review.html"),
            "第1期%20%232%3F.review.html"
        );
    }
}
