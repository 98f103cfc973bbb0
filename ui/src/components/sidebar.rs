use broadsheet_model::{CategoryCount, TagCount};
use sycamore::prelude::*;

use crate::components::{SettingsPanel, Sources, SyncBar};
use crate::state::AppState;
use crate::view::ListView;

#[component]
pub fn Sidebar() -> View {
    let state = use_context::<AppState>();
    // The store filters, sorts and pages (`list_categories`): the window holds one page.
    let hidden =
        move || state.library.categories_total.get().saturating_sub(state.library.categories.with(Vec::len) as u64);
    let hidden_user_tags =
        move || state.library.user_tags_total.get().saturating_sub(state.library.user_tags.with(Vec::len) as u64);
    let hidden_tags =
        move || state.library.site_tags_total.get().saturating_sub(state.library.site_tags.with(Vec::len) as u64);
    let on_filter = move |e: web_sys::Event| {
        let value = crate::components::input_value(&e);
        state.library.label_filter.set(value);
        state.reload_labels();
    };
    view! {
        nav(class="sidebar", aria-label=move || state.t("Library"),
            data-loaded=move || (state.library.labels_loaded.get() && state.library.sources_loaded.get()).to_string()) {
            div(class="brand") { "Broadsheet" }
            ul(class="nav-list", role="list") {
                ViewItem(view=ListView::All, label="All articles".to_string())
                ViewItem(view=ListView::Unread, label="Unread".to_string())
                ViewItem(view=ListView::Bookmarked, label="Bookmarked".to_string())
            }
            (if state.library.user_tags.with(|t| t.is_empty()) {
                view! {}
            } else {
                view! {
                    h2(class="nav-heading", id="user-tags-heading") { (state.t("Your tags")) }
                    ul(class="nav-list", role="list", aria-labelledby="user-tags-heading") {
                        (state.library.user_tags.get_clone().into_iter().map(|t| view! { UserTagItem(tag=t) }).collect::<Vec<_>>())
                    }
                    (if hidden_user_tags() > 0 {
                        let n = hidden_user_tags();
                        view! { p(class="nav-more") { (format!("{n} {}", state.t("more: type to filter"))) } }
                    } else {
                        view! {}
                    })
                }
            })
            Sources {}
            div(class="nav-heading-row") {
                h2(class="nav-heading", id="categories-heading") { (state.t("Categories")) }
                button(class="sort-toggle", aria-pressed=move || state.library.categories_by_count.get().to_string(), title=move || state.t("Sort by name or by number of posts"),
                    on:click=move |_| {
                        state.library.categories_by_count.set(!state.library.categories_by_count.get_untracked());
                        state.reload_labels();
                    }) {
                    (if state.library.categories_by_count.get() { state.t("By count") } else { state.t("By name") })
                }
            }
            input(class="category-filter", r#type="search", placeholder=move || state.t("Filter categories and tags"), aria-label=move || state.t("Filter categories and tags"),
                prop:value=move || state.library.label_filter.get_clone(), on:input=on_filter)
            ul(class="nav-list", role="list", aria-labelledby="categories-heading") {
                // Rebuilt whole when it changes (at most CATEGORY_PAGE rows): keyed lists whose
                // keys changed with the counts now and then dropped an entry during a sync.
                (state.library.categories.get_clone().into_iter().map(|c| view! { CategoryItem(category=c) }).collect::<Vec<_>>())
            }
            (if hidden() > 0 {
                let n = hidden();
                view! { p(class="nav-more") { (format!("{n} {}", state.t("more: type to filter"))) } }
            } else {
                view! {}
            })
            h2(class="nav-heading", id="tags-heading") { (state.t("Site tags")) }
            ul(class="nav-list", role="list", aria-labelledby="tags-heading") {
                (state.library.site_tags.get_clone().into_iter().map(|t| view! { ViewItem(view=ListView::Tag(t.name.clone()), label=t.name.clone(), count=t.count) }).collect::<Vec<_>>())
            }
            (if hidden_tags() > 0 {
                let n = hidden_tags();
                view! { p(class="nav-more") { (format!("{n} {}", state.t("more: type to filter"))) } }
            } else {
                view! {}
            })
            div(class="sidebar-foot") {
                SyncBar {}
                SettingsPanel {}
            }
        }
    }
}

/// One entry of the sidebar that shows a view when clicked.
#[component(inline_props)]
fn ViewItem(view: ListView, label: String, count: Option<u64>) -> View {
    let state = use_context::<AppState>();
    let key = view.key();
    let is_selected = {
        let view = view.clone();
        move || state.list.view.with(|v| *v == view)
    };
    let class = {
        let s = is_selected.clone();
        move || if s() { "nav-item selected" } else { "nav-item" }
    };
    let current = move || if is_selected() { "page" } else { "false" };
    view! {
        li {
            button(class=class, aria-current=current, data-view=key, on:click=move |_| state.show(view.clone())) {
                span(class="nav-label") { (state.t_dyn(&label)) }
                (match count {
                    Some(n) => view! { span(class="nav-count") { (n) } },
                    None => view! {},
                })
            }
        }
    }
}

#[component(inline_props)]
fn CategoryItem(category: CategoryCount) -> View {
    let state = use_context::<AppState>();
    let slug = category.slug.clone();
    let is_selected = {
        let slug = slug.clone();
        move || state.list.view.with(|v| matches!(v, ListView::Category(s) if *s == slug))
    };
    let class = {
        let is_selected = is_selected.clone();
        move || if is_selected() { "nav-item selected" } else { "nav-item" }
    };
    let current = move || if is_selected() { "page" } else { "false" };
    let click_slug = slug.clone();
    view! {
        li {
            button(class=class, aria-current=current, data-category=slug, title=category.slug.clone(),
                on:click=move |_| state.select_category(Some(click_slug.clone()))) {
                span(class="nav-label") { (category.name.clone()) }
                span(class="nav-count", aria-label=format!("{} {}", category.count, state.t("articles"))) { (category.count) }
            }
        }
    }
}

/// A user tag: shows its posts; can be renamed (onto another tag: merged) or deleted.
#[component(inline_props)]
fn UserTagItem(tag: TagCount) -> View {
    let state = use_context::<AppState>();
    let editing = create_signal(false);
    let new_name = create_signal(tag.name.clone());
    let name = tag.name.clone();
    let view_of = ListView::UserTag(tag.name.clone());
    let selected = {
        let v = view_of.clone();
        move || state.list.view.with(|cur| *cur == v)
    };
    let (n1, n2, n3, n4) = (name.clone(), name.clone(), name.clone(), name.clone());
    let (rename_label, delete_label) =
        (format!("{} {name}", state.t("Rename")), format!("{} {name}", state.t("Delete")));
    view! {
        li(class="user-tag-item", data-user-tag=n4) {
            (if editing.get() {
                let from = n1.clone();
                view! {
                    form(class="tag-rename", on:submit=move |e: web_sys::SubmitEvent| {
                        e.prevent_default();
                        editing.set(false);
                        state.rename_user_tag(from.clone(), new_name.get_clone());
                    }) {
                        input(class="tag-rename-input", bind:value=new_name, aria-label=move || state.t("New name (an existing tag's name merges them)"))
                        button(r#type="submit") { (state.t("OK")) }
                    }
                }
            } else {
                let (v, label) = (view_of.clone(), n2.clone());
                let class = {
                    let selected = selected.clone();
                    move || if selected() { "nav-item selected" } else { "nav-item" }
                };
                view! {
                    button(class=class, on:click=move |_| state.show(v.clone())) {
                        span(class="nav-label") { (label.clone()) }
                        span(class="nav-count") { (tag.count) }
                    }
                }
            })
            button(class="tag-action", aria-label=rename_label, on:click=move |_| editing.set(!editing.get())) { "✎" }
            button(class="tag-action", aria-label=delete_label, on:click=move |_| state.delete_user_tag(n3.clone())) { "×" }
        }
    }
}
