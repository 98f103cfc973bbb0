//! The archive file itself: opening, migrating, refusing what it does not understand.

use broadsheet_store::{Store, StoreError};

#[test]
fn opening_twice_applies_each_migration_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/archive.sqlite3");
    let first = Store::open(&path).unwrap().applied_migrations().unwrap();
    assert!(!first.is_empty());
    let second = Store::open(&path).unwrap().applied_migrations().unwrap();
    assert_eq!(first, second);
}

#[test]
fn an_archive_from_a_newer_version_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("archive.sqlite3");
    drop(Store::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("INSERT INTO schema_migrations (name, applied_at) VALUES ('2999-01-01-0001-future', 0)", []).unwrap();
    drop(conn);
    match Store::open(&path) {
        Err(StoreError::FromTheFuture { name }) => assert_eq!(name, "2999-01-01-0001-future"),
        Err(other) => panic!("wrong error: {other}"),
        Ok(_) => panic!("opened an archive from the future"),
    }
}

#[test]
fn an_unopenable_path_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    // A directory where the database file should be.
    let path = dir.path().join("archive.sqlite3");
    std::fs::create_dir(&path).unwrap();
    let err = Store::open(&path).err().expect("a directory is not an archive");
    assert!(err.to_string().contains("archive.sqlite3"), "{err}");
}
