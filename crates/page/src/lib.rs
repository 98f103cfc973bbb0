//! Reading a web page the reader saved: its main content (Readability, via `dom_smoothie`),
//! title, author, site name, published date and language.
//!
//! Invariant: pure and panic-free, like the other parsers — any bytes give a [`Page`] plus
//! warnings, never an error. A page whose article cannot be found is kept whole (sanitised),
//! with a warning: a saved page is never lost. Everything returned is sanitised by
//! `broadsheet_html`; nothing from the page reaches the archive unsanitised.

use broadsheet_html::{excerpt, image_sources, plain_text, sanitize};

/// Elements Readability scores at most; a page past this is kept whole. Real articles,
/// comments and navigation included, have a few thousand.
const MAX_ELEMENTS: usize = 60_000;
/// Characters of a title (a page may name itself with a whole paragraph).
const MAX_TITLE_CHARS: usize = 500;
/// Characters of an author or site name.
const MAX_NAME_CHARS: usize = 200;
/// Extracted text shorter than this is not an article (a login wall, a cookie notice): the
/// whole page is kept instead.
const MIN_ARTICLE_CHARS: usize = 80;

/// What a saved page holds, ready for the archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// Never empty: the page's title, else its URL.
    pub title: String,
    pub author: Option<String>,
    pub site_name: Option<String>,
    /// Seconds since 1970, when the page says when it was published.
    pub published: Option<i64>,
    /// The page's UTC offset of `published`, in minutes.
    pub utc_offset_min: i32,
    pub lang: Option<String>,
    /// Sanitised HTML: the article, or the whole page when no article was found.
    pub html: String,
    /// `plain_text(html)`.
    pub text: String,
    pub excerpt: String,
    /// Absolute http(s) URLs of the images `html` shows.
    pub images: Vec<String>,
    /// Whether `html` is the extracted article (false: the whole page, sanitised).
    pub extracted: bool,
}

/// The page's bytes as text: the charset the server names, else the one the page declares in
/// its first kilobytes (`<meta charset>`; Chinese sites still serve GBK), else UTF-8. Bytes
/// that are not valid in it become U+FFFD.
pub fn decode(body: &[u8], content_type: Option<&str>) -> String {
    let named = |s: &str| -> Option<&'static encoding_rs::Encoding> {
        let lower = s.to_ascii_lowercase();
        let at = lower.find("charset=")? + "charset=".len();
        let label: String = lower[at..]
            .trim_start_matches(['"', '\'', ' '])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
            .collect();
        encoding_rs::Encoding::for_label(label.as_bytes())
    };
    let head = String::from_utf8_lossy(&body[..body.len().min(4096)]);
    let encoding = encoding_rs::Encoding::for_bom(body)
        .map(|(e, _)| e)
        .or_else(|| content_type.and_then(named))
        .or_else(|| named(&head))
        .unwrap_or(encoding_rs::UTF_8);
    // UTF-16 named in a page's own ASCII text is a lie (it could not be read as ASCII).
    let encoding = if encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE {
        if encoding_rs::Encoding::for_bom(body).is_some() {
            encoding
        } else {
            encoding_rs::UTF_8
        }
    } else {
        encoding
    };
    encoding.decode(body).0.into_owned()
}

/// Bytes of a page its article is looked for in. The extractor counts the text under each
/// candidate element again for every one of them (no cache): 255 nested `<div>`s around 32 MiB
/// of text were billions of steps a pass, and it makes up to four passes. Real pages, their
/// scripts included, are a few hundred KB to a couple of MB; a larger one is kept whole.
pub const MAX_EXTRACT_BYTES: usize = 4 * 1024 * 1024;

/// The page's bytes times its tree's depth, at most, for the extractor: each byte of text is
/// counted once for each element it sits in, so this bounds a pass (255 nested `<div>`s
/// around 4 MiB of text were 10^9 steps a pass; now refused). A 2 MB page 60 deep is within.
pub const MAX_EXTRACT_WORK: usize = 1 << 27;

/// Reads `html`, fetched from `url` (absolute: relative links and images resolve against it).
pub fn read_page(html: &str, url: &str) -> (Page, Vec<String>) {
    let mut warnings = Vec::new();
    // Measured as the extractor parses it (a whole document, scripting off).
    let article = if html.len() > MAX_EXTRACT_BYTES {
        warnings.push(format!(
            "{url}: the page is {} bytes, more than the {MAX_EXTRACT_BYTES} its article is looked for in; kept whole",
            html.len()
        ));
        None
    } else if broadsheet_html::document_depth(html)
        .is_none_or(|d| d.max(1).saturating_mul(html.len()) > MAX_EXTRACT_WORK)
    {
        warnings.push(format!("{url}: the page is too large or too deeply nested to find its article; kept whole"));
        None
    } else {
        match extract(html, url) {
            Ok(a) => Some(a),
            Err(why) => {
                warnings.push(format!("{url}: no article found ({why}); the whole page is kept"));
                None
            }
        }
    };
    let page = match article {
        Some(a) => {
            let body = sanitize(&a.content, Some(url));
            let text = plain_text(&body);
            // Too short to be the article (a teaser, a cookie notice): the whole page, when it
            // says more (sanitised once, and kept if used).
            let kept = (text.chars().count() < MIN_ARTICLE_CHARS)
                .then(|| whole(html, url, Some(&a)))
                .filter(|w| w.text.len() > text.len());
            match kept {
                Some(w) => {
                    warnings.push(format!("{url}: the article found was too short; the whole page is kept"));
                    w
                }
                None => build(body, text, url, Some(&a), true),
            }
        }
        None => whole(html, url, None),
    };
    (page, warnings)
}

/// The fields of Readability's answer Broadsheet keeps.
struct Found {
    title: String,
    author: Option<String>,
    site_name: Option<String>,
    published: Option<String>,
    lang: Option<String>,
    content: String,
}

fn extract(html: &str, url: &str) -> Result<Found, String> {
    let cfg = dom_smoothie::Config { max_elements_to_parse: MAX_ELEMENTS, ..Default::default() };
    // The extractor is a large heuristic over a stranger's document: a panic in it is one
    // page not extracted, never the process.
    std::panic::catch_unwind(|| {
        let mut r = dom_smoothie::Readability::new(html, Some(url), Some(cfg)).map_err(|e| e.to_string())?;
        let a = r.parse().map_err(|e| e.to_string())?;
        Ok(Found {
            title: a.title,
            author: a.byline,
            site_name: a.site_name,
            published: a.published_time,
            lang: a.lang,
            content: a.content.to_string(),
        })
    })
    .unwrap_or_else(|_| Err("the extractor failed on this page".into()))
}

/// The whole page, sanitised (scripts, styles, forms and frames go; the text stays).
fn whole(html: &str, url: &str, found: Option<&Found>) -> Page {
    let body = sanitize(html, Some(url));
    let text = plain_text(&body);
    let fallback = found.is_none().then(|| title_tag(html)).flatten();
    let mut page = build(body, text, url, found, false);
    if let Some(t) = fallback {
        page.title = t;
    }
    page
}

fn build(html: String, text: String, url: &str, found: Option<&Found>, extracted: bool) -> Page {
    let (published, utc_offset_min) =
        found.and_then(|f| f.published.as_deref()).and_then(parse_date).map_or((None, 0), |(t, o)| (Some(t), o));
    let title = found.map(|f| clean(&f.title, MAX_TITLE_CHARS)).filter(|t| !t.is_empty()).unwrap_or_else(|| url.into());
    let lang = found
        .and_then(|f| f.lang.as_deref())
        .map(|l| clean(l, 35))
        .filter(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .or_else(|| broadsheet_html::detect_lang(&text, None));
    Page {
        title,
        author: found.and_then(|f| f.author.as_deref()).map(|a| clean(a, MAX_NAME_CHARS)).filter(|a| !a.is_empty()),
        site_name: found
            .and_then(|f| f.site_name.as_deref())
            .map(|s| clean(s, MAX_NAME_CHARS))
            .filter(|s| !s.is_empty()),
        published,
        utc_offset_min,
        lang,
        images: image_sources(&html),
        excerpt: excerpt(&text),
        html,
        text,
        extracted,
    }
}

/// The `<title>` of a page Readability could not read (found by hand: bounded, no parse).
fn title_tag(html: &str) -> Option<String> {
    let head = &html[..floor_char(html, html.len().min(256 * 1024))];
    let lower = head.to_ascii_lowercase();
    let start = lower.find("<title")?;
    let open_end = start + lower[start..].find('>')? + 1;
    let close = open_end + lower[open_end..].find("</title")?;
    let t = clean(&plain_text(&sanitize(&head[open_end..close], None)), MAX_TITLE_CHARS);
    (!t.is_empty()).then_some(t)
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Plain text on one line: tags, controls and runs of white space gone, at most `max` chars.
fn clean(s: &str, max: usize) -> String {
    let text = if s.contains('<') { plain_text(&sanitize(s, None)) } else { s.to_string() };
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(max)
        .collect()
}

/// An RFC 3339 / ISO 8601 date (`2026-03-02T08:15:00+08:00`, or a date alone) as seconds and
/// offset minutes.
fn parse_date(s: &str) -> Option<(i64, i32)> {
    use time::format_description::well_known::{Iso8601, Rfc3339};
    let s = s.trim();
    if s.len() > 64 {
        return None;
    }
    let dt = time::OffsetDateTime::parse(s, &Rfc3339)
        .or_else(|_| time::OffsetDateTime::parse(s, &Iso8601::DEFAULT))
        .ok()
        .or_else(|| {
            time::Date::parse(s.get(..10)?, &time::macros::format_description!("[year]-[month]-[day]"))
                .ok()
                .map(|d| d.midnight().assume_utc())
        })?;
    Some((dt.unix_timestamp(), i32::from(dt.offset().whole_minutes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deep nesting around much text is refused to the extractor (it counts each candidate's
    /// text again, per candidate): the page is kept whole, at once, and says why.
    #[test]
    fn a_page_too_large_for_the_extractor_is_kept_whole_at_once() {
        let text = "新闻正文。".repeat(MAX_EXTRACT_BYTES / 15 + 1);
        let html = format!("<html><body>{}<p>{text}</p>{}</body></html>", "<div>".repeat(250), "</div>".repeat(250));
        let (page, warnings) = read_page(&html, "https://e.org/a");
        assert!(!page.extracted && page.text.contains("新闻正文"), "kept whole");
        assert!(warnings.iter().any(|w| w.contains("looked for in")), "{warnings:?}");
    }

    /// Within the byte bound, a page nested deep around its text is kept whole too (the
    /// extractor's pass is the text times the depth); the same text less deep is extracted.
    #[test]
    fn a_page_deep_for_its_size_is_kept_whole_and_a_shallow_one_is_read() {
        let text = format!("<p>{}</p>", "新闻正文，记者报道。".repeat(200)).repeat(300);
        let deep = format!(
            "<html><body>{}<article>{text}</article>{}</body></html>",
            "<div>".repeat(200),
            "</div>".repeat(200)
        );
        assert!(deep.len() < MAX_EXTRACT_BYTES && deep.len() * 200 > MAX_EXTRACT_WORK);
        let (page, warnings) = read_page(&deep, "https://e.org/a");
        assert!(!page.extracted && page.text.contains("新闻正文"), "kept whole");
        assert!(warnings.iter().any(|w| w.contains("too deeply nested")), "{warnings:?}");
        let shallow = format!("<html><body><div><article>{text}</article></div></body></html>");
        let (page, _) = read_page(&shallow, "https://e.org/a");
        assert!(page.extracted, "read as an article");
    }

    #[test]
    fn the_charset_comes_from_the_server_then_the_page_then_utf8() {
        let (gbk, _, _) = encoding_rs::GBK.encode("<p>新闻</p>");
        assert_eq!(decode(&gbk, Some("text/html; charset=GBK")), "<p>新闻</p>");
        let page = [b"<meta charset=\"gb2312\">".as_slice(), &gbk].concat();
        assert!(decode(&page, Some("text/html")).ends_with("<p>新闻</p>"));
        assert_eq!(decode("<p>新闻</p>".as_bytes(), None), "<p>新闻</p>");
        assert_eq!(decode(b"<meta charset=utf-16><p>x</p>", None), "<meta charset=utf-16><p>x</p>");
    }

    #[test]
    fn dates_in_the_shapes_pages_use() {
        assert_eq!(parse_date("2026-03-02T08:15:00+08:00"), Some((1_772_410_500, 480)));
        assert_eq!(parse_date("2026-03-02T00:15:00Z"), Some((1_772_410_500, 0)));
        assert_eq!(parse_date("2026-03-02"), Some((1_772_409_600, 0)));
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(parse_date(&"9".repeat(10_000)), None);
    }

    #[test]
    fn names_are_one_bounded_line_of_text() {
        assert_eq!(clean("  Jane\n\t<b>Doe</b>\u{7}  ", 100), "Jane Doe");
        assert_eq!(clean(&"長".repeat(1000), 10).chars().count(), 10);
    }
}
