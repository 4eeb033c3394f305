//! The page's Chinese wording: names of repair and finding kinds, the filter groups, and
//! Chinese forms of the messages the desk sees most. A message not known here is shown
//! as the checker wrote it, after its Chinese kind name.

/// The filter a kind belongs to (also the CSS class suffix `g-…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    /// Page-break joins, repeated overlaps, jump joins, paragraph splits.
    Join,
    /// Running heads, folios, jump lines removed.
    Furniture,
    /// Punctuation and spaces changed.
    Punct,
    /// Warnings and errors (nothing changed).
    Warn,
}

impl Group {
    pub const ALL: [Group; 4] = [Group::Join, Group::Furniture, Group::Punct, Group::Warn];

    pub fn class(self) -> &'static str {
        match self {
            Group::Join => "join",
            Group::Furniture => "furn",
            Group::Punct => "punct",
            Group::Warn => "warn",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Group::Join => "接合与分段",
            Group::Furniture => "版面杂项",
            Group::Punct => "标点与空格",
            Group::Warn => "警告与错误",
        }
    }
}

/// The filter group of a repair kind.
pub fn repair_group(kind: &str) -> Group {
    match kind {
        "page-break-join" | "repeated-overlap" | "jump-join" | "paragraph-split"
        | "paragraph-end" | "line-wrap-join" | "heading" | "heading-merge" | "heading-unmarked" => {
            Group::Join
        }
        "page-furniture" | "jump-line" => Group::Furniture,
        _ => Group::Punct,
    }
}

/// The Chinese name of a repair, warning or finding kind (the kind itself when unknown).
pub fn kind_name(kind: &str) -> &str {
    match kind {
        "page-break-join" => "跨版接合",
        "repeated-overlap" => "删除重复字",
        "page-furniture" => "删除版面杂项",
        "jump-line" => "删除转版标记",
        "jump-join" => "转版接续",
        "line-wrap-space" => "删除换行空格",
        "radical" => "部首改为汉字",
        "paragraph-split" => "分段",
        "paragraph-end" => "段落结束",
        "line-wrap-join" => "折行接合",
        "heading" => "标为标题",
        "heading-merge" => "标题合并",
        "heading-unmarked" => "取消标题",
        "punctuation" => "标点改全角",
        "latin-word" => "中文里的英文词",
        "unterminated-paragraph" => "段末无标点",
        "overlong-paragraph" => "段落过长",
        "numbered-head-inside" => "段中的序号标题",
        "unreadable-character" => "无法识别的字",
        "missing-glyph" => "字库缺字",
        "missing-image" => "图片缺失",
        "bad-link" => "链接无效",
        "raw-html" => "原始 HTML 被略去",
        "deep-nesting" => "嵌套过深",
        "remote-image" => "远程图片",
        "large-image" => "图片过大",
        "outside-image" => "图片在本期文件夹之外，已略去",
        "unsupported-image" => "图片格式不支持",
        "bad-language" => "语言标记无效",
        "unknown-page" => "版面条目无对应文件",
        "unknown-metadata" => "未用的元数据",
        "inferred-metadata" => "推断的元数据",
        "date-conflict" => "日期不一致",
        "unreadable" => "无法读取",
        other => other,
    }
}

/// The metadata field names.
pub fn field_name(field: &str) -> &str {
    match field {
        "newspaper" => "报名",
        "date" => "日期",
        "issue_number" => "期号",
        "title" => "标题",
        "language" => "语言",
        "publisher" => "出版者",
        other => other,
    }
}

/// Where an inferred field came from, in Chinese (`the name `x`` → 文件名「x」).
pub fn inferred_from(from: &str) -> String {
    if let Some(name) = from
        .strip_prefix("the name `")
        .and_then(|s| s.strip_suffix('`'))
    {
        return format!("取自文件名「{name}」");
    }
    // `the running heads (`湖北日报`, hubei.md:44)`
    if let Some((head, at)) = from
        .strip_prefix("the running heads (`")
        .and_then(|s| s.strip_suffix(')'))
        .and_then(|s| s.split_once("`, "))
    {
        return format!("取自版头「{head}」（{at}）");
    }
    match from {
        "the first main headline" => "取自第一条主标题".into(),
        "the first words of the text" => "取自正文开头".into(),
        "the default" => "默认值".into(),
        other => format!("取自 {other}"),
    }
}

/// The first `…` quoted part of a message (`the Latin word `and` stands …` → `and`).
pub fn quoted(message: &str) -> Option<&str> {
    let (_, rest) = message.split_once('`')?;
    let (q, _) = rest.split_once('`')?;
    Some(q)
}

/// A Chinese form of a normalizer warning or a check finding, when the message is one
/// of the known forms; otherwise the message as written.
pub fn message(kind: &str, message: &str) -> String {
    match (kind, quoted(message)) {
        ("latin-word", Some(w)) => {
            format!("中文里夹着英文词「{w}」：是转换错误吗？（and 通常应为「和」）")
        }
        ("unterminated-paragraph", _) => {
            "段末没有标点，但未与下一段接合（可能是无法证实的跨版断行）".into()
        }
        ("overlong-paragraph", _) => {
            let n = message
                .strip_prefix("the paragraph is ")
                .and_then(|r| r.split_once(' '))
                .map_or("", |(n, _)| n);
            let max = message
                .split_once("prints (")
                .and_then(|(_, r)| r.split_once(')'))
                .map_or("", |(m, _)| m);
            format!("这一段长达 {n} 字，超过报纸所印的任何一段（{max} 字）：转换时几段连成了一段？")
        }
        ("numbered-head-inside", Some(h)) => {
            format!("序号标题「{h}」夹在段落中间：转换时把小标题并进了正文？")
        }
        ("unreadable-character", _) => {
            "两个汉字之间的「?」是转换时无法识别的字：保留原样，请核对原版".into()
        }
        ("missing-image", Some(img)) => format!("图片「{img}」不存在：印出时将缺图"),
        ("bad-link", Some(url)) => format!("链接「{url}」{}", link_problem(message)),
        ("raw-html", _) => format!("原始 HTML 不受支持，已略去：{}", after_colon(message)),
        _ => message.to_string(),
    }
}

fn after_colon(m: &str) -> &str {
    m.split_once(": ").map_or(m, |(_, r)| r)
}

fn link_problem(m: &str) -> &'static str {
    const KNOWN: [(&str, &str); 9] = [
        ("is empty", "为空"),
        ("control characters", "含控制字符"),
        (
            "relative link",
            "不是网址或邮箱地址（相对链接在书中无处可去）：保留文字，去掉链接",
        ),
        (
            "not published",
            "的协议不予发布（只发布 http、https、mailto 与页内锚点）：保留文字，去掉链接",
        ),
        ("has no valid host", "没有有效的主机名"),
        ("missing `//`", "协议后缺少「//」"),
        ("not an e-mail", "不是电子邮件地址"),
        ("full-width", "含全角标点"),
        ("", "不是有效的网址"),
    ];
    KNOWN
        .iter()
        .find(|(en, _)| m.contains(en))
        .map_or("不是有效的网址", |(_, zh)| zh)
}

/// A Chinese form of a repair's evidence, when it is one of the joins' fixed reasons;
/// otherwise as written (overlap and furniture evidence quote the issue's own text).
pub fn evidence(e: &str) -> String {
    // `the continuation at input line 76 now follows input line 70`
    if let Some(rest) = e.strip_prefix("the continuation at input line ") {
        if let Some((from, to)) = rest.split_once(" now follows input line ") {
            return format!("第 {from} 行起的接续部分已移到第 {to} 行之后");
        }
    }
    if let Some((n, rest)) = e
        .strip_prefix("the line ends ")
        .or_else(|| e.strip_prefix("the line stops "))
        .and_then(|r| r.split_once(" ems short of the "))
    {
        if let Some((m, tail)) = rest.split_once("-em measure") {
            return if tail.contains("without a stop") {
                format!("此行比 {m} 字的行宽短 {n} 字且无句末标点：单独成行")
            } else {
                format!("此行在句末标点处结束，比 {m} 字的行宽短 {n} 字：段落结束")
            };
        }
    }
    // `3 radicals among Han characters: the ideographs they stand for (⽇→日 ×2, ⽉→月)`
    if let Some((n, rest)) = e.split_once(" radical") {
        if let Some(pairs) = rest
            .split_once(" stand")
            .and_then(|(_, r)| r.split_once('('))
            .and_then(|(_, r)| r.strip_suffix(')'))
        {
            return format!("{n} 个部首字符夹在汉字中，改为它们所代表的汉字（{pairs}）");
        }
    }
    // `a printed line of 33 ems ended here: the converter's line-wrap space`
    if let Some((n, _)) = e
        .strip_prefix("a printed line of ")
        .and_then(|r| r.split_once(" ems ended here"))
    {
        return format!("印刷版上一行 {n} 字，到这里排满换行：转换器在行尾留下的空格");
    }
    if let Some(n) = e
        .strip_prefix("recurs at ")
        .and_then(|r| r.strip_suffix(" page breaks with the running heads"))
    {
        return format!("在 {n} 处版面分界随版头重复出现");
    }
    const KNOWN: [(&str, &str); 21] = [
        (
            "a stop, and the next line opens a numbered point",
            "句末之后下一行以序号开头",
        ),
        (
            "the next line is a numbered head standing alone",
            "下一行是单独成行的序号标题",
        ),
        (
            "the next line is a speaker's name before the salutation",
            "下一行是称呼语之前的讲话人姓名",
        ),
        (
            "a note in brackets on a line of its own",
            "单独成行的括注（如通过日期）",
        ),
        (
            "the next line is a name standing alone",
            "下一行是单独成行的人名",
        ),
        (
            "the line reaches the measure without a stop",
            "此行排满而无句末标点，下一短行无标点：同一行折行",
        ),
        (
            "a short line of its own without a stop",
            "单独成行的短句，无句末标点：标题",
        ),
        (
            "the heading ends with a stop or a colon",
            "标题以句号或冒号结尾：是加粗的句子，不是标题",
        ),
        (
            "a heading of ",
            "紧随同级标题的一两个字：是上一标题折行的末尾",
        ),
        (
            "ends at the",
            "此行以句末标点排满，下一行缩进两字：新的一段",
        ),
        ("part of a head split over lines", "拆成几行的版头的一部分"),
        ("a running head or folio by its form", "版头或版号的格式"),
        ("a page number standing apart", "独立于正文的页码"),
        ("a paper's name beside the running head", "版头旁的报名"),
        ("the rule of a table of running heads", "版头表格的分隔线"),
        ("sentence not ended", "句子未完"),
        ("mid-word", "词中断开（跨断处的字在本期别处连在一起出现）"),
        ("after a comma", "断在逗号之后"),
        (
            "the page ends on a full line",
            "上版末行排满，下版首行顶格：同一段",
        ),
        (
            "the converter runs paragraphs on",
            "转换器不留空行：这是跨版处的空行",
        ),
        (
            "occurs elsewhere in the issue",
            "去重后的写法在本期别处出现，重复的写法别处没有",
        ),
    ];
    match KNOWN
        .iter()
        .find(|(en, _)| e.starts_with(en) || (en.len() > 20 && e.contains(en)))
    {
        Some((_, zh)) => (*zh).to_string(),
        None => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages() {
        assert_eq!(
            message("latin-word", "the Latin word `and` stands inside"),
            "中文里夹着英文词「and」：是转换错误吗？（and 通常应为「和」）"
        );
        assert_eq!(
            message(
                "bad-link",
                "link `https：//x` contains full-width punctuation"
            ),
            "链接「https：//x」含全角标点"
        );
        assert_eq!(inferred_from("the name `wujin`"), "取自文件名「wujin」");
        assert_eq!(
            inferred_from("the running heads (`湖北日报`, hubei.md:44)"),
            "取自版头「湖北日报」（hubei.md:44）"
        );
        assert_eq!(message("other", "as is"), "as is");
        assert_eq!(
            message("overlong-paragraph", "the paragraph is 5531 characters long, longer than any a newspaper prints (1500): paragraphs the converter ran together?"),
            "这一段长达 5531 字，超过报纸所印的任何一段（1500 字）：转换时几段连成了一段？"
        );
        assert_eq!(
            message(
                "numbered-head-inside",
                "the numbered head `二、今年` stands inside a paragraph"
            ),
            "序号标题「二、今年」夹在段落中间：转换时把小标题并进了正文？"
        );
        assert_eq!(
            evidence("the continuation at input line 76 now follows input line 70"),
            "第 76 行起的接续部分已移到第 70 行之后"
        );
        assert_eq!(evidence("sentence not ended"), "句子未完");
        assert_eq!(
            evidence("a printed line of 33 ems ended here: the converter's line-wrap space"),
            "印刷版上一行 33 字，到这里排满换行：转换器在行尾留下的空格"
        );
        assert_eq!(
            evidence(
                "3 radicals among Han characters: the ideographs they stand for (⽇→日 ×2, ⽉→月)"
            ),
            "3 个部首字符夹在汉字中，改为它们所代表的汉字（⽇→日 ×2, ⽉→月）"
        );
        assert_eq!(
            evidence("recurs at 3 page breaks with the running heads"),
            "在 3 处版面分界随版头重复出现"
        );
    }
}
