-- The image tables without rowids. `images` (keyed by its URL) and `article_images` (keyed by
-- post and URL) were rowid tables with their key in an index beside them: each image's
-- address was kept five times (table, its key, the link table, its key, the by-URL index).
-- As WITHOUT ROWID tables the key is the table: three times. Same columns, same keys, same
-- queries; the rows are small (an address, a hash, a type, a bounded error), as WITHOUT ROWID
-- wants. The copy is one pass over each table, in this migration's transaction.
CREATE TABLE images_keyed (
    url          TEXT PRIMARY KEY,
    sha256       TEXT,
    mime         TEXT,
    bytes        INTEGER,
    last_error   TEXT,
    fetched_at   INTEGER,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_attempt INTEGER
) WITHOUT ROWID;
INSERT INTO images_keyed (url, sha256, mime, bytes, last_error, fetched_at, attempts, next_attempt)
    SELECT url, sha256, mime, bytes, last_error, fetched_at, attempts, next_attempt FROM images;
DROP TABLE images;
ALTER TABLE images_keyed RENAME TO images;

CREATE TABLE article_images_keyed (
    article_id  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    url         TEXT NOT NULL,
    PRIMARY KEY (article_id, url)
) WITHOUT ROWID;
INSERT INTO article_images_keyed (article_id, url) SELECT article_id, url FROM article_images;
DROP TABLE article_images;
ALTER TABLE article_images_keyed RENAME TO article_images;
CREATE INDEX article_images_by_url ON article_images (url);
