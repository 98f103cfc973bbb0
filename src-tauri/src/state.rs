use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use broadsheet_model::ApiError;
use broadsheet_store::Store;
use broadsheet_sync::{CancellationToken, Engine, SharedStore, SyncOptions};

/// The archive as the app holds it: one writer connection (behind a mutex, shared with the
/// sync engine, which takes it for a few rows at a time) and a small pool of read-only
/// connections for everything the window reads. In WAL mode a reader never waits for the
/// writer, so listing, opening, searching and serving images go on during a sync.
pub struct AppState {
    store: SharedStore,
    readers: Mutex<Vec<Store>>,
    archive_path: PathBuf,
    pub engine: Engine,
    /// The source run in progress, if any: one at a time.
    pub running: Mutex<Option<CancellationToken>>,
    /// The image downloads in progress, if any: one at a time, independent of source runs.
    pub images_running: Mutex<Option<CancellationToken>>,
    /// The app's data folder (the devices' git copy lives there).
    pub data_dir: PathBuf,
    /// A device sync is running (one at a time).
    pub devices_running: std::sync::atomic::AtomicBool,
    /// Why the last device sync did not happen.
    pub devices_error: Mutex<Option<String>>,
    /// The home folder (`data_dir.rs`): the default archive and the choice of another.
    pub home: PathBuf,
    /// Why the archive the reader switched to could not be opened (the home's is open instead).
    pub location_problem: Option<String>,
    /// An archive folder made or picked in this session, offered to switch to (never a path
    /// the webview names: it only says "switch").
    pub next_archive: Mutex<Option<PathBuf>>,
}

/// Read connections kept open for reuse (more may be open at once; extras are closed).
const IDLE_READERS: usize = 4;

impl AppState {
    pub fn new(store: Store, data_dir: &Path, home: PathBuf, location_problem: Option<String>) -> Self {
        let store: SharedStore = Arc::new(Mutex::new(store));
        let engine = Engine::new(store.clone(), SyncOptions::new(data_dir));
        AppState {
            store,
            readers: Mutex::new(Vec::new()),
            archive_path: data_dir.join(broadsheet_store::ARCHIVE_FILE),
            engine,
            running: Mutex::new(None),
            images_running: Mutex::new(None),
            data_dir: data_dir.to_owned(),
            devices_running: std::sync::atomic::AtomicBool::new(false),
            devices_error: Mutex::new(None),
            home,
            location_problem,
            next_archive: Mutex::new(None),
        }
    }

    pub fn shared_store(&self) -> SharedStore {
        self.store.clone()
    }

    /// Runs a write `f` on the writer connection. A poisoned lock still holds a consistent
    /// SQLite connection (every write is a transaction), so it is recovered, not propagated.
    pub fn with_store<T>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, broadsheet_store::StoreError>,
    ) -> Result<T, ApiError> {
        off_the_workers(|| {
            let mut guard = self.store.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut guard).map_err(logged)
        })
    }

    /// Runs a read `f` on a read-only connection; never waits for the writer.
    pub fn with_reader<T>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, broadsheet_store::StoreError>,
    ) -> Result<T, ApiError> {
        off_the_workers(|| {
            let pooled = self.readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
            let reader = match pooled {
                Some(r) => r,
                None => Store::open_reader(&self.archive_path).map_err(logged)?,
            };
            let result = f(&reader).map_err(logged);
            let mut idle = self.readers.lock().unwrap_or_else(|p| p.into_inner());
            if idle.len() < IDLE_READERS {
                idle.push(reader);
            }
            result
        })
    }
}

impl AppState {
    /// Removes a source step by step, taking the writer for one small batch at a time:
    /// removing a source of 100k posts must not make a bookmark (or the sync) wait for all of it.
    pub fn remove_source_in_steps(
        &self,
        id: broadsheet_model::SourceId,
        keep_articles: bool,
    ) -> Result<broadsheet_store::SourceRemoval, ApiError> {
        let mut job = self.with_store(|s| s.begin_source_removal(id, keep_articles))?;
        self.run_removal(&mut job)?;
        self.with_store(|s| s.finish_source_removal(job))
    }

    /// Runs a removal's steps, the writer released between them.
    pub fn run_removal(&self, job: &mut broadsheet_store::Removal) -> Result<(), ApiError> {
        while self.with_store(|s| s.removal_step(job))? {}
        Ok(())
    }
}

/// An archive error on its way to the window, logged once here with its causes.
pub(crate) fn logged(e: broadsheet_store::StoreError) -> ApiError {
    let mut causes = String::new();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        causes.push_str(&format!(": {s}"));
        source = s.source();
    }
    // What the reader typed (a search, a tag) is not kept on disk: only the archive's own
    // failures are logged.
    if !matches!(e, broadsheet_store::StoreError::InvalidInput(_) | broadsheet_store::StoreError::NotFound(_)) {
        log::warn!("{e}{causes}");
    }
    crate::errors::store(e)
}

/// Runs blocking archive work from a command. Tauri runs `async` commands on its tokio
/// runtime, which has one worker per core (two here): a command that waits for the writer
/// (behind a long write) or runs a long query on a worker would stall every other command,
/// reads included, and the sync engine's tasks. On a worker thread `block_in_place` hands the
/// worker's other tasks to a fresh thread first; elsewhere (the image scheme's blocking
/// pool, tests) the work simply runs.
fn off_the_workers<T>(work: impl FnOnce() -> T) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current() {
        Ok(h) if h.runtime_flavor() == RuntimeFlavor::MultiThread => tokio::task::block_in_place(work),
        _ => work(),
    }
}

/// Opens the archive the reader chose (`broadsheet_store::location::chosen`), else the home's
/// own: the store, its folder, and why the chosen one was passed over, if it was.
pub fn open_chosen_archive(home: &Path) -> Result<(Store, PathBuf, Option<String>), Box<dyn std::error::Error>> {
    let problem = match broadsheet_store::location::chosen(home) {
        Ok(None) => None,
        Ok(Some(dir)) => match std::fs::metadata(dir.join(broadsheet_store::ARCHIVE_FILE)) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Some(format!("{}: no archive there (a drive not attached, or the folder moved)", dir.display()))
            }
            Err(e) => Some(format!("{}: {e}", dir.display())),
            Ok(m) if !m.is_file() => Some(format!("{}: the archive there is not a file", dir.display())),
            Ok(_) => match Store::open(&dir.join(broadsheet_store::ARCHIVE_FILE)) {
                Ok(store) => return Ok((store, dir, None)),
                Err(e) => Some(format!("{}: {e}", dir.display())),
            },
        },
        Err(why) => Some(why),
    };
    if let Some(p) = &problem {
        log::warn!("the archive chosen cannot be opened, the default one is: {p}");
    }
    Ok((open_archive(home)?, home.to_owned(), problem))
}

/// Opens the archive in `dir`; an empty archive gets the embedded sample, so the first
/// window is never empty and needs no network.
pub fn open_archive(dir: &Path) -> Result<Store, Box<dyn std::error::Error>> {
    let mut store = Store::open(&dir.join(broadsheet_store::ARCHIVE_FILE))?;
    if store.article_count()? == 0 {
        let report = broadsheet_import::import_sample(&mut store)?;
        log::info!("sample archive imported: {report}");
    }
    Ok(store)
}
