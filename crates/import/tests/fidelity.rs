//! Fidelity against real Jekyll: each corpus site is built with Debian's `jekyll`, which
//! writes its own view of every published post; the archive must agree post by post on
//! title, date, categories, tags and URL, except for the deliberate differences below.

use std::path::Path;

use broadsheet_jekyll::{parse_config, parse_post, Parsed, PostFile};
use broadsheet_testkit::{copy_dir, corpus_site as corpus};
use serde_json::Value;

/// Jekyll's view of every post it publishes, as JSON.
const POSTS_JSON: &str = r#"---
layout: null
---
[{% for p in site.posts %}{"path": {{ p.path | jsonify }}, "title": {{ p.title | jsonify }}, "date": {{ p.date | date_to_xmlschema | jsonify }}, "categories": {{ p.categories | jsonify }}, "tags": {{ p.tags | jsonify }}, "url": {{ p.url | jsonify }}}{% unless forloop.last %},{% endunless %}
{% endfor %}]
"#;

const CONFIG: &str = "url: https://example.org
timezone: Asia/Shanghai
plugins: [jekyll-feed]
# The corpus keeps posts only: their includes and layouts are not there, so Liquid is off
# for posts (the archive renders the Liquid it can itself).
defaults:
  - scope: {path: \"\", type: posts}
    values: {render_with_liquid: false}
";

/// Deliberate differences, each recognised by the warning the parser gives for it.
const DELIBERATE: &[(&str, &str)] = &[
    // Jekyll needs `---` on the first line; finews has posts with a blank line first. Jekyll
    // then publishes the YAML as text under the slug; the archive reads the front matter.
    ("blank line(s) before the opening ---", "front matter recovered"),
    // Jekyll's YAML parser rejects `title: "a "b" c"` and drops all front matter; the archive
    // reads the title literally, as the scraper meant it.
    ("unescaped \"", "inner quotes recovered"),
    // `2023-01-29 18:30:22 2023 -0800`: Ruby's Time.parse drops the offset after the stray
    // year and reads the site's zone; the archive keeps the offset the author wrote.
    ("has stray text", "offset kept"),
];

fn jekyll_build(site: &Path) -> Vec<Value> {
    std::fs::write(site.join("_config.yml"), CONFIG).unwrap();
    std::fs::write(site.join("posts.json"), POSTS_JSON).unwrap();
    let out = broadsheet_testkit::jekyll_command()
        .args(["build", "-q", "-d", "_site"])
        .current_dir(site)
        .output()
        .expect("Debian's jekyll and ruby-jekyll-feed (installed by `cargo xtask test`)");
    assert!(out.status.success(), "jekyll build failed: {}", String::from_utf8_lossy(&out.stderr));
    let json = std::fs::read_to_string(site.join("_site/posts.json")).unwrap();
    serde_json::from_str::<Value>(&json).unwrap().as_array().unwrap().clone()
}

/// Whether the front matter's `date:` is an unquoted date-time without an offset.
fn unquoted_local_date(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    let Some(value) = text.lines().find_map(|l| l.strip_prefix("date:")).map(str::trim) else { return false };
    if value.starts_with(['"', '\'']) {
        return false;
    }
    let mut parts = value.split_whitespace();
    let time = parts.nth(1);
    let has_offset = parts.next().is_some() || time.is_some_and(|t| t.contains(['+', '-', 'Z']));
    time.is_some_and(|t| t.contains(':')) && !has_offset
}

fn instant(rfc3339: &str) -> i64 {
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339).unwrap().unix_timestamp()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
}

fn compare_site(name: &str) -> (usize, usize) {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join(name);
    copy_dir(&corpus(name), &site);
    let published = jekyll_build(&site);
    assert!(!published.is_empty(), "{name}: Jekyll published nothing");
    let (cfg, _) = parse_config(CONFIG);

    let mut diffs = Vec::new();
    let mut deliberate = 0;
    let mut local_dates = 0;
    for jp in &published {
        let path = jp["path"].as_str().unwrap();
        let bytes = std::fs::read(site.join(path)).unwrap();
        let (parsed, warnings) = parse_post(&PostFile { path, bytes: &bytes, modified: None }, &cfg);
        let Parsed::Post(ours) = parsed else { panic!("{name}/{path}: Jekyll publishes it, we skipped it") };
        if DELIBERATE.iter().any(|(w, _)| warnings.iter().any(|x| x.message.contains(w))) {
            deliberate += 1;
            continue;
        }
        let mut diff = |field: &str, theirs: String, mine: String| {
            if theirs != mine {
                diffs.push(format!("{name}/{path}: {field}: jekyll {theirs:?}, archive {mine:?}"));
            }
        };
        // Deliberate: titles are trimmed ("See you, Alibaba " in the Hux blog).
        diff("title", jp["title"].as_str().unwrap().trim().to_string(), ours.title.clone());
        let theirs = instant(jp["date"].as_str().unwrap());
        if unquoted_local_date(&bytes) {
            // Deliberate: YAML 1.1 reads an unquoted `2021-12-08 13:16:19` as UTC, so Jekyll
            // publishes it 8 hours late on a +08:00 site; the archive reads it on the site's
            // clock, as the author wrote it (and as Jekyll does for the same text quoted).
            diff(
                "date (read as UTC by Jekyll)",
                theirs.to_string(),
                (ours.timestamp + i64::from(ours.utc_offset_min) * 60).to_string(),
            );
            local_dates += 1;
        } else {
            diff("date", theirs.to_string(), ours.timestamp.to_string());
            diff("url", jp["url"].as_str().unwrap().to_string(), ours.url.clone());
        }
        diff("categories", format!("{:?}", strings(&jp["categories"])), format!("{:?}", ours.categories));
        diff("tags", format!("{:?}", strings(&jp["tags"])), format!("{:?}", ours.tags));
    }
    eprintln!(
        "{name}: {} published, {deliberate} with recovered front matter, {local_dates} with offset-less dates",
        published.len()
    );
    assert!(diffs.is_empty(), "{} differences:\n{}", diffs.len(), diffs.join("\n"));
    (published.len(), deliberate)
}

#[test]
fn finews_matches_jekyll_apart_from_recovered_front_matter() {
    broadsheet_testkit::needs_corpus!();
    let (published, deliberate) = compare_site("finews");
    assert!(published > 100);
    assert!(deliberate > 0, "the finews quirks should be exercised");
}

#[test]
fn jekyll_news_posts_match_jekyll() {
    broadsheet_testkit::needs_corpus!();
    let (published, deliberate) = compare_site("jekyll-jekyll");
    assert!(deliberate <= 1, "{deliberate} of {published}");
}

#[test]
fn hux_blog_matches_jekyll() {
    broadsheet_testkit::needs_corpus!();
    let (_, deliberate) = compare_site("Huxpro-huxpro.github.io");
    assert_eq!(deliberate, 0);
}

#[test]
fn posts_jekyll_skips_are_imported_with_a_warning_not_dropped() {
    broadsheet_testkit::needs_corpus!();
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("finews");
    copy_dir(&corpus("finews"), &site);
    let published: Vec<String> = jekyll_build(&site).iter().map(|p| p["path"].as_str().unwrap().to_string()).collect();
    let (cfg, _) = parse_config(CONFIG);
    let mut unpublished_but_imported = 0;
    for e in std::fs::read_dir(site.join("_posts")).unwrap().flatten() {
        let path = format!("_posts/{}", e.file_name().to_string_lossy());
        if published.contains(&path) {
            continue;
        }
        let bytes = std::fs::read(e.path()).unwrap();
        let (parsed, warnings) = parse_post(&PostFile { path: &path, bytes: &bytes, modified: Some(0) }, &cfg);
        assert!(matches!(parsed, Parsed::Post(_)), "{path}");
        assert!(warnings.iter().any(|w| w.message.contains("date")), "{path}: {warnings:?}");
        unpublished_but_imported += 1;
    }
    assert!(unpublished_but_imported > 0);
}
