use broadsheet_model::CategoryCount;
use sycamore::prelude::*;

use crate::components::{Sources, SyncBar};
use crate::state::AppState;

#[component]
pub fn Sidebar() -> View {
    let state = use_context::<AppState>();
    let all_class = move || if state.category.with(Option::is_none) { "nav-item selected" } else { "nav-item" };
    let all_current = move || if state.category.with(Option::is_none) { "page" } else { "false" };
    view! {
        nav(class="sidebar", aria-label="Library") {
            div(class="brand") { "Broadsheet" }
            ul(class="nav-list", role="list") {
                li {
                    button(class=all_class, aria-current=all_current, data-view="all",
                        on:click=move |_| state.select_category(None)) {
                        span(class="nav-label") { "All articles" }
                    }
                }
            }
            Sources {}
            h2(class="nav-heading", id="categories-heading") { "Categories" }
            ul(class="nav-list", role="list", aria-labelledby="categories-heading") {
                Keyed(
                    list=move || state.categories.get_clone(),
                    view=move |c| view! { CategoryItem(category=c) },
                    key=|c| (c.slug.clone(), c.count),
                )
            }
            SyncBar {}
        }
    }
}

#[component(inline_props)]
fn CategoryItem(category: CategoryCount) -> View {
    let state = use_context::<AppState>();
    let slug = category.slug.clone();
    let is_selected = {
        let slug = slug.clone();
        move || state.category.with(|s| s.as_deref() == Some(slug.as_str()))
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
                span(class="nav-count", aria-label=format!("{} articles", category.count)) { (category.count) }
            }
        }
    }
}
