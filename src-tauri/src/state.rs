use std::path::Path;
use std::sync::Mutex;

use broadsheet_model::ApiError;
use broadsheet_store::Store;

pub struct AppState {
    store: Mutex<Store>,
}

impl AppState {
    pub fn new(store: Store) -> Self {
        AppState { store: Mutex::new(store) }
    }

    /// Runs `f` with the archive. A poisoned lock still holds a consistent SQLite
    /// connection (every write is a transaction), so it is recovered, not propagated.
    pub fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> Result<T, broadsheet_store::StoreError>) -> Result<T, ApiError> {
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
