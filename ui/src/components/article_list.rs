use broadsheet_model::ArticleSummary;
use sycamore::prelude::*;

use crate::format::{count, local_datetime, original_time_hint};
use crate::state::AppState;

#[component]
pub fn ArticleList() -> View {
    let state = use_context::<AppState>();
    let empty = move || state.list.list_loaded.get() && state.list.articles.with(Vec::is_empty);
    let query = create_signal(String::new());
    // The box says what the list shows: the search's words in a search (one restored at
    // start-up too), empty in any other view (it kept the last search's words before).
    create_effect(move || {
        let shown = match state.list.view.get_clone() {
            crate::view::ListView::Search(q) => q,
            _ => String::new(),
        };
        if query.with_untracked(|q| *q != shown) {
            query.set(shown);
        }
    });
    let rows_ref = create_node_ref();
    create_effect(move || {
        let (start, len) = (state.list.window_start.get(), state.list.window_len.get());
        let (above, below) = state.list.row_offsets.with(|o| crate::rows::padding(o, start, len));
        set_padding(rows_ref, above, below);
    });
    // Rows are as tall as their content: once the window's rows are laid out (after this
    // turn), their heights are measured, which moves the padding to match.
    create_effect(move || {
        state.list.window_start.track();
        state.list.articles.track();
        state.list.snippets.track();
        state.prefs.settings.track();
        measure_soon(state);
    });
    on_resize(state);
    let on_search = move |e: web_sys::SubmitEvent| {
        e.prevent_default();
        state.search(query.get_clone());
    };
    view! {
        section(class="list", aria-label=move || state.t("Articles"), data-loaded=move || state.list.articles.with(Vec::len).to_string(), on:scroll=move |e: web_sys::Event| {
            let (top, height, total) = scroll_metrics(&e);
            state.scrolled_to(top);
            if top + 3 * height >= total {
                state.load_more();
            }
        }) {
            header(class="list-header") {
                form(class="search", role="search", on:submit=on_search) {
                    input(id="search-input", class="search-input", r#type="search", bind:value=query,
                        placeholder=move || state.t("Search (press /)"), aria-label=move || state.t("Search the archive"))
                }
                div(class="list-title-row") {
                    h2(class="list-title") { (state.list_title()) }
                    span(class="list-count", aria-label=move || state.t("articles in this view")) {
                        (count(state.list.total.get().unwrap_or_else(|| state.list.articles.with(Vec::len) as u64)))
                    }
                    (if matches!(state.list.view.get_clone(), crate::view::ListView::Search(_)) {
                        view! {
                            button(class="search-sort", aria-pressed=move || state.list.search_newest.get().to_string(),
                                title=move || state.t("Most relevant first, or newest first"),
                                on:click=move |_| state.list.search_newest.set(!state.list.search_newest.get_untracked())) {
                                (move || if state.list.search_newest.get() { state.t("Newest first") } else { state.t("Most relevant") })
                            }
                        }
                    } else {
                        view! {}
                    })
                    button(class="mark-all-read", title=move || state.t("Mark every article in this view read"), on:click=move |_| state.mark_view_read()) { (state.t("Mark all read")) }
                }
                (if matches!(state.list.view.get_clone(), crate::view::ListView::Search(_)) {
                    view! { SearchFilters {} }
                } else {
                    view! {}
                })
            }
            (if empty() {
                view! { p(class="empty-state") { (state.t("Nothing here. Add a source, choose another view, or clear the search.")) } }
            } else {
                view! {}
            })
            // Only a window of rows is in the page; padding stands in for the rest, so a
            // 100,000-row list costs no more to draw than a short one.
            ul(r#ref=rows_ref, class="articles", role="listbox", aria-label=move || state.t("Articles")) {
                Keyed(
                    list=move || {
                        let (start, len) = (state.list.window_start.get(), state.list.window_len.get());
                        state.list.articles.with(|l| l.iter().skip(start).take(len).cloned().collect::<Vec<_>>())
                    },
                    view=move |a| view! { ArticleRow(article=a) },
                    // Keyed on the whole row, not its id: a row drawn once is never redrawn,
                    // so a post whose marks or title changed underneath (another device, a
                    // re-import) must come back as a new row when the list reloads.
                    key=|a| a.clone(),
                )
            }
            (if state.list.more.get() {
                view! { button(class="load-more", on:click=move |_| state.load_more()) { "…" } }
            } else {
                view! {}
            })
        }
    }
}

/// (scroll top, visible height, scroll height) of the scrolled element.
fn scroll_metrics(e: &web_sys::Event) -> (i32, i32, i32) {
    #[cfg(target_arch = "wasm32")]
    {
        use wasm_bindgen::JsCast;
        e.target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .map_or((0, 0, 0), |el| (el.scroll_top(), el.client_height(), el.scroll_height()))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = e;
        (0, 0, 0)
    }
}

/// Measures the rendered rows at the next frame (when they are laid out).
fn measure_soon(state: AppState) {
    #[cfg(target_arch = "wasm32")]
    {
        use wasm_bindgen::JsCast;
        let f = wasm_bindgen::closure::Closure::once_into_js(move || measure_rows(state));
        if let Some(w) = web_sys::window() {
            let _ = w.request_animation_frame(f.unchecked_ref());
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = state;
}

/// A wider or narrower window wraps titles differently: the rows are measured again.
fn on_resize(state: AppState) {
    #[cfg(target_arch = "wasm32")]
    {
        use wasm_bindgen::JsCast;
        let f = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || measure_soon(state));
        if let Some(w) = web_sys::window() {
            let _ = w.add_event_listener_with_callback("resize", f.as_ref().unchecked_ref());
        }
        f.forget();
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = state;
}

/// Records the heights of the rows in the page. A row above the visible ones whose height
/// changed would shift what the reader is looking at, so the scroll position moves by as
/// much: the first visible row stays where it was.
#[cfg(target_arch = "wasm32")]
fn measure_rows(state: AppState) {
    use wasm_bindgen::JsCast;
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    let Some(list) = doc.query_selector(".list").ok().flatten() else { return };
    let Ok(rows) = doc.query_selector_all(".articles > .article-row") else { return };
    let mut seen = Vec::with_capacity(rows.length() as usize);
    for i in 0..rows.length() {
        let Some(el) = rows.item(i).and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok()) else { continue };
        let Some(id) = el.get_attribute("data-id").and_then(|v| v.parse::<broadsheet_model::ArticleId>().ok()) else {
            continue;
        };
        seen.push((id, el.offset_height().max(0) as u32));
    }
    if !state.list.row_sizes.with_untracked(|s| seen.iter().any(|&(id, h)| h > 0 && s.differs(id, h))) {
        return;
    }
    let top = list.scroll_top().max(0) as u32;
    let (anchor, before) = state.list.row_offsets.with_untracked(|o| {
        let i = crate::rows::row_at(o, top);
        (i, o.get(i).copied().unwrap_or(0))
    });
    state.list.row_sizes.update(|s| s.record_all(&seen));
    let after = state.list.row_offsets.with_untracked(|o| o.get(anchor).copied().unwrap_or(0));
    if top > 0 && after != before {
        list.set_scroll_top((i64::from(top) + i64::from(after) - i64::from(before)).max(0) as i32);
    }
}

/// Space above and below the rendered rows, through CSS variables (the CSP forbids inline
/// style attributes, not the CSSOM).
fn set_padding(rows: NodeRef, above: u32, below: u32) {
    #[cfg(target_arch = "wasm32")]
    {
        use wasm_bindgen::JsCast;
        // Tracked: the effect runs again once the list is in the page.
        if let Some(el) = rows.try_get().and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = el.style().set_property("--rows-above", &format!("{above}px"));
            let _ = el.style().set_property("--rows-below", &format!("{below}px"));
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = (rows, above, below);
}

#[component(inline_props)]
fn ArticleRow(article: ArticleSummary) -> View {
    let state = use_context::<AppState>();
    let id = article.id;
    let selected = move || state.reader.selected.get() == Some(id);
    let under_cursor = move || state.list.cursor.get() == Some(id);
    let row = article.clone();
    let row2 = article.clone();
    let class = move || {
        let mut c = String::from("article-row");
        if selected() {
            c.push_str(" selected");
        }
        if under_cursor() {
            c.push_str(" cursor");
        }
        if !state.is_read(&row) {
            c.push_str(" unread");
        }
        c
    };
    let star = move || if state.is_bookmarked(&row2) { "★" } else { "" };
    let slug = article.categories.first().cloned().unwrap_or_default();
    let slug_attr = slug.clone();
    // The row carries its categories' names (the sidebar holds only a page of them).
    let meta_category = {
        let name = article.category_names.first().cloned();
        move || name.clone().unwrap_or_else(|| state.category_name(&slug))
    };
    let when = local_datetime(article.timestamp, &article.date);
    let hint = original_time_hint(&article.date);
    let excerpt = article.excerpt.clone();
    let snippet = move || state.list.snippets.with(|s| s.get(&id).cloned());
    view! {
        li(class=class, role="option", aria-selected=move || selected().to_string(), data-id=id.to_string(),
            tabindex="0", on:click=move |_| state.open(id), on:focus=move |_| state.list.cursor.set(Some(id))) {
            div(class="row-title") {
                span(class="row-star", aria-label=state.t("Bookmarked")) { (star()) }
                (article.title.clone())
            }
            div(class="row-meta") {
                span(class="row-source") { (article.source.clone()) }
                " · "
                span(class="row-category", data-slug=slug_attr) { (meta_category()) }
                time(datetime=article.date.clone(), title=hint) { (when) }
                (if article.copies > 0 {
                    // The same story carried elsewhere (other outlets, other sources).
                    let also = state.t("also in {n} more").replace("{n}", &article.copies.to_string());
                    view! { " · " span(class="row-copies") { (also) } }
                } else {
                    view! {}
                })
            }
            (match snippet() {
                // Snippets come escaped from the backend, with only <mark> added.
                Some(html) => view! { p(class="row-excerpt row-snippet", dangerously_set_inner_html=html) },
                None => {
                    let e = excerpt.clone();
                    view! { p(class="row-excerpt") { (e) } }
                }
            })
        }
    }
}

/// What a search is narrowed to, and the controls to change it: the view it was begun in (a
/// chip to remove), unread or bookmarked only, and a range of publication dates.
#[component]
fn SearchFilters() -> View {
    let state = use_context::<AppState>();
    let scope = state.list.search_scope;
    let within = move || {
        scope.with(|s| s.within.clone()).map(|v| {
            let name = state.view_title(&v);
            view! {
                span(class="filter-chip") {
                    (format!("{}{name}", state.t("In: ")))
                    button(class="chip-remove", aria-label=move || state.t("Search everything"), on:click=move |_| {
                        // Only what the view brought: "unread only" ticked since stays.
                        state.narrow_search(|s| {
                            use crate::view::ListView;
                            match s.within.take() {
                                Some(ListView::Category(_)) => s.filters.category = None,
                                Some(ListView::Tag(_)) => s.filters.tag = None,
                                Some(ListView::UserTag(_)) => s.filters.user_tag = None,
                                Some(ListView::Unread) => s.filters.unread = false,
                                Some(ListView::Bookmarked) => s.filters.bookmarked = false,
                                Some(ListView::All | ListView::Search(_)) | None => {}
                            }
                        })
                    }) { "×" }
                }
            }
        })
    };
    let toggle = move |unread: bool| {
        move |_| {
            state.narrow_search(|s| {
                use crate::view::ListView;
                if unread {
                    s.filters.unread = !s.filters.unread;
                } else {
                    s.filters.bookmarked = !s.filters.bookmarked;
                }
                // A search begun in Unread (Bookmarked) no longer keeps to it once unticked.
                let gone = match s.within {
                    Some(ListView::Unread) => !s.filters.unread,
                    Some(ListView::Bookmarked) => !s.filters.bookmarked,
                    _ => false,
                };
                if gone {
                    s.within = None;
                }
            })
        }
    };
    let date = move |since: bool| {
        move |e: web_sys::Event| {
            let value = crate::components::input_value(&e);
            state.narrow_search(|s| {
                if since {
                    s.since = crate::format::local_midnight(&value);
                } else {
                    // "To" includes that day: up to the next day's midnight.
                    s.until = crate::format::local_midnight_after(&value, 1);
                }
            })
        }
    };
    let shown = move |t: Option<i64>| t.map(crate::format::date_value).unwrap_or_default();
    view! {
        div(class="search-filters", role="group", aria-label=move || state.t("Narrow the search")) {
            (within())
            label(class="filter-toggle") {
                input(r#type="checkbox", class="filter-unread", prop:checked=move || scope.with(|s| s.filters.unread), on:change=toggle(true))
                (state.t("Unread only"))
            }
            label(class="filter-toggle") {
                input(r#type="checkbox", class="filter-bookmarked", prop:checked=move || scope.with(|s| s.filters.bookmarked), on:change=toggle(false))
                (state.t("Bookmarked only"))
            }
            // From and To stay together on a line of their own when the pane is narrow.
            span(class="filter-dates") {
                label(class="filter-date") {
                    (state.t("From"))
                    input(r#type="date", class="filter-since", prop:value=move || shown(scope.with(|s| s.since)), on:change=date(true))
                }
                label(class="filter-date") {
                    (state.t("To"))
                    input(r#type="date", class="filter-until", prop:value=move || shown(scope.with(|s| s.until.map(|t| t - 1))), on:change=date(false))
                }
            }
        }
    }
}
