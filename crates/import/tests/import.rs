//! Imports into real SQLite files in temporary folders.

use std::path::{Path, PathBuf};

use broadsheet_import::{import_posts, import_sample};
use broadsheet_jekyll::{parse_config, parse_post, Parsed, PostFile, SiteConfig};
use broadsheet_model::{ArticleQuery, Filters};
use broadsheet_store::{NewSource, Store};
use broadsheet_testkit::corpus;

fn fresh_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("archive.sqlite3")).unwrap();
    (dir, store)
}

#[test]
fn sample_imports_into_a_fresh_archive_and_a_second_import_changes_nothing() {
    let (_dir, mut store) = fresh_store();
    let first = import_sample(&mut store).unwrap();
    let posts = broadsheet_sample::posts().len();
    assert_eq!((first.imported, first.updated, first.unchanged), (posts, 0, 0));
    assert!(first.skipped.is_empty(), "{:?}", first.skipped);
    assert_eq!(store.article_count().unwrap(), posts as u64);

    let again = import_sample(&mut store).unwrap();
    assert_eq!((again.imported, again.updated, again.unchanged), (0, 0, posts));
}

#[test]
fn sample_images_are_cached_and_served_by_url() {
    let (_dir, mut store) = fresh_store();
    import_sample(&mut store).unwrap();
    for (url, mime, bytes) in broadsheet_sample::images() {
        let blob = store.image(&url).unwrap().unwrap_or_else(|| panic!("{url} not cached"));
        assert_eq!(blob.mime, mime);
        assert_eq!(blob.bytes, bytes);
    }
    assert!(store.image("https://img.broadsheet-sample.invalid/never-shipped.png").unwrap().is_none());
}

#[test]
fn categories_are_counted_and_named_after_their_outlet_tag() {
    let (_dir, mut store) = fresh_store();
    import_sample(&mut store).unwrap();
    let cats = store.categories().unwrap();
    let total: u64 = cats.iter().map(|c| c.count).sum();
    assert_eq!(total, store.article_count().unwrap(), "each sample post has one category");
    let kj = cats.iter().find(|c| c.slug == "kejiribao").unwrap();
    assert_eq!(kj.name, "科技日报新闻");
    let listed = store
        .list_articles(&ArticleQuery {
            filters: Filters { category: Some("kejiribao".into()), ..Default::default() },
            ..Default::default()
        })
        .unwrap();
    assert_eq!(listed.len() as u64, kj.count);
    assert!(listed.windows(2).all(|w| w[0].timestamp >= w[1].timestamp), "newest first");
}

#[test]
fn keyset_pages_cover_the_list_without_gaps_or_repeats() {
    let (_dir, mut store) = fresh_store();
    import_sample(&mut store).unwrap();
    let all = store.list_articles(&ArticleQuery::default()).unwrap();
    let mut paged = Vec::new();
    let mut q = ArticleQuery { limit: Some(7), ..Default::default() };
    loop {
        let page = store.list_articles(&q).unwrap();
        let Some(last) = page.last() else { break };
        q.before = Some(last.cursor());
        paged.extend(page);
    }
    assert_eq!(paged.iter().map(|a| a.id).collect::<Vec<_>>(), all.iter().map(|a| a.id).collect::<Vec<_>>());
}

const POST_V1: &str = "---\nlayout: post\ntitle: \"第一版\"\ndate: 2022-03-08 10:00:00 +0800\ncategories: dazhongwang\ntags: 大众网新闻\n---\n<p>旧的正文。</p>";
const POST_V2: &str = "---\nlayout: post\ntitle: \"第二版\"\ndate: 2022-03-08 10:00:00 +0800\ncategories: dazhongwang\ntags: 大众网新闻\n---\n<p>新的正文。</p>";

#[test]
fn an_edited_post_is_updated_in_place_and_a_moved_one_is_the_same_post() {
    let (_dir, mut store) = fresh_store();
    let source = store
        .upsert_source(&NewSource {
            kind: "jekyll-folder",
            location: "/tmp/site",
            name: "site",
            site_url: None,
            lang: None,
        })
        .unwrap();
    let site = SiteConfig::default();
    let file = |path, text: &'static str| PostFile { path, bytes: text.as_bytes(), modified: None };
    import_posts(&mut store, source, &site, [file("_posts/2022-03-08-NW1.md", POST_V1)]).unwrap();
    let before = store.list_articles(&ArticleQuery::default()).unwrap();

    let report = import_posts(&mut store, source, &site, [file("old_post/2022-03-08-NW1.md", POST_V2)]).unwrap();
    assert_eq!((report.imported, report.updated), (0, 1));
    let after = store.list_articles(&ArticleQuery::default()).unwrap();
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].id, before[0].id, "updated in place, so user state keyed by id survives");
    assert_eq!(after[0].title, "第二版");
    assert!(store.article(after[0].id).unwrap().html.contains("新的正文"));
}

fn post_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            post_files(&path, out);
        } else if matches!(path.extension().and_then(|e| e.to_str()), Some("md" | "markdown" | "html")) {
            out.push(path);
        }
    }
}

#[test]
fn every_corpus_post_parses_without_panic_and_only_unpublished_ones_are_skipped() {
    broadsheet_testkit::needs_corpus!();
    let root = corpus();
    assert!(root.is_dir(), "the shared corpus is expected at {}", root.display());
    let mut sites = 0;
    for site in std::fs::read_dir(&root).unwrap().flatten().filter(|e| e.path().is_dir()) {
        sites += 1;
        let site_root = site.path();
        let mut files = Vec::new();
        post_files(&site_root, &mut files);
        assert!(!files.is_empty(), "{} has no posts", site_root.display());
        let (cfg, _) = parse_config("timezone: Asia/Shanghai\n");
        for path in files {
            let bytes = std::fs::read(&path).unwrap();
            let rel = path.strip_prefix(&site_root).unwrap().to_string_lossy().replace('\\', "/");
            let (parsed, _warnings) = parse_post(&PostFile { path: &rel, bytes: &bytes, modified: None }, &cfg);
            let text = String::from_utf8_lossy(&bytes);
            let unpublished = text.lines().any(|l| l.trim() == "published: false");
            // Template code may only appear where the post quotes it verbatim.
            let quotes_liquid = text.contains("{% raw %}") || text.contains("{%- raw -%}");
            match parsed {
                Parsed::Post(p) => {
                    assert!(!unpublished, "{rel}: published: false was imported");
                    assert!(!p.title.is_empty(), "{rel}: empty title");
                    assert!(quotes_liquid || !p.html.contains("{%"), "{rel}: raw Liquid left in the body");
                    assert!(!p.html.contains("<script"), "{rel}: script survived sanitising");
                }
                Parsed::Skipped(s) => assert!(unpublished, "{rel}: skipped for {:?}", s.reason),
            }
        }
    }
    assert_eq!(sites, 3);
}

#[test]
fn a_post_file_that_cannot_be_read_this_time_is_not_marked_removed_upstream() {
    use broadsheet_import::{import_path, ImportOptions};
    let dir = tempfile::tempdir().unwrap();
    let posts = dir.path().join("site/_posts");
    std::fs::create_dir_all(&posts).unwrap();
    std::fs::write(dir.path().join("site/_config.yml"), "url: https://news.example\n").unwrap();
    std::fs::write(posts.join("2022-03-08-NW1.md"), POST_V1).unwrap();
    std::fs::write(posts.join("2022-03-09-NW2.md"), POST_V1.replace("第一版", "另一篇").replace("03-08", "03-09"))
        .unwrap();
    let mut store = Store::open(&dir.path().join("archive.sqlite3")).unwrap();
    let site = dir.path().join("site");
    let first = import_path(&mut store, &site, ImportOptions::default(), &mut |_, _| {}).unwrap();
    assert_eq!(first.imported, 2);

    // One file grows past the size a post may be: it is there, only not read this time.
    let huge = format!("{POST_V1}\n{}", "<p>长</p>\n".repeat(600_000));
    assert!(huge.len() > broadsheet_jekyll::MAX_POST_BYTES);
    std::fs::write(posts.join("2022-03-09-NW2.md"), huge).unwrap();
    let second = import_path(&mut store, &site, ImportOptions::default(), &mut |_, _| {}).unwrap();
    assert_eq!(second.removed_upstream, 0, "{second:?}");
    assert!(second.skipped.iter().any(|(rel, _)| rel.ends_with("2022-03-09-NW2.md")), "{:?}", second.skipped);
    let all = store.list_articles(&ArticleQuery::default()).unwrap();
    assert_eq!(all.len(), 2);
    for a in &all {
        assert!(!store.is_removed_upstream(a.id).unwrap(), "{} marked removed", a.title);
    }

    // Deleted, it is gone upstream.
    std::fs::remove_file(posts.join("2022-03-09-NW2.md")).unwrap();
    let third = import_path(&mut store, &site, ImportOptions::default(), &mut |_, _| {}).unwrap();
    assert_eq!(third.removed_upstream, 1, "{third:?}");
}

#[test]
fn story_reimporting_an_edited_site_keeps_what_the_reader_marked() {
    use broadsheet_import::{import_path, ImportOptions};
    let dir = tempfile::tempdir().unwrap();
    let posts = dir.path().join("site/_posts");
    std::fs::create_dir_all(&posts).unwrap();
    std::fs::write(dir.path().join("site/_config.yml"), "url: https://news.example\ntimezone: Asia/Shanghai\n")
        .unwrap();
    std::fs::write(posts.join("2022-03-08-NW1.md"), POST_V1).unwrap();
    std::fs::write(posts.join("2022-03-09-NW2.md"), POST_V1.replace("第一版", "另一篇").replace("03-08", "03-09"))
        .unwrap();
    let mut store = Store::open(&dir.path().join("archive.sqlite3")).unwrap();
    let site = dir.path().join("site");
    let first = import_path(&mut store, &site, ImportOptions::default(), &mut |_, _| {}).unwrap();
    assert_eq!(first.imported, 2);

    // The reader bookmarks, tags and reads both posts.
    let ids: Vec<broadsheet_model::ArticleId> =
        store.list_articles(&ArticleQuery::default()).unwrap().iter().map(|a| a.id).collect();
    for &id in &ids {
        store.set_bookmark(id, true).unwrap();
        store.set_read(id, true).unwrap();
        store.tag_article(id, &["稍后再读", "markets"]).unwrap();
    }

    // Upstream, one post is edited and the other disappears.
    std::fs::write(posts.join("2022-03-08-NW1.md"), POST_V2).unwrap();
    std::fs::remove_file(posts.join("2022-03-09-NW2.md")).unwrap();
    let second = import_path(&mut store, &site, ImportOptions::default(), &mut |_, _| {}).unwrap();
    assert_eq!((second.imported, second.updated, second.removed_upstream), (0, 1, 1));

    let after = store.list_articles(&ArticleQuery::default()).unwrap();
    assert_eq!(after.iter().map(|a| a.id).collect::<Vec<_>>(), ids, "nothing lost, ids unchanged");
    for a in &after {
        assert!(a.bookmarked && a.read, "{} lost its state", a.title);
        assert_eq!(a.user_tags, vec!["markets".to_string(), "稍后再读".to_string()]);
    }
    assert!(after.iter().any(|a| a.title == "第二版"), "the edit came through");
    let gone = after.iter().find(|a| a.title == "另一篇").unwrap();
    assert!(store.is_removed_upstream(gone.id).unwrap());
    let bookmarked = store
        .list_articles(&ArticleQuery {
            filters: Filters { bookmarked: true, ..Default::default() },
            ..Default::default()
        })
        .unwrap();
    assert_eq!(bookmarked.len(), 2);
    let tagged = store
        .list_articles(&ArticleQuery {
            filters: Filters { user_tag: Some("稍后再读".into()), ..Default::default() },
            ..Default::default()
        })
        .unwrap();
    assert_eq!(tagged.len(), 2);
    assert!(store
        .list_articles(&ArticleQuery { filters: Filters { unread: true, ..Default::default() }, ..Default::default() })
        .unwrap()
        .is_empty());
}

#[test]
fn a_rescan_skips_files_whose_size_and_time_are_unchanged_and_rereads_the_rest() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    let posts = broadsheet_testkit::generate_site(&site, 40, 10, 3);
    let (_dir, mut store) = fresh_store();
    let opts = broadsheet_import::ImportOptions::default();
    let first = broadsheet_import::import_path(&mut store, &site, opts, &mut |_, _| {}).unwrap();
    assert_eq!(first.imported, 40);

    // Same size, same modification time, other bytes: trusted unread (that is the shortcut).
    let p = &posts[0];
    let when = std::fs::metadata(p).unwrap().modified().unwrap();
    let text = std::fs::read_to_string(p).unwrap();
    let swapped = text.replacen("title: \"", "title: \"X", 1).replacen("<p>", "<q>", 1).replacen("</p>", "</q>", 1);
    assert_eq!(swapped.len(), text.len() + 1);
    let swapped = swapped.replacen("layout: post", "layout: pos", 1);
    assert_eq!(swapped.len(), text.len());
    std::fs::write(p, &swapped).unwrap();
    std::fs::File::options().write(true).open(p).unwrap().set_modified(when).unwrap();
    let again = broadsheet_import::import_path(&mut store, &site, opts, &mut |_, _| {}).unwrap();
    assert_eq!((again.imported, again.updated, again.unchanged), (0, 0, 40));

    // A new modification time: read again, and the change is seen.
    std::fs::File::options().write(true).open(p).unwrap().set_modified(std::time::SystemTime::now()).unwrap();
    let touched = broadsheet_import::import_path(&mut store, &site, opts, &mut |_, _| {}).unwrap();
    assert_eq!((touched.updated, touched.unchanged), (1, 39));

    // Other site settings change what every post becomes: everything is read again.
    let config = std::fs::read_to_string(site.join("_config.yml")).unwrap();
    std::fs::write(site.join("_config.yml"), config.replace("news.generated", "mirror.generated")).unwrap();
    let reread = broadsheet_import::import_path(&mut store, &site, opts, &mut |_, _| {}).unwrap();
    assert_eq!(reread.updated, 40, "every post's address moved with the site's url: {reread}");

    // A deleted file is forgotten and its post marked removed upstream, as before.
    std::fs::remove_file(&posts[1]).unwrap();
    let gone = broadsheet_import::import_path(&mut store, &site, opts, &mut |_, _| {}).unwrap();
    assert_eq!((gone.unchanged, gone.removed_upstream), (39, 1));
}

/// Every view with a label (category, site tag, user tag), a source, or those combined with
/// unread or bookmarked, pages newest first through exactly the posts a plain filter of the
/// whole archive finds, and counts them; a redated post moves in all of them.
#[test]
fn every_view_pages_in_newest_first_order_and_a_redated_post_moves() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    let posts = broadsheet_testkit::generate_site(&site, 300, 5, 9);
    let (_dir, mut store) = fresh_store();
    let opts = broadsheet_import::ImportOptions::default();
    broadsheet_import::import_path(&mut store, &site, opts, &mut |_, _| {}).unwrap();
    let everything = store.list_articles(&ArticleQuery { limit: Some(1000), ..Default::default() }).unwrap();
    for (i, a) in everything.iter().enumerate() {
        if i % 3 == 0 {
            store.set_user_tags(a.id, &["稍后".into()]).unwrap();
        }
        if i % 5 == 0 {
            store.set_read(a.id, true).unwrap();
        }
        if i % 7 == 0 {
            store.set_bookmark(a.id, true).unwrap();
        }
    }
    let in_outlet0 = everything.iter().find(|a| a.categories == ["outlet0"]).unwrap();
    let tag = in_outlet0.tags.first().cloned().expect("generated posts carry a site tag");
    let source = store.sources().unwrap()[0].id;
    // A second source whose posts share the first's labels: a source's view must leave them out.
    let other = store
        .upsert_source(&broadsheet_store::NewSource {
            kind: "feed",
            location: "https://other.example/feed",
            name: "另一个来源",
            site_url: None,
            lang: None,
        })
        .unwrap();
    let others: Vec<broadsheet_store::NewArticle> = (0..20)
        .map(|i| broadsheet_store::NewArticle {
            key: format!("other-{i}"),
            title: format!("other {i}"),
            published_at: 1_641_000_000 + i * 7_000,
            extra_json: "{}".into(),
            categories: vec![("outlet0".into(), None)],
            tags: vec![tag.clone()],
            ..Default::default()
        })
        .collect();
    store.upsert_articles(other, &others).unwrap();
    let source_name = store.sources().unwrap().into_iter().find(|s| s.id == source).unwrap().name;
    let views = [
        Filters { category: Some("outlet0".into()), ..Default::default() },
        Filters { tag: Some(tag.clone()), ..Default::default() },
        Filters { user_tag: Some("稍后".into()), ..Default::default() },
        Filters { source: Some(source), ..Default::default() },
        Filters { category: Some("outlet0".into()), unread: true, ..Default::default() },
        Filters { tag: Some(tag.clone()), bookmarked: true, ..Default::default() },
        Filters { user_tag: Some("稍后".into()), category: Some("outlet1".into()), ..Default::default() },
        Filters { unread: true, bookmarked: true, ..Default::default() },
    ];
    let check = |store: &Store| -> Vec<broadsheet_model::ArticleId> {
        let all = store.list_articles(&ArticleQuery { limit: Some(1000), ..Default::default() }).unwrap();
        let mut first_of_category = Vec::new();
        for f in &views {
            let want: Vec<broadsheet_model::ArticleId> = all
                .iter()
                .filter(|a| f.category.as_ref().is_none_or(|c| a.categories.contains(c)))
                .filter(|a| f.tag.as_ref().is_none_or(|t| a.tags.contains(t)))
                .filter(|a| f.user_tag.as_ref().is_none_or(|t| a.user_tags.contains(t)))
                .filter(|a| !f.unread || !a.read)
                .filter(|a| !f.bookmarked || a.bookmarked)
                .filter(|a| f.source.is_none() || a.source == source_name)
                .map(|a| a.id)
                .collect();
            assert!(want.len() > 3, "{f:?} is not a trivial view: {}", want.len());
            let (mut got, mut before) = (Vec::new(), None);
            loop {
                let q = ArticleQuery { filters: f.clone(), before, limit: Some(7) };
                let page = store.list_articles(&q).unwrap();
                got.extend(page.iter().map(|a| a.id));
                match page.last() {
                    Some(last) if page.len() == 7 => before = Some(last.cursor()),
                    _ => break,
                }
            }
            assert_eq!(got, want, "keyset pages of {f:?}, newest first");
            assert_eq!(store.count_articles(f).unwrap(), want.len() as u64, "the count of {f:?}");
            if first_of_category.is_empty() {
                first_of_category = want;
            }
        }
        first_of_category
    };
    let order = check(&store);
    // The oldest post of the category is redated to the newest: it moves to the top.
    let oldest = *order.last().unwrap();
    let title = everything.iter().find(|a| a.id == oldest).unwrap().title.clone();
    let file = posts.iter().find(|p| std::fs::read_to_string(p).unwrap().contains(&title)).unwrap();
    let text = std::fs::read_to_string(file).unwrap();
    let date_line = text.lines().find(|l| l.starts_with("date: ")).unwrap().to_string();
    std::fs::write(file, text.replace(&date_line, "date: 2030-01-01 00:00:00 +0800")).unwrap();
    broadsheet_import::import_path(&mut store, &site, opts, &mut |_, _| {}).unwrap();
    assert_eq!(check(&store)[0], oldest);
}

/// A folder's category pages name categories its posts carry no outlet tag for, its `CNAME`
/// gives the site's other address; a hostile `CNAME` or page names nothing.
#[test]
fn a_folder_names_categories_from_its_category_pages_and_learns_its_cname() {
    let (dir, mut store) = fresh_store();
    let site = dir.path().join("site");
    let write = |path: &str, text: &str| {
        let p = site.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write("_config.yml", "url: https://news.example\n");
    write("CNAME", "old-news.example\n");
    write("categories/markets.md", "---\ntitle: Markets & Money\n---\n");
    write("categories/hostile.md", &format!("---\ntitle: [{}]\n---\n", "[".repeat(5_000)));
    write("_posts/2022-03-08-a.md", "---\ntitle: a\ndate: 2022-03-08\ncategories: markets\n---\nx");
    write("_posts/2022-03-08-b.md", "---\ntitle: b\ndate: 2022-03-08\ncategories: markets\ntags: 财经新闻\n---\nx");
    write("_posts/2022-03-08-c.md", "---\ntitle: c\ndate: 2022-03-08\ncategories: hostile\n---\nx");
    write("_posts/2022-03-08-d.md", "---\ntitle: d\ndate: 2022-03-08\ncategories: secret\n---\nx");
    // A `category` link leading out of the site is not followed.
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("secret.md"), "---\ntitle: Leaked\n---\n").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&outside, site.join("category")).unwrap();
    broadsheet_import::import_path(&mut store, &site, broadsheet_import::ImportOptions::default(), &mut |_, _| {})
        .unwrap();
    let names: std::collections::HashMap<String, String> =
        store.categories().unwrap().into_iter().map(|c| (c.slug, c.name)).collect();
    assert_eq!(names["markets"], "Markets & Money");
    assert!(names["hostile"].chars().count() <= 120, "{}", names["hostile"]);
    assert_eq!(names["secret"], "secret", "nothing is read through a link");
    let source = store.sources().unwrap().into_iter().find(|s| s.kind == "jekyll-folder").unwrap();
    assert_eq!(source.aliases, ["https://old-news.example"]);

    write("CNAME", "javascript:alert(1)\n");
    broadsheet_import::import_path(&mut store, &site, broadsheet_import::ImportOptions::default(), &mut |_, _| {})
        .unwrap();
    let source = store.sources().unwrap().into_iter().find(|s| s.kind == "jekyll-folder").unwrap();
    assert_eq!(source.aliases, ["https://old-news.example"], "a hostile CNAME adds nothing");
}
