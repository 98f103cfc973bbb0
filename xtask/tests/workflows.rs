//! The GitHub workflows, read as YAML: they run what the README promises on the OSes the
//! project ships for. (actionlint, when installed, checks them further from the test command.)

use std::path::{Path, PathBuf};

use yaml_rust2::{Yaml, YamlLoader};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn load(name: &str) -> Yaml {
    let path = root().join(".github/workflows").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut docs = YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{name} is not YAML: {e}"));
    assert_eq!(docs.len(), 1, "{name}: one document");
    docs.remove(0)
}

fn jobs(w: &Yaml) -> Vec<(&str, &Yaml)> {
    w["jobs"].as_hash().expect("jobs").iter().map(|(k, v)| (k.as_str().unwrap(), v)).collect()
}

fn steps(job: &Yaml) -> &[Yaml] {
    job["steps"].as_vec().map(Vec::as_slice).unwrap_or_default()
}

/// Every OS a job's matrix (or `runs-on`) names.
fn runners(job: &Yaml) -> Vec<String> {
    let mut out: Vec<String> = job["strategy"]["matrix"]["include"]
        .as_vec()
        .map(|v| v.iter().filter_map(|e| e["os"].as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    if let Some(os) = job["runs-on"].as_str().filter(|s| !s.contains("${{")) {
        out.push(os.to_string());
    }
    out
}

/// Shape every job of every workflow must have: a runner, a time limit, and steps that each
/// either use a pinned action or run a command.
fn check_shape(name: &str, w: &Yaml) {
    assert!(!w["on"].is_badvalue(), "{name}: no trigger");
    assert!(!w["permissions"].is_badvalue(), "{name}: permissions must be explicit");
    for (id, job) in jobs(w) {
        assert!(!job["runs-on"].is_badvalue(), "{name}/{id}: runs-on");
        assert!(job["timeout-minutes"].as_i64().is_some_and(|m| m > 0 && m <= 120), "{name}/{id}: timeout-minutes");
        for step in steps(job) {
            let (uses, run) = (step["uses"].as_str(), step["run"].as_str());
            assert!(uses.is_some() != run.is_some(), "{name}/{id}: a step needs exactly one of uses/run: {step:?}");
            if let Some(action) = uses {
                assert!(action.contains('@'), "{name}/{id}: action {action} is not pinned to a version");
            }
        }
    }
}

#[test]
fn ci_runs_the_readme_test_command_on_linux_windows_and_macos() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(readme.contains("cargo xtask test"), "the README names the test command");
    let ci_script = std::fs::read_to_string(root().join(".ci/run")).unwrap();
    assert!(ci_script.lines().any(|l| l.trim() == "cargo xtask test"), ".ci/run runs the test command");

    let w = load("ci.yml");
    check_shape("ci.yml", &w);
    let on = &w["on"];
    assert!(!on["push"].is_badvalue() && !on["pull_request"].is_badvalue(), "CI runs on pushes and pull requests");
    let testing: Vec<&Yaml> = jobs(&w)
        .into_iter()
        .map(|(_, j)| j)
        .filter(|j| steps(j).iter().any(|s| s["run"].as_str().is_some_and(|r| r.trim() == "cargo xtask test")))
        .collect();
    assert!(!testing.is_empty(), "a job runs `cargo xtask test`");
    let oses: Vec<String> = testing.iter().flat_map(|j| runners(j)).collect();
    for os in ["ubuntu", "windows", "macos"] {
        assert!(oses.iter().any(|o| o.starts_with(os)), "CI tests on {os}: {oses:?}");
    }
}

#[test]
fn a_version_tag_builds_every_installer_and_the_cli_for_each_os() {
    let w = load("release.yml");
    check_shape("release.yml", &w);
    let tags: Vec<&str> =
        w["on"]["push"]["tags"].as_vec().expect("release on tags").iter().filter_map(Yaml::as_str).collect();
    assert!(tags.iter().any(|t| t.starts_with('v')), "release on version tags: {tags:?}");
    assert_eq!(w["permissions"]["contents"].as_str(), Some("write"), "uploads need contents: write");

    let (_, build) = jobs(&w)
        .into_iter()
        .find(|(_, j)| {
            steps(j).iter().any(|s| s["uses"].as_str().is_some_and(|u| u.starts_with("tauri-apps/tauri-action@")))
        })
        .expect("a job builds with tauri-action");
    let matrix = build["strategy"]["matrix"]["include"].as_vec().expect("a build matrix");
    let args_for = |os: &str| -> String {
        matrix
            .iter()
            .filter(|e| e["os"].as_str().is_some_and(|o| o.starts_with(os)))
            .filter_map(|e| e["tauri-args"].as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let (linux, windows, macos) = (args_for("ubuntu"), args_for("windows"), args_for("macos"));
    for bundle in ["deb", "rpm", "appimage"] {
        assert!(linux.contains(bundle), "Linux builds {bundle}: {linux}");
    }
    for bundle in ["msi", "nsis"] {
        assert!(windows.contains(bundle), "Windows builds {bundle}: {windows}");
    }
    assert!(macos.contains("universal-apple-darwin") && macos.contains("dmg"), "a universal macOS dmg: {macos}");

    // The CLI is built and uploaded on every OS of the matrix.
    let runs: String = steps(build).iter().filter_map(|s| s["run"].as_str()).collect::<Vec<_>>().join("\n");
    assert!(runs.contains("broadsheet-cli") || runs.contains("-p broadsheet-cli"), "the CLI is built");
    assert!(runs.contains("gh release upload"), "the CLI archives are uploaded");

    // Signing only when its secrets exist: the steps that use them are conditional.
    let text = std::fs::read_to_string(root().join(".github/workflows/release.yml")).unwrap();
    for secret in ["APPLE_CERTIFICATE", "WINDOWS_CERTIFICATE"] {
        assert!(text.contains(&format!("secrets.{secret}")), "{secret} is wired");
    }
}

#[test]
fn the_windows_installer_brings_webview2_along() {
    let conf = std::fs::read_to_string(root().join("tauri.conf.json")).unwrap();
    assert!(conf.contains("\"webviewInstallMode\""), "tauri.conf.json sets bundle.windows.webviewInstallMode");
}
