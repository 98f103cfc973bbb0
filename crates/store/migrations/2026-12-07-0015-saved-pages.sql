-- Saved pages on every device: a page the reader saves here is logged (`url:<url>`, `saved`),
-- and a page another device saved is wanted here until this device has fetched it itself
-- (`device_wanted_pages`; `broadsheet_sync::Engine::save_wanted_pages`). The page's text is
-- never carried in the log: each computer fetches it, under its own network rules.

CREATE TABLE device_wanted_pages (
    url        TEXT PRIMARY KEY,
    wanted_at  INTEGER NOT NULL,
    -- Failed fetches so far (a page that keeps failing is given up after a few).
    tries      INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TRIGGER device_log_saved AFTER INSERT ON articles
WHEN NEW.url IS NOT NULL AND NOT EXISTS (SELECT 1 FROM device_quiet)
     AND (SELECT kind FROM sources WHERE id = NEW.source_id) = 'saved'
BEGIN
    UPDATE device_self SET clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536);
    INSERT INTO device_ops (target, field, value, stamp, device)
    SELECT 'url:' || NEW.url, 'saved', '1', d.clock, d.id FROM device_self d WHERE true
    ON CONFLICT (target, field, device) DO UPDATE SET value = excluded.value, stamp = excluded.stamp;
END;

-- (`WHERE true`: without a WHERE, SQLite reads the upsert's ON as a join's.)

-- However the page arrived, it is no longer wanted.
CREATE TRIGGER device_wanted_page_arrived AFTER INSERT ON articles
WHEN NEW.url IS NOT NULL AND EXISTS (SELECT 1 FROM device_wanted_pages)
BEGIN
    DELETE FROM device_wanted_pages WHERE url = NEW.url;
END;
