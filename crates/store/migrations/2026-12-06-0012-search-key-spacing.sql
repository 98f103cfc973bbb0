-- Search keys sixteen per second instead of 2^20 (see `search::search_key`): FTS5 stores each
-- match as a delta from the previous key, so the wide spacing cost about 3 bytes in every
-- entry of every term. Like 0010, nothing is rebuilt here: every article is left unindexed
-- and `Store::index_pending` indexes them afterwards in small writes (the app in the
-- background after the first rows, the CLI before a search), so the upgrade never blocks.
DELETE FROM article_fts;
UPDATE articles SET search_rowid = NULL;
