//! The window on a real-sized archive: 10,000 posts in 2,000 categories, plus a post with a
//! title and names far longer than any real one. The headers count whole views, a search
//! pages past its first results, the layout holds from 800×600 to 4K in both languages and
//! themes (and at the largest type), and a backup made in the window restores in another.

use broadsheet_import::{import_path, ImportOptions};
use broadsheet_model::{Filters, SearchQuery};
use broadsheet_store::Store;

use crate::harness::App;

const POSTS: usize = 10_000;
const CATEGORIES: usize = 2_000;

/// Everything that spills: the page scrolling, a pane wider than itself or outside the
/// window, the sidebar's foot below the sidebar, a row or sidebar entry wider than itself.
const LAYOUT_PROBLEMS: &str = "
    const bad = [];
    const de = document.documentElement;
    if (de.scrollWidth > innerWidth + 1 || de.scrollHeight > innerHeight + 1) bad.push('the page scrolls');
    for (const sel of ['.sidebar', '.list', 'main']) {
        const e = document.querySelector(sel);
        if (!e) { bad.push(sel + ' missing'); continue; }
        if (e.scrollWidth > e.clientWidth + 1) bad.push(sel + ' overflows sideways');
        const r = e.getBoundingClientRect();
        if (r.right > innerWidth + 1 || r.bottom > innerHeight + 1) bad.push(sel + ' leaves the window');
        if (r.width < 100) bad.push(sel + ' is ' + r.width + ' px wide');
    }
    const side = document.querySelector('.sidebar').getBoundingClientRect();
    const foot = document.querySelector('.sidebar-foot').getBoundingClientRect();
    if (foot.bottom > side.bottom + 1) bad.push('the sidebar foot is below the sidebar');
    for (const r of document.querySelectorAll('.article-row, .nav-item, .source-item, .article-header')) {
        if (r.scrollWidth > r.clientWidth + 1) bad.push((r.className) + ' overflows: ' + r.textContent.slice(0, 40));
    }
    return bad;";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_posts_count_page_lay_out_at_every_size_and_back_up_through_the_window() {
    let _one = crate::harness::one_window_at_a_time().await;
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    broadsheet_testkit::generate_site(&site, POSTS - 1, CATEGORIES, 11);
    let long_slug = "zhongguozhengquanbaoxinwenzhongxin".repeat(6);
    let long_post = format!(
        "---\ntitle: \"{}\"\ndate: 2030-01-01 10:00:00 +0800\ncategories: {long_slug}\ntags: {}\n---\n{}\n",
        "一个非常非常长的新闻标题，".repeat(30) + &"Averyveryverylongwordwithoutanyspaces".repeat(8),
        "很长的媒体名称".repeat(20),
        "正文".repeat(100)
    );
    std::fs::write(site.join("_posts/2030-01-01-long.md"), long_post).unwrap();
    let data = tmp.path().join("data");
    let archive = data.join(broadsheet_store::ARCHIVE_FILE);
    {
        let mut store = Store::open(&archive).unwrap();
        import_path(&mut store, &site, ImportOptions::default(), &mut |_, _| {}).unwrap();
    }
    let common = broadsheet_testkit::HANZI.chars().nth(1).unwrap().to_string();
    let (total, category, category_count, matches) = {
        let store = Store::open_reader(&archive).unwrap();
        let cats = store.categories().unwrap();
        assert!(cats.len() >= CATEGORIES / 2, "a real number of categories: {}", cats.len());
        let biggest = cats.iter().max_by_key(|c| c.count).unwrap();
        let q = SearchQuery { query: common.clone(), ..Default::default() };
        (store.article_count().unwrap(), biggest.slug.clone(), biggest.count, store.search_count(&q).unwrap())
    };
    assert_eq!(total, POSTS as u64);
    assert!(matches > 1_000, "a common character matches much of the archive: {matches}");

    let dialogs = tmp.path().join("dialogs");
    std::fs::create_dir_all(&dialogs).unwrap();
    let app = App::launch_in_with_env(&data, &[("BROADSHEET_TEST_DIALOG_DIR", dialogs.as_path())]).await;
    app.wait_for_list().await;
    let header_is =
        |n: u64| format!("return document.querySelector('.list-count').textContent.replace(/,/g, '') === '{n}'");
    app.wait_until("the header counts all 10,000", &header_is(total)).await;

    // The largest category, found with the sidebar's filter among 2,000, counts every post.
    app.fill_and_click(".category-filter", &category, ".category-filter").await;
    app.wait_until(
        "the category is found",
        &format!("return !!document.querySelector('[data-category=\"{category}\"]')"),
    )
    .await;
    app.eval::<bool>(&format!("document.querySelector('[data-category=\"{category}\"]').click(); return true")).await;
    app.wait_until("the category's header counts all its posts", &header_is(category_count)).await;

    // A search for a common character counts every match and pages past its first 200.
    app.fill_and_click(".category-filter", "", ".category-filter").await;
    app.eval::<bool>("document.querySelector(\"[data-view='all']\").click(); return true").await;
    app.wait_until("all articles again", &header_is(total)).await;
    app.eval::<bool>(&format!(
        "const i = document.querySelector('.search-input'); i.value = {common:?};
         i.dispatchEvent(new Event('input', {{bubbles: true}})); i.form.requestSubmit(); return true"
    ))
    .await;
    app.wait_until("the search counts every match", &header_is(matches)).await;
    let scrolled = app.scroll_list_to_end(600).await;
    let loaded: usize =
        app.eval::<String>("return document.querySelector('.list').dataset.loaded").await.parse().unwrap();
    assert!(loaded >= 600, "the search paged on past its first page: {loaded} loaded");
    assert!(scrolled.most_rows <= 60, "the list stays windowed: {} rows at once", scrolled.most_rows);

    // The layout at every size, in both languages and themes; the long post is open.
    app.eval::<bool>("document.querySelector(\"[data-view='all']\").click(); return true").await;
    app.wait_until("all articles again", &header_is(total)).await;
    app.wait_until(
        "another view starts at its top: the newest (the long) post first",
        "return document.querySelector('.list').scrollTop === 0
           && document.querySelector('.article-row').textContent.includes('一个非常非常长的新闻标题')",
    )
    .await;
    app.eval::<bool>("document.querySelector('.article-row').click(); return true").await;
    app.wait_until("the long post is open", "return !!document.querySelector('.theme-toggle')").await;
    for lang in ["en", "zh"] {
        app.eval::<bool>("document.querySelector('.settings-toggle').click(); return true").await;
        app.wait_until("the settings are open", "return !!document.querySelector('.setting-language')").await;
        app.eval::<bool>(&format!(
            "const s = document.querySelector('.setting-language'); s.value = '{lang}'; s.dispatchEvent(new Event('change'));
             document.querySelector('.settings-toggle').click(); return true"
        ))
        .await;
        for theme in ["light", "dark"] {
            app.eval::<bool>(&format!(
                "for (let i = 0; i < 3 && document.documentElement.dataset.theme !== '{theme}'; i++)
                     document.querySelector('.theme-toggle').click();
                 return true"
            ))
            .await;
            app.wait_until("the theme is set", &format!("return document.documentElement.dataset.theme === '{theme}'"))
                .await;
            for (w, h) in [(800, 600), (1920, 1080), (3840, 2160)] {
                app.client.set_window_size(w, h).await.unwrap();
                app.wait_until("the window has its size", &format!("return Math.abs(innerWidth - {w}) < 40")).await;
                app.frames(4).await;
                let bad: Vec<String> = app.eval(LAYOUT_PROBLEMS).await;
                assert!(bad.is_empty(), "{w}×{h} {lang} {theme}: {bad:?}");
                if w < 3000 {
                    app.screenshot(&format!("scale-{w}x{h}-{lang}-{theme}.png")).await;
                }
            }
        }
    }
    // The largest type at the smallest window.
    app.client.set_window_size(800, 600).await.unwrap();
    app.eval::<bool>("for (let i = 0; i < 12; i++) document.querySelector('.font-larger').click(); return true").await;
    app.wait_until(
        "the type is largest",
        "return getComputedStyle(document.querySelector('.article')).fontSize === '32px'",
    )
    .await;
    app.frames(4).await;
    let bad: Vec<String> = app.eval(LAYOUT_PROBLEMS).await;
    assert!(bad.is_empty(), "800×600 at the largest type: {bad:?}");
    app.screenshot("scale-800x600-largest-type.png").await;

    // A backup of all 10,000 from the window, restored from the window into a fresh install.
    app.client.set_window_size(1280, 800).await.unwrap();
    app.eval::<bool>("document.querySelector('.settings-toggle').click(); return true").await;
    app.wait_until("the archive settings are open", "return !!document.querySelector('.export-json')").await;
    app.eval::<bool>("document.querySelector('.export-json').click(); return true").await;
    app.wait_until(
        "the backup is saved",
        "return document.querySelector('.archive-result').textContent.includes('broadsheet-backup-')",
    )
    .await;
    app.quit().await;
    let backup = crate::harness::saved_backup(&dialogs);
    let (fresh, fresh_dialogs) = (tmp.path().join("fresh"), tmp.path().join("fresh-dialogs"));
    std::fs::create_dir_all(&fresh_dialogs).unwrap();
    std::fs::rename(&backup, fresh_dialogs.join("backup.json")).unwrap();
    let app = App::launch_in_with_env(&fresh, &[("BROADSHEET_TEST_DIALOG_DIR", fresh_dialogs.as_path())]).await;
    app.wait_for_list().await;
    app.eval::<bool>(
        "document.querySelector('.settings-toggle').click(); document.querySelector('.restore-backup').click(); return true",
    )
    .await;
    app.wait_until_within(
        std::time::Duration::from_secs(180),
        "all 10,000 are restored",
        "return /Restored 10,?000 posts/.test(document.querySelector('.archive-result').textContent)",
    )
    .await;
    app.wait_until("the restored archive's header counts them", &header_is(total)).await;
    app.quit().await;
    let restored = Store::open_reader(&fresh.join(broadsheet_store::ARCHIVE_FILE)).unwrap();
    let f = Filters { category: Some(category), ..Default::default() };
    assert_eq!(restored.count_articles(&f).unwrap(), category_count, "the category came back whole");
}
