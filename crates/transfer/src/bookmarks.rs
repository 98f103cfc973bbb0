//! Netscape bookmark file of bookmarked posts, as every browser imports it.

use std::fmt::Write as _;
use std::path::Path;

use broadsheet_store::Store;

use crate::{io, is_web_url, Selection, TransferError};

/// Writes the bookmarked posts (of the selection) that have an http(s) address; returns how many.
pub fn export_bookmarks(store: &Store, selection: &Selection, out: &Path) -> Result<usize, TransferError> {
    let selection = Selection { bookmarked: true, ..selection.clone() };
    let mut html = String::from(
        "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<!-- Exported by Broadsheet -->\n\
         <META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=UTF-8\">\n\
         <TITLE>Bookmarks</TITLE>\n<H1>Bookmarks</H1>\n<DL><p>\n    <DT><H3>Broadsheet</H3>\n    <DL><p>\n",
    );
    let mut n = 0;
    // Only http(s) addresses become links: a `javascript:`, `data:` or `file:` URL would run
    // or open something local when the bookmark is clicked.
    store.backup_stream(|a| -> Result<(), TransferError> {
        if !selection.keeps(&a) {
            return Ok(());
        }
        let Some(url) = a.url.as_deref().filter(|u| is_web_url(u)) else { return Ok(()) };
        let _ = writeln!(
            html,
            "        <DT><A HREF=\"{}\" ADD_DATE=\"{}\" TAGS=\"{}\">{}</A>",
            escape(url),
            a.bookmarked_at.unwrap_or(a.published_at),
            escape(&a.user_tags.join(",")),
            escape(&a.title)
        );
        n += 1;
        Ok(())
    })?;
    html.push_str("    </DL><p>\n</DL><p>\n");
    crate::write_whole(out, |w| std::io::Write::write_all(w, html.as_bytes()).map_err(io(out)))?;
    Ok(n)
}

pub(crate) use broadsheet_html::escape;
