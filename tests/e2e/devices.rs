//! "Your devices" in the real window: the reader names a shared folder in the settings; a
//! bookmark made on another computer (another archive, synced through that folder) appears
//! in the list, that computer is listed, and a bookmark made in the window reaches it.

use std::sync::Mutex;

use crate::harness::App;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bookmark_made_on_another_computer_appears_and_one_made_here_reaches_it() {
    let _one = crate::harness::one_window_at_a_time().await;
    let dir = tempfile::tempdir().unwrap();
    let shared = dir.path().join("Syncthing").join("Broadsheet");
    std::fs::create_dir_all(&shared).unwrap();
    // The other computer: the sample, its newest post bookmarked, published to the folder.
    let other_dir = dir.path().join("other");
    let other = {
        let mut s = broadsheet_store::Store::open(&other_dir.join(broadsheet_store::ARCHIVE_FILE)).unwrap();
        broadsheet_import::import_sample(&mut s).unwrap();
        broadsheet_devices::set_remote(&s, Some(&shared.to_string_lossy())).unwrap();
        let newest = s.list_articles(&Default::default()).unwrap()[0].id;
        s.set_bookmark(newest, true).unwrap();
        Mutex::new(s)
    };
    broadsheet_devices::sync(&other, &other_dir).unwrap();

    let app = App::launch_in(&dir.path().join("data")).await;
    app.wait_for_list().await;
    app.eval::<bool>("document.querySelector('.settings-toggle').click(); return true").await;
    app.wait_until("the devices section is shown", "return !!document.querySelector('.devices-this')").await;
    app.fill_and_click(".devices-remote-input", &shared.to_string_lossy(), ".devices-save").await;
    app.wait_until(
        "the other computer is listed",
        "return document.querySelectorAll('.devices-peer').length === 1 && !!document.querySelector('.devices-last')",
    )
    .await;
    app.wait_until(
        "its bookmark is in the list",
        "const r = document.querySelector('.article-row'); return !!r && r.textContent.includes('★')",
    )
    .await;
    app.eval::<bool>("document.querySelector('.devices-panel').scrollIntoView(); return true").await;
    app.screenshot("devices-synced.png").await;

    // A bookmark made here, then "Sync devices now": the other computer gets it.
    app.bookmark_row(1).await;
    app.eval::<bool>("document.querySelector('.devices-sync-now').click(); return true").await;
    let mut bookmarked = 0;
    for _ in 0..100 {
        broadsheet_devices::sync(&other, &other_dir).unwrap();
        let q = broadsheet_model::ArticleQuery {
            filters: broadsheet_model::Filters { bookmarked: true, ..Default::default() },
            ..Default::default()
        };
        bookmarked = other.lock().unwrap().list_articles(&q).unwrap().len();
        if bookmarked == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(bookmarked, 2, "the window's bookmark reached the other computer");
    app.quit().await;
}
