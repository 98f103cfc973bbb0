//! Saving a web page for offline reading (read-later): fetched like a feed (same limits,
//! same network policy), read by `broadsheet_page`, written to the archive's "Saved" source.
//! Its images are queued like any post's; the next image phase stores them.

use broadsheet_fetch::{FetchError, Fetched, Validators};
use broadsheet_model::ArticleId;
use broadsheet_store::{NewArticle, NewSource, StoreError, UpsertOutcome};

use crate::engine::{lock_writer, Engine};

/// The source saved pages live in (never synced: nothing to sync it from).
pub const SAVED_KIND: &str = broadsheet_model::SourceKind::Saved.as_str();
pub const SAVED_LOCATION: &str = "broadsheet:saved";

/// A page saved (or saved again: then updated in place, its marks kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    pub id: ArticleId,
    /// The URL it was stored under (after redirects, without a fragment).
    pub url: String,
    pub title: String,
    /// Whether this URL was saved before (the post was updated, not added).
    pub again: bool,
    /// The article was found (false: the whole page was kept, sanitised).
    pub extracted: bool,
    pub warnings: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error("{0}: not a web address (http or https)")]
    NotAUrl(String),
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("{url}: not a web page ({content_type})")]
    NotAPage { url: String, content_type: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Wanted pages fetched in one call at most (the rest wait for the next device sync).
const WANTED_PER_RUN: usize = 50;
/// Failed fetches before a page another device saved is given up here.
const WANTED_TRIES: u32 = 5;

impl Engine {
    /// Fetches the pages other devices saved that this archive lacks (see
    /// `broadsheet_devices`); returns (saved, failed). A URL that is no page is given up at
    /// once; one that fails to fetch is tried again at later syncs, a few times.
    pub async fn save_wanted_pages(&self) -> (usize, usize) {
        let wanted = match self.reader().and_then(|r| r.wanted_pages(WANTED_PER_RUN)) {
            Ok(w) => w,
            Err(_) => return (0, 0),
        };
        let (mut saved, mut failed) = (0, 0);
        for url in wanted {
            let result = self.save_page(&url, &[]).await;
            let store = self.shared();
            let s = lock_writer(&store);
            let recorded = match &result {
                Ok(_) => {
                    saved += 1;
                    // Done, whatever address it was stored under.
                    s.drop_wanted_page(&url)
                }
                // Not a page at all: nothing to try again.
                Err(SaveError::NotAUrl(_) | SaveError::NotAPage { .. }) => {
                    failed += 1;
                    s.drop_wanted_page(&url)
                }
                Err(_) => {
                    failed += 1;
                    s.wanted_page_failed(&url, WANTED_TRIES)
                }
            };
            if let Err(e) = recorded {
                // The page stays wanted and is tried again at the next sync.
                log::warn!("{url}: cannot record the outcome of saving it: {e}");
            }
        }
        (saved, failed)
    }

    /// Fetches `url` and keeps it in the "Saved" source, with the reader's `tags`. The URL is
    /// the reader's own, so its host may be private (like a source they add).
    pub async fn save_page(&self, url: &str, tags: &[String]) -> Result<Saved, SaveError> {
        let url = url.trim();
        let lower = url.to_ascii_lowercase();
        if !(lower.starts_with("https://") || lower.starts_with("http://")) || url.chars().any(char::is_whitespace) {
            return Err(SaveError::NotAUrl(broadsheet_model::shown(url)));
        }
        self.allow_saved_host(url);
        let fetched = match self.documents().get(url, &Validators::default()).await? {
            Fetched::Body(r) => r,
            // Asked without validators: a 304 is the server's confusion.
            Fetched::NotModified => {
                return Err(
                    FetchError::Other { url: url.into(), reason: "answered 304 to a plain request".into() }.into()
                )
            }
        };
        let content_type = fetched.content_type.clone().unwrap_or_default();
        let mime = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if !(mime.is_empty() || mime == "text/html" || mime == "application/xhtml+xml" || mime == "text/plain") {
            return Err(SaveError::NotAPage { url: fetched.url, content_type: broadsheet_model::shown(&content_type) });
        }
        let final_url = fetched.url.split('#').next().unwrap_or(&fetched.url).to_string();
        let (store, tags) = (self.shared(), tags.to_vec());
        tokio::task::spawn_blocking(move || -> Result<Saved, SaveError> {
            let html = broadsheet_page::decode(&fetched.body, fetched.content_type.as_deref());
            let (page, warnings) = broadsheet_page::read_page(&html, &final_url);
            let saved_at = crate::now();
            let extra = serde_json::json!({
                "author": page.author,
                "site_name": page.site_name,
                "saved_at": saved_at,
                "extracted": page.extracted,
            });
            let host = crate::site_name_of(&final_url);
            let mut row = NewArticle {
                key: final_url.clone(),
                title: page.title.clone(),
                published_at: page.published.unwrap_or(saved_at),
                utc_offset_min: page.utc_offset_min,
                url: Some(final_url.clone()),
                lang: page.lang,
                html: page.html,
                text: page.text,
                text_derived: true,
                excerpt: page.excerpt,
                extra_json: extra.to_string(),
                // The site, as a category: saved pages group by where they came from.
                categories: vec![(host.clone(), page.site_name.clone().or(Some(host)))],
                tags: Vec::new(),
                images: page.images,
                prepared: None,
            };
            row.prepare();
            let mut s = lock_writer(&store);
            let source = s.upsert_source(&NewSource {
                kind: SAVED_KIND,
                location: SAVED_LOCATION,
                name: "Saved",
                site_url: None,
                lang: None,
            })?;
            let outcome = s.upsert_articles(source, std::slice::from_ref(&row))?;
            let (id, again) = match outcome.first() {
                Some(UpsertOutcome::Inserted(id)) => (*id, false),
                Some(UpsertOutcome::Updated(id) | UpsertOutcome::Unchanged(id)) => (*id, true),
                None => return Err(StoreError::InvalidInput("the page was not stored".into()).into()),
            };
            if !tags.is_empty() {
                let names: Vec<&str> = tags.iter().map(String::as_str).collect();
                s.tag_article(id, &names)?;
            }
            Ok(Saved { id, url: final_url, title: row.title, again, extracted: page.extracted, warnings })
        })
        .await
        .map_err(|e| StoreError::InvalidInput(format!("saving the page stopped: {e}")))?
    }
}
