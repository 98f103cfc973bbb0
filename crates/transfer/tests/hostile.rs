//! Everything that arrives is hostile: backups from strangers, values no import would write,
//! and archive content meant to escape into the places exports go (a Jekyll site, a browser's
//! bookmarks, another feed reader).

use std::path::{Path, PathBuf};

use broadsheet_jekyll::{parse_config, parse_post, Parsed, PostFile};
use broadsheet_model::ArticleQuery;
use broadsheet_store::{Backup, BackupArticle, BackupCategory, BackupSource, NewArticle, NewSource, Store};
use broadsheet_transfer::{
    export_bookmarks, export_json, export_markdown, export_opml, import_backup, parse_opml, Selection, MAX_BACKUP_BYTES,
};
use serde_json::json;

fn store_in(dir: &Path, name: &str) -> Store {
    Store::open(&dir.join(name).join("archive.sqlite3")).unwrap()
}

fn source(location: &str) -> BackupSource {
    BackupSource {
        kind: "feed".into(),
        location: location.into(),
        name: "Feed".into(),
        site_url: Some("https://site.example".into()),
        aliases: vec!["https://old.site.example".into()],
        alias_origins: vec!["former".into()],
        interval_min: Some(60),
        lang: Some("en".into()),
        created_at: 1_600_000_000,
        removed_at: None,
    }
}

fn article(source: &str, key: &str) -> BackupArticle {
    BackupArticle {
        source: source.into(),
        key: key.into(),
        title: format!("Post {key}"),
        published_at: 1_650_000_000,
        utc_offset_min: 480,
        url: Some(format!("https://site.example/{key}.html")),
        lang: Some("en".into()),
        html: format!("<p>body of {key}</p>"),
        text: format!("body of {key}"),
        excerpt: format!("body of {key}"),
        extra: json!({}),
        content_hash: "0123456789abcdef".into(),
        removed_upstream: false,
        imported_at: 1_650_000_100,
        updated_at: 1_650_000_100,
        categories: vec![BackupCategory { slug: "news".into(), name: Some("News".into()) }],
        tags: vec!["t".into()],
        images: Vec::new(),
        bookmarked_at: Some(1_650_000_200),
        read_at: None,
        user_tags: vec!["keep".into()],
    }
}

/// A valid backup of two sources and three posts.
fn good_backup() -> Backup {
    let (a, b) = ("https://a.example/feed.xml", "https://b.example/feed.xml");
    Backup {
        format: "broadsheet-backup".into(),
        version: 1,
        exported_at: 1_700_000_000,
        sources: vec![source(a), source(b)],
        articles: vec![article(a, "one"), article(a, "two"), article(b, "three")],
        user_tags: vec!["keep".into()],
        settings: [("ui".to_string(), r#"{"lang":"zh"}"#.to_string())].into_iter().collect(),
    }
}

fn write(dir: &Path, name: &str, value: &Backup) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec(value).unwrap()).unwrap();
    path
}

fn is_empty(s: &Store) -> bool {
    s.article_count().unwrap() == 0 && s.sources().unwrap().is_empty() && s.user_tags().unwrap().is_empty()
}

#[test]
fn a_valid_hand_written_backup_restores() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store_in(dir.path(), "a");
    let file = write(dir.path(), "good.json", &good_backup());
    assert_eq!(import_backup(&mut s, &file).unwrap(), 3);
    assert_eq!(s.sources().unwrap().len(), 2);
}

#[test]
fn a_hostile_backup_is_refused_whole_naming_the_entry_and_nothing_is_written() {
    type Spoil = Box<dyn Fn(&mut Backup)>;
    // Each case spoils the last entry of its kind, so a restore that wrote as it went would
    // already have written the others.
    let cases: Vec<(&str, Spoil, &str)> = vec![
        ("other format", Box::new(|b| b.format = "tarball".into()), "not a Broadsheet backup"),
        ("version 0", Box::new(|b| b.version = 0), "version 0"),
        ("future version", Box::new(|b| b.version = 99), "version 99"),
        ("exported_at", Box::new(|b| b.exported_at = i64::MAX), "exported_at"),
        ("unknown kind", Box::new(|b| b.sources[1].kind = "shell".into()), "sources[1]"),
        ("javascript feed", Box::new(|b| b.sources[1].location = "javascript:alert(1)".into()), "http(s) URL"),
        ("file feed", Box::new(|b| b.sources[1].location = "file:///etc/passwd".into()), "sources[1]"),
        ("control characters", Box::new(|b| b.sources[1].location = "https://b.example/\u{1b}[2J".into()), "control"),
        (
            "huge location",
            Box::new(|b| b.sources[1].location = format!("https://b.example/{}", "a".repeat(5000))),
            "bytes",
        ),
        (
            "git transport helper",
            Box::new(|b| {
                b.sources[1].kind = "jekyll-git".into();
                b.sources[1].location = "ext::sh -c touch% /tmp/pwned".into();
            }),
            "git URL",
        ),
        (
            "relative folder",
            Box::new(|b| {
                b.sources[1].kind = "jekyll-folder".into();
                b.sources[1].location = "../../home".into();
            }),
            "absolute path",
        ),
        ("site_url", Box::new(|b| b.sources[1].site_url = Some("javascript:alert(1)".into())), "site_url"),
        ("alias", Box::new(|b| b.sources[1].aliases = vec!["javascript:alert(1)".into()]), "site address"),
        (
            "alias flood",
            Box::new(|b| b.sources[1].aliases = (0..1000).map(|i| format!("https://a{i}.example")).collect()),
            "site addresses",
        ),
        ("duplicate source", Box::new(|b| b.sources[1].location = b.sources[0].location.clone()), "twice"),
        ("alias origins", Box::new(|b| b.sources[1].alias_origins = vec!["user".into(), "site".into()]), "origins"),
        ("alias origin", Box::new(|b| b.sources[1].alias_origins = vec!["root".into()]), "origin"),
        ("interval", Box::new(|b| b.sources[1].interval_min = Some(0)), "interval"),
        ("huge interval", Box::new(|b| b.sources[1].interval_min = Some(i64::MAX)), "interval"),
        (
            "unknown setting",
            Box::new(|b| {
                b.settings.insert("devices_remote".into(), "/home".into());
            }),
            "not a setting a backup carries",
        ),
        (
            "budget",
            Box::new(|b| {
                b.settings.insert("image_budget_bytes".into(), "-1".into());
            }),
            "number of bytes",
        ),
        (
            "ui not an object",
            Box::new(|b| {
                b.settings.insert("ui".into(), "[1]".into());
            }),
            "JSON object",
        ),
        (
            "huge ui",
            Box::new(|b| {
                b.settings.insert("ui".into(), format!("{{\"x\":\"{}\"}}", "a".repeat(100_000)));
            }),
            "bytes",
        ),
        ("created_at", Box::new(|b| b.sources[1].created_at = i64::MIN), "created_at"),
        ("published in year 292277026596", Box::new(|b| b.articles[2].published_at = i64::MAX), "published_at"),
        ("published before year 1", Box::new(|b| b.articles[2].published_at = -62_135_596_801), "out of range"),
        ("read_at", Box::new(|b| b.articles[2].read_at = Some(i64::MIN)), "read_at"),
        ("bookmarked_at", Box::new(|b| b.articles[2].bookmarked_at = Some(253_402_300_800)), "bookmarked_at"),
        ("imported_at", Box::new(|b| b.articles[2].imported_at = -1_000_000_000_000), "imported_at"),
        ("offset", Box::new(|b| b.articles[2].utc_offset_min = 100_000), "utc_offset_min"),
        ("negative offset", Box::new(|b| b.articles[2].utc_offset_min = i32::MIN), "utc_offset_min"),
        ("unknown source", Box::new(|b| b.articles[2].source = "https://c.example/feed".into()), "not among"),
        ("duplicate key", Box::new(|b| b.articles[2] = b.articles[0].clone()), "twice"),
        ("empty key", Box::new(|b| b.articles[2].key = String::new()), "key is empty"),
        ("huge title", Box::new(|b| b.articles[2].title = "长".repeat(10_000)), "title"),
        ("huge html", Box::new(|b| b.articles[2].html = "x".repeat(17 * 1024 * 1024)), "html"),
        ("javascript url", Box::new(|b| b.articles[2].url = Some("javascript:alert(1)".into())), "url"),
        ("image", Box::new(|b| b.articles[2].images = vec!["data:image/svg+xml,<svg/>".into()]), "image"),
        ("lang", Box::new(|b| b.articles[2].lang = Some("en\"><script>".into())), "lang"),
        ("extra", Box::new(|b| b.articles[2].extra = json!([1, 2])), "extra"),
        ("hash", Box::new(|b| b.articles[2].content_hash = "x y".into()), "content_hash"),
        (
            "too many categories",
            Box::new(|b| {
                b.articles[2].categories =
                    (0..300).map(|i| BackupCategory { slug: format!("c{i}"), name: None }).collect()
            }),
            "categories",
        ),
        (
            "same category twice",
            Box::new(|b| {
                let again = b.articles[2].categories[0].clone();
                b.articles[2].categories.push(again);
            }),
            "twice",
        ),
        ("same user tag in two cases", Box::new(|b| b.articles[2].user_tags.push("KEEP".into())), "twice"),
        ("untrimmed user tag", Box::new(|b| b.user_tags.push(" padded ".into())), "user_tags[1]"),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (n, (what, spoil, expected)) in cases.iter().enumerate() {
        let mut b = good_backup();
        spoil(&mut b);
        let file = write(dir.path(), &format!("case{n}.json"), &b);
        let mut s = store_in(dir.path(), &format!("s{n}"));
        let err = import_backup(&mut s, &file).expect_err(what).to_string();
        assert!(err.contains(&format!("case{n}.json")), "{what}: the error names the file: {err}");
        assert!(err.contains(expected), "{what}: expected {expected:?} in {err}");
        if expected.starts_with("articles") || what.contains("published") || what.contains("key") {
            assert!(err.contains("articles[2]"), "{what}: the error names the post: {err}");
        }
        assert!(err.chars().count() < 600, "{what}: the error quotes values briefly: {err}");
        assert!(is_empty(&s), "{what}: nothing may be written");
    }
}

#[test]
fn the_store_checks_a_backup_itself_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store_in(dir.path(), "a");
    let mut b = good_backup();
    b.articles[2].images = vec!["javascript:alert(1)".into()];
    let err = s.restore(&b).unwrap_err().to_string();
    assert!(err.contains("articles[2]") && err.contains("not an http(s) URL"), "{err}");
    b = good_backup();
    b.sources[1].kind = "shell".into();
    assert!(s.restore(&b).unwrap_err().to_string().contains("unknown kind"));
    assert!(is_empty(&s));
}

#[test]
fn a_post_names_its_position_and_key_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = good_backup();
    b.articles[2].published_at = i64::MAX;
    let file = write(dir.path(), "late.json", &b);
    let err = import_backup(&mut store_in(dir.path(), "a"), &file).unwrap_err().to_string();
    assert!(err.contains("articles[2] (key \"three\"): published_at 9223372036854775807 is out of range"), "{err}");
}

#[test]
fn a_backup_over_the_size_cap_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.json");
    // Sparse: no gigabyte is written, and none may be read.
    std::fs::File::create(&path).unwrap().set_len(MAX_BACKUP_BYTES + 1).unwrap();
    let mut s = store_in(dir.path(), "a");
    let started = std::time::Instant::now();
    let err = import_backup(&mut s, &path).unwrap_err().to_string();
    assert!(err.contains("huge.json") && err.contains("more than"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "refused without reading");
    assert!(is_empty(&s));
}

/// serde's error quotes the offending value: a backup whose `version` is a 3 MB string must
/// not come back as a 3 MB error (logged, sent to the window, shown).
#[test]
fn an_error_about_a_huge_value_does_not_quote_it_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("odd.json");
    std::fs::write(&path, format!(r#"{{"format":"broadsheet-backup","version":"{}"}}"#, "A".repeat(3_000_000)))
        .unwrap();
    let mut s = store_in(dir.path(), "a");
    let err = import_backup(&mut s, &path).unwrap_err().to_string();
    assert!(err.contains("odd.json") && err.contains("not a Broadsheet backup"), "{}", &err[..300]);
    assert!(err.len() < 2 * broadsheet_model::MAX_MESSAGE_CHARS, "{} bytes", err.len());
    assert!(is_empty(&s));
}

#[test]
fn deeply_nested_json_is_refused_by_the_parser_limit() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = serde_json::to_string(&good_backup()).unwrap();
    let deep = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
    text = text.replacen("\"extra\":{}", &format!("\"extra\":{{\"x\":{deep}}}"), 1);
    let path = dir.path().join("deep.json");
    std::fs::write(&path, text).unwrap();
    let mut s = store_in(dir.path(), "a");
    let err = import_backup(&mut s, &path).unwrap_err().to_string();
    assert!(err.contains("recursion limit"), "{err}");
    assert!(is_empty(&s));
}

#[test]
fn restored_html_is_sanitised_and_its_text_excerpt_and_images_derived_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = good_backup();
    let a = &mut b.articles[0];
    a.html = "<p onclick=\"steal()\">Hello <a href=\"javascript:alert(1)\">there</a></p><script>alert(1)</script>\
              <img src=\"https://img.example/a.png\" onerror=\"x()\"><iframe src=\"https://evil.example/\"></iframe>\
              <a href=\"/relative\">r</a>"
        .into();
    a.text = "secretly different searchable words".into();
    a.excerpt = "a lie".into();
    a.images = vec!["https://tracker.example/pixel.gif".into()];
    let file = write(dir.path(), "b.json", &b);
    let mut s = store_in(dir.path(), "a");
    import_backup(&mut s, &file).unwrap();

    let restored = s.backup().unwrap();
    let a = restored.articles.iter().find(|a| a.key == "one").unwrap();
    for bad in ["onclick", "javascript:", "<script", "onerror", "<iframe", "alert(1)"] {
        assert!(!a.html.contains(bad), "{bad} survived the restore: {}", a.html);
    }
    assert!(a.html.contains("href=\"https://site.example/relative\""), "resolved against the site: {}", a.html);
    assert_eq!(a.text, broadsheet_html::plain_text(&a.html));
    assert_eq!(a.excerpt, broadsheet_html::excerpt(&a.text));
    assert_eq!(a.images, vec!["https://img.example/a.png".to_string()], "images come from the HTML");
    let hits = s
        .search(&broadsheet_model::SearchQuery { query: "secretly".into(), limit: Some(10), ..Default::default() })
        .unwrap();
    assert!(hits.is_empty(), "the file's own text is not indexed");
}

/// Rows no import writes, straight into SQLite: instants and offsets at the ends of their
/// types, on posts, bookmarks and read state.
fn extreme_archive(dir: &Path) -> (PathBuf, Store) {
    let path = dir.join("x").join("archive.sqlite3");
    let mut s = Store::open(&path).unwrap();
    let src = s
        .upsert_source(&NewSource {
            kind: "jekyll-folder",
            location: "/site",
            name: "Site",
            site_url: Some("https://site.example"),
            lang: None,
        })
        .unwrap();
    let row = |key: &str| NewArticle {
        key: key.into(),
        title: key.into(),
        html: "<p>x</p>".into(),
        text: "x".into(),
        extra_json: "{}".into(),
        url: Some(format!("https://site.example/{key}")),
        categories: vec![("c".into(), None)],
        ..Default::default()
    };
    let extremes: [(i64, i64); 12] = [
        (i64::MAX, 0),
        (i64::MIN, 0),
        (i64::MAX, 1080),
        (i64::MIN, -1080),
        (253_402_300_799, 1080),  // 9999-12-31T23:59:59Z, pushed into year 10000
        (-62_167_219_200, -1080), // 0000-01-01T00:00:00Z, pushed into year -1
        (-377_705_116_800, 0),    // year -9999
        (0, 100_000),
        (0, -100_000),
        (0, i64::from(i32::MAX)),
        (0, i64::from(i32::MIN)),
        (1_650_000_000, 1559), // representable by `time`, but beyond ±18 h
    ];
    let keys: Vec<String> = (0..extremes.len()).map(|i| format!("k{i}")).collect();
    let rows: Vec<NewArticle> = keys.iter().map(|k| row(k)).collect();
    s.upsert_articles(src, &rows).unwrap();
    let ids: Vec<broadsheet_model::ArticleId> = s
        .list_articles(&ArticleQuery { limit: Some(100), ..Default::default() })
        .unwrap()
        .iter()
        .map(|a| a.id)
        .collect();
    for &id in &ids {
        s.set_bookmark(id, true).unwrap();
        s.set_read(id, true).unwrap();
    }
    drop(s);
    let conn = Store::open_at_schema(&path, usize::MAX).unwrap();
    let mut sql = String::new();
    for (i, (t, off)) in extremes.iter().enumerate() {
        sql.push_str(&format!("UPDATE articles SET published_at = {t}, utc_offset_min = {off} WHERE key = 'k{i}';\n"));
    }
    sql.push_str(&format!(
        "UPDATE bookmarks SET created_at = {};\nUPDATE read_state SET read_at = {};\n\
         UPDATE sources SET created_at = {}, removed_at = {};\n",
        i64::MAX,
        i64::MIN,
        i64::MIN,
        i64::MAX
    ));
    conn.execute_batch(&sql).unwrap();
    drop(conn);
    let s = Store::open(&path).unwrap();
    (path, s)
}

#[test]
fn extreme_dates_and_offsets_never_make_listing_or_exports_panic() {
    let dir = tempfile::tempdir().unwrap();
    let (_, s) = extreme_archive(dir.path());
    let list = s.list_articles(&ArticleQuery { limit: Some(100), ..Default::default() }).unwrap();
    assert_eq!(list.len(), 12);
    for a in &list {
        let shown = s.article(a.id).unwrap();
        assert_eq!(shown.summary.date, a.date);
        // Either an RFC 3339 instant or nothing at all: never a panic, never garbage.
        assert!(a.date.is_empty() || a.date.len() >= 20, "{:?}", a.date);
    }
    let by_title = |t: &str| list.iter().find(|a| a.title == t).unwrap().date.clone();
    assert_eq!(by_title("k0"), "", "i64::MAX seconds has no RFC 3339 form");
    assert_eq!(by_title("k4"), "9999-12-31T23:59:59Z", "shown in UTC when the offset would pass year 9999");
    assert_eq!(by_title("k7"), "1970-01-01T00:00:00Z", "an impossible offset is shown as UTC");
    assert_eq!(by_title("k9"), "1970-01-01T00:00:00Z");
    assert_eq!(by_title("k11"), "2022-04-15T05:20:00Z", "an offset beyond ±18 h is shown as UTC");

    let backup = s.backup().unwrap();
    assert_eq!(backup.articles.len(), 12);
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    assert_eq!(export_json(&s, &Selection::default(), &out.join("b.json")).unwrap(), 12);
    assert_eq!(export_markdown(&s, &Selection::default(), &out.join("md")).unwrap().posts, 12);
    assert_eq!(export_bookmarks(&s, &Selection::default(), &out.join("b.html")).unwrap(), 12);
    assert_eq!(export_opml(&s, &out.join("s.opml")).unwrap(), 1);
    for f in std::fs::read_dir(out.join("md/_posts/c")).unwrap().flatten() {
        let name = f.file_name().to_string_lossy().into_owned();
        assert!(name.as_bytes()[..10].iter().all(|b| b.is_ascii_digit() || *b == b'-'), "{name}");
    }

    // Such a backup is refused on the way back in, by name, not by a panic.
    let mut fresh = store_in(dir.path(), "fresh");
    let err = import_backup(&mut fresh, &out.join("b.json")).unwrap_err().to_string();
    assert!(err.contains("out of range"), "{err}");
    assert!(is_empty(&fresh));
}

#[test]
fn an_offset_beyond_i32_is_an_error_or_a_value_never_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let (path, s) = extreme_archive(dir.path());
    drop(s);
    let conn = Store::open_at_schema(&path, usize::MAX).unwrap();
    conn.execute_batch(&format!("UPDATE articles SET utc_offset_min = {} WHERE key = 'k1';", i64::MAX)).unwrap();
    drop(conn);
    let s = Store::open(&path).unwrap();
    let _ = s.list_articles(&ArticleQuery { limit: Some(100), ..Default::default() });
    let b = s.backup().unwrap();
    assert!(b.articles.iter().all(|a| a.utc_offset_min.abs() <= 1080), "backed up as UTC");
    let out = dir.path().join("md");
    assert_eq!(export_markdown(&s, &Selection::default(), &out).unwrap().posts, 12);
}

const EVIL_TITLE: &str =
    "Evil\" title\n---\nlayout: pwned\n{{ site.github }}\u{2028}x: y\r\n...\u{85}\u{202e}\u{1b}[2J \\";
const EVIL_BODY: &str = "<p>{{ 'x' | append: '<script>alert(1)</script>' }}</p>\n\n\
    <p>{% include ../../../../etc/passwd %} {% endraw %} {%- endraw -%} {{- page -}}</p>\n\
    <p>Click me</p>\n{: onclick=\"alert(1)\" .x}\n\n\
    {::nomarkdown}<b>raw</b>{:/nomarkdown}\n\n{::options parse_block_html=\"true\" /}\n\n\
    [a link](javascript:alert(1)) and <https://x.example/> and ![img](javascript:alert(2))\n\n\
    <pre><code>fn main() {{ }}\n\n}</code></pre>\n\n\
    {::comment}hidden{:/comment}\n{:.class}\n{::}";

#[test]
fn markdown_export_leaves_no_live_liquid_kramdown_or_front_matter_injection() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store_in(dir.path(), "a");
    let src = s
        .upsert_source(&NewSource { kind: "jekyll-folder", location: "/x", name: "x", site_url: None, lang: None })
        .unwrap();
    let html = broadsheet_html::sanitize(EVIL_BODY, None);
    let categories = ["news\n---\nlayout: pwned", "a\"b", "{{ c }}"];
    let tags = vec!["t\nlayout: pwned".to_string(), "{% raw %}".to_string(), "x\u{0}y".to_string()];
    s.upsert_articles(
        src,
        &[NewArticle {
            key: "2022-04-15-evil".into(),
            title: EVIL_TITLE.into(),
            published_at: 1_650_000_000,
            utc_offset_min: 480,
            url: Some("https://site.example/\"\n---".into()),
            lang: Some("en\nlayout: pwned".into()),
            text: broadsheet_html::plain_text(&html),
            html: html.clone(),
            extra_json: "{}".into(),
            categories: categories.iter().map(|c| (c.to_string(), None)).collect(),
            tags: tags.clone(),
            ..Default::default()
        }],
    )
    .unwrap();
    let id = s.list_articles(&ArticleQuery::default()).unwrap()[0].id;
    s.set_bookmark(id, true).unwrap();
    s.tag_article(id, &["mine\"\n---"]).unwrap();

    let out = dir.path().join("site");
    assert_eq!(export_markdown(&s, &Selection::default(), &out).unwrap().posts, 1);
    let folder = std::fs::read_dir(out.join("_posts")).unwrap().next().unwrap().unwrap().path();
    let file = std::fs::read_dir(&folder).unwrap().next().unwrap().unwrap().path();
    let text = std::fs::read_to_string(&file).unwrap();

    // Front matter: the opening line, one line per intended key, the closing line.
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "---");
    let close = lines[1..].iter().position(|l| *l == "---" || *l == "...").unwrap() + 1;
    let keys: Vec<&str> = lines[1..close].iter().map(|l| l.split(':').next().unwrap()).collect();
    // The hostile `lang` and `url` never reach the archive (it keeps only what its own backup
    // accepts), so the export has no line for them.
    assert_eq!(keys, ["layout", "title", "date", "categories", "tags", "broadsheet"], "{text}");
    assert!(
        !text.contains('\u{2028}') && !text.contains('\u{85}') && !text.contains('\u{202e}') && !text.contains('\r')
    );
    assert!(!text.contains('\u{1b}') && !text.contains('\u{0}'));

    // Body: no brace at all (so no Liquid and no kramdown extension or attribute list), one
    // HTML block kramdown keeps raw, and no blank line that would end it for CommonMark.
    let body = &lines[close + 1..];
    assert_eq!(body.first(), Some(&"<div markdown=\"0\">"));
    assert_eq!(body.last(), Some(&"</div>"));
    assert!(body.iter().all(|l| !l.contains('{') && !l.contains('}')), "{text}");
    assert!(body.iter().all(|l| !l.trim().is_empty()), "no blank line in the body: {text}");
    for live in ["{{", "{%", "{:", "{::", "href=\"javascript:", "<script"] {
        assert!(!body.join("\n").contains(live), "{live} in {text}");
    }

    // Read back by our own Jekyll reader: the same title, categories and tags, no key the
    // attacker wanted, no Liquid seen, and the visible text (braces included) intact.
    let (site, _) = parse_config("");
    let rel = format!("_posts/{}", file.file_name().unwrap().to_string_lossy());
    let (parsed, warnings) = parse_post(&PostFile { path: &rel, bytes: text.as_bytes(), modified: None }, &site);
    let Parsed::Post(post) = parsed else { panic!("skipped: {parsed:?}") };
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(post.title, EVIL_TITLE.trim());
    assert_eq!(post.categories, categories);
    assert_eq!(post.tags, tags);
    assert_ne!(post.lang.as_deref(), Some("en\nlayout: pwned"));
    let mut extra: Vec<&str> = post.extra.keys().map(String::as_str).collect();
    extra.sort();
    assert_eq!(extra, ["broadsheet", "layout"]);
    assert_eq!(post.extra["layout"], "post");
    assert_eq!(post.extra["broadsheet"]["user_tags"], json!(["mine\"\n---"]));
    assert_eq!(post.text, broadsheet_html::plain_text(&html), "the reader sees what the archive had");
    assert!(post.text.contains("{{ 'x' | append:") && post.text.contains("{: onclick="));
    // The attacks survive only as text: no tag (every `<` in sanitised HTML starts one)
    // carries a handler or a script URL.
    for tag in post.html.split('<').skip(1).map(|t| &t[..t.find('>').unwrap_or(t.len())]) {
        assert!(!tag.starts_with("script") && !tag.contains("onclick") && !tag.contains("javascript:"), "<{tag}>");
    }
}

#[test]
fn bookmarks_and_opml_link_only_http_urls_with_attributes_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store_in(dir.path(), "a");
    let feed = s
        .upsert_source(&NewSource {
            kind: "feed",
            location: "https://ok.example/feed?a=1&b=2",
            name: "Name\"/><outline type=\"rss\" xmlUrl=\"javascript:alert(1)\"/>\n<x",
            site_url: Some("javascript:alert(2)"),
            lang: None,
        })
        .unwrap();
    for (kind, location) in [
        ("feed", "javascript:alert(3)"),
        ("feed", " JAVASCRIPT:alert(4)"),
        ("feed", "data:text/html,<script>alert(5)</script>"),
        ("jekyll-git", "file:///srv/site.git"),
        ("jekyll-folder", "/home/reader/site"),
    ] {
        s.upsert_source(&NewSource { kind, location, name: location, site_url: None, lang: None }).unwrap();
    }
    let urls = [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "file:///etc/passwd",
        "vbscript:msgbox(1)",
        "https://ok.example/a?x=1&y=2",
    ];
    let rows: Vec<NewArticle> = urls
        .iter()
        .enumerate()
        .map(|(i, u)| NewArticle {
            key: format!("k{i}"),
            title: format!("T{i} \"><script>alert(1)</script>\n<DT><A HREF=\"javascript:x\">"),
            url: Some(u.to_string()),
            html: "<p>x</p>".into(),
            text: "x".into(),
            extra_json: "{}".into(),
            published_at: 1_650_000_000,
            ..Default::default()
        })
        .collect();
    s.upsert_articles(feed, &rows).unwrap();
    for a in s.list_articles(&ArticleQuery::default()).unwrap() {
        s.set_bookmark(a.id, true).unwrap();
        s.tag_article(a.id, &["x\" onmouseover=\"alert(1)"]).unwrap();
    }

    let out = dir.path().join("bookmarks.html");
    assert_eq!(export_bookmarks(&s, &Selection::default(), &out).unwrap(), 1);
    let html = std::fs::read_to_string(&out).unwrap();
    let links: Vec<&str> = html.lines().filter(|l| l.contains("<A ") || l.contains("<DT><A")).collect();
    assert_eq!(links.len(), 1, "{html}");
    assert!(links[0].starts_with("        <DT><A HREF=\"https://ok.example/a?x=1&amp;y=2\" ADD_DATE="), "{html}");
    assert!(links[0].contains("TAGS=\"x&quot; onmouseover=&quot;alert(1)\""), "{html}");
    assert!(
        links[0].contains(
            ">T6 &quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt; &lt;DT&gt;&lt;A HREF=&quot;javascript:x&quot;&gt;</A>"
        ),
        "{html}"
    );
    for bad in ["javascript:alert", "data:", "file:", "vbscript:", "<script"] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }

    let opml = dir.path().join("sources.opml");
    assert_eq!(export_opml(&s, &opml).unwrap(), 6);
    let xml = std::fs::read_to_string(&opml).unwrap();
    // Well-formed, and the only feed is the http(s) one (parse_opml refuses a non-http xmlUrl).
    let feeds = parse_opml(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    assert_eq!(feeds.len(), 1, "{xml}");
    assert_eq!(feeds[0].url, "https://ok.example/feed?a=1&b=2");
    assert_eq!(feeds[0].title.as_deref(), Some("Name\"/><outline type=\"rss\" xmlUrl=\"javascript:alert(1)\"/> <x"));
    assert_eq!(feeds[0].site_url, None);
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut outlines = 0;
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Empty(e) | quick_xml::events::Event::Start(e)
                if e.name().as_ref() == b"outline" =>
            {
                outlines += 1;
                for attr in e.attributes() {
                    let attr = attr.unwrap();
                    let value = attr.unescape_value().unwrap();
                    if matches!(attr.key.as_ref(), b"xmlUrl" | b"url" | b"htmlUrl") {
                        assert!(value.starts_with("https://") || value.starts_with("http://"), "{value} in {xml}");
                    }
                }
            }
            _ => {}
        }
    }
    assert_eq!(outlines, 6);
    assert!(xml.contains("broadsheetLocation=\"/home/reader/site\""), "kept as text: {xml}");
    assert!(xml.contains("broadsheetLocation=\"javascript:alert(3)\""), "kept as text: {xml}");
}

/// Whatever a stranger's post or feed carries, what the archive stores is what its own backup
/// accepts: the reader's backup of it restores (values are fitted on the way in).
#[test]
fn whatever_an_import_stores_the_readers_own_backup_restores() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store_in(dir.path(), "hostile");
    let src = s
        .upsert_source(&NewSource {
            kind: "feed",
            location: "https://feed.example/rss",
            name: &"名".repeat(3000),
            site_url: Some("javascript:alert(1)"),
            lang: Some("zh cn"),
        })
        .unwrap();
    let row = |key: String| NewArticle {
        title: key.clone(),
        key,
        html: "<p>x</p>".into(),
        text: "x".into(),
        extra_json: "{}".into(),
        ..Default::default()
    };
    let rows = vec![
        NewArticle { published_at: -62_167_219_200, ..row("year-zero".into()) },
        NewArticle { published_at: 400_000_000_000, utc_offset_min: 20_000, ..row("year-14645".into()) },
        NewArticle { title: "题".repeat(10_000), ..row("long-title".into()) },
        row("k".repeat(5000)),
        NewArticle {
            url: Some("https://a.example/a b/post".into()),
            lang: Some("zh cn".into()),
            categories: vec![("c".repeat(5000), None), ("ok".into(), None)],
            tags: vec!["t".repeat(5000)],
            images: vec![format!("https://img.example/{}", "i".repeat(9000)), "https://x y/".into()],
            extra_json: format!("{{\"x\":\"{}\"}}", "\\u0001".repeat(200_000)),
            ..row("bad-fields".into())
        },
    ];
    s.upsert_articles(src, &rows).unwrap();
    let out = dir.path().join("backup.json");
    assert_eq!(export_json(&s, &Selection::default(), &out).unwrap(), 5);
    let mut fresh = store_in(dir.path(), "fresh");
    assert_eq!(import_backup(&mut fresh, &out).unwrap(), 5, "the reader's own backup restores");
    let titles: Vec<String> = fresh
        .list_articles(&ArticleQuery { limit: Some(10), ..Default::default() })
        .unwrap()
        .into_iter()
        .map(|a| a.title)
        .collect();
    assert!(titles.iter().any(|t| t == "year-zero") && titles.iter().any(|t| t.starts_with("题题")), "{titles:?}");
}

/// A backup may list more labels per post than an import keeps (older archives kept more):
/// a restore keeps them all (it loses nothing), while a list row carries at most
/// `LIST_LABELS` of each kind and the article itself every one (its tag editor replaces the
/// whole set, so a cut there would lose the rest).
#[test]
fn restore_keeps_an_imports_labels_and_list_rows_stay_small() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store_in(dir.path(), "a");
    let mut b = good_backup();
    let a = &mut b.articles[0];
    a.categories = (0..200).map(|i| BackupCategory { slug: format!("c{i:03}"), name: None }).collect();
    a.tags = (0..500).map(|i| format!("t{i:03}")).collect();
    a.images = (0..300).map(|i| format!("https://img.example/{i}.png")).collect();
    a.user_tags = (0..1000).map(|i| format!("u{i:04}")).collect();
    s.restore(&b).unwrap();
    let rows = s.list_articles(&ArticleQuery::default()).unwrap();
    let row = rows.iter().find(|r| r.title == "Post one").unwrap();
    assert_eq!(row.categories.len(), broadsheet_store::LIST_LABELS);
    assert_eq!(row.categories[0], "c000", "the first ones, in order");
    assert_eq!(row.tags.len(), broadsheet_store::LIST_LABELS);
    assert_eq!(row.user_tags.len(), broadsheet_store::LIST_LABELS);
    let whole = s.article(row.id).unwrap();
    assert_eq!(whole.summary.categories.len(), 200, "every category is kept");
    assert_eq!(whole.summary.tags.len(), 500);
    assert_eq!(whole.summary.user_tags.len(), 1000);
    assert_eq!(whole.images.len(), 300);
    let all = s.category_page(&broadsheet_model::LabelQuery { limit: 1000, ..Default::default() }).unwrap();
    assert_eq!(all.total, 201, "c000…c199 and the other posts' news");
}

/// Tags named only on posts count toward the backup's cap of user tags.
#[test]
fn a_backup_naming_too_many_user_tags_on_its_posts_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store_in(dir.path(), "a");
    let mut b = good_backup();
    let src = b.sources[0].location.clone();
    b.articles = (0..100)
        .map(|i| {
            let mut a = article(&src, &format!("k{i}"));
            a.user_tags = (0..1001).map(|j| format!("tag-{i}-{j}")).collect();
            a
        })
        .collect();
    let err = s.restore(&b).unwrap_err().to_string();
    assert!(err.contains("more than 100000 user tags"), "{err}");
    assert!(is_empty(&s));
}

/// The size cap bounds bytes, not memory: a file of tiny values (`"",` is 3 bytes and a
/// 24-byte string once parsed) is refused while it is read, long before it could take 16
/// times its size in memory.
#[test]
fn a_backup_of_countless_tiny_values_is_refused_while_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tiny.json");
    let mut text = serde_json::to_string(&good_backup()).unwrap();
    let tiny = format!("\"tags\":[{}\"\"]", "\"\",".repeat(12_000_000));
    text = text.replacen("\"tags\":[\"t\"]", &tiny, 1);
    std::fs::write(&path, &text).unwrap();
    let mut s = store_in(dir.path(), "a");
    let err = import_backup(&mut s, &path).unwrap_err().to_string();
    assert!(err.contains("tiny.json") && err.contains("too many and too small"), "{}", &err[..err.len().min(300)]);
    assert!(is_empty(&s));
}

/// A map's entries cost more than their bytes (a B-tree slot beside key and value): an
/// article's `extra` of millions of short keys is refused while it is read, not built into
/// gigabytes first and measured after.
#[test]
fn a_backup_whose_maps_hold_millions_of_short_entries_is_refused_while_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.json");
    let text = serde_json::to_string(&good_backup()).unwrap();
    let mut extra = String::with_capacity(45_000_000);
    extra.push_str("\"extra\":{");
    for i in 0..4_000_000u32 {
        extra.push_str(&format!("\"{i:07x}\":0,"));
    }
    extra.push_str("\"z\":0}");
    let text = text.replacen("\"extra\":{}", &extra, 1);
    std::fs::write(&path, &text).unwrap();
    let mut s = store_in(dir.path(), "a");
    let err = import_backup(&mut s, &path).unwrap_err().to_string();
    assert!(err.contains("keys.json") && err.contains("too many and too small"), "{}", &err[..err.len().min(300)]);
    assert!(is_empty(&s));
    // The reader's own backups still restore (see `whatever_an_import_stores_the_readers_own_backup_restores`).
}

/// A backup naming the address of a feed the reader added, as another kind (a git
/// repository, which libgit2 reaches without the fetcher's checks), does not inherit the
/// reader's trust in that address; the same kind keeps it.
#[test]
fn a_backup_that_changes_a_readers_source_into_another_kind_loses_the_readers_trust() {
    let dir = tempfile::tempdir().unwrap();
    for (kind, trusted) in [("jekyll-git", false), ("feed", true)] {
        let mut s = store_in(dir.path(), kind);
        let location = "http://192.168.1.5/feed.xml";
        let id = s
            .upsert_source(&broadsheet_store::NewSource {
                kind: "feed",
                location,
                name: "Home",
                site_url: None,
                lang: None,
            })
            .unwrap();
        s.set_source_user_added(id, true).unwrap();
        let mut b = good_backup();
        b.sources[0].location = location.into();
        b.sources[0].kind = kind.into();
        for a in &mut b.articles {
            a.source = location.into();
        }
        let path = write(dir.path(), &format!("{kind}.json"), &b);
        import_backup(&mut s, &path).unwrap();
        let source = s.sync_sources().unwrap().into_iter().find(|x| x.location == location).unwrap();
        assert_eq!(source.user_added, trusted, "{kind}");
    }
}

/// A pipe where a backup or an OPML list should be would block the open for ever: refused.
#[test]
#[cfg(unix)]
fn a_pipe_given_as_a_backup_or_an_opml_list_is_refused_not_waited_on() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.json");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let err = broadsheet_transfer::read_backup(&fifo).unwrap_err().to_string();
    assert!(err.contains("pipe.json") && err.contains("not a file"), "{err}");
    let err = broadsheet_transfer::read_opml(&fifo).unwrap_err().to_string();
    assert!(err.contains("pipe.json") && err.contains("not a file"), "{err}");
}

/// OPML after OPML cannot take the archive past the sources it keeps: the file that would is
/// refused whole (nothing of it added), and a feed URL the archive could not keep as a
/// location refuses its file.
#[test]
fn opml_files_cannot_grow_the_sources_past_the_cap() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store_in(dir.path(), "a");
    let opml = |name: &str, urls: Vec<String>| {
        let body: String = urls.iter().map(|u| format!("<outline type=\"rss\" xmlUrl=\"{u}\"/>\n")).collect();
        let path = dir.path().join(name);
        std::fs::write(&path, format!("<?xml version=\"1.0\"?><opml version=\"2.0\"><body>{body}</body></opml>"))
            .unwrap();
        path
    };
    let per = broadsheet_store::MAX_SOURCES / 2;
    for part in 0..2 {
        let urls = (0..per).map(|i| format!("https://f{part}-{i}.example/feed.xml")).collect();
        assert_eq!(broadsheet_transfer::import_opml(&mut s, &opml("list.opml", urls)).unwrap().added, per);
    }
    let err = broadsheet_transfer::import_opml(&mut s, &opml("more.opml", vec!["https://new.example/f".into()]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("more.opml") && err.contains("keeps at most 10000"), "{err}");
    let long = format!("https://a.example/{}", "x".repeat(5_000));
    let err = broadsheet_transfer::import_opml(&mut s, &opml("long.opml", vec![long])).unwrap_err().to_string();
    assert!(err.contains("long.opml") && err.contains("over 4096 bytes"), "{}", &err[..err.len().min(300)]);
    assert_eq!(s.sources().unwrap().len(), broadsheet_store::MAX_SOURCES);
}
