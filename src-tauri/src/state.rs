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
    /// Why the home's own archive could not be opened either: a temporary one is open, and
    /// the window says so and offers a new archive (the file that failed is left as it is).
    pub unopened: Option<String>,
    /// An archive folder made or picked in this session, offered to switch to (never a path
    /// the webview names: it only says "switch").
    pub next_archive: Mutex<Option<PathBuf>>,
}

/// Read connections kept open for reuse (more may be open at once; extras are closed).
const IDLE_READERS: usize = 4;

impl AppState {
    pub fn new(opened: Opened, home: PathBuf) -> Self {
        let Opened { store, dir, problem: location_problem, unopened } = opened;
        let data_dir = dir.as_path();
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
            unopened,
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

/// How long the archive the reader chose may take to open before the default one opens
/// instead: on a network drive that hangs, a file's metadata can take minutes to fail, and
/// the window would not appear until it did.
const CHOSEN_ARCHIVE_DEADLINE: std::time::Duration = std::time::Duration::from_secs(5);

/// The archive the window opens, where, and why it is not the one expected.
pub struct Opened {
    pub store: Store,
    pub dir: PathBuf,
    /// Why the archive the reader chose was passed over.
    pub problem: Option<String>,
    /// Why the home's own archive could not be opened (the one open is temporary).
    pub unopened: Option<String>,
}

/// Opens the archive the reader chose (`broadsheet_store::location::chosen`), else the home's
/// own, else — that one cannot be opened either: damaged, written by a newer Broadsheet, on a
/// full or read-only disk — a temporary archive with the sample, so the app still starts and
/// says why instead of failing at every launch. Nothing is done to the file that failed.
pub fn open_chosen_archive(home: &Path) -> Result<Opened, Box<dyn std::error::Error>> {
    let problem = match broadsheet_store::location::chosen(home) {
        Ok(None) => None,
        Ok(Some(dir)) => {
            let at = dir.clone();
            match within(CHOSEN_ARCHIVE_DEADLINE, &dir, move || open_chosen(&at)) {
                Ok(store) => return Ok(Opened { store, dir, problem: None, unopened: None }),
                Err(why) => Some(why),
            }
        }
        Err(why) => Some(why),
    };
    if let Some(p) = &problem {
        log::warn!("the archive chosen cannot be opened, the default one is: {p}");
    }
    match open_archive(home) {
        Ok(store) => Ok(Opened { store, dir: home.to_owned(), problem, unopened: None }),
        Err(e) => {
            let why = format!("{}: {e}", home.join(broadsheet_store::ARCHIVE_FILE).display());
            log::error!("the archive cannot be opened, a temporary one is open instead: {why}");
            let dir = temporary_archive_dir()?;
            Ok(Opened { store: open_archive(&dir)?, dir, problem, unopened: Some(why) })
        }
    }
}

/// A fresh folder for a temporary archive, in the system's temporary folder: one per process,
/// made anew (never one that exists: another instance's, or a planted one), and held by a
/// lock on a file in it while this process runs. Those earlier runs left, more than a day
/// old and held by nobody, are removed.
fn temporary_archive_dir() -> std::io::Result<PathBuf> {
    static HELD: std::sync::OnceLock<std::fs::File> = std::sync::OnceLock::new();
    let (dir, lock) = temporary_archive_dir_in(&std::env::temp_dir())?;
    if let Some(lock) = lock {
        let _ = HELD.set(lock);
    }
    Ok(dir)
}

const TEMPORARY_PREFIX: &str = "broadsheet-unopened-";
const TEMPORARY_LOCK: &str = "in-use.lock";

/// Opens a lock file without following a link or waiting on a FIFO.
fn open_lock(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK | libc::O_NOFOLLOW);
    options.open(path)
}

/// [`temporary_archive_dir`] in `base`, with the lock to hold (none where the platform or the
/// file system has no locks: the folder is still this process's alone, by its exclusive making).
fn temporary_archive_dir_in(base: &Path) -> std::io::Result<(PathBuf, Option<std::fs::File>)> {
    if let Ok(entries) = std::fs::read_dir(base) {
        let day = std::time::Duration::from_secs(24 * 3600);
        for e in entries.flatten().take(100_000) {
            let old = e.metadata().ok().and_then(|m| m.modified().ok()).and_then(|t| t.elapsed().ok());
            if !e.file_name().to_string_lossy().starts_with(TEMPORARY_PREFIX) || old.is_none_or(|age| age <= day) {
                continue;
            }
            // A running instance holds its lock however old its folder looks (a folder's
            // time changes only when files are added or removed in it). Anything but a plain
            // file there is not ours (a FIFO planted in a shared /tmp would block the open):
            // left alone.
            match open_lock(&e.path().join(TEMPORARY_LOCK)) {
                Ok(f) if !f.metadata().is_ok_and(|m| m.is_file()) => {}
                Ok(f) if matches!(f.try_lock(), Err(std::fs::TryLockError::WouldBlock)) => {}
                Ok(_) => {
                    let _ = std::fs::remove_dir_all(e.path());
                }
                Err(e2) if e2.kind() == std::io::ErrorKind::NotFound => {
                    let _ = std::fs::remove_dir_all(e.path());
                }
                Err(_) => {}
            }
        }
    }
    for n in 0..1_000u32 {
        let dir = base.join(format!("{TEMPORARY_PREFIX}{}-{n}", std::process::id()));
        match std::fs::create_dir(&dir) {
            Ok(()) => {
                let lock = std::fs::File::create(dir.join(TEMPORARY_LOCK)).ok().filter(|f| f.try_lock().is_ok());
                return Ok((dir, lock));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AlreadyExists,
        format!("{}: no new folder for a temporary archive could be made", base.display()),
    ))
}

/// The chosen archive in `dir`, or why it cannot be opened (named by its folder).
fn open_chosen(dir: &Path) -> Result<Store, String> {
    match std::fs::metadata(dir.join(broadsheet_store::ARCHIVE_FILE)) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(format!("{}: no archive there (a drive not attached, or the folder moved)", dir.display()))
        }
        Err(e) => Err(format!("{}: {e}", dir.display())),
        Ok(m) if !m.is_file() => Err(format!("{}: the archive there is not a file", dir.display())),
        Ok(_) => Store::open(&dir.join(broadsheet_store::ARCHIVE_FILE)).map_err(|e| format!("{}: {e}", dir.display())),
    }
}

/// Runs `work` on a thread of its own and waits for it at most `deadline`; past that, the
/// thread is left to finish (or hang) alone and the answer is why `at` was passed over.
fn within<T: Send + 'static>(
    deadline: std::time::Duration,
    at: &Path,
    work: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("open-chosen-archive".into())
        .spawn(move || {
            // Nobody listening any more (the deadline passed): what it opened is dropped.
            let _ = tx.send(work());
        })
        .map_err(|e| format!("{}: {e}", at.display()))?;
    rx.recv_timeout(deadline).unwrap_or_else(|_| {
        Err(format!(
            "{}: did not answer within {} s (a network drive not reachable?)",
            at.display(),
            deadline.as_secs()
        ))
    })
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

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    #[test]
    fn a_chosen_archive_that_does_not_answer_is_passed_over_at_the_deadline() {
        let at = std::path::Path::new("/mnt/hung");
        let started = Instant::now();
        let slow = super::within(Duration::from_millis(200), at, || {
            std::thread::sleep(Duration::from_secs(3));
            Ok(1)
        });
        assert!(started.elapsed() < Duration::from_secs(2), "waited {:?}", started.elapsed());
        let why = slow.unwrap_err();
        assert!(why.starts_with("/mnt/hung: did not answer"), "{why}");
        assert_eq!(super::within(Duration::from_secs(5), at, || Ok(2)), Ok(2));
        assert_eq!(super::within::<()>(Duration::from_secs(5), at, || Err("no".into())), Err("no".into()));
    }

    #[test]
    fn an_archive_that_cannot_be_opened_is_left_as_it_is_and_a_temporary_one_opens() {
        let home = tempfile::tempdir().unwrap();
        let file = home.path().join(broadsheet_store::ARCHIVE_FILE);
        let damaged = b"not an archive at all, but a file of the same name".repeat(100);
        std::fs::write(&file, &damaged).unwrap();
        let opened = super::open_chosen_archive(home.path()).unwrap();
        let why = opened.unopened.expect("said why");
        assert!(why.contains(&file.display().to_string()), "{why}");
        assert_ne!(opened.dir, home.path(), "not the home's archive");
        assert!(opened.store.article_count().unwrap() > 0, "the sample, so the window is not empty");
        assert_eq!(std::fs::read(&file).unwrap(), damaged, "the file that failed is untouched");
        let _ = std::fs::remove_dir_all(&opened.dir);
    }

    #[test]
    #[cfg(unix)]
    #[allow(unsafe_code)] // mkfifo, to plant what an attacker would.
    fn old_temporary_archives_are_removed_unless_a_running_instance_holds_them() {
        let base = tempfile::tempdir().unwrap();
        let two_days_ago = std::time::SystemTime::now() - Duration::from_secs(2 * 24 * 3600);
        let age = |dir: &std::path::Path| std::fs::File::open(dir).unwrap().set_modified(two_days_ago).unwrap();
        // One a running instance made (its lock held), one an ended run left.
        let (running, lock) = super::temporary_archive_dir_in(base.path()).unwrap();
        assert!(lock.is_some(), "held");
        let ended = base.path().join(format!("{}1-0", super::TEMPORARY_PREFIX));
        std::fs::create_dir(&ended).unwrap();
        std::fs::write(ended.join(super::TEMPORARY_LOCK), b"").unwrap();
        std::fs::write(ended.join(broadsheet_store::ARCHIVE_FILE), b"old").unwrap();
        // Planted: a FIFO where the lock would be (opening it to read would wait forever).
        let planted = base.path().join(format!("{}2-0", super::TEMPORARY_PREFIX));
        std::fs::create_dir(&planted).unwrap();
        let fifo =
            std::ffi::CString::new(planted.join(super::TEMPORARY_LOCK).into_os_string().into_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
        age(&running);
        age(&ended);
        age(&planted);
        let (fresh, _fresh_lock) = super::temporary_archive_dir_in(base.path()).unwrap();
        assert!(running.is_dir(), "a running instance's folder is kept, however old it looks");
        assert!(!ended.exists(), "an ended run's old folder is removed");
        assert!(planted.is_dir(), "what is not ours is left alone, without waiting on it");
        assert_ne!(fresh, running, "each process its own folder, made anew");
        drop(lock);
    }

    #[test]
    fn a_chosen_folder_without_an_archive_says_so_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let why = super::open_chosen(dir.path()).err().unwrap();
        assert!(why.contains(&dir.path().display().to_string()) && why.contains("no archive there"), "{why}");
        std::fs::create_dir(dir.path().join(broadsheet_store::ARCHIVE_FILE)).unwrap();
        let why = super::open_chosen(dir.path()).err().unwrap();
        assert!(why.contains("not a file"), "{why}");
    }
}
