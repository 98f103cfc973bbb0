//! Values the archive derives instead of storing twice.
//!
//! An article's plain text is `broadsheet_html::plain_text` of its (sanitised) HTML, which
//! every ingest path computes the same way: storing both kept the post's words twice, a
//! fifth of the archive. A row whose text is exactly that stores an empty `text` (any other
//! is kept as given, so nothing is lost); reads that need it (snippets, re-indexing,
//! backups, the CLI's `show`) derive it. Rows written before keep theirs.
//!
//! The list excerpt likewise: `broadsheet_html::excerpt` of that text (every ingest path
//! makes it so) is stored as empty and derived for each list row — from the first
//! [`EXCERPT_SOURCE_BYTES`] of the body when their text reaches well past the excerpt, the
//! whole body otherwise — which kept 160 CJK characters (~480 bytes) per row, a tenth of a
//! 100k archive.

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

/// What to store in `articles.excerpt` beside `html` whose plain text is `plain` (if the
/// caller has it): nothing when it is the excerpt the HTML gives.
pub(crate) fn excerpt_to_store<'a>(html: &str, plain: Option<&str>, excerpt: &'a str) -> &'a str {
    let derived = match plain {
        Some(p) => broadsheet_html::excerpt(p),
        None => broadsheet_html::excerpt(&broadsheet_html::plain_text(html)),
    };
    if derived == excerpt {
        ""
    } else {
        excerpt
    }
}

/// How much of a body a list row's excerpt is first derived from.
const EXCERPT_SOURCE_BYTES: usize = 8 * 1024;
/// How far past the excerpt the text of a cut body must reach to be trusted: what a cut
/// changes is at its end (a tag, an entity or a run of spaces left open), far shorter.
const CUT_SLACK: usize = 64;

/// A list row's excerpt from its stored columns (`stored` empty: derive it from `body`).
pub(crate) fn excerpt(stored: String, body: rusqlite::types::ValueRef<'_>) -> String {
    if !stored.is_empty() || matches!(body, rusqlite::types::ValueRef::Null) {
        return stored;
    }
    if let Ok(prefix) = crate::body::prefix(body, EXCERPT_SOURCE_BYTES) {
        if let Some(e) = excerpt_of_prefix(&prefix, EXCERPT_SOURCE_BYTES) {
            return e;
        }
    }
    broadsheet_html::excerpt(&broadsheet_html::plain_text(&crate::body::or_empty(body)))
}

/// The excerpt of a body from its first bytes `prefix` (at most `max`, cut at a character),
/// or `None` when they may not give the whole body's excerpt.
fn excerpt_of_prefix(prefix: &str, max: usize) -> Option<String> {
    // Shorter than asked by more than a character's bytes: the whole body.
    let whole = prefix.len() + 4 <= max;
    let text = broadsheet_html::plain_text(prefix);
    (whole || text.chars().count() >= broadsheet_html::EXCERPT_CHARS + CUT_SLACK)
        .then(|| broadsheet_html::excerpt(&text))
}

#[cfg(test)]
mod tests {
    use crate::{NewArticle, NewSource, Store};

    /// Bodies cut anywhere give the whole body's excerpt, or say they cannot.
    #[test]
    fn an_excerpt_from_a_cut_body_is_the_whole_bodys_or_none() {
        let pieces = [
            "<p>",
            "</p>",
            "<br>",
            "&amp;",
            "&lt;",
            "&#x4e2d;",
            "  ",
            "\n",
            "中文",
            "段落",
            "word ",
            "<a href=\"x\">",
            "</a>",
            "<li>",
            "<img src=\"y\" alt=\"\">",
            "&",
            "<",
            ">",
            "…",
            "一二三四五六七八九十",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..300 {
            let mut html = String::new();
            while html.len() < 3000 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                html.push_str(pieces[(seed % pieces.len() as u64) as usize]);
            }
            let full = broadsheet_html::excerpt(&broadsheet_html::plain_text(&html));
            for max in (200..html.len()).step_by(37) {
                let mut end = max;
                while !html.is_char_boundary(end) {
                    end -= 1;
                }
                if let Some(e) = super::excerpt_of_prefix(&html[..end], max) {
                    assert_eq!(e, full, "cut at {end} of {html:?}");
                }
            }
            assert_eq!(super::excerpt_of_prefix(&html, html.len() + 8).as_deref(), Some(full.as_str()));
        }
    }

    #[test]
    fn an_excerpt_the_html_gives_is_not_stored_and_any_other_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("a.sqlite3")).unwrap();
        let src =
            s.upsert_source(&NewSource { kind: "feed", location: "x", name: "x", site_url: None, lang: None }).unwrap();
        let long: String = "很长的新闻正文。".repeat(400);
        let html = format!("<p>{long}</p>");
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
        s.upsert_articles(
            src,
            &[
                row("derived", derived.clone(), false),
                row("prepared", derived.clone(), true),
                row("own", "编辑写的摘要".into(), true),
            ],
        )
        .unwrap();
        let stored: Vec<(String, String)> = s
            .conn
            .prepare("SELECT key, excerpt FROM articles ORDER BY key")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            stored,
            [
                ("derived".to_string(), String::new()),
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
        let mut want = vec![derived.clone(), derived, "编辑写的摘要".to_string()];
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
