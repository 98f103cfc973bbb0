//! `_config.yml`: the few site settings a post needs.

use std::collections::BTreeMap;

use crate::yaml::{self, Limits};
use crate::Warning;

/// Site settings used while reading posts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SiteConfig {
    pub title: Option<String>,
    /// Absolute site URL (`url` + `baseurl`), without a trailing slash.
    pub url: Option<String>,
    pub lang: Option<String>,
    /// IANA zone from `timezone:`; dates without an offset are read in it.
    pub timezone: Option<String>,
    pub permalink: Option<String>,
    /// Top-level scalar settings, for `{{ site.NAME }}`.
    pub values: BTreeMap<String, String>,
    /// Other addresses of the site (its `CNAME`), filled in by whoever reads the site's files.
    pub aliases: Vec<String>,
    /// Display names by category slug from the site's category pages, filled in likewise.
    pub category_names: BTreeMap<String, String>,
}

/// Reads `_config.yml`. Unreadable YAML gives defaults and a warning.
pub fn parse_config(text: &str) -> (SiteConfig, Vec<Warning>) {
    let mut warnings = Vec::new();
    let mut cfg = SiteConfig::default();
    let map = match yaml::load(text, Limits::CONFIG) {
        Ok(serde_json::Value::Object(map)) => map,
        Ok(_) => return (cfg, warnings),
        Err(e) if e.is_limit() => {
            warnings.push(Warning::new(format!("_config.yml refused ({e}); using defaults")));
            return (cfg, warnings);
        }
        Err(e) => {
            warnings.push(Warning::new(format!("_config.yml is not valid YAML ({e}); using defaults")));
            return (cfg, warnings);
        }
    };
    for (k, v) in &map {
        let s = match v {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => b.to_string(),
            _ => continue,
        };
        cfg.values.insert(k.clone(), s);
    }
    let get = |k: &str| cfg.values.get(k).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let base = get("baseurl").unwrap_or_default();
    cfg.url = get("url").map(|u| format!("{}{}", u.trim_end_matches('/'), base.trim_end_matches('/')));
    // Copied into every relative link, `{{ site.url }}` and `{% link %}`: a real address is
    // tens of bytes.
    if cfg.url.as_ref().is_some_and(|u| u.len() > broadsheet_html::MAX_SITE_URL_BYTES) {
        cfg.url = None;
        warnings.push(Warning::new(format!(
            "_config.yml: url and baseurl are longer than {} bytes together; ignored",
            broadsheet_html::MAX_SITE_URL_BYTES
        )));
    }
    cfg.title = get("title");
    cfg.lang = get("lang");
    cfg.timezone = get("timezone");
    cfg.permalink = get("permalink");
    (cfg, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_url_timezone_and_lang() {
        let (c, w) = parse_config("title: 金融消息\nurl: https://finews.withounder.com/\nbaseurl: \"\"\nlang: zh-CN\ntimezone: Asia/Shanghai\n");
        assert!(w.is_empty());
        assert_eq!(c.url.as_deref(), Some("https://finews.withounder.com"));
        assert_eq!(c.timezone.as_deref(), Some("Asia/Shanghai"));
        assert_eq!(c.lang.as_deref(), Some("zh-CN"));
        assert_eq!(c.title.as_deref(), Some("金融消息"));
    }

    #[test]
    fn broken_yaml_gives_defaults_and_a_warning() {
        let (c, w) = parse_config("url: [unclosed\n");
        assert_eq!(c, SiteConfig::default());
        assert_eq!(w.len(), 1);
    }
}
