//! A pure, panic-free reader of Jekyll posts.
//!
//! Invariant: no I/O and no panics. Every function takes text or bytes and returns a value
//! plus [`Warning`]s; bad input degrades to a warning (or a [`Skip`]) naming the problem.

mod config;
mod date;
mod frontmatter;
mod liquid;
mod name;
mod permalink;
mod render;
mod site_files;
mod site_link;
mod yaml;

pub use config::{parse_config, SiteConfig};
pub use name::{has_post_extension, is_post_path, post_key, post_slug, ARCHIVE_DIRS, SKIP_DIRS};
pub use render::{render_body, Rendered};
pub use site_files::{
    category_page_name, cname_site, is_category_page_path, learn_site_file, MAX_CATEGORY_PAGES,
    MAX_CATEGORY_PAGE_BYTES, MAX_CNAME_BYTES, MAX_SITE_FILE_BYTES,
};
pub use site_link::{at_site_address, site_link, site_link_via, SiteLink};

use serde_json::{Map, Value};

/// A problem found while reading a file; the file is still imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub message: String,
}

impl Warning {
    fn new(message: impl Into<String>) -> Self {
        Warning { message: message.into() }
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Why a file was deliberately not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    pub reason: String,
}

/// One post file as read from disk.
#[derive(Debug, Clone)]
pub struct PostFile<'a> {
    /// Path relative to the site root, with `/` separators (e.g. `_posts/2022-03-08-x.md`).
    pub path: &'a str,
    pub bytes: &'a [u8],
    /// Modification time (Unix seconds): the date of last resort for a post with none.
    pub modified: Option<i64>,
}

/// A parsed post, ready for the archive.
#[derive(Debug, Clone, PartialEq)]
pub struct Post {
    /// Stable identity within the site: the file name without extension, so a post moved
    /// between folders (finews moves old posts to `old_post/`) stays the same post.
    pub key: String,
    pub slug: String,
    pub title: String,
    /// Unix seconds.
    pub timestamp: i64,
    /// The post's own UTC offset in minutes, kept for display.
    pub utc_offset_min: i32,
    pub categories: Vec<String>,
    pub tags: Vec<String>,
    /// Site-relative URL per the permalink rules, e.g. `/emnews/2021/12/08/x.html`.
    pub url: String,
    pub lang: Option<String>,
    pub html: String,
    pub text: String,
    pub excerpt: String,
    pub images: Vec<String>,
    /// Front-matter fields without a dedicated place above.
    pub extra: Map<String, Value>,
}

/// Result of reading one post file.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    Post(Box<Post>),
    Skipped(Skip),
}

/// The largest post file read. finews posts are a few KiB; 4 MiB is far beyond any real post
/// and small enough that parsing, sanitising and indexing one stays quick.
pub const MAX_POST_BYTES: usize = 4 * 1024 * 1024;

/// Reads one post. Never panics; anything odd becomes a warning.
pub fn parse_post(file: &PostFile<'_>, site: &SiteConfig) -> (Parsed, Vec<Warning>) {
    let mut warnings = Vec::new();
    if file.bytes.len() > MAX_POST_BYTES {
        let reason = format!("{} bytes, larger than the {MAX_POST_BYTES} a post may be", file.bytes.len());
        return (Parsed::Skipped(Skip { reason }), warnings);
    }
    let text = match std::str::from_utf8(file.bytes) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        Err(e) => {
            warnings
                .push(Warning::new(format!("invalid UTF-8 at byte {}; undecodable bytes replaced", e.valid_up_to())));
            String::from_utf8_lossy(file.bytes)
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let name = name::PostName::parse(file.path);
    if let Some(w) = &name.warning {
        warnings.push(Warning::new(w.clone()));
    }
    let fm = frontmatter::split(text, &mut warnings);
    let mut fields = fm.fields;

    if matches!(fields.get("published"), Some(Value::Bool(false))) {
        return (Parsed::Skipped(Skip { reason: "published: false".into() }), warnings);
    }

    let title = match fields.remove("title") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        Some(Value::Null) | None => name.title_from_slug(),
        Some(Value::String(_)) => {
            warnings.push(Warning::new("empty title; using the file name"));
            name.title_from_slug()
        }
        Some(other) => value_to_label(&other),
    };

    let (timestamp, utc_offset_min) = date::resolve(fields.remove("date"), &name, file.modified, site, &mut warnings);

    let mut categories = Vec::new();
    for key in ["category", "categories"] {
        if let Some(v) = fields.remove(key) {
            push_labels(&v, &mut categories);
        }
    }
    dedup_keep_order(&mut categories);
    let mut tags = Vec::new();
    if let Some(v) = fields.remove("tags") {
        push_labels(&v, &mut tags);
    }
    dedup_keep_order(&mut tags);
    // A post is a stranger's: a 256 KiB `categories:` string is 50,000 words. Real posts carry
    // a handful of short labels; the rest are dropped here, before URLs are built from them.
    for (what, labels, max) in [("categories", &mut categories, MAX_CATEGORIES), ("tags", &mut tags, MAX_TAGS)] {
        let long = labels.iter().filter(|l| l.chars().count() > MAX_LABEL_CHARS).count();
        labels.retain(|l| l.chars().count() <= MAX_LABEL_CHARS);
        if long > 0 {
            warnings.push(Warning::new(format!("{long} {what} longer than {MAX_LABEL_CHARS} characters left out")));
        }
        if labels.len() > max {
            warnings.push(Warning::new(format!("{} {what}; only the first {max} kept", labels.len())));
            labels.truncate(max);
        }
    }

    let own_lang = match fields.get("lang") {
        Some(Value::String(l)) if !l.trim().is_empty() => Some(l.trim().to_string()),
        _ => None,
    };
    let url_offset = date::url_offset_min(site, timestamp, utc_offset_min);
    let pattern = fields.get("permalink").and_then(Value::as_str).or(site.permalink.as_deref());
    let url = match permalink::post_url(pattern, &categories, timestamp, url_offset, &name.slug) {
        Some(url) => url,
        None => {
            // Jekyll would build it; a URL past the bound is nobody's address.
            warnings.push(Warning::new(format!(
                "the permalink makes a URL longer than {} KiB; the post's URL is its name",
                permalink::MAX_URL_BYTES / 1024
            )));
            permalink::post_url(Some("/:title:output_ext"), &[], timestamp, url_offset, &name.slug)
                .unwrap_or_else(|| "/".into())
        }
    };
    let body = liquid::expand(fm.body, site, &fields, &mut warnings);
    let rendered = render::render_body(&body, site.url.as_deref());
    warnings.extend(rendered.warning.as_deref().map(Warning::new));
    let lang =
        own_lang.or_else(|| broadsheet_html::detect_lang(&format!("{title}\n{}", rendered.text), site.lang.as_deref()));

    let post = Post {
        key: name.stem.clone(),
        slug: name.slug.clone(),
        title,
        timestamp,
        utc_offset_min,
        categories,
        tags,
        url,
        lang,
        html: rendered.html,
        text: rendered.text,
        excerpt: rendered.excerpt,
        images: rendered.images,
        extra: fields,
    };
    (Parsed::Post(Box::new(post)), warnings)
}

/// Labels kept per post (the archive keeps as many; finews posts carry one of each).
pub const MAX_CATEGORIES: usize = 32;
pub const MAX_TAGS: usize = 64;
/// The longest category or tag kept, in characters.
pub const MAX_LABEL_CHARS: usize = 200;

/// Jekyll reads a string of categories or tags as space-separated words, and a list as items.
fn push_labels(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.extend(s.split_whitespace().map(str::to_string)),
        Value::Array(items) => {
            for item in items {
                let label = value_to_label(item);
                if !label.is_empty() {
                    out.push(label);
                }
            }
        }
        Value::Null => {}
        other => out.push(value_to_label(other)),
    }
}

fn value_to_label(v: &Value) -> String {
    match v {
        Value::String(s) => s.trim().to_string(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn dedup_keep_order(v: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    v.retain(|s| seen.insert(s.clone()));
}
