fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("src-tauri/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(&["list_categories", "list_articles", "get_article"])),
    )
    .expect("tauri build script failed");
}
