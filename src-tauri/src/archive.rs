//! "Your archive" from the window: back up, export, import OPML, retention. Thin commands over
//! `broadsheet_transfer` and the store; the file dialogs run on the Rust side (the webview has
//! no dialog or file permission of its own), and every long piece of work is off the runtime's
//! workers (`with_reader`/`with_store`) or done in steps with the writer released between them.

use std::path::PathBuf;

use broadsheet_model::{ApiError, ArchiveLocation, ExportDone, OpmlDone, RetentionInfo};
use broadsheet_transfer::Selection;
use tauri::State;

use crate::state::AppState;

/// What a dialog asks for.
enum Ask {
    /// A file to write, suggesting this name.
    Save { name: String, filter: (&'static str, &'static [&'static str]) },
    /// A folder to write into, created under the chosen one with this name.
    Folder { name: String },
    /// A file to read.
    Open { filter: (&'static str, &'static [&'static str]) },
    /// A folder holding an archive, to open.
    Archive,
}

/// Shows the system dialog; `None` when the reader cancels it.
///
/// Test hook (builds with the `e2e` feature only): with `BROADSHEET_TEST_DIALOG_DIR` set, no dialog is shown: saves and folders
/// answer `<dir>/<suggested name>`, opens the newest file there with the extension asked for. The real-window
/// tests drive backups and imports through it; a user never sets it.
async fn ask(app: &tauri::AppHandle, what: Ask) -> Option<PathBuf> {
    // Only in the build the real-window tests drive (`--features e2e`), never in a release.
    #[cfg(feature = "e2e")]
    if let Some(dir) = std::env::var_os("BROADSHEET_TEST_DIALOG_DIR").map(PathBuf::from) {
        // The newest entry in the folder that `wanted` accepts.
        let newest = |wanted: &dyn Fn(&std::path::Path) -> bool| {
            std::fs::read_dir(&dir)
                .ok()?
                .flatten()
                .map(|e| e.path())
                .filter(|p| wanted(p))
                .max_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
        };
        return match what {
            Ask::Save { name, .. } | Ask::Folder { name } => Some(dir.join(name)),
            // A file with the extension asked for.
            Ask::Open { filter } => {
                newest(&|p| p.extension().is_some_and(|x| filter.1.iter().any(|f| x.eq_ignore_ascii_case(f))))
            }
            // A folder holding an archive.
            Ask::Archive => newest(&|p| p.join(broadsheet_store::ARCHIVE_FILE).is_file()),
        };
    }
    use tauri_plugin_dialog::DialogExt;
    let (tx, rx) = tokio::sync::oneshot::channel();
    let dialog = app.dialog().file();
    let folder_name = match &what {
        Ask::Folder { name } => Some(name.clone()),
        _ => None,
    };
    let send = move |p: Option<tauri_plugin_dialog::FilePath>| {
        let _ = tx.send(p.and_then(|p| p.into_path().ok()));
    };
    match what {
        Ask::Save { name, filter } => dialog.set_file_name(name).add_filter(filter.0, filter.1).save_file(send),
        Ask::Folder { .. } | Ask::Archive => dialog.pick_folder(send),
        Ask::Open { filter } => dialog.add_filter(filter.0, filter.1).pick_file(send),
    }
    let picked = rx.await.ok().flatten()?;
    Some(match folder_name {
        Some(name) => picked.join(name),
        None => picked,
    })
}

fn today() -> String {
    let d = time::OffsetDateTime::now_utc().date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Exports the archive: `json` (a full backup), `markdown` (a Jekyll site), `opml` (the
/// sources) or `bookmarks` (the bookmarked posts, for a browser). `None` when cancelled.
#[tauri::command]
pub async fn export_archive(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    format: String,
) -> Result<Option<ExportDone>, ApiError> {
    let date = today();
    let what = match format.as_str() {
        "json" => Ask::Save { name: format!("broadsheet-backup-{date}.json"), filter: ("JSON", &["json"]) },
        "markdown" => Ask::Folder { name: format!("broadsheet-site-{date}") },
        "opml" => Ask::Save { name: format!("broadsheet-sources-{date}.opml"), filter: ("OPML", &["opml", "xml"]) },
        "bookmarks" => Ask::Save { name: format!("broadsheet-bookmarks-{date}.html"), filter: ("HTML", &["html"]) },
        other => return Err(ApiError::InvalidInput(format!("unknown export format {other:?}"))),
    };
    let Some(path) = ask(&app, what).await else { return Ok(None) };
    // Exports only read: on a read connection, so the window and the sync go on meanwhile.
    let all = Selection::default();
    let bookmarked = Selection { bookmarked: true, ..Selection::default() };
    let count = state.with_reader(|s| {
        Ok(match format.as_str() {
            "json" => broadsheet_transfer::export_json(s, &all, &path),
            "markdown" => broadsheet_transfer::export_markdown(s, &all, &path).map(|r| r.posts),
            "opml" => broadsheet_transfer::export_opml(s, &path),
            _ => broadsheet_transfer::export_bookmarks(s, &bookmarked, &path),
        })
    })?;
    let count = count.map_err(crate::errors::transfer)?;
    log::info!("exported {format} ({count}) to {}", path.display());
    Ok(Some(ExportDone { path: path.display().to_string(), count: count as u64 }))
}

/// Adds the feeds of an OPML file (asked for with a dialog) as sources. `None` when cancelled.
#[tauri::command]
pub async fn import_opml_file(app: tauri::AppHandle, state: State<'_, AppState>) -> Result<Option<OpmlDone>, ApiError> {
    let Some(path) = ask(&app, Ask::Open { filter: ("OPML", &["opml", "xml"]) }).await else { return Ok(None) };
    // Read and checked before the writer is taken: marks and the sync never wait on a parse.
    let read = path.clone();
    let feeds = tauri::async_runtime::spawn_blocking(move || broadsheet_transfer::read_opml(&read))
        .await
        .map_err(crate::errors::internal)?
        .map_err(crate::errors::transfer)?;
    let report = state
        .with_store(|s| Ok(broadsheet_transfer::add_opml_feeds(s, &path, feeds)))?
        .map_err(crate::errors::transfer)?;
    log::info!("OPML {}: {} feeds added, {} already present", path.display(), report.added, report.already_present);
    Ok(Some(OpmlDone { added: report.added as u64, already_present: report.already_present as u64 }))
}

/// Restores a backup (asked for with a dialog) into this archive, which must hold nothing of
/// the reader's yet (a fresh install: the embedded sample, unmarked, is removed first). The
/// backup is read and checked whole before anything is touched. `None` when cancelled.
#[tauri::command]
pub async fn restore_backup(app: tauri::AppHandle, state: State<'_, AppState>) -> Result<Option<ExportDone>, ApiError> {
    let Some(path) = ask(&app, Ask::Open { filter: ("JSON", &["json"]) }).await else { return Ok(None) };
    let read = path.clone();
    let backup = tauri::async_runtime::spawn_blocking(move || broadsheet_transfer::read_backup(&read))
        .await
        .map_err(crate::errors::internal)?
        .map_err(crate::errors::transfer)?;
    let Some(sample) = state.with_reader(|s| s.only_the_sample())? else {
        return Err(ApiError::InvalidInput(
            "this archive already holds your own sources or marks: restore into a new archive \
             (\"Restore into a new archive…\")"
                .into(),
        ));
    };
    for id in sample {
        state.remove_source_in_steps(id, false)?;
    }
    let n = state.with_store(|s| s.restore(&backup))?;
    log::info!("restored {n} posts from {}", path.display());
    crate::sync::start_duplicates(&app);
    Ok(Some(ExportDone { path: path.display().to_string(), count: n as u64 }))
}

/// Restores a backup (asked for with a dialog) into a new archive in a folder made for it
/// (under the one the reader picks; `-2`, `-3`… when the name is taken), leaving the archive
/// open now untouched; the window then offers to switch to it (`switch_archive`). A failed
/// restore removes the folder it made. `None` when a dialog is cancelled.
#[tauri::command]
pub async fn restore_into_new_archive(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
) -> Result<Option<ExportDone>, ApiError> {
    let Some(file) = ask(&app, Ask::Open { filter: ("JSON", &["json"]) }).await else { return Ok(None) };
    let Some(dir) = ask(&app, Ask::Folder { name: format!("broadsheet-archive-{}", today()) }).await else {
        return Ok(None);
    };
    // Said before the work, not after it: a folder the switch could not name.
    broadsheet_store::location::can_name(&dir).map_err(ApiError::InvalidInput)?;
    let read = file.clone();
    let (made, n) = tauri::async_runtime::spawn_blocking(move || -> Result<(PathBuf, usize), ApiError> {
        let backup = broadsheet_transfer::read_backup(&read).map_err(crate::errors::transfer)?;
        new_archive_from(&dir, &backup)
    })
    .await
    .map_err(crate::errors::internal)??;
    log::info!("restored {n} posts from {} into a new archive in {}", file.display(), made.display());
    broadsheet_store::location::remember(&state.home, &made)
        .map_err(|e| ApiError::Storage(format!("{}: {e}", state.home.display())))?;
    *state.next_archive.lock().unwrap_or_else(|p| p.into_inner()) = Some(made.clone());
    Ok(Some(ExportDone { path: made.display().to_string(), count: n as u64 }))
}

/// A new folder at `dir`, or `dir-2`, `dir-3`…: created exclusively, so it is the caller's own.
fn new_folder(dir: &std::path::Path) -> Result<PathBuf, ApiError> {
    (1..=100)
        .map(|i| if i == 1 { dir.to_owned() } else { PathBuf::from(format!("{}-{i}", dir.display())) })
        .find_map(|candidate| match std::fs::create_dir(&candidate) {
            Ok(()) => Some(Ok(candidate)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => None,
            Err(e) => Some(Err(ApiError::Storage(format!("{}: {e}", candidate.display())))),
        })
        .unwrap_or_else(|| Err(ApiError::InvalidInput(format!("{}: taken, and 99 names after it", dir.display()))))
}

/// Makes a new folder at `dir` (or `dir-2`, `dir-3`…, see [`new_folder`]) holding an archive of `backup`; on any failure removes that folder, so a
/// retry starts clean. Returns the folder and the number of posts.
fn new_archive_from(dir: &std::path::Path, backup: &broadsheet_store::Backup) -> Result<(PathBuf, usize), ApiError> {
    let made = new_folder(dir)?;
    let restored = broadsheet_store::Store::open(&made.join(broadsheet_store::ARCHIVE_FILE))
        .and_then(|mut store| store.restore(backup));
    match restored {
        Ok(n) => Ok((made, n)),
        Err(e) => {
            let _ = std::fs::remove_dir_all(&made);
            Err(crate::state::logged(e))
        }
    }
}

/// Picks a folder holding an archive this Broadsheet made (one restored before; the default
/// one) and checks it opens; the window then offers to switch to it. An archive from
/// elsewhere is refused: it is not trusted like one the app wrote (`broadsheet_store::location`)
/// and comes in as a backup restored into a new archive. `None` when cancelled.
#[tauri::command]
pub async fn open_other_archive(app: tauri::AppHandle, state: State<'_, AppState>) -> Result<Option<String>, ApiError> {
    let Some(dir) = ask(&app, Ask::Archive).await else { return Ok(None) };
    broadsheet_store::location::can_name(&dir).map_err(ApiError::InvalidInput)?;
    if dir != state.home && !broadsheet_store::location::known(&state.home).contains(&dir) {
        return Err(ApiError::InvalidInput(format!(
            "{}: not an archive Broadsheet made here; back it up where it was made and restore the backup \
             into a new archive",
            dir.display()
        )));
    }
    let file = dir.join(broadsheet_store::ARCHIVE_FILE);
    if !file.is_file() {
        return Err(ApiError::InvalidInput(format!("{}: no Broadsheet archive in this folder", dir.display())));
    }
    // Read-only: checked, not changed (nor created, should the folder go meanwhile).
    let check = file.clone();
    tauri::async_runtime::spawn_blocking(move || broadsheet_store::Store::open_reader(&check).map(drop))
        .await
        .map_err(crate::errors::internal)?
        .map_err(crate::state::logged)?;
    *state.next_archive.lock().unwrap_or_else(|p| p.into_inner()) = Some(dir.clone());
    Ok(Some(dir.display().to_string()))
}

/// The archive open now, and what the window could switch to.
#[tauri::command(async)]
pub fn archive_location(state: State<'_, AppState>) -> ArchiveLocation {
    let next = state.next_archive.lock().unwrap_or_else(|p| p.into_inner()).clone();
    ArchiveLocation {
        path: state.data_dir.display().to_string(),
        is_default: state.data_dir == state.home,
        problem: state.location_problem.clone(),
        next: next.map(|d| d.display().to_string()),
        unopened: state.unopened.clone(),
    }
}

/// Makes the archive offered (`to_default`: the default one) the one opened at every start,
/// and restarts the app on it. The archive open now stays as it is.
#[tauri::command]
pub async fn switch_archive(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    to_default: bool,
) -> Result<(), ApiError> {
    let target = if to_default {
        None
    } else {
        let next = state.next_archive.lock().unwrap_or_else(|p| p.into_inner()).clone();
        Some(next.ok_or_else(|| ApiError::InvalidInput("no other archive to switch to".into()))?)
    };
    broadsheet_store::location::choose(&state.home, target.as_deref())
        .map_err(|e| ApiError::Storage(format!("{}: {e}", state.home.display())))?;
    log::info!("switching to the archive in {}", target.as_deref().unwrap_or(&state.home).display());
    // Test hook (e2e builds only): the real-window tests relaunch the app themselves, since a
    // restarted process is not the one their WebDriver session drives. (A restart keeps the
    // arguments, `--data-dir` included; on macOS a bundle is restarted through `open`, which
    // does not pass `BROADSHEET_DATA_DIR` on.)
    #[cfg(feature = "e2e")]
    if std::env::var_os("BROADSHEET_TEST_DIALOG_DIR").is_some() {
        app.exit(0);
        return Ok(());
    }
    app.restart()
}

/// When the usual archive could not be opened (a temporary one is open): makes a new archive
/// in a new folder beside it, opened at every start from now on, and restarts on it. The
/// file that failed stays where it is, as it is (the settings can switch back to it).
#[tauri::command]
pub async fn start_new_archive(app: tauri::AppHandle, state: State<'_, AppState>) -> Result<(), ApiError> {
    if state.unopened.is_none() {
        return Err(ApiError::InvalidInput("the archive is open; there is nothing to start anew".into()));
    }
    let home = state.home.clone();
    let made = tauri::async_runtime::spawn_blocking(move || -> Result<PathBuf, ApiError> {
        let made = new_folder(&home.join(format!("archive-{}", today())))?;
        crate::state::open_archive(&made).map_err(|e| ApiError::Storage(format!("{}: {e}", made.display())))?;
        broadsheet_store::location::remember(&home, &made)
            .and_then(|()| broadsheet_store::location::choose(&home, Some(&made)))
            .map_err(|e| ApiError::Storage(format!("{}: {e}", home.display())))?;
        Ok(made)
    })
    .await
    .map_err(crate::errors::internal)??;
    log::info!("a new archive in {}; the one that could not be opened is left as it was", made.display());
    // As `switch_archive`: the real-window tests relaunch the app themselves.
    #[cfg(feature = "e2e")]
    if std::env::var_os("BROADSHEET_TEST_DIALOG_DIR").is_some() {
        app.exit(0);
        return Ok(());
    }
    app.restart()
}

/// The image cache's use and limit (the reader's own, else the sync's default).
#[tauri::command(async)]
pub fn get_image_budget(state: State<'_, AppState>) -> Result<broadsheet_model::ImageBudget, ApiError> {
    state.with_reader(|s| {
        Ok(broadsheet_model::ImageBudget {
            used_bytes: s.image_bytes()?,
            limit_bytes: s.image_budget()?.unwrap_or(broadsheet_sync::DEFAULT_IMAGE_BUDGET),
        })
    })
}

/// Sets the image cache's limit in MiB, for every later image phase (cached images stay).
#[tauri::command(async)]
pub fn set_image_budget(state: State<'_, AppState>, mib: u64) -> Result<broadsheet_model::ImageBudget, ApiError> {
    state.with_store(|s| s.set_image_budget(mib.saturating_mul(1024 * 1024)))?;
    get_image_budget(state)
}

/// What retention would remove for posts older than `days`.
#[tauri::command(async)]
pub fn retention_preview(state: State<'_, AppState>, days: u32) -> Result<RetentionInfo, ApiError> {
    state.with_reader(|s| s.retention_preview(days)).map(retention_info)
}

/// Removes unmarked posts older than `days` (and images only they use), a few at a time
/// with the writer released between steps, so marks and the sync never wait for all of it.
#[tauri::command(async)]
pub fn apply_retention(state: State<'_, AppState>, days: u32) -> Result<RetentionInfo, ApiError> {
    let mut job = state.with_reader(|s| Ok(s.begin_retention(days)))?;
    state.run_removal(&mut job)?;
    state.with_store(|s| s.finish_removal(job)).map(retention_info)
}

fn retention_info(p: broadsheet_store::RetentionPlan) -> RetentionInfo {
    RetentionInfo { articles: p.articles, images: p.images, image_bytes: p.image_bytes }
}

#[cfg(test)]
mod tests {
    #[test]
    fn today_is_a_civil_date() {
        let t = super::today();
        assert_eq!(t.len(), 10, "{t}");
        assert!(t.starts_with("20"), "{t}");
    }
}
