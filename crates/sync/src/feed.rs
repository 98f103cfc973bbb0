//! Feed posts → archive rows.

use broadsheet_feed::FeedPost;
use broadsheet_store::NewArticle;

/// The row, prepared for the writer (`NewArticle::prepare`): feeds are parsed off the writer.
pub(crate) fn to_row(p: FeedPost) -> NewArticle {
    let mut row = NewArticle {
        key: p.key,
        title: p.title,
        published_at: p.timestamp,
        utc_offset_min: 0,
        url: p.url,
        lang: p.lang,
        html: p.html,
        text: p.text,
        // broadsheet_feed makes it plain_text of the sanitised HTML.
        text_derived: true,
        excerpt: p.excerpt,
        extra_json: "{}".into(),
        categories: p.categories.into_iter().map(|c| (c, None)).collect(),
        tags: Vec::new(),
        images: p.images,
        prepared: None,
    };
    row.prepare();
    row
}
