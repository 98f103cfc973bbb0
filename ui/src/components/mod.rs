mod archive_panel;
mod article_list;
mod reader;
mod resizer;
pub(crate) mod settings_panel;
mod sidebar;
mod sources;

pub use archive_panel::ArchivePanel;
pub use article_list::ArticleList;
pub use reader::{Reader, TagEditor};
pub use resizer::Resizer;
pub use settings_panel::SettingsPanel;
pub use sidebar::Sidebar;
pub use sources::{Sources, SyncBar};
