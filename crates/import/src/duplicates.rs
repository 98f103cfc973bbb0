//! Looking at newly arrived posts for copies of the same story (`broadsheet_store::duplicates`):
//! read a batch on a reader connection, sketch it on every core, group it under the writer a
//! few dozen posts per hold, so a mark made in the window never waits long.

use std::sync::Mutex;

use broadsheet_store::{GroupStep, Pending, Sketch, Store, StoreError};

/// Posts read per batch.
const BATCH: usize = 512;
/// Posts grouped per hold of the writer.
const PER_WRITE: usize = 64;

/// Looks at every post not looked at yet; returns how many were, and how many are copies.
pub fn find_duplicates(store: &Mutex<Store>) -> Result<GroupStep, StoreError> {
    let lock = || store.lock().unwrap_or_else(|p| p.into_inner());
    let mut total = GroupStep::default();
    let mut after = broadsheet_model::ArticleId(0);
    loop {
        let reader = lock().reader();
        let pending = match reader {
            Ok(r) => r.sketch_pending(after, BATCH)?,
            Err(_) => lock().sketch_pending(after, BATCH)?,
        };
        let Some(last) = pending.last().map(|p| p.id) else { break };
        after = last;
        let sketches = sketch_all(pending);
        for chunk in sketches.chunks(PER_WRITE) {
            let step = lock().add_sketches(chunk)?;
            total.looked_at += step.looked_at;
            total.copies += step.copies;
            // A waiting command takes the lock now (std's mutex is not fair).
            std::thread::sleep(std::time::Duration::from_micros(300));
        }
    }
    Ok(total)
}

/// Sketches on every core (text derivation and hashing are the work; the order is kept).
fn sketch_all(pending: Vec<Pending>) -> Vec<(broadsheet_model::ArticleId, Option<Sketch>)> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    let per = pending.len().div_ceil(threads).max(1);
    let mut chunks: Vec<Vec<Pending>> = Vec::new();
    let mut it = pending.into_iter().peekable();
    while it.peek().is_some() {
        chunks.push(it.by_ref().take(per).collect());
    }
    std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .into_iter()
                        .map(|p| {
                            let id = p.id;
                            (id, Sketch::of(&p.text()))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        // A worker that panicked (it cannot: sketching is total) would lose only its posts,
        // which are then looked at again next time.
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    })
}
