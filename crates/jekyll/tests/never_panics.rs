//! The parser is fed hostile input: it must return a value or a skip, never panic.

use broadsheet_jekyll::{parse_config, parse_post, render_body, site_link, PostFile, SiteConfig};
use proptest::prelude::*;

/// Post-like text: front matter fences, YAML-ish lines, Liquid and HTML fragments.
fn post_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "---\n",
        "...\n",
        "\n",
        "title: \"",
        "\"",
        "date: ",
        "2021-12-08 10:02:03 +0800",
        "  +0800",
        "categories: ",
        "[a, b]",
        "- x\n",
        "tags: 大众网新闻",
        "published: false\n",
        "{% raw %}",
        "{% endraw %}",
        "{% highlight x %}",
        "{{ site.url }}",
        "{%",
        "%}",
        "{{",
        "}}",
        "<p>",
        "</p>",
        "<script>",
        "<img src=//h/a.png>",
        "[返回](//h/)",
        "<http://x>",
        "<>",
        "&lt;",
        "`",
        "```",
        "> ",
        "\u{feff}",
        "｜",
        "\r\n",
        ": ",
        "'",
        "&",
    ]);
    prop::collection::vec(prop_oneof![pieces.prop_map(str::to_string), ".{0,12}"], 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_text_is_a_post_or_a_skip(text in post_text(), name in "[-_a-z0-9/.]{0,30}") {
        let site = SiteConfig { url: Some("https://example.org".into()), timezone: Some("Asia/Shanghai".into()), ..Default::default() };
        let _ = parse_post(&PostFile { path: &name, bytes: text.as_bytes(), modified: None }, &site);
    }

    #[test]
    fn any_bytes_are_a_post_or_a_skip(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse_post(&PostFile { path: "_posts/2021-12-08-x.md", bytes: &bytes, modified: Some(0) }, &SiteConfig::default());
    }

    #[test]
    fn any_config_reads(text in post_text()) {
        let _ = parse_config(&text);
    }

    #[test]
    fn any_markdown_renders_without_scripts(text in post_text()) {
        let r = render_body(&text, Some("https://example.org"));
        prop_assert!(!r.html.contains("<script"));
    }

    #[test]
    fn any_href_classifies(href in ".{0,40}", site in "(https?://)?[a-z.]{0,12}(/[a-z]{0,5})?") {
        let _ = site_link(&href, &site);
    }
}
