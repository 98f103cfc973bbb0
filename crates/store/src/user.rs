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
        let exists: bool = self.conn.query_row("SELECT EXISTS (SELECT 1 FROM articles WHERE id = ?1)", [id], |r| r.get(0))?;
        if exists {
            Ok(())
        } else {
            Err(StoreError::NotFound(format!("article {id}")))
        }
    }

    pub fn set_bookmark(&self, id: ArticleId, on: bool) -> Result<StateChange> {
        self.require_article(id)?;
        let n = if on {
            self.conn.execute("INSERT OR IGNORE INTO bookmarks (article_id, created_at) VALUES (?1, ?2)", params![id, now()])?
        } else {
            self.conn.execute("DELETE FROM bookmarks WHERE article_id = ?1", [id])?
        };
        Ok(n.into())
    }

    pub fn set_read(&self, id: ArticleId, read: bool) -> Result<StateChange> {
        self.require_article(id)?;
        let n = if read {
            self.conn.execute("INSERT OR IGNORE INTO read_state (article_id, read_at) VALUES (?1, ?2)", params![id, now()])?
        } else {
            self.conn.execute("DELETE FROM read_state WHERE article_id = ?1", [id])?
        };
        Ok(n.into())
    }

    /// Adds user tags to an article, creating tags that do not exist yet. Tag names are
    /// trimmed; case-insensitive duplicates reuse the existing tag.
    pub fn tag_article(&mut self, id: ArticleId, tags: &[&str]) -> Result<StateChange> {
        self.require_article(id)?;
        let tx = self.conn.transaction()?;
        let mut changed = 0;
        for tag in tags.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
            tx.execute("INSERT OR IGNORE INTO user_tags (name) VALUES (?1)", [tag])?;
            changed += tx.execute(
                "INSERT OR IGNORE INTO article_user_tags (article_id, user_tag_id)
                 SELECT ?1, id FROM user_tags WHERE name = ?2",
                params![id, tag],
            )?;
        }
        tx.commit()?;
        Ok(changed.into())
    }

    pub fn untag_article(&mut self, id: ArticleId, tags: &[&str]) -> Result<StateChange> {
        self.require_article(id)?;
        let tx = self.conn.transaction()?;
        let mut changed = 0;
        for tag in tags.iter().map(|t| t.trim()) {
            changed += tx.execute(
                "DELETE FROM article_user_tags WHERE article_id = ?1
                 AND user_tag_id = (SELECT id FROM user_tags WHERE name = ?2)",
                params![id, tag],
            )?;
        }
        tx.commit()?;
        Ok(changed.into())
    }

    /// User tags with their post counts (tags on no post included, with 0).
    pub fn user_tags(&self) -> Result<Vec<TagCount>> {
        let mut stmt = self.conn.prepare(
            "SELECT u.name, count(aut.article_id) FROM user_tags u
             LEFT JOIN article_user_tags aut ON aut.user_tag_id = u.id GROUP BY u.id ORDER BY u.name",
        )?;
        let rows = stmt.query_map([], |r| Ok(TagCount { name: r.get(0)?, count: r.get::<_, i64>(1)?.max(0) as u64 }))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
