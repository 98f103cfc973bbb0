//! IPC commands: thin wrappers that call the store and shape the answer for the UI.

use broadsheet_model::{ApiError, ArticleDetail, ArticleId, ArticleQuery, CategoryCount};
use tauri::State;

use crate::{reader_view, state::AppState};

#[tauri::command(async)]
pub fn list_categories(state: State<'_, AppState>) -> Result<Vec<CategoryCount>, ApiError> {
    state.with_store(|s| s.categories())
}

#[tauri::command(async)]
pub fn list_articles(state: State<'_, AppState>, query: ArticleQuery) -> Result<Vec<broadsheet_model::ArticleSummary>, ApiError> {
    state.with_store(|s| s.list_articles(&query))
}

#[tauri::command(async)]
pub fn get_article(state: State<'_, AppState>, id: ArticleId) -> Result<ArticleDetail, ApiError> {
    state.with_store(|s| reader_view::article_for_reader(s, id))
}

/// Marks an article read or unread.
#[tauri::command(async)]
pub fn set_read(state: State<'_, AppState>, id: ArticleId, read: bool) -> Result<(), ApiError> {
    state.with_store(|s| s.set_read(id, read)).map(drop)
}

/// Opens a web link in the system browser. Only http(s): the webview itself never
/// navigates away from the app, and it has no opener permission of its own.
#[tauri::command(async)]
pub fn open_external(app: tauri::AppHandle, url: String) -> Result<(), ApiError> {
    use tauri_plugin_opener::OpenerExt;
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(ApiError::InvalidInput(format!("not a web link: {url}")));
    }
    app.opener().open_url(url, None::<&str>).map_err(|e| ApiError::Storage(format!("cannot open the browser: {e}")))
}
