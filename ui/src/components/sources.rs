use broadsheet_model::{SourceInfo, SourceKind};
use sycamore::prelude::*;

use crate::state::AppState;

/// Sources with a health dot, a box to add one, and the sync bar.
#[component]
pub fn Sources() -> View {
    let state = use_context::<AppState>();
    let input = create_signal(String::new());
    let on_submit = move |e: web_sys::SubmitEvent| {
        e.prevent_default();
        state.add_source(input.get_clone());
        input.set(String::new());
    };
    let page = create_signal(String::new());
    let on_save = move |e: web_sys::SubmitEvent| {
        e.prevent_default();
        state.save_page(page.get_clone(), Vec::new());
        page.set(String::new());
    };
    view! {
        h2(class="nav-heading", id="sources-heading") { (state.t("Sources")) }
        ul(class="nav-list sources", role="list", aria-labelledby="sources-heading") {
            // Rebuilt whole whenever the sources change (a few dozen rows): a keyed list whose
            // keys carried the health (so an item re-rendered when it changed) now and then
            // dropped a source from the sidebar when its key changed during a sync.
            (state.library.sources.get_clone().into_iter().map(|s| view! { SourceItem(source=s) }).collect::<Vec<_>>())
        }
        form(class="add-source", on:submit=on_submit) {
            input(class="add-source-input", r#type="text", bind:value=input, aria-label=move || state.t("Feed, site or git URL, or a folder path"),
                placeholder=move || state.t("Add a feed, site, git URL or folder"))
            button(class="add-source-button", r#type="submit", aria-label=move || state.t("Add source")) { "+" }
            button(class="add-folder-button", r#type="button", on:click=move |_| state.add_folder()) { (state.t("Folder…")) }
        }
        // Read-later: any page, kept for offline reading (a URL pasted or dropped anywhere
        // in the window does the same).
        form(class="save-page", on:submit=on_save) {
            input(class="save-page-input", r#type="url", bind:value=page, aria-label=move || state.t("Save a web page for offline reading"),
                placeholder=move || state.t("Save a page: paste its address"))
            button(class="save-page-button", r#type="submit") { (state.t("Save")) }
        }
    }
}

#[component(inline_props)]
fn SourceItem(source: SourceInfo) -> View {
    let state = use_context::<AppState>();
    let id = source.id;
    let question = state.t("Remove “{}”? Bookmarked and tagged posts always stay.").replace("{}", &source.name);
    let (dot, hint) = match (&source.health.last_error, &source.health.last_status) {
        (Some(e), _) => ("health-dot failing", e.clone()),
        (None, Some(s)) if s.contains(broadsheet_model::STATUS_NOT_IMPORTED) => {
            ("health-dot partial", format!("{}: {s}", state.t("Last sync, some files not imported")))
        }
        (None, Some(s)) => ("health-dot ok", format!("{}: {s}", state.t("Last sync"))),
        (None, None) if source.kind == SourceKind::Sample.as_str() => {
            ("health-dot ok", state.t("Built into Broadsheet").to_string())
        }
        (None, None) if source.kind == SourceKind::Saved.as_str() => {
            ("health-dot ok", state.t("Pages you saved for offline reading").to_string())
        }
        (None, None) => ("health-dot pending", state.t("Not synced yet").to_string()),
    };
    let title = format!("{}\n{}", source.location, hint);
    // The saved pages' source is named by the app, so in the reader's language.
    let name =
        if source.kind == SourceKind::Saved.as_str() { state.t("Saved").to_string() } else { source.name.clone() };
    let manage_label = format!("{} {}", state.t("Manage"), name);
    let interval = source.health.interval_min;
    // Nothing to sync the sample or saved pages from.
    let syncable = SourceKind::parse(&source.kind).is_some_and(SourceKind::is_synced);
    let (has_site, aliases) = (source.site_url.is_some() && syncable, source.aliases.clone());
    view! {
        li(class="source-item", data-source=source.id.to_string(), title=title) {
            span(class=dot, role="img", aria-label=hint)
            span(class="nav-label") { (name) }
            span(class="nav-count") { (source.articles) }
            (match source.health.last_error.clone() {
                Some(e) => view! { span(class="source-error") { (e) } },
                None => view! {},
            })
            button(class="source-remove", aria-label=manage_label, on:click=move |_| {
                state.library.removing.set(if state.library.removing.get() == Some(id) { None } else { Some(id) })
            }) { "⋯" }
        }
        (if state.library.removing.get() == Some(id) {
            let question = question.clone();
            let aliases = aliases.clone();
            view! {
                li(class="source-confirm", role="group", aria-label=move || state.t("Manage source")) {
                    (if syncable {
                        view! {
                            label(class="source-interval") {
                                (state.t("Sync every")) " "
                                select(on:change=move |e: web_sys::Event| {
                                    if let Ok(m) = crate::components::settings_panel::value_of(&e).parse() {
                                        state.set_sync_interval(id, m);
                                    }
                                }) {
                                    (INTERVALS.iter().map(|&m| view! {
                                        option(value=m.to_string(), selected=m == interval) { (interval_label(m)) }
                                    }).collect::<Vec<_>>())
                                }
                            }
                        }
                    } else {
                        view! {}
                    })
                    (if has_site {
                        view! { SiteAliases(id=id, aliases=aliases.clone()) }
                    } else {
                        view! {}
                    })
                    p { (question) }
                    button(class="keep-posts", on:click=move |_| state.remove_source(id, true)) { (state.t("Remove, keep its posts")) }
                    button(class="delete-posts", on:click=move |_| state.remove_source(id, false)) { (state.t("Remove with its posts")) }
                    button(on:click=move |_| state.library.removing.set(None)) { (state.t("Cancel")) }
                }
            }
        } else {
            view! {}
        })
    }
}

/// A source's other site addresses (a former domain, its CNAME): listed, each forgettable,
/// and one more can be added.
#[component(inline_props)]
fn SiteAliases(id: broadsheet_model::SourceId, aliases: Vec<String>) -> View {
    let state = use_context::<AppState>();
    let input = create_signal(String::new());
    let on_submit = move |e: web_sys::SubmitEvent| {
        e.prevent_default();
        let url = input.get_clone();
        if !url.trim().is_empty() {
            state.set_site_alias(id, url, true);
        }
        input.set(String::new());
    };
    view! {
        div(class="source-aliases", title=move || state.t("Links to these addresses open here, like links to the site itself.")) {
            span(class="source-aliases-label") { (state.t("Also at")) }
            ul(class="alias-list", role="list") {
                (aliases.iter().cloned().map(|url| {
                    let label = format!("{} {url}", state.t("Forget"));
                    let (gone, shown) = (url.clone(), url.clone());
                    view! {
                        li(class="alias-item", data-alias=url) {
                            span(class="alias-url") { (shown) }
                            button(class="alias-remove", r#type="button", aria-label=label,
                                on:click=move |_| state.set_site_alias(id, gone.clone(), false)) { "×" }
                        }
                    }
                }).collect::<Vec<_>>())
            }
            form(class="add-alias", on:submit=on_submit) {
                input(class="add-alias-input", r#type="text", bind:value=input,
                    aria-label=move || state.t("Another address of this site (a former domain)"),
                    placeholder=move || state.t("Another address of this site (a former domain)"))
                button(class="add-alias-button", r#type="submit") { (state.t("Add address")) }
            }
        }
    }
}

/// Intervals offered, in minutes (5 is the minimum the engine allows).
const INTERVALS: &[i64] = &[5, 15, 30, 60, 180, 720, 1440];

fn interval_label(m: i64) -> String {
    if m < 60 {
        format!("{m} min")
    } else {
        format!("{} h", m / 60)
    }
}

/// Sync now / progress / cancel, at the foot of the sidebar.
#[component]
pub fn SyncBar() -> View {
    let state = use_context::<AppState>();
    let running = move || state.sync.progress.with(|p| p.running);
    view! {
        div(class="sync-bar", role="status", aria-live="polite") {
            (if running() {
                view! {
                    progress(class="sync-progress", max="100", value=move || state.sync.progress.with(|p| p.percent()).to_string(),
                        aria-label="Sync progress")
                    button(class="sync-button", on:click=move |_| state.cancel_sync()) { (state.t("Cancel")) }
                }
            } else {
                view! { button(class="sync-button", on:click=move |_| state.sync_now()) { (state.t("Sync now")) } }
            })
            p(class="sync-message") { (state.sync.progress.with(|p| p.message.clone())) }
        }
    }
}
