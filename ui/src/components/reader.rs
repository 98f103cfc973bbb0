use broadsheet_model::{ArticleDetail, ArticleId};
use sycamore::prelude::*;

use crate::format::{local_datetime, original_time_hint};
use crate::state::AppState;

#[component]
pub fn Reader() -> View {
    let state = use_context::<AppState>();
    restore_position(state);
    let font_class =
        move || state.prefs.settings.with(|s| format!("reader fs-{} measure-{}", s.font_size, s.line_width));
    view! {
        main(class=font_class, aria-label=move || state.t("Reader"), on:scroll=move |e: web_sys::Event| state.reader_scrolled(scroll_top(&e))) {
            (match state.reader.article.get_clone() {
                None => view! {
                    div(class="reader-empty") { p { (state.t("Choose an article to read it here.")) } }
                },
                Some(a) => view! { ArticleView(article=a) },
            })
            (match state.error.get_clone() {
                Some(e) => view! {
                    div(class="error", role="alert") {
                        span(class="error-text") { (e) }
                        button(class="error-dismiss", aria-label=move || state.t("Dismiss"), title=move || state.t("Dismiss"),
                            on:click=move |_| state.error.set(None)) { "×" }
                    }
                },
                None => view! {},
            })
        }
    }
}

fn scroll_top(e: &web_sys::Event) -> u32 {
    #[cfg(target_arch = "wasm32")]
    {
        use wasm_bindgen::JsCast;
        e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).map_or(0, |el| el.scroll_top().max(0) as u32)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = e;
        0
    }
}

/// Puts the reader back where it was when the app closed, once the restored article is drawn.
fn restore_position(state: AppState) {
    #[cfg(target_arch = "wasm32")]
    create_effect(move || {
        if state.reader.article.with(Option::is_none) {
            return;
        }
        let Some(px) = state.reader.restore_scroll.get_untracked() else { return };
        sycamore::futures::spawn_local_scoped(async move {
            // Images still loading make the article shorter than it will be: try again for a
            // few seconds until the position can be reached.
            for _ in 0..50 {
                crate::state::sleep_ms(100).await;
                let reader = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.query_selector(".reader").ok().flatten());
                let Some(reader) = reader else { break };
                reader.set_scroll_top(px as i32);
                if reader.scroll_top() + 10 >= px as i32 {
                    break;
                }
            }
            state.reader.restore_scroll.set(None);
        });
    });
    #[cfg(not(target_arch = "wasm32"))]
    let _ = state;
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
    let author = article.author.clone();
    let chips: Vec<View> = s
        .categories
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, slug)| {
            let name = s.category_names.get(i).cloned().unwrap_or_else(|| state.category_name(&slug));
            let target = broadsheet_model::InAppLink::Category(slug.clone()).href();
            view! { a(class="chip", href=target, title=slug) { (name) } }
        })
        .collect();
    let body_lang = lang.clone();
    let original = s.url.clone().map(|u| {
        view! {
            a(class="original-link", href=u, rel="noopener noreferrer") { (state.t("Original")) }
        }
    });
    let id = s.id;
    let summary = s.clone();
    let bookmarked = create_memo(move || state.is_bookmarked(&summary));
    view! {
        article(class="article", lang=lang, data-id=s.id.to_string(), on:click=on_link_click(state)) {
            div(class="article-toolbar", role="toolbar", aria-label=move || state.t("Article actions")) {
                button(class="bookmark-toggle", aria-pressed=move || bookmarked.get().to_string(), title=move || state.t("Bookmark (b)"),
                    on:click=move |_| state.toggle_bookmark(id)) {
                    (if bookmarked.get() { state.t("★ Bookmarked") } else { state.t("☆ Bookmark") })
                }
                button(class="read-toggle", title=move || state.t("Read / unread (m)"), on:click=move |_| state.toggle_read(id)) { (state.t("Mark unread/read")) }
                span(class="toolbar-gap")
                button(class="font-smaller", aria-label=move || state.t("Smaller text"), on:click=move |_| state.update_settings(|s| s.with_font_step(-2))) { "A−" }
                button(class="font-larger", aria-label=move || state.t("Larger text"), on:click=move |_| state.update_settings(|s| s.with_font_step(2))) { "A+" }
                button(class="theme-toggle", title=move || state.t("Theme: system, light, dark"), on:click=move |_| state.update_settings(|s| s.next_theme())) {
                    (match state.prefs.settings.with(|s| s.theme.clone()).as_str() {
                        "light" => state.t("☀ Light"),
                        "dark" => state.t("☾ Dark"),
                        _ => state.t("◐ System"),
                    })
                }
            }
            header(class="article-header") {
                h1(class="article-title") { (s.title.clone()) }
                div(class="article-meta") {
                    span(class="article-source") { (s.source.clone()) }
                    (match author.clone() {
                        Some(a) => view! { span(class="article-author") { (a) } },
                        None => view! {},
                    })
                    (chips)
                    time(datetime=s.date.clone(), title=hint) { (when) }
                    (original)
                }
            }
            TagEditor(id=id)
            (if s.copies > 0 { view! { Copies(id=id) } } else { view! {} })
            div(class="article-body", lang=body_lang, dangerously_set_inner_html=article.html)
        }
    }
}

/// The same story carried elsewhere (other outlets, other sources): one link per copy.
#[component(inline_props)]
fn Copies(id: ArticleId) -> View {
    let state = use_context::<AppState>();
    let copies = create_signal(Vec::<broadsheet_model::ArticleSummary>::new());
    crate::state::spawn(async move {
        if let Ok(list) = crate::api::list_duplicates(id).await {
            copies.set(list);
        }
    });
    view! {
        nav(class="article-copies", aria-label=move || state.t("The same story")) {
            span(class="copies-label") { (state.t("The same story")) ": " }
            Keyed(
                list=move || copies.get_clone(),
                key=|c| c.id,
                view=move |c| {
                    let outlet = c.category_names.first().cloned().unwrap_or_else(|| c.source.clone());
                    let cid = c.id;
                    view! {
                        button(class="copy-link", data-id=cid.to_string(), title=c.title.clone(),
                            on:click=move |_| state.open(cid)) { (outlet) }
                    }
                },
            )
        }
    }
}

/// The open article's user tags: chips to remove, a box to add (existing tags offered).
#[component(inline_props)]
pub fn TagEditor(id: ArticleId) -> View {
    let state = use_context::<AppState>();
    let input = create_signal(String::new());
    let tags =
        move || state.reader.article.with(|a| a.as_ref().map(|a| a.summary.user_tags.clone()).unwrap_or_default());
    // Suggestions for what is typed, asked of the store (the reader may have thousands of
    // tags; the sidebar holds one page of them, filtered by its own box). Until then, the
    // sidebar's page.
    let suggestions = create_signal(Vec::<broadsheet_model::TagCount>::new());
    let asked = create_signal(0u64);
    let suggest = move |e: web_sys::Event| {
        let typed = crate::components::input_value(&e);
        let n = asked.get_untracked() + 1;
        asked.set(n);
        crate::state::spawn(async move {
            // Asked once typing pauses, not at every key.
            crate::state::sleep_ms(150).await;
            if asked.get_untracked() != n {
                return;
            }
            let query = broadsheet_model::LabelQuery { filter: typed, by_count: true, limit: 50 };
            if let Ok(page) = crate::api::list_user_tags(query).await {
                if asked.get_untracked() == n {
                    suggestions.set(page.items);
                }
            }
        });
    };
    let options = move || {
        if asked.get() == 0 {
            state.library.user_tags.get_clone()
        } else {
            suggestions.get_clone()
        }
    };
    let add = move |e: web_sys::SubmitEvent| {
        e.prevent_default();
        let new = input.get_clone();
        if new.trim().is_empty() {
            return;
        }
        let mut all = tags();
        all.push(new.trim().to_string());
        input.set(String::new());
        state.set_user_tags(id, all);
    };
    view! {
        div(class="tag-editor", aria-label=move || state.t("Your tags")) {
            Keyed(
                list=tags,
                view=move |t| {
                    let label = format!("{}{t}", state.t("Remove tag "));
                    let name = t.clone();
                    view! {
                        span(class="user-tag-chip") {
                            (t.clone())
                            button(class="chip-remove", aria-label=label, on:click=move |_| {
                                let rest: Vec<String> = tags().into_iter().filter(|x| *x != name).collect();
                                state.set_user_tags(id, rest);
                            }) { "×" }
                        }
                    }
                },
                key=|t| t.clone(),
            )
            form(class="tag-add", on:submit=add) {
                input(id="tag-input", class="tag-input", bind:value=input, list="user-tag-options", on:input=suggest, placeholder=move || state.t("Add a tag (t)"), aria-label=move || state.t("Add a tag"))
                datalist(id="user-tag-options") {
                    Keyed(list=options, view=|t| view! { option(value=t.name.clone()) }, key=|t| t.name.clone())
                }
            }
        }
    }
}
