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
    let _one = crate::harness::one_window_at_a_time().await;
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
            .map(|h| h.summary.id.0)
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
    // Leaving the search for another view empties the box: it says what the list shows.
    app.eval::<bool>("document.querySelector('[data-view=\"all\"]').click(); return true").await;
    app.wait_until(
        "all articles are listed and the search box is empty",
        "return !document.querySelector('.search-sort') && document.querySelector('.search-input').value === ''",
    )
    .await;
    app.quit().await;
}

/// A search begun in a category keeps to it (a chip says so and removes it), and can be
/// narrowed to unread posts and to a range of dates; each header counts what it lists.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_is_narrowed_from_the_window_and_counts_what_it_lists() {
    let _one = crate::harness::one_window_at_a_time().await;
    use broadsheet_model::{Filters, SearchQuery};
    let tmp = tempfile::tempdir().unwrap();
    broadsheet_testkit::generate_site(&tmp.path().join("site"), 300, 6, 11);
    let data = tmp.path().join("data");
    let archive = data.join(broadsheet_store::ARCHIVE_FILE);
    let common = broadsheet_testkit::HANZI.chars().next().unwrap().to_string();
    let (category, name) = {
        let mut store = Store::open(&archive).unwrap();
        import_path(&mut store, &tmp.path().join("site"), ImportOptions::default(), &mut |_, _| {}).unwrap();
        let top = store
            .category_page(&broadsheet_model::LabelQuery { by_count: true, limit: 1, ..Default::default() })
            .unwrap()
            .items
            .remove(0);
        // Some of its matches read, so "unread only" narrows it.
        let q = SearchQuery {
            query: common.clone(),
            filters: Filters { category: Some(top.slug.clone()), ..Default::default() },
            limit: Some(1000),
            ..Default::default()
        };
        for hit in store.search(&q).unwrap().iter().step_by(3) {
            store.set_read(hit.summary.id, true).unwrap();
        }
        (top.slug, top.name)
    };
    let count = |filters: Filters, since: Option<i64>| {
        let store = Store::open_reader(&archive).unwrap();
        store.search_count(&SearchQuery { query: common.clone(), filters, since, ..Default::default() }).unwrap()
    };
    let in_category = Filters { category: Some(category.clone()), ..Default::default() };
    let unread_in_category = Filters { unread: true, ..in_category.clone() };
    let unread = Filters { unread: true, ..Default::default() };
    assert!(count(unread_in_category.clone(), None) < count(in_category.clone(), None));
    assert!(count(in_category.clone(), None) < count(Filters::default(), None));

    let app = App::launch_in(&data).await;
    app.wait_for_list().await;
    app.wait_until(
        "the categories are listed",
        &format!("return !!document.querySelector('[data-category=\"{category}\"]')"),
    )
    .await;
    app.eval::<bool>(&format!("document.querySelector('[data-category=\"{category}\"]').click(); return true")).await;
    app.wait_until(
        "the category is shown",
        &format!("return document.querySelector('.list-title').textContent === {name:?}"),
    )
    .await;
    let header =
        |n: u64| format!("return document.querySelector('.list-count').textContent.replace(/,/g, '') === '{n}'");
    let search = app.client.find(Locator::Css(".search-input")).await.unwrap();
    search.send_keys(&format!("{common}\u{E007}")).await.unwrap();
    app.wait_until("the search keeps to the category it began in", &header(count(in_category.clone(), None))).await;
    let chip = app.text(".filter-chip").await;
    assert!(chip.contains(&name), "the chip names the category: {chip:?}");

    app.eval::<bool>("document.querySelector('.filter-unread').click(); return true").await;
    app.wait_until("unread only narrows it", &header(count(unread_in_category, None))).await;
    app.screenshot("search-narrowed.png").await;

    app.eval::<bool>("document.querySelector('.filter-chip .chip-remove').click(); return true").await;
    app.wait_until("without the category, every unread match", &header(count(unread.clone(), None))).await;
    assert_eq!(app.count(".filter-chip").await, 0);

    // From a day in the middle of the posts' dates, as the webview's clock counts midnight.
    let (day, midnight): (String, i64) = {
        let store = Store::open_reader(&archive).unwrap();
        let all =
            store.list_articles(&broadsheet_model::ArticleQuery { limit: Some(1000), ..Default::default() }).unwrap();
        let middle = &all[all.len() / 2];
        let day = middle.date[..10].to_string();
        let num = |s: &str| s.parse::<u32>().unwrap();
        let (y, m, d) = (num(&day[..4]), num(&day[5..7]), num(&day[8..10]));
        let at: f64 = app.eval(&format!("return new Date({y}, {m} - 1, {d}).getTime() / 1000")).await;
        (day, at as i64)
    };
    app.eval::<bool>(&format!(
        "const i = document.querySelector('.filter-since'); i.value = '{day}';
         i.dispatchEvent(new Event('change', {{ bubbles: true }})); return true"
    ))
    .await;
    app.wait_until("and from that day on", &header(count(unread, Some(midnight)))).await;
    app.quit().await;
}
