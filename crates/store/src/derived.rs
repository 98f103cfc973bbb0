//! Values the archive derives instead of storing twice.
//!
//! An article's plain text is `broadsheet_html::plain_text` of its (sanitised) HTML, which
//! every ingest path computes the same way: storing both kept the post's words twice, a
//! fifth of the archive. A row whose text is exactly that stores an empty `text` (any other
//! is kept as given, so nothing is lost); reads that need it (snippets, re-indexing,
//! backups, the CLI's `show`) derive it. Rows written before keep theirs.

/// What to store in `articles.text` for `text` beside `html`: nothing when it can be derived.
pub(crate) fn to_store<'a>(html: &str, text: &'a str) -> &'a str {
    if !text.is_empty() && broadsheet_html::plain_text(html) == text {
        ""
    } else {
        text
    }
}

/// The plain text of an article from its stored columns.
pub(crate) fn text(html: &str, stored: String) -> String {
    if stored.is_empty() && !html.is_empty() {
        broadsheet_html::plain_text(html)
    } else {
        stored
    }
}

#[cfg(test)]
mod tests {
    use crate::{NewArticle, NewSource, Store};

    #[test]
    fn text_the_html_gives_is_not_stored_twice_and_any_other_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("a.sqlite3")).unwrap();
        let src =
            s.upsert_source(&NewSource { kind: "feed", location: "x", name: "x", site_url: None, lang: None }).unwrap();
        let html = "<p>第一段 &amp; more</p><p>第二段</p>";
        let row = |key: &str, text: String| NewArticle {
            key: key.into(),
            title: key.into(),
            html: html.into(),
            text,
            extra_json: "{}".into(),
            ..Default::default()
        };
        let vouched = NewArticle { text_derived: true, ..row("vouched", broadsheet_html::plain_text(html)) };
        s.upsert_articles(
            src,
            &[row("derived", broadsheet_html::plain_text(html)), row("own", "other\ttext".into()), vouched],
        )
        .unwrap();
        let stored: Vec<(String, String)> = s
            .conn
            .prepare("SELECT key, text FROM articles ORDER BY key")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            stored,
            [
                ("derived".to_string(), String::new()),
                ("own".to_string(), "other\ttext".to_string()),
                ("vouched".to_string(), String::new())
            ]
        );
        let ids: Vec<i64> =
            s.list_articles(&broadsheet_model::ArticleQuery::default()).unwrap().iter().map(|a| a.id).collect();
        let texts: Vec<String> = ids.iter().map(|id| s.article(*id).unwrap().text).collect();
        assert!(texts.contains(&"第一段 & more\n第二段".to_string()), "{texts:?}");
        assert!(texts.contains(&"other\ttext".to_string()));
        assert_eq!(texts.iter().filter(|t| t.as_str() == "第一段 & more\n第二段").count(), 2);
        let q = broadsheet_model::SearchQuery { query: "第二段".into(), ..Default::default() };
        let hit = &s.search(&q).unwrap()[0];
        assert!(hit.snippet.contains("<mark>"), "snippets come from the derived text: {}", hit.snippet);
    }
}
