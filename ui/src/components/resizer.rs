use sycamore::prelude::*;

use crate::state::AppState;

/// A draggable (and keyboard-adjustable) border between two panes.
#[component(inline_props)]
pub fn Resizer(sidebar: bool) -> View {
    let state = use_context::<AppState>();
    let start = create_signal(None::<(i32, u32)>);
    let label = if sidebar { "Resize the sidebar" } else { "Resize the article list" };
    let width = move || state.prefs.settings.with(|s| if sidebar { s.sidebar_width } else { s.list_width });
    let down = move |e: web_sys::PointerEvent| {
        start.set(Some((e.client_x(), width())));
        capture(&e);
    };
    let moved = move |e: web_sys::PointerEvent| {
        if let Some((x0, w0)) = start.get() {
            let target = w0 as i32 + e.client_x() - x0;
            // Live, without saving on every pixel.
            state.prefs.settings.update(|s| *s = s.with_pane_resized(sidebar, target - width() as i32));
        }
    };
    let up = move |_: web_sys::PointerEvent| {
        if start.get().is_some() {
            start.set(None);
            state.update_settings(|s| s.clone());
        }
    };
    let key = move |e: web_sys::KeyboardEvent| {
        let step = match e.key().as_str() {
            "ArrowLeft" => -16,
            "ArrowRight" => 16,
            _ => return,
        };
        e.prevent_default();
        state.update_settings(|s| s.with_pane_resized(sidebar, step));
    };
    view! {
        div(class="resizer", role="separator", aria-orientation="vertical", aria-label=label, tabindex="0",
            aria-valuenow=move || width().to_string(),
            on:pointerdown=down, on:pointermove=moved, on:pointerup=up, on:keydown=key)
    }
}

fn capture(e: &web_sys::PointerEvent) {
    #[cfg(target_arch = "wasm32")]
    {
        use wasm_bindgen::JsCast;
        if let Some(el) = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
            let _ = el.set_pointer_capture(e.pointer_id());
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = e;
}
