//! Import: parsed posts in, archive rows out, with a report of what happened to each file.
//!
//! Invariant: one bad file never stops an import; it is reported by path with its reason,
//! and nothing already in the archive is removed.

use broadsheet_jekyll::{parse_config, parse_post, Parsed, PostFile, SiteConfig};
use broadsheet_store::{NewArticle, SourceId, Store, StoreError, UpsertOutcome};

/// What an import did. Skips and warnings name the file.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub imported: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub skipped: Vec<(String, String)>,
    pub warnings: Vec<(String, String)>,
}

impl std::fmt::Display for ImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "imported {}, updated {}, unchanged {}, skipped {}, warnings {}",
            self.imported,
            self.updated,
            self.unchanged,
            self.skipped.len(),
            self.warnings.len()
        )
    }
}

/// Parses `files` of one Jekyll site and writes them to the archive in one transaction.
pub fn import_posts<'a>(
    store: &mut Store,
    source: SourceId,
    site: &SiteConfig,
    files: impl IntoIterator<Item = PostFile<'a>>,
) -> Result<ImportReport, StoreError> {
    let mut report = ImportReport::default();
    let mut rows = Vec::new();
    for file in files {
        let (parsed, warnings) = parse_post(&file, site);
        report.warnings.extend(warnings.into_iter().map(|w| (file.path.to_string(), w.message)));
        match parsed {
            Parsed::Post(post) => rows.push(to_row(post, site)),
            Parsed::Skipped(skip) => report.skipped.push((file.path.to_string(), skip.reason)),
        }
    }
    for outcome in store.upsert_articles(source, &rows)? {
        match outcome {
            UpsertOutcome::Inserted(_) => report.imported += 1,
            UpsertOutcome::Updated(_) => report.updated += 1,
            UpsertOutcome::Unchanged(_) => report.unchanged += 1,
        }
    }
    Ok(report)
}

/// Imports the embedded sample site and seeds the image cache with its pictures.
pub fn import_sample(store: &mut Store) -> Result<ImportReport, StoreError> {
    let (site, _) = parse_config(broadsheet_sample::config());
    let name = site.title.clone().unwrap_or_else(|| "Sample".into());
    let source = store.upsert_source("sample", broadsheet_sample::LOCATION, &name, site.lang.as_deref())?;
    for (url, mime, bytes) in broadsheet_sample::images() {
        store.put_image(&url, mime, bytes)?;
    }
    let posts = broadsheet_sample::posts();
    let files = posts.iter().map(|(path, bytes)| PostFile { path, bytes, modified: None });
    import_posts(store, source, &site, files)
}

fn to_row(post: broadsheet_jekyll::Post, site: &SiteConfig) -> NewArticle {
    // finews pairs each outlet's category slug with one Chinese tag naming it
    // (`dazhongwang` ↔ `大众网新闻`): that tag is the best display name the site offers.
    let hint = match (post.categories.len(), post.tags.as_slice()) {
        (1, [tag]) => Some(tag.clone()),
        _ => None,
    };
    let url = site.url.as_ref().map(|base| format!("{base}{}", post.url));
    NewArticle {
        key: post.key,
        title: post.title,
        published_at: post.timestamp,
        utc_offset_min: post.utc_offset_min,
        url,
        lang: post.lang,
        html: post.html,
        text: post.text,
        excerpt: post.excerpt,
        extra_json: serde_json::Value::Object(post.extra).to_string(),
        categories: post.categories.into_iter().map(|c| (c, hint.clone())).collect(),
        tags: post.tags,
        images: post.images,
    }
}
