//! A site that moved: its posts' links to the former address open in the app once the reader
//! names that address under the source (and before, go to the browser like any web link).

use broadsheet_import::{import_path, ImportOptions};
use broadsheet_store::Store;

use crate::harness::App;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_to_a_sites_former_address_open_in_the_app_once_the_address_is_added() {
    let _one = crate::harness::one_window_at_a_time().await;
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    std::fs::create_dir_all(site.join("_posts")).unwrap();
    std::fs::write(site.join("_config.yml"), "title: Moved News\nurl: https://news.example\n").unwrap();
    for (name, cat, body) in [
        ("2022-03-08-a.md", "markets", "[返回市场](//old-news.example/category/markets.html)"),
        ("2022-03-07-b.md", "markets", "older"),
        ("2022-03-06-c.md", "other", "a long title"),
    ] {
        let title = if body == "a long title" { "很长的标题".repeat(40) } else { name.to_string() };
        let post =
            format!("---\ntitle: \"{title}\"\ndate: 2022-03-08 10:00:00 +0800\ncategories: {cat}\n---\n{body}\n");
        std::fs::write(site.join("_posts").join(name), post).unwrap();
    }
    let data = tmp.path().join("data");
    let source = {
        let mut store = Store::open(&data.join(broadsheet_store::ARCHIVE_FILE)).unwrap();
        import_path(&mut store, &site, ImportOptions::default(), &mut |_, _| {}).unwrap();
        store.sources().unwrap().into_iter().find(|s| s.kind == "jekyll-folder").unwrap().id
    };
    let app = App::launch_in(&data).await;
    app.wait_for_list().await;
    // Rows are as tall as their content: a one-line title leaves no gap, a long one wraps.
    app.wait_until(
        "each row ends just below its content, and the long title's row is taller",
        "const rows = Array.from(document.querySelectorAll('.article-row'));
         const gaps = rows.map(r => r.getBoundingClientRect().bottom - r.lastElementChild.getBoundingClientRect().bottom);
         const h = rows.map(r => r.getBoundingClientRect().height);
         return rows.length === 3 && gaps.every(g => g >= 0 && g <= 12) && h[2] > h[0] + 10 && h[0] === h[1]",
    )
    .await;
    let open_post = "const row = Array.from(document.querySelectorAll('.article-row'))
           .find(r => r.textContent.includes('2022-03-08-a.md'));
         row.click(); return true";
    app.eval::<bool>(open_post).await;
    app.wait_until(
        "the post is open with its back link still a web link",
        "const a = document.querySelector('.article-body a');
         return !!a && a.getAttribute('href') === 'https://old-news.example/category/markets.html'",
    )
    .await;

    // The reader names the former address under the source.
    app.eval::<bool>(&format!(
        "document.querySelector('[data-source=\"{source}\"] .source-remove').click(); return true"
    ))
    .await;
    app.wait_until("the source's panel is open", "return !!document.querySelector('.add-alias-input')").await;
    app.fill_and_click(".add-alias-input", "old-news.example", ".add-alias-button").await;
    app.wait_until(
        "the address is listed under the source",
        "return !!document.querySelector('.alias-item[data-alias=\"https://old-news.example\"]')",
    )
    .await;
    app.screenshot("site-aliases.png").await;

    // Opened again, the back link leads to the category in the app.
    app.eval::<bool>(&format!(
        "document.querySelector('[data-source=\"{source}\"] .source-remove').click(); return true"
    ))
    .await;
    // Another post first, so the first one is fetched again.
    app.eval::<bool>(&open_post.replace("2022-03-08-a.md", "2022-03-07-b.md")).await;
    app.wait_until(
        "the other post is open",
        "return (document.querySelector('.article-body') || {}).textContent?.includes('older')",
    )
    .await;
    app.eval::<bool>(open_post).await;
    app.wait_until(
        "the back link is an in-app link now",
        "return !!document.querySelector('.article-body a[href=\"#category=markets\"]')",
    )
    .await;
    app.eval::<bool>("document.querySelector('.article-body a[href=\"#category=markets\"]').click(); return true")
        .await;
    app.wait_until(
        "the category is listed in the app",
        "return document.querySelector('[data-category=markets]').getAttribute('aria-current') === 'page'
           && document.querySelectorAll('.article-row').length === 2",
    )
    .await;

    // Forgotten again, it is gone from the source (and from the archive).
    app.eval::<bool>(&format!(
        "document.querySelector('[data-source=\"{source}\"] .source-remove').click();
         document.querySelector('.alias-remove').click(); return true"
    ))
    .await;
    app.wait_until("the address is forgotten", "return !document.querySelector('.alias-item')").await;
    app.quit().await;
    let store = Store::open_reader(&data.join(broadsheet_store::ARCHIVE_FILE)).unwrap();
    assert!(store.site_aliases(source).unwrap().is_empty());
}
