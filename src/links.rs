//! The one rule for links, shared by the EPUB, the PDF, the review page and the feed:
//! `http`, `https`, `mailto` and in-document `#anchors` are published, percent-encoded
//! where a URI needs it; anything else (`javascript:`, `file:`, `data:`, `vbscript:`,
//! relative paths, damaged URLs) keeps its text and loses its link, with a warning.

use std::fmt::Write;

/// The link as it may be published (percent-encoded), or why it may not.
pub fn publishable(url: &str) -> Result<String, &'static str> {
    let url = url.trim();
    if url.is_empty() {
        return Err("is empty");
    }
    if url.chars().any(char::is_control) {
        return Err("contains control characters");
    }
    if url.starts_with('#') {
        return Ok(encode_uri(url));
    }
    // Full-width characters in a URL are the typical converter damage (`https：//`).
    if url.chars().any(crate::cjk::is_cjk_punct) {
        return Err("contains full-width punctuation");
    }
    let Some((scheme, rest)) = url.split_once(':') else {
        return Err("is not a web or e-mail address (a relative link leads nowhere in the book)");
    };
    match scheme.to_ascii_lowercase().as_str() {
        "http" | "https" => {
            let host = rest
                .strip_prefix("//")
                .map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
            match host {
                Some(h) if valid_host(h) => Ok(encode_uri(url)),
                Some(_) => Err("has no valid host name"),
                None => Err("is missing `//` after the scheme"),
            }
        }
        "mailto" if rest.contains('@') && !rest.contains(char::is_whitespace) => {
            Ok(encode_uri(url))
        }
        "mailto" => Err("is not an e-mail address"),
        _ => Err("has a scheme that is not published (only http, https, mailto and #anchors)"),
    }
}

/// A `--base-url`: an absolute http(s) URL, percent-encoded.
pub fn base_url(url: &str) -> Result<String, String> {
    let scheme = url.trim().split_once(':').map(|s| s.0.to_ascii_lowercase());
    match (scheme.as_deref(), publishable(url)) {
        (Some("http" | "https"), Ok(u)) => Ok(u),
        (_, Err(why)) => Err(format!("`{url}` {why}")),
        _ => Err(format!("`{url}` is not an http or https URL")),
    }
}

fn valid_host(h: &str) -> bool {
    let h = h.rsplit('@').next().unwrap_or(h);
    let h = match h.strip_prefix('[') {
        // An IPv6 literal.
        Some(v6) => return v6.split(']').next().is_some_and(|a| a.contains(':')),
        None => h.split(':').next().unwrap_or(h),
    };
    !h.is_empty()
        && h.split('.').all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

/// Percent-encodes what a URI cannot hold as it is (non-ASCII, spaces, `<>"{}|\^``),
/// keeping its structure (`:/?#&=%`): links and `--base-url` may be given as IRIs.
pub fn encode_uri(u: &str) -> String {
    let mut out = String::with_capacity(u.len());
    for b in u.bytes() {
        if b > 0x20 && b < 0x7f && !b"<>\"{}|\\^`".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_mail_and_anchors() {
        assert_eq!(
            publishable("https://www.wj.gov.cn/a?b=1#c"),
            Ok("https://www.wj.gov.cn/a?b=1#c".into())
        );
        assert_eq!(
            publishable("https://example.com/a\"b 中"),
            Ok("https://example.com/a%22b%20%E4%B8%AD".into())
        );
        assert!(publishable("mailto:editor@example.com").is_ok());
        assert!(publishable("#note").is_ok());
        assert!(publishable("HTTP://x.org").is_ok());
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "file:///etc/passwd",
            "data:text/html,<script>",
            "vbscript:msgbox",
            "pages/2.html",
            "https：//example.com",
            "http:/example.com",
            "http://",
            "mailto:someone",
            "",
            "java\u{0}script:x",
        ] {
            assert!(publishable(bad).is_err(), "{bad}");
        }
        assert!(base_url("https://example.org/papers/").is_ok());
        assert!(base_url("javascript:alert(1)//").is_err());
        assert!(base_url("mailto:a@b.c").is_err());
        assert!(base_url("#x").is_err());
    }
}
