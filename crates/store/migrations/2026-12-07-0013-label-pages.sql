-- The sidebar lists a page of categories and of site tags, not all of them: a folder can
-- declare millions (32 per post), and sending every one to the window froze it. A page by
-- name walks this index and stops; without it every category was counted and sorted first.
CREATE INDEX categories_by_name ON categories (coalesce(name, slug), slug);
-- (category_id, article_id) is a prefix-equal twin of article_categories_newest for every
-- look-up by category; one index is enough.
DROP INDEX IF EXISTS article_categories_by_category;
