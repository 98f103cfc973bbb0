//! Markdown export: a Jekyll site (`_config.yml`, `_posts/<category>/…md`, `assets/`) that
//! Jekyll, or Broadsheet itself, can read back with the same titles, dates and categories.

use std::collections::HashMap;
use std::path::Path;

use broadsheet_store::{BackupArticle, Store};
use serde_json::json;

use crate::{backup, filenames::UniqueNames, io, Selection, TransferError};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MarkdownReport {
    pub posts: usize,
    pub images: usize,
}

pub fn export_markdown(store: &Store, selection: &Selection, out: &Path) -> Result<MarkdownReport, TransferError> {
    let b = backup(store, selection)?;
    let posts_dir = out.join("_posts");
    let assets = out.join("assets");
    std::fs::create_dir_all(&posts_dir).map_err(io(&posts_dir))?;
    std::fs::write(
        out.join("_config.yml"),
        "# Exported by Broadsheet. Dates carry their own offsets.\ntitle: Broadsheet export\n",
    )
    .map_err(io(out))?;

    let mut folders = UniqueNames::default();
    let mut folder_of: HashMap<String, String> = HashMap::new();
    let mut files_in: HashMap<String, UniqueNames> = HashMap::new();
    let mut written_assets: HashMap<String, String> = HashMap::new();
    let mut report = MarkdownReport::default();
    for a in &b.articles {
        let category = a.categories.first().map_or("uncategorized", |c| c.slug.as_str()).to_string();
        let folder = folder_of.entry(category.clone()).or_insert_with(|| folders.claim(&category)).clone();
        let dir = posts_dir.join(&folder);
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;

        // Images the archive holds are written once into assets/ and linked relatively.
        let mut local = HashMap::new();
        for url in &a.images {
            if let Some(path) = written_assets.get(url) {
                local.insert(url.clone(), path.clone());
                continue;
            }
            if let Some(img) = store.image(url)? {
                std::fs::create_dir_all(&assets).map_err(io(&assets))?;
                let name = format!("{:016x}.{}", fnv(&img.bytes), extension(&img.mime));
                let path = assets.join(&name);
                std::fs::write(&path, &img.bytes).map_err(io(&path))?;
                let rel = format!("/assets/{name}");
                written_assets.insert(url.clone(), rel.clone());
                local.insert(url.clone(), rel);
                report.images += 1;
            }
        }
        let html = broadsheet_html::for_display(
            &a.html,
            "http",
            move |u| local.get(u).cloned().unwrap_or_else(|| u.to_string()),
            HashMap::new(),
        );

        let name = files_in.entry(folder).or_default().claim(&format!("{}-{}.md", date_prefix(a), slug(&a.key)));
        let path = dir.join(name);
        std::fs::write(&path, format!("{}{html}\n", front_matter(a))).map_err(io(&path))?;
        report.posts += 1;
    }
    Ok(report)
}

fn front_matter(a: &BackupArticle) -> String {
    // JSON strings are valid YAML double-quoted scalars, so serde_json does the escaping.
    let q = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    let mut fm = format!("---\nlayout: post\ntitle: {}\ndate: {}\n", q(&a.title), jekyll_date(a));
    fm.push_str(&format!("categories: {}\n", json!(a.categories.iter().map(|c| &c.slug).collect::<Vec<_>>())));
    if !a.tags.is_empty() {
        fm.push_str(&format!("tags: {}\n", json!(a.tags)));
    }
    if let Some(lang) = &a.lang {
        fm.push_str(&format!("lang: {}\n", q(lang)));
    }
    if let Some(url) = &a.url {
        fm.push_str(&format!("original_url: {}\n", q(url)));
    }
    if a.bookmarked_at.is_some() || a.read_at.is_some() || !a.user_tags.is_empty() {
        fm.push_str(&format!(
            "broadsheet: {}\n",
            json!({"bookmarked": a.bookmarked_at.is_some(), "read": a.read_at.is_some(), "user_tags": a.user_tags})
        ));
    }
    fm.push_str("---\n");
    fm
}

/// `2021-12-08 13:16:19 +0800`, in the post's own offset.
fn jekyll_date(a: &BackupArticle) -> String {
    let offset = time::UtcOffset::from_whole_seconds(a.utc_offset_min * 60).unwrap_or(time::UtcOffset::UTC);
    let t = time::OffsetDateTime::from_unix_timestamp(a.published_at)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .to_offset(offset);
    let (h, m) = (a.utc_offset_min / 60, (a.utc_offset_min % 60).abs());
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} {}{:02}{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        if a.utc_offset_min < 0 { '-' } else { '+' },
        h.abs(),
        m
    )
}

fn date_prefix(a: &BackupArticle) -> String {
    jekyll_date(a)[..10].to_string()
}

/// The post's slug: its key without a leading `YYYY-MM-DD-`.
fn slug(key: &str) -> &str {
    let b = key.as_bytes();
    let dated =
        b.len() > 11 && b[4] == b'-' && b[7] == b'-' && b[10] == b'-' && key[..4].bytes().all(|c| c.is_ascii_digit());
    let s = if dated { &key[11..] } else { key.trim_start_matches('-') };
    if s.is_empty() {
        "post"
    } else {
        s
    }
}

fn extension(mime: &str) -> &'static str {
    match mime {
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "image/svg+xml" => "svg",
        "image/avif" => "avif",
        _ => "bin",
    }
}

/// A stable short name for image bytes (collisions only cost a duplicate file name check).
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100000001b3))
}
