//! A web address pasted or dropped anywhere in the window (outside a text box) is saved for
//! offline reading, like typing it into "Save a page".

use crate::state::AppState;

/// The web address `text` is, if it is one: a `text/uri-list` (its first address; `#` lines
/// are comments) or plain text holding one http(s) URL and nothing else.
pub fn url_in(text: &str) -> Option<String> {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('#'))?;
    let lower = line.to_ascii_lowercase();
    let web = lower.starts_with("https://") || lower.starts_with("http://");
    (web && line.len() > "https://".len() && !line.chars().any(char::is_whitespace) && line.len() <= 8192)
        .then(|| line.to_string())
}

#[cfg(target_arch = "wasm32")]
pub fn install(state: AppState) {
    use sycamore::prelude::use_current_scope;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    use crate::keyboard::in_text_box;

    let Some(w) = web_sys::window() else { return };
    let scope = use_current_scope();
    let paste = Closure::<dyn FnMut(web_sys::ClipboardEvent)>::new(move |e: web_sys::ClipboardEvent| {
        if in_text_box(e.target()) {
            return;
        }
        let text = e.clipboard_data().and_then(|d| d.get_data("text/plain").ok()).unwrap_or_default();
        if let Some(url) = url_in(&text) {
            e.prevent_default();
            scope.run_in(|| state.save_page(url, Vec::new()));
        }
    });
    let over = Closure::<dyn FnMut(web_sys::DragEvent)>::new(move |e: web_sys::DragEvent| {
        // Only a dragged link is taken (not files): saying so lets it be dropped.
        let link = e.data_transfer().is_some_and(|d| {
            let types = d.types();
            (0..types.length()).any(|i| types.get(i).as_string().is_some_and(|t| t == "text/uri-list"))
        });
        if link {
            e.prevent_default();
        }
    });
    let drop = Closure::<dyn FnMut(web_sys::DragEvent)>::new(move |e: web_sys::DragEvent| {
        let Some(d) = e.data_transfer() else { return };
        // Whatever was dropped, the webview must not navigate to it.
        e.prevent_default();
        let text = d.get_data("text/uri-list").ok().filter(|t| !t.is_empty()).or_else(|| d.get_data("text/plain").ok());
        if let Some(url) = text.as_deref().and_then(url_in) {
            scope.run_in(|| state.save_page(url, Vec::new()));
        }
    });
    let _ = w.add_event_listener_with_callback("paste", paste.as_ref().unchecked_ref());
    let _ = w.add_event_listener_with_callback("dragover", over.as_ref().unchecked_ref());
    let _ = w.add_event_listener_with_callback("drop", drop.as_ref().unchecked_ref());
    // They live as long as the page.
    paste.forget();
    over.forget();
    drop.forget();
}

#[cfg(not(target_arch = "wasm32"))]
pub fn install(_state: AppState) {}

#[cfg(test)]
mod tests {
    use super::url_in;

    #[test]
    fn a_pasted_or_dropped_web_address_is_recognised_and_nothing_else() {
        assert_eq!(url_in("https://example.com/a?b=1"), Some("https://example.com/a?b=1".into()));
        assert_eq!(url_in("# a comment\r\nhttp://x.example/p\r\nhttp://y.example/"), Some("http://x.example/p".into()));
        assert_eq!(url_in("  https://example.com/  \n"), Some("https://example.com/".into()));
        for not in ["", "https://", "javascript:alert(1)", "file:///etc/passwd", "see https://example.com", "ftp://x/"]
        {
            assert_eq!(url_in(not), None, "{not:?}");
        }
    }
}
