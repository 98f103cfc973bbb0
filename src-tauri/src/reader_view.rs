//! An article as the reader pane shows it: re-sanitised, images pointed at the local cache,
//! and links into the same site turned into in-app targets (`#category=…`, `#article=…`, `#all`).

use std::collections::HashMap;

use broadsheet_jekyll::{site_link_via, SiteLink};
use broadsheet_model::{ArticleDetail, ArticleId, InAppLink};
use broadsheet_store::{Store, StoreError};

use crate::image_scheme;

pub fn article_for_reader(store: &Store, id: ArticleId) -> Result<ArticleDetail, StoreError> {
    let mut article = store.article(id)?;
    let links = match store.source_and_site_of(id)? {
        Some((source, Some(site))) => in_app_links(store, &article.html, &site, source)?,
        _ => HashMap::new(),
    };
    let cached: std::collections::HashSet<String> =
        article.images.iter().filter(|u| store.has_image(u).unwrap_or(false)).cloned().collect();
    // Only the post's kept images (the first 100) are shown: a post of 150,000 `<img>` would
    // otherwise send the image scheme 150,000 requests. An `<img>` past them loses its
    // source (an empty one, which the sanitiser drops): no request at all.
    let kept: std::collections::HashSet<String> = article.images.iter().cloned().collect();
    let image = move |u: &str| {
        if cached.contains(u) {
            image_scheme::local_url(u)
        } else if kept.contains(u) {
            image_scheme::missing_url(u)
        } else {
            String::new()
        }
    };
    article.html = broadsheet_html::for_display(&article.html, image_scheme::SCHEME, image, links);
    // The pane shows the HTML: the text (as large as the body) and the image list are the
    // CLI's and exports', not worth sending to the window at every open.
    article.text = String::new();
    article.images = Vec::new();
    Ok(article)
}

/// Same-site links looked up per article. Each is an indexed lookup, but a hostile post may
/// hold a hundred thousand links: past this many, the rest stay web links.
const MAX_LINKS_RESOLVED: usize = 500;

fn in_app_links(
    store: &Store,
    html: &str,
    site: &str,
    source: broadsheet_store::SourceId,
) -> Result<HashMap<String, String>, StoreError> {
    let mut map = HashMap::new();
    // The site's other addresses: a back link to where the site lived before is the site's.
    let aliases = store.site_aliases(source)?;
    for href in broadsheet_html::link_targets(html).into_iter().take(MAX_LINKS_RESOLVED) {
        let target = match site_link_via(&href, site, &aliases) {
            Some(SiteLink::Home) => Some(InAppLink::All),
            Some(SiteLink::Category(slug)) if store.has_category(&slug)? => Some(InAppLink::Category(slug)),
            // Shaped like a category but none: a page, named at the site's current address
            // (reached through a former one, the link names where the post was), else as written.
            Some(SiteLink::Category(_)) => {
                let at_site = broadsheet_jekyll::at_site_address(&href, site, &aliases);
                match at_site.map(|u| store.article_by_url_in(&u, Some(source))).transpose()?.flatten() {
                    Some(id) => Some(id),
                    None => store.article_by_url_in(href.split('#').next().unwrap_or(&href), Some(source))?,
                }
                .map(InAppLink::Article)
            }
            // Named at the site's current address, where its posts are kept.
            Some(SiteLink::Page(url)) => match store.article_by_url_in(&url, Some(source))? {
                Some(id) => Some(id),
                None => store.article_by_url_in(href.split('#').next().unwrap_or(&href), Some(source))?,
            }
            .map(InAppLink::Article),
            None => None,
        };
        if let Some(t) = target {
            map.insert(href, t.href());
        }
    }
    Ok(map)
}
