//! Components rendered natively (Sycamore SSR) from state a test sets up.

use broadsheet_model::{ArticleDetail, ArticleSummary, CategoryCount};
use broadsheet_ui::components::{ArticleList, Reader, Sidebar};
use broadsheet_ui::state::AppState;
use sycamore::prelude::*;

/// Renders `component` with state prepared by `setup`, without hydration markers.
fn render(setup: impl FnOnce(AppState) + 'static, component: fn() -> View) -> String {
    let html = sycamore::render_to_string(move || {
        let state = AppState::new();
        setup(state);
        provide_context(state);
        component()
    });
    strip_markers(&html)
}

fn strip_markers(html: &str) -> String {
    let mut out = html.replace("<!--/-->", "").replace("<!--#-->", "");
    while let Some(i) = out.find(" data-hk=\"") {
        let end = out[i + 10..].find('"').map(|e| i + 10 + e + 1).unwrap();
        out.replace_range(i..end, "");
    }
    out
}

/// The opening `<button …>` tag of a category's sidebar entry.
fn button_for<'a>(html: &'a str, slug: &str) -> &'a str {
    let at = html.find(&format!("data-category=\"{slug}\"")).expect("category rendered");
    let start = html[..at].rfind("<button").unwrap();
    let end = at + html[at..].find('>').unwrap();
    &html[start..end]
}

fn category(slug: &str, name: &str, count: u64) -> CategoryCount {
    CategoryCount { slug: slug.into(), name: name.into(), count }
}

fn summary(id: i64, title: &str, read: bool) -> ArticleSummary {
    ArticleSummary {
        id: broadsheet_model::ArticleId(id),
        title: title.into(),
        date: "2026-11-27T09:12:00+08:00".into(),
        timestamp: 1_795_741_920,
        categories: vec!["kejiribao".into()],
        category_names: vec!["科技日报新闻".into()],
        tags: vec!["科技日报新闻".into()],
        user_tags: vec![],
        excerpt: "记者从多家存储芯片企业了解到".into(),
        source: "示例".into(),
        url: None,
        bookmarked: false,
        read,
        copies: 0,
    }
}

#[test]
fn sidebar_lists_categories_with_counts_and_marks_the_selected_one() {
    let html = render(
        |s| {
            s.library
                .categories
                .set(vec![category("dazhongwang", "大众网新闻", 12), category("emnews", "东财滚动新闻", 3400)]);
            s.list.view.set(broadsheet_ui::view::ListView::Category("emnews".into()));
        },
        || view! { Sidebar {} },
    );
    assert!(html.contains("大众网新闻"), "{html}");
    assert!(html.contains(">3400<"), "{html}");
    assert!(button_for(&html, "emnews").contains("class=\"nav-item selected\""), "{html}");
    assert!(button_for(&html, "dazhongwang").contains("class=\"nav-item\""), "{html}");
    assert_eq!(html.matches("aria-current=\"page\"").count(), 1, "{html}");
}

#[test]
fn sidebar_selects_all_when_no_category_is_chosen() {
    let html = render(|s| s.library.categories.set(vec![category("a", "A", 1)]), || view! { Sidebar {} });
    assert!(html.contains("class=\"nav-item selected\" aria-current=\"page\" data-view=\"all\""), "{html}");
    assert!(html.contains("data-view=\"unread\"") && html.contains("data-view=\"bookmarked\""), "smart views: {html}");
}

#[test]
fn list_shows_rows_with_unread_marks_and_the_original_offset_on_hover() {
    let html = render(
        |s| {
            s.list.articles.set(vec![summary(1, "第一条", false), summary(2, "第二条", true)]);
            s.list.list_loaded.set(true);
            s.reader.selected.set(Some(broadsheet_model::ArticleId(2)));
        },
        || view! { ArticleList {} },
    );
    assert!(html.contains("第一条") && html.contains("第二条"), "{html}");
    assert_eq!(html.matches("article-row unread").count(), 1, "{html}");
    assert!(html.contains("article-row selected"), "{html}");
    assert!(html.contains("title=\"2026-11-27 09:12 (UTC+08:00)\""), "{html}");
    assert!(!html.contains("empty-state"), "{html}");
}

#[test]
fn empty_list_says_what_to_do() {
    let html = render(|s| s.list.list_loaded.set(true), || view! { ArticleList {} });
    assert!(html.contains("empty-state"), "{html}");
    assert!(html.contains("Add a source"), "{html}");
}

#[test]
fn reader_shows_title_language_and_body() {
    let html = render(
        |s| {
            s.reader.article.set(Some(ArticleDetail {
                summary: summary(7, "国产存储芯片良率突破九成", true),
                html: "<p>正文第一段。</p>".into(),
                lang: Some("zh-CN".into()),
                text: "正文第一段。".into(),
                images: vec![],
                author: None,
            }))
        },
        || view! { Reader {} },
    );
    assert!(html.contains("<h1 class=\"article-title\">国产存储芯片良率突破九成</h1>"), "{html}");
    assert!(html.contains("lang=\"zh-CN\""), "{html}");
    assert!(html.contains("<p>正文第一段。</p>"), "{html}");
}

#[test]
fn reader_without_a_selection_invites_a_choice() {
    let html = render(|_| {}, || view! { Reader {} });
    assert!(html.contains("reader-empty"), "{html}");
    assert!(!html.contains("article-title"), "{html}");
}

fn source(id: i64, name: &str, status: Option<&str>, error: Option<&str>) -> broadsheet_model::SourceInfo {
    broadsheet_model::SourceInfo {
        id: broadsheet_model::SourceId(id),
        kind: "feed".into(),
        location: format!("https://{name}.example/feed.xml"),
        name: name.into(),
        site_url: None,
        aliases: Vec::new(),
        articles: 3,
        removed: false,
        health: broadsheet_model::SourceHealth {
            last_status: status.map(Into::into),
            last_error: error.map(Into::into),
            ..Default::default()
        },
    }
}

#[test]
fn sources_show_their_health() {
    use broadsheet_ui::components::Sources;
    let html = render(
        |s| {
            s.library.sources.set(vec![
                source(1, "good", Some("200"), None),
                source(2, "bad", None, Some("HTTP 500")),
                source(3, "new", None, None),
                source(4, "partly", Some("folder; 2 files not imported; first _posts/x.md: not UTF-8"), None),
            ])
        },
        || view! { Sources {} },
    );
    let item = |id: i64| {
        let at = html.find(&format!("data-source=\"{id}\"")).unwrap();
        &html[at..at + html[at..].find("</li>").unwrap()]
    };
    assert!(item(1).contains("health-dot ok"), "{html}");
    assert!(item(2).contains("health-dot failing") && item(2).contains("HTTP 500"), "{html}");
    assert!(item(3).contains("health-dot pending"), "{html}");
    assert!(item(4).contains("health-dot partial") && item(4).contains("2 files not imported"), "{html}");
    assert!(html.contains("aria-label=\"Feed, site or git URL, or a folder path\""));
}

#[test]
fn the_sync_bar_shows_progress_while_running_and_a_summary_after() {
    use broadsheet_model::SyncEvent;
    use broadsheet_ui::components::SyncBar;
    let running = render(
        |s| {
            s.on_sync_event(SyncEvent::Started { sources: 4 });
            s.on_sync_event(SyncEvent::SourceFinished {
                id: broadsheet_model::SourceId(1),
                name: "东财".into(),
                new: 3,
                updated: 0,
                error: None,
                done: 1,
                total: 4,
            });
        },
        || view! { SyncBar {} },
    );
    assert!(running.contains("value=\"25\""), "{running}");
    assert!(running.contains(">Cancel<") && running.contains("东财: done"), "{running}");
    let done = render(
        |s| {
            s.on_sync_event(SyncEvent::Started { sources: 1 });
            s.on_sync_event(SyncEvent::Finished {
                sources: 1,
                failed: 1,
                new: 5,
                updated: 2,
                images: 0,
                cancelled: false,
            });
        },
        || view! { SyncBar {} },
    );
    assert!(done.contains(">Sync now<") && done.contains("Synced: 5 new, 2 updated, 1 failed"), "{done}");
}

#[test]
fn the_ui_speaks_chinese_when_asked() {
    let html = render(
        |s| {
            s.prefs.settings.update(|x| x.language = "zh".into());
            s.library.categories.set(vec![category("dazhongwang", "大众网新闻", 1)]);
        },
        || view! { Sidebar {} },
    );
    for zh in ["全部文章", "未读", "收藏", "分类", "来源", "立即同步"] {
        assert!(html.contains(zh), "{zh} missing: {html}");
    }
    assert!(!html.contains("All articles"));
}

#[test]
fn the_tag_editor_shows_the_articles_tags_and_offers_existing_ones() {
    use broadsheet_ui::components::TagEditor;
    let html = render(
        |s| {
            let mut summary = summary(7, "t", true);
            summary.user_tags = vec!["稍后再读".into(), "markets".into()];
            s.reader.article.set(Some(ArticleDetail {
                summary,
                html: String::new(),
                lang: None,
                text: String::new(),
                images: vec![],
                author: None,
            }));
            s.library.user_tags.set(vec![broadsheet_model::TagCount { name: "long reads".into(), count: 3 }]);
        },
        || view! { TagEditor(id=broadsheet_model::ArticleId(7)) },
    );
    assert_eq!(html.matches("class=\"user-tag-chip\"").count(), 2, "{html}");
    assert!(html.contains("aria-label=\"Remove tag 稍后再读\""), "{html}");
    assert!(html.contains("<option value=\"long reads\""), "autocomplete offers existing tags: {html}");
}

#[test]
fn thousands_of_categories_stay_usable() {
    // The store sends one page (`CATEGORY_PAGE`) and the number matching in all.
    let html = render(
        |s| {
            s.library.categories.set(
                (0..broadsheet_ui::state::CATEGORY_PAGE)
                    .map(|n| category(&format!("outlet{n:04}"), &format!("媒体{n:04}新闻"), 1 + u64::from(n) % 7))
                    .collect(),
            );
            s.library.categories_total.set(2_000);
            s.library.site_tags.set(vec![broadsheet_model::TagCount { name: "科技".into(), count: 2 }]);
            s.library.site_tags_total.set(1);
        },
        || view! { Sidebar {} },
    );
    assert_eq!(html.matches("data-category=").count(), 300, "the page of categories is drawn");
    assert_eq!(html.matches(" more: type to filter").count(), 1, "only categories have more: {html}");
    assert!(html.contains("1700 more"), "and the rest are a filter away: {}", &html[html.len().saturating_sub(3000)..]);
    assert!(html.contains("placeholder=\"Filter categories and tags\""));
}

#[test]
fn a_failing_source_shows_its_error_in_words() {
    use broadsheet_ui::components::Sources;
    let html = render(
        |s| s.library.sources.set(vec![source(2, "bad", None, Some("https://bad.example/feed.xml: HTTP 500"))]),
        || view! { Sources {} },
    );
    assert!(html.contains("class=\"source-error\">https://bad.example/feed.xml: HTTP 500<"), "{html}");
}

/// Every string a reader sees or hears in the Chinese interface is Chinese: visible text and
/// the `aria-label`, `title` and `placeholder` of every element, in every component, with
/// Chinese data (so any Latin word left is the interface's own, untranslated).
#[test]
fn the_chinese_interface_has_no_untranslated_strings() {
    use broadsheet_ui::components::{SettingsPanel, Sources, SyncBar};
    let setup = |s: AppState| {
        s.prefs.settings.update(|x| x.language = "zh".into());
        s.list.list_loaded.set(true);
        s.library.categories.set(vec![category("kejiribao", "科技日报新闻", 5)]);
        s.library.categories_total.set(400);
        s.library.site_tags_total.set(300);
        s.library
            .sources
            .set(vec![source(1, "示例文库", Some("200"), None), source(2, "坏的源", Some("500"), Some("服务器错误"))]);
        s.library.site_tags.set(vec![broadsheet_model::TagCount { name: "科技".into(), count: 2 }]);
        s.library.user_tags.set(vec![broadsheet_model::TagCount { name: "稍后再读".into(), count: 1 }]);
        s.list.articles.set(vec![summary(7, "国产存储芯片良率突破九成", false)]);
        s.reader.article.set(Some(ArticleDetail {
            summary: summary(7, "国产存储芯片良率突破九成", false),
            html: "<p>正文第一段。</p>".into(),
            lang: Some("zh-CN".into()),
            text: "正文第一段。".into(),
            images: vec![],
            author: None,
        }));
    };
    // Names that are the same in every language.
    const SAME_IN_EVERY_LANGUAGE: &[&str] = &[
        "Broadsheet",
        "URL",
        "RSS",
        "Atom",
        "JSON",
        "OPML",
        "Jekyll",
        "git",
        "UTC",
        "Markdown",
        "MB",
        "Syncthing",
        "Dropbox",
        "iCloud",
    ];
    // Data, not interface: the category's slug (its tooltip) and sources' URLs.
    const DATA: &[&str] = &["kejiribao"];
    let mut untranslated = std::collections::BTreeSet::new();
    type Component = (&'static str, fn() -> View);
    let components: [Component; 8] = [
        ("ArchivePanel", || view! { broadsheet_ui::components::ArchivePanel {} }),
        ("ArticleList (a narrowed search)", narrowed_search),
        ("Sidebar", || view! { Sidebar {} }),
        ("ArticleList", || view! { ArticleList {} }),
        ("Reader", || view! { Reader {} }),
        ("SettingsPanel", || view! { SettingsPanel {} }),
        ("Sources", || view! { Sources {} }),
        ("SyncBar", || view! { SyncBar {} }),
    ];
    for (name, component) in components {
        let html = render(setup, component);
        let mut strings: Vec<String> = Vec::new();
        for attr in ["aria-label=\"", "title=\"", "placeholder=\""] {
            for part in html.split(attr).skip(1) {
                strings.push(part[..part.find('"').unwrap_or(0)].to_string());
            }
        }
        // Text between tags.
        for part in html.split('>').skip(1) {
            strings.push(part[..part.find('<').unwrap_or(part.len())].to_string());
        }
        for s in strings {
            // A URL is data, not interface: leave it out, keep the rest of the string.
            let text: String = s.split_whitespace().filter(|w| !w.contains("://")).collect::<Vec<_>>().join(" ");
            let latin_words: Vec<&str> = text
                .split(|c: char| !c.is_ascii_alphabetic())
                .filter(|w| w.len() >= 2 && !SAME_IN_EVERY_LANGUAGE.contains(w) && !DATA.contains(w))
                .collect();
            if !latin_words.is_empty() {
                untranslated.insert(format!("{name}: {s:?}"));
            }
        }
    }
    assert!(
        untranslated.is_empty(),
        "untranslated in the Chinese interface:\n{}",
        untranslated.into_iter().collect::<Vec<_>>().join("\n")
    );
}

/// The article list showing a search begun in the 科技日报新闻 category, unread only.
fn narrowed_search() -> View {
    use broadsheet_ui::view::ListView;
    let s = use_context::<AppState>();
    s.list.view.set(ListView::Search("芯片".into()));
    s.list.search_scope.set(broadsheet_ui::state::SearchScope {
        filters: broadsheet_model::Filters { category: Some("kejiribao".into()), unread: true, ..Default::default() },
        within: Some(ListView::Category("kejiribao".into())),
        since: broadsheet_ui::format::local_midnight("2026-11-01"),
        until: None,
    });
    view! { ArticleList {} }
}

#[test]
fn a_search_shows_what_it_is_narrowed_to_and_how_to_widen_it() {
    let html = render(
        |s| {
            s.library.categories.set(vec![category("kejiribao", "科技日报新闻", 5)]);
            s.list.list_loaded.set(true);
        },
        narrowed_search,
    );
    assert!(html.contains("In: 科技日报新闻"), "the view it began in, by name: {html}");
    assert!(html.contains("aria-label=\"Search everything\""), "and a way to remove it: {html}");
    assert!(html.contains("class=\"filter-unread\"") && html.contains("Unread only"), "{html}");
    assert!(html.contains("Bookmarked only") && html.contains("class=\"filter-since\""), "{html}");
    let plain = render(|s| s.list.list_loaded.set(true), || view! { ArticleList {} });
    assert!(!plain.contains("search-filters"), "a list that is no search has no search filters");
}

#[test]
fn an_error_says_what_was_being_done_and_can_be_dismissed() {
    let html = render(
        |s| s.fail("Saving the tags", broadsheet_model::ApiError::Storage("disk full".into())),
        || view! { Reader {} },
    );
    assert!(html.contains("Saving the tags: "), "{html}");
    assert!(html.contains("disk full"), "{html}");
    assert!(html.contains("class=\"error-dismiss\""), "a way to dismiss it: {html}");
}

/// The archive section offers every export, the OPML import and retention, and asks for
/// nothing it cannot do yet (no preview before "Preview").
#[test]
fn the_archive_section_offers_backup_exports_opml_import_and_a_retention_preview() {
    let html = render(|_| {}, || view! { broadsheet_ui::components::ArchivePanel {} });
    for class in [
        "export-json",
        "export-markdown",
        "export-opml",
        "export-bookmarks",
        "import-opml",
        "retention-days",
        "retention-preview",
    ] {
        assert!(html.contains(class), "{class} missing in {html}");
    }
    assert!(!html.contains("retention-apply"), "nothing can be removed before its preview: {html}");
}

/// The sync bar's running messages are the interface's too: in Chinese, in Chinese.
#[test]
fn sync_progress_speaks_the_readers_language() {
    use broadsheet_model::SyncEvent;
    use broadsheet_ui::components::SyncBar;
    let html = render(
        |s| {
            s.prefs.settings.update(|x| x.language = "zh".into());
            s.on_sync_event(SyncEvent::Started { sources: 2 });
            s.on_sync_event(SyncEvent::SourceFinished {
                id: broadsheet_model::SourceId(1),
                name: "东财".into(),
                new: 1,
                updated: 0,
                error: None,
                done: 1,
                total: 2,
            });
        },
        || view! { SyncBar {} },
    );
    assert!(html.contains("东财: 完成"), "{html}");
    let html = render(
        |s| {
            s.prefs.settings.update(|x| x.language = "zh".into());
            s.on_sync_event(SyncEvent::Started { sources: 1 });
            s.on_sync_event(SyncEvent::Images { done: 3, total: 10, bytes: 0, failed: 0 });
        },
        || view! { SyncBar {} },
    );
    assert!(html.contains("图片 3/10"), "{html}");
}
