//! The window never waits for the sync: the app starts on a large folder source that needs a
//! full re-scan, and the reader lists, opens and bookmarks while that sync is still writing.

use std::path::Path;

use broadsheet_import::{import_path, ImportOptions};
use broadsheet_model::ArticleQuery;
use broadsheet_store::Store;

use crate::harness::App;

/// Posts in the folder; the first `SEEDED` are in the archive before the app starts.
const POSTS: usize = 8000;
const SEEDED: usize = 200;

fn count(data: &Path) -> usize {
    let store = Store::open_reader(&data.join(broadsheet_store::ARCHIVE_FILE)).unwrap();
    store.article_count().unwrap() as usize
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_window_lists_opens_and_bookmarks_while_a_large_folder_sync_runs() {
    let _one = crate::harness::one_window_at_a_time().await;
    let tmp = tempfile::tempdir().unwrap();
    let all = broadsheet_testkit::generate_site(&tmp.path().join("all"), POSTS, 2000, 11);
    let site = tmp.path().join("site");
    std::fs::create_dir_all(site.join("_posts")).unwrap();
    std::fs::copy(tmp.path().join("all/_config.yml"), site.join("_config.yml")).unwrap();
    let copy = |posts: &[std::path::PathBuf]| {
        for p in posts {
            std::fs::copy(p, site.join("_posts").join(p.file_name().unwrap())).unwrap();
        }
    };
    copy(&all[..SEEDED]);
    let data = tmp.path().join("data");
    {
        // The folder is a source the archive already knows, never synced by the engine: the
        // scheduler re-scans it at start-up, finding the rest of the posts.
        let mut store = Store::open(&data.join(broadsheet_store::ARCHIVE_FILE)).unwrap();
        import_path(&mut store, &site, ImportOptions::default(), &mut |_, _| {}).unwrap();
    }
    copy(&all[SEEDED..]);

    let app = App::launch_in(&data).await;
    app.wait_for_list().await;
    // The start-up sync began before the page listened for its events; the window still
    // shows it running (with Cancel), not "Sync now".
    app.wait_until("the sync shows as running", "return !!document.querySelector('.sync-progress')").await;
    app.eval::<bool>("document.querySelector('.article-row').click(); return true").await;
    app.wait_until("the reader opens the post", "return !!document.querySelector('.article-title')").await;
    app.eval::<bool>("document.querySelector('.bookmark-toggle').click(); return true").await;
    app.wait_until(
        "the bookmark sticks",
        "return document.querySelector('.bookmark-toggle').getAttribute('aria-pressed') === 'true'",
    )
    .await;
    let title = app.text(".article-title").await;
    let during = count(&data);
    eprintln!("bookmarked while the archive held {during} of {POSTS} posts");
    app.screenshot("busy-sync-bookmark.png").await;
    assert!(during < POSTS, "the sync was still running when the bookmark stuck (else this proves nothing)");

    // The sync goes on to the end, and the bookmark is in the archive.
    let start = std::time::Instant::now();
    while count(&data) < POSTS && start.elapsed() < std::time::Duration::from_secs(240) {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    assert_eq!(count(&data), POSTS, "the start-up sync finished");
    app.quit().await;
    let store = Store::open_reader(&data.join(broadsheet_store::ARCHIVE_FILE)).unwrap();
    let bookmarked = store
        .list_articles(&ArticleQuery {
            filters: broadsheet_model::Filters { bookmarked: true, ..Default::default() },
            ..Default::default()
        })
        .unwrap();
    assert_eq!(bookmarked.iter().map(|a| a.title.clone()).collect::<Vec<_>>(), [title]);
}
