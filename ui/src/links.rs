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

pub use broadsheet_model::link::missing_image_original;
use broadsheet_model::InAppLink;

/// What a click on `href` does: the app's own targets (`broadsheet_model::link`), web pages
/// to the browser, anything else nothing.
pub fn link_action(href: &str) -> LinkAction {
    match InAppLink::parse(href) {
        Some(InAppLink::All) => LinkAction::ShowAll,
        Some(InAppLink::Category(slug)) => LinkAction::ShowCategory(slug),
        Some(InAppLink::Article(id)) => LinkAction::OpenArticle(id),
        None if href.starts_with("https://") || href.starts_with("http://") => LinkAction::External(href.to_string()),
        None => LinkAction::Ignore,
    }
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
        assert_eq!(link_action("#article=42"), LinkAction::OpenArticle(broadsheet_model::ArticleId(42)));
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
        assert_eq!(link_action(&InAppLink::Category(slug.into()).href()), LinkAction::ShowCategory(slug.into()));
    }
}
