//! The local archive: one SQLite file plus a content-addressed image folder beside it.
//!
//! Invariant: this crate is the only code that speaks SQL. Everything above it calls typed
//! methods on [`Store`]; user state (bookmarks, read state, user tags) is only written by
//! the methods meant for it, never by imports.

mod articles;
mod error;
mod images;
mod migrate;
mod time_fmt;

use std::path::{Path, PathBuf};

use rusqlite::Connection;

pub use articles::{NewArticle, UpsertOutcome};
pub use error::StoreError;
pub use images::ImageBlob;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Row id of a source.
pub type SourceId = i64;

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
        let mut conn = Connection::open(path).map_err(|e| StoreError::Open {
            path: path.to_owned(),
            source: e,
        })?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        migrate::apply(&mut conn)?;
        let images_dir = path.with_file_name("images");
        Ok(Store { conn, images_dir })
    }

    /// Names of the migrations applied to this archive, oldest first.
    pub fn applied_migrations(&self) -> Result<Vec<String>> {
        migrate::applied(&self.conn)
    }

    /// Registers a source (or finds it by location) and returns its id.
    pub fn upsert_source(&self, kind: &str, location: &str, name: &str, lang: Option<&str>) -> Result<SourceId> {
        let now = now();
        self.conn.execute(
            "INSERT INTO sources (kind, location, name, lang, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (location) DO UPDATE SET name = excluded.name, lang = excluded.lang",
            rusqlite::params![kind, location, name, lang, now],
        )?;
        Ok(self.conn.query_row("SELECT id FROM sources WHERE location = ?1", [location], |r| r.get(0))?)
    }
}

pub(crate) fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
