use broadsheet_model::ArticleSummary;
use sycamore::prelude::*;

use crate::format::{local_datetime, original_time_hint};
use crate::state::AppState;

#[component]
pub fn ArticleList() -> View {
    let state = use_context::<AppState>();
    let empty = move || state.list_loaded.get() && state.articles.with(Vec::is_empty);
    view! {
        section(class="list", aria-label="Articles") {
            header(class="list-header") {
                h2(class="list-title") { (state.list_title()) }
                span(class="list-count") { (state.articles.with(Vec::len)) }
            }
            (if empty() {
                view! { p(class="empty-state") { "No articles here yet. Add a source, or choose another category." } }
            } else {
                view! {}
            })
            ul(class="articles", role="listbox", aria-label="Articles") {
                Keyed(
                    list=move || state.articles.get_clone(),
                    view=move |a| view! { ArticleRow(article=a) },
                    key=|a| a.id,
                )
            }
        }
    }
}

#[component(inline_props)]
fn ArticleRow(article: ArticleSummary) -> View {
    let state = use_context::<AppState>();
    let id = article.id;
    let selected = move || state.selected.get() == Some(id);
    let row = article.clone();
    let class = move || {
        let mut c = String::from("article-row");
        if selected() {
            c.push_str(" selected");
        }
        if !state.is_read(&row) {
            c.push_str(" unread");
        }
        c
    };
    let slug = article.categories.first().cloned().unwrap_or_default();
    let slug_attr = slug.clone();
    let meta_category = move || state.category_name(&slug);
    let when = local_datetime(article.timestamp, &article.date);
    let hint = original_time_hint(&article.date);
    view! {
        li(class=class, role="option", aria-selected=move || selected().to_string(), data-id=id.to_string(),
            tabindex="0", on:click=move |_| state.open(id)) {
            div(class="row-title") { (article.title.clone()) }
            div(class="row-meta") {
                span(class="row-source") { (article.source.clone()) }
                " · "
                span(class="row-category", data-slug=slug_attr) { (meta_category()) }
                " · "
                time(datetime=article.date.clone(), title=hint) { (when) }
            }
            p(class="row-excerpt") { (article.excerpt.clone()) }
        }
    }
}
