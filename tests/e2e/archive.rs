//! "Your archive" in the real window: a backup made from the settings restores (by the CLI)
//! into a fresh archive with every post; an OPML list imported from the window adds its feeds;
//! retention previews what would go and then removes exactly that, keeping what is marked; a
//! restore into an archive of the reader's own is refused, and into a fresh install works.
//! The file dialogs are answered by the backend's test hook (`BROADSHEET_TEST_DIALOG_DIR`).

use crate::harness::App;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_archive_is_backed_up_exported_and_trimmed_from_the_window() {
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
