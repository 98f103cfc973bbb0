use sycamore::prelude::*;

use crate::settings::Settings;
use crate::state::AppState;

/// Language, line width and read-on-open, behind a button at the foot of the sidebar.
#[component]
pub fn SettingsPanel() -> View {
    let state = use_context::<AppState>();
    let open = create_signal(false);
    view! {
        div(class="settings") {
            button(class="settings-toggle", aria-expanded=move || open.get().to_string(), on:click=move |_| open.set(!open.get())) {
                "⚙ " (state.t("Settings"))
            }
            (if open.get() {
                let (lang, width) = state.prefs.settings.with(|s| (s.language.clone(), s.line_width.clone()));
                let (l_auto, l_en, l_zh) = (lang == "auto", lang == "en", lang == "zh");
                let (w_n, w_m, w_w) = (width == "narrow", width == "medium", width == "wide");
                let mark = state.prefs.settings.with(|s| s.mark_read_on_open);
                let (collapse, read_copies) = state.prefs.settings.with(|s| (s.collapse_duplicates, s.read_copies));
                view! {
                    div(class="settings-panel", role="group", aria-label=state.t("Settings")) {
                        label {
                            (state.t("Language")) " "
                            select(class="setting-language", on:change=move |e: web_sys::Event| {
                                let v = value_of(&e);
                                state.update_settings(|s| Settings { language: v, ..s.clone() });
                            }) {
                                option(value="auto", selected=l_auto) { (state.t("Automatic")) }
                                option(value="en", selected=l_en) { "English" }
                                option(value="zh", selected=l_zh) { "简体中文" }
                            }
                        }
                        label {
                            (state.t("Line width")) " "
                            select(class="setting-width", on:change=move |e: web_sys::Event| {
                                let v = value_of(&e);
                                state.update_settings(|s| Settings { line_width: v, ..s.clone() });
                            }) {
                                option(value="narrow", selected=w_n) { (state.t("Narrow")) }
                                option(value="medium", selected=w_m) { (state.t("Medium")) }
                                option(value="wide", selected=w_w) { (state.t("Wide")) }
                            }
                        }
                        label {
                            input(class="setting-mark-read", r#type="checkbox", checked=mark, on:change=move |_| {
                                state.update_settings(|s| Settings { mark_read_on_open: !s.mark_read_on_open, ..s.clone() });
                            })
                            " " (state.t("Mark articles read when opened"))
                        }
                        label {
                            input(class="setting-collapse-copies", r#type="checkbox", checked=collapse, on:change=move |_| {
                                state.update_settings(|s| Settings { collapse_duplicates: !s.collapse_duplicates, ..s.clone() });
                            })
                            " " (state.t("Show a story carried several times once"))
                        }
                        label {
                            input(class="setting-read-copies", r#type="checkbox", checked=read_copies, on:change=move |_| {
                                state.update_settings(|s| Settings { read_copies: !s.read_copies, ..s.clone() });
                            })
                            " " (state.t("Marking a story read marks its copies read"))
                        }
                    }
                }
            } else {
                view! {}
            })
            // Outside the block above, which is rebuilt whenever a setting changes: a backup or
            // a retention run going on must outlive that (and closing the settings) to report.
            div(class="settings-panel archive-wrap", hidden=move || !open.get()) {
                super::ArchivePanel {}
                super::DevicesPanel {}
            }
        }
    }
}

/// The value of the `<select>` an event came from.
pub(crate) fn value_of(e: &web_sys::Event) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        use wasm_bindgen::JsCast;
        e.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()).map(|s| s.value()).unwrap_or_default()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = e;
        String::new()
    }
}
