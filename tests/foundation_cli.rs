//! The command line on good and bad input: exit codes and one-line messages naming file and line.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn paiban(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_paiban"))
        .args(args)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn outline_json_of_the_sample_issue() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("content/wujin-2023-12-29.md");
    let o = paiban(&["outline", sample.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let arts = v["articles"].as_array().unwrap();
    assert_eq!(arts.len(), 3);
    assert_eq!(arts[0]["kicker"], "中共常州市武进区委十三届六次全会召开");
    assert_eq!(
        arts[0]["title"],
        "勇挑大梁走在前 勇攀新高再出发 奋力推进中国式现代化武进新实践"
    );
    assert_eq!(arts[0]["subtitles"][0], "区委常委会主持会议 乔俊杰作报告");
    assert_eq!(arts[0]["sections"][0]["title"], "新闻链接");
    assert_eq!(
        arts[1]["title"],
        "中国共产党常州市武进区第十三届委员会第六次全体会议决议"
    );
    assert_eq!(arts[2]["title"], "凝心聚力扛使命 奋楫扬帆启新程");
    assert_eq!(arts[2]["byline"], "□ 本报评论员");
    for a in arts {
        assert!(a["paragraphs"].as_u64().unwrap() > 0);
        assert!(a["characters"].as_u64().unwrap() > 500);
    }
    assert_eq!(v["meta"]["date"], "2023-12-29");
    assert_eq!(v["meta"]["language"], "zh-CN");
}

#[test]
fn outline_text_lists_the_headline_groups() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("content/wujin-2023-12-29.md");
    let o = paiban(&["outline", sample.to_str().unwrap()]);
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains("引题 中共常州市武进区委十三届六次全会召开"));
    assert!(out.contains("§ 新闻链接"));
    assert!(out.contains("署名 □ 本报评论员"));
}

#[test]
fn missing_file_is_a_one_line_error() {
    let o = paiban(&["outline", "no/such/issue.md"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("no/such/issue.md") && e.contains("no such file"),
        "{e}"
    );
    assert_eq!(e.trim().lines().count(), 1, "{e}");
}

#[test]
fn directory_without_markdown() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "notes.txt", b"x");
    let o = paiban(&["outline", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no Markdown"), "{}", stderr(&o));
}

#[test]
fn invalid_utf8_names_file_line_and_byte() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "bad.md",
        b"# \xE6\xA0\x87\xE9\xA2\x98\n\nok\n\xC3\x28 broken\n",
    );
    let o = paiban(&["outline", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("bad.md:4") && e.contains("invalid UTF-8 at byte 13"),
        "{e}"
    );
    assert!(!e.contains("panicked"), "{e}");
}

#[test]
fn bom_and_crlf_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "crlf.md",
        "\u{FEFF}# 标题\r\n\r\n第一\r\n行。\r\n".as_bytes(),
    );
    let o = paiban(&["outline", p.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["articles"][0]["title"], "标题");
    assert_eq!(v["articles"][0]["characters"], 4); // 第一行。: the CRLF soft break is no space
}

#[test]
fn malformed_front_matter_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "fm.md",
        b"---\ntitle: ok\ndate: [2023\n---\n# t\n",
    );
    let o = paiban(&["outline", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("fm.md:3") || e.contains("fm.md:4"), "{e}");
    assert!(e.contains("malformed YAML metadata"), "{e}");

    let p = write(
        dir.path(),
        "fm2.md",
        b"+++\ntitle = \"ok\"\ndate = = 1\n+++\n# t\n",
    );
    let e = stderr(&paiban(&["outline", p.to_str().unwrap()]));
    assert!(e.contains("fm2.md:3: malformed TOML metadata"), "{e}");

    let p = write(dir.path(), "fm3.md", b"---\ndate: 2023-13-45\n---\n# t\n");
    let e = stderr(&paiban(&["outline", p.to_str().unwrap()]));
    assert!(e.contains("fm3.md:2") && e.contains("not a date"), "{e}");
}

#[test]
fn missing_image_is_a_warning_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "img.md",
        "# 题\n\n正文。\n\n![照片](photos/none.png)\n".as_bytes(),
    );
    let o = paiban(&["outline", p.to_str().unwrap()]);
    assert!(o.status.success());
    let e = stderr(&o);
    assert!(
        e.contains("img.md:5: warning: image `photos/none.png` does not exist"),
        "{e}"
    );
}

#[test]
fn empty_and_whitespace_only_issues_are_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in [("empty.md", ""), ("blank.md", " \n\n\u{3000}\n\t\n")] {
        let p = write(dir.path(), name, body.as_bytes());
        let o = paiban(&["outline", p.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1));
        let e = stderr(&o);
        assert!(e.contains(name) && e.contains("no content"), "{e}");
    }
}
