//! The full backup: sources, posts and the reader's state, as one JSON document that
//! restores into an empty archive with identical state. Image bytes are not included (they
//! are re-downloaded); image URLs are. Each source's interval and its site addresses (with
//! how each was learned) travel, and so do the settings that are the reader's (the
//! window's, the image budget). What does not, on purpose: a source's sync state (validators,
//! cursors, attempts, health — the restored archive starts them afresh, so its first sync
//! fetches each source once in full), folder stamps (files are re-read), duplicate sketches
//! (recomputed after the restore), and this device's identity and change log.

use std::collections::{BTreeMap, HashSet};

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::{now, Result, SourceId, Store, StoreError};

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
    /// The reader's settings that travel ([`TRAVELLING_SETTINGS`]; absent in older backups).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub settings: BTreeMap<String, String>,
}

/// The settings a backup carries: the window's own (language, theme, type, …) and the image
/// budget. Others (this device's, the sync's bookkeeping) stay where they are.
pub const TRAVELLING_SETTINGS: &[&str] = &["ui", crate::user::IMAGE_BUDGET_SETTING];
/// The window's settings are a small JSON object; more than this is not what it wrote.
const MAX_SETTING_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupSource {
    pub kind: String,
    pub location: String,
    pub name: String,
    pub site_url: Option<String>,
    /// The site's other addresses (absent in backups before they were kept).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// How each of `aliases` was learned (`former`, `site`, `user`), in their order; absent
    /// in older backups, where every one counts as the reader's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alias_origins: Vec<String>,
    /// How often the source is synced, in minutes (absent in older backups: the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_min: Option<i64>,
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

impl BackupArticle {
    /// The article as an import gives it, for the write import and restore share.
    pub fn row(&self) -> crate::NewArticle {
        crate::NewArticle {
            key: self.key.clone(),
            title: self.title.clone(),
            published_at: self.published_at,
            utc_offset_min: self.utc_offset_min,
            url: self.url.clone(),
            lang: self.lang.clone(),
            html: self.html.clone(),
            text: self.text.clone(),
            // Compared with the HTML's by the writer (`derived.rs`): a backup's text may differ.
            text_derived: false,
            excerpt: self.excerpt.clone(),
            extra_json: self.extra.to_string(),
            categories: self.categories.iter().map(|c| (c.slug.clone(), c.name.clone())).collect(),
            tags: self.tags.clone(),
            images: self.images.clone(),
            prepared: None,
        }
    }
}

/// What a backup holds besides its articles (see [`Store::backup_stream`]).
#[derive(Debug, Clone)]
pub struct BackupHead {
    pub sources: Vec<BackupSource>,
    pub user_tags: Vec<String>,
    pub settings: BTreeMap<String, String>,
}

impl Store {
    /// Everything in the archive, as a backup. Articles are in (source, key) order.
    pub fn backup(&self) -> Result<Backup> {
        let mut articles = Vec::new();
        let head = self.backup_stream(|a| {
            articles.push(a);
            Ok::<(), StoreError>(())
        })?;
        Ok(Backup {
            format: BACKUP_FORMAT.into(),
            version: BACKUP_VERSION,
            exported_at: now(),
            sources: head.sources,
            articles,
            user_tags: head.user_tags,
            settings: head.settings,
        })
    }

    /// The archive as a backup, one article at a time: `visit` gets each in (source, key)
    /// order, and the sources and user tags (small beside the posts) come back at the end.
    /// An export of 100,000 posts held them all in memory before writing the first byte.
    pub fn backup_stream<E: From<StoreError>>(
        &self,
        mut visit: impl FnMut(BackupArticle) -> std::result::Result<(), E>,
    ) -> std::result::Result<BackupHead, E> {
        // One read transaction: every statement below sees the same snapshot, so a sync
        // writing meanwhile cannot leave a post whose source the backup does not hold (which
        // the restore would rightly refuse). Readers never block the writer in WAL mode.
        let snapshot = self.conn.unchecked_transaction().map_err(StoreError::from)?;
        let head = self.backup_in_snapshot(&mut visit)?;
        snapshot.finish().map_err(StoreError::from)?;
        Ok(head)
    }

    fn backup_in_snapshot<E: From<StoreError>>(
        &self,
        visit: &mut impl FnMut(BackupArticle) -> std::result::Result<(), E>,
    ) -> std::result::Result<BackupHead, E> {
        let sql = |e: rusqlite::Error| E::from(StoreError::from(e));
        let mut stmt = self
            .conn
            .prepare(
                "SELECT kind, location, name, site_url, lang, created_at, removed_at, id, interval_min FROM sources
                 ORDER BY location",
            )
            .map_err(sql)?;
        let sources = stmt
            .query_map([], |r| {
                Ok((
                    BackupSource {
                        kind: r.get(0)?,
                        location: r.get(1)?,
                        name: r.get(2)?,
                        site_url: r.get(3)?,
                        aliases: Vec::new(),
                        alias_origins: Vec::new(),
                        interval_min: r.get(8)?,
                        lang: r.get(4)?,
                        created_at: r.get(5)?,
                        removed_at: r.get(6)?,
                    },
                    r.get::<_, SourceId>(7)?,
                ))
            })
            .map_err(sql)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(sql)?;
        let sources = sources
            .into_iter()
            .map(|(mut s, id)| {
                (s.aliases, s.alias_origins) = self.site_aliases_with_origins(id)?.into_iter().unzip();
                Ok(s)
            })
            .collect::<Result<Vec<_>>>()
            .map_err(E::from)?;
        let mut cats = self
            .conn
            .prepare(
                "SELECT c.slug, c.name FROM article_categories ac JOIN categories c ON c.id = ac.category_id
                 WHERE ac.article_id = ?1 ORDER BY ac.position",
            )
            .map_err(sql)?;
        let mut tags = self
            .conn
            .prepare(
                "SELECT t.name FROM article_site_tags at JOIN site_tags t ON t.id = at.tag_id
                 WHERE at.article_id = ?1 ORDER BY at.position",
            )
            .map_err(sql)?;
        let mut images =
            self.conn.prepare("SELECT url FROM article_images WHERE article_id = ?1 ORDER BY url").map_err(sql)?;
        let mut user = self
            .conn
            .prepare(
                "SELECT u.name FROM article_user_tags aut JOIN user_tags u ON u.id = aut.user_tag_id
                 WHERE aut.article_id = ?1 ORDER BY u.name",
            )
            .map_err(sql)?;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT a.id, s.location, a.key, a.title, a.published_at, a.utc_offset_min, a.url, a.lang, a.html, a.text,
                    a.excerpt, a.extra_json, a.content_hash, a.removed_upstream, a.imported_at, a.updated_at,
                    (SELECT created_at FROM bookmarks b WHERE b.article_id = a.id),
                    (SELECT read_at FROM read_state r WHERE r.article_id = a.id)
                 FROM articles a JOIN sources s ON s.id = a.source_id ORDER BY s.location, a.key",
            )
            .map_err(sql)?;
        let mut rows = stmt.query([]).map_err(sql)?;
        while let Some(r) = rows.next().map_err(sql)? {
            let row = || -> rusqlite::Result<(i64, BackupArticle)> {
                let extra: String = r.get(11)?;
                let html = crate::body::or_empty(r.get_ref(8)?);
                let text = crate::derived::text(&html, r.get(9)?);
                let excerpt = crate::derived::excerpt_of_html(r.get(10)?, &html);
                Ok((
                    r.get(0)?,
                    BackupArticle {
                        source: r.get(1)?,
                        key: r.get(2)?,
                        title: r.get(3)?,
                        published_at: r.get(4)?,
                        utc_offset_min: shown_offset(r.get(5)?),
                        url: r.get(6)?,
                        lang: r.get(7)?,
                        html,
                        text,
                        excerpt,
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
            };
            let (id, mut a) = row().map_err(sql)?;
            let mut labels = || -> rusqlite::Result<()> {
                a.categories = cats
                    .query_map([id], |r| Ok(BackupCategory { slug: r.get(0)?, name: r.get(1)? }))?
                    .collect::<rusqlite::Result<_>>()?;
                a.tags = tags.query_map([id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
                a.images = images.query_map([id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
                a.user_tags = user.query_map([id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
                Ok(())
            };
            labels().map_err(sql)?;
            visit(a)?;
        }
        let mut stmt = self.conn.prepare("SELECT name FROM user_tags ORDER BY name").map_err(sql)?;
        let user_tags =
            stmt.query_map([], |r| r.get(0)).map_err(sql)?.collect::<rusqlite::Result<Vec<String>>>().map_err(sql)?;
        let mut settings = BTreeMap::new();
        for key in TRAVELLING_SETTINGS {
            let value: Option<String> = self
                .conn
                .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0))
                .optional()
                .map_err(sql)?;
            if let Some(v) = value {
                settings.insert(key.to_string(), v);
            }
        }
        Ok(BackupHead { sources, user_tags, settings })
    }

    /// Restores a backup into this archive, which must hold no articles (restoring over
    /// existing content would have to decide whose state wins; it refuses instead).
    ///
    /// The backup is [validated](Backup::validate) before anything is written, and everything
    /// is written in one transaction, so a refused backup leaves the archive as it was. The
    /// HTML is stored as given: callers restoring a file sanitise it first (as
    /// `broadsheet_transfer::import_backup` does), since this crate has no HTML policy.
    pub fn restore(&mut self, backup: &Backup) -> Result<usize> {
        backup.validate()?;
        if self.article_count()? > 0 {
            return Err(StoreError::InvalidInput(
                "the archive is not empty; restore a backup into a new archive".into(),
            ));
        }
        // Many small statements, like an import batch.
        self.journals_in_memory(|store| store.restore_rows(backup))
    }

    fn restore_rows(&mut self, backup: &Backup) -> Result<usize> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for s in &backup.sources {
            tx.execute(
                // A backup is a file from elsewhere: its sources are not "added by the reader"
                // (their hosts must be public), unless this archive already had them.
                "INSERT INTO sources (kind, location, name, site_url, lang, created_at, removed_at, user_added)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0)
                 ON CONFLICT (location) DO UPDATE SET kind = excluded.kind, name = excluded.name, site_url = excluded.site_url,
                   lang = excluded.lang, created_at = excluded.created_at, removed_at = excluded.removed_at,
                   -- The reader's trust was in what they added: a backup that makes their feed
                   -- a git repository (libgit2 connects without the fetcher's checks) has not earned it.
                   user_added = CASE WHEN sources.kind = excluded.kind THEN sources.user_added ELSE 0 END",
                params![s.kind, s.location, s.name, s.site_url, s.lang, s.created_at, s.removed_at],
            )?;
            if let Some(minutes) = s.interval_min {
                tx.execute("UPDATE sources SET interval_min = ?2 WHERE location = ?1", params![s.location, minutes])?;
            }
            for (i, alias) in s.aliases.iter().enumerate() {
                // How it was learned, as the backup says (validated); the reader's if it does not.
                let origin = s.alias_origins.get(i).map_or("user", String::as_str);
                tx.execute(
                    "INSERT OR IGNORE INTO source_aliases (source_id, url, origin)
                     SELECT id, ?2, ?3 FROM sources WHERE location = ?1",
                    params![s.location, alias, origin],
                )?;
            }
        }
        for (key, value) in &backup.settings {
            tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )?;
        }
        for name in &backup.user_tags {
            tx.execute("INSERT OR IGNORE INTO user_tags (name) VALUES (?1)", [name])?;
        }
        // All the (validated) labels the backup holds: an archive from before the import's
        // caps may have more, and a restore loses nothing.
        let caps = crate::articles::LabelCaps { categories: MAX_CATEGORIES, tags: MAX_TAGS, images: MAX_IMAGES };
        for a in &backup.articles {
            let source: SourceId = tx
                .query_row("SELECT id FROM sources WHERE location = ?1", [&a.source], |r| r.get(0))
                .optional()?
                .ok_or_else(|| {
                    StoreError::InvalidInput(format!("article {:?} names an unknown source {:?}", a.key, a.source))
                })?;
            // The import's write, with the dates and state the backup gives.
            let stamp = crate::articles::Stamp {
                hash: a.content_hash.clone(),
                imported_at: a.imported_at,
                updated_at: a.updated_at,
                removed_upstream: a.removed_upstream,
            };
            let id = crate::articles::write_article(&tx, source, &a.row(), &stamp, &caps)?;
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
        }
        tx.commit()?;
        Ok(backup.articles.len())
    }
}

/// An offset as the archive holds it, as a backup can carry it: one the display could not
/// use either (beyond ±18 h, or not even an `i32`) is written as UTC, which is how every
/// listing shows it.
fn shown_offset(minutes: i64) -> i32 {
    i32::try_from(minutes).ok().filter(|m| m.unsigned_abs() <= Backup::MAX_OFFSET_MIN.unsigned_abs()).unwrap_or(0)
}

const KIB: usize = 1024;
const MIB: usize = 1024 * 1024;
/// Source locations and article keys: paths, URLs and feed entry ids.
const MAX_LOCATION_BYTES: usize = 4 * KIB;
pub(crate) const MAX_KEY_BYTES: usize = 4 * KIB;
pub(crate) const MAX_URL_BYTES: usize = 8 * KIB;
pub(crate) const MAX_TITLE_BYTES: usize = 16 * KIB;
/// Source names, category slugs and names, site and user tags.
pub(crate) const MAX_NAME_BYTES: usize = 4 * KIB;
const MAX_LANG_BYTES: usize = 64;
const MAX_HASH_BYTES: usize = 128;
/// A post's HTML and text. Post files are read up to 4 MiB and feed documents up to
/// 32 MiB (for all their posts), so 16 MiB is far beyond any post Broadsheet imports.
pub(crate) const MAX_BODY_BYTES: usize = 16 * MIB;
pub(crate) const MAX_EXCERPT_BYTES: usize = 64 * KIB;
/// Front-matter fields without a column, as JSON.
pub(crate) const MAX_EXTRA_BYTES: usize = MIB;
pub(crate) const MAX_CATEGORIES: usize = 256;
pub(crate) const MAX_TAGS: usize = 1024;
pub(crate) const MAX_IMAGES: usize = 4096;
pub(crate) const MAX_ARTICLE_USER_TAGS: usize = 1024;

impl Backup {
    /// The earliest instant a backup may hold: 0001-01-01T00:00:00Z.
    pub const EARLIEST: i64 = -62_135_596_800;
    /// The latest instant a backup may hold: 9999-12-30T23:59:59Z. With any offset up to
    /// ±18 h, every instant from [`Backup::EARLIEST`] to here is a four-digit year, so RFC 3339
    /// and Jekyll dates can always be written.
    pub const LATEST: i64 = 253_402_214_399;
    /// The largest UTC offset, in minutes, a post may have (as RFC 3339 and `time` allow).
    pub const MAX_OFFSET_MIN: i32 = 18 * 60;
    /// Sources a backup may hold: more than an archive lets the reader add
    /// ([`crate::MAX_SOURCES`]), as archives from before that cap may hold more.
    pub const MAX_SOURCES: usize = 100_000;
    pub const MAX_ARTICLES: usize = 2_000_000;
    pub const MAX_USER_TAGS: usize = 100_000;

    /// Checks a backup from outside before anything of it is written: the format and
    /// version, source kinds and locations, dates and offsets, sizes and counts, duplicates
    /// the archive's keys would refuse, and that every post's source is in the backup.
    /// The error names the entry, as `articles[17] (key "…"): …` (positions count from 0).
    ///
    /// The HTML is not judged here; it is sanitised by the caller (see [`Store::restore`]).
    pub fn validate(&self) -> Result<()> {
        if self.format != BACKUP_FORMAT || self.version == 0 || self.version > BACKUP_VERSION {
            return Err(StoreError::InvalidInput(format!(
                "not a Broadsheet backup this version can read (format {}, version {})",
                shown(&self.format),
                self.version
            )));
        }
        let whole = |why: String| StoreError::InvalidInput(format!("backup: {why}"));
        date("exported_at", self.exported_at).map_err(whole)?;
        count("sources", self.sources.len(), Self::MAX_SOURCES).map_err(whole)?;
        count("articles", self.articles.len(), Self::MAX_ARTICLES).map_err(whole)?;
        count("user tags", self.user_tags.len(), Self::MAX_USER_TAGS).map_err(whole)?;
        for (key, value) in &self.settings {
            check_setting(key, value).map_err(|why| whole(format!("setting {}: {why}", shown(key))))?;
        }

        let mut locations = HashSet::with_capacity(self.sources.len());
        for (i, s) in self.sources.iter().enumerate() {
            let named = |why: String| {
                StoreError::InvalidInput(format!("sources[{i}] (location {}): {why}", shown(&s.location)))
            };
            check_source(s).map_err(named)?;
            if !locations.insert(s.location.as_str()) {
                return Err(named("appears twice".into()));
            }
        }
        for (i, t) in self.user_tags.iter().enumerate() {
            user_tag(t).map_err(|why| StoreError::InvalidInput(format!("user_tags[{i}] ({}): {why}", shown(t))))?;
        }
        let mut keys = HashSet::with_capacity(self.articles.len());
        // Tags named only on posts count too: the archive keeps (and the window pages) every
        // one, and 2M posts × 1024 new names each is far past any reader's own.
        let mut tags: HashSet<String> = self.user_tags.iter().map(|t| t.to_ascii_lowercase()).collect();
        for (i, a) in self.articles.iter().enumerate() {
            let named = |why: String| StoreError::InvalidInput(format!("articles[{i}] (key {}): {why}", shown(&a.key)));
            check_article(a, &locations).map_err(named)?;
            if !keys.insert((a.source.as_str(), a.key.as_str())) {
                return Err(named("appears twice in its source".into()));
            }
            for t in &a.user_tags {
                if !tags.contains(&t.to_ascii_lowercase()) {
                    if tags.len() == Self::MAX_USER_TAGS {
                        return Err(named(format!("more than {} user tags in the backup", Self::MAX_USER_TAGS)));
                    }
                    tags.insert(t.to_ascii_lowercase());
                }
            }
        }
        Ok(())
    }
}

type Check = std::result::Result<(), String>;

fn check_source(s: &BackupSource) -> Check {
    use broadsheet_model::SourceKind;
    let Some(kind) = SourceKind::parse(&s.kind) else {
        let known: Vec<&str> = SourceKind::ALL.iter().map(|k| k.as_str()).collect();
        return Err(format!("unknown kind {} (known: {})", shown(&s.kind), known.join(", ")));
    };
    line("location", &s.location, MAX_LOCATION_BYTES)?;
    let fits = match kind {
        SourceKind::Feed => web_url(&s.location),
        SourceKind::JekyllGit => git_location(&s.location),
        SourceKind::JekyllFolder => absolute_path(&s.location),
        SourceKind::Sample | SourceKind::Saved => s
            .location
            .strip_prefix("broadsheet:")
            .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')),
    };
    if !fits {
        let want = match kind {
            SourceKind::Feed => "an http(s) URL",
            SourceKind::JekyllGit => "a git URL (https, http, ssh, git, file or user@host:path) or an absolute path",
            SourceKind::JekyllFolder => "an absolute path",
            SourceKind::Sample | SourceKind::Saved => "broadsheet:<name>",
        };
        return Err(format!("a {} source's location must be {want}", s.kind));
    }
    text("name", &s.name, MAX_NAME_BYTES)?;
    optional_url("site_url", s.site_url.as_deref())?;
    if s.aliases.len() > crate::MAX_ALIASES {
        return Err(format!("more than {} site addresses", crate::MAX_ALIASES));
    }
    for alias in &s.aliases {
        if crate::normal_alias(alias).as_deref() != Some(alias.as_str()) {
            return Err(format!("site address {} is not a plain web address", shown(alias)));
        }
    }
    if !s.alias_origins.is_empty() && s.alias_origins.len() != s.aliases.len() {
        return Err("site address origins do not match its site addresses".into());
    }
    if let Some(o) = s.alias_origins.iter().find(|o| !matches!(o.as_str(), "former" | "site" | "user")) {
        return Err(format!("site address origin {} is not former, site or user", shown(o)));
    }
    if let Some(m) = s.interval_min {
        if !(crate::MIN_INTERVAL_MIN..=crate::MAX_INTERVAL_MIN).contains(&m) {
            return Err(format!(
                "interval {m} minutes is outside {}..={}",
                crate::MIN_INTERVAL_MIN,
                crate::MAX_INTERVAL_MIN
            ));
        }
    }
    lang(s.lang.as_deref())?;
    date("created_at", s.created_at)?;
    if let Some(t) = s.removed_at {
        date("removed_at", t)?;
    }
    Ok(())
}

fn check_setting(key: &str, value: &str) -> Check {
    if !TRAVELLING_SETTINGS.contains(&key) {
        return Err("not a setting a backup carries".into());
    }
    if value.len() > MAX_SETTING_BYTES {
        return Err(format!("more than {MAX_SETTING_BYTES} bytes"));
    }
    if key == crate::user::IMAGE_BUDGET_SETTING {
        match value.parse::<u64>() {
            Ok(b) if b <= crate::MAX_IMAGE_BUDGET => {}
            _ => return Err(format!("not a number of bytes up to {}", crate::MAX_IMAGE_BUDGET)),
        }
    } else if serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(value).is_err() {
        return Err("not a JSON object".into());
    }
    Ok(())
}

fn check_article(a: &BackupArticle, sources: &HashSet<&str>) -> Check {
    if !sources.contains(a.source.as_str()) {
        return Err(format!("its source {} is not among the backup's sources", shown(&a.source)));
    }
    if a.key.is_empty() {
        return Err("the key is empty".into());
    }
    text("key", &a.key, MAX_KEY_BYTES)?;
    text("title", &a.title, MAX_TITLE_BYTES)?;
    date("published_at", a.published_at)?;
    if a.utc_offset_min.unsigned_abs() > Backup::MAX_OFFSET_MIN.unsigned_abs() {
        return Err(format!("utc_offset_min {} is beyond ±{} minutes", a.utc_offset_min, Backup::MAX_OFFSET_MIN));
    }
    optional_url("url", a.url.as_deref())?;
    lang(a.lang.as_deref())?;
    text("html", &a.html, MAX_BODY_BYTES)?;
    text("text", &a.text, MAX_BODY_BYTES)?;
    text("excerpt", &a.excerpt, MAX_EXCERPT_BYTES)?;
    if !a.extra.is_object() {
        return Err("extra is not a JSON object".into());
    }
    let extra = a.extra.to_string().len();
    if extra > MAX_EXTRA_BYTES {
        return Err(format!("extra is {extra} bytes of JSON, more than the {MAX_EXTRA_BYTES} allowed"));
    }
    if a.content_hash.len() > MAX_HASH_BYTES || !a.content_hash.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(format!("content_hash {} is not a short hexadecimal hash", shown(&a.content_hash)));
    }
    date("imported_at", a.imported_at)?;
    date("updated_at", a.updated_at)?;
    if let Some(t) = a.bookmarked_at {
        date("bookmarked_at", t)?;
    }
    if let Some(t) = a.read_at {
        date("read_at", t)?;
    }

    count("categories", a.categories.len(), MAX_CATEGORIES)?;
    let mut seen = HashSet::new();
    for c in &a.categories {
        text("category slug", &c.slug, MAX_NAME_BYTES)?;
        if let Some(name) = &c.name {
            text("category name", name, MAX_NAME_BYTES)?;
        }
        if !seen.insert(c.slug.as_str()) {
            return Err(format!("category {} appears twice", shown(&c.slug)));
        }
    }
    count("tags", a.tags.len(), MAX_TAGS)?;
    let mut seen = HashSet::new();
    for t in &a.tags {
        text("tag", t, MAX_NAME_BYTES)?;
        if !seen.insert(t.as_str()) {
            return Err(format!("tag {} appears twice", shown(t)));
        }
    }
    count("images", a.images.len(), MAX_IMAGES)?;
    let mut seen = HashSet::new();
    for url in &a.images {
        line("image URL", url, MAX_URL_BYTES)?;
        if !web_url(url) {
            return Err(format!("image {} is not an http(s) URL", shown(url)));
        }
        if !seen.insert(url.as_str()) {
            return Err(format!("image {} appears twice", shown(url)));
        }
    }
    count("user tags", a.user_tags.len(), MAX_ARTICLE_USER_TAGS)?;
    let mut seen = HashSet::new();
    for t in &a.user_tags {
        user_tag(t)?;
        // The archive compares user tags without ASCII case.
        if !seen.insert(t.to_ascii_lowercase()) {
            return Err(format!("user tag {} appears twice", shown(t)));
        }
    }
    Ok(())
}

/// A value for an error message: quoted and escaped, and cut short if long.
fn shown(s: &str) -> String {
    const MAX_CHARS: usize = 80;
    if s.chars().count() <= MAX_CHARS {
        format!("{s:?}")
    } else {
        let cut: String = s.chars().take(MAX_CHARS).collect();
        format!("{cut:?}…")
    }
}

fn date(field: &str, t: i64) -> Check {
    if (Backup::EARLIEST..=Backup::LATEST).contains(&t) {
        Ok(())
    } else {
        Err(format!("{field} {t} is out of range (years 0001 to 9999)"))
    }
}

fn count(what: &str, n: usize, max: usize) -> Check {
    if n > max {
        return Err(format!("{n} {what}, more than the {max} allowed"));
    }
    Ok(())
}

fn text(field: &str, s: &str, max: usize) -> Check {
    if s.len() > max {
        return Err(format!("{field} is {} bytes, more than the {max} allowed", s.len()));
    }
    Ok(())
}

/// What a source's location must be anywhere in the archive (its kind's own form is checked
/// by restore and by whoever adds it): one line of at most `MAX_LOCATION_BYTES`.
pub(crate) fn check_location(location: &str) -> Check {
    line("a source's location", location, MAX_LOCATION_BYTES)
}

/// A single-line value: bounded, without control characters.
fn line(field: &str, s: &str, max: usize) -> Check {
    text(field, s, max)?;
    if s.chars().any(char::is_control) {
        return Err(format!("{field} {} holds control characters", shown(s)));
    }
    Ok(())
}

fn user_tag(t: &str) -> Check {
    line("user tag", t, MAX_NAME_BYTES)?;
    if t.trim().is_empty() || t.trim() != t {
        return Err(format!("user tag {} is empty or not trimmed", shown(t)));
    }
    Ok(())
}

fn optional_url(field: &str, url: Option<&str>) -> Check {
    let Some(url) = url else { return Ok(()) };
    line(field, url, MAX_URL_BYTES)?;
    if !web_url(url) {
        return Err(format!("{field} {} is not an http(s) URL", shown(url)));
    }
    Ok(())
}

fn lang(lang: Option<&str>) -> Check {
    let Some(l) = lang else { return Ok(()) };
    let ok = !l.is_empty()
        && l.len() <= MAX_LANG_BYTES
        && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(format!("lang {} is not a language tag", shown(l)))
    }
}

/// An absolute `http`/`https` URL with a host: no whitespace, controls, backslashes, quotes
/// or angle brackets (which a URL serialiser would have percent-encoded).
fn web_url(url: &str) -> bool {
    let Some(rest) = strip_scheme(url, "https").or_else(|| strip_scheme(url, "http")) else { return false };
    has_authority(rest) && url_chars(url)
}

fn strip_scheme<'a>(url: &'a str, scheme: &str) -> Option<&'a str> {
    let n = scheme.len() + 3;
    let head = url.get(..n)?;
    (head[..scheme.len()].eq_ignore_ascii_case(scheme) && &head[scheme.len()..] == "://").then(|| &url[n..])
}

/// `[user@]host[:port]` at the start of `rest`, with a non-empty host.
fn has_authority(rest: &str) -> bool {
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host_ok, port) = match host_port.strip_prefix('[') {
        // An IPv6 literal: `[::1]` or `[::1]:8080`.
        Some(v6) => match v6.split_once(']') {
            Some((ip, "")) => (ipv6_chars(ip), None),
            Some((ip, after)) => (ipv6_chars(ip), Some(after.strip_prefix(':').unwrap_or("x"))),
            None => (false, None),
        },
        None => {
            let (host, port) = host_port.split_once(':').map_or((host_port, None), |(h, p)| (h, Some(p)));
            let ok = !host.is_empty()
                && !host.starts_with('.')
                && host.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '.' | '_' | '%'));
            (ok, port)
        }
    };
    let port_ok = port.is_none_or(|p| p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    host_ok && port_ok
}

fn ipv6_chars(ip: &str) -> bool {
    !ip.is_empty() && ip.bytes().all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
}

fn url_chars(url: &str) -> bool {
    !url.chars().any(|c| c.is_control() || c.is_whitespace() || matches!(c, '\\' | '"' | '<' | '>' | '`'))
}

/// Where libgit2 can fetch from: an http(s), ssh, git or file URL, scp-like `user@host:path`,
/// or an absolute path. Never an option-like `-…` or a transport helper (`ext::…`).
fn git_location(loc: &str) -> bool {
    if loc.starts_with('-') || loc.contains("::") {
        return false;
    }
    if web_url(loc) {
        return true;
    }
    for scheme in ["ssh", "git", "git+ssh", "ssh+git"] {
        if let Some(rest) = strip_scheme(loc, scheme) {
            return has_authority(rest) && url_chars(loc);
        }
    }
    if let Some(path) = strip_scheme(loc, "file") {
        return path.starts_with('/') && url_chars(loc);
    }
    if absolute_path(loc) {
        return true;
    }
    if loc.contains("://") {
        return false;
    }
    // scp-like: user@host:path (no scheme, no slash before the colon).
    match loc.split_once(':') {
        Some((user_host, path)) => {
            let host = user_host.rsplit_once('@').map_or(user_host, |(_, h)| h);
            !host.is_empty()
                && !user_host.contains('/')
                && !path.is_empty()
                && host.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '.' | '_'))
                && url_chars(loc)
        }
        None => false,
    }
}

/// An absolute path on Unix (`/…`) or Windows (`C:\…`, `C:/…`, `\\server\…`).
fn absolute_path(p: &str) -> bool {
    let b = p.as_bytes();
    let unix = p.starts_with('/') && !p.starts_with("//");
    let drive = b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && matches!(b[2], b'\\' | b'/');
    let unc = p.starts_with(r"\\") && p.len() > 2;
    unix || drive || unc
}

/// Whether `url` is a URL a backup accepts (for `fit.rs`).
pub(crate) fn fits_url(url: &str) -> bool {
    optional_url("url", Some(url)).is_ok()
}

/// Whether `l` is a language tag a backup accepts (for `fit.rs`).
pub(crate) fn fits_lang(l: &str) -> bool {
    lang(Some(l)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_git_locations() {
        for ok in
            ["https://a.example/feed.xml", "HTTP://a.example:8080/x?y#z", "https://u@[::1]:80/", "https://例子.测试/"]
        {
            assert!(web_url(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "https://",
            "https:///x",
            "https://a.example/ x",
            "https://a.example\\@b/",
            "https://a.example:99999999/",
            "data:text/html,x",
            "file:///etc/passwd",
            "//a.example/",
            "https://a.example/\u{1b}[31m",
            "https://[::1]junk/",
            "https://[evil]/",
        ] {
            assert!(!web_url(bad), "{bad}");
        }
        for ok in [
            "https://github.com/jekyll/jekyll.git",
            "git@github.com:jekyll/jekyll.git",
            "ssh://git@host:22/x.git",
            "git://host/x",
            "file:///srv/x.git",
            "/srv/x.git",
            r"C:\sites\x",
        ] {
            assert!(git_location(ok), "{ok}");
        }
        for bad in ["ext::sh -c touch% /tmp/pwned", "--upload-pack=touch /tmp/x", "x", "relative/path", "file://x"] {
            assert!(!git_location(bad), "{bad}");
        }
    }

    #[test]
    fn offsets_beyond_what_the_display_shows_are_backed_up_as_utc() {
        assert_eq!(shown_offset(480), 480);
        assert_eq!(shown_offset(-1080), -1080);
        assert_eq!(shown_offset(100_000), 0);
        assert_eq!(shown_offset(i64::MIN), 0);
        assert_eq!(shown_offset(i64::from(i32::MIN)), 0);
    }
}
