//! The executor: runs the planned sources concurrently on tokio, records health, then fetches
//! images; reports progress as [`SyncEvent`]s; stops early when cancelled.

use std::sync::Arc;

use broadsheet_fetch::{FetchError, Fetched, Validators};
use broadsheet_import::{import_path, import_posts, Archive, ImportOptions, ImportReport, SharedArchive};
use broadsheet_model::{SourceKind, SyncEvent};
use broadsheet_store::{Attempt, SyncSource, UpsertOutcome};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use crate::engine::{Engine, EventSink};
use crate::{feed, git, now, plan, Trigger};

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub sources: usize,
    /// (source name, error) for each source that failed.
    pub failures: Vec<(String, String)>,
    pub new: usize,
    pub updated: usize,
    pub images: usize,
    pub image_failures: usize,
    pub cancelled: bool,
}

/// Items taken from one feed document.
pub const MAX_FEED_ITEMS: usize = 2_000;

/// The health message of a source whose last attempt was cut short by the process dying.
pub const UNFINISHED: &str =
    "the last sync of this source did not finish (Broadsheet stopped during it); it is tried again later, not at once";

struct Outcome {
    status: String,
    new: usize,
    updated: usize,
    validators: Option<Validators>,
    cursor: Option<String>,
}

struct JobError {
    message: String,
    retry_after: Option<i64>,
}

impl From<crate::git::GitError> for JobError {
    fn from(e: crate::git::GitError) -> Self {
        JobError::from(broadsheet_model::shown(e))
    }
}

impl From<String> for JobError {
    /// Cut to `MAX_MESSAGE_CHARS`: a message quotes what the server or file sent.
    fn from(message: String) -> Self {
        let message = if message.chars().count() > broadsheet_model::MAX_MESSAGE_CHARS {
            broadsheet_model::shown(&message)
        } else {
            message
        };
        JobError { message, retry_after: None }
    }
}

impl Engine {
    /// Syncs the sources `trigger` selects, then (if enabled) downloads pending images.
    pub async fn run(&self, trigger: Trigger, cancel: CancellationToken, events: EventSink) -> SyncReport {
        self.run_with(trigger, cancel, events, self.opts.images).await
    }

    /// Syncs the sources only. The app downloads images separately ([`Engine::run_images`]),
    /// in their own slot, so "Sync now" during a long image phase syncs the sources at once.
    pub async fn run_sources(&self, trigger: Trigger, cancel: CancellationToken, events: EventSink) -> SyncReport {
        self.run_with(trigger, cancel, events, false).await
    }

    /// Downloads pending images (bounded by the image phase's time); returns (stored, failed).
    pub async fn run_images(&self, cancel: CancellationToken, events: EventSink) -> (usize, usize) {
        crate::images::download(self, &cancel, &events).await
    }

    async fn run_with(
        &self,
        trigger: Trigger,
        cancel: CancellationToken,
        events: EventSink,
        images: bool,
    ) -> SyncReport {
        // An attempt still marked as begun was cut short by the process dying (perhaps by the
        // very input it was reading): it is recorded as a failure with backoff, so a source
        // that crashes the app is not retried at every start.
        if let Err(e) = self.record_unfinished() {
            let report = SyncReport { failures: vec![("archive".into(), e.to_string())], ..Default::default() };
            events(finished(&report));
            return report;
        }
        // On a connection of its own: the writer may be busy with a long write (a restore).
        let sources = match self.reader().and_then(|r| r.sync_sources()) {
            Ok(s) => s,
            Err(e) => {
                let report = SyncReport { failures: vec![("archive".into(), e.to_string())], ..Default::default() };
                events(finished(&report));
                return report;
            }
        };
        // Only the locations the reader gave (never a site URL a feed claims for itself).
        // Sources from an OPML file or a backup are content like any other: not on the list.
        let saved = self.saved.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let named = || {
            sources.iter().filter(|s| s.user_added).map(|s| s.location.as_str()).chain(saved.iter().map(String::as_str))
        };
        self.net.set_allowed_hosts(named());
        // A public name the reader added may still answer DNS with a private address for the
        // pictures its posts point at: images may reach only hosts local by their very form.
        self.images_net.set_allowed_local_hosts(named());
        let due: Vec<SyncSource> = {
            let ids = plan::due(&sources, now(), &trigger);
            sources.into_iter().filter(|s| ids.contains(&s.id)).collect()
        };
        let total = due.len();
        // The scheduler ticks every minute; a tick with nothing due is not a run to report.
        if total == 0 && trigger == Trigger::Schedule {
            return SyncReport::default();
        }
        events(SyncEvent::Started { sources: total });
        let overall = Arc::new(Semaphore::new(self.opts.max_concurrent.max(1)));
        let mut set = tokio::task::JoinSet::new();
        for s in due {
            let (engine, overall, cancel, events) = (self.clone(), overall.clone(), cancel.clone(), events.clone());
            set.spawn(async move {
                let _permit = overall.acquire_owned().await.ok();
                if cancel.is_cancelled() {
                    return (s, None);
                }
                if let Err(e) = engine.lock().begin_attempt(s.id, now()) {
                    return (s, Some(Err(JobError::from(format!("cannot record the attempt: {e}")))));
                }
                events(SyncEvent::SourceStarted { id: s.id, name: s.name.clone() });
                let result = tokio::select! {
                    r = engine.sync_source(&s, &cancel) => Some(r),
                    _ = cancel.cancelled() => None,
                };
                if result.is_none() {
                    // Cancelled: the attempt's mark stays if it cannot be cleared, and the
                    // next start treats it as an attempt that ended (logged, not fatal).
                    if let Err(e) = engine.lock().end_attempt(s.id) {
                        log::warn!("{}: cannot record the end of a cancelled sync: {e}", s.name);
                    }
                }
                (s, result)
            });
        }
        let mut report = SyncReport { sources: total, ..Default::default() };
        let mut done = 0;
        while let Some(joined) = set.join_next().await {
            let Ok((s, result)) = joined else { continue };
            let Some(result) = result else {
                report.cancelled = true;
                continue;
            };
            done += 1;
            let at = now();
            let (attempt, event_error) = match result {
                Ok(o) => {
                    report.new += o.new;
                    report.updated += o.updated;
                    let v = o.validators.unwrap_or_default();
                    let attempt = Attempt {
                        at,
                        result: Ok(o.status),
                        next_attempt: plan::after_success(at, s.health.interval_min),
                        failures: 0,
                        etag: v.etag,
                        last_modified: v.last_modified,
                        cursor: o.cursor,
                        new: o.new as i64,
                        updated: o.updated as i64,
                    };
                    (attempt, None)
                }
                Err(e) => {
                    report.failures.push((s.name.clone(), e.message.clone()));
                    (failed_attempt(&s, at, e.message.clone(), e.retry_after), Some(e.message))
                }
            };
            if let Err(e) = self.lock().record_attempt(s.id, &attempt) {
                report.failures.push((s.name.clone(), format!("cannot record the attempt: {e}")));
            }
            let (new, updated) = (attempt.new as usize, attempt.updated as usize);
            events(SyncEvent::SourceFinished { id: s.id, name: s.name, new, updated, error: event_error, done, total });
        }
        if cancel.is_cancelled() {
            report.cancelled = true;
        }
        if images && !report.cancelled {
            let (ok, failed) = crate::images::download(self, &cancel, &events).await;
            report.images = ok;
            report.image_failures = failed;
            report.cancelled |= cancel.is_cancelled();
        }
        events(finished(&report));
        report
    }

    fn record_unfinished(&self) -> Result<(), broadsheet_store::StoreError> {
        // Looked for on a reader (each tick, and nearly always none): the writer only when found.
        if self.reader().and_then(|r| r.unfinished_attempts()).is_ok_and(|u| u.is_empty()) {
            return Ok(());
        }
        let store = self.lock();
        let unfinished = store.unfinished_attempts()?;
        if unfinished.is_empty() {
            return Ok(());
        }
        let sources = store.sync_sources()?;
        for (id, started) in unfinished {
            let Some(s) = sources.iter().find(|s| s.id == id) else { continue };
            store.record_attempt(id, &failed_attempt(s, now().max(started), UNFINISHED.to_string(), None))?;
        }
        Ok(())
    }

    async fn sync_source(&self, s: &SyncSource, cancel: &CancellationToken) -> Result<Outcome, JobError> {
        if !s.user_added {
            // Sources that came in a backup or an OPML list are a stranger's: they may not read
            // this computer's files (a backup naming `/home` as a folder source), and a git
            // host must be public (libgit2 connects without the fetcher's checks).
            match SourceKind::parse(&s.kind) {
                Some(SourceKind::JekyllFolder) => {
                    return Err(JobError::from(format!(
                        "{}: this folder source came in a file (a backup or an OPML list); add it again yourself to sync it",
                        s.location
                    )))
                }
                Some(SourceKind::JekyllGit) => {
                    let (location, net) = (s.location.clone(), self.net.clone());
                    tokio::task::spawn_blocking(move || git::check_remote_from_a_file(&location, &net))
                        .await
                        .map_err(|e| JobError::from(e.to_string()))??;
                }
                _ => {}
            }
        }
        match SourceKind::parse(&s.kind) {
            Some(SourceKind::Feed) => self.sync_feed(s).await,
            Some(SourceKind::JekyllFolder) => {
                let (engine, s) = (self.clone(), s.clone());
                tokio::task::spawn_blocking(move || engine.sync_folder(&s))
                    .await
                    .map_err(|e| JobError::from(e.to_string()))?
            }
            Some(SourceKind::JekyllGit) => {
                let (engine, s, cancel) = (self.clone(), s.clone(), cancel.clone());
                tokio::task::spawn_blocking(move || engine.sync_git(&s, &cancel))
                    .await
                    .map_err(|e| JobError::from(e.to_string()))?
            }
            // The sample and saved pages are never planned; anything else is no kind at all.
            _ => Err(format!("{}: source kind {:?} is not synced", s.location, s.kind).into()),
        }
    }

    async fn sync_feed(&self, s: &SyncSource) -> Result<Outcome, JobError> {
        let host = self.host_permit(&s.location);
        let _permit = host.acquire_owned().await.ok();
        let validators = Validators { etag: s.etag.clone(), last_modified: s.last_modified.clone() };
        let fetched = self.docs.get(&s.location, &validators).await.map_err(|e: FetchError| JobError {
            retry_after: e.retry_after().map(|d| d.as_secs() as i64),
            ..JobError::from(broadsheet_model::shown(&e))
        })?;
        let r = match fetched {
            Fetched::NotModified => {
                return Ok(Outcome { status: "304".into(), new: 0, updated: 0, validators: None, cursor: None })
            }
            Fetched::Body(r) => r,
        };
        // Parsing (up to the body cap) and writing block: on the blocking pool, never on one of
        // the runtime's few workers, which every other source, the app's commands and events share.
        let (store, id, location) = (self.store.clone(), s.id, s.location.clone());
        let (status, validators) = (r.status.to_string(), r.validators);
        let (body, url) = (r.body, r.url);
        let (new, updated, left_out) = tokio::task::spawn_blocking(move || -> Result<(usize, usize, usize), String> {
            let parsed = broadsheet_feed::parse_feed(&body, &url, now())
                .map_err(|e| broadsheet_model::shown(format_args!("{location}: {e}")))?;
            for why in parsed.left_out.iter().take(100) {
                log::warn!("{location}: left out {why}");
            }
            let left_out = parsed.left_out.len();
            // A feed is a stranger's too: the newest MAX_FEED_ITEMS items are plenty for any real one.
            let rows: Vec<_> = parsed.posts.into_iter().take(MAX_FEED_ITEMS).map(feed::to_row).collect();
            // Up to MAX_FEED_ITEMS rows: written a few at a time, like a folder's, so the window's
            // marks never wait for a whole feed.
            let outcomes = SharedArchive::new(&store).upsert(id, &rows).map_err(|e| e.to_string())?;
            let (new, updated) = count(&outcomes);
            Ok((new, updated, left_out))
        })
        .await
        .map_err(|e| JobError::from(e.to_string()))??;
        // An entry the parser could not read is left out; the rest of the feed is in.
        let status = match left_out {
            0 => status,
            n => format!(
                "{status}; {n} {} could not be read (named in the log)",
                if n == 1 { "entry" } else { "entries" }
            ),
        };
        Ok(Outcome { status, new, updated, validators: Some(validators), cursor: None })
    }

    fn sync_folder(&self, s: &SyncSource) -> Result<Outcome, JobError> {
        let path = std::path::Path::new(&s.location);
        // Written a few rows per lock, so the reader's marks and the window never wait long.
        let mut archive = SharedArchive::new(&self.store);
        let report =
            import_path(&mut archive, path, ImportOptions::default(), &mut |_, _| {}).map_err(|e| e.to_string())?;
        Ok(Outcome {
            status: status_naming("folder", &s.location, report.skipped.iter(), &report.warnings),
            new: report.imported,
            updated: report.updated,
            validators: None,
            cursor: None,
        })
    }

    fn sync_git(&self, s: &SyncSource, cancel: &CancellationToken) -> Result<Outcome, JobError> {
        let changes =
            git::fetch_changes(&s.location, &self.opts.git_cache, s.cursor.as_deref(), &self.opts.git_limits, cancel)?;
        let (mut site, _) = broadsheet_jekyll::parse_config(changes.config.as_deref().unwrap_or(""));
        for (path, bytes) in &changes.site_files {
            broadsheet_jekyll::learn_site_file(&mut site, path, bytes);
        }
        // The site's address as its `_config.yml` says now (the one before becomes an alias)
        // and the other one its `CNAME` names.
        self.lock().note_site(s.id, site.url.as_deref(), &site.aliases).map_err(|e| e.to_string())?;
        let files =
            changes.files.iter().map(|(path, bytes)| broadsheet_jekyll::PostFile { path, bytes, modified: None });
        let mut archive = SharedArchive::new(&self.store);
        let report: ImportReport = import_posts(&mut archive, s.id, &site, files).map_err(|e| e.to_string())?;
        // A deleted path whose post reappears elsewhere (moved to old_post/) is not gone.
        use broadsheet_jekyll::post_key;
        let present: std::collections::HashSet<&str> = changes.files.iter().map(|(p, _)| post_key(p)).collect();
        let gone: Vec<String> =
            changes.deleted.iter().map(|p| post_key(p)).filter(|k| !present.contains(k)).map(String::from).collect();
        self.lock().mark_keys_removed(s.id, &gone).map_err(|e| e.to_string())?;
        let status = status_naming("git", &s.location, changes.skipped.iter().chain(&report.skipped), &report.warnings);
        Ok(Outcome {
            status,
            new: report.imported,
            updated: report.updated,
            validators: None,
            cursor: Some(changes.head),
        })
    }
}

/// A failed attempt of `s` at `at`: one more failure in a row, backed off accordingly.
fn failed_attempt(s: &SyncSource, at: i64, error: String, retry_after: Option<i64>) -> Attempt {
    let failures = s.health.failures + 1;
    Attempt {
        at,
        result: Err(error),
        next_attempt: plan::after_failure(at, s.health.interval_min, failures, retry_after),
        failures,
        etag: None,
        last_modified: None,
        cursor: None,
        new: 0,
        updated: 0,
    }
}

fn count(outcomes: &[UpsertOutcome]) -> (usize, usize) {
    outcomes.iter().fold((0, 0), |(n, u), o| match o {
        UpsertOutcome::Inserted(_) => (n + 1, u),
        UpsertOutcome::Updated(_) => (n, u + 1),
        UpsertOutcome::Unchanged(_) => (n, u),
    })
}

fn finished(r: &SyncReport) -> SyncEvent {
    SyncEvent::Finished {
        sources: r.sources,
        failed: r.failures.len(),
        new: r.new,
        updated: r.updated,
        images: r.images,
        cancelled: r.cancelled,
    }
}

/// A source's status after a run that read files: `kind`, then how many files were not
/// imported and the first of them (the source's row shows it). Every skipped file and every
/// warning (a Liquid tag removed, tables shown as text…: the post is imported) is named in
/// the log, the first 100 of each. Posts unpublished on purpose are not problems.
fn status_naming<'a>(
    kind: &str,
    location: &str,
    skipped: impl Iterator<Item = &'a (String, String)>,
    warnings: &[(String, String)],
) -> String {
    const LOGGED: usize = 100;
    let skipped: Vec<&(String, String)> =
        skipped.filter(|(_, why)| why != broadsheet_import::PUBLISHED_FALSE).collect();
    for (what, list) in [("not imported", &skipped), ("imported with a warning", &warnings.iter().collect())] {
        for (path, why) in list.iter().take(LOGGED) {
            log::warn!("{location}: {path} {what}: {why}");
        }
        if list.len() > LOGGED {
            log::warn!("{location}: {} more files {what}", list.len() - LOGGED);
        }
    }
    match skipped.as_slice() {
        [] => kind.to_string(),
        [(path, why), ..] => {
            let (n, files) = (skipped.len(), if skipped.len() == 1 { "file" } else { "files" });
            let not_imported = broadsheet_model::STATUS_NOT_IMPORTED;
            broadsheet_model::shown(format_args!("{kind}; {n} {files} {not_imported}; first {path}: {why}"))
        }
    }
}
