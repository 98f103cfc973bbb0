//! The `broadsheet` binary as scripts use it: real processes, real archive files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use broadsheet_testkit::{copy_dir, corpus_site as corpus};
use serde_json::Value;

struct Archive {
    dir: tempfile::TempDir,
}

impl Archive {
    fn new() -> Archive {
        Archive { dir: tempfile::tempdir().unwrap() }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("archive.sqlite3")
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_broadsheet"))
            .arg("--db")
            .arg(self.db())
            .args(args)
            .env_remove("BROADSHEET_DB")
            .output()
            .unwrap()
    }

    /// Runs a command that must succeed and returns its stdout.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }
}

/// A copy of a corpus site with a `_config.yml`, as the real site has (the corpus keeps
/// posts only). The copy lives in the test's temporary folder.
fn site_with_config(a: &Archive, site: &str, config: &str) -> PathBuf {
    let to = a.dir.path().join(site);
    copy_dir(&corpus(site), &to);
    std::fs::write(to.join("_config.yml"), config).unwrap();
    to
}

fn count_posts(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| {
            let p = e.path();
            if p.is_dir() {
                count_posts(&p)
            } else {
                usize::from(matches!(p.extension().and_then(|x| x.to_str()), Some("md" | "markdown" | "html")))
            }
        })
        .sum()
}

/// (imported, updated, unchanged, skipped, warnings) from the summary line.
fn summary(stdout: &str) -> [usize; 5] {
    let line = stdout.lines().last().unwrap();
    let nums: Vec<usize> = line.split(", ").map(|part| part.rsplit(' ').next().unwrap().parse().unwrap()).collect();
    let words: Vec<&str> = line.split(", ").map(|part| part.split(' ').next().unwrap()).collect();
    assert_eq!(words, ["imported", "updated", "unchanged", "skipped", "warnings"], "{line}");
    nums.try_into().unwrap()
}

#[test]
fn importing_a_corpus_site_twice_imports_once_and_lists_newest_first() {
    broadsheet_testkit::needs_corpus!();
    let a = Archive::new();
    let site =
        site_with_config(&a, "finews", "url: https://finews.withounder.com\ntimezone: Asia/Shanghai\nlang: zh-CN\n");
    let files = count_posts(&site.join("_posts"));
    let [imported, updated, unchanged, skipped, _] = summary(&a.ok(&["import", site.to_str().unwrap()]));
    assert_eq!((imported + skipped, updated, unchanged), (files, 0, 0));

    let [imported2, updated2, unchanged2, ..] = summary(&a.ok(&["import", site.to_str().unwrap()]));
    assert_eq!((imported2, updated2, unchanged2), (0, 0, imported));

    let list = a.json(&["list", "--json", "--limit", "1000"]);
    let rows = list.as_array().unwrap();
    assert_eq!(rows.len(), imported);
    let keys: Vec<&str> = rows[0].as_object().unwrap().keys().map(String::as_str).collect();
    for field in ["id", "title", "date", "categories", "tags", "user_tags", "bookmarked", "read", "source", "url"] {
        assert!(keys.contains(&field), "list row lacks {field}: {keys:?}");
    }
    let dates: Vec<&str> = rows.iter().map(|r| r["date"].as_str().unwrap()).collect();
    assert!(dates.iter().all(|d| d.ends_with("+08:00")), "finews dates are in +08:00: {dates:?}");
    let url = rows[0]["url"].as_str().unwrap();
    assert!(url.starts_with("https://finews.withounder.com/") && url.ends_with(".html"), "{url}");
}

#[test]
fn unpublished_posts_are_skipped_with_the_file_and_reason_on_stderr() {
    broadsheet_testkit::needs_corpus!();
    let a = Archive::new();
    let site = corpus("Huxpro-huxpro.github.io");
    let out = a.run(&["import", site.to_str().unwrap()]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let skipped_lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("skipped: ")).collect();
    let [.., skipped, _] = summary(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(skipped_lines.len(), skipped);
    assert!(skipped > 0);
    for line in skipped_lines {
        assert!(line.contains("_posts/") && line.ends_with("published: false"), "{line}");
    }
}

#[test]
fn show_and_categories_follow_the_json_contract() {
    broadsheet_testkit::needs_corpus!();
    let a = Archive::new();
    let site = site_with_config(&a, "jekyll-jekyll", "url: https://jekyllrb.com\nrepository: jekyll/jekyll\n");
    a.ok(&["import", site.to_str().unwrap()]);
    let cats = a.json(&["categories", "--json"]);
    let release = cats.as_array().unwrap().iter().find(|c| c["slug"] == "release").expect("a release category");
    assert!(release["count"].as_u64().unwrap() > 0 && release["name"].is_string());

    let list = a.json(&["list", "--json", "--category", "release", "--limit", "1"]);
    let id = list[0]["id"].as_i64().unwrap();
    let shown = a.json(&["show", &id.to_string(), "--json"]);
    assert_eq!(shown["title"], list[0]["title"]);
    assert!(shown["html"].as_str().unwrap().contains("<p>"));
    assert!(!shown["text"].as_str().unwrap().is_empty());
    assert!(shown["images"].is_array());
    assert!(shown["url"].as_str().unwrap().starts_with("https://jekyllrb.com/release/"), "{}", shown["url"]);
}

#[test]
fn bad_files_are_reported_by_name_and_the_rest_is_imported() {
    let a = Archive::new();
    let posts = a.dir.path().join("site/_posts");
    std::fs::create_dir_all(&posts).unwrap();
    std::fs::write(posts.join("2022-01-01-good.md"), "---\ntitle: Good\n---\nfine").unwrap();
    std::fs::write(posts.join("2022-01-02-yaml.md"), "---\ntitle: [unclosed\ncategories: x\n---\nbody").unwrap();
    std::fs::write(posts.join("2022-01-03-bytes.md"), b"---\ntitle: Bytes\n---\n\xff\xfe broken").unwrap();
    let out = a.run(&["import", posts.to_str().unwrap()]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("2022-01-02-yaml.md") && stderr.contains("not valid YAML"), "{stderr}");
    assert!(stderr.contains("2022-01-03-bytes.md") && stderr.contains("UTF-8"), "{stderr}");
    let [imported, ..] = summary(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(imported, 3);
}

#[test]
fn a_missing_path_or_an_unwritable_archive_fails_with_a_clear_message() {
    let a = Archive::new();
    let out = a.run(&["import", "/no/such/site"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/site"));

    let blocker = a.dir.path().join("file");
    std::fs::write(&blocker, "").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_broadsheet"))
        .args(["--db", blocker.join("archive.sqlite3").to_str().unwrap(), "categories"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("archive.sqlite3")
            || String::from_utf8_lossy(&out.stderr).contains("file")
    );
}

#[test]
fn search_finds_chinese_with_snippets_and_reindex_keeps_it_working() {
    broadsheet_testkit::needs_corpus!();
    let a = Archive::new();
    a.ok(&["import", corpus("finews").to_str().unwrap()]);
    let hits = a.json(&["search", "股", "--json", "--limit", "5"]);
    let hits = hits.as_array().unwrap();
    assert_eq!(hits.len(), 5);
    let mut keys: Vec<&str> = hits[0].as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["date", "id", "score", "snippet", "title"]);
    assert!(hits
        .iter()
        .all(|h| h["snippet"].as_str().unwrap().contains("<mark>股</mark>")
            || h["title"].as_str().unwrap().contains('股')));

    assert!(a.ok(&["reindex"]).starts_with("reindexed "));
    let again = a.json(&["search", "股", "--json", "--limit", "5"]);
    assert_eq!(again.as_array().unwrap().len(), 5);

    let out = a.run(&["search", "", "--json"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("empty"));
    let bad_date = a.run(&["search", "股", "--since", "yesterday"]);
    assert!(!bad_date.status.success());
    assert!(String::from_utf8_lossy(&bad_date.stderr).contains("yesterday"));
}

#[test]
fn bookmarks_tags_and_read_state_from_the_command_line() {
    broadsheet_testkit::needs_corpus!();
    let a = Archive::new();
    a.ok(&["import", corpus("jekyll-jekyll").to_str().unwrap()]);
    let id = a.json(&["list", "--json", "--limit", "1"])[0]["id"].as_i64().unwrap().to_string();
    assert!(a.ok(&["bookmark", &id]).contains("bookmarked"));
    assert!(a.ok(&["bookmark", &id]).contains("already"));
    a.ok(&["tag", &id, "to-read", "发布"]);
    a.ok(&["read", &id]);
    let row = &a.json(&["list", "--json", "--bookmarked"])[0];
    assert_eq!(row["id"].as_i64().unwrap().to_string(), id);
    assert_eq!(row["user_tags"], serde_json::json!(["to-read", "发布"]));
    assert_eq!(row["read"], true);
    assert_eq!(a.json(&["list", "--json", "--user-tag", "发布"]).as_array().unwrap().len(), 1);
    a.ok(&["untag", &id, "发布"]);
    a.ok(&["bookmark", &id, "--off"]);
    assert!(a.json(&["list", "--json", "--bookmarked"]).as_array().unwrap().is_empty());
    let missing = a.run(&["bookmark", "999999"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("999999"));
}

#[test]
fn export_and_import_from_the_command_line() {
    broadsheet_testkit::needs_corpus!();
    let a = Archive::new();
    a.ok(&["import", corpus("jekyll-jekyll").to_str().unwrap()]);
    let id = a.json(&["list", "--json", "--limit", "1"])[0]["id"].as_i64().unwrap().to_string();
    a.ok(&["bookmark", &id]);
    a.ok(&["tag", &id, "keep"]);
    let backup = a.dir.path().join("backup.json");
    assert!(a.ok(&["export", "--format", "json", "--out", backup.to_str().unwrap()]).contains("102 posts"));

    let b = Archive::new();
    assert!(b.ok(&["import-backup", backup.to_str().unwrap()]).contains("restored 102 posts"));
    assert_eq!(a.json(&["list", "--json", "--limit", "500"]), b.json(&["list", "--json", "--limit", "500"]));

    let md = a.dir.path().join("md");
    assert!(a
        .ok(&["export", "--format", "markdown", "--out", md.to_str().unwrap(), "--bookmarked"])
        .contains("1 posts"));
    let opml = a.dir.path().join("sources.opml");
    a.ok(&["export", "--format", "opml", "--out", opml.to_str().unwrap()]);
    assert!(std::fs::read_to_string(&opml).unwrap().contains("category=\"community,meetup,partners,release,team\""));
    let feeds = a.dir.path().join("feeds.opml");
    std::fs::write(
        &feeds,
        r#"<opml version="2.0"><body><outline text="J" xmlUrl="https://jekyllrb.com/feed.xml"/></body></opml>"#,
    )
    .unwrap();
    assert!(a.ok(&["import-opml", feeds.to_str().unwrap()]).contains("added 1 feeds"));
    assert_eq!(a.json(&["sources", "--json"]).as_array().unwrap().len(), 2);

    a.ok(&["rename-tag", "keep", "保留"]);
    assert_eq!(a.json(&["user-tags", "--json"]), serde_json::json!([{"name": "保留", "count": 1}]));
    assert!(a.ok(&["retention", "--days", "1"]).starts_with("would remove 101 posts"));
    let sources = a.json(&["sources", "--json"]);
    let site = sources.as_array().unwrap().iter().find(|s| s["kind"] == "jekyll-folder").unwrap();
    let source = site["id"].as_i64().unwrap().to_string();
    assert!(a.ok(&["remove-source", &source]).contains("101 articles deleted, 1 kept"));
    assert_eq!(a.json(&["list", "--json"]).as_array().unwrap().len(), 1);
}

#[test]
fn add_source_sync_and_source_health_from_the_command_line() {
    broadsheet_testkit::needs_corpus!();
    let a = Archive::new();
    let site = site_with_config(&a, "jekyll-jekyll", "url: https://jekyllrb.com\n");
    assert!(a.ok(&["add-source", site.to_str().unwrap()]).contains("(jekyll-folder)"));
    assert!(a
        .ok(&["add-source", "http://127.0.0.1:9/feed.xml", "--kind", "feed", "--name", "Dead"])
        .contains("(feed)"));
    let out = a.run(&["sync", "--no-images"]);
    assert!(out.status.success(), "a run that completed exits 0 even when a source failed");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("synced 2 sources: 102 new, 0 updated, 0 images cached, 1 failed"), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("FAIL  Dead: http://127.0.0.1:9/feed.xml"), "{stderr}");

    let sources = a.json(&["sources", "--json"]);
    let by_name = |n: &str| sources.as_array().unwrap().iter().find(|s| s["name"] == n).unwrap().clone();
    assert_eq!(by_name("jekyll-jekyll")["health"]["last_status"], "folder");
    assert_eq!(by_name("jekyll-jekyll")["health"]["last_new"], 102);
    assert!(by_name("Dead")["health"]["last_error"].as_str().unwrap().contains("connect"));
    assert_eq!(by_name("Dead")["health"]["failures"], 1);
}

#[test]
fn a_sources_interval_is_set_with_a_floor_of_five_minutes() {
    let a = Archive::new();
    a.ok(&["add-source", "http://127.0.0.1:9/feed.xml", "--kind", "feed"]);
    let id = a.json(&["sources", "--json"])[0]["id"].as_i64().unwrap().to_string();
    assert!(a.ok(&["interval", &id, "120"]).contains("every 120 minutes"));
    assert!(a.ok(&["interval", &id, "1"]).contains("every 5 minutes"));
    assert_eq!(a.json(&["sources", "--json"])[0]["health"]["interval_min"], 5);
    assert!(!a.run(&["interval", "999", "30"]).status.success());
}

#[test]
fn a_sources_other_addresses_are_added_listed_and_forgotten() {
    let a = Archive::new();
    a.ok(&["add-source", "http://127.0.0.1:9/feed.xml", "--kind", "feed"]);
    let id = a.json(&["sources", "--json"])[0]["id"].as_i64().unwrap().to_string();
    let listed = a.ok(&["alias", &id, "--add", "Old.Example/", "--add", "https://older.example"]);
    assert_eq!(listed.lines().collect::<Vec<_>>(), ["https://old.example", "https://older.example"]);
    assert_eq!(a.json(&["sources", "--json"])[0]["aliases"][1], "https://older.example");
    assert_eq!(a.ok(&["alias", &id, "--remove", "https://old.example"]).trim(), "https://older.example");
    assert!(!a.run(&["alias", &id, "--add", "javascript:alert(1)"]).status.success());
    assert!(!a.run(&["alias", "999"]).status.success());
}

#[test]
fn devices_share_marks_through_a_folder_from_the_command_line() {
    let shared = tempfile::tempdir().unwrap();
    let (a, b) = (Archive::new(), Archive::new());
    for arc in [&a, &b] {
        // The same site at a different path on each computer.
        let site = arc.dir.path().join("notes");
        std::fs::create_dir_all(site.join("_posts")).unwrap();
        std::fs::write(site.join("_config.yml"), "title: Notes\n").unwrap();
        std::fs::write(site.join("_posts/2026-03-01-one.md"), "---\ntitle: \"One\"\n---\nfirst\n").unwrap();
        std::fs::write(site.join("_posts/2026-03-02-two.md"), "---\ntitle: \"Two\"\n---\nsecond\n").unwrap();
        arc.ok(&["import", site.to_str().unwrap()]);
        assert!(arc.ok(&["devices", "set-remote", shared.path().to_str().unwrap()]).contains("devices sync through"));
    }
    let id = a.json(&["list", "--json", "--limit", "1"])[0]["id"].as_i64().unwrap().to_string();
    a.ok(&["bookmark", &id]);
    a.ok(&["tag", &id, "稍后读"]);
    assert!(a.ok(&["devices", "sync"]).contains("0 other devices"));
    let out = b.ok(&["devices", "sync"]);
    assert!(out.contains("1 other device, 2 changes applied"), "{out}");
    let row = &b.json(&["list", "--json", "--bookmarked"])[0];
    assert_eq!(row["title"], "Two");
    assert_eq!(row["user_tags"], serde_json::json!(["稍后读"]));
    let status = a.json(&["devices", "status", "--json"]);
    assert_eq!(status["changes"], 2);
    a.ok(&["devices", "sync"]);
    let status = a.json(&["devices", "status", "--json"]);
    assert_eq!(status["peers"].as_array().unwrap().len(), 1, "{status}");
    assert_eq!(status["peers"][0]["error"], Value::Null);

    // A damaged log from the other device is a warning naming it; the marks stay.
    let b_id = b.json(&["devices", "status", "--json"])["device"].as_str().unwrap().to_string();
    std::fs::write(shared.path().join(format!("{b_id}.bslog")), "{\"broadsheet-device-log\":1").unwrap();
    let out = a.run(&["devices", "sync"]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("refused") && err.contains(&b_id) && err.contains("cut short"), "{err}");
    assert!(a.ok(&["devices", "status"]).contains("refused"));
    assert_eq!(a.json(&["list", "--json", "--bookmarked"]).as_array().unwrap().len(), 1);

    // Unreachable: a clear error for `devices sync`, a warning after `sync`.
    let gone = tempfile::tempdir().unwrap();
    let gone_path = gone.path().to_str().unwrap().to_string();
    a.ok(&["devices", "set-remote", &gone_path]);
    drop(gone);
    let out = a.run(&["devices", "sync"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be reached now"));
    let out = a.run(&["sync", "--no-images"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("devices not synced"));
    assert!(!a.run(&["devices", "set-remote", "relative/folder"]).status.success());
}

/// Serves one article page at `/page.html` and a picture at `/pic.png` on 127.0.0.1.
fn page_site() -> String {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let base = format!("http://127.0.0.1:{}", server.server_addr().to_ip().unwrap().port());
    std::thread::spawn(move || {
        for req in server.incoming_requests() {
            let (body, ct) = match req.url() {
                "/page.html" => (
                    "<html lang=\"zh-CN\"><head><title>港口新规</title></head><body><nav>菜单 MENU</nav><article><h1>港口新规</h1>\
                     <p>港务局周五公布了新的潮汐表，因为测量发现航道比海图显示的更偏东。船长们被要求从周一起使用新表。</p>\
                     <p>旧表将同时从办公室和网站上撤下，港务局表示此举是为了航行安全，并感谢渔民的耐心配合。</p></article></body></html>",
                    "text/html; charset=utf-8",
                ),
                _ => ("\u{89}PNG", "image/png"),
            };
            let header = tiny_http::Header::from_bytes(&b"Content-Type"[..], ct.as_bytes()).unwrap();
            let _ = req.respond(tiny_http::Response::from_string(body).with_header(header));
        }
    });
    base
}

#[test]
fn save_keeps_a_web_page_prints_its_id_and_saving_again_updates_it() {
    let a = Archive::new();
    let base = page_site();
    let url = format!("{base}/page.html");
    let out = a.run(&["save", &url, "--tag", "稍后读", "--no-images"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let id: i64 = String::from_utf8_lossy(&out.stdout).trim().parse().expect("the id alone on stdout");
    assert!(String::from_utf8_lossy(&out.stderr).contains("saved: 港口新规"));
    let shown = a.json(&["show", &id.to_string(), "--json"]);
    assert_eq!(shown["title"], "港口新规");
    assert_eq!(shown["source"], "Saved");
    assert_eq!(shown["author"], Value::Null, "the page names no author");
    assert_eq!(shown["user_tags"], serde_json::json!(["稍后读"]));
    assert!(shown["text"].as_str().unwrap().contains("新的潮汐表"), "{shown}");
    assert!(!shown["text"].as_str().unwrap().contains("MENU"), "{shown}");

    let again = a.run(&["save", &url, "--no-images"]);
    assert_eq!(String::from_utf8_lossy(&again.stdout).trim(), id.to_string());
    assert!(String::from_utf8_lossy(&again.stderr).contains("updated: 港口新规"));
    assert_eq!(a.json(&["list", "--json"]).as_array().unwrap().len(), 1);

    let pic = a.run(&["save", &format!("{base}/pic.png")]);
    assert!(!pic.status.success());
    assert!(String::from_utf8_lossy(&pic.stderr).contains("pic.png: not a web page"), "{pic:?}");
    let bad = a.run(&["save", "javascript:alert(1)"]);
    assert!(!bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("not a web address"));
}

#[test]
fn copies_of_a_story_are_found_on_import_shown_and_collapsed_from_the_command_line() {
    let a = Archive::new();
    let site = a.dir.path().join("wire");
    std::fs::create_dir_all(site.join("_posts")).unwrap();
    let story = "国家统计局27日发布数据显示，十月份全国规模以上工业增加值同比增长5.1%，比上月加快0.3个百分点。\
        从环比看，十月份规模以上工业增加值比上月增长0.4%。分三大门类看，采矿业增加值同比增长4.2%，制造业增长5.4%，\
        电力、热力、燃气及水生产和供应业增长3.9%。";
    let other = "港务局周五公布了新的潮汐表，因为测量发现航道比海图显示的更偏东。船长们被要求从周一起使用新表，\
        旧表将同时从办公室和网站上撤下，港务局表示此举是为了航行安全，并感谢渔民的耐心配合和理解。";
    let post = |name: &str, title: &str, cat: &str, body: &str| {
        std::fs::write(
            site.join("_posts").join(name),
            format!("---\ntitle: \"{title}\"\ncategories: {cat}\n---\n<p>{body}</p>\n"),
        )
        .unwrap();
    };
    post("2026-03-01-a.md", "工业增加值增长5.1%", "dazhongwang", story);
    post("2026-03-02-b.md", "十月工业数据出炉", "kejiribao", &format!("（本报讯）{story}返回新闻首页"));
    post("2026-03-03-c.md", "潮汐表更新", "dazhongwang", other);
    let out = a.run(&["import", site.to_str().unwrap()]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("3 posts looked at, 1 copies"), "{out:?}");

    let list = a.json(&["list", "--json"]);
    let id_of =
        |title: &str| list.as_array().unwrap().iter().find(|r| r["title"] == title).unwrap()["id"].as_i64().unwrap();
    let (first, copy, alone) = (id_of("工业增加值增长5.1%"), id_of("十月工业数据出炉"), id_of("潮汐表更新"));
    assert_eq!(a.json(&["show", &first.to_string(), "--json"])["duplicates"], serde_json::json!([copy]));
    assert_eq!(a.json(&["show", &alone.to_string(), "--json"])["duplicates"], serde_json::json!([]));
    let collapsed = a.json(&["list", "--json", "--collapse-duplicates"]);
    let titles: Vec<&str> = collapsed.as_array().unwrap().iter().map(|r| r["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["潮汐表更新", "工业增加值增长5.1%"]);
    assert_eq!(collapsed[1]["copies"], 1);
    assert!(a.ok(&["show", &copy.to_string()]).contains(&format!("the same story: #{first}")));
}

/// `broadsheet` with no `--db`, on the home folder `home` (as the app's default archive).
fn run_at_home(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_broadsheet"))
        .args(args)
        .env_remove("BROADSHEET_DB")
        .env("BROADSHEET_DATA_DIR", home)
        .output()
        .unwrap()
}

#[test]
fn the_cli_opens_the_archive_the_window_switched_to_and_refuses_a_choice_it_cannot_honour() {
    let (home, other) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let site = other.path().join("site");
    std::fs::create_dir_all(site.join("_posts")).unwrap();
    std::fs::write(
        site.join("_posts/2026-12-01-one.md"),
        "---\ntitle: \"另一个存档\"\ndate: 2026-12-01 10:00:00 +0800\n---\n<p>正文</p>\n",
    )
    .unwrap();
    let other_db = other.path().join("archive.sqlite3");
    let out = Command::new(env!("CARGO_BIN_EXE_broadsheet"))
        .arg("--db")
        .arg(&other_db)
        .args(["import", site.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let listed = |out: Output| -> Vec<String> {
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v.as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap().to_owned()).collect()
    };
    assert!(listed(run_at_home(home.path(), &["list", "--json"])).is_empty(), "the home's own, empty archive");

    let location = home.path().join("archive-location.txt");
    std::fs::write(&location, format!("{}\n", other.path().display())).unwrap();
    assert_eq!(listed(run_at_home(home.path(), &["list", "--json"])), ["另一个存档"], "the archive switched to");

    // A choice that cannot be honoured fails, saying why and how out, and writes nowhere.
    for bad in ["relative/path\n".to_owned(), format!("{}\n", other.path().join("gone").display())] {
        std::fs::write(&location, bad).unwrap();
        let out = run_at_home(home.path(), &["bookmark", "1"]);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!out.status.success());
        assert!(stderr.contains("--db") && stderr.contains("archive-location.txt"), "{stderr}");
    }
    std::fs::remove_file(&location).unwrap();
    assert!(listed(run_at_home(home.path(), &["list", "--json"])).is_empty(), "the default archive again");
}
