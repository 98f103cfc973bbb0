//! `cargo xtask bench`: import and search speed on an archive made from the corpus, with a
//! baseline measured in the same run (a plain `LIKE` scan for search). Prints figures; asserts
//! nothing about time.

use std::path::Path;
use std::time::{Duration, Instant};

use broadsheet_import::{import_path, ImportOptions};
use broadsheet_model::SearchQuery;
use broadsheet_store::Store;

/// How many copies of the corpus posts the benchmark archive holds.
const COPIES: usize = 30;

fn main() {
    let corpus = broadsheet_testkit::corpus();
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    let posts = site.join("_posts");
    std::fs::create_dir_all(&posts).unwrap();
    std::fs::write(site.join("_config.yml"), "url: https://bench.example\ntimezone: Asia/Shanghai\n").unwrap();
    let mut n = 0;
    for name in ["finews", "jekyll-jekyll", "Huxpro-huxpro.github.io"] {
        for file in walk(&corpus.join(name).join("_posts")) {
            let text = std::fs::read(&file).unwrap();
            let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
            let ext = file.extension().map(|e| e.to_string_lossy().into_owned()).unwrap_or_default();
            for copy in 0..COPIES {
                std::fs::write(posts.join(format!("{stem}-c{copy}.{ext}")), &text).unwrap();
                n += 1;
            }
        }
    }

    let mut store = Store::open(&tmp.path().join("archive.sqlite3")).unwrap();
    let t = Instant::now();
    let report = import_path(&mut store, &site, ImportOptions::default(), &mut |_, _| {}).unwrap();
    let import_time = t.elapsed();
    println!(
        "import: {n} files, {} posts in {:.2} s = {:.0} posts/s",
        report.imported,
        import_time.as_secs_f64(),
        report.imported as f64 / import_time.as_secs_f64()
    );
    let t = Instant::now();
    let again = import_path(&mut store, &site, ImportOptions::default(), &mut |_, _| {}).unwrap();
    println!("re-import (all unchanged): {} posts in {:.2} s", again.unchanged, t.elapsed().as_secs_f64());

    let queries =
        ["股", "女性", "就业", "公司", "人民币", "新能源汽车", "jekyll", "release", "\"github pages\"", "AI 训练师"];
    let db = rusqlite::Connection::open(tmp.path().join("archive.sqlite3")).unwrap();
    println!("\nsearch over {} posts: FTS index vs LIKE scan baseline (mean of 20 runs)", report.imported);
    println!("{:<14} {:>8} {:>12} {:>12} {:>8}", "query", "hits", "index", "scan", "speed-up");
    for q in queries {
        let (hits, index) = time(|| {
            store.search(&SearchQuery { query: q.into(), limit: Some(50), ..Default::default() }).unwrap().len()
        });
        let needle = format!("%{}%", q.trim_matches('"').split(' ').next().unwrap());
        let (_, scan) = time(|| {
            db.query_row(
                "SELECT count(*) FROM (SELECT id FROM articles WHERE title LIKE ?1 OR text LIKE ?1 ORDER BY published_at DESC LIMIT 50)",
                [&needle],
                |r| r.get::<_, i64>(0),
            )
            .unwrap() as usize
        });
        println!(
            "{q:<14} {hits:>8} {:>10.2}ms {:>10.2}ms {:>7.1}x",
            ms(index),
            ms(scan),
            scan.as_secs_f64() / index.as_secs_f64()
        );
    }
    let size = std::fs::metadata(tmp.path().join("archive.sqlite3")).map(|m| m.len()).unwrap_or(0);
    println!("\narchive file: {:.1} MiB", size as f64 / 1048576.0);
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        if let Some(line) = status.lines().find(|l| l.starts_with("VmHWM")) {
            println!("peak memory: {}", line.trim_start_matches("VmHWM:").trim());
        }
    }
}

fn time<T>(mut f: impl FnMut() -> T) -> (T, Duration) {
    let first = f();
    let t = Instant::now();
    for _ in 0..20 {
        std::hint::black_box(f());
    }
    (first, t.elapsed() / 20)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.path().is_dir() {
            out.extend(walk(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
}
