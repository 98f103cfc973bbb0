//! Everything a reader takes out of Broadsheet, and what other readers bring in.
//!
//! Invariant: exports only read the archive; imports only add (sources, or a backup into an
//! empty archive). Untrusted input (OPML, backup files) is checked before anything is written.

mod bookmarks;
mod filenames;
mod markdown;
mod opml;

use std::path::{Path, PathBuf};

use broadsheet_store::{Backup, Store, StoreError};

pub use bookmarks::export_bookmarks;
pub use filenames::{safe_file_name, UniqueNames};
pub use markdown::{export_markdown, MarkdownReport};
pub use opml::{export_opml, import_opml, parse_opml, OpmlFeed, OpmlReport, MAX_OPML_BYTES};

#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: {reason}")]
    Invalid { path: PathBuf, reason: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> TransferError + '_ {
    move |source| TransferError::Io { path: path.to_owned(), source }
}

/// Which posts an export takes.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub bookmarked: bool,
    pub user_tag: Option<String>,
}

impl Selection {
    fn keeps(&self, a: &broadsheet_store::BackupArticle) -> bool {
        (!self.bookmarked || a.bookmarked_at.is_some())
            && self.user_tag.as_ref().is_none_or(|t| a.user_tags.contains(t))
    }
}

/// The archive (or the selected part of it) as a backup.
pub fn backup(store: &Store, selection: &Selection) -> Result<Backup, TransferError> {
    let mut b = store.backup()?;
    b.articles.retain(|a| selection.keeps(a));
    if selection.bookmarked || selection.user_tag.is_some() {
        b.sources.retain(|s| b.articles.iter().any(|a| a.source == s.location));
    }
    Ok(b)
}

/// Writes the JSON backup to `out`.
pub fn export_json(store: &Store, selection: &Selection, out: &Path) -> Result<usize, TransferError> {
    let b = backup(store, selection)?;
    let file = std::fs::File::create(out).map_err(io(out))?;
    serde_json::to_writer(std::io::BufWriter::new(file), &b)
        .map_err(|e| TransferError::Invalid { path: out.to_owned(), reason: e.to_string() })?;
    Ok(b.articles.len())
}

/// Reads a JSON backup and restores it into `store` (which must be empty).
pub fn import_backup(store: &mut Store, path: &Path) -> Result<usize, TransferError> {
    let file = std::fs::File::open(path).map_err(io(path))?;
    let b: Backup = serde_json::from_reader(std::io::BufReader::new(file)).map_err(|e| TransferError::Invalid {
        path: path.to_owned(),
        reason: format!("not a Broadsheet backup: {e}"),
    })?;
    Ok(store.restore(&b)?)
}
