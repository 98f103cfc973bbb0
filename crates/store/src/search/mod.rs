//! Full-text search over the archive (FTS5 in the same file), kept in step with imports.

mod snippet;
pub mod tokens;

use broadsheet_model::{ArticleId, SearchHit, SearchQuery, SearchSort};
use rusqlite::{params, Connection, OptionalExtension};

use crate::{rows::summary_from_row, Result, Store, StoreError};

/// The index key of an article: its publication time, then its id. FTS5 walks a match list
/// in key order, so "newest matches first" is a walk from the end that stops early.
///
/// Sixteen keys per second: FTS5 stores each match as the delta from the previous one's
/// key, so the spacing is paid in every entry of every term. At 2^20 per second, posts five
/// minutes apart were 5-byte deltas; at 16, 2 bytes (the 10k bench's index: 28 → 23 MB).
/// More than 16 posts in one second take the next free keys after it (a minute at most per
/// look-up), so a burst sorts just after its own second.
fn search_key(published_at: i64, id: i64) -> i64 {
    // ±2^42 s is ±139,000 years: no real date is clamped, and the product fits an i64.
    published_at.clamp(-(1 << 42), (1 << 42) - 1) * KEYS_PER_SECOND + (id & (KEYS_PER_SECOND - 1))
}

const KEYS_PER_SECOND: i64 = 16;

/// (Re)writes the index row of one article.
pub(crate) fn index_article(
    conn: &Connection,
    id: ArticleId,
    published_at: i64,
    title: &str,
    text: &str,
) -> rusqlite::Result<()> {
    index_tokens(conn, id, published_at, &tokens::index_text(title), &tokens::index_text(text))
}

/// (Re)writes the index row of one article from its title and text already passed through
/// `tokens::index_text` (by an import's parse workers, off the writer).
pub(crate) fn index_tokens(
    conn: &Connection,
    id: ArticleId,
    published_at: i64,
    title: &str,
    text: &str,
) -> rusqlite::Result<()> {
    let old: Option<i64> = conn
        .prepare_cached("SELECT search_rowid FROM articles WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?
        .flatten();
    if let Some(old) = old {
        conn.prepare_cached("DELETE FROM article_fts WHERE rowid = ?1")?.execute([old])?;
    }
    // Two articles of the same second share a key when their ids agree in the low 4 bits (a
    // feed of undated items, all stamped with the same second, clashes often): then the key
    // after the highest one taken from here to the end of its second (or, that second full,
    // within the next minute) is tried — one look-up, not a probe per taken key.
    let mut key = search_key(published_at, id.0);
    loop {
        match conn.prepare_cached("UPDATE articles SET search_rowid = ?1 WHERE id = ?2")?.execute(params![key, id]) {
            Ok(_) => break,
            Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::ConstraintViolation => {
                // After the keys taken in this key's second; a full second spills into the
                // next minute at most per look-up, so a burst sorts just after its own time.
                let second = key - key.rem_euclid(KEYS_PER_SECOND);
                let window = if key < second + KEYS_PER_SECOND - 1 { KEYS_PER_SECOND } else { 60 * KEYS_PER_SECOND };
                let taken: i64 = conn
                    .prepare_cached(
                        "SELECT coalesce(max(search_rowid), ?1) FROM articles
                         WHERE search_rowid >= ?1 AND search_rowid < ?1 + ?2",
                    )?
                    .query_row([key, window], |r| r.get(0))?;
                key = taken.max(key).wrapping_add(1);
            }
            Err(e) => return Err(e),
        }
    }
    // One column (migration 0018): the title, a separator (no phrase runs from the title
    // into the body), the body.
    let mut indexed = String::with_capacity(title.len() + text.len() + 5);
    indexed.push_str(title);
    indexed.push(' ');
    indexed.push(tokens::SEPARATOR);
    indexed.push(' ');
    indexed.push_str(text);
    conn.prepare_cached("INSERT INTO article_fts (rowid, text) VALUES (?1, ?2)")?.execute(params![key, indexed])?;
    conn.prepare_cached("DELETE FROM search_pending WHERE article_id = ?1")?.execute([id])?;
    Ok(())
}

/// Rebuilds the whole index from the articles table; returns the number of articles.
pub(crate) fn rebuild(conn: &Connection) -> rusqlite::Result<usize> {
    conn.execute("DELETE FROM article_fts", [])?;
    conn.execute("UPDATE articles SET search_rowid = NULL", [])?;
    conn.execute("DELETE FROM search_pending", [])?;
    let mut stmt = conn.prepare("SELECT id, published_at, title, text, html FROM articles")?;
    let mut rows = stmt.query([])?;
    let mut n = 0;
    while let Some(r) = rows.next()? {
        let text = crate::derived::text(&crate::body::or_empty(r.get_ref(4)?), r.get(3)?);
        index_article(conn, r.get(0)?, r.get(1)?, &r.get::<_, String>(2)?, &text)?;
        n += 1;
    }
    Ok(n)
}

/// How many of a query's terms the ranking looks for in titles.
const TITLE_TERMS: usize = 8;

/// The ranking of a match (lower first), three times as strong for each of the query's terms
/// its title holds (the index no longer tells title from body: migration 0018; titles are
/// compared case-folded for ASCII, like the index). For a query of single tokens (a
/// character, words) it is FTS5's bm25; a query with a phrase (a CJK word of two characters
/// or more, a quoted phrase) ranks by its title matches alone, newest first among equals:
/// bm25 weighs each phrase by how many documents hold it, which FTS5 finds by matching the
/// phrase against the whole index once more — a 100k archive's three common characters
/// cost 17 ms more that way, twice the walk itself. The expression's arguments come first
/// in the statement.
fn rank(terms: &[tokens::Term]) -> (String, Vec<rusqlite::types::Value>) {
    let base = if tokens::longest_phrase(terms) > 1 { "-1.0" } else { "bm25(article_fts)" };
    let mut expr = format!("{base} * (1.0");
    let mut args = Vec::new();
    for t in terms.iter().take(TITLE_TERMS) {
        expr.push_str(" + 2.0 * (instr(lower(a.title), ?) > 0)");
        args.push(t.text.to_ascii_lowercase().into());
    }
    expr.push(')');
    (expr, args)
}

/// The `FROM … WHERE …` of a search (the query and its filters, on aliases `f` and `a`), its
/// arguments, and the terms to highlight. `search` and `search_count` share it, so a count is
/// always the count of what the pages list.
fn matching(q: &SearchQuery) -> Result<(String, Vec<rusqlite::types::Value>, Vec<tokens::Term>)> {
    let (expr, terms) = tokens::parse_query(&q.query).map_err(|e| StoreError::InvalidInput(e.to_string()))?;
    let mut from =
        String::from("FROM article_fts f JOIN articles a ON a.search_rowid = f.rowid WHERE article_fts MATCH ?");
    let mut args: Vec<rusqlite::types::Value> = vec![expr.into()];
    crate::rows::push_filters(&mut from, &mut args, &q.filters);
    if let Some(since) = q.since {
        from.push_str(" AND a.published_at >= ?");
        args.push(since.into());
    }
    if let Some(until) = q.until {
        from.push_str(" AND a.published_at < ?");
        args.push(until.into());
    }
    Ok((from, args, terms))
}

/// How much of a hit's body its snippet is looked for in.
const SNIPPET_SOURCE_BYTES: usize = 256 * 1024;

/// How many of the newest matches are ranked together. A query matching more (a common
/// character matches most of an archive) ranks this window and lists the older matches
/// after it, newest first; ranking every match cost 300 ms at 100k posts.
pub const RANKED_WINDOW: u32 = 1000;

impl Store {
    /// Articles the search index does not hold yet (after an upgrade re-laid it out).
    pub fn unindexed_count(&self) -> Result<u64> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM articles
                 WHERE search_rowid IS NULL OR id IN (SELECT article_id FROM search_pending)",
            [],
            |r| r.get(0),
        )?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Indexes up to `max` articles the index lacks, in one write; returns how many. Until
    /// none are left, searches miss those articles (lists do not).
    pub fn index_pending(&mut self, max: usize) -> Result<usize> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let pending: Vec<(ArticleId, i64, String, String)> = {
            let mut stmt = tx.prepare_cached(
                "SELECT id, published_at, title, text, html FROM articles
                 WHERE search_rowid IS NULL OR id IN (SELECT article_id FROM search_pending) ORDER BY id LIMIT ?1",
            )?;
            let rows = stmt.query_map([i64::try_from(max).unwrap_or(i64::MAX)], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    crate::derived::text(&crate::body::or_empty(r.get_ref(4)?), r.get(3)?),
                ))
            })?;
            rows.collect::<Result<_, _>>()?
        };
        for (id, published_at, title, text) in &pending {
            index_article(&tx, *id, *published_at, title, text)?;
        }
        if pending.is_empty() {
            // Left by posts removed before they were reached.
            tx.execute("DELETE FROM search_pending", [])?;
        }
        tx.commit()?;
        Ok(pending.len())
    }

    /// Rebuilds the search index (`broadsheet reindex`).
    pub fn reindex(&mut self) -> Result<usize> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let n = rebuild(&tx)?;
        tx.commit()?;
        Ok(n)
    }

    /// Articles matching `q`, with snippets: most relevant first among the newest
    /// [`RANKED_WINDOW`] matches, then the older ones newest first (`SearchSort::Relevance`),
    /// or all of them newest first (`SearchSort::Newest`). `offset` pages through either.
    pub fn search(&self, q: &SearchQuery) -> Result<Vec<SearchHit>> {
        let (from, base, terms) = matching(q)?;
        let limit = i64::from(q.limit.unwrap_or(50).min(1000));
        let offset = i64::from(q.offset.unwrap_or(0));
        let window = i64::from(RANKED_WINDOW);
        // The matches that pass the filters, newest first: FTS5 walks its index from the
        // newest key, each row is checked against the filters, and the walk stops at `LIMIT`.
        let newest = |rank: &str| {
            format!("SELECT a.id AS id, f.rowid AS k, {rank} AS rank {from} ORDER BY f.rowid DESC LIMIT ? OFFSET ?")
        };
        let args = |extra: &[i64]| base.iter().cloned().chain(extra.iter().map(|&v| v.into())).collect::<Vec<_>>();
        let page = if q.sort == SearchSort::Relevance && offset < window {
            // Rank the window, take the page from it; a page running past the window goes on
            // with the older matches (whose order is by date alone), so every match is listed
            // exactly once across pages.
            let (rank, rank_args) = rank(&terms);
            let ranked = format!("SELECT id, rank FROM ({}) ORDER BY rank, k DESC LIMIT ? OFFSET ?", newest(&rank));
            let ranked_args: Vec<_> = rank_args.into_iter().chain(args(&[window, 0, limit, offset])).collect();
            let mut ids = self.query_ids(&ranked, &ranked_args)?;
            let missing = limit - ids.len() as i64;
            // Only a full window leaves older matches: a window short of its size held them
            // all (without this, a rare phrase was looked for through the whole index twice).
            if missing > 0 && offset + ids.len() as i64 >= window {
                // The window is exhausted: go on with the matches older than it.
                ids.extend(self.query_ids(&newest("0.0"), &args(&[missing, window]))?);
            }
            ids
        } else {
            self.query_ids(&newest("0.0"), &args(&[limit, offset]))?
        };
        self.hits(&page, &terms)
    }

    /// How many articles match `q` (its filters included), without ranking them.
    pub fn search_count(&self, q: &SearchQuery) -> Result<u64> {
        let (from, args, _) = matching(q)?;
        let n: i64 =
            self.conn.query_row(&format!("SELECT count(*) {from}"), rusqlite::params_from_iter(args), |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    fn query_ids(&self, sql: &str, args: &[rusqlite::types::Value]) -> Result<Vec<(i64, f64)>> {
        let mut stmt = self.conn.prepare(sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// The page's rows, in the page's order, with snippets.
    fn hits(&self, page: &[(i64, f64)], terms: &[tokens::Term]) -> Result<Vec<SearchHit>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {cols}, a.text, a.html FROM articles a JOIN sources s ON s.id = a.source_id WHERE a.id = ?1",
            cols = crate::rows::SUMMARY_COLUMNS
        ))?;
        let mut rows = Vec::with_capacity(page.len());
        for (id, rank) in page {
            // A snippet shows the first match: it is looked for in the first 256 KiB of the
            // body, so a page of 200 hits on 16 MiB posts does not inflate and parse 3 GiB.
            let row = stmt
                .query_row([id], |r| {
                    // A damaged body gives no snippet rather than failing the page.
                    let at = crate::rows::AFTER_SUMMARY;
                    let html = crate::body::prefix(r.get_ref(at + 1)?, SNIPPET_SOURCE_BYTES).unwrap_or_default();
                    let mut stored: String = r.get(at)?;
                    if stored.len() > SNIPPET_SOURCE_BYTES {
                        let mut end = SNIPPET_SOURCE_BYTES;
                        while !stored.is_char_boundary(end) {
                            end -= 1;
                        }
                        stored.truncate(end);
                    }
                    Ok((summary_from_row(r)?, crate::derived::text(&html, stored)))
                })
                .optional()?;
            if let Some((summary, text)) = row {
                rows.push((summary, text, *rank));
            }
        }
        let mut summaries: Vec<_> = rows.iter().map(|(s, _, _)| s.clone()).collect();
        self.fill_labels_of(&mut summaries)?;
        Ok(summaries
            .into_iter()
            .zip(rows)
            .map(|(summary, (_, text, rank))| {
                let snippet = snippet::make(&summary.title, &text, terms);
                // bm25 is lower-is-better and negative; a score reads better the other way round.
                SearchHit { summary, snippet, score: -rank }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Title and body are one indexed text: a title match still ranks first, and a phrase
    /// never runs from the end of a title into its body.
    #[test]
    fn a_title_match_ranks_first_and_no_phrase_spans_title_and_body() {
        use crate::{NewArticle, NewSource};
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("a.sqlite3")).unwrap();
        let src = store
            .upsert_source(&NewSource { kind: "feed", location: "x", name: "x", site_url: None, lang: None })
            .unwrap();
        let post = |key: &str, title: &str, body: &str, at: i64| NewArticle {
            key: key.into(),
            title: title.into(),
            html: format!("<p>{body}</p>"),
            text: body.into(),
            published_at: at,
            extra_json: "{}".into(),
            ..Default::default()
        };
        store
            .upsert_articles(
                src,
                &[
                    // Newer, and the word twice in its body; the older one has it in its title.
                    post("body", "市场消息", "芯片 芯片 today 其他内容", 2_000),
                    post("title", "芯片 Today", "其他内容", 1_000),
                ],
            )
            .unwrap();
        let search = |q: &str| -> Vec<String> {
            let q = SearchQuery { query: q.into(), ..Default::default() };
            store.search(&q).unwrap().into_iter().map(|h| h.summary.title).collect()
        };
        assert_eq!(search("芯片"), ["芯片 Today", "市场消息"]);
        assert_eq!(search("TODAY"), ["芯片 Today", "市场消息"], "titles are compared case-folded");
        // "消息" ends the title and "芯片" begins the body: no phrase "息芯".
        assert!(search("息芯").is_empty());
        assert_eq!(search("消息"), ["市场消息"]);
    }

    #[test]
    fn keys_grow_with_the_date_and_never_overflow() {
        assert!(search_key(1_700_000_000, 9) > search_key(1_699_999_999, 999_999));
        assert!(search_key(-5, 1) < search_key(0, 1), "dates before 1970 sort first");
        assert!(search_key(i64::MAX, i64::MAX) > search_key(i64::MIN, 0), "extreme dates are clamped, not wrapped");
    }

    #[test]
    fn two_articles_of_the_same_second_with_clashing_keys_are_both_indexed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.sqlite3")).unwrap();
        let c = &store.conn;
        c.execute("INSERT INTO sources (id, kind, location, name, created_at) VALUES (1, 'feed', 'x', 'x', 0)", [])
            .unwrap();
        // Ids a multiple of 16 apart, published in the same second: the same natural key.
        for id in [7, 7 + 16, 7 + 32] {
            c.execute(
                "INSERT INTO articles (id, source_id, key, title, published_at, utc_offset_min, html, text, excerpt,
                   content_hash, imported_at, updated_at)
                 VALUES (?1, 1, ?1, '同一秒', 1700000000, 0, '', '正文', '', '', 0, 0)",
                [id],
            )
            .unwrap();
            index_article(c, ArticleId(id), 1_700_000_000, "同一秒", "正文").unwrap();
        }
        let keys: Vec<i64> = c
            .prepare("SELECT search_rowid FROM articles ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(keys[0] != keys[1] && keys[1] != keys[2] && keys[0] != keys[2], "{keys:?}");
        let q = SearchQuery { query: "同一秒".into(), ..Default::default() };
        assert_eq!(store.search(&q).unwrap().len(), 3);
        assert_eq!(store.search_count(&q).unwrap(), 3);
    }

    /// A feed of undated items stamps them all with the same second: every one is indexed,
    /// each with its own key, and they sort after older posts and before newer ones.
    #[test]
    fn two_thousand_posts_of_one_second_all_get_keys_in_date_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.sqlite3")).unwrap();
        let c = &store.conn;
        c.execute("INSERT INTO sources (id, kind, location, name, created_at) VALUES (1, 'feed', 'x', 'x', 0)", [])
            .unwrap();
        let add = |id: i64, at: i64| {
            c.execute(
                "INSERT INTO articles (id, source_id, key, title, published_at, utc_offset_min, html, text, excerpt,
                   content_hash, imported_at, updated_at)
                 VALUES (?1, 1, ?1, '突发', ?2, 0, '', '正文', '', '', 0, 0)",
                params![id, at],
            )
            .unwrap();
            index_article(c, ArticleId(id), at, "突发", "正文").unwrap();
        };
        add(1, 1_699_999_000);
        for id in 2..2002 {
            add(id, 1_700_000_000);
        }
        add(2002, 1_700_100_000);
        let mut ids: Vec<ArticleId> = Vec::new();
        for offset in [0, 1000, 2000] {
            let q = SearchQuery {
                query: "突发".into(),
                limit: Some(1000),
                offset: Some(offset),
                sort: SearchSort::Newest,
                ..Default::default()
            };
            ids.extend(store.search(&q).unwrap().iter().map(|h| h.summary.id));
        }
        assert_eq!(ids.len(), 2002);
        assert_eq!(
            (ids[0], ids[2001]),
            (ArticleId(2002), ArticleId(1)),
            "the burst sits between the older and the newer post"
        );
    }
}
