//! IPC commands: thin wrappers that call the store and shape the answer for the UI.

use broadsheet_model::{ApiError, ArticleDetail, ArticleId, ArticleQuery, CategoryCount};
use tauri::State;

use crate::{image_scheme, state::AppState};

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
    let mut article = state.with_store(|s| s.article(id))?;
    article.html = broadsheet_html::for_display(&article.html, image_scheme::SCHEME, image_scheme::local_url);
    Ok(article)
}
