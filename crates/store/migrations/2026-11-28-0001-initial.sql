-- Synced content: rewritten freely by imports and syncs.
CREATE TABLE sources (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,              -- 'jekyll-folder', 'jekyll-git', 'feed', 'sample'
    location    TEXT NOT NULL UNIQUE,       -- path or URL the source is read from
    name        TEXT NOT NULL,
    site_url    TEXT,
    lang        TEXT,
    created_at  INTEGER NOT NULL
);

CREATE TABLE articles (
    id               INTEGER PRIMARY KEY,
    source_id        INTEGER NOT NULL REFERENCES sources(id),
    key              TEXT NOT NULL,         -- stable per source: the post path without date noise
    title            TEXT NOT NULL,
    published_at     INTEGER NOT NULL,      -- Unix seconds
    utc_offset_min   INTEGER NOT NULL,      -- the post's own offset, kept for display
    url              TEXT,
    lang             TEXT,
    html             TEXT NOT NULL,         -- sanitised at ingest
    text             TEXT NOT NULL,         -- plain text for search and excerpts
    excerpt          TEXT NOT NULL,
    extra_json       TEXT NOT NULL DEFAULT '{}',
    content_hash     TEXT NOT NULL,
    removed_upstream INTEGER NOT NULL DEFAULT 0,
    imported_at      INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    UNIQUE (source_id, key)
);
CREATE INDEX articles_newest ON articles (published_at DESC, id DESC);

CREATE TABLE categories (
    id    INTEGER PRIMARY KEY,
    slug  TEXT NOT NULL UNIQUE,             -- case-sensitive: finews has TechWeb and Techweb
    name  TEXT
);
CREATE TABLE article_categories (
    article_id  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    category_id INTEGER NOT NULL REFERENCES categories(id),
    position    INTEGER NOT NULL,
    PRIMARY KEY (article_id, category_id)
);
CREATE INDEX article_categories_by_category ON article_categories (category_id, article_id);

CREATE TABLE site_tags (
    id    INTEGER PRIMARY KEY,
    name  TEXT NOT NULL UNIQUE
);
CREATE TABLE article_site_tags (
    article_id  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    tag_id      INTEGER NOT NULL REFERENCES site_tags(id),
    position    INTEGER NOT NULL,
    PRIMARY KEY (article_id, tag_id)
);
CREATE INDEX article_site_tags_by_tag ON article_site_tags (tag_id, article_id);

-- Image cache: bytes live in content-addressed files beside the database.
CREATE TABLE images (
    url         TEXT PRIMARY KEY,
    sha256      TEXT,                       -- NULL until fetched
    mime        TEXT,
    bytes       INTEGER,
    last_error  TEXT,
    fetched_at  INTEGER
);
CREATE TABLE article_images (
    article_id  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    url         TEXT NOT NULL,
    PRIMARY KEY (article_id, url)
);

-- The user's own data: never written by import or sync. Articles referenced here are
-- never deleted (RESTRICT), so a bookmark or tag can't vanish with synced content.
CREATE TABLE bookmarks (
    article_id  INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE RESTRICT,
    created_at  INTEGER NOT NULL
);
CREATE TABLE read_state (
    article_id  INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    read_at     INTEGER NOT NULL
);
CREATE TABLE user_tags (
    id    INTEGER PRIMARY KEY,
    name  TEXT NOT NULL UNIQUE COLLATE NOCASE
);
CREATE TABLE article_user_tags (
    article_id   INTEGER NOT NULL REFERENCES articles(id) ON DELETE RESTRICT,
    user_tag_id  INTEGER NOT NULL REFERENCES user_tags(id) ON DELETE CASCADE,
    PRIMARY KEY (article_id, user_tag_id)
);
