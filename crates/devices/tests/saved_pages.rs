//! A page saved on one computer reaches the others: the log carries its address, each
//! device fetches the page itself, and the marks made on it there follow.

use std::sync::{Arc, Mutex};

use broadsheet_model::{ArticleQuery, Filters};
use broadsheet_store::Store;
use broadsheet_sync::{Engine, SyncOptions};

/// Serves `/story.html` (an article) and `/gone.png` (not a page) on 127.0.0.1.
fn site() -> String {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let base = format!("http://127.0.0.1:{}", server.server_addr().to_ip().unwrap().port());
    let story = r#"<html lang="en"><head><title>Tide tables change</title></head><body><nav>MENU</nav><article><h1>Tide tables change</h1>
<p>The harbour office published new tide tables on Friday, after a survey found the channel had shifted further east than charts showed.</p>
<p>Skippers are asked to use the new tables from Monday; the old ones will be withdrawn from the office and the website at the same time.</p></article></body></html>"#;
    std::thread::spawn(move || {
        for req in server.incoming_requests() {
            let (body, ct) = match req.url() {
                "/story.html" => (story.to_string(), "text/html; charset=utf-8"),
                _ => ("\u{89}PNG".to_string(), "image/png"),
            };
            let header = tiny_http::Header::from_bytes(&b"Content-Type"[..], ct.as_bytes()).unwrap();
            let _ = req.respond(tiny_http::Response::from_string(body).with_header(header));
        }
    });
    base
}

struct Computer {
    dir: std::path::PathBuf,
    store: Arc<Mutex<Store>>,
    engine: Engine,
}

impl Computer {
    fn new(root: &std::path::Path, name: &str, shared: &std::path::Path) -> Computer {
        let dir = root.join(name);
        let store = Store::open(&dir.join("archive.sqlite3")).unwrap();
        broadsheet_devices::set_remote(&store, Some(&shared.to_string_lossy())).unwrap();
        let store = Arc::new(Mutex::new(store));
        let engine = Engine::new(store.clone(), SyncOptions::new(&dir));
        Computer { dir, store, engine }
    }

    fn sync(&self) -> broadsheet_devices::DevicesReport {
        broadsheet_devices::sync(&self.store, &self.dir).unwrap()
    }

    fn bookmarked_titles(&self) -> Vec<String> {
        let q = ArticleQuery { filters: Filters { bookmarked: true, ..Default::default() }, ..Default::default() };
        self.store.lock().unwrap().list_articles(&q).unwrap().into_iter().map(|a| a.title).collect()
    }
}

#[test]
fn a_page_saved_and_bookmarked_on_one_computer_is_fetched_and_bookmarked_on_the_other() {
    let root = tempfile::tempdir().unwrap();
    let shared = root.path().join("Syncthing");
    std::fs::create_dir_all(&shared).unwrap();
    let (a, b) = (Computer::new(root.path(), "a", &shared), Computer::new(root.path(), "b", &shared));
    let base = site();
    let rt = tokio::runtime::Runtime::new().unwrap();

    let saved = rt.block_on(a.engine.save_page(&format!("{base}/story.html"), &[])).unwrap();
    a.store.lock().unwrap().set_bookmark(saved.id, true).unwrap();
    a.sync();

    let report = b.sync();
    assert_eq!(report.wanted_pages, 1, "{report:?}");
    assert!(report.waiting >= 1, "the bookmark waits for its page: {report:?}");
    assert!(b.bookmarked_titles().is_empty());
    let (fetched, failed) = rt.block_on(b.engine.save_wanted_pages());
    assert_eq!((fetched, failed), (1, 0));
    assert!(broadsheet_devices::apply_waiting(&b.store).unwrap() >= 1);
    assert_eq!(b.bookmarked_titles(), ["Tide tables change"]);

    // Nothing more is wanted, and a second sync fetches nothing again.
    assert_eq!(b.sync().wanted_pages, 0);
    assert_eq!(rt.block_on(b.engine.save_wanted_pages()), (0, 0));
    // a's state is unchanged by the round trip (b's own log of the page is the same page).
    a.sync();
    assert_eq!(a.bookmarked_titles(), ["Tide tables change"]);
}

#[test]
fn a_saved_address_that_is_no_page_is_given_up_and_one_that_fails_is_retried_a_few_times() {
    let root = tempfile::tempdir().unwrap();
    let shared = root.path().join("Dropbox");
    std::fs::create_dir_all(&shared).unwrap();
    let (a, b) = (Computer::new(root.path(), "a", &shared), Computer::new(root.path(), "b", &shared));
    let base = site();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(a.engine.save_page(&format!("{base}/story.html"), &[])).unwrap();
    a.sync();
    b.sync();
    // What b wants instead: an address that now answers with a picture, and one that cannot
    // be reached at all (as if a had saved them when they were pages).
    b.store.lock().unwrap().drop_wanted_page(&format!("{base}/story.html")).unwrap();
    let c = rusqlite::Connection::open(b.dir.join("archive.sqlite3")).unwrap();
    c.execute(
        "INSERT INTO device_wanted_pages (url, wanted_at) VALUES (?1, 1), ('http://127.0.0.1:9/never.html', 2)",
        [format!("{base}/gone.png")],
    )
    .unwrap();
    assert_eq!(rt.block_on(b.engine.save_wanted_pages()), (0, 2));
    let left = b.store.lock().unwrap().wanted_pages(10).unwrap();
    assert_eq!(left, ["http://127.0.0.1:9/never.html"], "the picture is given up, the unreachable page kept");
    for _ in 0..10 {
        rt.block_on(b.engine.save_wanted_pages());
    }
    assert!(b.store.lock().unwrap().wanted_pages(10).unwrap().is_empty(), "given up after a few tries");
}
