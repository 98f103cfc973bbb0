//! The one HTML policy, `broadsheet_html`: `sanitize` (ingest), `for_display` (the reader,
//! images pointed at `bsimg:`), `plain_text`, `excerpt`, `link_targets`, `image_sources`,
//! and `broadsheet_jekyll::site_link` on the links found. Seeds: corpus and sample post
//! bodies (finews' are mostly raw HTML).
//!
//! Checks: no panic; the crate's invariant on both outputs (no scripts, styles, handlers,
//! frames, forms; URLs only http(s)/mailto, plus `bsimg` on display, where every image
//! points); sanitising is stable (from the second pass on: see below); plain text and excerpt
//! keep their shape; gathered image URLs are absolute http(s).
#![no_main]

use std::collections::HashMap;

use broadsheet_fuzz::{assert_excerpt, assert_http_urls, assert_plain_text, assert_safe_html, pick};
use libfuzzer_sys::fuzz_target;

const SITES: &[Option<&str>] =
    &[Some("https://finews.withounder.com"), Some("https://huangxuan.me/blog/"), Some("http://a.example"), None];

fn local_url(original: &str) -> String {
    // As `src-tauri/src/image_scheme.rs`: every non-alphanumeric byte percent-encoded.
    let mut out = String::from("bsimg://localhost/");
    for b in original.bytes() {
        if b.is_ascii_alphanumeric() {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let site = *pick(data, SITES);

    let clean = broadsheet_html::sanitize(&input, site);
    assert_safe_html(&clean, None);
    // Stable: sanitising again changes nothing (this found `<img src="//a b">` kept as
    // `https://a b` by the first pass and dropped by the second; fixed).
    let again = broadsheet_html::sanitize(&clean, site);
    assert_eq!(again, clean, "sanitising sanitised HTML changed it\ninput: {input:?}");

    let images = broadsheet_html::image_sources(&clean);
    assert_http_urls(&images);
    let mut links = HashMap::new();
    for href in broadsheet_html::link_targets(&clean) {
        if let Some(link) = broadsheet_jekyll::site_link(&href, site.unwrap_or("https://finews.withounder.com")) {
            links.insert(href, format!("#{}", format!("{link:?}").replace(|c: char| !c.is_ascii_alphanumeric(), "")));
        }
    }
    let shown = broadsheet_html::for_display(&clean, "bsimg", local_url, links);
    assert_safe_html(&shown, Some("bsimg"));
    for src in broadsheet_html::image_sources(&shown) {
        panic!("an image left pointing at the network on display: {src:?}");
    }

    for html in [&*input, &clean] {
        let text = broadsheet_html::plain_text(html);
        if !text.is_empty() {
            assert_plain_text(&text);
        }
        assert_excerpt(&broadsheet_html::excerpt(&text));
    }
    let _ = broadsheet_html::detect_lang(&input, None);
});
