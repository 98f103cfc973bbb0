-- Search keys sixteen per second instead of 2^20 (see `search::search_key`): FTS5 stores each
-- match as a delta from the previous key, so the wide spacing cost about 3 bytes in every
-- entry of every term. Like 0010, nothing is rebuilt here: the index is emptied (one
-- statement, not a delete per row) and every article is listed as waiting in
-- `search_pending` (a small table: nulling `search_rowid` would rewrite every article row,
-- HTML and all, before the window opens). `Store::index_pending` indexes them afterwards in
-- small writes: the app in the background after the first rows, the CLI before a search.
INSERT INTO article_fts (article_fts) VALUES ('delete-all');
CREATE TABLE search_pending (article_id INTEGER PRIMARY KEY);
INSERT INTO search_pending (article_id) SELECT id FROM articles;
