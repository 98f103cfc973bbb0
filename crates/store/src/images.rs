//! Content-addressed image cache: bytes in `images/ab/<sha256>`, metadata in the `images` table.

use std::path::PathBuf;

use rusqlite::{params, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::{articles::hex, now, Result, Store, StoreError};

/// The suffix of an image file being written.
const PARTIAL: &str = "part";

/// A cached image ready to serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageBlob {
    pub mime: String,
    pub bytes: Vec<u8>,
}

/// The image folder beside the archive, for the file work that needs no database: writing a
/// blob and clearing leftovers. A sync does this outside the archive's lock, so the window's
/// writes never wait on a disk flush.
#[derive(Debug, Clone)]
pub struct ImageFiles {
    dir: PathBuf,
}

impl ImageFiles {
    /// Where the image of content hash `sha` lives, if `sha` is one: 64 hex digits. The hash
    /// comes from the archive file, which is not trusted to name paths: anything else (an
    /// absolute path, `..`, a short or non-ASCII string) names no file at all.
    fn blob_path(&self, sha: &str) -> Option<PathBuf> {
        let is_hash = sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit());
        is_hash.then(|| self.dir.join(&sha[..2]).join(sha))
    }

    /// Writes `bytes` under their content hash (once: identical images share one file) and
    /// returns the hash. Write, flush to disk, then rename: a crash or a kill never leaves a
    /// truncated blob under its final name, and the row pointing at it is written only after.
    /// The temporary name is unique per writer; one left by a kill is removed by
    /// [`ImageFiles::remove_partial`].
    pub fn write(&self, bytes: &[u8]) -> Result<String> {
        let sha = hex(&Sha256::digest(bytes));
        let path = self.blob_path(&sha).expect("a SHA-256 in hex names a blob");
        if !path.exists() {
            let dir = path.parent().expect("blob paths have a parent");
            std::fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
            static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let tmp = path.with_extension(format!("{}-{seq}.{PARTIAL}", std::process::id()));
            let write = || -> std::io::Result<()> {
                use std::io::Write;
                let mut f = std::fs::File::create(&tmp)?;
                f.write_all(bytes)?;
                f.sync_all()
            };
            if let Err(e) = write() {
                let _ = std::fs::remove_file(&tmp);
                return Err(StoreError::io(&tmp, e));
            }
            std::fs::rename(&tmp, &path).map_err(|e| StoreError::io(&path, e))?;
        }
        Ok(sha)
    }

    /// Removes temporary image files older than `min_age` (left by a process killed while
    /// writing one); returns how many. Younger ones may belong to a writer still at work.
    pub fn remove_partial(&self, min_age: std::time::Duration) -> usize {
        let mut removed = 0;
        let Ok(dirs) = std::fs::read_dir(&self.dir) else { return 0 };
        for dir in dirs.flatten() {
            let Ok(files) = std::fs::read_dir(dir.path()) else { continue };
            for f in files.flatten() {
                let partial = f.file_name().to_str().is_some_and(|n| n.ends_with(PARTIAL));
                let old = f.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok());
                if partial && old.is_some_and(|age| age >= min_age) && std::fs::remove_file(f.path()).is_ok() {
                    removed += 1;
                }
            }
        }
        removed
    }
}

impl Store {
    /// The image folder, for file work done without holding the archive.
    pub fn image_files(&self) -> ImageFiles {
        ImageFiles { dir: self.images_dir.clone() }
    }

    /// Stores `bytes` for `url`. Identical images fetched from different URLs share one file.
    pub fn put_image(&self, url: &str, mime: &str, bytes: &[u8]) -> Result<()> {
        let sha = self.image_files().write(bytes)?;
        self.record_image(url, &sha, mime, bytes.len())
    }

    /// Records that `url` is cached as the blob `sha` (written by [`ImageFiles::write`]).
    pub fn record_image(&self, url: &str, sha: &str, mime: &str, len: usize) -> Result<()> {
        self.conn.execute(
            "INSERT INTO images (url, sha256, mime, bytes, last_error, fetched_at) VALUES (?1, ?2, ?3, ?4, NULL, ?5)
             ON CONFLICT (url) DO UPDATE SET sha256 = excluded.sha256, mime = excluded.mime,
               bytes = excluded.bytes, last_error = NULL, fetched_at = excluded.fetched_at",
            params![url, sha, mime, len as i64, now()],
        )?;
        Ok(())
    }

    /// Whether `url` is cached (without reading it).
    pub fn has_image(&self, url: &str) -> Result<bool> {
        let sha: Option<String> = self
            .conn
            .query_row("SELECT sha256 FROM images WHERE url = ?1 AND sha256 IS NOT NULL", [url], |r| r.get(0))
            .optional()?;
        Ok(sha.and_then(|sha| self.blob_path(&sha)).is_some_and(|p| p.is_file()))
    }

    /// The cached image for `url`, if it has been fetched and its file is still there.
    pub fn image(&self, url: &str) -> Result<Option<ImageBlob>> {
        let row: Option<(String, String)> = self
            .conn
            .query_row("SELECT sha256, mime FROM images WHERE url = ?1 AND sha256 IS NOT NULL", [url], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let Some((path, mime)) = row.and_then(|(sha, mime)| Some((self.blob_path(&sha)?, mime))) else {
            return Ok(None);
        };
        match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(ImageBlob { mime, bytes })),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StoreError::io(&path, e)),
        }
    }

    /// Deletes image files after their rows are gone (a missing file is fine).
    pub(crate) fn remove_blobs(&self, shas: &[String]) {
        for path in shas.iter().filter_map(|sha| self.blob_path(sha)) {
            let _ = std::fs::remove_file(path);
        }
    }

    fn blob_path(&self, sha: &str) -> Option<PathBuf> {
        self.image_files().blob_path(sha)
    }
}

#[cfg(test)]
mod tests {
    /// A hash in the archive that is no hash (a path, a short or non-ASCII string) names no
    /// file: nothing outside the image folder is read or removed, and nothing panics.
    #[test]
    fn an_image_hash_that_names_a_path_reads_and_removes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::Store::open(&dir.path().join("a.sqlite3")).unwrap();
        let victim = dir.path().join("thesis.docx");
        std::fs::write(&victim, b"precious").unwrap();
        let hostile =
            [victim.display().to_string(), "../../thesis.docx".into(), "a".into(), "é".repeat(32), String::new()];
        for (i, sha) in hostile.iter().enumerate() {
            let url = format!("https://x.example/{i}.jpg");
            store
                .conn
                .execute("INSERT INTO images (url, sha256, mime) VALUES (?1, ?2, 'image/png')", [&url, sha])
                .unwrap();
            assert!(store.image(&url).unwrap().is_none(), "{sha:?}");
            assert!(!store.has_image(&url).unwrap(), "{sha:?}");
        }
        store.remove_blobs(&hostile);
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    }
}
