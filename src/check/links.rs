//! Links whose target is not a valid URL (or a local file that exists).

use super::{each_inline, Finding};
use crate::diagnostics::Severity;
use crate::model::{Document, Inline};

pub fn check_links(doc: &Document) -> Vec<Finding> {
    let mut out = Vec::new();
    each_inline(doc, |i, loc| {
        if let Inline::Link { url, .. } = i {
            if let Some(problem) = url_problem(url) {
                out.push(Finding::new(
                    Severity::Warning,
                    "bad-link",
                    loc.cloned(),
                    format!("link `{url}` {problem}"),
                ));
            }
        }
    });
    out
}

/// Why a link target is not usable, or None. Accepts absolute URLs with a known scheme,
/// `mailto:`, in-document `#anchors` and relative paths without spaces.
fn url_problem(url: &str) -> Option<&'static str> {
    let url = url.trim();
    if url.is_empty() {
        return Some("is empty");
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some("contains spaces or control characters");
    }
    if let Some((scheme, rest)) = url.split_once(':') {
        let scheme_ok = scheme
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
        if scheme_ok {
            return match scheme.to_ascii_lowercase().as_str() {
                "http" | "https" | "ftp" => {
                    let host = rest
                        .strip_prefix("//")
                        .map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
                    match host {
                        Some(h) if valid_host(h) => None,
                        Some(_) => Some("has no valid host name"),
                        None => Some("is missing `//` after the scheme"),
                    }
                }
                "mailto" if rest.contains('@') => None,
                "mailto" => Some("is not an e-mail address"),
                "tel" | "urn" | "doi" | "data" => None,
                _ => Some("has an unknown scheme"),
            };
        }
    }
    // Full-width characters in a URL are the typical converter damage (`https：//`).
    if url.chars().any(crate::cjk::is_cjk_punct) {
        return Some("contains full-width punctuation");
    }
    None
}

fn valid_host(h: &str) -> bool {
    let h = h.rsplit('@').next().unwrap_or(h);
    let h = h.split(':').next().unwrap_or(h);
    !h.is_empty()
        && h.split('.').all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

#[cfg(test)]
mod tests {
    use super::url_problem;

    #[test]
    fn urls() {
        assert_eq!(url_problem("https://www.wj.gov.cn/a?b=1#c"), None);
        assert_eq!(url_problem("mailto:editor@example.com"), None);
        assert_eq!(url_problem("#note"), None);
        assert_eq!(url_problem("pages/2.html"), None);
        assert!(url_problem("https：//example.com").is_some());
        assert!(url_problem("http:/example.com").is_some());
        assert!(url_problem("http://exa mple.com").is_some());
        assert_eq!(url_problem("htp//x"), None); // a relative path
        assert!(url_problem("").is_some());
        assert!(url_problem("http://").is_some());
    }
}
