//! Netscape bookmark file of bookmarked posts, as every browser imports it.

use std::fmt::Write as _;
use std::path::Path;

use broadsheet_store::Store;

use crate::{backup, io, Selection, TransferError};

/// Writes the bookmarked posts (of the selection) that have a web address; returns how many.
pub fn export_bookmarks(store: &Store, selection: &Selection, out: &Path) -> Result<usize, TransferError> {
    let b = backup(store, &Selection { bookmarked: true, ..selection.clone() })?;
    let mut html = String::from(
        "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<!-- Exported by Broadsheet -->\n\
         <META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=UTF-8\">\n\
         <TITLE>Bookmarks</TITLE>\n<H1>Bookmarks</H1>\n<DL><p>\n    <DT><H3>Broadsheet</H3>\n    <DL><p>\n",
    );
    let mut n = 0;
    for a in b.articles.iter().filter(|a| a.url.is_some()) {
        let url = a.url.as_deref().unwrap_or_default();
        let _ = writeln!(
            html,
            "        <DT><A HREF=\"{}\" ADD_DATE=\"{}\" TAGS=\"{}\">{}</A>",
            escape(url),
            a.bookmarked_at.unwrap_or(a.published_at),
            escape(&a.user_tags.join(",")),
            escape(&a.title)
        );
        n += 1;
    }
    html.push_str("    </DL><p>\n</DL><p>\n");
    std::fs::write(out, html).map_err(io(out))?;
    Ok(n)
}

pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
