//! Helpers for tests (dev-dependency only).
//!
//! Invariant: tests read the shared corpus in place (`../shared/corpus` beside the
//! checkout) and never copy it into the repository; copies go to temporary folders.

use std::path::{Path, PathBuf};

/// The shared corpus folder (three Jekyll sites' posts).
pub fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
}

/// One corpus site: `finews`, `jekyll-jekyll` or `Huxpro-huxpro.github.io`.
pub fn corpus_site(site: &str) -> PathBuf {
    corpus().join(site)
}

/// Copies a folder tree (a site into a test's temporary folder).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())).flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap_or_else(|e| panic!("{}: {e}", target.display()));
        }
    }
}
