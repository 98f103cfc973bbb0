//! The search-query parser (`broadsheet_store::search_tokens::parse_query`) and the FTS5
//! expressions it builds, run against a real index: a small in-memory archive with Chinese
//! and English posts, so matches, ranking and snippets run too. Also the indexing tokenizer
//! (`columns`). Seeds: `fuzz/seeds/search_query` and words and phrases of corpus titles.
//!
//! Checks: no panic; FTS syntax in a query is only text, so a query is either refused as
//! invalid input (empty, too long) or searched, never an SQL/FTS error; the length limit
//! holds; snippets escape everything but `<mark>`; CJK text is indexed one unigram per
//! character and one bigram per adjacent pair.
#![no_main]

use std::path::Path;
use std::sync::{Mutex, OnceLock};

use broadsheet_model::SearchQuery;
use broadsheet_store::{search_tokens, Backup, Store, StoreError, MAX_QUERY_CHARS};
use libfuzzer_sys::fuzz_target;

const ARTICLES: &[(&str, &str)] = &[
    ("沪指收涨0.5% 创业板指涨1%", "A股三大指数午后走强，沪指收涨0.5%。北向资金净买入超50亿元；半导体、AI 训练师概念活跃。"),
    ("Jekyll 3.1.3 Released", "This release fixes a \"regression\" in the `jekyll new` command and speeds up\nsite builds. Search: NEAR(a b) OR col:x ^z * \"quoted\""),
    ("Hux Blog · 前端 PWA 升级", "饿了么的 PWA 升级实践 (Progressive Web Apps)：Service Worker、App Shell 与预缓存。English and 中文 mixed; ﾟ漢字ｶﾅ 한국어"),
];

fn store() -> &'static Mutex<Store> {
    static STORE: OnceLock<Mutex<Store>> = OnceLock::new();
    STORE.get_or_init(|| {
        let mut store = Store::open(Path::new(":memory:")).expect("an in-memory archive opens");
        let articles: Vec<serde_json::Value> = ARTICLES
            .iter()
            .enumerate()
            .map(|(i, (title, text))| {
                serde_json::json!({
                    "source": "https://example.com/", "key": format!("post-{i}"), "title": title,
                    "published_at": 1_700_000_000 + i as i64, "utc_offset_min": 480, "url": null, "lang": null,
                    "html": format!("<p>{text}</p>"), "text": text, "excerpt": text, "extra": {},
                    "content_hash": format!("{i}"), "removed_upstream": false, "imported_at": 0, "updated_at": 0,
                    "categories": [{"slug": "emnews", "name": null}], "tags": ["新闻"], "images": [],
                    "bookmarked_at": null, "read_at": null, "user_tags": []
                })
            })
            .collect();
        let backup: Backup = serde_json::from_value(serde_json::json!({
            "format": "broadsheet-backup", "version": 1, "exported_at": 0, "user_tags": [],
            "sources": [{"kind": "feed", "location": "https://example.com/", "name": "Example", "site_url": null,
                         "lang": null, "created_at": 0, "removed_at": null}],
            "articles": articles,
        }))
        .expect("the fixture is a backup");
        store.restore(&backup).expect("the fixture restores");
        Mutex::new(store)
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(query) = std::str::from_utf8(data) else { return };

    let parsed = search_tokens::parse_query(query);
    if query.chars().count() > MAX_QUERY_CHARS {
        assert!(parsed.is_err(), "a query over the limit was accepted");
    }
    if let Ok((expr, _terms)) = &parsed {
        assert!(!expr.is_empty(), "an accepted query with an empty expression");
    }

    let store = store().lock().unwrap();
    match store.search(&SearchQuery { query: query.to_string(), ..Default::default() }) {
        Ok(hits) => {
            assert!(parsed.is_ok(), "search accepted what parse_query refused");
            for hit in hits {
                let without_marks = hit.snippet.replace("<mark>", "").replace("</mark>", "");
                assert!(!without_marks.contains('<'), "unescaped `<` in snippet {:?}", hit.snippet);
            }
        }
        Err(StoreError::InvalidInput(_)) => assert!(parsed.is_err(), "search refused what parse_query accepted"),
        Err(e) => panic!("query {query:?} (FTS {:?}) failed: {e}", parsed.map(|p| p.0)),
    }

    let cols = search_tokens::columns(query);
    let cjk = query.chars().filter(|&c| search_tokens::is_cjk(c)).count();
    assert_eq!(cols.uni.chars().filter(|&c| c != ' ').count(), cjk, "one unigram per CJK character");
    assert_eq!(cols.words.chars().count(), query.chars().count(), "the words column keeps the text's length");
});
