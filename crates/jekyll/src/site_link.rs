//! Recognising links that point into the same site, so the reader can open them in the app.

use percent_encoding::percent_decode_str;

/// Where a same-site link leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SiteLink {
    /// The home page.
    Home,
    /// A category page: `/category/<slug>.html` (finews), `/category/<slug>/`, `/categories/<slug>/`,
    /// or a one-segment page such as `/emnews/` whose name may be a category.
    Category(String),
    /// Any other page of the site (a post, perhaps), as an absolute URL without fragment.
    Page(String),
}

/// Classifies `href` (absolute, as stored) against the site at `site_url`. `None` when the
/// link leaves the site.
pub fn site_link(href: &str, site_url: &str) -> Option<SiteLink> {
    site_link_via(href, site_url, &[])
}

/// Like [`site_link`], also counting links to any of the site's other addresses (`aliases`:
/// a former domain, its `CNAME`) as the site's; a page reached through an alias is named at
/// the site's own address, where the archive keeps its posts.
pub fn site_link_via(href: &str, site_url: &str, aliases: &[String]) -> Option<SiteLink> {
    let (kind, at_site) = via(href, site_url, aliases)?;
    Some(kind.unwrap_or(SiteLink::Page(at_site)))
}

/// `href` named at the site's own address when it points into the site or one of its other
/// addresses (`https://old.example/a.html` → `https://site.example/a.html`), whatever kind of
/// link it is: where the archive would keep the page it names.
pub fn at_site_address(href: &str, site_url: &str, aliases: &[String]) -> Option<String> {
    via(href, site_url, aliases).map(|(_, at_site)| at_site)
}

/// The link's kind (`None`: a plain page) and its address at the site's own address.
fn via(href: &str, site_url: &str, aliases: &[String]) -> Option<(Option<SiteLink>, String)> {
    let site = strip_scheme(site_url)?;
    let scheme = if site_url.starts_with("http://") { "http" } else { "https" };
    let (site_host, site_base) = split_host(site);
    let site_base = site_base.trim_end_matches('/');
    std::iter::once(site_url).chain(aliases.iter().map(String::as_str)).find_map(|base| {
        let (kind, rest) = classify(href, base)?;
        Some((kind, format!("{scheme}://{site_host}{site_base}{rest}")))
    })
}

/// `href` against one address of a site: the link's kind (`None` for a plain page) and its
/// path below the address's base, or `None` when it leaves that address.
fn classify(href: &str, site_url: &str) -> Option<(Option<SiteLink>, String)> {
    let (scheme_less_href, site) = (strip_scheme(href)?, strip_scheme(site_url)?);
    let (host, path) = split_host(scheme_less_href);
    let (site_host, base) = split_host(site);
    if !broadsheet_model::web::same_host(host, site_host) {
        return None;
    }
    let path = path.split(['#', '?']).next().unwrap_or("");
    let base = base.trim_end_matches('/');
    let rest = path.strip_prefix(base).filter(|r| r.is_empty() || r.starts_with('/'))?;
    let segments: Vec<String> = rest
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    let kind = match segments.as_slice() {
        [] => Some(SiteLink::Home),
        [one] if one == "index.html" => Some(SiteLink::Home),
        [dir, file] if dir == "category" || dir == "categories" => {
            Some(SiteLink::Category(file.strip_suffix(".html").unwrap_or(file).to_string()))
        }
        [one] if rest.ends_with('/') || one.ends_with(".html") => {
            Some(SiteLink::Category(one.strip_suffix(".html").unwrap_or(one).to_string()))
        }
        _ => None,
    };
    Some((kind, rest.to_string()))
}

fn strip_scheme(url: &str) -> Option<&str> {
    url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")).or_else(|| url.strip_prefix("//"))
}

fn split_host(s: &str) -> (&str, &str) {
    match s.find('/') {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, "/"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITE: &str = "https://finews.withounder.com";

    #[test]
    fn finews_back_links_lead_to_categories_and_home() {
        assert_eq!(
            site_link("https://finews.withounder.com/category/dazhongwang.html", SITE),
            Some(SiteLink::Category("dazhongwang".into()))
        );
        assert_eq!(site_link("https://finews.withounder.com/emnews/", SITE), Some(SiteLink::Category("emnews".into())));
        assert_eq!(site_link("https://finews.withounder.com/", SITE), Some(SiteLink::Home));
        assert_eq!(
            site_link("https://finews.withounder.com/category/21shijijingjibaodao%2021caijingAPP.html", SITE),
            Some(SiteLink::Category("21shijijingjibaodao 21caijingAPP".into()))
        );
    }

    #[test]
    fn post_urls_are_pages_and_other_hosts_are_not_the_site() {
        assert_eq!(
            site_link("http://finews.withounder.com/emnews/2021/12/08/1.html#top", SITE),
            Some(SiteLink::Page("https://finews.withounder.com/emnews/2021/12/08/1.html".into()))
        );
        assert_eq!(site_link("https://finance.eastmoney.com/news/1344,1.html", SITE), None);
        assert_eq!(site_link("mailto:x@finews.withounder.com", SITE), None);
    }

    #[test]
    fn links_to_a_former_address_are_the_sites_and_name_its_pages_at_the_current_one() {
        let aliases = vec!["https://finews.zning.me".to_string(), "http://old.example/finews".to_string()];
        assert_eq!(
            site_link_via("https://finews.zning.me/category/dazhongwang.html", SITE, &aliases),
            Some(SiteLink::Category("dazhongwang".into()))
        );
        assert_eq!(site_link_via("//www.finews.zning.me/", SITE, &aliases), Some(SiteLink::Home));
        assert_eq!(
            site_link_via("http://old.example/finews/emnews/2021/12/08/1.html?x#y", SITE, &aliases),
            Some(SiteLink::Page("https://finews.withounder.com/emnews/2021/12/08/1.html".into()))
        );
        assert_eq!(site_link_via("http://old.example/other/", SITE, &aliases), None);
        assert_eq!(site_link("https://finews.zning.me/", SITE), None, "not without the alias");
        // A category-shaped link that is no category is looked up at the site's own address.
        assert_eq!(
            at_site_address("https://finews.zning.me/about.html", SITE, &aliases).as_deref(),
            Some("https://finews.withounder.com/about.html")
        );
        assert_eq!(at_site_address("https://other.example/about.html", SITE, &aliases), None);
    }

    #[test]
    fn a_base_path_is_respected() {
        let site = "https://example.org/blog";
        assert_eq!(site_link("https://example.org/blog/", site), Some(SiteLink::Home));
        assert_eq!(site_link("https://example.org/other/", site), None);
    }
}
