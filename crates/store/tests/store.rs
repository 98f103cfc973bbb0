//! The archive file itself: opening, migrating, refusing what it does not understand.

use broadsheet_store::{ArticleId, SourceId, Store, StoreError};

/// A source of `kind` at `location` (also its name).
fn source(s: &Store, kind: &str, location: &str) -> SourceId {
    s.upsert_source(&broadsheet_store::NewSource { kind, location, name: location, site_url: None, lang: None })
        .unwrap()
}

#[test]
fn opening_twice_applies_each_migration_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/archive.sqlite3");
    let first = Store::open(&path).unwrap().applied_migrations().unwrap();
    assert!(!first.is_empty());
    let second = Store::open(&path).unwrap().applied_migrations().unwrap();
    assert_eq!(first, second);
}

#[test]
fn an_archive_from_a_newer_version_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("archive.sqlite3");
    drop(Store::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("INSERT INTO schema_migrations (name, applied_at) VALUES ('2999-01-01-0001-future', 0)", []).unwrap();
    drop(conn);
    match Store::open(&path) {
        Err(StoreError::FromTheFuture { name }) => assert_eq!(name, "2999-01-01-0001-future"),
        Err(other) => panic!("wrong error: {other}"),
        Ok(_) => panic!("opened an archive from the future"),
    }
}

#[test]
fn an_unopenable_path_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    // A directory where the database file should be.
    let path = dir.path().join("archive.sqlite3");
    std::fs::create_dir(&path).unwrap();
    let err = Store::open(&path).err().expect("a directory is not an archive");
    assert!(err.to_string().contains("archive.sqlite3"), "{err}");
}

#[test]
fn an_archive_at_the_first_schema_upgrades_with_its_content_and_user_state() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("archive.sqlite3");
    let old = Store::open_at_schema(&path, 1).unwrap();
    // Written with the first schema's own column names, as that version wrote them.
    old.execute_batch(
        "INSERT INTO sources (id, kind, location, name, created_at) VALUES (1, 'jekyll-folder', '/site', 'Site', 0);
         INSERT INTO articles (id, source_id, key, title, published_at, utc_offset_min, html, text, excerpt,
                               content_hash, imported_at, updated_at)
           VALUES (7, 1, '2022-03-08-a', '旧文章', 1646704800, 480, '<p>正文</p>', '正文', '正文', 'h', 0, 0);
         INSERT INTO bookmarks (article_id, created_at) VALUES (7, 0);
         INSERT INTO read_state (article_id, read_at) VALUES (7, 0);",
    )
    .unwrap();
    drop(old);

    let store = Store::open(&path).unwrap();
    assert!(!store.applied_migrations().unwrap().is_empty());
    let a = store.article(ArticleId(7)).unwrap();
    assert_eq!(a.summary.title, "旧文章");
    assert!(a.summary.bookmarked && a.summary.read);
    assert_eq!(a.summary.date, "2022-03-08T10:00:00+08:00");
}

/// Migration 0019 rewrites the image tables without rowids (each address kept three times,
/// not five): every image, its state and every post's link to it come through, and the
/// archive goes on finding, listing and clearing them.
#[test]
fn image_tables_rewritten_without_rowids_keep_every_image_and_link() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("archive.sqlite3");
    let old = Store::open_at_schema(&path, 18).unwrap();
    old.execute_batch(
        "INSERT INTO sources (id, kind, location, name, created_at) VALUES (1, 'feed', 'https://a.example/f', 'A', 0);
         INSERT INTO articles (id, source_id, key, title, published_at, utc_offset_min, html, text, excerpt,
                               extra_json, content_hash, imported_at, updated_at)
           VALUES (7, 1, 'k7', 'seven', 1646704800, 480, '<p>x</p>', '', '', '{}', 'h', 0, 0),
                  (8, 1, 'k8', 'eight', 1646704900, 480, '<p>y</p>', '', '', '{}', 'h', 0, 0);
         INSERT INTO images (url, sha256, mime, bytes, last_error, fetched_at, attempts, next_attempt)
           VALUES ('https://img.example/a.png', 'aa', 'image/png', 10, NULL, 5, 0, NULL),
                  ('https://img.example/b.png', NULL, NULL, NULL, 'HTTP 404', NULL, 3, 99);
         INSERT INTO article_images (article_id, url)
           VALUES (7, 'https://img.example/a.png'), (8, 'https://img.example/a.png'), (8, 'https://img.example/b.png');",
    )
    .unwrap();
    drop(old);

    let store = Store::open(&path).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    for table in ["images", "article_images"] {
        let sql: String =
            conn.query_row("SELECT sql FROM sqlite_master WHERE name = ?1", [table], |r| r.get(0)).unwrap();
        assert!(sql.contains("WITHOUT ROWID"), "{table}: {sql}");
    }
    let state: (Option<String>, i64, Option<i64>, Option<String>) = conn
        .query_row(
            "SELECT sha256, attempts, next_attempt, last_error FROM images WHERE url = 'https://img.example/b.png'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(state, (None, 3, Some(99), Some("HTTP 404".into())));
    let fetched: (String, String, i64) = conn
        .query_row("SELECT sha256, mime, bytes FROM images WHERE url = 'https://img.example/a.png'", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(fetched, ("aa".into(), "image/png".into(), 10));
    assert_eq!(store.article_images(ArticleId(7)).unwrap(), ["https://img.example/a.png"]);
    assert_eq!(store.article_images(ArticleId(8)).unwrap(), ["https://img.example/a.png", "https://img.example/b.png"]);
    let by_url: i64 = conn
        .query_row("SELECT count(*) FROM article_images WHERE url = 'https://img.example/a.png'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(by_url, 2);
    // A post's links go with it (the foreign key's cascade survived the rewrite).
    conn.execute_batch("PRAGMA foreign_keys = ON; DELETE FROM articles WHERE id = 7;").unwrap();
    assert!(store.article_images(ArticleId(7)).unwrap().is_empty());
    assert_eq!(store.article_images(ArticleId(8)).unwrap().len(), 2);
}

/// An archive from before the unigram index (schema 9) opens at once, with every article
/// waiting to be indexed; small writes index them, and search then finds them all.
#[test]
fn an_upgraded_archive_is_searchable_after_its_articles_are_indexed_in_small_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("archive.sqlite3");
    let old = Store::open_at_schema(&path, 9).unwrap();
    old.execute("INSERT INTO sources (id, kind, location, name, created_at) VALUES (1, 'feed', 'x', 'x', 0)", [])
        .unwrap();
    for id in 1..=5 {
        old.execute(
            "INSERT INTO articles (id, source_id, key, title, published_at, utc_offset_min, html, text, excerpt,
                                   content_hash, imported_at, updated_at)
               VALUES (?1, 1, ?1, '升级', 1646704800 + ?1, 480, '<p>旧索引里的正文</p>', '旧索引里的正文', '', 'h', 0, 0)",
            [id],
        )
        .unwrap();
    }
    drop(old);

    let mut store = Store::open(&path).unwrap();
    let q = broadsheet_model::SearchQuery { query: "索引".into(), ..Default::default() };
    assert_eq!(store.unindexed_count().unwrap(), 5, "nothing is indexed during the upgrade itself");
    assert!(store.search(&q).unwrap().is_empty());
    assert_eq!(store.index_pending(2).unwrap(), 2);
    assert_eq!(store.search(&q).unwrap().len(), 2, "the indexed ones are found meanwhile");
    while store.index_pending(2).unwrap() > 0 {}
    assert_eq!(store.unindexed_count().unwrap(), 0);
    let found: Vec<ArticleId> = store.search(&q).unwrap().iter().map(|h| h.summary.id).collect();
    assert_eq!(found, [5, 4, 3, 2, 1].map(ArticleId), "all of them, newest first among equals");
}

#[test]
fn setting_user_tags_replaces_them_and_keeps_tags_usable_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("a.sqlite3")).unwrap();
    let src = source(&s, "feed", "x");
    let row = |key: &str| broadsheet_store::NewArticle {
        key: key.into(),
        title: key.into(),
        html: String::new(),
        extra_json: "{}".into(),
        ..Default::default()
    };
    let ids: Vec<ArticleId> = s
        .upsert_articles(src, &[row("a"), row("b")])
        .unwrap()
        .into_iter()
        .map(|o| match o {
            broadsheet_store::UpsertOutcome::Inserted(id) => id,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(s.set_user_tags(ids[0], &["稍后".into(), "Markets".into()]).unwrap(), ["Markets", "稍后"]);
    s.set_user_tags(ids[1], &["markets".into()]).unwrap();
    assert_eq!(s.set_user_tags(ids[0], &["  ".into(), "稍后".into()]).unwrap(), ["稍后"]);
    let tags = s.user_tags().unwrap();
    assert_eq!(
        tags.iter().map(|t| (t.name.as_str(), t.count)).collect::<Vec<_>>(),
        [("Markets", 1), ("稍后", 1)],
        "case-insensitive: one tag"
    );
    assert!(s.set_user_tags(ArticleId(999), &[]).is_err());
    // No more than a backup can carry back: refused before any work, nothing changed.
    let many: Vec<String> = (0..1_025).map(|i| format!("t{i}")).collect();
    assert!(s.set_user_tags(ids[0], &many).unwrap_err().to_string().contains("at most 1024"));
    let names: Vec<&str> = many.iter().map(String::as_str).collect();
    s.tag_article(ids[0], &names[..1_000]).unwrap();
    assert!(s.tag_article(ids[0], &names[1_000..]).is_err(), "one at a time past the bound: refused too");
    assert_eq!(s.article(ids[0]).unwrap().summary.user_tags.len(), 1_001, "the refused call changed nothing");
}

#[test]
fn temporary_image_files_left_by_a_kill_are_removed_and_fresh_ones_kept() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("archive.sqlite3")).unwrap();
    store.put_image("https://example.org/a.png", "image/png", b"\x89PNG\r\n\x1a\nrest").unwrap();
    let sub = dir.path().join("images/ab");
    std::fs::create_dir_all(&sub).unwrap();
    let (old, young) = (sub.join("abcd.123-0.part"), sub.join("abce.456-1.part"));
    std::fs::write(&old, b"half an image").unwrap();
    std::fs::write(&young, b"being written").unwrap();
    let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    std::fs::File::options().write(true).open(&old).unwrap().set_modified(two_hours_ago).unwrap();
    assert_eq!(store.image_files().remove_partial(std::time::Duration::from_secs(3600)), 1);
    assert!(!old.exists() && young.exists());
    assert!(store.image("https://example.org/a.png").unwrap().is_some(), "finished images are untouched");
}

/// Marking a view read works in steps of a few thousand: every post of the view, past any
/// step's end, is marked once, and nothing outside the view is.
#[test]
fn marking_a_large_view_read_marks_exactly_that_view_across_steps() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("a.sqlite3")).unwrap();
    let src = source(&s, "feed", "x");
    let rows: Vec<broadsheet_store::NewArticle> = (0..4_500)
        .map(|i| broadsheet_store::NewArticle {
            key: format!("k{i}"),
            title: format!("t{i}"),
            published_at: 1_700_000_000 + i,
            extra_json: "{}".into(),
            categories: vec![(if i % 3 == 0 { "big" } else { "other" }.to_string(), None)],
            ..Default::default()
        })
        .collect();
    s.upsert_articles(src, &rows).unwrap();
    let big = broadsheet_model::Filters { category: Some("big".into()), ..Default::default() };
    let unread_big = broadsheet_model::Filters { unread: true, ..big.clone() };
    let first = s
        .list_articles(&broadsheet_model::ArticleQuery { filters: big.clone(), limit: Some(1), ..Default::default() })
        .unwrap();
    s.set_read(first[0].id, true).unwrap();
    assert_eq!(s.count_articles(&unread_big).unwrap(), 1_499);
    assert_eq!(s.mark_all_read(&big).unwrap(), 1_499, "each unread post of the view, once");
    assert_eq!(s.count_articles(&unread_big).unwrap(), 0);
    let unread = broadsheet_model::Filters { unread: true, ..Default::default() };
    assert_eq!(s.count_articles(&unread).unwrap(), 3_000, "nothing outside the view");
    assert_eq!(s.mark_all_read(&broadsheet_model::Filters::default()).unwrap(), 3_000, "past a step of 2,000");
    assert_eq!(s.count_articles(&unread).unwrap(), 0);
    // Posts that arrive while it runs (ids past the newest when the reader asked) stay unread.
    let upto = s.newest_article_id().unwrap();
    s.upsert_articles(
        src,
        &[broadsheet_store::NewArticle { key: "late".into(), extra_json: "{}".into(), ..Default::default() }],
    )
    .unwrap();
    let (mut after, mut changed) = (ArticleId(0), 0);
    while let Some((n, last)) = s.mark_read_step(&broadsheet_model::Filters::default(), after, upto).unwrap() {
        (after, changed) = (last, changed + n);
    }
    assert_eq!((after, changed), (upto, 0), "steps end at the newest post of when it began");
    assert_eq!(s.count_articles(&unread).unwrap(), 1, "the late post is still unread");
}

/// A same-site link opens the site's own post even when another source (a feed claiming the
/// site's addresses) stored an article at the same URL first.
#[test]
fn a_link_is_resolved_within_its_own_source_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("a.sqlite3")).unwrap();
    let (hostile, site) =
        (source(&s, "feed", "https://evil.example/feed"), source(&s, "feed", "https://site.example/feed"));
    let row = |key: &str| broadsheet_store::NewArticle {
        key: key.into(),
        title: key.into(),
        url: Some("https://site.example/2024/a.html".into()),
        extra_json: "{}".into(),
        ..Default::default()
    };
    s.upsert_articles(hostile, &[row("claimed")]).unwrap();
    s.upsert_articles(site, &[row("own")]).unwrap();
    let title = |id: Option<ArticleId>| s.article(id.unwrap()).unwrap().summary.title;
    assert_eq!(title(s.article_by_url_in("https://site.example/2024/a.html", Some(site)).unwrap()), "own");
    assert_eq!(title(s.article_by_url_in("https://site.example/2024/a.html", Some(hostile)).unwrap()), "claimed");
    assert_eq!(s.article_by_url_in("https://site.example/none", Some(site)).unwrap(), None);
}

/// The search-key spacing change (migration 0012) leaves an indexed archive unindexed, at once,
/// and the same small writes make everything findable again.
#[test]
fn an_archive_indexed_with_wide_keys_is_reindexed_after_the_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("archive.sqlite3");
    drop(Store::open_at_schema(&path, 11).unwrap());
    {
        // Written and indexed by the code of the day (the key spacing is not in the schema).
        let conn = Store::open_at_schema(&path, 11).unwrap();
        conn.execute("INSERT INTO sources (id, kind, location, name, created_at) VALUES (1, 'feed', 'x', 'x', 0)", [])
            .unwrap();
        for id in 1..=3i64 {
            conn.execute(
                "INSERT INTO articles (id, source_id, key, title, published_at, utc_offset_min, html, text, excerpt,
                                       content_hash, imported_at, updated_at, search_rowid)
                   VALUES (?1, 1, ?1, '旧键', 1646704800 + ?1, 480, '<p>宽间距</p>', '宽间距', '', 'h', 0, 0, ?2)",
                rusqlite::params![id, (1646704800 + id) * (1 << 20) + id],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO article_fts (rowid, title, body) VALUES (?1, '旧 键', '宽 间 距')",
                [(1646704800 + id) * (1 << 20) + id],
            )
            .unwrap();
        }
    }
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.unindexed_count().unwrap(), 3);
    while store.index_pending(2).unwrap() > 0 {}
    let q = broadsheet_model::SearchQuery { query: "间距".into(), ..Default::default() };
    let found: Vec<ArticleId> = store.search(&q).unwrap().iter().map(|h| h.summary.id).collect();
    assert_eq!(found, [3, 2, 1].map(ArticleId));
}

/// Pending images are handed out in turns, one per source: a source with thousands of
/// pictures (sorting first) cannot keep another source's from ever being tried.
#[test]
fn pending_images_take_turns_between_sources() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("a.sqlite3")).unwrap();
    let add = |s: &mut Store, location: &str, prefix: &str, n: usize| {
        let src = source(s, "feed", location);
        let rows: Vec<broadsheet_store::NewArticle> = (0..n)
            .map(|i| broadsheet_store::NewArticle {
                key: format!("{prefix}{i}"),
                extra_json: "{}".into(),
                images: vec![format!("http://{prefix}.example/{i}.jpg")],
                ..Default::default()
            })
            .collect();
        s.upsert_articles(src, &rows).unwrap();
        src
    };
    let flood = add(&mut s, "https://a.example/feed", "a", 300);
    let small = add(&mut s, "https://z.example/feed", "z", 3);
    let first = s.pending_images(None, 10).unwrap();
    assert_eq!(first.len(), 10);
    let from_small = first.iter().filter(|p| p.source == small).count();
    assert_eq!(from_small, 3, "the small source's images are among the first: {first:?}");
    assert!(first.iter().any(|p| p.source == flood));
}

/// A restore may replace the embedded sample, but nothing of the reader's.
#[test]
fn only_an_archive_holding_the_unmarked_sample_may_take_a_restore() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("a.sqlite3")).unwrap();
    assert_eq!(s.only_the_sample().unwrap(), Some(vec![]), "an empty archive");
    let sample = source(&s, "sample", "broadsheet:sample");
    let row = broadsheet_store::NewArticle { key: "k".into(), extra_json: "{}".into(), ..Default::default() };
    s.upsert_articles(sample, &[row]).unwrap();
    assert_eq!(s.only_the_sample().unwrap(), Some(vec![sample]));
    let id = s.list_articles(&broadsheet_model::ArticleQuery::default()).unwrap()[0].id;
    s.set_bookmark(id, true).unwrap();
    assert_eq!(s.only_the_sample().unwrap(), None, "a bookmark is the reader's");
    s.set_bookmark(id, false).unwrap();
    source(&s, "feed", "https://x.example/f");
    assert_eq!(s.only_the_sample().unwrap(), None, "a source is the reader's");
}

#[test]
fn the_sidebar_gets_a_bounded_page_of_labels_with_the_true_total() {
    use broadsheet_model::LabelQuery;
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("a.sqlite3")).unwrap();
    let src = source(&s, "feed", "x");
    // 3,000 posts, each in its own category plus the shared "big" one (2 posts in "50%_off"),
    // and as many site tags: far more labels than a page.
    let rows: Vec<broadsheet_store::NewArticle> = (0..3_000)
        .map(|i| broadsheet_store::NewArticle {
            key: format!("k{i}"),
            title: format!("t{i}"),
            published_at: 1_700_000_000 + i,
            extra_json: "{}".into(),
            categories: vec![
                (format!("c{i:05}"), (i % 2 == 0).then(|| format!("名{i:05}"))),
                ("big".into(), Some("Zeta".into())),
                (if i < 2 { "50%_off" } else { "plain" }.into(), None),
            ],
            tags: vec![format!("tag{i:05}"), "常见".into()],
            ..Default::default()
        })
        .collect();
    s.upsert_articles(src, &rows).unwrap();
    let page = |filter: &str, by_count: bool, limit: u32| {
        s.category_page(&LabelQuery { filter: filter.into(), by_count, limit }).unwrap()
    };

    let all = page("", false, 5);
    assert_eq!(all.total, 3_003, "every category with posts is counted, not only the page");
    assert_eq!(all.items.len(), 5);
    assert_eq!(all.items[0].name, "50%_off", "by display name (the slug when the site gives none)");
    assert!(all.items.windows(2).all(|w| w[0].name <= w[1].name), "{:?}", all.items);

    let by_count = page("", true, 3);
    let top: Vec<(&str, u64)> = by_count.items.iter().map(|c| (c.slug.as_str(), c.count)).collect();
    assert_eq!(top, vec![("big", 3_000), ("plain", 2_998), ("50%_off", 2)]);

    // The filter matches name or slug, takes `%` and `_` literally, and folds ASCII case.
    let off = page("%_O", false, 50);
    assert_eq!((off.total, off.items.iter().map(|c| c.slug.as_str()).collect::<Vec<_>>()), (1, vec!["50%_off"]));
    assert_eq!(page("zeta", false, 50).items[0].slug, "big");
    assert_eq!(page("名0000", false, 50).total, 5, "名00000, 名00002 … 名00008");
    assert_eq!(page("c0299", false, 50).total, 10);

    // A page never exceeds the cap, whatever is asked.
    assert_eq!(page("", false, u32::MAX).items.len(), LabelQuery::MAX_LIMIT as usize);

    // The names travel with each row, so the window needs no full list to show them.
    let list = s.list_articles(&broadsheet_model::ArticleQuery { limit: Some(1), ..Default::default() }).unwrap();
    assert_eq!(list[0].categories, vec!["c02999", "big", "plain"]);
    assert_eq!(list[0].category_names, vec!["c02999", "Zeta", "plain"]);

    let tags = s.site_tag_page(&LabelQuery { filter: String::new(), by_count: true, limit: 2 }).unwrap();
    assert_eq!(tags.total, 3_001);
    assert_eq!((tags.items[0].name.as_str(), tags.items[0].count), ("常见", 3_000));
    let tags = s.site_tag_page(&LabelQuery { filter: "TAG0299".into(), by_count: false, limit: 3 }).unwrap();
    assert_eq!(tags.total, 10);
    assert_eq!(tags.items.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["tag02990", "tag02991", "tag02992"]);

    // The reader's own tags page the same way, unused ones (count 0) included.
    s.set_user_tags(list[0].id, &["稍后读".into(), "later".into(), "Long reads".into()]).unwrap();
    s.rename_user_tag("later", "zzz").unwrap();
    s.set_user_tags(list[0].id, &["稍后读".into(), "Long reads".into()]).unwrap();
    let mine = s.user_tag_page(&LabelQuery { filter: String::new(), by_count: false, limit: 2 }).unwrap();
    assert_eq!(mine.total, 3);
    assert_eq!(
        mine.items.iter().map(|t| (t.name.as_str(), t.count)).collect::<Vec<_>>(),
        [("Long reads", 1), ("zzz", 0)]
    );
    let read = s.user_tag_page(&LabelQuery { filter: "READ".into(), by_count: false, limit: 10 }).unwrap();
    assert_eq!((read.total, read.items[0].name.as_str()), (1, "Long reads"));
}

/// A row prepared ahead of the write (`NewArticle::prepare`, on an import's parse workers) is
/// stored exactly as the same row the writer works out itself; a preparation made stale by a
/// later edit of the HTML is not used.
#[test]
fn a_prepared_row_is_stored_as_the_writer_would_store_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("a.sqlite3")).unwrap();
    let (plain, ready) = (source(&s, "feed", "plain"), source(&s, "feed", "ready"));
    let html = "<p>新华社北京12月6日电 国产存储芯片良率突破九成，记者从多家企业了解到。</p>\n".repeat(30);
    let row = |key: &str| broadsheet_store::NewArticle {
        key: key.into(),
        title: "存储芯片".into(),
        published_at: 1_700_000_000,
        html: html.clone(),
        text: broadsheet_html::plain_text(&html),
        text_derived: true,
        extra_json: "{}".into(),
        ..Default::default()
    };
    let mut prepared = row("p");
    prepared.prepare();
    let mut stale = row("stale");
    stale.prepare();
    stale.html = "<p>改过的正文，比原来短得多</p>".repeat(3);
    stale.text = broadsheet_html::plain_text(&stale.html);
    // An edit that keeps every length: another title of as many bytes.
    let mut retitled = row("retitled");
    retitled.prepare();
    retitled.title = "内存芯片".into();
    s.upsert_articles(plain, &[row("p")]).unwrap();
    s.upsert_articles(ready, &[prepared.clone(), stale.clone(), retitled]).unwrap();

    let ids = |src: SourceId| {
        let f = broadsheet_model::Filters { source: Some(src), ..Default::default() };
        s.list_articles(&broadsheet_model::ArticleQuery { filters: f, ..Default::default() }).unwrap()
    };
    let (a, b) = (ids(plain), ids(ready));
    // In the ready source, rows were written in order (ids rising).
    let mut ids: Vec<ArticleId> = b.iter().map(|x| x.id).collect();
    ids.sort();
    let (a, b_p, b_stale) = (s.article(a[0].id).unwrap(), s.article(ids[0]).unwrap(), s.article(ids[1]).unwrap());
    assert_eq!(s.article(ids[2]).unwrap().summary.title, "内存芯片");
    assert_eq!((a.html.as_str(), a.text.as_str()), (b_p.html.as_str(), b_p.text.as_str()));
    assert_eq!(b_stale.html, stale.html, "the edited HTML is what is stored");
    // Same content, same hash: re-importing either way finds the row unchanged.
    assert_eq!(
        s.upsert_articles(ready, &[row("p")]).unwrap(),
        vec![broadsheet_store::UpsertOutcome::Unchanged(b_p.summary.id)]
    );
    // Both are found by their words, the stale one by its new words only.
    let hits =
        |q: &str| s.search(&broadsheet_model::SearchQuery { query: q.into(), ..Default::default() }).unwrap().len();
    assert_eq!(hits("良率突破"), 3);
    assert_eq!(hits("改过的正文"), 1);
    assert_eq!(hits("内存芯片"), 1, "the retitled row is indexed by its new title");
}

/// A source's location is its identity (so it is refused, not cut) and must be something the
/// archive's own backup restores: one line of at most 4 KiB.
#[test]
fn a_source_location_the_backup_would_refuse_is_refused_on_the_way_in() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("a.sqlite3")).unwrap();
    let long = format!("https://a.example/{}", "x".repeat(5_000));
    for bad in [long.as_str(), "https://a.example/\u{1}feed", "https://a.example/\nfeed"] {
        let err = s
            .upsert_source(&broadsheet_store::NewSource {
                kind: "feed",
                location: bad,
                name: "n",
                site_url: None,
                lang: None,
            })
            .unwrap_err();
        assert!(matches!(err, StoreError::InvalidInput(_)), "{err}");
        assert!(err.to_string().len() < 400, "the refusal does not echo the location whole: {err}");
    }
    assert!(s.sources().unwrap().is_empty());
    source(&s, "feed", "https://a.example/feed.xml");
    assert_eq!(s.sources().unwrap().len(), 1);
}

/// Removal walks on from where its last step stopped: posts kept because they are marked are
/// passed once (not re-read at every step), and posts sharing one second are neither skipped
/// nor deleted twice across a step's edge.
#[test]
fn removal_in_steps_deletes_exactly_the_unmarked_posts_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("a.sqlite3")).unwrap();
    let (src, other) = (source(&s, "feed", "x"), source(&s, "feed", "y"));
    let rows: Vec<broadsheet_store::NewArticle> = (0..1_000)
        .map(|i| broadsheet_store::NewArticle {
            key: format!("k{i}"),
            title: format!("t{i}"),
            // Ten posts a second: every step's edge falls inside a second.
            published_at: 1_700_000_000 + i / 10,
            extra_json: "{}".into(),
            ..Default::default()
        })
        .collect();
    s.upsert_articles(src, &rows).unwrap();
    s.upsert_articles(other, &rows[..5]).unwrap();
    let list = s
        .list_articles(&broadsheet_model::ArticleQuery {
            filters: broadsheet_model::Filters { source: Some(src), ..Default::default() },
            limit: Some(1000),
            ..Default::default()
        })
        .unwrap();
    for a in list.iter().step_by(3) {
        s.set_bookmark(a.id, true).unwrap();
    }
    let mut job = s.begin_source_removal(src, false).unwrap();
    let mut steps = 0;
    while s.removal_step(&mut job).unwrap() {
        steps += 1;
        if steps == 1 {
            // A sync of the source still running writes newer posts after the walk began.
            let late: Vec<broadsheet_store::NewArticle> = (0..3)
                .map(|i| broadsheet_store::NewArticle {
                    key: format!("late{i}"),
                    published_at: 1_800_000_000,
                    extra_json: "{}".into(),
                    ..Default::default()
                })
                .collect();
            s.upsert_articles(src, &late).unwrap();
        }
    }
    let done = s.finish_source_removal(job).unwrap();
    assert_eq!((done.deleted_articles, done.kept_articles), (669, 334), "the late posts went too");
    assert!(steps <= 8, "{steps} steps: of at most 256 posts each for 1,000 posts, one more walk, the label sweep");
    assert_eq!(s.article_count().unwrap(), 334 + 5, "the other source's posts are untouched");
}

/// The reader's additions stop at `MAX_SOURCES` (checked before adding); a known source can
/// still be updated, and sources stored another way (a restore, an older archive) are kept.
#[test]
fn the_reader_may_add_a_bounded_number_of_sources() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("a.sqlite3")).unwrap();
    for i in 0..broadsheet_store::MAX_SOURCES - 1 {
        source(&s, "feed", &format!("https://s{i}.example/feed.xml"));
    }
    s.check_room_for_sources(1).unwrap();
    let more = s.check_room_for_sources(2);
    assert!(matches!(more, Err(StoreError::InvalidInput(ref m)) if m.contains("keeps at most 10000")), "{more:?}");
    let again = s
        .upsert_source(&broadsheet_store::NewSource {
            kind: "feed",
            location: "https://s7.example/feed.xml",
            name: "renamed",
            site_url: None,
            lang: None,
        })
        .unwrap();
    assert_eq!(s.sources().unwrap().iter().find(|x| x.id == again).unwrap().name, "renamed");
    assert_eq!(s.source_id("https://s7.example/feed.xml").unwrap(), Some(again));
    assert_eq!(s.source_id("https://nowhere.example/").unwrap(), None);
}

/// A stored body damaged on disk (one flipped bit ruins a deflate stream) is an error when
/// that article is opened, and nothing else: backups, searches and re-indexing go on.
#[test]
fn a_damaged_body_fails_only_its_own_article() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.sqlite3");
    let mut s = Store::open(&path).unwrap();
    let src = source(&s, "feed", "https://a.example/feed.xml");
    let body = "<p>完好的正文，足够长，会被压缩保存。</p>".repeat(20);
    let rows: Vec<broadsheet_store::NewArticle> = ["好", "坏"]
        .iter()
        .map(|k| broadsheet_store::NewArticle {
            key: k.to_string(),
            title: format!("标题{k}"),
            html: body.clone(),
            text: broadsheet_html::plain_text(&body),
            text_derived: true,
            extra_json: "{}".into(),
            ..Default::default()
        })
        .collect();
    s.upsert_articles(src, &rows).unwrap();
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute("UPDATE articles SET html = x'01ffffffff' WHERE key = '坏'", [])
        .unwrap();
    let list = s.list_articles(&broadsheet_model::ArticleQuery::default()).unwrap();
    let id = |title: &str| list.iter().find(|a| a.title == title).unwrap().id;
    assert!(s.article(id("标题坏")).is_err(), "opening it says it is damaged");
    assert_eq!(s.article(id("标题好")).unwrap().html, body);
    let backup = s.backup().unwrap();
    assert_eq!(backup.articles.len(), 2, "the backup holds both");
    let hits = s.search(&broadsheet_model::SearchQuery { query: "标题".into(), ..Default::default() }).unwrap();
    assert_eq!(hits.len(), 2, "the search page is not failed by one damaged hit");
    assert_eq!(s.reindex().unwrap(), 2);
}

/// Removing a source also sweeps the categories and site tags none of the remaining posts
/// carries (a hostile source may have declared millions), and keeps the shared ones.
#[test]
fn removing_a_source_sweeps_the_labels_only_it_used() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.sqlite3");
    let mut s = Store::open(&path).unwrap();
    let (a, b) = (source(&s, "feed", "a"), source(&s, "feed", "b"));
    let post = |key: &str, cats: &[&str]| broadsheet_store::NewArticle {
        key: key.into(),
        extra_json: "{}".into(),
        categories: cats.iter().map(|c| (c.to_string(), None)).collect(),
        tags: cats.iter().map(|c| format!("tag-{c}")).collect(),
        ..Default::default()
    };
    let many: Vec<broadsheet_store::NewArticle> =
        (0..1_500).map(|i| post(&format!("a{i}"), &[&format!("only-a-{i}"), "shared"])).collect();
    s.upsert_articles(a, &many).unwrap();
    s.upsert_articles(b, &[post("b", &["shared", "only-b"])]).unwrap();
    s.remove_source(a, false).unwrap();
    let count = |table: &str| -> i64 {
        rusqlite::Connection::open(&path)
            .unwrap()
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(count("categories"), 2, "shared and only-b are left");
    assert_eq!(count("site_tags"), 2);
    let page = s.category_page(&broadsheet_model::LabelQuery { limit: 10, ..Default::default() }).unwrap();
    assert_eq!(page.items.iter().map(|c| c.slug.as_str()).collect::<Vec<_>>(), ["only-b", "shared"]);
}

/// An archive from before bodies were deflated (text bodies, 4 KiB pages) is rewritten
/// compactly by `compact`, with every article reading back the same and the index intact.
#[test]
fn compacting_an_old_archive_packs_its_bodies_and_keeps_every_article() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.sqlite3");
    // The page size older versions created archives with.
    rusqlite::Connection::open(&path).unwrap().execute_batch("PRAGMA page_size = 4096; VACUUM;").unwrap();
    let mut s = Store::open(&path).unwrap();
    let src = source(&s, "feed", "https://a.example/feed.xml");
    let rows: Vec<broadsheet_store::NewArticle> = (0..300)
        .map(|i| {
            let html = format!("<p>第{i}篇：国产存储芯片良率突破九成，多家厂商扩产计划提前。</p>\n").repeat(300);
            broadsheet_store::NewArticle {
                key: format!("k{i}"),
                title: format!("标题{i}"),
                published_at: 1_700_000_000 + i,
                text: broadsheet_html::plain_text(&html),
                html,
                text_derived: true,
                extra_json: "{}".into(),
                ..Default::default()
            }
        })
        .collect();
    s.upsert_articles(src, &rows).unwrap();
    // As an older version stored them: text.
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        for r in &rows {
            c.execute("UPDATE articles SET html = ?1 WHERE key = ?2", [&r.html, &r.key]).unwrap();
        }
    }
    let kinds = || -> Vec<(String, i64)> {
        let c = rusqlite::Connection::open(&path).unwrap();
        let mut st = c.prepare("SELECT typeof(html), count(*) FROM articles GROUP BY 1 ORDER BY 1").unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<Result<_, _>>().unwrap()
    };
    assert_eq!(kinds(), vec![("text".to_string(), 300)]);
    let (packed, before, after) = s.compact().unwrap();
    assert_eq!(packed, 300);
    assert!(after < before, "{before} → {after} bytes");
    assert_eq!(kinds(), vec![("blob".to_string(), 300)]);
    let page: i64 = rusqlite::Connection::open(&path).unwrap().query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
    assert_eq!(page, 16384);
    assert_eq!(s.integrity_check().unwrap(), "ok");
    let list = s.list_articles(&broadsheet_model::ArticleQuery { limit: Some(1000), ..Default::default() }).unwrap();
    assert_eq!(list.len(), 300);
    for a in &list {
        let i: usize = a.title.trim_start_matches("标题").parse().unwrap();
        assert_eq!(s.article(a.id).unwrap().html, rows[i].html);
    }
    let hits =
        s.search(&broadsheet_model::SearchQuery { query: "良率".into(), limit: Some(1000), ..Default::default() });
    assert_eq!(hits.unwrap().len(), 300);
    // Once more: nothing left to pack, still whole.
    assert_eq!(s.compact().unwrap().0, 0);
    drop(s);
    assert_eq!(Store::open(&path).unwrap().article_count().unwrap(), 300);
}
