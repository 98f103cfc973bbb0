//! The sync engine's state: the archive, the fetchers and their address policies, the
//! per-host limits. The executor (`run.rs`) and the image phase (`images.rs`) both work on it;
//! neither depends on the other's module (the executor calls the image phase).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use broadsheet_fetch::{Fetcher, NetPolicy};
use broadsheet_model::SyncEvent;
use tokio::sync::Semaphore;

use crate::{host_of, SharedStore, SyncOptions};

/// Where a run's progress goes.
pub type EventSink = Arc<dyn Fn(SyncEvent) + Send + Sync>;

/// Runs syncs against one archive.
#[derive(Clone)]
pub struct Engine {
    pub(crate) store: SharedStore,
    pub(crate) docs: Fetcher,
    pub(crate) images: Fetcher,
    /// Shared by both fetchers: the hosts of the sources the reader added may be private
    /// (a feed on the home network); every other address must be public.
    pub(crate) net: NetPolicy,
    /// What images in posts may reach: only the user-added hosts that are local by their form.
    pub(crate) images_net: NetPolicy,
    pub(crate) opts: SyncOptions,
    pub(crate) hosts: Arc<Mutex<HashMap<String, Arc<Semaphore>>>>,
    /// Pages the reader saved with this engine: their hosts stay allowed when a run resets the
    /// allow-lists from the sources (a page on the home network keeps its pictures coming).
    pub(crate) saved: Arc<Mutex<Vec<String>>>,
    /// The archive's file, for read-only connections opened without the writer's lock (which
    /// a long write, a restore, may hold for minutes).
    pub(crate) path: Option<std::path::PathBuf>,
}

impl Engine {
    pub fn new(store: SharedStore, opts: SyncOptions) -> Engine {
        let (net, images_net) = (NetPolicy::new(), NetPolicy::new());
        let path = store.lock().unwrap_or_else(|p| p.into_inner()).path();
        Engine {
            path,
            store,
            docs: Fetcher::with_policy(opts.limits, net.clone()),
            // Images follow a stricter allow-list (see `run_with`), so their own policy.
            images: Fetcher::with_policy(opts.image_limits, images_net.clone()),
            net,
            images_net,
            opts,
            hosts: Arc::default(),
            saved: Arc::default(),
        }
    }

    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, broadsheet_store::Store> {
        lock_writer(&self.store)
    }

    pub(crate) fn host_permit(&self, url: &str) -> Arc<Semaphore> {
        let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        hosts.entry(host_of(url)).or_insert_with(|| Arc::new(Semaphore::new(self.opts.per_host.max(1)))).clone()
    }

    /// Allows a page the reader saves, as a source they add is allowed: its host for documents,
    /// and for its pictures when local by its very form; kept for this engine's life, so a
    /// run resetting the allow-lists from the sources keeps it.
    pub(crate) fn allow_saved_host(&self, url: &str) {
        {
            let mut saved = self.saved.lock().unwrap_or_else(|p| p.into_inner());
            if !saved.iter().any(|u| u == url) && saved.len() < 1000 {
                saved.push(url.to_string());
            }
        }
        self.net.allow_hosts([url]);
        let images = self.images_net.allowed_hosts();
        self.images_net.set_allowed_local_hosts(images.iter().map(String::as_str).chain([url]));
    }

    pub(crate) fn documents(&self) -> &Fetcher {
        &self.docs
    }

    pub(crate) fn shared(&self) -> SharedStore {
        self.store.clone()
    }

    pub(crate) fn image_fetcher(&self) -> &Fetcher {
        &self.images
    }
    pub(crate) fn options(&self) -> &SyncOptions {
        &self.opts
    }
    pub(crate) fn store(&self) -> std::sync::MutexGuard<'_, broadsheet_store::Store> {
        self.lock()
    }
    /// A read-only connection, opened without taking the writer's lock.
    pub(crate) fn reader(&self) -> Result<broadsheet_store::Store, broadsheet_store::StoreError> {
        match &self.path {
            Some(path) => broadsheet_store::Store::open_reader(path),
            None => self.lock().reader(),
        }
    }
    pub(crate) fn host(&self, url: &str) -> Arc<Semaphore> {
        self.host_permit(url)
    }
}

/// The archive's writer, from async code as from anywhere. Waiting for it (behind a long
/// write: a restore, a big removal step) happens off the runtime's workers (two on this kind
/// of machine, shared with every command of the window): on a worker, `block_in_place` hands
/// its other tasks to a fresh thread first.
pub(crate) fn lock_writer(store: &SharedStore) -> std::sync::MutexGuard<'_, broadsheet_store::Store> {
    use tokio::runtime::{Handle, RuntimeFlavor};
    let take = || store.lock().unwrap_or_else(|p| p.into_inner());
    match Handle::try_current() {
        Ok(h) if h.runtime_flavor() == RuntimeFlavor::MultiThread => tokio::task::block_in_place(take),
        _ => take(),
    }
}
