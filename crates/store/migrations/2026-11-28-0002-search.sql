-- Full-text index. Contentless: the text lives in `articles`; the index holds tokens that
-- Rust prepares (CJK unigrams and bigrams, other words as written), rowid = articles.id.
-- The application fills it right after this migration and on every import.
CREATE VIRTUAL TABLE article_fts USING fts5(
    title_words, title_uni, title_bi,
    body_words, body_uni, body_bi,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
