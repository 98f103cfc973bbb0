//! Jekyll sites in git repositories, through libgit2 (no `git` program needed): a shallow
//! first fetch, then incremental fetches, and the post files changed between two commits.

use std::path::{Path, PathBuf};

use git2::{Delta, FetchOptions, Oid, Repository};

/// Top-level folders that hold archived posts besides `_posts` (finews moves posts older than
/// three days to `old_post/`).
pub const ARCHIVE_DIRS: &[&str] = &["old_post"];
const POST_EXTENSIONS: &[&str] = &["md", "markdown", "html"];
const HEAD_REF: &str = "refs/broadsheet/head";

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
}

pub fn is_post_path(path: &str) -> bool {
    let ext_ok = path.rsplit('.').next().is_some_and(|e| POST_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()));
    let mut parts = path.split('/');
    let first = parts.next().unwrap_or("");
    ext_ok && (path.split('/').any(|p| p == "_posts") || ARCHIVE_DIRS.contains(&first))
}

/// The local bare mirror for `url` under `cache`.
pub fn mirror_dir(cache: &Path, url: &str) -> PathBuf {
    use sha2::Digest;
    let hash = sha2::Sha256::digest(url.as_bytes());
    cache.join(hash.iter().take(8).map(|b| format!("{b:02x}")).collect::<String>())
}

/// Fetches `url` into its mirror and lists the post files changed since `since` (a commit id
/// from the last sync; `None` or unknown → everything at the head).
pub fn fetch_changes(url: &str, cache: &Path, since: Option<&str>) -> Result<GitChanges, String> {
    let dir = mirror_dir(cache, url);
    let fresh = !dir.join("HEAD").exists();
    let repo = if fresh {
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        Repository::init_bare(&dir).map_err(|e| e.message().to_string())?
    } else {
        Repository::open_bare(&dir).map_err(|e| e.message().to_string())?
    };
    let mut remote = repo.remote_anonymous(url).map_err(|e| e.message().to_string())?;
    let refspec = format!("+HEAD:{HEAD_REF}");
    let fetch = |depth: Option<i32>| {
        let mut opts = FetchOptions::new();
        if let Some(d) = depth {
            opts.depth(d);
        }
        remote_fetch(&repo, url, &refspec, &mut opts)
    };
    // A repository with years of history must not be downloaded whole: the first fetch takes
    // the newest commit only; later fetches bring just the new commits.
    if fresh {
        if let Err(e) = fetch(Some(1)) {
            // Some transports (local paths) can't do shallow fetches; those are cheap anyway.
            if e.contains("shallow") {
                fetch(None)?;
            } else {
                return Err(e);
            }
        }
    } else {
        fetch(None)?;
    }
    drop(remote.disconnect());
    let head = repo.find_reference(HEAD_REF).and_then(|r| r.peel_to_commit()).map_err(|e| e.message().to_string())?;
    let new_tree = head.tree().map_err(|e| e.message().to_string())?;
    let old_tree = since
        .and_then(|s| Oid::from_str(s).ok())
        .and_then(|oid| repo.find_commit(oid).ok())
        .and_then(|c| c.tree().ok());
    let mut changes = GitChanges { head: head.id().to_string(), ..Default::default() };
    changes.config = new_tree
        .get_path(Path::new("_config.yml"))
        .ok()
        .and_then(|e| repo.find_blob(e.id()).ok())
        .map(|b| String::from_utf8_lossy(b.content()).into_owned());
    let diff = repo.diff_tree_to_tree(old_tree.as_ref(), Some(&new_tree), None).map_err(|e| e.message().to_string())?;
    for delta in diff.deltas() {
        let new_path = delta.new_file().path().map(|p| p.to_string_lossy().replace('\\', "/"));
        let old_path = delta.old_file().path().map(|p| p.to_string_lossy().replace('\\', "/"));
        match delta.status() {
            Delta::Added | Delta::Modified | Delta::Renamed | Delta::Copied | Delta::Typechange => {
                if let Some(path) = new_path.filter(|p| is_post_path(p)) {
                    let blob = repo.find_blob(delta.new_file().id()).map_err(|e| e.message().to_string())?;
                    changes.files.push((path, blob.content().to_vec()));
                }
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

fn remote_fetch(repo: &Repository, url: &str, refspec: &str, opts: &mut FetchOptions<'_>) -> Result<(), String> {
    let mut remote = repo.remote_anonymous(url).map_err(|e| e.message().to_string())?;
    remote.fetch(&[refspec], Some(opts), None).map_err(|e| format!("git fetch {url}: {}", e.message()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn post_paths_are_under_posts_or_archive_folders() {
        for yes in ["_posts/2021-12-08-a.md", "old_post/2021-12-08-a.md", "docs/_posts/x.markdown", "_posts/sub/y.html"]
        {
            assert!(is_post_path(yes), "{yes}");
        }
        for no in ["README.md", "_layouts/post.html", "category/emnews.html", "_posts/img.png", "x/old_post/a.md"] {
            assert!(!is_post_path(no), "{no}");
        }
    }
}
