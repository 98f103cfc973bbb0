//! A list row as the archive reads it — its columns, its labels — and the rows a view is
//! read from (its filters). Shared by lists (`articles.rs`) and searches (`search/`), which
//! both depend on this and not on each other's reading.

use broadsheet_model::{ArticleId, ArticleSummary, Filters};
use rusqlite::Row;

use crate::{time_fmt::rfc3339, Result, Store};

/// A list row's columns, read by [`summary_from_row`]; the body (column 9) only when the
/// excerpt is derived from it (`derived.rs`).
pub(crate) const SUMMARY_COLUMNS: &str = "a.id, a.title, a.published_at, a.utc_offset_min, a.excerpt, s.name, a.url,
     EXISTS (SELECT 1 FROM bookmarks b WHERE b.article_id = a.id),
     EXISTS (SELECT 1 FROM read_state r WHERE r.article_id = a.id),
     CASE WHEN a.excerpt = '' THEN a.html END";
/// The columns after [`SUMMARY_COLUMNS`] start here.
pub(crate) const AFTER_SUMMARY: usize = 10;

pub(crate) fn summary_from_row(r: &Row<'_>) -> rusqlite::Result<ArticleSummary> {
    let timestamp: i64 = r.get(2)?;
    let offset: i64 = r.get(3)?;
    Ok(ArticleSummary {
        id: r.get(0)?,
        title: r.get(1)?,
        date: rfc3339(timestamp, offset),
        timestamp,
        categories: Vec::new(),
        category_names: Vec::new(),
        tags: Vec::new(),
        user_tags: Vec::new(),
        excerpt: crate::derived::excerpt(r.get(4)?, r.get_ref(9)?),
        source: r.get(5)?,
        url: r.get(6)?,
        bookmarked: r.get(7)?,
        read: r.get(8)?,
        copies: 0,
    })
}

/// Labels of each kind a list row carries (a single article carries all of its own).
pub const LIST_LABELS: usize = 16;

impl Store {
    /// One article's labels, all of them (its tag editor replaces the whole set).
    pub(crate) fn fill_labels(&self, a: &mut ArticleSummary) -> Result<()> {
        self.fill_labels_upto(std::slice::from_mut(a), usize::MAX)
    }

    /// Labels of a page of rows, at most [`LIST_LABELS`] of each kind per row: a restored
    /// row may carry 1,024 user tags of 4 KiB, and a page of such rows was a gigabyte.
    pub(crate) fn fill_labels_of(&self, list: &mut [ArticleSummary]) -> Result<()> {
        self.fill_labels_upto(list, LIST_LABELS)
    }

    /// Categories, site tags and user tags of a whole page in three queries (not three per
    /// row: a page of 200 took ten times as long that way), `cap` of each kind per row.
    fn fill_labels_upto(&self, list: &mut [ArticleSummary], cap: usize) -> Result<()> {
        use std::collections::HashMap;
        if list.is_empty() {
            return Ok(());
        }
        let ids = serde_json::to_string(&list.iter().map(|a| a.id).collect::<Vec<_>>()).unwrap_or_default();
        // Rows come ordered by article: past `cap`, an article's further labels are skipped
        // before their text is even read.
        let labels = |sql: &str, columns: usize| -> Result<HashMap<ArticleId, Vec<(String, String)>>> {
            let mut stmt = self.conn.prepare_cached(sql)?;
            let mut map: HashMap<ArticleId, Vec<(String, String)>> = HashMap::new();
            let mut rows = stmt.query([&ids])?;
            while let Some(r) = rows.next()? {
                let held = map.entry(r.get::<_, ArticleId>(0)?).or_default();
                if held.len() < cap {
                    let first: String = r.get(1)?;
                    let second = if columns == 2 { r.get(2)? } else { String::new() };
                    held.push((first, second));
                }
            }
            Ok(map)
        };
        let mut cats = labels(
            "SELECT ac.article_id, c.slug, coalesce(c.name, c.slug) FROM article_categories ac
             JOIN categories c ON c.id = ac.category_id
             WHERE ac.article_id IN (SELECT value FROM json_each(?1)) ORDER BY ac.article_id, ac.position",
            2,
        )?;
        let mut tags = labels(
            "SELECT at.article_id, t.name FROM article_site_tags at JOIN site_tags t ON t.id = at.tag_id
             WHERE at.article_id IN (SELECT value FROM json_each(?1)) ORDER BY at.article_id, at.position",
            1,
        )?;
        let mut user = labels(
            "SELECT aut.article_id, u.name FROM article_user_tags aut JOIN user_tags u ON u.id = aut.user_tag_id
             WHERE aut.article_id IN (SELECT value FROM json_each(?1)) ORDER BY aut.article_id, u.name",
            1,
        )?;
        let firsts = |v: Vec<(String, String)>| v.into_iter().map(|(name, _)| name).collect();
        // How many other posts carry each row's story (one query for the page).
        let mut copies: HashMap<ArticleId, u32> = HashMap::new();
        {
            let mut stmt = self.conn.prepare_cached(
                "SELECT g.article_id, (SELECT count(*) FROM article_groups g2 WHERE g2.group_id = g.group_id) - 1
                 FROM article_groups g WHERE g.article_id IN (SELECT value FROM json_each(?1))",
            )?;
            let mut rows = stmt.query([&ids])?;
            while let Some(r) = rows.next()? {
                copies.insert(r.get(0)?, r.get::<_, i64>(1)?.clamp(0, i64::from(u32::MAX)) as u32);
            }
        }
        for a in list {
            a.copies = copies.remove(&a.id).unwrap_or(0);
            (a.categories, a.category_names) = cats.remove(&a.id).unwrap_or_default().into_iter().unzip();
            a.tags = firsts(tags.remove(&a.id).unwrap_or_default());
            a.user_tags = firsts(user.remove(&a.id).unwrap_or_default());
        }
        Ok(())
    }
}

/// `SELECT {columns} FROM … WHERE …` over the rows a view is read from, and the filters
/// still to apply, and whether a label drives. A view with a label (category, site tag, user tag; the first of them)
/// reads that label's dated links, alias `l`, joined to articles `a` and sources `s`, so its
/// pages walk the index (label, date, id) kept by migrations 0009 and 0011; other views read
/// articles directly. Without `with_articles`, a label's links are read alone (for a count of
/// that label and nothing else).
pub(crate) fn driving_rows(
    f: &Filters,
    args: &mut Vec<rusqlite::types::Value>,
    columns: &str,
    with_articles: bool,
) -> (String, Filters, bool) {
    // Counts need no source columns; the join would cost a lookup per row. A count of one
    // label alone needs no article either.
    let sources = if columns.contains("s.") { " JOIN sources s ON s.id = a.source_id" } else { "" };
    let articles = if with_articles { " JOIN articles a ON a.id = l.article_id" } else { "" };
    let mut rest = f.clone();
    let label = if let Some(slug) = rest.category.take() {
        Some(("article_categories", "category_id", "SELECT id FROM categories WHERE slug = ?", slug))
    } else if let Some(tag) = rest.tag.take() {
        Some(("article_site_tags", "tag_id", "SELECT id FROM site_tags WHERE name = ?", tag))
    } else {
        rest.user_tag
            .take()
            .map(|tag| ("article_user_tags", "user_tag_id", "SELECT id FROM user_tags WHERE name = ?", tag))
    };
    match label {
        Some((table, column, lookup, name)) => {
            args.push(name.into());
            let sql = format!(
                "SELECT {columns} FROM {table} l{articles}{sources}
                 WHERE l.{column} = ({lookup})"
            );
            (sql, rest, true)
        }
        None => (format!("SELECT {columns} FROM articles a{sources} WHERE 1=1"), rest, false),
    }
}

/// Appends `AND …` conditions for `f` on the articles alias `a`.
pub(crate) fn push_filters(sql: &mut String, args: &mut Vec<rusqlite::types::Value>, f: &Filters) {
    if let Some(slug) = &f.category {
        sql.push_str(
            " AND a.id IN (SELECT ac.article_id FROM article_categories ac
                       JOIN categories c ON c.id = ac.category_id WHERE c.slug = ?)",
        );
        args.push(slug.clone().into());
    }
    if let Some(tag) = &f.tag {
        sql.push_str(
            " AND a.id IN (SELECT at.article_id FROM article_site_tags at
                       JOIN site_tags t ON t.id = at.tag_id WHERE t.name = ?)",
        );
        args.push(tag.clone().into());
    }
    if let Some(tag) = &f.user_tag {
        sql.push_str(
            " AND a.id IN (SELECT aut.article_id FROM article_user_tags aut
                       JOIN user_tags u ON u.id = aut.user_tag_id WHERE u.name = ?)",
        );
        args.push(tag.clone().into());
    }
    if f.bookmarked {
        sql.push_str(" AND a.id IN (SELECT article_id FROM bookmarks)");
    }
    if f.unread {
        sql.push_str(" AND a.id NOT IN (SELECT article_id FROM read_state)");
    }
    if let Some(source) = f.source {
        sql.push_str(" AND a.source_id = ?");
        args.push(source.into());
    }
    if f.collapse_duplicates {
        // One row per story: a copy is listed only when it is its group's first post.
        sql.push_str(
            " AND NOT EXISTS (SELECT 1 FROM article_groups g1 JOIN article_groups g2 ON g2.group_id = g1.group_id
                          WHERE g1.article_id = a.id AND g2.article_id < a.id)",
        );
    }
}

/// A `LIKE` pattern matching names that contain `filter` (trimmed; `%`, `_` and `\\` in it
/// taken literally). SQLite's `LIKE` folds ASCII case only; CJK names have none.
pub(crate) fn like_pattern(filter: &str) -> String {
    let mut p = String::from("%");
    for ch in filter.trim().chars().take(200) {
        if matches!(ch, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(ch);
    }
    if p.len() > 1 {
        p.push('%');
    }
    p
}
