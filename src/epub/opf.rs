//! Package metadata epub-builder does not write, added to its `content.opf` when the
//! archive is repacked: the package's `xml:lang`, `dc:source` (the print edition the
//! page-list refers to), the series an issue belongs to (`belongs-to-collection`, so
//! readers group one paper's issues) and the accessibility metadata of EPUB
//! Accessibility 1.1 (schema.org properties and, where the content meets it, the
//! conformance claim).

use super::xhtml::escape;

/// What the package says about itself beyond epub-builder's metadata.
pub struct Extra {
    pub lang: String,
    /// `武进日报 2023年12月29日 印刷版`: the print edition, when the issue has print pages.
    pub source: Option<String>,
    /// The paper's name, and the issue's number within the series when it is a number.
    pub series: Option<(String, Option<u64>)>,
    pub has_images: bool,
    pub images_without_alt: bool,
    pub page_list: bool,
    /// Pages turn right to left (vertical setting): `page-progression-direction="rtl"`.
    pub rtl: bool,
}

/// `第12345期` → 12345; text that is no number → None.
pub fn issue_position(issue_number: &str) -> Option<u64> {
    let digits: String = issue_number
        .chars()
        .filter(|c| !matches!(c, '第' | '期' | '总' | ' '))
        .collect();
    digits
        .parse::<u64>()
        .ok()
        .filter(|_| digits.bytes().all(|b| b.is_ascii_digit()))
}

fn meta(out: &mut String, property: &str, value: &str) {
    out.push_str(&format!(
        "    <meta property=\"{property}\">{}</meta>\n",
        escape(value)
    ));
}

/// The metadata elements to add.
fn elements(x: &Extra) -> String {
    let mut out = String::new();
    if let Some(s) = &x.source {
        // The print edition the page-list follows (`source-of` `pagination`, as EPUB 3
        // and DAISY Ace read it).
        out.push_str(&format!(
            "    <dc:source id=\"print-source\">{}</dc:source>\n    <meta refines=\"#print-source\" property=\"source-of\">pagination</meta>\n",
            escape(s)
        ));
    }
    if let Some((name, position)) = &x.series {
        out.push_str(&format!(
            "    <meta property=\"belongs-to-collection\" id=\"series\">{}</meta>\n    <meta refines=\"#series\" property=\"collection-type\">series</meta>\n",
            escape(name)
        ));
        if let Some(p) = position {
            out.push_str(&format!(
                "    <meta refines=\"#series\" property=\"group-position\">{p}</meta>\n"
            ));
        }
    }
    if x.rtl {
        // Kindle reads the book's direction from this OPF 2 meta (EPUB 3 keeps it as legacy).
        out.push_str("    <meta name=\"primary-writing-mode\" content=\"vertical-rl\"/>\n");
    }
    meta(&mut out, "schema:accessMode", "textual");
    if x.has_images {
        meta(&mut out, "schema:accessMode", "visual");
    }
    meta(&mut out, "schema:accessModeSufficient", "textual");
    let mut features = vec!["structuralNavigation", "tableOfContents", "readingOrder"];
    if x.page_list {
        features.extend(["printPageNumbers", "pageBreakMarkers", "pageNavigation"]);
    }
    if x.has_images && !x.images_without_alt {
        features.push("alternativeText");
    }
    for f in features {
        meta(&mut out, "schema:accessibilityFeature", f);
    }
    meta(&mut out, "schema:accessibilityHazard", "none");
    let mut summary =
        String::from("本刊为文字版报纸，按文章组织，标题层级与阅读顺序同印刷版一致，附有目录导航");
    if x.page_list {
        summary.push_str("，并标注印刷版页码");
    }
    if x.has_images && x.images_without_alt {
        summary.push_str("；部分图片缺少替代文字");
    }
    summary.push('。');
    meta(&mut out, "schema:accessibilitySummary", &summary);
    if !x.images_without_alt {
        meta(
            &mut out,
            "dcterms:conformsTo",
            "EPUB Accessibility 1.1 - WCAG 2.1 Level AA",
        );
    }
    out
}

/// The OPF with the extra metadata and the package language.
pub fn patch(opf: &str, x: &Extra) -> String {
    let mut s = opf.to_string();
    if let Some(at) = s.find("<package ") {
        let head_end = s[at..].find('>').map_or(s.len(), |e| at + e);
        if !s[at..head_end].contains("xml:lang") {
            s.insert_str(
                at + "<package ".len(),
                &format!("xml:lang=\"{}\" ", escape(&x.lang)),
            );
        }
    }
    if let Some(at) = s.find("</metadata>") {
        s.insert_str(at, &elements(x));
    }
    if x.rtl {
        // epub-builder writes `ltr` itself; the attribute may appear only once.
        if let Some(at) = s.find("<spine") {
            let end = s[at..].find('>').map_or(s.len(), |e| at + e);
            let tag = s[at..end].replace(" page-progression-direction=\"ltr\"", "");
            let tag = tag.replacen("<spine", "<spine page-progression-direction=\"rtl\"", 1);
            s.replace_range(at..end, &tag);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions() {
        assert_eq!(issue_position("第12345期"), Some(12345));
        assert_eq!(issue_position("12345"), Some(12345));
        assert_eq!(issue_position("特刊"), None);
        assert_eq!(issue_position("第12A期"), None);
    }

    #[test]
    fn patched() {
        let opf = "<package xmlns=\"x\" version=\"3.0\">\n<metadata>\n</metadata>\n<spine toc=\"ncx\" page-progression-direction=\"ltr\">\n</spine>\n</package>";
        let out = patch(
            opf,
            &Extra {
                lang: "zh-CN".into(),
                source: Some("武进日报 2023年12月29日 印刷版".into()),
                series: Some(("武进日报".into(), Some(8888))),
                has_images: false,
                images_without_alt: false,
                page_list: true,
                rtl: true,
            },
        );
        assert!(out.starts_with("<package xml:lang=\"zh-CN\" xmlns="));
        assert!(out.contains(">武进日报 2023年12月29日 印刷版</dc:source>"));
        assert!(out.contains("property=\"source-of\">pagination<"));
        assert!(out.contains("property=\"group-position\">8888<"));
        assert!(out.contains(">printPageNumbers<"));
        assert!(out.contains("dcterms:conformsTo"));
        assert!(out.contains("<spine page-progression-direction=\"rtl\" toc=\"ncx\">"));
        assert!(out.contains("<meta name=\"primary-writing-mode\" content=\"vertical-rl\"/>"));
    }
}
