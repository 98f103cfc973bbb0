//! What the list shows: a smart view, a category, a tag, or search results.

use broadsheet_model::Filters;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ListView {
    #[default]
    All,
    Unread,
    Bookmarked,
    Category(String),
    /// A site tag.
    Tag(String),
    UserTag(String),
    Search(String),
}

impl ListView {
    /// The list filters for this view (search adds its query on top).
    pub fn filters(&self) -> Filters {
        let mut f = Filters::default();
        match self {
            ListView::All | ListView::Search(_) => {}
            ListView::Unread => f.unread = true,
            ListView::Bookmarked => f.bookmarked = true,
            ListView::Category(c) => f.category = Some(c.clone()),
            ListView::Tag(t) => f.tag = Some(t.clone()),
            ListView::UserTag(t) => f.user_tag = Some(t.clone()),
        }
        f
    }

    /// A stable id for the view, used in `data-view` attributes.
    pub fn key(&self) -> String {
        match self {
            ListView::All => "all".into(),
            ListView::Unread => "unread".into(),
            ListView::Bookmarked => "bookmarked".into(),
            ListView::Category(c) => format!("category:{c}"),
            ListView::Tag(t) => format!("tag:{t}"),
            ListView::UserTag(t) => format!("user-tag:{t}"),
            ListView::Search(q) => format!("search:{q}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_map_to_filters() {
        assert!(ListView::Unread.filters().unread);
        assert!(ListView::Bookmarked.filters().bookmarked);
        assert_eq!(ListView::Category("emnews".into()).filters().category.as_deref(), Some("emnews"));
        assert_eq!(ListView::UserTag("稍后".into()).filters().user_tag.as_deref(), Some("稍后"));
        assert_eq!(ListView::Search("股".into()).filters(), Filters::default());
    }
}
