-- What the sync engine knows about each source, and each image's attempts.
ALTER TABLE sources ADD COLUMN etag TEXT;                -- exactly as the server sent it
ALTER TABLE sources ADD COLUMN last_modified TEXT;       -- exactly as the server sent it
ALTER TABLE sources ADD COLUMN cursor TEXT;              -- e.g. the last synced git commit
ALTER TABLE sources ADD COLUMN interval_min INTEGER NOT NULL DEFAULT 30;
ALTER TABLE sources ADD COLUMN last_attempt INTEGER;
ALTER TABLE sources ADD COLUMN last_success INTEGER;
ALTER TABLE sources ADD COLUMN last_status TEXT;         -- "200", "304", "git", "folder"…
ALTER TABLE sources ADD COLUMN last_error TEXT;
ALTER TABLE sources ADD COLUMN next_attempt INTEGER;
ALTER TABLE sources ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sources ADD COLUMN last_new INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sources ADD COLUMN last_updated INTEGER NOT NULL DEFAULT 0;

ALTER TABLE images ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE images ADD COLUMN next_attempt INTEGER;
