-- A removed source stops syncing; its row stays while the archive still holds articles
-- from it (the reader's kept or marked ones).
ALTER TABLE sources ADD COLUMN removed_at INTEGER;
