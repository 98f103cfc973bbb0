//! The start-up mark: how long from process start until the window drew its first rows,
//! and the resident memory then. The UI reports the moment (after the first list has been
//! painted); the backend adds the time and memory, says it on stderr, and — for the
//! benchmark — writes it as JSON to `BROADSHEET_STARTUP_MARK` and, with
//! `BROADSHEET_EXIT_AFTER_MARK=1`, quits.

use std::sync::OnceLock;
use std::time::Instant;

static START: OnceLock<Instant> = OnceLock::new();
static MARKED: OnceLock<Mark> = OnceLock::new();

#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Mark {
    pub first_rows_ms: u64,
    /// Resident memory at that moment, where the OS tells it.
    pub rss_kb: Option<u64>,
    pub rows: u32,
}

/// Called first thing in `run()`.
pub fn process_started() {
    START.get_or_init(Instant::now);
}

/// Records the first mark (later calls are ignored) and returns it.
pub fn first_rows_drawn(rows: u32) -> Mark {
    *MARKED.get_or_init(|| {
        let elapsed = START.get().map_or(0, |s| s.elapsed().as_millis() as u64);
        let rss_kb = memory_stats::memory_stats().map(|m| m.physical_mem as u64 / 1024);
        let mark = Mark { first_rows_ms: elapsed, rss_kb, rows };
        log::info!(
            "first rows drawn {elapsed} ms after start ({rows} rows{})",
            rss_kb.map_or(String::new(), |kb| format!(", {} MB resident", kb / 1024))
        );
        if let Some(path) = std::env::var_os("BROADSHEET_STARTUP_MARK").filter(|p| !p.is_empty()) {
            if let Ok(json) = serde_json::to_string(&mark) {
                if let Err(e) = std::fs::write(&path, json) {
                    log::warn!("cannot write the start-up mark: {e}");
                }
            }
        }
        mark
    })
}

/// Whether the benchmark asked the app to quit once the mark is written.
pub fn exit_after_mark() -> bool {
    std::env::var("BROADSHEET_EXIT_AFTER_MARK").is_ok_and(|v| v == "1")
}

/// Waits until the first rows are drawn, or `at_most`: the start-up sync begins after the
/// window has its rows, so on two cores it does not compete with the first paint.
pub async fn first_rows_or(at_most: std::time::Duration) {
    let start = Instant::now();
    while MARKED.get().is_none() && start.elapsed() < at_most {
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}
