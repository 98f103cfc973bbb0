//! The reader's devices: this archive's log of what the reader did, and the merge of other
//! devices' logs into it (the formats and transports are `broadsheet-devices`).
//!
//! The log is written by triggers (migration 0014), so every change to bookmarks, read marks,
//! user tags, feed and git sources and the shared settings is logged in its own transaction,
//! whoever made it. Each device keeps its latest change per (target, field) — a compacted
//! log: an older change of the same device to the same field can never win a merge, so
//! dropping it changes nothing.
//!
//! Merging is last-writer-wins per (target, field) on (stamp, device) — a total order, so
//! any devices that hold the same changes reach the same state whatever the order they
//! arrived in. A tag is a field of its own per post (`tag:<name>`), added or removed: an
//! add-remove set whose elements are last-writer-wins.

use rusqlite::{params, OptionalExtension};

use crate::{now, ArticleId, Result, SourceId, Store, StoreError};

/// The settings every device shares (what the triggers log): the window's settings and the
/// image cache's limit. Where a device syncs to is its own.
pub const DEVICE_SETTINGS: &[&str] = &["ui", "image_budget_bytes"];

/// One change: `value` set on `field` of `target` at `stamp` (see migration 0014).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceOp {
    pub target: String,
    pub field: String,
    pub value: String,
    pub stamp: i64,
}

/// Another device, as its log was last read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevicePeer {
    pub device: String,
    pub name: String,
    /// The SHA-256 its last merged log declared (an unchanged log is not merged again).
    pub digest: Option<String>,
    pub ops: u64,
    /// Its newest stamp (milliseconds × 65,536).
    pub newest: i64,
    /// When its log was last read (Unix seconds).
    pub seen_at: Option<i64>,
    /// Why its log was last refused, if it was.
    pub error: Option<String>,
}

/// What one step of applying other devices' changes did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ApplyStep {
    /// Changes written to this archive.
    pub applied: usize,
    /// Changes kept for later: their post has not arrived here yet.
    pub waiting: usize,
    /// Sources another device removed, marked removed here: their posts are the caller's to
    /// remove (`begin_source_removal` and its steps), as for a removal from the window.
    pub removed_sources: Vec<SourceId>,
    /// Where the next step begins (`None`: this pass is done).
    pub next: Option<(String, String)>,
}

/// Changes applied per transaction.
const APPLY_BATCH: usize = 500;

impl Store {
    /// This archive's device id (16 hex digits, made once by its migration).
    pub fn device_id(&self) -> Result<String> {
        Ok(self.conn.query_row("SELECT id FROM device_self", [], |r| r.get(0))?)
    }

    /// This device's own log, oldest first.
    pub fn own_device_ops(&self) -> Result<Vec<DeviceOp>> {
        let mut stmt = self.conn.prepare(
            "SELECT target, field, value, stamp FROM device_ops
             WHERE device = (SELECT id FROM device_self) ORDER BY stamp, target, field",
        )?;
        let ops = stmt.query_map([], op_from_row)?.collect::<rusqlite::Result<_>>()?;
        Ok(ops)
    }

    /// The newest stamp of this device's own log and how many entries it holds (what changes
    /// whenever the reader does something).
    pub fn own_device_version(&self) -> Result<(i64, u64)> {
        Ok(self.conn.query_row(
            "SELECT coalesce(max(stamp), 0), count(*) FROM device_ops WHERE device = (SELECT id FROM device_self)",
            [],
            |r| Ok((r.get(0)?, r.get::<_, i64>(1)?.max(0) as u64)),
        )?)
    }

    /// Merges a batch of another device's changes (one transaction; a caller with many sends
    /// them in batches, the writer released between). Each is kept only if it is newer than
    /// what this archive holds from that device, so merging is idempotent and any order of
    /// batches ends the same; the ones kept are queued to be applied. Returns how many were
    /// kept. The clock moves past the newest stamp seen (a hybrid logical clock's receive).
    pub fn merge_device_ops(&mut self, device: &str, ops: &[DeviceOp]) -> Result<usize> {
        if device == self.device_id()? {
            return Err(StoreError::InvalidInput(format!("device {device} is this archive")));
        }
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut kept = 0;
        {
            let mut upsert = tx.prepare_cached(
                "INSERT INTO device_ops (target, field, value, stamp, device) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (target, field, device) DO UPDATE SET value = excluded.value, stamp = excluded.stamp
                 WHERE excluded.stamp > device_ops.stamp",
            )?;
            let mut pending =
                tx.prepare_cached("INSERT OR IGNORE INTO device_pending (target, field) VALUES (?1, ?2)")?;
            for op in ops {
                if upsert.execute(params![op.target, op.field, op.value, op.stamp, device])? > 0 {
                    pending.execute(params![op.target, op.field])?;
                    kept += 1;
                }
            }
        }
        if let Some(newest) = ops.iter().map(|o| o.stamp).max() {
            tx.execute("UPDATE device_self SET clock = max(clock, ?1)", [newest])?;
        }
        tx.commit()?;
        Ok(kept)
    }

    /// Records what another device's log held when read (or why it was refused: `error`,
    /// with the rest of the record as it was).
    pub fn record_device_peer(&self, peer: &DevicePeer) -> Result<()> {
        self.conn.execute(
            "INSERT INTO device_peers (device, name, digest, ops, newest, seen_at, error)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (device) DO UPDATE SET
               name = CASE WHEN excluded.error IS NULL THEN excluded.name ELSE device_peers.name END,
               digest = CASE WHEN excluded.error IS NULL THEN excluded.digest ELSE device_peers.digest END,
               ops = CASE WHEN excluded.error IS NULL THEN excluded.ops ELSE device_peers.ops END,
               newest = CASE WHEN excluded.error IS NULL THEN excluded.newest ELSE device_peers.newest END,
               seen_at = excluded.seen_at, error = excluded.error",
            params![
                peer.device,
                crate::fit::fit_source(&peer.name, None, None).0,
                peer.digest,
                peer.ops as i64,
                peer.newest,
                peer.seen_at.unwrap_or_else(now),
                peer.error.as_deref().map(broadsheet_model::shown),
            ],
        )?;
        Ok(())
    }

    /// The other devices this archive has heard of, by device id.
    pub fn device_peers(&self) -> Result<Vec<DevicePeer>> {
        let mut stmt = self
            .conn
            .prepare("SELECT device, name, digest, ops, newest, seen_at, error FROM device_peers ORDER BY device")?;
        let peers = stmt
            .query_map([], |r| {
                Ok(DevicePeer {
                    device: r.get(0)?,
                    name: r.get(1)?,
                    digest: r.get(2)?,
                    ops: r.get::<_, i64>(3)?.max(0) as u64,
                    newest: r.get(4)?,
                    seen_at: r.get(5)?,
                    error: r.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(peers)
    }

    /// Changes from other devices not applied yet.
    pub fn pending_device_ops(&self) -> Result<u64> {
        Ok(self.conn.query_row("SELECT count(*) FROM device_pending", [], |r| r.get::<_, i64>(0))?.max(0) as u64)
    }

    /// Pages other devices saved that this archive has yet to fetch, oldest first.
    pub fn wanted_pages(&self, limit: usize) -> Result<Vec<String>> {
        self.conn
            .prepare_cached("SELECT url FROM device_wanted_pages ORDER BY wanted_at, url LIMIT ?1")?
            .query_map([limit as i64], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()
            .map_err(Into::into)
    }

    /// A wanted page was fetched (perhaps under another address, after redirects), or is
    /// given up.
    pub fn drop_wanted_page(&self, url: &str) -> Result<()> {
        self.conn.execute("DELETE FROM device_wanted_pages WHERE url = ?1", [url])?;
        Ok(())
    }

    /// How many pages other devices saved are still to be fetched here.
    pub fn wanted_page_count(&self) -> Result<usize> {
        let n: i64 = self.conn.query_row("SELECT count(*) FROM device_wanted_pages", [], |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// A wanted page could not be fetched: counted, and given up after `max_tries`.
    pub fn wanted_page_failed(&self, url: &str, max_tries: u32) -> Result<()> {
        self.conn.execute("UPDATE device_wanted_pages SET tries = tries + 1 WHERE url = ?1", [url])?;
        self.conn.execute("DELETE FROM device_wanted_pages WHERE url = ?1 AND tries >= ?2", params![url, max_tries])?;
        Ok(())
    }

    /// Applies the next few queued changes from other devices (from `after`, in key order):
    /// for each (target, field), the winner over every device's latest change, if it is
    /// another device's, is written here without being logged as this device's. A change to
    /// a post this archive does not hold yet stays queued. One transaction per step.
    pub fn apply_device_step(&mut self, after: Option<&(String, String)>) -> Result<ApplyStep> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute("INSERT INTO device_quiet (on_) VALUES (1)", [])?;
        let (from_target, from_field) = after.cloned().unwrap_or_default();
        let keys: Vec<(String, String)> = tx
            .prepare_cached(
                "SELECT target, field FROM device_pending WHERE (target, field) > (?1, ?2)
                 ORDER BY target, field LIMIT ?3",
            )?
            .query_map(params![from_target, from_field, APPLY_BATCH as i64], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let me: String = tx.query_row("SELECT id FROM device_self", [], |r| r.get(0))?;
        let mut step = ApplyStep::default();
        for (target, field) in &keys {
            let winner: Option<(String, String)> = tx
                .prepare_cached(
                    "SELECT value, device FROM device_ops WHERE target = ?1 AND field = ?2
                     ORDER BY stamp DESC, device DESC LIMIT 1",
                )?
                .query_row(params![target, field], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            let done = match winner {
                // This device's own change is the latest: the archive shows it already.
                None => true,
                Some((_, device)) if device == me => true,
                Some((value, _)) => match apply_one(&tx, target, field, &value, &mut step.removed_sources)? {
                    Applied::Written => {
                        step.applied += 1;
                        true
                    }
                    Applied::NotHere => {
                        step.waiting += 1;
                        false
                    }
                },
            };
            if done {
                tx.prepare_cached("DELETE FROM device_pending WHERE target = ?1 AND field = ?2")?
                    .execute(params![target, field])?;
            }
        }
        tx.execute("DELETE FROM device_quiet", [])?;
        tx.commit()?;
        step.next = (keys.len() == APPLY_BATCH).then(|| keys.last().cloned()).flatten();
        Ok(step)
    }
}

enum Applied {
    Written,
    /// The post is not in this archive (yet).
    NotHere,
}

fn op_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DeviceOp> {
    Ok(DeviceOp { target: r.get(0)?, field: r.get(1)?, value: r.get(2)?, stamp: r.get(3)? })
}

/// The posts a target names here (a URL may name several: a story carried by two sources).
fn articles_of(tx: &rusqlite::Transaction<'_>, target: &str) -> Result<Vec<ArticleId>> {
    let ids = if let Some(url) = target.strip_prefix("url:") {
        tx.prepare_cached("SELECT id FROM articles WHERE url = ?1")?
            .query_map([url], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    } else if let Some((location, key)) = target.strip_prefix("source:").and_then(|t| t.split_once('\n')) {
        tx.prepare_cached(
            "SELECT a.id FROM articles a JOIN sources s ON s.id = a.source_id
             WHERE s.location = ?1 AND s.kind <> 'jekyll-folder' AND a.key = ?2 AND a.url IS NULL",
        )?
        .query_map([location, key], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?
    } else if let Some((name, key)) = target.strip_prefix("folder:").and_then(|t| t.split_once('\n')) {
        tx.prepare_cached(
            "SELECT a.id FROM articles a JOIN sources s ON s.id = a.source_id
             WHERE s.kind = 'jekyll-folder' AND s.name = ?1 AND a.key = ?2 AND a.url IS NULL",
        )?
        .query_map([name, key], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?
    } else {
        Vec::new()
    };
    Ok(ids)
}

/// Writes one winning change from another device (triggers quiet).
fn apply_one(
    tx: &rusqlite::Transaction<'_>,
    target: &str,
    field: &str,
    value: &str,
    removed: &mut Vec<SourceId>,
) -> Result<Applied> {
    if let Some(key) = target.strip_prefix("setting:") {
        if !DEVICE_SETTINGS.contains(&key) || field != "value" {
            return Ok(Applied::Written); // not one this version shares: nothing to do
        }
        // The window's settings arrive without this screen's own (pane widths, the open
        // article): they are laid over the settings here, which keep those.
        tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value =
               CASE WHEN key = 'ui' AND json_valid(value) AND json_valid(excluded.value)
                    THEN json_patch(value, excluded.value) ELSE excluded.value END",
            params![key, value],
        )?;
        return Ok(Applied::Written);
    }
    if let Some(location) = target.strip_prefix("source:").filter(|t| !t.contains('\n')) {
        return apply_source(tx, location, field, value, removed);
    }
    if field == "saved" {
        // A page another device saved: fetched here by the sync engine (the log carries only
        // its address), unless this archive has it already.
        if let Some(url) = target.strip_prefix("url:") {
            tx.prepare_cached(
                "INSERT OR IGNORE INTO device_wanted_pages (url, wanted_at)
                 SELECT ?1, ?2 WHERE NOT EXISTS (SELECT 1 FROM articles WHERE url = ?1)",
            )?
            .execute(params![url, now()])?;
        }
        return Ok(Applied::Written);
    }
    let ids = articles_of(tx, target)?;
    if ids.is_empty() {
        return Ok(Applied::NotHere);
    }
    for id in ids {
        match (field, value) {
            ("bookmark", "1") => {
                tx.prepare_cached("INSERT OR IGNORE INTO bookmarks (article_id, created_at) VALUES (?1, ?2)")?
                    .execute(params![id, now()])?;
            }
            ("bookmark", _) => {
                tx.prepare_cached("DELETE FROM bookmarks WHERE article_id = ?1")?.execute([id])?;
            }
            ("read", "1") => {
                tx.prepare_cached("INSERT OR IGNORE INTO read_state (article_id, read_at) VALUES (?1, ?2)")?
                    .execute(params![id, now()])?;
            }
            ("read", _) => {
                tx.prepare_cached("DELETE FROM read_state WHERE article_id = ?1")?.execute([id])?;
            }
            (f, v) if f.starts_with("tag:") => {
                let (on, name) = match (v.strip_prefix('+'), v.strip_prefix('-')) {
                    (Some(name), _) => (true, name),
                    (_, Some(name)) => (false, name),
                    _ => continue,
                };
                if on {
                    // A peer may not take a post past the tags a backup can carry back.
                    let held: usize = tx
                        .prepare_cached("SELECT count(*) FROM article_user_tags WHERE article_id = ?1")?
                        .query_row([id], |r| r.get::<_, i64>(0))
                        .map(|n| usize::try_from(n).unwrap_or(usize::MAX))?;
                    if held < crate::backup::MAX_ARTICLE_USER_TAGS {
                        crate::user::add_tags(tx, id, &[name])?;
                    }
                } else {
                    crate::user::remove_tags(tx, id, &[name])?;
                }
            }
            _ => {}
        }
    }
    Ok(Applied::Written)
}

/// A feed or git source another device added, removed or re-timed. One this device never
/// had arrives as if from a file (`user_added = 0`): its host must be public, as for an OPML
/// list — a log in a shared folder is not the reader's own hand.
fn apply_source(
    tx: &rusqlite::Transaction<'_>,
    location: &str,
    field: &str,
    value: &str,
    removed: &mut Vec<SourceId>,
) -> Result<Applied> {
    let existing: Option<(SourceId, bool)> = tx
        .query_row("SELECT id, removed_at IS NOT NULL FROM sources WHERE location = ?1", [location], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    match field {
        "source" => {
            let v: serde_json::Value = serde_json::from_str(value).unwrap_or_default();
            let kind = v["kind"].as_str().filter(|k| {
                broadsheet_model::SourceKind::parse(k)
                    .is_some_and(broadsheet_model::SourceKind::is_shared_between_devices)
            });
            let name = v["name"].as_str().unwrap_or(location);
            let gone = v["removed"].as_i64().unwrap_or(0) != 0 || v["removed"].as_bool().unwrap_or(false);
            let Some(kind) = kind else { return Ok(Applied::Written) };
            match (existing, gone) {
                (None, false) => {
                    crate::backup::check_location(location).map_err(StoreError::InvalidInput)?;
                    let (name, _, _) = crate::fit::fit_source(name, None, None);
                    tx.execute(
                        "INSERT INTO sources (kind, location, name, created_at, user_added) VALUES (?1, ?2, ?3, ?4, 0)",
                        params![kind, location, name, now()],
                    )?;
                }
                (Some((id, true)), false) => {
                    tx.execute("UPDATE sources SET removed_at = NULL WHERE id = ?1", [id])?;
                }
                (Some((id, false)), true) => {
                    tx.execute("UPDATE sources SET removed_at = ?2 WHERE id = ?1", params![id, now()])?;
                    removed.push(id);
                }
                _ => {}
            }
        }
        "interval" => {
            let Some((id, _)) = existing else { return Ok(Applied::NotHere) };
            if let Ok(minutes) = value.parse::<i64>() {
                tx.execute(
                    "UPDATE sources SET interval_min = ?2 WHERE id = ?1",
                    params![id, minutes.clamp(crate::MIN_INTERVAL_MIN, crate::MAX_INTERVAL_MIN)],
                )?;
            }
        }
        _ => {}
    }
    Ok(Applied::Written)
}
