//! What the window should show, worked out independently from the embedded sample site
//! with the Jekyll parser, so the tests carry no copied titles or counts.

use broadsheet_jekyll::{parse_config, parse_post, Parsed, Post, PostFile};

fn sample_posts() -> Vec<Post> {
    let (site, _) = parse_config(broadsheet_sample::config());
    broadsheet_sample::posts()
        .into_iter()
        .filter_map(|(path, bytes)| match parse_post(&PostFile { path, bytes, modified: None }, &site).0 {
            Parsed::Post(p) => Some(*p),
            Parsed::Skipped(_) => None,
        })
        .collect()
}

pub fn post_count() -> usize {
    sample_posts().len()
}

pub fn category_count() -> usize {
    let mut cats: Vec<String> = sample_posts().into_iter().flat_map(|p| p.categories).collect();
    cats.sort();
    cats.dedup();
    cats.len()
}

pub struct Expected {
    pub title: String,
    /// The first sentence of the body's first paragraph.
    pub sentence: String,
    pub category_count: usize,
}

pub fn newest_in_category(slug: &str) -> Expected {
    let posts: Vec<Post> = sample_posts().into_iter().filter(|p| p.categories.iter().any(|c| c == slug)).collect();
    let newest = posts.iter().max_by_key(|p| p.timestamp).expect("the sample has this category");
    assert!(!newest.images.is_empty(), "pick a category whose newest sample post has an image");
    let first_line = newest.text.lines().next().unwrap_or_default();
    let sentence = first_line.split_inclusive(['。', '.']).next().unwrap_or(first_line).to_string();
    Expected { title: newest.title.clone(), sentence, category_count: posts.len() }
}

/// Unix seconds of an RFC 3339 string (`2026-11-27T09:12:00+08:00`).
pub fn unix_of(rfc3339: &str) -> i64 {
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|e| panic!("{rfc3339:?} is not RFC 3339: {e}"))
        .unix_timestamp()
}
