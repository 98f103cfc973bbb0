//! Keyboard shortcuts: j/k next/previous, o or Enter open, b bookmark, t tag, m read/unread,
//! / search, r sync, ? help, Escape closes help or leaves a text box.

use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAction {
    Next,
    Previous,
    Open,
    Bookmark,
    Tag,
    ToggleRead,
    Search,
    Sync,
    Help,
    Escape,
}

/// The action for a key, given whether a text box has focus (then only Escape acts) and
/// whether a modifier is held (then nothing does: those keys belong to the system).
pub fn action_for(key: &str, in_text_box: bool, modifier: bool) -> Option<KeyAction> {
    if modifier {
        return None;
    }
    if key == "Escape" {
        return Some(KeyAction::Escape);
    }
    if in_text_box {
        return None;
    }
    Some(match key {
        "j" | "ArrowDown" => KeyAction::Next,
        "k" | "ArrowUp" => KeyAction::Previous,
        "o" | "Enter" => KeyAction::Open,
        "b" => KeyAction::Bookmark,
        "t" => KeyAction::Tag,
        "m" => KeyAction::ToggleRead,
        "/" => KeyAction::Search,
        "r" => KeyAction::Sync,
        "?" => KeyAction::Help,
        _ => return None,
    })
}

/// Carries out an action; returns whether the key was used.
pub fn perform(state: AppState, action: KeyAction) -> bool {
    match action {
        KeyAction::Next => state.move_cursor(1),
        KeyAction::Previous => state.move_cursor(-1),
        KeyAction::Open => state.open_cursor(),
        KeyAction::Bookmark => match state.current() {
            Some(id) => state.toggle_bookmark(id),
            None => return false,
        },
        KeyAction::ToggleRead => match state.current() {
            Some(id) => state.toggle_read(id),
            None => return false,
        },
        KeyAction::Tag => focus("tag-input"),
        KeyAction::Search => focus("search-input"),
        KeyAction::Sync => state.sync_now(),
        KeyAction::Help => state.help_open.set(!state.help_open.get()),
        KeyAction::Escape => {
            state.help_open.set(false);
            blur();
        }
    }
    true
}

/// The shortcut list for the help overlay.
pub const HELP: &[(&str, &str)] = &[
    ("j / k", "next / previous article"),
    ("o / Enter", "open the article"),
    ("b", "bookmark"),
    ("t", "tag"),
    ("m", "mark read / unread"),
    ("/", "search"),
    ("r", "sync now"),
    ("?", "this help"),
    ("Esc", "close / leave a text box"),
];

#[cfg(target_arch = "wasm32")]
fn focus(id: &str) {
    use wasm_bindgen::JsCast;
    if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id)) {
        if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
            let _ = el.focus();
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn blur() {
    use wasm_bindgen::JsCast;
    if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.active_element()) {
        if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
            let _ = el.blur();
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn focus(_id: &str) {}
#[cfg(not(target_arch = "wasm32"))]
fn blur() {}

/// Whether an event's target is a text box (typing there is the reader's, not a shortcut
/// or a URL to save).
#[cfg(target_arch = "wasm32")]
pub(crate) fn in_text_box(target: Option<web_sys::EventTarget>) -> bool {
    use wasm_bindgen::JsCast;
    target
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
}

/// Listens for shortcuts on the window and keeps the cursor row in view.
#[cfg(target_arch = "wasm32")]
pub fn install(state: AppState) {
    use sycamore::prelude::*;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    let scope = use_current_scope();
    let handler = Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(move |e: web_sys::KeyboardEvent| {
        let in_text_box = in_text_box(e.target());
        let modifier = e.ctrl_key() || e.meta_key() || e.alt_key();
        if let Some(action) = action_for(&e.key(), in_text_box, modifier) {
            // Enter on a focused button belongs to the button.
            let on_button = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|el| el.tag_name() == "BUTTON");
            if action == KeyAction::Open && e.key() == "Enter" && on_button {
                return;
            }
            if scope.run_in(|| perform(state, action)) {
                e.prevent_default();
            }
        }
    });
    if let Some(w) = web_sys::window() {
        let _ = w.add_event_listener_with_callback("keydown", handler.as_ref().unchecked_ref());
    }
    handler.forget();
    // Keep the cursor row on screen. Rows outside the rendered window don't exist yet, so
    // the list is scrolled by arithmetic (from the rows' measured or estimated heights), which also
    // moves the window.
    create_effect(move || {
        let Some(id) = state.list.cursor.get() else { return };
        let Some(index) = state.index_of(id) else { return };
        let doc = web_sys::window().and_then(|w| w.document());
        let Some(list) = doc.as_ref().and_then(|d| d.query_selector(".list").ok().flatten()) else { return };
        let header =
            doc.as_ref().and_then(|d| d.query_selector(".list-header").ok().flatten()).map_or(0, |h| h.client_height());
        let (start, end) = state
            .list
            .row_offsets
            .with_untracked(|o| (o.get(index).copied().unwrap_or(0), o.get(index + 1).copied().unwrap_or(0)));
        let (row_top, row_bottom) = (header + start as i32, header + end as i32);
        let (top, height) = (list.scroll_top(), list.client_height());
        if row_top - header < top {
            list.set_scroll_top(row_top - header);
        } else if row_bottom > top + height {
            list.set_scroll_top(row_bottom - height);
        }
        state.scrolled_to(list.scroll_top());
    });
}

#[cfg(not(target_arch = "wasm32"))]
pub fn install(_state: AppState) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_map_to_actions_except_in_text_boxes_or_with_modifiers() {
        assert_eq!(action_for("j", false, false), Some(KeyAction::Next));
        assert_eq!(action_for("Enter", false, false), Some(KeyAction::Open));
        assert_eq!(action_for("/", false, false), Some(KeyAction::Search));
        assert_eq!(action_for("j", true, false), None, "typing j in the search box types j");
        assert_eq!(action_for("Escape", true, false), Some(KeyAction::Escape));
        assert_eq!(action_for("r", false, true), None, "Ctrl+R is not ours");
        assert_eq!(action_for("x", false, false), None);
    }
}
