//! Article HTML is hostile. Every ingest path sanitises through [`sanitize`], and the
//! display path re-sanitises through [`for_display`] while pointing images at the local cache.
//!
//! Invariant: output of this crate never contains scripts, styles, event handlers, frames,
//! forms or URLs outside http(s)/mailto (plus the app's own image scheme, on display).

mod depth;
mod lang;

use std::borrow::Cow;
use std::collections::HashMap;

pub use depth::{document_depth, within_bounds};
pub use lang::detect_lang;

use ammonia::{Builder, Url, UrlRelative};

/// Characters of text an excerpt keeps (then "…").
pub const EXCERPT_CHARS: usize = 160;

fn policy<'a>() -> Builder<'a> {
    let mut b = Builder::default();
    b.add_tags(["center", "figure", "figcaption"])
        .add_tag_attributes("img", ["width", "height"])
        // `cite` holds a URL that ammonia's scheme check does not cover (`javascript:` would
        // survive), and the reader never shows it.
        .rm_tag_attributes("blockquote", ["cite"])
        .rm_tag_attributes("q", ["cite"])
        .rm_tag_attributes("del", ["cite"])
        .rm_tag_attributes("ins", ["cite"])
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer"));
    b
}

/// The longest site address relative links are resolved against (longer ones are ignored,
/// like a site address that is not http(s)).
pub const MAX_SITE_URL_BYTES: usize = 2048;

/// Sanitises untrusted HTML. `site_url` resolves relative links; protocol-relative
/// `//host/…` links become `https://host/…`. A site address that is not http(s) is ignored:
/// it comes from the same untrusted source, and resolving against `javascript:…` or
/// `vbscript://…` would mint URLs the scheme check has already passed.
///
/// Resolving copies the site's address into every relative link, so the address is used
/// only up to [`MAX_SITE_URL_BYTES`] (before it is parsed: CJK in it triples), and the links of one
/// document may grow by at most its own length plus 1 MiB in all; past that, relative links
/// are dropped (a 50 KB post of 10,000 `[](x)` against a 6 MB address was 63 GB).
pub fn sanitize(html: &str, site_url: Option<&str>) -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    // Checked before it is parsed: a feed hands every entry its channel's link, and 2,500
    // entries each parsing a 30 MB link were 75 GB of work.
    let base = site_url
        .filter(|u| u.len() <= MAX_SITE_URL_BYTES)
        .and_then(|u| Url::parse(&format!("{}/", u.trim_end_matches('/'))).ok())
        .filter(|b| matches!(b.scheme(), "http" | "https"));
    let growth_left = AtomicUsize::new(html.len() + (1 << 20));
    let resolve = relative_resolver(move |url| {
        if growth_left.load(Ordering::Relaxed) == 0 {
            return None;
        }
        let resolved = if let Some(rest) = url.strip_prefix("//") {
            // Only a URL that parses is kept (as the parser spells it), so a second pass —
            // and the display pass — keep exactly what this one kept (`//a b` is dropped).
            Url::parse(&format!("https://{rest}")).ok()?.to_string()
        } else {
            match &base {
                Some(b) => b.join(url).ok()?.to_string(),
                None => return Some(Cow::Borrowed(url)),
            }
        };
        let grows = resolved.len().saturating_sub(url.len());
        // One resolver per call of `sanitize`, run on its thread: the atomic is only for
        // the `Sync` ammonia asks of it.
        let left = growth_left.load(Ordering::Relaxed);
        if grows > left {
            growth_left.store(0, Ordering::Relaxed);
            return None;
        }
        growth_left.store(left - grows, Ordering::Relaxed);
        Some(Cow::Owned(resolved))
    });
    policy().url_relative(UrlRelative::Custom(Box::new(resolve))).clean(&depth::bound(html)).to_string()
}

// Pins the closure's signature so it is general over the URL's lifetime.
fn relative_resolver<F>(f: F) -> F
where
    F: for<'u> Fn(&'u str) -> Option<Cow<'u, str>> + Send + Sync + 'static,
{
    f
}

/// Re-sanitises stored HTML for the reader, maps every `<img src>` through `image` (to the
/// app's image scheme, named `scheme`) and replaces link targets found in `links` (same-site
/// links that the app opens itself, e.g. `#category=emnews`).
pub fn for_display(
    html: &str,
    scheme: &str,
    image: impl Fn(&str) -> String + Send + Sync + 'static,
    links: HashMap<String, String>,
) -> String {
    let mut b = policy();
    let mut schemes: std::collections::HashSet<&str> = ["http", "https", "mailto"].into_iter().collect();
    schemes.insert(scheme);
    let image_scheme = scheme.to_ascii_lowercase();
    // Where the platform has no custom schemes in the webview (Windows, Android), the same
    // images are served at `http://SCHEME.localhost/`.
    let image_host = format!("{image_scheme}.localhost");
    b.url_schemes(schemes)
        // Stored HTML is already absolute; what is relative now is our own `#…` targets. Any
        // other relative URL would resolve against the app itself, so it is dropped.
        .url_relative(UrlRelative::Custom(Box::new(relative_resolver(|url| {
            url.starts_with('#').then_some(Cow::Borrowed(url))
        }))))
        .attribute_filter(move |element, attribute, value| match (element, attribute) {
            ("img", "src") => Some(Cow::Owned(image(value))),
            // The image scheme is for images: as a link it would point the webview at it.
            (_, "href")
                if Url::parse(value).is_ok_and(|u| {
                    u.scheme() == image_scheme || u.host_str().is_some_and(|h| h.eq_ignore_ascii_case(&image_host))
                }) =>
            {
                None
            }
            ("a", "href") => Some(links.get(value).map_or(Cow::Borrowed(value), |v| Cow::Owned(v.clone()))),
            _ => Some(Cow::Borrowed(value)),
        })
        .clean(&depth::bound(html))
        .to_string()
}

/// Re-sanitises stored HTML for a file written out (the Markdown export): every `<img src>`
/// mapped through `image` (to a cached copy's site path such as `/assets/…`, or left as it
/// was), links kept as stored. Unlike [`for_display`] there is no app scheme to keep out of
/// links, and a root-relative path is the export's own (stored HTML is absolute).
pub fn for_export(html: &str, image: impl Fn(&str) -> String + Send + Sync + 'static) -> String {
    let mut b = policy();
    b.url_relative(UrlRelative::Custom(Box::new(relative_resolver(|url| {
        (url.starts_with('#') || url.starts_with("/assets/")).then_some(Cow::Borrowed(url))
    }))))
    .attribute_filter(move |element, attribute, value| match (element, attribute) {
        ("img", "src") => Some(Cow::Owned(image(value))),
        _ => Some(Cow::Borrowed(value)),
    })
    .clean(&depth::bound(html))
    .to_string()
}

/// Every `href` of the links in sanitised HTML, decoded, without repeats.
pub fn link_targets(html: &str) -> Vec<String> {
    attribute_values(html, "<a ", "href")
}

/// Absolute http(s) URLs of the images in sanitised HTML, in order, without repeats.
pub fn image_sources(html: &str) -> Vec<String> {
    let mut urls = attribute_values(html, "<img ", "src");
    urls.retain(|u| u.starts_with("https://") || u.starts_with("http://"));
    urls
}

/// Values of attribute `name` on tags opening with `tag`, in sanitiser output, entity-
/// decoded, first occurrence only. The serialiser writes every attribute as `name="value"`
/// with `"` escaped inside values (`<` and `>` are not), so the attributes are read one by
/// one from the tag's start: a value such as `alt="asrc="` or `alt="a>b"` is a value, not
/// the attribute after it or the tag's end.
fn attribute_values(html: &str, tag: &str, name: &str) -> Vec<String> {
    // A hashed "seen" set: a post may carry hundreds of thousands of links, and a scan of the
    // list for each one was quadratic (minutes for a 4 MiB post).
    let mut out: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut rest = html;
    while let Some(i) = rest.find(tag) {
        rest = &rest[i + tag.len()..];
        let (value, after) = attribute_in_tag(rest, name);
        if let Some(v) = value {
            let value = html_escape::decode_html_entities(v).into_owned();
            if seen.insert(value.clone()) {
                out.push(value);
            }
        }
        rest = after;
    }
    out
}

/// The raw value of attribute `name` in a serialised tag whose attributes start `tag`, and
/// what follows the attributes read (the whole tag when it is well formed). Linear in the tag.
fn attribute_in_tag<'a>(tag: &'a str, name: &str) -> (Option<&'a str>, &'a str) {
    let mut rest = tag;
    let mut found = None;
    loop {
        rest = rest.trim_start();
        let Some(eq) = rest.find(|c: char| c == '=' || c == '>' || c == '"' || c.is_whitespace()) else {
            return (found, rest);
        };
        let (attr, after) = rest.split_at(eq);
        let Some(after) = after.strip_prefix("=\"") else { return (found, rest) };
        let Some(end) = after.find('"') else { return (found, rest) };
        if found.is_none() && attr == name {
            found = Some(&after[..end]);
        }
        rest = &after[end + 1..];
    }
}

const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "br",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "tr",
    "blockquote",
    "center",
    "pre",
    "table",
    "figure",
    "figcaption",
    "hr",
    "ul",
    "ol",
];

/// Text of sanitised HTML: tags dropped, blocks on their own lines, entities decoded.
pub fn plain_text(html: &str) -> String {
    let mut buf = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        buf.push_str(&rest[..i]);
        let end = rest[i..].find('>').map_or(rest.len(), |e| i + e + 1);
        let name: String =
            rest[i + 1..end].trim_start_matches('/').chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        if BLOCK_TAGS.contains(&name.to_ascii_lowercase().as_str()) {
            buf.push('\n');
        }
        rest = &rest[end..];
    }
    buf.push_str(rest);
    html_escape::decode_html_entities(&buf)
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A CJK script, as the archive tells them apart (search tokens, language guesses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CjkScript {
    Han,
    Kana,
    Hangul,
    Bopomofo,
}

/// The one table of CJK ranges: Han (with extensions and compatibility ideographs), kana,
/// hangul, bopomofo.
pub fn cjk_script(c: char) -> Option<CjkScript> {
    Some(match c as u32 {
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F => CjkScript::Han,
        0x3040..=0x30FF | 0x31F0..=0x31FF => CjkScript::Kana,
        0xAC00..=0xD7AF | 0x1100..=0x11FF | 0x3130..=0x318F => CjkScript::Hangul,
        0x3100..=0x312F | 0x31A0..=0x31BF => CjkScript::Bopomofo,
        _ => return None,
    })
}

/// Whether `c` is a CJK character (`cjk_script`).
pub fn is_cjk(c: char) -> bool {
    cjk_script(c).is_some()
}

/// `s` as HTML or XML element text or attribute value: markup characters and both quotes as
/// references, and control characters (which XML forbids, and which would break the
/// line-based bookmark importers) as spaces. The one escaper of every writer of markup
/// (snippets, feeds, exports).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() || matches!(c, '\u{fffe}' | '\u{ffff}') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The first words of a text, on one line, for list rows.
pub fn excerpt(text: &str) -> String {
    let flat = text.lines().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= EXCERPT_CHARS {
        return flat;
    }
    let cut: String = flat.chars().take(EXCERPT_CHARS).collect();
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A site address past the bound is not used (nor parsed: a feed passes its channel's
    /// link to every entry), and relative links are left as they were.
    #[test]
    fn a_site_address_past_the_bound_resolves_nothing() {
        let long = format!("https://a.example/{}", "字".repeat(MAX_SITE_URL_BYTES));
        let out = sanitize("<a href=\"x\">a</a>", Some(&long));
        assert!(out.contains("href=\"x\""), "{out}");
        let ok = format!("https://a.example/{}", "a".repeat(MAX_SITE_URL_BYTES - 30));
        assert!(sanitize("<a href=\"x\">a</a>", Some(&ok)).contains(&format!("{ok}/x")));
    }

    #[test]
    fn image_and_link_addresses_are_read_attribute_by_attribute() {
        let html = sanitize(
            concat!(
                r#"<p><img alt="asrc=" src="https://a.example/p.png"> <img alt="a>b" src="https://a.example/q.png">"#,
                r#"<a title="ahref=" href="https://a.example/x">x</a> <img src="https://a.example/p.png"></p>"#,
            ),
            None,
        );
        assert_eq!(image_sources(&html), ["https://a.example/p.png", "https://a.example/q.png"], "{html}");
        assert_eq!(link_targets(&html), ["https://a.example/x"], "{html}");
    }

    #[test]
    fn escaped_text_is_only_text_in_elements_and_attributes() {
        assert_eq!(escape("a<b>&\"c\"'d'"), "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;");
        assert_eq!(escape("line\nbreak\u{0}\u{1b}[31m\u{ffff}"), "line break  [31m ");
        assert_eq!(escape("中文 ok"), "中文 ok");
    }

    #[test]
    fn one_table_tells_the_cjk_scripts_apart() {
        assert_eq!(cjk_script('中'), Some(CjkScript::Han));
        assert_eq!(cjk_script('\u{20000}'), Some(CjkScript::Han));
        assert_eq!(cjk_script('か'), Some(CjkScript::Kana));
        assert_eq!(cjk_script('한'), Some(CjkScript::Hangul));
        assert_eq!(cjk_script('ㄅ'), Some(CjkScript::Bopomofo));
        assert!(!is_cjk('a') && !is_cjk('，') && !is_cjk('1'));
    }

    #[test]
    fn hostile_html_is_neutralised() {
        let html = sanitize(
            "<p onclick=\"x()\">hi</p><script>alert(1)</script><iframe src=\"https://evil\"></iframe>\
             <a href=\"javascript:alert(1)\">a</a><img src=x onerror=alert(1)><style>p{}</style><form></form>",
            None,
        );
        for bad in ["onclick", "<script", "<iframe", "javascript:", "onerror", "<style", "<form"] {
            assert!(!html.contains(bad), "{bad} survived in {html}");
        }
        assert!(html.contains("<p>hi</p>"));
    }

    #[test]
    fn protocol_relative_and_relative_urls_are_resolved() {
        let html = sanitize(
            "<a href=\"//finews.withounder.com/\">首页</a><a href=\"../emnews/\">x</a>",
            Some("https://finews.withounder.com"),
        );
        assert!(html.contains("href=\"https://finews.withounder.com/\""), "{html}");
        assert!(html.contains("href=\"https://finews.withounder.com/emnews/\""), "{html}");
    }

    #[test]
    fn images_are_listed_decoded_and_once() {
        let html =
            sanitize("<img src=\"//img.example/a.jpg?x=1&y=2\"><img src=\"https://img.example/a.jpg?x=1&y=2\">", None);
        assert_eq!(image_sources(&html), vec!["https://img.example/a.jpg?x=1&y=2".to_string()]);
    }

    #[test]
    fn display_points_images_at_the_local_scheme_and_keeps_links() {
        let stored = sanitize(
            "<p><img src=\"https://img.example/a.png\" width=\"552\"><a href=\"https://x.example/\">x</a></p>",
            None,
        );
        let shown = for_display(&stored, "bsimg", |u| format!("bsimg://localhost/{}", u.len()), HashMap::new());
        assert!(shown.contains("src=\"bsimg://localhost/25\""), "{shown}");
        assert!(shown.contains("href=\"https://x.example/\""), "{shown}");
        assert!(shown.contains("width=\"552\""), "{shown}");
        // A link at the image scheme, in either of its platform forms, is dropped.
        for href in ["bsimg://localhost/x", "http://bsimg.localhost/x", "https://BSIMG.localhost/x"] {
            let stored = sanitize(&format!("<p><a href=\"{href}\">x</a></p>"), None);
            let shown = for_display(&stored, "bsimg", |u| u.to_string(), HashMap::new());
            assert!(!shown.to_ascii_lowercase().contains("bsimg"), "{href}: {shown}");
        }
    }

    #[test]
    fn display_replaces_same_site_links_and_leaves_others() {
        let stored = sanitize(
            "<a href=\"//site.example/emnews/\">返回</a> <a href=\"https://else.example/?a=1&b=2\">x</a>",
            None,
        );
        assert_eq!(
            link_targets(&stored),
            vec!["https://site.example/emnews/".to_string(), "https://else.example/?a=1&b=2".to_string()]
        );
        let links = HashMap::from([("https://site.example/emnews/".to_string(), "#category=emnews".to_string())]);
        let shown = for_display(&stored, "bsimg", |u| u.to_string(), links);
        assert!(shown.contains("href=\"#category=emnews\""), "{shown}");
        assert!(shown.contains("href=\"https://else.example/?a=1&amp;b=2\""), "{shown}");
    }

    #[test]
    fn a_hostile_site_address_is_no_base_and_cite_is_dropped() {
        for site in ["javascript:alert(1)//", "vbscript://evil.example", "data:text/html,x"] {
            let html = sanitize("<a href=\"#top\">a</a><a href=\"x\">b</a>", Some(site));
            assert_eq!(
                html,
                "<a href=\"#top\" rel=\"noopener noreferrer\">a</a><a href=\"x\" rel=\"noopener noreferrer\">b</a>"
            );
        }
        let html =
            sanitize("<blockquote cite=\"javascript:alert(1)\">q</blockquote><q cite=\"https://x/\">q</q>", None);
        assert_eq!(html, "<blockquote>q</blockquote><q>q</q>");
    }

    #[test]
    fn display_keeps_only_hash_targets_relative_and_the_image_scheme_on_images() {
        let shown = for_display(
            "<a href=\"#article=3\">a</a><a href=\"/index.html\">b</a><a href=\"bsimg://localhost/x\">c</a><img src=\"x\">",
            "bsimg",
            |u| format!("bsimg://localhost/{u}"),
            HashMap::new(),
        );
        assert_eq!(
            shown,
            "<a href=\"#article=3\" rel=\"noopener noreferrer\">a</a><a rel=\"noopener noreferrer\">b</a>\
             <a rel=\"noopener noreferrer\">c</a><img src=\"bsimg://localhost/x\">"
        );
    }

    #[test]
    fn text_keeps_blocks_apart_and_decodes_entities() {
        let text = plain_text(&sanitize("<p>精度满足&lt;1%</p><p>第二段</p>", None));
        assert_eq!(text, "精度满足<1%\n第二段");
        assert_eq!(excerpt(&text), "精度满足<1% 第二段");
    }

    #[test]
    fn sanitising_is_stable_on_protocol_relative_urls_that_do_not_parse() {
        // Found by the fuzzer: `//a b` became `https://a b`, which the next pass dropped, and
        // was listed as an image to download.
        for html in ["<img src=\"//a b\">", "<a href=\"//x y/\">t</a>", "<img src=\"//img.example/a.png\">"] {
            let once = sanitize(html, Some("https://finews.withounder.com"));
            assert_eq!(sanitize(&once, Some("https://finews.withounder.com")), once, "{html}");
            assert!(image_sources(&once).iter().all(|u| Url::parse(u).is_ok()), "{once}");
        }
        assert_eq!(image_sources(&sanitize("<img src=\"//img.example/a.png\">", None)), ["https://img.example/a.png"]);
    }
}
