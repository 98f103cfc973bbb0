mod article_list;
mod reader;
mod sidebar;
mod sources;

pub use article_list::ArticleList;
pub use reader::{Reader, TagEditor};
pub use sidebar::Sidebar;
pub use sources::{Sources, SyncBar};
