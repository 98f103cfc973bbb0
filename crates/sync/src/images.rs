//! Offline images: downloaded at sync time into the archive's content-addressed store, sent
//! without a Referer, accepted only when their bytes are an image, within a per-image cap and
//! a total budget; failures are retried on later syncs.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use broadsheet_fetch::{Fetched, Validators};
use broadsheet_model::SyncEvent;
use tokio_util::sync::CancellationToken;

use crate::engine::{Engine, EventSink};
use crate::{now, plan, sniff};

/// Downloads pending images; returns (stored, failed).
pub(crate) async fn download(engine: &Engine, cancel: &CancellationToken, events: &EventSink) -> (usize, usize) {
    // File work happens outside the archive's lock (the window's writes share it): clearing
    // what a killed process left (an hour old: none is still being written), and each blob.
    let files = engine.store().image_files();
    let sweep = files.clone();
    let _ = tokio::task::spawn_blocking(move || sweep.remove_partial(std::time::Duration::from_secs(3600))).await;
    // What is due and what is used are archive-wide queries (joins over every post's images):
    // read on a connection of their own, on the blocking pool, never holding the writer that
    // the window's marks share, every minute the scheduler ticks.
    let per_run = engine.options().images_per_run;
    let (default_budget, fixed) = (engine.options().image_budget_bytes, engine.options().image_budget_fixed);
    let reader = engine.reader();
    let plan = tokio::task::spawn_blocking(move || -> Result<_, broadsheet_store::StoreError> {
        let r = reader?;
        // The reader's own limit (Settings → Your archive), read at every run.
        let budget = if fixed { default_budget } else { r.image_budget()?.unwrap_or(default_budget) };
        let pending = r.pending_images(None, per_run)?;
        if pending.is_empty() {
            return Ok((pending, 0, Default::default(), 1, budget));
        }
        let used = r.image_bytes().unwrap_or(0);
        let by_source = r.image_bytes_by_source().unwrap_or_default();
        let sources = r.sync_sources().map_or(1, |s| s.len().max(1)) as u64;
        Ok((pending, used, by_source, sources, budget))
    })
    .await;
    let Ok(Ok((pending, used, by_source, sources, budget))) = plan else { return (0, 0) };
    let total = pending.len();
    if total == 0 {
        return (0, 0);
    }
    let used = Arc::new(AtomicU64::new(used));
    // One source's posts cannot take the whole budget (a feed listing a million pictures would
    // starve every other source): each gets an equal share, and never less than a quarter.
    let by_source: std::collections::HashMap<broadsheet_model::SourceId, u64> = by_source;
    let share = (budget / sources).max(budget / 4);
    let per_source: Arc<std::collections::HashMap<broadsheet_model::SourceId, AtomicU64>> = Arc::new(
        pending.iter().map(|p| (p.source, AtomicU64::new(by_source.get(&p.source).copied().unwrap_or(0)))).collect(),
    );
    let (ok, failed, done) =
        (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let overall = Arc::new(tokio::sync::Semaphore::new(engine.options().max_concurrent.max(1)));
    let mut set = tokio::task::JoinSet::new();
    for img in pending {
        let (engine, cancel, events, files) = (engine.clone(), cancel.clone(), events.clone(), files.clone());
        let (used, ok, failed, done, overall, per_source) =
            (used.clone(), ok.clone(), failed.clone(), done.clone(), overall.clone(), per_source.clone());
        set.spawn(async move {
            let _p = overall.acquire_owned().await.ok();
            let host = engine.host(&img.url);
            let _h = host.acquire_owned().await.ok();
            if cancel.is_cancelled() || used.load(Ordering::Relaxed) >= budget {
                return;
            }
            let none = Validators::default();
            let result = tokio::select! {
                r = engine.image_fetcher().get(&img.url, &none) => r,
                _ = cancel.cancelled() => return,
            };
            let mine = per_source.get(&img.source);
            let outcome = match result {
                Ok(Fetched::Body(r)) => match sniff::image_type(&r.body) {
                    // The header is read once, for the check and for its reason.
                    Some(_) if let Some(why) = sniff::too_many_pixels(&r.body) => Err(why),
                    Some(_) if mine.is_some_and(|m| m.load(Ordering::Relaxed) + r.body.len() as u64 > share) => {
                        Err("this source's share of the image budget is used up".to_string())
                    }
                    Some(mime) if used.load(Ordering::Relaxed) + r.body.len() as u64 <= budget => {
                        used.fetch_add(r.body.len() as u64, Ordering::Relaxed);
                        if let Some(m) = mine {
                            m.fetch_add(r.body.len() as u64, Ordering::Relaxed);
                        }
                        let len = r.body.len();
                        let written = tokio::task::spawn_blocking(move || files.write(&r.body)).await;
                        match written.map_err(|e| e.to_string()).and_then(|w| w.map_err(|e| e.to_string())) {
                            Ok(sha) => {
                                engine.store().record_image(&img.url, &sha, mime, len).map_err(|e| e.to_string())
                            }
                            Err(e) => Err(e),
                        }
                    }
                    Some(_) => Err("image budget reached".to_string()),
                    None => Err("not an image (PNG, JPEG, GIF, WebP, AVIF or BMP)".to_string()),
                },
                Ok(Fetched::NotModified) => Err("unexpected 304".to_string()),
                Err(e) => Err(e.to_string()),
            };
            match outcome {
                Ok(()) => ok.fetch_add(1, Ordering::Relaxed),
                Err(e) => {
                    if let Err(store) =
                        engine.store().image_failed(&img.url, &e, plan::image_retry(now(), img.attempts))
                    {
                        // Not recorded: the image is simply tried again at the next image phase.
                        log::warn!("{}: cannot record that it failed ({e}): {store}", img.url);
                    }
                    failed.fetch_add(1, Ordering::Relaxed)
                }
            };
            let d = done.fetch_add(1, Ordering::Relaxed) + 1;
            events(SyncEvent::Images {
                done: d,
                total,
                bytes: used.load(Ordering::Relaxed),
                failed: failed.load(Ordering::Relaxed),
            });
        });
    }
    let drain = async { while set.join_next().await.is_some() {} };
    // Past the phase's time, the downloads still running are dropped (aborted with the set)
    // and their images stay pending for the next run.
    if tokio::time::timeout(engine.options().image_phase, drain).await.is_err() {
        set.abort_all();
    }
    (ok.load(Ordering::Relaxed), failed.load(Ordering::Relaxed))
}
