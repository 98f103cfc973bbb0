//! `broadsheet_feed::parse_feed` (RSS 0.9x/1.0/2.0, Atom, JSON Feed via feed-rs) on arbitrary
//! bytes, and feed discovery on the same bytes read as a page. Seeds: feeds wrapped around
//! corpus and sample posts at seeding time, plus `fuzz/seeds/feed`.
//!
//! Checks: no panic (the crate's invariant); every post has a key and a title, sanitised
//! HTML, http(s) images and well-formed text and excerpt; URLs discovered on an https page
//! are absolute http(s).
#![no_main]

use broadsheet_fuzz::{assert_excerpt, assert_http_urls, assert_plain_text, assert_safe_html};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(feed) = broadsheet_feed::parse_feed(data, "https://example.com/blog/feed.xml", 1_700_000_000) {
        for post in &feed.posts {
            assert!(!post.key.is_empty(), "a post without a key");
            assert!(!post.title.trim().is_empty(), "a post with a blank title: {post:?}");
            assert_safe_html(&post.html, None);
            if !post.text.is_empty() {
                assert_plain_text(&post.text);
            }
            assert_excerpt(&post.excerpt);
            assert_http_urls(&post.images);
        }
    }
    if let Ok(page) = std::str::from_utf8(data) {
        for url in broadsheet_feed::discover(page, "https://example.com/blog/") {
            assert!(url.starts_with("https://") || url.starts_with("http://"), "discovered {url:?}");
        }
        // A site URL as a user types it (the first line), for the conventional feed paths.
        let _ = broadsheet_feed::conventional_feed_urls(page.lines().next().unwrap_or_default());
    }
});
