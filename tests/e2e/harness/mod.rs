//! Small helpers: start tauri-driver, open a session on the app, wait, evaluate, screenshot.

pub mod expected;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Value};

/// What [`App::scroll_list_to_end`] saw.
pub struct Scrolled {
    pub seen: Vec<i64>,
    pub most_rows: usize,
}

pub struct App {
    pub client: Client,
    driver: Child,
    _data_dir: Option<tempfile::TempDir>,
}

/// Held for the whole of a real-window test: they run one at a time (two windows at once on
/// two cores make their timings a lottery) while the workspace's other tests run in
/// parallel. Every test in this binary takes it first, setup included (a 10,000-post import
/// beside a running window would starve it); `every_test_takes_the_one_window_lock` checks.
/// (An async lock: it is held across the test's awaits; a failed test releases it unpoisoned.)
pub async fn one_window_at_a_time() -> tokio::sync::MutexGuard<'static, ()> {
    static ONE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    ONE.lock().await
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Where screenshots go: `target/screenshots/`.
pub fn screenshot_dir() -> PathBuf {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let dir = tmp.parent().unwrap().join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

impl App {
    /// Starts the built app on a fresh, empty data directory.
    pub async fn launch() -> App {
        let dir = tempfile::tempdir().unwrap();
        let mut app = App::launch_in(dir.path()).await;
        app._data_dir = Some(dir);
        app
    }

    /// Starts the built app on `data_dir` (to restart it on the same archive).
    pub async fn launch_in(data_dir: &std::path::Path) -> App {
        App::launch_binary(std::path::Path::new(env!("CARGO_BIN_EXE_broadsheet-app")), data_dir).await
    }

    /// Starts the app binary at `application` (an installed copy, say) on `data_dir`.
    pub async fn launch_binary(application: &std::path::Path, data_dir: &std::path::Path) -> App {
        App::start(application, vec![format!("--data-dir={}", data_dir.display())], &[]).await
    }

    /// Starts the built app on `data_dir` with extra environment variables for it.
    pub async fn launch_in_with_env(data_dir: &std::path::Path, env: &[(&str, &std::path::Path)]) -> App {
        let app = std::path::Path::new(env!("CARGO_BIN_EXE_broadsheet-app"));
        App::start(app, vec![format!("--data-dir={}", data_dir.display())], env).await
    }

    /// Starts the built app with no data folder named, so it picks the platform's own; `env`
    /// reaches the app (through the WebDriver processes, which pass their environment on).
    pub async fn launch_with_platform_dirs(env: &[(&str, &std::path::Path)]) -> App {
        App::start(std::path::Path::new(env!("CARGO_BIN_EXE_broadsheet-app")), Vec::new(), env).await
    }

    async fn start(application: &std::path::Path, args: Vec<String>, env: &[(&str, &std::path::Path)]) -> App {
        assert!(
            cfg!(windows) || std::env::var_os("DISPLAY").is_some(),
            "no DISPLAY: run the real-window tests through `cargo xtask test`"
        );
        // A driver whose app never comes up (GTK failing to reach a busy X server, once in a
        // while) leaves the session request unanswered for ever: each attempt is bounded, and
        // a fresh driver gets two more tries before the test fails, naming the driver logs.
        let mut logs = Vec::new();
        for _ in 0..3 {
            let (port, native_port) = (free_port(), free_port());
            let log_path = screenshot_dir().join(format!("tauri-driver-{port}.log"));
            let log = std::fs::File::create(&log_path).unwrap();
            logs.push(log_path);
            let mut driver = Command::new("tauri-driver");
            driver.args(["--port", &port.to_string(), "--native-port", &native_port.to_string()]);
            driver.env_remove("BROADSHEET_DATA_DIR").envs(env.iter().map(|(k, v)| (k, v)));
            // Windows: msedgedriver matching the installed WebView2 (WebKitWebDriver elsewhere).
            if let Some(native) = std::env::var_os("BROADSHEET_NATIVE_DRIVER") {
                driver.arg("--native-driver").arg(native);
            }
            let mut driver = driver
                .stdout(Stdio::from(log.try_clone().unwrap()))
                .stderr(Stdio::from(log))
                .spawn()
                .expect("tauri-driver is installed by `cargo xtask test`");
            let url = format!("http://127.0.0.1:{port}");
            let caps: serde_json::Map<String, Value> = json!({
                "browserName": "wry",
                "tauri:options": {
                    "application": application,
                    "args": args,
                }
            })
            .as_object()
            .unwrap()
            .clone();
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(30) {
                let mut builder = ClientBuilder::native();
                let attempt = builder.capabilities(caps.clone()).connect(&url);
                match tokio::time::timeout(Duration::from_secs(20), attempt).await {
                    Ok(Ok(client)) => return App { client, driver, _data_dir: None },
                    // Not listening yet: try again shortly.
                    Ok(Err(_)) => tokio::time::sleep(Duration::from_millis(200)).await,
                    // Listening, but no session came: this driver is done for.
                    Err(_) => break,
                }
            }
            stop_driver(&mut driver);
        }
        panic!("no WebDriver session from three drivers; their logs: {logs:?}")
    }

    pub async fn eval<T: serde::de::DeserializeOwned>(&self, script: &str) -> T {
        let v = self.client.execute(script, vec![]).await.unwrap_or_else(|e| panic!("script failed: {e}\n{script}"));
        serde_json::from_value(v).unwrap()
    }

    /// Types `value` into the text box `input` (as the window hears typing: an `input`
    /// event), then clicks `button`.
    pub async fn fill_and_click(&self, input: &str, value: &str, button: &str) {
        let (input, value, button) = (json(input), json(value), json(button));
        self.eval::<bool>(&format!(
            "const i = document.querySelector({input}); i.value = {value}; \
             i.dispatchEvent(new Event('input', {{bubbles: true}})); \
             document.querySelector({button}).click(); return true"
        ))
        .await;
    }

    /// Opens the `index`-th row of the list and bookmarks it with the reader's toggle.
    ///
    /// Waits for the reader to show *that* row's article: with another article open, its
    /// toggle is on the page until the new one replaces it, and a click on it would undo
    /// the other bookmark (seen once on a loaded CI machine).
    pub async fn bookmark_row(&self, index: usize) {
        let id: String = self
            .eval(&format!(
                "const r = document.querySelectorAll('.article-row')[{index}]; r.click(); return r.dataset.id"
            ))
            .await;
        let toggle = format!("document.querySelector('.article[data-id=\"{id}\"] .bookmark-toggle')");
        self.wait_until("the post is open", &format!("return !!{toggle}")).await;
        self.eval::<bool>(&format!("{toggle}.click(); return true")).await;
        self.wait_until("the bookmark is shown", &format!("return {toggle}.getAttribute('aria-pressed') === 'true'"))
            .await;
    }

    /// The reader settings as the backend stores them.
    pub async fn stored_settings(&self) -> Value {
        let v = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 window.__TAURI__.core.invoke('get_ui_settings').then(s => done(s), e => done(null))",
                vec![],
            )
            .await
            .unwrap();
        v.as_str().and_then(|s| serde_json::from_str(s).ok()).unwrap_or(Value::Null)
    }

    /// `textContent` of the first match (WebDriver's "visible text" is unreliable for
    /// line-clamped boxes in WebKit).
    pub async fn text(&self, css: &str) -> String {
        self.eval(&format!("const e = document.querySelector({css:?}); return e ? e.textContent : ''")).await
    }

    pub async fn count(&self, css: &str) -> usize {
        self.eval(&format!("return document.querySelectorAll({css:?}).length")).await
    }

    /// Polls a boolean script until it holds (10 s at most), then fails naming `what`.
    pub async fn wait_until(&self, what: &str, script: &str) {
        self.wait_until_within(Duration::from_secs(10), what, script).await;
    }

    /// [`App::wait_until`] for work that takes long in a debug build (restoring 10,000 posts).
    pub async fn wait_until_within(&self, most: Duration, what: &str, script: &str) {
        let start = Instant::now();
        loop {
            if self.eval::<bool>(script).await {
                return;
            }
            if start.elapsed() > most {
                self.screenshot(&format!("failed-{}.png", what.replace(' ', "-"))).await;
                // What the window said, for a failure seen only in CI (where the
                // screenshot cannot be looked at).
                let shown: String =
                    self.eval("return (document.body ? document.body.innerText : '<no body>').slice(0, 1500)").await;
                panic!("timed out waiting until {what}; the window showed:\n{shown}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the window has drawn `n` more frames: layout and paint after a change are
    /// done, and what it queued for the next frame (the list's row measuring) has run. What a
    /// test waits on instead of a fixed sleep before it measures the layout.
    pub async fn frames(&self, n: u32) {
        self.client
            .execute_async(
                &format!(
                    "const done = arguments[arguments.length - 1]; let left = {n};
                     const next = () => (left-- > 0 ? requestAnimationFrame(next) : done(true)); next()"
                ),
                vec![],
            )
            .await
            .unwrap();
    }

    /// Waits until the article list has rows (the window is up and the archive read).
    ///
    /// Longer than other waits: a launch took over 10 s to list once on a loaded CI machine
    /// (cause not seen; a failure now prints what the window showed).
    pub async fn wait_for_list(&self) {
        self.wait_until_within(
            Duration::from_secs(30),
            "the list is filled",
            "return document.querySelectorAll('.article-row').length > 0",
        )
        .await;
        // The sidebar loads once the rows are painted.
        self.wait_until_within(
            Duration::from_secs(30),
            "the sidebar is filled",
            "return !!document.querySelector('.sidebar[data-loaded=true]')",
        )
        .await;
    }

    /// Presses one key on whatever has focus, as a person typing would.
    pub async fn press(&self, key: char) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let keys =
            KeyActions::new("keyboard".into()).then(KeyAction::Down { value: key }).then(KeyAction::Up { value: key });
        self.client.perform_actions(keys).await.unwrap();
    }

    /// Scrolls the article list down a screen at a time until `want_loaded` rows are loaded
    /// and the end is reached (the list loads pages as it nears its end); every row id that
    /// was in the page on the way, and the most rows the page held at once.
    pub async fn scroll_list_to_end(&self, want_loaded: usize) -> Scrolled {
        let mut out = Scrolled { seen: Vec::new(), most_rows: 0 };
        for _ in 0..300 {
            let (loaded, ids): (usize, Vec<i64>) = serde_json::from_value(
                self.client
                    .execute(
                        "const l = document.querySelector('.list'); l.scrollTop += l.clientHeight;
                         return [Number(l.dataset.loaded),
                                 Array.from(document.querySelectorAll('.article-row')).map(r => Number(r.dataset.id))]",
                        vec![],
                    )
                    .await
                    .unwrap(),
            )
            .unwrap();
            out.most_rows = out.most_rows.max(ids.len());
            out.seen.extend(ids);
            let at_end: bool = self
                .eval("const l = document.querySelector('.list'); return l.scrollTop + l.clientHeight >= l.scrollHeight - 2")
                .await;
            if loaded == want_loaded && at_end {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        let ids: Vec<i64> = self
            .eval("return Array.from(document.querySelectorAll('.article-row')).map(r => Number(r.dataset.id))")
            .await;
        out.seen.extend(ids);
        out
    }

    /// Clicks `css` where the click may end the app (its answer is not waited for).
    pub async fn click_ending_the_app(&self, css: &str) {
        let _ = self
            .client
            .execute(
                &format!("setTimeout(() => document.querySelector({}).click(), 0); return true", json(css)),
                vec![],
            )
            .await;
    }

    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        let path = screenshot_dir().join(name);
        std::fs::write(&path, png).unwrap();
        eprintln!("screenshot: {}", path.display());
    }

    pub async fn quit(mut self) {
        let _ = self.client.clone().close().await;
        stop_driver(&mut self.driver);
    }
}

/// Stops a tauri-driver: SIGTERM, never SIGKILL, as a killed tauri-driver leaves
/// WebKitWebDriver holding its port.
fn stop_driver(driver: &mut std::process::Child) {
    #[cfg(unix)]
    let _ = Command::new("kill").args(["-TERM", &driver.id().to_string()]).status();
    #[cfg(not(unix))]
    let _ = driver.kill();
    let _ = driver.wait();
}

/// Serves an RSS feed with `items` (id, title) on 127.0.0.1 for the life of the test
/// process; returns its URL.
pub fn feed_server(items: &[(&str, &str)]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Loopback</title><link>http://127.0.0.1/</link>",
    );
    for (i, (id, title)) in items.iter().enumerate() {
        xml.push_str(&format!(
            "<item><guid>{id}</guid><title>{title}</title><pubDate>Mon, 0{} Nov 2026 08:00:00 GMT</pubDate><description>&lt;p&gt;{title}的正文。&lt;/p&gt;</description></item>",
            i + 1
        ));
    }
    xml.push_str("</channel></rss>");
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let url = format!("http://127.0.0.1:{}/feed.xml", server.server_addr().to_ip().unwrap().port());
    std::thread::spawn(move || {
        for req in server.incoming_requests() {
            let header = tiny_http::Header::from_bytes(&b"Content-Type"[..], &b"application/rss+xml"[..]).unwrap();
            let _ = req.respond(tiny_http::Response::from_string(xml.clone()).with_header(header));
        }
    });
    url
}

/// Serves HTML pages (path, body) on 127.0.0.1 for the life of the test process; returns the
/// base URL (`http://127.0.0.1:PORT`).
pub fn page_server(pages: &[(&str, String)]) -> String {
    let pages: std::collections::HashMap<String, String> =
        pages.iter().map(|(p, b)| (p.to_string(), b.clone())).collect();
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let base = format!("http://127.0.0.1:{}", server.server_addr().to_ip().unwrap().port());
    std::thread::spawn(move || {
        for req in server.incoming_requests() {
            let header = tiny_http::Header::from_bytes(&b"Content-Type"[..], &b"text/html; charset=utf-8"[..]).unwrap();
            let _ = match pages.get(req.url()) {
                Some(body) => req.respond(tiny_http::Response::from_string(body.clone()).with_header(header)),
                None => req.respond(tiny_http::Response::from_string("not found").with_status_code(404)),
            };
        }
    });
    base
}

/// `s` as a JavaScript string literal.
fn json(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

/// The backup the window saved into the test's dialog folder (`BROADSHEET_TEST_DIALOG_DIR`).
pub fn saved_backup(dialogs: &std::path::Path) -> std::path::PathBuf {
    std::fs::read_dir(dialogs)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("broadsheet-backup-")))
        .expect("the backup file")
}
