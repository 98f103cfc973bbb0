//! App state: signals shared through context, and the actions that change them.

use broadsheet_model::{ArticleDetail, ArticleId, ArticleQuery, ArticleSummary, CategoryCount, Filters};
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
        }
    }

    /// Loads the sidebar, then keeps the list in step with the selected category and the
    /// reader in step with the selected article.
    pub fn start_loading(self) {
        spawn(async move {
            match api::list_categories().await {
                Ok(c) => self.categories.set(c),
                Err(e) => self.error.set(Some(e.to_string())),
            }
        });
        create_effect(move || {
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
