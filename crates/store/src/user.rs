//! The reader's own state: bookmarks, read state, user tags. Never written by imports.

use broadsheet_model::{ArticleId, TagCount};
use rusqlite::params;

use crate::{now, Result, Store, StoreError};

/// Whether a call changed anything (so callers can report "already bookmarked").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateChange {
    Changed,
    Unchanged,
}

impl From<usize> for StateChange {
    fn from(rows: usize) -> Self {
        if rows > 0 {
            StateChange::Changed
        } else {
            StateChange::Unchanged
        }
    }
}

impl Store {
    fn require_article(&self, id: ArticleId) -> Result<()> {
        let exists: bool =
            self.conn.query_row("SELECT EXISTS (SELECT 1 FROM articles WHERE id = ?1)", [id], |r| r.get(0))?;
        if exists {
            Ok(())
        } else {
            Err(StoreError::NotFound(format!("article {id}")))
        }
    }

    pub fn set_bookmark(&self, id: ArticleId, on: bool) -> Result<StateChange> {
        self.require_article(id)?;
        let n = if on {
            self.conn.execute(
                "INSERT OR IGNORE INTO bookmarks (article_id, created_at) VALUES (?1, ?2)",
                params![id, now()],
            )?
        } else {
            self.conn.execute("DELETE FROM bookmarks WHERE article_id = ?1", [id])?
        };
        Ok(n.into())
    }

    pub fn set_read(&self, id: ArticleId, read: bool) -> Result<StateChange> {
        self.require_article(id)?;
        let n = if read {
            self.conn
                .execute("INSERT OR IGNORE INTO read_state (article_id, read_at) VALUES (?1, ?2)", params![id, now()])?
        } else {
            self.conn.execute("DELETE FROM read_state WHERE article_id = ?1", [id])?
        };
        Ok(n.into())
    }

    /// Marks a post read or unread with every copy of its story (`duplicates`), in one
    /// transaction; returns the ids marked (the post first).
    pub fn set_read_with_copies(&mut self, id: ArticleId, read: bool) -> Result<Vec<ArticleId>> {
        self.require_article(id)?;
        let mut ids = vec![id];
        ids.extend(self.duplicates_of(id)?);
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for a in &ids {
            if read {
                tx.prepare_cached("INSERT OR IGNORE INTO read_state (article_id, read_at) VALUES (?1, ?2)")?
                    .execute(params![a, now()])?;
            } else {
                tx.prepare_cached("DELETE FROM read_state WHERE article_id = ?1")?.execute([a])?;
            }
        }
        tx.commit()?;
        Ok(ids)
    }

    /// Adds user tags to an article, creating tags that do not exist yet. Tag names are
    /// trimmed; case-insensitive duplicates reuse the existing tag.
    pub fn tag_article(&mut self, id: ArticleId, tags: &[&str]) -> Result<StateChange> {
        self.require_article(id)?;
        within_user_tag_bound(tags.len())?;
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let changed = add_tags(&tx, id, tags)?;
        within_user_tag_bound(tags_of(&tx, id)?.len())?;
        tx.commit()?;
        Ok(changed.into())
    }

    pub fn untag_article(&mut self, id: ArticleId, tags: &[&str]) -> Result<StateChange> {
        self.require_article(id)?;
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let changed = remove_tags(&tx, id, tags)?;
        tx.commit()?;
        Ok(changed.into())
    }

    /// Renames a user tag. Renaming onto an existing tag merges the two.
    pub fn rename_user_tag(&mut self, from: &str, to: &str) -> Result<()> {
        let to = to.trim();
        if to.is_empty() {
            return Err(StoreError::InvalidInput("a tag name can't be empty".into()));
        }
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let from_id: i64 = tx
            .query_row("SELECT id FROM user_tags WHERE name = ?1", [from], |r| r.get(0))
            .map_err(|_| StoreError::NotFound(format!("user tag {from:?}")))?;
        let target: Option<i64> = tx
            .query_row("SELECT id FROM user_tags WHERE name = ?1 AND id <> ?2", params![to, from_id], |r| r.get(0))
            .ok();
        match target {
            Some(into) => {
                tx.execute(
                    "INSERT OR IGNORE INTO article_user_tags (article_id, user_tag_id)
                     SELECT article_id, ?2 FROM article_user_tags WHERE user_tag_id = ?1",
                    params![from_id, into],
                )?;
                tx.execute("DELETE FROM user_tags WHERE id = ?1", [from_id])?;
            }
            None => {
                tx.execute("UPDATE user_tags SET name = ?2 WHERE id = ?1", params![from_id, to])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Merges tag `from` into `into` (every post tagged `from` gets `into`; `from` goes).
    pub fn merge_user_tags(&mut self, from: &str, into: &str) -> Result<()> {
        let exists: bool =
            self.conn.query_row("SELECT EXISTS (SELECT 1 FROM user_tags WHERE name = ?1)", [into], |r| r.get(0))?;
        if !exists {
            return Err(StoreError::NotFound(format!("user tag {into:?}")));
        }
        self.rename_user_tag(from, into)
    }

    /// Deletes a user tag from every post (the posts stay).
    pub fn delete_user_tag(&self, name: &str) -> Result<StateChange> {
        Ok(self.conn.execute("DELETE FROM user_tags WHERE name = ?1", [name])?.into())
    }

    /// Marks every article matching `filters` read; returns how many changed.
    pub fn mark_all_read(&self, filters: &broadsheet_model::Filters) -> Result<usize> {
        let (mut changed, mut after, upto) = (0, ArticleId(0), self.newest_article_id()?);
        while let Some((n, last)) = self.mark_read_step(filters, after, upto)? {
            changed += n;
            after = last;
        }
        Ok(changed)
    }

    /// The highest article id now: a "mark all read" marks the posts there were when the reader
    /// asked, not those a sync adds while it runs.
    pub fn newest_article_id(&self) -> Result<ArticleId> {
        Ok(self.conn.query_row("SELECT coalesce(max(id), 0) FROM articles", [], |r| r.get(0))?)
    }

    /// Marks the next few articles of `filters` (ids above `after`, up to `upto`) read, in one transaction:
    /// `(changed, last id)`, or `None` once there are no more. The app takes the writer for one
    /// step at a time, so marking 100k posts read never holds a bookmark up.
    pub fn mark_read_step(
        &self,
        filters: &broadsheet_model::Filters,
        after: ArticleId,
        upto: ArticleId,
    ) -> Result<Option<(usize, ArticleId)>> {
        let mut sql = String::from("SELECT a.id FROM articles a WHERE a.id > ? AND a.id <= ?");
        let mut args: Vec<rusqlite::types::Value> = vec![after.into(), upto.into()];
        crate::rows::push_filters(&mut sql, &mut args, filters);
        sql.push_str(&format!(" ORDER BY a.id LIMIT {MARK_BATCH}"));
        let ids: Vec<ArticleId> = self
            .conn
            .prepare(&sql)?
            .query_map(rusqlite::params_from_iter(args), |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let Some(&last) = ids.last() else { return Ok(None) };
        let json = serde_json::to_string(&ids).map_err(|e| StoreError::InvalidInput(e.to_string()))?;
        let changed = self.conn.execute(
            "INSERT OR IGNORE INTO read_state (article_id, read_at) SELECT value, ?2 FROM json_each(?1)",
            params![json, now()],
        )?;
        Ok(Some((changed, last)))
    }

    /// Makes an article's user tags exactly `tags`; returns them as stored (sorted). One
    /// transaction: a kill in the middle of swapping tag A for B never leaves neither.
    pub fn set_user_tags(&mut self, id: ArticleId, tags: &[String]) -> Result<Vec<String>> {
        self.require_article(id)?;
        within_user_tag_bound(tags.len())?;
        let wanted: Vec<&str> = tags.iter().map(|t| t.trim()).filter(|t| !t.is_empty()).collect();
        if let Some(long) = wanted.iter().find(|t| t.chars().count() > MAX_TAG_CHARS) {
            return Err(StoreError::InvalidInput(format!(
                "a tag name is at most {MAX_TAG_CHARS} characters: {long:.40}…"
            )));
        }
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let current = tags_of(&tx, id)?;
        let gone: Vec<&str> =
            current.iter().map(String::as_str).filter(|c| !wanted.iter().any(|w| w.eq_ignore_ascii_case(c))).collect();
        remove_tags(&tx, id, &gone)?;
        add_tags(&tx, id, &wanted)?;
        let now = tags_of(&tx, id)?;
        tx.commit()?;
        Ok(now)
    }

    /// The most bytes the image cache may hold, as the reader set it (`None`: not set, the
    /// sync's default applies).
    pub fn image_budget(&self) -> Result<Option<u64>> {
        Ok(self.setting(IMAGE_BUDGET_SETTING)?.and_then(|v| v.parse().ok()))
    }

    /// Sets the image cache's limit (at most [`MAX_IMAGE_BUDGET`]). Images already cached
    /// stay; past the limit, no more are fetched.
    pub fn set_image_budget(&self, bytes: u64) -> Result<()> {
        if bytes > MAX_IMAGE_BUDGET {
            return Err(StoreError::InvalidInput(format!(
                "an image cache of at most {} GiB",
                MAX_IMAGE_BUDGET / (1024 * 1024 * 1024)
            )));
        }
        self.set_setting(IMAGE_BUDGET_SETTING, &bytes.to_string())
    }

    /// A setting's stored value.
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        Ok(self.conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// A page of user tags for the sidebar, like [`Store::category_page`] (tags on no post
    /// included, with 0): a restored backup may hold 100,000 of them.
    pub fn user_tag_page(&self, q: &broadsheet_model::LabelQuery) -> Result<broadsheet_model::LabelPage<TagCount>> {
        let limit = i64::from(q.limit.min(broadsheet_model::LabelQuery::MAX_LIMIT));
        let pattern = crate::rows::like_pattern(&q.filter);
        let matches = "(?1 = '%' OR u.name LIKE ?1 ESCAPE '\\')";
        let order = if q.by_count { "n DESC, u.name" } else { "u.name" };
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT u.name, (SELECT count(*) FROM article_user_tags aut WHERE aut.user_tag_id = u.id) AS n
             FROM user_tags u WHERE {matches} ORDER BY {order} LIMIT ?2"
        ))?;
        let items = stmt
            .query_map(params![pattern, limit], |r| {
                Ok(TagCount { name: r.get(0)?, count: r.get::<_, i64>(1)?.max(0) as u64 })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let total: i64 = self
            .conn
            .prepare_cached(&format!("SELECT count(*) FROM (SELECT 1 FROM user_tags u WHERE {matches} LIMIT ?2)"))?
            .query_row(params![pattern, broadsheet_model::LabelQuery::COUNT_CAP as i64], |r| r.get(0))?;
        Ok(broadsheet_model::LabelPage { items, total: total.max(0) as u64 })
    }

    /// User tags with their post counts (tags on no post included, with 0).
    pub fn user_tags(&self) -> Result<Vec<TagCount>> {
        let mut stmt = self.conn.prepare(
            "SELECT u.name, count(aut.article_id) FROM user_tags u
             LEFT JOIN article_user_tags aut ON aut.user_tag_id = u.id GROUP BY u.id ORDER BY u.name",
        )?;
        let rows =
            stmt.query_map([], |r| Ok(TagCount { name: r.get(0)?, count: r.get::<_, i64>(1)?.max(0) as u64 }))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Where the reader's image cache limit is kept (`settings`).
pub(crate) const IMAGE_BUDGET_SETTING: &str = "image_budget_bytes";
/// The largest image cache limit the reader may set: 1 TiB.
pub const MAX_IMAGE_BUDGET: u64 = 1024 * 1024 * 1024 * 1024;

/// Articles marked read per write.
const MARK_BATCH: usize = 2000;

/// The longest user tag name accepted.
pub const MAX_TAG_CHARS: usize = 200;

fn tags_of(tx: &rusqlite::Transaction<'_>, id: ArticleId) -> Result<Vec<String>> {
    let mut stmt = tx.prepare_cached(
        "SELECT u.name FROM article_user_tags aut JOIN user_tags u ON u.id = aut.user_tag_id
         WHERE aut.article_id = ?1 ORDER BY u.name",
    )?;
    let names = stmt.query_map([id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(names)
}

/// An article's user tags, at most as many as a backup may carry for it
/// ([`crate::backup::MAX_ARTICLE_USER_TAGS`]): more could not be restored, and a million in
/// one call held the writer for the whole comparison of old against new.
fn within_user_tag_bound(n: usize) -> Result<()> {
    let max = crate::backup::MAX_ARTICLE_USER_TAGS;
    if n > max {
        return Err(StoreError::InvalidInput(format!("a post has at most {max} tags of yours ({n} given)")));
    }
    Ok(())
}

pub(crate) fn add_tags(tx: &rusqlite::Transaction<'_>, id: ArticleId, tags: &[&str]) -> Result<usize> {
    let mut changed = 0;
    for tag in tags.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        tx.execute("INSERT OR IGNORE INTO user_tags (name) VALUES (?1)", [tag])?;
        changed += tx.execute(
            "INSERT OR IGNORE INTO article_user_tags (article_id, user_tag_id)
             SELECT ?1, id FROM user_tags WHERE name = ?2",
            params![id, tag],
        )?;
    }
    Ok(changed)
}

pub(crate) fn remove_tags(tx: &rusqlite::Transaction<'_>, id: ArticleId, tags: &[&str]) -> Result<usize> {
    let mut changed = 0;
    for tag in tags.iter().map(|t| t.trim()) {
        changed += tx.execute(
            "DELETE FROM article_user_tags WHERE article_id = ?1
             AND user_tag_id = (SELECT id FROM user_tags WHERE name = ?2)",
            params![id, tag],
        )?;
    }
    Ok(changed)
}
