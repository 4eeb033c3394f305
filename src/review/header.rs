//! Above the text: the issue's metadata (inferred fields marked), its pages and
//! articles, the PDF page estimate, counts by kind, the errors and warnings, the joins
//! with how to veto each, and the filter bar. Lists are bounded like the text.

use super::html::{escape, push_fmt};
use super::place::Placed;
use super::text::{shown, Shown, MARKS_PER_GROUP};
use super::zh::{self, Group};
use super::{glyph_text, page_name, short, Ctx, Locator};
use crate::check::IssueReport;
use crate::diagnostics::Severity;
use crate::fonts::GlyphGap;

/// Items listed in each header list (pages, articles, problems, joins).
const LIST_MAX: usize = 500;

fn more(out: &mut String, total: usize) {
    if total > LIST_MAX {
        push_fmt(
            out,
            format_args!("<li class=\"more\">另有 {} 项未列出</li>", total - LIST_MAX),
        );
    }
}

pub fn write(
    out: &mut String,
    ctx: &Ctx,
    report: &IssueReport,
    gaps: &[GlyphGap],
    shown_: &Shown,
    placed: &Placed,
    loc: &Locator,
) {
    let para_link = |line: Option<usize>| -> String {
        line.and_then(|l| shown_.para_of_line.get(l))
            .map_or(String::new(), |k| format!("#p{k}"))
    };
    // Filters: radio buttons and a checkbox ahead of everything they act on (CSS `~`).
    out.push_str(
        "<input type=\"radio\" name=\"f\" id=\"f-all\" class=\"ctl\" checked>\
         <input type=\"radio\" name=\"f\" id=\"f-join\" class=\"ctl\">\
         <input type=\"radio\" name=\"f\" id=\"f-furn\" class=\"ctl\">\
         <input type=\"radio\" name=\"f\" id=\"f-punct\" class=\"ctl\">\
         <input type=\"radio\" name=\"f\" id=\"f-warn\" class=\"ctl\">\
         <input type=\"checkbox\" id=\"orig\" class=\"ctl\">\n",
    );
    let meta = report.meta.as_ref();
    out.push_str("<header class=\"top\">\n");
    push_fmt(
        out,
        format_args!(
            "<p class=\"eyebrow\">排版审校页 · <code>{}</code></p>\n<h1>{}</h1>\n",
            escape(&report.input.display().to_string()),
            escape(meta.map_or("", |m| m.title.as_str()))
        ),
    );
    if let Some(m) = meta {
        let date = m.date.map(|d| d.iso());
        let fields: [(&str, Option<&str>); 6] = [
            ("newspaper", m.newspaper.as_deref()),
            ("date", date.as_deref()),
            ("issue_number", m.issue_number.as_deref()),
            ("title", Some(m.title.as_str())),
            ("language", Some(m.language.as_str())),
            ("publisher", m.publisher.as_deref()),
        ];
        out.push_str("<dl class=\"meta\">");
        for (f, v) in fields {
            push_fmt(
                out,
                format_args!(
                    "<div><dt>{}</dt><dd>{}",
                    zh::field_name(f),
                    v.map_or("—".to_string(), escape)
                ),
            );
            if let Some(i) = m.inferred.iter().find(|i| i.field == f) {
                push_fmt(
                    out,
                    format_args!(
                        " <span class=\"inf\">推断 · {}</span>",
                        escape(&zh::inferred_from(&i.from))
                    ),
                );
            }
            out.push_str("</dd></div>");
        }
        out.push_str("</dl>\n");
    }
    let repairs: usize = report.repairs.values().sum();
    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    let pages = ctx.n.pages.len();
    let stats = [
        (
            "版面",
            if pages == 0 {
                "—".to_string()
            } else {
                pages.to_string()
            },
            "",
        ),
        ("文章", report.articles.len().to_string(), ""),
        (
            "预计 PDF 页数",
            report.estimated_pages.map_or("—".into(), |p| p.to_string()),
            "",
        ),
        ("修复", repairs.to_string(), ""),
        (
            "警告",
            warnings.to_string(),
            if warnings > 0 { " warn" } else { "" },
        ),
        (
            "错误",
            errors.to_string(),
            if errors > 0 { " err" } else { "" },
        ),
    ];
    out.push_str("<ul class=\"stats\">");
    for (label, v, class) in stats {
        push_fmt(
            out,
            format_args!("<li class=\"stat{class}\"><b>{v}</b><span>{label}</span></li>"),
        );
    }
    out.push_str("</ul>\n");
    counts(out, report, shown_);
    out.push_str("</header>\n");

    problems(out, report, gaps, loc, &para_link);
    joins(out, ctx, placed);
    details_pages(out, ctx);
    articles(out, report, loc, &para_link);
    bar(out, ctx, report);
}

/// Repairs by kind, and what the page marks of each group.
fn counts(out: &mut String, report: &IssueReport, s: &Shown) {
    if report.repairs.is_empty() {
        out.push_str("<p class=\"counts\">没有修复。</p>\n");
        return;
    }
    out.push_str(
        "<table class=\"counts\"><thead><tr><th>修复</th><th>处数</th></tr></thead><tbody>",
    );
    // Grouped as the filters are: joins, furniture, punctuation.
    let mut kinds: Vec<(&String, &usize)> = report.repairs.iter().collect();
    kinds.sort_by_key(|(k, _)| (zh::repair_group(k), k.as_str()));
    for (kind, n) in kinds {
        push_fmt(
            out,
            format_args!(
                "<tr class=\"g-{}\"><td>{}</td><td>{n}</td></tr>",
                zh::repair_group(kind).class(),
                escape(zh::kind_name(kind))
            ),
        );
    }
    out.push_str("</tbody></table>\n");
    let over: usize = s.over.iter().sum();
    if over > 0 || s.folded > 0 {
        let mut parts = Vec::new();
        for g in Group::ALL {
            if s.over[g as usize] > 0 {
                parts.push(format!(
                    "{}：标出 {} 处，另 {} 处已修复未标出",
                    g.label(),
                    s.marked[g as usize],
                    s.over[g as usize]
                ));
            }
        }
        if s.folded > 0 {
            parts.push(format!("{} 段没有标注的正文折叠", s.folded));
        }
        push_fmt(
            out,
            format_args!(
                "<p class=\"bound\">此期很大：为使页面在浏览器中流畅，接合、版面杂项、警告各最多标出 {} 处，标点 {} 处，正文超过约 25 万字节后只显示标注处前后文。{}。</p>\n",
                MARKS_PER_GROUP[0],
                MARKS_PER_GROUP[2],
                escape(&parts.join("；"))
            ),
        );
    }
}

fn problems(
    out: &mut String,
    report: &IssueReport,
    gaps: &[GlyphGap],
    loc: &Locator,
    para_link: &dyn Fn(Option<usize>) -> String,
) {
    let items: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::Warning && f.kind != "missing-glyph")
        .collect();
    if items.is_empty() && gaps.is_empty() {
        out.push_str("<section class=\"panel ok\"><h2>错误与警告</h2><p>没有错误，也没有警告。</p></section>\n");
        return;
    }
    out.push_str(
        "<section class=\"panel\" id=\"problems\"><h2>错误与警告</h2><ul class=\"problems\">",
    );
    let mut rows: Vec<(bool, String, String, String, Option<usize>)> = Vec::new();
    for g in gaps {
        let line = g.first.as_ref().and_then(|l| loc.line(&l.path, l.line));
        rows.push((
            g.fallback.is_none(),
            "missing-glyph".into(),
            glyph_text(g),
            g.first.as_ref().map_or(String::new(), short),
            line,
        ));
    }
    for f in items {
        let line = match (&f.file, f.line) {
            (Some(p), Some(l)) => loc.line(p, l),
            _ => None,
        };
        let at = match (&f.file, f.line) {
            (Some(p), Some(l)) => short(&crate::model::Location {
                path: p.clone(),
                line: l,
            }),
            _ => String::new(),
        };
        rows.push((
            f.severity == Severity::Error,
            f.kind.clone(),
            zh::message(&f.kind, &f.message),
            at,
            line,
        ));
    }
    rows.sort_by_key(|r| std::cmp::Reverse(r.0));
    let total = rows.len();
    for (error, kind, text, at, line) in rows.into_iter().take(LIST_MAX) {
        let link = para_link(line);
        let at = if link.is_empty() || at.is_empty() {
            escape(&at)
        } else {
            format!("<a href=\"{link}\">{}</a>", escape(&at))
        };
        push_fmt(
            out,
            format_args!(
                "<li class=\"{}\"><b>{} · {}</b> {} <span class=\"at\">{at}</span></li>",
                if error { "err" } else { "warn" },
                if error { "错误" } else { "警告" },
                escape(zh::kind_name(&kind)),
                escape(&text)
            ),
        );
    }
    more(out, total);
    out.push_str("</ul></section>\n");
}

/// Every join, in order: what it joined, why, where, and how to keep the two apart.
fn joins(out: &mut String, ctx: &Ctx, placed: &Placed) {
    let joins: Vec<usize> = (0..ctx.n.repairs.len())
        .filter(|&i| ctx.n.repairs[i].kind == "page-break-join")
        .collect();
    if joins.is_empty() {
        return;
    }
    push_fmt(
        out,
        format_args!(
            "<section class=\"panel\" id=\"joins\"><h2>跨版接合（{}）</h2><p class=\"hint\">每处接合在正文中以红色竖线标出；若两段本应分开，在所示行之前单独一行写 <code>{}</code>，再运行一次。</p><ol class=\"joins\">",
            joins.len(),
            escape(crate::normalize::KEEP_MARKER)
        ),
    );
    for &i in joins.iter().take(LIST_MAX) {
        let r = &ctx.n.repairs[i];
        let extra: Vec<String> = placed
            .at_seam
            .get(&i)
            .map(|v| {
                v.iter()
                    .map(|&x| {
                        let e = &ctx.n.repairs[x];
                        let what = if e.kind == "repeated-overlap" {
                            &e.after
                        } else {
                            &e.before
                        };
                        format!("{}「{}」", zh::kind_name(e.kind), shown(what))
                    })
                    .collect()
            })
            .unwrap_or_default();
        push_fmt(
            out,
            format_args!(
                "<li><a href=\"#r{i}\">{}</a> 「{}」 → 「{}」",
                escape(&ctx.at_input(r.line)),
                escape(&shown(&r.before)),
                escape(&shown(&r.after))
            ),
        );
        if !extra.is_empty() {
            push_fmt(out, format_args!(" · {}", escape(&extra.join("，"))));
        }
        if let Some(v) = r.veto_line {
            push_fmt(
                out,
                format_args!(
                    "<br><span class=\"veto\">保持分段：在 <b>{}</b> 之前加 <code>{}</code></span>",
                    escape(&ctx.at_input(v)),
                    escape(crate::normalize::KEEP_MARKER)
                ),
            );
        }
        out.push_str("</li>");
    }
    more(out, joins.len());
    out.push_str("</ol></section>\n");
}

fn details_pages(out: &mut String, ctx: &Ctx) {
    let pages = &ctx.n.pages;
    if pages.is_empty() {
        out.push_str("<section class=\"panel\"><h2>版面</h2><p>未见版头或版号：此期没有标出版面分界。</p></section>\n");
        return;
    }
    push_fmt(
        out,
        format_args!(
            "<details class=\"panel\"><summary>版面（{}）</summary><ol class=\"pages\">",
            pages.len()
        ),
    );
    for (i, b) in pages.iter().enumerate().take(LIST_MAX) {
        push_fmt(
            out,
            format_args!(
                "<li><a href=\"#pg{i}\">{}</a> <span class=\"at\">{}</span></li>",
                escape(&page_name(b)),
                escape(&ctx.at_input(b.input_line))
            ),
        );
    }
    more(out, pages.len());
    out.push_str("</ol></details>\n");
}

fn articles(
    out: &mut String,
    report: &IssueReport,
    loc: &Locator,
    para_link: &dyn Fn(Option<usize>) -> String,
) {
    if report.articles.is_empty() {
        return;
    }
    push_fmt(
        out,
        format_args!(
            "<details class=\"panel\"><summary>文章（{}）</summary><ol class=\"articles\">",
            report.articles.len()
        ),
    );
    let file = &report.input;
    for a in report.articles.iter().take(LIST_MAX) {
        let line = a.line.and_then(|l| {
            // Headlines carry a file line; for a folder issue the file is unknown here,
            // so the first file holding that line is taken.
            loc.line(file, l).or_else(|| loc.line_any(l))
        });
        let link = para_link(line);
        out.push_str("<li>");
        if let Some(k) = &a.kicker {
            push_fmt(
                out,
                format_args!("<span class=\"kicker\">{}</span> ", escape(k)),
            );
        }
        if link.is_empty() {
            push_fmt(out, format_args!("<b>{}</b>", escape(&a.title)));
        } else {
            push_fmt(
                out,
                format_args!("<a href=\"{link}\"><b>{}</b></a>", escape(&a.title)),
            );
        }
        for s in &a.subtitles {
            push_fmt(
                out,
                format_args!(" <span class=\"sub\">——{}</span>", escape(s)),
            );
        }
        if !a.sections.is_empty() {
            push_fmt(
                out,
                format_args!(" <span class=\"secs\">（{} 节）</span>", a.sections.len()),
            );
        }
        out.push_str("</li>");
    }
    more(out, report.articles.len());
    out.push_str("</ol></details>\n");
}

/// The sticky bar: one filter per group, with counts, and the original-text toggle.
fn bar(out: &mut String, ctx: &Ctx, report: &IssueReport) {
    let mut counts = [0usize; 4];
    for r in &ctx.n.repairs {
        counts[zh::repair_group(r.kind) as usize] += 1;
    }
    counts[Group::Warn as usize] = report.count(Severity::Warning) + report.count(Severity::Error);
    out.push_str(
        "<nav class=\"bar\" aria-label=\"筛选\"><label for=\"f-all\" class=\"chip\">全部</label>",
    );
    for g in Group::ALL {
        push_fmt(
            out,
            format_args!(
                "<label for=\"f-{c}\" class=\"chip c-{c}\">{} <b>{}</b></label>",
                g.label(),
                counts[g as usize],
                c = g.class()
            ),
        );
    }
    out.push_str("<label for=\"orig\" class=\"chip toggle\">显示原文</label></nav>\n");
}

/// The page of an issue that could not be read: what, and why.
pub fn failure(out: &mut String, report: &IssueReport) {
    push_fmt(
        out,
        format_args!(
            "<header class=\"top\"><p class=\"eyebrow\">排版审校页 · <code>{}</code></p><h1>此期无法读取</h1></header>\n<section class=\"panel\" id=\"problems\"><h2>错误</h2><ul class=\"problems\">",
            escape(&report.input.display().to_string())
        ),
    );
    for f in &report.findings {
        push_fmt(
            out,
            format_args!(
                "<li class=\"err\"><b>错误 · {}</b> <code>{}</code></li>",
                escape(zh::kind_name(&f.kind)),
                escape(&f.message)
            ),
        );
    }
    out.push_str("</ul><p>没有生成文本视图。请按上面的提示修正文件（编码须为 UTF-8，元数据须合法），再运行 <code>paiban check --html</code>。</p></section>\n");
}
