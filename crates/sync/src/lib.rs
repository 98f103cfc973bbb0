//! The sync engine: keeps the archive complete and current, and readable offline.
//!
//! Invariant: planning is pure ([`plan`]); execution ([`Engine::run`]) only adds or updates
//! posts (never deletes; posts gone upstream are marked), records each source's health, and
//! lets no source's failure stop the others.

mod add;
mod engine;
mod feed;
mod git;
pub mod git_memory;
mod images;
pub mod plan;
mod run;
mod save;
mod sniff;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use broadsheet_store::Store;

pub use add::{add_source, AddError, SourceKind};
pub use engine::{Engine, EventSink};
pub use git::{is_post_path, GitError, GitLimits};
pub use plan::Trigger;
pub use run::{SyncReport, UNFINISHED};
pub use save::{SaveError, Saved, SAVED_KIND, SAVED_LOCATION};
pub use sniff::image_type;
pub use tokio_util::sync::CancellationToken;

/// The archive, shared between the app (or CLI) and the engine.
pub type SharedStore = Arc<Mutex<Store>>;

/// The image cache's limit unless the reader sets one: 2 GiB.
pub const DEFAULT_IMAGE_BUDGET: u64 = 2 * 1024 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Download the images posts show.
    pub images: bool,
    /// Stop caching images once the cache holds this many bytes — unless the reader set a
    /// limit of their own in the archive (`Store::image_budget`) and this one is not `fixed`.
    pub image_budget_bytes: u64,
    /// `image_budget_bytes` was asked for (the CLI's `--image-budget-mb`): it wins over the
    /// archive's setting.
    pub image_budget_fixed: bool,
    /// Images fetched in one run at most (the rest wait for the next).
    pub images_per_run: usize,
    /// Requests in flight at once, overall and per host.
    pub max_concurrent: usize,
    pub per_host: usize,
    /// Where git mirrors live (in the app's data folder).
    pub git_cache: PathBuf,
    pub limits: broadsheet_fetch::Limits,
    pub image_limits: broadsheet_fetch::Limits,
    pub git_limits: git::GitLimits,
    /// The image phase of one run ends after this long; what is left waits for the next run,
    /// so a slow or silent image host never holds up the next sync of the sources.
    pub image_phase: std::time::Duration,
}

impl SyncOptions {
    pub fn new(data_dir: &std::path::Path) -> SyncOptions {
        SyncOptions {
            images: true,
            image_budget_bytes: DEFAULT_IMAGE_BUDGET,
            image_budget_fixed: false,
            images_per_run: 2000,
            max_concurrent: 6,
            per_host: 2,
            git_cache: data_dir.join("git"),
            limits: broadsheet_fetch::Limits::DOCUMENT,
            image_limits: broadsheet_fetch::Limits::IMAGE,
            git_limits: git::GitLimits::default(),
            image_phase: std::time::Duration::from_secs(10 * 60),
        }
    }
}

pub(crate) fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// The host (and non-default port) a URL reaches, as the politeness limits see it; the
/// text itself for what is not a web address.
pub(crate) fn host_of(url: &str) -> String {
    broadsheet_model::web::host_and_port(url).unwrap_or_else(|| url.to_string())
}

/// The host as a reader reads it (its own script, lower case, the port if not the default):
/// a feed's default name, a saved page's site category — the same text as before the host
/// was read with the `url` crate, so pages saved earlier stay in their category.
pub(crate) fn site_name_of(url: &str) -> String {
    broadsheet_model::web::host_shown(url).unwrap_or_else(|| {
        let rest = url.split("://").nth(1).unwrap_or(url);
        rest.split(['/', '?', '#']).next().unwrap_or("").to_lowercase()
    })
}
