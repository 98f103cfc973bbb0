//! A synced folder as the meeting place: one `<device>.bslog` per device. This device writes
//! only its own file, under a temporary name first, then renamed over the old one, so a sync
//! tool (or a reader on another computer) never sees half of it; it reads the others' files
//! bounded, never following a link.

use std::io::{Read, Write};
use std::path::Path;

use crate::log::{self, MAX_LOG_BYTES};
use crate::{DevicesError, Incoming, MAX_PEERS};

/// Entries of the folder looked at (a folder of a million unrelated files is not read whole).
const MAX_ENTRIES: usize = 10_000;

/// Publishes `own` as `me`'s log in `dir` (when it changed) and reads every other device's
/// log there. A folder that is not there now (an unplugged disk, a sync tool not running) is
/// [`DevicesError::Unreachable`]: offline is normal.
pub fn exchange(dir: &Path, me: &str, own: &[u8]) -> Result<(bool, Vec<Incoming>), DevicesError> {
    let unreachable = |why: String| DevicesError::Unreachable { remote: dir.display().to_string(), why };
    if !dir.is_dir() {
        return Err(unreachable("the folder is not there".into()));
    }
    let mine = dir.join(log::file_name(me));
    let published = if read_bounded(&mine, &mut crate::IncomingBudget::new()).ok().as_deref() == Some(own) {
        false
    } else {
        write_atomically(dir, &mine, own)?;
        true
    };
    let mut found = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|e| unreachable(e.to_string()))?;
    for entry in entries.take(MAX_ENTRIES).flatten() {
        let name = entry.file_name();
        let Some(device) = name.to_str().and_then(log::device_of_file) else { continue };
        if device == me {
            continue;
        }
        let (path, size) = (entry.path(), entry.metadata().map_or(0, |m| m.len()));
        found.push((device.to_string(), path.display().to_string(), Ok((path, size))));
        if found.len() == MAX_PEERS {
            break;
        }
    }
    // Charged by the opened file's own size (`read_bounded`), not the listing's.
    let mut incoming = crate::IncomingBudget::read_smallest_first(found, |path, _, budget| {
        read_bounded(&path, budget).map_err(|e| e.to_string())
    });
    incoming.sort_by(|a, b| a.device.cmp(&b.device));
    Ok((published, incoming))
}

/// A regular file's bytes, at most [`MAX_LOG_BYTES`]: a link, a device or a folder under a
/// log's name is refused (checked on the opened file, so a swap after the check is too).
fn read_bounded(path: &Path, budget: &mut crate::IncomingBudget) -> std::io::Result<Vec<u8>> {
    let meta = std::fs::symlink_metadata(path)?;
    if !meta.file_type().is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    if meta.len() > MAX_LOG_BYTES {
        return Err(std::io::Error::other(format!(
            "{} bytes, more than the {MAX_LOG_BYTES} a log may have",
            meta.len()
        )));
    }
    budget.take(meta.len()).map_err(std::io::Error::other)?;
    // What was taken from the budget is all that is read: a file that grows while read (or
    // a mount that says 0) is refused, not read to the log bound.
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(meta.len() + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > meta.len() {
        return Err(std::io::Error::other("grew while it was read"));
    }
    Ok(bytes)
}

/// Writes `bytes` to `path` under a temporary name in the same folder, flushed to disk, then
/// renamed over it: readers see the old file or the new one, never a part.
fn write_atomically(dir: &Path, path: &Path, bytes: &[u8]) -> Result<(), DevicesError> {
    let io = |source| DevicesError::Io { path: path.to_owned(), source };
    let nanos = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("log");
    // A leading dot: most sync tools leave such files alone until they are renamed.
    let tmp = dir.join(format!(".{name}.{}-{nanos}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}
