//! Removing things: sources, old unmarked posts. Marked posts (bookmarked or user-tagged) are
//! never removed here: the schema forbids it (`ON DELETE RESTRICT`) and the queries skip them.

use rusqlite::params;

use crate::{now, Result, SourceId, Store, StoreError};

/// Condition on `articles a`: the reader has marked it, so it is kept whatever happens.
const MARKED: &str =
    "(a.id IN (SELECT article_id FROM bookmarks) OR a.id IN (SELECT article_id FROM article_user_tags))";

/// What a retention run removes (or would remove).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetentionPlan {
    pub articles: u64,
    /// Cached images only those articles use.
    pub images: u64,
    pub image_bytes: u64,
}

/// What removing a source did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SourceRemoval {
    pub deleted_articles: u64,
    /// Articles kept: all of them with `keep_articles`, else the marked ones.
    pub kept_articles: u64,
}

/// Articles deleted per transaction. A removal of a 100k-post source or a retention run is
/// many small writes, so the writer (and the window's marks waiting for it) is never held
/// for more than one of them.
const DELETE_BATCH: usize = 256;

/// A removal in progress: which posts go, and what has gone so far. Run it with
/// [`Store::removal_step`] until it says it is done, releasing the writer between steps;
/// [`Store::remove_source`] and [`Store::apply_retention`] do all of it at once.
#[derive(Debug)]
pub struct Removal {
    cond: String,
    /// The (date, id) of the last post a step looked at: each step walks on from there, newest
    /// first, so posts kept because they are marked are passed over once, not at every step
    /// (a million bookmarked posts made each step re-read them all).
    after: Option<(i64, i64)>,
    /// The walk reached the oldest post once and started again from the newest, for posts
    /// written meanwhile (a sync of the source still running when its removal began).
    again: bool,
    /// Once the posts are gone: the categories and site tags no post carries any more are
    /// swept too, 20,000 labels per step (a removed source may leave millions: the sidebar's
    /// pages would walk them at every reload). (table, last id looked at).
    labels: Option<(usize, i64)>,
    source: Option<SourceId>,
    deleted: u64,
    orphans: (u64, u64),
    done: bool,
}

impl Removal {
    fn new(cond: String, source: Option<SourceId>, done: bool) -> Removal {
        Removal { cond, after: None, again: false, labels: None, source, deleted: 0, orphans: (0, 0), done }
    }

    pub fn deleted(&self) -> u64 {
        self.deleted
    }
    pub fn is_done(&self) -> bool {
        self.done
    }
}

impl Store {
    /// Stops a source. With `keep_articles` its posts stay; without, only the marked ones do.
    pub fn remove_source(&mut self, source: SourceId, keep_articles: bool) -> Result<SourceRemoval> {
        let mut job = self.begin_source_removal(source, keep_articles)?;
        while self.removal_step(&mut job)? {}
        self.finish_source_removal(job)
    }

    /// Marks the source removed (it is synced no more, at once) and plans the deletion of its
    /// unmarked posts (none with `keep_articles`).
    pub fn begin_source_removal(&mut self, source: SourceId, keep_articles: bool) -> Result<Removal> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let exists: bool =
            tx.query_row("SELECT EXISTS (SELECT 1 FROM sources WHERE id = ?1)", [source], |r| r.get(0))?;
        if !exists {
            return Err(StoreError::NotFound(format!("source {source}")));
        }
        tx.execute("UPDATE sources SET removed_at = coalesce(removed_at, ?2) WHERE id = ?1", params![source, now()])?;
        tx.commit()?;
        let cond = format!("a.source_id = {source} AND NOT {MARKED}");
        Ok(Removal::new(cond, Some(source), keep_articles))
    }

    /// Deletes the source row once none of its posts is left, and says what the removal did.
    pub fn finish_source_removal(&mut self, job: Removal) -> Result<SourceRemoval> {
        let source = job.source.ok_or_else(|| StoreError::InvalidInput("not a source removal".into()))?;
        let deleted = job.deleted;
        self.finish_removal(job)?;
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let kept: u64 = tx
            .query_row("SELECT count(*) FROM articles WHERE source_id = ?1", [source], |r| r.get::<_, i64>(0))?
            as u64;
        if kept == 0 {
            tx.execute("DELETE FROM sources WHERE id = ?1", [source])?;
        }
        tx.commit()?;
        Ok(SourceRemoval { deleted_articles: deleted, kept_articles: kept })
    }

    /// The sources to remove before a restore, when the archive holds nothing of the
    /// reader's: only the embedded sample, with no bookmark or tag on it (`None` otherwise:
    /// a restore then goes into a new archive).
    pub fn only_the_sample(&self) -> Result<Option<Vec<SourceId>>> {
        let theirs: i64 = self.conn.query_row(
            "SELECT (SELECT count(*) FROM sources WHERE kind <> 'sample') + (SELECT count(*) FROM bookmarks)
                  + (SELECT count(*) FROM article_user_tags)",
            [],
            |r| r.get(0),
        )?;
        if theirs > 0 {
            return Ok(None);
        }
        let ids = self
            .conn
            .prepare("SELECT id FROM sources")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Some(ids))
    }

    /// What [`Store::apply_retention`] would remove for posts published more than `days` ago.
    pub fn retention_preview(&self, days: u32) -> Result<RetentionPlan> {
        let cond = retention_cond(days);
        let articles: i64 =
            self.conn.query_row(&format!("SELECT count(*) FROM articles a WHERE {cond}"), [], |r| r.get(0))?;
        let (images, bytes): (i64, i64) = self.conn.query_row(
            &format!(
                "SELECT count(*), coalesce(sum(i.bytes), 0) FROM images i WHERE i.sha256 IS NOT NULL
                 AND i.url IN (SELECT ai.url FROM article_images ai JOIN articles a ON a.id = ai.article_id WHERE {cond})
                 AND i.url NOT IN (SELECT ai.url FROM article_images ai JOIN articles a ON a.id = ai.article_id WHERE NOT ({cond}))"
            ),
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(RetentionPlan { articles: articles as u64, images: images as u64, image_bytes: bytes as u64 })
    }

    /// Removes unmarked posts published more than `days` ago, and cached images nothing else uses.
    pub fn apply_retention(&mut self, days: u32) -> Result<RetentionPlan> {
        let mut job = self.begin_retention(days);
        while self.removal_step(&mut job)? {}
        self.finish_removal(job)
    }

    /// Plans the removal of unmarked posts published more than `days` ago.
    pub fn begin_retention(&self, days: u32) -> Removal {
        Removal::new(retention_cond(days), None, false)
    }

    /// Deletes the next few posts of `job` (with their index rows) in one transaction;
    /// `false` once none is left.
    pub fn removal_step(&mut self, job: &mut Removal) -> Result<bool> {
        if job.done {
            return Ok(false);
        }
        // Past the posts (the sweep has begun): straight on with it, without walking the
        // marked posts that are kept once more at every step.
        if job.labels.is_some() {
            if self.sweep_labels_step(&mut job.labels)? {
                return Ok(true);
            }
            job.done = true;
            return Ok(false);
        }
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let (date, id) = job.after.unwrap_or((i64::MAX, i64::MAX));
        let found: Vec<(i64, i64)> = tx
            .prepare(&format!(
                "SELECT a.published_at, a.id FROM articles a WHERE {} AND (a.published_at, a.id) < (?1, ?2)
                 ORDER BY a.published_at DESC, a.id DESC LIMIT {DELETE_BATCH}",
                job.cond
            ))?
            .query_map([date, id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let Some(&last) = found.last() else {
            if job.after.is_some() && !job.again {
                // Once more from the newest: only posts written since are left to find.
                (job.after, job.again) = (None, true);
                return Ok(true);
            }
            drop(tx);
            if job.deleted > 0 {
                job.labels = Some((0, i64::MIN));
                return Ok(true);
            }
            job.done = true;
            return Ok(false);
        };
        let ids: Vec<i64> = found.into_iter().map(|(_, id)| id).collect();
        let ids_json = serde_json::to_string(&ids).map_err(|e| StoreError::InvalidInput(e.to_string()))?;
        let urls: Vec<String> = tx
            .prepare("SELECT DISTINCT url FROM article_images WHERE article_id IN (SELECT value FROM json_each(?1))")?
            .query_map([&ids_json], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        tx.execute(
            "DELETE FROM article_fts WHERE rowid IN
               (SELECT search_rowid FROM articles WHERE id IN (SELECT value FROM json_each(?1)) AND search_rowid IS NOT NULL)",
            [&ids_json],
        )?;
        tx.execute("DELETE FROM search_pending WHERE article_id IN (SELECT value FROM json_each(?1))", [&ids_json])?;
        let n = tx.execute("DELETE FROM articles WHERE id IN (SELECT value FROM json_each(?1))", [&ids_json])?;
        // The images only these posts used go in the same transaction (an indexed look-up
        // per image), so a kill between steps leaves no image row nothing will collect.
        let urls_json = serde_json::to_string(&urls).map_err(|e| StoreError::InvalidInput(e.to_string()))?;
        let gone: Vec<(Option<String>, Option<i64>)> = tx
            .prepare(
                "DELETE FROM images WHERE url IN (SELECT value FROM json_each(?1))
                   AND NOT EXISTS (SELECT 1 FROM article_images ai WHERE ai.url = images.url)
                 RETURNING sha256, bytes",
            )?
            .query_map([&urls_json], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut shas = Vec::new();
        for (sha, bytes) in gone {
            let Some(sha) = sha else { continue };
            job.orphans.0 += 1;
            job.orphans.1 += bytes.unwrap_or(0).max(0) as u64;
            let still_used: bool =
                tx.query_row("SELECT EXISTS (SELECT 1 FROM images WHERE sha256 = ?1)", [&sha], |r| r.get(0))?;
            if !still_used {
                shas.push(sha);
            }
        }
        tx.commit()?;
        // Only once the step's deletions are in: a step that failed is walked again.
        job.after = Some(last);
        // Files after the rows: a kill between leaves a file no row names (harmless), never a
        // row whose file is gone.
        self.remove_blobs(&shas);
        job.deleted += n as u64;
        Ok(true)
    }

    /// Deletes the categories or site tags no post carries among the next labels of the sweep
    /// (by rows, in id order); `false` once both tables are done.
    fn sweep_labels_step(&mut self, at: &mut Option<(usize, i64)>) -> Result<bool> {
        const TABLES: [(&str, &str, &str); 2] =
            [("categories", "article_categories", "category_id"), ("site_tags", "article_site_tags", "tag_id")];
        const LABELS_PER_STEP: i64 = 20_000;
        let (table, after) = at.unwrap_or((0, i64::MIN));
        let Some((labels, links, column)) = TABLES.get(table) else { return Ok(false) };
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let last: Option<i64> = tx.query_row(
            &format!("SELECT max(id) FROM (SELECT id FROM {labels} WHERE id > ?1 ORDER BY id LIMIT ?2)"),
            [after, LABELS_PER_STEP],
            |r| r.get(0),
        )?;
        let Some(last) = last else {
            *at = Some((table + 1, i64::MIN));
            return Ok(table + 1 < TABLES.len());
        };
        tx.execute(
            &format!(
                "DELETE FROM {labels} WHERE id > ?1 AND id <= ?2
                   AND NOT EXISTS (SELECT 1 FROM {links} l WHERE l.{column} = {labels}.id)"
            ),
            [after, last],
        )?;
        tx.commit()?;
        *at = Some((table, last));
        Ok(true)
    }

    /// Ends a removal (runs what steps are left) and says what it removed.
    pub fn finish_removal(&mut self, mut job: Removal) -> Result<RetentionPlan> {
        while self.removal_step(&mut job)? {}
        Ok(RetentionPlan { articles: job.deleted, images: job.orphans.0, image_bytes: job.orphans.1 })
    }
}

fn retention_cond(days: u32) -> String {
    let cutoff = now() - i64::from(days) * 86_400;
    // A saved page was kept on purpose, like a bookmark: retention is for what sources send.
    format!("a.published_at < {cutoff} AND NOT {MARKED} AND a.source_id NOT IN (SELECT id FROM sources WHERE kind = 'saved')")
}
