//! `broadsheet_jekyll::parse_post` on arbitrary bytes: front matter (YAML and the fallbacks),
//! dates, Liquid, permalinks, Markdown and the sanitiser. Seeds: corpus and sample posts.
//!
//! Checks: no panic (the crate's invariant), a key equal to the file stem, and the HTML, text,
//! excerpt and image invariants of `broadsheet_html` on the result.
#![no_main]

use std::sync::OnceLock;

use broadsheet_fuzz::{assert_excerpt, assert_http_urls, assert_plain_text, assert_safe_html, pick};
use broadsheet_jekyll::{parse_config, parse_post, Parsed, PostFile, SiteConfig};
use libfuzzer_sys::fuzz_target;

/// File names real sites have (finews' dash-named post, sub-folders, `.markdown`, no date).
const PATHS: &[(&str, &str)] = &[
    ("_posts/2021-12-08-202112082206672930.md", "2021-12-08-202112082206672930"),
    ("_posts/-202205262391921712.md", "-202205262391921712"),
    ("_posts/read_sf_lf/2014-10-1-sf-lf-01.markdown", "2014-10-1-sf-lf-01"),
    ("old_post/2022-03-08-NW202203082301008920.md", "2022-03-08-NW202203082301008920"),
    ("_posts/2016-04-19-jekyll-3-1-3-released.markdown", "2016-04-19-jekyll-3-1-3-released"),
    ("_posts/notes.md", "notes"),
];

/// Site settings like the corpus sites', plus odd zones and permalink templates.
const CONFIGS: &[&str] = &[
    "title: 金融消息\nlang: zh-CN\nurl: https://finews.withounder.com\ntimezone: Asia/Shanghai\n",
    "title: Jekyll\nurl: https://jekyllrb.com\nrepository: https://github.com/jekyll/jekyll\npermalink: pretty\n",
    "title: Hux Blog\nurl: https://huangxuan.me\nbaseurl: /blog\npermalink: /:year/:month/:day/:title/\n",
    "timezone: America/Los_Angeles\npermalink: /:categories/:year/W:week/:short_day/:title:output_ext\n",
    "timezone: Not/AZone\npermalink: ordinal\nlang: en\n",
    "",
];

fn configs() -> &'static [SiteConfig] {
    static CONFIGS_PARSED: OnceLock<Vec<SiteConfig>> = OnceLock::new();
    CONFIGS_PARSED.get_or_init(|| CONFIGS.iter().map(|c| parse_config(c).0).collect())
}

fuzz_target!(|data: &[u8]| {
    let (path, stem) = *pick(data, PATHS);
    let site = pick(data.get(..data.len() / 2).unwrap_or_default(), configs());
    let file = PostFile { path, bytes: data, modified: Some(1_700_000_000) };
    let (parsed, _warnings) = parse_post(&file, site);
    if let Parsed::Post(post) = parsed {
        assert_eq!(post.key, stem, "the key is the file name without extension");
        assert_safe_html(&post.html, None);
        if !post.text.is_empty() {
            assert_plain_text(&post.text);
        }
        assert_excerpt(&post.excerpt);
        assert_http_urls(&post.images);
        assert!(post.utc_offset_min.abs() < 26 * 60, "offset {} min", post.utc_offset_min);
    }
});
