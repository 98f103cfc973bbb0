-- The reader's settings (JSON values by key), kept with the archive they belong to.
CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
