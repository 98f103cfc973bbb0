//! What the sync engine records per source and per image. Written only by sync.

use broadsheet_model::SourceHealth;
use rusqlite::params;

use crate::{now, Result, SourceId, Store, StoreError};

/// A source as the sync planner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncSource {
    pub id: SourceId,
    pub kind: String,
    pub location: String,
    pub name: String,
    pub site_url: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub cursor: Option<String>,
    pub health: SourceHealth,
    /// Added by the reader (not from an OPML file or a backup): its host may be private.
    pub user_added: bool,
}

/// How an attempt ended, to record on the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub at: i64,
    /// `Ok` with the status text, or the error text.
    pub result: std::result::Result<String, String>,
    pub next_attempt: i64,
    pub failures: i64,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub cursor: Option<String>,
    pub new: i64,
    pub updated: i64,
}

/// An image that still has to be downloaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingImage {
    pub url: String,
    pub attempts: i64,
    /// The (lowest-numbered) source whose posts show it: its budget share pays for it.
    pub source: SourceId,
}

/// The health columns of `sources s`, in the order [`health_from_row`] reads them.
pub(crate) const HEALTH_COLUMNS: &str = "s.last_attempt, s.last_success, s.last_status, s.last_error, s.next_attempt,
     s.failures, s.interval_min, s.last_new, s.last_updated";

/// Reads [`HEALTH_COLUMNS`] starting at column `at`.
pub(crate) fn health_from_row(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<SourceHealth> {
    Ok(SourceHealth {
        last_attempt: r.get(at)?,
        last_success: r.get(at + 1)?,
        last_status: r.get(at + 2)?,
        last_error: r.get(at + 3)?,
        next_attempt: r.get(at + 4)?,
        failures: r.get(at + 5)?,
        interval_min: r.get(at + 6)?,
        last_new: r.get(at + 7)?,
        last_updated: r.get(at + 8)?,
    })
}

impl Store {
    /// Active (not removed) sources with their sync state, by id. Read at every scheduler
    /// tick (each minute), so it reads only the sources table.
    pub fn sync_sources(&self) -> Result<Vec<SyncSource>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT s.id, s.kind, s.location, s.name, s.site_url, s.etag, s.last_modified, s.cursor,
                        s.user_added, {HEALTH_COLUMNS}
                 FROM sources s WHERE s.removed_at IS NULL ORDER BY s.id"
        ))?;
        let rows = stmt.query_map([], |r| {
            Ok(SyncSource {
                id: r.get(0)?,
                kind: r.get(1)?,
                location: r.get(2)?,
                name: r.get(3)?,
                site_url: r.get(4)?,
                etag: r.get(5)?,
                last_modified: r.get(6)?,
                cursor: r.get(7)?,
                user_added: r.get(8)?,
                health: health_from_row(r, 9)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn sync_source(&self, id: SourceId) -> Result<SyncSource> {
        self.sync_sources()?
            .into_iter()
            .find(|s| s.id == id)
            .ok_or_else(|| StoreError::NotFound(format!("source {id}")))
    }

    /// Records an attempt. Validators and cursor are only replaced when given.
    /// Status and error are kept to `MAX_MESSAGE_CHARS` (they quote what a server sent, and
    /// every sidebar reload sends them to the window).
    pub fn record_attempt(&self, id: SourceId, a: &Attempt) -> Result<()> {
        let (status, error, success) = match &a.result {
            Ok(status) => (Some(broadsheet_model::shown(status)), None, Some(a.at)),
            Err(e) => (None, Some(broadsheet_model::shown(e)), None),
        };
        self.conn.execute(
            "UPDATE sources SET last_attempt = ?2, last_status = coalesce(?3, last_status), last_error = ?4,
               last_success = coalesce(?5, last_success), next_attempt = ?6, failures = ?7,
               etag = coalesce(?8, etag), last_modified = coalesce(?9, last_modified), cursor = coalesce(?10, cursor),
               last_new = ?11, last_updated = ?12, attempt_started_at = NULL
             WHERE id = ?1",
            params![
                id,
                a.at,
                status,
                error,
                success,
                a.next_attempt,
                a.failures,
                a.etag,
                a.last_modified,
                a.cursor,
                a.new,
                a.updated
            ],
        )?;
        Ok(())
    }

    /// What the last folder import saw of each file: path → (post key, fingerprint).
    pub fn folder_stamps(&self, source: SourceId) -> Result<std::collections::HashMap<String, (String, i64)>> {
        let mut stmt = self.conn.prepare("SELECT path, key, stamp FROM folder_files WHERE source_id = ?1")?;
        let rows = stmt.query_map([source], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records (path, key, fingerprint) for files just imported.
    pub fn set_folder_stamps(&mut self, source: SourceId, files: &[(String, String, i64)]) -> Result<()> {
        if files.is_empty() {
            return Ok(());
        }
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        {
            let mut stmt = tx.prepare(
                "INSERT INTO folder_files (source_id, path, key, stamp) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (source_id, path) DO UPDATE SET key = excluded.key, stamp = excluded.stamp",
            )?;
            for (path, key, stamp) in files {
                stmt.execute(params![source, path, key, stamp])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Forgets files a re-scan no longer found.
    pub fn forget_folder_stamps(&mut self, source: SourceId, paths: &[String]) -> Result<()> {
        if paths.is_empty() {
            return Ok(());
        }
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        {
            let mut stmt = tx.prepare("DELETE FROM folder_files WHERE source_id = ?1 AND path = ?2")?;
            for path in paths {
                stmt.execute(params![source, path])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Records whether the reader added a source themselves (see [`SyncSource::user_added`]).
    pub fn set_source_user_added(&self, id: SourceId, user_added: bool) -> Result<()> {
        self.conn.execute("UPDATE sources SET user_added = ?2 WHERE id = ?1", params![id, user_added])?;
        Ok(())
    }

    /// Marks a source's attempt as begun, before any of its work: if the process dies during
    /// it, the mark is still there at the next run ([`Store::unfinished_attempts`]).
    pub fn begin_attempt(&self, id: SourceId, at: i64) -> Result<()> {
        self.conn.execute("UPDATE sources SET attempt_started_at = ?2 WHERE id = ?1", params![id, at])?;
        Ok(())
    }

    /// Clears the mark of an attempt that ended without an outcome to record (cancelled).
    pub fn end_attempt(&self, id: SourceId) -> Result<()> {
        self.conn.execute("UPDATE sources SET attempt_started_at = NULL WHERE id = ?1", params![id])?;
        Ok(())
    }

    /// Sources whose last attempt began and never ended: the process died during it.
    pub fn unfinished_attempts(&self) -> Result<Vec<(SourceId, i64)>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, attempt_started_at FROM sources WHERE attempt_started_at IS NOT NULL AND removed_at IS NULL",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Sets how often a source is synced (at least every 5 minutes, at most once a year).
    pub fn set_sync_interval(&self, id: SourceId, minutes: i64) -> Result<()> {
        let n = self.conn.execute(
            "UPDATE sources SET interval_min = ?2 WHERE id = ?1",
            params![id, minutes.clamp(MIN_INTERVAL_MIN, MAX_INTERVAL_MIN)],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("source {id}")));
        }
        Ok(())
    }

    /// Images not yet downloaded whose retry time has come, oldest first.
    pub fn pending_images(&self, source: Option<SourceId>, limit: usize) -> Result<Vec<PendingImage>> {
        // Taken in turns, one per source: one source's thousands of pictures (or a stranger's
        // feed of 2,000 fresh URLs on a silent host, sorting first) cannot starve the others.
        let mut stmt = self.conn.prepare(
            "SELECT url, attempts, source_id FROM (
               SELECT url, attempts, source_id,
                      row_number() OVER (PARTITION BY source_id ORDER BY attempts, url) AS turn
               FROM (SELECT i.url, i.attempts, min(a.source_id) AS source_id
                     FROM images i JOIN article_images ai ON ai.url = i.url JOIN articles a ON a.id = ai.article_id
                     WHERE i.sha256 IS NULL AND coalesce(i.next_attempt, 0) <= ?1 AND (?2 IS NULL OR a.source_id = ?2)
                     GROUP BY i.url))
             ORDER BY turn, attempts, url LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![now(), source, limit as i64], |r| {
            Ok(PendingImage { url: r.get(0)?, attempts: r.get(1)?, source: r.get(2)? })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records a failed image download; it is retried after `retry_at`.
    pub fn image_failed(&self, url: &str, error: &str, retry_at: i64) -> Result<()> {
        self.conn.execute(
            "UPDATE images SET attempts = attempts + 1, last_error = ?2, next_attempt = ?3 WHERE url = ?1",
            params![url, error, retry_at],
        )?;
        Ok(())
    }

    /// Bytes of cached images per source whose posts show them (an image two sources share
    /// counts for both).
    pub fn image_bytes_by_source(&self) -> Result<std::collections::HashMap<SourceId, u64>> {
        let mut stmt = self.conn.prepare(
            "SELECT x.source_id, sum(i.bytes) FROM images i
             JOIN (SELECT DISTINCT ai.url, a.source_id FROM article_images ai JOIN articles a ON a.id = ai.article_id) x
               ON x.url = i.url
             WHERE i.sha256 IS NOT NULL GROUP BY x.source_id",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, SourceId>(0)?, r.get::<_, i64>(1)?.max(0) as u64)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Total bytes of cached images.
    pub fn image_bytes(&self) -> Result<u64> {
        let n: i64 =
            self.conn
                .query_row("SELECT coalesce(sum(bytes), 0) FROM images WHERE sha256 IS NOT NULL", [], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }

    /// Marks specific posts of a source as removed upstream (they stay in the archive).
    pub fn mark_keys_removed(&mut self, id: SourceId, keys: &[String]) -> Result<usize> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut n = 0;
        for k in keys {
            n += tx.execute(
                "UPDATE articles SET removed_upstream = 1 WHERE source_id = ?1 AND key = ?2 AND removed_upstream = 0",
                params![id, k],
            )?;
        }
        tx.commit()?;
        Ok(n)
    }
}

/// The shortest interval a source is synced at, in minutes.
pub const MIN_INTERVAL_MIN: i64 = 5;
/// The longest (a year): anything longer is a mistake, and a backup must accept what is kept.
pub const MAX_INTERVAL_MIN: i64 = 60 * 24 * 365;
