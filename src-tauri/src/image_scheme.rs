//! `bsimg:` serves cached images to the webview; the UI never loads images from the network.
//! URL shape: `bsimg://localhost/<percent-encoded original URL>` (Windows and Android:
//! `http://bsimg.localhost/…`, as their webviews require).

use percent_encoding::{percent_decode_str, utf8_percent_encode, NON_ALPHANUMERIC};
use tauri::http::{header, Request, Response, StatusCode};
use tauri::{Manager, UriSchemeContext, UriSchemeResponder, Wry};

use crate::state::AppState;

pub const SCHEME: &str = "bsimg";

#[cfg(any(windows, target_os = "android"))]
const PREFIX: &str = "http://bsimg.localhost/";
#[cfg(not(any(windows, target_os = "android")))]
const PREFIX: &str = "bsimg://localhost/";

/// The URL the webview uses for the cached copy of `original`.
pub fn local_url(original: &str) -> String {
    format!("{PREFIX}{}", utf8_percent_encode(original, NON_ALPHANUMERIC))
}

/// The URL of the placeholder for an image not (yet) cached. The reader opens the original
/// in the browser when such an image is clicked.
pub fn missing_url(original: &str) -> String {
    format!("{PREFIX}{}", broadsheet_model::link::missing_image_path(original))
}

/// Answers from a worker thread: the webview calls scheme handlers on the UI thread, which
/// must never wait for a disk read (let alone the archive).
pub fn handle(ctx: UriSchemeContext<'_, Wry>, request: Request<Vec<u8>>, responder: UriSchemeResponder) {
    let app = ctx.app_handle().clone();
    tauri::async_runtime::spawn_blocking(move || responder.respond(serve(&app, &request)));
}

fn serve(app: &tauri::AppHandle, request: &Request<Vec<u8>>) -> Response<Vec<u8>> {
    let path = request.uri().path().trim_start_matches('/');
    let path = path.strip_prefix("missing/").unwrap_or(path);
    let original = percent_decode_str(path).decode_utf8_lossy().into_owned();
    let state = app.state::<AppState>();
    match state.with_reader(|s| s.image(&original)) {
        Ok(Some(img)) => Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, img.mime)
            .header(header::CACHE_CONTROL, "max-age=31536000, immutable")
            .header("X-Content-Type-Options", "nosniff")
            .body(img.bytes)
            .unwrap_or_default(),
        _ => placeholder(&original),
    }
}

/// A grey box naming the host, so a missing image reads as missing, not as broken layout.
fn placeholder(original: &str) -> Response<Vec<u8>> {
    let host = original.split('/').nth(2).unwrap_or("image");
    let host: String = host.chars().filter(|c| c.is_ascii_alphanumeric() || ".-:".contains(*c)).collect();
    let svg = format!(
        "<svg xmlns='http://www.w3.org/2000/svg' width='552' height='120' viewBox='0 0 552 120'>\
         <rect width='552' height='120' fill='#8884'/>\
         <text x='276' y='66' font-family='sans-serif' font-size='16' text-anchor='middle' fill='#666'>\
         Image not downloaded yet · {host}</text></svg>"
    );
    Response::builder()
        .status(StatusCode::NOT_FOUND)
        .header(header::CONTENT_TYPE, "image/svg+xml")
        .body(svg.into_bytes())
        .unwrap_or_default()
}
