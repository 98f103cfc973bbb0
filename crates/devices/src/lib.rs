//! The reader's state on every computer: each archive publishes a log of what the reader did
//! there (bookmarks, read marks, user tags, feed and git sources, shared settings) to a place
//! the reader's computers share — a git remote or a synced folder — and merges the logs the
//! others published. Never the SQLite file itself: a live database copied by a sync tool is
//! a corrupt one.
//!
//! Invariant: a log from elsewhere is checked whole ([`log::check`]) before any of it is
//! merged; a refused log is reported by name and what was merged from that device before
//! stays. Merging is deterministic and commutative (`broadsheet_store`'s `devices` module), so
//! the order in which devices sync never matters. The writer is held only for one batch at a
//! time, and never while the network or the disk is waited for.

pub mod folder;
pub mod git;
pub mod log;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use broadsheet_store::{DevicePeer, Store, StoreError};

/// The archive setting that holds where this device syncs to (its own: never shared).
pub const REMOTE_SETTING: &str = "devices_remote";
/// When this device last finished a device sync (Unix seconds; its own).
pub const LAST_SYNC_SETTING: &str = "devices_last_sync";
/// Entries merged per write.
const MERGE_BATCH: usize = 2_000;
/// Other devices' logs read in one sync.
pub const MAX_PEERS: usize = 64;
/// Bytes of other devices' logs held at once in one sync: each log is bounded
/// ([`log::MAX_LOG_BYTES`]), but 64 of the largest were 16 GiB (each compresses to a few
/// hundred KB in a git pack). Real logs are a few MB (a read mark per post). A log past
/// what is left is said, and left for a later sync.
pub const MAX_INCOMING_BYTES: u64 = 512 * 1024 * 1024;

/// Another device's log as listed: its device, where it is, and what to read it by with its
/// size (or why it cannot be read).
pub(crate) type Found<T> = (String, String, Result<(T, u64), String>);

/// What is left of [`MAX_INCOMING_BYTES`] in one sync.
pub(crate) struct IncomingBudget(u64);

impl IncomingBudget {
    pub(crate) fn new() -> Self {
        IncomingBudget(MAX_INCOMING_BYTES)
    }

    /// Reads the logs `found` — (device, place, what to read and its size, or why it cannot
    /// be read) — smallest first within one sync's budget, so a large log can hold back only
    /// logs larger than itself, never a real one (a few MB) behind it. `read` gets the budget
    /// and charges it before it reads.
    pub(crate) fn read_smallest_first<T>(
        mut found: Vec<Found<T>>,
        mut read: impl FnMut(T, u64, &mut IncomingBudget) -> Result<Vec<u8>, String>,
    ) -> Vec<Incoming> {
        found.sort_by_key(|(_, _, what)| what.as_ref().map_or(0, |&(_, size)| size));
        let mut budget = IncomingBudget::new();
        found
            .into_iter()
            .map(|(device, place, what)| Incoming {
                device,
                place,
                bytes: what.and_then(|(it, size)| read(it, size, &mut budget)),
            })
            .collect()
    }

    /// Takes `size` bytes, or says why not (before any of them is read).
    pub(crate) fn take(&mut self, size: u64) -> Result<(), String> {
        if size > self.0 {
            return Err(format!(
                "{size} bytes, more than the {} left of the {MAX_INCOMING_BYTES} the logs of one sync may have; left for a later sync",
                self.0
            ));
        }
        self.0 -= size;
        Ok(())
    }
}

/// Where the reader's devices meet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Remote {
    /// A folder a sync tool keeps the same on every computer (Syncthing, Dropbox, iCloud
    /// Drive, OneDrive) or a disk they all reach: one log file per device.
    Folder(PathBuf),
    /// A git repository (a private one on a server, a bare one on a USB disk): one log file
    /// per device on its `main` branch.
    Git(String),
}

impl Remote {
    /// Reads what the reader typed: a URL (`https://`, `ssh://`, `file://`, `git://`,
    /// `user@host:path`) or a path ending in `.git` is a git remote; any other absolute path
    /// is a folder.
    pub fn parse(s: &str) -> Result<Remote, DevicesError> {
        let s = s.trim();
        let invalid = |why: &str| Err(DevicesError::Invalid(format!("{}: {why}", broadsheet_model::shown(s))));
        if s.is_empty() {
            return invalid("enter a folder or a git remote");
        }
        if s.len() > 4096 || s.chars().any(char::is_control) {
            return invalid("not one line of at most 4 KiB");
        }
        let lower = s.to_ascii_lowercase();
        let scp_like = s.split_once(':').is_some_and(|(user_host, _)| {
            user_host.contains('@') && !user_host.contains('/') && !user_host.contains('\\')
        });
        if lower.contains("://") {
            let scheme = lower.split("://").next().unwrap_or("");
            if !matches!(scheme, "https" | "http" | "ssh" | "git" | "file") {
                return invalid("a git remote is https://, ssh://, git:// or file://");
            }
            return Ok(Remote::Git(s.to_string()));
        }
        if scp_like {
            return Ok(Remote::Git(s.to_string()));
        }
        let path = PathBuf::from(s);
        if !path.is_absolute() {
            return invalid("a folder is a full path (e.g. from the Choose… button)");
        }
        if lower.trim_end_matches(['/', '\\']).ends_with(".git") {
            return Ok(Remote::Git(s.to_string()));
        }
        Ok(Remote::Folder(path))
    }

    pub fn describe(&self) -> String {
        match self {
            Remote::Folder(p) => p.display().to_string(),
            Remote::Git(url) => url.clone(),
        }
    }
}

/// Why a device sync did not happen (a refused peer log is not one: it is reported in
/// [`DevicesReport::peers`] and the rest goes on).
#[derive(Debug, thiserror::Error)]
pub enum DevicesError {
    #[error("no place to sync devices through is set (devices set-remote)")]
    NoRemote,
    #[error("{0}")]
    Invalid(String),
    /// The folder or remote cannot be reached now: normal when offline or unplugged.
    #[error("{remote} cannot be reached now: {why}")]
    Unreachable { remote: String, why: String },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A log read from another device, before it is checked.
pub struct Incoming {
    pub device: String,
    /// Where it was read (a file, a path in the repository), for messages.
    pub place: String,
    pub bytes: Result<Vec<u8>, String>,
}

/// What one device sync did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DevicesReport {
    /// Whether this device's log was written out (unchanged logs are not).
    pub published: bool,
    pub peers: Vec<PeerReport>,
    /// Changes from other devices written here.
    pub applied: usize,
    /// Changes waiting for their post to arrive here.
    pub waiting: usize,
    /// Sources another device removed, removed here too (their posts kept).
    pub removed_sources: usize,
    /// Pages other devices saved that this one has yet to fetch (the caller fetches them:
    /// `broadsheet_sync::Engine::save_wanted_pages`, then [`apply_waiting`]).
    pub wanted_pages: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerReport {
    pub device: String,
    pub name: String,
    /// Entries newer than what this archive held from it.
    pub merged: usize,
    /// Why its log was refused.
    pub error: Option<String>,
}

impl std::fmt::Display for DevicesReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let refused = self.peers.iter().filter(|p| p.error.is_some()).count();
        let n = self.peers.len();
        write!(
            f,
            "{n} other device{}, {} changes applied, {} waiting for their post",
            if n == 1 { "" } else { "s" },
            self.applied,
            self.waiting
        )?;
        if refused > 0 {
            write!(f, ", {refused} logs refused")?;
        }
        if self.removed_sources > 0 {
            write!(f, ", {} sources removed", self.removed_sources)?;
        }
        Ok(())
    }
}

/// This computer's name, as other devices show it.
pub fn this_computer() -> String {
    let name = gethostname::gethostname().to_string_lossy().into_owned();
    if name.trim().is_empty() {
        "Broadsheet".into()
    } else {
        name.chars().filter(|c| !c.is_control()).take(100).collect()
    }
}

fn lock(store: &Mutex<Store>) -> std::sync::MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(|p| p.into_inner())
}

/// The remote the archive is set to sync through, if any.
pub fn remote_of(store: &Store) -> Result<Option<Remote>, DevicesError> {
    match store.setting(REMOTE_SETTING)? {
        Some(s) if !s.trim().is_empty() => Remote::parse(&s).map(Some),
        _ => Ok(None),
    }
}

/// Sets (or with `None`, clears) where this device syncs to. A folder must exist.
pub fn set_remote(store: &Store, remote: Option<&str>) -> Result<Option<Remote>, DevicesError> {
    let Some(text) = remote.map(str::trim).filter(|s| !s.is_empty()) else {
        store.set_setting(REMOTE_SETTING, "")?;
        return Ok(None);
    };
    let parsed = Remote::parse(text)?;
    if let Remote::Folder(p) = &parsed {
        if !p.is_dir() {
            return Err(DevicesError::Invalid(format!("{}: not a folder", p.display())));
        }
    }
    store.set_setting(REMOTE_SETTING, text)?;
    Ok(Some(parsed))
}

/// One device sync: publish this device's log, read the others', merge them and apply what
/// they changed. `data_dir` holds the git remote's local copy.
pub fn sync(store: &Mutex<Store>, data_dir: &Path) -> Result<DevicesReport, DevicesError> {
    let (remote, me, reader) = {
        let s = lock(store);
        let remote = remote_of(&s)?.ok_or(DevicesError::NoRemote)?;
        (remote, s.device_id()?, s.reader())
    };
    // This device's whole log (a read mark per post: 100k rows) is read on a connection of
    // its own, so a bookmark made meanwhile does not wait for it.
    let ops = match reader {
        Ok(r) => r.own_device_ops()?,
        Err(_) => lock(store).own_device_ops()?,
    };
    let own = log::encode(&me, &this_computer(), &ops);
    let (published, incoming) = match &remote {
        Remote::Folder(dir) => folder::exchange(dir, &me, &own)?,
        Remote::Git(url) => git::exchange(&data_dir.join("devices.git"), url, &me, &own)?,
    };
    let mut report = DevicesReport { published, ..Default::default() };
    let now_ms = (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64;
    for peer in incoming.into_iter().filter(|p| p.device != me).take(MAX_PEERS) {
        report.peers.push(merge_peer(store, peer, now_ms)?);
    }
    apply(store, &mut report)?;
    let s = lock(store);
    report.wanted_pages = s.wanted_page_count()?;
    s.set_setting(LAST_SYNC_SETTING, &time::OffsetDateTime::now_utc().unix_timestamp().to_string())?;
    Ok(report)
}

/// Checks one peer's log whole, then merges it batch by batch (skipped when it is the log
/// already merged).
fn merge_peer(store: &Mutex<Store>, peer: Incoming, now_ms: i64) -> Result<PeerReport, DevicesError> {
    let known = lock(store).device_peers()?.into_iter().find(|p| p.device == peer.device);
    let refuse = |why: String| -> Result<PeerReport, DevicesError> {
        let why = format!("{}: {why}", peer.place);
        let record = DevicePeer {
            device: peer.device.clone(),
            name: String::new(),
            digest: None,
            ops: 0,
            newest: 0,
            seen_at: None,
            error: Some(why.clone()),
        };
        lock(store).record_device_peer(&record)?;
        let name = known.as_ref().map(|k| k.name.clone()).unwrap_or_default();
        Ok(PeerReport { device: peer.device.clone(), name, merged: 0, error: Some(why) })
    };
    let bytes = match &peer.bytes {
        Ok(b) => b,
        Err(why) => return refuse(why.clone()),
    };
    let head = match log::check(bytes, &peer.device, now_ms) {
        Ok(h) => h,
        Err(e) => return refuse(e.to_string()),
    };
    let mut merged = 0;
    let mut newest = known.as_ref().map_or(0, |k| k.newest);
    if known.as_ref().and_then(|k| k.digest.as_deref()) != Some(head.digest.as_str()) {
        for batch in log::entries(bytes, MERGE_BATCH) {
            newest = newest.max(batch.iter().map(|o| o.stamp).max().unwrap_or(0));
            merged += lock(store).merge_device_ops(&peer.device, &batch)?;
        }
    }
    let record = DevicePeer {
        device: head.device.clone(),
        name: head.name.clone(),
        digest: Some(head.digest),
        ops: head.ops as u64,
        newest,
        seen_at: None,
        error: None,
    };
    lock(store).record_device_peer(&record)?;
    Ok(PeerReport { device: head.device, name: head.name, merged, error: None })
}

/// Applies the changes that were waiting for their post (after pages another device saved
/// were fetched here); returns how many were applied. No network.
pub fn apply_waiting(store: &Mutex<Store>) -> Result<usize, DevicesError> {
    let mut report = DevicesReport::default();
    apply(store, &mut report)?;
    Ok(report.applied)
}

/// Applies every queued change, a batch per write; then removes the sources other devices
/// removed (their posts kept: the reader chose what to drop on the other computer, and a
/// post here is never lost to a message).
fn apply(store: &Mutex<Store>, report: &mut DevicesReport) -> Result<(), DevicesError> {
    let mut removed = Vec::new();
    // Another pass while one applied something and left something waiting: a change can wait
    // for another in the same log (a source's interval for the source itself).
    for _pass in 0..3 {
        let (mut cursor, mut applied) = (None, 0);
        report.waiting = 0;
        loop {
            let step = lock(store).apply_device_step(cursor.as_ref())?;
            applied += step.applied;
            report.waiting += step.waiting;
            removed.extend(step.removed_sources);
            match step.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        report.applied += applied;
        if applied == 0 || report.waiting == 0 {
            break;
        }
    }
    for id in removed {
        let mut job = lock(store).begin_source_removal(id, true)?;
        while lock(store).removal_step(&mut job)? {}
        lock(store).finish_source_removal(job)?;
        report.removed_sources += 1;
    }
    Ok(())
}

/// What the window and `devices status` show.
#[derive(Debug, Clone)]
pub struct Status {
    pub device: String,
    pub name: String,
    pub remote: Option<String>,
    pub last_sync: Option<i64>,
    pub own_changes: u64,
    pub waiting: u64,
    pub peers: Vec<DevicePeer>,
}

pub fn status(store: &Store) -> Result<Status, DevicesError> {
    Ok(Status {
        device: store.device_id()?,
        name: this_computer(),
        remote: store.setting(REMOTE_SETTING)?.filter(|s| !s.trim().is_empty()),
        last_sync: store.setting(LAST_SYNC_SETTING)?.and_then(|s| s.parse().ok()),
        own_changes: store.own_device_version()?.1,
        waiting: store.pending_device_ops()?,
        peers: store.device_peers()?,
    })
}
