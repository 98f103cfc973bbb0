//! Just enough Liquid for post bodies: what can be rendered is, the rest is removed, so
//! readers never see raw template code.

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::{SiteConfig, Warning};

/// How many distinct removed tag names a warning lists.
const MAX_LISTED: usize = 10;
/// How much longer than the body its expansion may grow.
const MAX_GROWTH: usize = 1024 * 1024;

pub(crate) fn expand(body: &str, site: &SiteConfig, page: &Map<String, Value>, warnings: &mut Vec<Warning>) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    // Names of removed tags, listed once each in the warning (a set, so a body of 100,000
    // distinct tag names stays linear; the warning lists only the first few).
    let mut dropped: Vec<String> = Vec::new();
    let mut dropped_seen = std::collections::HashSet::new();
    let mut truncated = false;
    while let Some(i) = rest.find(['{']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(inner_start) = tail.strip_prefix("{%") {
            let Some(end) = inner_start.find("%}") else {
                out.push_str(tail);
                rest = "";
                break;
            };
            let tag = inner_start[..end].trim().trim_matches('-').trim();
            let after = &inner_start[end + 2..];
            let (name, args) = tag.split_once(char::is_whitespace).unwrap_or((tag, ""));
            rest = match name {
                "raw" => {
                    let (raw, next) = take_until_tag(after, "endraw");
                    out.push_str(raw);
                    next
                }
                "highlight" => {
                    let (code, next) = take_until_tag(after, "endhighlight");
                    let lang = args.split_whitespace().next().unwrap_or("");
                    out.push_str(&format!("\n```{lang}\n{}\n```\n", code.trim_matches('\n')));
                    next
                }
                "comment" => take_until_tag(after, "endcomment").1,
                // Each a copy of the site's address: counted like a variable's value.
                "link" | "post_url" => {
                    if !truncated {
                        let url =
                            if name == "link" { link_url(args.trim(), site) } else { post_url(args.trim(), site) };
                        truncated = !push_within(&mut out, &url, body.len() + MAX_GROWTH, warnings);
                    }
                    after
                }
                other => {
                    if dropped_seen.insert(other) && dropped.len() < MAX_LISTED {
                        dropped.push(other.chars().take(40).collect());
                    }
                    after
                }
            };
        } else if let Some(inner_start) = tail.strip_prefix("{{") {
            let Some(end) = inner_start.find("}}") else {
                out.push_str(tail);
                rest = "";
                break;
            };
            // `{{ site.x }}` copies a value from `_config.yml` or the front matter: a small body
            // repeating a large value must not multiply into gigabytes.
            // Values are borrowed, not copied, and once the cap is reached the rest are not
            // even looked up (a 900 KB value repeated 350,000 times was 300 GB of copying).
            if !truncated {
                let value = variable(inner_start[..end].trim(), site, page);
                truncated = !push_within(&mut out, &value, body.len() + MAX_GROWTH, warnings);
            }
            rest = &inner_start[end + 2..];
        } else {
            out.push('{');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    if !dropped.is_empty() {
        let more = dropped_seen.len() - dropped.len();
        let more = if more > 0 { format!(" and {more} more") } else { String::new() };
        warnings.push(Warning::new(format!("Liquid tags removed: {}{more}", dropped.join(", "))));
    }
    out
}

/// Appends `value` if `out` stays within `cap` bytes; else says so once (the caller expands
/// nothing more) and returns `false`.
fn push_within(out: &mut String, value: &str, cap: usize, warnings: &mut Vec<Warning>) -> bool {
    if out.len() + value.len() <= cap {
        out.push_str(value);
        true
    } else {
        warnings.push(Warning::new("Liquid variables and links would make the post too large; the rest are left out"));
        false
    }
}

/// Text up to `{% end %}` (whitespace and `-` trimming tolerated) and what follows it.
///
/// Linear in the length of `s`: each `%}` is found once, and the tag it closes starts at the
/// last `{%` before it, so a body of thousands of `{%` before a distant `%}` cannot make the
/// search quadratic.
fn take_until_tag<'a>(s: &'a str, end: &str) -> (&'a str, &'a str) {
    let mut search = 0;
    while let Some(i) = s[search..].find("{%") {
        let open = search + i;
        let Some(close) = s[open + 2..].find("%}").map(|c| open + 2 + c) else { break };
        let at = s[open..close].rfind("{%").map_or(open, |j| open + j);
        let inner = s[at + 2..close].trim().trim_matches('-').trim();
        if inner == end {
            return (&s[..at], &s[close + 2..]);
        }
        search = close + 2;
    }
    (s, "")
}

fn variable<'a>(expr: &'a str, site: &'a SiteConfig, page: &'a Map<String, Value>) -> Cow<'a, str> {
    // Filters (`| relative_url`) are ignored: the value itself is what a reader needs.
    let name = expr.split('|').next().unwrap_or("").trim();
    if let Some(key) = name.strip_prefix("site.") {
        return match key {
            "url" => Cow::Borrowed(site.url.as_deref().unwrap_or("")),
            "baseurl" => Cow::Borrowed(""),
            _ => Cow::Borrowed(site.values.get(key).map_or("", String::as_str)),
        };
    }
    if let Some(key) = name.strip_prefix("page.") {
        return match page.get(key) {
            Some(Value::String(s)) => Cow::Borrowed(s),
            Some(Value::Null) | None => Cow::Borrowed(""),
            Some(v) => Cow::Owned(v.to_string()),
        };
    }
    let quoted = name.strip_prefix('"').and_then(|n| n.strip_suffix('"'));
    Cow::Borrowed(quoted.or_else(|| name.strip_prefix('\'').and_then(|n| n.strip_suffix('\''))).unwrap_or(""))
}

/// `{% link _docs/configuration.md %}` → the page's URL (collection prefix dropped).
fn link_url(path: &str, site: &SiteConfig) -> String {
    let path = path.split_whitespace().next().unwrap_or("");
    let path = path.strip_prefix('_').unwrap_or(path);
    let stem = path.rsplit_once('.').map_or(path, |(s, _)| s);
    let stem = stem.strip_suffix("/index").unwrap_or(stem);
    format!("{}/{}/", site.url.as_deref().unwrap_or(""), stem.trim_matches('/'))
}

/// `{% post_url 2010-07-21-name %}` → the post's default-style URL (categories unknown here).
fn post_url(name: &str, site: &SiteConfig) -> String {
    let name = name.rsplit('/').next().unwrap_or(name);
    let mut parts = name.splitn(4, '-');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(y), Some(m), Some(d), Some(slug)) => {
            format!("{}/{y}/{m}/{d}/{slug}.html", site.url.as_deref().unwrap_or(""))
        }
        _ => format!("{}/", site.url.as_deref().unwrap_or("")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(body: &str) -> (String, Vec<Warning>) {
        let mut site = SiteConfig { url: Some("https://jekyllrb.com".into()), ..Default::default() };
        site.values.insert("repository".into(), "jekyll/jekyll".into());
        let mut w = Vec::new();
        (expand(body, &site, &Map::new(), &mut w), w)
    }

    #[test]
    fn raw_blocks_keep_their_template_text() {
        assert_eq!(run("a {% raw %}{{ x }}{% endraw %} b").0, "a {{ x }} b");
    }

    #[test]
    fn site_variables_and_links_are_rendered() {
        let (out, w) = run("see {{ site.repository }} and [docs]({% link _docs/configuration.md %})");
        assert_eq!(out, "see jekyll/jekyll and [docs](https://jekyllrb.com/docs/configuration/)");
        assert!(w.is_empty());
    }

    #[test]
    fn unknown_tags_are_removed_with_a_warning() {
        let (out, w) = run("x{% include note.html %}y{% for p in site.posts %}z{% endfor %}");
        assert_eq!(out, "xyz");
        assert!(w[0].message.contains("include"));
    }

    #[test]
    fn highlight_becomes_a_fenced_block() {
        assert_eq!(run("{% highlight ruby %}\nputs 1\n{% endhighlight %}").0, "\n```ruby\nputs 1\n```\n");
    }

    #[test]
    fn unclosed_braces_are_left_as_text() {
        assert_eq!(run("a { b {{ c").0, "a { b {{ c");
    }
}
