use sycamore::prelude::*;

use crate::api;
use crate::format::{count as thousands, moment};
use crate::state::{spawn, AppState};

/// "Your devices": the folder or git remote this archive syncs the reader's own state
/// through (bookmarks, read marks, tags, feeds, settings), this computer, the others heard
/// of (a refused log says why), and "Sync devices now". Asks again after every device sync.
#[component]
pub fn DevicesPanel() -> View {
    let state = use_context::<AppState>();
    let info = create_signal(None::<broadsheet_model::DevicesInfo>);
    let remote = create_signal(String::new());
    let message = create_signal(String::new());
    let busy = create_signal(false);
    let opened_at = state.sync.devices_version.get_untracked();
    create_effect(move || {
        // A sync ended since this panel said "syncing…": the lines below tell how it went.
        if state.sync.devices_version.get() != opened_at {
            message.set(String::new());
        }
        spawn(async move {
            // Nothing to show without an answer: the panel's controls still work.
            if let Ok(i) = api::get_devices().await {
                if remote.with_untracked(String::is_empty) {
                    remote.set(i.remote.clone().unwrap_or_default());
                }
                info.set(Some(i));
            }
        });
    });
    let save = move |_| {
        if busy.get() {
            return;
        }
        busy.set(true);
        message.set(state.t("Working…").to_string());
        spawn(async move {
            match api::set_devices_remote(remote.get_clone()).await {
                Ok(i) => {
                    message.set(
                        if i.remote.is_some() {
                            state.t("Saved; syncing your devices…")
                        } else {
                            state.t("Devices sync stopped")
                        }
                        .to_string(),
                    );
                    info.set(Some(i));
                }
                Err(e) => message.set(format!("{}: {e}", state.t("Setting where devices sync"))),
            }
            busy.set(false);
        });
    };
    let choose = move |_| {
        spawn(async move {
            if let Ok(Some(folder)) = api::pick_devices_folder().await {
                remote.set(folder);
            }
        });
    };
    let sync_now = move |_| {
        spawn(async move {
            match api::sync_devices().await {
                Ok(true) => message.set(state.t("Syncing your devices…").to_string()),
                Ok(false) => message.set(state.t("A device sync is running").to_string()),
                Err(e) => message.set(format!("{}: {e}", state.t("Syncing your devices"))),
            }
        });
    };
    view! {
        div(class="devices-panel", role="group", aria-label=state.t("Your devices")) {
            h3 { (state.t("Your devices")) }
            p(class="devices-help") {
                (state.t("Bookmarks, read marks, your tags, feeds and settings reach your other computers through a folder they share (Syncthing, Dropbox, iCloud Drive, a USB disk) or a git remote. The archive itself stays here."))
            }
            div(class="devices-remote") {
                input(class="devices-remote-input", r#type="text", bind:value=remote,
                    placeholder=state.t("A shared folder or git remote"), aria-label=state.t("A shared folder or git remote"))
                button(class="devices-choose", on:click=choose) { (state.t("Folder…")) }
                button(class="devices-save", disabled=move || busy.get(), on:click=save) { (state.t("Save")) }
            }
            (match info.get_clone() {
                Some(i) => {
                    let this = if i.changes == 1 {
                        state.t("This computer: {name}, 1 change logged")
                    } else {
                        state.t("This computer: {name}, {n} changes logged")
                    }
                    .replace("{name}", &i.name)
                    .replace("{n}", &thousands(i.changes));
                    let last = match i.last_sync {
                        Some(t) => state.t("Last synced {when}").replace("{when}", &moment(t)),
                        None => state.t("Not synced yet").to_string(),
                    };
                    let waiting = (i.waiting > 0).then(|| {
                        if i.waiting == 1 {
                            state.t("1 change waits for a post not in this archive yet").to_string()
                        } else {
                            state.t("{n} changes wait for posts not in this archive yet").replace("{n}", &thousands(i.waiting))
                        }
                    });
                    let error = i.last_error.clone();
                    let has_remote = i.remote.is_some();
                    let peers = i.peers.clone();
                    view! {
                        p(class="devices-this") { (this) }
                        (if has_remote {
                            view! {
                                p(class="devices-last") { (last.clone()) }
                                button(class="devices-sync-now", on:click=sync_now) { (state.t("Sync devices now")) }
                            }
                        } else {
                            view! {}
                        })
                        (match waiting.clone() { Some(w) => view! { p(class="devices-waiting") { (w) } }, None => view! {} })
                        (match error.clone() {
                            Some(e) => view! { p(class="devices-error") { (state.t("Not synced")) ": " (e) } },
                            None => view! {},
                        })
                        ul(class="devices-peers") {
                            Keyed(
                                list=peers.clone(),
                                key=|p| p.device.clone(),
                                view=move |p| {
                                    let name = if p.name.is_empty() { p.device.clone() } else { p.name.clone() };
                                    let seen = p.seen_at.map(moment).unwrap_or_default();
                                    let line = match &p.error {
                                        Some(e) => format!("{}: {e}", state.t("its log was refused")),
                                        None if p.changes == 1 => state.t("1 change, seen {when}").replace("{when}", &seen),
                                        None => state.t("{n} changes, seen {when}")
                                            .replace("{n}", &thousands(p.changes))
                                            .replace("{when}", &seen),
                                    };
                                    view! { li(class="devices-peer") { strong { (name) } " — " (line) } }
                                },
                            )
                        }
                    }
                }
                None => view! {},
            })
            p(class="devices-result", role="status") { (message.get_clone()) }
        }
    }
}
