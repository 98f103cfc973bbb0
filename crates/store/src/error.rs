use std::path::{Path, PathBuf};

/// What can go wrong in the archive. Messages name the file involved.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open archive {path}: {source}")]
    Open { path: PathBuf, source: rusqlite::Error },
    #[error("migration {name} failed: {source}")]
    Migration { name: String, source: rusqlite::Error },
    #[error("archive {name} was written by a newer Broadsheet (unknown migration)")]
    FromTheFuture { name: String },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("not found: {0}")]
    NotFound(String),
    #[error("{0}")]
    InvalidInput(String),
    #[error(transparent)]
    Sql(#[from] rusqlite::Error),
}

impl StoreError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        StoreError::Io { path: path.to_owned(), source }
    }
}
