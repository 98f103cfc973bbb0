//! The app's own link targets, written by the backend into an article's HTML (a link to the
//! site's home, a category, another kept post) and into placeholder images, and read by the
//! window when one is clicked. One writer and one reader, here, so the two ends cannot
//! drift apart.

use percent_encoding::{percent_decode_str, utf8_percent_encode, NON_ALPHANUMERIC};

use crate::ArticleId;

/// A link that stays in the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InAppLink {
    /// Every article (the site's home page).
    All,
    /// A category, by slug.
    Category(String),
    /// A kept post.
    Article(ArticleId),
}

impl InAppLink {
    /// The `href` written into the article.
    pub fn href(&self) -> String {
        match self {
            InAppLink::All => "#all".into(),
            InAppLink::Category(slug) => format!("#category={}", encode(slug)),
            InAppLink::Article(id) => format!("#article={id}"),
        }
    }

    /// The link an `href` is, if it is one of the app's own.
    pub fn parse(href: &str) -> Option<InAppLink> {
        if href == "#all" {
            return Some(InAppLink::All);
        }
        if let Some(slug) = href.strip_prefix("#category=") {
            return Some(InAppLink::Category(percent_decode_str(slug).decode_utf8_lossy().into_owned()));
        }
        href.strip_prefix("#article=").and_then(|id| id.parse().ok()).map(InAppLink::Article)
    }
}

/// The path (under the image scheme's origin) of the placeholder for an image not cached
/// yet: `missing/<the original URL, percent-encoded>`.
pub fn missing_image_path(original: &str) -> String {
    format!("{MISSING}{}", encode(original))
}

/// The original URL behind a placeholder image's `src`, if it is one.
pub fn missing_image_original(src: &str) -> Option<String> {
    let encoded = src.split_once("/missing/")?.1;
    Some(percent_decode_str(encoded).decode_utf8_lossy().into_owned())
}

const MISSING: &str = "missing/";

fn encode(s: &str) -> String {
    utf8_percent_encode(s, NON_ALPHANUMERIC).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_link_reads_back_as_written() {
        for link in [
            InAppLink::All,
            InAppLink::Category("21shijijingjibaodao 21caijingAPP".into()),
            InAppLink::Category("anxinguojizhengquan(xianggang)".into()),
            InAppLink::Category("新闻/#?&=%".into()),
            InAppLink::Article(crate::ArticleId(42)),
        ] {
            assert_eq!(InAppLink::parse(&link.href()), Some(link.clone()), "{}", link.href());
        }
        for other in ["https://x.example/", "javascript:alert(1)", "../emnews/", "#article=x", "#", ""] {
            assert_eq!(InAppLink::parse(other), None, "{other}");
        }
        let original = "https://dfscdn.dfcfw.com/a.jpg?x=1&y=图";
        let src = format!("bsimg://localhost/{}", missing_image_path(original));
        assert_eq!(missing_image_original(&src).as_deref(), Some(original));
        assert_eq!(missing_image_original("bsimg://localhost/https%3A%2F%2Fx"), None);
    }
}
