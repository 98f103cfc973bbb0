//! Hostile repositories, feeds and images against the real engine on 127.0.0.1: each attack
//! ends in bounded time with the bad part named, the rest synced, and the archive intact.

mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use broadsheet_model::ArticleQuery;
use broadsheet_sync::{add_source, CancellationToken, Engine, SharedStore, SyncOptions, Trigger, UNFINISHED};
use support::{archive, commit_files, git, git_out, rt};

fn titles(store: &SharedStore) -> Vec<String> {
    let s = store.lock().unwrap();
    s.list_articles(&ArticleQuery { limit: Some(1000), ..Default::default() })
        .unwrap()
        .into_iter()
        .map(|a| a.title)
        .collect()
}

fn sync_now(rt: &tokio::runtime::Runtime, engine: &Engine) -> broadsheet_sync::SyncReport {
    rt.block_on(async {
        tokio::time::timeout(
            Duration::from_secs(120),
            engine.run(Trigger::Now(None), CancellationToken::new(), Arc::new(|_| {})),
        )
        .await
        .expect("the sync finishes within two minutes")
    })
}

/// libgit2's timeouts and pack limit are process-wide (`configure_libgit2` sets them before
/// each fetch): tests that fetch over git with limits of their own take turns, or one's
/// limits would apply to the other's fetch.
fn one_git_test_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static GIT: std::sync::Mutex<()> = std::sync::Mutex::new(());
    GIT.lock().unwrap_or_else(|p| p.into_inner())
}

#[test]
fn a_git_blob_bomb_and_links_in_posts_are_skipped_unread() {
    let _git = one_git_test_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir_all(work.join("_posts")).unwrap();
    git(&work, &["init", "-q", "-b", "main"]);
    std::fs::write(work.join("_posts/2024-01-02-good.md"), "---\ntitle: \"好文章\"\n---\n正文").unwrap();
    // 64 MiB of one byte: a few KB in the pack, far past the 4 MiB a post may be.
    let mut bomb = std::fs::File::create(work.join("_posts/2024-01-03-bomb.md")).unwrap();
    bomb.write_all(b"---\ntitle: bomb\n---\n").unwrap();
    let zeros = vec![b'a'; 1024 * 1024];
    for _ in 0..64 {
        bomb.write_all(&zeros).unwrap();
    }
    drop(bomb);
    #[cfg(unix)]
    std::os::unix::fs::symlink("/etc/passwd", work.join("_posts/2024-01-04-passwd.md")).unwrap();
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-q", "-m", "hostile"]);
    let store = archive(dir.path());
    let rt = rt();
    rt.block_on(add_source(&store, &format!("file://{}", work.display()), None, None)).unwrap();
    let engine = Engine::new(store.clone(), SyncOptions::new(&dir.path().join("data")));
    let r = sync_now(&rt, &engine);
    assert!(r.failures.is_empty(), "{:?}", r.failures);
    assert_eq!(titles(&store), ["好文章"], "neither the bomb nor what the link points to is read");
    let status = store.lock().unwrap().sync_sources().unwrap()[0].health.last_status.clone().unwrap();
    assert!(status.contains("not imported") && status.contains("bytes"), "{status}");
}

/// A pack of two objects, written by hand as a hostile server would: a 16 MiB blob of zeros
/// and, under the id `bomb`, a kilobyte delta over it that declares (and builds) 2 GiB — 128
/// copies of the whole base. Returns the pack and its index (version 2).
fn delta_bomb_pack(base_id: [u8; 20], bomb: [u8; 20]) -> (Vec<u8>, Vec<u8>) {
    use flate2::{write::ZlibEncoder, Compression};
    const BASE: usize = 0xff_ffff; // the largest copy one delta instruction makes
    const COPIES: usize = 128;
    let zlib = |data: &[u8]| {
        let mut z = ZlibEncoder::new(Vec::new(), Compression::fast());
        z.write_all(data).unwrap();
        z.finish().unwrap()
    };
    let header = |kind: u8, mut size: usize, out: &mut Vec<u8>| {
        let mut c = (kind << 4) | (size & 15) as u8;
        size >>= 4;
        while size > 0 {
            out.push(c | 0x80);
            c = (size & 0x7f) as u8;
            size >>= 7;
        }
        out.push(c);
    };
    let varint = |mut n: usize, out: &mut Vec<u8>| loop {
        let b = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(b);
            break;
        }
        out.push(b | 0x80);
    };
    let mut pack = b"PACK\0\0\0\x02\0\0\0\x02".to_vec();
    let base_at = pack.len();
    header(3, BASE, &mut pack);
    pack.extend(zlib(&vec![0u8; BASE]));
    let bomb_at = pack.len();
    let mut delta = Vec::new();
    varint(BASE, &mut delta);
    varint(BASE * COPIES, &mut delta);
    for _ in 0..COPIES {
        // Copy from offset 0 (no offset bytes), three size bytes.
        delta.extend_from_slice(&[0x80 | 0x10 | 0x20 | 0x40, 0xff, 0xff, 0xff]);
    }
    header(6, delta.len(), &mut pack);
    // The distance back to the base, in git's offset encoding.
    let mut distance = bomb_at - base_at;
    let mut ofs = vec![(distance & 0x7f) as u8];
    while distance >> 7 > 0 {
        distance = (distance >> 7) - 1;
        ofs.insert(0, 0x80 | (distance & 0x7f) as u8);
    }
    pack.extend(ofs);
    pack.extend(zlib(&delta));
    let trailer = [7u8; 20]; // checked only against the index's copy of it
    pack.extend_from_slice(&trailer);
    let mut objects = [(base_id, base_at), (bomb, bomb_at)];
    objects.sort();
    let mut idx = b"\xfftOc\0\0\0\x02".to_vec();
    for byte in 0..=255u8 {
        let n = objects.iter().filter(|(id, _)| id[0] <= byte).count() as u32;
        idx.extend_from_slice(&n.to_be_bytes());
    }
    for (id, _) in &objects {
        idx.extend_from_slice(id);
    }
    for _ in &objects {
        idx.extend_from_slice(&[0; 4]); // CRCs: read only when a pack is copied as it is
    }
    for (_, at) in &objects {
        idx.extend_from_slice(&(*at as u32).to_be_bytes());
    }
    idx.extend_from_slice(&trailer);
    idx.extend_from_slice(&[0; 20]);
    (pack, idx)
}

fn hex_id(hex: &str) -> [u8; 20] {
    let mut id = [0u8; 20];
    for (i, b) in id.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap();
    }
    id
}

/// A delta that builds gigabytes runs inside libgit2 with no callback to stop it: libgit2's
/// memory is bounded by its allocator, and the sync fails naming the repository and why.
#[test]
fn a_git_object_built_from_deltas_past_the_memory_bound_fails_that_source_only() {
    let _git = one_git_test_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    git(&work, &["init", "-q", "-b", "main"]);
    let good = git_out(&work, &["hash-object", "-w", "--stdin"], "---\ntitle: \"好文章\"\n---\n正文".as_bytes());
    let base = git_out(&work, &["hash-object", "--stdin"], &vec![0u8; 0xff_ffff]);
    let bomb = git_out(&work, &["hash-object", "--stdin"], b"stands for the bomb");
    let posts = git_out(
        &work,
        &["mktree", "--missing"],
        format!("100644 blob {good}\t2024-01-02-good.md\n100644 blob {bomb}\t2024-01-03-bomb.md\n").as_bytes(),
    );
    let root = git_out(&work, &["mktree", "--missing"], format!("040000 tree {posts}\t_posts\n").as_bytes());
    let commit = git_out(&work, &["commit-tree", &root, "-m", "hostile"], b"");
    git(&work, &["update-ref", "refs/heads/main", &commit]);
    let (pack, idx) = delta_bomb_pack(hex_id(&base), hex_id(&bomb));
    let packs = work.join(".git/objects/pack");
    std::fs::create_dir_all(&packs).unwrap();
    std::fs::write(packs.join(format!("pack-{}.pack", "7".repeat(40))), pack).unwrap();
    std::fs::write(packs.join(format!("pack-{}.idx", "7".repeat(40))), idx).unwrap();

    let store = archive(dir.path());
    let rt = rt();
    let url = format!("file://{}", work.display());
    rt.block_on(add_source(&store, &url, None, None)).unwrap();
    let engine = Engine::new(store.clone(), SyncOptions::new(&dir.path().join("data")));
    let r = sync_now(&rt, &engine);
    assert_eq!(r.failures.len(), 1, "{:?}", r.failures);
    let (_, why) = &r.failures[0];
    assert!(why.contains(&url) && why.contains("MiB of memory"), "{why}");
    // The process goes on, and libgit2 with it: the next sync of a sound repository works.
    let sound = dir.path().join("sound");
    commit_files(&sound, &[("_posts/2024-01-05-ok.md", "---\ntitle: \"好\"\n---\n正文")], "ok");
    rt.block_on(add_source(&store, &format!("file://{}", sound.display()), None, None)).unwrap();
    let r = sync_now(&rt, &engine);
    assert!(titles(&store).contains(&"好".to_string()), "{:?}", r.failures);
}

#[test]
fn a_folder_sync_names_the_files_it_skipped_in_the_sources_status() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("_posts")).unwrap();
    std::fs::write(site.join("_posts/2024-01-02-good.md"), "---\ntitle: \"好文章\"\n---\n正文").unwrap();
    std::fs::write(site.join("_posts/2024-01-03-draft.md"), "---\ntitle: d\npublished: false\n---\nx").unwrap();
    let huge = format!("---\ntitle: huge\n---\n{}", "a".repeat(broadsheet_jekyll::MAX_POST_BYTES + 1));
    std::fs::write(site.join("_posts/2024-01-04-huge.md"), huge).unwrap();
    let store = archive(dir.path());
    let rt = rt();
    rt.block_on(add_source(&store, &site.display().to_string(), None, None)).unwrap();
    let engine = Engine::new(store.clone(), SyncOptions::new(&dir.path().join("data")));
    let r = sync_now(&rt, &engine);
    assert!(r.failures.is_empty(), "{:?}", r.failures);
    assert_eq!(titles(&store), ["好文章"]);
    let status = store.lock().unwrap().sync_sources().unwrap()[0].health.last_status.clone().unwrap();
    // The oversized post is named; the unpublished one is not a problem.
    assert!(status.starts_with("folder; 1 file not imported"), "{status}");
    assert!(status.contains("2024-01-04-huge.md") && status.contains("bytes"), "{status}");
}

#[test]
fn a_source_whose_last_attempt_never_finished_is_backed_off_not_retried_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("site");
    std::fs::create_dir_all(work.join("_posts")).unwrap();
    std::fs::write(work.join("_posts/2024-01-02-a.md"), "---\ntitle: \"a\"\n---\nx").unwrap();
    let store = archive(dir.path());
    let rt = rt();
    let id = rt.block_on(add_source(&store, work.to_str().unwrap(), None, None)).unwrap();
    // What a process that died in the middle of this source's sync leaves behind.
    store.lock().unwrap().begin_attempt(id, 1_000).unwrap();
    let engine = Engine::new(store.clone(), SyncOptions::new(&dir.path().join("data")));
    let r = rt.block_on(engine.run(Trigger::Schedule, CancellationToken::new(), Arc::new(|_| {})));
    assert_eq!(r.sources, 0, "the scheduler (as at start-up) does not retry it at once");
    assert!(titles(&store).is_empty());
    let s = store.lock().unwrap().sync_source(id).unwrap();
    assert_eq!(s.health.last_error.as_deref(), Some(UNFINISHED));
    assert_eq!(s.health.failures, 1);
    assert!(s.health.next_attempt.unwrap() > broadsheet_sync_now(), "backed off into the future");
    assert!(store.lock().unwrap().unfinished_attempts().unwrap().is_empty(), "recorded once, not at every run");
    drop(s);
    // The reader can still ask for it explicitly, and a finished attempt leaves no mark.
    let r = sync_now(&rt, &engine);
    assert!(r.failures.is_empty(), "{:?}", r.failures);
    assert_eq!(titles(&store), ["a"]);
    assert!(store.lock().unwrap().unfinished_attempts().unwrap().is_empty());
}

/// Registers a feed on 127.0.0.1:`port` as a source the reader added: that address is then
/// allowed for images too.
fn follow_feed_on(store: &SharedStore, port: u16) {
    let feed = format!("http://127.0.0.1:{port}/feed.xml");
    let source =
        broadsheet_store::NewSource { kind: "feed", location: &feed, name: "silent", site_url: None, lang: None };
    store.lock().unwrap().upsert_source(&source).unwrap();
}

/// A server on 127.0.0.1 that accepts connections and never says a word; its port.
fn silent_port() -> u16 {
    silent_server().0
}

/// [`silent_port`] with the number of connections it has accepted.
fn silent_server() -> (u16, Arc<AtomicUsize>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let seen = accepted.clone();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in l.incoming().flatten().take(64) {
            held.push(s);
            seen.fetch_add(1, Ordering::SeqCst);
        }
    });
    (port, accepted)
}

/// Waits until `counter` passes `past` (a server saw the connection a test waits on).
async fn connected(counter: &AtomicUsize, past: usize) {
    tokio::time::timeout(Duration::from_secs(30), async {
        while counter.load(Ordering::SeqCst) <= past {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the server was reached");
}

fn broadsheet_sync_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// A server that counts every connection it gets and answers with a tiny PNG.
fn counting_server() -> (u16, Arc<AtomicUsize>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            h.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0u8; 2048];
            let _ = s.read(&mut buf);
            let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                png.len()
            );
            let _ = s.write_all(png);
        }
    });
    (port, hits)
}

#[test]
fn image_urls_in_posts_never_reach_private_or_loopback_addresses() {
    let (port, hits) = counting_server();
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("_posts")).unwrap();
    let targets = [
        format!("http://localhost:{port}/a.png"),
        format!("http://127.0.0.1:{port}/b.png"),
        format!("http://[::ffff:127.0.0.1]:{port}/c.png"),
        format!("http://2130706433:{port}/d.png"),
        "http://169.254.169.254/latest/meta-data/e.png".to_string(),
        "http://10.0.0.1/f.png".to_string(),
    ];
    let body: String = targets.iter().map(|u| format!("<img src=\"{u}\">\n")).collect();
    std::fs::write(site.join("_posts/2024-01-02-ssrf.md"), format!("---\ntitle: ssrf\n---\n{body}")).unwrap();
    let store = archive(dir.path());
    let rt = rt();
    rt.block_on(add_source(&store, site.to_str().unwrap(), None, None)).unwrap();
    let mut opts = SyncOptions::new(&dir.path().join("data"));
    opts.image_limits.connect_timeout = Duration::from_secs(2);
    opts.image_limits.timeout = Duration::from_secs(4);
    let engine = Engine::new(store.clone(), opts);
    let r = sync_now(&rt, &engine);
    assert_eq!(titles(&store), ["ssrf"]);
    assert_eq!(r.images, 0, "no image from a private address is stored");
    assert!(r.image_failures >= 4, "{r:?}");
    assert_eq!(hits.load(Ordering::SeqCst), 0, "the loopback server was never contacted");
}

#[test]
fn a_silent_image_host_cannot_hold_a_run_past_the_image_phase() {
    let port = silent_port();
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("_posts")).unwrap();
    let imgs: String = (0..8).map(|i| format!("<img src=\"http://127.0.0.1:{port}/{i}.png\">\n")).collect();
    std::fs::write(site.join("_posts/2024-01-02-slow.md"), format!("---\ntitle: slow\n---\n{imgs}")).unwrap();
    let store = archive(dir.path());
    let rt = rt();
    rt.block_on(add_source(&store, site.to_str().unwrap(), None, None)).unwrap();
    // The reader also follows a feed on that host, so its address is allowed.
    follow_feed_on(&store, port);
    let mut opts = SyncOptions::new(&dir.path().join("data"));
    opts.limits.timeout = Duration::from_secs(2);
    opts.image_limits.timeout = Duration::from_secs(600);
    opts.image_phase = Duration::from_secs(3);
    let engine = Engine::new(store.clone(), opts);
    let started = std::time::Instant::now();
    let r = sync_now(&rt, &engine);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(60), "the run ended with its image phase, not the image timeout: {took:?}");
    assert_eq!(titles(&store), ["slow"]);
    assert_eq!(r.images, 0);
    let pending = store.lock().unwrap().pending_images(None, 100).unwrap();
    assert_eq!(pending.len(), 8, "the images wait for the next run");
}

#[test]
fn a_feed_from_a_file_must_be_public_while_one_the_reader_added_may_be_private() {
    let (port, hits) = counting_server();
    let feed = format!("http://127.0.0.1:{port}/feed.xml");
    let dir = tempfile::tempdir().unwrap();
    let store = archive(dir.path());
    // As an OPML import or a backup restore leaves it.
    let id = {
        let s = store.lock().unwrap();
        let id = s
            .upsert_source(&broadsheet_store::NewSource {
                kind: "feed",
                location: &feed,
                name: "from a file",
                site_url: None,
                lang: None,
            })
            .unwrap();
        s.set_source_user_added(id, false).unwrap();
        id
    };
    let rt = rt();
    let engine = Engine::new(store.clone(), SyncOptions::new(&dir.path().join("data")));
    let r = sync_now(&rt, &engine);
    assert_eq!(r.failures.len(), 1, "{r:?}");
    assert!(r.failures[0].1.contains("refused"), "{:?}", r.failures);
    assert_eq!(hits.load(Ordering::SeqCst), 0, "a private address from a file is never contacted");
    // The reader adds the very same feed by hand: now it is theirs to reach.
    let again = rt.block_on(add_source(&store, &feed, Some(broadsheet_sync::SourceKind::Feed), None)).unwrap();
    assert_eq!(again, id);
    sync_now(&rt, &engine);
    assert!(hits.load(Ordering::SeqCst) > 0, "a source the reader added may be on their own network");
}

#[test]
fn sources_sync_at_once_while_a_slow_image_phase_is_still_running() {
    let (port, accepted) = silent_server();
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("_posts")).unwrap();
    std::fs::write(
        site.join("_posts/2024-01-02-slow.md"),
        format!("---\ntitle: slow\n---\n<img src=\"http://127.0.0.1:{port}/a.png\">"),
    )
    .unwrap();
    let store = archive(dir.path());
    let rt = rt();
    rt.block_on(add_source(&store, site.to_str().unwrap(), None, None)).unwrap();
    // The reader follows a feed on the image host too, so its address is allowed.
    follow_feed_on(&store, port);
    let mut opts = SyncOptions::new(&dir.path().join("data"));
    opts.limits.timeout = Duration::from_secs(1);
    opts.image_limits.timeout = Duration::from_secs(600);
    let engine = Engine::new(store.clone(), opts);
    rt.block_on(engine.run_sources(Trigger::Now(None), CancellationToken::new(), Arc::new(|_| {})));
    let before = accepted.load(Ordering::SeqCst);
    rt.block_on(async {
        let images = CancellationToken::new();
        let slow = tokio::spawn({
            let (engine, images) = (engine.clone(), images.clone());
            async move { engine.run_images(images, Arc::new(|_| {})).await }
        });
        connected(&accepted, before).await;
        assert!(!slow.is_finished(), "the image phase is stuck on the silent host");
        // A new post and "sync now": the sources run at once, beside the stuck images.
        std::fs::write(site.join("_posts/2024-01-03-new.md"), "---\ntitle: new\n---\nx").unwrap();
        let r = tokio::time::timeout(
            Duration::from_secs(60),
            engine.run_sources(Trigger::Now(None), CancellationToken::new(), Arc::new(|_| {})),
        )
        .await
        .expect("a source run does not wait for the image phase");
        assert_eq!(r.new, 1);
        assert!(!slow.is_finished(), "the images were still loading all along");
        images.cancel();
        let _ = slow.await;
    });
    assert!(titles(&store).contains(&"new".to_string()));
}

#[test]
fn a_silent_git_server_is_abandoned_after_its_timeout_and_cancel_answers_at_once() {
    let _git = one_git_test_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let store = archive(dir.path());
    let rt = rt();
    let (port, accepted) = silent_server();
    let url = format!("http://127.0.0.1:{port}/site.git");
    rt.block_on(add_source(&store, &url, Some(broadsheet_sync::SourceKind::JekyllGit), None)).unwrap();
    let mut opts = SyncOptions::new(&dir.path().join("data"));
    opts.git_limits.server_timeout = Duration::from_secs(2);
    let engine = Engine::new(store.clone(), opts.clone());
    let started = std::time::Instant::now();
    let r = sync_now(&rt, &engine);
    let took = started.elapsed();
    assert_eq!(r.failures.len(), 1, "{r:?}");
    assert!(took < Duration::from_secs(60), "abandoned after the server timeout, not hung: {took:?}");
    eprintln!("silent git server abandoned after {took:?}: {}", r.failures[0].1);

    // Cancelling while the fetch waits on the server: the run answers at once.
    opts.git_limits.server_timeout = Duration::from_secs(600);
    let engine = Engine::new(store.clone(), opts);
    let cancel = CancellationToken::new();
    let started = std::time::Instant::now();
    let before = accepted.load(Ordering::SeqCst);
    let r = rt.block_on(async {
        let (c, accepted) = (cancel.clone(), accepted.clone());
        // Cancelled once the fetch is connected and waiting on the server.
        tokio::spawn(async move {
            connected(&accepted, before).await;
            c.cancel();
        });
        tokio::time::timeout(Duration::from_secs(30), engine.run(Trigger::Now(None), cancel, Arc::new(|_| {})))
            .await
            .expect("cancel answers")
    });
    assert!(r.cancelled);
    assert!(started.elapsed() < Duration::from_secs(30));
    // The blocked libgit2 call ends with its own timeout; the runtime need not wait for it.
    rt.shutdown_background();
}

/// Sources that came in a file (a backup, an OPML list) are a stranger's: a folder source may
/// not read this computer's files, and a git source may not reach this computer or its
/// network — until the reader adds the same source themselves.
#[test]
fn sources_from_a_file_may_not_read_local_files_or_private_git_hosts() {
    let _git = one_git_test_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    commit_files(&work, &[("_posts/2022-03-08-a.md", "---\ntitle: \"私人笔记\"\n---\n正文")], "one");
    let store = archive(dir.path());
    let from_a_file = |kind: &str, location: &str| {
        let s = store.lock().unwrap();
        let id = s
            .upsert_source(&broadsheet_store::NewSource { kind, location, name: location, site_url: None, lang: None })
            .unwrap();
        s.set_source_user_added(id, false).unwrap();
    };
    let folder = work.display().to_string();
    from_a_file("jekyll-folder", &folder);
    from_a_file("jekyll-git", &format!("file://{}", work.display()));
    from_a_file("jekyll-git", "http://127.0.0.1:9/x.git");
    from_a_file("jekyll-git", "http://169.254.169.254/latest/meta-data/");
    from_a_file("jekyll-git", "git@localhost:x/y.git");
    from_a_file("jekyll-git", "C:\\Users\\me\\repo");
    from_a_file("jekyll-git", "C:/Users/me/repo");
    from_a_file("jekyll-git", "FILE:///etc");
    let rt = rt();
    let engine = Engine::new(store.clone(), SyncOptions::new(&dir.path().join("data")));
    let report = sync_now(&rt, &engine);
    assert_eq!(report.failures.len(), 8, "{:#?}", report.failures);
    assert!(report.failures.iter().all(|(_, why)| why.contains("add it again")), "{:#?}", report.failures);
    assert!(titles(&store).is_empty(), "nothing of this computer's was read");
    // Added by the reader, the same folder syncs.
    rt.block_on(add_source(&store, &folder, None, None)).unwrap();
    sync_now(&rt, &engine);
    assert_eq!(titles(&store), ["私人笔记"]);
}

/// A parser's error quotes the value it choked on, and the feed chose it: a 2 MB JSON Feed
/// `version` must not become a 2 MB error stored on the source, sent in every sync event and
/// every sources list.
#[test]
fn an_error_quoting_a_huge_value_is_stored_and_sent_cut() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("www");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(
        site.join("feed.json"),
        format!(r#"{{"version":"{}","title":"t","items":[]}}"#, "v".repeat(2_000_000)),
    )
    .unwrap();
    let http = support::Http::serve(&site);
    let store = archive(dir.path());
    let feed = http.url("/feed.json");
    store
        .lock()
        .unwrap()
        .upsert_source(&broadsheet_store::NewSource {
            kind: "feed",
            location: &feed,
            name: "big",
            site_url: None,
            lang: None,
        })
        .unwrap();
    let rt = rt();
    let engine = Engine::new(store.clone(), SyncOptions::new(&dir.path().join("data")));
    let events: Arc<std::sync::Mutex<Vec<broadsheet_model::SyncEvent>>> = Arc::default();
    let seen = events.clone();
    let r = rt.block_on(engine.run(
        Trigger::Now(None),
        CancellationToken::new(),
        Arc::new(move |e| seen.lock().unwrap().push(e)),
    ));
    assert_eq!(r.failures.len(), 1, "{r:?}");
    let limit = broadsheet_model::MAX_MESSAGE_CHARS + 1;
    assert!(r.failures[0].1.chars().count() <= limit, "report: {} chars", r.failures[0].1.len());
    assert!(r.failures[0].1.contains(&feed), "the error still names the feed: {}", &r.failures[0].1[..200]);
    let stored = store.lock().unwrap().sources().unwrap().remove(0).health.last_error.expect("the failure is recorded");
    assert!(stored.chars().count() <= limit, "stored: {} chars", stored.len());
    let sent = events
        .lock()
        .unwrap()
        .iter()
        .find_map(|e| match e {
            broadsheet_model::SyncEvent::SourceFinished { error, .. } => error.clone(),
            _ => None,
        })
        .expect("the window hears of the failure");
    assert!(sent.chars().count() <= limit, "sent: {} chars", sent.len());
}

/// A scheduler tick with nothing due reads on a connection of its own: while a long write
/// (a restore) holds the writer, the minute's tick neither waits for it nor holds a worker.
#[test]
fn a_tick_with_nothing_due_does_not_wait_for_a_busy_writer() {
    let dir = tempfile::tempdir().unwrap();
    let store = archive(dir.path());
    let rt = rt();
    let engine = Engine::new(store.clone(), SyncOptions::new(&dir.path().join("data")));
    let (held_tx, held_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let holder = {
        let store = store.clone();
        std::thread::spawn(move || {
            let _writer = store.lock().unwrap();
            held_tx.send(()).unwrap();
            let _ = release_rx.recv_timeout(Duration::from_secs(60));
        })
    };
    held_rx.recv().unwrap();
    let report = rt.block_on(async {
        tokio::time::timeout(
            Duration::from_secs(30),
            engine.run(Trigger::Schedule, CancellationToken::new(), Arc::new(|_| {})),
        )
        .await
    });
    let still_held = store.try_lock().is_err();
    release_tx.send(()).unwrap();
    holder.join().unwrap();
    let report = report.expect("the tick returns while the writer is held");
    assert!(still_held, "the writer was still held when the tick returned");
    assert!(report.failures.is_empty(), "{report:?}");
}
