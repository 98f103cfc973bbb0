//! Types that cross the IPC boundary between the Tauri backend and the wasm UI.
//!
//! Invariant: this crate compiles for `wasm32-unknown-unknown` and depends on nothing
//! platform-specific; every type here is plain data with a stable serde shape.

use serde::{Deserialize, Serialize};

pub mod link;
pub mod web;

pub use link::InAppLink;

/// What a source is: how it is read and synced. Stored and sent as its `as_str` name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// An RSS, Atom or JSON feed.
    Feed,
    /// A Jekyll site in a folder on this computer.
    JekyllFolder,
    /// A Jekyll site in a git repository.
    JekyllGit,
    /// The archive built into the app.
    Sample,
    /// Web pages the reader saved.
    Saved,
}

impl SourceKind {
    pub const ALL: [SourceKind; 5] =
        [SourceKind::Feed, SourceKind::JekyllFolder, SourceKind::JekyllGit, SourceKind::Sample, SourceKind::Saved];

    pub const fn as_str(self) -> &'static str {
        match self {
            SourceKind::Feed => "feed",
            SourceKind::JekyllFolder => "jekyll-folder",
            SourceKind::JekyllGit => "jekyll-git",
            SourceKind::Sample => "sample",
            SourceKind::Saved => "saved",
        }
    }

    /// The kind named `name`, if it is one.
    pub fn parse(name: &str) -> Option<SourceKind> {
        SourceKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Whether sources of this kind are synced (the sample and saved pages are not).
    pub fn is_synced(self) -> bool {
        !matches!(self, SourceKind::Sample | SourceKind::Saved)
    }

    /// Whether its sources travel between the reader's devices (those reachable from any).
    pub fn is_shared_between_devices(self) -> bool {
        matches!(self, SourceKind::Feed | SourceKind::JekyllGit)
    }
}

/// Declares an id type: an `i64` row id of one table, which the compiler keeps apart from
/// the ids of other tables and from counts. On the wire and in SQL it is the plain integer
/// (`serde(transparent)`; `ToSql`/`FromSql` with the `sql` feature, which the store enables).
macro_rules! row_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }

        #[cfg(feature = "sql")]
        impl rusqlite::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(self.0.into())
            }
        }

        #[cfg(feature = "sql")]
        impl From<$name> for rusqlite::types::Value {
            fn from(id: $name) -> Self {
                id.0.into()
            }
        }

        #[cfg(feature = "sql")]
        impl rusqlite::types::FromSql for $name {
            fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                i64::column_result(v).map($name)
            }
        }
    };
}

row_id!(
    /// Row id of an article in the local archive.
    ArticleId
);
row_id!(
    /// Row id of a source (a folder, repository, feed, the sample or saved pages).
    SourceId
);

/// A site category with the number of archived posts in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryCount {
    pub slug: String,
    /// Display name; the slug itself when the site gives no better one.
    pub name: String,
    pub count: u64,
}

/// Which page of labels (categories or site tags) the sidebar shows: a site can declare
/// millions, so the window never receives them all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelQuery {
    /// Part of the name (or a category's slug) to look for; empty for all.
    #[serde(default)]
    pub filter: String,
    /// Most posts first instead of by name.
    #[serde(default)]
    pub by_count: bool,
    /// At most this many (the store caps it at [`LabelQuery::MAX_LIMIT`]).
    pub limit: u32,
}

impl LabelQuery {
    pub const MAX_LIMIT: u32 = 1000;
    /// Matching labels are counted up to this many; past it `LabelPage::total` says "at least".
    pub const COUNT_CAP: u64 = 100_000;
}

/// A page of labels and how many match in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelPage<T> {
    pub items: Vec<T>,
    /// How many labels match the query, counted up to [`LabelQuery::COUNT_CAP`].
    pub total: u64,
}

/// One line of the article list.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ArticleSummary {
    pub id: ArticleId,
    pub title: String,
    /// RFC 3339 with the post's own UTC offset, e.g. `2026-03-02T08:15:00+08:00`.
    pub date: String,
    /// Seconds since the Unix epoch, for local-time display and ordering.
    pub timestamp: i64,
    pub categories: Vec<String>,
    /// Display names of `categories`, in the same order (the slug where the site gives none).
    #[serde(default)]
    pub category_names: Vec<String>,
    /// The site's own tags.
    pub tags: Vec<String>,
    /// The reader's tags.
    pub user_tags: Vec<String>,
    pub excerpt: String,
    /// Name of the source (site or feed) the post came from.
    pub source: String,
    pub url: Option<String>,
    pub bookmarked: bool,
    pub read: bool,
    /// Other posts found to be the same story (`duplicates`).
    #[serde(default)]
    pub copies: u32,
}

/// Everything the reader pane needs to show one article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleDetail {
    #[serde(flatten)]
    pub summary: ArticleSummary,
    /// Sanitised HTML; image sources already point at the local image cache.
    pub html: String,
    /// BCP 47 language tag of the body, when known (`zh-CN`, `en`).
    pub lang: Option<String>,
    /// Plain text of the body (left empty in what the window receives: it shows the HTML).
    pub text: String,
    /// Original URLs of the images the body shows (empty in what the window receives).
    pub images: Vec<String>,
    /// Who wrote it, when the source said (a post's `author`, a saved page's byline).
    #[serde(default)]
    pub author: Option<String>,
}

/// A source the archive is fed from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceInfo {
    pub id: SourceId,
    /// `jekyll-folder`, `jekyll-git`, `feed`, `sample` or `saved` (pages the reader saved).
    pub kind: String,
    /// Path or URL it is read from.
    pub location: String,
    pub name: String,
    pub site_url: Option<String>,
    /// The site's other addresses (a former domain, its `CNAME`, ones the reader added):
    /// links there open in the app too.
    #[serde(default)]
    pub aliases: Vec<String>,
    pub articles: u64,
    /// Removed by the reader: no longer synced; kept only for the articles still archived.
    pub removed: bool,
    pub health: SourceHealth,
}

/// What a folder or git source's status says when files of the last sync were not imported
/// (`folder; 3 files not imported; first …`): the window shows such a source as partly
/// synced, not as healthy.
pub const STATUS_NOT_IMPORTED: &str = "not imported";

/// Sync health of a source.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceHealth {
    pub last_attempt: Option<i64>,
    pub last_success: Option<i64>,
    /// `200`, `304`, `git`, `folder`… of the last successful attempt.
    pub last_status: Option<String>,
    /// Why the last attempt failed; `None` when it succeeded.
    pub last_error: Option<String>,
    pub next_attempt: Option<i64>,
    /// Failures in a row.
    pub failures: i64,
    pub interval_min: i64,
    /// New and updated posts in the last successful attempt.
    pub last_new: i64,
    pub last_updated: i64,
}

/// What a sync run reports as it goes (to the UI's progress bar and the CLI's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum SyncEvent {
    Started {
        sources: usize,
    },
    SourceStarted {
        id: SourceId,
        name: String,
    },
    SourceFinished {
        id: SourceId,
        name: String,
        new: usize,
        updated: usize,
        error: Option<String>,
        done: usize,
        total: usize,
    },
    Images {
        done: usize,
        total: usize,
        bytes: u64,
        failed: usize,
    },
    Finished {
        sources: usize,
        failed: usize,
        new: usize,
        updated: usize,
        images: usize,
        cancelled: bool,
    },
}

/// A site tag or user tag with the number of posts carrying it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagCount {
    pub name: String,
    pub count: u64,
}

/// What an export from the window wrote: where, and how many posts (or sources) it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportDone {
    pub path: String,
    pub count: u64,
}

/// Which archive the window has open (Settings → Your archive), and what it could switch to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveLocation {
    /// The folder of the archive open now.
    pub path: String,
    /// Whether it is the default one (in the app's data folder).
    pub is_default: bool,
    /// Why the archive chosen before could not be opened (the default one is open instead).
    pub problem: Option<String>,
    /// An archive made or picked in this session that the window can switch to.
    pub next: Option<String>,
    /// Why the usual archive could not be opened: the one open is temporary (nothing done in
    /// it is kept), and the window offers a new one.
    #[serde(default)]
    pub unopened: Option<String>,
}

/// What an OPML import from the window did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpmlDone {
    pub added: u64,
    pub already_present: u64,
}

/// The reader's devices (Settings → Your devices): this one, where it syncs, the others.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevicesInfo {
    /// This device's id (16 hex digits) and computer name.
    pub device: String,
    pub name: String,
    /// The folder or git remote it syncs through, if set.
    pub remote: Option<String>,
    /// When a device sync last finished (Unix seconds).
    pub last_sync: Option<i64>,
    /// Changes this device has logged.
    pub changes: u64,
    /// Other devices' changes waiting for their post to arrive here.
    pub waiting: u64,
    pub peers: Vec<DevicePeerInfo>,
    /// A device sync is running now.
    pub running: bool,
    /// Why the last device sync did not happen (e.g. the folder is not there: offline).
    pub last_error: Option<String>,
}

/// Another device, as its log was last read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevicePeerInfo {
    pub device: String,
    pub name: String,
    pub changes: u64,
    pub seen_at: Option<i64>,
    /// Why its log was last refused.
    pub error: Option<String>,
}

/// A web page the reader saved (or saved again) for offline reading.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedPage {
    pub id: ArticleId,
    pub title: String,
    /// The URL was saved before: its post was updated.
    pub again: bool,
    /// The article was found (false: the whole page was kept).
    pub extracted: bool,
    pub warnings: Vec<String>,
}

/// A device sync ended (the window's `devices` event).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevicesEvent {
    /// Changes from other devices written here (the lists and settings may have changed).
    pub applied: usize,
    /// Other devices' logs refused.
    pub refused: usize,
    pub error: Option<String>,
}

/// The image cache: how much it holds and the most it may (Settings → Your archive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageBudget {
    pub used_bytes: u64,
    pub limit_bytes: u64,
}

/// What retention removes (or would remove): unmarked posts older than its days, and the
/// cached images only they use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionInfo {
    pub articles: u64,
    pub images: u64,
    pub image_bytes: u64,
}

/// Which articles a list or a search is about. Empty means all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filters {
    pub category: Option<String>,
    /// A site tag.
    pub tag: Option<String>,
    pub user_tag: Option<String>,
    #[serde(default)]
    pub bookmarked: bool,
    #[serde(default)]
    pub unread: bool,
    pub source: Option<SourceId>,
    /// One row per story: copies of a story shown once (its first post).
    #[serde(default)]
    pub collapse_duplicates: bool,
}

/// Which articles to list. Results are newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleQuery {
    #[serde(flatten)]
    pub filters: Filters,
    /// Keyset pagination: only articles strictly older than this position.
    pub before: Option<Cursor>,
    pub limit: Option<u32>,
}

/// A full-text search. Terms are ANDed; see the search module for the syntax.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchQuery {
    pub query: String,
    #[serde(flatten)]
    pub filters: Filters,
    /// Only articles published at or after this Unix time.
    pub since: Option<i64>,
    /// Only articles published before this Unix time.
    pub until: Option<i64>,
    pub limit: Option<u32>,
    /// Matches to skip (paging).
    #[serde(default)]
    pub offset: Option<u32>,
    #[serde(default)]
    pub sort: SearchSort,
}

/// How search results are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SearchSort {
    /// Most relevant first among the newest matches, then older matches newest first.
    #[default]
    Relevance,
    /// Newest first.
    Newest,
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    #[serde(flatten)]
    pub summary: ArticleSummary,
    /// HTML: escaped text with the matches in `<mark>`.
    pub snippet: String,
    /// Relevance: higher is better.
    pub score: f64,
}

/// Position in the newest-first order: (timestamp, id) of the last row seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub timestamp: i64,
    pub id: ArticleId,
}

impl ArticleSummary {
    pub fn cursor(&self) -> Cursor {
        Cursor { timestamp: self.timestamp, id: self.id }
    }
}

/// Longest message (in characters) an error or status carries to the window, the archive or
/// the log. Messages quote what arrived — a parser's error names the offending value, a
/// server its own text — and a stranger picks those: a feed whose `version` is 31 MiB made
/// a 31 MiB error, stored, sent at every sidebar reload and copied into four attributes.
pub const MAX_MESSAGE_CHARS: usize = 1_000;

/// `message` formatted, cut after [`MAX_MESSAGE_CHARS`] characters (with "…"). Formatting
/// stops there, so a huge value inside an error is never copied whole.
pub fn shown(message: impl std::fmt::Display) -> String {
    struct Bounded {
        out: String,
        left: usize,
        cut: bool,
    }
    impl std::fmt::Write for Bounded {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            for c in s.chars() {
                if self.left == 0 {
                    self.cut = true;
                    return Err(std::fmt::Error);
                }
                self.out.push(c);
                self.left -= 1;
            }
            Ok(())
        }
    }
    let mut b = Bounded { out: String::new(), left: MAX_MESSAGE_CHARS, cut: false };
    let _ = std::fmt::write(&mut b, format_args!("{message}"));
    if b.cut {
        b.out.push('…');
    }
    b.out
}

fn shown_message<S: serde::Serializer>(message: &str, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&shown(message))
}

/// An error as the UI receives it: a kind it can branch on and a message it can show (cut
/// to [`MAX_MESSAGE_CHARS`] on the wire, whatever made it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", content = "message", rename_all = "snake_case")]
pub enum ApiError {
    #[error("not found: {0}")]
    NotFound(#[serde(serialize_with = "shown_message")] String),
    #[error("invalid input: {0}")]
    InvalidInput(#[serde(serialize_with = "shown_message")] String),
    #[error("archive error: {0}")]
    Storage(#[serde(serialize_with = "shown_message")] String),
    /// A place on the network (or a disk) that cannot be reached now: normal when offline.
    #[error("cannot be reached now: {0}")]
    Network(#[serde(serialize_with = "shown_message")] String),
    /// A fault of the app itself (work that ended without an answer), not of the archive or
    /// of what the reader gave.
    #[error("internal error: {0}")]
    Internal(#[serde(serialize_with = "shown_message")] String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_kind_is_its_name_in_the_archive_on_the_wire_and_back() {
        for k in SourceKind::ALL {
            assert_eq!(SourceKind::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_string(&k).unwrap(), format!("\"{}\"", k.as_str()));
        }
        assert_eq!(SourceKind::parse("shell"), None);
        assert!(SourceKind::Feed.is_synced() && !SourceKind::Sample.is_synced() && !SourceKind::Saved.is_synced());
        assert!(
            SourceKind::JekyllGit.is_shared_between_devices() && !SourceKind::JekyllFolder.is_shared_between_devices()
        );
    }

    #[test]
    fn api_error_crosses_ipc_as_kind_and_message() {
        let json = serde_json::to_string(&ApiError::NotFound("article 7".into())).unwrap();
        assert_eq!(json, r#"{"kind":"not_found","message":"article 7"}"#);
    }

    #[test]
    fn a_huge_message_is_cut_on_the_wire_and_when_shown() {
        let huge = "版".repeat(5_000_000);
        let json = serde_json::to_string(&ApiError::InvalidInput(huge.clone())).unwrap();
        let back: ApiError = serde_json::from_str(&json).unwrap();
        let ApiError::InvalidInput(m) = back else { panic!("kind changed") };
        assert_eq!(m.chars().count(), MAX_MESSAGE_CHARS + 1);
        assert!(m.ends_with('…'));
        // Debug-quoting a value (as serde's "invalid type: string …" does) stops at the cut too.
        let s = shown(format_args!("invalid type: string {huge:?}"));
        assert_eq!(s.chars().count(), MAX_MESSAGE_CHARS + 1);
        assert_eq!(shown("short"), "short");
        assert_eq!(shown("x".repeat(MAX_MESSAGE_CHARS)).len(), MAX_MESSAGE_CHARS, "exactly the cap is not cut");
    }

    #[test]
    fn article_detail_flattens_its_summary() {
        let summary = ArticleSummary {
            id: ArticleId(3),
            title: "t".into(),
            date: "2026-01-01T00:00:00+08:00".into(),
            timestamp: 1_767_196_800,
            categories: vec!["c".into()],
            category_names: vec!["C".into()],
            tags: vec![],
            user_tags: vec!["later".into()],
            excerpt: String::new(),
            source: "s".into(),
            url: None,
            bookmarked: false,
            read: true,
            copies: 2,
        };
        let detail = ArticleDetail {
            summary: summary.clone(),
            html: "<p>x</p>".into(),
            lang: None,
            text: "x".into(),
            images: vec![],
            author: None,
        };
        let value: serde_json::Value = serde_json::to_value(&detail).unwrap();
        assert_eq!(value["id"], 3);
        assert_eq!(value["html"], "<p>x</p>");
        let back: ArticleDetail = serde_json::from_value(value).unwrap();
        assert_eq!(back.summary, summary);
    }
}
