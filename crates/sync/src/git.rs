//! Jekyll sites in git repositories, through libgit2 (no `git` program needed): a shallow
//! first fetch, then incremental fetches, and the post files changed between two commits.

use std::path::{Path, PathBuf};

use std::time::{Duration, Instant};

use git2::{Delta, FetchOptions, FileMode, ObjectType, Oid, RemoteCallbacks, Repository};
use tokio_util::sync::CancellationToken;

const HEAD_REF: &str = "refs/broadsheet/head";

/// Why a git sync failed. Messages quote the server's or libgit2's text: the engine bounds
/// them (`JobError`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GitError {
    #[error("cancelled")]
    Cancelled,
    /// A repository that came in a file (a backup, an OPML list) may not read this
    /// computer's files or reach its network.
    #[error("{url}: {why}; add it again yourself to sync it")]
    Refused { url: String, why: String },
    #[error("git fetch {url}: the server sent more than {max} bytes; abandoned")]
    TooLarge { url: String, max: usize },
    #[error("git fetch {url}: took longer than {minutes} minutes; abandoned")]
    TooSlow { url: String, minutes: u64 },
    /// libgit2 was refused memory past [`crate::git_memory::MAX_FETCH_BYTES`] (an object
    /// far larger than any post, or one built from deltas that declare gigabytes).
    #[error("git fetch {url}: reading the repository needed more than {mib} MiB of memory (an object far larger than any post); abandoned")]
    TooMuchMemory { url: String, mib: i64 },
    /// libgit2's own reason a fetch failed (no such repository, connection refused, …).
    #[error("git fetch {url}: {message}")]
    Fetch { url: String, message: String },
    #[error("{url}: more than {files} files or {bytes} bytes of posts changed at once; refused")]
    TooManyChanges { url: String, files: usize, bytes: usize },
    /// The mirror on this computer could not be made, opened or read.
    #[error("the git mirror in {}: {message}", dir.display())]
    Mirror { dir: PathBuf, message: String },
}

impl GitError {
    /// libgit2's reason `url` could not be fetched.
    fn fetch(url: &str, e: &git2::Error) -> GitError {
        GitError::Fetch { url: url.to_string(), message: e.message().to_string() }
    }
}

/// Bounds on one git sync. A repository is a stranger's: it may hold a multi-GB blob that
/// compresses to nothing, millions of objects, or a server that sends one byte a minute.
#[derive(Debug, Clone)]
pub struct GitLimits {
    /// Bytes received from the server in one fetch.
    pub max_received: usize,
    /// Objects in one fetched pack (libgit2 refuses larger packs before unpacking them).
    pub max_objects: usize,
    /// A post blob larger than this is skipped (checked from the object header, unread).
    pub max_post_bytes: usize,
    /// Post bytes read out of the repository in one sync.
    pub max_total_post_bytes: usize,
    /// Changed post files taken in one sync.
    pub max_files: usize,
    /// The whole fetch, however the server trickles.
    pub deadline: Duration,
    /// A server silent for this long (connecting, or between reads) is abandoned.
    pub server_timeout: Duration,
    /// Bytes a mirror may hold before it is fetched afresh (shallow): every fetch adds a pack
    /// and nothing prunes them, so a server announcing a new head at each sync with a pack
    /// near `max_received` each time would fill the disk.
    pub max_mirror_bytes: u64,
}

impl Default for GitLimits {
    fn default() -> Self {
        GitLimits {
            max_received: 2 << 30,
            max_objects: 4_000_000,
            max_post_bytes: broadsheet_jekyll::MAX_POST_BYTES,
            max_total_post_bytes: 1 << 30,
            max_files: 1_000_000,
            deadline: Duration::from_secs(30 * 60),
            server_timeout: Duration::from_secs(60),
            max_mirror_bytes: 4 << 30,
        }
    }
}

/// libgit2's process-wide settings: a server that stays silent is dropped after a timeout
/// (connect and each read), and packs are limited in object count. Set before each fetch
/// (every fetch of a process uses the same limits in practice; tests shorten them).
#[allow(unsafe_code)] // libgit2's global options have no safe setter for the pack limit.
fn configure_libgit2(limits: &GitLimits) {
    let millis = |d: Duration| d.as_millis().clamp(1, i32::MAX as u128) as libc::c_int;
    // SAFETY: the options are plain integers read by libgit2 when a transfer starts.
    unsafe {
        let _ = git2::opts::set_server_connect_timeout_in_milliseconds(millis(
            limits.server_timeout.min(Duration::from_secs(15)),
        ));
        let _ = git2::opts::set_server_timeout_in_milliseconds(millis(limits.server_timeout));
        libgit2_sys::git_libgit2_opts(libgit2_sys::GIT_OPT_SET_PACK_MAX_OBJECTS as libc::c_int, limits.max_objects);
    }
}

/// What changed in the repository since the last sync.
#[derive(Debug, Default)]
pub struct GitChanges {
    pub head: String,
    /// Post files added or modified: (path in the repository, bytes).
    pub files: Vec<(String, Vec<u8>)>,
    /// Paths of post files deleted (a move shows as a delete plus an add).
    pub deleted: Vec<String>,
    /// `_config.yml` at the new head.
    pub config: Option<String>,
    /// The site's `CNAME` and category pages at the new head: (path, bytes), bounded.
    pub site_files: Vec<(String, Vec<u8>)>,
    /// (path, why) of post entries not read: too large, links, submodules.
    pub skipped: Vec<(String, String)>,
}

/// A post in the repository: the jekyll crate's rule, shared with folder import (drafts are
/// never synced from a repository).
pub fn is_post_path(path: &str) -> bool {
    broadsheet_jekyll::is_post_path(path, false)
}

/// A git source that arrived in a file (a backup, an OPML list) rather than from the reader
/// is content like any other: it may not read this computer's files, and its host must be
/// public — checked on the name and on every address it resolves to now (libgit2 connects by
/// itself, so this is the check that can be made; it also never follows a redirect).
pub fn check_remote_from_a_file(url: &str, policy: &broadsheet_fetch::NetPolicy) -> Result<(), GitError> {
    let refuse = |why: String| Err(GitError::Refused { url: url.to_string(), why });
    let lower = url.to_ascii_lowercase();
    let local = || refuse("this source came in a file and reads this computer's files".into());
    if lower.contains('\\') {
        return local(); // a Windows path (`C:\repo`, `\\server\share`)
    }
    let authority = if let Some((scheme, rest)) = lower.split_once("://") {
        if !matches!(scheme, "http" | "https" | "ssh" | "git" | "git+ssh" | "ssh+git") {
            return local();
        }
        rest.split(['/', '?', '#']).next().unwrap_or("")
    } else if let Some((user_host, _path)) = lower.split_once(':').filter(|(h, _)| !h.contains('/') && h.contains('@'))
    {
        // scp-like `user@host:path` (a drive letter, `C:/repo`, has no user and one letter).
        user_host
    } else {
        return local();
    };
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host_port.split(':').next().unwrap_or(""),
    };
    if host.len() < 2 {
        return refuse("no host".into());
    }
    let shown = if host.contains(':') { format!("[{host}]") } else { host.to_string() };
    if let Err(e) = policy.check_url(&format!("https://{shown}/")) {
        return refuse(e.to_string());
    }
    if policy.is_allowed_host(host) {
        return Ok(());
    }
    use std::net::ToSocketAddrs;
    match (host, 443).to_socket_addrs() {
        Ok(addrs) => {
            for a in addrs {
                if let Some(kind) = broadsheet_fetch::forbidden_reason(a.ip()) {
                    return refuse(format!("{host} resolves to {kind} ({})", a.ip()));
                }
            }
            Ok(())
        }
        // Unresolvable now: the fetch itself will fail with libgit2's own message.
        Err(_) => Ok(()),
    }
}

/// Removes `*.lock` files a killed fetch left in the mirror's git folder and its refs (a
/// bounded walk: the mirror's own few folders, never following links).
fn remove_stale_locks(dir: &Path) {
    let mut folders = vec![dir.to_path_buf()];
    let mut seen = 0;
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else { continue };
        for entry in entries.flatten() {
            seen += 1;
            if seen > 10_000 {
                return;
            }
            let Ok(kind) = entry.file_type() else { continue };
            let path = entry.path();
            if kind.is_dir() && (folder == dir && entry.file_name() == "refs" || folder.starts_with(dir.join("refs"))) {
                folders.push(path);
            } else if kind.is_file() && path.extension().is_some_and(|e| e == "lock") {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
}

/// Whether the files under `dir` hold more than `max` bytes (a bounded walk: links not
/// followed, 200,000 entries at most, stopping once over).
fn mirror_bytes_over(dir: &Path, max: u64) -> bool {
    let (mut folders, mut total, mut seen) = (vec![dir.to_path_buf()], 0u64, 0usize);
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else { continue };
        for entry in entries.flatten() {
            seen += 1;
            if seen > 200_000 {
                return true;
            }
            let Ok(kind) = entry.file_type() else { continue };
            if kind.is_dir() {
                folders.push(entry.path());
            } else if kind.is_file() {
                total = total.saturating_add(entry.metadata().map_or(0, |m| m.len()));
                if total > max {
                    return true;
                }
            }
        }
    }
    false
}

/// The local bare mirror for `url` under `cache`.
pub fn mirror_dir(cache: &Path, url: &str) -> PathBuf {
    use sha2::Digest;
    let hash = sha2::Sha256::digest(url.as_bytes());
    cache.join(hash.iter().take(8).map(|b| format!("{b:02x}")).collect::<String>())
}

/// Fetches `url` into its mirror and lists the post files changed since `since` (a commit id
/// from the last sync; `None` or unknown → everything at the head).
pub fn fetch_changes(
    url: &str,
    cache: &Path,
    since: Option<&str>,
    limits: &GitLimits,
    cancel: &CancellationToken,
) -> Result<GitChanges, GitError> {
    configure_libgit2(limits);
    // This fetch's memory in libgit2, bounded on this thread (all of it runs here). libgit2
    // says only "out of memory" when a block is refused: told here by name.
    let budget = crate::git_memory::Budget::open();
    match fetch_and_read(url, cache, since, limits, cancel) {
        Err(e) if e != GitError::Cancelled && budget.refused() => {
            Err(GitError::TooMuchMemory { url: url.to_string(), mib: crate::git_memory::MAX_FETCH_BYTES >> 20 })
        }
        other => other,
    }
}

fn fetch_and_read(
    url: &str,
    cache: &Path,
    since: Option<&str>,
    limits: &GitLimits,
    cancel: &CancellationToken,
) -> Result<GitChanges, GitError> {
    let dir = mirror_dir(cache, url);
    let mirror = |e: &dyn std::fmt::Display| GitError::Mirror { dir: dir.clone(), message: e.to_string() };
    let git = |e: git2::Error| mirror(&e.message());
    // A mirror is ours alone (one sync at a time), so a lock file in it is a leftover of a
    // process killed mid-fetch: libgit2 would refuse every later fetch ("failed to lock").
    remove_stale_locks(&dir);
    // Grown past its bound: set aside (one rename, so a kill leaves either the old mirror or
    // none), removed, and fetched afresh below; this sync then reads the head whole.
    let aside = dir.with_extension("old");
    let _ = std::fs::remove_dir_all(&aside);
    if mirror_bytes_over(&dir, limits.max_mirror_bytes) && std::fs::rename(&dir, &aside).is_ok() {
        log::info!("{}: the mirror outgrew {} bytes; fetched afresh", dir.display(), limits.max_mirror_bytes);
        let _ = std::fs::remove_dir_all(&aside);
    }
    // A mirror without our head ref never finished its first fetch (killed, or failed): it is
    // fetched shallowly again, not as a later fetch of the whole history.
    let fresh =
        !dir.join("HEAD").exists() || Repository::open_bare(&dir).is_ok_and(|r| r.find_reference(HEAD_REF).is_err());
    let repo = if !dir.join("HEAD").exists() {
        std::fs::create_dir_all(&dir).map_err(|e| mirror(&e))?;
        Repository::init_bare(&dir).map_err(git)?
    } else {
        Repository::open_bare(&dir).map_err(git)?
    };
    let mut remote = repo.remote_anonymous(url).map_err(|e| GitError::fetch(url, &e))?;
    let refspec = format!("+HEAD:{HEAD_REF}");
    let started = Instant::now();
    let fetch = |depth: Option<i32>| {
        let mut opts = FetchOptions::new();
        if let Some(d) = depth {
            opts.depth(d);
        }
        // libgit2 does its own HTTP, out of reach of the fetcher's address checks: a redirect
        // to another host is never followed (the reader can add the address it points to).
        opts.follow_redirects(git2::RemoteRedirect::None);
        // Returning false from a progress callback makes libgit2 abort the transfer: that is
        // how cancellation, the byte bound and the deadline reach a fetch in progress.
        let mut callbacks = RemoteCallbacks::new();
        let max = limits.max_received;
        let deadline = limits.deadline;
        let too_large = std::sync::atomic::AtomicBool::new(false);
        let too_large_ref = &too_large;
        callbacks.transfer_progress(move |p| {
            if p.received_bytes() > max {
                too_large_ref.store(true, std::sync::atomic::Ordering::Relaxed);
                return false;
            }
            !cancel.is_cancelled() && started.elapsed() < deadline
        });
        callbacks.sideband_progress(move |_| !cancel.is_cancelled() && started.elapsed() < deadline);
        opts.remote_callbacks(callbacks);
        let result = remote_fetch(&repo, url, &refspec, &mut opts);
        drop(opts);
        result.map_err(|e| {
            if cancel.is_cancelled() {
                FetchFailure::Failed(GitError::Cancelled)
            } else if too_large.load(std::sync::atomic::Ordering::Relaxed) {
                FetchFailure::Failed(GitError::TooLarge { url: url.to_string(), max })
            } else if started.elapsed() >= deadline {
                FetchFailure::Failed(GitError::TooSlow { url: url.to_string(), minutes: deadline.as_secs() / 60 })
            } else {
                e
            }
        })
    };
    let failed = |e: FetchFailure| match e {
        FetchFailure::Unsupported(m) | FetchFailure::Failed(m) => m,
    };
    // A repository with years of history must not be downloaded whole: the first fetch takes
    // the newest commit only; later fetches bring just the new commits.
    if fresh {
        match fetch(Some(1)) {
            // Some transports (local paths) can't do shallow fetches; those are cheap anyway.
            Err(FetchFailure::Unsupported(_)) => fetch(None).map_err(failed)?,
            other => other.map_err(failed)?,
        }
    } else {
        fetch(None).map_err(failed)?;
    }
    drop(remote.disconnect());
    // What the server sent names no commit (an empty repository): the repository's fault.
    let head = repo.find_reference(HEAD_REF).and_then(|r| r.peel_to_commit()).map_err(|e| GitError::fetch(url, &e))?;
    let new_tree = head.tree().map_err(git)?;
    let old_tree = since
        .and_then(|s| Oid::from_str(s).ok())
        .and_then(|oid| repo.find_commit(oid).ok())
        .and_then(|c| c.tree().ok());
    let mut changes = GitChanges { head: head.id().to_string(), ..Default::default() };
    let odb = repo.odb().map_err(git)?;
    // The size from the object header, before any byte of the blob is inflated.
    let blob_size = |oid: Oid| match odb.read_header(oid) {
        Ok((size, ObjectType::Blob)) => Ok(size),
        Ok((_, kind)) => Err(format!("a {kind} where a file was expected")),
        Err(e) => Err(e.message().to_string()),
    };
    changes.config = new_tree
        .get_path(Path::new("_config.yml"))
        .ok()
        .filter(|e| blob_size(e.id()).is_ok_and(|n| n <= 4 * 1024 * 1024))
        .and_then(|e| repo.find_blob(e.id()).ok())
        .map(|b| String::from_utf8_lossy(b.content()).into_owned());
    changes.site_files = site_files(&repo, &new_tree, &blob_size);
    let diff = repo.diff_tree_to_tree(old_tree.as_ref(), Some(&new_tree), None).map_err(git)?;
    let mut total = 0usize;
    for delta in diff.deltas() {
        if cancel.is_cancelled() {
            return Err(GitError::Cancelled);
        }
        let new_path = delta.new_file().path().map(|p| p.to_string_lossy().replace('\\', "/"));
        let old_path = delta.old_file().path().map(|p| p.to_string_lossy().replace('\\', "/"));
        match delta.status() {
            Delta::Added | Delta::Modified | Delta::Renamed | Delta::Copied | Delta::Typechange => {
                let Some(path) = new_path.filter(|p| is_post_path(p)) else { continue };
                // Symbolic links and submodules are not posts (a link could point anywhere).
                if !matches!(delta.new_file().mode(), FileMode::Blob | FileMode::BlobExecutable) {
                    changes.skipped.push((path, "not a regular file (a link or submodule)".into()));
                    continue;
                }
                let oid = delta.new_file().id();
                let size = match blob_size(oid) {
                    Ok(n) => n,
                    Err(e) => {
                        changes.skipped.push((path, e));
                        continue;
                    }
                };
                if size > limits.max_post_bytes {
                    let why = format!("{size} bytes, larger than the {} a post may be", limits.max_post_bytes);
                    changes.skipped.push((path, why));
                    continue;
                }
                total += size;
                if total > limits.max_total_post_bytes || changes.files.len() >= limits.max_files {
                    return Err(GitError::TooManyChanges {
                        url: url.to_string(),
                        files: limits.max_files,
                        bytes: limits.max_total_post_bytes,
                    });
                }
                let blob = repo.find_blob(oid).map_err(git)?;
                changes.files.push((path, blob.content().to_vec()));
            }
            Delta::Deleted => {
                if let Some(path) = old_path.filter(|p| is_post_path(p)) {
                    changes.deleted.push(path);
                }
            }
            _ => {}
        }
    }
    Ok(changes)
}

/// The `CNAME` and the category pages of a tree, each within the jekyll crate's size bounds
/// and all within [`broadsheet_jekyll::MAX_SITE_FILE_BYTES`]; a link, a submodule or an oversized file is passed over.
fn site_files(
    repo: &Repository,
    tree: &git2::Tree<'_>,
    blob_size: &dyn Fn(Oid) -> Result<usize, String>,
) -> Vec<(String, Vec<u8>)> {
    use broadsheet_jekyll::{MAX_CATEGORY_PAGES, MAX_CATEGORY_PAGE_BYTES, MAX_CNAME_BYTES, MAX_SITE_FILE_BYTES};
    let mut out = Vec::new();
    let mut total = 0usize;
    let mut take = |path: String, entry: &git2::TreeEntry<'_>, max: usize| {
        let regular = matches!(entry.filemode(), 0o100644 | 0o100755);
        let Ok(size) = blob_size(entry.id()) else { return };
        if !regular || size > max || total + size > MAX_SITE_FILE_BYTES {
            return;
        }
        if let Ok(blob) = repo.find_blob(entry.id()) {
            total += size;
            out.push((path, blob.content().to_vec()));
        }
    };
    if let Some(entry) = tree.get_name("CNAME") {
        take("CNAME".into(), &entry, MAX_CNAME_BYTES);
    }
    for dir in ["category", "categories"] {
        let Some(sub) = tree.get_name(dir).and_then(|e| e.to_object(repo).ok()).and_then(|o| o.into_tree().ok()) else {
            continue;
        };
        for entry in sub.iter().take(MAX_CATEGORY_PAGES) {
            let Ok(name) = entry.name() else { continue };
            let path = format!("{dir}/{name}");
            if broadsheet_jekyll::is_category_page_path(&path) {
                take(path, &entry, MAX_CATEGORY_PAGE_BYTES);
            }
        }
    }
    out
}

/// libgit2's code for "the transport cannot do that" (`include/git2/errors.h`), which `git2`
/// reports only as a generic error: a shallow fetch over the local transport answers it.
const GIT_ENOTSUPPORTED: i32 = -39;

/// Why a fetch failed.
enum FetchFailure {
    /// The transport cannot do what was asked (a shallow fetch of a local path).
    Unsupported(GitError),
    Failed(GitError),
}

fn remote_fetch(repo: &Repository, url: &str, refspec: &str, opts: &mut FetchOptions<'_>) -> Result<(), FetchFailure> {
    let failed = |e: git2::Error| GitError::fetch(url, &e);
    let mut remote = repo.remote_anonymous(url).map_err(|e| FetchFailure::Failed(failed(e)))?;
    remote.fetch(&[refspec], Some(opts), None).map_err(|e| {
        if e.raw_code() == GIT_ENOTSUPPORTED {
            FetchFailure::Unsupported(failed(e))
        } else {
            FetchFailure::Failed(failed(e))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remotes_from_a_file_must_be_public_hosts_never_local_paths() {
        let policy = broadsheet_fetch::NetPolicy::new();
        for ok in
            ["https://git.example.invalid/x.git", "git@git.example.invalid:x/y.git", "ssh://u@git.example.invalid/x"]
        {
            assert!(check_remote_from_a_file(ok, &policy).is_ok(), "{ok}");
        }
        for bad in [
            "/home/me/repo",
            "C:\\repo",
            "c:/repo",
            "file:///etc",
            "FILE://x/y",
            "\\\\server\\share",
            "http://127.0.0.1/x.git",
            "http://[::1]/x.git",
            "https://user@192.168.1.1/x.git",
            "git@localhost:x.git",
            "ftp://example.invalid/x",
        ] {
            assert!(
                matches!(check_remote_from_a_file(bad, &policy), Err(GitError::Refused { url, .. }) if url == bad),
                "{bad}"
            );
        }
    }

    #[test]
    fn failures_have_kinds_and_name_the_repository() {
        let dir = tempfile::tempdir().unwrap();
        let missing = format!("file://{}", dir.path().join("no-such-repo").display());
        let cancel = CancellationToken::new();
        let err = fetch_changes(&missing, &dir.path().join("cache"), None, &GitLimits::default(), &cancel).unwrap_err();
        assert!(matches!(&err, GitError::Fetch { url, .. } if *url == missing), "{err:?}");
        assert!(err.to_string().starts_with(&format!("git fetch {missing}: ")), "{err}");
        cancel.cancel();
        let err = fetch_changes(&missing, &dir.path().join("cache"), None, &GitLimits::default(), &cancel).unwrap_err();
        assert_eq!(err, GitError::Cancelled);
    }
}
