//! `cargo xtask fuzz [--seconds N] [--sanitizer address|none] [TARGET…]`: runs the
//! cargo-fuzz targets in `fuzz/` for N seconds each (installing cargo-fuzz if missing), after
//! seeding their corpora from `../shared/corpus`, the sample site and `fuzz/seeds/`.
//!
//! The corpus copies land in `fuzz/corpus/<target>/` (git-ignored) at run time: corpus prose
//! never enters the repository. A crash, a hang (`-timeout`) or a memory blow-up
//! (`-rss_limit_mb`) fails the run, naming the input saved under `fuzz/artifacts/<target>/`.
//!
//! On a stable toolchain the address sanitizer is still used when rust-std ships its runtime
//! (`RUSTC_BOOTSTRAP=1` lets rustc take `-Zsanitizer`); otherwise, or with `--sanitizer none`,
//! targets run with coverage only, which still finds panics, hangs and blow-ups.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{sh, Result};

const DEFAULT_SECONDS: u64 = 60;
/// A single input taking longer than this is a hang.
const TIMEOUT_SECONDS: u64 = 10;
/// Resident memory past this is a blow-up (with the address sanitizer, so is one malloc this big).
const RSS_LIMIT_MB: u64 = 2048;
/// libFuzzer's longest input: room for the longest corpus post and a feed around it. Longer
/// seeds are left out.
const MAX_LEN: u64 = 128 * 1024;

pub fn run(args: &[String]) -> Result {
    let opts = Options::parse(args)?;
    let root = sh::root();
    let fuzz_dir = root.join("fuzz");
    let all = targets(&fuzz_dir)?;
    let chosen: Vec<String> = if opts.targets.is_empty() { all.clone() } else { opts.targets.clone() };
    if let Some(bad) = chosen.iter().find(|t| !all.contains(t)) {
        return Err(format!("no fuzz target {bad:?}; the targets are: {}", all.join(", ")));
    }

    ensure_cargo_fuzz()?;
    let bootstrap = sanitizer_needs_bootstrap(&opts.sanitizer)?;
    refresh_lockfile(&root, &fuzz_dir)?;
    let posts = corpus_posts(&root);
    for target in &chosen {
        let n = seed(&fuzz_dir, target, &posts)?;
        eprintln!("xtask: seeded fuzz/corpus/{target}/ with {n} files");
    }

    let mut failures = Vec::new();
    for target in &chosen {
        let artifacts = fuzz_dir.join("artifacts").join(target);
        let before = list(&artifacts);
        let mut cmd = cargo_fuzz(&fuzz_dir, bootstrap);
        cmd.args(["run", "--sanitizer", &opts.sanitizer, target])
            .arg(format!("corpus/{target}"))
            .arg("--")
            .arg(format!("-max_total_time={}", opts.seconds))
            .arg(format!("-timeout={TIMEOUT_SECONDS}"))
            .arg(format!("-rss_limit_mb={RSS_LIMIT_MB}"))
            .arg(format!("-malloc_limit_mb={RSS_LIMIT_MB}"))
            .arg(format!("-max_len={MAX_LEN}"))
            .arg("-print_final_stats=1");
        let outcome = sh::run(&mut cmd);
        let new: Vec<PathBuf> = list(&artifacts).difference(&before).cloned().collect();
        if outcome.is_err() || !new.is_empty() {
            let named = if new.is_empty() {
                "no artifact saved (a build error, or libFuzzer stopped: see above)".to_string()
            } else {
                new.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
            };
            eprintln!("xtask: fuzz target {target} FAILED: {named}");
            failures.push(format!("{target}: {named}"));
        } else {
            eprintln!("xtask: fuzz target {target}: no crash, hang or blow-up in {} s", opts.seconds);
        }
    }
    if failures.is_empty() {
        eprintln!("xtask: {} fuzz target(s) ran {} s each without a failure", chosen.len(), opts.seconds);
        Ok(())
    } else {
        Err(format!(
            "fuzzing failed:\n  {}\nreproduce with `cd fuzz && cargo fuzz run TARGET ARTIFACT` \
             (on stable, with RUSTC_BOOTSTRAP=1 or --sanitizer none)",
            failures.join("\n  ")
        ))
    }
}

struct Options {
    seconds: u64,
    sanitizer: String,
    targets: Vec<String>,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options> {
        let mut opts = Options { seconds: DEFAULT_SECONDS, sanitizer: "address".into(), targets: Vec::new() };
        let mut it = args.iter();
        while let Some(a) = it.next() {
            match a.as_str() {
                "--seconds" => {
                    let v = it.next().ok_or("--seconds needs a number")?;
                    opts.seconds = v.parse().map_err(|_| format!("--seconds {v:?} is not a number of seconds"))?;
                }
                "--sanitizer" => {
                    let v = it.next().ok_or("--sanitizer needs address or none")?;
                    if v != "address" && v != "none" {
                        return Err(format!("--sanitizer {v:?}: use address or none"));
                    }
                    opts.sanitizer = v.clone();
                }
                s if s.starts_with('-') => return Err(format!("unknown option {s:?}")),
                t => opts.targets.push(t.to_string()),
            }
        }
        if opts.seconds == 0 {
            return Err("--seconds must be at least 1".into());
        }
        Ok(opts)
    }
}

/// Target names: the files in `fuzz/fuzz_targets/`.
fn targets(fuzz_dir: &Path) -> Result<Vec<String>> {
    let dir = fuzz_dir.join("fuzz_targets");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(|e| e.ok()?.file_name().to_str()?.strip_suffix(".rs").map(String::from))
        .collect();
    names.sort();
    Ok(names)
}

fn cargo_fuzz(fuzz_dir: &Path, bootstrap: bool) -> Command {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(fuzz_dir).arg("fuzz").env("RUST_BACKTRACE", "1");
    if bootstrap {
        cmd.env("RUSTC_BOOTSTRAP", "1");
    }
    cmd
}

fn ensure_cargo_fuzz() -> Result {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    if sh::read(&cargo, &["fuzz", "--version"]).is_some() {
        return Ok(());
    }
    sh::run(sh::command(&cargo).args(["install", "cargo-fuzz", "--locked"]))
}

/// Whether `RUSTC_BOOTSTRAP=1` is needed for the sanitizer asked for. The address sanitizer
/// needs `-Zsanitizer`: fine on nightly, and on stable when rust-std has the runtime.
fn sanitizer_needs_bootstrap(sanitizer: &str) -> Result<bool> {
    if sanitizer == "none" {
        return Ok(false);
    }
    let version = sh::read("rustc", &["--version"]).unwrap_or_default();
    if version.contains("-nightly") || version.contains("-dev") {
        return Ok(false);
    }
    let libdir = sh::read("rustc", &["--print", "target-libdir"]).unwrap_or_default();
    let has_runtime = fs::read_dir(libdir.trim())
        .map(|d| d.filter_map(|e| e.ok()).any(|e| e.file_name().to_string_lossy().ends_with("_rt.asan.a")))
        .unwrap_or(false);
    if has_runtime {
        Ok(true)
    } else {
        Err("this Rust toolchain has no address-sanitizer runtime; use `--sanitizer none`".into())
    }
}

/// The fuzz crate is its own workspace; its lockfile starts as a copy of the workspace's so
/// the fuzzed code runs with the app's dependency versions.
fn refresh_lockfile(root: &Path, fuzz_dir: &Path) -> Result {
    let (from, to) = (root.join("Cargo.lock"), fuzz_dir.join("Cargo.lock"));
    let modified = |p: &Path| fs::metadata(p).and_then(|m| m.modified()).ok();
    if modified(&to).is_none() || modified(&from) > modified(&to) {
        fs::copy(&from, &to).map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()))?;
    }
    Ok(())
}

/// Files under `dir`, recursively.
fn list(dir: &Path) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    let Ok(entries) = fs::read_dir(dir) else { return out };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(list(&p));
        } else {
            out.insert(p);
        }
    }
    out
}

/// A post from the corpus or the sample site: where it came from and its bytes.
struct Post {
    /// The corpus folder (`finews`, …) or `sample`.
    site: String,
    /// `<site>-<file name>`, unique across sites, for seed names.
    name: String,
    bytes: Vec<u8>,
}

impl Post {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    /// Front matter `title:` (quotes dropped) and the body after the front matter.
    fn title_and_body(&self) -> (String, String) {
        let text = self.text();
        let trimmed = text.trim_start_matches('\u{feff}').trim_start();
        let Some(after) = trimmed.strip_prefix("---") else { return (String::new(), text) };
        let (front, body) = match after.find("\n---") {
            Some(i) => (&after[..i], after[i + 4..].trim_start_matches(['-', '\r', '\n'])),
            None => ("", after),
        };
        let title = front
            .lines()
            .find_map(|l| l.strip_prefix("title:"))
            .map(|t| t.trim().trim_matches(['"', '\'']).to_string())
            .unwrap_or_default();
        (title, body.to_string())
    }
}

/// Posts of `../shared/corpus` (every `_posts/**` file of each site) and the sample site.
fn corpus_posts(root: &Path) -> Vec<Post> {
    let mut posts = Vec::new();
    let mut add_site = |site: &str, posts_dir: PathBuf| {
        for path in list(&posts_dir) {
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if !matches!(ext, "md" | "markdown" | "html") {
                continue;
            }
            let small = fs::metadata(&path).is_ok_and(|m| m.len() <= MAX_LEN);
            if let (true, Ok(bytes)) = (small, fs::read(&path)) {
                let rel = path.strip_prefix(&posts_dir).unwrap_or(&path).to_string_lossy().replace(['/', '\\'], "_");
                posts.push(Post { site: site.to_string(), name: format!("{site}-{rel}"), bytes });
            }
        }
    };
    let corpus = root.join("../shared/corpus");
    match fs::read_dir(&corpus) {
        Ok(sites) => {
            let mut sites: Vec<PathBuf> = sites.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
            sites.sort();
            for site in sites {
                let name = site.file_name().unwrap_or_default().to_string_lossy().into_owned();
                add_site(&name, site.join("_posts"));
            }
        }
        Err(_) => {
            eprintln!("xtask: note: {} is missing; seeding from the sample site and fuzz/seeds only", corpus.display())
        }
    }
    add_site("sample", root.join("crates/sample/site/_posts"));
    posts
}

/// Fills `fuzz/corpus/<target>/` with seeds (named `seed-…`, rewritten each run; the
/// fuzzer's own finds beside them are kept). Returns the number of seeds written.
fn seed(fuzz_dir: &Path, target: &str, posts: &[Post]) -> Result<usize> {
    let dir = fuzz_dir.join("corpus").join(target);
    fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut seeds: Vec<(String, Vec<u8>)> = Vec::new();
    // Hand-written seeds, our own writing, kept in the repository.
    for path in list(&fuzz_dir.join("seeds").join(target)) {
        if let Ok(bytes) = fs::read(&path) {
            let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
            seeds.push((format!("seed-{name}"), bytes));
        }
    }
    match target {
        "jekyll_post" => {
            seeds.extend(posts.iter().map(|p| (format!("seed-{}", p.name), p.bytes.clone())));
        }
        "jekyll_config" => {
            let config = sh::root().join("crates/sample/site/_config.yml");
            if let Ok(bytes) = fs::read(&config) {
                seeds.push(("seed-sample-_config.yml".into(), bytes));
            }
        }
        "html" => {
            seeds.extend(posts.iter().map(|p| (format!("seed-{}", p.name), p.title_and_body().1.into_bytes())));
        }
        "feed" => {
            for (i, p) in posts.iter().enumerate() {
                let (kind, doc) = match i % 3 {
                    0 => ("rss", rss(std::slice::from_ref(p))),
                    1 => ("atom", atom(std::slice::from_ref(p))),
                    _ => ("json", json_feed(std::slice::from_ref(p))),
                };
                seeds.push((format!("seed-{kind}-{}", p.name), doc.into_bytes()));
            }
            for (i, chunk) in posts.chunks(12).enumerate() {
                seeds.push((format!("seed-rss-many-{i}"), rss(chunk).into_bytes()));
                seeds.push((format!("seed-atom-many-{i}"), atom(chunk).into_bytes()));
                seeds.push((format!("seed-json-many-{i}"), json_feed(chunk).into_bytes()));
            }
        }
        "opml" => {
            let mut sites: Vec<&str> = posts.iter().map(|p| p.site.as_str()).collect();
            sites.dedup();
            seeds.push(("seed-corpus-sites.opml".into(), opml(&sites).into_bytes()));
        }
        "backup_restore" => {
            for (i, chunk) in posts.chunks(8).enumerate() {
                seeds.push((format!("seed-backup-{i}.json"), backup(chunk).into_bytes()));
            }
        }
        "search_query" => {
            for p in posts {
                let (title, _) = p.title_and_body();
                let words: Vec<&str> = title.split_whitespace().collect();
                if let Some(first) = words.first() {
                    let prefix = first.chars().take(2).collect::<String>();
                    seeds.push((format!("seed-word-{}", p.name), format!("{prefix}*").into_bytes()));
                }
                if !title.is_empty() {
                    seeds.push((format!("seed-title-{}", p.name), format!("\"{title}\"").into_bytes()));
                }
            }
        }
        _ => {}
    }
    seeds.retain(|(_, bytes)| (bytes.len() as u64) <= MAX_LEN);
    for (name, bytes) in &seeds {
        let path = dir.join(safe_name(name));
        fs::write(&path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(seeds.len())
}

fn safe_name(name: &str) -> String {
    let s: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '_' }).collect();
    s.chars().take(120).collect()
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn slug(p: &Post) -> String {
    safe_name(&p.name)
}

fn rss(posts: &[Post]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" \
         xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" xmlns:media=\"http://search.yahoo.com/mrss/\">\n\
         <channel><title>Seed feed</title><link>https://example.com/</link><language>zh-CN</language>\n",
    );
    for (i, p) in posts.iter().enumerate() {
        let (title, body) = p.title_and_body();
        let _ = writeln!(
            s,
            "<item><title>{}</title><link>https://example.com/{}.html</link><guid>{}</guid>\
             <pubDate>Wed, 08 Dec 2021 05:16:{:02} GMT</pubDate><category>emnews</category>\
             <description>{}</description><content:encoded><![CDATA[{}]]></content:encoded>\
             <media:content url=\"https://img.example.com/{i}.jpg\" type=\"image/jpeg\"/></item>",
            xml_escape(&title),
            slug(p),
            slug(p),
            i % 60,
            xml_escape(&title),
            body.replace("]]>", "]]&gt;"),
        );
    }
    s.push_str("</channel></rss>\n");
    s
}

fn atom(posts: &[Post]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\">\n\
         <title type=\"html\">Seed &amp; feed</title><link href=\"https://example.com/feed.xml\" rel=\"self\"/>\
         <link href=\"https://example.com/\" rel=\"alternate\" type=\"text/html\"/><id>https://example.com/feed.xml</id>\
         <updated>2021-12-08T13:16:19+08:00</updated>\n",
    );
    for p in posts {
        let (title, body) = p.title_and_body();
        let _ = writeln!(
            s,
            "<entry><title type=\"html\">{}</title><link href=\"/{}.html\" rel=\"alternate\"/>\
             <id>tag:example.com,2021:{}</id><published>2021-12-08T13:16:19+08:00</published>\
             <category term=\"news\" label=\"新闻\"/><content type=\"html\" xml:base=\"https://example.com/posts/\">{}</content>\
             <summary type=\"text\">{}</summary></entry>",
            xml_escape(&title),
            slug(p),
            slug(p),
            xml_escape(&body),
            xml_escape(&title),
        );
    }
    s.push_str("</feed>\n");
    s
}

fn json_feed(posts: &[Post]) -> String {
    let items: Vec<String> = posts
        .iter()
        .map(|p| {
            let (title, body) = p.title_and_body();
            format!(
                "{{\"id\":{},\"url\":\"https://example.com/{}.html\",\"title\":{},\"content_html\":{},\
                 \"date_published\":\"2021-12-08T13:16:19+08:00\",\"tags\":[\"emnews\"],\
                 \"image\":\"https://img.example.com/a.png\"}}",
                json_string(&slug(p)),
                slug(p),
                json_string(&title),
                json_string(&body)
            )
        })
        .collect();
    format!(
        "{{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"Seed feed\",\
         \"home_page_url\":\"https://example.com/\",\"feed_url\":\"https://example.com/feed.json\",\
         \"language\":\"zh-CN\",\"items\":[{}]}}\n",
        items.join(",")
    )
}

fn opml(sites: &[&str]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\"><head><title>Corpus sites</title></head><body>\n\
         <outline text=\"News\" title=\"News\">\n",
    );
    for site in sites {
        let _ = writeln!(
            s,
            "<outline type=\"rss\" text=\"{site}\" title=\"{site} &amp; co\" xmlUrl=\"https://{site}.example/feed.xml\" \
             htmlUrl=\"https://{site}.example/\"/>"
        );
    }
    s.push_str("</outline></body></opml>\n");
    s
}

/// A backup in the shape `broadsheet export --format json` writes, around `posts`.
fn backup(posts: &[Post]) -> String {
    let mut sources: Vec<&str> = posts.iter().map(|p| p.site.as_str()).collect();
    sources.dedup();
    let sources: Vec<String> = sources
        .iter()
        .map(|s| {
            format!(
                "{{\"kind\":\"jekyll-folder\",\"location\":\"/data/{s}\",\"name\":{},\"site_url\":\"https://{s}.example\",\
                 \"lang\":\"zh-CN\",\"created_at\":1700000000,\"removed_at\":null}}",
                json_string(s)
            )
        })
        .collect();
    let articles: Vec<String> = posts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let (title, body) = p.title_and_body();
            let source = &p.site;
            let excerpt: String = body.chars().take(160).collect();
            format!(
                "{{\"source\":\"/data/{source}\",\"key\":{},\"title\":{},\"published_at\":{},\"utc_offset_min\":480,\
                 \"url\":\"https://{source}.example/emnews/2021/12/08/{}.html\",\"lang\":\"zh-CN\",\"html\":{},\"text\":{},\"excerpt\":{},\
                 \"extra\":{{\"layout\":\"post\"}},\"content_hash\":\"{i:064x}\",\"removed_upstream\":{},\
                 \"imported_at\":1700000000,\"updated_at\":1700000000,\
                 \"categories\":[{{\"slug\":\"emnews\",\"name\":\"东财滚动新闻\"}}],\"tags\":[\"东财滚动新闻\"],\
                 \"images\":[\"https://img.example.com/{i}.jpg\"],\"bookmarked_at\":{},\"read_at\":{},\
                 \"user_tags\":{}}}",
                json_string(&p.name),
                json_string(&title),
                1_638_940_579 + i as i64,
                slug(p),
                json_string(&body),
                json_string(&body),
                json_string(&excerpt),
                i % 5 == 4,
                if i % 2 == 0 { "1700000100" } else { "null" },
                if i % 3 == 0 { "1700000200" } else { "null" },
                if i % 4 == 0 { "[\"later\"]" } else { "[]" },
            )
        })
        .collect();
    format!(
        "{{\"format\":\"broadsheet-backup\",\"version\":1,\"exported_at\":1700000300,\"sources\":[{}],\
         \"articles\":[{}],\"user_tags\":[\"later\",\"unused\"]}}\n",
        sources.join(","),
        articles.join(",")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_options_and_targets() {
        let args: Vec<String> = ["--seconds", "5", "html", "--sanitizer", "none", "feed"].map(String::from).into();
        let o = Options::parse(&args).unwrap();
        assert_eq!((o.seconds, o.sanitizer.as_str(), o.targets), (5, "none", vec!["html".into(), "feed".into()]));
        assert!(Options::parse(&["--seconds".into(), "x".into()]).is_err());
        assert!(Options::parse(&["--sanitizer".into(), "memory".into()]).is_err());
    }

    #[test]
    fn splits_front_matter_from_body() {
        let p = Post {
            site: "s".into(),
            name: "s-a.md".into(),
            bytes: b"\n---\ntitle: \"A \"b\" c\"\n---\nBody\n".to_vec(),
        };
        assert_eq!(p.title_and_body(), ("A \"b\" c".into(), "Body\n".into()));
    }

    #[test]
    fn escapes_json_strings() {
        assert_eq!(json_string("a\"\\\n\u{1}中"), "\"a\\\"\\\\\\n\\u0001中\"");
    }
}
