//! Full-text search over the archive (FTS5 in the same file), kept in step with imports.

mod snippet;
pub mod tokens;

use broadsheet_model::{SearchHit, SearchQuery};
use rusqlite::{params, Connection};

use crate::{articles::summary_from_row, Result, Store, StoreError};

/// (Re)writes the index row of one article.
pub(crate) fn index_article(conn: &Connection, id: i64, title: &str, text: &str) -> rusqlite::Result<()> {
    let (t, b) = (tokens::columns(title), tokens::columns(text));
    conn.execute("DELETE FROM article_fts WHERE rowid = ?1", [id])?;
    conn.execute(
        "INSERT INTO article_fts (rowid, title_words, title_uni, title_bi, body_words, body_uni, body_bi)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![id, t.words, t.uni, t.bi, b.words, b.uni, b.bi],
    )?;
    Ok(())
}

/// Rebuilds the whole index from the articles table; returns the number of articles.
pub(crate) fn rebuild(conn: &Connection) -> rusqlite::Result<usize> {
    conn.execute("DELETE FROM article_fts", [])?;
    let mut stmt = conn.prepare("SELECT id, title, text FROM articles")?;
    let mut rows = stmt.query([])?;
    let mut n = 0;
    while let Some(r) = rows.next()? {
        index_article(conn, r.get(0)?, &r.get::<_, String>(1)?, &r.get::<_, String>(2)?)?;
        n += 1;
    }
    Ok(n)
}

/// Ranking weights per index column: a match in the title counts three times.
const BM25: &str = "bm25(article_fts, 3.0, 3.0, 3.0, 1.0, 1.0, 1.0)";

impl Store {
    /// Rebuilds the search index (`broadsheet reindex`).
    pub fn reindex(&mut self) -> Result<usize> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let n = rebuild(&tx)?;
        tx.commit()?;
        Ok(n)
    }

    /// Articles matching `q`, most relevant first (newest first among equals), with snippets.
    pub fn search(&self, q: &SearchQuery) -> Result<Vec<SearchHit>> {
        let (expr, terms) = tokens::parse_query(&q.query).map_err(|e| StoreError::InvalidInput(e.to_string()))?;
        let mut sql = format!(
            "SELECT {cols}, a.text, {BM25} AS rank FROM article_fts f
             JOIN articles a ON a.id = f.rowid JOIN sources s ON s.id = a.source_id
             WHERE article_fts MATCH ?",
            cols = crate::articles::SUMMARY_COLUMNS
        );
        let mut args: Vec<rusqlite::types::Value> = vec![expr.into()];
        crate::articles::push_filters(&mut sql, &mut args, &q.filters);
        if let Some(since) = q.since {
            sql.push_str(" AND a.published_at >= ?");
            args.push(since.into());
        }
        if let Some(until) = q.until {
            sql.push_str(" AND a.published_at < ?");
            args.push(until.into());
        }
        sql.push_str(" ORDER BY rank, a.published_at DESC, a.id DESC LIMIT ?");
        args.push(i64::from(q.limit.unwrap_or(50).min(1000)).into());
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
            Ok((summary_from_row(r)?, r.get::<_, String>(9)?, r.get::<_, f64>(10)?))
        })?;
        let rows = rows.collect::<Result<Vec<_>, _>>()?;
        let mut summaries: Vec<_> = rows.iter().map(|(s, _, _)| s.clone()).collect();
        self.fill_labels_of(&mut summaries)?;
        let hits = summaries
            .into_iter()
            .zip(rows)
            .map(|(summary, (_, text, rank))| {
                let snippet = snippet::make(&summary.title, &text, &terms);
                // bm25 is lower-is-better and negative; a score reads better the other way round.
                SearchHit { summary, snippet, score: -rank }
            })
            .collect();
        Ok(hits)
    }
}
