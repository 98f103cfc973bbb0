//! The Broadsheet reader UI (Sycamore, compiled to wasm).
//!
//! Invariant: the UI talks to the backend only through [`api`]; components read and write
//! app state through [`state::AppState`] in context, so they render the same natively
//! (for tests, via SSR) as in the webview.

pub mod api;
pub mod capture;
pub mod components;
pub mod format;
pub mod i18n;
pub mod keyboard;
pub mod links;
pub mod rows;
pub mod settings;
pub mod state;
pub mod view;

use sycamore::prelude::*;

use components::{ArticleList, Reader, Resizer, Sidebar};
use state::AppState;

#[component]
pub fn App() -> View {
    let state = AppState::new();
    provide_context(state);
    state.start_loading();
    keyboard::install(state);
    capture::install(state);
    follow_theme(state);
    view! {
        div(class="app") {
            Sidebar {}
            Resizer(sidebar=true)
            ArticleList {}
            Resizer(sidebar=false)
            Reader {}
            HelpOverlay {}
            UnopenedBanner {}
        }
    }
}

/// Across the window's top when the usual archive could not be opened (damaged, from a newer
/// Broadsheet, on a disk that fails): why, that the archive open is temporary, and a way on.
#[component]
pub fn UnopenedBanner() -> View {
    let state = use_context::<AppState>();
    let why = create_signal(None::<String>);
    let failed = create_signal(None::<String>);
    state::spawn(async move {
        if let Ok(l) = api::archive_location().await {
            why.set(l.unopened);
        }
    });
    let start_new = move |_| {
        state::spawn(async move {
            if let Err(e) = api::start_new_archive().await {
                failed.set(Some(e.to_string()));
            }
        });
    };
    view! {
        (why.get_clone().map(|reason| view! {
            div(class="unopened-banner", role="alert") {
                button(class="unopened-dismiss", aria-label=state.t("Dismiss"), on:click=move |_| why.set(None)) { "×" }
                p {
                    strong { (state.t("Your archive could not be opened:")) } " " span(class="unopened-why") { (reason) }
                }
                p {
                    (state.t("Nothing in it was changed. This window shows a temporary archive: what you do here is not kept."))
                }
                div(class="unopened-actions") {
                    button(class="start-new-archive", on:click=start_new) {
                        (state.t("Start a new archive (Broadsheet restarts)"))
                    }
                    span(class="unopened-hint") { (state.t("or open another one in Settings → Your archive.")) }
                }
                (failed.get_clone().map(|e| view! { p(class="unopened-failed") { (e) } }))
            }
        }))
    }
}

/// The keyboard shortcut list, toggled with `?`.
#[component]
pub fn HelpOverlay() -> View {
    let state = use_context::<AppState>();
    view! {
        (if state.help_open.get() {
            view! {
                div(class="help-overlay", role="dialog", aria-modal="true", aria-label="Keyboard shortcuts",
                    on:click=move |_| state.help_open.set(false)) {
                    div(class="help-box") {
                        h2 { (state.t("Keyboard shortcuts")) }
                        dl {
                            (keyboard::HELP.iter().map(|(k, what)| view! { dt { kbd { (*k) } } dd { (state.t(what)) } }).collect::<Vec<_>>())
                        }
                    }
                }
            }
        } else {
            view! {}
        })
    }
}

/// Applies the theme (`system` follows the OS through CSS) and the pane widths to the page.
/// Widths are CSS variables set through the CSSOM, which the CSP allows (inline style
/// attributes it does not).
fn follow_theme(state: AppState) {
    create_effect(move || {
        let (theme, sidebar, list) = state.prefs.settings.with(|s| (s.theme.clone(), s.sidebar_width, s.list_width));
        #[cfg(target_arch = "wasm32")]
        if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
            use wasm_bindgen::JsCast;
            let _ = root.set_attribute("data-theme", &theme);
            if let Ok(el) = root.dyn_into::<web_sys::HtmlElement>() {
                let _ = el.style().set_property("--sidebar-w", &format!("{sidebar}px"));
                let _ = el.style().set_property("--list-w", &format!("{list}px"));
            }
        }
        #[cfg(not(target_arch = "wasm32"))]
        let _ = (theme, sidebar, list);
    });
}

/// Mounts the app into `<body>`; called once by the wasm entry point.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    sycamore::render(App);
}
