//! App state: signals shared through context, and the actions that change them.

use broadsheet_model::{ArticleDetail, ArticleId, ArticleQuery, ArticleSummary, CategoryCount, Filters, SourceInfo, SyncEvent};
use sycamore::prelude::*;

use crate::api;
use crate::links::LinkAction;

/// Everything the three panes share. `Copy`, as signals are handles.
#[derive(Clone, Copy)]
pub struct AppState {
    pub categories: Signal<Vec<CategoryCount>>,
    /// Selected category slug; `None` is "All".
    pub category: Signal<Option<String>>,
    pub articles: Signal<Vec<ArticleSummary>>,
    pub list_loaded: Signal<bool>,
    pub selected: Signal<Option<ArticleId>>,
    pub article: Signal<Option<ArticleDetail>>,
    pub error: Signal<Option<String>>,
    /// Read state changed during this session, by article. List rows are keyed by id and
    /// not rebuilt when their data changes, so they consult this for the live value.
    pub read_now: Signal<std::collections::HashMap<ArticleId, bool>>,
    pub sources: Signal<Vec<SourceInfo>>,
    pub sync: Signal<SyncProgress>,
    /// Bumped when a sync brought new content, so the list reloads.
    pub content_version: Signal<u64>,
    /// The source whose removal is being confirmed. Kept here, not in the source's row, as
    /// rows are rebuilt whenever a sync refreshes the sources.
    pub removing: Signal<Option<i64>>,
}

/// The sync bar's state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncProgress {
    pub running: bool,
    pub done: usize,
    pub total: usize,
    /// What is happening, or what happened last.
    pub message: String,
}

impl SyncProgress {
    /// Fraction done, 0–100.
    pub fn percent(&self) -> usize {
        if self.total == 0 {
            0
        } else {
            self.done * 100 / self.total
        }
    }
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}

impl AppState {
    pub fn new() -> Self {
        AppState {
            categories: create_signal(Vec::new()),
            category: create_signal(None),
            articles: create_signal(Vec::new()),
            list_loaded: create_signal(false),
            selected: create_signal(None),
            article: create_signal(None),
            error: create_signal(None),
            read_now: create_signal(std::collections::HashMap::new()),
            sources: create_signal(Vec::new()),
            sync: create_signal(SyncProgress::default()),
            content_version: create_signal(0),
            removing: create_signal(None),
        }
    }

    /// Loads the sidebar, then keeps the list in step with the selected category and the
    /// reader in step with the selected article.
    pub fn start_loading(self) {
        self.reload_sidebar();
        // Events arrive from JavaScript, outside any reactive scope; handle them in this one,
        // so the work they start (reloads) is owned and cleaned up like everything else.
        let scope = use_current_scope();
        spawn(async move { api::listen_sync(move |e| scope.run_in(|| self.on_sync_event(e))).await });
        create_effect(move || {
            self.content_version.track();
            let category = self.category.get_clone();
            self.list_loaded.set(false);
            spawn(async move {
                let query = ArticleQuery { filters: Filters { category: category.clone(), ..Default::default() }, limit: Some(500), ..Default::default() };
                let result = api::list_articles(query).await;
                // A slower answer for a category the reader has already left is dropped.
                if self.category.get_clone_untracked() != category {
                    return;
                }
                match result {
                    Ok(list) => self.articles.set(list),
                    Err(e) => self.error.set(Some(e.to_string())),
                }
                self.list_loaded.set(true);
            });
        });
        create_effect(move || {
            let Some(id) = self.selected.get() else {
                self.article.set(None);
                return;
            };
            spawn(async move {
                let result = api::get_article(id).await;
                if self.selected.get_untracked() != Some(id) {
                    return;
                }
                match result {
                    Ok(a) => {
                        let unread = !a.summary.read;
                        self.article.set(Some(a));
                        // Opening an article is reading it; focus alone never marks anything.
                        if unread {
                            match api::set_read(id, true).await {
                                Ok(()) => self.mark_read_locally(id, true),
                                Err(e) => self.error.set(Some(e.to_string())),
                            }
                        }
                    }
                    Err(e) => self.error.set(Some(e.to_string())),
                }
            });
        });
    }

    fn reload_sidebar(self) {
        spawn(async move {
            match api::list_categories().await {
                Ok(c) => self.categories.set(c),
                Err(e) => self.error.set(Some(e.to_string())),
            }
            match api::list_sources().await {
                Ok(s) => self.sources.set(s),
                Err(e) => self.error.set(Some(e.to_string())),
            }
        });
    }

    /// Applies a sync progress event.
    pub fn on_sync_event(self, e: SyncEvent) {
        match e {
            SyncEvent::Started { sources } => {
                self.sync.set(SyncProgress { running: true, done: 0, total: sources, message: format!("Syncing {sources} sources…") })
            }
            SyncEvent::SourceStarted { name, .. } => self.sync.update(|p| p.message = format!("Syncing {name}…")),
            SyncEvent::SourceFinished { done, total, name, error, .. } => self.sync.update(|p| {
                p.done = done;
                p.total = total;
                p.message = match error {
                    Some(e) => format!("{name}: {e}"),
                    None => format!("{name} done"),
                };
            }),
            SyncEvent::Images { done, total, .. } => self.sync.update(|p| {
                p.done = done;
                p.total = total;
                p.message = format!("Images {done}/{total}");
            }),
            SyncEvent::Finished { new, updated, failed, cancelled, .. } => {
                let message = if cancelled {
                    "Sync cancelled".to_string()
                } else {
                    let failed = if failed > 0 { format!(", {failed} failed") } else { String::new() };
                    format!("Synced: {new} new, {updated} updated{failed}")
                };
                self.sync.set(SyncProgress { running: false, done: 0, total: 0, message });
                self.reload_sidebar();
                if new + updated > 0 {
                    self.content_version.update(|v| *v += 1);
                }
            }
        }
    }

    pub fn sync_now(self) {
        spawn(async move {
            if let Err(e) = api::sync_now().await {
                self.error.set(Some(e.to_string()));
            }
        });
    }

    pub fn cancel_sync(self) {
        spawn(async move {
            let _ = api::cancel_sync().await;
        });
    }

    /// Removes a source; bookmarked and tagged posts always stay.
    pub fn remove_source(self, id: i64, keep_articles: bool) {
        self.removing.set(None);
        spawn(async move {
            match api::remove_source(id, keep_articles).await {
                Ok(()) => {
                    self.reload_sidebar();
                    self.content_version.update(|v| *v += 1);
                }
                Err(e) => self.error.set(Some(e.to_string())),
            }
        });
    }

    /// Adds a source; the backend syncs it at once.
    pub fn add_source(self, input: String) {
        if input.trim().is_empty() {
            return;
        }
        self.sync.update(|p| p.message = format!("Adding {}…", input.trim()));
        spawn(async move {
            match api::add_source(input).await {
                Ok(_) => self.reload_sidebar(),
                Err(e) => self.sync.update(|p| p.message = e.to_string()),
            }
        });
    }

    pub fn select_category(self, slug: Option<String>) {
        if self.category.get_clone_untracked() != slug {
            self.selected.set(None);
            self.category.set(slug);
        }
    }

    /// Follows a link clicked inside an article.
    pub fn follow_link(self, href: &str) {
        match crate::links::link_action(href) {
            // The article stays open: the list changes beside it.
            LinkAction::ShowAll => self.category.set(None),
            LinkAction::ShowCategory(slug) => self.category.set(Some(slug)),
            LinkAction::OpenArticle(id) => self.open(id),
            LinkAction::External(url) => spawn(async move {
                if let Err(e) = api::open_external(url).await {
                    self.error.set(Some(e.to_string()));
                }
            }),
            LinkAction::Ignore => {}
        }
    }

    pub fn open(self, id: ArticleId) {
        self.selected.set(Some(id));
    }

    fn mark_read_locally(self, id: ArticleId, read: bool) {
        self.read_now.update(|m| {
            m.insert(id, read);
        });
    }

    /// Whether an article is read, counting changes made since the list was loaded.
    pub fn is_read(self, article: &ArticleSummary) -> bool {
        self.read_now.with(|m| m.get(&article.id).copied()).unwrap_or(article.read)
    }

    /// Display name of a category slug (the slug itself until categories have loaded).
    pub fn category_name(self, slug: &str) -> String {
        self.categories.with(|cs| cs.iter().find(|c| c.slug == slug).map(|c| c.name.clone())).unwrap_or_else(|| slug.to_string())
    }

    /// Title of the current list: the category's display name, or "All articles".
    pub fn list_title(self) -> String {
        match self.category.get_clone() {
            None => "All articles".to_string(),
            Some(slug) => self
                .categories
                .with(|cs| cs.iter().find(|c| c.slug == slug).map(|c| c.name.clone()))
                .unwrap_or(slug),
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn spawn(fut: impl std::future::Future<Output = ()> + 'static) {
    sycamore::futures::spawn_local_scoped(fut);
}

/// Natively (SSR component tests) nothing is fetched: state is set by the test itself.
#[cfg(not(target_arch = "wasm32"))]
fn spawn(fut: impl std::future::Future<Output = ()> + 'static) {
    drop(fut);
}
