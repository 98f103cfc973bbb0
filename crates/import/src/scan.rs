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
    /// (path, why) for entries the walk passed over: links, special files, folders too deep.
    pub passed_over: Vec<(String, String)>,
}

/// Bounds on a folder walk, so a hostile or absurd tree (link loops, a million nested
/// folders) ends in bounded time: the walk never follows a symbolic link or junction, reads
/// only regular files, and stops descending at `MAX_DEPTH`.
const MAX_DEPTH: usize = 32;
/// More entries than any real site has (finews: ~1,000 a day for years); the walk stops there.
const MAX_ENTRIES: usize = 5_000_000;
/// Bytes of paths the walk may hold (the posts it found and what it passed over): entries
/// alone bound nothing when each path is 4 KiB (fifteen folders of 250-character names): 5
/// million of them were 20 GB before any was read. 100k posts at 100 bytes are 10 MB.
const MAX_PATH_BYTES: usize = 512 * 1024 * 1024;
/// Entries passed over that are named one by one (the rest are counted): a million links in
/// a folder are a report of a million lines otherwise, copied twice.
const MAX_PASSED_OVER: usize = 1_000;
/// `_config.yml` larger than this is not read (the parser has its own, smaller bound).
const MAX_CONFIG_BYTES: u64 = 4 * 1024 * 1024;

/// What one walk found and passed over.
#[derive(Default)]
struct Walk {
    files: Vec<PathBuf>,
    passed_over: Vec<(PathBuf, String)>,
    entries: usize,
    /// Bytes of the paths in `files` and `passed_over`.
    path_bytes: usize,
    /// Entries passed over beyond the [`MAX_PASSED_OVER`] named.
    more_passed_over: usize,
    /// A folder or an entry could not be read: posts may exist that the walk did not see.
    unread: bool,
}

impl Walk {
    /// Whether the walk is at its end (entries or path bytes).
    fn full(&self) -> bool {
        self.entries >= MAX_ENTRIES || self.path_bytes >= MAX_PATH_BYTES
    }

    /// Whether the walk saw everything it could name: not cut short, nothing unread, and
    /// every entry passed over named (an unnamed one's post is not known to be there, and
    /// must not be taken for removed).
    fn complete(&self) -> bool {
        !self.full() && !self.unread && self.more_passed_over == 0
    }

    fn found(&mut self, path: PathBuf) {
        self.path_bytes += path.as_os_str().len();
        self.files.push(path);
    }

    fn pass_over(&mut self, path: PathBuf, why: String) {
        if self.passed_over.len() >= MAX_PASSED_OVER {
            self.more_passed_over += 1;
            return;
        }
        self.path_bytes += path.as_os_str().len() + why.len();
        self.passed_over.push((path, why));
    }
}

use broadsheet_jekyll::{ARCHIVE_DIRS, SKIP_DIRS};

pub(crate) fn scan(path: &Path, drafts: bool) -> Result<Scan, ImportError> {
    let meta = std::fs::metadata(path)
        .map_err(|e| ImportError::Unreadable { path: path.to_owned(), reason: e.to_string() })?;
    let path = path.canonicalize().unwrap_or_else(|_| path.to_owned());
    let mut walk = Walk::default();
    let mut site_mode = false;
    let (root, complete) = if meta.is_file() {
        walk.files.push(path.clone());
        (site_root_of_file(&path), false)
    } else if path.join("_posts").is_dir() || path.join("_config.yml").is_file() {
        walk_site(&path, drafts, 0, &mut walk);
        site_mode = true;
        (path.clone(), walk.complete())
    } else {
        // A posts folder: `_posts` itself, or any folder of post files.
        let root = if path.file_name().is_some_and(|n| n == "_posts") {
            path.parent().map_or_else(|| path.clone(), Path::to_path_buf)
        } else {
            path.clone()
        };
        walk_all(&path, 0, &mut walk);
        (root, walk.complete())
    };
    if walk.entries >= MAX_ENTRIES {
        walk.passed_over.push((path.clone(), format!("more than {MAX_ENTRIES} entries; the rest were not read")));
    } else if walk.path_bytes >= MAX_PATH_BYTES {
        walk.passed_over
            .push((path.clone(), format!("more than {MAX_PATH_BYTES} bytes of paths; the rest were not read")));
    }
    if walk.more_passed_over > 0 {
        walk.passed_over
            .push((path.clone(), format!("{} more entries passed over (links, special files)", walk.more_passed_over)));
    }
    let (config, config_warnings) = match read_regular(&root.join("_config.yml"), MAX_CONFIG_BYTES) {
        Ok(bytes) => {
            let (c, w) = parse_config(&String::from_utf8_lossy(&bytes));
            (c, w.into_iter().map(|w| w.message).collect())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (SiteConfig::default(), Vec::new()),
        Err(e) => (SiteConfig::default(), vec![format!("cannot read _config.yml: {e}")]),
    };
    let mut config = config;
    read_site_files(&root, &mut config);
    let relative = |abs: &Path| {
        let rel = abs.strip_prefix(&root).unwrap_or(abs);
        rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
    };
    let mut files: Vec<(String, PathBuf)> = walk.files.into_iter().map(|abs| (relative(&abs), abs)).collect();
    if site_mode {
        // The walk only descends where posts can be; which files are posts is the jekyll
        // crate's one rule, the one git sync applies to the same site.
        files.retain(|(rel, _)| broadsheet_jekyll::is_post_path(rel, drafts));
    }
    files.sort();
    let passed_over = walk.passed_over.iter().map(|(p, why)| (relative(p), why.clone())).collect();
    Ok(Scan { root, config, config_warnings, files, complete, passed_over })
}

/// The site's other address (`CNAME`) and its category pages' names, read within the
/// jekyll crate's bounds; anything unreadable is simply not known.
fn read_site_files(root: &Path, config: &mut SiteConfig) {
    use broadsheet_jekyll::{
        learn_site_file, MAX_CATEGORY_PAGES, MAX_CATEGORY_PAGE_BYTES, MAX_CNAME_BYTES, MAX_SITE_FILE_BYTES,
    };
    if let Ok(bytes) = read_regular(&root.join("CNAME"), MAX_CNAME_BYTES as u64) {
        learn_site_file(config, "CNAME", &bytes);
    }
    let (mut pages, mut bytes_read) = (0, 0);
    for dir in ["category", "categories"] {
        // A link named `category` could lead anywhere on this computer: only a real folder.
        let dir_path = root.join(dir);
        if !std::fs::symlink_metadata(&dir_path).is_ok_and(|m| m.file_type().is_dir()) {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&dir_path) else { continue };
        for entry in entries.flatten() {
            pages += 1;
            if pages > MAX_CATEGORY_PAGES {
                return;
            }
            let rel = format!("{dir}/{}", entry.file_name().to_string_lossy());
            if broadsheet_jekyll::is_category_page_path(&rel) {
                if let Ok(bytes) = read_regular(&entry.path(), MAX_CATEGORY_PAGE_BYTES as u64) {
                    bytes_read += bytes.len();
                    if bytes_read > MAX_SITE_FILE_BYTES {
                        return;
                    }
                    learn_site_file(config, &rel, &bytes);
                }
            }
        }
    }
}

/// Reads a regular file of at most `max` bytes, never following a symbolic link and never
/// opening a FIFO or device (which could block or never end).
pub(crate) fn read_regular(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let meta = std::fs::symlink_metadata(path)?;
    if !meta.file_type().is_file() {
        return Err(std::io::Error::other(kind_of(&meta.file_type())));
    }
    if meta.len() > max {
        return Err(std::io::Error::other(format!("{} bytes, more than the {max} allowed", meta.len())));
    }
    let file = std::fs::File::open(path)?;
    // The file may have been swapped or grown since the check: read at most `max` + 1.
    if !file.metadata()?.file_type().is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(std::io::Error::other(format!("more than the {max} bytes allowed")));
    }
    Ok(bytes)
}

fn kind_of(t: &std::fs::FileType) -> &'static str {
    if t.is_symlink() {
        "a symbolic link (links are not followed)"
    } else if t.is_dir() {
        "a folder"
    } else {
        "not a regular file (a FIFO, socket or device)"
    }
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

/// Every `_posts` folder in the site (Jekyll allows them under category folders too),
/// `_drafts` when asked, and the top-level folders of archived posts (`old_post/`).
fn walk_site(dir: &Path, drafts: bool, depth: usize, walk: &mut Walk) {
    for_each_entry(dir, depth, walk, &mut |path, name, is_dir, walk| {
        if !is_dir || name == ".git" || (depth == 0 && SKIP_DIRS.contains(&name)) {
            return;
        }
        if name == "_posts" || (drafts && name == "_drafts") || (depth == 0 && ARCHIVE_DIRS.contains(&name)) {
            walk_all(path, depth + 1, walk);
        } else {
            walk_site(path, drafts, depth + 1, walk);
        }
    });
}

fn walk_all(dir: &Path, depth: usize, walk: &mut Walk) {
    for_each_entry(dir, depth, walk, &mut |path, name, is_dir, walk| {
        if is_dir {
            if name != ".git" {
                walk_all(path, depth + 1, walk);
            }
        } else if is_post_file(path) {
            walk.found(path.to_path_buf());
        }
    });
}

/// Calls `f(path, name, is_dir, walk)` for each real folder and regular file in `dir`;
/// links, special files and folders past the depth bound are passed over (post-like ones
/// reported, so the reader learns why a post is missing).
fn for_each_entry(dir: &Path, depth: usize, walk: &mut Walk, f: &mut dyn FnMut(&Path, &str, bool, &mut Walk)) {
    if depth > MAX_DEPTH {
        walk.pass_over(dir.to_path_buf(), format!("folder nested deeper than {MAX_DEPTH} levels; not read"));
        return;
    }
    // An unreadable folder (permissions, a failing disk) is said, and makes the scan
    // incomplete: its posts are not there to see, which is not the same as gone.
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            walk.pass_over(dir.to_path_buf(), format!("cannot read this folder: {e}"));
            walk.unread = true;
            return;
        }
    };
    for entry in entries {
        let Ok(entry) = entry else {
            walk.unread = true;
            continue;
        };
        walk.entries += 1;
        if walk.full() {
            return;
        }
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        // `DirEntry::file_type` does not follow links (unlike `Path::is_dir`).
        let Ok(kind) = entry.file_type() else {
            walk.unread = true;
            continue;
        };
        if kind.is_dir() {
            f(&path, &name, true, walk);
        } else if kind.is_file() {
            f(&path, &name, false, walk);
        } else if is_post_file(&path) || kind.is_symlink() {
            walk.pass_over(path, kind_of(&kind).to_string());
        }
    }
}

fn is_post_file(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(broadsheet_jekyll::has_post_extension)
}
