//! The webview stays the app. Article HTML is hostile, and even sanitised it holds links: a
//! navigation to anything but the app's own pages is refused, and no new window (`window.open`,
//! `target="_blank"`, a middle click) is ever opened. Web links reach the system browser only
//! through the `open_external` command, which the reader calls when a link is clicked; a
//! refused navigation opens nothing, since a page that navigates by itself is not a click.
//!
//! Wiring (see `lib.rs`): the windows of `tauri.conf.json` are built in `setup` with
//! [`build_windows`] (the config's own automatic creation is switched off by
//! [`take_startup_windows`]), so the handlers are in place before the first page loads; and
//! [`plugin`] checks the navigations of every webview, including any built elsewhere later.
//! Refusals are logged on stderr.

use tauri::utils::config::WindowConfig;
use tauri::webview::NewWindowResponse;
use tauri::{AppHandle, Config, Manager, Runtime, Url, WebviewWindowBuilder};

/// Whether `url` is one of the app's own pages: `tauri://localhost/…` (Linux, macOS),
/// `http(s)://tauri.localhost/…` (Windows, Android), or in a dev build the `devUrl` origin.
pub fn is_app_url(url: &Url, dev_url: Option<&Url>) -> bool {
    let plain = url.username().is_empty() && url.password().is_none();
    let own = if cfg!(any(windows, target_os = "android")) {
        matches!(url.scheme(), "http" | "https") && url.host_str() == Some("tauri.localhost")
    } else {
        url.scheme() == "tauri" && url.host_str() == Some("localhost")
    };
    let dev = dev_url.is_some_and(|d| {
        d.scheme() == url.scheme()
            && d.host_str() == url.host_str()
            && d.port_or_known_default() == url.port_or_known_default()
    });
    plain && ((own && url.port().is_none()) || dev)
}

/// The dev server's address, in a dev build that has one.
fn dev_url(config: &Config) -> Option<Url> {
    tauri::is_dev().then(|| config.build.dev_url.clone()).flatten()
}

/// Decides a navigation of the webview `label`; logs a refusal.
fn allow_navigation(label: &str, url: &Url, dev_url: Option<&Url>) -> bool {
    let allowed = is_app_url(url, dev_url);
    if !allowed {
        log::warn!("refused navigation of {label:?} to {}", shorten(url.as_str()));
    }
    allowed
}

/// A URL for the log: `data:` URLs can be megabytes.
fn shorten(url: &str) -> String {
    match url.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &url[..i]),
        None => url.to_string(),
    }
}

/// Checks every navigation of every webview.
pub fn plugin<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri::plugin::Builder::new("navigation-guard")
        .on_navigation(|webview, url| allow_navigation(webview.label(), url, dev_url(webview.config()).as_ref()))
        .build()
}

/// Takes the windows Tauri would create at start-up out of its hands (they are built by
/// [`build_windows`] instead, with the guard on them) and returns their configurations.
pub fn take_startup_windows(config: &mut Config) -> Vec<WindowConfig> {
    let mut windows = Vec::new();
    for w in config.app.windows.iter_mut().filter(|w| w.create) {
        w.create = false;
        windows.push(w.clone());
    }
    windows
}

/// Builds `windows` as Tauri would from the config, plus a navigation handler and a
/// new-window handler that always says no.
pub fn build_windows<R: Runtime>(app: &AppHandle<R>, windows: &[WindowConfig]) -> tauri::Result<()> {
    let dev = dev_url(app.config());
    for config in windows {
        let (label, label2, dev) = (config.label.clone(), config.label.clone(), dev.clone());
        WebviewWindowBuilder::from_config(app, config)?
            .on_navigation(move |url| allow_navigation(&label, url, dev.as_ref()))
            .on_new_window(move |url, _features| {
                log::warn!("refused a new window from {label2:?} for {}", shorten(url.as_str()));
                NewWindowResponse::Deny
            })
            .build()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn only_the_apps_own_pages_are_allowed() {
        let app = if cfg!(any(windows, target_os = "android")) {
            ["http://tauri.localhost/", "https://tauri.localhost/index.html#article=3"]
        } else {
            ["tauri://localhost", "tauri://localhost/index.html#article=3"]
        };
        for ok in app {
            assert!(is_app_url(&url(ok), None), "{ok}");
        }
        for bad in [
            "http://127.0.0.1:8080/pwned",
            "https://example.com/",
            "tauri://evil.example/",
            "tauri://localhost:1234/",
            "tauri://user@localhost/",
            "http://tauri.localhost.evil.example/",
            "about:blank",
            "javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "file:///etc/passwd",
            "bsimg://localhost/x",
            "ipc://localhost/open_external",
            "http://localhost:1430/",
        ] {
            assert!(!is_app_url(&url(bad), None), "{bad}");
        }
        if !cfg!(any(windows, target_os = "android")) {
            // On Linux this is a request to whatever listens on the loopback interface.
            assert!(!is_app_url(&url("http://tauri.localhost/"), None));
        }
    }

    #[test]
    fn a_dev_server_is_allowed_by_origin_only() {
        let dev = url("http://localhost:1430/");
        assert!(is_app_url(&url("http://localhost:1430/index.html#all"), Some(&dev)));
        assert!(!is_app_url(&url("http://localhost:1431/"), Some(&dev)));
        assert!(!is_app_url(&url("https://localhost:1430/"), Some(&dev)));
        assert!(!is_app_url(&url("http://127.0.0.1:1430/"), Some(&dev)));
    }

    #[test]
    fn startup_windows_are_taken_over() {
        let mut config: Config = serde_json::from_value(serde_json::json!({
            "identifier": "app.test",
            "app": { "windows": [{ "label": "main" }, { "label": "later", "create": false }] }
        }))
        .unwrap();
        let taken = take_startup_windows(&mut config);
        assert_eq!(taken.iter().map(|w| w.label.as_str()).collect::<Vec<_>>(), ["main"]);
        assert!(config.app.windows.iter().all(|w| !w.create));
    }
}
