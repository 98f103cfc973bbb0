//! "Your archive" in the real window: a backup made from the settings restores (by the CLI)
//! into a fresh archive with every post; an OPML list imported from the window adds its feeds;
//! retention previews what would go and then removes exactly that, keeping what is marked; a
//! restore into an archive of the reader's own is refused, and into a fresh install works.
//! The file dialogs are answered by the backend's test hook (`BROADSHEET_TEST_DIALOG_DIR`).

use crate::harness::App;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_archive_is_backed_up_exported_and_trimmed_from_the_window() {
    let _one = crate::harness::one_window_at_a_time().await;
    let dir = tempfile::tempdir().unwrap();
    let (data, dialogs) = (dir.path().join("data"), dir.path().join("dialogs"));
    std::fs::create_dir_all(&dialogs).unwrap();
    let opml = dialogs.join("list.opml");
    std::fs::write(
        &opml,
        "<?xml version=\"1.0\"?><opml version=\"2.0\"><body>\
         <outline text=\"甲\" type=\"rss\" xmlUrl=\"https://a.example.invalid/feed.xml\"/>\
         <outline text=\"乙\" type=\"rss\" xmlUrl=\"https://b.example.invalid/rss\"/></body></opml>",
    )
    .unwrap();
    let app = App::launch_in_with_env(&data, &[("BROADSHEET_TEST_DIALOG_DIR", dialogs.as_path())]).await;
    app.wait_for_list().await;
    let listed = app.count(".article-row").await;
    assert!(listed > 0);
    // A bookmark, which retention must keep.
    app.bookmark_row(0).await;

    app.eval::<bool>("document.querySelector('.settings-toggle').click(); return true").await;
    app.wait_until(
        "the archive section is open",
        "const w = document.querySelector('.archive-wrap'); return !!w && !w.hidden",
    )
    .await;
    app.eval::<bool>("document.querySelector('.export-json').click(); return true").await;
    app.wait_until(
        "the backup is saved",
        "return document.querySelector('.archive-result').textContent.includes('broadsheet-backup-')",
    )
    .await;
    app.screenshot("archive-backup-saved.png").await;
    let backup = crate::harness::saved_backup(&dialogs);
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&backup).unwrap()).unwrap();
    let posts = json["articles"].as_array().map_or(0, Vec::len);
    assert!(posts >= listed, "every post is in the backup: {posts}");

    for (class, prefix) in [("export-opml", "broadsheet-sources-"), ("export-bookmarks", "broadsheet-bookmarks-")] {
        app.eval::<bool>(&format!("document.querySelector('.{class}').click(); return true")).await;
        app.wait_until(
            &format!("{class} is saved"),
            &format!("return document.querySelector('.archive-result').textContent.includes('{prefix}')"),
        )
        .await;
    }

    // Written now, so it is the newest OPML file in the folder (the export above is one too).
    std::fs::write(&opml, std::fs::read(&opml).unwrap()).unwrap();
    app.eval::<bool>("document.querySelector('.import-opml').click(); return true").await;
    app.wait_until(
        "the feeds are added",
        "return document.querySelector('.archive-result').textContent.startsWith('2 feeds added, 0 already here')",
    )
    .await;
    app.wait_until(
        "the sidebar lists them",
        "return document.body.textContent.includes('甲') && document.body.textContent.includes('乙')",
    )
    .await;

    // This archive holds the reader's own sources now: a restore is refused, untouched.
    app.eval::<bool>("document.querySelector('.restore-backup').click(); return true").await;
    app.wait_until(
        "the restore is refused",
        "return document.querySelector('.archive-result').textContent.includes('restore into a new archive')",
    )
    .await;

    // The image cache's limit, set from the window, is the archive's for every later sync.
    app.wait_until(
        "the image cache's use is shown",
        "return !!document.querySelector('.image-budget-use') && document.querySelector('.image-budget-mib').value === '2048'",
    )
    .await;
    app.fill_and_click(".image-budget-mib", "300", ".image-budget-save").await;
    app.wait_until(
        "the limit is set",
        "return document.querySelector('.archive-result').textContent.includes('300 MB')",
    )
    .await;
    let stored = broadsheet_store::Store::open_reader(&data.join(broadsheet_store::ARCHIVE_FILE))
        .unwrap()
        .image_budget()
        .unwrap();
    assert_eq!(stored, Some(300 * 1024 * 1024), "kept in the archive");

    // Retention of everything older than a day: the preview names the number, the removal
    // does exactly that, and the bookmarked post stays.
    app.fill_and_click(".retention-days", "0", ".retention-preview").await;
    app.wait_until("the preview is shown", "return !!document.querySelector('.retention-plan')").await;
    app.screenshot("archive-retention-preview.png").await;
    let plan = app.text(".retention-plan").await;
    assert!(plan.starts_with(&format!("{} posts older than 0 days", posts - 1)), "all but the bookmarked post: {plan}");
    app.eval::<bool>("document.querySelector('.retention-apply').click(); return true").await;
    app.wait_until(
        "the posts are removed",
        "return document.querySelector('.archive-result').textContent.includes('Removed')",
    )
    .await;
    app.wait_until(
        "only the bookmarked post is listed",
        "return document.querySelectorAll('.article-row').length === 1",
    )
    .await;
    app.quit().await;

    // The backup made in the window restores, from the window, into a fresh install.
    let (fresh, fresh_dialogs) = (dir.path().join("fresh"), dir.path().join("fresh-dialogs"));
    std::fs::create_dir_all(&fresh_dialogs).unwrap();
    std::fs::copy(&backup, fresh_dialogs.join("backup.json")).unwrap();
    let app = App::launch_in_with_env(&fresh, &[("BROADSHEET_TEST_DIALOG_DIR", fresh_dialogs.as_path())]).await;
    app.wait_for_list().await;
    app.eval::<bool>("document.querySelector('.settings-toggle').click(); document.querySelector('.restore-backup').click(); return true")
        .await;
    app.wait_until(
        "the backup is restored",
        &format!("return document.querySelector('.archive-result').textContent.startsWith('Restored {posts} posts')"),
    )
    .await;
    // The list is the restored one: its newest post carries the bookmark made before the backup
    // (the sample it replaced had none).
    app.wait_until(
        "the restored posts are listed, the bookmark with them",
        "const r = document.querySelector('.article-row'); return !!r && r.textContent.includes('★')",
    )
    .await;
    app.screenshot("archive-restored.png").await;
    app.quit().await;
    let cli = std::path::Path::new(env!("CARGO_BIN_EXE_broadsheet-app"))
        .with_file_name(format!("broadsheet{}", std::env::consts::EXE_SUFFIX));
    let db = fresh.join(broadsheet_store::ARCHIVE_FILE);
    let out = std::process::Command::new(&cli)
        .args(["--db", &db.to_string_lossy(), "list", "--limit", "1000", "--json"])
        .output()
        .unwrap();
    let restored: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(restored.as_array().map_or(0, Vec::len), posts, "the restored archive holds every post");
    let bookmarked = restored.as_array().unwrap().iter().filter(|a| a["bookmarked"] == true).count();
    assert_eq!(bookmarked, 1, "with the bookmark made before the backup");
}

/// How many listed rows carry the bookmark star.
const STARRED: &str =
    "return [...document.querySelectorAll('.article-row')].filter(r => r.textContent.includes('★')).length";

/// Nothing in the archive panel reaches past its box's right edge (inside the sidebar).
const INSIDE_SIDEBAR: &str = "const s = document.querySelector('.archive-wrap').getBoundingClientRect(); \
    return [...document.querySelectorAll('.archive-panel *')].every(e => { \
        const r = e.getBoundingClientRect(); return r.width === 0 || r.right <= s.right + 1; })";

/// Waits (up to 10 s) for `done`: a file the app writes or removes as it goes.
async fn settle(done: impl Fn() -> bool) {
    for _ in 0..100 {
        if done() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Opens the settings and waits for the archive's location line.
async fn archive_path(app: &App) -> String {
    app.eval::<bool>("document.querySelector('.settings-toggle').click(); return true").await;
    app.wait_until("the archive's location is shown", "return !!document.querySelector('.archive-path .path')").await;
    app.text(".archive-path").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_restores_into_a_new_archive_beside_a_used_one_and_the_window_switches_between_them() {
    let _one = crate::harness::one_window_at_a_time().await;
    let dir = tempfile::tempdir().unwrap();
    let (data, dialogs) = (dir.path().join("data"), dir.path().join("dialogs"));
    std::fs::create_dir_all(&dialogs).unwrap();
    let env = [("BROADSHEET_TEST_DIALOG_DIR", dialogs.as_path())];
    let app = App::launch_in_with_env(&data, &env).await;
    app.wait_for_list().await;
    app.bookmark_row(0).await;
    assert!(archive_path(&app).await.contains("default"));
    app.eval::<bool>("document.querySelector('.export-json').click(); return true").await;
    app.wait_until(
        "the backup is saved",
        "return document.querySelector('.archive-result').textContent.includes('broadsheet-backup-')",
    )
    .await;
    // A second bookmark after the backup: the archive in use now differs from the backup.
    app.eval::<bool>("document.querySelector('.settings-toggle').click(); return true").await;
    app.bookmark_row(1).await;
    app.wait_until("two posts are bookmarked", &format!("{STARRED} === 2")).await;

    // The used archive refuses a restore into itself; a new archive takes it, beside it.
    app.eval::<bool>("document.querySelector('.settings-toggle').click(); document.querySelector('.restore-new-archive').click(); return true").await;
    app.wait_until(
        "the backup is restored into a new archive",
        "return document.querySelector('.archive-result').textContent.includes('into a new archive in')",
    )
    .await;
    app.wait_until("the switch is offered", "return !!document.querySelector('.switch-archive')").await;
    app.screenshot("archive-restored-into-new.png").await;
    app.wait_until("a long folder path stays inside the sidebar", INSIDE_SIDEBAR).await;
    let made = std::fs::read_dir(&dialogs)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.join(broadsheet_store::ARCHIVE_FILE).is_file())
        .expect("the new archive's folder");
    app.click_ending_the_app(".switch-archive").await;
    // The choice is written before the app goes (a test build exits instead of restarting).
    let location = data.join("archive-location.txt");
    settle(|| location.is_file()).await;
    assert_eq!(std::fs::read_to_string(&location).unwrap().trim(), made.to_str().unwrap());
    app.quit().await;

    // The next start opens the new archive: the backup's one bookmark, not the two of the old.
    let app = App::launch_in_with_env(&data, &env).await;
    app.wait_for_list().await;
    app.wait_until("the restored archive is listed", &format!("{STARRED} === 1")).await;
    let path = archive_path(&app).await;
    assert!(path.contains("broadsheet-archive-") && !path.contains("default"), "{path}");
    app.screenshot("archive-switched.png").await;
    app.wait_until("a long folder path stays inside the sidebar", INSIDE_SIDEBAR).await;
    app.click_ending_the_app(".switch-default").await;
    settle(|| !location.exists()).await;
    assert!(!location.exists(), "back to the default archive");
    app.quit().await;

    // The old archive is as it was: both bookmarks.
    let app = App::launch_in_with_env(&data, &env).await;
    app.wait_for_list().await;
    app.wait_until("the old archive is back, untouched", &format!("{STARRED} === 2")).await;
    // The archive restored before can be opened again; one from elsewhere is refused (its
    // rows and schema are not trusted like an archive the app wrote).
    archive_path(&app).await;
    app.eval::<bool>("document.querySelector('.open-other-archive').click(); return true").await;
    app.wait_until("the restored archive is offered again", "return !!document.querySelector('.switch-archive')").await;
    let foreign = dialogs.join("zz-foreign");
    drop(broadsheet_store::Store::open(&foreign.join(broadsheet_store::ARCHIVE_FILE)).unwrap());
    app.eval::<bool>("document.querySelector('.open-other-archive').click(); return true").await;
    app.wait_until(
        "an archive from elsewhere is refused",
        "return document.querySelector('.archive-result').textContent.includes('not an archive Broadsheet made here')",
    )
    .await;
    app.quit().await;

    // A choice that cannot be honoured (the folder is gone) opens the default archive and says why.
    std::fs::write(&location, format!("{}\n", dir.path().join("gone").display())).unwrap();
    let app = App::launch_in_with_env(&data, &env).await;
    app.wait_for_list().await;
    app.wait_until("the old archive is open", &format!("{STARRED} === 2")).await;
    archive_path(&app).await;
    let problem = app.text(".archive-problem").await;
    assert!(problem.contains("gone") && problem.contains("no archive there"), "{problem}");
    // The failed choice can be forgotten, so it is not tried at every start.
    app.click_ending_the_app(".switch-default").await;
    settle(|| !location.exists()).await;
    assert!(!location.exists(), "the failed choice is forgotten");
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_archive_that_cannot_be_opened_is_said_kept_as_it_is_and_a_new_one_can_be_started() {
    let _one = crate::harness::one_window_at_a_time().await;
    let dir = tempfile::tempdir().unwrap();
    let (data, dialogs) = (dir.path().join("data"), dir.path().join("dialogs"));
    std::fs::create_dir_all(&data).unwrap();
    std::fs::create_dir_all(&dialogs).unwrap();
    // Damaged beyond what SQLite opens: the app used to fail at every start.
    let file = data.join(broadsheet_store::ARCHIVE_FILE);
    let damaged = b"SQLite format 3\0 and then nothing an archive holds".repeat(200);
    std::fs::write(&file, &damaged).unwrap();
    let env = [("BROADSHEET_TEST_DIALOG_DIR", dialogs.as_path())];
    let app = App::launch_in_with_env(&data, &env).await;
    app.wait_for_list().await;
    app.wait_until("the window says why", "return !!document.querySelector('.unopened-banner .unopened-why')").await;
    let why = app.text(".unopened-why").await;
    assert!(why.contains(broadsheet_store::ARCHIVE_FILE), "{why}");
    app.screenshot("archive-unopened.png").await;
    app.click_ending_the_app(".start-new-archive").await;
    let location = data.join("archive-location.txt");
    settle(|| location.is_file()).await;
    let chosen = std::fs::read_to_string(&location).unwrap();
    assert!(chosen.trim().starts_with(data.join("archive-").to_str().unwrap()), "{chosen}");
    app.quit().await;
    assert_eq!(std::fs::read(&file).unwrap(), damaged, "the file that failed is left as it was");

    // The next start opens the new archive, without the warning.
    let app = App::launch_in_with_env(&data, &env).await;
    app.wait_for_list().await;
    let path = archive_path(&app).await;
    assert!(path.contains("archive-") && !path.contains("default"), "{path}");
    assert!(!app.eval::<bool>("return !!document.querySelector('.unopened-banner')").await, "no warning now");
    app.quit().await;
}
