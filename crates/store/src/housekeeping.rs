//! Removing things: sources, old unmarked posts. Marked posts (bookmarked or user-tagged) are
//! never removed here: the schema forbids it (`ON DELETE RESTRICT`) and the queries skip them.

use rusqlite::{params, Transaction};

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

impl Store {
    /// Stops a source. With `keep_articles` its posts stay; without, only the marked ones do.
    pub fn remove_source(&mut self, source: SourceId, keep_articles: bool) -> Result<SourceRemoval> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let exists: bool =
            tx.query_row("SELECT EXISTS (SELECT 1 FROM sources WHERE id = ?1)", [source], |r| r.get(0))?;
        if !exists {
            return Err(StoreError::NotFound(format!("source {source}")));
        }
        let deleted = if keep_articles {
            0
        } else {
            delete_articles(&tx, &format!("a.source_id = {source} AND NOT {MARKED}"))?.0
        };
        let kept: u64 = tx
            .query_row("SELECT count(*) FROM articles WHERE source_id = ?1", [source], |r| r.get::<_, i64>(0))?
            as u64;
        if kept == 0 {
            tx.execute("DELETE FROM sources WHERE id = ?1", [source])?;
        } else {
            tx.execute("UPDATE sources SET removed_at = ?2 WHERE id = ?1", params![source, now()])?;
        }
        tx.commit()?;
        Ok(SourceRemoval { deleted_articles: deleted, kept_articles: kept })
    }

    /// What [`Store::apply_retention`] would remove for posts published more than `days` ago.
    pub fn retention_preview(&self, days: u32) -> Result<RetentionPlan> {
        let cutoff = now() - i64::from(days) * 86_400;
        let cond = format!("a.published_at < {cutoff} AND NOT {MARKED}");
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
        let cutoff = now() - i64::from(days) * 86_400;
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let (articles, orphan_shas, images, bytes) =
            delete_articles(&tx, &format!("a.published_at < {cutoff} AND NOT {MARKED}"))?;
        tx.commit()?;
        self.remove_blobs(&orphan_shas);
        Ok(RetentionPlan { articles, images, image_bytes: bytes })
    }
}

/// Deletes the articles matching `cond` (on alias `a`) with their index rows and the image rows
/// no other article uses. Returns (articles, blob hashes no longer referenced, images, bytes).
fn delete_articles(tx: &Transaction<'_>, cond: &str) -> Result<(u64, Vec<String>, u64, u64)> {
    tx.execute_batch(&format!(
        "CREATE TEMP TABLE IF NOT EXISTS doomed (id INTEGER PRIMARY KEY); DELETE FROM doomed;
         INSERT INTO doomed SELECT a.id FROM articles a WHERE {cond};"
    ))?;
    let n: i64 = tx.query_row("SELECT count(*) FROM doomed", [], |r| r.get(0))?;
    tx.execute(
        "DELETE FROM article_fts WHERE rowid IN (SELECT a.search_rowid FROM articles a JOIN doomed d ON d.id = a.id)",
        [],
    )?;
    // Images used only by doomed articles.
    tx.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS doomed_images (url TEXT PRIMARY KEY, sha256 TEXT, bytes INTEGER); DELETE FROM doomed_images;
         INSERT INTO doomed_images SELECT i.url, i.sha256, i.bytes FROM images i
           WHERE i.url IN (SELECT url FROM article_images WHERE article_id IN (SELECT id FROM doomed))
             AND i.url NOT IN (SELECT url FROM article_images WHERE article_id NOT IN (SELECT id FROM doomed));",
    )?;
    let (images, bytes): (i64, i64) = tx.query_row(
        "SELECT count(sha256), coalesce(sum(bytes), 0) FROM doomed_images WHERE sha256 IS NOT NULL",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    tx.execute("DELETE FROM articles WHERE id IN (SELECT id FROM doomed)", [])?;
    tx.execute("DELETE FROM images WHERE url IN (SELECT url FROM doomed_images)", [])?;
    let mut stmt = tx.prepare(
        "SELECT DISTINCT sha256 FROM doomed_images WHERE sha256 IS NOT NULL AND sha256 NOT IN (SELECT sha256 FROM images WHERE sha256 IS NOT NULL)",
    )?;
    let shas = stmt.query_map([], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?;
    drop(stmt);
    tx.execute_batch("DELETE FROM doomed; DELETE FROM doomed_images;")?;
    Ok((n as u64, shas, images as u64, bytes as u64))
}
