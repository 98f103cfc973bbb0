-- What a folder import last saw of each file: a fingerprint of its size, modification time,
-- the parser version and the site settings, and the post key it became ('' for a post that
-- is deliberately not published). A re-scan skips files whose fingerprint is unchanged.
CREATE TABLE folder_files (
    source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    key TEXT NOT NULL,
    stamp INTEGER NOT NULL,
    PRIMARY KEY (source_id, path)
) WITHOUT ROWID;
