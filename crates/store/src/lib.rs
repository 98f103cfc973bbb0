//! The local archive: one SQLite file plus a content-addressed image folder beside it.
//!
//! Invariant: this crate is the only code that speaks SQL. Everything above it calls typed
//! methods on [`Store`]; user state (bookmarks, read state, user tags) is only written by
//! the methods meant for it, never by imports.
//!
//! Every write transaction is `IMMEDIATE`: it takes SQLite's write lock when it begins (waiting
//! up to the busy timeout), instead of reading first and failing at once with "database is
//! locked" when another connection wrote in between — which WAL mode reports without waiting.

mod aliases;
mod articles;
mod backup;
mod body;
mod derived;
mod devices;
pub mod duplicates;
mod error;
mod fit;
mod housekeeping;
mod images;
mod migrate;
mod rows;
mod search;
mod sync_state;
mod time_fmt;
mod user;

use std::path::{Path, PathBuf};

use rusqlite::Connection;

pub use aliases::{normal_alias, AliasOrigin, MAX_ALIASES};
pub use articles::{NewArticle, Prepared, UpsertOutcome, MAX_CATEGORIES, MAX_IMAGES, MAX_TAGS};
pub use rows::LIST_LABELS;
pub use search::tokens::{QueryError, MAX_QUERY_CHARS};
pub use search::RANKED_WINDOW;

/// The page size of a new archive (and of one `Store::compact` rewrites).
pub(crate) const PAGE_SIZE: i64 = 16384;

/// Sources the reader may add, by hand or by OPML (see [`Store::check_room_for_sources`]):
/// ten times a heavy reader's subscriptions.
pub const MAX_SOURCES: usize = 10_000;

pub use backup::{
    Backup, BackupArticle, BackupCategory, BackupHead, BackupSource, BACKUP_FORMAT, BACKUP_VERSION, TRAVELLING_SETTINGS,
};
pub use devices::{ApplyStep, DeviceOp, DevicePeer, DEVICE_SETTINGS};
pub use duplicates::{GroupStep, Pending, Sketch};
pub use error::StoreError;
pub use housekeeping::{Removal, RetentionPlan, SourceRemoval};
pub use images::{ImageBlob, ImageFiles};
/// The search tokenizer, for tests that check the index against a plain scan.
pub use search::tokens as search_tokens;
pub use sync_state::{Attempt, PendingImage, SyncSource, MAX_INTERVAL_MIN, MIN_INTERVAL_MIN};
pub use user::{StateChange, MAX_IMAGE_BUDGET, MAX_TAG_CHARS};

pub mod location;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The app's identifier (`tauri.conf.json`); the app's data folder is named after it.
pub const APP_IDENTIFIER: &str = "app.broadsheet.reader";

/// File name of the archive inside the data folder.
pub const ARCHIVE_FILE: &str = "archive.sqlite3";

pub use broadsheet_model::{ArticleId, SourceId};

/// An open archive.
pub struct Store {
    conn: Connection,
    images_dir: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the archive at `path`, sets the connection pragmas and
    /// applies pending migrations atomically. Images go to `images/` beside the file.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
        }
        let mut conn = Connection::open(path).map_err(|e| StoreError::Open { path: path.to_owned(), source: e })?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // Every statement of an article's write is prepared once per connection (rusqlite
        // keeps 16 by default; a write uses about 20).
        conn.set_prepared_statement_cache_capacity(64);
        // 16 KiB pages for a new archive (an existing one keeps its size; only VACUUM changes
        // it): an article row (about 2 KiB with its deflated body) left half of each 4 KiB page
        // empty — 9 of the 10k bench's 31 MB of rows.
        conn.pragma_update(None, "page_size", PAGE_SIZE)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // The writer's cache at 32 MiB (the default, 2 MiB, is 125 pages of 16 KiB): a
        // batch's pages stay in memory until its commit instead of being read back (149,000
        // `pread`s in a 10k import).
        conn.pragma_update(None, "cache_size", -32 * 1024)?;
        migrate::apply(&mut conn)?;
        // A merge's "do not log" mark lives only inside its transaction; should one ever
        // outlive it, this device's changes would stop reaching the others.
        conn.execute("DELETE FROM device_quiet", [])?;
        let images_dir = path.with_file_name("images");
        Ok(Store { conn, images_dir })
    }

    /// Opens a read-only connection to an archive that [`Store::open`] has created and
    /// migrated. In WAL mode readers never wait for the writer (nor it for them): the reader
    /// UI lists, opens, searches and serves images on these while a sync writes. Write
    /// methods called on a reader fail with a read-only error.
    pub fn open_reader(path: &Path) -> Result<Store> {
        use rusqlite::OpenFlags;
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(path, flags)
            .map_err(|e| StoreError::Open { path: path.to_owned(), source: e })?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.set_prepared_statement_cache_capacity(64);
        conn.pragma_update(None, "query_only", true)?;
        let images_dir = path.with_file_name("images");
        Ok(Store { conn, images_dir })
    }

    /// A read-only connection to this archive's file (see [`Store::open_reader`]), for reads
    /// that must not hold the writer.
    pub fn reader(&self) -> Result<Store> {
        let path = self
            .path()
            .ok_or_else(|| StoreError::InvalidInput("an archive in memory has no file for a reader".into()))?;
        Store::open_reader(&path)
    }

    /// Runs `f`, a write of many small statements (an import batch, a restore), with statement
    /// journals in memory. SQLite copies every page a statement changes into its journal (an
    /// upsert, a trigger, a foreign key check), kept by default in a temporary file: 290,000
    /// `pwrite`s of 16 KiB for a 10k import, most of its system time (100k: import 31.2 →
    /// 24.4 s, system time 12.0 → 3.2 s). Never for one statement over a whole table (its
    /// journal would be the table), so only here, and back to the default after.
    pub(crate) fn journals_in_memory<T>(&mut self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        // SQLite refuses the switch inside a transaction: the write then simply runs with
        // journals in files, as before (slower, never wrong).
        let switched = self.conn.pragma_update(None, "temp_store", "MEMORY").is_ok();
        let out = f(self);
        if switched {
            // Should the way back fail, journals stay in memory; every statement still works.
            let _ = self.conn.pragma_update(None, "temp_store", "DEFAULT");
        }
        out
    }

    /// The id of the source at `location`, if the archive has one.
    pub fn source_id(&self, location: &str) -> Result<Option<SourceId>> {
        use rusqlite::OptionalExtension;
        Ok(self.conn.query_row("SELECT id FROM sources WHERE location = ?1", [location], |r| r.get(0)).optional()?)
    }

    /// Whether `n` more sources may be added: the reader's own additions (by hand, by OPML)
    /// stop at [`MAX_SOURCES`], as the window lists every source and each is fetched on its
    /// interval. Restores and the sample are not held to it.
    pub fn check_room_for_sources(&self, n: usize) -> Result<()> {
        let count: i64 = self.conn.query_row("SELECT count(*) FROM sources", [], |r| r.get(0))?;
        let count = usize::try_from(count).unwrap_or(0);
        if count + n > MAX_SOURCES {
            return Err(StoreError::InvalidInput(format!(
                "the archive holds {count} sources and keeps at most {MAX_SOURCES}; remove some to add {n} more"
            )));
        }
        Ok(())
    }

    /// The archive's file (`None` for one in memory).
    pub fn path(&self) -> Option<PathBuf> {
        self.conn.path().filter(|p| !p.is_empty()).map(PathBuf::from)
    }

    /// SQLite's own check of the file (`PRAGMA integrity_check`): `"ok"`, or what is wrong.
    pub fn integrity_check(&self) -> Result<String> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?.join("; "))
    }

    /// Opens an archive migrated only to its first `n` schema versions, as an older
    /// Broadsheet left it. For upgrade tests.
    #[doc(hidden)]
    pub fn open_at_schema(path: &Path, n: usize) -> Result<rusqlite::Connection> {
        let mut conn = Connection::open(path).map_err(|e| StoreError::Open { path: path.to_owned(), source: e })?;
        migrate::apply_first(&mut conn, n)?;
        Ok(conn)
    }

    /// Names of the migrations applied to this archive, oldest first.
    pub fn applied_migrations(&self) -> Result<Vec<String>> {
        migrate::applied(&self.conn)
    }

    /// Registers a source (or updates the one at the same location) and returns its id.
    /// A new location the archive's own backup would refuse (over 4 KiB, control characters)
    /// is refused here: it is the source's identity, so it is not cut. (A source stored before
    /// that rule keeps working.)
    pub fn upsert_source(&self, source: &NewSource<'_>) -> Result<SourceId> {
        let before: Option<Option<String>> = {
            use rusqlite::OptionalExtension;
            self.conn
                .query_row("SELECT site_url FROM sources WHERE location = ?1", [source.location], |r| r.get(0))
                .optional()?
        };
        if before.is_none() {
            backup::check_location(source.location).map_err(StoreError::InvalidInput)?;
        }
        let (name, site_url, lang) = fit::fit_source(source.name, source.site_url, source.lang);
        // `write_source` begins with its write (see `atomically`).
        self.atomically(|| self.write_source(source, name, site_url, lang, before))
    }

    /// [`Store::upsert_source`]'s writes: the row, and the site's former address when it moved.
    fn write_source(
        &self,
        source: &NewSource<'_>,
        name: &str,
        site_url: Option<&str>,
        lang: Option<&str>,
        before: Option<Option<String>>,
    ) -> Result<SourceId> {
        self.conn.execute(
            "INSERT INTO sources (kind, location, name, site_url, lang, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (location) DO UPDATE SET kind = excluded.kind, name = excluded.name,
               site_url = excluded.site_url, lang = excluded.lang",
            rusqlite::params![source.kind, source.location, name, site_url, lang, now()],
        )?;
        let id = self.conn.query_row("SELECT id FROM sources WHERE location = ?1", [source.location], |r| r.get(0))?;
        // A site that moved (its `_config.yml` names a new `url`): links to where it was stay
        // the site's.
        if let (Some(old), Some(new)) = (&before, site_url) {
            if old.as_deref() != Some(new) {
                self.site_moved(id, old.as_deref(), new)?;
            }
        }
        Ok(id)
    }

    /// Every source, by name.
    pub fn sources(&self) -> Result<Vec<broadsheet_model::SourceInfo>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT s.id, s.kind, s.location, s.name, s.site_url,
                        (SELECT count(*) FROM articles a WHERE a.source_id = s.id), s.removed_at IS NOT NULL,
                        {}
                 FROM sources s ORDER BY s.name, s.id",
            sync_state::HEALTH_COLUMNS
        ))?;
        let rows = stmt.query_map([], |r| {
            Ok(broadsheet_model::SourceInfo {
                id: r.get(0)?,
                kind: r.get(1)?,
                location: r.get(2)?,
                name: r.get(3)?,
                site_url: r.get(4)?,
                aliases: Vec::new(),
                articles: r.get::<_, i64>(5)?.max(0) as u64,
                removed: r.get(6)?,
                health: sync_state::health_from_row(r, 7)?,
            })
        })?;
        let mut sources: Vec<broadsheet_model::SourceInfo> = rows.collect::<Result<_, _>>()?;
        let mut aliases = self.all_site_aliases()?;
        for s in &mut sources {
            s.aliases = aliases.remove(&s.id).unwrap_or_default();
        }
        Ok(sources)
    }

    /// Category slugs the posts of a source carry, sorted.
    pub fn source_categories(&self, source: SourceId) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare(
            "SELECT DISTINCT c.slug FROM categories c JOIN article_categories ac ON ac.category_id = c.id
             JOIN articles a ON a.id = ac.article_id WHERE a.source_id = ?1 ORDER BY c.slug",
        )?;
        let rows = stmt.query_map([source], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Site URL of the source an article came from, if the source has one.
    pub fn site_url_of(&self, article: broadsheet_model::ArticleId) -> Result<Option<String>> {
        Ok(self.source_and_site_of(article)?.and_then(|(_, site)| site))
    }

    /// An article's source and that source's site URL (if known).
    pub fn source_and_site_of(
        &self,
        article: broadsheet_model::ArticleId,
    ) -> Result<Option<(SourceId, Option<String>)>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row(
                "SELECT s.id, s.site_url FROM articles a JOIN sources s ON s.id = a.source_id WHERE a.id = ?1",
                [article],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }
}

/// A source as an importer describes it.
#[derive(Debug, Clone, Copy)]
pub struct NewSource<'a> {
    /// `jekyll-folder`, `jekyll-git`, `feed` or `sample`.
    pub kind: &'a str,
    /// Path or URL the source is read from; unique in the archive.
    pub location: &'a str,
    pub name: &'a str,
    pub site_url: Option<&'a str>,
    pub lang: Option<&'a str>,
}

pub(crate) fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
