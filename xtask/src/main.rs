//! `cargo xtask run` opens the app; `cargo xtask test` runs every test; both first install
//! whatever this machine lacks. `cargo xtask bundle` builds the installers for this OS.
//! `cargo xtask fuzz` runs the fuzz targets in `fuzz/` (installing cargo-fuzz if missing).
//!
//! Plain std only, so the task runner itself compiles in seconds on a fresh machine.

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
  bench [--posts N]…  import, re-sync, search and list figures on generated archives (default 10,000
                      posts) beside `jekyll build` and `rg` baselines; appends to docs/performance.md
  fuzz [--seconds N] [--sanitizer address|none] [TARGET…]
                      run the cargo-fuzz targets in fuzz/ for N seconds each (default 60), seeded from the corpus
  setup               only install what is missing";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("test") => test(),
        Some("bundle") => bundle(),
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

fn run(app_args: &[String]) -> Result {
    setup::ensure(setup::Purpose::Run)?;
    ui::build()?;
    sh::cargo(&["build", "--features", "custom-protocol"])?;
    if !display::available() {
        return Err("the app is built, but there is no display to open its window on \
                    (DISPLAY and WAYLAND_DISPLAY are unset). Run this from a desktop session, \
                    or start one with `xvfb-run cargo xtask run`."
            .into());
    }
    let app_args: Vec<&str> = app_args.iter().map(String::as_str).skip_while(|a| *a == "--").collect();
    let mut args = vec!["run", "--features", "custom-protocol", "--"];
    args.extend(app_args);
    sh::cargo(&args)
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
    ui::build()?;
    let _xvfb = display::ensure()?;
    // One cargo invocation with one feature set: unit, integration, component and the
    // real-window tests, so dependencies are compiled once. One test at a time within each
    // binary: two real windows at once on two cores make their timings a lottery.
    sh::cargo(&["test", "--workspace", "--features", "custom-protocol,e2e", "--no-fail-fast", "--", "--test-threads=1"])
}

/// `cargo xtask bench [--posts N]…`: the performance record (see docs/performance.md).
fn bench(args: &[String]) -> Result {
    setup::ensure(setup::Purpose::Bench)?;
    let mut cargo = vec!["bench", "--package", "broadsheet-import", "--bench", "archive", "--"];
    cargo.extend(args.iter().map(String::as_str));
    sh::cargo(&cargo)
}

fn bundle() -> Result {
    setup::ensure(setup::Purpose::Bundle)?;
    ui::build()?;
    let tauri = setup::tauri_cli()?;
    // On Linux the .deb builds offline; AppImage tooling is downloaded at build time, so it
    // is left to release runners (as are .msi/NSIS on Windows and .dmg on macOS).
    let mut args = vec!["build"];
    if cfg!(target_os = "linux") {
        args.extend(["--bundles", "deb"]);
    }
    sh::run(sh::command(&tauri).args(&args))
}
