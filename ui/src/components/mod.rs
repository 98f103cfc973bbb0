mod article_list;
mod reader;
mod sidebar;

pub use article_list::ArticleList;
pub use reader::Reader;
pub use sidebar::Sidebar;
