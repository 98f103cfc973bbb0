//! Jekyll's permalink rules for posts.

/// The longest URL a template may build: with the site's address (at most 2 KiB), what the
/// archive keeps of a URL (8 KiB; a longer one is not kept at all). A template is a
/// stranger's text: `:slug` repeated 50,000 times in 256 KiB of front matter, each the
/// escaped slug of a 255-byte file name, was 37 GB for one post.
pub(crate) const MAX_URL_BYTES: usize = 6 * 1024;

/// Site-relative URL of a post. `pattern` is a named style (`date`, `pretty`, `ordinal`,
/// `none`) or a template with `:placeholders`; Jekyll's default is `date`. `None` when the
/// URL would be longer than [`MAX_URL_BYTES`] (it stops being built there).
pub(crate) fn post_url(
    pattern: Option<&str>,
    categories: &[String],
    timestamp: i64,
    utc_offset_min: i32,
    slug: &str,
) -> Option<String> {
    let template = match pattern.map(str::trim).unwrap_or("date") {
        "date" | "" => "/:categories/:year/:month/:day/:title:output_ext",
        "pretty" => "/:categories/:year/:month/:day/:title/",
        "ordinal" => "/:categories/:year/:y_day/:title:output_ext",
        "weekdate" => "/:categories/:year/W:week/:short_day/:title:output_ext",
        "none" => "/:categories/:title:output_ext",
        custom => custom,
    };
    let local = jiff::Timestamp::from_second(timestamp)
        .ok()
        .zip(jiff::tz::Offset::from_seconds(utc_offset_min * 60).ok())
        .map(|(t, o)| t.to_zoned(jiff::tz::TimeZone::fixed(o)).datetime());
    // Jekyll lower-cases categories in URLs and drops repeats.
    let mut cats: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for c in categories {
        let c = c.to_lowercase();
        if seen.insert(c.clone()) {
            cats.push(c);
        }
    }
    // Each made once, however often the template names it.
    let categories = cats.iter().map(|c| escape_segment(c)).collect::<Vec<_>>().join("/");
    let slug = escape_segment(slug);
    let mut out = String::new();
    let mut rest = template;
    while let Some(i) = rest.find(':') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let len = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
        let key = &after[..len];
        let value = match (key, &local) {
            ("categories", _) => categories.clone(),
            ("title" | "slug", _) => slug.clone(),
            ("output_ext", _) => ".html".to_string(),
            ("year", Some(d)) => format!("{:04}", d.year()),
            ("month", Some(d)) => format!("{:02}", d.month()),
            ("i_month", Some(d)) => d.month().to_string(),
            ("day", Some(d)) => format!("{:02}", d.day()),
            ("i_day", Some(d)) => d.day().to_string(),
            ("short_year", Some(d)) => format!("{:02}", d.year() % 100),
            ("hour", Some(d)) => format!("{:02}", d.hour()),
            ("minute", Some(d)) => format!("{:02}", d.minute()),
            ("second", Some(d)) => format!("{:02}", d.second()),
            ("y_day", Some(d)) => format!("{:03}", d.day_of_year()),
            _ => String::new(),
        };
        out.push_str(&value);
        if out.len() > MAX_URL_BYTES {
            return None;
        }
        rest = &after[len..];
    }
    out.push_str(rest);
    if out.len() > MAX_URL_BYTES {
        return None;
    }
    // Empty placeholders leave `//`; Jekyll collapses them.
    let mut collapsed = String::with_capacity(out.len());
    for ch in out.chars() {
        if !(ch == '/' && collapsed.ends_with('/')) {
            collapsed.push(ch);
        }
    }
    if !collapsed.starts_with('/') {
        collapsed.insert(0, '/');
    }
    Some(collapsed)
}

fn escape_segment(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'(' | b')' | b'!' | b'*' | b'\'' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_date_style_matches_finews_urls() {
        // 2021-12-08 10:02:03 +0800
        let url = post_url(None, &["emnews".into()], 1_638_928_923, 480, "202112082206672930");
        assert_eq!(url.as_deref(), Some("/emnews/2021/12/08/202112082206672930.html"));
    }

    #[test]
    fn categories_are_lowercased_and_pretty_style_ends_in_slash() {
        let url = post_url(Some("pretty"), &["Release".into(), "release".into()], 0, 0, "x");
        assert_eq!(url.as_deref(), Some("/release/1970/01/01/x/"));
    }

    #[test]
    fn no_categories_collapses_slashes() {
        assert_eq!(post_url(Some("none"), &[], 0, 0, "hello").as_deref(), Some("/hello.html"));
    }

    /// A template repeating what is long (the slug, the categories) stops at the bound, in
    /// time linear in the bound, not in what it would have built.
    #[test]
    fn a_template_that_would_build_a_huge_url_builds_none() {
        let slug = "字".repeat(80);
        let cats: Vec<String> = (0..32).map(|i| format!("{i}{}", "类".repeat(199))).collect();
        for (pattern, cats) in [
            (":slug".repeat(50_000), &[][..]),
            (":categories".repeat(21_000), &cats[..]),
            (":title/".repeat(1_000), &[][..]),
        ] {
            let t = std::time::Instant::now();
            assert_eq!(post_url(Some(&pattern), cats, 0, 0, &slug), None, "{:.20}", pattern);
            assert!(t.elapsed() < std::time::Duration::from_secs(5), "{:?}", t.elapsed());
        }
        // Long but under the bound: built.
        let url = post_url(Some(&":slug/".repeat(3)), &[], 0, 0, &slug).unwrap();
        assert!(url.len() > 2000 && url.len() <= MAX_URL_BYTES, "{}", url.len());
    }
}
