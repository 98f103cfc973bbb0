//! The one place that calls the backend: typed wrappers over a [`Backend`] — Tauri's
//! `invoke` and `listen` in the app window, a fake in native tests (`api::fake`). The
//! wrappers turn typed arguments and answers into JSON and back; the backend only carries
//! JSON, so a fake answers exactly what the real commands would.

use broadsheet_model::{
    ApiError, ArticleDetail, ArticleId, ArticleQuery, ArticleSummary, CategoryCount, ExportDone, Filters, LabelPage,
    LabelQuery, OpmlDone, RetentionInfo, SearchHit, SearchQuery, SourceId, SourceInfo, SyncEvent, TagCount,
};
use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;
use std::{cell::RefCell, future::Future, pin::Pin, rc::Rc};

/// An answer on its way from the backend.
pub type Reply = Pin<Box<dyn Future<Output = Result<Value, ApiError>>>>;

/// What the UI needs of a backend: commands (JSON arguments, a JSON answer or an
/// [`ApiError`]) and events (a JSON payload per event, for the life of the page; the
/// future ends once the listener is registered).
pub trait Backend {
    fn invoke(&self, cmd: &'static str, args: Value) -> Reply;
    fn listen(&self, event: &'static str, on_event: Box<dyn Fn(Value)>) -> Pin<Box<dyn Future<Output = ()>>>;
}

thread_local! {
    static BACKEND: RefCell<Option<Rc<dyn Backend>>> = const { RefCell::new(None) };
}

/// Makes `backend` the one every call goes to from now on: the app installs Tauri's at
/// start; a native test installs a fake (`fake::Fake::install`).
pub fn install(backend: Rc<dyn Backend>) {
    BACKEND.with(|b| *b.borrow_mut() = Some(backend));
}

/// The installed backend; none installed is the window's Tauri (in wasm) or a backend
/// that answers every call with an error (natively).
fn backend() -> Rc<dyn Backend> {
    BACKEND.with(|b| {
        b.borrow_mut()
            .get_or_insert_with(|| {
                #[cfg(target_arch = "wasm32")]
                return Rc::new(Tauri);
                #[cfg(not(target_arch = "wasm32"))]
                return Rc::new(Absent);
            })
            .clone()
    })
}

async fn call<A: Serialize, T: DeserializeOwned>(cmd: &'static str, args: &A) -> Result<T, ApiError> {
    let args = serde_json::to_value(args).map_err(|e| ApiError::InvalidInput(e.to_string()))?;
    let reply = backend().invoke(cmd, args).await?;
    serde_json::from_value(reply).map_err(|e| ApiError::Storage(format!("bad reply to {cmd}: {e}")))
}

/// Calls `on_event` with the payload of every backend event named `name`, for the life of
/// the page (payloads that do not read as `T` are skipped).
async fn listen<T: DeserializeOwned + 'static>(name: &'static str, on_event: impl Fn(T) + 'static) {
    backend()
        .listen(
            name,
            Box::new(move |payload| {
                if let Ok(event) = serde_json::from_value::<T>(payload) {
                    on_event(event);
                }
            }),
        )
        .await;
}

#[derive(Serialize)]
struct LabelArgs {
    query: LabelQuery,
}

pub async fn list_categories(query: LabelQuery) -> Result<LabelPage<CategoryCount>, ApiError> {
    call("list_categories", &LabelArgs { query }).await
}

pub async fn list_articles(query: ArticleQuery) -> Result<Vec<ArticleSummary>, ApiError> {
    #[derive(Serialize)]
    struct Args {
        query: ArticleQuery,
    }
    call("list_articles", &Args { query }).await
}

pub async fn get_article(id: ArticleId) -> Result<ArticleDetail, ApiError> {
    #[derive(Serialize)]
    struct Args {
        id: ArticleId,
    }
    call("get_article", &Args { id }).await
}

/// Marks a post read or unread (with `copies`, every copy of its story); the ids marked.
pub async fn set_read(id: ArticleId, read: bool, copies: bool) -> Result<Vec<ArticleId>, ApiError> {
    #[derive(Serialize)]
    struct Args {
        id: ArticleId,
        read: bool,
        copies: bool,
    }
    call("set_read", &Args { id, read, copies }).await
}

/// The other posts of an article's story (copies under other outlets or sources).
pub async fn list_duplicates(id: ArticleId) -> Result<Vec<ArticleSummary>, ApiError> {
    #[derive(Serialize)]
    struct Args {
        id: ArticleId,
    }
    call("list_duplicates", &Args { id }).await
}

/// Opens a web page in the system browser.
pub async fn open_external(url: String) -> Result<(), ApiError> {
    #[derive(Serialize)]
    struct Args {
        url: String,
    }
    call("open_external", &Args { url }).await
}

pub async fn list_sources() -> Result<Vec<SourceInfo>, ApiError> {
    call("list_sources", &NoArgs {}).await
}

/// Adds a source from a URL (feed, site, git repository) or a folder path.
pub async fn add_source(input: String) -> Result<SourceId, ApiError> {
    #[derive(Serialize)]
    struct Args {
        input: String,
    }
    call("add_source", &Args { input }).await
}

pub async fn remove_source(id: SourceId, keep_articles: bool) -> Result<(), ApiError> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Args {
        id: SourceId,
        keep_articles: bool,
    }
    call("remove_source", &Args { id, keep_articles }).await
}

pub async fn sync_now() -> Result<bool, ApiError> {
    call("sync_now", &NoArgs {}).await
}

pub async fn cancel_sync() -> Result<bool, ApiError> {
    call("cancel_sync", &NoArgs {}).await
}

pub async fn sync_running() -> Result<bool, ApiError> {
    call("sync_running", &NoArgs {}).await
}

/// Calls `on_event` for every sync progress event.
pub async fn listen_sync(on_event: impl Fn(SyncEvent) + 'static) {
    listen("sync", on_event).await
}

/// Calls `on_event` whenever a device sync ends.
pub async fn listen_devices(on_event: impl Fn(broadsheet_model::DevicesEvent) + 'static) {
    listen("devices", on_event).await
}

/// Calls `on_found` whenever copies of stories were found among new posts (their number).
pub async fn listen_duplicates(on_found: impl Fn(u64) + 'static) {
    listen("duplicates", on_found).await
}

pub async fn search(query: SearchQuery) -> Result<Vec<SearchHit>, ApiError> {
    #[derive(Serialize)]
    struct Args {
        query: SearchQuery,
    }
    call("search", &Args { query }).await
}

/// How many articles a view holds.
pub async fn count_articles(filters: Filters) -> Result<u64, ApiError> {
    #[derive(Serialize)]
    struct Args {
        filters: Filters,
    }
    call("count_articles", &Args { filters }).await
}

/// How many articles a search matches.
pub async fn search_count(query: SearchQuery) -> Result<u64, ApiError> {
    #[derive(Serialize)]
    struct Args {
        query: SearchQuery,
    }
    call("search_count", &Args { query }).await
}

pub async fn set_bookmark(id: ArticleId, on: bool) -> Result<(), ApiError> {
    #[derive(Serialize)]
    struct Args {
        id: ArticleId,
        on: bool,
    }
    call("set_bookmark", &Args { id, on }).await
}

pub async fn set_user_tags(id: ArticleId, tags: Vec<String>) -> Result<Vec<String>, ApiError> {
    #[derive(Serialize)]
    struct Args {
        id: ArticleId,
        tags: Vec<String>,
    }
    call("set_user_tags", &Args { id, tags }).await
}

pub async fn get_image_budget() -> Result<broadsheet_model::ImageBudget, ApiError> {
    call("get_image_budget", &NoArgs {}).await
}

pub async fn set_image_budget(mib: u64) -> Result<broadsheet_model::ImageBudget, ApiError> {
    #[derive(Serialize)]
    struct Args {
        mib: u64,
    }
    call("set_image_budget", &Args { mib }).await
}

/// Saves a web page for offline reading (the "Saved" source); its images follow.
pub async fn save_page(url: String, tags: Vec<String>) -> Result<broadsheet_model::SavedPage, ApiError> {
    #[derive(Serialize)]
    struct Args {
        url: String,
        tags: Vec<String>,
    }
    call("save_page", &Args { url, tags }).await
}

/// This device, where it syncs the reader's state, and the other devices.
pub async fn get_devices() -> Result<broadsheet_model::DevicesInfo, ApiError> {
    call("get_devices", &NoArgs {}).await
}

/// Sets (empty: clears) the folder or git remote the devices sync through; syncs once.
pub async fn set_devices_remote(remote: String) -> Result<broadsheet_model::DevicesInfo, ApiError> {
    #[derive(Serialize)]
    struct Args {
        remote: String,
    }
    call("set_devices_remote", &Args { remote }).await
}

pub async fn sync_devices() -> Result<bool, ApiError> {
    call("sync_devices", &NoArgs {}).await
}

pub async fn pick_devices_folder() -> Result<Option<String>, ApiError> {
    call("pick_devices_folder", &NoArgs {}).await
}

pub async fn list_user_tags(query: LabelQuery) -> Result<LabelPage<TagCount>, ApiError> {
    call("list_user_tags", &LabelArgs { query }).await
}

pub async fn list_site_tags(query: LabelQuery) -> Result<LabelPage<TagCount>, ApiError> {
    call("list_site_tags", &LabelArgs { query }).await
}

pub async fn rename_user_tag(from: String, to: String) -> Result<(), ApiError> {
    #[derive(Serialize)]
    struct Args {
        from: String,
        to: String,
    }
    call("rename_user_tag", &Args { from, to }).await
}

pub async fn delete_user_tag(name: String) -> Result<(), ApiError> {
    #[derive(Serialize)]
    struct Args {
        name: String,
    }
    call("delete_user_tag", &Args { name }).await
}

pub async fn mark_all_read(filters: Filters) -> Result<usize, ApiError> {
    #[derive(Serialize)]
    struct Args {
        filters: Filters,
    }
    call("mark_all_read", &Args { filters }).await
}

pub async fn get_ui_settings() -> Result<Option<String>, ApiError> {
    call("get_ui_settings", &NoArgs {}).await
}

pub async fn set_ui_settings(json: String) -> Result<(), ApiError> {
    #[derive(Serialize)]
    struct Args {
        json: String,
    }
    call("set_ui_settings", &Args { json }).await
}

pub async fn set_sync_interval(id: SourceId, minutes: i64) -> Result<(), ApiError> {
    #[derive(Serialize)]
    struct Args {
        id: SourceId,
        minutes: i64,
    }
    call("set_sync_interval", &Args { id, minutes }).await
}

pub async fn set_site_alias(id: SourceId, url: String, keep: bool) -> Result<(), ApiError> {
    #[derive(Serialize)]
    struct Args {
        id: SourceId,
        url: String,
        keep: bool,
    }
    call("set_site_alias", &Args { id, url, keep }).await
}

/// The system folder picker; `None` when the reader cancels.
pub async fn pick_folder() -> Result<Option<String>, ApiError> {
    call("pick_folder", &NoArgs {}).await
}

/// Exports the archive (`json`, `markdown`, `opml`, `bookmarks`) where the reader chooses in
/// the system dialog; `None` when they cancel.
pub async fn export_archive(format: &str) -> Result<Option<ExportDone>, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        format: &'a str,
    }
    call("export_archive", &Args { format }).await
}

/// Restores a backup the reader chooses into this (fresh) archive; `None` when they cancel.
pub async fn restore_backup() -> Result<Option<ExportDone>, ApiError> {
    call("restore_backup", &NoArgs {}).await
}

/// Restores a backup the reader chooses into a new archive in a folder they choose, leaving
/// this one as it is; `None` when they cancel.
pub async fn restore_into_new_archive() -> Result<Option<ExportDone>, ApiError> {
    call("restore_into_new_archive", &NoArgs {}).await
}

/// Picks a folder holding another archive, to switch to; `None` when they cancel.
pub async fn open_other_archive() -> Result<Option<String>, ApiError> {
    call("open_other_archive", &NoArgs {}).await
}

/// The archive open now and the one the window could switch to.
pub async fn archive_location() -> Result<broadsheet_model::ArchiveLocation, ApiError> {
    call("archive_location", &NoArgs {}).await
}

/// Restarts the app on the archive offered (or the default one).
pub async fn switch_archive(to_default: bool) -> Result<(), ApiError> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Args {
        to_default: bool,
    }
    call("switch_archive", &Args { to_default }).await
}

/// When the usual archive could not be opened: a new one, and a restart on it.
pub async fn start_new_archive() -> Result<(), ApiError> {
    call("start_new_archive", &NoArgs {}).await
}

/// Adds the feeds of an OPML file the reader chooses; `None` when they cancel.
pub async fn import_opml_file() -> Result<Option<OpmlDone>, ApiError> {
    call("import_opml_file", &NoArgs {}).await
}

#[derive(Serialize)]
struct Days {
    days: u32,
}

/// What retention would remove for posts older than `days`.
pub async fn retention_preview(days: u32) -> Result<RetentionInfo, ApiError> {
    call("retention_preview", &Days { days }).await
}

/// Removes unmarked posts older than `days`, and the images only they use.
pub async fn apply_retention(days: u32) -> Result<RetentionInfo, ApiError> {
    call("apply_retention", &Days { days }).await
}

#[derive(Serialize)]
struct NoArgs {}

/// Tells the backend, once per window, that the first list has been painted (the start-up
/// mark): after two animation frames, so the rows are on screen, not only in the DOM.
pub fn mark_first_rows_once(rows: u32) {
    use std::sync::atomic::{AtomicBool, Ordering};
    static SENT: AtomicBool = AtomicBool::new(false);
    if SENT.swap(true, Ordering::Relaxed) {
        return;
    }
    #[cfg(target_arch = "wasm32")]
    after_paint(move || {
        #[derive(Serialize)]
        struct Args {
            rows: u32,
        }
        // Outside any reactive scope (an animation frame's callback): not a scoped task.
        wasm_bindgen_futures::spawn_local(async move {
            let _: Result<(), ApiError> = call("mark_first_rows", &Args { rows }).await;
        });
    });
    #[cfg(not(target_arch = "wasm32"))]
    let _ = rows;
}

/// Runs `f` once what the DOM holds now has been painted: the frame after the next one
/// (the next frame's callbacks run before its layout and paint), or after 250 ms, whichever
/// comes first (a hidden window paints no frames). Natively (tests), at once.
pub fn after_paint(f: impl FnOnce() + 'static) {
    #[cfg(target_arch = "wasm32")]
    {
        use std::cell::Cell;
        use std::rc::Rc;
        use wasm_bindgen::prelude::*;
        /// `f`, until the first of the two ways to it takes it.
        type Once = Rc<Cell<Option<Box<dyn FnOnce()>>>>;
        let Some(window) = web_sys::window() else { return };
        let once: Once = Rc::new(Cell::new(Some(Box::new(f))));
        let run = move |once: &Once| {
            if let Some(f) = once.take() {
                f();
            }
        };
        let (painted, timed_out) = (once.clone(), once);
        let after_paint = Closure::once_into_js(move || run(&painted));
        let next_frame = Closure::once_into_js(move || {
            if let Some(w) = web_sys::window() {
                let _ = w.request_animation_frame(after_paint.unchecked_ref());
            }
        });
        let _ = window.request_animation_frame(next_frame.unchecked_ref());
        let timeout = Closure::once_into_js(move || run(&timed_out));
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(timeout.unchecked_ref(), 250);
    }
    #[cfg(not(target_arch = "wasm32"))]
    f();
}

/// The app window's backend: Tauri's IPC. Values cross as JSON text (`JSON.stringify` and
/// `parse` are the webview's own, fast), so numbers and nulls read exactly as serde wrote them.
#[cfg(target_arch = "wasm32")]
struct Tauri;

#[cfg(target_arch = "wasm32")]
mod ipc {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], catch)]
        pub async fn invoke(cmd: &str, args: JsValue) -> Result<JsValue, JsValue>;

        #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "event"], catch)]
        pub async fn listen(event: &str, handler: &Closure<dyn FnMut(JsValue)>) -> Result<JsValue, JsValue>;
    }
}

#[cfg(target_arch = "wasm32")]
fn from_js(v: &wasm_bindgen::JsValue) -> Option<Value> {
    if v.is_undefined() {
        return Some(Value::Null);
    }
    let text = js_sys::JSON::stringify(v).ok()?.as_string()?;
    serde_json::from_str(&text).ok()
}

#[cfg(target_arch = "wasm32")]
impl Backend for Tauri {
    fn invoke(&self, cmd: &'static str, args: Value) -> Reply {
        Box::pin(async move {
            let args = js_sys::JSON::parse(&args.to_string())
                .map_err(|_| ApiError::InvalidInput(format!("{cmd}: arguments")))?;
            match ipc::invoke(cmd, args).await {
                Ok(v) => from_js(&v).ok_or_else(|| ApiError::Storage(format!("bad reply to {cmd}"))),
                Err(e) => Err(from_js(&e)
                    .and_then(|v| serde_json::from_value::<ApiError>(v).ok())
                    .unwrap_or_else(|| ApiError::Storage(e.as_string().unwrap_or_else(|| format!("{cmd} failed"))))),
            }
        })
    }

    fn listen(&self, event: &'static str, on_event: Box<dyn Fn(Value)>) -> Pin<Box<dyn Future<Output = ()>>> {
        use wasm_bindgen::prelude::*;
        let handler = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            let payload = js_sys::Reflect::get(&e, &JsValue::from_str("payload")).unwrap_or(JsValue::NULL);
            if let Some(v) = from_js(&payload) {
                on_event(v);
            }
        });
        Box::pin(async move {
            let _ = ipc::listen(event, &handler).await;
            // The listener lives as long as the page.
            handler.forget();
        })
    }
}

/// Natively, with no fake installed: every call fails, no event comes.
#[cfg(not(target_arch = "wasm32"))]
struct Absent;

#[cfg(not(target_arch = "wasm32"))]
impl Backend for Absent {
    fn invoke(&self, cmd: &'static str, _args: Value) -> Reply {
        Box::pin(async move { Err(ApiError::Storage(format!("{cmd}: no backend outside the app window"))) })
    }

    fn listen(&self, _event: &'static str, _on_event: Box<dyn Fn(Value)>) -> Pin<Box<dyn Future<Output = ()>>> {
        Box::pin(async {})
    }
}

#[cfg(not(target_arch = "wasm32"))]
pub mod fake;
