//! Adding a source from what the reader typed: a folder, a git URL, a feed URL or a site URL
//! (whose feed is discovered).

use std::path::Path;

use broadsheet_fetch::{Fetched, Fetcher, Limits, NetPolicy, Validators};
use broadsheet_store::{NewSource, SourceId, StoreError};

use crate::SharedStore;

pub use broadsheet_model::SourceKind;

#[derive(Debug, thiserror::Error)]
pub enum AddError {
    #[error("{0}")]
    NotFound(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Registers a source and returns its id. Without `kind`: an existing path is a Jekyll
/// folder; `*.git` and `file://` URLs are git repositories; other URLs must be a feed or a
/// page that leads to one (checked now). With `kind`, the input is taken as that kind.
pub async fn add_source(
    store: &SharedStore,
    input: &str,
    kind: Option<SourceKind>,
    name: Option<&str>,
) -> Result<SourceId, AddError> {
    let input = input.trim();
    let explicit = kind.is_some();
    let kind = match kind {
        Some(k) => k,
        None if Path::new(input).exists() => SourceKind::JekyllFolder,
        None if input.ends_with(".git") || input.starts_with("file://") || input.starts_with("git://") => {
            SourceKind::JekyllGit
        }
        None if input.starts_with("http://") || input.starts_with("https://") => SourceKind::Feed,
        None => return Err(AddError::NotFound(format!("{input}: no such folder, and not a URL"))),
    };
    let (location, default_name, site_url) = match kind {
        SourceKind::JekyllFolder => {
            let path = Path::new(input).canonicalize().map_err(|e| AddError::NotFound(format!("{input}: {e}")))?;
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| input.to_string());
            (path.to_string_lossy().into_owned(), name, None)
        }
        SourceKind::JekyllGit => {
            let name =
                input.trim_end_matches('/').trim_end_matches(".git").rsplit('/').next().unwrap_or(input).to_string();
            (input.to_string(), name, None)
        }
        // Named a feed explicitly: taken as given (the first sync reports what is wrong with it).
        SourceKind::Feed if explicit => (input.to_string(), crate::site_name_of(input), None),
        SourceKind::Feed => {
            let (url, title, site) = find_feed(input).await?;
            (url.clone(), title.unwrap_or(url), site)
        }
        // Built in, or made by saving a page: never added by a name typed.
        SourceKind::Sample | SourceKind::Saved => {
            return Err(AddError::NotFound(format!("{input}: a {} source is not added by hand", kind.as_str())))
        }
    };
    let name = name.map(str::to_string).unwrap_or(default_name);
    let store = crate::engine::lock_writer(store);
    if store.source_id(&location)?.is_none() {
        store.check_room_for_sources(1)?;
    }
    let id = store.upsert_source(&NewSource {
        kind: kind.as_str(),
        location: &location,
        name: &name,
        site_url: site_url.as_deref(),
        lang: None,
    })?;
    // Named by the reader: its host may be on their own network (even if an OPML file or a
    // backup brought the same source in before).
    store.set_source_user_added(id, true)?;
    Ok(id)
}

/// How long finding a site's feed may take in all, past the page itself.
const DISCOVERY_DEADLINE: std::time::Duration = std::time::Duration::from_secs(90);

/// The feed at `url`, or the one its page announces, or the conventional `/feed.xml`.
async fn find_feed(url: &str) -> Result<(String, Option<String>, Option<String>), AddError> {
    // The address the reader typed may be on their own network; a feed it points to elsewhere
    // is checked like any content-derived URL.
    let fetcher = Fetcher::with_policy(Limits::DOCUMENT, NetPolicy::allowing([url]));
    let get = |u: String| {
        let f = fetcher.clone();
        async move {
            match f.get(&u, &Validators::default()).await {
                Ok(Fetched::Body(r)) => Ok(r),
                Ok(Fetched::NotModified) => Err(format!("{u}: unexpected 304")),
                Err(e) => Err(e.to_string()),
            }
        }
    };
    let mut candidates = Vec::new();
    let mut page_error = None;
    match get(url.to_string()).await {
        Ok(page) => {
            if let Ok(feed) = broadsheet_feed::parse_feed(&page.body, &page.url, 0) {
                return Ok((page.url, feed.title, feed.site_url));
            }
            candidates.extend(broadsheet_feed::discover(&String::from_utf8_lossy(&page.body), &page.url));
        }
        Err(e) => page_error = Some(e),
    }
    // A Jekyll site with jekyll-feed publishes /feed.xml even when its pages don't link it.
    candidates.extend(broadsheet_feed::conventional_feed_urls(url));
    // Each candidate is bounded by the fetcher's own timeouts; all of them together by this,
    // so a page announcing many slow feeds cannot keep the reader waiting for minutes.
    let tried = tokio::time::timeout(DISCOVERY_DEADLINE, async {
        for candidate in candidates {
            if let Ok(r) = get(candidate).await {
                if let Ok(feed) = broadsheet_feed::parse_feed(&r.body, &r.url, 0) {
                    return Some((r.url, feed.title, feed.site_url.or(Some(url.to_string()))));
                }
            }
        }
        None
    })
    .await;
    match tried {
        Ok(Some(found)) => return Ok(found),
        Ok(None) => {}
        Err(_) => {
            return Err(AddError::NotFound(format!(
                "{url}: no feed found within {} s of trying its candidates",
                DISCOVERY_DEADLINE.as_secs()
            )))
        }
    }
    if let Some(e) = page_error {
        return Err(AddError::NotFound(format!("{e}; and no feed at the usual places")));
    }
    Err(AddError::NotFound(format!("{url}: no RSS, Atom or JSON feed there, and the page links to none")))
}
