//! The app's log: every line on stderr as `broadsheet: …` (what a terminal or a test reads),
//! and with its time and level in `broadsheet.log` in the log folder — `<data dir>/logs` for an
//! explicit `--data-dir`, else the platform's (Linux `~/.local/share/app.broadsheet.reader/logs`,
//! macOS `~/Library/Logs/app.broadsheet.reader`, Windows `%LOCALAPPDATA%\app.broadsheet.reader\logs`).
//!
//! Bounded: past [`MAX_BYTES`] the file becomes `broadsheet.1.log` (the older `.1` becomes
//! `.2`, and so on up to [`KEPT`]), so the log never holds more than a few megabytes. Each line is
//! written whole and at once, so a kill loses at most the line being written. A log that
//! cannot be written (a read-only folder) leaves stderr only; logging never fails the app.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A log file's size before it is rotated.
pub const MAX_BYTES: u64 = 2 * 1024 * 1024;
/// Rotated files kept beside the current one.
pub const KEPT: usize = 3;
/// The longest line written (a stranger's URL or message can be long).
const MAX_LINE: usize = 4096;

struct Logger {
    file: Mutex<Option<(PathBuf, std::fs::File, u64)>>,
}

static LOGGER: Logger = Logger { file: Mutex::new(None) };

/// Starts logging (stderr at once; the file once `dir` is known). Safe to call more than once.
pub fn init() {
    let _ = log::set_logger(&LOGGER);
    log::set_max_level(log::LevelFilter::Info);
}

/// Sends the log to `dir/broadsheet.log` from now on.
pub fn to_folder(dir: &Path) {
    let path = dir.join("broadsheet.log");
    let opened =
        std::fs::create_dir_all(dir).and_then(|()| std::fs::OpenOptions::new().create(true).append(true).open(&path));
    match opened {
        Ok(f) => {
            let len = f.metadata().map_or(0, |m| m.len());
            *LOGGER.file.lock().unwrap_or_else(|p| p.into_inner()) = Some((path, f, len));
        }
        Err(e) => eprintln!("broadsheet: cannot write the log at {}: {e}", path.display()),
    }
}

/// The log folder for an archive folder: beside it for an explicit one, else the platform's.
pub fn folder(app: &tauri::AppHandle, explicit_data_dir: Option<&Path>) -> Option<PathBuf> {
    use tauri::Manager;
    match explicit_data_dir {
        Some(d) => Some(d.join("logs")),
        None => app.path().app_log_dir().ok(),
    }
}

impl log::Log for Logger {
    fn enabled(&self, m: &log::Metadata<'_>) -> bool {
        m.level() <= log::Level::Info || m.target().starts_with("broadsheet")
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let mut message = record.args().to_string();
        if message.len() > MAX_LINE {
            let mut end = MAX_LINE;
            while !message.is_char_boundary(end) {
                end -= 1;
            }
            message.truncate(end);
            message.push('…');
        }
        // One line per record: a stranger's text cannot forge further lines.
        let message = message.replace(['\n', '\r'], " ");
        eprintln!("broadsheet: {message}");
        let mut guard = self.file.lock().unwrap_or_else(|p| p.into_inner());
        let Some((path, file, len)) = guard.as_mut() else { return };
        let line = format!("{} {:5} {}: {message}\n", now(), record.level(), record.target());
        if *len + line.len() as u64 > MAX_BYTES {
            rotate(path);
            match std::fs::OpenOptions::new().create(true).truncate(true).write(true).open(&*path) {
                Ok(f) => {
                    *file = f;
                    *len = 0;
                }
                Err(_) => {
                    *guard = None;
                    return;
                }
            }
        }
        if file.write_all(line.as_bytes()).is_ok() {
            *len += line.len() as u64;
        }
    }

    fn flush(&self) {}
}

/// `broadsheet.log` → `broadsheet.1.log` → … → `broadsheet.{KEPT}.log` (the oldest dropped).
fn rotate(path: &Path) {
    let numbered = |n: usize| path.with_file_name(format!("broadsheet.{n}.log"));
    let _ = std::fs::remove_file(numbered(KEPT));
    for n in (1..KEPT).rev() {
        let _ = std::fs::rename(numbered(n), numbered(n + 1));
    }
    let _ = std::fs::rename(path, numbered(1));
}

/// Now, UTC, as `YYYY-MM-DDTHH:MM:SSZ`.
fn now() -> String {
    let t = time::OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_rotates_past_its_size_and_keeps_a_few_files() {
        let dir = tempfile::tempdir().unwrap();
        init();
        to_folder(dir.path());
        let line = "x".repeat(3000);
        for _ in 0..(MAX_BYTES as usize / 3000) * (KEPT + 2) {
            log::info!(target: "broadsheet_app", "{line}");
        }
        log::warn!(target: "broadsheet_app", "last\nforged line");
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["broadsheet.1.log", "broadsheet.2.log", "broadsheet.3.log", "broadsheet.log"]);
        for n in &names {
            assert!(std::fs::metadata(dir.path().join(n)).unwrap().len() <= MAX_BYTES);
        }
        let current = std::fs::read_to_string(dir.path().join("broadsheet.log")).unwrap();
        assert!(current.trim_end().ends_with("last forged line"), "one line per record");
        assert!(current.lines().last().unwrap().contains(" WARN "), "{:?}", current.lines().last());
    }
}
