//! Finding the posts of a Jekyll source on disk: a site root, a `_posts` folder, or one file.

use std::path::{Path, PathBuf};

use broadsheet_jekyll::{parse_config, SiteConfig};

use crate::ImportError;

/// Post files found under a source, and the site they belong to.
pub(crate) struct Scan {
    /// The site root: where `_config.yml` is (or would be).
    pub root: PathBuf,
    pub config: SiteConfig,
    pub config_warnings: Vec<String>,
    /// (path relative to `root` with `/` separators, absolute path), sorted.
    pub files: Vec<(String, PathBuf)>,
    /// True when every post of the source was scanned, so absent ones can be marked removed.
    pub complete: bool,
}

const POST_EXTENSIONS: &[&str] = &["md", "markdown", "mdown", "mkdn", "mkd", "html", "htm"];
/// Folders Jekyll itself never reads posts from.
const SKIP_DIRS: &[&str] = &["_site", ".git", "node_modules", "vendor", ".jekyll-cache", ".sass-cache"];

pub(crate) fn scan(path: &Path, drafts: bool) -> Result<Scan, ImportError> {
    let meta = std::fs::metadata(path)
        .map_err(|e| ImportError::Unreadable { path: path.to_owned(), reason: e.to_string() })?;
    let path = path.canonicalize().unwrap_or_else(|_| path.to_owned());
    let (root, files, complete) = if meta.is_file() {
        let root = site_root_of_file(&path);
        (root, vec![path.clone()], false)
    } else if path.join("_posts").is_dir() || path.join("_config.yml").is_file() {
        let mut files = Vec::new();
        walk_site(&path, drafts, &mut files);
        (path.clone(), files, true)
    } else {
        // A posts folder: `_posts` itself, or any folder of post files.
        let root = if path.file_name().is_some_and(|n| n == "_posts") {
            path.parent().map_or_else(|| path.clone(), Path::to_path_buf)
        } else {
            path.clone()
        };
        let mut files = Vec::new();
        walk_all(&path, &mut files);
        (root, files, true)
    };
    let (config, config_warnings) = match std::fs::read_to_string(root.join("_config.yml")) {
        Ok(text) => {
            let (c, w) = parse_config(&text);
            (c, w.into_iter().map(|w| w.message).collect())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (SiteConfig::default(), Vec::new()),
        Err(e) => (SiteConfig::default(), vec![format!("cannot read _config.yml: {e}")]),
    };
    let mut files: Vec<(String, PathBuf)> = files
        .into_iter()
        .map(|abs| {
            let rel = abs.strip_prefix(&root).unwrap_or(&abs);
            let rel = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            (rel, abs)
        })
        .collect();
    files.sort();
    Ok(Scan { root, config, config_warnings, files, complete })
}

/// The site a single post file belongs to: the folder holding its `_posts` ancestor.
fn site_root_of_file(file: &Path) -> PathBuf {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d.file_name().is_some_and(|n| n == "_posts" || n == "_drafts") {
            return d.parent().unwrap_or(d).to_path_buf();
        }
        dir = d.parent();
    }
    file.parent().map_or_else(PathBuf::new, Path::to_path_buf)
}

/// Every `_posts` folder in the site (Jekyll allows them under category folders too), and
/// `_drafts` when asked.
fn walk_site(dir: &Path, drafts: bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !path.is_dir() || SKIP_DIRS.contains(&name.as_ref()) {
            continue;
        }
        if name == "_posts" || (drafts && name == "_drafts") {
            walk_all(&path, out);
        } else {
            walk_site(&path, drafts, out);
        }
    }
}

fn walk_all(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if !SKIP_DIRS.contains(&entry.file_name().to_string_lossy().as_ref()) {
                walk_all(&path, out);
            }
        } else if is_post_file(&path) {
            out.push(path);
        }
    }
}

fn is_post_file(path: &Path) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    ext.is_some_and(|e| POST_EXTENSIONS.contains(&e.as_str()))
}
