//! An article's HTML as the archive stores it.
//!
//! Bodies are most of an archive (about as large as the posts themselves), so a body of more
//! than [`PACK_FROM`] bytes is stored deflated, as a BLOB: a format byte, then a raw deflate
//! stream (RFC 1951). Shorter ones, and every row written before, stay TEXT; reads take
//! either. SQLite columns are typed per value, so no migration rewrites the table.
//!
//! A stored body is trusted no more than a file: it is inflated with a cap of
//! `MAX_BODY_BYTES` (what any writer is allowed to store), and a damaged one is an error for
//! that read, never a panic or an unbounded allocation.

use std::io::Read;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSqlOutput, Value, ValueRef};

use crate::backup::MAX_BODY_BYTES;

/// Bodies shorter than this stay text: deflate saves little on them.
const PACK_FROM: usize = 256;
/// The first byte of a packed body: raw deflate. Other values are refused (room for others).
const DEFLATE: u8 = 1;
/// zlib-rs's level 2: its level 1 uses only the fixed Huffman codes, which CJK text (bytes
/// above 0x80) defeats (10k generated posts: 0.83 of the size at level 1, 0.64 at 2, 0.63
/// at 6, each within the run-to-run noise of the import's time).
const LEVEL: u32 = 2;

/// The value to store for `html`.
pub(crate) fn pack(html: &str) -> ToSqlOutput<'_> {
    match packed(html) {
        Some(blob) => ToSqlOutput::Owned(Value::Blob(blob)),
        None => ToSqlOutput::from(html),
    }
}

/// `html` packed, or `None` when it is better stored as text.
pub(crate) fn packed(html: &str) -> Option<Vec<u8>> {
    if html.len() < PACK_FROM {
        return None;
    }
    // One compressor per thread, reset between bodies: a fresh one per body allocates its
    // few hundred KiB of tables each time, and on the import's parse workers that churn left
    // the process at 450 MB for a 10k import instead of 30 MB.
    thread_local! {
        static DEFLATER: std::cell::RefCell<flate2::Compress> =
            std::cell::RefCell::new(flate2::Compress::new(flate2::Compression::new(LEVEL), false));
    }
    DEFLATER.with(|d| {
        let mut z = d.borrow_mut();
        z.reset();
        // Deflate that does not shrink the body is not worth it: one byte less than the
        // body is all the room it gets.
        let mut out = Vec::with_capacity(html.len());
        out.push(DEFLATE);
        let input = html.as_bytes();
        loop {
            let read = usize::try_from(z.total_in()).ok()?;
            let status = z.compress_vec(&input[read..], &mut out, flate2::FlushCompress::Finish).ok()?;
            match status {
                flate2::Status::StreamEnd => break,
                // Out of room: the packed body would not be smaller.
                _ if out.len() == out.capacity() => return None,
                _ => {}
            }
        }
        // Held by a batch of rows until written: no more room than it needs.
        out.shrink_to_fit();
        (out.len() < html.len()).then_some(out)
    })
}

impl crate::Store {
    /// Packs every body still stored as text (archives written before bodies were deflated),
    /// 500 rows a transaction; returns how many were packed.
    pub fn repack_bodies(&mut self) -> crate::Result<u64> {
        let (mut after, mut done) = (0i64, 0u64);
        loop {
            let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let rows: Vec<(i64, String)> = tx
                .prepare_cached(
                    "SELECT id, html FROM articles WHERE id > ?1 AND typeof(html) = 'text' AND length(html) >= ?2
                     ORDER BY id LIMIT 500",
                )?
                .query_map(rusqlite::params![after, PACK_FROM as i64], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let Some(&(last, _)) = rows.last() else { break };
            for (id, html) in &rows {
                if let Some(blob) = packed(html) {
                    tx.prepare_cached("UPDATE articles SET html = ?1 WHERE id = ?2")?
                        .execute(rusqlite::params![blob, id])?;
                    done += 1;
                }
            }
            tx.commit()?;
            after = last;
        }
        Ok(done)
    }

    /// Rewrites the archive's file compactly: bodies packed ([`Store::repack_bodies`]), then
    /// `VACUUM` into 16 KiB pages, giving the free pages back. Needs the archive to itself
    /// (the app closed) and free disk for a copy; atomic, as `VACUUM` is. Returns (bodies
    /// packed, bytes before, bytes after).
    pub fn compact(&mut self) -> crate::Result<(u64, u64, u64)> {
        let size = |s: &Self| -> crate::Result<u64> {
            let (pages, page): (i64, i64) = s.conn.query_row(
                "SELECT (SELECT page_count FROM pragma_page_count()), (SELECT page_size FROM pragma_page_size())",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            Ok(u64::try_from(pages * page).unwrap_or(0))
        };
        let before = size(self)?;
        let packed = self.repack_bodies()?;
        // A WAL archive keeps its page size through VACUUM: leave WAL for it, then return.
        self.conn.pragma_update(None, "journal_mode", "DELETE")?;
        let vacuumed = self
            .conn
            .pragma_update(None, "page_size", crate::PAGE_SIZE)
            .and_then(|()| self.conn.execute_batch("VACUUM"));
        self.conn.pragma_update(None, "journal_mode", "WAL")?;
        vacuumed?;
        Ok((packed, before, size(self)?))
    }
}

/// An `html` column read back, packed or not.
pub(crate) struct Body(pub String);

impl FromSql for Body {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        match value {
            ValueRef::Text(t) => String::from_utf8(t.to_vec()).map(Body).map_err(|e| FromSqlError::Other(e.into())),
            ValueRef::Blob(b) => unpack(b).map(Body).map_err(|e| FromSqlError::Other(e.into())),
            ValueRef::Null => Ok(Body(String::new())),
            _ => Err(FromSqlError::InvalidType),
        }
    }
}

/// The first `max` bytes (or fewer, at a character boundary) of a stored body: what a
/// snippet needs, without inflating a 16 MiB post for each of a page's hits.
pub(crate) fn prefix(value: ValueRef<'_>, max: usize) -> Result<String, String> {
    let bytes: Vec<u8> = match value {
        ValueRef::Text(t) => t[..t.len().min(max)].to_vec(),
        ValueRef::Blob(b) => inflate(b, max)?,
        _ => Vec::new(),
    };
    Ok(match String::from_utf8(bytes) {
        Ok(s) => s,
        // Cut inside a character: keep what comes before it.
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let mut bytes = e.into_bytes();
            bytes.truncate(valid);
            String::from_utf8(bytes).unwrap_or_default()
        }
    })
}

/// A stored body for work over many rows (backups, re-indexing): a damaged one reads as
/// empty, so the rest of the work goes on (opening that article still reports the damage).
pub(crate) fn or_empty(value: ValueRef<'_>) -> String {
    Body::column_result(value).map(|b| b.0).unwrap_or_default()
}

fn unpack(b: &[u8]) -> Result<String, String> {
    let out = inflate(b, MAX_BODY_BYTES + 1)?;
    if out.len() > MAX_BODY_BYTES {
        return Err(format!("a stored body inflating past {MAX_BODY_BYTES} bytes"));
    }
    String::from_utf8(out).map_err(|_| "a stored body that is not UTF-8".to_string())
}

/// At most `max` bytes of a packed body, inflated (its format byte checked first).
fn inflate(b: &[u8], max: usize) -> Result<Vec<u8>, String> {
    let (&format, stream) = b.split_first().ok_or("an empty stored body")?;
    if format != DEFLATE {
        return Err(format!("a stored body in an unknown format ({format})"));
    }
    let mut out = Vec::with_capacity(max.min(stream.len().saturating_mul(3)));
    flate2::read::DeflateDecoder::new(stream)
        .take(max as u64)
        .read_to_end(&mut out)
        .map_err(|e| format!("a damaged stored body: {e}"))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(html: &str) -> String {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.query_row("SELECT ?1", [pack(html)], |r| r.get::<_, Body>(0)).unwrap().0
    }

    #[test]
    fn bodies_come_back_as_written_packed_or_not() {
        for html in [
            String::new(),
            "<p>短</p>".to_string(),
            "<p>新华社北京12月6日电 记者从多家存储芯片企业了解到</p>\n".repeat(40),
            "\u{0}é😀".repeat(300),
        ] {
            assert_eq!(round_trip(&html), html);
        }
    }

    #[test]
    fn a_prefix_is_cut_at_a_character_boundary_packed_or_not() {
        let html = "<p>新华社电</p>".repeat(200);
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        for stored in [pack(&html), ToSqlOutput::from(html.as_str())] {
            let got = conn.query_row("SELECT ?1", [stored], |r| Ok(prefix(r.get_ref(0)?, 100).unwrap())).unwrap();
            assert!(got.len() <= 100 && html.starts_with(&got) && got.len() > 90, "{got}");
        }
    }

    #[test]
    fn a_long_repetitive_body_is_stored_as_a_small_blob() {
        let html = "<p>返回科技日报新闻</p>\n".repeat(500);
        match pack(&html) {
            ToSqlOutput::Owned(Value::Blob(b)) => assert!(b.len() * 20 < html.len(), "{} bytes", b.len()),
            _ => panic!("not packed"),
        }
    }

    #[test]
    fn a_damaged_or_foreign_blob_is_an_error_not_a_panic() {
        // A deflate bomb: 17 MiB of zeros in a few KiB, past what any writer may store.
        let mut z = flate2::write::DeflateEncoder::new(vec![DEFLATE], flate2::Compression::best());
        std::io::Write::write_all(&mut z, &vec![b'a'; MAX_BODY_BYTES + 1024]).unwrap();
        let bomb = z.finish().unwrap();
        assert!(bomb.len() < 64 * 1024);
        let cases: [(&[u8], &str); 5] = [
            (&[], "empty"),
            (&[9, 1, 2], "unknown format"),
            (&[DEFLATE, 0xff, 0xff, 0xff], "damaged"),
            (&bomb, "past"),
            (&[DEFLATE, 1, 2, 0, 0xfd, 0xff, 0xff, 0xfe], "UTF-8"),
        ];
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        for (blob, says) in cases {
            let err = conn.query_row("SELECT ?1", [blob], |r| r.get::<_, Body>(0)).err().expect(says);
            assert!(err.to_string().contains(says), "{says}: {err}");
        }
    }
}
