//! The real app window, driven over WebDriver (tauri-driver + WebKitWebDriver), on a fresh
//! data directory. Run by `cargo xtask test`, which builds the UI and provides a display.
#![cfg(target_os = "linux")]

mod harness;

use std::time::Duration;

use fantoccini::Locator;
use harness::{expected, App};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_run_shows_the_sample_and_opens_a_category_post_with_its_cached_image() {
    let app = App::launch().await;
    let c = &app.client;
    let want = expected::newest_in_category("kejiribao");

    // Sidebar: every sample category, with its post count.
    let button = c.wait().at_most(Duration::from_secs(20)).for_element(Locator::Css("[data-category='kejiribao']")).await.unwrap();
    let label = app.text("[data-category='kejiribao']").await;
    assert!(label.contains(&want.category_count.to_string()), "sidebar shows {label:?}");
    assert_eq!(app.count("[data-category]").await, expected::category_count());

    // List: exactly that category's posts, newest first.
    button.click().await.unwrap();
    app.wait_until("the list shows only the category", |js| {
        js(&format!("return document.querySelectorAll('.article-row').length === {}", want.category_count))
    })
    .await;
    assert_eq!(app.text(".article-row .row-title").await, want.title);

    // Reader: title, a sentence of the body, and the image from the local cache.
    c.find(Locator::Css(".article-row")).await.unwrap().click().await.unwrap();
    app.wait_until("the reader shows the post", |js| {
        js(&format!("const t = document.querySelector('.article-title'); return !!t && t.textContent === {:?}", want.title))
    })
    .await;
    let body = app.text(".article-body").await;
    assert!(body.contains(&want.sentence), "body lacks {:?}:\n{body}", want.sentence);
    app.wait_until("the image has loaded", |js| {
        js("const i = document.querySelector('.article-body img'); return !!i && i.complete && i.naturalWidth > 0")
    })
    .await;
    let src: String = app.eval("return document.querySelector('.article-body img').src").await;
    assert!(src.starts_with("bsimg:") || src.starts_with("http://bsimg.localhost/"), "image not from the cache: {src}");

    // Opening it was reading it: the list row loses its unread mark, and the chip names the outlet.
    app.wait_until("the row is marked read", |js| {
        js("const r = document.querySelector('.article-row.selected'); return !!r && !r.classList.contains('unread')")
    })
    .await;
    let chip = app.text(".article-meta .chip").await;
    assert_eq!(chip, app.text("[data-category='kejiribao'] .nav-label").await);

    app.screenshot("reader.png").await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_articles_lists_the_whole_sample_newest_first() {
    let app = App::launch().await;
    app.wait_until("the list is filled", |js| js("return document.querySelectorAll('.article-row').length > 0")).await;
    assert_eq!(app.count(".article-row").await, expected::post_count());
    let datetimes: Vec<String> =
        app.eval("return Array.from(document.querySelectorAll('.article-row time')).map(t => t.getAttribute('datetime'))").await;
    let instants: Vec<i64> = datetimes.iter().map(|d| expected::unix_of(d)).collect();
    assert!(instants.windows(2).all(|w| w[0] >= w[1]), "not newest first: {datetimes:?}");
    app.screenshot("all-articles.png").await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn back_links_inside_a_post_open_the_category_and_home_in_the_app() {
    let app = App::launch().await;
    let want = expected::newest_in_category("kejiribao");
    app.wait_until("the list is filled", |js| js("return document.querySelectorAll('.article-row').length > 0")).await;

    // From "All", open a 科技日报 post and follow its "返回科技日报新闻" link.
    app.eval::<bool>(
        "const row = Array.from(document.querySelectorAll('.article-row'))
           .find(r => r.querySelector('.row-category').dataset.slug === 'kejiribao');
         row.click(); return true",
    )
    .await;
    app.wait_until("the post is open", |js| js("return !!document.querySelector('.article-body a[href=\"#category=kejiribao\"]')")).await;
    app.eval::<bool>("document.querySelector('.article-body a[href=\"#category=kejiribao\"]').click(); return true").await;
    app.wait_until("the category is selected", |js| {
        js(&format!(
            "return document.querySelector('[data-category=kejiribao]').getAttribute('aria-current') === 'page'
               && document.querySelectorAll('.article-row').length === {}",
            want.category_count
        ))
    })
    .await;
    assert_eq!(app.eval::<String>("return location.href").await, app.eval::<String>("return document.baseURI").await, "the webview did not navigate");

    // "返回首页" goes back to everything.
    app.eval::<bool>("document.querySelector('.article-body a[href=\"#all\"]').click(); return true").await;
    app.wait_until("all articles are listed", |js| {
        js(&format!("return document.querySelectorAll('.article-row').length === {}", expected::post_count()))
    })
    .await;
    app.screenshot("after-back-link.png").await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adding_a_loopback_feed_syncs_it_with_progress_and_health() {
    let feed = harness::feed_server(&[("urn:e2e:1", "回环新闻一"), ("urn:e2e:2", "回环新闻二"), ("urn:e2e:3", "回环新闻三")]);
    let app = App::launch().await;
    app.wait_until("the list is filled", |js| js("return document.querySelectorAll('.article-row').length > 0")).await;
    let before = app.count(".article-row").await;

    let input = app.client.find(Locator::Css(".add-source-input")).await.unwrap();
    input.send_keys(&feed).await.unwrap();
    app.client.find(Locator::Css(".add-source-button")).await.unwrap().click().await.unwrap();
    app.wait_until("the sync has finished", |js| {
        js("const m = document.querySelector('.sync-message'); return !!m && m.textContent.startsWith('Synced: 3 new')")
    })
    .await;
    app.wait_until("the new posts are listed", |js| js(&format!("return document.querySelectorAll('.article-row').length === {}", before + 3))).await;
    let healthy: bool = app
        .eval("return Array.from(document.querySelectorAll('.source-item')).some(s => s.textContent.includes('Loopback') && s.querySelector('.health-dot.ok'))")
        .await;
    assert!(healthy, "the new source shows a healthy dot");
    app.screenshot("after-sync.png").await;

    // Sync now again: nothing new, and the bar says so.
    app.client.find(Locator::Css(".sync-button")).await.unwrap().click().await.unwrap();
    app.wait_until("the second sync has finished", |js| {
        js("const m = document.querySelector('.sync-message'); return !!m && m.textContent.startsWith('Synced: 0 new')")
    })
    .await;

    // Removing the source asks whether to keep its posts; deleting them empties it from the list.
    app.eval::<bool>(
        "const s = Array.from(document.querySelectorAll('.source-item')).find(s => s.textContent.includes('Loopback'));
         s.querySelector('.source-remove').click(); return true",
    )
    .await;
    app.wait_until("the removal asks", |js| js("return !!document.querySelector('.source-confirm .delete-posts')")).await;
    app.eval::<bool>("document.querySelector('.source-confirm .delete-posts').click(); return true").await;
    app.wait_until("the source and its posts are gone", |js| {
        js(&format!(
            "return document.querySelectorAll('.article-row').length === {before}
               && !Array.from(document.querySelectorAll('.source-item')).some(s => s.textContent.includes('Loopback'))"
        ))
    })
    .await;
    app.quit().await;
}
