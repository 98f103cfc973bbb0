//! Export and import on real archives: nothing the reader marked is lost on the way out,
//! on the way back in, or to housekeeping.

use std::path::Path;

use broadsheet_import::{import_path, import_sample, ImportOptions};
use broadsheet_model::{ArticleQuery, Filters, SearchQuery};
use broadsheet_store::{Backup, NewArticle, NewSource, Store};
use broadsheet_testkit::corpus_site as corpus;
use broadsheet_transfer::{
    export_bookmarks, export_json, export_markdown, export_opml, import_backup, import_opml, parse_opml, OpmlError,
    Selection,
};

fn store_in(dir: &Path, name: &str) -> Store {
    Store::open(&dir.join(name).join("archive.sqlite3")).unwrap()
}

/// The sample and a corpus site, with the reader's marks on some posts.
fn marked_archive(dir: &Path) -> Store {
    let mut store = store_in(dir, "a");
    import_sample(&mut store).unwrap();
    import_path(&mut store, &corpus("finews"), ImportOptions::default(), &mut |_, _| {}).unwrap();
    let finews = store.sources().unwrap().into_iter().find(|s| s.kind == "jekyll-folder").unwrap().id;
    store.add_site_alias(finews, "https://finews.zning.me", broadsheet_store::AliasOrigin::User).unwrap();
    store.add_site_alias(finews, "https://finews.example", broadsheet_store::AliasOrigin::Site).unwrap();
    // The reader's own choices on the source and the archive travel too.
    store.set_sync_interval(finews, 120).unwrap();
    store.set_image_budget(300 * 1024 * 1024).unwrap();
    let ids: Vec<broadsheet_model::ArticleId> = store
        .list_articles(&ArticleQuery { limit: Some(1000), ..Default::default() })
        .unwrap()
        .iter()
        .map(|a| a.id)
        .collect();
    for (n, &id) in ids.iter().enumerate() {
        if n % 3 == 0 {
            store.set_bookmark(id, true).unwrap();
        }
        if n % 4 == 0 {
            store.set_read(id, true).unwrap();
        }
        if n % 5 == 0 {
            store.tag_article(id, &["稍后再读", if n % 2 == 0 { "markets" } else { "Tech News" }]).unwrap();
        }
    }
    store.tag_article(ids[1], &["unused-later"]).unwrap();
    store.untag_article(ids[1], &["unused-later"]).unwrap();
    store
}

/// What an archive holds, table by table, by natural keys (source location, post key)
/// rather than row ids, which a restore gives anew. Left out on purpose (README, Backups):
/// sync state, folder stamps, duplicate sketches, fetched image files and this device's
/// log; and `user_added`, which a restore sets to "not the reader's" so a file's hosts are
/// checked like a stranger's.
fn tables(store: &Store) -> Vec<(&'static str, Vec<Vec<String>>)> {
    let conn = rusqlite::Connection::open_with_flags(
        store.path().expect("a file"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let post = "JOIN articles a ON a.id = x.article_id JOIN sources s ON s.id = a.source_id";
    let queries: Vec<(&'static str, String)> = vec![
        ("sources", "SELECT kind, location, name, site_url, lang, created_at, removed_at, interval_min FROM sources".into()),
        (
            "source_aliases",
            "SELECT s.location, x.url, x.origin FROM source_aliases x JOIN sources s ON s.id = x.source_id".into(),
        ),
        (
            "articles",
            "SELECT s.location, a.key, a.title, a.published_at, a.utc_offset_min, a.url, a.lang, quote(a.html),
                    a.text, a.excerpt, json(a.extra_json), a.content_hash, a.removed_upstream, a.imported_at,
                    a.updated_at
             FROM articles a JOIN sources s ON s.id = a.source_id"
                .into(),
        ),
        (
            "article_categories",
            format!("SELECT s.location, a.key, c.slug, c.name, x.position FROM article_categories x {post} JOIN categories c ON c.id = x.category_id"),
        ),
        (
            "article_site_tags",
            format!("SELECT s.location, a.key, t.name, x.position FROM article_site_tags x {post} JOIN site_tags t ON t.id = x.tag_id"),
        ),
        ("article_images", format!("SELECT s.location, a.key, x.url FROM article_images x {post}")),
        ("images", "SELECT url FROM images".into()),
        ("bookmarks", format!("SELECT s.location, a.key, x.created_at FROM bookmarks x {post}")),
        ("read_state", format!("SELECT s.location, a.key, x.read_at FROM read_state x {post}")),
        ("user_tags", "SELECT name FROM user_tags".into()),
        (
            "article_user_tags",
            format!("SELECT s.location, a.key, u.name FROM article_user_tags x {post} JOIN user_tags u ON u.id = x.user_tag_id"),
        ),
        ("settings", "SELECT key, value FROM settings WHERE key IN ('ui', 'image_budget_bytes')".into()),
    ];
    queries
        .into_iter()
        .map(|(name, sql)| {
            let mut stmt = conn.prepare(&sql).unwrap();
            let width = stmt.column_count();
            let mut rows: Vec<Vec<String>> = stmt
                .query_map([], |r| {
                    (0..width)
                        .map(|i| {
                            Ok(match r.get_ref(i)? {
                                rusqlite::types::ValueRef::Null => "NULL".to_string(),
                                rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                                rusqlite::types::ValueRef::Real(f) => f.to_string(),
                                rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                                rusqlite::types::ValueRef::Blob(b) => format!("{b:?}"),
                            })
                        })
                        .collect()
                })
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            rows.sort();
            (name, rows)
        })
        .collect()
}

fn without_time(mut b: Backup) -> Backup {
    b.exported_at = 0;
    b
}

#[test]
fn json_backup_restores_into_an_empty_archive_with_identical_state() {
    broadsheet_testkit::needs_corpus!();
    let dir = tempfile::tempdir().unwrap();
    let a = marked_archive(dir.path());
    let file = dir.path().join("backup.json");
    let n = export_json(&a, &Selection::default(), &file).unwrap();
    assert_eq!(n as u64, a.article_count().unwrap());

    let mut b = store_in(dir.path(), "b");
    assert_eq!(import_backup(&mut b, &file).unwrap(), n);
    // The two archives hold the same, table by table (not only the same backup).
    let (was, is) = (tables(&a), tables(&b));
    for ((name, x), (_, y)) in was.iter().zip(&is) {
        assert!(!x.is_empty() || *name == "source_aliases", "{name} was filled for the test");
        assert_eq!(x, y, "table {name} differs after the round trip");
    }
    let (before, after) = (without_time(a.backup().unwrap()), without_time(b.backup().unwrap()));
    assert_eq!(before.sources, after.sources);
    assert!(
        before.sources.iter().any(|s| s.aliases == ["https://finews.zning.me", "https://finews.example"]),
        "the site's other address travels"
    );
    assert_eq!(before.user_tags, after.user_tags);
    assert_eq!(before.articles.len(), after.articles.len());
    for (x, y) in before.articles.iter().zip(&after.articles) {
        assert_eq!(x, y, "article {} differs after the round trip", x.key);
    }
    // The restored archive is fully usable: lists, filters and search.
    let q = |f: Filters| {
        b.list_articles(&ArticleQuery { filters: f, limit: Some(1000), ..Default::default() }).unwrap().len()
    };
    let qa = |f: Filters| {
        a.list_articles(&ArticleQuery { filters: f, limit: Some(1000), ..Default::default() }).unwrap().len()
    };
    for f in [
        Filters { bookmarked: true, ..Default::default() },
        Filters { unread: true, ..Default::default() },
        Filters { user_tag: Some("稍后再读".into()), ..Default::default() },
    ] {
        assert_eq!(q(f.clone()), qa(f));
    }
    let hits = |s: &Store| {
        s.search(&SearchQuery { query: "股".into(), limit: Some(1000), ..Default::default() }).unwrap().len()
    };
    assert_eq!(hits(&a), hits(&b));

    // Restoring over content is refused, and nothing changes.
    let err = import_backup(&mut b, &file).unwrap_err();
    assert!(err.to_string().contains("not empty"), "{err}");
    let junk = dir.path().join("junk.json");
    std::fs::write(&junk, "{\"format\": \"something else\"}").unwrap();
    let err = import_backup(&mut store_in(dir.path(), "c"), &junk).unwrap_err();
    assert!(err.to_string().contains("junk.json"), "{err}");
}

#[test]
fn markdown_export_reads_back_as_a_jekyll_site_with_the_same_titles_dates_and_categories() {
    broadsheet_testkit::needs_corpus!();
    let dir = tempfile::tempdir().unwrap();
    let a = marked_archive(dir.path());
    let out = dir.path().join("export");
    let report = export_markdown(&a, &Selection::default(), &out).unwrap();
    assert_eq!(report.posts as u64, a.article_count().unwrap());
    assert!(report.images > 0, "the sample's cached images are exported alongside");

    let mut c = store_in(dir.path(), "c");
    let back = import_path(&mut c, &out, ImportOptions::default(), &mut |_, _| {}).unwrap();
    assert_eq!(back.imported, report.posts, "{:?}", back.skipped);
    let facts = |s: &Store| {
        let mut v: Vec<(String, String, Vec<String>)> = s
            .list_articles(&ArticleQuery { limit: Some(1000), ..Default::default() })
            .unwrap()
            .into_iter()
            .map(|x| (x.title, x.date, x.categories))
            .collect();
        v.sort();
        v
    };
    assert_eq!(facts(&a), facts(&c));
    // Cached images point at the exported files, which exist; links (http ones too) stay.
    let (mut assets, mut http_links) = (0, 0);
    let mut stored_http_links = 0;
    for x in a.list_articles(&ArticleQuery { limit: Some(1000), ..Default::default() }).unwrap() {
        stored_http_links += a.article(x.id).unwrap().html.matches("href=\"http://").count();
    }
    for folder in std::fs::read_dir(out.join("_posts")).unwrap() {
        for post in std::fs::read_dir(folder.unwrap().path()).unwrap() {
            let text = std::fs::read_to_string(post.unwrap().path()).unwrap();
            http_links += text.matches("href=\"http://").count();
            for (i, _) in text.match_indices("src=\"/assets/") {
                let name = &text[i + 13..][..text[i + 13..].find('"').unwrap()];
                assert!(out.join("assets").join(name).is_file(), "{name}");
                assets += 1;
            }
        }
    }
    assert!(assets >= report.images, "{assets} images shown of {} exported", report.images);
    assert!(stored_http_links > 0, "the sample has http links");
    assert_eq!(http_links, stored_http_links, "every http link is kept");
}

#[test]
fn markdown_file_names_are_safe_on_every_os() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store_in(dir.path(), "a");
    let src = s
        .upsert_source(&NewSource { kind: "jekyll-folder", location: "/x", name: "x", site_url: None, lang: None })
        .unwrap();
    let post = |key: &str, cat: &str| NewArticle {
        key: key.into(),
        title: format!("{cat} {key}"),
        published_at: 1_650_000_000,
        utc_offset_min: 480,
        html: "<p>x</p>".into(),
        text: "x".into(),
        extra_json: "{}".into(),
        categories: vec![(cat.into(), None)],
        ..Default::default()
    };
    s.upsert_articles(
        src,
        &[
            post("2022-04-15-a", "TechWeb"),
            post("2022-04-15-b", "Techweb"),
            post("2022-04-15-c", "21shijijingjibaodao 21caijingAPP"),
            post("2022-04-15-d", "anxinguojizhengquan(xianggang)"),
            post("2022-04-15-CON", "CON"),
            post("2022-04-15-A", "TechWeb"),
        ],
    )
    .unwrap();
    let out = dir.path().join("export");
    export_markdown(&s, &Selection::default(), &out).unwrap();
    let mut seen = std::collections::HashSet::new();
    let mut files = 0;
    for folder in std::fs::read_dir(out.join("_posts")).unwrap().flatten() {
        let name = folder.file_name().to_string_lossy().into_owned();
        assert!(seen.insert(name.to_lowercase()), "case-only clash: {name}");
        assert!(!name.contains([' ', '(', ')', '[', ']']), "{name}");
        assert_ne!(name.to_uppercase(), "CON");
        let mut in_folder = std::collections::HashSet::new();
        for f in std::fs::read_dir(folder.path()).unwrap().flatten() {
            let f = f.file_name().to_string_lossy().to_lowercase();
            assert!(in_folder.insert(f.clone()), "case-only clash: {f}");
            files += 1;
        }
    }
    assert_eq!(files, 6);
}

#[test]
fn opml_from_other_readers_imports_and_round_trips() {
    let nnw = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- OPML generated by NetNewsWire -->
<opml version="1.1">
  <head><title>Subscriptions-OnMyMac.opml</title></head>
<body>
  <outline text="Daring Fireball" title="Daring Fireball" description="" type="rss" version="RSS" htmlUrl="https://daringfireball.net/" xmlUrl="https://daringfireball.net/feeds/main"/>
  <outline text="News" title="News">
    <outline text="金融消息" title="金融消息" type="rss" htmlUrl="https://finews.withounder.com/" xmlUrl="https://finews.withounder.com/feed.xml"/>
  </outline>
</body>
</opml>"#;
    let feedly = r#"<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>Feedly subscriptions</title></head>
  <body>
    <outline text="Tech" title="Tech">
      <outline type="rss" text="Jekyll &amp; friends" title="Jekyll &amp; friends" xmlUrl="https://jekyllrb.com/feed.xml" htmlUrl="https://jekyllrb.com"/>
    </outline>
  </body>
</opml>"#;
    let inoreader = r#"<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
 <head><title>Subscriptions from Inoreader [https://www.inoreader.com]</title></head>
 <body>
  <outline text="Blogs" title="Blogs">
   <outline text="Hux Blog" title="Hux Blog" type="rss" xmlUrl="http://huangxuan.me/feed.xml" htmlUrl="http://huangxuan.me/"/>
   <outline text="Daring Fireball" title="Daring Fireball" type="rss" xmlUrl="https://daringfireball.net/feeds/main" htmlUrl="https://daringfireball.net/"/>
  </outline>
 </body>
</opml>"#;
    assert_eq!(parse_opml(nnw).unwrap().len(), 2);
    assert_eq!(parse_opml(feedly).unwrap()[0].title.as_deref(), Some("Jekyll & friends"));

    let dir = tempfile::tempdir().unwrap();
    let mut s = store_in(dir.path(), "a");
    let mut added = 0;
    let mut present = 0;
    for (name, text) in [("nnw.opml", nnw), ("feedly.opml", feedly), ("inoreader.opml", inoreader)] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let r = import_opml(&mut s, &path).unwrap();
        added += r.added;
        present += r.already_present;
    }
    assert_eq!((added, present), (4, 1), "Daring Fireball is in two files");
    let sources = s.sources().unwrap();
    assert!(sources.iter().all(|x| x.kind == "feed"));
    assert!(sources
        .iter()
        .any(|x| x.name == "金融消息" && x.site_url.as_deref() == Some("https://finews.withounder.com/")));
    // Feeds that arrived in a file are content: held to the public-network rule at sync time.
    assert!(s.sync_sources().unwrap().iter().all(|x| !x.user_added), "OPML sources are not reader-added");

    let out = dir.path().join("out.opml");
    assert_eq!(export_opml(&s, &out).unwrap(), 4);
    let again = parse_opml(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let mut urls: Vec<String> = again.into_iter().map(|f| f.url).collect();
    urls.sort();
    let mut want: Vec<String> = sources.into_iter().map(|x| x.location).collect();
    want.sort();
    assert_eq!(urls, want);
}

#[test]
fn hostile_opml_is_rejected_with_a_clear_error() {
    let entity = r#"<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>
<opml version="2.0"><body><outline text="&lol2;" xmlUrl="https://a.example/feed"/></body></opml>"#;
    assert_eq!(parse_opml(entity).unwrap_err(), OpmlError::Dtd);
    let js = r#"<opml version="2.0"><body><outline text="x" xmlUrl="javascript:alert(1)"/></body></opml>"#;
    assert!(matches!(parse_opml(js).unwrap_err(), OpmlError::NotWeb(url) if url.contains("javascript:alert(1)")));
    let undefined = r#"<opml version="2.0"><body><outline text="&xxe;" xmlUrl="https://a.example/"/></body></opml>"#;
    assert!(parse_opml(undefined).is_err());
    assert!(matches!(parse_opml("<opml><body><outline").unwrap_err(), OpmlError::NotXml { .. }));
    assert_eq!(parse_opml("<html/>").unwrap_err(), OpmlError::NotOpml);
    // Hundreds of thousands of attributes on one outline: refused at the bound, not checked
    // pairwise for duplicates (minutes).
    let attrs: String = (0..300_000).map(|i| format!(" a{i}=\"\"")).collect();
    let wide = format!("<opml version=\"2.0\"><body><outline{attrs} xmlUrl=\"https://a.example/f\"/></body></opml>");
    assert!(matches!(parse_opml(&wide).unwrap_err(), OpmlError::BadAttribute(why) if why.contains("more than")));

    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge.opml");
    let line = "<outline text=\"x\" xmlUrl=\"https://a.example/feed\"/>\n";
    std::fs::write(
        &huge,
        format!("<opml version=\"2.0\"><body>{}</body></opml>", line.repeat(6 * 1024 * 1024 / line.len())),
    )
    .unwrap();
    let mut s = store_in(dir.path(), "a");
    let err = import_opml(&mut s, &huge).unwrap_err().to_string();
    assert!(err.contains("huge.opml") && err.contains("more than"), "{err}");
    assert!(s.sources().unwrap().is_empty(), "nothing was added");
    // A file whose size says nothing (a device): refused before it is read, not read forever.
    #[cfg(unix)]
    {
        let zero = dir.path().join("zero.opml");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        let err = import_opml(&mut s, &zero).unwrap_err().to_string();
        assert!(err.contains("zero.opml") && err.contains("not a file"), "{err}");
    }
}

#[test]
fn bookmarks_html_lists_bookmarked_posts_with_their_tags() {
    broadsheet_testkit::needs_corpus!();
    let dir = tempfile::tempdir().unwrap();
    let a = marked_archive(dir.path());
    let out = dir.path().join("bookmarks.html");
    let n = export_bookmarks(&a, &Selection::default(), &out).unwrap();
    let bookmarked = a
        .list_articles(&ArticleQuery {
            filters: Filters { bookmarked: true, ..Default::default() },
            limit: Some(1000),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(n, bookmarked.iter().filter(|x| x.url.is_some()).count());
    let html = std::fs::read_to_string(out).unwrap();
    assert!(html.starts_with("<!DOCTYPE NETSCAPE-Bookmark-file-1>"));
    assert_eq!(html.matches("<DT><A HREF=").count(), n);
    assert!(
        html.contains("TAGS=\"markets,稍后再读\"") || html.contains("TAGS=\"Tech News,稍后再读\""),
        "tags travel with bookmarks"
    );
}

#[test]
fn story_retention_and_source_removal_never_take_marked_posts() {
    broadsheet_testkit::needs_corpus!();
    let dir = tempfile::tempdir().unwrap();
    let mut a = marked_archive(dir.path());
    let marked = |s: &Store| {
        let mut ids: Vec<broadsheet_model::ArticleId> = s
            .list_articles(&ArticleQuery { limit: Some(1000), ..Default::default() })
            .unwrap()
            .into_iter()
            .filter(|x| x.bookmarked || !x.user_tags.is_empty())
            .map(|x| x.id)
            .collect();
        ids.sort();
        ids
    };
    let before = marked(&a);
    assert!(!before.is_empty());

    // Retention: the preview is what applying it then does; days = 0 takes every unmarked post
    // published before now.
    let preview = a.retention_preview(0).unwrap();
    assert!(preview.articles > 0 && preview.images > 0);
    let applied = a.apply_retention(0).unwrap();
    assert_eq!(preview, applied);
    assert_eq!(marked(&a), before);
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let left = a.list_articles(&ArticleQuery { limit: Some(1000), ..Default::default() }).unwrap();
    assert!(
        left.iter().all(|x| x.bookmarked || !x.user_tags.is_empty() || x.timestamp >= now - 5),
        "an unmarked old post survived"
    );
    // Images go with the posts that alone used them; those of kept posts stay.
    let kept_images: Vec<String> = a.backup().unwrap().articles.iter().flat_map(|x| x.images.clone()).collect();
    for (url, _, _) in broadsheet_sample::images() {
        assert_eq!(a.image(&url).unwrap().is_some(), kept_images.contains(&url), "{url}");
    }

    // Removing every source without keeping posts still keeps the marked ones.
    for s in a.sources().unwrap() {
        a.remove_source(s.id, false).unwrap();
    }
    assert_eq!(marked(&a), before);
    assert!(a.sources().unwrap().iter().all(|s| s.removed));
    // No ghosts in search: every hit is an archived post.
    let hits = a.search(&SearchQuery { query: "股".into(), limit: Some(1000), ..Default::default() }).unwrap();
    assert!(hits.iter().all(|h| before.contains(&h.summary.id)));
}

/// An export replaces the previous file whole: a failed one leaves it as it was, and no
/// temporary file is left beside it.
#[test]
fn an_export_replaces_the_previous_file_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("a/archive.sqlite3")).unwrap();
    let out = dir.path().join("backup.json");
    std::fs::write(&out, "the previous backup").unwrap();
    broadsheet_transfer::export_json(&s, &broadsheet_transfer::Selection::default(), &out).unwrap();
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(written.starts_with('{'), "{written:.40}");
    // Into a folder that is gone: an error naming the file, nothing half-written anywhere.
    let missing = dir.path().join("gone/backup.json");
    let err = broadsheet_transfer::export_opml(&s, &missing).unwrap_err().to_string();
    assert!(err.contains("backup.json"), "{err}");
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(left.len(), 2, "only the archive folder and the backup: {left:?}");
}

/// The JSON export is written one post at a time; read back, it is the archive's backup
/// exactly, and a selection keeps only the sources its posts name.
#[test]
fn the_streamed_json_export_is_the_archives_backup() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_in(dir.path(), "a");
    import_sample(&mut store).unwrap();
    let feed = store
        .upsert_source(&broadsheet_store::NewSource {
            kind: "feed",
            location: "https://feed.example/rss.xml",
            name: "Other",
            site_url: None,
            lang: None,
        })
        .unwrap();
    store
        .upsert_articles(
            feed,
            &[broadsheet_store::NewArticle {
                key: "x".into(),
                title: "外部".into(),
                html: "<p>外部文章</p>".into(),
                text: "外部文章".into(),
                extra_json: "{}".into(),
                ..Default::default()
            }],
        )
        .unwrap();
    let first = store.list_articles(&ArticleQuery::default()).unwrap().into_iter().find(|a| a.title != "外部").unwrap();
    store.set_bookmark(first.id, true).unwrap();
    store.tag_article(first.id, &["稍后再读"]).unwrap();

    let file = dir.path().join("all.json");
    let n = export_json(&store, &Selection::default(), &file).unwrap();
    let read: Backup = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(n, read.articles.len());
    assert_eq!(without_time(read), without_time(store.backup().unwrap()));

    let marked = dir.path().join("marked.json");
    assert_eq!(export_json(&store, &Selection { bookmarked: true, ..Default::default() }, &marked).unwrap(), 1);
    let read: Backup = serde_json::from_slice(&std::fs::read(&marked).unwrap()).unwrap();
    assert_eq!(read.articles.len(), 1);
    assert_eq!(read.sources.len(), 1, "only the source its post names: {:?}", read.sources);
    assert_eq!(read.sources[0].location, read.articles[0].source);
    assert_eq!(read.user_tags, vec!["稍后再读".to_string()]);
}
