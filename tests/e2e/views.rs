//! Views larger than a page: the header counts the whole view, and a search pages on past
//! its first 200 results as the list scrolls, listing every match once.

use std::collections::HashSet;

use broadsheet_import::{import_path, ImportOptions};
use broadsheet_store::Store;
use fantoccini::Locator;

use crate::harness::App;

const POSTS: usize = 600;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_header_counts_the_whole_view_and_search_pages_past_its_first_results() {
    let tmp = tempfile::tempdir().unwrap();
    broadsheet_testkit::generate_site(&tmp.path().join("site"), POSTS, 30, 5);
    let data = tmp.path().join("data");
    let archive = data.join(broadsheet_store::ARCHIVE_FILE);
    {
        let mut store = Store::open(&archive).unwrap();
        import_path(&mut store, &tmp.path().join("site"), ImportOptions::default(), &mut |_, _| {}).unwrap();
    }
    let common = broadsheet_testkit::HANZI.chars().next().unwrap().to_string();
    let (matches, newest) = {
        let store = Store::open_reader(&archive).unwrap();
        let q = broadsheet_model::SearchQuery { query: common.clone(), ..Default::default() };
        let newest: Vec<i64> = store
            .search(&broadsheet_model::SearchQuery {
                limit: Some(3),
                sort: broadsheet_model::SearchSort::Newest,
                ..q.clone()
            })
            .unwrap()
            .iter()
            .map(|h| h.summary.id)
            .collect();
        (store.search_count(&q).unwrap(), newest)
    };
    assert!(matches > 200, "the search must need more than a page: {matches}");

    let app = App::launch_in(&data).await;
    app.wait_for_list().await;
    app.wait_until(
        "the header counts every article, not the loaded page",
        &format!("return document.querySelector('.list-count').textContent.replace(/,/g, '') === '{POSTS}'"),
    )
    .await;

    // A sidebar longer than the window scrolls beneath its footer, never below it.
    app.wait_until("the categories are listed", "return document.querySelectorAll('[data-category]').length >= 20")
        .await;
    let gap: f64 = app
        .eval(
            "const s = document.querySelector('.sidebar'); s.scrollTop = 120;
             return s.getBoundingClientRect().bottom - document.querySelector('.sidebar-foot').getBoundingClientRect().bottom",
        )
        .await;
    assert!(gap.abs() < 1.0, "the footer reaches the sidebar's bottom edge (gap {gap} px)");

    let search = app.client.find(Locator::Css(".search-input")).await.unwrap();
    search.send_keys(&format!("{common}\u{E007}")).await.unwrap();
    app.wait_until(
        "the search's first page is loaded and its header counts every match",
        &format!(
            "return document.querySelector('.list').dataset.loaded === '200' &&
                    document.querySelector('.list-count').textContent.replace(/,/g, '') === '{matches}'"
        ),
    )
    .await;
    app.screenshot("search-count.png").await;
    let seen = app.scroll_list_to_end(matches as usize).await.seen;
    let loaded: String = app.eval("return document.querySelector('.list').dataset.loaded").await;
    assert_eq!(loaded, matches.to_string(), "scrolling loads every match");
    let distinct: HashSet<i64> = seen.iter().copied().collect();
    assert_eq!(distinct.len() as u64, matches, "every match was shown on the way down, once each");

    // Newest first, from the header's toggle: the list starts again with the newest matches.
    app.eval::<bool>(
        "document.querySelector('.list').scrollTop = 0; document.querySelector('.search-sort').click(); return true",
    )
    .await;
    app.wait_until(
        "the newest matches come first",
        &format!(
            "const ids = Array.from(document.querySelectorAll('.article-row')).slice(0, 3).map(r => Number(r.dataset.id));
             return document.querySelector('.search-sort').getAttribute('aria-pressed') === 'true'
                    && JSON.stringify(ids) === {:?}",
            serde_json::to_string(&newest).unwrap()
        ),
    )
    .await;
    app.quit().await;
}
