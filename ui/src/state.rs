//! App state: signals shared through context, and the actions that change them.

use std::collections::HashMap;

use broadsheet_model::{
    ArticleDetail, ArticleId, ArticleQuery, ArticleSummary, CategoryCount, LabelQuery, SearchQuery, SearchSort,
    SourceInfo, SyncEvent, TagCount,
};
use sycamore::prelude::*;

use crate::api;
use crate::links::LinkAction;
use crate::settings::Settings;
use crate::view::ListView;

/// Rows fetched per page of the list.
pub const PAGE: u32 = 200;
/// Rows in the page at once: a few screens around the visible ones.
pub const WINDOW_ROWS: usize = 60;

/// Rows that fill the screen at the shortest a row can be (a one-line title, no excerpt),
/// and two more: the first window, drawn before the full one.
fn first_window_rows() -> usize {
    #[cfg(target_arch = "wasm32")]
    let height = web_sys::window().and_then(|w| w.inner_height().ok()).and_then(|h| h.as_f64()).unwrap_or(2160.0);
    #[cfg(not(target_arch = "wasm32"))]
    let height: f64 = 2160.0;
    ((height / 48.0).ceil() as usize + 2).min(WINDOW_ROWS)
}
/// Categories the sidebar shows at once (finews has about 2,000; a hostile site millions):
/// the rest are a filter away.
pub const CATEGORY_PAGE: u32 = 300;
/// Site tags the sidebar shows at once.
pub const TAG_PAGE: u32 = 100;

/// Everything the three panes share. `Copy`, as signals are handles.
#[derive(Clone, Copy)]
pub struct AppState {
    pub error: Signal<Option<String>>,
    /// The keyboard shortcut overlay.
    pub help_open: Signal<bool>,
    pub library: Library,
    pub list: ListState,
    pub reader: ReaderState,
    pub marks: Marks,
    pub sync: SyncState,
    pub prefs: Prefs,
}

/// What the sidebar lists: sources, categories, site tags, the reader's tags, and its filter.
#[derive(Clone, Copy)]
pub struct Library {
    /// The sidebar's page of categories (see `CATEGORY_PAGE`) and how many match in all.
    pub categories: Signal<Vec<CategoryCount>>,
    pub categories_total: Signal<u64>,
    pub site_tags: Signal<Vec<TagCount>>,
    pub site_tags_total: Signal<u64>,
    /// What the sidebar's filter holds, and whether categories are sorted by count.
    pub label_filter: Signal<String>,
    pub categories_by_count: Signal<bool>,
    /// The latest label query: answers to an older one (a keystroke ago) are dropped.
    pub(crate) label_generation: Signal<u64>,
    /// The sidebar's page of the reader's tags (also the tag editor's suggestions).
    pub user_tags: Signal<Vec<TagCount>>,
    pub user_tags_total: Signal<u64>,
    pub sources: Signal<Vec<SourceInfo>>,
    /// The latest sidebar reload: answers to an older one are dropped, so a reload begun
    /// before a change (a sync's end) cannot overwrite one begun after it (the change saved).
    pub(crate) sidebar_generation: Signal<u64>,
    /// The sidebar's first labels and sources have arrived (tests wait for it).
    pub labels_loaded: Signal<bool>,
    pub sources_loaded: Signal<bool>,
    /// The source whose removal is being confirmed. Kept here, not in the source's row, as
    /// rows are rebuilt whenever a sync refreshes the sources.
    pub removing: Signal<Option<broadsheet_model::SourceId>>,
}

/// What the article list shows: the view, its loaded rows, their window and measured sizes, paging, the count and a search's scope.
#[derive(Clone, Copy)]
pub struct ListState {
    /// What the list shows.
    pub view: Signal<ListView>,
    /// Whether lists show copies of a story once (`Settings::collapse_duplicates`).
    pub(crate) collapse: ReadSignal<bool>,
    pub articles: Signal<Vec<ArticleSummary>>,
    /// Search snippets (escaped HTML with `<mark>`), by article, when the view is a search.
    pub snippets: Signal<HashMap<ArticleId, String>>,
    /// The row the keyboard is on (j/k); opening it makes it `selected`.
    pub cursor: Signal<Option<ArticleId>>,
    pub list_loaded: Signal<bool>,
    /// Index of the first row in the page (the list is windowed).
    pub window_start: Signal<usize>,
    /// How many rows the window holds: at first only what fits the screen, so the first
    /// paint lays out a dozen rows rather than [`WINDOW_ROWS`]; the full window once painted.
    pub window_len: Signal<usize>,
    /// Measured heights of list rows, and from them where each loaded row starts (px).
    pub row_sizes: Signal<crate::rows::RowSizes>,
    pub row_offsets: ReadSignal<Vec<u32>>,
    /// Whether the list may have more rows past those loaded (keyset pagination).
    pub more: Signal<bool>,
    /// A page is being fetched.
    pub loading_more: Signal<bool>,
    /// How many articles the current view holds (`None` until counted).
    pub total: Signal<Option<u64>>,
    /// Search results newest first instead of most relevant first.
    pub search_newest: Signal<bool>,
    /// What a search is narrowed to (the view it began in, unread or bookmarked only, dates).
    pub search_scope: Signal<SearchScope>,
}

/// The open article.
#[derive(Clone, Copy)]
pub struct ReaderState {
    pub selected: Signal<Option<ArticleId>>,
    pub article: Signal<Option<ArticleDetail>>,
    /// Where to put the reader's scroll once the restored article is shown (px).
    pub restore_scroll: Signal<Option<u32>>,
}

/// Read and bookmark marks changed during this session, by article. List rows are keyed by id and
/// not rebuilt when their data changes, so they consult these for the live value.
#[derive(Clone, Copy)]
pub struct Marks {
    /// Read state changed during this session, by article. List rows are keyed by id and
    /// not rebuilt when their data changes, so they consult this for the live value.
    pub read_now: Signal<HashMap<ArticleId, bool>>,
    /// Bookmark changes made during this session, likewise.
    pub bookmarked_now: Signal<HashMap<ArticleId, bool>>,
}

/// Sync progress, and versions bumped when new content (or a device sync) arrived.
#[derive(Clone, Copy)]
pub struct SyncState {
    pub progress: Signal<SyncProgress>,
    /// Bumped when a sync brought new content, so the list reloads.
    pub content_version: Signal<u64>,
    /// Bumped when a device sync ends, so the devices panel asks again.
    pub devices_version: Signal<u64>,
}

/// The reader's settings and their one-at-a-time writes.
#[derive(Clone, Copy)]
pub struct Prefs {
    pub settings: Signal<Settings>,
    /// A settings write is under way / another is needed after it.
    pub saving: Signal<bool>,
    pub save_again: Signal<bool>,
}

/// What a search is narrowed to: the filters of the view it was begun in (a category, a tag,
/// bookmarked …), unread/bookmarked only, and a range of publication dates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchScope {
    pub filters: broadsheet_model::Filters,
    /// The view the search was begun in, when it narrows the search (its chip).
    pub within: Option<ListView>,
    /// Published at or after / before (Unix seconds, local midnights).
    pub since: Option<i64>,
    pub until: Option<i64>,
}

impl SearchScope {
    /// The query for `q` in this scope.
    pub fn query(&self, q: &str, sort: SearchSort, limit: Option<u32>, offset: Option<u32>) -> SearchQuery {
        SearchQuery {
            query: q.to_string(),
            filters: self.filters.clone(),
            since: self.since,
            until: self.until,
            limit,
            offset,
            sort,
        }
    }
}

/// What a list request was made for (see `AppState::list_ask`).
#[derive(Clone, PartialEq)]
struct ListAsk {
    view: ListView,
    scope: SearchScope,
    sort: SearchSort,
    version: u64,
    /// Copies of a story shown once (the reader's setting).
    collapse: bool,
}

impl ListAsk {
    /// The filters of a list view (not a search), with the reader's choice about copies.
    fn filters(&self) -> broadsheet_model::Filters {
        broadsheet_model::Filters { collapse_duplicates: self.collapse, ..self.view.filters() }
    }
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
        (self.done * 100).checked_div(self.total).unwrap_or(0)
    }
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}

impl AppState {
    pub fn new() -> Self {
        let settings = create_signal(Settings::default());
        // Its own signal: the list reloads when this setting changes, not at every setting (a
        // selector, which tells only a changed value; a memo tells every recomputation, and
        // the list was reloaded each time an article was opened and its place saved).
        let collapse = create_selector(move || settings.with(|s| s.collapse_duplicates));
        let articles = create_signal(Vec::<ArticleSummary>::new());
        let row_sizes = create_signal(crate::rows::RowSizes::default());
        let row_offsets = create_memo(move || row_sizes.with(|s| articles.with(|l| s.offsets(l.iter().map(|a| a.id)))));
        AppState {
            error: create_signal(None),
            help_open: create_signal(false),
            library: Library {
                categories: create_signal(Vec::new()),
                categories_total: create_signal(0),
                site_tags: create_signal(Vec::new()),
                site_tags_total: create_signal(0),
                label_filter: create_signal(String::new()),
                categories_by_count: create_signal(false),
                label_generation: create_signal(0),
                user_tags: create_signal(Vec::new()),
                user_tags_total: create_signal(0),
                sources: create_signal(Vec::new()),
                sidebar_generation: create_signal(0),
                labels_loaded: create_signal(false),
                sources_loaded: create_signal(false),
                removing: create_signal(None),
            },
            list: ListState {
                view: create_signal(ListView::All),
                collapse,
                articles,
                snippets: create_signal(HashMap::new()),
                cursor: create_signal(None),
                list_loaded: create_signal(false),
                window_start: create_signal(0),
                window_len: create_signal(first_window_rows()),
                row_sizes,
                row_offsets,
                more: create_signal(false),
                loading_more: create_signal(false),
                total: create_signal(None),
                search_newest: create_signal(false),
                search_scope: create_signal(SearchScope::default()),
            },
            reader: ReaderState {
                selected: create_signal(None),
                article: create_signal(None),
                restore_scroll: create_signal(None),
            },
            marks: Marks { read_now: create_signal(HashMap::new()), bookmarked_now: create_signal(HashMap::new()) },
            sync: SyncState {
                progress: create_signal(SyncProgress::default()),
                content_version: create_signal(0),
                devices_version: create_signal(0),
            },
            prefs: Prefs { settings, saving: create_signal(false), save_again: create_signal(false) },
        }
    }

    /// Keeps the list in step with the selected category and the reader in step with the
    /// selected article; the sidebar loads once the first list is drawn.
    pub fn start_loading(self) {
        // Work started from inside an effect belongs to that effect's run and is dropped when
        // it re-runs; the sidebar's first load must outlive the list load that starts it.
        let root = use_current_scope();
        // The reader's settings, then back where they left off.
        spawn(async move {
            let settings = Settings::from_json(api::get_ui_settings().await.ok().flatten().as_deref());
            let (last, scroll) = (settings.last_article, settings.last_scroll);
            self.prefs.settings.set(settings);
            if let Some(id) = last {
                if self.reader.selected.get_untracked().is_none() {
                    self.reader.restore_scroll.set(Some(scroll));
                    self.open(id);
                }
            }
        });
        // Events arrive from JavaScript, outside any reactive scope; handle them in this one,
        // so the work they start (reloads) is owned and cleaned up like everything else.
        let scope = use_current_scope();
        spawn(async move {
            api::listen_devices(move |e| scope.run_in(|| self.on_devices_event(e))).await;
        });
        // Copies of stories found among new posts: the rows' "also in" and collapsed lists change.
        spawn(async move {
            api::listen_duplicates(move |_| scope.run_in(|| self.sync.content_version.update(|v| *v += 1))).await;
        });
        spawn(async move {
            api::listen_sync(move |e| scope.run_in(|| self.on_sync_event(e))).await;
            // The start-up sync may have begun before this page listened: ask, so its
            // progress (and the Cancel button) show instead of "Sync now".
            if api::sync_running().await.unwrap_or(false) && !self.sync.progress.with_untracked(|p| p.running) {
                let message = self.t("Syncing…").to_string();
                self.sync.progress.update(|p| {
                    p.running = true;
                    p.message = message;
                });
            }
        });
        // The view last listed: another view starts at its top, a reload of the same one (a
        // sync ended) keeps the reader's place.
        let last_view = std::rc::Rc::new(std::cell::RefCell::new(None));
        create_effect(move || {
            let ask = self.list_ask(true);
            let ListAsk { view, scope, sort, .. } = ask.clone();
            let last_view = last_view.clone();
            let filters = ask.filters();
            self.list.list_loaded.set(false);
            self.list.total.set(None);
            spawn(async move {
                let current = || self.list_ask(false) == ask;
                let result = match &view {
                    ListView::Search(q) => api::search(scope.query(q, sort, Some(PAGE), None)).await.map(|hits| {
                        let snippets = hits.iter().map(|h| (h.summary.id, h.snippet.clone())).collect();
                        (hits.into_iter().map(|h| h.summary).collect(), snippets)
                    }),
                    _ => {
                        let query = ArticleQuery { filters: filters.clone(), limit: Some(PAGE), ..Default::default() };
                        api::list_articles(query).await.map(|list| (list, HashMap::new()))
                    }
                };
                // A slower answer for a view the reader has already left is dropped.
                if !current() {
                    return;
                }
                match result {
                    Ok((list, snippets)) => {
                        let full_page = list.len() as u32 == PAGE;
                        self.list.more.set(full_page);
                        self.list.snippets.set(snippets);
                        self.list.window_start.set(0);
                        let shown = (view.clone(), scope.clone(), sort);
                        let moved = last_view.borrow().as_ref() != Some(&shown);
                        if moved {
                            scroll_list_to_top();
                            *last_view.borrow_mut() = Some(shown);
                        }
                        let rows = list.len() as u32;
                        self.list.articles.set(list);
                        // The same view again keeps its place: the window of rendered rows
                        // follows the scroll position rather than the list's top.
                        if !moved {
                            self.scrolled_to(list_scroll_top());
                        }
                        api::mark_first_rows_once(rows);
                        if self.list.window_len.get_untracked() < WINDOW_ROWS {
                            let len = self.list.window_len;
                            api::after_paint(move || len.set(WINDOW_ROWS));
                        }
                    }
                    Err(e) => self.fail("Loading the list", e),
                }
                self.list.list_loaded.set(true);
                // The true count after the rows (a count reads the whole view; rows come first).
                let total = match &view {
                    ListView::Search(q) => api::search_count(scope.query(q, sort, None, None)).await,
                    _ => api::count_articles(filters).await,
                };
                if current() {
                    self.list.total.set(total.ok());
                }
                // The list first: the sidebar (2,000 categories on a large archive) took the
                // main thread for a few hundred milliseconds before the first rows appeared,
                // and its render held back the frame that paints them; it starts once they
                // are painted.
                if self.library.sidebar_generation.get_untracked() == 0 {
                    api::after_paint(move || root.run_in(|| self.reload_sidebar()));
                }
            });
        });
        create_effect(move || {
            let Some(id) = self.reader.selected.get() else {
                self.reader.article.set(None);
                return;
            };
            spawn(async move {
                let result = api::get_article(id).await;
                if self.reader.selected.get_untracked() != Some(id) {
                    return;
                }
                match result {
                    Ok(a) => {
                        let unread = !a.summary.read;
                        self.reader.article.set(Some(a));
                        // A restored article keeps its remembered position; any other starts at the top.
                        let keep = self.reader.restore_scroll.get_untracked().is_some();
                        self.update_settings(|s| Settings {
                            last_article: Some(id),
                            last_scroll: if keep { s.last_scroll } else { 0 },
                            ..s.clone()
                        });
                        // Opening an article is reading it (a setting); the keyboard cursor
                        // alone never marks anything.
                        if unread && self.prefs.settings.with(|s| s.mark_read_on_open) {
                            let copies = self.prefs.settings.with_untracked(|s| s.read_copies);
                            match api::set_read(id, true, copies).await {
                                Ok(ids) => ids.into_iter().for_each(|i| self.mark_read_locally(i, true)),
                                Err(e) => self.fail("Marking the article read", e),
                            }
                        }
                    }
                    // The article remembered from last time may be gone; that is no error.
                    Err(broadsheet_model::ApiError::NotFound(_)) => {
                        self.reader.restore_scroll.set(None);
                        self.reader.selected.set(None);
                    }
                    Err(e) => self.fail("Opening the article", e),
                }
            });
        });
    }

    pub fn reload_sidebar(self) {
        let generation = self.library.sidebar_generation.get_untracked() + 1;
        self.library.sidebar_generation.set(generation);
        let current = move || self.library.sidebar_generation.get_untracked() == generation;
        // Each part is shown as soon as it arrives (the categories first), unless a newer
        // reload has begun meanwhile.
        self.reload_labels();
        spawn(async move {
            let sources = api::list_sources().await;
            if !current() {
                return;
            }
            match sources {
                Ok(s) => self.library.sources.set(s),
                Err(e) => self.fail("Loading the sources", e),
            }
            self.library.sources_loaded.set(true);
        });
    }

    /// Fetches the sidebar's pages of categories, site tags and user tags for its filter (and
    /// the categories' order).
    pub fn reload_labels(self) {
        let generation = self.library.label_generation.get_untracked() + 1;
        self.library.label_generation.set(generation);
        let current = move || self.library.label_generation.get_untracked() == generation;
        let filter = self.library.label_filter.get_clone_untracked();
        let by_count = self.library.categories_by_count.get_untracked();
        spawn(async move {
            // A pause before asking, so typing in the filter asks once, not at every key
            // (each ask walks every label that matches: a site may declare millions).
            if !filter.is_empty() {
                sleep_ms(150).await;
                if !current() {
                    return;
                }
            }
            let query = LabelQuery { filter: filter.clone(), by_count, limit: CATEGORY_PAGE };
            let categories = api::list_categories(query).await;
            if !current() {
                return;
            }
            match categories {
                Ok(page) => {
                    self.library.categories_total.set(page.total);
                    self.library.categories.set(page.items);
                }
                Err(e) => self.fail("Loading the categories", e),
            }
            let query = LabelQuery { filter: filter.clone(), by_count: false, limit: TAG_PAGE };
            let site_tags = api::list_site_tags(query).await;
            if let (true, Ok(page)) = (current(), site_tags) {
                self.library.site_tags_total.set(page.total);
                self.library.site_tags.set(page.items);
            }
            let user_tags = api::list_user_tags(LabelQuery { filter, by_count: false, limit: TAG_PAGE }).await;
            if let (true, Ok(page)) = (current(), user_tags) {
                self.library.user_tags_total.set(page.total);
                self.library.user_tags.set(page.items);
            }
            if current() {
                self.library.labels_loaded.set(true);
            }
        });
    }

    /// A device sync ended: what another computer changed (marks, tags, sources, the
    /// window's settings) shows here at once.
    pub fn on_devices_event(self, e: broadsheet_model::DevicesEvent) {
        self.sync.devices_version.update(|v| *v += 1);
        if e.applied == 0 {
            return;
        }
        // The session's own marks were only a stand-in until the list reloaded; another device
        // may have changed the same posts since, and the reload shows what is stored.
        self.marks.read_now.set(HashMap::new());
        self.marks.bookmarked_now.set(HashMap::new());
        self.sync.content_version.update(|v| *v += 1);
        self.reload_sidebar();
        spawn(async move {
            let Ok(json) = api::get_ui_settings().await else { return };
            let arrived = Settings::from_json(json.as_deref());
            // This screen keeps its own panes and open article (they are not shared).
            self.prefs.settings.update(|s| *s = s.with_shared_from(&arrived));
        });
    }

    /// Applies a sync progress event.
    pub fn on_sync_event(self, e: SyncEvent) {
        match e {
            SyncEvent::Started { sources } => self.sync.progress.set(SyncProgress {
                running: true,
                done: 0,
                total: sources,
                message: format!("Syncing {sources} sources…"),
            }),
            SyncEvent::SourceStarted { name, .. } => {
                self.sync.progress.update(|p| p.message = format!("Syncing {name}…"))
            }
            SyncEvent::SourceFinished { done, total, name, error, .. } => self.sync.progress.update(|p| {
                p.done = done;
                p.total = total;
                p.message = match error {
                    Some(e) => format!("{name}: {e}"),
                    None => format!("{name}: {}", self.t("done")),
                };
            }),
            SyncEvent::Images { done, total, .. } => self.sync.progress.update(|p| {
                p.done = done;
                p.total = total;
                p.message = format!("{} {done}/{total}", self.t("Images"));
            }),
            SyncEvent::Finished { new, updated, failed, cancelled, .. } => {
                let message = if cancelled {
                    self.t("Sync cancelled").to_string()
                } else {
                    let failed = if failed > 0 { format!(", {failed} {}", self.t("failed")) } else { String::new() };
                    format!("{}: {new} {}, {updated} {}{failed}", self.t("Synced"), self.t("new"), self.t("updated"))
                };
                self.sync.progress.set(SyncProgress { running: false, done: 0, total: 0, message });
                self.reload_sidebar();
                if new + updated > 0 {
                    self.sync.content_version.update(|v| *v += 1);
                }
            }
        }
    }

    pub fn sync_now(self) {
        spawn(async move {
            if let Err(e) = api::sync_now().await {
                self.fail("Starting a sync", e);
            }
        });
    }

    pub fn cancel_sync(self) {
        spawn(async move {
            if let Err(e) = api::cancel_sync().await {
                self.fail("Cancelling the sync", e);
            }
        });
    }

    /// Removes a source; bookmarked and tagged posts always stay.
    pub fn remove_source(self, id: broadsheet_model::SourceId, keep_articles: bool) {
        self.library.removing.set(None);
        spawn(async move {
            match api::remove_source(id, keep_articles).await {
                Ok(()) => self.archive_replaced(),
                Err(e) => self.fail("Removing the source", e),
            }
        });
    }

    /// Follows the list's scroll position (`top` px): moves the window of rendered rows when
    /// the visible ones near its edge.
    pub fn scrolled_to(self, top: i32) {
        let first_visible = self.list.row_offsets.with_untracked(|o| crate::rows::row_at(o, top.max(0) as u32));
        let wanted = first_visible.saturating_sub(WINDOW_ROWS / 3);
        let current = self.list.window_start.get_untracked();
        if wanted.abs_diff(current) >= WINDOW_ROWS / 6 || (wanted == 0 && current != 0) {
            self.list.window_start.set(wanted);
        }
    }

    /// Remembers how far down the open article is read, in steps of 200 px (so scrolling
    /// doesn't write to the archive on every frame).
    pub fn reader_scrolled(self, top: u32) {
        let saved = self.prefs.settings.with_untracked(|s| s.last_scroll);
        if self.reader.restore_scroll.get_untracked().is_none() && top.abs_diff(saved) >= 200 {
            self.update_settings(|s| Settings { last_scroll: top, ..s.clone() });
        }
    }

    /// Index of an article in the loaded list.
    pub fn index_of(self, id: ArticleId) -> Option<usize> {
        self.list.articles.with_untracked(|l| l.iter().position(|a| a.id == id))
    }

    /// Loads the next page of the list (when the reader scrolls near its end): the rows older
    /// than the last one loaded, so a 100,000-post category streams in pages.
    pub fn load_more(self) {
        // Not while the view's first page is being fetched anew (a scope changed, a sync
        // ended): an offset into the former list would skip rows of the new one.
        if !self.list.more.get_untracked()
            || self.list.loading_more.get_untracked()
            || !self.list.list_loaded.get_untracked()
        {
            return;
        }
        let ask = self.list_ask(false);
        let ListAsk { view, scope, sort, .. } = ask.clone();
        let filters = ask.filters();
        let Some(before) = self.list.articles.with_untracked(|l| l.last().map(ArticleSummary::cursor)) else { return };
        let loaded = self.list.articles.with_untracked(Vec::len) as u32;
        self.list.loading_more.set(true);
        spawn(async move {
            // Search pages by offset (its order is by rank, not date); lists by cursor.
            let result = match &view {
                ListView::Search(q) => api::search(scope.query(q, sort, Some(PAGE), Some(loaded))).await.map(|hits| {
                    let snippets: Vec<_> = hits.iter().map(|h| (h.summary.id, h.snippet.clone())).collect();
                    (hits.into_iter().map(|h| h.summary).collect::<Vec<_>>(), snippets)
                }),
                _ => {
                    let query = ArticleQuery { filters, before: Some(before), limit: Some(PAGE) };
                    api::list_articles(query).await.map(|page| (page, Vec::new()))
                }
            };
            self.list.loading_more.set(false);
            if self.list_ask(false) != ask {
                return;
            }
            match result {
                Ok((page, snippets)) => {
                    self.list.more.set(page.len() as u32 == PAGE);
                    self.list.snippets.update(|m| m.extend(snippets));
                    // Rows are keyed by id: a search paged by offset can repeat a row when a
                    // sync adds matches between pages, so rows already listed are not added again.
                    self.list.articles.update(|l| {
                        let listed: std::collections::HashSet<ArticleId> = l.iter().map(|a| a.id).collect();
                        l.extend(page.into_iter().filter(|a| !listed.contains(&a.id)));
                    });
                }
                Err(e) => self.fail("Loading more of the list", e),
            }
        });
    }

    pub fn set_sync_interval(self, id: broadsheet_model::SourceId, minutes: i64) {
        spawn(async move {
            match api::set_sync_interval(id, minutes).await {
                Ok(()) => self.reload_sidebar(),
                Err(e) => self.fail("Setting the sync interval", e),
            }
        });
    }

    /// Adds (`keep`) or forgets one of a source's other site addresses.
    pub fn set_site_alias(self, id: broadsheet_model::SourceId, url: String, keep: bool) {
        spawn(async move {
            match api::set_site_alias(id, url, keep).await {
                Ok(()) => self.reload_sidebar(),
                Err(e) => self.fail("Changing the site's addresses", e),
            }
        });
    }

    /// Asks for a folder, then adds it as a Jekyll source.
    pub fn add_folder(self) {
        spawn(async move {
            if let Ok(Some(path)) = api::pick_folder().await {
                self.add_source(path);
            }
        });
    }

    /// Adds a source; the backend syncs it at once.
    pub fn add_source(self, input: String) {
        if input.trim().is_empty() {
            return;
        }
        self.sync.progress.update(|p| p.message = format!("Adding {}…", input.trim()));
        spawn(async move {
            match api::add_source(input).await {
                Ok(_) => self.reload_sidebar(),
                Err(e) => self.sync.progress.update(|p| p.message = e.to_string()),
            }
        });
    }

    /// Saves a web page for offline reading, then opens it (in "All articles" unless the view
    /// shows it already).
    pub fn save_page(self, url: String, tags: Vec<String>) {
        let url = url.trim().to_string();
        if url.is_empty() {
            return;
        }
        self.sync.progress.update(|p| p.message = self.t("Saving {url}…").replace("{url}", &url));
        spawn(async move {
            match api::save_page(url, tags).await {
                Ok(saved) => {
                    let said = if saved.extracted {
                        self.t("Saved “{title}” for offline reading")
                    } else {
                        self.t("Saved “{title}” whole (no article found in the page)")
                    };
                    self.sync.progress.update(|p| p.message = said.replace("{title}", &saved.title));
                    self.sync.content_version.update(|v| *v += 1);
                    self.reload_sidebar();
                    self.open(saved.id);
                }
                Err(e) => self.sync.progress.update(|p| p.message = format!("{}: {e}", self.t("Saving the page"))),
            }
        });
    }

    /// Shows a view from the sidebar (the reader pane is cleared).
    pub fn show(self, view: ListView) {
        if self.list.view.get_clone_untracked() != view {
            self.reader.selected.set(None);
            self.list.cursor.set(None);
            self.list.view.set(view);
        }
    }

    pub fn select_category(self, slug: Option<String>) {
        self.show(slug.map_or(ListView::All, ListView::Category));
    }

    /// Follows a link clicked inside an article.
    pub fn follow_link(self, href: &str) {
        match crate::links::link_action(href) {
            // The article stays open: the list changes beside it.
            LinkAction::ShowAll => self.list.view.set(ListView::All),
            LinkAction::ShowCategory(slug) => self.list.view.set(ListView::Category(slug)),
            LinkAction::OpenArticle(id) => self.open(id),
            LinkAction::External(url) => spawn(async move {
                if let Err(e) = api::open_external(url).await {
                    self.fail("Opening the link", e);
                }
            }),
            LinkAction::Ignore => {}
        }
    }

    pub fn open(self, id: ArticleId) {
        self.list.cursor.set(Some(id));
        self.reader.selected.set(Some(id));
    }

    /// Moves the keyboard cursor `step` rows (j/k), without opening anything.
    pub fn move_cursor(self, step: i32) {
        let ids: Vec<ArticleId> = self.list.articles.with(|l| l.iter().map(|a| a.id).collect());
        if ids.is_empty() {
            return;
        }
        let current =
            self.list.cursor.get().or(self.reader.selected.get()).and_then(|c| ids.iter().position(|&i| i == c));
        let next = match current {
            None => 0,
            Some(i) => (i as i32 + step).clamp(0, ids.len() as i32 - 1) as usize,
        };
        self.list.cursor.set(Some(ids[next]));
    }

    /// Opens the row under the cursor (o / Enter).
    pub fn open_cursor(self) {
        if let Some(id) = self.list.cursor.get() {
            self.open(id);
        }
    }

    /// The article the shortcuts act on: the open one, else the one under the cursor.
    pub fn current(self) -> Option<ArticleId> {
        self.reader.selected.get().or(self.list.cursor.get())
    }

    pub fn is_bookmarked(self, article: &ArticleSummary) -> bool {
        self.marks.bookmarked_now.with(|m| m.get(&article.id).copied()).unwrap_or(article.bookmarked)
    }

    fn bookmarked_state(self, id: ArticleId) -> bool {
        if let Some(b) = self.marks.bookmarked_now.with(|m| m.get(&id).copied()) {
            return b;
        }
        let in_list = self.list.articles.with(|l| l.iter().find(|a| a.id == id).map(|a| a.bookmarked));
        in_list
            .or_else(|| {
                self.reader.article.with(|a| a.as_ref().filter(|a| a.summary.id == id).map(|a| a.summary.bookmarked))
            })
            .unwrap_or(false)
    }

    fn read_state(self, id: ArticleId) -> bool {
        if let Some(r) = self.marks.read_now.with(|m| m.get(&id).copied()) {
            return r;
        }
        self.list.articles.with(|l| l.iter().find(|a| a.id == id).map(|a| a.read)).unwrap_or(false)
    }

    /// Bookmarks or un-bookmarks an article (b, or the star).
    pub fn toggle_bookmark(self, id: ArticleId) {
        let on = !self.bookmarked_state(id);
        self.marks.bookmarked_now.update(|m| {
            m.insert(id, on);
        });
        spawn(async move {
            if let Err(e) = api::set_bookmark(id, on).await {
                self.marks.bookmarked_now.update(|m| {
                    m.insert(id, !on);
                });
                self.fail("Bookmarking", e);
            }
        });
    }

    /// Marks an article read or unread (m).
    pub fn toggle_read(self, id: ArticleId) {
        let read = !self.read_state(id);
        self.mark_read_locally(id, read);
        let copies = self.prefs.settings.with_untracked(|s| s.read_copies);
        spawn(async move {
            match api::set_read(id, read, copies).await {
                // Its copies (marked with it) show it at once too.
                Ok(ids) => ids.into_iter().for_each(|i| self.mark_read_locally(i, read)),
                Err(e) => {
                    // Shown as it is stored: a mark that was not saved is taken back.
                    self.mark_read_locally(id, !read);
                    self.fail("Marking read or unread", e);
                }
            }
        });
    }

    /// Marks everything in the current view read.
    pub fn mark_view_read(self) {
        let view = self.list.view.get_clone_untracked();
        let ids: Vec<ArticleId> = self.list.articles.with(|l| l.iter().map(|a| a.id).collect());
        spawn(async move {
            let result = match &view {
                // A search result set has no filter form: mark its rows one by one.
                ListView::Search(_) => {
                    // The first failure stops it and is shown; the rows marked so far stay so.
                    let mut marked = Vec::with_capacity(ids.len());
                    let mut failure = None;
                    for id in &ids {
                        match api::set_read(*id, true, false).await {
                            Ok(_) => marked.push(*id),
                            Err(e) => {
                                failure = Some(e);
                                break;
                            }
                        }
                    }
                    if let Some(e) = failure {
                        self.marks.read_now.update(|m| m.extend(marked.into_iter().map(|id| (id, true))));
                        self.fail("Marking the view read", e);
                        return;
                    }
                    Ok(ids.len())
                }
                other => api::mark_all_read(other.filters()).await,
            };
            match result {
                // One update for all of them: one per row re-ran every drawn row's classes for
                // each of thousands of loaded rows.
                Ok(_) => self.marks.read_now.update(|m| m.extend(ids.into_iter().map(|id| (id, true)))),
                Err(e) => self.fail("Marking the view read", e),
            }
        });
    }

    /// Sets the open article's user tags.
    pub fn set_user_tags(self, id: ArticleId, tags: Vec<String>) {
        spawn(async move {
            match api::set_user_tags(id, tags).await {
                Ok(tags) => {
                    self.reader.article.update(|a| {
                        if let Some(a) = a.as_mut().filter(|a| a.summary.id == id) {
                            a.summary.user_tags = tags;
                        }
                    });
                    self.reload_sidebar();
                }
                Err(e) => self.fail("Saving the tags", e),
            }
        });
    }

    pub fn rename_user_tag(self, from: String, to: String) {
        spawn(async move {
            match api::rename_user_tag(from.clone(), to.clone()).await {
                Ok(()) => {
                    if self.list.view.get_clone_untracked() == ListView::UserTag(from.clone()) {
                        self.list.view.set(ListView::UserTag(to.clone()));
                    }
                    // A search kept to that tag follows it too.
                    if self.list.search_scope.with_untracked(|s| s.filters.user_tag.as_deref() == Some(from.as_str())) {
                        self.narrow_search(|s| {
                            s.filters.user_tag = Some(to.clone());
                            s.within = Some(ListView::UserTag(to));
                        });
                    }
                    self.reload_sidebar();
                    self.sync.content_version.update(|v| *v += 1);
                }
                Err(e) => self.fail("Renaming the tag", e),
            }
        });
    }

    pub fn delete_user_tag(self, name: String) {
        spawn(async move {
            match api::delete_user_tag(name.clone()).await {
                Ok(()) => {
                    if self.list.view.get_clone_untracked() == ListView::UserTag(name.clone()) {
                        self.list.view.set(ListView::All);
                    }
                    if self.list.search_scope.with_untracked(|s| s.filters.user_tag.as_deref() == Some(name.as_str())) {
                        self.narrow_search(|s| {
                            s.filters.user_tag = None;
                            s.within = None;
                        });
                    }
                    self.reload_sidebar();
                    self.sync.content_version.update(|v| *v += 1);
                }
                Err(e) => self.fail("Deleting the tag", e),
            }
        });
    }

    /// Searches for `query`; begun from a narrower view (a category, a tag, unread …), the
    /// search keeps to it until the reader removes that filter.
    pub fn search(self, query: String) {
        let q = query.trim().to_string();
        if q.is_empty() {
            self.show(ListView::All);
            return;
        }
        let from = self.list.view.get_clone_untracked();
        if !matches!(from, ListView::Search(_)) {
            let within = (from != ListView::All).then(|| from.clone());
            self.list.search_scope.set(SearchScope { filters: from.filters(), within, since: None, until: None });
        }
        self.show(ListView::Search(q));
    }

    /// Changes what the current search is narrowed to (the list reloads).
    pub fn narrow_search(self, f: impl FnOnce(&mut SearchScope)) {
        let mut scope = self.list.search_scope.get_clone_untracked();
        f(&mut scope);
        self.list.search_scope.set(scope);
    }

    /// What the list is asked to show now (`tracked`: read inside the list's effect, so a
    /// change of any of it fetches anew). A page's answer is shown only while this is still
    /// what it was asked for: the view, a search's scope and order (Relevance then Newest
    /// toggled fast must not leave the older answer under the newer button), and the content
    /// (an answer begun before a sync ended is not the latest).
    fn list_ask(self, tracked: bool) -> ListAsk {
        let view = if tracked { self.list.view.get_clone() } else { self.list.view.get_clone_untracked() };
        let newest = if tracked { self.list.search_newest.get() } else { self.list.search_newest.get_untracked() };
        let version = if tracked { self.sync.content_version.get() } else { self.sync.content_version.get_untracked() };
        // Only a search depends on its scope (a list is not reloaded when it changes).
        let scope = match view {
            ListView::Search(_) if tracked => self.list.search_scope.get_clone(),
            ListView::Search(_) => self.list.search_scope.get_clone_untracked(),
            _ => SearchScope::default(),
        };
        let sort = if newest { SearchSort::Newest } else { SearchSort::Relevance };
        let collapse = if tracked { self.list.collapse.get() } else { self.list.collapse.get_untracked() };
        ListAsk { view, scope, sort, version, collapse }
    }

    pub fn update_settings(self, f: impl FnOnce(&Settings) -> Settings) {
        let next = self.prefs.settings.with_untracked(f);
        self.prefs.settings.set(next);
        self.persist_settings();
    }

    /// Saves the settings, one write at a time: concurrent IPC calls may finish in any order,
    /// and an older document must never overwrite a newer one. Each write sends the settings
    /// as they are when it starts; changes made meanwhile get one more write. Runs in the
    /// global scope, so closing the component that changed a setting doesn't cancel it.
    fn persist_settings(self) {
        if self.prefs.saving.get_untracked() {
            self.prefs.save_again.set(true);
            return;
        }
        self.prefs.saving.set(true);
        use_global_scope().run_in(|| {
            spawn(async move {
                loop {
                    self.prefs.save_again.set(false);
                    let json = self.prefs.settings.with_untracked(Settings::to_json);
                    if let Err(e) = api::set_ui_settings(json).await {
                        self.fail("Saving the settings", e);
                    }
                    if !self.prefs.save_again.get_untracked() {
                        break;
                    }
                }
                self.prefs.saving.set(false);
            })
        });
    }

    fn mark_read_locally(self, id: ArticleId, read: bool) {
        self.marks.read_now.update(|m| {
            m.insert(id, read);
        });
    }

    /// After posts were deleted or the archive restored: ids may now name other posts (SQLite
    /// reuses the highest ones), so the list, the open article and the session's marks are
    /// dropped before the views reload, and no row keyed by an old id lives on.
    pub fn archive_replaced(self) {
        self.list.articles.set(Vec::new());
        self.list.snippets.set(HashMap::new());
        self.marks.read_now.set(HashMap::new());
        self.marks.bookmarked_now.set(HashMap::new());
        self.reader.selected.set(None);
        self.reader.article.set(None);
        self.sync.content_version.update(|v| *v += 1);
        self.reload_sidebar();
    }

    /// Whether an article is read, counting changes made since the list was loaded.
    pub fn is_read(self, article: &ArticleSummary) -> bool {
        self.marks.read_now.with(|m| m.get(&article.id).copied()).unwrap_or(article.read)
    }

    /// Display name of a category slug: from the sidebar's page, else from a loaded row that
    /// carries it (rows bring their categories' names), else the slug itself.
    pub fn category_name(self, slug: &str) -> String {
        self.library
            .categories
            .with(|cs| cs.iter().find(|c| c.slug == slug).map(|c| c.name.clone()))
            .or_else(|| {
                self.list.articles.with(|list| {
                    list.iter().find_map(|a| {
                        let i = a.categories.iter().position(|c| c == slug)?;
                        a.category_names.get(i).cloned()
                    })
                })
            })
            .unwrap_or_else(|| slug.to_string())
    }

    /// `en` in the reader's language (reactive: reads the settings).
    /// Shows an error, saying what was being done when it happened (the reader can dismiss it).
    pub fn fail(self, doing: &'static str, e: impl std::fmt::Display) {
        self.error.set(Some(format!("{}: {e}", self.t(doing))));
    }

    pub fn t(self, en: &'static str) -> &'static str {
        let lang = self.prefs.settings.with(|s| crate::i18n::resolve(&s.language, &crate::i18n::system_language()));
        crate::i18n::tr(lang, en)
    }

    pub fn t_dyn(self, en: &str) -> String {
        let lang = self.prefs.settings.with(|s| crate::i18n::resolve(&s.language, &crate::i18n::system_language()));
        crate::i18n::tr_dyn(lang, en)
    }

    /// Title of the current list.
    pub fn list_title(self) -> String {
        self.view_title(&self.list.view.get_clone())
    }

    /// What a view is called in its header (and in a search's "in …" filter).
    pub fn view_title(self, view: &ListView) -> String {
        match view.clone() {
            ListView::All => self.t("All articles").to_string(),
            ListView::Unread => self.t("Unread").to_string(),
            ListView::Bookmarked => self.t("Bookmarked").to_string(),
            ListView::Category(slug) => self.category_name(&slug),
            ListView::Tag(t) => format!("# {t}"),
            // Words, not an emoji: a desktop without an emoji font shows a box.
            ListView::UserTag(t) => format!("{}{t}", self.t("Tag: ")),
            ListView::Search(q) => format!("{}{q}", self.t("Search: ")),
        }
    }
}

/// Resolves after `ms` milliseconds (the browser's timer).
#[cfg(target_arch = "wasm32")]
pub(crate) async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

#[cfg(not(target_arch = "wasm32"))]
pub(crate) async fn sleep_ms(_ms: i32) {}

#[cfg(target_arch = "wasm32")]
pub(crate) fn spawn(fut: impl std::future::Future<Output = ()> + 'static) {
    sycamore::futures::spawn_local_scoped(fut);
}

/// Natively (tests) a spawned task waits in a queue until the test runs it
/// ([`run_tasks`]); a component test that never does sees the state it set up itself.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn spawn(fut: impl std::future::Future<Output = ()> + 'static) {
    native::TASKS.with(|t| t.borrow_mut().push(Box::pin(fut)));
}

/// Native tests: runs the UI's spawned tasks until none can go on (each is done or waits
/// for an answer the test has not given yet, `api::fake`). Call it inside the reactive root
/// the state was made in.
#[cfg(not(target_arch = "wasm32"))]
pub fn run_tasks() {
    use std::task::Context;
    let waker = std::task::Waker::noop();
    let mut cx = Context::from_waker(waker);
    // Bounded: a task that always has more to do is a bug this makes a failure, not a hang.
    for _ in 0..10_000 {
        let tasks = native::TASKS.with(|t| std::mem::take(&mut *t.borrow_mut()));
        if tasks.is_empty() {
            return;
        }
        let before = tasks.len();
        let mut waiting = Vec::new();
        for mut task in tasks {
            if task.as_mut().poll(&mut cx).is_pending() {
                waiting.push(task);
            }
        }
        let spawned = native::TASKS.with(|t| !t.borrow().is_empty());
        let stalled = waiting.len() == before && !spawned;
        native::TASKS.with(|t| {
            t.borrow_mut().splice(0..0, waiting);
        });
        // Polled once more after any progress: an answer given while a task was running
        // is seen in the next round (the fake's answers need no waker to be read).
        if stalled {
            return;
        }
    }
    panic!("the UI's tasks never settled");
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::cell::RefCell;
    use std::future::Future;
    use std::pin::Pin;

    thread_local! {
        pub static TASKS: RefCell<Vec<Pin<Box<dyn Future<Output = ()>>>>> = const { RefCell::new(Vec::new()) };
    }
}

/// Puts the article list back at its first row.
fn scroll_list_to_top() {
    #[cfg(target_arch = "wasm32")]
    if let Some(list) =
        web_sys::window().and_then(|w| w.document()).and_then(|d| d.query_selector(".list").ok().flatten())
    {
        list.set_scroll_top(0);
    }
}

/// How far down the list is scrolled (px; 0 outside the webview).
fn list_scroll_top() -> i32 {
    #[cfg(target_arch = "wasm32")]
    if let Some(list) =
        web_sys::window().and_then(|w| w.document()).and_then(|d| d.query_selector(".list").ok().flatten())
    {
        return list.scroll_top();
    }
    0
}
