//! Import: parsed posts in, archive rows out, with a report of what happened to each file.
//!
//! Invariant: one bad file never stops an import; it is reported by path with its reason,
//! and nothing already in the archive is removed.

mod duplicates;
mod scan;

use std::path::{Path, PathBuf};

use broadsheet_jekyll::{parse_config, parse_post, Parsed, PostFile, SiteConfig};
use broadsheet_store::{NewArticle, NewSource, SourceId, Store, StoreError, UpsertOutcome};
pub use duplicates::find_duplicates;

/// What an import did. Skips and warnings name the file.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub imported: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub skipped: Vec<(String, String)>,
    pub warnings: Vec<(String, String)>,
    /// Posts the source no longer has; they stay in the archive, marked.
    pub removed_upstream: usize,
}

/// Why an import could not run at all. Problems with single files are not errors: they are
/// reported in [`ImportReport`] and the import goes on.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path}: {reason}")]
    Unreadable { path: PathBuf, reason: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A failure of the importer itself, not of the input.
    #[error("{0}")]
    Internal(String),
}

/// How to import a folder.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Also import `_drafts` (Jekyll only publishes them with `--drafts`).
    pub drafts: bool,
}

/// Progress of a long import: files parsed so far out of the total.
pub type Progress<'a> = &'a mut dyn FnMut(usize, usize);

/// Bumped whenever parsing changes what a file becomes, so the next import re-reads every
/// file instead of trusting its size and modification time.
const PARSE_VERSION: u32 = 1;

/// The skip reason the parser gives a post that is not published (read, deliberately left out).
/// Why a post marked `published: false` is skipped (on purpose: not a problem to report).
pub const PUBLISHED_FALSE: &str = "published: false";

/// FNV-1a: a stable 63-bit fingerprint (SQLite integers are signed).
fn fnv(bytes: &[u8]) -> i64 {
    let h = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3));
    (h >> 1) as i64
}

/// Files read and parsed per round, so memory stays flat on sites with 100,000 posts.
const BATCH: usize = 512;

/// Where an import writes: an archive it has to itself (the CLI), or one shared with the
/// reader's window and other writers (the app's sync), which must get the archive back often.
///
/// Parsing always happens outside [`Archive::write`]; only the finished rows are written,
/// [`Archive::rows_per_write`] at a time, each write one short transaction.
pub trait Archive {
    fn write<R>(&mut self, f: impl FnOnce(&mut Store) -> R) -> R;
    /// A read: by default on the writer, like a write; a shared archive reads on a
    /// connection of its own, so a large read never holds the writer.
    fn read<R>(&mut self, f: impl FnOnce(&Store) -> R) -> R {
        self.write(|s| f(s))
    }
    /// How many rows one write may hold the archive for.
    fn rows_per_write(&self) -> usize;

    /// Upserts `rows` of `source`, [`Archive::rows_per_write`] per write (asked again before
    /// each write, as it may adapt); the outcomes in order.
    fn upsert(&mut self, source: SourceId, rows: &[NewArticle]) -> Result<Vec<UpsertOutcome>, StoreError> {
        let mut outcomes = Vec::with_capacity(rows.len());
        let mut rest = rows;
        while !rest.is_empty() {
            let (part, next) = rest.split_at(self.rows_per_write().clamp(1, rest.len()));
            rest = next;
            outcomes.extend(self.write(|store| store.upsert_articles(source, part))?);
        }
        Ok(outcomes)
    }
}

impl Archive for Store {
    fn write<R>(&mut self, f: impl FnOnce(&mut Store) -> R) -> R {
        f(self)
    }
    fn rows_per_write(&self) -> usize {
        BATCH
    }
}

/// The app's archive: one writer connection behind a mutex, which the window's bookmarks,
/// tags and read marks also need. Each write holds it for about [`SharedArchive::TARGET_HOLD`]
/// (the number of rows per write adapts to how long the last one took), then releases it and
/// pauses briefly: `std::sync::Mutex` is not fair, and without the pause the import thread
/// would take the lock straight back while a waiting command sleeps on.
pub struct SharedArchive<'a> {
    store: &'a std::sync::Mutex<Store>,
    rows: usize,
}

impl<'a> SharedArchive<'a> {
    /// How long one write should hold the archive.
    pub const TARGET_HOLD: std::time::Duration = std::time::Duration::from_millis(15);
    /// The pause after each write, long enough for a woken waiter to take the lock.
    const PAUSE: std::time::Duration = std::time::Duration::from_micros(500);

    pub fn new(store: &'a std::sync::Mutex<Store>) -> Self {
        SharedArchive { store, rows: 16 }
    }
}

impl Archive for SharedArchive<'_> {
    fn write<R>(&mut self, f: impl FnOnce(&mut Store) -> R) -> R {
        let (r, held) = {
            let mut guard = self.store.lock().unwrap_or_else(|p| p.into_inner());
            let t = std::time::Instant::now();
            (f(&mut guard), t.elapsed())
        };
        if held > Self::TARGET_HOLD {
            self.rows = (self.rows / 2).max(1);
        } else if held < Self::TARGET_HOLD / 3 {
            self.rows = (self.rows * 2).min(BATCH);
        }
        std::thread::sleep(Self::PAUSE);
        r
    }
    fn read<R>(&mut self, f: impl FnOnce(&Store) -> R) -> R {
        // Reads of a whole source (100k fingerprints or keys: tens of ms) go to a read-only
        // connection: the writer is held only to learn the file's path.
        let reader = self.store.lock().unwrap_or_else(|p| p.into_inner()).reader();
        match reader {
            Ok(r) => f(&r),
            Err(_) => self.write(|s| f(s)),
        }
    }
    fn rows_per_write(&self) -> usize {
        self.rows
    }
}

/// Imports a Jekyll site root, a `_posts` folder (sub-folders included) or one post file.
pub fn import_path<A: Archive>(
    archive: &mut A,
    path: &Path,
    opts: ImportOptions,
    progress: Progress<'_>,
) -> Result<ImportReport, ImportError> {
    let scan = scan::scan(path, opts.drafts)?;
    let root_name = scan.root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "site".into());
    let name = scan.config.title.clone().unwrap_or(root_name);
    let location = scan.root.to_string_lossy().into_owned();
    let source = archive.write(|store| {
        store.upsert_source(&NewSource {
            kind: broadsheet_model::SourceKind::JekyllFolder.as_str(),
            location: &location,
            name: &name,
            site_url: scan.config.url.as_deref(),
            lang: scan.config.lang.as_deref(),
        })
    })?;
    archive.write(|store| store.note_site(source, None, &scan.config.aliases))?;
    let mut report = ImportReport::default();
    report.warnings.extend(scan.config_warnings.iter().map(|w| ("_config.yml".to_string(), w.clone())));
    report.skipped.extend(scan.passed_over.iter().cloned());
    let total = scan.files.len();
    let mut present = Vec::with_capacity(total);
    // A file whose size, modification time, parser and site settings are as at the last
    // import is not read again: re-scanning an unchanged 100,000-post folder costs one
    // `stat` per file. Anything else is read, parsed and compared by content hash as before.
    let site_stamp = fnv(format!("{PARSE_VERSION}|{:?}", scan.config).as_bytes());
    let known = archive.read(|store| store.folder_stamps(source))?;
    // Paths this scan found (to forget the fingerprints of files that are gone).
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::with_capacity(total);
    // Two stages side by side: a thread reads and parses the next batch (on every core)
    // while this one writes the last; the channel holds one batch, so memory stays flat.
    // Before, parsing and writing took turns, and at 100k posts the writer idled for a third
    // of the import.
    let config = &scan.config;
    let known = &known;
    std::thread::scope(|scope| -> Result<(), ImportError> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<ReadBatch>(1);
        let files = &scan.files;
        let reader = scope.spawn(move || {
            let mut at = 0;
            while at < files.len() {
                let batch = read_batch(&files[at..], known, site_stamp, config);
                at += batch.files.max(1);
                // The writer stopped (an error): so does the reading.
                if tx.send(batch).is_err() {
                    break;
                }
            }
        });
        let mut done = 0;
        for batch in rx.iter() {
            for (rel, key) in batch.unchanged {
                if key.is_empty() {
                    report.skipped.push((rel.clone(), PUBLISHED_FALSE.to_string()));
                } else {
                    present.push(key);
                    report.unchanged += 1;
                }
                seen.insert(rel);
            }
            report.skipped.extend(batch.skipped);
            let mut parsed = Vec::new();
            let part = write_parsed(archive, source, batch.parsed?, &mut parsed)?;
            report.absorb(part);
            let mut fresh = Vec::with_capacity(parsed.len());
            for (path, key) in parsed {
                if !key.is_empty() {
                    present.push(key.clone());
                }
                if let Some(stamp) = batch.stamps.get(path.as_str()) {
                    fresh.push((path, key, *stamp));
                }
            }
            // Written after the posts they vouch for: a kill in between only means a re-read.
            archive.write(|store| store.set_folder_stamps(source, &fresh))?;
            seen.extend(fresh.into_iter().map(|(path, _, _)| path));
            done += batch.files;
            progress(done.min(total), total);
        }
        // The reader catches the parsers' panics; should it still fail, the batches it never
        // sent must not count as files gone from the folder.
        reader.join().map_err(|_| ImportError::Internal("reading the folder's posts failed".into()))
    })?;
    if scan.complete {
        // A post file that is there but could not be read or parsed this time (permissions,
        // grown past the size bound, a parser failure) is not a post gone from the site: only
        // a file no longer found, or one unpublished on purpose, marks its post removed.
        present.extend(
            report
                .skipped
                .iter()
                .filter(|(_, why)| why != PUBLISHED_FALSE)
                .map(|(rel, _)| broadsheet_jekyll::post_key(rel).to_string()),
        );
        let stale: Vec<String> = known.keys().filter(|p| !seen.contains(*p)).cloned().collect();
        archive.write(|store| store.forget_folder_stamps(source, &stale))?;
        // Compared here rather than in one statement over every key, so a shared archive is
        // held for one read and a few small updates, not for the whole comparison.
        let present: std::collections::HashSet<String> = present.into_iter().collect();
        let live = archive.read(|store| store.live_keys(source))?;
        let gone: Vec<String> = live.into_iter().filter(|k| !present.contains(k)).collect();
        let mut rest = gone.as_slice();
        while !rest.is_empty() {
            let (part, next) = rest.split_at((archive.rows_per_write() * 16).clamp(1, rest.len()));
            rest = next;
            report.removed_upstream += archive.write(|store| store.mark_keys_removed(source, part))?;
        }
    }
    Ok(report)
}

impl ImportReport {
    fn absorb(&mut self, other: ImportReport) {
        self.imported += other.imported;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.skipped.extend(other.skipped);
        self.warnings.extend(other.warnings);
        self.removed_upstream += other.removed_upstream;
    }
}

impl std::fmt::Display for ImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "imported {}, updated {}, unchanged {}, skipped {}, warnings {}",
            self.imported,
            self.updated,
            self.unchanged,
            self.skipped.len(),
            self.warnings.len()
        )
    }
}

/// Parses `files` of one Jekyll site and writes them to the archive in one transaction.
pub fn import_posts<'a, A: Archive>(
    archive: &mut A,
    source: SourceId,
    site: &SiteConfig,
    files: impl IntoIterator<Item = PostFile<'a>>,
) -> Result<ImportReport, StoreError> {
    let files: Vec<PostFile<'a>> = files.into_iter().collect();
    let mut report = ImportReport::default();
    for chunk in files.chunks(BATCH) {
        report.absorb(import_batch(archive, source, site, chunk.iter().cloned(), &mut Vec::new())?);
    }
    Ok(report)
}

/// One parsed file: its path, and the row or the reason it was skipped, with warnings.
type ParsedFile = (String, Result<NewArticle, String>, Vec<String>);

fn parse_one(file: &PostFile<'_>, site: &SiteConfig) -> ParsedFile {
    let path = file.path.to_string();
    // The parsers are written never to panic; should one still (a third-party crate, an
    // input nobody foresaw), that file is skipped and the import goes on.
    // Preparing the row (hash, deflate, search tokens: the writer's share, done here on every
    // core) is inside the guard too.
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let (parsed, warnings) = parse_post(file, site);
        let warnings: Vec<String> = warnings.into_iter().map(|w| w.message).collect();
        match parsed {
            Parsed::Post(post) => {
                let mut row = to_row(*post, site);
                row.prepare();
                (Ok(row), warnings)
            }
            Parsed::Skipped(skip) => (Err(skip.reason), warnings),
        }
    }));
    match caught {
        Ok((outcome, warnings)) => (path, outcome, warnings),
        Err(_) => (path, Err("the parser failed on this file (an internal error)".into()), Vec::new()),
    }
}

/// Parses `files` on every core: posts are independent, and parsing (Markdown, sanitising)
/// is most of an import's work.
///
/// `Err` if a worker failed outside the per-file guard (nothing known can): the batch's files
/// are then unaccounted for, and must not count as gone from the folder.
fn parse_all(files: Vec<PostFile<'_>>, site: &SiteConfig) -> Result<Vec<ParsedFile>, ImportError> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    if threads == 1 || files.len() < 16 {
        return Ok(files.iter().map(|f| parse_one(f, site)).collect());
    }
    let per = files.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(per)
            .map(|part| scope.spawn(move || part.iter().map(|f| parse_one(f, site)).collect::<Vec<_>>()))
            .collect();
        let mut all = Vec::new();
        for h in handles {
            all.extend(h.join().map_err(|_| ImportError::Internal("a parse worker failed".into()))?);
        }
        Ok(all)
    })
}

/// One batch of a folder's files, read and parsed: the first stage of [`import_path`].
struct ReadBatch {
    /// Files in the batch, for progress.
    files: usize,
    /// Files as at the last import, not read again: (path, key; empty for unpublished).
    unchanged: Vec<(String, String)>,
    /// Files that could not be read.
    skipped: Vec<(String, String)>,
    /// Fingerprints of the files read, by path.
    stamps: std::collections::HashMap<String, i64>,
    parsed: Result<Vec<ParsedFile>, ImportError>,
}

/// Bytes of post files read per batch at most (besides [`BATCH`] files): three batches are
/// alive at once (one written, one waiting, one parsed), and a folder of 4 MiB posts would
/// otherwise hold gigabytes.
const BATCH_BYTES: u64 = 32 * 1024 * 1024;

/// Reads (unless its size and time are as at the last import) and parses the first files of
/// `files`: [`BATCH`] of them, or fewer once [`BATCH_BYTES`] are read (one at least).
fn read_batch(
    files: &[(String, std::path::PathBuf)],
    known: &std::collections::HashMap<String, (String, i64)>,
    site_stamp: i64,
    site: &SiteConfig,
) -> ReadBatch {
    let mut batch = ReadBatch {
        files: 0,
        unchanged: Vec::new(),
        skipped: Vec::new(),
        stamps: std::collections::HashMap::new(),
        parsed: Ok(Vec::new()),
    };
    let mut loaded = Vec::with_capacity(BATCH.min(files.len()));
    let mut bytes_read = 0u64;
    for (rel, abs) in files.iter().take(BATCH) {
        if bytes_read >= BATCH_BYTES {
            break;
        }
        batch.files += 1;
        let meta = std::fs::symlink_metadata(abs).ok();
        let modified =
            meta.as_ref().and_then(|m| m.modified().ok()).and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
        let stamp = meta.as_ref().map(|m| {
            let nanos = modified.map_or(0, |d| d.as_nanos());
            fnv(format!("{site_stamp}|{}|{nanos}", m.len()).as_bytes())
        });
        if let (Some(stamp), Some((key, known_stamp))) = (stamp, known.get(rel)) {
            if stamp == *known_stamp {
                batch.unchanged.push((rel.clone(), key.clone()));
                continue;
            }
        }
        match scan::read_regular(abs, broadsheet_jekyll::MAX_POST_BYTES as u64) {
            Ok(bytes) => {
                if let Some(stamp) = stamp {
                    batch.stamps.insert(rel.clone(), stamp);
                }
                bytes_read += bytes.len() as u64;
                loaded.push((rel.as_str(), bytes, modified.map(|d| d.as_secs() as i64)));
            }
            Err(e) => batch.skipped.push((rel.clone(), format!("cannot read: {e}"))),
        }
    }
    let files = loaded.iter().map(|(rel, bytes, modified)| PostFile { path: rel, bytes, modified: *modified });
    batch.parsed = parse_all(files.collect(), site);
    batch
}

/// Parses and writes `files`; `parsed` receives (path, key) for each file the parser read —
/// the key empty for a post it skipped on purpose (`published: false`).
fn import_batch<'a, A: Archive>(
    archive: &mut A,
    source: SourceId,
    site: &SiteConfig,
    files: impl IntoIterator<Item = PostFile<'a>>,
    parsed: &mut Vec<(String, String)>,
) -> Result<ImportReport, StoreError> {
    // (A git source marks posts gone from the commits' own diff, not from what parsed.)
    let files = parse_all(files.into_iter().collect(), site).map_err(|e| StoreError::InvalidInput(e.to_string()))?;
    write_parsed(archive, source, files, parsed)
}

/// Writes parsed files; `parsed` receives (path, key) as for [`import_batch`].
fn write_parsed<A: Archive>(
    archive: &mut A,
    source: SourceId,
    files: Vec<ParsedFile>,
    parsed: &mut Vec<(String, String)>,
) -> Result<ImportReport, StoreError> {
    let mut report = ImportReport::default();
    let mut rows = Vec::new();
    for (path, outcome, warnings) in files {
        report.warnings.extend(warnings.into_iter().map(|w| (path.clone(), w)));
        match outcome {
            Ok(row) => {
                parsed.push((path, row.key.clone()));
                rows.push(row);
            }
            Err(reason) => {
                if reason == PUBLISHED_FALSE {
                    parsed.push((path.clone(), String::new()));
                }
                report.skipped.push((path, reason))
            }
        }
    }
    for outcome in archive.upsert(source, &rows)? {
        match outcome {
            UpsertOutcome::Inserted(_) => report.imported += 1,
            UpsertOutcome::Updated(_) => report.updated += 1,
            UpsertOutcome::Unchanged(_) => report.unchanged += 1,
        }
    }
    Ok(report)
}

/// Imports the embedded sample site and seeds the image cache with its pictures.
pub fn import_sample(store: &mut Store) -> Result<ImportReport, StoreError> {
    let (site, _) = parse_config(broadsheet_sample::config());
    let name = site.title.clone().unwrap_or_else(|| "Sample".into());
    let source = store.upsert_source(&NewSource {
        kind: broadsheet_model::SourceKind::Sample.as_str(),
        location: broadsheet_sample::LOCATION,
        name: &name,
        site_url: site.url.as_deref(),
        lang: site.lang.as_deref(),
    })?;
    for (url, mime, bytes) in broadsheet_sample::images() {
        store.put_image(&url, mime, bytes)?;
    }
    let posts = broadsheet_sample::posts();
    let files = posts.iter().map(|(path, bytes)| PostFile { path, bytes, modified: None });
    import_posts(store, source, &site, files)
}

fn to_row(post: broadsheet_jekyll::Post, site: &SiteConfig) -> NewArticle {
    // finews pairs each outlet's category slug with one Chinese tag naming it
    // (`dazhongwang` ↔ `大众网新闻`): that tag is the best display name the site offers.
    // Else the name the site's own category page gives (`category/<slug>.html`'s title).
    let hint = match (post.categories.len(), post.tags.as_slice()) {
        (1, [tag]) => Some(tag.clone()),
        _ => None,
    };
    let name_of = |slug: &str| hint.clone().or_else(|| site.category_names.get(slug).cloned());
    // The site's `url` comes from its `_config.yml`: only a web address makes a link (a
    // `javascript:` one would reach the CLI's JSON, exports and bookmarks).
    let web = |u: &&String| {
        let l = u.trim_start().to_ascii_lowercase();
        l.starts_with("https://") || l.starts_with("http://")
    };
    let url = site.url.as_ref().filter(web).map(|base| format!("{base}{}", post.url));
    NewArticle {
        key: post.key,
        title: post.title,
        published_at: post.timestamp,
        utc_offset_min: post.utc_offset_min,
        url,
        lang: post.lang,
        html: post.html,
        text: post.text,
        // The parser's text is plain_text of its sanitised HTML.
        text_derived: true,
        excerpt: post.excerpt,
        extra_json: serde_json::Value::Object(post.extra).to_string(),
        categories: post
            .categories
            .into_iter()
            .map(|c| {
                let name = name_of(&c);
                (c, name)
            })
            .collect(),
        tags: post.tags,
        images: post.images,
        prepared: None,
    }
}
