use broadsheet_model::ArticleDetail;
use sycamore::prelude::*;

use crate::format::{local_datetime, original_time_hint};
use crate::state::AppState;

#[component]
pub fn Reader() -> View {
    let state = use_context::<AppState>();
    view! {
        main(class="reader", aria-label="Reader") {
            (match state.article.get_clone() {
                None => view! {
                    div(class="reader-empty") { p { "Choose an article to read it here." } }
                },
                Some(a) => view! { ArticleView(article=a) },
            })
            (match state.error.get_clone() {
                Some(e) => view! { p(class="error", role="alert") { (e) } },
                None => view! {},
            })
        }
    }
}

/// Links inside an article never navigate the webview: in-app targets change the view,
/// web links go to the system browser.
fn on_link_click(state: AppState) -> impl Fn(web_sys::MouseEvent) {
    move |ev: web_sys::MouseEvent| {
        use wasm_bindgen::JsCast;
        let target = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok());
        // An image that isn't cached shows a placeholder; clicking it opens the original.
        if let Some(src) = target.as_ref().filter(|el| el.tag_name() == "IMG").and_then(|el| el.get_attribute("src")) {
            if let Some(original) = crate::links::missing_image_original(&src) {
                ev.prevent_default();
                state.follow_link(&original);
                return;
            }
        }
        let anchor = target.and_then(|el| el.closest("a").ok().flatten());
        if let Some(href) = anchor.and_then(|a| a.get_attribute("href")) {
            ev.prevent_default();
            state.follow_link(&href);
        }
    }
}

#[component(inline_props)]
fn ArticleView(article: ArticleDetail) -> View {
    let state = use_context::<AppState>();
    let s = article.summary;
    let when = local_datetime(s.timestamp, &s.date);
    let hint = original_time_hint(&s.date);
    let lang = article.lang.unwrap_or_default();
    let chips: Vec<View> = s
        .categories
        .clone()
        .into_iter()
        .map(|slug| {
            let (name, target) = (state.category_name(&slug), format!("#category={}", crate::links::encode(&slug)));
            view! { a(class="chip", href=target, title=slug) { (name) } }
        })
        .collect();
    let body_lang = lang.clone();
    let original = s.url.clone().map(|u| view! {
        a(class="original-link", href=u, rel="noopener noreferrer") { "Original" }
    });
    view! {
        article(class="article", lang=lang, data-id=s.id.to_string(), on:click=on_link_click(state)) {
            header(class="article-header") {
                h1(class="article-title") { (s.title.clone()) }
                div(class="article-meta") {
                    span(class="article-source") { (s.source.clone()) }
                    (chips)
                    time(datetime=s.date.clone(), title=hint) { (when) }
                    (original)
                }
            }
            div(class="article-body", lang=body_lang, dangerously_set_inner_html=article.html)
        }
    }
}
