fn main() {
    placeholder_ui();
    tauri_build::try_build(
        tauri_build::Attributes::new().capabilities_path_pattern("src-tauri/capabilities/**/*").app_manifest(
            tauri_build::AppManifest::new().commands(&[
                "list_categories",
                "list_articles",
                "get_article",
                "open_external",
                "set_read",
                "list_sources",
                "add_source",
                "remove_source",
                "sync_now",
                "cancel_sync",
                "sync_running",
                "set_bookmark",
                "set_user_tags",
                "list_user_tags",
                "list_site_tags",
                "rename_user_tag",
                "delete_user_tag",
                "search",
                "mark_all_read",
                "get_ui_settings",
                "set_ui_settings",
                "pick_folder",
                "set_sync_interval",
                "set_site_alias",
                "mark_first_rows",
                "count_articles",
                "search_count",
                "export_archive",
                "import_opml_file",
                "restore_backup",
                "restore_into_new_archive",
                "open_other_archive",
                "archive_location",
                "switch_archive",
                "start_new_archive",
                "retention_preview",
                "apply_retention",
                "get_image_budget",
                "set_image_budget",
                "get_devices",
                "set_devices_remote",
                "sync_devices",
                "save_page",
                "list_duplicates",
                "pick_devices_folder",
            ]),
        ),
    )
    .expect("tauri build script failed");
}

/// The app embeds `ui/dist` at compile time. `cargo xtask run|test` builds it first; a plain
/// `cargo build`/`cargo test` without it gets a page that says how to build the real UI,
/// instead of a compile error.
fn placeholder_ui() {
    let dist = std::path::Path::new("ui/dist");
    if !dist.join("index.html").exists() {
        std::fs::create_dir_all(dist).expect("create ui/dist");
        std::fs::write(
            dist.join("index.html"),
            "<!doctype html><meta charset=utf-8><title>Broadsheet</title>\
             <p>The UI has not been built. Run <code>cargo xtask run</code>.</p>\n",
        )
        .expect("write placeholder ui/dist/index.html");
    }
    println!("cargo:rerun-if-changed=ui/dist");
}
