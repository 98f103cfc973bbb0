//! A JSON backup restored as `broadsheet import-backup` does it:
//! `broadsheet_transfer::import_backup` (capped read, `serde_json`, `Backup::validate`,
//! sanitising, `Store::restore`) into a fresh, empty archive in memory. Seeds: backups
//! written at seeding time around corpus and sample posts, plus `fuzz/seeds/backup_restore`.
//!
//! Checks: no panic; a backup that `Backup::validate` accepts restores (validation is the
//! promise that nothing the archive would refuse gets through to the transaction); a refused
//! one leaves the archive empty; a restored one holds exactly its posts with their titles,
//! sanitised HTML and text derived from it, is searchable and backs up again; a second
//! restore into the now non-empty archive is refused.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use broadsheet_fuzz::{assert_plain_text, assert_safe_html};
use broadsheet_model::SearchQuery;
use broadsheet_store::{Backup, Store, StoreError};
use broadsheet_transfer::{import_backup, TransferError};
use libfuzzer_sys::fuzz_target;

/// The file `import_backup` reads: one per fuzzing process.
fn file() -> &'static PathBuf {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| std::env::temp_dir().join(format!("broadsheet-fuzz-backup-{}.json", std::process::id())))
}

fuzz_target!(|data: &[u8]| {
    let parsed = serde_json::from_slice::<Backup>(data).ok();
    let valid = parsed.as_ref().map(|b| b.validate().map_err(|e| e.to_string()));
    std::fs::write(file(), data).expect("the backup file is written");
    let mut store = Store::open(Path::new(":memory:")).expect("an in-memory archive opens");

    let result = import_backup(&mut store, file());
    check(result, parsed, valid, &mut store);
    let _ = std::fs::remove_file(file());
});

fn check(
    result: Result<usize, TransferError>,
    parsed: Option<Backup>,
    valid: Option<Result<(), String>>,
    store: &mut Store,
) {
    match result {
        Err(TransferError::Invalid { reason, .. }) => {
            if let Some(Ok(())) = valid {
                panic!("a backup that validates was refused: {reason}");
            }
            assert_eq!(store.article_count().unwrap(), 0, "a refused backup left articles behind");
            assert!(store.sources().unwrap().is_empty(), "a refused backup left sources behind");
        }
        Err(e) => panic!("restoring failed with an unexpected error (valid: {valid:?}): {e}"),
        Ok(n) => {
            let backup = parsed.expect("a restored backup parses");
            assert!(matches!(valid, Some(Ok(()))), "a backup that does not validate was restored");
            assert_eq!(n, backup.articles.len());
            assert_eq!(store.article_count().unwrap(), n as u64);
            let again = store.backup().expect("a restored archive backs up");
            assert_eq!(again.articles.len(), n);
            for a in &again.articles {
                let original = backup
                    .articles
                    .iter()
                    .find(|b| b.source == a.source && b.key == a.key)
                    .expect("every restored post comes from the backup");
                assert_eq!(a.title, original.title);
                assert_safe_html(&a.html, None);
                assert_eq!(a.text, broadsheet_html::plain_text(&a.html), "text not derived from the HTML");
                if !a.text.is_empty() {
                    assert_plain_text(&a.text);
                }
            }
            if let Some(a) = backup.articles.first() {
                let query: String = a.title.split_whitespace().next().unwrap_or("x").chars().take(50).collect();
                match store.search(&SearchQuery { query, ..Default::default() }) {
                    Ok(_) | Err(StoreError::InvalidInput(_)) => {}
                    Err(e) => panic!("search after restore failed: {e}"),
                }
            }
            if n > 0 {
                assert!(
                    matches!(import_backup(store, file()), Err(TransferError::Invalid { .. })),
                    "a restore into a non-empty archive was not refused"
                );
            }
        }
    }
}
