//! Helpers for tests (dev-dependency only).
//!
//! Invariant: tests read the shared corpus in place and never copy it into the repository;
//! copies go to temporary folders. A test that needs the corpus starts with
//! [`needs_corpus!`], which skips it (and records the skip for `cargo xtask test`'s
//! summary) on a clone that has no corpus, instead of failing or passing silently.

use std::path::{Path, PathBuf};

/// The corpus folder: `BROADSHEET_CORPUS` (set by `cargo xtask test`, which also finds a
/// copy fetched by `cargo xtask corpus`), else `../shared/corpus` beside the checkout.
pub fn find_corpus() -> Option<PathBuf> {
    // A folder counts only if it holds the sites (a wrong variable skips loudly, not oddly).
    let holds_sites = |dir: &Path| dir.join("finews/_posts").is_dir() && dir.join("jekyll-jekyll/_posts").is_dir();
    if let Some(dir) = std::env::var_os("BROADSHEET_CORPUS").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir)).filter(|d| holds_sites(d));
    }
    let beside = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    holds_sites(&beside).then_some(beside)
}

/// The corpus folder (three Jekyll sites' posts). Tests call [`needs_corpus!`] first.
pub fn corpus() -> PathBuf {
    find_corpus().expect("no test corpus: start the test with broadsheet_testkit::needs_corpus!()")
}

/// One corpus site: `finews`, `jekyll-jekyll` or `Huxpro-huxpro.github.io`.
pub fn corpus_site(site: &str) -> PathBuf {
    corpus().join(site)
}

/// Whether `path` (relative to the corpus) is a known gap of a corpus fetched by `cargo xtask
/// corpus`: a file whose source commit was never recorded, listed in its `.complete`.
pub fn corpus_gap(path: &str) -> bool {
    find_corpus()
        .and_then(|dir| std::fs::read_to_string(dir.join(".complete")).ok())
        .is_some_and(|gaps| gaps.lines().any(|l| l == path))
}

/// Whether the current test must be skipped for want of the corpus; if so, says so on
/// stderr and appends `what` to the file named by `BROADSHEET_SKIPPED_LOG`.
#[doc(hidden)]
pub fn skip_without_corpus(what: &str) -> bool {
    if find_corpus().is_some() {
        return false;
    }
    let thread = std::thread::current();
    let name = thread.name().filter(|n| *n != "main" && !n.starts_with("tokio"));
    let line = match name {
        Some(test) => format!("{test} ({what})"),
        None => what.to_string(),
    };
    eprintln!("SKIPPED for want of the test corpus: {line}");
    if let Some(log) = std::env::var_os("BROADSHEET_SKIPPED_LOG") {
        use std::io::Write;
        if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(log) {
            let _ = writeln!(f, "{line}");
        }
    }
    true
}

/// Returns from the enclosing test when there is no corpus on this machine, recording the
/// skip (see the crate docs).
#[macro_export]
macro_rules! needs_corpus {
    () => {
        if $crate::skip_without_corpus(concat!(file!(), ":", line!())) {
            return;
        }
    };
}

/// A command running Jekyll. On Windows RubyGems installs `jekyll.bat`, which
/// `Command::new("jekyll")` does not find (only `.exe` is tried), so it goes through Ruby.
pub fn jekyll_command() -> std::process::Command {
    if cfg!(windows) {
        let mut c = std::process::Command::new("ruby");
        c.args(["-S", "jekyll"]);
        c
    } else {
        std::process::Command::new("jekyll")
    }
}

/// Copies a folder tree (a site into a test's temporary folder).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())).flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap_or_else(|e| panic!("{}: {e}", target.display()));
        }
    }
}

/// A small deterministic random source (SplitMix64), so generated sites are the same on
/// every machine for a given seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    /// Skewed towards small values, like finews' outlets (a few publish most posts).
    pub fn skewed(&mut self, n: u64) -> u64 {
        let u = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        ((n as f64).powf(u) - 1.0).floor() as u64 % n.max(1)
    }
}

/// Common Chinese characters of news text, for generated bodies and titles.
/// Ordered roughly by frequency: the generator picks early ones most often.
pub const HANZI: &str = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞股债基金银行利率涨跌板块市场投资者";

/// Writes a finews-shaped Jekyll site of `n` posts under `dir` (`_config.yml` and
/// `_posts/`), deterministic for `seed`: quoted titles, `+0800` dates a few minutes apart,
/// one category slug per post from `categories` outlets (skewed: a few carry most posts)
/// with its Chinese tag, HTML bodies of realistic length with 1–3 hot-linked images and a
/// "返回" link. Returns the post paths in order.
pub fn generate_site(dir: &Path, n: usize, categories: usize, seed: u64) -> Vec<PathBuf> {
    let mut rng = Rng::new(seed);
    let posts = dir.join("_posts");
    std::fs::create_dir_all(&posts).unwrap();
    std::fs::write(
        dir.join("_config.yml"),
        "title: 生成的新闻\nurl: https://news.generated.invalid\ntimezone: Asia/Shanghai\nlang: zh-CN\n",
    )
    .unwrap();
    let hanzi: Vec<char> = HANZI.chars().collect();
    let text = |rng: &mut Rng, len: usize| -> String {
        // Skewed like real text: a few characters are everywhere, most are rare.
        (0..len).map(|_| hanzi[rng.skewed(hanzi.len() as u64) as usize]).collect()
    };
    let mut paths = Vec::with_capacity(n);
    let start = 1_640_995_200i64; // 2022-01-01T00:00:00Z
    for i in 0..n {
        let cat = rng.skewed(categories as u64);
        let t = start + i as i64 * 300 + rng.below(300) as i64;
        let (y, mo, d, h, mi, s) = civil(t + 8 * 3600);
        let len = 8 + rng.below(20) as usize;
        let title = text(&mut rng, len);
        let mut body = String::new();
        for p in 0..(2 + rng.below(6)) {
            let len = 40 + rng.below(200) as usize;
            body.push_str(&format!("<p>{}</p>\n", text(&mut rng, len)));
            if p < 3 && rng.below(2) == 0 {
                body.push_str(&format!(
                    "<p><img src=\"https://img.generated.invalid/{cat}/{i}-{p}.jpg\" alt=\"\"></p>\n"
                ));
            }
        }
        body.push_str(&format!(
            "<p><a href=\"https://news.generated.invalid/category/outlet{cat}.html\">返回{cat}号新闻</a></p>\n"
        ));
        let name = format!("{y:04}-{mo:02}-{d:02}-{:018}.md", 202_200_000_000_000_000u64 + i as u64);
        let post = format!(
            "---\nlayout: post\ntitle: \"{title}\"\ndate: {y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02} +0800\ncategories: outlet{cat}\ntags: 第{cat}号新闻\n---\n\n{body}"
        );
        let path = posts.join(name);
        std::fs::write(&path, post).unwrap();
        paths.push(path);
    }
    paths
}

/// (year, month, day, hour, minute, second) of Unix seconds, proleptic Gregorian, UTC.
pub fn civil(t: i64) -> (i64, i64, i64, i64, i64, i64) {
    let (days, secs) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d, secs / 3600, secs % 3600 / 60, secs % 60)
}

/// One figure of the performance record: (posts or sources, what, Broadsheet, baseline, ratio).
pub type PerfRow = (usize, String, String, String, String);

/// Appends figures to the table in `docs/performance.md`, dated and with the commit (the
/// benchmarks' shared record; see that file).
pub fn append_performance_record(rows: &[PerfRow]) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/performance.md");
    let Ok(mut text) = std::fs::read_to_string(&path) else {
        eprintln!("bench: {} not found; figures not recorded", path.display());
        return;
    };
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    let (y, m, d, ..) = civil(now);
    let date = format!("{y:04}-{m:02}-{d:02}");
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
        .output()
        .map_or(String::new(), |o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    for (n, what, ours, base, ratio) in rows {
        text.push_str(&format!("| {date} | {commit} | {n} | {what} | {ours} | {base} | {ratio} |\n"));
    }
    if let Err(e) = std::fs::write(&path, text) {
        eprintln!("bench: cannot write {}: {e}", path.display());
        return;
    }
    println!("\nrecorded {} figures in {}", rows.len(), path.display());
}

#[cfg(test)]
mod tests {
    #[test]
    fn civil_dates_match_known_days() {
        assert_eq!(super::civil(0), (1970, 1, 1, 0, 0, 0));
        assert_eq!(super::civil(1_640_995_200 + 8 * 3600 + 61), (2022, 1, 1, 8, 1, 1));
        assert_eq!(super::civil(951_782_400), (2000, 2, 29, 0, 0, 0));
    }

    #[test]
    fn a_generated_site_is_the_same_for_the_same_seed() {
        let (a, b) = (tempfile_dir("a"), tempfile_dir("b"));
        let pa = super::generate_site(&a, 50, 2000, 7);
        let pb = super::generate_site(&b, 50, 2000, 7);
        for (x, y) in pa.iter().zip(&pb) {
            assert_eq!(std::fs::read(x).unwrap(), std::fs::read(y).unwrap());
        }
        let _ = std::fs::remove_dir_all(&a);
        let _ = std::fs::remove_dir_all(&b);
    }

    fn tempfile_dir(tag: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("bs-testkit-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }
}
