//! OPML 2: sources out, feeds in. Incoming OPML is untrusted: no DTDs or entities, only
//! http(s) feed URLs, and a size limit.

use std::fmt::Write as _;
use std::path::Path;

use broadsheet_model::SourceKind;
use broadsheet_store::{NewSource, Store};
use quick_xml::events::Event;
use quick_xml::reader::Reader;

use crate::{bookmarks::escape, io, is_web_url, TransferError};

/// Larger OPML files are refused: real subscription lists are a few hundred KB.
pub const MAX_OPML_BYTES: u64 = 5 * 1024 * 1024;
/// Feeds one OPML file may add (heavy readers follow hundreds; each is synced every 30 min).
pub const MAX_OPML_FEEDS: usize = 5_000;
/// A feed URL, as the archive keeps a source's location (its backup's limit).
const MAX_FEED_URL_BYTES: usize = 4 * 1024;

/// A feed named in an OPML file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpmlFeed {
    pub url: String,
    pub title: Option<String>,
    pub site_url: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpmlReport {
    pub added: usize,
    pub already_present: usize,
}

/// Writes every source, with the categories its posts have, as OPML 2.
pub fn export_opml(store: &Store, out: &Path) -> Result<usize, TransferError> {
    let sources = store.sources()?;
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n  <head>\n    <title>Broadsheet sources</title>\n  </head>\n  <body>\n",
    );
    // Saved pages are posts, not a place to subscribe to (they travel in backups and exports).
    for s in sources.iter().filter(|s| s.kind != SourceKind::Saved.as_str()) {
        let cats = store.source_categories(s.id)?;
        let kind = if s.kind == SourceKind::Feed.as_str() { "rss" } else { "broadsheet-jekyll" };
        let _ = write!(xml, "    <outline type=\"{kind}\" text=\"{name}\" title=\"{name}\"", name = escape(&s.name));
        // Only http(s) addresses go where readers fetch or link (`xmlUrl`, `url`, `htmlUrl`);
        // a path, a git or `file:` URL (or anything stranger) is kept as plain text.
        if !is_web_url(&s.location) {
            let _ = write!(xml, " broadsheetLocation=\"{}\"", escape(&s.location));
        } else if s.kind == SourceKind::Feed.as_str() {
            let _ = write!(xml, " xmlUrl=\"{}\"", escape(&s.location));
        } else {
            let _ = write!(xml, " url=\"{}\"", escape(&s.location));
        }
        if let Some(site) = s.site_url.as_deref().filter(|u| is_web_url(u)) {
            let _ = write!(xml, " htmlUrl=\"{}\"", escape(site));
        }
        if !cats.is_empty() {
            let _ = write!(xml, " category=\"{}\"", escape(&cats.join(",")));
        }
        xml.push_str("/>\n");
    }
    xml.push_str("  </body>\n</opml>\n");
    crate::write_whole(out, |w| std::io::Write::write_all(w, xml.as_bytes()).map_err(io(out)))?;
    Ok(sources.iter().filter(|s| s.kind != SourceKind::Saved.as_str()).count())
}

/// Attributes one `<outline>` may have (real ones: four to eight).
pub const MAX_OUTLINE_ATTRIBUTES: usize = 64;

/// Why an OPML file was refused. Values it quotes are bounded (`broadsheet_model::shown`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpmlError {
    #[error("{0} bytes is more than the {max} an OPML file may have", max = MAX_OPML_BYTES)]
    TooLarge(u64),
    #[error("it declares a DTD (<!DOCTYPE …>), which OPML never needs")]
    Dtd,
    #[error("bad attribute: {0}")]
    BadAttribute(String),
    /// A feed address that is not http(s) (`file:`, `javascript:`, a path).
    #[error("feed URL {0} is not http(s)")]
    NotWeb(String),
    /// A feed address the archive would not take as a source's location.
    #[error("a feed URL over {max} bytes or with control characters: {0}", max = MAX_FEED_URL_BYTES)]
    BadFeedUrl(String),
    #[error("more than {max} feeds; no reader follows that many (split the list)", max = MAX_OPML_FEEDS)]
    TooManyFeeds,
    #[error("not well-formed XML at byte {at}: {reason}")]
    NotXml { at: u64, reason: String },
    #[error("no <opml> element: not an OPML file")]
    NotOpml,
}

/// Reads the feeds of an OPML file (folders flattened). Refuses DTDs and entities, feed URLs
/// that are not http(s), malformed XML and files over [`MAX_OPML_BYTES`].
pub fn parse_opml(text: &str) -> Result<Vec<OpmlFeed>, OpmlError> {
    if text.len() as u64 > MAX_OPML_BYTES {
        return Err(OpmlError::TooLarge(text.len() as u64));
    }
    let mut reader = Reader::from_str(text);
    let mut feeds = Vec::new();
    let mut saw_opml = false;
    loop {
        match reader.read_event() {
            Ok(Event::DocType(_)) => return Err(OpmlError::Dtd),
            Ok(Event::Start(e) | Event::Empty(e)) => match e.name().as_ref() {
                b"opml" => saw_opml = true,
                b"outline" => {
                    let (mut url, mut title, mut text_attr, mut site) = (None, None, None, None);
                    // quick-xml's duplicate check compares each attribute with every one
                    // before it: 650,000 attributes on one outline (5 MiB) were minutes. The
                    // count is bounded instead, and a repeated name's last value is taken.
                    let mut attrs = e.attributes();
                    attrs.with_checks(false);
                    for (n, attr) in attrs.enumerate() {
                        if n == MAX_OUTLINE_ATTRIBUTES {
                            return Err(OpmlError::BadAttribute(format!(
                                "an outline with more than {MAX_OUTLINE_ATTRIBUTES} attributes"
                            )));
                        }
                        let attr = attr.map_err(|e| OpmlError::BadAttribute(broadsheet_model::shown(e)))?;
                        let value = attr
                            .unescape_value()
                            .map_err(|e| {
                                OpmlError::BadAttribute(broadsheet_model::shown(format_args!("its value: {e}")))
                            })?
                            .into_owned();
                        match attr.key.as_ref() {
                            b"xmlUrl" => url = Some(value),
                            b"title" => title = Some(value),
                            b"text" => text_attr = Some(value),
                            b"htmlUrl" => site = Some(value),
                            _ => {}
                        }
                    }
                    if let Some(url) = url {
                        let url = url.trim().to_string();
                        let lower = url.to_ascii_lowercase();
                        if !(lower.starts_with("http://") || lower.starts_with("https://")) {
                            return Err(OpmlError::NotWeb(broadsheet_model::shown(format_args!("{url:?}"))));
                        }
                        // What the archive takes as a source's location (its backup's rule).
                        if url.len() > MAX_FEED_URL_BYTES || url.chars().any(char::is_control) {
                            return Err(OpmlError::BadFeedUrl(broadsheet_model::shown(format_args!("{url:?}"))));
                        }
                        let site_url = site.filter(|s| s.starts_with("http://") || s.starts_with("https://"));
                        if feeds.len() == MAX_OPML_FEEDS {
                            return Err(OpmlError::TooManyFeeds);
                        }
                        feeds.push(OpmlFeed {
                            url,
                            title: title.or(text_attr).filter(|t| !t.trim().is_empty()),
                            site_url,
                        });
                    }
                }
                _ => {}
            },
            Ok(Event::Eof) => break,
            Err(e) => {
                return Err(OpmlError::NotXml { at: reader.error_position(), reason: broadsheet_model::shown(e) })
            }
            Ok(_) => {}
        }
    }
    if !saw_opml {
        return Err(OpmlError::NotOpml);
    }
    Ok(feeds)
}

/// Adds the feeds of an OPML file as sources.
pub fn import_opml(store: &mut Store, path: &Path) -> Result<OpmlReport, TransferError> {
    let feeds = read_opml(path)?;
    add_opml_feeds(store, path, feeds)
}

/// Reads and checks the feeds of the OPML file at `path` (no archive needed: the app reads
/// it before taking the writer).
pub fn read_opml(path: &Path) -> Result<Vec<OpmlFeed>, TransferError> {
    // A FIFO or a device would block the open, or never end: an OPML list is a file.
    let file = crate::open_regular(path)?;
    let len = file.metadata().map_err(io(path))?.len();
    if len > MAX_OPML_BYTES {
        return Err(TransferError::Opml { path: path.to_owned(), source: OpmlError::TooLarge(len) });
    }
    // The size above can lie (a file still growing): read one byte past the bound at most,
    // and let `parse_opml` refuse what is over it.
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut std::io::Read::take(file, MAX_OPML_BYTES + 1), &mut bytes).map_err(io(path))?;
    let text = String::from_utf8(bytes)
        .map_err(|e| TransferError::Invalid { path: path.to_owned(), reason: format!("not UTF-8: {e}") })?;
    parse_opml(&text).map_err(|source| TransferError::Opml { path: path.to_owned(), source })
}

/// Adds `feeds` (read from `path` by [`read_opml`]) as sources, those not there already.
pub fn add_opml_feeds(store: &mut Store, path: &Path, feeds: Vec<OpmlFeed>) -> Result<OpmlReport, TransferError> {
    let mut existing: std::collections::HashSet<String> = store.sources()?.into_iter().map(|s| s.location).collect();
    let new = feeds
        .iter()
        .map(|f| f.url.as_str())
        .filter(|u| !existing.contains(*u))
        .collect::<std::collections::HashSet<_>>();
    // Refused whole (nothing of it added) when it would pass the sources an archive keeps.
    store
        .check_room_for_sources(new.len())
        .map_err(|e| TransferError::Invalid { path: path.to_owned(), reason: e.to_string() })?;
    let mut report = OpmlReport::default();
    for f in feeds {
        // Hashed, and the file's own repeats count as present too.
        if !existing.insert(f.url.clone()) {
            report.already_present += 1;
            continue;
        }
        let name = f.title.clone().unwrap_or_else(|| f.url.clone());
        let id = store.upsert_source(&NewSource {
            kind: SourceKind::Feed.as_str(),
            location: &f.url,
            name: &name,
            site_url: f.site_url.as_deref(),
            lang: None,
        })?;
        // A list from a file is content: these feeds must be on public addresses.
        store.set_source_user_added(id, false)?;
        report.added += 1;
    }
    Ok(report)
}
