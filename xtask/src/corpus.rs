//! The test corpus: real posts from three public Jekyll sites (see `xtask/corpus.tsv`).
//!
//! Tests read it in place and never copy it into the repository. It is found, in order, at
//! `BROADSHEET_CORPUS`, at `../shared/corpus` beside the checkout, or in the cache where
//! `cargo xtask corpus` put it: that command fetches every file from its repository at the
//! pinned commit and checks its SHA-256 before the copy counts. `cargo xtask test` passes
//! the folder it found to the tests as `BROADSHEET_CORPUS`; when there is none (offline, a
//! file changed upstream), the tests that need it record themselves as skipped and the
//! test command says so loudly at the end.

use std::path::{Path, PathBuf};

use crate::{setup, sh, Result};

/// Where the raw files are served: `{base}/{repository}/{commit}/{path}`.
const RAW_BASE: &str = "https://raw.githubusercontent.com";
/// Written last, after every file was checked: a folder without it is not a corpus. It
/// lists the files that could not be fetched because their commit is not known, so tests
/// that read one of those by name can tell a known gap from a broken copy.
const COMPLETE: &str = ".complete";
const UNKNOWN: &str = "unknown";

pub struct Entry {
    pub path: String,
    pub repo: String,
    pub commit: String,
    pub repo_path: String,
    pub sha256: String,
    pub bytes: u64,
}

pub fn manifest() -> Result<Vec<Entry>> {
    let file = sh::root().join("xtask/corpus.tsv");
    let text = std::fs::read_to_string(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    parse_manifest(&text).map_err(|e| format!("{}: {e}", file.display()))
}

fn parse_manifest(text: &str) -> Result<Vec<Entry>> {
    let mut out = Vec::new();
    for (no, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        let bad = |why: &str| format!("line {}: {why}", no + 1);
        let [path, repo, commit, repo_path, sha256, bytes] = f[..] else {
            return Err(bad("expected 6 tab-separated fields"));
        };
        // The manifest names where files land: never outside the corpus folder.
        let safe = |p: &str| {
            !p.is_empty()
                && !p.starts_with('/')
                && !p.contains('\\')
                && !p.contains(':')
                && p.split('/').all(|c| !c.is_empty() && c != "." && c != "..")
        };
        if !safe(path) || !safe(repo_path) || !safe(repo) {
            return Err(bad("unsafe path"));
        }
        // `unknown`: the copy's commit was not recorded; the file cannot be fetched.
        if commit != UNKNOWN && (commit.len() != 40 || !commit.bytes().all(|b| b.is_ascii_hexdigit())) {
            return Err(bad("commit is not 40 hex digits or `unknown`"));
        }
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad("sha256 is not 64 hex digits"));
        }
        out.push(Entry {
            path: path.into(),
            repo: repo.into(),
            commit: commit.into(),
            repo_path: repo_path.into(),
            sha256: sha256.to_ascii_lowercase(),
            bytes: bytes.parse().map_err(|_| bad("bytes is not a number"))?,
        });
    }
    Ok(out)
}

/// The corpus folder to test with, if there is one on this machine.
pub fn locate() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("BROADSHEET_CORPUS").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    let beside = sh::root().join("../shared/corpus");
    if beside.join("finews/_posts").is_dir() {
        return Some(beside);
    }
    let cached = cache_dir();
    cached.join(COMPLETE).is_file().then_some(cached)
}

/// The cache folder for this manifest's corpus (a new manifest gets a new folder).
fn cache_dir() -> PathBuf {
    let manifest = std::fs::read(sh::root().join("xtask/corpus.tsv")).unwrap_or_default();
    let digest = sha256_hex(&manifest);
    setup::cache_dir().join(format!("corpus-{}", &digest[..12]))
}

/// `cargo xtask corpus`: the corpus folder, fetched into the cache first if needed.
pub fn ensure() -> Result<PathBuf> {
    if let Some(dir) = locate() {
        eprintln!("xtask: test corpus at {}", dir.display());
        return Ok(dir);
    }
    let base = std::env::var("BROADSHEET_CORPUS_MIRROR").unwrap_or_else(|_| RAW_BASE.into());
    let dir = cache_dir();
    eprintln!("xtask: fetching the test corpus from {base} into {}", dir.display());
    fetch(&manifest()?, &base, &dir)?;
    Ok(dir)
}

/// Downloads every entry into `dir` (one curl, a few transfers at a time), checks sizes and
/// hashes, and marks the folder complete only when all of them match.
pub fn fetch(entries: &[Entry], base: &str, dir: &Path) -> Result {
    let incoming = dir.join(".incoming");
    let _ = std::fs::remove_dir_all(&incoming);
    std::fs::create_dir_all(&incoming).map_err(|e| format!("cannot create {}: {e}", incoming.display()))?;
    let mut config = String::new();
    let (fetchable, gaps): (Vec<&Entry>, Vec<&Entry>) = entries.iter().partition(|e| e.commit != UNKNOWN);
    for (i, e) in fetchable.iter().enumerate() {
        let url = format!("{}/{}/{}/{}", base.trim_end_matches('/'), e.repo, e.commit, encode_path(&e.repo_path));
        let output = incoming.join(i.to_string());
        config.push_str(&format!("url = \"{}\"\noutput = \"{}\"\n", quoted(&url), quoted(&output.to_string_lossy())));
    }
    // One file first, without retries: offline (or behind a wall), say so in seconds
    // instead of retrying every file.
    if let Some(first) = fetchable.first() {
        let url =
            format!("{}/{}/{}/{}", base.trim_end_matches('/'), first.repo, first.commit, encode_path(&first.repo_path));
        let probe = std::process::Command::new("curl")
            .args(["--silent", "--show-error", "--location", "--fail", "--max-time", "20", "--output"])
            .arg(incoming.join("probe"))
            .arg(&url)
            .output()
            .map_err(|e| format!("cannot run curl: {e}"))?;
        if !probe.status.success() {
            let _ = std::fs::remove_dir_all(&incoming);
            return Err(format!("cannot reach {base}: {}", String::from_utf8_lossy(&probe.stderr).trim()));
        }
    }
    let config_file = dir.join(".curl-config");
    std::fs::write(&config_file, config).map_err(|e| format!("cannot write {}: {e}", config_file.display()))?;
    // curl ships with Windows 10+, macOS and every Linux desktop. Failures are counted
    // below, file by file, rather than trusted from its exit status.
    let _ = sh::run(
        sh::command("curl")
            .args(["--silent", "--show-error", "--no-progress-meter", "--location", "--fail", "--parallel"])
            .args(["--parallel-max", "8"])
            .args(["--max-time", "120", "--retry", "2", "--max-filesize", "16777216", "--config"])
            .arg(&config_file),
    );
    let mut problems = Vec::new();
    for (i, e) in fetchable.iter().enumerate() {
        let got = incoming.join(i.to_string());
        let Ok(bytes) = std::fs::read(&got) else {
            problems.push(format!("{}: not downloaded", e.path));
            continue;
        };
        if bytes.len() as u64 != e.bytes || sha256_hex(&bytes) != e.sha256 {
            problems.push(format!("{}: content differs from the pinned file ({} bytes)", e.path, bytes.len()));
            continue;
        }
        let to = dir.join(&e.path);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(|err| format!("cannot create {}: {err}", parent.display()))?;
        }
        std::fs::rename(&got, &to).map_err(|err| format!("cannot move into {}: {err}", to.display()))?;
    }
    let _ = std::fs::remove_dir_all(&incoming);
    let _ = std::fs::remove_file(&config_file);
    if !problems.is_empty() {
        let shown: Vec<&str> = problems.iter().take(10).map(String::as_str).collect();
        return Err(format!(
            "{} of {} corpus files could not be fetched or did not match:\n  {}{}",
            problems.len(),
            entries.len(),
            shown.join("\n  "),
            if problems.len() > shown.len() { "\n  …" } else { "" }
        ));
    }
    let gap_list: String = gaps.iter().map(|e| format!("{}\n", e.path)).collect();
    for e in &gaps {
        eprintln!("xtask: note: {} has no pinned commit and is not in the fetched corpus", e.path);
    }
    std::fs::write(dir.join(COMPLETE), gap_list).map_err(|e| format!("cannot mark {} complete: {e}", dir.display()))
}

/// A value for a double-quoted curl config string (Windows paths have backslashes).
fn quoted(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Percent-encodes a repository path for a URL, keeping `/`.
fn encode_path(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// SHA-256 (FIPS 180-4), so the task runner stays free of dependencies.
pub fn sha256_hex(data: &[u8]) -> String {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
        0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
        0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
        0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
        0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
        0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
        0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] =
        [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    let mut msg = data.to_vec();
    let bits = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bits.to_be_bytes());
    for block in msg.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16].wrapping_add(s0).wrapping_add(w[i - 7]).wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh.wrapping_add(s1).wrapping_add(ch).wrapping_add(K[i]).wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            (hh, g, f, e, d, c, b, a) = (g, f, e, d.wrapping_add(t1), c, b, a, t1.wrapping_add(t2));
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(y);
        }
    }
    h.iter().map(|x| format!("{x:08x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};

    #[test]
    fn sha256_matches_the_standard_vectors() {
        assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        let long = b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
        assert_eq!(sha256_hex(long), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    }

    #[test]
    fn the_checked_in_manifest_is_well_formed_and_names_the_three_sites() {
        let entries = manifest().unwrap();
        assert!(entries.len() > 300, "{} entries", entries.len());
        for site in ["finews/", "jekyll-jekyll/", "Huxpro-huxpro.github.io/"] {
            assert!(entries.iter().any(|e| e.path.starts_with(site)), "{site}");
        }
    }

    #[test]
    fn manifests_naming_paths_outside_the_folder_are_refused() {
        let row = |path: &str| format!("{path}\to/r\t{}\tp.md\t{}\t1\n", "a".repeat(40), "b".repeat(64));
        assert!(parse_manifest(&row("site/_posts/a.md")).is_ok());
        for bad in ["../x.md", "/etc/passwd", "a/../../x", "a//b", "c:\\x", "a\\..\\b"] {
            assert!(parse_manifest(&row(bad)).is_err(), "{bad}");
        }
    }

    /// Serves `files` (URL path → body) over HTTP/1.0 on 127.0.0.1.
    fn serve(files: Vec<(String, Vec<u8>)>) -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut line = String::new();
                let _ = BufReader::new(&stream).read_line(&mut line);
                let path = line.split(' ').nth(1).unwrap_or("").to_string();
                let mut stream = stream;
                match files.iter().find(|(p, _)| *p == path) {
                    Some((_, body)) => {
                        let _ = write!(stream, "HTTP/1.0 200 OK\r\nContent-Length: {}\r\n\r\n", body.len());
                        let _ = stream.write_all(body);
                    }
                    None => {
                        let _ = stream.write_all(b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n");
                    }
                }
            }
        });
        base
    }

    fn entry(path: &str, repo_path: &str, body: &[u8]) -> Entry {
        Entry {
            path: path.into(),
            repo: "owner/site".into(),
            commit: "c".repeat(40),
            repo_path: repo_path.into(),
            sha256: sha256_hex(body),
            bytes: body.len() as u64,
        }
    }

    #[test]
    fn fetching_checks_every_file_and_marks_the_folder_complete_only_when_all_match() {
        if sh::read("curl", &["--version"]).is_none() {
            panic!("curl is needed to fetch the corpus; `cargo xtask test` installs it");
        }
        let commit = "c".repeat(40);
        let good = entry("site/_posts/2024-01-01-a.md", "_posts/2024-01-01-a.md", "---\ntitle: 甲\n---\n".as_bytes());
        let sub = entry("site/_posts/sub/b c.md", "_posts/sub/b c.md", b"b");
        let changed = entry("site/_posts/x.md", "_posts/x.md", b"pinned");
        let base = serve(vec![
            (format!("/owner/site/{commit}/_posts/2024-01-01-a.md"), "---\ntitle: 甲\n---\n".as_bytes().to_vec()),
            (format!("/owner/site/{commit}/_posts/sub/b%20c.md"), b"b".to_vec()),
            (format!("/owner/site/{commit}/_posts/x.md"), b"edited".to_vec()),
        ]);
        let good_again =
            || entry("site/_posts/2024-01-01-a.md", "_posts/2024-01-01-a.md", "---\ntitle: 甲\n---\n".as_bytes());
        let dir = std::env::temp_dir().join(format!("xtask-corpus-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);

        let err =
            fetch(&[entry(&good.path, &good.repo_path, "---\ntitle: 甲\n---\n".as_bytes()), changed], &base, &dir)
                .unwrap_err();
        assert!(err.contains("site/_posts/x.md: content differs"), "{err}");
        assert!(!dir.join(COMPLETE).exists(), "a partial corpus must not count");

        let missing = entry("site/_posts/gone.md", "_posts/gone.md", b"?");
        let err = fetch(&[good_again(), missing], &base, &dir).unwrap_err();
        assert!(err.contains("site/_posts/gone.md: not downloaded"), "{err}");
        let err = fetch(&[good_again()], "http://127.0.0.1:9", &dir).unwrap_err();
        assert!(err.starts_with("cannot reach http://127.0.0.1:9"), "an unreachable mirror fails at once: {err}");

        let mut unpinned = entry("site/_posts/lost.md", "_posts/lost.md", b"?");
        unpinned.commit = UNKNOWN.into();
        fetch(&[good, sub, unpinned], &base, &dir).unwrap();
        assert_eq!(std::fs::read_to_string(dir.join(COMPLETE)).unwrap(), "site/_posts/lost.md\n");
        assert_eq!(std::fs::read(dir.join("site/_posts/sub/b c.md")).unwrap(), b"b");
        assert!(std::fs::read_to_string(dir.join("site/_posts/2024-01-01-a.md")).unwrap().contains("甲"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
