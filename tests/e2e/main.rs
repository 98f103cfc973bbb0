//! The real app window, driven over WebDriver (tauri-driver + WebKitWebDriver), on a fresh
//! data directory. Run by `cargo xtask test`, which builds the UI and provides a display.
#![cfg(target_os = "linux")]

mod aliases;
mod archive;
mod busy;
mod copies;
mod devices;
mod harness;
#[cfg(target_os = "linux")]
mod package;
mod save;
mod scale;
mod views;
mod xss;

use std::time::Duration;

use fantoccini::Locator;
use harness::{expected, App};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_run_shows_the_sample_and_opens_a_category_post_with_its_cached_image() {
    let _one = crate::harness::one_window_at_a_time().await;
    let app = App::launch().await;
    let c = &app.client;
    let want = expected::newest_in_category("kejiribao");

    // Sidebar: every sample category, with its post count.
    let button = c
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("[data-category='kejiribao']"))
        .await
        .unwrap();
    let label = app.text("[data-category='kejiribao']").await;
    assert!(label.contains(&want.category_count.to_string()), "sidebar shows {label:?}");
    assert_eq!(app.count("[data-category]").await, expected::category_count());

    // List: exactly that category's posts, newest first.
    button.click().await.unwrap();
    app.wait_until(
        "the list shows only the category",
        &format!("return document.querySelectorAll('.article-row').length === {}", want.category_count),
    )
    .await;
    assert_eq!(app.text(".article-row .row-title").await, want.title);

    // Reader: title, a sentence of the body, and the image from the local cache.
    c.find(Locator::Css(".article-row")).await.unwrap().click().await.unwrap();
    app.wait_until(
        "the reader shows the post",
        &format!(
            "const t = document.querySelector('.article-title'); return !!t && t.textContent === {:?}",
            want.title
        ),
    )
    .await;
    let body = app.text(".article-body").await;
    assert!(body.contains(&want.sentence), "body lacks {:?}:\n{body}", want.sentence);
    app.wait_until(
        "the image has loaded",
        "const i = document.querySelector('.article-body img'); return !!i && i.complete && i.naturalWidth > 0",
    )
    .await;
    let src: String = app.eval("return document.querySelector('.article-body img').src").await;
    assert!(src.starts_with("bsimg:") || src.starts_with("http://bsimg.localhost/"), "image not from the cache: {src}");

    // Opening it was reading it: the list row loses its unread mark, and the chip names the outlet.
    app.wait_until(
        "the row is marked read",
        "const r = document.querySelector('.article-row.selected'); return !!r && !r.classList.contains('unread')",
    )
    .await;
    let chip = app.text(".article-meta .chip").await;
    assert_eq!(chip, app.text("[data-category='kejiribao'] .nav-label").await);

    app.screenshot("reader.png").await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_articles_lists_the_whole_sample_newest_first() {
    let _one = crate::harness::one_window_at_a_time().await;
    let app = App::launch().await;
    app.wait_for_list().await;
    assert_eq!(app.count(".article-row").await, expected::post_count());
    let datetimes: Vec<String> = app
        .eval("return Array.from(document.querySelectorAll('.article-row time')).map(t => t.getAttribute('datetime'))")
        .await;
    let instants: Vec<i64> = datetimes.iter().map(|d| expected::unix_of(d)).collect();
    assert!(instants.windows(2).all(|w| w[0] >= w[1]), "not newest first: {datetimes:?}");
    app.screenshot("all-articles.png").await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn back_links_inside_a_post_open_the_category_and_home_in_the_app() {
    let _one = crate::harness::one_window_at_a_time().await;
    let app = App::launch().await;
    let want = expected::newest_in_category("kejiribao");
    app.wait_for_list().await;

    // From "All", open a 科技日报 post and follow its "返回科技日报新闻" link.
    app.eval::<bool>(
        "const row = Array.from(document.querySelectorAll('.article-row'))
           .find(r => r.querySelector('.row-category').dataset.slug === 'kejiribao');
         row.click(); return true",
    )
    .await;
    app.wait_until(
        "the post is open",
        "return !!document.querySelector('.article-body a[href=\"#category=kejiribao\"]')",
    )
    .await;
    app.eval::<bool>("document.querySelector('.article-body a[href=\"#category=kejiribao\"]').click(); return true")
        .await;
    app.wait_until(
        "the category is selected",
        &format!(
            "return document.querySelector('[data-category=kejiribao]').getAttribute('aria-current') === 'page'
               && document.querySelectorAll('.article-row').length === {}",
            want.category_count
        ),
    )
    .await;
    assert_eq!(
        app.eval::<String>("return location.href").await,
        app.eval::<String>("return document.baseURI").await,
        "the webview did not navigate"
    );

    // "返回首页" goes back to everything.
    app.eval::<bool>("document.querySelector('.article-body a[href=\"#all\"]').click(); return true").await;
    app.wait_until(
        "all articles are listed",
        &format!("return document.querySelectorAll('.article-row').length === {}", expected::post_count()),
    )
    .await;
    app.screenshot("after-back-link.png").await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adding_a_loopback_feed_syncs_it_with_progress_and_health() {
    let _one = crate::harness::one_window_at_a_time().await;
    let feed =
        harness::feed_server(&[("urn:e2e:1", "回环新闻一"), ("urn:e2e:2", "回环新闻二"), ("urn:e2e:3", "回环新闻三")]);
    let app = App::launch().await;
    app.wait_for_list().await;
    let before = app.count(".article-row").await;

    let input = app.client.find(Locator::Css(".add-source-input")).await.unwrap();
    input.send_keys(&feed).await.unwrap();
    app.client.find(Locator::Css(".add-source-button")).await.unwrap().click().await.unwrap();
    app.wait_until(
        "the sync has finished",
        "const m = document.querySelector('.sync-message'); return !!m && m.textContent.startsWith('Synced: 3 new')",
    )
    .await;
    app.wait_until(
        "the new posts are listed",
        &format!("return document.querySelectorAll('.article-row').length === {}", before + 3),
    )
    .await;
    let healthy: bool = app
        .eval("return Array.from(document.querySelectorAll('.source-item')).some(s => s.textContent.includes('Loopback') && s.querySelector('.health-dot.ok'))")
        .await;
    assert!(healthy, "the new source shows a healthy dot");
    app.screenshot("after-sync.png").await;

    // Sync now again: nothing new, and the bar says so.
    app.client.find(Locator::Css(".sync-button")).await.unwrap().click().await.unwrap();
    app.wait_until(
        "the second sync has finished",
        "const m = document.querySelector('.sync-message'); return !!m && m.textContent.startsWith('Synced: 0 new')",
    )
    .await;

    // The source's panel sets how often it syncs, and removes it. (The panel button is
    // clicked again if a sidebar refresh from the sync swallowed the first click.)
    let open_panel = "const open = () => document.querySelector('.source-interval select');
         const item = Array.from(document.querySelectorAll('.source-item')).find(s => s.textContent.includes('Loopback'));
         if (!open() && item) { item.querySelector('.source-remove').click(); }
         return !!open()";
    app.wait_until("the panel is open", open_panel).await;
    app.eval::<bool>(
        "const s = document.querySelector('.source-interval select'); s.value = '180'; s.dispatchEvent(new Event('change')); return true",
    )
    .await;
    app.wait_until(
        "the interval is saved",
        "const s = document.querySelector('.source-interval select'); return !!s && s.value === '180'",
    )
    .await;
    // Removing the source asks whether to keep its posts; deleting them empties it from the list.
    app.wait_until("the removal asks", &open_panel.replace("source-interval select", "source-confirm .delete-posts"))
        .await;
    app.eval::<bool>("document.querySelector('.source-confirm .delete-posts').click(); return true").await;
    app.wait_until(
        "the source and its posts are gone",
        &format!(
            "return document.querySelectorAll('.article-row').length === {before}
               && !Array.from(document.querySelectorAll('.source-item')).some(s => s.textContent.includes('Loopback'))"
        ),
    )
    .await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bookmarks_and_tags_survive_a_restart_and_the_last_article_reopens() {
    let _one = crate::harness::one_window_at_a_time().await;
    let dir = tempfile::tempdir().unwrap();
    let want = expected::newest_in_category("kejiribao");
    {
        let app = App::launch_in(dir.path()).await;
        app.wait_for_list().await;
        app.wait_until(
            "the sidebar lists the category",
            "return !!document.querySelector(\"[data-category='kejiribao']\")",
        )
        .await;
        app.eval::<bool>("document.querySelector(\"[data-category='kejiribao']\").click(); return true").await;
        app.wait_until(
            "the category is listed",
            &format!("return document.querySelectorAll('.article-row').length === {}", want.category_count),
        )
        .await;
        app.bookmark_row(0).await;
        let input = app.client.find(Locator::Css(".tag-input")).await.unwrap();
        input.send_keys("稍后再读\u{E007}").await.unwrap();
        app.wait_until("the tag is on the post", "return Array.from(document.querySelectorAll('.user-tag-chip')).some(c => c.textContent.includes('稍后再读'))").await;
        app.wait_until("the tag is in the sidebar", "return !!document.querySelector(\"[data-user-tag='稍后再读']\")")
            .await;
        // Large type makes the article long enough to be half-way through.
        for _ in 0..8 {
            app.eval::<bool>("document.querySelector('.font-larger').click(); return true").await;
        }
        app.wait_until(
            "the article scrolls",
            "const r = document.querySelector('.reader'); return r.scrollHeight > r.clientHeight + 700",
        )
        .await;
        app.eval::<bool>("document.querySelector('.reader').scrollTop = 650; return true").await;
        for _ in 0..50 {
            if app.stored_settings().await["last_scroll"].as_u64().unwrap_or(0) >= 600 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(app.stored_settings().await["last_scroll"].as_u64().unwrap_or(0) >= 600, "the position is saved");
        app.quit().await;
    }
    let app = App::launch_in(dir.path()).await;
    app.wait_until(
        "the last article reopens",
        &format!(
            "const t = document.querySelector('.article-title'); return !!t && t.textContent === {:?}",
            want.title
        ),
    )
    .await;
    assert_eq!(
        app.eval::<String>("return document.querySelector('.bookmark-toggle').getAttribute('aria-pressed')").await,
        "true"
    );
    app.wait_until("the reading position is restored", "return document.querySelector('.reader').scrollTop >= 450")
        .await;
    app.eval::<bool>("document.querySelector(\"[data-view='bookmarked']\").click(); return true").await;
    app.wait_until("the bookmarked view lists it", "return document.querySelectorAll('.article-row').length === 1")
        .await;
    // The sidebar loads after the first list: wait for the tag, as a reader would see it appear.
    app.wait_until(
        "the tag is in the sidebar again",
        "return !!document.querySelector(\"[data-user-tag='稍后再读'] .nav-item\")",
    )
    .await;
    app.eval::<bool>("document.querySelector(\"[data-user-tag='稍后再读'] .nav-item\").click(); return true").await;
    app.wait_until("the tag view lists it", &format!("const r = document.querySelectorAll('.article-row'); return r.length === 1 && r[0].querySelector('.row-title').textContent.includes({:?})", want.title))
    .await;
    app.screenshot("bookmarked-and-tagged.png").await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_finds_chinese_with_marked_snippets_and_site_tags_filter_the_list() {
    let _one = crate::harness::one_window_at_a_time().await;
    let app = App::launch().await;
    app.wait_for_list().await;
    let search = app.client.find(Locator::Css(".search-input")).await.unwrap();
    search.send_keys("晶圆\u{E007}").await.unwrap();
    app.wait_until("results are listed with marked snippets", "const r = document.querySelectorAll('.article-row'); return r.length > 0 && Array.from(r).every(x => x.querySelector('mark') || x.textContent.includes('晶圆'))")
    .await;
    assert!(app.text(".list-title").await.contains("晶圆"));
    app.screenshot("search.png").await;

    app.eval::<bool>("document.querySelector(\"[data-view='tag:科技日报新闻']\").click(); return true").await;
    app.wait_until("the site tag's posts are listed", "const r = document.querySelectorAll('.row-category'); return r.length > 0 && Array.from(r).every(c => c.dataset.slug === 'kejiribao')")
    .await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keyboard_only_session_reads_bookmarks_and_gets_help() {
    let _one = crate::harness::one_window_at_a_time().await;
    let app = App::launch().await;
    app.wait_until("the list is filled", "return document.querySelectorAll('.article-row').length > 1").await;
    let second_title =
        app.eval::<String>("return document.querySelectorAll('.article-row .row-title')[1].textContent").await;
    app.press('j').await;
    app.press('j').await;
    app.wait_until(
        "the cursor is on the second row",
        "return document.querySelectorAll('.article-row')[1].classList.contains('cursor')",
    )
    .await;
    assert!(
        app.eval::<bool>("return !document.querySelector('.article-title')").await,
        "moving the cursor opens nothing"
    );
    app.press('o').await;
    app.wait_until(
        "the second article opens",
        &format!(
            "const t = document.querySelector('.article-title'); return !!t && {:?}.includes(t.textContent)",
            second_title
        ),
    )
    .await;
    app.press('b').await;
    app.wait_until(
        "b bookmarks it",
        "return document.querySelector('.bookmark-toggle').getAttribute('aria-pressed') === 'true'",
    )
    .await;
    app.press('m').await;
    app.wait_until(
        "m marks it unread again",
        "return document.querySelectorAll('.article-row')[1].classList.contains('unread')",
    )
    .await;
    app.press('?').await;
    app.wait_until("? shows the shortcuts", "return !!document.querySelector('.help-overlay')").await;
    app.screenshot("keyboard-help.png").await;
    app.press('\u{E00C}').await; // Escape
    app.wait_until("Escape closes them", "return !document.querySelector('.help-overlay')").await;
    app.press('/').await;
    assert_eq!(app.eval::<String>("return document.activeElement.id").await, "search-input", "/ focuses search");
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dark_mode_and_large_type_are_one_click_away() {
    let _one = crate::harness::one_window_at_a_time().await;
    let app = App::launch().await;
    app.wait_for_list().await;
    // The sidebar loads beside the list, not before it: wait for the category itself.
    app.wait_until("the category is listed", "return !!document.querySelector(\"[data-category='HarbourHerald']\")")
        .await;
    app.eval::<bool>("document.querySelector(\"[data-category='HarbourHerald']\").click(); return true").await;
    app.wait_until("the outlet is listed", "return document.querySelectorAll('.article-row').length === 5").await;
    app.eval::<bool>("document.querySelector('.article-row').click(); return true").await;
    app.wait_until("the post is open", "return !!document.querySelector('.theme-toggle')").await;
    let light_bg: String = app.eval("return getComputedStyle(document.body).backgroundColor").await;
    app.screenshot("reader-light.png").await;
    // system → light → dark
    app.eval::<bool>(
        "document.querySelector('.theme-toggle').click(); document.querySelector('.theme-toggle').click(); return true",
    )
    .await;
    app.wait_until("the page is dark", "return document.documentElement.dataset.theme === 'dark'").await;
    let dark_bg: String = app.eval("return getComputedStyle(document.body).backgroundColor").await;
    assert_ne!(light_bg, dark_bg);
    for _ in 0..10 {
        app.eval::<bool>("document.querySelector('.font-larger').click(); return true").await;
    }
    app.wait_until(
        "the type is 32 px",
        "return getComputedStyle(document.querySelector('.article')).fontSize === '32px'",
    )
    .await;
    app.screenshot("reader-dark-large.png").await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_interface_switches_to_simplified_chinese_and_remembers_it() {
    let _one = crate::harness::one_window_at_a_time().await;
    let dir = tempfile::tempdir().unwrap();
    {
        let app = App::launch_in(dir.path()).await;
        app.wait_for_list().await;
        app.eval::<bool>("document.querySelector('.settings-toggle').click(); return true").await;
        app.wait_until("the settings are open", "return !!document.querySelector('.setting-language')").await;
        app.eval::<bool>(
            "const s = document.querySelector('.setting-language'); s.value = 'zh'; s.dispatchEvent(new Event('change')); return true",
        )
        .await;
        app.wait_until(
            "the sidebar speaks Chinese",
            "return document.querySelector(\"[data-view='all']\").textContent.includes('全部文章')",
        )
        .await;
        app.screenshot("chinese-ui.png").await;
        app.quit().await;
    }
    let app = App::launch_in(dir.path()).await;
    app.wait_until(
        "the choice is remembered",
        "const b = document.querySelector(\"[data-view='all']\"); return !!b && b.textContent.includes('全部文章')",
    )
    .await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn folders_are_added_as_sources_and_a_long_list_loads_page_by_page() {
    let _one = crate::harness::one_window_at_a_time().await;
    broadsheet_testkit::needs_corpus!();
    let app = App::launch().await;
    app.wait_for_list().await;
    let corpus = broadsheet_testkit::corpus();
    for site in ["finews", "Huxpro-huxpro.github.io"] {
        let input = app.client.find(Locator::Css(".add-source-input")).await.unwrap();
        input.send_keys(&format!("{}\u{E007}", corpus.join(site).canonicalize().unwrap().display())).await.unwrap();
        app.wait_until("the folder is imported", &format!("return Array.from(document.querySelectorAll('.source-item')).some(s => s.textContent.includes({site:?}) && s.querySelector('.health-dot.ok'))"))
        .await;
    }
    let total: usize = app.eval("return Array.from(document.querySelectorAll('.source-item .nav-count')).reduce((n, c) => n + Number(c.textContent), 0)").await;
    assert!(total > 200, "enough posts for a second page: {total}");
    app.wait_until("the first page is loaded", "return document.querySelector('.list').dataset.loaded === '200'").await;
    // The header tells the true number at once, not the loaded page.
    app.wait_until(
        "the header counts the whole view",
        &format!("return document.querySelector('.list-count').textContent.replace(/,/g, '') === '{total}'"),
    )
    .await;
    // Scroll to the end, page by page; the page only ever holds a window of rows.
    let scrolled = app.scroll_list_to_end(total).await;
    let loaded: String = app.eval("return document.querySelector('.list').dataset.loaded").await;
    assert_eq!(loaded, total.to_string(), "scrolling loads the rest, page by page");
    let seen: std::collections::HashSet<i64> = scrolled.seen.into_iter().collect();
    assert_eq!(seen.len(), total, "every row was shown on the way down");
    let most_rows = scrolled.most_rows;
    assert!(most_rows <= 60, "the list is windowed: at most 60 rows in the page, saw {most_rows}");
    app.screenshot("long-list-end.png").await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn panes_resize_from_the_keyboard_and_the_window_works_at_800_by_600() {
    let _one = crate::harness::one_window_at_a_time().await;
    let app = App::launch().await;
    app.wait_for_list().await;
    let before: f64 = app.eval("return document.querySelector('.sidebar').getBoundingClientRect().width").await;
    app.eval::<bool>("document.querySelector('.resizer').focus(); return true").await;
    for _ in 0..3 {
        app.press('\u{E014}').await; // ArrowRight
    }
    app.wait_until(
        "the sidebar is wider",
        &format!("return document.querySelector('.sidebar').getBoundingClientRect().width >= {} + 40", before),
    )
    .await;

    app.client.set_window_size(800, 600).await.unwrap();
    app.eval::<bool>("document.querySelector('.article-row').click(); return true").await;
    app.wait_until("the post is open", "return !!document.querySelector('.article-title')").await;
    let widths: Vec<f64> = app
        .eval(
            "return ['.sidebar', '.list', '.reader'].map(s => document.querySelector(s).getBoundingClientRect().width)",
        )
        .await;
    assert!(widths.iter().all(|w| *w >= 150.0), "all three panes stay usable at 800×600: {widths:?}");
    let overflow: bool = app.eval("return document.documentElement.scrollWidth > window.innerWidth + 1").await;
    assert!(!overflow, "no horizontal scrolling at 800×600");
    app.screenshot("small-window.png").await;
    app.quit().await;
}

/// With no folder named, the app and the CLI find the same archive in the platform's data
/// directory (XDG here; `directories` and Tauri agree on macOS and Windows too), and a bookmark
/// made in the window is what the CLI sees.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_and_the_cli_share_the_platform_data_directory() {
    let _one = crate::harness::one_window_at_a_time().await;
    let home = tempfile::tempdir().unwrap();
    let (data, config, cache) = (home.path().join("data"), home.path().join("config"), home.path().join("cache"));
    let env =
        [("XDG_DATA_HOME", data.as_path()), ("XDG_CONFIG_HOME", config.as_path()), ("XDG_CACHE_HOME", cache.as_path())];
    let app = App::launch_with_platform_dirs(&env).await;
    app.wait_for_list().await;
    let row = app.client.find(Locator::Css(".article-row")).await.unwrap();
    row.click().await.unwrap();
    app.wait_until("the reader opened", "return !!document.querySelector('.article-title')").await;
    let title = app.text(".article-title").await;
    app.press('b').await;
    app.wait_until(
        "the bookmark is shown",
        "return document.querySelector('.bookmark-toggle').getAttribute('aria-pressed') === 'true'",
    )
    .await;
    app.quit().await;

    let archive = data.join("app.broadsheet.reader").join(broadsheet_store::ARCHIVE_FILE);
    assert!(archive.is_file(), "the app's archive is not at {}", archive.display());
    let cli = std::path::Path::new(env!("CARGO_BIN_EXE_broadsheet-app"))
        .with_file_name(format!("broadsheet{}", std::env::consts::EXE_SUFFIX));
    let out = std::process::Command::new(&cli)
        .args(["list", "--bookmarked", "--json"])
        .envs(env)
        .env_remove("BROADSHEET_DB")
        .env_remove("BROADSHEET_DATA_DIR")
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", cli.display()));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let titles: Vec<&str> = listed.as_array().unwrap().iter().filter_map(|a| a["title"].as_str()).collect();
    assert_eq!(titles, [title.as_str()], "the CLI reads the archive the window wrote");
}

/// The start-up mark the benchmark reads: once the first rows are painted, the app records
/// how long after process start that was, its resident memory, and how many rows it drew.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_rows_drawn_are_marked_with_the_time_since_start_and_memory() {
    let _one = crate::harness::one_window_at_a_time().await;
    let dir = tempfile::tempdir().unwrap();
    let mark = dir.path().join("mark.json");
    let data = dir.path().join("data");
    let app = App::launch_in_with_env(&data, &[("BROADSHEET_STARTUP_MARK", mark.as_path())]).await;
    app.wait_for_list().await;
    let start = std::time::Instant::now();
    while !mark.is_file() && start.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let drawn = app.count(".article-row").await;
    app.quit().await;
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&mark).expect("the app wrote the start-up mark")).unwrap();
    eprintln!("start-up mark (debug build, sample archive): {json}");
    let ms = json["first_rows_ms"].as_u64().unwrap();
    assert!(ms > 0 && ms < 120_000, "{json}");
    assert_eq!(json["rows"].as_u64().unwrap() as usize, expected::post_count().min(200), "{json}");
    assert!(drawn > 0);
    if cfg!(target_os = "linux") {
        let kb = json["rss_kb"].as_u64().expect("resident memory on Linux");
        assert!(kb > 10_000, "{json}");
    }
}

/// Every async (real-window) test here begins by taking the one-window lock, so `cargo
/// xtask test` can run the workspace's tests in parallel and these one at a time.
#[test]
fn every_test_takes_the_one_window_lock() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e");
    let mut tests = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for (i, _) in text.match_indices(&["#[tokio", "::test"].concat()) {
            tests += 1;
            let after = &text[i..];
            let body = after.find("() {\n").map(|b| &after[b + 5..]).unwrap_or("");
            let first = body.lines().next().unwrap_or("").trim();
            assert_eq!(
                first,
                "let _one = crate::harness::one_window_at_a_time().await;",
                "{}: the test after byte {i} must take the lock first",
                path.display()
            );
        }
    }
    assert!(tests >= 27, "found only {tests} real-window tests");
}
