//! What a click on a link inside an article does.

use broadsheet_model::ArticleId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkAction {
    ShowAll,
    ShowCategory(String),
    OpenArticle(ArticleId),
    /// A web page: handed to the system browser.
    External(String),
    /// Anything else (relative leftovers, `javascript:`…): nothing happens.
    Ignore,
}

/// Percent-encodes a slug for an in-app target.
pub fn encode(slug: &str) -> String {
    percent_encoding::utf8_percent_encode(slug, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The original URL behind a placeholder image (`…/missing/<percent-encoded URL>`).
pub fn missing_image_original(src: &str) -> Option<String> {
    let encoded = src.split_once("/missing/")?.1;
    Some(percent_encoding::percent_decode_str(encoded).decode_utf8_lossy().into_owned())
}

/// Reads the in-app targets the backend writes (`#all`, `#category=<slug>`, `#article=<id>`).
pub fn link_action(href: &str) -> LinkAction {
    if href == "#all" {
        return LinkAction::ShowAll;
    }
    if let Some(slug) = href.strip_prefix("#category=") {
        return LinkAction::ShowCategory(percent_encoding::percent_decode_str(slug).decode_utf8_lossy().into_owned());
    }
    if let Some(id) = href.strip_prefix("#article=").and_then(|i| i.parse().ok()) {
        return LinkAction::OpenArticle(id);
    }
    if href.starts_with("https://") || href.starts_with("http://") {
        return LinkAction::External(href.to_string());
    }
    LinkAction::Ignore
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_app_targets_and_web_links_are_told_apart() {
        assert_eq!(link_action("#all"), LinkAction::ShowAll);
        assert_eq!(
            link_action("#category=21shijijingjibaodao%2021caijingAPP"),
            LinkAction::ShowCategory("21shijijingjibaodao 21caijingAPP".into())
        );
        assert_eq!(link_action("#article=42"), LinkAction::OpenArticle(42));
        assert_eq!(
            link_action("https://finance.eastmoney.com/a.html"),
            LinkAction::External("https://finance.eastmoney.com/a.html".into())
        );
        assert_eq!(link_action("javascript:alert(1)"), LinkAction::Ignore);
        assert_eq!(link_action("../emnews/"), LinkAction::Ignore);
        assert_eq!(link_action("#article=x"), LinkAction::Ignore);
        assert_eq!(
            missing_image_original("bsimg://localhost/missing/https%3A%2F%2Fdfscdn%2Edfcfw%2Ecom%2Fa%2Ejpg").as_deref(),
            Some("https://dfscdn.dfcfw.com/a.jpg")
        );
        assert_eq!(missing_image_original("bsimg://localhost/https%3A%2F%2Fx"), None);
        let slug = "anxinguojizhengquan(xianggang)";
        assert_eq!(link_action(&format!("#category={}", encode(slug))), LinkAction::ShowCategory(slug.into()));
    }
}
