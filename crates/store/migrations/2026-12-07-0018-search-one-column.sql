-- Search index, one column: an article's title and body are indexed as one text (title, a
-- separator token, body) instead of two columns. FTS5 writes a column marker (two bytes) in
-- every entry of every term found in the second column, which was about a fifth of the
-- index (10k generated posts: 20.1 → 16.0 MB). A title match still ranks higher: the ranking
-- adds it back from `articles.title` (`search::rank`). As 0012, nothing is rebuilt here:
-- every article is listed in `search_pending` and `Store::index_pending` indexes them
-- afterwards in small writes (the app in the background after the first rows, the CLI
-- before a search).
DROP TABLE article_fts;
CREATE VIRTUAL TABLE article_fts USING fts5(
    text,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT OR IGNORE INTO search_pending (article_id) SELECT id FROM articles;
