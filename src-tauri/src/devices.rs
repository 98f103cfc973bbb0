//! Your devices from the window: where this archive syncs what the reader did, the other
//! devices it has heard of, and device syncs — after every source run, every ten minutes and
//! when asked — in the background (`broadsheet_devices`), the writer taken a batch at a time.

use std::sync::atomic::Ordering;
use std::time::Duration;

use broadsheet_devices::DevicesError;
use broadsheet_model::{ApiError, DevicePeerInfo, DevicesEvent, DevicesInfo};
use tauri::{AppHandle, Emitter, Manager, State};

use crate::state::AppState;

/// How often devices sync without a source run to start them.
const EVERY: Duration = Duration::from_secs(10 * 60);

/// The crate's errors as the window sees them (mapped here, at the boundary).
fn api_error(e: DevicesError) -> ApiError {
    match e {
        DevicesError::NoRemote | DevicesError::Invalid(_) => ApiError::InvalidInput(e.to_string()),
        DevicesError::Unreachable { .. } => ApiError::Network(e.to_string()),
        DevicesError::Store(e) => crate::state::logged(e),
        DevicesError::Io { .. } => {
            log::warn!("{e}");
            ApiError::Storage(e.to_string())
        }
    }
}

#[tauri::command(async)]
pub fn get_devices(state: State<'_, AppState>) -> Result<DevicesInfo, ApiError> {
    info(&state)
}

fn info(state: &AppState) -> Result<DevicesInfo, ApiError> {
    let status = state.with_reader(|s| Ok(broadsheet_devices::status(s)))?.map_err(api_error)?;
    Ok(DevicesInfo {
        device: status.device,
        name: status.name,
        remote: status.remote,
        last_sync: status.last_sync,
        changes: status.own_changes,
        waiting: status.waiting,
        peers: status
            .peers
            .into_iter()
            .map(|p| DevicePeerInfo {
                device: p.device,
                name: p.name,
                changes: p.ops,
                seen_at: p.seen_at,
                error: p.error,
            })
            .collect(),
        running: state.devices_running.load(Ordering::SeqCst),
        last_error: state.devices_error.lock().unwrap_or_else(|p| p.into_inner()).clone(),
    })
}

/// Sets (or, empty, clears) where this device syncs to, then syncs once.
#[tauri::command(async)]
pub fn set_devices_remote(app: AppHandle, state: State<'_, AppState>, remote: String) -> Result<DevicesInfo, ApiError> {
    let set = state.with_store(|s| Ok(broadsheet_devices::set_remote(s, Some(&remote))))?.map_err(api_error)?;
    *state.devices_error.lock().unwrap_or_else(|p| p.into_inner()) = None;
    if set.is_some() {
        start(&app);
    }
    info(&state)
}

/// Starts a device sync now; `false` when one is running.
#[tauri::command]
pub fn sync_devices(app: AppHandle) -> bool {
    start(&app)
}

/// Asks for the shared folder with the system dialog.
#[tauri::command]
pub async fn pick_devices_folder(app: AppHandle) -> Option<String> {
    use tauri_plugin_dialog::DialogExt;
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog().file().set_title("A folder your computers share").pick_folder(move |path| {
        let _ = tx.send(path.and_then(|p| p.into_path().ok()).map(|p| p.to_string_lossy().into_owned()));
    });
    rx.await.ok().flatten()
}

/// Syncs devices every [`EVERY`] (the first after the window's first rows).
pub fn start_timer(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        crate::startup::first_rows_or(Duration::from_secs(3)).await;
        loop {
            start(&app);
            tokio::time::sleep(EVERY).await;
        }
    });
}

/// Starts a device sync in the background unless one is running or no place is set; the
/// window hears of its end as a `devices` event. Returns whether one started.
pub fn start(app: &AppHandle) -> bool {
    let state = app.state::<AppState>();
    let set = state.with_reader(|s| s.setting(broadsheet_devices::REMOTE_SETTING)).ok().flatten();
    if set.is_none_or(|r| r.trim().is_empty()) {
        return false;
    }
    if state.devices_running.swap(true, Ordering::SeqCst) {
        return false;
    }
    let (store, dir, app) = (state.shared_store(), state.data_dir.clone(), app.clone());
    tauri::async_runtime::spawn(async move {
        let shared = store.clone();
        let mut run = tauri::async_runtime::spawn_blocking(move || broadsheet_devices::sync(&store, &dir)).await;
        // Pages another device saved are fetched here, then the marks made on them applied.
        if let Ok(Ok(report)) = &mut run {
            if report.wanted_pages > 0 {
                let engine = app.state::<AppState>().engine.clone();
                let (saved, failed) = engine.save_wanted_pages().await;
                log::info!("pages saved on other devices: {saved} fetched, {failed} failed");
                let applied =
                    tauri::async_runtime::spawn_blocking(move || broadsheet_devices::apply_waiting(&shared)).await;
                report.applied += saved + applied.ok().and_then(Result::ok).unwrap_or(0);
                crate::sync::start_images(&app);
            }
        }
        let state = app.state::<AppState>();
        state.devices_running.store(false, Ordering::SeqCst);
        let event = match run {
            Ok(Ok(report)) => {
                let refused: Vec<_> = report.peers.iter().filter_map(|p| p.error.as_deref()).collect();
                for why in &refused {
                    log::warn!("a device log was refused: {why}");
                }
                log::info!("devices synced: {report}");
                DevicesEvent { applied: report.applied, refused: refused.len(), error: None }
            }
            Ok(Err(e)) => {
                // Offline is normal: said in the window and the log, tried again later.
                log::info!("devices not synced: {e}");
                DevicesEvent { error: Some(broadsheet_model::shown(&e)), ..Default::default() }
            }
            Err(e) => {
                log::error!("a device sync failed: {e}");
                DevicesEvent { error: Some(broadsheet_model::shown(&e)), ..Default::default() }
            }
        };
        *state.devices_error.lock().unwrap_or_else(|p| p.into_inner()) = event.error.clone();
        let _ = app.emit("devices", event);
    });
    true
}
