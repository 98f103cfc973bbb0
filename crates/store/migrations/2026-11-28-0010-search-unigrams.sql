-- Search index, second layout: one column per field holding CJK characters as single tokens
-- (with positions, so longer queries are phrases) and words as written, instead of unigram,
-- bigram and word columns (the bigram vocabulary was most of the index and of an import).
-- Index rows are keyed by `articles.search_rowid`, which grows with the publication date, so
-- FTS5 can hand out the newest matches first and stop: a query matching most of the archive
-- ranks a bounded window of its newest matches instead of every match.
-- Every article is left unindexed (search_rowid NULL); the application indexes them
-- afterwards in small writes (Store::index_pending), so an upgrade never blocks the window.
DROP TABLE article_fts;
ALTER TABLE articles ADD COLUMN search_rowid INTEGER;
CREATE UNIQUE INDEX articles_search_rowid ON articles (search_rowid);
CREATE VIRTUAL TABLE article_fts USING fts5(
    title, body,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
