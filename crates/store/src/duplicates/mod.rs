//! Near-duplicate stories: which posts are the same story (see `sketch.rs` for how two texts
//! are compared). Posts are looked at after they arrive, in batches (`broadsheet_import::
//! find_duplicates`): the sketches are made off the writer, and each batch's grouping is one
//! short write. Cost stays near-linear: a post is compared only with the posts sharing one of
//! its band keys, at most [`BUCKET_CAP`] per key.

pub mod sketch;

use std::collections::BTreeSet;

use broadsheet_model::ArticleId;
use rusqlite::{params, OptionalExtension};

use crate::{Result, Store};
pub use sketch::Sketch;

/// Posts read from one band key at most: a key shared by thousands (boilerplate) says little,
/// and must not make one post cost thousands of comparisons.
pub const BUCKET_CAP: usize = 48;

/// A post still to be looked at.
pub struct Pending {
    pub id: ArticleId,
    stored: String,
    html: String,
}

impl Pending {
    /// Its plain text (derived from the HTML when the archive keeps no copy).
    pub fn text(self) -> String {
        crate::derived::text(&self.html, self.stored)
    }
}

/// What one grouping write did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GroupStep {
    /// Posts looked at.
    pub looked_at: usize,
    /// Of them, found to be a copy of another post.
    pub copies: usize,
}

/// `SELECT article_id` of the posts under each of the [`sketch::BANDS`] band keys (`?1`…),
/// at most [`BUCKET_CAP`] per key, the newest first (copies of a story arrive close together,
/// so in a crowded bucket the posts that matter are the recent ones).
fn bucket_sql() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| {
        (1..=sketch::BANDS)
            .map(|i| format!("SELECT * FROM (SELECT article_id FROM sketch_bands WHERE band = ?{i} ORDER BY article_id DESC LIMIT {BUCKET_CAP})"))
            .collect::<Vec<_>>()
            .join(" UNION ALL ")
    })
}

impl Store {
    /// Up to `limit` posts not looked at yet, after id `after`: their text as stored and
    /// their HTML ([`Pending::text`] derives the plain text, on the caller's threads).
    pub fn sketch_pending(&self, after: ArticleId, limit: usize) -> Result<Vec<Pending>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.id, a.text, a.html FROM articles a
             WHERE a.id > ?1 AND NOT EXISTS (SELECT 1 FROM article_sketches s WHERE s.article_id = a.id)
             ORDER BY a.id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![after, limit as i64], |r| {
            Ok(Pending { id: r.get(0)?, stored: r.get(1)?, html: crate::body::or_empty(r.get_ref(2)?) })
        })?;
        rows.collect::<rusqlite::Result<_>>().map_err(Into::into)
    }

    /// Records the sketches of posts just looked at (`None`: too short to judge) and puts each
    /// into the group of the stories it is a copy of, merging groups it joins.
    pub fn add_sketches(&mut self, sketches: &[(ArticleId, Option<Sketch>)]) -> Result<GroupStep> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut step = GroupStep::default();
        for (id, sketch) in sketches {
            // The post may have gone (retention) or changed since it was read.
            let exists: bool = tx
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM articles WHERE id = ?1)")?
                .query_row([id], |r| r.get(0))?;
            if !exists {
                continue;
            }
            step.looked_at += 1;
            tx.prepare_cached("INSERT OR REPLACE INTO article_sketches (article_id, sketch) VALUES (?1, ?2)")?
                .execute(params![id, sketch.as_ref().map(Sketch::to_bytes)])?;
            let Some(sketch) = sketch else { continue };
            let bands = sketch.bands();
            // The posts sharing a band key, at most BUCKET_CAP per key, in one statement.
            let mut candidates = BTreeSet::new();
            {
                let mut stmt = tx.prepare_cached(bucket_sql())?;
                let ids = stmt.query_map(rusqlite::params_from_iter(bands), |r| r.get::<_, ArticleId>(0))?;
                for c in ids {
                    let c = c?;
                    if c != *id {
                        candidates.insert(c);
                    }
                }
            }
            // Every candidate's sketch in one query (one per candidate was most of the cost).
            let ids_json = serde_json::to_string(&candidates.iter().collect::<Vec<_>>()).unwrap_or_default();
            let mut found: Vec<(ArticleId, Option<Vec<u8>>)> = tx
                .prepare_cached(
                    "SELECT article_id, sketch FROM article_sketches WHERE article_id IN (SELECT value FROM json_each(?1))",
                )?
                .query_map([&ids_json], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            found.sort_by_key(|(c, _)| *c);
            // Band rows left by posts that changed or went are dropped as met.
            let gone: Vec<ArticleId> =
                candidates.iter().copied().filter(|c| found.binary_search_by_key(c, |(f, _)| *f).is_err()).collect();
            if !gone.is_empty() {
                tx.prepare_cached(
                    "DELETE FROM sketch_bands WHERE article_id IN (SELECT value FROM json_each(?1))
                     AND band IN (SELECT value FROM json_each(?2))",
                )?
                .execute(params![
                    serde_json::to_string(&gone).unwrap_or_default(),
                    serde_json::to_string(&bands.to_vec()).unwrap_or_default()
                ])?;
            }
            let mut groups = BTreeSet::new();
            let mut ungrouped = Vec::new();
            for (c, theirs) in found {
                let Some(theirs) = theirs.as_deref().and_then(Sketch::from_bytes) else { continue };
                if sketch.similarity(&theirs) < sketch::SAME_STORY {
                    continue;
                }
                let group: Option<ArticleId> = tx
                    .prepare_cached("SELECT group_id FROM article_groups WHERE article_id = ?1")?
                    .query_row([c], |r| r.get(0))
                    .optional()?;
                match group {
                    Some(g) => {
                        groups.insert(g);
                    }
                    None => ungrouped.push(c),
                }
            }
            for band in bands {
                tx.prepare_cached("INSERT OR IGNORE INTO sketch_bands (band, article_id) VALUES (?1, ?2)")?
                    .execute(params![band, id])?;
            }
            if groups.is_empty() && ungrouped.is_empty() {
                continue;
            }
            step.copies += 1;
            // The group keeps the smallest name among those it merges (or the smallest post
            // id, for a new one), so merging in any order names it the same.
            let name = groups.iter().copied().chain(ungrouped.iter().copied()).chain([*id]).min().unwrap_or(*id);
            for g in groups.iter().filter(|g| **g != name) {
                tx.prepare_cached("UPDATE article_groups SET group_id = ?1 WHERE group_id = ?2")?
                    .execute(params![name, g])?;
            }
            for member in ungrouped.iter().chain([id]) {
                tx.prepare_cached("INSERT OR REPLACE INTO article_groups (article_id, group_id) VALUES (?1, ?2)")?
                    .execute(params![member, name])?;
            }
        }
        tx.commit()?;
        Ok(step)
    }

    /// The other posts of `id`'s story (its copies), oldest first.
    pub fn duplicates_of(&self, id: ArticleId) -> Result<Vec<ArticleId>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT g2.article_id FROM article_groups g1 JOIN article_groups g2 ON g2.group_id = g1.group_id
             WHERE g1.article_id = ?1 AND g2.article_id <> ?1 ORDER BY g2.article_id",
        )?;
        let ids = stmt.query_map([id], |r| r.get(0))?;
        ids.collect::<rusqlite::Result<_>>().map_err(Into::into)
    }

    /// The list rows of `ids` (in the order given; ids not in the archive are left out).
    pub fn summaries_of(&self, ids: &[ArticleId]) -> Result<Vec<broadsheet_model::ArticleSummary>> {
        let json = serde_json::to_string(ids).unwrap_or_default();
        let sql = format!(
            "SELECT {} FROM articles a JOIN sources s ON s.id = a.source_id
             WHERE a.id IN (SELECT value FROM json_each(?1))",
            crate::rows::SUMMARY_COLUMNS
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows: Vec<_> =
            stmt.query_map([json], crate::rows::summary_from_row)?.collect::<rusqlite::Result<_>>()?;
        rows.sort_by_key(|r: &broadsheet_model::ArticleSummary| ids.iter().position(|i| *i == r.id));
        self.fill_labels_of(&mut rows)?;
        Ok(rows)
    }

    /// Every group of copies (ids ascending within a group; groups by their first id), for
    /// checks and the CLI.
    pub fn duplicate_groups(&self) -> Result<Vec<Vec<ArticleId>>> {
        let mut stmt =
            self.conn.prepare("SELECT group_id, article_id FROM article_groups ORDER BY group_id, article_id")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, ArticleId>(1)?)))?;
        let mut groups: Vec<(i64, Vec<ArticleId>)> = Vec::new();
        for row in rows {
            let (g, a) = row?;
            match groups.last_mut() {
                Some((last, members)) if *last == g => members.push(a),
                _ => groups.push((g, vec![a])),
            }
        }
        let mut out: Vec<Vec<ArticleId>> = groups.into_iter().map(|(_, m)| m).filter(|m| m.len() > 1).collect();
        out.sort();
        Ok(out)
    }
}
