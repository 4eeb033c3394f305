//! What the EPUB holds: byte-identical rebuilds, the navigation, the markup of headline
//! groups, language, escaping, soft breaks, metadata, warnings on bad input.

mod epub_support;
use epub_support::*;
use paiban::epub::EpubOptions;

fn sample_epub() -> (Vec<String>, std::collections::BTreeMap<String, Vec<u8>>) {
    unzip(&build(&sample(), &EpubOptions::default()).0)
}

#[test]
fn two_builds_are_byte_identical() {
    for input in [sample(), fixture("features-2024-03-15.md")] {
        let a = build(&input, &EpubOptions::default()).0;
        let b = build(&input, &EpubOptions::default()).0;
        assert!(a.len() > 1000);
        assert!(a == b, "{}: two builds differ", input.display());
    }
    // Through the command line too, into two folders.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut outs = Vec::new();
    for sub in ["one", "two"] {
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_paiban"))
            .args(["build", "--epub", "-o"])
            .arg(dir.path().join(sub))
            .arg(sample())
            .status()
            .expect("run paiban");
        assert!(status.success());
        outs.push(std::fs::read(dir.path().join(sub).join("wujin-2023-12-29.epub")).expect("epub"));
    }
    assert!(outs[0] == outs[1], "two `paiban build` runs differ");
}

#[test]
fn mimetype_comes_first_and_stored_with_fixed_dates() {
    let bytes = build(&sample(), &EpubOptions::default()).0;
    // The OCF rule: the first local file header is `mimetype`, uncompressed.
    assert_eq!(&bytes[0..4], b"PK\x03\x04");
    assert_eq!(
        u16::from_le_bytes([bytes[8], bytes[9]]),
        0,
        "mimetype is stored"
    );
    assert_eq!(&bytes[30..38], b"mimetype");
    assert_eq!(&bytes[38..58], b"application/epub+zip");
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).expect("zip");
    for i in 0..z.len() {
        let f = z.by_index(i).expect("entry");
        let t = f.last_modified().expect("a date");
        assert_eq!((t.year(), t.month(), t.day()), (1980, 1, 1), "{}", f.name());
    }
}

#[test]
fn nav_lists_the_three_titles_and_not_kickers_or_subtitles() {
    let (_, map) = sample_epub();
    let nav = text(&map, "OEBPS/nav.xhtml");
    let toc = nav
        .split("epub:type=\"toc\"")
        .nth(1)
        .and_then(|s| s.split("</nav>").next())
        .expect("a toc nav");
    let entries: Vec<String> = toc
        .split("<a href=")
        .skip(1)
        .map(|e| strip_tags(&format!("<a href={e}")).trim().to_string())
        .collect();
    assert_eq!(
        entries,
        [
            "勇挑大梁走在前 勇攀新高再出发 奋力推进中国式现代化武进新实践",
            "中国共产党常州市武进区第十三届委员会第六次全体会议决议",
            "凝心聚力扛使命 奋楫扬帆启新程",
        ],
        "{toc}"
    );
    for not in [
        "中共常州市武进区委十三届六次全会召开",
        "区委常委会主持会议",
        "新闻链接",
    ] {
        assert!(!toc.contains(not), "{not} must not be in the TOC");
    }
    assert!(
        nav.contains("lang=\"zh-CN\""),
        "the nav declares its language"
    );
}

#[test]
fn headline_groups_are_marked_up_and_every_document_is_chinese() {
    let (order, map) = sample_epub();
    let articles: Vec<&String> = order.iter().filter(|n| n.contains("article-")).collect();
    assert_eq!(articles.len(), 3, "one XHTML file per article: {order:?}");
    let marked = text(&map, articles[0]);
    // Headlines carry their phrases and word breaks (below); the text itself is unchanged.
    let first = without_breaks(&marked);
    assert!(first.contains("<p class=\"kicker\">中共常州市武进区委十三届六次全会召开</p>"));
    assert!(first.contains(
        "<h1 class=\"title\">勇挑大梁走在前 勇攀新高再出发 奋力推进中国式现代化武进新实践</h1>"
    ));
    assert!(first.contains("<p class=\"subtitle\">区委常委会主持会议 乔俊杰作报告</p>"));
    assert!(first.contains("<h2>新闻链接</h2>"), "sections are h2");
    // Phrases as spans that keep together, `<wbr/>` only between words.
    assert!(
        marked.contains("<h1 class=\"title\"><span class=\"phrase\">勇挑大梁"),
        "{marked}"
    );
    assert!(marked.contains("</span> <span class=\"phrase\">勇攀<wbr/>新高"));
    assert!(
        marked.contains("<span class=\"phrase\">奋力<wbr/>推进"),
        "{marked}"
    );
    for inside_a_word in ["奋<wbr/>力", "现<wbr/>代", "乔<wbr/>", "实<wbr/>践"] {
        assert!(
            !marked.contains(inside_a_word),
            "{inside_a_word} in {marked}"
        );
    }
    let third = text(&map, articles[2]);
    assert!(
        third.contains("<p class=\"byline\">□ 本报评论员</p>"),
        "{third}"
    );
    // `——聚焦……。` paragraphs: the opening phrase up to its full stop is set in bold.
    let leads = "<p class=\"dash-lead\"><span class=\"lead\">——聚焦";
    assert_eq!(third.matches(leads).count(), 3, "{third}");
    assert_eq!(third.matches("度”。</span>").count(), 3, "{third}");
    for name in order.iter().filter(|n| n.ends_with(".xhtml")) {
        let x = text(&map, name);
        assert!(
            x.contains("lang=\"zh-CN\" xml:lang=\"zh-CN\"") || x.contains("lang=\"zh-CN\""),
            "{name} has no lang"
        );
    }
    let opf = text(&map, "OEBPS/content.opf");
    assert!(opf.contains("<dc:language id=\"epub-creator-0\">zh-CN</dc:language>"));
}

/// Pairs of hanzi that a soft line break separates in the source: the last of one line and
/// the first of the next, inside the same paragraph.
fn soft_break_pairs(source: &str) -> Vec<String> {
    let lines: Vec<&str> = source.lines().collect();
    let mut pairs = Vec::new();
    for w in lines.windows(2) {
        let (a, b) = (w[0].trim_end(), w[1].trim_start());
        let starts_block = |l: &str| {
            l.is_empty()
                || l.starts_with(['#', '-', '>', '|', '*', '`', '[', '!'])
                || l.ends_with("  ")
        };
        if a.is_empty() || starts_block(b) || a.starts_with(['#', '|', '`']) || w[0].ends_with("  ")
        {
            continue;
        }
        if let (Some(x), Some(y)) = (a.chars().last(), b.chars().next()) {
            if paiban::cjk::is_han(x) && paiban::cjk::is_han(y) {
                pairs.push(format!("{x}{y}"));
            }
        }
    }
    pairs
}

#[test]
fn no_space_between_chinese_characters_from_soft_breaks() {
    let mut inputs = vec![sample(), fixture("features-2024-03-15.md")];
    inputs.extend(corpus_clean());
    let mut checked = 0;
    for input in inputs {
        let source = std::fs::read_to_string(&input).expect("source");
        let (order, map) = unzip(&build(&input, &EpubOptions::default()).0);
        let mut body = String::new();
        for name in order.iter().filter(|n| n.contains("article-")) {
            let x = text(&map, name);
            // No line break inside any paragraph: it would render as a space.
            for para in x.split("<p").skip(1).filter(|p| p.starts_with(['>', ' '])) {
                let inner = para.split("</p>").next().unwrap_or("");
                assert!(
                    !inner.contains('\n'),
                    "{name}: a line break inside <p{inner}"
                );
            }
            body.push_str(&strip_tags(&x));
        }
        for pair in soft_break_pairs(&source) {
            assert!(
                body.contains(&pair),
                "{}: `{pair}` was broken across source lines and must be joined without a space",
                input.display()
            );
            checked += 1;
        }
    }
    assert!(checked > 0, "the inputs have soft breaks between hanzi");
    // Latin words keep their space.
    let (_, map) = unzip(&build(&fixture("features-2024-03-15.md"), &EpubOptions::default()).0);
    let a = text(&map, "OEBPS/article-001.xhtml");
    assert!(a.contains("检验软换行在中文字符之间"), "{a}");
    assert!(a.contains("English words stay separated"), "{a}");
}

#[test]
fn special_characters_are_escaped_everywhere() {
    let (order, map) = unzip(&build(&fixture("features-2024-03-15.md"), &EpubOptions::default()).0);
    let a = without_breaks(&text(&map, "OEBPS/article-001.xhtml"));
    assert!(
        a.contains("标题含 &lt;尖括号&gt;、&amp; 与 &quot;引号&quot;"),
        "{a}"
    );
    assert!(a.contains("引题：&lt;测试&gt; &amp; &quot;转义&quot;"));
    assert!(a.contains("代码块 &lt;不是标签&gt; &amp; 保留原样"));
    assert!(a.contains("href=\"https://example.org/?a=1&amp;b=2\""));
    let nav = text(&map, "OEBPS/nav.xhtml");
    assert!(
        nav.contains("标题含 &lt;尖括号&gt;、&amp; 与 &quot;引号&quot;"),
        "{nav}"
    );
    let opf = text(&map, "OEBPS/content.opf");
    assert!(
        opf.contains("<dc:title>示例&lt;晚报&gt; &amp; \"周刊\" 2024年3月15日 第9527期</dc:title>"),
        "{opf}"
    );
    // Every block kind arrived.
    for tag in [
        "<ul>",
        "<ol>",
        "<blockquote>",
        "<table>",
        "<figure",
        "<pre>",
        "epub:type=\"footnote\"",
        "epub:type=\"noteref\"",
        "<hr/>",
        "<h2>",
    ] {
        assert!(a.contains(tag), "{tag} missing");
    }
    // The image went in once although used twice.
    let images: Vec<&String> = order.iter().filter(|n| n.contains("images/")).collect();
    assert_eq!(images.len(), 2, "{order:?}");
    assert_eq!(
        map[images[0]],
        std::fs::read(fixture("chequer.png")).expect("png")
    );
    assert_eq!(
        map[images[1]],
        std::fs::read(fixture("seal.svg")).expect("svg")
    );
    assert!(text(&map, "OEBPS/content.opf").contains("media-type=\"image/svg+xml\""));
}

#[test]
fn metadata_is_derived_from_the_issue() {
    let (_, map) = sample_epub();
    let opf = text(&map, "OEBPS/content.opf");
    assert!(
        opf.contains("<meta property=\"dcterms:modified\">2023-12-29T00:00:00Z</meta>"),
        "{opf}"
    );
    assert!(opf.contains("<dc:date>2023-12-29T00:00:00Z</dc:date>"));
    let id = opf
        .split("<dc:identifier id=\"epub-id-1\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("identifier");
    assert!(id.starts_with("urn:uuid:"), "{id}");
    // Another issue gets another identifier.
    let (_, other) = unzip(&build(&fixture("features-2024-03-15.md"), &EpubOptions::default()).0);
    assert!(!text(&other, "OEBPS/content.opf").contains(id));
    assert!(text(&other, "OEBPS/content.opf")
        .contains("<meta property=\"dcterms:publisher\">示例报业 &amp; 传媒集团</meta>"));
}

#[test]
fn bad_input_gives_warnings_naming_file_and_line() {
    let input = fixture("bad-input-2024-03-16.md");
    let (bytes, diags) = build(&input, &EpubOptions::default());
    let has = |kind: &str, line: &str| {
        diags
            .iter()
            .any(|(k, msg)| k == kind && msg.contains(&format!("bad-input-2024-03-16.md:{line}")))
    };
    assert!(has("raw-html", "8"), "{diags:#?}");
    assert!(has("missing-image", "12"), "{diags:#?}");
    assert!(has("unsupported-image", "14"), "{diags:#?}");
    assert!(has("unsupported-image", "18"), "a scripted SVG: {diags:#?}");
    let (order, map) = unzip(&bytes);
    assert!(!order.iter().any(|n| n.contains("images/")), "{order:?}");
    let a = text(&map, "OEBPS/article-001.xhtml");
    assert!(
        !a.contains("<div") && !a.contains("<span") && !a.contains("<b>"),
        "{a}"
    );
    assert!(a.contains("不是图片的文件"), "the alt text stays: {a}");
}

#[test]
fn style_option_replaces_the_house_style() {
    let dir = tempfile::tempdir().expect("tempdir");
    let css = dir.path().join("mine.css");
    std::fs::write(&css, "p { text-indent: 0; color: #123456; }\n").expect("css");
    let opts = EpubOptions {
        style_css: Some(css),
        ..Default::default()
    };
    let (_, map) = unzip(&build(&sample(), &opts).0);
    assert_eq!(
        text(&map, "OEBPS/stylesheet.css"),
        "p { text-indent: 0; color: #123456; }\n"
    );
    let (_, map) = sample_epub();
    let house = text(&map, "OEBPS/stylesheet.css");
    for rule in [
        "text-indent: 2em",
        "line-height: 1.75",
        "line-break: strict",
        "text-align: justify",
    ] {
        assert!(house.contains(rule), "{rule}");
    }
    assert!(
        !house.contains("font-family: \""),
        "no fixed font without --embed-font"
    );
    // A style sheet that cannot be read is an error naming it.
    let missing = EpubOptions {
        style_css: Some(dir.path().join("nope.css")),
        ..Default::default()
    };
    let err = paiban::epub::EpubEngine::new(&missing)
        .err()
        .expect("an error");
    assert!(err.to_string().contains("nope.css"), "{err}");
}

#[test]
fn an_issue_without_articles_still_has_a_navigation_entry() {
    let r = paiban::epub::EpubEngine::new(&EpubOptions::default())
        .and_then(|e| e.render(&empty_document()))
        .expect("render");
    assert!(r.diagnostics.iter().any(|d| d.kind == "empty-issue"));
    let (_, map) = unzip(&r.bytes);
    let nav = text(&map, "OEBPS/nav.xhtml");
    assert!(nav.contains("<li><a href=\"article-001.xhtml\">"), "{nav}");
}

#[test]
fn control_characters_never_reach_the_package() {
    let (order, map) = unzip(&build(&fixture("control-chars.md"), &EpubOptions::default()).0);
    for name in order
        .iter()
        .filter(|n| n.ends_with(".xhtml") || n.ends_with(".opf") || n.ends_with(".ncx"))
    {
        let t = text(&map, name);
        assert!(!t.contains('\u{1}') && !t.contains('\u{b}'), "{name}");
    }
    assert!(text(&map, "OEBPS/nav.xhtml").contains("标题控制"));
}

#[test]
fn fingerprint_follows_style_and_font_options() {
    use paiban::epub::EpubEngine;
    let fp = |o: &EpubOptions| EpubEngine::new(o).expect("engine").fingerprint();
    let base = fp(&EpubOptions::default());
    assert_eq!(base, fp(&EpubOptions::default()), "stable");
    assert_eq!(base.len(), 16);
    let dir = tempfile::tempdir().expect("tempdir");
    let css = dir.path().join("s.css");
    std::fs::write(&css, "p { text-indent: 0 }").expect("css");
    let styled = fp(&EpubOptions {
        style_css: Some(css),
        ..Default::default()
    });
    let embedded = fp(&EpubOptions {
        embed_font: true,
        ..Default::default()
    });
    assert!(base != styled && base != embedded && styled != embedded);
}

/// XHTML with the headline break markup (`<wbr/>`, phrase spans) taken out.
fn without_breaks(x: &str) -> String {
    x.replace("<wbr/>", "")
        .replace("<span class=\"phrase\">", "")
        .replace("</span> ", " ")
        .replace("</span></", "</")
}
