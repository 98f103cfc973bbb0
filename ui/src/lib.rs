//! The Broadsheet reader UI (Sycamore, compiled to wasm).
//!
//! Invariant: the UI talks to the backend only through [`api`]; components read and write
//! app state through [`state::AppState`] in context, so they render the same natively
//! (for tests, via SSR) as in the webview.

pub mod api;
pub mod components;
pub mod format;
pub mod i18n;
pub mod keyboard;
pub mod links;
pub mod settings;
pub mod state;
pub mod view;

use sycamore::prelude::*;

use components::{ArticleList, Reader, Sidebar};
use state::AppState;

#[component]
pub fn App() -> View {
    let state = AppState::new();
    provide_context(state);
    state.start_loading();
    keyboard::install(state);
    follow_theme(state);
    view! {
        div(class="app") {
            Sidebar {}
            ArticleList {}
            Reader {}
            HelpOverlay {}
        }
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

/// Applies the theme setting to the page (`system` follows the OS through CSS).
fn follow_theme(state: AppState) {
    create_effect(move || {
        let theme = state.settings.with(|s| s.theme.clone());
        #[cfg(target_arch = "wasm32")]
        if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
            let _ = root.set_attribute("data-theme", &theme);
        }
        #[cfg(not(target_arch = "wasm32"))]
        let _ = theme;
    });
}

/// Mounts the app into `<body>`; called once by the wasm entry point.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    sycamore::render(App);
}
