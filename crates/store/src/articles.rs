//! Articles and their site categories and tags.

use broadsheet_model::{
    ArticleDetail, ArticleId, ArticleQuery, ArticleSummary, CategoryCount, Filters, LabelPage, LabelQuery, TagCount,
};
use rusqlite::{params, OptionalExtension, Transaction};
use sha2::{Digest, Sha256};

use crate::rows::{driving_rows, like_pattern, push_filters, summary_from_row, AFTER_SUMMARY, SUMMARY_COLUMNS};
use crate::{now, Result, SourceId, Store, StoreError};

/// A post as an importer hands it to the archive.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewArticle {
    /// Stable identity within the source (e.g. the post path without its extension).
    pub key: String,
    pub title: String,
    pub published_at: i64,
    pub utc_offset_min: i32,
    pub url: Option<String>,
    pub lang: Option<String>,
    pub html: String,
    pub text: String,
    /// `text` is `broadsheet_html::plain_text(html)`, as every parser makes it: the archive
    /// then keeps no copy (`derived.rs`) without checking again under the writer. When false
    /// the store compares the two itself.
    pub text_derived: bool,
    pub excerpt: String,
    /// Front-matter fields the archive has no column for, as a JSON object.
    pub extra_json: String,
    /// (slug, display name if the source suggests one)
    pub categories: Vec<(String, Option<String>)>,
    pub tags: Vec<String>,
    pub images: Vec<String>,
    /// The writer's share of the work done beforehand ([`NewArticle::prepare`]); `None` for
    /// rows the writer works out itself.
    pub prepared: Option<Prepared>,
}

/// What an article's write needs besides its fields, worked out by [`NewArticle::prepare`]
/// on the caller's thread: the archive has one writer, and at 100k posts its share (hash,
/// deflate, search tokens) was seconds that the parse workers can do side by side.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    hash: String,
    /// The body packed (`None`: stored as text).
    body: Option<Vec<u8>>,
    /// [`NewArticle::shape`] when prepared: a row edited since (almost any edit changes it) is
    /// worked out again by the writer.
    shape: u64,
    /// Whether `text` differs from what the HTML gives, so must be stored (`derived.rs`).
    text_stored: bool,
    /// Whether `excerpt` differs from what the HTML gives, so must be stored.
    excerpt_stored: bool,
    index_title: String,
    index_body: String,
}

impl NewArticle {
    /// Fits the row to the archive's rules and does the writer's share of its work ahead of
    /// the write. Call it last: a field changed afterwards must be followed by another call
    /// (the writer ignores a preparation whose row no longer has the shape it was made for —
    /// lengths, short fields, the long ones' ends — or which the row had to be fitted after,
    /// and works it out again).
    pub fn prepare(&mut self) {
        if let Some(fitted) = crate::fit::fit_article(self) {
            *self = fitted;
        }
        let mut index_body = crate::search::tokens::index_text(&self.text);
        index_body.shrink_to_fit();
        let (text, excerpt) =
            crate::derived::columns_to_store(&self.html, &self.text, &self.excerpt, self.text_derived);
        let (text_stored, excerpt_stored) = (!text.is_empty(), !excerpt.is_empty());
        self.prepared = Some(Prepared {
            hash: self.content_hash(),
            body: crate::body::packed(&self.html),
            shape: self.shape(),
            text_stored,
            excerpt_stored,
            index_title: crate::search::tokens::index_text(&self.title),
            index_body,
        });
    }

    /// A cheap fingerprint of the row (every field's length, the short fields whole, the
    /// ends of the long ones), to tell a preparation made for another state of the row.
    fn shape(&self) -> u64 {
        let mut h = 0xcbf2_9ce4_8422_2325u64;
        let mut eat = |bytes: &[u8]| {
            for b in (bytes.len() as u64).to_le_bytes().iter().chain(bytes) {
                h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
            }
        };
        let ends = |s: &str| -> Vec<u8> {
            let b = s.as_bytes();
            if b.len() <= 64 {
                b.to_vec()
            } else {
                [&b[..32], &b[b.len() - 32..]].concat()
            }
        };
        eat(self.key.as_bytes());
        eat(self.title.as_bytes());
        eat(&self.published_at.to_le_bytes());
        eat(&self.utc_offset_min.to_le_bytes());
        eat(self.url.as_deref().unwrap_or("\u{0}").as_bytes());
        eat(self.lang.as_deref().unwrap_or("\u{0}").as_bytes());
        for long in [&self.html, &self.text, &self.excerpt, &self.extra_json] {
            eat(&(long.len() as u64).to_le_bytes());
            eat(&ends(long));
        }
        eat(&[u8::from(self.text_derived)]);
        for (slug, name) in &self.categories {
            eat(slug.as_bytes());
            eat(name.as_deref().unwrap_or("\u{0}").as_bytes());
        }
        for t in self.tags.iter().chain(&self.images) {
            eat(t.as_bytes());
        }
        h
    }

    /// Hash of everything imported, so a re-import can tell "unchanged" from "updated".
    fn content_hash(&self) -> String {
        let mut h = Sha256::new();
        let mut field = |s: &str| {
            h.update((s.len() as u64).to_le_bytes());
            h.update(s.as_bytes());
        };
        field(&self.title);
        field(&self.published_at.to_string());
        field(&self.utc_offset_min.to_string());
        field(self.url.as_deref().unwrap_or(""));
        field(self.lang.as_deref().unwrap_or(""));
        field(&self.html);
        field(&self.extra_json);
        for (slug, name) in &self.categories {
            field(slug);
            field(name.as_deref().unwrap_or(""));
        }
        field("\u{1f}tags");
        for t in &self.tags {
            field(t);
        }
        hex(&h.finalize())
    }
}

/// What an upsert did with one article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpsertOutcome {
    Inserted(ArticleId),
    Updated(ArticleId),
    Unchanged(ArticleId),
}

impl Store {
    /// Inserts or updates `articles` of one source in a single transaction. Rows are updated
    /// in place, so their ids, and the user state hanging off them, survive re-imports.
    pub fn upsert_articles(&mut self, source: SourceId, articles: &[NewArticle]) -> Result<Vec<UpsertOutcome>> {
        self.journals_in_memory(|store| {
            let tx = store.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let outcomes = articles.iter().map(|a| upsert_one(&tx, source, a)).collect::<Result<Vec<_>>>()?;
            tx.commit()?;
            Ok(outcomes)
        })
    }

    pub fn article_count(&self) -> Result<u64> {
        let n: i64 = self.conn.query_row("SELECT count(*) FROM articles", [], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }

    /// Categories with at least one article, by name.
    pub fn categories(&self) -> Result<Vec<CategoryCount>> {
        let mut stmt = self.conn.prepare(
            "SELECT c.slug, coalesce(c.name, c.slug), count(*) FROM categories c
             JOIN article_categories ac ON ac.category_id = c.id
             GROUP BY c.id ORDER BY coalesce(c.name, c.slug), c.slug",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(CategoryCount { slug: r.get(0)?, name: r.get(1)?, count: r.get::<_, i64>(2)?.max(0) as u64 })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A page of categories for the sidebar: those with posts, matching `q.filter` in name or
    /// slug, by name (walking `categories_by_name`, so it stops after the page) or by count.
    /// Bounded whatever the archive holds: a folder can declare millions of categories.
    pub fn category_page(&self, q: &LabelQuery) -> Result<LabelPage<CategoryCount>> {
        let labels = Labels {
            table: "categories",
            by_name: "INDEXED BY categories_by_name",
            links: "article_categories",
            link: "category_id",
            slug: "l.slug",
            name: "coalesce(l.name, l.slug)",
        };
        self.label_page(q, &labels, |slug, name, count| CategoryCount { slug, name, count })
    }

    /// A page of site tags for the sidebar, like [`Store::category_page`].
    pub fn site_tag_page(&self, q: &LabelQuery) -> Result<LabelPage<TagCount>> {
        let labels = Labels {
            table: "site_tags",
            by_name: "",
            links: "article_site_tags",
            link: "tag_id",
            slug: "l.name",
            name: "l.name",
        };
        self.label_page(q, &labels, |_, name, count| TagCount { name, count })
    }

    fn label_page<T>(
        &self,
        q: &LabelQuery,
        labels: &Labels,
        make: impl Fn(String, String, u64) -> T,
    ) -> Result<LabelPage<T>> {
        let Labels { table, by_name, links, link, slug, name } = labels;
        let limit = i64::from(q.limit.min(LabelQuery::MAX_LIMIT));
        let pattern = like_pattern(&q.filter);
        let matches = format!("(?1 = '%' OR {name} LIKE ?1 ESCAPE '\\' OR {slug} LIKE ?1 ESCAPE '\\')");
        let sql = if q.by_count {
            // Every link is counted once (one pass over the label's index); SQLite keeps only
            // the page's rows while sorting for ORDER BY … LIMIT.
            format!(
                "SELECT {slug}, {name}, n FROM (SELECT {link}, count(*) AS n FROM {links} GROUP BY {link}) counts
                 JOIN {table} l ON l.id = counts.{link}
                 WHERE {matches} ORDER BY n DESC, {name}, {slug} LIMIT ?2"
            )
        } else {
            format!(
                "SELECT {slug}, {name}, (SELECT count(*) FROM {links} x WHERE x.{link} = l.id) AS n
                 FROM {table} l {by_name} WHERE {matches} AND n > 0 ORDER BY {name}, {slug} LIMIT ?2"
            )
        };
        let items = self
            .conn
            .prepare_cached(&sql)?
            .query_map(rusqlite::params![pattern, limit], |r| {
                Ok(make(r.get(0)?, r.get(1)?, r.get::<_, i64>(2)?.max(0) as u64))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let total: i64 = self
            .conn
            .prepare_cached(&format!(
                "SELECT count(*) FROM (SELECT 1 FROM {table} l WHERE {matches}
                 AND EXISTS (SELECT 1 FROM {links} x WHERE x.{link} = l.id) LIMIT ?2)"
            ))?
            .query_row(rusqlite::params![pattern, LabelQuery::COUNT_CAP as i64], |r| r.get(0))?;
        Ok(LabelPage { items, total: total.max(0) as u64 })
    }

    /// A page of articles, newest first.
    pub fn list_articles(&self, q: &ArticleQuery) -> Result<Vec<ArticleSummary>> {
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        // A label's pages walk its (label, date, id) index from the cursor on; other views
        // walk the articles' (date, id) index (a source's: (source, date, id)).
        let (mut sql, rest, labelled) = driving_rows(&q.filters, &mut args, SUMMARY_COLUMNS, true);
        let (date, id) = if labelled { ("l.published_at", "l.article_id") } else { ("a.published_at", "a.id") };
        push_filters(&mut sql, &mut args, &rest);
        if let Some(c) = q.before {
            sql.push_str(&format!(" AND ({date} < ? OR ({date} = ? AND {id} < ?))"));
            args.extend([c.timestamp.into(), c.timestamp.into(), c.id.into()]);
        }
        sql.push_str(&format!(" ORDER BY {date} DESC, {id} DESC LIMIT ?"));
        args.push(i64::from(q.limit.unwrap_or(200).min(1000)).into());
        let mut stmt = self.conn.prepare(&sql)?;
        let mut list =
            stmt.query_map(rusqlite::params_from_iter(args), summary_from_row)?.collect::<Result<Vec<_>, _>>()?;
        self.fill_labels_of(&mut list)?;
        Ok(list)
    }

    /// How many articles a view holds (its filters), for the list's header. A label is
    /// counted on its own index; the other filters are the list's own.
    pub fn count_articles(&self, f: &Filters) -> Result<u64> {
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        // A label alone is counted on its own index: no article row is read (the largest site
        // tag's count at 100k was 16 ms through the join, for rows it never needed).
        let label_only = [f.category.is_some(), f.tag.is_some(), f.user_tag.is_some()].iter().filter(|x| **x).count()
            == 1
            && !f.bookmarked
            && !f.unread
            && f.source.is_none();
        let (mut sql, rest, _) = driving_rows(f, &mut args, "count(*)", !label_only);
        push_filters(&mut sql, &mut args, &rest);
        let n: i64 = self.conn.query_row(&sql, rusqlite::params_from_iter(args), |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// What the source said of an article beyond the archive's columns (front-matter fields;
    /// a saved page's author and site), as a JSON object.
    pub fn article_extra(&self, id: ArticleId) -> Result<String> {
        self.conn
            .query_row("SELECT extra_json FROM articles WHERE id = ?1", [id], |r| r.get(0))
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("article {id}")))
    }

    /// One article with its body, or `NotFound`.
    pub fn article(&self, id: ArticleId) -> Result<ArticleDetail> {
        let row = self
            .conn
            .query_row(
                &format!(
                    "SELECT {SUMMARY_COLUMNS}, a.html, a.lang, a.text, a.extra_json FROM articles a
                     JOIN sources s ON s.id = a.source_id WHERE a.id = ?1"
                ),
                [id],
                |r| {
                    let at = AFTER_SUMMARY;
                    Ok((
                        summary_from_row(r)?,
                        r.get::<_, crate::body::Body>(at)?.0,
                        r.get::<_, Option<String>>(at + 1)?,
                        r.get::<_, String>(at + 2)?,
                        r.get::<_, String>(at + 3)?,
                    ))
                },
            )
            .optional()?;
        let (mut summary, html, lang, text, extra) =
            row.ok_or_else(|| StoreError::NotFound(format!("article {id}")))?;
        let author = author_of(&extra);
        let text = crate::derived::text(&html, text);
        self.fill_labels(&mut summary)?;
        let images = self.article_images(id)?;
        Ok(ArticleDetail { summary, html, lang, text, images, author })
    }

    /// Site tags with their post counts, by name.
    pub fn site_tags(&self) -> Result<Vec<TagCount>> {
        let mut stmt = self.conn.prepare(
            "SELECT t.name, count(*) FROM site_tags t JOIN article_site_tags at ON at.tag_id = t.id
             GROUP BY t.id ORDER BY t.name",
        )?;
        let rows =
            stmt.query_map([], |r| Ok(TagCount { name: r.get(0)?, count: r.get::<_, i64>(1)?.max(0) as u64 }))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Keys of a source's posts not marked removed upstream (to compare with a re-scan).
    pub fn live_keys(&self, source: SourceId) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("SELECT key FROM articles WHERE source_id = ?1 AND removed_upstream = 0")?;
        let rows = stmt.query_map([source], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Whether the source no longer has this post.
    pub fn is_removed_upstream(&self, id: ArticleId) -> Result<bool> {
        Ok(self.conn.query_row("SELECT removed_upstream FROM articles WHERE id = ?1", [id], |r| r.get(0))?)
    }

    /// Finds the archived post published at `url` (an absolute URL), if any.
    pub fn article_by_url(&self, url: &str) -> Result<Option<ArticleId>> {
        self.article_by_url_in(url, None)
    }

    /// The article at `url`, one of `source`'s first when it has one: another source (a
    /// hostile feed claiming a trusted site's addresses) cannot take over a site's own links.
    pub fn article_by_url_in(&self, url: &str, source: Option<SourceId>) -> Result<Option<ArticleId>> {
        Ok(self
            .conn
            .prepare_cached("SELECT id FROM articles WHERE url = ?1 ORDER BY source_id IS NOT ?2, id LIMIT 1")?
            .query_row(params![url, source], |r| r.get(0))
            .optional()?)
    }

    /// Whether a category with this slug exists.
    pub fn has_category(&self, slug: &str) -> Result<bool> {
        Ok(self.conn.query_row("SELECT EXISTS (SELECT 1 FROM categories WHERE slug = ?1)", [slug], |r| r.get(0))?)
    }

    /// Image URLs referenced by an article, in no particular order.
    pub fn article_images(&self, id: ArticleId) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("SELECT url FROM article_images WHERE article_id = ?1 ORDER BY url")?;
        let urls = stmt.query_map([id], |r| r.get(0))?.collect::<Result<_, _>>()?;
        Ok(urls)
    }
}

/// Who wrote a post, when its source said (a Jekyll post's `author`, a saved page's byline):
/// one line of text, at most 200 characters.
fn author_of(extra_json: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(extra_json).ok()?;
    let name = v.get("author")?.as_str()?;
    let line: String = name
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let line: String = line.chars().take(200).collect();
    (!line.is_empty()).then_some(line)
}

fn upsert_one(tx: &Transaction<'_>, source: SourceId, a: &NewArticle) -> Result<UpsertOutcome> {
    // Stored only as the archive's own backup would accept it (see `fit.rs`).
    let fitted = crate::fit::fit_article(a);
    let a = fitted.as_ref().unwrap_or(a);
    // A preparation is used only while it still describes the row (see `NewArticle::prepare`).
    let prepared = a.prepared.as_ref().filter(|p| fitted.is_none() && p.shape == a.shape());
    let hash = prepared.map_or_else(|| a.content_hash(), |p| p.hash.clone());
    let now = now();
    let existing: Option<(ArticleId, String)> = tx
        .query_row(
            "SELECT id, content_hash FROM articles WHERE source_id = ?1 AND key = ?2",
            params![source, a.key],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let outcome = match existing {
        Some((id, old)) if old == hash => {
            tx.prepare_cached("UPDATE articles SET removed_upstream = 0 WHERE id = ?1 AND removed_upstream = 1")?
                .execute([id])?;
            return Ok(UpsertOutcome::Unchanged(id));
        }
        Some((id, _)) => {
            write_row(tx, source, a, prepared, &Stamp::imported(hash, now))?;
            // Its text changed: looked at again for copies (`duplicates`), out of its group till then.
            for table in
                ["article_categories", "article_site_tags", "article_images", "article_sketches", "article_groups"]
            {
                tx.prepare_cached(&format!("DELETE FROM {table} WHERE article_id = ?1"))?.execute([id])?;
            }
            UpsertOutcome::Updated(id)
        }
        None => UpsertOutcome::Inserted(write_row(tx, source, a, prepared, &Stamp::imported(hash, now))?),
    };
    let id = match outcome {
        UpsertOutcome::Inserted(id) | UpsertOutcome::Updated(id) | UpsertOutcome::Unchanged(id) => id,
    };
    write_index_and_labels(tx, id, a, prepared, &IMPORT_CAPS)?;
    Ok(outcome)
}

/// Writes a whole article — its row, its search entry, its labels and images — as a
/// restore does, with the dates and state its backup gives: the same write as an import's.
pub(crate) fn write_article(
    tx: &Transaction<'_>,
    source: SourceId,
    a: &NewArticle,
    stamp: &Stamp,
    caps: &LabelCaps,
) -> Result<ArticleId> {
    let id = write_row(tx, source, a, None, stamp)?;
    write_index_and_labels(tx, id, a, None, caps)?;
    Ok(id)
}

/// The search entry and the labels of an article just written.
fn write_index_and_labels(
    tx: &Transaction<'_>,
    id: ArticleId,
    a: &NewArticle,
    prepared: Option<&Prepared>,
    caps: &LabelCaps,
) -> Result<()> {
    match prepared {
        Some(p) => crate::search::index_tokens(tx, id, a.published_at, &p.index_title, &p.index_body)?,
        None => crate::search::index_article(tx, id, a.published_at, &a.title, &a.text)?,
    }
    write_labels(
        tx,
        id,
        caps,
        a.categories.iter().map(|(slug, name)| (slug.as_str(), name.as_deref())),
        a.tags.iter().map(String::as_str),
        a.images.iter().map(String::as_str),
    )
}

/// What an article's row records besides its content: the hash of that content, when it
/// came and last changed, and whether its source still has it.
pub(crate) struct Stamp {
    pub hash: String,
    pub imported_at: i64,
    pub updated_at: i64,
    pub removed_upstream: bool,
}

impl Stamp {
    /// An import's: new or changed now, and present upstream.
    fn imported(hash: String, now: i64) -> Stamp {
        Stamp { hash, imported_at: now, updated_at: now, removed_upstream: false }
    }
}

/// How many labels and images of one post [`write_labels`] keeps.
pub(crate) struct LabelCaps {
    pub categories: usize,
    pub tags: usize,
    pub images: usize,
}

/// An import's caps: a post is a stranger's, and however many labels or pictures it claims,
/// only the first few are kept, so one post cannot flood the category list or the image queue.
pub(crate) const IMPORT_CAPS: LabelCaps = LabelCaps { categories: MAX_CATEGORIES, tags: MAX_TAGS, images: MAX_IMAGES };

/// A post's categories, site tags and images, for import and restore alike (a restore keeps
/// what its validated backup holds: an archive from before the import caps may have more).
pub(crate) fn write_labels<'a>(
    tx: &Transaction<'_>,
    id: ArticleId,
    caps: &LabelCaps,
    categories: impl Iterator<Item = (&'a str, Option<&'a str>)>,
    tags: impl Iterator<Item = &'a str>,
    images: impl Iterator<Item = &'a str>,
) -> Result<()> {
    for (pos, (slug, name)) in categories.take(caps.categories).enumerate() {
        tx.prepare_cached(
            "INSERT INTO categories (slug, name) VALUES (?1, ?2)
             ON CONFLICT (slug) DO UPDATE SET name = coalesce(categories.name, excluded.name)",
        )?
        .execute(params![slug, name])?;
        tx.prepare_cached(
            "INSERT OR IGNORE INTO article_categories (article_id, category_id, position)
             SELECT ?1, id, ?2 FROM categories WHERE slug = ?3",
        )?
        .execute(params![id, pos as i64, slug])?;
    }
    for (pos, tag) in tags.take(caps.tags).enumerate() {
        tx.prepare_cached("INSERT OR IGNORE INTO site_tags (name) VALUES (?1)")?.execute([tag])?;
        tx.prepare_cached(
            "INSERT OR IGNORE INTO article_site_tags (article_id, tag_id, position)
             SELECT ?1, id, ?2 FROM site_tags WHERE name = ?3",
        )?
        .execute(params![id, pos as i64, tag])?;
    }
    for url in images.take(caps.images) {
        tx.prepare_cached("INSERT OR IGNORE INTO images (url) VALUES (?1)")?.execute([url])?;
        tx.prepare_cached("INSERT OR IGNORE INTO article_images (article_id, url) VALUES (?1, ?2)")?
            .execute(params![id, url])?;
    }
    Ok(())
}

/// How [`Store::label_page`] reads one kind of label (SQL fragments, the label's alias `l`).
struct Labels {
    table: &'static str,
    /// The index a page by name walks, as an `INDEXED BY` clause (or nothing).
    by_name: &'static str,
    links: &'static str,
    link: &'static str,
    slug: &'static str,
    name: &'static str,
}

/// Per post: categories, site tags and images kept (finews: one, one and a handful).
pub const MAX_CATEGORIES: usize = 32;
pub const MAX_TAGS: usize = 64;
pub const MAX_IMAGES: usize = 100;

/// Inserts the article, or updates it in place (same id, first import date kept) when
/// `(source, key)` exists.
fn write_row(
    tx: &Transaction<'_>,
    source: SourceId,
    a: &NewArticle,
    prepared: Option<&Prepared>,
    stamp: &Stamp,
) -> Result<ArticleId> {
    let body = match prepared {
        Some(Prepared { body: Some(blob), .. }) => rusqlite::types::ToSqlOutput::Borrowed(blob.as_slice().into()),
        Some(Prepared { body: None, .. }) => a.html.as_str().into(),
        None => crate::body::pack(&a.html),
    };
    // Derived from the HTML when read (`derived.rs`), not stored twice.
    let (text, excerpt) = match prepared {
        Some(p) => {
            (if p.text_stored { a.text.as_str() } else { "" }, if p.excerpt_stored { a.excerpt.as_str() } else { "" })
        }
        None => crate::derived::columns_to_store(&a.html, &a.text, &a.excerpt, a.text_derived),
    };
    Ok(tx
        .prepare_cached(
            "INSERT INTO articles (source_id, key, title, published_at, utc_offset_min, url, lang, html, text,
           excerpt, extra_json, content_hash, imported_at, updated_at, removed_upstream)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
         ON CONFLICT (source_id, key) DO UPDATE SET title = excluded.title, published_at = excluded.published_at,
           utc_offset_min = excluded.utc_offset_min, url = excluded.url, lang = excluded.lang, html = excluded.html,
           text = excluded.text, excerpt = excluded.excerpt, extra_json = excluded.extra_json,
           content_hash = excluded.content_hash, removed_upstream = excluded.removed_upstream,
           updated_at = excluded.updated_at
         RETURNING id",
        )?
        .query_row(
            params![
                source,
                a.key,
                a.title,
                a.published_at,
                a.utc_offset_min,
                a.url,
                a.lang,
                body,
                text,
                excerpt,
                a.extra_json,
                stamp.hash,
                stamp.imported_at,
                stamp.updated_at,
                stamp.removed_upstream
            ],
            |r| r.get(0),
        )?)
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
