//! `cargo xtask bench [--posts N]…`: the performance record. For each size (default 10,000
//! posts) it generates a finews-shaped site (seeded, so every run measures the same posts),
//! then prints — each beside a baseline measured in the same run — import, unchanged
//! re-import, search (first page) and list figures, the archive's size and peak memory, and
//! appends a row per figure to `docs/performance.md`. Asserts nothing about time.
//!
//! Baselines: `jekyll build` of the same posts — of the first 10,000 of them for a larger
//! site, scaled linearly (Jekyll is superlinear: 1,000 generated posts build in 2.3 s and
//! 10,000 in 211 s, so the scaling flatters Jekyll) — and `rg -l -F` over the same files.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use broadsheet_import::{import_path, ImportOptions};
use broadsheet_model::{ArticleQuery, Filters, SearchQuery};
use broadsheet_store::Store;

const SEED: u64 = 20_261_128;
const OUTLETS: usize = 2000;

fn main() {
    let mut sizes = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--posts" => sizes.push(args.next().and_then(|n| n.parse::<usize>().ok()).expect("--posts N")),
            "--bench" => {} // passed by `cargo bench`
            other => eprintln!("bench: ignoring {other:?}"),
        }
    }
    if sizes.is_empty() {
        sizes.push(10_000);
    }
    let machine = machine();
    println!("machine: {machine}");
    let mut jekyll = JekyllBaseline::default();
    let mut record = Vec::new();
    for n in sizes {
        let baseline = jekyll.for_posts(n);
        record.extend(run(n, baseline, &machine));
    }
    broadsheet_testkit::append_performance_record(&record);
}

/// The most posts Jekyll is run on (10,000 take it about 3.5 minutes here; 100,000 would take
/// hours, as its time grows faster than the posts).
const JEKYLL_MAX_POSTS: usize = 10_000;

/// `jekyll build` times measured in this run, by the number of posts built.
#[derive(Default)]
struct JekyllBaseline {
    measured: std::collections::HashMap<usize, Option<f64>>,
}

/// Jekyll's time for a site of some size: measured on it, or on its first
/// [`JEKYLL_MAX_POSTS`] and scaled.
#[derive(Clone, Copy)]
struct Jekyll {
    secs: f64,
    measured_on: usize,
    posts: usize,
}

impl Jekyll {
    fn label(&self) -> String {
        if self.measured_on == self.posts {
            format!("jekyll {:.0} s", self.secs)
        } else {
            format!("jekyll {:.0} s (scaled from {})", self.secs, self.measured_on)
        }
    }
}

impl JekyllBaseline {
    fn for_posts(&mut self, n: usize) -> Option<Jekyll> {
        let m = n.min(JEKYLL_MAX_POSTS);
        let secs = (*self.measured.entry(m).or_insert_with(|| jekyll_build(m)))?;
        Some(Jekyll { secs: secs * n as f64 / m as f64, measured_on: m, posts: n })
    }
}

/// Seconds for `jekyll build` of the first `n` generated posts (the same posts the bench
/// imports: the generator makes each post from the seed alone), if Jekyll is installed.
fn jekyll_build(n: usize) -> Option<f64> {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    broadsheet_testkit::generate_site(&site, n, OUTLETS, SEED);
    // As the fidelity test builds sites: posts only, Liquid off (bodies are raw HTML).
    let config = std::fs::read_to_string(site.join("_config.yml")).unwrap();
    std::fs::write(
        site.join("_config.yml"),
        format!(
            "{config}defaults:\n  - scope: {{path: \"\", type: posts}}\n    values: {{render_with_liquid: false}}\n"
        ),
    )
    .unwrap();
    let t = Instant::now();
    let out =
        broadsheet_testkit::jekyll_command().args(["build", "-q", "-d", "_site"]).current_dir(&site).output().ok()?;
    if !out.status.success() {
        eprintln!("bench: jekyll build failed: {}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    let secs = t.elapsed().as_secs_f64();
    println!("baseline: jekyll build of {n} posts: {secs:.2} s");
    Some(secs)
}

/// One figure for the record: (posts, what, Broadsheet, baseline, ratio text).
type Row = broadsheet_testkit::PerfRow;

fn run(n: usize, jekyll: Option<Jekyll>, _machine: &str) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    let t = Instant::now();
    let files = broadsheet_testkit::generate_site(&site, n, OUTLETS, SEED);
    let posts_bytes: u64 = files.iter().map(|f| std::fs::metadata(f).map_or(0, |m| m.len())).sum();
    println!(
        "\n== {n} posts ({:.0} MB of posts, {OUTLETS} outlets; generated in {:.1} s)",
        posts_bytes as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );

    let db = tmp.path().join("archive.sqlite3");
    let mut store = Store::open(&db).unwrap();
    let t = Instant::now();
    let report = import_path(&mut store, &site, ImportOptions::default(), &mut |_, _| {}).unwrap();
    let import = t.elapsed().as_secs_f64();
    println!(
        "import: {} posts in {import:.2} s = {:.0} posts/s; {}",
        report.imported,
        report.imported as f64 / import,
        jekyll.map_or("jekyll: n/a".into(), |j| format!("{} → {:.0}× faster", j.label(), j.secs / import))
    );
    rows.push((
        n,
        "import".into(),
        format!("{import:.2} s"),
        jekyll.map_or("n/a".into(), |j| j.label()),
        jekyll.map_or("".into(), |j| format!("{:.0}×", j.secs / import)),
    ));

    let t = Instant::now();
    let again = import_path(&mut store, &site, ImportOptions::default(), &mut |_, _| {}).unwrap();
    let resync = t.elapsed().as_secs_f64();
    println!("unchanged re-import: {} posts in {resync:.3} s", again.unchanged);
    rows.push((n, "unchanged re-scan".into(), format!("{:.0} ms", resync * 1000.0), "".into(), "".into()));

    // Near-duplicate detection over every post (done after each import and sync), beside
    // the import it follows.
    let shared = std::sync::Mutex::new(store);
    let t = Instant::now();
    let dups = broadsheet_import::find_duplicates(&shared).unwrap();
    let dup_secs = t.elapsed().as_secs_f64();
    let store = shared.into_inner().unwrap();
    println!(
        "duplicates: {} posts looked at in {dup_secs:.2} s = {:.0} µs per post ({} copies found); {:.0}% of the import's time",
        dups.looked_at,
        dup_secs * 1e6 / dups.looked_at.max(1) as f64,
        dups.copies,
        dup_secs * 100.0 / import
    );
    rows.push((
        n,
        "duplicate detection".into(),
        format!("{:.0} µs/post", dup_secs * 1e6 / dups.looked_at.max(1) as f64),
        format!("import {import:.1} s"),
        format!("{:.0}% of import", dup_secs * 100.0 / import),
    ));

    drop(store);
    let store = Store::open_reader(&db).unwrap();
    let size = std::fs::metadata(&db).map_or(0, |m| m.len())
        + std::fs::metadata(db.with_extension("sqlite3-wal")).map_or(0, |m| m.len());
    println!(
        "archive: {:.0} MB for {:.0} MB of posts ({:.2}×)",
        size as f64 / 1e6,
        posts_bytes as f64 / 1e6,
        size as f64 / posts_bytes as f64
    );
    rows.push((
        n,
        "archive size".into(),
        format!("{:.0} MB", size as f64 / 1e6),
        format!("posts {:.0} MB", posts_bytes as f64 / 1e6),
        format!("{:.2}×", size as f64 / posts_bytes as f64),
    ));

    // Queries with known hits: the commonest character, rare characters from the tail of
    // the distribution, and 2–4 character strings cut from real posts.
    let hanzi: Vec<char> = broadsheet_testkit::HANZI.chars().collect();
    let sample = std::fs::read_to_string(&files[n / 2]).unwrap();
    let body: Vec<char> = sample.split("<p>").nth(1).unwrap_or("").chars().filter(|c| !c.is_ascii()).collect();
    let cut = |from: usize, len: usize| body.iter().skip(from).take(len).collect::<String>();
    let queries = [
        ("common 1 char", hanzi[0].to_string()),
        ("rare 1 char", hanzi[hanzi.len() - 1].to_string()),
        ("2 chars", cut(3, 2)),
        ("3 chars", cut(10, 3)),
        ("4 chars", cut(20, 4)),
    ];
    println!("\nsearch, first page of 50 (p50 / p99 of 30 runs) vs rg -l -F over the files:");
    for (what, q) in &queries {
        let (hits, p50, p99) = timed(30, || {
            store.search(&SearchQuery { query: q.clone(), limit: Some(50), ..Default::default() }).unwrap().len()
        });
        let rg = rg_files(q, &site.join("_posts"));
        let line = match rg {
            Some((files, t)) => {
                format!("rg {:.0} ms ({files} files) → {:.1}×", ms(t), t.as_secs_f64() / p99.as_secs_f64())
            }
            None => "rg not installed".into(),
        };
        println!("  {what:<14} {q:<6} {hits:>3} hits  p50 {:>7.2} ms  p99 {:>7.2} ms   {line}", ms(p50), ms(p99));
        rows.push((
            n,
            format!("search {what} ({q})"),
            format!("p99 {:.1} ms", ms(p99)),
            rg.map_or("n/a".into(), |(_, t)| format!("rg {:.0} ms", ms(t))),
            rg.map_or("".into(), |(_, t)| format!("{:.1}×", t.as_secs_f64() / p99.as_secs_f64())),
        ));
    }

    // Lists: the largest category (outlets are skewed, outlet0 is the biggest), first and a
    // deep page; all articles; and the count a view header shows.
    let category = Filters { category: Some("outlet0".into()), ..Default::default() };
    let first = ArticleQuery { filters: category.clone(), limit: Some(200), ..Default::default() };
    let (_, _, p99_first) = timed(30, || store.list_articles(&first).unwrap().len());
    let mut deep = first.clone();
    let mut pages = 0;
    loop {
        let page = store.list_articles(&deep).unwrap();
        if page.len() < 200 || pages == 10 {
            break;
        }
        deep.before = page.last().map(|a| broadsheet_model::Cursor { timestamp: a.timestamp, id: a.id });
        pages += 1;
    }
    let (_, _, p99_deep) = timed(30, || store.list_articles(&deep).unwrap().len());
    let all = ArticleQuery { limit: Some(200), ..Default::default() };
    let (_, _, p99_all) = timed(30, || store.list_articles(&all).unwrap().len());
    println!(
        "\nlists (p99): largest category first page {:.1} ms, page {pages} {:.1} ms; all articles {:.1} ms",
        ms(p99_first),
        ms(p99_deep),
        ms(p99_all)
    );
    rows.push((n, "largest category, first page".into(), format!("p99 {:.1} ms", ms(p99_first)), "".into(), "".into()));
    rows.push((
        n,
        format!("largest category, page {pages}"),
        format!("p99 {:.1} ms", ms(p99_deep)),
        "".into(),
        "".into(),
    ));
    // Other views' first pages and the counts their headers show.
    let tag = Filters { tag: Some("第0号新闻".into()), ..Default::default() };
    let unread = Filters { unread: true, ..Default::default() };
    let page_of = |f: &Filters| ArticleQuery { filters: f.clone(), limit: Some(200), ..Default::default() };
    let (_, _, p99_tag) = timed(30, || store.list_articles(&page_of(&tag)).unwrap().len());
    let (_, _, p99_unread) = timed(30, || store.list_articles(&page_of(&unread)).unwrap().len());
    let mut counts = Vec::new();
    for (what, f) in
        [("all", Filters::default()), ("largest category", category.clone()), ("largest tag", tag), ("unread", unread)]
    {
        let (_, _, p99) = timed(30, || store.count_articles(&f).unwrap());
        counts.push(format!("{what} {:.1} ms", ms(p99)));
    }
    println!(
        "views (p99): largest site tag first page {:.1} ms; unread first page {:.1} ms; header counts: {}",
        ms(p99_tag),
        ms(p99_unread),
        counts.join(", ")
    );
    rows.push((n, "largest site tag, first page".into(), format!("p99 {:.1} ms", ms(p99_tag)), "".into(), "".into()));
    rows.push((n, "unread, first page".into(), format!("p99 {:.1} ms", ms(p99_unread)), "".into(), "".into()));
    rows.push((n, "view counts (p99)".into(), counts.join("; "), "".into(), "".into()));
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        if let Some(line) = status.lines().find(|l| l.starts_with("VmHWM")) {
            let peak = line.trim_start_matches("VmHWM:").trim().to_string();
            println!("peak memory of the bench process: {peak}");
            rows.push((n, "peak memory (import + queries)".into(), peak, "".into(), "".into()));
        }
    }
    drop(store);
    if let Some(app) = std::env::var_os("BROADSHEET_APP").filter(|a| !a.is_empty()) {
        match app_startup(Path::new(&app), tmp.path()) {
            Ok(marks) => {
                let mut ms: Vec<u64> = marks.iter().map(|m| m.0).collect();
                ms.sort();
                let rss = marks.iter().filter_map(|m| m.1).max();
                println!(
                    "app start-up to first rows drawn (release app, {} launches): median {} ms; resident memory then: {}",
                    ms.len(),
                    ms[ms.len() / 2],
                    rss.map_or("n/a".into(), |kb| format!("{} MB", kb / 1024))
                );
                rows.push((
                    n,
                    "start-up to first rows (median of 3)".into(),
                    format!("{} ms", ms[ms.len() / 2]),
                    "".into(),
                    "".into(),
                ));
                if let Some(kb) = rss {
                    rows.push((
                        n,
                        "app resident memory after load".into(),
                        format!("{} MB", kb / 1024),
                        "".into(),
                        "".into(),
                    ));
                }
            }
            Err(e) => println!("app start-up not measured: {e}"),
        }
    }
    rows
}

/// Starts the release app three times on the archive in `data_dir` (with `BROADSHEET_STARTUP_MARK`
/// and `BROADSHEET_EXIT_AFTER_MARK`), returning each launch's (ms to first rows, resident kB).
fn app_startup(app: &Path, data_dir: &Path) -> Result<Vec<(u64, Option<u64>)>, String> {
    let mut marks = Vec::new();
    for launch in 0..3 {
        let mark = data_dir.join(format!("startup-mark-{launch}.json"));
        let mut child = Command::new(app)
            .arg(format!("--data-dir={}", data_dir.display()))
            .env("BROADSHEET_STARTUP_MARK", &mark)
            .env("BROADSHEET_EXIT_AFTER_MARK", "1")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", app.display()))?;
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(120) && !matches!(child.try_wait(), Ok(Some(_))) {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        let text = std::fs::read_to_string(&mark).map_err(|e| format!("no mark after launch {launch}: {e}"))?;
        let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("bad mark {text}: {e}"))?;
        marks.push((v["first_rows_ms"].as_u64().unwrap_or(0), v["rss_kb"].as_u64()));
    }
    Ok(marks)
}

/// (files listed, time) for `rg -l -F query dir`, best of 3.
fn rg_files(query: &str, dir: &Path) -> Option<(usize, Duration)> {
    let mut best = Duration::MAX;
    let mut files = 0;
    for _ in 0..3 {
        let t = Instant::now();
        let out = Command::new("rg").args(["-l", "-F", query]).arg(dir).output().ok()?;
        best = best.min(t.elapsed());
        files = out.stdout.iter().filter(|&&b| b == b'\n').count();
    }
    Some((files, best))
}

/// (first result, p50, p99) of `runs` timed calls.
fn timed<T>(runs: usize, mut f: impl FnMut() -> T) -> (T, Duration, Duration) {
    let first = f();
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed()
        })
        .collect();
    times.sort();
    let p = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    (first, p(0.5), p(0.99))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!("{cpu}, {cores} cores, {}", std::env::consts::OS)
}
