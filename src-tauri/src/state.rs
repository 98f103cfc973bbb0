use std::path::Path;
use std::sync::{Arc, Mutex};

use broadsheet_model::ApiError;
use broadsheet_store::Store;
use broadsheet_sync::{CancellationToken, Engine, SharedStore, SyncOptions};

pub struct AppState {
    store: SharedStore,
    pub engine: Engine,
    /// The run in progress, if any: one at a time.
    pub running: Mutex<Option<CancellationToken>>,
}

impl AppState {
    pub fn new(store: Store, data_dir: &Path) -> Self {
        let store: SharedStore = Arc::new(Mutex::new(store));
        let engine = Engine::new(store.clone(), SyncOptions::new(data_dir));
        AppState { store, engine, running: Mutex::new(None) }
    }

    pub fn shared_store(&self) -> SharedStore {
        self.store.clone()
    }

    /// Runs `f` with the archive. A poisoned lock still holds a consistent SQLite
    /// connection (every write is a transaction), so it is recovered, not propagated.
    pub fn with_store<T>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, broadsheet_store::StoreError>,
    ) -> Result<T, ApiError> {
        let mut guard = self.store.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard).map_err(ApiError::from)
    }
}

/// Opens the archive in `dir`; an empty archive gets the embedded sample, so the first
/// window is never empty and needs no network.
pub fn open_archive(dir: &Path) -> Result<Store, Box<dyn std::error::Error>> {
    let mut store = Store::open(&dir.join(broadsheet_store::ARCHIVE_FILE))?;
    if store.article_count()? == 0 {
        let report = broadsheet_import::import_sample(&mut store)?;
        eprintln!("broadsheet: sample archive imported: {report}");
    }
    Ok(store)
}
