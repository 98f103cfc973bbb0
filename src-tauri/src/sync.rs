//! Sync in the app: on start and on schedule, and when the reader asks; progress goes to the
//! window as `sync` events (`broadsheet_model::SyncEvent`).

use std::sync::Arc;
use std::time::Duration;

use broadsheet_sync::{CancellationToken, Trigger};
use tauri::{AppHandle, Emitter, Manager};

use crate::state::AppState;

/// How often the scheduler looks for sources whose time has come (each source has its own
/// interval; this is only the tick).
const TICK: Duration = Duration::from_secs(60);

/// Starts the scheduler: a run at start-up, then every tick.
pub fn start_scheduler(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        crate::startup::first_rows_or(std::time::Duration::from_secs(3)).await;
        loop {
            start_run(&app, Trigger::Schedule);
            tokio::time::sleep(TICK).await;
        }
    });
}

/// Indexes for search the articles an upgrade left unindexed (see `Store::index_pending`),
/// a few per write, so the window's own writes (marks, tags) never wait long for the lock.
pub fn start_indexer(app: &AppHandle) {
    let store = app.state::<AppState>().shared_store();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        crate::startup::first_rows_or(std::time::Duration::from_secs(3)).await;
        let mut total = 0;
        loop {
            let store = store.clone();
            let done = tauri::async_runtime::spawn_blocking(move || {
                store.lock().unwrap_or_else(|p| p.into_inner()).index_pending(64)
            })
            .await;
            match done {
                Ok(Ok(0)) => break,
                Ok(Ok(n)) => total += n,
                Ok(Err(e)) => {
                    log::warn!("indexing for search stopped: {e}");
                    break;
                }
                Err(_) => break,
            }
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
        if total > 0 {
            log::info!("indexed {total} articles for search");
        }
        // Posts from before this version (or from the CLI) are looked at for copies too.
        start_duplicates(&app);
    });
}

/// One look at a time for copies of the same story among posts not looked at yet.
static DUPLICATES_RUNNING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Looks at newly arrived posts for copies of the same story, in the background (sketching
/// on the blocking pool, grouping a few dozen posts per hold of the writer); when it found
/// some, the window hears a `duplicates` event and reloads its list.
pub fn start_duplicates(app: &AppHandle) {
    use std::sync::atomic::Ordering;
    if DUPLICATES_RUNNING.swap(true, Ordering::SeqCst) {
        return;
    }
    let (store, app) = (app.state::<AppState>().shared_store(), app.clone());
    tauri::async_runtime::spawn(async move {
        let found = tauri::async_runtime::spawn_blocking(move || broadsheet_import::find_duplicates(&store)).await;
        DUPLICATES_RUNNING.store(false, Ordering::SeqCst);
        match found {
            Ok(Ok(step)) if step.copies > 0 => {
                log::info!(
                    "{} posts looked at for copies: {} are copies of another story",
                    step.looked_at,
                    step.copies
                );
                let _ = app.emit("duplicates", step.copies);
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => log::warn!("looking for copies of stories stopped: {e}"),
            Err(e) => log::error!("looking for copies of stories failed: {e}"),
        }
    });
}

/// Starts a run unless one is going; returns whether it started.
pub fn start_run(app: &AppHandle, trigger: Trigger) -> bool {
    let state = app.state::<AppState>();
    let Some(token) = claim(&state.running) else { return false };
    let (engine, app, sink) = (state.engine.clone(), app.clone(), sink(app));
    tauri::async_runtime::spawn(async move {
        // The run in a task of its own: should it panic, the slot is still freed (or no sync
        // would start again until the app restarts).
        let run = tauri::async_runtime::spawn(async move { engine.run_sources(trigger, token, sink).await }).await;
        *app.state::<AppState>().running.lock().unwrap_or_else(|p| p.into_inner()) = None;
        if let Ok(report) = &run {
            // Each failing source once, with its reason (the sidebar shows the same health).
            for (source, why) in &report.failures {
                log::warn!("sync of {source} failed: {why}");
            }
        }
        // What the reader did travels after every source run (a no-op with no place set).
        crate::devices::start(&app);
        start_duplicates(&app);
        match run {
            Ok(report) if !report.cancelled => start_images(&app),
            Ok(_) => {}
            Err(e) => log::error!("a sync run failed: {e}"),
        }
    });
    true
}

/// Downloads pending images in their own slot, after the posts are stored: a slow image host
/// delays only the pictures, and a source run can start while images are still coming in.
pub fn start_images(app: &AppHandle) {
    let state = app.state::<AppState>();
    let Some(token) = claim(&state.images_running) else { return };
    let (engine, app, sink) = (state.engine.clone(), app.clone(), sink(app));
    tauri::async_runtime::spawn(async move {
        let run = tauri::async_runtime::spawn(async move { engine.run_images(token, sink).await }).await;
        *app.state::<AppState>().images_running.lock().unwrap_or_else(|p| p.into_inner()) = None;
        if let Err(e) = run {
            log::error!("an image download run failed: {e}");
        }
    });
}

/// Takes an empty slot (one run of its kind at a time), or `None` when one is going.
fn claim(slot: &std::sync::Mutex<Option<CancellationToken>>) -> Option<CancellationToken> {
    let mut running = slot.lock().unwrap_or_else(|p| p.into_inner());
    if running.is_some() {
        return None;
    }
    let token = CancellationToken::new();
    *running = Some(token.clone());
    Some(token)
}

/// Progress events to the window.
fn sink(app: &AppHandle) -> broadsheet_sync::EventSink {
    let emitter = app.clone();
    Arc::new(move |e| {
        let _ = emitter.emit("sync", e);
    })
}

pub fn cancel(app: &AppHandle) -> bool {
    let state = app.state::<AppState>();
    let mut cancelled = false;
    for slot in [&state.running, &state.images_running] {
        if let Some(token) = slot.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            token.cancel();
            cancelled = true;
        }
    }
    cancelled
}
