//! The window's behaviour against a fake backend (`api::fake`): what the reader sees before
//! and after the backend answers, and when answers come late, out of order or as errors.

use broadsheet_model::{ApiError, ArticleId, ArticleSummary, CategoryCount, LabelPage};
use broadsheet_ui::api::fake::Fake;
use broadsheet_ui::state::{run_tasks, AppState};
use sycamore::prelude::*;

fn summary(id: i64) -> ArticleSummary {
    ArticleSummary {
        id: ArticleId(id),
        title: format!("第{id}篇"),
        date: "2026-11-27T09:12:00+08:00".into(),
        timestamp: 1_795_741_920,
        categories: vec![],
        category_names: vec![],
        tags: vec![],
        user_tags: vec![],
        excerpt: String::new(),
        source: "示例".into(),
        url: None,
        bookmarked: false,
        read: false,
        copies: 0,
    }
}

/// Runs `test` in a reactive root with a fresh fake backend and state.
fn with_state(test: impl FnOnce(&Fake, AppState)) {
    let root = create_root(|| {
        let fake = Fake::install();
        let state = AppState::new();
        test(&fake, state);
    });
    root.dispose();
}

#[test]
fn a_bookmark_shows_at_once_and_is_taken_back_when_the_archive_refuses_it() {
    with_state(|fake, state| {
        state.list.articles.set(vec![summary(7)]);
        let shown = || state.marks.bookmarked_now.with(|m| m.get(&ArticleId(7)).copied());

        state.toggle_bookmark(ArticleId(7));
        assert_eq!(shown(), Some(true), "shown before the backend answers");
        run_tasks();
        let mut calls = fake.take("set_bookmark");
        assert_eq!(calls.len(), 1);
        assert_eq!((calls[0].args["id"].as_i64(), calls[0].args["on"].as_bool()), (Some(7), Some(true)));
        calls.remove(0).answer(Err(ApiError::Storage("disk full".into())));
        run_tasks();
        assert_eq!(shown(), Some(false), "a bookmark that was not saved is not shown");
        let error = state.error.get_clone().unwrap_or_default();
        assert!(error.contains("Bookmarking") && error.contains("disk full"), "{error}");

        state.toggle_bookmark(ArticleId(7));
        run_tasks();
        fake.take("set_bookmark").remove(0).ok(());
        run_tasks();
        assert_eq!(shown(), Some(true), "a saved bookmark stays");
        assert!(fake.pending().is_empty(), "{:?}", fake.pending());
    });
}

#[test]
fn an_answer_to_an_older_sidebar_filter_arriving_last_is_dropped() {
    with_state(|fake, state| {
        let page = |slug: &str| LabelPage {
            items: vec![CategoryCount { slug: slug.into(), name: slug.into(), count: 1 }],
            total: 1,
        };
        // Typed quickly, the older filter is never asked for (the pause before asking).
        state.library.label_filter.set("ol".into());
        state.reload_labels();
        state.library.label_filter.set("old".into());
        state.reload_labels();
        run_tasks();
        // Typed slowly, it is: its answer is on its way when the newer filter asks.
        state.library.label_filter.set("new".into());
        state.reload_labels();
        run_tasks();
        let mut asked = fake.take("list_categories");
        assert_eq!(asked.len(), 2, "one ask per filter that stood long enough");
        assert_eq!(asked[0].args["query"]["filter"], "old");
        assert_eq!(asked[1].args["query"]["filter"], "new");
        // The newer answer first, then the older one, late.
        let old = asked.remove(0);
        asked.remove(0).ok(page("new"));
        run_tasks();
        old.ok(page("old"));
        run_tasks();
        let shown: Vec<String> = state.library.categories.with(|c| c.iter().map(|c| c.slug.clone()).collect());
        assert_eq!(shown, ["new"], "the late answer to the older filter did not overwrite the newer one");
        // Only the newer filter goes on to ask for its tags.
        let tags = fake.take("list_site_tags");
        assert_eq!(tags.len(), 1);
        assert_eq!(tags[0].args["query"]["filter"], "new");
    });
}

#[test]
fn settings_are_written_one_at_a_time_and_the_last_change_is_written_last() {
    with_state(|fake, state| {
        let start = state.prefs.settings.with_untracked(|s| s.font_size);
        state.update_settings(|s| s.with_font_step(2));
        run_tasks();
        let mut first = fake.take("set_ui_settings");
        assert_eq!(first.len(), 1);
        // Two more changes while the first write is under way: no second write at once.
        state.update_settings(|s| s.with_font_step(2));
        state.update_settings(|s| s.with_font_step(2));
        run_tasks();
        assert!(fake.take("set_ui_settings").is_empty(), "a write waits for the one before it");
        first.remove(0).ok(());
        run_tasks();
        let mut second = fake.take("set_ui_settings");
        assert_eq!(second.len(), 1, "the changes made meanwhile are one more write");
        let written: serde_json::Value =
            serde_json::from_str(second[0].args["json"].as_str().expect("the settings as JSON text")).unwrap();
        assert_eq!(written["font_size"].as_u64(), Some(u64::from(start) + 6), "{written}");
        second.remove(0).ok(());
        run_tasks();
        assert!(fake.pending().is_empty(), "{:?}", fake.pending());
        assert!(!state.prefs.saving.get_untracked());
    });
}

#[test]
fn a_setting_other_than_collapsing_copies_does_not_reload_the_list() {
    with_state(|fake, state| {
        state.start_loading();
        run_tasks();
        for settings in fake.take("get_ui_settings") {
            settings.ok(None::<String>);
        }
        run_tasks();
        let mut lists = fake.take("list_articles");
        assert_eq!(lists.len(), 1, "one list at start");
        lists.remove(0).ok(vec![summary(1), summary(2)]);
        run_tasks();
        assert_eq!(state.list.articles.with(|l| l.len()), 2);

        // Opening an article saves its place in the settings; a bigger font is a setting too.
        state.update_settings(|s| s.with_font_step(2));
        run_tasks();
        assert!(fake.take("list_articles").is_empty(), "the list is not asked for again");

        state.update_settings(|s| broadsheet_ui::settings::Settings { collapse_duplicates: true, ..s.clone() });
        run_tasks();
        let again = fake.take("list_articles");
        assert_eq!(again.len(), 1, "collapsing copies is asked for");
        assert_eq!(again[0].args["query"]["collapse_duplicates"], true, "{:?}", again[0].args);
    });
}
