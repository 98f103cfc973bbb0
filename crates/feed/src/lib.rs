//! RSS 0.9x/1.0/2.0, Atom and JSON Feed, read with feed-rs into plain posts; and finding a
//! site's feed from its HTML.
//!
//! Invariant: pure and panic-free: bytes in, a value or an error message out. Bodies are
//! sanitised by `broadsheet_html` like every other ingest path.

/// One entry of a feed, ready for the archive.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedPost {
    /// The entry's id (or its link): stable across fetches.
    pub key: String,
    pub title: String,
    pub timestamp: i64,
    pub url: Option<String>,
    pub lang: Option<String>,
    pub html: String,
    pub text: String,
    pub excerpt: String,
    pub images: Vec<String>,
    pub categories: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParsedFeed {
    pub title: Option<String>,
    pub site_url: Option<String>,
    pub lang: Option<String>,
    pub posts: Vec<FeedPost>,
    /// Entries left out because they could not be read (the rest of the feed was), each
    /// with why: "entry 3: …".
    pub left_out: Vec<String>,
}

/// Deeper than any real feed (RSS items sit at depth 3; an entry's XHTML content a few more).
const MAX_FEED_DEPTH: usize = 256;

/// Entries handed to the feed parser. It builds every entry of a document before a single one
/// can be dropped (an empty `<item/>` is still an entry: 32 MiB of them is gigabytes), so the
/// document is cut after this many; the archive keeps the first 2,000 anyway.
pub const MAX_PARSED_ENTRIES: usize = 2_500;

/// Images an entry's media elements may add (the archive keeps 100 per post).
const MAX_MEDIA_IMAGES: usize = 100;

/// JSON objects and arrays in a JSON Feed (real ones: a few per item).
const MAX_JSON_CONTAINERS: usize = 100_000;

/// What the pre-scan makes of a document: refused, or what the parser may see (the bytes
/// themselves, or their first [`MAX_PARSED_ENTRIES`] entries with the open elements closed).
enum Prescan<'a> {
    Refused(FeedError),
    /// The bytes to parse, and where each top-level entry of an XML feed is in them.
    Parse(std::borrow::Cow<'a, [u8]>, Vec<std::ops::Range<usize>>),
}

/// Bytes of `xml:base` in scope at once (real feeds: one URL). feed-rs copies the base in
/// scope into every element it reads: 16 MiB of base over 4 million elements was hours of
/// copying, and nested relative bases add up.
const MAX_XML_BASE_BYTES: usize = 2048;

/// Elements in the first five levels of a document: every one there is an entry, a field of
/// one (a category, a link, an author) or of the feed, and feed-rs builds each into its
/// model — 3 million `<category/>` were hundreds of MB. Real feeds: 2,500 entries of a few
/// dozen (an Atom entry's XHTML paragraphs included).
const MAX_SHALLOW_ELEMENTS: usize = 250_000;

/// Values in a JSON Feed (real ones: a few dozen an item): 11 million `""` in one item's
/// `tags` were a gigabyte of categories, and the retry builds the whole text as a tree.
const MAX_JSON_VALUES: usize = 500_000;

/// Namespace declarations in scope at once (real feeds: a dozen on the root). The XML reader
/// looks each prefix up by walking every binding in scope, for each element's start and
/// end: 255 levels of 256 declarations each over 32 MiB of elements was 10^11 steps.
const MAX_NAMESPACES_IN_SCOPE: usize = 256;

/// A linear look at the document before any parser that recurses or keeps per-level state
/// sees it: how deeply elements (XML) or `[`/`{` (JSON) nest, how many namespaces are in
/// scope, and how many entries it holds. XML is read by the same reader, in the same
/// version and settings, as feed-rs's own, so what is counted is what feed-rs will see: a
/// hand-written scan was a model of XML, and each gap in the model was a bypass (a quote
/// inside a processing instruction hid 200,000 nested elements from it, and feed-rs
/// recursed on them until the stack overflowed). The format is chosen as feed-rs chooses
/// it: by the first `<` or `{` in its first buffer.
fn prescan(bytes: &[u8]) -> Prescan<'_> {
    // feed-rs peeks at one `BufReader` fill (8 KiB) for the first `<` or `{`.
    let head = &bytes[..bytes.len().min(8 * 1024)];
    if head.iter().find(|&&b| b == b'<' || b == b'{') == Some(&b'{') {
        return json_prescan(bytes);
    }
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let config = reader.config_mut();
    config.expand_empty_elements = true;
    config.trim_markup_names_in_closing_tags = true;
    config.trim_text(false);
    // Open elements: (qualified name, namespaces it declares, its xml:base bytes), to close
    // them after a cut and to count what is in scope.
    let mut open: Vec<(Vec<u8>, usize, usize)> = Vec::new();
    let (mut entries, mut namespaces, mut base_bytes, mut shallow) = (0usize, 0usize, 0usize, 0usize);
    // Where each top-level entry starts and ends, and the depth of the one open.
    let mut ranges: Vec<std::ops::Range<usize>> = Vec::new();
    let mut entry_open: Option<(usize, usize)> = None;
    // The reader counts its position after the byte order mark it drops.
    let bom = quick_xml::encoding::detect_encoding(bytes).map_or(0, |d| d.bom_len());
    let at = |reader: &quick_xml::Reader<&[u8]>| {
        usize::try_from(reader.buffer_position()).map_or(bytes.len(), |p| p.saturating_add(bom)).min(bytes.len())
    };
    loop {
        let before = at(&reader);
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(e)) => {
                let local = e.local_name();
                if local.as_ref().eq_ignore_ascii_case(b"item") || local.as_ref().eq_ignore_ascii_case(b"entry") {
                    entries += 1;
                    if entries > MAX_PARSED_ENTRIES {
                        // Cut before this entry and close what is open: a well-formed
                        // document of the first entries.
                        let mut cut = bytes[..before].to_vec();
                        for (name, ..) in open.iter().rev() {
                            cut.extend_from_slice(b"</");
                            cut.extend_from_slice(name);
                            cut.push(b'>');
                        }
                        return Prescan::Parse(std::borrow::Cow::Owned(cut), ranges);
                    }
                    if entry_open.is_none() {
                        entry_open = Some((before, open.len()));
                    }
                }
                if open.len() >= MAX_FEED_DEPTH {
                    return Prescan::Refused(FeedError::TooDeep);
                }
                if open.len() < 5 {
                    shallow += 1;
                    if shallow > MAX_SHALLOW_ELEMENTS {
                        return Prescan::Refused(FeedError::TooManyElements);
                    }
                }
                // Unchecked for duplicates here (that check is quadratic in the attributes;
                // the parser after this makes its own).
                let (mut declared, mut base) = (0usize, 0usize);
                for a in e.attributes().with_checks(false).flatten() {
                    if a.key.as_namespace_binding().is_some() {
                        declared += 1;
                    } else if a.key.as_ref() == b"xml:base" {
                        base += a.value.len();
                    }
                }
                namespaces += declared;
                if namespaces > MAX_NAMESPACES_IN_SCOPE {
                    return Prescan::Refused(FeedError::TooManyNamespaces);
                }
                base_bytes += base;
                if base_bytes > MAX_XML_BASE_BYTES {
                    return Prescan::Refused(FeedError::XmlBaseTooLong);
                }
                open.push((e.name().as_ref().to_vec(), declared, base));
            }
            Ok(quick_xml::events::Event::End(_)) => {
                if let Some((_, declared, base)) = open.pop() {
                    namespaces -= declared;
                    base_bytes -= base;
                }
                if let Some((start, _)) = entry_open.filter(|&(_, depth)| depth == open.len()) {
                    ranges.push(start..at(&reader));
                    entry_open = None;
                }
            }
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            // An ill-formed piece (`AT&T`, a mismatched end tag) is consumed and the reader
            // reads on, and so may what reads after this (the entry-by-entry retry does):
            // everything after it is measured too. Should it ever not move on, stop; the
            // reader after this would not move on either.
            Err(quick_xml::Error::IllFormed(_)) if at(&reader) > before => {}
            // Any other error ends the reader's document (it reads nothing after it).
            Err(_) => break,
        }
    }
    Prescan::Parse(std::borrow::Cow::Borrowed(bytes), ranges)
}

fn json_prescan(bytes: &[u8]) -> Prescan<'_> {
    // Values are at most the commas and one per container.
    let (mut depth, mut containers, mut commas) = (0usize, 0usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for &b in bytes {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                containers += 1;
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b',' => commas += 1,
            _ => {}
        }
        let why = if depth > MAX_FEED_DEPTH {
            FeedError::TooDeep
        } else if containers > MAX_JSON_CONTAINERS {
            FeedError::TooManyContainers
        } else if commas > MAX_JSON_VALUES {
            FeedError::TooManyValues
        } else {
            continue;
        };
        return Prescan::Refused(why);
    }
    Prescan::Parse(std::borrow::Cow::Borrowed(bytes), Vec::new())
}

/// Why a document is not a feed Broadsheet reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedError {
    /// Refused before parsing: deeper than any feed (a parser bomb).
    #[error("not a feed: elements or arrays nested more than {} levels deep", MAX_FEED_DEPTH)]
    TooDeep,
    /// Refused before parsing: a JSON document of more containers than any feed has.
    #[error("not a feed: more than {} JSON objects and arrays", MAX_JSON_CONTAINERS)]
    TooManyContainers,
    /// Refused before parsing: a JSON document of more values than any feed has.
    #[error("not a feed: more than {} JSON values", MAX_JSON_VALUES)]
    TooManyValues,
    /// Refused before parsing: more elements in its first levels than any feed has.
    #[error("not a feed: more than {} elements in its first five levels", MAX_SHALLOW_ELEMENTS)]
    TooManyElements,
    /// Refused before parsing: an `xml:base` longer than any address.
    #[error("not a feed: more than {} bytes of xml:base in scope", MAX_XML_BASE_BYTES)]
    XmlBaseTooLong,
    /// Refused before parsing: more XML namespaces declared at once than any feed has.
    #[error("not a feed: more than {} XML namespaces declared at once", MAX_NAMESPACES_IN_SCOPE)]
    TooManyNamespaces,
    /// The feed parser's own reason (bounded: it may quote the document).
    #[error("not a feed: {0}")]
    Malformed(String),
    /// The third-party parser panicked on this document (caught; the process goes on).
    #[error("not a feed: the feed parser failed on this document (an internal error)")]
    ParserFailed,
}

/// Parses a feed fetched from `feed_url` (relative links resolve against the entry's or the
/// feed's site). `now` dates entries that carry no date.
pub fn parse_feed(bytes: &[u8], feed_url: &str, now: i64) -> Result<ParsedFeed, FeedError> {
    let (bytes, entries) = match prescan(bytes) {
        Prescan::Refused(why) => return Err(why),
        Prescan::Parse(b, entries) => (b, entries),
    };
    let (feed, left_out) = match read_feed(&bytes, feed_url) {
        Ok(feed) => (feed, Vec::new()),
        Err(FeedError::Malformed(why)) => {
            entry_by_entry(&bytes, &entries, feed_url).ok_or(FeedError::Malformed(why))?
        }
        Err(e) => return Err(e),
    };
    let site_url = feed
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate") && !l.href.ends_with(".xml"))
        .map(|l| l.href.clone());
    let lang = feed.language.as_deref().map(normalize_lang);
    let base = site_url.clone().unwrap_or_else(|| feed_url.to_string());
    // The XML pre-scan cuts a document to its first entries; a JSON Feed is cut here, before
    // each entry's HTML is sanitised (100,000 small items pass the container bound).
    let mut posts = Vec::with_capacity(feed.entries.len().min(MAX_PARSED_ENTRIES));
    for e in feed.entries.into_iter().take(MAX_PARSED_ENTRIES) {
        let url = e.links.iter().find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate")).map(|l| l.href.clone());
        let key = if !e.id.trim().is_empty() { e.id.trim().to_string() } else { url.clone().unwrap_or_default() };
        if key.is_empty() {
            continue;
        }
        let body = e
            .content
            .as_ref()
            .and_then(|c| {
                let plain = c.content_type.to_string().starts_with("text/plain");
                c.body.as_ref().map(|b| if plain { format!("<p>{}</p>", escape(b)) } else { b.clone() })
            })
            .or_else(|| {
                e.summary.as_ref().map(|s| {
                    if s.content_type.to_string().contains("html") {
                        s.content.clone()
                    } else {
                        escape(&s.content)
                    }
                })
            })
            .unwrap_or_default();
        let mut html = broadsheet_html::sanitize(&body, Some(url.as_deref().unwrap_or(&base)));
        // Enclosures and media:content images the body doesn't show are appended.
        let mut images = broadsheet_html::image_sources(&html);
        let mut seen: std::collections::HashSet<String> = images.iter().cloned().collect();
        for m in &e.media {
            for c in m.content.iter().take(MAX_MEDIA_IMAGES) {
                if images.len() >= MAX_MEDIA_IMAGES {
                    break;
                }
                let is_image = c.content_type.as_ref().is_some_and(|t| t.to_string().starts_with("image/"));
                if let (true, Some(u)) = (is_image, &c.url) {
                    let u = u.to_string();
                    if (u.starts_with("https://") || u.starts_with("http://")) && seen.insert(u.clone()) {
                        html.push_str(&broadsheet_html::sanitize(
                            &format!("<p><img src=\"{}\"></p>", escape(&u)),
                            None,
                        ));
                        images.push(u);
                    }
                }
            }
        }
        let text = broadsheet_html::plain_text(&html);
        let title = e.title.map(|t| broadsheet_html::plain_text(&t.content)).filter(|t| !t.trim().is_empty());
        let title = title.unwrap_or_else(|| text.lines().next().unwrap_or("(untitled)").chars().take(80).collect());
        // A date in the future would pin the entry to the top of every list for years: no
        // later than a day from now (when `now` is known).
        let timestamp = e.published.or(e.updated).map_or(now, |d| d.timestamp());
        let timestamp = if now > 0 { timestamp.min(now + 86_400) } else { timestamp };
        let categories = e
            .categories
            .iter()
            .map(|c| c.label.clone().unwrap_or_else(|| c.term.clone()))
            .filter(|c| !c.trim().is_empty())
            .collect();
        let lang = e
            .language
            .as_deref()
            .map(normalize_lang)
            .or_else(|| lang.clone())
            .or_else(|| broadsheet_html::detect_lang(&format!("{title}\n{text}"), None));
        posts.push(FeedPost {
            key,
            excerpt: broadsheet_html::excerpt(&text),
            title,
            timestamp,
            url,
            lang,
            html,
            text,
            images,
            categories,
        });
    }
    Ok(ParsedFeed {
        title: feed.title.map(|t| broadsheet_html::plain_text(&t.content)),
        site_url,
        lang,
        posts,
        left_out,
    })
}

/// feed-rs on `bytes`. It and the XML reader under it are third-party code fed a stranger's
/// bytes: should either panic on an input nobody foresaw (quick-xml has, on deep
/// namespaces), this feed fails with a message and the process goes on.
fn read_feed(bytes: &[u8], feed_url: &str) -> Result<feed_rs::model::Feed, FeedError> {
    let parsed = std::panic::catch_unwind(|| {
        feed_rs::parser::Builder::new().base_uri(Some(feed_url)).build().parse(bytes).map_err(broadsheet_model::shown)
    });
    match parsed {
        Ok(Ok(feed)) => Ok(feed),
        Ok(Err(e)) => Err(FeedError::Malformed(e)),
        Err(_) => Err(FeedError::ParserFailed),
    }
}

/// What a feed is around its entries, at most, for it to be read again entry by entry (each
/// entry is read inside a copy of it).
const MAX_FEED_FRAME_BYTES: usize = 64 * 1024;

/// The frame bytes the entry-by-entry retry may read in all (the frame once per entry): as
/// much as the largest body a fetch takes, so the retry costs what one more reading of the
/// whole document would, whatever the frame and the entries are.
const MAX_RETRY_FRAME_BYTES: usize = 32 * 1024 * 1024;

/// A feed that failed as a whole, read again one entry at a time: feed-rs is all or
/// nothing, and one entry it cannot read (a JSON Feed `"id": 123`, an `xml:base` that is not
/// a URL, an `AT&T`) lost the whole feed. The frame (the document without its entries,
/// what lies between them included) must read by itself and hold no entries; each entry is
/// then read in its place inside it, and kept only when that reads as exactly one entry;
/// one that fails is left out, with why. `None` when the frame fails, holds entries, or is
/// larger than [`MAX_FEED_FRAME_BYTES`], or reading it once per entry is more than
/// [`MAX_RETRY_FRAME_BYTES`]. A JSON Feed's numeric ids are read as strings, as its
/// specification asks.
fn entry_by_entry(
    bytes: &[u8],
    xml_entries: &[std::ops::Range<usize>],
    feed_url: &str,
) -> Option<(feed_rs::model::Feed, Vec<String>)> {
    let mut left_out = Vec::new();
    let mut keep = |n: usize, doc: &[u8], feed: &mut feed_rs::model::Feed| match read_feed(doc, feed_url) {
        Ok(one) if one.entries.len() == 1 => feed.entries.extend(one.entries),
        Ok(one) => left_out.push(format!("entry {n}: read as {} entries", one.entries.len())),
        Err(e) => left_out.push(broadsheet_model::shown(format_args!("entry {n}: {e}"))),
    };
    let within_budget = |frame: usize, entries: usize| {
        frame <= MAX_FEED_FRAME_BYTES && frame.saturating_mul(entries) <= MAX_RETRY_FRAME_BYTES
    };
    let frame_alone = |frame: &[u8]| read_feed(frame, feed_url).ok().filter(|f| f.entries.is_empty());
    if !xml_entries.is_empty() {
        // The frame, and where in it each entry was.
        let (mut frame, mut places, mut from) = (Vec::new(), Vec::with_capacity(xml_entries.len()), 0);
        for r in xml_entries {
            frame.extend_from_slice(bytes.get(from..r.start)?);
            if frame.len() > MAX_FEED_FRAME_BYTES {
                return None;
            }
            places.push(frame.len());
            from = r.end;
        }
        frame.extend_from_slice(bytes.get(from..)?);
        if !within_budget(frame.len(), xml_entries.len()) {
            return None;
        }
        let mut feed = frame_alone(&frame)?;
        for (i, (r, &at)) in xml_entries.iter().zip(&places).enumerate() {
            keep(i + 1, &[&frame[..at], &bytes[r.clone()], &frame[at..]].concat(), &mut feed);
        }
        return Some((feed, left_out));
    }
    // JSON Feed: bounded by the pre-scan (depth, containers, values: a tree of at most
    // 500,000, tens of MB); serde_json's own recursion limit refuses anything deeper.
    let mut doc: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let items = std::mem::take(doc.get_mut("items")?.as_array_mut()?);
    let frame = serde_json::to_vec(&doc).ok()?;
    let n = items.len().min(MAX_PARSED_ENTRIES);
    if !within_budget(frame.len(), n) {
        return None;
    }
    let mut feed = frame_alone(&frame)?;
    for (i, mut item) in items.into_iter().take(n).enumerate() {
        if let Some(id) = item.get_mut("id").filter(|id| id.is_number()) {
            *id = serde_json::Value::String(id.to_string());
        }
        doc["items"] = serde_json::Value::Array(vec![item]);
        if let Ok(one) = serde_json::to_vec(&doc) {
            keep(i + 1, &one, &mut feed);
        }
    }
    Some((feed, left_out))
}

/// Feed URLs a page announces with `<link rel="alternate" type="…rss/atom/feed+json…">`,
/// resolved against `page_url`.
pub fn discover(html: &str, page_url: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let lower = html.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find("<link") {
        let start = from + i;
        let end = lower[start..].find('>').map_or(lower.len(), |e| start + e);
        let tag = &html[start..end];
        let tag_lower = &lower[start..end];
        from = end;
        let is_feed = tag_lower.contains("alternate")
            && (tag_lower.contains("application/rss+xml")
                || tag_lower.contains("application/atom+xml")
                || tag_lower.contains("application/feed+json"));
        if let (true, Some(href)) = (is_feed, attr(tag, "href")) {
            let url = resolve(page_url, &href);
            if seen.insert(url.clone()) {
                out.push(url);
                // A page is a stranger's: each candidate is a request, so only the first few.
                if out.len() == MAX_DISCOVERED {
                    break;
                }
            }
        }
    }
    out
}

/// Feed links of a page that are tried (real sites announce one to three).
pub const MAX_DISCOVERED: usize = 8;

/// Where a site without `<link rel="alternate">` keeps its feed (jekyll-feed: `/feed.xml`).
/// Both beside the given page (a site under a base path) and at the host's root.
pub fn conventional_feed_urls(site_url: &str) -> Vec<String> {
    let names = ["feed.xml", "atom.xml", "rss.xml", "feed.json", "index.xml"];
    let mut out: Vec<String> = Vec::new();
    for url in
        names.iter().map(|p| resolve(site_url, p)).chain(names.iter().map(|p| resolve(site_url, &format!("/{p}"))))
    {
        if !out.contains(&url) {
            out.push(url);
        }
    }
    out
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let i = lower.find(&format!("{name}="))?;
    let rest = &tag[i + name.len() + 1..];
    let (quote, rest) = match rest.chars().next()? {
        q @ ('"' | '\'') => (q, &rest[1..]),
        _ => (' ', rest),
    };
    let end = rest.find(quote).unwrap_or(rest.len());
    Some(rest[..end].replace("&amp;", "&"))
}

fn resolve(base: &str, href: &str) -> String {
    if href.starts_with("http://") || href.starts_with("https://") {
        return href.to_string();
    }
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    if let Some(rest) = href.strip_prefix("//") {
        return format!("{}{rest}", &base[..scheme_end]);
    }
    let host_end = base[scheme_end..].find('/').map_or(base.len(), |i| scheme_end + i);
    if href.starts_with('/') {
        return format!("{}{href}", &base[..host_end]);
    }
    let dir_end = base.rfind('/').filter(|&i| i >= host_end).map_or(base.len(), |i| i + 1);
    let dir = if dir_end > base.len() { base.to_string() } else { base[..dir_end].to_string() };
    if dir.ends_with('/') {
        format!("{dir}{href}")
    } else {
        format!("{dir}/{href}")
    }
}

/// `zh-cn` → `zh-CN`, `en_us` → `en-US`.
fn normalize_lang(tag: &str) -> String {
    tag.trim()
        .split(['-', '_'])
        .enumerate()
        .map(|(i, part)| if i > 0 && part.len() == 2 { part.to_ascii_uppercase() } else { part.to_ascii_lowercase() })
        .collect::<Vec<_>>()
        .join("-")
}

use broadsheet_html::escape;

#[cfg(test)]
mod tests {
    use super::*;

    const RSS: &str = r#"<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:media="http://search.yahoo.com/mrss/">
<channel><title>东财</title><link>https://example.org/</link><language>zh-CN</language>
<item><title>标题一</title><link>https://example.org/a.html</link><guid>a-1</guid><pubDate>Wed, 08 Dec 2021 05:16:19 GMT</pubDate>
<category>emnews</category><description>摘要</description>
<content:encoded><![CDATA[<p>正文<script>x()</script><img src="//img.example/1.jpg"></p>]]></content:encoded>
<media:content url="https://img.example/2.jpg" type="image/jpeg"/></item>
</channel></rss>"#;

    #[test]
    fn rss_items_become_sanitised_posts_with_images_and_categories() {
        let f = parse_feed(RSS.as_bytes(), "https://example.org/feed.xml", 0).unwrap();
        assert_eq!(f.title.as_deref(), Some("东财"));
        let p = &f.posts[0];
        assert_eq!((p.key.as_str(), p.title.as_str(), p.timestamp), ("a-1", "标题一", 1_638_940_579));
        assert!(!p.html.contains("script"));
        assert_eq!(p.images, vec!["https://img.example/1.jpg".to_string(), "https://img.example/2.jpg".to_string()]);
        assert_eq!(p.categories, vec!["emnews".to_string()]);
        assert_eq!(p.lang.as_deref(), Some("zh-CN"));
    }

    #[test]
    fn atom_and_json_feed_parse() {
        let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>J</title><id>urn:j</id><updated>2025-01-29T00:00:00Z</updated>
<entry><title>Jekyll 4.4.1 Released</title><id>https://jekyllrb.com/news/2025/01/29/x</id><updated>2025-01-29T10:00:00+02:00</updated>
<link href="https://jekyllrb.com/news/2025/01/29/x/"/><content type="html">&lt;p&gt;Hello&lt;/p&gt;</content></entry></feed>"#;
        let f = parse_feed(atom.as_bytes(), "https://jekyllrb.com/feed.xml", 0).unwrap();
        assert_eq!(f.posts[0].html, "<p>Hello</p>");
        assert_eq!(f.posts[0].timestamp, 1_738_137_600);
        let json = r#"{"version":"https://jsonfeed.org/version/1.1","title":"JF","items":[{"id":"1","content_text":"plain <b>text</b>","url":"https://x.example/1"}]}"#;
        let f = parse_feed(json.as_bytes(), "https://x.example/feed.json", 42).unwrap();
        assert_eq!(f.posts[0].timestamp, 42, "undated entries take the fetch time");
        assert!(f.posts[0].text.contains("plain <b>text</b>"));
    }

    #[test]
    fn broken_feeds_are_errors_not_panics() {
        for bad in ["", "<rss><channel><item>", "not xml at all", "{\"version\": 1}", "<html><body>hi</body></html>"] {
            assert!(parse_feed(bad.as_bytes(), "https://x.example/", 0).is_err(), "{bad}");
        }
    }

    #[test]
    fn feeds_are_discovered_from_link_tags() {
        let html = r#"<head><link rel="stylesheet" href="/s.css"><link type="application/atom+xml" rel="alternate" href="/feed.xml" title="x">
<LINK REL='alternate' TYPE='application/rss+xml' HREF='https://other.example/rss'></head>"#;
        assert_eq!(
            discover(html, "https://site.example/blog/post.html"),
            vec!["https://site.example/feed.xml", "https://other.example/rss"]
        );
        assert_eq!(conventional_feed_urls("https://site.example/")[0], "https://site.example/feed.xml");
        let under_base = conventional_feed_urls("https://site.example/blog/");
        assert_eq!(under_base[0], "https://site.example/blog/feed.xml");
        assert!(under_base.contains(&"https://site.example/feed.xml".to_string()));
    }
}

#[cfg(test)]
mod depth_tests {
    use super::*;

    #[test]
    fn absurd_nesting_is_refused_before_parsing_and_real_markup_is_not() {
        let deep = format!("<rss><channel><item>{}</item></channel></rss>", "<x>".repeat(200_000));
        assert_eq!(parse_feed(deep.as_bytes(), "http://e.org/f.xml", 0).unwrap_err(), FeedError::TooDeep);
        let json = format!("{{\"items\":{}}}", "[".repeat(200_000));
        assert_eq!(parse_feed(json.as_bytes(), "http://e.org/f.json", 0).unwrap_err(), FeedError::TooDeep);
        // Hundreds of unclosed <br>s inside CDATA and a JSON string full of brackets are text.
        let item =
            format!("<item><title>t</title><description><![CDATA[{}]]></description></item>", "a<br>".repeat(400));
        let ok = format!("<rss version=\"2.0\"><channel><title>c</title>{}</channel></rss>", item.repeat(20));
        assert_eq!(parse_feed(ok.as_bytes(), "http://e.org/f.xml", 0).unwrap().posts.len(), 20);
        let s = format!(
            "{{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"{}\",\"items\":[]}}",
            "[\\\"".repeat(500)
        );
        assert!(matches!(prescan(s.as_bytes()), Prescan::Parse(std::borrow::Cow::Borrowed(_), _)));
    }

    /// `/>` inside a quoted attribute is not the end of a tag: 200,000 of them nested is real
    /// nesting (feed-rs recursed on it until the stack overflowed, aborting the process).
    #[test]
    fn quoted_self_closing_lookalikes_are_nesting_and_refused() {
        let feed = format!(
            "<rss xmlns:media=\"http://search.yahoo.com/mrss/\"><channel><item><title>t</title>{}</item></channel></rss>",
            "<media:content a=\"/>\">".repeat(200_000)
        );
        assert_eq!(parse_feed(feed.as_bytes(), "http://e.org/f.xml", 0).unwrap_err(), FeedError::TooDeep);
        // Just under the bound, on a thread with the blocking pool's 2 MiB stack: parsed
        // (or refused), never a stack overflow.
        let nested = format!(
            "<rss version=\"2.0\" xmlns:media=\"http://search.yahoo.com/mrss/\"><channel><title>c</title><item><title>t</title>{}{}</item></channel></rss>",
            "<media:content a=\"/>\">".repeat(MAX_FEED_DEPTH - 4),
            "</media:content>".repeat(MAX_FEED_DEPTH - 4)
        );
        let t = std::thread::Builder::new().stack_size(2 * 1024 * 1024);
        let r = t
            .spawn(move || parse_feed(nested.as_bytes(), "http://e.org/f.xml", 0).map(|f| f.posts.len()))
            .unwrap()
            .join();
        assert_eq!(r.ok(), Some(Ok(1)), "the deepest document the bound lets through is read, on a 2 MiB stack");
    }

    /// What the old hand-written scan skipped and the XML reader does not: a processing
    /// instruction with a quote in it (the scan read on to the next `"?>`), text before the
    /// root starting with `[` (taken for JSON), comments and CDATA lookalikes.
    #[test]
    fn nesting_and_entries_hidden_from_a_scan_are_seen_by_the_reader_feed_rs_uses() {
        let media = "<media:content>".repeat(200_000);
        let rss = |inner: &str| {
            format!(
                "<rss version=\"2.0\" xmlns:media=\"http://search.yahoo.com/mrss/\"><channel><item><guid>g</guid>{inner}</item></channel></rss>"
            )
        };
        let pi = rss(&format!("<?x \"?>{media}\"?>"));
        assert_eq!(parse_feed(pi.as_bytes(), "http://e.org/f.xml", 0).unwrap_err(), FeedError::TooDeep);
        let bracket = format!("[{}", rss(&media));
        assert_eq!(parse_feed(bracket.as_bytes(), "http://e.org/f.xml", 0).unwrap_err(), FeedError::TooDeep);
        let comment = rss(&format!("<!-- \"-->{media}"));
        assert_eq!(parse_feed(comment.as_bytes(), "http://e.org/f.xml", 0).unwrap_err(), FeedError::TooDeep);
        let items = format!(
            "<rss version=\"2.0\"><channel><title>c</title><?x \"?>{}\"?></channel></rss>",
            (0..20_000).map(|i| format!("<item><guid>g{i}</guid></item>")).collect::<String>()
        );
        assert_eq!(parse_feed(items.as_bytes(), "http://e.org/f.xml", 0).unwrap().posts.len(), MAX_PARSED_ENTRIES);
    }

    /// One entry feed-rs cannot read no longer loses the feed: the others are read.
    #[test]
    fn an_entry_that_cannot_be_read_is_left_out_and_the_rest_of_the_feed_is_read() {
        let json = r#"{"version":"https://jsonfeed.org/version/1.1","title":"j","items":[
            {"id":"a","content_html":"<p>一</p>"},{"id":123,"content_html":"<p>二</p>"},
            {"id":"c","content_html":"<p>三</p>","tags":"not a list"}]}"#;
        let f = parse_feed(json.as_bytes(), "http://e.org/f.json", 0).unwrap();
        let keys: Vec<&str> = f.posts.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["a", "123"], "a numeric id is read as a string, as JSON Feed asks");
        assert_eq!(f.left_out.len(), 1, "{:?}", f.left_out);
        assert!(f.left_out[0].starts_with("entry 3:"), "{:?}", f.left_out);

        let rss = r#"<rss version="2.0"><channel><title>c</title>
            <item><guid>a</guid><title>一</title></item>
            <item xml:base="http://[::1"><guid>b</guid><title>二</title></item>
            <item><guid>c</guid><title>三</title></item></channel></rss>"#;
        let f = parse_feed(rss.as_bytes(), "http://e.org/f.xml", 0).unwrap();
        let keys: Vec<&str> = f.posts.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["a", "c"]);
        assert!(f.left_out.len() == 1 && f.left_out[0].starts_with("entry 2:"), "{:?}", f.left_out);
        // A feed that is broken as a whole is still an error.
        assert!(parse_feed(b"<rss><channel><item>", "http://e.org/f.xml", 0).is_err());
    }

    /// Every prefix lookup walks the bindings in scope: their number is bounded.
    #[test]
    fn namespaces_declared_by_the_thousand_are_refused() {
        let decls: String = (0..200).map(|i| format!(" xmlns:p{i}=\"u{i}\"")).collect();
        let wrappers = format!("<x{decls}>").repeat(4);
        let feed = format!("<rss version=\"2.0\"><channel>{wrappers}<q:y/></channel></rss>");
        assert_eq!(parse_feed(feed.as_bytes(), "http://e.org/f.xml", 0).unwrap_err(), FeedError::TooManyNamespaces);
        // A real feed's dozen, on the root: read.
        let ok = format!(
            "<rss version=\"2.0\"{}><channel><title>c</title><item><guid>g</guid></item></channel></rss>",
            (0..12).map(|i| format!(" xmlns:n{i}=\"http://n{i}.example/\"")).collect::<String>()
        );
        assert_eq!(parse_feed(ok.as_bytes(), "http://e.org/f.xml", 0).unwrap().posts.len(), 1);
    }

    /// Millions of empty items would all be built before any could be dropped: the document
    /// is cut to the first entries, still well formed, and those are read.
    #[test]
    fn a_feed_of_millions_of_items_is_cut_to_its_first_entries() {
        let feed = format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>c</title>{}</channel></rss>",
            (0..1_000_000).map(|i| format!("<item><guid>g{i}</guid></item>")).collect::<String>()
        );
        let parsed = parse_feed(feed.as_bytes(), "http://e.org/f.xml", 0).unwrap();
        assert_eq!(parsed.posts.len(), MAX_PARSED_ENTRIES);
        assert_eq!(parsed.posts[0].key, "g0");
        let atom = format!(
            "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>a</title>{}</feed>",
            (0..5_000).map(|i| format!("<entry><id>e{i}</id><title>t</title></entry>")).collect::<String>()
        );
        assert_eq!(parse_feed(atom.as_bytes(), "http://e.org/a.xml", 0).unwrap().posts.len(), MAX_PARSED_ENTRIES);
        // A cut after an entry whose own elements nest keeps the document well formed.
        let nested = format!(
            "<rss version=\"2.0\"><channel><title>c</title>{}</channel></rss>",
            (0..3_000)
                .map(|i| format!("<item><guid>n{i}</guid><description><b>x</b></description></item>"))
                .collect::<String>()
        );
        assert_eq!(
            parse_feed(nested.as_bytes(), "http://e.org/n.xml", 0).map(|f| f.posts.len()),
            Ok(MAX_PARSED_ENTRIES)
        );
        let json = format!(
            "{{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"j\",\"items\":[{}]}}",
            vec!["{}"; 200_000].join(",")
        );
        assert_eq!(parse_feed(json.as_bytes(), "http://e.org/f.json", 0).unwrap_err(), FeedError::TooManyContainers);
        let many = format!(
            "{{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"j\",\"items\":[{}]}}",
            (0..10_000)
                .map(|i| format!("{{\"id\":\"j{i}\",\"content_html\":\"<p>x</p>\"}}"))
                .collect::<Vec<_>>()
                .join(",")
        );
        assert_eq!(parse_feed(many.as_bytes(), "http://e.org/f.json", 0).unwrap().posts.len(), MAX_PARSED_ENTRIES);
    }

    /// An ill-formed piece the reader reads past (a bare `&`) does not end the measuring:
    /// what follows it is bounded like the rest.
    #[test]
    fn what_follows_a_bare_ampersand_is_measured_too() {
        let rss = |inner: &str| {
            format!(
                "<rss version=\"2.0\" xmlns:media=\"http://search.yahoo.com/mrss/\"><channel><item><guid>g</guid><title>AT&T</title>{inner}</item></channel></rss>"
            )
        };
        let deep = rss(&"<media:content>".repeat(200_000));
        assert_eq!(parse_feed(deep.as_bytes(), "http://e.org/f.xml", 0).unwrap_err(), FeedError::TooDeep);
        let decls: String = (0..300).map(|i| format!(" xmlns:p{i}=\"u{i}\"")).collect();
        let spaces = rss(&format!("<x{decls}/>"));
        assert_eq!(parse_feed(spaces.as_bytes(), "http://e.org/f.xml", 0).unwrap_err(), FeedError::TooManyNamespaces);
        let many = format!(
            "<rss version=\"2.0\"><channel><title>AT&T</title>{}</channel></rss>",
            (0..20_000).map(|i| format!("<item><guid>g{i}</guid></item>")).collect::<String>()
        );
        let f = parse_feed(many.as_bytes(), "http://e.org/f.xml", 0);
        assert!(f.as_ref().map_or(true, |f| f.posts.len() <= MAX_PARSED_ENTRIES), "{:?}", f.map(|f| f.posts.len()));
    }

    /// The retry reads past an entry with a bare `&` (and keeps what lies between entries),
    /// and never takes an entry twice.
    #[test]
    fn entries_around_one_with_a_bare_ampersand_are_read_once_each() {
        let rss = r#"<rss version="2.0"><channel>
            <item><guid>a</guid><title>AT&T</title></item>
            <item xml:base="http://[::1"><guid>b</guid><title>二</title></item>
            <title>频道</title>
            <item><guid>c</guid><title>三</title></item></channel></rss>"#;
        let f = parse_feed(rss.as_bytes(), "http://e.org/f.xml", 0).unwrap();
        let keys: Vec<&str> = f.posts.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["a", "c"]);
        assert_eq!(f.title.as_deref(), Some("频道"), "the channel's title between entries is kept");
        assert!(f.left_out.len() == 1 && f.left_out[0].starts_with("entry 2:"), "{:?}", f.left_out);
    }

    /// A byte order mark is not counted by the XML reader's position: the cut and the
    /// retry's ranges still fall on the entries.
    #[test]
    fn a_feed_with_a_byte_order_mark_is_cut_and_retried_in_the_right_places() {
        let items: String = (0..3_000).map(|i| format!("<item><guid>g{i}</guid></item>")).collect();
        let feed = format!("\u{feff}<rss version=\"2.0\"><channel><title>c</title>{items}</channel></rss>");
        let parsed = parse_feed(feed.as_bytes(), "http://e.org/f.xml", 0).unwrap();
        assert_eq!(parsed.posts.len(), MAX_PARSED_ENTRIES);
        let bad = "\u{feff}<rss version=\"2.0\"><channel><title>c</title><item><guid>a</guid></item><item xml:base=\"http://[::1\"><guid>b</guid></item><item><guid>c</guid></item></channel></rss>";
        let f = parse_feed(bad.as_bytes(), "http://e.org/f.xml", 0).unwrap();
        let keys: Vec<&str> = f.posts.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["a", "c"]);
    }

    /// The retry's cost is bounded: a large frame read once per entry is not tried (the feed
    /// fails as a whole), and a JSON Feed of millions of values is refused before anything.
    #[test]
    fn a_retry_that_would_cost_more_than_a_second_reading_is_not_tried() {
        let frame = format!("<title>c</title><description>{}</description>", "x".repeat(60_000));
        let items: String = (0..1_000).map(|i| format!("<item><guid>g{i}</guid></item>")).collect();
        let rss = format!("<rss version=\"2.0\"><channel>{frame}{items}<item xml:base=\"http://[::1\"><guid>b</guid></item></channel></rss>");
        assert!(matches!(parse_feed(rss.as_bytes(), "http://e.org/f.xml", 0), Err(FeedError::Malformed(_))));
        let json = format!(
            "{{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"j\",\"items\":[{{\"id\":1,\"x\":[{}]}}]}}",
            vec!["0"; MAX_JSON_VALUES + 10].join(",")
        );
        assert_eq!(parse_feed(json.as_bytes(), "http://e.org/f.json", 0).unwrap_err(), FeedError::TooManyValues);
        // Small enough, the same numeric id is read.
        let small =
            "{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"j\",\"items\":[{\"id\":1,\"x\":[0,0]}]}";
        assert_eq!(parse_feed(small.as_bytes(), "http://e.org/f.json", 0).unwrap().posts[0].key, "1");
    }

    /// What feed-rs copies or builds per element is bounded before it reads: the `xml:base`
    /// in scope (copied into every element), the elements of the first levels (each one a
    /// category, a link, an entry), a JSON Feed's values (each tag a category).
    #[test]
    fn what_the_parser_copies_or_builds_per_element_is_bounded_before_it_reads() {
        let base = format!(
            "<rss version=\"2.0\"><channel xml:base=\"http://e.org/{}\"><title>c</title>{}</channel></rss>",
            "a".repeat(4096),
            "<x/>".repeat(1000)
        );
        assert_eq!(parse_feed(base.as_bytes(), "http://e.org/f.xml", 0).unwrap_err(), FeedError::XmlBaseTooLong);
        let nested = format!(
            "<rss version=\"2.0\"><channel><title>c</title>{}<item><guid>g</guid></item>{}</channel></rss>",
            "<x xml:base=\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/\">".repeat(100),
            "</x>".repeat(100)
        );
        assert_eq!(parse_feed(nested.as_bytes(), "http://e.org/f.xml", 0).unwrap_err(), FeedError::XmlBaseTooLong);
        let categories = format!(
            "<rss version=\"2.0\"><channel><title>c</title><item><guid>g</guid>{}</item></channel></rss>",
            "<category/>".repeat(MAX_SHALLOW_ELEMENTS + 1)
        );
        assert_eq!(parse_feed(categories.as_bytes(), "http://e.org/f.xml", 0).unwrap_err(), FeedError::TooManyElements);
        let tags = format!(
            "{{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"t\",\"items\":[{{\"id\":\"a\",\"tags\":[{}]}}]}}",
            vec!["\"\""; MAX_JSON_VALUES + 2].join(",")
        );
        assert_eq!(parse_feed(tags.as_bytes(), "http://e.org/f.json", 0).unwrap_err(), FeedError::TooManyValues);
        // A real base, a real entry's dozen fields, a real item's tags: read.
        let ok = "<rss version=\"2.0\"><channel xml:base=\"http://e.org/news/\"><title>c</title><item><guid>g</guid><category>a</category><category>b</category></item></channel></rss>";
        assert_eq!(parse_feed(ok.as_bytes(), "http://e.org/f.xml", 0).unwrap().posts[0].categories, ["a", "b"]);
    }
}
