//! Errors on their way to the window: each crate's own error type mapped to the wire's
//! `ApiError` kind here, at the boundary, and nowhere else (the core crates know nothing of
//! IPC). Logging happens where the error is met (`state::logged` for the archive's).

use broadsheet_model::ApiError;
use broadsheet_store::StoreError;

/// An archive error as the window sees it: what was not found, what was refused, or the
/// archive failing.
pub(crate) fn store(e: StoreError) -> ApiError {
    match e {
        StoreError::NotFound(what) => ApiError::NotFound(what),
        StoreError::InvalidInput(why) => ApiError::InvalidInput(why),
        other => ApiError::Storage(other.to_string()),
    }
}

/// Adding a source: a place that has no feed or site is not found; the archive's own failures
/// are the archive's.
pub(crate) fn add(e: broadsheet_sync::AddError) -> ApiError {
    match e {
        broadsheet_sync::AddError::NotFound(m) => ApiError::NotFound(m),
        broadsheet_sync::AddError::Store(e) => crate::state::logged(e),
    }
}

/// Errors of the transfer crate (backups, exports, OPML): a file that is not what it should
/// be is the reader's input; a file that cannot be read or written is storage. Logged here
/// with the file named.
pub(crate) fn transfer(e: broadsheet_transfer::TransferError) -> ApiError {
    use broadsheet_transfer::TransferError;
    log::warn!("{e}");
    match e {
        TransferError::Io { path, source } => ApiError::Storage(format!("{}: {source}", path.display())),
        e @ (TransferError::Invalid { .. } | TransferError::Opml { .. }) => ApiError::InvalidInput(e.to_string()),
        TransferError::Store(e) => store(e),
    }
}

/// Work handed to another thread that ended without an answer (it panicked or was
/// cancelled): a fault of the app, not of the archive or the reader's input.
pub(crate) fn internal(e: impl std::fmt::Display) -> ApiError {
    log::error!("internal: {e}");
    ApiError::Internal(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_archive_error_keeps_a_kind_the_window_can_act_on() {
        assert_eq!(store(StoreError::NotFound("article 7".into())), ApiError::NotFound("article 7".into()));
        assert!(matches!(store(StoreError::InvalidInput("x".into())), ApiError::InvalidInput(_)));
        let io = StoreError::Io { path: "/x".into(), source: std::io::Error::other("disk full") };
        assert!(matches!(store(io), ApiError::Storage(m) if m.contains("disk full")));
        assert!(matches!(add(broadsheet_sync::AddError::NotFound("no feed".into())), ApiError::NotFound(_)));
        assert!(matches!(internal("worker panicked"), ApiError::Internal(_)));
        let opml = broadsheet_transfer::TransferError::Opml {
            path: "/x.opml".into(),
            source: broadsheet_transfer::OpmlError::Dtd,
        };
        assert!(matches!(transfer(opml), ApiError::InvalidInput(m) if m.starts_with("/x.opml: it declares a DTD")));
    }
}
