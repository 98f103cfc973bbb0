//! A git repository as the meeting place: one `<device>.bslog` per device at the root of its
//! `main` branch. This device keeps a bare copy beside its archive, fetches `main`, reads the
//! other devices' logs from it, commits its own log on top and pushes. Devices never write
//! each other's files, so two pushes never conflict: the later one is refused as not a
//! fast-forward, fetches again and commits on the new tip (up to three times). Every
//! [`SQUASH_AFTER`] commits the history starts afresh, so the repository stays small.
//!
//! A remote is the reader's own (they typed it), so local paths and private hosts are
//! allowed; what comes from it is still bounded: bytes received, the time a fetch may take,
//! entries looked at and the size of each log (read from the object header, unread).

use std::cell::{Cell, RefCell};
use std::path::Path;
use std::time::{Duration, Instant};

use git2::{ErrorCode, FetchOptions, FileMode, ObjectType, PushOptions, RemoteCallbacks, Repository, Signature};

use crate::log::{self, MAX_LOG_BYTES};
use crate::{DevicesError, Incoming, MAX_PEERS};

const BRANCH: &str = "refs/heads/main";
const FETCHED: &str = "refs/remotes/devices/main";
/// Bytes one fetch may receive.
const MAX_RECEIVED: usize = 1 << 30;
/// How long one fetch or push may take, however the server trickles.
const DEADLINE: Duration = Duration::from_secs(10 * 60);
/// Tree entries looked at.
const MAX_ENTRIES: usize = 10_000;
/// Commits on `main` before a publish starts it afresh: a commit with no parent, holding
/// every device's current log, force-pushed. The repository then holds a bounded history
/// (git's deltas keep each version small; the old ones become garbage the server collects)
/// instead of every version of every log for ever.
pub const SQUASH_AFTER: usize = 200;

/// Publishes `own` as `me`'s log through the repository at `url` (its bare copy kept at
/// `mirror`) and returns the other devices' logs. A remote that cannot be reached is
/// [`DevicesError::Unreachable`].
pub fn exchange(mirror: &Path, url: &str, me: &str, own: &[u8]) -> Result<(bool, Vec<Incoming>), DevicesError> {
    configure_timeouts();
    let unreachable =
        |e: git2::Error| DevicesError::Unreachable { remote: url.to_string(), why: e.message().to_string() };
    let local = |e: git2::Error| DevicesError::Io {
        path: mirror.to_owned(),
        source: std::io::Error::other(e.message().to_string()),
    };
    let repo = match Repository::open_bare(mirror) {
        Ok(r) => r,
        Err(_) => Repository::init_bare(mirror).map_err(local)?,
    };
    let name = log::file_name(me);
    for attempt in 0.. {
        fetch(&repo, url).map_err(unreachable)?;
        let base = repo.find_reference(FETCHED).ok().and_then(|r| r.peel_to_commit().ok());
        let base_tree = base.as_ref().map(|c| c.tree()).transpose().map_err(local)?;
        let incoming = base_tree.as_ref().map(|t| read_logs(&repo, t, me)).unwrap_or_default();
        let blob = repo.blob(own).map_err(local)?;
        if base_tree.as_ref().and_then(|t| t.get_name(&name)).map(|e| e.id()) == Some(blob) {
            return Ok((false, incoming));
        }
        let mut tree = repo.treebuilder(base_tree.as_ref()).map_err(local)?;
        tree.insert(&name, blob, FileMode::Blob.into()).map_err(local)?;
        let tree = repo.find_tree(tree.write().map_err(local)?).map_err(local)?;
        let sig = Signature::now("Broadsheet", "broadsheet@localhost").map_err(local)?;
        // A squash may drop a log another device pushed a moment ago; that device sees its
        // file is not current at its next sync and publishes it again (its archive is the
        // truth, the repository only a meeting place).
        let squash = base.as_ref().is_some_and(|c| depth(c) >= SQUASH_AFTER);
        let parents: Vec<&git2::Commit<'_>> = if squash { Vec::new() } else { base.iter().collect() };
        let message = format!("{me}: {} ({})", "device log updated", crate::this_computer());
        let commit = repo.commit(None, &sig, &sig, &message, &tree, &parents).map_err(local)?;
        repo.reference(BRANCH, commit, true, "device log").map_err(local)?;
        match push(&repo, url, squash) {
            Ok(()) => return Ok((true, incoming)),
            // Another device pushed in between: on top of theirs, again.
            Err(e) if attempt < 2 && is_race(&e) => continue,
            Err(e) => return Err(unreachable(e)),
        }
    }
    unreachable!("the loop returns")
}

/// A server that goes silent is dropped (libgit2's process-wide settings; the sync engine
/// sets the same for its git sources).
#[allow(unsafe_code)] // git2 marks these setters unsafe: they change process-wide options.
fn configure_timeouts() {
    // SAFETY: plain integers libgit2 reads when a transfer starts.
    unsafe {
        let _ = git2::opts::set_server_connect_timeout_in_milliseconds(15_000);
        let _ = git2::opts::set_server_timeout_in_milliseconds(60_000);
    }
}

/// Callbacks for one transfer: credentials from the system's git credential helpers, the SSH
/// agent or a default key (or the platform default), tried a bounded number of times; the transfer stopped past its
/// deadline or byte budget.
fn callbacks<'a>(attempts: &'a Cell<u32>, started: Instant) -> RemoteCallbacks<'a> {
    let mut cb = RemoteCallbacks::new();
    cb.credentials(move |url, username, allowed| {
        attempts.set(attempts.get() + 1);
        if attempts.get() > 3 {
            return Err(git2::Error::from_str("the remote refused the credentials this computer has for it"));
        }
        if allowed.contains(git2::CredentialType::USER_PASS_PLAINTEXT) {
            if let Ok(config) = git2::Config::open_default() {
                if let Ok(cred) = git2::Cred::credential_helper(&config, url, username) {
                    return Ok(cred);
                }
            }
        }
        // SSH (`ssh://`, `git@host:repo`): the user name first, then the keys the system's
        // SSH agent holds (ssh-agent, Pageant, the macOS keychain agent), then an unencrypted
        // default key file.
        if allowed.contains(git2::CredentialType::USERNAME) {
            return git2::Cred::username(username.unwrap_or("git"));
        }
        if allowed.contains(git2::CredentialType::SSH_KEY) {
            let user = username.unwrap_or("git");
            if attempts.get() == 1 {
                if let Ok(cred) = git2::Cred::ssh_key_from_agent(user) {
                    return Ok(cred);
                }
            }
            if let Some(home) = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE")) {
                let dir = std::path::Path::new(&home).join(".ssh");
                for name in ["id_ed25519", "id_ecdsa", "id_rsa"] {
                    let key = dir.join(name);
                    if key.is_file() {
                        return git2::Cred::ssh_key(user, None, &key, None);
                    }
                }
            }
            return Err(git2::Error::from_str(
                "no SSH key for this remote (add one to your SSH agent, or use an https remote)",
            ));
        }
        if allowed.contains(git2::CredentialType::DEFAULT) {
            return git2::Cred::default();
        }
        Err(git2::Error::from_str("no credentials for this remote (set them up with git's credential helper)"))
    });
    cb.transfer_progress(move |p| p.received_bytes() <= MAX_RECEIVED && started.elapsed() < DEADLINE);
    cb
}

fn fetch(repo: &Repository, url: &str) -> Result<(), git2::Error> {
    // What an earlier remote (or an earlier main) left is not the base of this one.
    if let Ok(mut old) = repo.find_reference(FETCHED) {
        old.delete()?;
    }
    let attempts = Cell::new(0);
    let mut options = FetchOptions::new();
    options.remote_callbacks(callbacks(&attempts, Instant::now()));
    options.download_tags(git2::AutotagOption::None);
    let mut remote = repo.remote_anonymous(url)?;
    remote.fetch(&[&format!("+{BRANCH}:{FETCHED}")], Some(&mut options), None)
}

/// Commits from `tip` back along first parents, counted up to [`SQUASH_AFTER`].
fn depth(tip: &git2::Commit<'_>) -> usize {
    let mut n = 1;
    let mut at = tip.clone();
    while n < SQUASH_AFTER {
        match at.parent(0) {
            Ok(p) => at = p,
            Err(_) => break,
        }
        n += 1;
    }
    n
}

fn push(repo: &Repository, url: &str, force: bool) -> Result<(), git2::Error> {
    let attempts = Cell::new(0);
    let refused = RefCell::new(None::<String>);
    let mut cb = callbacks(&attempts, Instant::now());
    cb.push_update_reference(|_, status| {
        if let Some(why) = status {
            *refused.borrow_mut() = Some(why.to_string());
        }
        Ok(())
    });
    let mut options = PushOptions::new();
    options.remote_callbacks(cb);
    let mut remote = repo.remote_anonymous(url)?;
    let force = if force { "+" } else { "" };
    remote.push(&[&format!("{force}{BRANCH}:{BRANCH}")], Some(&mut options))?;
    drop(options);
    match refused.into_inner() {
        // A server refuses a ref whose tip moved as "non-fast-forward" (or "fetch first");
        // libgit2's local transport as "a reference with that name already exists".
        Some(why) => Err(git2::Error::new(ErrorCode::NotFastForward, git2::ErrorClass::Reference, why)),
        None => Ok(()),
    }
}

/// Whether a push failed because another device pushed first.
fn is_race(e: &git2::Error) -> bool {
    matches!(e.code(), ErrorCode::NotFastForward | ErrorCode::Locked | ErrorCode::Modified)
}

/// The other devices' logs at the root of `tree`, each bounded before it is read, read
/// smallest first within the sync's budget (`IncomingBudget::read_smallest_first`).
fn read_logs(repo: &Repository, tree: &git2::Tree<'_>, me: &str) -> Vec<Incoming> {
    let odb = repo.odb().ok();
    let mut found = Vec::new();
    for entry in tree.iter().take(MAX_ENTRIES) {
        let Some(device) = entry.name().ok().and_then(log::device_of_file) else { continue };
        if device == me {
            continue;
        }
        let place = format!("{} in the devices repository", entry.name().unwrap_or_default());
        let sized = if entry.kind() != Some(ObjectType::Blob) || entry.filemode() == i32::from(FileMode::Link) {
            Err("not a file".to_string())
        } else {
            match odb.as_ref().map(|o| o.read_header(entry.id())) {
                Some(Ok((size, _))) if size as u64 > MAX_LOG_BYTES => {
                    Err(format!("{size} bytes, more than the {MAX_LOG_BYTES} a log may have"))
                }
                Some(Ok((size, _))) => Ok((entry.id(), size as u64)),
                Some(Err(e)) => Err(e.message().to_string()),
                None => Err("the repository cannot be read".into()),
            }
        };
        found.push((device.to_string(), place, sized));
        if found.len() == MAX_PEERS {
            break;
        }
    }
    crate::IncomingBudget::read_smallest_first(found, |id, size, budget| {
        budget.take(size)?;
        repo.find_blob(id).map(|b| b.content().to_vec()).map_err(|e| e.message().to_string())
    })
}
