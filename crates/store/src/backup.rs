//! The full backup: sources, posts and the reader's state, as one JSON document that
//! restores into an empty archive with identical state. Image bytes are not included (they
//! are re-downloaded); image URLs are.

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::{now, Result, Store, StoreError};

pub const BACKUP_FORMAT: &str = "broadsheet-backup";
pub const BACKUP_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Backup {
    pub format: String,
    pub version: u32,
    pub exported_at: i64,
    pub sources: Vec<BackupSource>,
    pub articles: Vec<BackupArticle>,
    /// Every user tag, including ones on no post.
    pub user_tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupSource {
    pub kind: String,
    pub location: String,
    pub name: String,
    pub site_url: Option<String>,
    pub lang: Option<String>,
    pub created_at: i64,
    pub removed_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupCategory {
    pub slug: String,
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupArticle {
    /// `location` of its source.
    pub source: String,
    pub key: String,
    pub title: String,
    pub published_at: i64,
    pub utc_offset_min: i32,
    pub url: Option<String>,
    pub lang: Option<String>,
    pub html: String,
    pub text: String,
    pub excerpt: String,
    pub extra: serde_json::Value,
    pub content_hash: String,
    pub removed_upstream: bool,
    pub imported_at: i64,
    pub updated_at: i64,
    pub categories: Vec<BackupCategory>,
    pub tags: Vec<String>,
    pub images: Vec<String>,
    pub bookmarked_at: Option<i64>,
    pub read_at: Option<i64>,
    pub user_tags: Vec<String>,
}

impl Store {
    /// Everything in the archive, as a backup. Articles are in (source, key) order.
    pub fn backup(&self) -> Result<Backup> {
        let mut stmt = self.conn.prepare(
            "SELECT kind, location, name, site_url, lang, created_at, removed_at FROM sources ORDER BY location",
        )?;
        let sources = stmt
            .query_map([], |r| {
                Ok(BackupSource {
                    kind: r.get(0)?,
                    location: r.get(1)?,
                    name: r.get(2)?,
                    site_url: r.get(3)?,
                    lang: r.get(4)?,
                    created_at: r.get(5)?,
                    removed_at: r.get(6)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut stmt = self.conn.prepare(
            "SELECT a.id, s.location, a.key, a.title, a.published_at, a.utc_offset_min, a.url, a.lang, a.html, a.text,
                    a.excerpt, a.extra_json, a.content_hash, a.removed_upstream, a.imported_at, a.updated_at,
                    (SELECT created_at FROM bookmarks b WHERE b.article_id = a.id),
                    (SELECT read_at FROM read_state r WHERE r.article_id = a.id)
             FROM articles a JOIN sources s ON s.id = a.source_id ORDER BY s.location, a.key",
        )?;
        let rows = stmt
            .query_map([], |r| {
                let extra: String = r.get(11)?;
                Ok((
                    r.get::<_, i64>(0)?,
                    BackupArticle {
                        source: r.get(1)?,
                        key: r.get(2)?,
                        title: r.get(3)?,
                        published_at: r.get(4)?,
                        utc_offset_min: r.get(5)?,
                        url: r.get(6)?,
                        lang: r.get(7)?,
                        html: r.get(8)?,
                        text: r.get(9)?,
                        excerpt: r.get(10)?,
                        extra: serde_json::from_str(&extra).unwrap_or(serde_json::Value::Object(Default::default())),
                        content_hash: r.get(12)?,
                        removed_upstream: r.get(13)?,
                        imported_at: r.get(14)?,
                        updated_at: r.get(15)?,
                        categories: Vec::new(),
                        tags: Vec::new(),
                        images: Vec::new(),
                        bookmarked_at: r.get(16)?,
                        read_at: r.get(17)?,
                        user_tags: Vec::new(),
                    },
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut cats = self.conn.prepare(
            "SELECT c.slug, c.name FROM article_categories ac JOIN categories c ON c.id = ac.category_id
             WHERE ac.article_id = ?1 ORDER BY ac.position",
        )?;
        let mut tags = self.conn.prepare(
            "SELECT t.name FROM article_site_tags at JOIN site_tags t ON t.id = at.tag_id WHERE at.article_id = ?1 ORDER BY at.position",
        )?;
        let mut images = self.conn.prepare("SELECT url FROM article_images WHERE article_id = ?1 ORDER BY url")?;
        let mut user = self.conn.prepare(
            "SELECT u.name FROM article_user_tags aut JOIN user_tags u ON u.id = aut.user_tag_id WHERE aut.article_id = ?1 ORDER BY u.name",
        )?;
        let mut articles = Vec::with_capacity(rows.len());
        for (id, mut a) in rows {
            a.categories = cats
                .query_map([id], |r| Ok(BackupCategory { slug: r.get(0)?, name: r.get(1)? }))?
                .collect::<Result<_, _>>()?;
            a.tags = tags.query_map([id], |r| r.get(0))?.collect::<Result<_, _>>()?;
            a.images = images.query_map([id], |r| r.get(0))?.collect::<Result<_, _>>()?;
            a.user_tags = user.query_map([id], |r| r.get(0))?.collect::<Result<_, _>>()?;
            articles.push(a);
        }
        let mut stmt = self.conn.prepare("SELECT name FROM user_tags ORDER BY name")?;
        let user_tags = stmt.query_map([], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?;
        Ok(Backup {
            format: BACKUP_FORMAT.into(),
            version: BACKUP_VERSION,
            exported_at: now(),
            sources,
            articles,
            user_tags,
        })
    }

    /// Restores a backup into this archive, which must hold no articles (restoring over
    /// existing content would have to decide whose state wins; it refuses instead).
    pub fn restore(&mut self, backup: &Backup) -> Result<usize> {
        if backup.format != BACKUP_FORMAT || backup.version > BACKUP_VERSION {
            return Err(StoreError::InvalidInput(format!(
                "not a Broadsheet backup this version can read (format {:?}, version {})",
                backup.format, backup.version
            )));
        }
        if self.article_count()? > 0 {
            return Err(StoreError::InvalidInput(
                "the archive is not empty; restore a backup into a new archive".into(),
            ));
        }
        let tx = self.conn.transaction()?;
        for s in &backup.sources {
            tx.execute(
                "INSERT INTO sources (kind, location, name, site_url, lang, created_at, removed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (location) DO UPDATE SET kind = excluded.kind, name = excluded.name, site_url = excluded.site_url,
                   lang = excluded.lang, created_at = excluded.created_at, removed_at = excluded.removed_at",
                params![s.kind, s.location, s.name, s.site_url, s.lang, s.created_at, s.removed_at],
            )?;
        }
        for name in &backup.user_tags {
            tx.execute("INSERT OR IGNORE INTO user_tags (name) VALUES (?1)", [name])?;
        }
        for a in &backup.articles {
            let source: i64 = tx
                .query_row("SELECT id FROM sources WHERE location = ?1", [&a.source], |r| r.get(0))
                .optional()?
                .ok_or_else(|| {
                    StoreError::InvalidInput(format!("article {:?} names an unknown source {:?}", a.key, a.source))
                })?;
            tx.execute(
                "INSERT INTO articles (source_id, key, title, published_at, utc_offset_min, url, lang, html, text, excerpt,
                   extra_json, content_hash, removed_upstream, imported_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                params![source, a.key, a.title, a.published_at, a.utc_offset_min, a.url, a.lang, a.html, a.text, a.excerpt,
                    a.extra.to_string(), a.content_hash, a.removed_upstream, a.imported_at, a.updated_at],
            )?;
            let id = tx.last_insert_rowid();
            for (pos, c) in a.categories.iter().enumerate() {
                tx.execute(
                    "INSERT INTO categories (slug, name) VALUES (?1, ?2) ON CONFLICT (slug) DO UPDATE SET name = coalesce(categories.name, excluded.name)",
                    params![c.slug, c.name],
                )?;
                tx.execute(
                    "INSERT INTO article_categories (article_id, category_id, position) SELECT ?1, id, ?2 FROM categories WHERE slug = ?3",
                    params![id, pos as i64, c.slug],
                )?;
            }
            for (pos, t) in a.tags.iter().enumerate() {
                tx.execute("INSERT OR IGNORE INTO site_tags (name) VALUES (?1)", [t])?;
                tx.execute(
                    "INSERT INTO article_site_tags (article_id, tag_id, position) SELECT ?1, id, ?2 FROM site_tags WHERE name = ?3",
                    params![id, pos as i64, t],
                )?;
            }
            for url in &a.images {
                tx.execute("INSERT OR IGNORE INTO images (url) VALUES (?1)", [url])?;
                tx.execute("INSERT INTO article_images (article_id, url) VALUES (?1, ?2)", params![id, url])?;
            }
            if let Some(at) = a.bookmarked_at {
                tx.execute("INSERT INTO bookmarks (article_id, created_at) VALUES (?1, ?2)", params![id, at])?;
            }
            if let Some(at) = a.read_at {
                tx.execute("INSERT INTO read_state (article_id, read_at) VALUES (?1, ?2)", params![id, at])?;
            }
            for t in &a.user_tags {
                tx.execute("INSERT OR IGNORE INTO user_tags (name) VALUES (?1)", [t])?;
                tx.execute(
                    "INSERT INTO article_user_tags (article_id, user_tag_id) SELECT ?1, id FROM user_tags WHERE name = ?2",
                    params![id, t],
                )?;
            }
            crate::search::index_article(&tx, id, &a.title, &a.text)?;
        }
        tx.commit()?;
        Ok(backup.articles.len())
    }
}
