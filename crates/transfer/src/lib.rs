//! Everything a reader takes out of Broadsheet, and what other readers bring in.
//!
//! Invariant: exports only read the archive; imports only add (sources, or a backup into an
//! empty archive). Untrusted input (OPML, backup files) is checked before anything is written.

mod bookmarks;
mod filenames;
mod markdown;
mod opml;

use std::path::{Path, PathBuf};

use broadsheet_store::{Backup, Store, StoreError, BACKUP_FORMAT, BACKUP_VERSION};

pub use bookmarks::export_bookmarks;
pub use filenames::{safe_file_name, UniqueNames};
pub use markdown::{export_markdown, MarkdownReport};
pub use opml::{
    add_opml_feeds, export_opml, import_opml, parse_opml, read_opml, OpmlError, OpmlFeed, OpmlReport, MAX_OPML_BYTES,
    MAX_OUTLINE_ATTRIBUTES,
};

#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: {reason}")]
    Invalid { path: PathBuf, reason: String },
    #[error("{path}: {source}")]
    Opml { path: PathBuf, source: crate::opml::OpmlError },
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> TransferError + '_ {
    move |source| TransferError::Io { path: path.to_owned(), source }
}

/// Writes a file whole or not at all: into a temporary file beside `out`, flushed (a full
/// disk is an error, not a silently short backup) and synced, then renamed over `out`. A kill
/// or a failure midway leaves the previous file as it was.
pub(crate) fn write_whole(
    out: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> Result<(), TransferError>,
) -> Result<(), TransferError> {
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "export".into());
    let partial = out.with_file_name(format!(".{name}.partial-{}", std::process::id()));
    let result = (|| {
        let file = std::fs::File::create(&partial).map_err(io(out))?;
        let mut w = std::io::BufWriter::new(file);
        write(&mut w)?;
        let file = w.into_inner().map_err(|e| TransferError::Io { path: out.to_owned(), source: e.into_error() })?;
        file.sync_all().map_err(io(out))?;
        drop(file);
        std::fs::rename(&partial, out).map_err(io(out))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

/// Which posts an export takes.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub bookmarked: bool,
    pub user_tag: Option<String>,
}

impl Selection {
    pub(crate) fn keeps(&self, a: &broadsheet_store::BackupArticle) -> bool {
        (!self.bookmarked || a.bookmarked_at.is_some())
            && self.user_tag.as_ref().is_none_or(|t| a.user_tags.contains(t))
    }
}

/// Writes the JSON backup to `out`, one post at a time as the archive streams them (memory
/// stays flat at any size; the sources, written after the posts, are those they name when a
/// selection narrows them). The same document `serde_json::to_writer(&store.backup())` writes,
/// but for the order of its fields.
pub fn export_json(store: &Store, selection: &Selection, out: &Path) -> Result<usize, TransferError> {
    use std::io::Write as _;
    let invalid = |e: serde_json::Error| TransferError::Invalid { path: out.to_owned(), reason: e.to_string() };
    let mut n = 0;
    write_whole(out, |w| {
        let exported_at = time::OffsetDateTime::now_utc().unix_timestamp();
        write!(
            w,
            "{{\"format\":{},\"version\":{BACKUP_VERSION},\"exported_at\":{exported_at},\"articles\":[",
            serde_json::to_string(BACKUP_FORMAT).map_err(invalid)?
        )
        .map_err(io(out))?;
        let mut named = std::collections::HashSet::new();
        let head = store.backup_stream(|a| -> Result<(), TransferError> {
            if !selection.keeps(&a) {
                return Ok(());
            }
            if n > 0 {
                w.write_all(b",").map_err(io(out))?;
            }
            serde_json::to_writer(&mut *w, &a).map_err(invalid)?;
            named.insert(a.source);
            n += 1;
            Ok(())
        })?;
        let narrowed = selection.bookmarked || selection.user_tag.is_some();
        let sources: Vec<_> = head.sources.into_iter().filter(|s| !narrowed || named.contains(&s.location)).collect();
        w.write_all(b"],\"sources\":").map_err(io(out))?;
        serde_json::to_writer(&mut *w, &sources).map_err(invalid)?;
        w.write_all(b",\"user_tags\":").map_err(io(out))?;
        serde_json::to_writer(&mut *w, &head.user_tags).map_err(invalid)?;
        if !head.settings.is_empty() {
            w.write_all(b",\"settings\":").map_err(io(out))?;
            serde_json::to_writer(&mut *w, &head.settings).map_err(invalid)?;
        }
        w.write_all(b"}").map_err(io(out))?;
        Ok(())
    })?;
    Ok(n)
}

/// Larger backup files are refused before they are read. A backup is restored from memory
/// (as `Store::backup` builds it in memory), so the cap is also what a restore may take of
/// it: 1 GiB holds several hundred thousand posts (a finews post is about 1 KiB of
/// Markdown, a few KiB in a backup with its HTML, text and excerpt; images are not in a
/// backup), while a file much larger than any archive Broadsheet writes is more likely a
/// mistake or an attack on memory. 2 GiB would double the worst case for no real archive.
pub const MAX_BACKUP_BYTES: u64 = 1024 * 1024 * 1024;

/// Reads a JSON backup and restores it into `store` (which must be empty).
///
/// The file is a stranger's: it is read through a reader that stops at
/// [`MAX_BACKUP_BYTES`] (serde_json's default nesting limit of 128 stays on), checked
/// whole (`Backup::validate`: format, kinds, locations, dates, sizes, sources) before
/// anything is written, and its HTML is sanitised by `broadsheet_html` with the text,
/// excerpt and image list derived again from the sanitised HTML. The restore itself is one
/// transaction, so a refused backup leaves the archive untouched.
pub fn import_backup(store: &mut Store, path: &Path) -> Result<usize, TransferError> {
    let b = read_backup(path)?;
    store.restore(&b).map_err(|e| match e {
        StoreError::InvalidInput(reason) => TransferError::Invalid { path: path.to_owned(), reason },
        other => other.into(),
    })
}

/// Opens a file the reader chose, refusing what is not a plain file (a FIFO would block the
/// open for ever, a device never end): checked before the open and on the opened file, and
/// opened without waiting (so a FIFO swapped in between cannot block it either).
pub(crate) fn open_regular(path: &Path) -> Result<std::fs::File, TransferError> {
    let not_a_file =
        || TransferError::Invalid { path: path.to_owned(), reason: "not a file (a folder, a pipe or a device)".into() };
    if !std::fs::metadata(path).map_err(io(path))?.is_file() {
        return Err(not_a_file());
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let file = options.open(path).map_err(io(path))?;
    if !file.metadata().map_err(io(path))?.is_file() {
        return Err(not_a_file());
    }
    Ok(file)
}

/// Reads, checks and sanitises a backup file (see [`import_backup`]) without writing anything.
pub fn read_backup(path: &Path) -> Result<Backup, TransferError> {
    let invalid = |reason: String| TransferError::Invalid { path: path.to_owned(), reason };
    let file = open_regular(path)?;
    let len = file.metadata().map_err(io(path))?.len();
    if len > MAX_BACKUP_BYTES {
        return Err(invalid(format!("{len} bytes is more than the {MAX_BACKUP_BYTES} a backup may have")));
    }
    let (over, costly) = (std::cell::Cell::new(false), std::cell::Cell::new(false));
    let capped = Capped { inner: file, left: MAX_BACKUP_BYTES, over: &over };
    let costed = Costed {
        inner: capped,
        read: 0,
        cost: 0,
        in_string: false,
        escaped: false,
        open: Vec::new(),
        string: Vec::new(),
        field: Vec::new(),
        over: &costly,
    };
    let mut b: Backup = serde_json::from_reader(std::io::BufReader::new(costed)).map_err(|e| {
        if over.get() {
            invalid(format!("more than the {MAX_BACKUP_BYTES} bytes a backup may have"))
        } else if costly.get() {
            invalid(
                "its values are too many and too small to be a backup: they would need more than four \
                 times the file's size in memory"
                    .into(),
            )
        } else {
            // serde quotes the offending value whole (a 1 GiB string, say): cut while formatting.
            invalid(broadsheet_model::shown(format_args!("not a Broadsheet backup: {e}")))
        }
    })?;
    b.validate().map_err(|e| invalid(e.to_string()))?;
    sanitise(&mut b);
    // Sanitising can grow a post (escaped text) past what a backup may hold: checked again,
    // so what is returned is what the store will take (an in-place restore removes the
    // sample before it writes).
    b.validate().map_err(|e| invalid(e.to_string()))?;
    Ok(b)
}

/// Re-sanitises every post's HTML (resolving relative links against its source's site, as
/// an import does) and derives its text, excerpt and images from the result, so nothing
/// the file claims about a post outlives the HTML policy.
fn sanitise(b: &mut Backup) {
    let sites: std::collections::HashMap<String, Option<String>> =
        b.sources.iter().map(|s| (s.location.clone(), s.site_url.clone())).collect();
    for a in &mut b.articles {
        let site = sites.get(&a.source).and_then(|s| s.as_deref());
        a.html = broadsheet_html::sanitize(&a.html, site);
        a.text = broadsheet_html::plain_text(&a.html);
        a.excerpt = broadsheet_html::excerpt(&a.text);
        a.images = broadsheet_html::image_sources(&a.html);
    }
}

/// Counts, as the parser reads, the memory what it has read will take once parsed, and stops
/// the read past its budget (`Costed::budget`). The file cap alone bounds bytes, not memory: a value
/// becomes a 24–32 byte header however short it is, so a gigabyte of `"",` or `0,` would
/// be 16 GiB of vectors before any check ran. A real backup (mostly HTML and text) costs
/// 1.3–2.9× its size.
struct Costed<'a, R> {
    inner: R,
    read: u64,
    cost: u64,
    in_string: bool,
    escaped: bool,
    /// The containers open, innermost last (`[` or `{`).
    open: Vec<u8>,
    /// The first bytes of the string being read at an article's depth, and of the last one
    /// that was a field name there: which field a deeper object belongs to.
    string: Vec<u8>,
    field: Vec<u8>,
    over: &'a std::cell::Cell<bool>,
}

impl<R> Costed<'_, R> {
    /// Allowed cost: four times what has been read, plus a little for small files. The 10k
    /// bench's backup costs 1.3×; one of link-only feed items with empty bodies 2.9× (every
    /// field name is counted as a string: inside `extra`, a map, they are).
    fn budget(read: u64) -> u64 {
        4 * read + 256 * 1024 * 1024
    }
    /// The header a value costs: a `String`, a `Vec`, a `serde_json::Value`.
    const VALUE: u64 = 24;
    /// What an entry of a map costs beyond its key (counted as a string) and value: its
    /// `serde_json::Value` (32 bytes), the key's own allocation and the B-tree's slack
    /// (leaves of 11 entries, about half full when filled in order): about 100 bytes an
    /// entry for 11 bytes of `"aaaaaa":0,`, which cost 3.5× its size before and passed.
    const ENTRY: u64 = 96;
    /// Depths whose `:` is a struct's field (the backup's own, an article's or a source's):
    /// inline, no map entry.
    const STRUCT_FIELDS: [usize; 2] = [1, 3];

    /// Whether a `:` here is a struct's field, not a map entry: the backup's own fields, an
    /// article's or a source's, and a category's (objects in an article's `categories`).
    /// Anything else an object holds at these depths is `extra` or `settings`, which are maps.
    fn is_struct_field(&self) -> bool {
        Self::STRUCT_FIELDS.contains(&self.open.len())
            || (self.open.len() == 5 && self.open[3] == b'[' && self.field == b"categories")
    }
}

impl<R: std::io::Read> std::io::Read for Costed<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            if self.in_string {
                self.cost += 1;
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                } else if self.open.len() == 3 && self.string.len() < 16 {
                    self.string.push(b);
                }
            } else {
                match b {
                    b'"' => {
                        self.in_string = true;
                        self.string.clear();
                        self.cost += Self::VALUE;
                    }
                    b'[' | b'{' => {
                        self.cost += Self::VALUE;
                        // Deeper than serde's limit (128) the parse fails anyway.
                        if self.open.len() < 256 {
                            self.open.push(b);
                        }
                    }
                    b']' | b'}' => {
                        self.open.pop();
                    }
                    // One more element: a header of its own. (A struct's next field is inline;
                    // a map's next entry costs its key, counted as a string.)
                    b',' if self.open.last() == Some(&b'[') => self.cost += Self::VALUE,
                    b':' if self.open.len() == 3 => std::mem::swap(&mut self.field, &mut self.string),
                    b':' if !self.is_struct_field() => self.cost += Self::ENTRY,
                    b',' => self.cost += 8,
                    _ => {}
                }
            }
        }
        self.read += n as u64;
        if self.cost > Self::budget(self.read) {
            self.over.set(true);
            return Err(std::io::Error::other("the file's values would take too much memory"));
        }
        Ok(n)
    }
}

/// A reader that gives at most `left` bytes and fails (setting `over`) if there are more.
struct Capped<'a, R> {
    inner: R,
    left: u64,
    over: &'a std::cell::Cell<bool>,
}

impl<R: std::io::Read> std::io::Read for Capped<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            let mut probe = [0u8; 1];
            if self.inner.read(&mut probe)? == 0 {
                return Ok(0);
            }
            self.over.set(true);
            return Err(std::io::Error::other("the file is larger than a backup may be"));
        }
        let max = usize::try_from(self.left).unwrap_or(usize::MAX).min(buf.len());
        let n = self.inner.read(&mut buf[..max])?;
        self.left -= n as u64;
        Ok(n)
    }
}

/// An absolute http(s) URL with a host and nothing a serialiser would have escaped
/// (whitespace, controls, quotes, angle brackets, backslashes): the only kind of address an
/// export writes as a link.
pub(crate) fn is_web_url(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    !host.is_empty()
        && !host.starts_with(':')
        && !url.chars().any(|c| c.is_control() || c.is_whitespace() || matches!(c, '\\' | '"' | '<' | '>' | '`'))
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn the_capped_reader_gives_the_cap_and_fails_past_it() {
        let over = std::cell::Cell::new(false);
        let mut exact = Capped { inner: &b"0123456789"[..], left: 10, over: &over };
        let mut buf = Vec::new();
        exact.read_to_end(&mut buf).unwrap();
        assert_eq!((buf.len(), over.get()), (10, false));

        let mut long = Capped { inner: &b"0123456789x"[..], left: 10, over: &over };
        let err = long.read_to_end(&mut Vec::new()).unwrap_err();
        assert!(over.get() && err.to_string().contains("larger"), "{err}");

        // Through serde_json, as import_backup reads: the error says why.
        let over = std::cell::Cell::new(false);
        let r = Capped { inner: &b"[1, 2, 3, 4, 5]"[..], left: 8, over: &over };
        assert!(serde_json::from_reader::<_, Vec<u8>>(std::io::BufReader::new(r)).is_err());
        assert!(over.get());
    }

    #[test]
    fn only_absolute_http_urls_are_web_urls() {
        for ok in ["https://a.example/", "HTTP://a.example:80/x?y=1&z=2#f", "https://u@a.example/"] {
            assert!(is_web_url(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            " https://a.example/",
            "https://a.example/\"onmouseover=x",
            "https://a.example/ x",
            "https://",
            "https:///path",
            "data:text/html,x",
            "file:///etc/passwd",
            "//a.example/",
            "/relative",
            "https://a.example/\u{1b}",
        ] {
            assert!(!is_web_url(bad), "{bad}");
        }
    }
}
