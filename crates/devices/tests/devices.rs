//! Several archives (separate data folders, real SQLite files) syncing what the reader did
//! through a shared folder and a bare git repository on this machine.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use broadsheet_devices::{log, Remote};
use broadsheet_store::{NewSource, Store};
use proptest::prelude::*;

/// One computer: its data folder and its archive (holding the sample site).
struct Device {
    dir: PathBuf,
    store: Mutex<Store>,
}

impl Device {
    fn new(root: &Path, name: &str, remote: &str) -> Device {
        let dir = root.join(name);
        let mut store = Store::open(&dir.join("archive.sqlite3")).unwrap();
        broadsheet_import::import_sample(&mut store).unwrap();
        broadsheet_devices::set_remote(&store, Some(remote)).unwrap();
        Device { dir, store: Mutex::new(store) }
    }

    fn sync(&self) -> broadsheet_devices::DevicesReport {
        broadsheet_devices::sync(&self.store, &self.dir).unwrap()
    }

    fn with<T>(&self, f: impl FnOnce(&mut Store) -> T) -> T {
        f(&mut self.store.lock().unwrap())
    }

    /// The sample's posts, newest first (the same ids on every device: one import each).
    fn posts(&self) -> Vec<broadsheet_model::ArticleId> {
        let q = broadsheet_model::ArticleQuery { limit: Some(100), ..Default::default() };
        self.with(|s| s.list_articles(&q).unwrap().into_iter().map(|a| a.id).collect())
    }

    /// What the reader sees, by post URL: bookmarked, read, user tags (by name, whatever the
    /// case: a tag is one tag however spelled, and each archive keeps the spelling it met
    /// first); plus the shared settings and the feed sources.
    fn state(&self) -> BTreeMap<String, String> {
        let path = self.dir.join("archive.sqlite3");
        let c = rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        let rows = |sql: &str| -> Vec<(String, String)> {
            let mut stmt = c.prepare(sql).unwrap();
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
        };
        let mut state = BTreeMap::new();
        for (k, v) in rows(
            "SELECT coalesce(a.url, a.key), (a.id IN (SELECT article_id FROM bookmarks)) || '/' ||
                    (a.id IN (SELECT article_id FROM read_state)) || '/' ||
                    coalesce((SELECT group_concat(lower(name), ',') FROM (SELECT u.name FROM article_user_tags t
                              JOIN user_tags u ON u.id = t.user_tag_id WHERE t.article_id = a.id ORDER BY lower(u.name))), '')
             FROM articles a",
        ) {
            state.insert(k, v);
        }
        for (k, v) in rows("SELECT 'setting ' || key, value FROM settings WHERE key IN ('ui', 'image_budget_bytes')") {
            state.insert(k, v);
        }
        for (k, v) in rows(
            "SELECT 'source ' || location, kind || '/' || (removed_at IS NOT NULL) || '/' || interval_min
             FROM sources WHERE kind = 'feed'",
        ) {
            state.insert(k, v);
        }
        state
    }
}

/// The two states are equal (the keys that differ, when not).
fn same(a: &BTreeMap<String, String>, b: &BTreeMap<String, String>) {
    let differ: Vec<_> = a.iter().filter(|(k, v)| b.get(*k) != Some(v)).map(|(k, v)| (k, v, b.get(k))).collect();
    assert!(differ.is_empty() && a.len() == b.len(), "{differ:#?}");
}

fn bare_repo(root: &Path) -> String {
    let path = root.join("devices-remote.git");
    git2::Repository::init_bare(&path).unwrap();
    path.to_string_lossy().into_owned()
}

fn shared_folder(root: &Path) -> String {
    let path = root.join("Dropbox").join("Broadsheet");
    std::fs::create_dir_all(&path).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn bookmarks_read_marks_tags_sources_and_settings_reach_every_device_through_a_folder() {
    let root = tempfile::tempdir().unwrap();
    let remote = shared_folder(root.path());
    let [a, b, c] = ["laptop", "desktop", "tablet"].map(|n| Device::new(root.path(), n, &remote));
    let posts = a.posts();
    a.with(|s| {
        s.set_bookmark(posts[0], true).unwrap();
        s.set_read(posts[1], true).unwrap();
        s.set_user_tags(posts[2], &["Rust".into(), "稍后读".into()]).unwrap();
        s.set_setting("ui", r#"{"theme":"dark"}"#).unwrap();
        s.set_image_budget(123 * 1024 * 1024).unwrap();
        let feed = NewSource {
            kind: "feed",
            location: "https://example.com/feed.xml",
            name: "Example",
            site_url: None,
            lang: None,
        };
        let id = s.upsert_source(&feed).unwrap();
        s.set_sync_interval(id, 90).unwrap();
    });
    b.with(|s| s.set_read(posts[3], true).unwrap());
    for d in [&a, &b, &c, &a, &b] {
        d.sync();
    }
    assert_eq!(a.state(), b.state());
    assert_eq!(a.state(), c.state());
    let state = c.state();
    assert_eq!(state["setting ui"], r#"{"theme":"dark"}"#);
    assert_eq!(state["setting image_budget_bytes"], (123 * 1024 * 1024).to_string());
    assert_eq!(state["source https://example.com/feed.xml"], "feed/0/90");
    let marked = state.iter().filter(|(k, v)| k.starts_with("https:") && v.as_str() != "0/0/").count();
    assert_eq!(marked, 4, "{state:#?}");
    // A source from another device is held to the public-network rule, like one from a file.
    let user_added: i64 = rusqlite::Connection::open(c.dir.join("archive.sqlite3"))
        .unwrap()
        .query_row("SELECT user_added FROM sources WHERE kind = 'feed'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(user_added, 0);
    // Nothing came back as the receiver's own change: c published an empty log.
    assert_eq!(c.with(|s| s.own_device_version().unwrap().1), 0);

    // Removing and untagging travel too.
    a.with(|s| {
        s.set_bookmark(posts[0], false).unwrap();
        s.rename_user_tag("Rust", "rust-lang").unwrap();
        let id = s.source_id("https://example.com/feed.xml").unwrap().unwrap();
        let mut job = s.begin_source_removal(id, false).unwrap();
        while s.removal_step(&mut job).unwrap() {}
        s.finish_source_removal(job).unwrap();
    });
    for d in [&a, &b, &c] {
        d.sync();
    }
    let state = c.state();
    assert_eq!(state, a.state());
    assert!(state.values().any(|v| v == "0/0/rust-lang,稍后读"), "{state:#?}");
    assert!(!state.contains_key("source https://example.com/feed.xml"), "removed everywhere: {state:#?}");
}

#[test]
fn concurrent_conflicting_edits_converge_on_every_device_through_git() {
    let root = tempfile::tempdir().unwrap();
    let remote = bare_repo(root.path());
    let [a, b, c] = ["laptop", "desktop", "tablet"].map(|n| Device::new(root.path(), n, &remote));
    let posts = a.posts();
    // Offline, each device changes the same posts differently.
    a.with(|s| {
        s.set_bookmark(posts[0], true).unwrap();
        s.set_user_tags(posts[1], &["A".into()]).unwrap();
        s.set_read(posts[2], true).unwrap();
    });
    // Concurrent edits are ordered by their stamps' wall-clock milliseconds: a pause of a few
    // makes "later" unambiguous on a fast machine.
    let tick = || std::thread::sleep(std::time::Duration::from_millis(3));
    tick();
    b.with(|s| {
        s.set_bookmark(posts[0], true).unwrap();
        s.set_bookmark(posts[0], false).unwrap();
        s.set_user_tags(posts[1], &["B".into()]).unwrap();
    });
    tick();
    c.with(|s| {
        s.set_read(posts[2], true).unwrap();
        s.set_read(posts[2], false).unwrap();
        s.set_user_tags(posts[1], &["a".into(), "C".into()]).unwrap();
    });
    // Two devices push at the same moment: one is refused as not a fast-forward and tries
    // again on top of the other's commit.
    std::thread::scope(|t| {
        t.spawn(|| a.sync());
        t.spawn(|| b.sync());
    });
    for d in [&c, &a, &b, &c] {
        d.sync();
    }
    let state = a.state();
    same(&state, &b.state());
    same(&state, &c.state());
    // The last change to each field won (c's edits came last for the read mark and `a`).
    let url = |i: usize| a.with(|s| s.article(posts[i]).unwrap().summary.url.unwrap());
    assert_eq!(state[&url(0)], "0/0/", "b's unbookmark came after a's bookmark");
    assert_eq!(state[&url(2)], "0/0/", "c's unread came last");
    assert_eq!(state[&url(1)], "0/0/a,b,c", "tag sets: each name's last add or remove wins");
}

#[test]
fn the_git_history_starts_afresh_so_the_repository_stays_small_and_nothing_is_lost() {
    let root = tempfile::tempdir().unwrap();
    let remote = bare_repo(root.path());
    let (a, b) = (Device::new(root.path(), "desk", &remote), Device::new(root.path(), "laptop", &remote));
    let posts = a.posts();
    let n = broadsheet_devices::git::SQUASH_AFTER + 30;
    for i in 0..n {
        a.with(|s| s.set_bookmark(posts[i % 5], i % 2 == 0).unwrap());
        a.sync();
        if i % 97 == 0 {
            b.sync();
        }
    }
    b.sync();
    a.sync();
    let repo = git2::Repository::open_bare(&remote).unwrap();
    let mut walk = repo.revwalk().unwrap();
    walk.push_ref("refs/heads/main").unwrap();
    let commits = walk.count();
    assert!(commits <= broadsheet_devices::git::SQUASH_AFTER, "{commits} commits on main after {n} publishes");
    // The squash kept both devices' logs: each still sees the other, and they agree.
    let head = repo.find_reference("refs/heads/main").unwrap().peel_to_tree().unwrap();
    assert_eq!(head.iter().filter(|e| e.name().is_ok_and(|n| n.ends_with(".bslog"))).count(), 2);
    same(&a.state(), &b.state());
}

#[test]
fn a_device_offline_for_long_catches_up_in_one_sync() {
    let root = tempfile::tempdir().unwrap();
    let remote = bare_repo(root.path());
    let [a, b] = ["laptop", "desktop"].map(|n| Device::new(root.path(), n, &remote));
    let posts = a.posts();
    for round in 0..6 {
        let (one, two) = if round % 2 == 0 { (&a, &b) } else { (&b, &a) };
        one.with(|s| {
            s.set_read(posts[round], true).unwrap();
            s.set_bookmark(posts[round + 10], round % 3 == 0).unwrap();
        });
        one.sync();
        two.sync();
    }
    a.with(|s| s.mark_all_read(&Default::default()).unwrap());
    a.sync();
    let late = Device::new(root.path(), "old-laptop", &remote);
    late.with(|s| s.set_bookmark(posts[20], true).unwrap());
    let report = late.sync();
    assert_eq!(report.peers.len(), 2);
    assert!(report.applied > posts.len(), "{report:?}");
    a.sync();
    b.sync();
    assert_eq!(late.state(), a.state());
    assert_eq!(b.state(), a.state());
    assert!(late.state().values().all(|v| v.contains("/1/")));
}

#[test]
fn a_truncated_or_hostile_log_is_refused_by_name_and_loses_nothing() {
    let root = tempfile::tempdir().unwrap();
    let remote = shared_folder(root.path());
    let [a, b] = ["laptop", "desktop"].map(|n| Device::new(root.path(), n, &remote));
    let posts = a.posts();
    b.with(|s| s.set_bookmark(posts[5], true).unwrap());
    b.sync();
    a.sync();
    let good = a.state();
    let b_file = Path::new(&remote).join(log::file_name(&b.with(|s| s.device_id().unwrap())));
    let bytes = std::fs::read(&b_file).unwrap();
    let now_ms = (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64;
    let b_id = b.with(|s| s.device_id().unwrap());
    let forged = |ops: Vec<broadsheet_store::DeviceOp>| log::encode(&b_id, "desktop", &ops);
    let url5 = a.with(|s| s.article(posts[5]).unwrap().summary.url.unwrap());
    let hostile: Vec<(&str, Vec<u8>)> = vec![
        ("cut short", bytes[..bytes.len() / 2].to_vec()),
        ("checksum", {
            let mut b = bytes.clone();
            let at = b.len() / 3;
            b[at] ^= 0x20;
            b
        }),
        ("future", {
            let op = broadsheet_store::DeviceOp {
                target: format!("url:{url5}"),
                field: "bookmark".into(),
                value: "0".into(),
                stamp: (now_ms + 400 * 24 * 3600 * 1000) * 65_536,
            };
            forged(vec![op])
        }),
        ("does not allow", {
            let op = broadsheet_store::DeviceOp {
                target: "setting:devices_remote".into(),
                field: "value".into(),
                value: "/tmp/elsewhere".into(),
                stamp: now_ms * 65_536,
            };
            forged(vec![op])
        }),
        ("more than", vec![b'x'; (log::MAX_LOG_BYTES + 1) as usize]),
    ];
    for (why, bad) in hostile {
        std::fs::write(&b_file, &bad).unwrap();
        let report = a.sync();
        let peer = &report.peers[0];
        let error = peer.error.as_deref().unwrap_or_else(|| panic!("{why}: accepted"));
        assert!(error.contains(why), "{why}: {error}");
        assert!(error.contains(&b_file.display().to_string()), "names the file: {error}");
        assert_eq!(a.state(), good, "{why}: what b's good log brought stays");
        let status = a.with(|s| broadsheet_devices::status(s).unwrap());
        assert!(status.peers[0].error.as_deref().unwrap().contains(why));
    }
    // A link in place of a log is not followed.
    #[cfg(unix)]
    {
        std::fs::remove_file(&b_file).unwrap();
        std::os::unix::fs::symlink("/dev/zero", &b_file).unwrap();
        let report = a.sync();
        assert!(report.peers[0].error.as_deref().unwrap().contains("not a regular file"));
        std::fs::remove_file(&b_file).unwrap();
    }
    // The good log again: accepted, the error cleared.
    std::fs::write(&b_file, &bytes).unwrap();
    let report = a.sync();
    assert_eq!(report.peers[0].error, None);
    assert_eq!(a.state(), good);
    assert_eq!(a.with(|s| broadsheet_devices::status(s).unwrap()).peers[0].error, None);
}

/// Each log is bounded, and so are all of them together: logs past what one sync may hold
/// are said and left for a later sync, not read (64 logs of the largest size were 16 GiB).
#[test]
fn the_logs_of_one_sync_are_bounded_together_not_only_each() {
    let root = tempfile::tempdir().unwrap();
    let remote = shared_folder(root.path());
    let [a, b] = ["laptop", "desktop"].map(|n| Device::new(root.path(), n, &remote));
    let posts = a.posts();
    b.with(|s| s.set_bookmark(posts[3], true).unwrap());
    b.sync();
    a.sync();
    let size = broadsheet_devices::MAX_INCOMING_BYTES * 2 / 5;
    // Named to come first, larger than the real log: read smallest first, they cannot
    // starve it.
    for id in ["0000000000000001", "0000000000000002", "0000000000000003"] {
        // Sparse: no disk is written, the reads are real.
        std::fs::File::create(Path::new(&remote).join(log::file_name(id))).unwrap().set_len(size).unwrap();
    }
    b.with(|s| s.set_bookmark(posts[4], true).unwrap());
    b.sync();
    let report = a.sync();
    let errors: Vec<&str> = report.peers.iter().filter_map(|p| p.error.as_deref()).collect();
    assert_eq!(errors.len(), 3, "none of the large ones is a log, the real one is: {errors:?}");
    let left = errors.iter().filter(|e| e.contains("left for a later sync")).count();
    assert_eq!(left, 1, "two fit, the third does not: {errors:?}");
    assert!(a.with(|s| s.article(posts[4]).unwrap().summary.bookmarked), "the real log was read and merged");
}

/// A peer's log may tag a post only as far as a backup can carry it back: past that bound
/// its tags are not applied (the reader's own backup would be refused otherwise).
#[test]
fn a_peer_cannot_tag_a_post_past_what_a_backup_carries() {
    let root = tempfile::tempdir().unwrap();
    let remote = shared_folder(root.path());
    let [a, b] = ["laptop", "desktop"].map(|n| Device::new(root.path(), n, &remote));
    let posts = a.posts();
    b.sync();
    a.sync();
    let b_id = b.with(|s| s.device_id().unwrap());
    let url = a.with(|s| s.article(posts[2]).unwrap().summary.url.unwrap());
    let now_ms = (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64;
    let ops: Vec<broadsheet_store::DeviceOp> = (0..1_100)
        .map(|i| broadsheet_store::DeviceOp {
            target: format!("url:{url}"),
            field: format!("tag:t{i}"),
            value: format!("+t{i}"),
            stamp: (now_ms + i) * 65_536,
        })
        .collect();
    let b_file = Path::new(&remote).join(log::file_name(&b_id));
    std::fs::write(&b_file, log::encode(&b_id, "desktop", &ops)).unwrap();
    let report = a.sync();
    assert_eq!(report.peers[0].error, None);
    assert_eq!(a.with(|s| s.article(posts[2]).unwrap().summary.user_tags.len()), 1_024);
}

#[test]
fn a_mark_on_a_post_this_device_does_not_have_yet_is_applied_when_the_post_arrives() {
    let root = tempfile::tempdir().unwrap();
    let remote = shared_folder(root.path());
    let [a, b] = ["laptop", "desktop"].map(|n| Device::new(root.path(), n, &remote));
    // The same site in a folder on each computer, at different paths and without a site URL:
    // the post is known by its site's name and key.
    let site = |at: &Path| {
        std::fs::create_dir_all(at.join("_posts")).unwrap();
        std::fs::write(at.join("_config.yml"), "title: My notes\n").unwrap();
        std::fs::write(at.join("_posts/2026-03-01-hello.md"), "---\ntitle: \"Hello\"\n---\n<p>Hi</p>\n").unwrap();
        at.to_owned()
    };
    let b_site = site(&root.path().join("b-home/notes"));
    b.with(|s| {
        broadsheet_import::import_path(s, &b_site, Default::default(), &mut |_, _| {}).unwrap();
        let id = s.list_articles(&Default::default()).unwrap().into_iter().find(|a| a.title == "Hello").unwrap().id;
        s.set_bookmark(id, true).unwrap();
        s.set_user_tags(id, &["later".into()]).unwrap();
    });
    b.sync();
    let report = a.sync();
    assert_eq!(report.waiting, 2, "{report:?}");
    let a_site = site(&root.path().join("a-home/Documents/notes"));
    a.with(|s| broadsheet_import::import_path(s, &a_site, Default::default(), &mut |_, _| {}).unwrap());
    let report = a.sync();
    assert_eq!((report.applied, report.waiting), (2, 0), "{report:?}");
    let hello = a.state().into_iter().find(|(k, _)| k.contains("hello")).unwrap();
    assert_eq!(hello.1, "1/0/later");
}

#[test]
fn an_unreachable_remote_is_reported_and_nothing_changes() {
    let root = tempfile::tempdir().unwrap();
    let folder = shared_folder(root.path());
    let a = Device::new(root.path(), "laptop", &folder);
    std::fs::remove_dir_all(&folder).unwrap();
    let err = broadsheet_devices::sync(&a.store, &a.dir).unwrap_err();
    assert!(matches!(err, broadsheet_devices::DevicesError::Unreachable { .. }), "{err}");
    a.with(|s| broadsheet_devices::set_remote(s, Some(&root.path().join("nowhere.git").to_string_lossy())).unwrap());
    let err = broadsheet_devices::sync(&a.store, &a.dir).unwrap_err();
    assert!(matches!(err, broadsheet_devices::DevicesError::Unreachable { .. }), "{err}");
    assert!(matches!(Remote::parse("relative/path"), Err(broadsheet_devices::DevicesError::Invalid(_))));
    assert!(matches!(Remote::parse("git@example.com:me/devices.git"), Ok(Remote::Git(_))));
    assert!(Remote::parse("ftp://example.com/x").is_err());

    // SSH is built in: a server that hangs up after its banner is "unreachable", not an
    // unsupported kind of remote.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            use std::io::Write;
            let mut stream = stream;
            let _ = stream.write_all(b"SSH-2.0-NotReally\r\n");
        }
    });
    a.with(|s| broadsheet_devices::set_remote(s, Some(&format!("ssh://git@127.0.0.1:{port}/devices.git"))).unwrap());
    let err = broadsheet_devices::sync(&a.store, &a.dir).unwrap_err();
    assert!(matches!(err, broadsheet_devices::DevicesError::Unreachable { .. }), "{err}");
    assert!(!err.to_string().to_lowercase().contains("unsupported"), "{err}");
}

/// Random changes by three devices, merged into two archives in different orders and
/// batches, end in the same state.
fn merge_in(store: &mut Store, batches: &[(String, Vec<broadsheet_store::DeviceOp>)]) -> BTreeMap<String, String> {
    for (device, ops) in batches {
        store.merge_device_ops(device, ops).unwrap();
    }
    let mut cursor = None;
    loop {
        let step = store.apply_device_step(cursor.as_ref()).unwrap();
        match step.next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    let path = store.path().unwrap();
    let c = rusqlite::Connection::open(path).unwrap();
    let mut stmt = c
        .prepare(
            "SELECT a.url, (a.id IN (SELECT article_id FROM bookmarks)) || (a.id IN (SELECT article_id FROM read_state))
             || coalesce((SELECT group_concat(lower(u.name)) FROM (SELECT u.name FROM article_user_tags t JOIN user_tags u
                ON u.id = t.user_tag_id WHERE t.article_id = a.id ORDER BY lower(u.name)) u), '') FROM articles a",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn merging_the_same_changes_in_any_order_gives_the_same_state(
        changes in prop::collection::vec((0usize..3, 0usize..4, 0usize..4, any::<bool>(), 1i64..40), 1..40),
        order in Just(()).prop_perturb(|_, mut rng| { let mut v: Vec<usize> = (0..40).collect();
            for i in (1..v.len()).rev() { v.swap(i, (rng.next_u32() as usize) % (i + 1)); } v }),
        split in 1usize..5,
    ) {
        let root = tempfile::tempdir().unwrap();
        let template = root.path().join("template.sqlite3");
        {
            let mut s = Store::open(&template).unwrap();
            broadsheet_import::import_sample(&mut s).unwrap();
        }
        let urls: Vec<String> = {
            let s = Store::open(&template).unwrap();
            s.list_articles(&Default::default()).unwrap().into_iter().take(4).map(|a| a.url.unwrap()).collect()
        };
        let devices = ["00000000000000a1", "00000000000000b2", "00000000000000c3"];
        let fields = ["bookmark", "read", "tag:x", "tag:y"];
        // Each device's latest change per (post, field), as its log would hold it.
        let mut logs: BTreeMap<(usize, usize, usize), broadsheet_store::DeviceOp> = BTreeMap::new();
        for (dev, post, field, on, stamp) in changes {
            let value = match fields[field] {
                "bookmark" | "read" => if on { "1".to_string() } else { "0".to_string() },
                f => format!("{}{}", if on { '+' } else { '-' }, &f[4..]),
            };
            let op = broadsheet_store::DeviceOp {
                target: format!("url:{}", urls[post]),
                field: fields[field].into(),
                value,
                stamp: stamp * 65_536,
            };
            let slot = logs.entry((dev, post, field)).or_insert_with(|| op.clone());
            if op.stamp > slot.stamp { *slot = op; }
        }
        let per_device: Vec<(String, Vec<broadsheet_store::DeviceOp>)> = (0..3)
            .map(|d| (devices[d].to_string(), logs.iter().filter(|((dev, _, _), _)| *dev == d).map(|(_, o)| o.clone()).collect()))
            .collect();
        // Archive one: each device's log whole, in device order.
        let one_path = root.path().join("one.sqlite3");
        std::fs::copy(&template, &one_path).unwrap();
        let one = merge_in(&mut Store::open(&one_path).unwrap(), &per_device);
        // Archive two: the same changes cut in small batches, interleaved in a random order,
        // some delivered twice.
        let mut pieces: Vec<(String, Vec<broadsheet_store::DeviceOp>)> = Vec::new();
        for (device, ops) in &per_device {
            for chunk in ops.chunks(split) {
                pieces.push((device.clone(), chunk.to_vec()));
            }
        }
        let mut shuffled: Vec<_> = order.iter().filter(|&&i| i < pieces.len()).map(|&i| pieces[i].clone()).collect();
        shuffled.extend(pieces.iter().take(2).cloned());
        let two_path = root.path().join("two.sqlite3");
        std::fs::copy(&template, &two_path).unwrap();
        let two = merge_in(&mut Store::open(&two_path).unwrap(), &shuffled);
        prop_assert_eq!(one, two);
    }
}

#[test]
fn window_settings_travel_but_each_screen_keeps_its_open_article_and_pane_widths() {
    let root = tempfile::tempdir().unwrap();
    let remote = shared_folder(root.path());
    let [a, b] = ["laptop", "desktop"].map(|n| Device::new(root.path(), n, &remote));
    b.with(|s| {
        s.set_setting("ui", r#"{"theme":"light","font_size":18,"last_article":9,"sidebar_width":200}"#).unwrap()
    });
    b.sync();
    a.sync(); // a has seen b's settings: its change is later, whatever the clocks say
    a.with(|s| s.set_setting("ui", r#"{"theme":"dark","font_size":22,"last_article":5,"sidebar_width":300}"#).unwrap());
    // Scrolling and resizing panes log nothing.
    let logged = a.with(|s| s.own_device_version().unwrap());
    a.with(|s| {
        s.set_setting("ui", r#"{"theme":"dark","font_size":22,"last_article":6,"last_scroll":900,"sidebar_width":320}"#)
            .unwrap()
    });
    assert_eq!(a.with(|s| s.own_device_version().unwrap()), logged);
    a.sync();
    b.sync();
    let ui: serde_json::Value = serde_json::from_str(&b.with(|s| s.setting("ui").unwrap().unwrap())).unwrap();
    assert_eq!(ui, serde_json::json!({"theme": "dark", "font_size": 22, "last_article": 9, "sidebar_width": 200}));
    // Back to a value this device had before, after another device changed it: logged again.
    b.with(|s| {
        s.set_setting("ui", r#"{"theme":"light","font_size":18,"last_article":9,"sidebar_width":200}"#).unwrap()
    });
    b.sync();
    a.sync();
    let ui: serde_json::Value = serde_json::from_str(&a.with(|s| s.setting("ui").unwrap().unwrap())).unwrap();
    assert_eq!((ui["theme"].as_str(), ui["last_article"].as_i64()), (Some("light"), Some(6)));
}

/// This device's own log entry for a post and field.
fn own_entry(d: &Device, id: broadsheet_model::ArticleId, field: &str) -> Option<String> {
    let url = d.with(|s| s.article(id).unwrap().summary.url.unwrap());
    let ops = d.with(|s| s.own_device_ops().unwrap());
    ops.into_iter().find(|o| o.target == format!("url:{url}") && o.field == field).map(|o| o.value)
}

#[test]
fn every_way_the_reader_changes_a_mark_is_logged_and_a_post_retention_drops_is_not_an_unread() {
    let root = tempfile::tempdir().unwrap();
    let d = Device::new(root.path(), "laptop", &shared_folder(root.path()));
    let posts = d.posts();
    d.with(|s| {
        s.set_bookmark(posts[0], true).unwrap();
        s.set_bookmark(posts[0], false).unwrap();
        s.set_bookmark(posts[0], true).unwrap(); // INSERT OR IGNORE: its trigger still replaces the entry
        s.tag_article(posts[1], &["one", "two"]).unwrap();
        s.delete_user_tag("one").unwrap();
        s.rename_user_tag("two", "Three").unwrap();
        s.mark_all_read(&Default::default()).unwrap();
    });
    assert_eq!(own_entry(&d, posts[0], "bookmark").as_deref(), Some("1"));
    assert_eq!(own_entry(&d, posts[1], "tag:one").as_deref(), Some("-one"));
    assert_eq!(own_entry(&d, posts[1], "tag:two").as_deref(), Some("-two"));
    assert_eq!(own_entry(&d, posts[1], "tag:three").as_deref(), Some("+Three"));
    assert!(posts.iter().all(|&p| own_entry(&d, p, "read").as_deref() == Some("1")));
    // Retention deletes unmarked old posts, their read marks with them: not an "unread".
    let before = d.with(|s| s.own_device_version().unwrap());
    let plan = d.with(|s| s.apply_retention(0).unwrap());
    assert!(plan.articles > 0, "{plan:?}");
    assert_eq!(d.with(|s| s.own_device_version().unwrap()), before);
}
