//! The Broadsheet reader UI (Sycamore, compiled to wasm).
//!
//! Invariant: the UI talks to the backend only through [`api`]; components read and write
//! app state through [`state::AppState`] in context, so they render the same natively
//! (for tests, via SSR) as in the webview.

pub mod api;
pub mod components;
pub mod format;
pub mod links;
pub mod state;

use sycamore::prelude::*;

use components::{ArticleList, Reader, Sidebar};
use state::AppState;

#[component]
pub fn App() -> View {
    let state = AppState::new();
    provide_context(state);
    state.start_loading();
    view! {
        div(class="app") {
            Sidebar {}
            ArticleList {}
            Reader {}
        }
    }
}

/// Mounts the app into `<body>`; called once by the wasm entry point.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    sycamore::render(App);
}
