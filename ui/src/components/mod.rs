mod archive_panel;
mod article_list;
mod devices_panel;
mod reader;
mod resizer;
pub(crate) mod settings_panel;
mod sidebar;
mod sources;

pub use archive_panel::ArchivePanel;
pub use article_list::ArticleList;
pub use devices_panel::DevicesPanel;
pub use reader::{Reader, TagEditor};
pub use resizer::Resizer;
pub use settings_panel::SettingsPanel;
pub use sidebar::Sidebar;
pub use sources::{Sources, SyncBar};

/// The value of the `<input>` an event came from (empty for any other target).
pub(crate) fn input_value(e: &web_sys::Event) -> String {
    e.target()
        .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok())
        .map(|i| i.value())
        .unwrap_or_default()
}
