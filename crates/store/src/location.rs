//! Which archive a home folder opens. The app's (and CLI's) *home* folder holds the default
//! archive; a `archive-location.txt` there names another archive folder the reader switched
//! to (a backup restored into a new archive, another archive opened from the window). The
//! file is small, one absolute path, written by rename, and read as hostile: anything else
//! is refused with its name, and the caller opens the home's own archive instead.

use std::path::{Path, PathBuf};

/// The file in the home folder naming the archive folder in use.
pub const LOCATION_FILE: &str = "archive-location.txt";
/// A location file larger than this is not a path somebody wrote.
const MAX_LOCATION_BYTES: u64 = 4096;

/// The archive folder the home's location file names, if it names one: `Err` says why the
/// file is unusable (the home's own archive is opened then).
pub fn chosen(home: &Path) -> Result<Option<PathBuf>, String> {
    use std::io::Read;
    let file = home.join(LOCATION_FILE);
    let named = |e: std::io::Error| format!("{}: {e}", file.display());
    let handle = match std::fs::File::open(&file) {
        Ok(h) => h,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(named(e)),
    };
    // Checked on the open handle and read through a limit: what is read is what was checked.
    if !handle.metadata().map_err(named)?.is_file() {
        return Err(format!("{}: not a file", file.display()));
    }
    let mut bytes = Vec::new();
    handle.take(MAX_LOCATION_BYTES + 1).read_to_end(&mut bytes).map_err(named)?;
    if bytes.len() as u64 > MAX_LOCATION_BYTES {
        return Err(format!("{}: more than {MAX_LOCATION_BYTES} bytes, not a folder's path", file.display()));
    }
    let text = String::from_utf8(bytes).map_err(|_| format!("{}: not UTF-8 text", file.display()))?;
    parse_location(&text).map(Some).map_err(|why| format!("{}: {why}", file.display()))
}

/// One absolute path on one line, nothing else.
fn parse_location(text: &str) -> Result<PathBuf, &'static str> {
    let line = text.strip_suffix('\n').unwrap_or(text);
    let line = line.strip_suffix('\r').unwrap_or(line);
    if line.is_empty() || line.chars().any(char::is_control) {
        return Err("not one path on one line");
    }
    let path = PathBuf::from(line);
    if !path.is_absolute() {
        return Err("not an absolute path");
    }
    Ok(path)
}

/// Makes `dir` the archive opened at every start (`None`: the home's own again). Written to a
/// temporary file and renamed over the old one, so a crash leaves the old choice or the new.
pub fn choose(home: &Path, dir: Option<&Path>) -> std::io::Result<()> {
    let file = home.join(LOCATION_FILE);
    let Some(dir) = dir.filter(|d| *d != home) else {
        return match std::fs::remove_file(&file) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        };
    };
    let text = dir.to_str().filter(|t| parse_location(t).is_ok()).ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("{}: not a plain absolute path", dir.display()))
    })?;
    std::fs::create_dir_all(home)?;
    let tmp = home.join(format!("{LOCATION_FILE}.tmp"));
    std::fs::write(&tmp, format!("{text}\n"))?;
    std::fs::rename(&tmp, &file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_switch_is_written_read_back_and_undone() {
        let home = tempfile::tempdir().unwrap();
        let other = tempfile::tempdir().unwrap();
        assert_eq!(chosen(home.path()), Ok(None), "no file: the home's own archive");
        choose(home.path(), Some(other.path())).unwrap();
        assert_eq!(chosen(home.path()), Ok(Some(other.path().to_owned())));
        // Switching to the home itself is the same as going back.
        choose(home.path(), Some(home.path())).unwrap();
        assert_eq!(chosen(home.path()), Ok(None));
        choose(home.path(), Some(other.path())).unwrap();
        choose(home.path(), None).unwrap();
        assert_eq!(chosen(home.path()), Ok(None));
        choose(home.path(), None).unwrap();
    }

    #[test]
    fn a_hostile_location_file_is_refused_with_its_name() {
        let home = tempfile::tempdir().unwrap();
        let file = home.path().join(LOCATION_FILE);
        for bad in ["", "relative/dir\n", "/a\n/b\n", "/a\0b", "\n"] {
            std::fs::write(&file, bad).unwrap();
            let err = chosen(home.path()).unwrap_err();
            assert!(err.contains(LOCATION_FILE), "{bad:?}: {err}");
        }
        std::fs::write(&file, vec![b'/'; 10_000]).unwrap();
        assert!(chosen(home.path()).is_err(), "a huge file is not read");
        std::fs::remove_file(&file).unwrap();
        std::fs::create_dir(&file).unwrap();
        assert!(chosen(home.path()).is_err(), "a folder in its place");
    }
}
