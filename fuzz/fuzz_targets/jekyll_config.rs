//! `broadsheet_jekyll::parse_config` on arbitrary text (a site's `_config.yml`), then a small
//! post read with the result, so odd zones, URLs and permalink templates reach the date and
//! URL code. Checks: no panic; the site URL has no trailing slash (as documented).
#![no_main]

use broadsheet_fuzz::assert_safe_html;
use broadsheet_jekyll::{parse_config, parse_post, Parsed, PostFile};
use libfuzzer_sys::fuzz_target;

const POST: &str = "---\ntitle: \"一个 \"quoted\" title\"\ndate: 2021-12-08 13:16:19\ncategories: [Emnews, 新闻]\n\
                    tags: 东财滚动新闻\n---\n\nText with {{ site.title }}, {{ site.url }} and {{ page.title }}.\n\n\
                    [home]({{ site.baseurl }}/) ![img](/img/a.png)\n";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (site, _warnings) = parse_config(text);
    if let Some(url) = &site.url {
        assert!(!url.ends_with('/') || url.chars().all(|c| c == '/'), "site url {url:?} ends with a slash");
    }
    for (path, modified) in [("_posts/2021-12-08-x.md", None), ("_posts/undated.md", Some(-62_000_000_000))] {
        let file = PostFile { path, bytes: POST.as_bytes(), modified };
        if let (Parsed::Post(post), _) = parse_post(&file, &site) {
            assert_safe_html(&post.html, None);
        }
    }
});
