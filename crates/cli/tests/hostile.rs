//! The `broadsheet` binary facing hostile archive content: text that would drive the
//! terminal, and values no import writes. Real processes, real archive files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use broadsheet_model::ArticleQuery;
use broadsheet_store::{NewArticle, NewSource, Store};
use serde_json::Value;

fn run(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_broadsheet"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("BROADSHEET_DB")
        .output()
        .unwrap()
}

fn ok(db: &Path, args: &[&str]) -> String {
    let out = run(db, args);
    assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// What a terminal would act on or that reorders the line: ESC and the other C0 controls
/// (line feed and tab aside), DEL, C1 controls, bidi embeddings, overrides and isolates.
fn terminal_controls(s: &str) -> Vec<char> {
    s.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n' && c != '\t') || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .collect()
}

const TITLE: &str = "\u{1b}[31mred\u{1b}[0m \u{1b}]0;owned title\u{7}visible \u{202e}evil\u{202c} \u{9b}2Jc1 \
                     \u{1b}]8;;https://x.example/\u{1b}\\link\u{1b}]8;;\u{1b}\\ back\u{8}\u{8}\r\u{7f}done";

fn hostile_archive(dir: &Path) -> PathBuf {
    let db = dir.join("archive.sqlite3");
    let mut s = Store::open(&db).unwrap();
    let src = s
        .upsert_source(&NewSource {
            kind: "feed",
            location: "https://feed.example/",
            name: "Feed \u{1b}P1$r\u{1b}\\name\u{2066}",
            site_url: None,
            lang: None,
        })
        .unwrap();
    s.upsert_articles(
        src,
        &[NewArticle {
            key: "k".into(),
            title: TITLE.into(),
            published_at: 1_650_000_000,
            html: "<p>x</p>".into(),
            text: "first line\n\tindented \u{1b}[1mbold\u{1b}[0m\nvisible\u{1b}c reset \u{9d}0;t\u{9c}end".into(),
            excerpt: "x".into(),
            extra_json: "{}".into(),
            url: Some("https://site.example/\u{1b}[2J".into()),
            categories: vec![("cat\u{1b}[1m".into(), Some("Cat \u{202e}name".into()))],
            tags: vec!["tag\u{7}\u{1b}[5m".into()],
            ..Default::default()
        }],
    )
    .unwrap();
    let id = s.list_articles(&ArticleQuery::default()).unwrap()[0].id;
    s.tag_article(id, &["mine\u{1b}[8m"]).unwrap();
    drop(s);
    // A location with controls is refused on the way in now; an archive from before may
    // still hold one.
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute("UPDATE sources SET location = ?1", ["https://feed.example/\u{1b}[2J"])
        .unwrap();
    db
}

#[test]
fn human_output_drops_terminal_controls_and_json_escapes_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = hostile_archive(dir.path());
    let listed: Value = serde_json::from_str(&ok(&db, &["list", "--json"])).unwrap();
    let id = listed[0]["id"].to_string();

    for args in [
        vec!["list"],
        vec!["show", id.as_str()],
        vec!["categories"],
        vec!["tags"],
        vec!["user-tags"],
        vec!["sources"],
        vec!["search", "visible"],
        vec!["bookmark", id.as_str()],
        vec!["delete-tag", "mine\u{1b}[8m"],
    ] {
        let out = run(&db, &args);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(terminal_controls(&stdout).is_empty(), "{args:?} printed {:?}", terminal_controls(&stdout));
        assert!(!stdout.is_empty(), "{args:?} printed nothing");
    }
    let list = ok(&db, &["list"]);
    assert!(list.contains("red visible evil"), "the visible text stays: {list:?}");
    assert!(list.contains("link back") && list.contains("done"), "{list:?}");
    assert_eq!(list.lines().count(), 1, "one line per post: {list:?}");
    let show = ok(&db, &["show", &id]);
    assert!(
        show.contains("first line\n\tindented bold\nvisible reset end"),
        "lines and tabs of the text stay: {show:?}"
    );
    assert!(ok(&db, &["sources"]).contains("Feed name"));

    // JSON keeps every value exactly, with the characters a terminal could act on escaped.
    for args in [vec!["list", "--json"], vec!["show", id.as_str(), "--json"], vec!["sources", "--json"]] {
        let raw = ok(&db, &args);
        assert!(terminal_controls(&raw.replace('\n', "")).is_empty(), "{args:?}: {raw}");
        let v: Value = serde_json::from_str(&raw).unwrap();
        let title = if args[0] == "sources" { v[0]["name"].clone() } else { v.get(0).unwrap_or(&v)["title"].clone() };
        let want = if args[0] == "sources" { "Feed \u{1b}P1$r\u{1b}\\name\u{2066}" } else { TITLE };
        assert_eq!(title, want, "{args:?}");
    }
    assert!(ok(&db, &["list", "--json"]).contains(r"\u202e"), "bidi controls are escaped, not dropped");
}

#[test]
fn skipped_and_warned_files_with_hostile_names_are_reported_safely() {
    let dir = tempfile::tempdir().unwrap();
    let posts = dir.path().join("site/_posts");
    std::fs::create_dir_all(&posts).unwrap();
    std::fs::write(posts.join("2022-01-01-\u{1b}]0;pwned\u{7}skip\u{202e}.md"), "---\npublished: false\n---\nx")
        .unwrap();
    std::fs::write(posts.join("2022-01-02-\u{1b}[2Jwarn\u{9b}1m.md"), "---\ntitle: W\ndate: not a date\n---\nbody")
        .unwrap();
    let out = run(&dir.path().join("archive.sqlite3"), &["import", posts.to_str().unwrap()]);
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    // The OSC (`ESC ] … BEL`) and CSI (`ESC [ 2J`, `U+009B 1m`) go whole; the rest stays.
    assert!(stderr.contains("skipped: _posts/2022-01-01-skip.md: published: false"), "{stderr}");
    assert!(stderr.contains("warning: _posts/2022-01-02-warn.md: unreadable date"), "{stderr}");
    assert!(terminal_controls(&stderr).is_empty(), "{:?} in {stderr:?}", terminal_controls(&stderr));
}

/// Posts whose dates and offsets sit at the ends of their types, with bookmarks and read
/// state as extreme, written straight into SQLite.
fn extreme_archive(dir: &Path) -> PathBuf {
    let db = dir.join("archive.sqlite3");
    let mut s = Store::open(&db).unwrap();
    let src = s
        .upsert_source(&NewSource {
            kind: "feed",
            location: "https://feed.example/feed.xml",
            name: "Feed",
            site_url: None,
            lang: None,
        })
        .unwrap();
    let extremes: [(i64, i64); 11] = [
        (i64::MAX, 0),
        (i64::MIN, 0),
        (i64::MAX, 1080),
        (i64::MIN, -1080),
        (253_402_300_799, 1080),
        (-62_167_219_200, -1080),
        (-377_705_116_800, 0),
        (0, 100_000),
        (0, -100_000),
        (0, i64::from(i32::MAX)),
        (0, i64::from(i32::MIN)),
    ];
    let rows: Vec<NewArticle> = (0..extremes.len())
        .map(|i| NewArticle {
            key: format!("k{i}"),
            title: format!("post k{i}"),
            html: "<p>word</p>".into(),
            text: "word".into(),
            extra_json: "{}".into(),
            url: Some(format!("https://site.example/k{i}")),
            categories: vec![("c".into(), None)],
            ..Default::default()
        })
        .collect();
    s.upsert_articles(src, &rows).unwrap();
    for a in s.list_articles(&ArticleQuery { limit: Some(100), ..Default::default() }).unwrap() {
        s.set_bookmark(a.id, true).unwrap();
        s.set_read(a.id, true).unwrap();
    }
    drop(s);
    let conn = Store::open_at_schema(&db, usize::MAX).unwrap();
    let mut sql = String::new();
    for (i, (t, off)) in extremes.iter().enumerate() {
        sql.push_str(&format!("UPDATE articles SET published_at = {t}, utc_offset_min = {off} WHERE key = 'k{i}';\n"));
    }
    sql.push_str(&format!(
        "UPDATE bookmarks SET created_at = {};\nUPDATE read_state SET read_at = {};\n",
        i64::MAX,
        i64::MIN
    ));
    conn.execute_batch(&sql).unwrap();
    db
}

fn no_panic(out: &Output, args: &[&str]) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
    assert_ne!(out.status.code(), Some(101), "{args:?} exited as a panic does: {stderr}");
}

#[test]
fn extreme_dates_and_offsets_never_make_the_cli_panic() {
    let dir = tempfile::tempdir().unwrap();
    let db = extreme_archive(dir.path());
    let list: Value = serde_json::from_str(&ok(&db, &["list", "--json", "--limit", "100"])).unwrap();
    let ids: Vec<String> = list.as_array().unwrap().iter().map(|r| r["id"].to_string()).collect();
    assert_eq!(ids.len(), 11);
    let out_dir = dir.path().join("out");
    let out = |name: &str| out_dir.join(name).to_string_lossy().into_owned();
    let (json, md, html, opml) = (out("b.json"), out("md"), out("b.html"), out("s.opml"));
    let mut commands: Vec<Vec<&str>> = vec![
        vec!["list"],
        vec!["list", "--bookmarked", "--json"],
        vec!["search", "word"],
        vec!["search", "word", "--json"],
        vec!["categories"],
        vec!["sources"],
        vec!["export", "--format", "json", "--out", &json],
        vec!["export", "--format", "markdown", "--out", &md],
        vec!["export", "--format", "bookmarks", "--out", &html],
        vec!["export", "--format", "opml", "--out", &opml],
    ];
    for id in &ids {
        commands.push(vec!["show", id]);
        commands.push(vec!["show", id, "--json"]);
    }
    std::fs::create_dir_all(&out_dir).unwrap();
    for args in &commands {
        let o = run(&db, args);
        no_panic(&o, args);
        assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    }
    let list = ok(&db, &["list", "--limit", "100"]);
    assert_eq!(list.lines().count(), 11, "{list}");

    // The backup of such an archive is refused on the way back in, by name.
    let fresh = dir.path().join("fresh.sqlite3");
    let o = run(&fresh, &["import-backup", &json]);
    no_panic(&o, &["import-backup"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("out of range"));

    // An offset too large for the column's type is at worst an error.
    let conn = Store::open_at_schema(&db, usize::MAX).unwrap();
    conn.execute_batch(&format!("UPDATE articles SET utc_offset_min = {} WHERE key = 'k1';", i64::MAX)).unwrap();
    drop(conn);
    for args in [vec!["list"], vec!["list", "--json"], vec!["export", "--format", "markdown", "--out", &md]] {
        no_panic(&run(&db, &args), &args);
    }
}
