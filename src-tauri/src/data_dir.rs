//! Where the archive lives. The *home* folder is `--data-dir DIR`, else `BROADSHEET_DATA_DIR`,
//! else the platform's app data directory (Tauri's path API, so it is right on every OS). The
//! archive is the home's own unless the reader switched to another (`broadsheet_store::location`):
//! that one is opened, and if it cannot be, the home's own is, with the reason shown in the
//! window. The home's archive is never touched by a switch.

use std::path::PathBuf;

use tauri::{AppHandle, Manager};

/// The home folder: logs, the location file and the default archive live there.
pub fn home(app: &AppHandle) -> Result<PathBuf, Box<dyn std::error::Error>> {
    match explicit() {
        Some(dir) => Ok(dir),
        None => Ok(app.path().app_data_dir()?),
    }
}

/// The data folder named by `--data-dir` or `BROADSHEET_DATA_DIR`, if any.
pub fn explicit() -> Option<PathBuf> {
    from_args(std::env::args_os())
        .or_else(|| std::env::var_os("BROADSHEET_DATA_DIR").filter(|d| !d.is_empty()).map(PathBuf::from))
}

/// `--data-dir DIR` or `--data-dir=DIR` (any bytes in DIR: arguments need not be UTF-8).
fn from_args(args: impl Iterator<Item = std::ffi::OsString>) -> Option<PathBuf> {
    let mut args = args.skip(1);
    while let Some(a) = args.next() {
        if a == "--data-dir" {
            return args.next().map(PathBuf::from);
        }
        if let Some(v) = a.to_str().and_then(|a| a.strip_prefix("--data-dir=")) {
            return Some(PathBuf::from(v));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> impl Iterator<Item = std::ffi::OsString> {
        v.iter().map(std::ffi::OsString::from).collect::<Vec<_>>().into_iter()
    }

    #[test]
    fn data_dir_flag_in_both_spellings() {
        assert_eq!(from_args(args(&["app", "--data-dir", "/x"])), Some(PathBuf::from("/x")));
        assert_eq!(from_args(args(&["app", "--data-dir=/y"])), Some(PathBuf::from("/y")));
        assert_eq!(from_args(args(&["app"])), None);
    }
}
