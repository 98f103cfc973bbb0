-- The same story carried more than once (wire copy under several outlets, a post in two
-- sources): MinHash sketches of each post's text (`src/duplicates/`), their LSH band keys,
-- and the groups of posts found to be the same story.

-- One row per post looked at; `sketch` NULL when its text is too short to judge. A post's
-- row goes when its text changes (looked at again) or the post goes.
CREATE TABLE article_sketches (
    article_id  INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    sketch      BLOB
);

-- Band key → posts (no foreign key: a row left by a post since changed or removed is
-- harmless, as every candidate is checked against its current sketch, and is dropped when met).
CREATE TABLE sketch_bands (
    band        INTEGER NOT NULL,
    article_id  INTEGER NOT NULL,
    PRIMARY KEY (band, article_id)
) WITHOUT ROWID;

-- Posts in a group of copies (a post alone has no row). `group_id` only names the group;
-- the copy shown for it is its member with the smallest id.
CREATE TABLE article_groups (
    article_id  INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    group_id    INTEGER NOT NULL
);
CREATE INDEX article_groups_by_group ON article_groups (group_id, article_id);
