use sycamore::prelude::*;

use crate::api;
use crate::format::count as thousands;
use crate::state::spawn;
use crate::state::AppState;

const MIB: u64 = 1024 * 1024;
/// The largest limit the store takes (1 TiB), in MiB.
const MAX_BUDGET_MIB: u64 = 1024 * 1024;

/// "Your archive": back up, export, import an OPML list, the image cache's limit, and retention with a preview of what
/// would go, all through the system's file dialogs (run by the backend). One piece of work at
/// a time; its result (or error) stays in the panel until the next.
#[component]
pub fn ArchivePanel() -> View {
    let state = use_context::<AppState>();
    let busy = create_signal(false);
    let result = create_signal(String::new());
    let days = create_signal(String::from("365"));
    // The retention preview shown, for the days it was asked for.
    let preview = create_signal(None::<(u32, broadsheet_model::RetentionInfo)>);
    // The image cache: its use and limit (asked for when the panel opens), and the limit typed.
    let budget = create_signal(None::<broadsheet_model::ImageBudget>);
    let budget_mib = create_signal(String::new());
    // The archive open now, and one made or picked in this session to switch to.
    let location = create_signal(None::<broadsheet_model::ArchiveLocation>);
    let ask_location = move || {
        spawn(async move {
            if let Ok(l) = api::archive_location().await {
                location.set(Some(l));
            }
        })
    };
    ask_location();
    spawn(async move {
        if let Ok(b) = api::get_image_budget().await {
            budget_mib.set((b.limit_bytes / MIB).to_string());
            budget.set(Some(b));
        }
    });

    // One piece of work at a time: "Working…" meanwhile, then what it did, or what was being
    // done and why it failed. A cancelled dialog leaves an empty message.
    let run = move |doing: &'static str,
                    work: std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<String, broadsheet_model::ApiError>>>,
    >| {
        if busy.get() {
            return;
        }
        busy.set(true);
        result.set(state.t("Working…").to_string());
        spawn(async move {
            match work.await {
                Ok(message) => result.set(message),
                Err(e) => result.set(format!("{}: {e}", state.t(doing))),
            }
            busy.set(false);
        });
    };
    let export = move |format: &'static str| {
        run(
            "Exporting the archive",
            Box::pin(async move {
                Ok(api::export_archive(format).await?.map_or(String::new(), |done| {
                    state.t("Saved {n} to {path}").replace("{n}", &thousands(done.count)).replace("{path}", &done.path)
                }))
            }),
        )
    };
    let import_opml = move |_| {
        run(
            "Importing the OPML file",
            Box::pin(async move {
                let Some(done) = api::import_opml_file().await? else { return Ok(String::new()) };
                state.reload_sidebar();
                Ok(state
                    .t("{added} feeds added, {present} already here")
                    .replace("{added}", &thousands(done.added))
                    .replace("{present}", &thousands(done.already_present)))
            }),
        )
    };
    let restore = move |_| {
        run(
            "Restoring the backup",
            Box::pin(async move {
                let Some(done) = api::restore_backup().await? else { return Ok(String::new()) };
                state.archive_replaced();
                Ok(state
                    .t("Restored {n} posts from {path}")
                    .replace("{n}", &thousands(done.count))
                    .replace("{path}", &done.path))
            }),
        )
    };
    let restore_new = move |_| {
        run(
            "Restoring the backup",
            Box::pin(async move {
                let Some(done) = api::restore_into_new_archive().await? else { return Ok(String::new()) };
                ask_location();
                Ok(state
                    .t("Restored {n} posts into a new archive in {path}")
                    .replace("{n}", &thousands(done.count))
                    .replace("{path}", &done.path))
            }),
        )
    };
    let open_other = move |_| {
        run(
            "Opening another archive",
            Box::pin(async move {
                let Some(path) = api::open_other_archive().await? else { return Ok(String::new()) };
                ask_location();
                Ok(state.t("The archive in {path} can be opened").replace("{path}", &path))
            }),
        )
    };
    let switch = move |to_default: bool| {
        run(
            "Switching archives",
            Box::pin(async move {
                api::switch_archive(to_default).await?;
                Ok(state.t("Restarting…").to_string())
            }),
        )
    };
    let parsed_days = move || days.with(|d| d.trim().parse::<u32>().ok()).filter(|d| *d <= 100_000);
    let ask_preview = move |_| {
        let Some(d) = parsed_days() else {
            result.set(state.t("Enter a number of days").to_string());
            return;
        };
        spawn(async move {
            match api::retention_preview(d).await {
                Ok(p) => {
                    preview.set(Some((d, p)));
                    result.set(String::new());
                }
                Err(e) => result.set(format!("{}: {e}", state.t("Previewing retention"))),
            }
        });
    };
    let apply = move |_| {
        let Some((d, _)) = preview.get() else { return };
        run(
            "Applying retention",
            Box::pin(async move {
                let done = api::apply_retention(d).await?;
                preview.set(None);
                state.archive_replaced();
                Ok(state
                    .t("Removed {n} posts and {m} images")
                    .replace("{n}", &thousands(done.articles))
                    .replace("{m}", &thousands(done.images)))
            }),
        )
    };

    let save_budget = move |_| {
        let Some(mib) = budget_mib.with(|m| m.trim().parse::<u64>().ok()).filter(|m| *m <= MAX_BUDGET_MIB) else {
            result.set(state.t("Enter a limit in MB, up to 1,048,576").to_string());
            return;
        };
        run(
            "Setting the image cache limit",
            Box::pin(async move {
                let b = api::set_image_budget(mib).await?;
                budget.set(Some(b));
                Ok(state.t("Images are cached up to {n} MB").replace("{n}", &thousands(b.limit_bytes / MIB)))
            }),
        )
    };

    view! {
        div(class="archive-panel", role="group", aria-label=state.t("Your archive")) {
            h3 { (state.t("Your archive")) }
            div(class="archive-actions") {
                button(class="export-json", disabled=move || busy.get(), on:click=move |_| export("json")) { (state.t("Back up…")) }
                button(class="export-markdown", disabled=move || busy.get(), on:click=move |_| export("markdown")) { (state.t("Export Markdown…")) }
                button(class="export-opml", disabled=move || busy.get(), on:click=move |_| export("opml")) { (state.t("Export sources (OPML)…")) }
                button(class="export-bookmarks", disabled=move || busy.get(), on:click=move |_| export("bookmarks")) { (state.t("Export bookmarks…")) }
                button(class="import-opml", disabled=move || busy.get(), on:click=import_opml) { (state.t("Import OPML…")) }
                button(class="restore-backup", disabled=move || busy.get(), on:click=restore, title=state.t("Into an archive with nothing of yours yet, such as a fresh install")) {
                    (state.t("Restore a backup…"))
                }
                button(class="restore-new-archive", disabled=move || busy.get(), on:click=restore_new, title=state.t("Into a new archive in a folder you choose; this one stays as it is")) {
                    (state.t("Restore into a new archive…"))
                }
                button(class="open-other-archive", disabled=move || busy.get(), on:click=open_other) { (state.t("Open another archive…")) }
            }
            (location.get_clone().map(|l| {
                let heading = if l.is_default { state.t("This archive (the default one):") } else { state.t("This archive:") };
                let next = l.next.clone().filter(|n| *n != l.path);
                let (path, problem, is_default) = (l.path, l.problem, l.is_default);
                let failed = problem.is_some();
                view! {
                    div(class="archive-location") {
                        p(class="archive-path") { (heading) " " span(class="path") { (path) } }
                        (match problem.clone() {
                            Some(why) => view! {
                                p(class="archive-problem", role="alert") {
                                    (state.t("The archive chosen before could not be opened, so the default one is open:")) " " (why)
                                }
                            },
                            None => view! {},
                        })
                        (match next.clone() {
                            Some(next) => view! {
                                button(class="switch-archive", disabled=move || busy.get(), on:click=move |_| switch(false)) {
                                    (state.t("Switch to {path} (Broadsheet restarts)").replace("{path}", &next))
                                }
                            },
                            None => view! {},
                        })
                        // Back to the default archive, or — the choice having failed, the
                        // default open already — forgetting that choice, so it is not tried
                        // (and reported) at every start.
                        (match (is_default, failed) {
                            (true, false) => view! {},
                            (true, true) => view! {
                                button(class="switch-default", disabled=move || busy.get(), on:click=move |_| switch(true)) {
                                    (state.t("Forget the archive chosen before"))
                                }
                            },
                            (false, _) => view! {
                                button(class="switch-default", disabled=move || busy.get(), on:click=move |_| switch(true)) {
                                    (state.t("Back to the default archive (Broadsheet restarts)"))
                                }
                            },
                        })
                    }
                }
            }))
            div(class="retention") {
                label {
                    (state.t("Remove unmarked posts older than")) " "
                    input(class="retention-days", r#type="number", min="0", bind:value=days, on:input=move |_| preview.set(None))
                    " " (state.t("days"))
                }
                button(class="retention-preview", disabled=move || busy.get(), on:click=ask_preview) { (state.t("Preview")) }
                (match preview.get() {
                    Some((d, p)) => view! {
                        p(class="retention-plan") {
                            (state
                                .t("{n} posts older than {d} days and {m} images ({mb} MB) would go; bookmarked and tagged posts stay.")
                                .replace("{n}", &thousands(p.articles))
                                .replace("{d}", &d.to_string())
                                .replace("{m}", &thousands(p.images))
                                .replace("{mb}", &format!("{:.1}", p.image_bytes as f64 / 1e6)))
                        }
                        button(class="retention-apply danger", disabled=move || busy.get() || p.articles == 0, on:click=apply) {
                            (state.t("Remove them"))
                        }
                    },
                    None => view! {},
                })
            }
            div(class="image-budget") {
                label {
                    (state.t("Cache images for offline reading up to")) " "
                    input(class="image-budget-mib", r#type="number", min="0", bind:value=budget_mib)
                    " " (state.t("MB"))
                }
                button(class="image-budget-save", disabled=move || busy.get(), on:click=save_budget) { (state.t("Save")) }
                (match budget.get() {
                    Some(b) => view! {
                        p(class="image-budget-use") {
                            (state
                                .t("{used} MB cached now. Past the limit no more are fetched; those cached stay.")
                                .replace("{used}", &thousands(b.used_bytes / MIB)))
                        }
                    },
                    None => view! {},
                })
            }
            p(class="archive-result", role="status") { (result.get_clone()) }
        }
    }
}
