//! Builds the Sycamore UI into `ui/dist`, which the app embeds at compile time.

use crate::{sh, Result};

pub fn build() -> Result {
    let root = sh::root();
    sh::cargo(&["build", "--package", "broadsheet-ui", "--lib", "--target", "wasm32-unknown-unknown", "--release"])?;
    let dist = root.join("ui/dist");
    if dist.exists() {
        std::fs::remove_dir_all(&dist).map_err(|e| format!("cannot clear {}: {e}", dist.display()))?;
    }
    std::fs::create_dir_all(&dist).map_err(|e| format!("cannot create {}: {e}", dist.display()))?;
    let target_dir = std::env::var("CARGO_TARGET_DIR").map_or_else(|_| root.join("target"), Into::into);
    let wasm = target_dir.join("wasm32-unknown-unknown/release/broadsheet_ui.wasm");
    sh::run(
        sh::command("wasm-bindgen")
            .args(["--target", "web", "--no-typescript", "--out-name", "broadsheet_ui", "--out-dir"])
            .arg(&dist)
            .arg(&wasm),
    )?;
    let statics = root.join("ui/static");
    let entries = std::fs::read_dir(&statics).map_err(|e| format!("cannot read {}: {e}", statics.display()))?;
    for entry in entries.flatten() {
        let to = dist.join(entry.file_name());
        std::fs::copy(entry.path(), &to).map_err(|e| format!("cannot copy to {}: {e}", to.display()))?;
    }
    Ok(())
}
