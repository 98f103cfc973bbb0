//! Invariant checks shared by the fuzz targets. Each one panics (which libFuzzer reports as a
//! crash, saving the input) when a crate breaks a promise its docs make.
//!
//! Plain std, so the checks' own tests run without the fuzzing build:
//! `rustc --edition 2021 --test fuzz/src/lib.rs -o /tmp/checks && /tmp/checks`.

/// Tags `broadsheet_html` must never emit: scripts, styles, frames, forms, and the other
/// elements that load or run code.
const FORBIDDEN_TAGS: &[&str] = &[
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "form",
    "input",
    "button",
    "textarea",
    "select",
    "object",
    "embed",
    "applet",
    "base",
    "link",
    "meta",
    "svg",
    "math",
    "template",
    "noscript",
    "xmp",
    "plaintext",
];

/// Attributes holding a URL a browser would follow or load.
const URL_ATTRIBUTES: &[&str] =
    &["href", "src", "cite", "longdesc", "poster", "background", "action", "formaction", "xlink:href", "srcset"];

/// Asserts the `crates/html` invariant on sanitiser output: no forbidden element, no event
/// handler or `style`, every URL http(s), mailto, relative, or `extra_scheme` (the display
/// path's `bsimg`). Parses the output the way the serialiser writes it: text has `<`
/// escaped, attribute values are double-quoted.
pub fn assert_safe_html(html: &str, extra_scheme: Option<&str>) {
    let b = html.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        i += 1;
        if b.get(i) == Some(&b'/') {
            i += 1;
        }
        let start = i;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'-' || b[i] == b':') {
            i += 1;
        }
        let tag = html[start..i].to_ascii_lowercase();
        assert!(!tag.is_empty(), "a raw `<` in sanitiser output (text must be escaped): {}", around(html, start));
        assert!(!FORBIDDEN_TAGS.contains(&tag.as_str()), "forbidden element <{tag}> in sanitiser output: {html:?}");
        // Attributes up to the closing `>`.
        loop {
            while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
                i += 1;
            }
            if i >= b.len() {
                panic!("unterminated tag <{tag} in sanitiser output: {html:?}");
            }
            if b[i] == b'>' {
                i += 1;
                break;
            }
            let name_start = i;
            while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
                i += 1;
            }
            let name = html[name_start..i].to_ascii_lowercase();
            let mut value = String::new();
            if b.get(i) == Some(&b'=') {
                i += 1;
                assert_eq!(b.get(i), Some(&b'"'), "unquoted value of {name} on <{tag}>: {html:?}");
                i += 1;
                let v_start = i;
                while i < b.len() && b[i] != b'"' {
                    i += 1;
                }
                assert!(i < b.len(), "unterminated value of {name} on <{tag}>: {html:?}");
                value = decode_entities(&html[v_start..i]);
                i += 1;
            }
            assert!(
                !name.starts_with("on") && name != "style" && name != "srcdoc",
                "attribute {name}=\"{value}\" on <{tag}> in sanitiser output: {html:?}"
            );
            if URL_ATTRIBUTES.contains(&name.as_str()) {
                if let Some(scheme) = url_scheme(&value) {
                    let ok = matches!(scheme.as_str(), "http" | "https" | "mailto")
                        || extra_scheme.is_some_and(|s| s.eq_ignore_ascii_case(&scheme));
                    assert!(ok, "URL with scheme {scheme:?} in {name} on <{tag}>: {value:?}\nin {html:?}");
                }
            }
        }
    }
}

/// The scheme a browser would see in `url`: leading C0 controls and spaces dropped, tabs and
/// newlines removed anywhere (the URL standard's preprocessing), then `ALPHA *( ALPHA / DIGIT
/// / "+" / "-" / "." ) ":"`. `None` for a relative URL.
pub fn url_scheme(url: &str) -> Option<String> {
    let cleaned: String =
        url.trim_start_matches(|c: char| c <= ' ').chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    let colon = cleaned.find(':')?;
    let scheme = &cleaned[..colon];
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic() && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
        .then(|| scheme.to_ascii_lowercase())
}

/// Enough entity decoding for serialiser output (`&amp;`, `&quot;`, `&lt;`, `&gt;`,
/// `&nbsp;`, numeric references).
pub fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find(';').filter(|&e| e <= 12);
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "quot" => Some('"'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "nbsp" => Some('\u{a0}'),
                "apos" => Some('\''),
                _ => {
                    let n = if let Some(h) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                        u32::from_str_radix(h, 16).ok()
                    } else {
                        name.strip_prefix('#').and_then(|d| d.parse().ok())
                    };
                    n.and_then(char::from_u32)
                }
            };
            c.map(|c| (c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Asserts what `broadsheet_html::plain_text` promises: one block per line, no blank lines,
/// whitespace runs collapsed to one space.
pub fn assert_plain_text(text: &str) {
    for line in text.split('\n') {
        assert!(!line.is_empty(), "blank line in plain text: {text:?}");
        assert_eq!(line, line.trim(), "untrimmed line in plain text: {text:?}");
        assert!(!line.contains("  "), "whitespace run in plain text: {text:?}");
    }
}

/// Asserts what `broadsheet_html::excerpt` promises: one line of at most 160 characters plus
/// an ellipsis.
pub fn assert_excerpt(excerpt: &str) {
    assert!(!excerpt.contains('\n'), "excerpt spans lines: {excerpt:?}");
    assert!(excerpt.chars().count() <= 161, "excerpt of {} characters", excerpt.chars().count());
}

/// Asserts that image URLs gathered for download are absolute http(s).
pub fn assert_http_urls(urls: &[String]) {
    for u in urls {
        assert!(u.starts_with("http://") || u.starts_with("https://"), "image URL {u:?} is not http(s)");
    }
}

/// Picks one of `choices` from the input's bytes, so a seed keeps its choice while mutations
/// can reach the others.
pub fn pick<'a, T>(data: &[u8], choices: &'a [T]) -> &'a T {
    let h = data.iter().fold(data.len(), |h, &b| h.wrapping_mul(31).wrapping_add(usize::from(b)));
    &choices[h % choices.len()]
}

fn around(s: &str, at: usize) -> String {
    let floor = |mut i: usize| {
        while !s.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    format!("…{}…", &s[floor(at.saturating_sub(40))..floor((at + 40).min(s.len()))])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_schemes_as_browsers_do() {
        assert_eq!(url_scheme("java\tscript:alert(1)").as_deref(), Some("javascript"));
        assert_eq!(url_scheme(" HTTPS://x").as_deref(), Some("https"));
        assert_eq!(url_scheme("/a:b"), None);
        assert_eq!(url_scheme("#category=x"), None);
    }

    #[test]
    fn accepts_safe_and_refuses_unsafe_markup() {
        assert_safe_html("<p>a &lt;script&gt; <a href=\"https://x/?a=1&amp;b\" rel=\"noopener\">x</a></p>", None);
        assert!(std::panic::catch_unwind(|| assert_safe_html("<p onclick=\"x\">a</p>", None)).is_err());
        assert!(std::panic::catch_unwind(|| assert_safe_html("<a href=\"jav&#x61;script:x\">a</a>", None)).is_err());
        assert!(std::panic::catch_unwind(|| assert_safe_html("<script>x</script>", None)).is_err());
        assert_safe_html("<img src=\"bsimg://localhost/x\">", Some("bsimg"));
    }
}
