-- Devices: what the reader did (bookmarks, read marks, user tags, feed and git sources,
-- settings), kept as a log other computers merge (`crates/devices`, `src/devices.rs`).
--
-- Every change is caught here, by triggers, whoever makes it (the window, the CLI, a
-- restore), in the same transaction as the change itself: a kill never loses a mark from the
-- log, and no code path can forget to log. A merge writes with a row in `device_quiet`, so
-- what arrives from another device is not logged again as this one's.

-- This archive's identity among the reader's devices, and its hybrid logical clock: the
-- highest stamp made here or seen from another device (milliseconds since 1970 × 65,536 plus
-- a counter), so a stamp made here is later than everything this device has seen.
CREATE TABLE device_self (
    id     TEXT NOT NULL,
    clock  INTEGER NOT NULL
);
INSERT INTO device_self (id, clock) VALUES (lower(hex(randomblob(8))), 0);

-- The latest change of each device to each (target, field): this device's own (the log it
-- publishes) and every other device's (as last read from its log). A target is a post
-- (`url:…`, `source:<location>\n<key>`, `folder:<site name>\n<key>`), a source
-- (`source:<location>`) or a setting (`setting:<key>`); fields are `bookmark`, `read`,
-- `tag:<name, ASCII-lowercased>`, `source`, `interval` and `value`.
CREATE TABLE device_ops (
    target  TEXT NOT NULL,
    field   TEXT NOT NULL,
    value   TEXT NOT NULL,
    stamp   INTEGER NOT NULL,
    device  TEXT NOT NULL,
    PRIMARY KEY (target, field, device)
) WITHOUT ROWID;
CREATE INDEX device_ops_by_device ON device_ops (device, stamp);

-- (target, field) pairs another device changed that are not applied here yet (the post may
-- not have arrived: it is tried again at every merge).
CREATE TABLE device_pending (
    target  TEXT NOT NULL,
    field   TEXT NOT NULL,
    PRIMARY KEY (target, field)
) WITHOUT ROWID;

-- What each other device's log held when last read, and why it was last refused.
CREATE TABLE device_peers (
    device    TEXT PRIMARY KEY,
    name      TEXT NOT NULL DEFAULT '',
    digest    TEXT,
    ops       INTEGER NOT NULL DEFAULT 0,
    newest    INTEGER NOT NULL DEFAULT 0,
    seen_at   INTEGER,
    error     TEXT
);

-- A row here while a merge writes: the triggers below log nothing.
CREATE TABLE device_quiet (on_ INTEGER);

-- A post's identity across devices: its URL, else its source's location (a feed, a git
-- remote: the same on every computer) or, for a folder, the site's name (a folder's path is
-- this computer's), with the post's key.
CREATE VIEW device_targets AS
SELECT a.id AS id,
       CASE WHEN a.url IS NOT NULL THEN 'url:' || a.url
            WHEN s.kind = 'jekyll-folder' THEN 'folder:' || s.name || char(10) || a.key
            ELSE 'source:' || s.location || char(10) || a.key END AS target
FROM articles a JOIN sources s ON s.id = a.source_id;

-- The clock's next stamp: later than the last one and than now. Entries are written as
-- upserts, not INSERT OR REPLACE: a trigger's conflict clause gives way to the statement's
-- that fired it, and `INSERT OR IGNORE INTO bookmarks` would make it "or ignore".
CREATE TRIGGER device_log_bookmark_on AFTER INSERT ON bookmarks WHEN NOT EXISTS (SELECT 1 FROM device_quiet)
BEGIN
    UPDATE device_self SET clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536);
    INSERT INTO device_ops (target, field, value, stamp, device)
    SELECT t.target, 'bookmark', '1', d.clock, d.id FROM device_targets t, device_self d WHERE t.id = NEW.article_id
    ON CONFLICT (target, field, device) DO UPDATE SET value = excluded.value, stamp = excluded.stamp;
END;
CREATE TRIGGER device_log_bookmark_off AFTER DELETE ON bookmarks WHEN NOT EXISTS (SELECT 1 FROM device_quiet)
BEGIN
    UPDATE device_self SET clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536);
    INSERT INTO device_ops (target, field, value, stamp, device)
    SELECT t.target, 'bookmark', '0', d.clock, d.id FROM device_targets t, device_self d WHERE t.id = OLD.article_id
    ON CONFLICT (target, field, device) DO UPDATE SET value = excluded.value, stamp = excluded.stamp;
END;
CREATE TRIGGER device_log_read_on AFTER INSERT ON read_state WHEN NOT EXISTS (SELECT 1 FROM device_quiet)
BEGIN
    UPDATE device_self SET clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536);
    INSERT INTO device_ops (target, field, value, stamp, device)
    SELECT t.target, 'read', '1', d.clock, d.id FROM device_targets t, device_self d WHERE t.id = NEW.article_id
    ON CONFLICT (target, field, device) DO UPDATE SET value = excluded.value, stamp = excluded.stamp;
END;
-- A post deleted by retention takes its read mark with it (the post is gone by then, so
-- nothing is logged): that is not the reader marking it unread.
CREATE TRIGGER device_log_read_off AFTER DELETE ON read_state WHEN NOT EXISTS (SELECT 1 FROM device_quiet)
BEGIN
    UPDATE device_self SET clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536);
    INSERT INTO device_ops (target, field, value, stamp, device)
    SELECT t.target, 'read', '0', d.clock, d.id FROM device_targets t, device_self d WHERE t.id = OLD.article_id
    ON CONFLICT (target, field, device) DO UPDATE SET value = excluded.value, stamp = excluded.stamp;
END;
CREATE TRIGGER device_log_tag_on AFTER INSERT ON article_user_tags WHEN NOT EXISTS (SELECT 1 FROM device_quiet)
BEGIN
    UPDATE device_self SET clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536);
    INSERT INTO device_ops (target, field, value, stamp, device)
    SELECT t.target, 'tag:' || lower(u.name), '+' || u.name, d.clock, d.id
    FROM device_targets t, user_tags u, device_self d WHERE t.id = NEW.article_id AND u.id = NEW.user_tag_id
    ON CONFLICT (target, field, device) DO UPDATE SET value = excluded.value, stamp = excluded.stamp;
END;
-- A tag deleted whole is logged by the trigger on `user_tags` below (by the time its posts'
-- rows cascade, its name is gone).
CREATE TRIGGER device_log_tag_off AFTER DELETE ON article_user_tags WHEN NOT EXISTS (SELECT 1 FROM device_quiet)
BEGIN
    UPDATE device_self SET clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536);
    INSERT INTO device_ops (target, field, value, stamp, device)
    SELECT t.target, 'tag:' || lower(u.name), '-' || u.name, d.clock, d.id
    FROM device_targets t, user_tags u, device_self d WHERE t.id = OLD.article_id AND u.id = OLD.user_tag_id
    ON CONFLICT (target, field, device) DO UPDATE SET value = excluded.value, stamp = excluded.stamp;
END;
CREATE TRIGGER device_log_tag_deleted BEFORE DELETE ON user_tags WHEN NOT EXISTS (SELECT 1 FROM device_quiet)
BEGIN
    UPDATE device_self SET clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536);
    INSERT INTO device_ops (target, field, value, stamp, device)
    SELECT t.target, 'tag:' || lower(OLD.name), '-' || OLD.name, d.clock, d.id
    FROM article_user_tags aut JOIN device_targets t ON t.id = aut.article_id, device_self d WHERE aut.user_tag_id = OLD.id
    ON CONFLICT (target, field, device) DO UPDATE SET value = excluded.value, stamp = excluded.stamp;
END;
-- A rename is, on each post, the old name removed and the new one added (the add stamped
-- later, so a rename that only changes case ends as the add).
CREATE TRIGGER device_log_tag_renamed AFTER UPDATE OF name ON user_tags
WHEN NOT EXISTS (SELECT 1 FROM device_quiet) AND OLD.name IS NOT NEW.name
BEGIN
    UPDATE device_self SET clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536);
    INSERT INTO device_ops (target, field, value, stamp, device)
    SELECT t.target, 'tag:' || lower(OLD.name), '-' || OLD.name, d.clock, d.id
    FROM article_user_tags aut JOIN device_targets t ON t.id = aut.article_id, device_self d WHERE aut.user_tag_id = NEW.id
    ON CONFLICT (target, field, device) DO UPDATE SET value = excluded.value, stamp = excluded.stamp;
    UPDATE device_self SET clock = clock + 1;
    INSERT INTO device_ops (target, field, value, stamp, device)
    SELECT t.target, 'tag:' || lower(NEW.name), '+' || NEW.name, d.clock, d.id
    FROM article_user_tags aut JOIN device_targets t ON t.id = aut.article_id, device_self d WHERE aut.user_tag_id = NEW.id
    ON CONFLICT (target, field, device) DO UPDATE SET value = excluded.value, stamp = excluded.stamp;
END;
-- Feeds and git sources only: a folder's path is this computer's, the sample is everyone's.
CREATE TRIGGER device_log_source_added AFTER INSERT ON sources
WHEN NOT EXISTS (SELECT 1 FROM device_quiet) AND NEW.kind IN ('feed', 'jekyll-git')
BEGIN
    UPDATE device_self SET clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536);
    INSERT INTO device_ops (target, field, value, stamp, device)
    SELECT 'source:' || NEW.location, 'source', json_object('kind', NEW.kind, 'name', NEW.name, 'removed', 0), d.clock, d.id
    FROM device_self d WHERE true
    ON CONFLICT (target, field, device) DO UPDATE SET value = excluded.value, stamp = excluded.stamp;
END;
CREATE TRIGGER device_log_source_removed AFTER UPDATE OF removed_at ON sources
WHEN NOT EXISTS (SELECT 1 FROM device_quiet) AND NEW.kind IN ('feed', 'jekyll-git')
     AND (OLD.removed_at IS NULL) <> (NEW.removed_at IS NULL)
BEGIN
    UPDATE device_self SET clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536);
    INSERT INTO device_ops (target, field, value, stamp, device)
    SELECT 'source:' || NEW.location, 'source',
           json_object('kind', NEW.kind, 'name', NEW.name, 'removed', NEW.removed_at IS NOT NULL), d.clock, d.id
    FROM device_self d WHERE true
    ON CONFLICT (target, field, device) DO UPDATE SET value = excluded.value, stamp = excluded.stamp;
END;
CREATE TRIGGER device_log_source_interval AFTER UPDATE OF interval_min ON sources
WHEN NOT EXISTS (SELECT 1 FROM device_quiet) AND NEW.kind IN ('feed', 'jekyll-git')
     AND OLD.interval_min IS NOT NEW.interval_min
BEGIN
    UPDATE device_self SET clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536);
    INSERT INTO device_ops (target, field, value, stamp, device)
    SELECT 'source:' || NEW.location, 'interval', CAST(NEW.interval_min AS TEXT), d.clock, d.id FROM device_self d WHERE true
    ON CONFLICT (target, field, device) DO UPDATE SET value = excluded.value, stamp = excluded.stamp;
END;
-- The settings a reader means for every computer (the window's, the image cache's limit);
-- where this device syncs to is its own.
-- The window's settings without what belongs to this screen and this archive (the article
-- open at the end, how far it was read, pane widths), so scrolling logs nothing.
CREATE VIEW device_shared_settings AS
SELECT key, CASE WHEN key = 'ui' AND json_valid(value)
                 THEN json_remove(value, '$.last_article', '$.last_scroll', '$.sidebar_width', '$.list_width')
                 ELSE value END AS value
FROM settings WHERE key IN ('ui', 'image_budget_bytes');
CREATE TRIGGER device_log_setting_added AFTER INSERT ON settings
WHEN NOT EXISTS (SELECT 1 FROM device_quiet) AND NEW.key IN ('ui', 'image_budget_bytes')
BEGIN
    UPDATE device_self SET clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536);
    INSERT INTO device_ops (target, field, value, stamp, device)
    SELECT 'setting:' || v.key, 'value', v.value, d.clock, d.id FROM device_shared_settings v, device_self d
    WHERE v.key = NEW.key
    ON CONFLICT (target, field, device) DO UPDATE SET value = excluded.value, stamp = excluded.stamp;
END;
CREATE TRIGGER device_log_setting_changed AFTER UPDATE OF value ON settings
WHEN NOT EXISTS (SELECT 1 FROM device_quiet) AND NEW.key IN ('ui', 'image_budget_bytes')
     AND CASE WHEN NEW.key = 'ui' AND json_valid(OLD.value)
              THEN json_remove(OLD.value, '$.last_article', '$.last_scroll', '$.sidebar_width', '$.list_width')
              ELSE OLD.value END
         IS NOT (SELECT value FROM device_shared_settings WHERE key = NEW.key)
BEGIN
    UPDATE device_self SET clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536);
    INSERT INTO device_ops (target, field, value, stamp, device)
    SELECT 'setting:' || v.key, 'value', v.value, d.clock, d.id FROM device_shared_settings v, device_self d
    WHERE v.key = NEW.key
    ON CONFLICT (target, field, device) DO UPDATE SET value = excluded.value, stamp = excluded.stamp;
END;

-- What the reader did before this migration is this device's first entries (one stamp for
-- all: they were made before any other device could be seen).
UPDATE device_self SET clock = CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536;
INSERT INTO device_ops (target, field, value, stamp, device)
SELECT t.target, 'bookmark', '1', d.clock, d.id FROM bookmarks b JOIN device_targets t ON t.id = b.article_id, device_self d WHERE true
    ON CONFLICT (target, field, device) DO UPDATE SET value = excluded.value, stamp = excluded.stamp;
INSERT INTO device_ops (target, field, value, stamp, device)
SELECT t.target, 'read', '1', d.clock, d.id FROM read_state r JOIN device_targets t ON t.id = r.article_id, device_self d WHERE true
    ON CONFLICT (target, field, device) DO UPDATE SET value = excluded.value, stamp = excluded.stamp;
INSERT INTO device_ops (target, field, value, stamp, device)
SELECT t.target, 'tag:' || lower(u.name), '+' || u.name, d.clock, d.id
FROM article_user_tags aut JOIN device_targets t ON t.id = aut.article_id JOIN user_tags u ON u.id = aut.user_tag_id, device_self d WHERE true
    ON CONFLICT (target, field, device) DO UPDATE SET value = excluded.value, stamp = excluded.stamp;
INSERT INTO device_ops (target, field, value, stamp, device)
SELECT 'source:' || s.location, 'source', json_object('kind', s.kind, 'name', s.name, 'removed', s.removed_at IS NOT NULL),
       d.clock, d.id
FROM sources s, device_self d WHERE s.kind IN ('feed', 'jekyll-git')
    ON CONFLICT (target, field, device) DO UPDATE SET value = excluded.value, stamp = excluded.stamp;
INSERT INTO device_ops (target, field, value, stamp, device)
SELECT 'setting:' || s.key, 'value', s.value, d.clock, d.id FROM device_shared_settings s, device_self d WHERE true
    ON CONFLICT (target, field, device) DO UPDATE SET value = excluded.value, stamp = excluded.stamp;
