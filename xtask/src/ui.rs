//! Builds the Sycamore UI into `ui/dist`, which the app embeds at compile time.
//!
//! wasm-bindgen writes into a staging folder, and only files whose bytes changed are copied
//! into `ui/dist`: the app's build script watches that folder, so rewriting identical files
//! would recompile the app on every `cargo xtask run|test` (half a minute on two cores).

use std::path::Path;

use crate::{sh, Result};

pub fn build() -> Result {
    let root = sh::root();
    sh::cargo(&["build", "--package", "broadsheet-ui", "--lib", "--target", "wasm32-unknown-unknown", "--release"])?;
    let target_dir = sh::target_dir();
    let staging = target_dir.join("ui-dist-staging");
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(|e| format!("cannot clear {}: {e}", staging.display()))?;
    }
    std::fs::create_dir_all(&staging).map_err(|e| format!("cannot create {}: {e}", staging.display()))?;
    let wasm = target_dir.join("wasm32-unknown-unknown/release/broadsheet_ui.wasm");
    sh::run(
        sh::command("wasm-bindgen")
            .args(["--target", "web", "--no-typescript", "--out-name", "broadsheet_ui", "--out-dir"])
            .arg(&staging)
            .arg(&wasm),
    )?;
    let statics = root.join("ui/static");
    let entries = std::fs::read_dir(&statics).map_err(|e| format!("cannot read {}: {e}", statics.display()))?;
    for entry in entries.flatten() {
        let to = staging.join(entry.file_name());
        std::fs::copy(entry.path(), &to).map_err(|e| format!("cannot copy to {}: {e}", to.display()))?;
    }
    mirror(&staging, &root.join("ui/dist"))
}

/// Makes `to` hold exactly the files of `from`, writing only those whose bytes differ.
fn mirror(from: &Path, to: &Path) -> Result {
    std::fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    let names = |dir: &Path| -> Result<Vec<std::ffi::OsString>> {
        let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        Ok(entries.flatten().map(|e| e.file_name()).collect())
    };
    let wanted = names(from)?;
    for name in names(to)? {
        if !wanted.contains(&name) {
            let stale = to.join(&name);
            let _ = std::fs::remove_file(&stale).or_else(|_| std::fs::remove_dir_all(&stale));
        }
    }
    for name in wanted {
        let (src, dst) = (from.join(&name), to.join(&name));
        let bytes = std::fs::read(&src).map_err(|e| format!("cannot read {}: {e}", src.display()))?;
        if std::fs::read(&dst).ok().as_deref() != Some(bytes.as_slice()) {
            std::fs::write(&dst, &bytes).map_err(|e| format!("cannot write {}: {e}", dst.display()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirroring_leaves_unchanged_files_untouched_and_removes_stale_ones() {
        let base = std::env::temp_dir().join(format!("xtask-mirror-{}", std::process::id()));
        let (from, to) = (base.join("from"), base.join("to"));
        std::fs::create_dir_all(&from).unwrap();
        std::fs::create_dir_all(&to).unwrap();
        std::fs::write(from.join("same.js"), "x").unwrap();
        std::fs::write(from.join("new.css"), "y").unwrap();
        std::fs::write(to.join("same.js"), "x").unwrap();
        std::fs::write(to.join("stale.wasm"), "z").unwrap();
        let before = std::fs::metadata(to.join("same.js")).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        mirror(&from, &to).unwrap();
        assert_eq!(std::fs::metadata(to.join("same.js")).unwrap().modified().unwrap(), before);
        assert_eq!(std::fs::read_to_string(to.join("new.css")).unwrap(), "y");
        assert!(!to.join("stale.wasm").exists());
        std::fs::remove_dir_all(&base).unwrap();
    }
}
