//! The desktop app: Tauri setup, thin commands over the archive, and the image scheme.
//!
//! Invariant: no SQL and no business logic here. Commands translate between IPC and
//! `broadsheet_store`; errors cross IPC as `broadsheet_model::ApiError`.

mod archive;
mod commands;
mod data_dir;
mod devices;
mod errors;
mod guard;
mod image_scheme;
mod logging;
mod reader_view;
mod startup;
mod state;
mod sync;

use tauri::Manager;

pub fn run() {
    startup::process_started();
    logging::init();
    // The webview stays the app (guard.rs): the config's windows are built in `setup`, with
    // navigation and new-window guards on them, and a plugin checks every webview's navigations.
    let mut context = tauri::generate_context!();
    let windows = guard::take_startup_windows(context.config_mut());
    let mut builder = tauri::Builder::default();
    // A second launch on the default archive focuses the running window (registered first,
    // as the plugin requires). An explicit --data-dir is another archive: its own instance.
    if data_dir::explicit().is_none() {
        builder = builder.plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.unminimize();
                let _ = w.set_focus();
            }
        }));
    }
    builder
        .plugin(guard::plugin())
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .setup(move |app| {
            let home = data_dir::home(app.handle())?;
            if let Some(logs) = logging::folder(app.handle(), data_dir::explicit().as_deref()) {
                logging::to_folder(&logs);
            }
            let opened = state::open_chosen_archive(&home)?;
            log::info!("Broadsheet {} on the archive in {}", env!("CARGO_PKG_VERSION"), opened.dir.display());
            app.manage(state::AppState::new(opened, home));
            guard::build_windows(app.handle(), &windows)?;
            sync::start_scheduler(app.handle());
            sync::start_indexer(app.handle());
            devices::start_timer(app.handle());
            Ok(())
        })
        .register_asynchronous_uri_scheme_protocol(image_scheme::SCHEME, image_scheme::handle)
        .invoke_handler(tauri::generate_handler![
            commands::list_categories,
            commands::list_articles,
            commands::get_article,
            commands::open_external,
            commands::set_read,
            commands::list_sources,
            commands::add_source,
            commands::save_page,
            commands::list_duplicates,
            commands::remove_source,
            commands::sync_now,
            commands::cancel_sync,
            commands::sync_running,
            commands::set_bookmark,
            commands::set_user_tags,
            commands::list_user_tags,
            commands::list_site_tags,
            commands::rename_user_tag,
            commands::delete_user_tag,
            commands::search,
            commands::mark_all_read,
            commands::get_ui_settings,
            commands::set_ui_settings,
            commands::pick_folder,
            commands::set_sync_interval,
            commands::set_site_alias,
            commands::mark_first_rows,
            commands::count_articles,
            commands::search_count,
            archive::export_archive,
            archive::import_opml_file,
            archive::restore_backup,
            archive::restore_into_new_archive,
            archive::open_other_archive,
            archive::archive_location,
            archive::switch_archive,
            archive::start_new_archive,
            archive::retention_preview,
            archive::apply_retention,
            archive::get_image_budget,
            archive::set_image_budget,
            devices::get_devices,
            devices::set_devices_remote,
            devices::sync_devices,
            devices::pick_devices_folder,
        ])
        .run(context)
        .expect("Broadsheet could not start its window");
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    /// A command must be named in three places: the handler list, the build script's app
    /// manifest (which makes its permission) and the window's capability. One missing is a
    /// command that fails only when the window calls it; this keeps the three in step.
    #[test]
    fn every_command_is_registered_given_a_permission_and_allowed_to_the_window() {
        let lib = include_str!("lib.rs");
        let handlers: BTreeSet<String> = lib
            .split_once("generate_handler![")
            .and_then(|(_, rest)| rest.split_once(']'))
            .expect("the handler list")
            .0
            .split(',')
            .map(|c| c.trim().rsplit("::").next().unwrap_or_default().to_string())
            .filter(|c| !c.is_empty())
            .collect();
        let build = include_str!("../build.rs");
        let manifest: BTreeSet<String> = build
            .split_once(".commands(&[")
            .and_then(|(_, rest)| rest.split_once("])"))
            .expect("the app manifest's commands")
            .0
            .split(',')
            .map(|c| c.trim().trim_matches('"').to_string())
            .filter(|c| !c.is_empty())
            .collect();
        let capability: serde_json::Value =
            serde_json::from_str(include_str!("../capabilities/main.json")).expect("the capability is JSON");
        let allowed: BTreeSet<String> = capability["permissions"]
            .as_array()
            .expect("its permissions")
            .iter()
            .filter_map(|p| p.as_str()?.strip_prefix("allow-").map(|c| c.replace('-', "_")))
            .collect();
        assert!(handlers.len() > 30, "the handler list was read: {handlers:?}");
        assert_eq!(handlers, manifest, "generate_handler! and build.rs");
        assert_eq!(handlers, allowed, "generate_handler! and capabilities/main.json");
    }
}
