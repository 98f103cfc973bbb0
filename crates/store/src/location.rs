//! Which archive a home folder opens. The app's (and CLI's) *home* folder holds the default
//! archive; a `archive-location.txt` there names another archive folder the reader switched
//! to (a backup restored into a new archive from the window). The file is small, one
//! absolute path, written by rename, and read as hostile: anything else is refused with its
//! name, and the caller opens the home's own archive instead.
//!
//! Only archives this home made can be switched to: `archives-known.txt` lists the folders
//! its restores created. An archive file from elsewhere (a drive, a download) is not trusted
//! like one the app wrote — its rows name image files, hosts and device folders, its schema
//! carries triggers — so it comes in as a backup restored into a new archive, never opened.

use std::path::{Path, PathBuf};

/// The file in the home folder naming the archive folder in use.
pub const LOCATION_FILE: &str = "archive-location.txt";
/// The file in the home folder listing the archive folders its restores made.
pub const KNOWN_FILE: &str = "archives-known.txt";
/// A location file larger than this is not a path somebody wrote.
const MAX_LOCATION_BYTES: u64 = 4096;
/// Archives remembered (the oldest are forgotten first).
const MAX_KNOWN: usize = 64;

/// The archive folder the home's location file names, if it names one: `Err` says why the
/// file is unusable (the home's own archive is opened then).
pub fn chosen(home: &Path) -> Result<Option<PathBuf>, String> {
    let file = home.join(LOCATION_FILE);
    let Some(text) = read_small(&file, MAX_LOCATION_BYTES)? else { return Ok(None) };
    parse_location(&text).map(Some).map_err(|why| format!("{}: {why}", file.display()))
}

/// A small text file's contents (`None` when absent). Anything but a regular file (a FIFO
/// would block the open, a folder cannot be read) is refused before it is opened, and what is
/// read goes through a limit.
fn read_small(file: &Path, max: u64) -> Result<Option<String>, String> {
    use std::io::Read;
    let named = |e: std::io::Error| format!("{}: {e}", file.display());
    match std::fs::metadata(file) {
        Ok(m) if m.is_file() => {}
        Ok(_) => return Err(format!("{}: not a file", file.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(named(e)),
    }
    let mut bytes = Vec::new();
    std::fs::File::open(file).map_err(named)?.take(max + 1).read_to_end(&mut bytes).map_err(named)?;
    if bytes.len() as u64 > max {
        return Err(format!("{}: more than {max} bytes, not what Broadsheet wrote", file.display()));
    }
    String::from_utf8(bytes).map(Some).map_err(|_| format!("{}: not UTF-8 text", file.display()))
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

/// Whether `dir` can be written to the location file (UTF-8, absolute, no control
/// characters): checked before any work that would end in a switch to it.
pub fn can_name(dir: &Path) -> Result<(), String> {
    match dir.to_str() {
        Some(t) if parse_location(t).is_ok() => Ok(()),
        _ => Err(format!("{}: Broadsheet can only switch to a folder with a plain absolute path", dir.display())),
    }
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
    can_name(dir).map_err(|why| std::io::Error::new(std::io::ErrorKind::InvalidInput, why))?;
    write_by_rename(home, LOCATION_FILE, &format!("{}\n", dir.display()))
}

fn write_by_rename(home: &Path, name: &str, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    std::fs::create_dir_all(home)?;
    let tmp = home.join(format!("{name}.tmp"));
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, home.join(name))
}

/// The archive folders this home's restores made, oldest first (an unreadable list is none).
pub fn known(home: &Path) -> Vec<PathBuf> {
    let text = read_small(&home.join(KNOWN_FILE), MAX_KNOWN as u64 * (MAX_LOCATION_BYTES + 1)).ok().flatten();
    text.unwrap_or_default().lines().filter_map(|l| parse_location(l).ok()).collect()
}

/// Remembers `dir` as an archive this home made.
pub fn remember(home: &Path, dir: &Path) -> std::io::Result<()> {
    can_name(dir).map_err(|why| std::io::Error::new(std::io::ErrorKind::InvalidInput, why))?;
    let mut list: Vec<PathBuf> = known(home).into_iter().filter(|d| d != dir).collect();
    list.push(dir.to_owned());
    let from = list.len().saturating_sub(MAX_KNOWN);
    let text: String = list[from..].iter().map(|d| format!("{}\n", d.display())).collect();
    write_by_rename(home, KNOWN_FILE, &text)
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
        std::fs::write(&file, [0xff, 0xfe, b'/']).unwrap();
        assert!(chosen(home.path()).is_err(), "not UTF-8");
        #[cfg(unix)]
        {
            // A FIFO in its place would block an open with no writer: refused unopened.
            std::fs::remove_file(&file).unwrap();
            let made = std::process::Command::new("mkfifo").arg(&file).status();
            if made.is_ok_and(|s| s.success()) {
                assert!(chosen(home.path()).unwrap_err().contains("not a file"));
            }
        }
        std::fs::remove_file(&file).unwrap();
        std::fs::create_dir(&file).unwrap();
        assert!(chosen(home.path()).is_err(), "a folder in its place");
    }

    #[test]
    fn the_archives_a_home_made_are_remembered_once_each_and_boundedly() {
        let home = tempfile::tempdir().unwrap();
        assert!(known(home.path()).is_empty());
        let a = home.path().join("a");
        remember(home.path(), &a).unwrap();
        remember(home.path(), &a).unwrap();
        assert_eq!(known(home.path()), std::slice::from_ref(&a));
        for i in 0..100 {
            remember(home.path(), &home.path().join(format!("n{i}"))).unwrap();
        }
        let list = known(home.path());
        assert_eq!(list.len(), MAX_KNOWN);
        assert_eq!(list.last(), Some(&home.path().join("n99")));
        assert!(!list.contains(&a), "the oldest made way");
        assert!(remember(home.path(), Path::new("relative")).is_err());
    }
}
