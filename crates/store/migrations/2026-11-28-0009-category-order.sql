-- A category's page, newest first, straight from an index: the post's date is kept beside
-- each of its category links (by triggers, so every writer stays correct), and indexed as
-- (category, date, id). Without it the largest category's first page sorted every post of
-- the category (thousands at 100k) for each page.
ALTER TABLE article_categories ADD COLUMN published_at INTEGER NOT NULL DEFAULT 0;
UPDATE article_categories SET published_at = (SELECT a.published_at FROM articles a WHERE a.id = article_id);
CREATE TRIGGER article_categories_dated AFTER INSERT ON article_categories BEGIN
    UPDATE article_categories SET published_at = (SELECT a.published_at FROM articles a WHERE a.id = NEW.article_id)
    WHERE article_id = NEW.article_id AND category_id = NEW.category_id;
END;
CREATE TRIGGER articles_redated AFTER UPDATE OF published_at ON articles BEGIN
    UPDATE article_categories SET published_at = NEW.published_at WHERE article_id = NEW.id;
END;
CREATE INDEX article_categories_newest ON article_categories (category_id, published_at DESC, article_id DESC);
