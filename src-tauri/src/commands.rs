//! IPC commands: thin wrappers that call the store and shape the answer for the UI.
//!
//! Reads go to a read-only connection (`with_reader`) and never wait for a sync; writes go
//! to the one writer (`with_store`), which a sync holds only a few rows at a time.

use broadsheet_model::{
    ApiError, ArticleDetail, ArticleId, ArticleQuery, CategoryCount, Filters, LabelPage, LabelQuery, SearchHit,
    SearchQuery, SourceInfo, TagCount,
};
use tauri::State;

use crate::{reader_view, state::AppState};

/// A page of the sidebar's categories (never all: a site can declare millions).
#[tauri::command(async)]
pub fn list_categories(state: State<'_, AppState>, query: LabelQuery) -> Result<LabelPage<CategoryCount>, ApiError> {
    state.with_reader(|s| s.category_page(&query))
}

#[tauri::command(async)]
pub fn list_articles(
    state: State<'_, AppState>,
    query: ArticleQuery,
) -> Result<Vec<broadsheet_model::ArticleSummary>, ApiError> {
    state.with_reader(|s| s.list_articles(&query))
}

/// How many articles a view holds (the list header's count).
#[tauri::command(async)]
pub fn count_articles(state: State<'_, AppState>, filters: broadsheet_model::Filters) -> Result<u64, ApiError> {
    state.with_reader(|s| s.count_articles(&filters))
}

/// How many articles a search matches, without ranking them.
#[tauri::command(async)]
pub fn search_count(state: State<'_, AppState>, query: broadsheet_model::SearchQuery) -> Result<u64, ApiError> {
    state.with_reader(|s| s.search_count(&query))
}

#[tauri::command(async)]
pub fn get_article(state: State<'_, AppState>, id: ArticleId) -> Result<ArticleDetail, ApiError> {
    state.with_reader(|s| reader_view::article_for_reader(s, id))
}

/// Marks an article read or unread (with `copies`, every copy of its story too); returns the
/// ids marked.
#[tauri::command(async)]
pub fn set_read(
    state: State<'_, AppState>,
    id: ArticleId,
    read: bool,
    copies: Option<bool>,
) -> Result<Vec<ArticleId>, ApiError> {
    if copies.unwrap_or(false) {
        state.with_store(|s| s.set_read_with_copies(id, read))
    } else {
        state.with_store(|s| s.set_read(id, read)).map(|_| vec![id])
    }
}

/// The other posts of an article's story (its copies under other outlets or sources).
#[tauri::command(async)]
pub fn list_duplicates(
    state: State<'_, AppState>,
    id: ArticleId,
) -> Result<Vec<broadsheet_model::ArticleSummary>, ApiError> {
    state.with_reader(|s| {
        let ids = s.duplicates_of(id)?;
        s.summaries_of(&ids)
    })
}

/// Opens a web link in the system browser. Only http(s): the webview itself never
/// navigates away from the app, and it has no opener permission of its own.
#[tauri::command(async)]
pub fn open_external(app: tauri::AppHandle, url: String) -> Result<(), ApiError> {
    use tauri_plugin_opener::OpenerExt;
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(ApiError::InvalidInput(format!("not a web link: {url}")));
    }
    app.opener()
        .open_url(url, None::<&str>)
        .map_err(|e| crate::errors::internal(format!("cannot open the browser: {e}")))
}

#[tauri::command(async)]
pub fn list_sources(state: State<'_, AppState>) -> Result<Vec<SourceInfo>, ApiError> {
    state.with_reader(|s| s.sources())
}

/// Adds a feed, site, git repository or folder; the new source is synced at once.
#[tauri::command]
pub async fn add_source(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    input: String,
) -> Result<broadsheet_model::SourceId, ApiError> {
    let id =
        broadsheet_sync::add_source(&state.shared_store(), &input, None, None).await.map_err(crate::errors::add)?;
    crate::sync::start_run(&app, broadsheet_sync::Trigger::Now(Some(vec![id])));
    Ok(id)
}

/// Saves a web page for offline reading in the "Saved" source; its images follow.
#[tauri::command]
pub async fn save_page(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    url: String,
    tags: Vec<String>,
) -> Result<broadsheet_model::SavedPage, ApiError> {
    use broadsheet_sync::SaveError;
    let saved = state.engine.save_page(&url, &tags).await.map_err(|e| match e {
        SaveError::NotAUrl(_) | SaveError::NotAPage { .. } => ApiError::InvalidInput(e.to_string()),
        SaveError::Fetch(e) => ApiError::Network(e.to_string()),
        SaveError::Store(e) => crate::state::logged(e),
    })?;
    for w in &saved.warnings {
        log::warn!("{w}");
    }
    crate::sync::start_images(&app);
    Ok(broadsheet_model::SavedPage {
        id: saved.id,
        title: saved.title,
        again: saved.again,
        extracted: saved.extracted,
        warnings: saved.warnings,
    })
}

#[tauri::command(async)]
pub fn remove_source(
    state: State<'_, AppState>,
    id: broadsheet_model::SourceId,
    keep_articles: bool,
) -> Result<(), ApiError> {
    state.remove_source_in_steps(id, keep_articles).map(drop)
}

/// Starts a sync of every source; `false` if one is already running.
#[tauri::command(async)]
pub fn sync_now(app: tauri::AppHandle) -> bool {
    crate::sync::start_run(&app, broadsheet_sync::Trigger::Now(None))
}

/// Whether a source run is in progress (the window may open after its start event).
#[tauri::command(async)]
pub fn sync_running(state: State<'_, AppState>) -> bool {
    state.running.lock().unwrap_or_else(|p| p.into_inner()).is_some()
}

/// The window drew its first rows: records the start-up mark (see `startup.rs`).
#[tauri::command(async)]
pub fn mark_first_rows(app: tauri::AppHandle, rows: u32) {
    crate::startup::first_rows_drawn(rows);
    if crate::startup::exit_after_mark() {
        app.exit(0);
    }
}

#[tauri::command(async)]
pub fn cancel_sync(app: tauri::AppHandle) -> bool {
    crate::sync::cancel(&app)
}

#[tauri::command(async)]
pub fn set_bookmark(state: State<'_, AppState>, id: ArticleId, on: bool) -> Result<(), ApiError> {
    state.with_store(|s| s.set_bookmark(id, on)).map(drop)
}

/// Replaces an article's user tags with `tags` (creating new ones).
#[tauri::command(async)]
pub fn set_user_tags(state: State<'_, AppState>, id: ArticleId, tags: Vec<String>) -> Result<Vec<String>, ApiError> {
    state.with_store(|s| s.set_user_tags(id, &tags))
}

#[tauri::command(async)]
pub fn list_user_tags(state: State<'_, AppState>, query: LabelQuery) -> Result<LabelPage<TagCount>, ApiError> {
    state.with_reader(|s| s.user_tag_page(&query))
}

/// A page of the sidebar's site tags, like `list_categories`.
#[tauri::command(async)]
pub fn list_site_tags(state: State<'_, AppState>, query: LabelQuery) -> Result<LabelPage<TagCount>, ApiError> {
    state.with_reader(|s| s.site_tag_page(&query))
}

/// Renames a user tag; onto an existing name, merges the two.
#[tauri::command(async)]
pub fn rename_user_tag(state: State<'_, AppState>, from: String, to: String) -> Result<(), ApiError> {
    state.with_store(|s| s.rename_user_tag(&from, &to))
}

#[tauri::command(async)]
pub fn delete_user_tag(state: State<'_, AppState>, name: String) -> Result<(), ApiError> {
    state.with_store(|s| s.delete_user_tag(&name)).map(drop)
}

#[tauri::command(async)]
pub fn search(state: State<'_, AppState>, query: SearchQuery) -> Result<Vec<SearchHit>, ApiError> {
    state.with_reader(|s| s.search(&query))
}

/// Marks every article of a view read; returns how many changed.
#[tauri::command(async)]
pub fn mark_all_read(state: State<'_, AppState>, filters: Filters) -> Result<usize, ApiError> {
    // A step at a time, releasing the writer between them (see `remove_source`).
    let (mut changed, mut after) = (0, broadsheet_model::ArticleId(0));
    let upto = state.with_reader(|s| s.newest_article_id())?;
    while let Some((n, last)) = state.with_store(|s| s.mark_read_step(&filters, after, upto))? {
        changed += n;
        after = last;
    }
    Ok(changed)
}

/// The reader's UI settings (a JSON document the UI owns), stored with the archive.
#[tauri::command(async)]
pub fn get_ui_settings(state: State<'_, AppState>) -> Result<Option<String>, ApiError> {
    state.with_reader(|s| s.setting("ui"))
}

#[tauri::command(async)]
pub fn set_ui_settings(state: State<'_, AppState>, json: String) -> Result<(), ApiError> {
    if json.len() > 64 * 1024 || serde_json::from_str::<serde_json::Value>(&json).is_err() {
        return Err(ApiError::InvalidInput("settings must be a JSON document under 64 KiB".into()));
    }
    state.with_store(|s| s.set_setting("ui", &json))
}

/// Asks for a folder with the system dialog (for adding a Jekyll folder as a source). The
/// dialog runs on the Rust side, so the webview needs no dialog permission of its own.
#[tauri::command]
pub async fn pick_folder(app: tauri::AppHandle) -> Option<String> {
    use tauri_plugin_dialog::DialogExt;
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog().file().set_title("Add a Jekyll site or _posts folder").pick_folder(move |path| {
        let _ = tx.send(path.and_then(|p| p.into_path().ok()).map(|p| p.to_string_lossy().into_owned()));
    });
    rx.await.ok().flatten()
}

/// How often a source is synced, in minutes (at least 5).
#[tauri::command(async)]
pub fn set_sync_interval(
    state: State<'_, AppState>,
    id: broadsheet_model::SourceId,
    minutes: i64,
) -> Result<(), ApiError> {
    state.with_store(|s| s.set_sync_interval(id, minutes))
}

/// Adds (`keep`) or forgets one of a source's other site addresses: links there open in the app.
#[tauri::command(async)]
pub fn set_site_alias(
    state: State<'_, AppState>,
    id: broadsheet_model::SourceId,
    url: String,
    keep: bool,
) -> Result<(), ApiError> {
    state.with_store(|s| {
        if keep {
            s.add_site_alias(id, &url, broadsheet_store::AliasOrigin::User).map(|_| ())
        } else {
            s.remove_site_alias(id, &url).map(|_| ())
        }
    })
}
