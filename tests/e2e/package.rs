//! The Linux package as a user gets it: the `.deb` that `cargo xtask test` bundles from this
//! very build (`tauri bundle --debug`) is unpacked into a throwaway root, its desktop entry and
//! icons are checked, and the installed binary is started under the test display and must
//! show the sample archive. The `.rpm` from the same run is checked for its shape.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::{expected, App};

/// A bundle the test command built, named by an environment variable.
fn bundle(var: &str) -> PathBuf {
    let path = std::env::var_os(var).unwrap_or_else(|| {
        panic!("{var} is unset: `cargo xtask test` bundles the app (tauri bundle --debug) and sets it")
    });
    let path = PathBuf::from(path);
    assert!(path.is_file(), "{var} names {}, which is not a file", path.display());
    path
}

fn deb_field(deb: &Path, field: &str) -> String {
    let out = Command::new("dpkg-deb").arg("--field").arg(deb).arg(field).output().expect("dpkg-deb runs");
    assert!(out.status.success(), "dpkg-deb --field {field}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Width and height of a PNG, from its IHDR chunk.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n") && &bytes[12..16] == b"IHDR", "{} is not a PNG", path.display());
    let be = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
    (be(16), be(20))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_installed_deb_has_a_desktop_entry_and_icon_and_opens_the_sample_archive() {
    let _one = crate::harness::one_window_at_a_time().await;
    let deb = bundle("BROADSHEET_TEST_DEB");
    eprintln!("package: {} ({:.1} MiB, debug build)", deb.display(), deb.metadata().unwrap().len() as f64 / 1048576.0);
    assert_eq!(deb_field(&deb, "Package"), "broadsheet");
    let depends = deb_field(&deb, "Depends");
    assert!(depends.contains("libwebkit2gtk-4.1"), "the package must pull in its web view: {depends}");

    let root = tempfile::tempdir().unwrap();
    let status = Command::new("dpkg-deb").arg("--extract").arg(&deb).arg(root.path()).status().unwrap();
    assert!(status.success(), "dpkg-deb --extract failed");

    // The desktop entry starts the installed binary and names an installed icon.
    let entry_path = root.path().join("usr/share/applications/Broadsheet.desktop");
    let entry = std::fs::read_to_string(&entry_path).unwrap_or_else(|e| panic!("{}: {e}", entry_path.display()));
    let key = |k: &str| {
        entry.lines().find_map(|l| l.strip_prefix(&format!("{k}="))).unwrap_or_else(|| panic!("no {k}= in\n{entry}"))
    };
    assert_eq!(entry.lines().next(), Some("[Desktop Entry]"));
    assert_eq!(key("Type"), "Application");
    assert_eq!(key("Name"), "Broadsheet");
    assert!(key("Categories").split(';').any(|c| c == "News"), "{entry}");
    let exec = key("Exec").split_whitespace().next().unwrap().to_string();
    let binary = root.path().join("usr/bin").join(&exec);
    assert!(binary.is_file(), "Exec={exec} is not installed in /usr/bin");
    let icon = key("Icon");
    let hicolor = root.path().join("usr/share/icons/hicolor");
    let mut sizes = Vec::new();
    for dir in std::fs::read_dir(&hicolor).unwrap().flatten() {
        let png = dir.path().join("apps").join(format!("{icon}.png"));
        let name = dir.file_name().into_string().unwrap();
        // Plain size folders (`128x128`) must hold an icon of exactly that size.
        if let (Some((w, h)), true) = (name.split_once('x'), png.is_file()) {
            if let (Ok(w), Ok(h)) = (w.parse::<u32>(), h.parse::<u32>()) {
                assert_eq!(png_size(&png), (w, h), "{}", png.display());
                sizes.push(w);
            }
        }
    }
    assert!(sizes.iter().any(|s| *s >= 128), "an icon of 128 px or more for launchers; found sizes {sizes:?}");

    // The installed binary, not the build tree's, opens the sample on a fresh data folder.
    let data = tempfile::tempdir().unwrap();
    let app = App::launch_binary(&binary, data.path()).await;
    app.wait_for_list().await;
    app.wait_until(
        "the installed app lists the whole sample",
        &format!("return document.querySelectorAll('[data-category]').length === {}", expected::category_count()),
    )
    .await;
    app.screenshot("installed-deb.png").await;
    app.quit().await;
    assert!(data.path().join(broadsheet_store::ARCHIVE_FILE).is_file(), "the installed app made its archive");
}

#[test]
fn the_rpm_from_the_same_build_is_an_rpm_of_the_app() {
    let rpm = bundle("BROADSHEET_TEST_RPM");
    let bytes = std::fs::read(&rpm).unwrap();
    eprintln!("package: {} ({:.1} MiB, debug build)", rpm.display(), bytes.len() as f64 / 1048576.0);
    // The lead: magic, format 3.0, binary package, then the package name (NUL-padded).
    assert_eq!(&bytes[..4], b"\xed\xab\xee\xdb", "not an RPM file");
    assert_eq!(&bytes[4..6], b"\x03\x00");
    assert_eq!(&bytes[6..8], b"\x00\x00", "a binary package");
    let name: Vec<u8> = bytes[10..76].iter().copied().take_while(|b| *b != 0).collect();
    assert!(String::from_utf8(name).unwrap().starts_with("broadsheet"), "lead names another package");
    // The header's signature section follows the lead.
    assert_eq!(&bytes[96..99], b"\x8e\xad\xe8", "no header after the lead");
}
