//! Values the archive derives instead of storing twice.
//!
//! An article's plain text is `broadsheet_html::plain_text` of its (sanitised) HTML, which
//! every ingest path computes the same way: storing both kept the post's words twice, a
//! fifth of the archive. A row whose text is exactly that stores an empty `text` (any other
//! is kept as given, so nothing is lost); reads that need it (snippets, re-indexing,
//! backups, the CLI's `show`) derive it. Rows written before keep theirs.
//!
//! The list excerpt likewise: `broadsheet_html::excerpt` of that text (every ingest path
//! makes it so) is stored as empty for a body of at most [`EXCERPT_BODY_MAX`] bytes and
//! derived for each list row (at 100k generated posts the column held 48 MB); a longer
//! body keeps its excerpt, so no list row inflates more than that.

/// The plain text of an article from its stored columns.
pub(crate) fn text(html: &str, stored: String) -> String {
    if stored.is_empty() && !html.is_empty() {
        broadsheet_html::plain_text(html)
    } else {
        stored
    }
}

/// Bodies up to this many bytes have their excerpt derived when listed; longer ones store it.
const EXCERPT_BODY_MAX: usize = 8 * 1024;

/// What to store in `articles.text` and `articles.excerpt` beside `html`: each empty when the
/// HTML gives it (the excerpt only for a body short enough to derive it from for every list
/// row). `vouched`: the caller says `text` is the HTML's plain text. Every writer of
/// articles (import, sync, restore) asks here, with one plain-text pass at most.
pub(crate) fn columns_to_store<'a>(html: &str, text: &'a str, excerpt: &'a str, vouched: bool) -> (&'a str, &'a str) {
    let computed;
    let plain = if vouched {
        text
    } else {
        computed = broadsheet_html::plain_text(html);
        computed.as_str()
    };
    // An empty text is derived when read, whatever the HTML gives.
    let stored_text = if vouched || text.is_empty() || plain == text { "" } else { text };
    let derives = html.len() <= EXCERPT_BODY_MAX && broadsheet_html::excerpt(plain) == excerpt;
    (stored_text, if derives { "" } else { excerpt })
}

/// A list row's excerpt from its stored columns (`stored` empty: derive it from `body`, of
/// which no more than [`EXCERPT_BODY_MAX`] bytes are read — the whole of any body this
/// archive derives excerpts for; a damaged body gives none).
pub(crate) fn excerpt(stored: String, body: rusqlite::types::ValueRef<'_>) -> String {
    if !stored.is_empty() || matches!(body, rusqlite::types::ValueRef::Null) {
        return stored;
    }
    crate::body::prefix(body, EXCERPT_BODY_MAX).map(|html| excerpt_of_html(stored, &html)).unwrap_or_default()
}

/// [`excerpt`] for a body already read whole (a backup): from the same first
/// [`EXCERPT_BODY_MAX`] bytes, so both give one excerpt, without inflating the body again.
pub(crate) fn excerpt_of_html(stored: String, html: &str) -> String {
    if !stored.is_empty() {
        return stored;
    }
    let mut end = html.len().min(EXCERPT_BODY_MAX);
    while !html.is_char_boundary(end) {
        end -= 1;
    }
    broadsheet_html::excerpt(&broadsheet_html::plain_text(&html[..end]))
}

#[cfg(test)]
mod tests {
    use crate::{NewArticle, NewSource, Store};

    /// Each article's key and what `column` stores for it, by key.
    fn stored_by_key(s: &Store, column: &str) -> Vec<(String, String)> {
        s.conn
            .prepare(&format!("SELECT key, {column} FROM articles ORDER BY key"))
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn an_excerpt_the_html_gives_is_not_stored_and_any_other_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("a.sqlite3")).unwrap();
        let src =
            s.upsert_source(&NewSource { kind: "feed", location: "x", name: "x", site_url: None, lang: None }).unwrap();
        let body = |n: usize| format!("<p>{}</p>", "新闻正文。".repeat(n));
        let (html, long_html) = (body(100), body(1000));
        let text = broadsheet_html::plain_text(&html);
        let row = |key: &str, excerpt: String, prepare: bool| {
            let mut a = NewArticle {
                key: key.into(),
                title: key.into(),
                html: html.clone(),
                text: text.clone(),
                excerpt,
                extra_json: "{}".into(),
                ..Default::default()
            };
            if prepare {
                a.prepare();
            }
            a
        };
        let derived = broadsheet_html::excerpt(&text);
        // A long body keeps its excerpt: a list row never inflates more than 8 KiB.
        let long_text = broadsheet_html::plain_text(&long_html);
        let long = NewArticle {
            html: long_html.clone(),
            text: long_text.clone(),
            excerpt: broadsheet_html::excerpt(&long_text),
            ..row("long", String::new(), false)
        };
        s.upsert_articles(
            src,
            &[
                row("derived", derived.clone(), false),
                row("prepared", derived.clone(), true),
                row("own", "编辑写的摘要".into(), true),
                long,
            ],
        )
        .unwrap();
        let stored = stored_by_key(&s, "excerpt");
        assert_eq!(
            stored,
            [
                ("derived".to_string(), String::new()),
                ("long".to_string(), broadsheet_html::excerpt(&long_text)),
                ("own".to_string(), "编辑写的摘要".to_string()),
                ("prepared".to_string(), String::new())
            ]
        );
        let mut listed: Vec<String> = s
            .list_articles(&broadsheet_model::ArticleQuery::default())
            .unwrap()
            .into_iter()
            .map(|a| a.excerpt)
            .collect();
        listed.sort();
        let mut want = vec![derived.clone(), derived, "编辑写的摘要".to_string(), broadsheet_html::excerpt(&long_text)];
        want.sort();
        assert_eq!(listed, want, "lists show the derived excerpt and the one written");
    }

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
        let stored = stored_by_key(&s, "text");
        assert_eq!(
            stored,
            [
                ("derived".to_string(), String::new()),
                ("own".to_string(), "other\ttext".to_string()),
                ("vouched".to_string(), String::new())
            ]
        );
        let ids: Vec<crate::ArticleId> =
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
