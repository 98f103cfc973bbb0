//! What a site says about itself outside its posts: the domain in its `CNAME` (GitHub Pages'
//! custom domain, often the site's other or former address) and the display names its
//! category pages give (`category/<slug>.html` with a `title:`).
//!
//! Pure like the rest of the crate: bytes in, a value (or nothing) out. The callers (a folder
//! walk, a git tree) bound how many files they hand over and how large each is.

use crate::frontmatter;

/// Category pages read per site: finews has about 2,000; a tree claiming more is a flood.
pub const MAX_CATEGORY_PAGES: usize = 20_000;
/// A category page larger than this is not read (its front matter is a few lines).
pub const MAX_CATEGORY_PAGE_BYTES: usize = 64 * 1024;
/// Bytes of site files read per import or sync, all together (20,000 pages of 64 KiB would
/// be over a gigabyte read at every sync).
pub const MAX_SITE_FILE_BYTES: usize = 16 * 1024 * 1024;
/// A `CNAME` file larger than this is not a domain name.
pub const MAX_CNAME_BYTES: usize = 1024;
/// A category's display name is cut to this many characters.
const MAX_NAME_CHARS: usize = 120;

/// The site address a `CNAME` file names, as `https://host`; `None` when its first line is
/// not a plain domain name (a hostile tree may put anything there).
pub fn cname_site(bytes: &[u8]) -> Option<String> {
    if bytes.len() > MAX_CNAME_BYTES {
        return None;
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let host = line.strip_prefix("https://").or_else(|| line.strip_prefix("http://")).unwrap_or(line);
    let host = host.trim_end_matches('/').to_ascii_lowercase();
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    let labels: Vec<&str> = host.split('.').collect();
    (host.len() <= 253 && labels.len() >= 2 && labels.iter().all(|l| label_ok(l))).then(|| format!("https://{host}"))
}

/// Adds what one site file says to `config`: the `CNAME`'s address to its aliases, a
/// category page's name to its category names (the first page naming a slug wins).
pub fn learn_site_file(config: &mut crate::SiteConfig, path: &str, bytes: &[u8]) {
    if path == "CNAME" {
        config.aliases.extend(cname_site(bytes));
    } else if let Some((slug, name)) = category_page_name(path, bytes) {
        if config.category_names.len() < MAX_CATEGORY_PAGES {
            config.category_names.entry(slug).or_insert(name);
        }
    }
}

/// Whether a path (relative to the site root, `/`-separated) is where Jekyll sites keep
/// their category pages: a page directly in `category/` or `categories/`.
pub fn is_category_page_path(path: &str) -> bool {
    let mut parts = path.split('/');
    let (Some(dir), Some(file), None) = (parts.next(), parts.next(), parts.next()) else { return false };
    (dir == "category" || dir == "categories")
        && [".html", ".md", ".markdown"].iter().any(|ext| file.len() > ext.len() && file.ends_with(ext))
}

/// The (slug, display name) a category page gives: the slug from its `category:` (else its
/// file name), the name from its `title:`. `None` when it names nothing beyond the slug.
pub fn category_page_name(path: &str, bytes: &[u8]) -> Option<(String, String)> {
    if !is_category_page_path(path) || bytes.len() > MAX_CATEGORY_PAGE_BYTES {
        return None;
    }
    let text = String::from_utf8_lossy(bytes);
    let fm = frontmatter::split(&text, &mut Vec::new());
    let text_of = |k: &str| fm.fields.get(k).and_then(|v| v.as_str()).map(str::trim).filter(|s| !s.is_empty());
    let stem = path.rsplit('/').next()?.rsplit_once('.')?.0;
    let slug = text_of("category").unwrap_or(stem).to_string();
    // Controls and bidi embeddings, overrides and isolates dropped: a name is one short label,
    // and U+202E in it would show the sidebar's text (and what follows) reversed.
    let name: String = text_of("title")?
        .chars()
        .filter(|&c| !c.is_control() && !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
        .take(MAX_NAME_CHARS)
        .collect();
    let name = name.trim().to_string();
    (!name.is_empty() && name != slug).then_some((slug, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cname_is_one_plain_domain_and_anything_else_is_ignored() {
        assert_eq!(cname_site(b"finews.zning.me\n").as_deref(), Some("https://finews.zning.me"));
        assert_eq!(cname_site(b"\n  https://Blog.Example.com/ \nextra").as_deref(), Some("https://blog.example.com"));
        for bad in [
            &b"localhost"[..],
            b"javascript:alert(1)",
            b"a b.example",
            b"-x.example",
            b"x..example",
            b"evil.example/path",
            b"\xff\xfe",
            b"",
        ] {
            assert_eq!(cname_site(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
        assert_eq!(cname_site(&vec![b'a'; MAX_CNAME_BYTES + 1]), None);
    }

    #[test]
    fn category_pages_name_their_slug_with_their_title() {
        let page = b"---\nlayout: category\ntitle: \"Release notes\"\ncategory: release\n---\n";
        assert_eq!(
            category_page_name("category/release.html", page),
            Some(("release".to_string(), "Release notes".to_string()))
        );
        // The file name is the slug when the page does not say.
        assert_eq!(
            category_page_name("categories/21caijing.md", b"---\ntitle: 21\xe8\xb4\xa2\xe7\xbb\x8f\n---\n"),
            Some(("21caijing".to_string(), "21财经".to_string()))
        );
    }

    #[test]
    fn pages_elsewhere_untitled_or_hostile_name_nothing() {
        assert_eq!(category_page_name("about.html", b"---\ntitle: About\n---\n"), None);
        assert_eq!(category_page_name("category/deep/x.html", b"---\ntitle: X\n---\n"), None);
        assert_eq!(category_page_name("category/x.html", b"---\nlayout: category\n---\n"), None);
        assert_eq!(category_page_name("category/x.html", b"no front matter"), None);
        assert_eq!(category_page_name("category/x.html", b"---\ntitle: x\n---\n"), None);
        assert_eq!(category_page_name("category/.html", b"---\ntitle: X\n---\n"), None);
        let bomb = format!("---\ntitle: &a [{}]\n---\n", "[".repeat(10_000));
        // The front matter's repairs may keep such a line as text; it is bounded like any name.
        let bombed = category_page_name("category/x.html", bomb.as_bytes());
        assert!(bombed.is_none_or(|(_, n)| n.chars().count() <= MAX_NAME_CHARS));
        let long = format!("---\ntitle: \"{}\u{7}\"\n---\n", "名".repeat(1000));
        let (_, name) = category_page_name("category/x.html", long.as_bytes()).unwrap();
        assert_eq!(name.chars().count(), MAX_NAME_CHARS);
        assert!(!name.contains('\u{7}'));
        // A right-to-left override would show the sidebar's text reversed.
        let spoof = "---\ntitle: \"\u{202E}evil\u{2066}财经\u{2069}\"\n---\n";
        assert_eq!(
            category_page_name("category/x.html", spoof.as_bytes()).map(|(_, n)| n).as_deref(),
            Some("evil财经")
        );
    }
}
