mod article_list;
mod reader;
mod resizer;
mod sidebar;
mod settings_panel;
mod sources;

pub use article_list::ArticleList;
pub use reader::{Reader, TagEditor};
pub use resizer::Resizer;
pub use sidebar::Sidebar;
pub use settings_panel::SettingsPanel;
pub use sources::{Sources, SyncBar};
