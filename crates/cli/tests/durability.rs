//! A kill at any moment loses nothing, and the reader never waits on a sync: the real
//! `broadsheet` binary killed (SIGKILL on Unix, TerminateProcess on Windows) at random
//! moments of imports and syncs of a generated site, and marks made from other connections
//! and processes while a large sync runs.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use broadsheet_model::{ArticleQuery, SearchQuery};
use broadsheet_store::Store;
use broadsheet_testkit::{generate_site, Rng};

fn broadsheet(db: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_broadsheet"));
    c.arg("--db").arg(db).env_remove("BROADSHEET_DB").stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    c
}

fn ok(db: &Path, args: &[&str]) {
    let out = broadsheet(db).args(args).stderr(Stdio::piped()).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// A site folder holding the first `first` posts of `all`; the rest are added later.
fn partial_site(dir: &Path, all: &[PathBuf], first: usize) -> PathBuf {
    let site = dir.join("site");
    std::fs::create_dir_all(site.join("_posts")).unwrap();
    std::fs::copy(all[0].parent().unwrap().parent().unwrap().join("_config.yml"), site.join("_config.yml")).unwrap();
    add_posts(&site, &all[..first]);
    site
}

fn add_posts(site: &Path, posts: &[PathBuf]) {
    for p in posts {
        std::fs::copy(p, site.join("_posts").join(p.file_name().unwrap())).unwrap();
    }
}

/// The reader's marks, by post key: (bookmarked, read, user tags).
type Marks = Vec<(String, bool, bool, Vec<String>)>;

fn marks(store: &Store) -> Marks {
    let mut m: Marks = store
        .backup()
        .unwrap()
        .articles
        .into_iter()
        .filter(|a| a.bookmarked_at.is_some() || a.read_at.is_some() || !a.user_tags.is_empty())
        .map(|a| (a.key, a.bookmarked_at.is_some(), a.read_at.is_some(), a.user_tags))
        .collect();
    m.sort();
    m
}

/// Makes marks on every 7th, 11th and 13th post by key order.
fn mark(store: &mut Store) {
    let all = store.list_articles(&ArticleQuery { limit: Some(100_000), ..Default::default() }).unwrap();
    let mut ids: Vec<broadsheet_model::ArticleId> = all.iter().map(|a| a.id).collect();
    ids.sort();
    for (i, id) in ids.into_iter().enumerate() {
        if i % 7 == 0 {
            store.set_bookmark(id, true).unwrap();
        }
        if i % 11 == 0 {
            store.set_read(id, true).unwrap();
        }
        if i % 13 == 0 {
            store.tag_article(id, &["keep", "稍后读"]).unwrap();
        }
    }
}

/// What an archive holds, independent of row ids and times: each post's content and labels,
/// the marks, and what a few searches find.
fn state(store: &Store) -> (Vec<String>, Marks, Vec<Vec<String>>) {
    let b = store.backup().unwrap();
    let mut posts: Vec<String> = b
        .articles
        .iter()
        .map(|a| {
            format!("{}|{}|{}|{:?}|{:?}|{}", a.key, a.title, a.content_hash, a.categories, a.tags, a.removed_upstream)
        })
        .collect();
    posts.sort();
    let searches = ["的", "股市", "返回", "outlet1"]
        .iter()
        .map(|q| {
            let hits = store
                .search(&SearchQuery { query: q.to_string(), limit: Some(100_000), ..Default::default() })
                .unwrap();
            let mut t: Vec<String> = hits.into_iter().map(|h| h.summary.title).collect();
            t.sort();
            t
        })
        .collect();
    (posts, marks(store), searches)
}

#[test]
fn fifty_kills_during_imports_and_syncs_lose_nothing_and_the_next_run_converges() {
    let dir = tempfile::tempdir().unwrap();
    let all = generate_site(&dir.path().join("all"), 2500, 2000, 20261128);
    let site = partial_site(dir.path(), &all, 300);
    let db = dir.path().join("archive.sqlite3");
    ok(&db, &["import", site.to_str().unwrap()]);
    mark(&mut Store::open(&db).unwrap());
    let before = marks(&Store::open(&db).unwrap());
    assert!(before.len() > 50);
    add_posts(&site, &all[300..]);
    let seed = 0x5EED_0000 ^ std::process::id() as u64;
    eprintln!("kill schedule seed: {seed:#x}");
    let mut rng = Rng::new(seed);
    let mut killed_running = 0;
    // Re-scans skip files whose size and time are unchanged, so each round edits a share of
    // the posts: every run has real reading, parsing and writing to be killed in the middle of.
    let mut edits = 400usize;
    for round in 0..50 {
        for _ in 0..edits {
            let p = site.join("_posts").join(all[rng.below(all.len() as u64) as usize].file_name().unwrap());
            let mut text = std::fs::read_to_string(&p).unwrap();
            text.push_str(&format!("<p>第{round}轮修改</p>\n"));
            std::fs::write(&p, text).unwrap();
        }
        let args: Vec<&str> =
            if round % 2 == 0 { vec!["import", site.to_str().unwrap()] } else { vec!["sync", "--no-images"] };
        let mut child = broadsheet(&db).args(&args).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(rng.below(1000)));
        if child.try_wait().unwrap().is_none() {
            killed_running += 1;
        } else {
            // It finished before the kill: give the next runs more to do.
            edits = (edits * 3 / 2).min(all.len());
        }
        let _ = child.kill();
        let _ = child.wait();
        let store = Store::open(&db).unwrap_or_else(|e| panic!("round {round}: the archive does not open: {e}"));
        assert_eq!(store.integrity_check().unwrap(), "ok", "round {round}");
        assert_eq!(marks(&store), before, "round {round}: a mark was lost");
    }
    eprintln!("{killed_running} of 50 processes were killed while running");
    assert!(killed_running >= 25, "most kills land mid-run (else the test proves little)");
    // An uninterrupted run over the final site, with the same marks: what every run must reach.
    let control = dir.path().join("control.sqlite3");
    ok(&control, &["import", site.to_str().unwrap()]);
    {
        // The same marks on the same posts (by key: ids differ between archives).
        let mut c = Store::open(&control).unwrap();
        let urls: std::collections::HashMap<String, String> =
            c.backup().unwrap().articles.into_iter().map(|a| (a.key, a.url.unwrap())).collect();
        for (key, bookmarked, read, tags) in &before {
            let id = c.article_by_url(&urls[key]).unwrap().unwrap();
            if *bookmarked {
                c.set_bookmark(id, true).unwrap();
            }
            if *read {
                c.set_read(id, true).unwrap();
            }
            let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
            if !tags.is_empty() {
                c.tag_article(id, &tags).unwrap();
            }
        }
    }
    let want = state(&Store::open(&control).unwrap());

    ok(&db, &["import", site.to_str().unwrap()]);
    let got = state(&Store::open(&db).unwrap());
    assert_eq!(got.0.len(), want.0.len());
    assert_eq!(got, want, "the interrupted archive reaches the uninterrupted one's state");
}

#[test]
fn marks_from_other_connections_and_processes_never_fail_while_a_large_sync_runs() {
    let dir = tempfile::tempdir().unwrap();
    let all = generate_site(&dir.path().join("all"), 3000, 2000, 7);
    let site = partial_site(dir.path(), &all, 100);
    let db = dir.path().join("archive.sqlite3");
    ok(&db, &["import", site.to_str().unwrap()]);
    let ids: Vec<broadsheet_model::ArticleId> = Store::open(&db)
        .unwrap()
        .list_articles(&ArticleQuery { limit: Some(100), ..Default::default() })
        .unwrap()
        .into_iter()
        .map(|a| a.id)
        .collect();
    add_posts(&site, &all[100..]);

    // The app's arrangement: one writer shared by the engine and the window's commands.
    let shared = Arc::new(Mutex::new(Store::open(&db).unwrap()));
    let engine = broadsheet_sync::Engine::new(shared.clone(), broadsheet_sync::SyncOptions::new(dir.path()));
    let done = Arc::new(AtomicBool::new(false));
    let sync = {
        let done = done.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Runtime::new().unwrap();
            let r = rt.block_on(engine.run_sources(
                broadsheet_sync::Trigger::Now(None),
                broadsheet_sync::CancellationToken::new(),
                Arc::new(|_| {}),
            ));
            done.store(true, Ordering::SeqCst);
            r
        })
    };
    let other = Store::open(&db).unwrap();
    let reader = Store::open_reader(&db).unwrap();
    let (mut errors, mut rounds) = (Vec::new(), 0usize);
    let mut longest = [Duration::ZERO; 4];
    let names = ["bookmark on the app's writer", "read mark on another connection", "list on a reader", "CLI process"];
    let mut timed = |slot: usize, f: &mut dyn FnMut() -> Result<(), String>| {
        let t = Instant::now();
        if let Err(e) = f() {
            errors.push(format!("{}: {e}", names[slot]));
        }
        longest[slot] = longest[slot].max(t.elapsed());
    };
    while !done.load(Ordering::SeqCst) {
        let id = ids[rounds % ids.len()];
        let on = rounds % 2 == 0;
        timed(0, &mut || shared.lock().unwrap().set_bookmark(id, on).map(drop).map_err(|e| e.to_string()));
        timed(1, &mut || other.set_read(id, on).map(drop).map_err(|e| e.to_string()));
        timed(2, &mut || {
            reader
                .list_articles(&ArticleQuery { limit: Some(50), ..Default::default() })
                .map(drop)
                .map_err(|e| e.to_string())
        });
        if rounds % 25 == 0 {
            let id = id.to_string();
            timed(3, &mut || {
                let out = broadsheet(&db).args(["tag", &id, "并发"]).stderr(Stdio::piped()).output().unwrap();
                if out.status.success() {
                    Ok(())
                } else {
                    Err(String::from_utf8_lossy(&out.stderr).into_owned())
                }
            });
        }
        rounds += 1;
    }
    let report = sync.join().unwrap();
    for (name, t) in names.iter().zip(longest) {
        eprintln!("longest wait, {name}: {} ms", t.as_millis());
    }
    eprintln!("{rounds} rounds during the sync");
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert_eq!(report.new, 2900);
    assert!(errors.is_empty(), "no 'database is locked' or any other error: {errors:#?}");
    assert!(rounds >= 10, "the marks ran during the sync, not after it");
}
