//! Hostile folders and posts: every case must end in bounded time and memory with a
//! `skipped:`/`warning:` entry naming the file, the good posts beside it imported, and the
//! archive still opening and listing. One case per class of attack; see SECURITY.md.

use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use broadsheet_import::{import_path, ImportOptions, ImportReport};
use broadsheet_model::ArticleQuery;
use broadsheet_store::Store;

/// Far above what any of these inputs needs when handled correctly (a few ms each), far
/// below what the attacks cost when not (minutes, or never): a safety bound, not a speed goal.
const BOUND: Duration = Duration::from_secs(60);

fn good_post(dir: &Path, name: &str) {
    std::fs::write(
        dir.join(name),
        "---\ntitle: \"一篇正常的文章\"\ndate: 2024-01-02 10:00:00 +0800\ncategories: normal\ntags: 正常\n---\n<p>正文</p>\n",
    )
    .unwrap();
}

/// Runs the import on its own thread and fails the test if it does not finish within BOUND.
fn import_bounded(site: &Path) -> (ImportReport, Store, tempfile::TempDir) {
    let db_dir = tempfile::tempdir().unwrap();
    let db = db_dir.path().join("archive.sqlite3");
    let (tx, rx) = mpsc::channel();
    let (site, db2) = (site.to_path_buf(), db.clone());
    std::thread::spawn(move || {
        let mut store = Store::open(&db2).unwrap();
        let started = Instant::now();
        let report = import_path(&mut store, &site, ImportOptions::default(), &mut |_, _| {});
        let _ = tx.send((report.map_err(|e| e.to_string()), started.elapsed()));
    });
    let (report, took) =
        rx.recv_timeout(BOUND).unwrap_or_else(|_| panic!("the import did not finish within {BOUND:?}"));
    let report = report.expect("the import runs to the end");
    eprintln!("import took {took:?}: {report}");
    // The archive still opens and lists.
    let store = Store::open(&db).unwrap();
    store.list_articles(&ArticleQuery::default()).expect("the archive lists");
    (report, store, db_dir)
}

fn site_with(files: &[(&str, Vec<u8>)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("_posts")).unwrap();
    good_post(&dir.path().join("_posts"), "2024-01-02-good.md");
    for (name, bytes) in files {
        let path = dir.path().join("_posts").join(name);
        std::fs::write(path, bytes).unwrap();
    }
    dir
}

fn mentioned(report: &ImportReport, file: &str) -> String {
    let hit = report.skipped.iter().chain(&report.warnings).find(|(path, _)| path.ends_with(file));
    hit.map(|(_, why)| why.clone()).unwrap_or_else(|| panic!("{file} is not named in {report:#?}"))
}

fn titles(store: &Store) -> Vec<String> {
    store
        .list_articles(&ArticleQuery { limit: Some(1000), ..Default::default() })
        .unwrap()
        .into_iter()
        .map(|a| a.title)
        .collect()
}

/// "Billion laughs": nine levels of nine aliases, under 1 KB, expanding to 9⁹ nodes.
fn alias_bomb() -> String {
    let mut y = String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    let mut prev = 'a';
    for n in 'b'..='j' {
        y.push_str(&format!("{n}: &{n} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
        prev = n;
    }
    y
}

#[test]
fn a_yaml_alias_bomb_in_front_matter_is_refused_and_the_rest_imports() {
    let post = format!("---\ntitle: \"bomb\"\n{}---\nbody\n", alias_bomb());
    assert!(post.len() < 1024);
    let site = site_with(&[("2024-01-03-bomb.md", post.into_bytes())]);
    let (report, store, _db) = import_bounded(site.path());
    assert!(mentioned(&report, "2024-01-03-bomb.md").contains("refused"));
    assert!(titles(&store).contains(&"一篇正常的文章".to_string()));
}

#[test]
fn deeply_nested_front_matter_cannot_overflow_the_stack() {
    let flow = format!("---\ntitle: x\nnest: {}\n---\nbody\n", "[".repeat(200_000));
    let mut block = String::from("---\n");
    for i in 0..600 {
        block.push_str(&" ".repeat(i));
        block.push_str("k:\n");
    }
    block.push_str("---\nbody\n");
    let mapping = format!("---\ntitle: x\nnest: {}1\n---\nbody\n", "{a: ".repeat(50_000));
    let site = site_with(&[
        ("2024-01-03-flow.md", flow.into_bytes()),
        ("2024-01-04-block.md", block.into_bytes()),
        ("2024-01-05-mapping.md", mapping.into_bytes()),
    ]);
    let (report, store, _db) = import_bounded(site.path());
    for f in ["2024-01-03-flow.md", "2024-01-04-block.md", "2024-01-05-mapping.md"] {
        mentioned(&report, f);
    }
    assert_eq!(titles(&store).len(), 4, "the hostile posts are still imported (their YAML is not): {report:#?}");
}

#[test]
fn a_hostile_config_yml_gives_defaults_with_a_warning() {
    for config in [alias_bomb(), format!("url: {}\n", "[".repeat(100_000)), "x".repeat(5 * 1024 * 1024)] {
        let site = site_with(&[]);
        std::fs::write(site.path().join("_config.yml"), &config).unwrap();
        let (report, store, _db) = import_bounded(site.path());
        assert!(report.warnings.iter().any(|(f, _)| f == "_config.yml"), "{report:#?}");
        assert_eq!(titles(&store), ["一篇正常的文章"]);
    }
}

#[test]
fn quadratic_liquid_and_amplifying_variables_stay_linear_and_bounded() {
    // Thousands of `{%` before one distant `%}` inside a raw block; then 200,000 distinct
    // unknown tags; then a variable that repeats a 200 KB front-matter value 10,000 times.
    let opens = format!("---\ntitle: liquid\n---\n{{% raw %}}{}%}}\n", "{%".repeat(400_000));
    let distinct: String = (0..200_000).map(|i| format!("{{% t{i} %}}")).collect();
    let distinct = format!("---\ntitle: tags\n---\n{distinct}\n");
    let amplify =
        format!("---\ntitle: amp\nbig: \"{}\"\n---\n{}\n", "x".repeat(200_000), "{{ page.big }}".repeat(10_000));
    let site = site_with(&[
        ("2024-01-03-opens.md", opens.into_bytes()),
        ("2024-01-04-distinct.md", distinct.into_bytes()),
        ("2024-01-05-amp.md", amplify.into_bytes()),
    ]);
    let (report, store, _db) = import_bounded(site.path());
    assert!(mentioned(&report, "2024-01-04-distinct.md").contains("and 199990 more"));
    assert!(mentioned(&report, "2024-01-05-amp.md").contains("too large"));
    assert_eq!(titles(&store).len(), 4);
}

/// Copies that cost little to write and much to make: a `_config.yml` value repeated by
/// 300,000 `{{ site.x }}`, a front-matter anchor aliased thousands of times, 30,000
/// categories in one string, formatting elements left open before thousands of paragraphs.
#[test]
fn cheap_copies_of_large_values_stay_bounded() {
    let site = site_with(&[
        ("2024-01-03-site-var.md", format!("---\ntitle: sv\n---\n{}\n", "{{site.x}}".repeat(300_000)).into_bytes()),
        (
            "2024-01-04-alias.md",
            format!(
                "---\ntitle: al\na: &a \"{}\"\nb: [{}]\n---\nx\n",
                "字".repeat(60_000),
                vec!["*a"; 9_000].join(",")
            )
            .into_bytes(),
        ),
        (
            "2024-01-05-cats.md",
            format!(
                "---\ntitle: cats\ncategories: \"{}\"\n---\nx\n",
                (0..30_000).map(|i| format!("c{i} ")).collect::<String>()
            )
            .into_bytes(),
        ),
        (
            "2024-01-06-open.md",
            format!(
                "---\ntitle: open\n---\n<div>{}</div>{}\n",
                (0..200).map(|i| format!("<b title=\"{i}\">")).collect::<String>(),
                "<div>x</div>".repeat(100_000)
            )
            .into_bytes(),
        ),
    ]);
    std::fs::write(site.path().join("_config.yml"), format!("x: \"{}\"\n", "y".repeat(900_000))).unwrap();
    let (report, store, _db) = import_bounded(site.path());
    assert!(mentioned(&report, "2024-01-03-site-var.md").contains("too large"));
    assert!(mentioned(&report, "2024-01-04-alias.md").contains("alias"));
    assert!(mentioned(&report, "2024-01-05-cats.md").contains("only the first 32"));
    let open = store
        .list_articles(&ArticleQuery { limit: Some(10), ..Default::default() })
        .unwrap()
        .into_iter()
        .find(|a| a.title == "open")
        .expect("the post with open formatting is imported");
    let html = store.article(open.id).unwrap().html;
    assert!(html.len() < 4 * 1_300_000, "the stored HTML stays proportional: {} bytes", html.len());
    let cats = store.list_articles(&ArticleQuery { limit: Some(10), ..Default::default() }).unwrap();
    assert!(cats.iter().all(|a| a.categories.len() <= 32));
    assert_eq!(titles(&store).len(), 5, "every post imported: {:?}", titles(&store));
}

/// What a site copies into addresses: a permalink template repeating the slug or the
/// categories (50,000 `:slug`s of a 240-byte slug were 12 GB for one post), `{% link %}` and
/// relative links each copying the site's address, and a site address of a megabyte. Each
/// post is imported with its URL and HTML bounded, the rest named in warnings.
#[test]
fn what_a_site_copies_into_addresses_stays_bounded() {
    let slug = "s".repeat(240);
    let cats = (0..32).map(|i| format!("\"{i}{}\"", "类".repeat(190))).collect::<Vec<_>>().join(", ");
    let site = site_with(&[
        (
            &format!("2024-01-03-{slug}.md"),
            format!("---\ntitle: slugs\npermalink: \"{}\"\n---\nx\n", ":slug".repeat(50_000)).into_bytes(),
        ),
        (
            "2024-01-04-cats.md",
            format!(
                "---\ntitle: cats\ncategories: [{cats}]\npermalink: \"{}\"\n---\nx\n",
                ":categories".repeat(21_000)
            )
            .into_bytes(),
        ),
        (
            "2024-01-05-links.md",
            format!("---\ntitle: links\n---\n{}\n", "{% link a.md %}".repeat(100_000)).into_bytes(),
        ),
        ("2024-01-06-relative.md", format!("---\ntitle: relative\n---\n{}\n", "[](x) ".repeat(100_000)).into_bytes()),
    ]);
    // An address just under the bound: every copy of it is 2 KB.
    std::fs::write(site.path().join("_config.yml"), format!("url: \"https://a.example/{}\"\n", "a".repeat(2000)))
        .unwrap();
    let (report, store, _db) = import_bounded(site.path());
    assert!(mentioned(&report, &format!("2024-01-03-{slug}.md")).contains("permalink"));
    assert!(mentioned(&report, "2024-01-04-cats.md").contains("permalink"));
    assert!(mentioned(&report, "2024-01-05-links.md").contains("too large"));
    let all = store.list_articles(&ArticleQuery { limit: Some(10), ..Default::default() }).unwrap();
    assert_eq!(all.len(), 5, "every post imported: {:?}", titles(&store));
    for a in &all {
        let a = store.article(a.id).unwrap();
        let (title, url) = (&a.summary.title, &a.summary.url);
        assert!(url.as_ref().is_some_and(|u| u.len() < 12 * 1024), "{title}: {:?}", url.as_ref().map(|u| u.len()));
        assert!(a.html.len() < 6 << 20, "{title}: {} bytes of HTML", a.html.len());
    }

    // A site address of a megabyte (CJK, three times that once parsed) is not used at all.
    let site = site_with(&[("2024-01-06-relative.md", "---\ntitle: relative\n---\n[](x) [](y)\n".into())]);
    std::fs::write(
        site.path().join("_config.yml"),
        format!("url: \"https://a.example/{}\"\npermalink: \"{}\"\n", "字".repeat(100_000), ":slug".repeat(100_000)),
    )
    .unwrap();
    let (report, store, _db) = import_bounded(site.path());
    assert!(report.warnings.iter().any(|(f, w)| f == "_config.yml" && w.contains("url")), "{report:#?}");
    assert!(mentioned(&report, "2024-01-06-relative.md").contains("permalink"));
    assert_eq!(titles(&store).len(), 2);
}

#[test]
fn an_oversized_post_is_skipped_unread_with_its_size() {
    let mut big = b"---\ntitle: big\n---\n".to_vec();
    big.resize(5 * 1024 * 1024, b'a');
    let site = site_with(&[("2024-01-03-big.md", big)]);
    let (report, store, _db) = import_bounded(site.path());
    let why = report.skipped.iter().find(|(f, _)| f.ends_with("2024-01-03-big.md")).expect("skipped").1.clone();
    assert!(why.contains("bytes"), "{why}");
    assert_eq!(titles(&store), ["一篇正常的文章"]);
}

#[cfg(unix)]
#[test]
fn links_fifos_and_devices_in_posts_are_never_followed_or_opened() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("id_rsa");
    std::fs::write(&secret, "---\ntitle: \"SECRET KEY\"\n---\n-----BEGIN OPENSSH PRIVATE KEY-----\n").unwrap();
    let site = site_with(&[]);
    let posts = site.path().join("_posts");
    symlink(&secret, posts.join("2024-01-03-secret.md")).unwrap();
    symlink("/dev/zero", posts.join("2024-01-04-zero.md")).unwrap();
    symlink(outside.path(), posts.join("escape")).unwrap();
    // A link loop: a folder holding a link to itself, and two links pointing at each other.
    std::fs::create_dir(posts.join("loop")).unwrap();
    symlink(posts.join("loop"), posts.join("loop/again")).unwrap();
    symlink(posts.join("b.md"), posts.join("a.md")).unwrap();
    symlink(posts.join("a.md"), posts.join("b.md")).unwrap();
    let fifo = posts.join("2024-01-05-fifo.md");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());
    let (report, store, _db) = import_bounded(site.path());
    let titles = titles(&store);
    assert_eq!(titles, ["一篇正常的文章"], "nothing behind a link or a FIFO is read: {report:#?}");
    assert!(mentioned(&report, "2024-01-03-secret.md").contains("link"));
    assert!(mentioned(&report, "2024-01-04-zero.md").contains("link"));
    assert!(mentioned(&report, "escape").contains("link"));
    if made {
        assert!(mentioned(&report, "2024-01-05-fifo.md").contains("FIFO"));
    }
    // A link named as the site itself is refused too (`_posts` linked to elsewhere).
    let linked_site = tempfile::tempdir().unwrap();
    symlink(outside.path(), linked_site.path().join("_posts")).unwrap();
    std::fs::write(linked_site.path().join("_config.yml"), "title: x\n").unwrap();
    let (_report, store, _db) = import_bounded(linked_site.path());
    assert!(titles_of(&store).is_empty(), "a linked _posts folder is not followed");
}

/// A folder of many thousands of links: the first thousand are named, the rest counted, and
/// the report stays small (a million links were a million lines held and copied twice).
#[cfg(unix)]
#[test]
fn thousands_of_links_are_named_up_to_a_bound_and_the_rest_counted() {
    let site = site_with(&[]);
    let posts = site.path().join("_posts");
    for i in 0..3_000 {
        std::os::unix::fs::symlink("/etc/hostname", posts.join(format!("2024-01-01-{i}.md"))).unwrap();
    }
    let (report, store, _db) = import_bounded(site.path());
    assert_eq!(titles(&store), ["一篇正常的文章"]);
    assert!(report.skipped.len() <= 1_010, "{} entries", report.skipped.len());
    assert!(
        report.skipped.iter().any(|(_, why)| why.contains("2000 more entries passed over")),
        "{:?}",
        report.skipped.last()
    );
}

fn titles_of(store: &Store) -> Vec<String> {
    titles(store)
}

#[test]
fn folders_nested_past_the_depth_bound_are_reported_not_walked() {
    let site = site_with(&[]);
    let mut deep = site.path().join("_posts");
    for _ in 0..40 {
        deep = deep.join("d");
    }
    std::fs::create_dir_all(&deep).unwrap();
    good_post(&deep, "2024-01-09-deep.md");
    let (report, store, _db) = import_bounded(site.path());
    assert!(report.skipped.iter().any(|(_, why)| why.contains("deeper than")), "{report:#?}");
    assert_eq!(titles(&store).len(), 1);
}

/// Peak memory of the whole hostile set (Linux reports it in /proc; elsewhere this test only
/// checks the bound on time). The peak is the process's, and the other tests of this binary
/// run beside this one: it measures in a process of its own (this test binary, run again
/// for this test alone).
#[test]
fn the_hostile_set_together_stays_within_a_memory_bound() {
    const NAME: &str = "the_hostile_set_together_stays_within_a_memory_bound";
    if std::env::var_os("BROADSHEET_MEMORY_CHILD").is_none() {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", NAME, "--nocapture", "--test-threads=1"])
            .env("BROADSHEET_MEMORY_CHILD", "1")
            .output()
            .unwrap();
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success() && stdout.contains("1 passed"), "{stdout}\n{stderr}");
        eprintln!("{}", stderr.lines().filter(|l| l.contains("peak")).collect::<Vec<_>>().join("\n"));
        return;
    }
    let mut big = b"---\ntitle: big\n---\n".to_vec();
    big.resize(64 * 1024 * 1024, b'a');
    let bomb = format!("---\n{}---\nbody\n", alias_bomb());
    let site = site_with(&[("2024-01-03-big.md", big), ("2024-01-04-bomb.md", bomb.into_bytes())]);
    std::fs::write(site.path().join("_config.yml"), alias_bomb()).unwrap();
    let (report, _store, _db) = import_bounded(site.path());
    assert_eq!(report.skipped.len(), 1, "{report:#?}");
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        let peak_kb: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0);
        eprintln!("peak resident memory: {} MiB", peak_kb / 1024);
        assert!(peak_kb < 1024 * 1024, "peak resident memory {} MiB", peak_kb / 1024);
    }
}

#[test]
fn deeply_nested_markdown_and_html_bodies_are_bounded_and_linear() {
    let divs = format!("---\ntitle: divs\n---\n{}x{}\n", "<div>".repeat(100_000), "</div>".repeat(100_000));
    let unclosed = format!("---\ntitle: unclosed\n---\n{}\n", "<b><i><span><a href=x>".repeat(50_000));
    let quotes = format!("---\ntitle: quotes\n---\n{}x\n", ">".repeat(100_000));
    let lists: String = (0..1_500).map(|i| format!("{}* x\n", "  ".repeat(i))).collect();
    let lists = format!("---\ntitle: lists\n---\n{lists}");
    let brackets = format!("---\ntitle: links\n---\n{}x{}\n", "[".repeat(100_000), "](y)".repeat(100_000));
    let site = site_with(&[
        ("2024-01-03-divs.md", divs.into_bytes()),
        ("2024-01-04-unclosed.md", unclosed.into_bytes()),
        ("2024-01-05-quotes.md", quotes.into_bytes()),
        ("2024-01-06-lists.md", lists.into_bytes()),
        ("2024-01-07-links.md", brackets.into_bytes()),
    ]);
    let (report, store, _db) = import_bounded(site.path());
    assert_eq!(titles(&store).len(), 6, "{report:#?}");
}
